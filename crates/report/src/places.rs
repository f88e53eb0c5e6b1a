//! Where buyers live, drawn: the map of their communes around the venue, shared by the
//! audience page and the season report.

use jauge_analytics::places::AudienceGeography;
use jauge_model::Lang;

use crate::chart::{self, Spot};
use crate::format;

/// The map of the buyers' communes within 60 km of the venue's commune (its INSEE code), with
/// rings at 10, 30 and 60 km and the `named` largest communes named; `None` when the venue's
/// commune is unknown or nobody is placed.
pub fn buyers_map(
    title: &str,
    geography: &AudienceGeography,
    venue_insee: &str,
    named: usize,
    lang: Lang,
) -> Option<String> {
    let geo = jauge_geo::Geography::france();
    let centre = geo.commune(venue_insee)?.position;
    if geography.communes.is_empty() {
        return None;
    }
    let spots: Vec<Spot> = geography
        .communes
        .iter()
        .filter_map(|c| {
            let place = geo.commune(&c.insee)?.position;
            Some(Spot {
                lat: place.lat,
                lon: place.lon,
                value: c.buyers as f64,
                label: c.name.clone(),
                shown: format::count(c.buyers, lang),
            })
        })
        .collect();
    let rings: Vec<(f64, String)> = [10.0, 30.0, 60.0]
        .into_iter()
        .map(|km| (km, format!("{km} km")))
        .collect();
    Some(chart::map(
        title,
        (centre.lat, centre.lon),
        &rings,
        &spots,
        named,
    ))
}
