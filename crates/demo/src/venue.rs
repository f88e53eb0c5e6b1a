//! The demo organisation, its venue and halls, and where its audience lives.

use jauge_geo::{Commune, Geography, LatLon};
use jauge_model::{
    Capacity, DEFAULT_TIME_ZONE, Hall, Organisation, PlaceType, SeasonStartMonth, Venue, VenueSetup,
};
use rand::Rng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;

/// The venue's commune: Joué-lès-Tours, in the Tours urban area.
pub(crate) const VENUE_INSEE: &str = "37122";
pub(crate) const GRANDE_SALLE: &str = "Grande salle";
pub(crate) const STUDIO: &str = "Studio";

pub(crate) fn setup() -> VenueSetup {
    let commune = Geography::france()
        .commune(VENUE_INSEE)
        .expect("the venue's commune is in the table");
    VenueSetup {
        organisation: Organisation {
            legal_name: "Association Théâtre des Quatre Vents"
                .parse()
                .expect("valid"),
            // A made-up SIRET with a valid check digit.
            siret: "12345678900007".parse().expect("valid"),
            licence: "PLATESV-R-2021-004217".parse().expect("valid"),
        },
        venue: Venue {
            name: "Théâtre des Quatre Vents — scène conventionnée"
                .parse()
                .expect("valid"),
            address: "12 avenue de la République".into(),
            postcode: commune.postcodes[0]
                .parse()
                .expect("La Poste postcodes are valid"),
            city: commune.name.parse().expect("valid"),
            insee: commune.insee.parse().expect("valid"),
            time_zone: DEFAULT_TIME_ZONE,
            place_type: PlaceType::Theatre,
            season_start: SeasonStartMonth::SEPTEMBER,
        },
        halls: vec![
            Hall {
                name: GRANDE_SALLE.parse().expect("valid"),
                capacity: Capacity::new(650).expect("valid"),
            },
            Hall {
                name: STUDIO.parse().expect("valid"),
                capacity: Capacity::new(180).expect("valid"),
            },
        ],
    }
}

/// Where patrons live: most near the venue, with a distance decay weighted by population, a
/// few anywhere in France.
pub(crate) struct Residences {
    near: Vec<&'static Commune>,
    near_weights: WeightedIndex<f64>,
    far: Vec<&'static Commune>,
    far_weights: WeightedIndex<f64>,
}

/// Share of patrons who live far away (family visits, tourists, critics).
const FAR_SHARE: f64 = 0.04;
const RADIUS_KM: f64 = 90.0;
const DECAY_KM: f64 = 11.0;

impl Residences {
    pub(crate) fn around(setup: &VenueSetup) -> Residences {
        let france = Geography::france();
        let centre: LatLon = france
            .commune(setup.venue.insee.as_str())
            .expect("venue commune")
            .position;
        let near: Vec<(&'static Commune, f64)> = france.communes_within(&centre, RADIUS_KM);
        let weights = near
            .iter()
            .map(|(c, d)| f64::from(c.population.max(50)) * (-d / DECAY_KM).exp());
        let near_weights = WeightedIndex::new(weights).expect("communes around the venue");
        let far: Vec<&'static Commune> = france
            .communes()
            .iter()
            .filter(|c| c.population >= 20_000)
            .collect();
        let far_weights =
            WeightedIndex::new(far.iter().map(|c| f64::from(c.population))).expect("cities exist");
        Residences {
            near: near.into_iter().map(|(c, _)| c).collect(),
            near_weights,
            far,
            far_weights,
        }
    }

    pub(crate) fn draw(&self, rng: &mut impl Rng) -> &'static Commune {
        if rng.random_bool(FAR_SHARE) {
            self.far[self.far_weights.sample(rng)]
        } else {
            self.near[self.near_weights.sample(rng)]
        }
    }
}
