//! Where the audience lives: distance bands from the venue, départements, communes and their
//! reach per 1,000 inhabitants.

use jauge_geo::{Commune, Geography};

/// How far from the venue, as bands of distance between commune centroids.
pub const BANDS: [(f64, &str, &str); 4] = [
    (10.0, "moins de 10 km", "under 10 km"),
    (30.0, "10 à 30 km", "10 to 30 km"),
    (60.0, "30 à 60 km", "30 to 60 km"),
    (f64::INFINITY, "plus de 60 km", "over 60 km"),
];

/// Where a buyer lives, as their address gives it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuyerPlace {
    pub postcode: Option<String>,
    pub city: Option<String>,
}

/// A commune the audience comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct CommuneReach {
    pub insee: String,
    pub name: String,
    pub buyers: u64,
    pub population: u32,
    /// Buyers per 1,000 inhabitants.
    pub per_thousand: Option<f64>,
    pub distance_km: f64,
}

/// Where a set of buyers live.
#[derive(Debug, Clone, PartialEq)]
pub struct AudienceGeography {
    pub buyers: u64,
    /// Buyers in each of [`BANDS`].
    pub bands: [u64; 4],
    /// Buyers whose address names no known commune.
    pub unplaced: u64,
    /// (code, name, buyers), most buyers first.
    pub departements: Vec<(String, String, u64)>,
    /// Most buyers first.
    pub communes: Vec<CommuneReach>,
}

/// Places each buyer, given as (postcode, commune) from their address, around the venue's
/// commune (its INSEE code).
pub fn audience_geography(
    buyers: &[BuyerPlace],
    venue: &str,
    geo: &Geography,
) -> AudienceGeography {
    let centre = geo.commune(venue).map(|c| c.position);
    let mut by_commune: std::collections::BTreeMap<&str, (&Commune, u64)> = Default::default();
    let mut unplaced = 0;
    for b in buyers {
        match b
            .postcode
            .as_deref()
            .and_then(|p| geo.commune_for(p, b.city.as_deref()))
        {
            Some(commune) => by_commune.entry(&commune.insee).or_insert((commune, 0)).1 += 1,
            None => unplaced += 1,
        }
    }
    let mut bands = [0u64; 4];
    let mut departements: std::collections::BTreeMap<&str, u64> = Default::default();
    let mut communes = Vec::new();
    for (commune, count) in by_commune.values() {
        let distance = centre.map_or(f64::INFINITY, |c| c.distance_km(&commune.position));
        let band = BANDS
            .iter()
            .position(|(limit, _, _)| distance < *limit)
            .unwrap_or(BANDS.len() - 1);
        bands[band] += count;
        *departements.entry(&commune.departement).or_default() += count;
        communes.push(CommuneReach {
            insee: commune.insee.clone(),
            name: commune.name.clone(),
            buyers: *count,
            population: commune.population,
            per_thousand: (commune.population > 0)
                .then(|| *count as f64 * 1000.0 / f64::from(commune.population)),
            distance_km: distance,
        });
    }
    communes.sort_by(|a, b| b.buyers.cmp(&a.buyers).then_with(|| a.insee.cmp(&b.insee)));
    let mut departements: Vec<(String, String, u64)> = departements
        .into_iter()
        .map(|(code, count)| {
            let name = geo
                .departement(code)
                .map_or_else(|| code.to_owned(), |d| d.name.clone());
            (code.to_owned(), name, count)
        })
        .collect();
    departements.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    AudienceGeography {
        buyers: buyers.len() as u64,
        bands,
        unplaced,
        departements,
        communes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(postcode: &str, city: &str) -> BuyerPlace {
        BuyerPlace {
            postcode: Some(postcode.to_owned()),
            city: Some(city.to_owned()),
        }
    }

    #[test]
    fn buyers_are_placed_in_bands_départements_and_communes() {
        let geo = Geography::france();
        let joue = geo.commune_for("37300", None).unwrap();
        let buyers = vec![
            at("37300", "Joué-lès-Tours"),
            at("37300", "JOUE LES TOURS"),
            // Tours, about 5 km away.
            at("37000", "Tours"),
            // Amboise, about 30 km away.
            at("37400", "Amboise"),
            // Paris 11e, over 200 km away.
            at("75011", "Paris"),
            // No commune: a foreign or mistyped address.
            at("99999", "Nulle part"),
            BuyerPlace::default(),
        ];
        let g = audience_geography(&buyers, &joue.insee, geo);
        assert_eq!((g.buyers, g.unplaced), (7, 2));
        assert_eq!(g.bands[0], 3, "Joué twice and Tours");
        assert_eq!(g.bands[0] + g.bands[1] + g.bands[2] + g.bands[3], 5);
        assert_eq!(g.bands[3], 1, "Paris");
        assert_eq!(
            g.departements[0],
            (
                "37".to_owned(),
                geo.departement("37").unwrap().name.clone(),
                4
            )
        );
        let first = &g.communes[0];
        assert_eq!((first.name.as_str(), first.buyers), ("Joué-lès-Tours", 2));
        assert_eq!(
            first.per_thousand,
            Some(2.0 * 1000.0 / f64::from(joue.population))
        );
        assert_eq!(first.distance_km, 0.0);
    }
}
