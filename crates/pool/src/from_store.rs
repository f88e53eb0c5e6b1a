//! A venue's contribution for a season, read from its store: the I/O shell around
//! [`crate::contribution`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use jauge_model::{PatronKey, PerformanceStatus, Season};
use jauge_store::{Store, StoreError};

use crate::contribution::{
    AreaCount, Contribution, FORMAT, PerformanceAggregate, SizeBand, VenueCard,
};
use crate::token::NetworkKey;

/// Builds `season`'s contribution of the venue `store` holds, its patrons' tokens under `key`.
/// Cancelled performances are left out; a performance's hall band is its hall's full capacity.
pub fn contribution<S: Store + ?Sized>(
    store: &S,
    season: Season,
    key: &NetworkKey,
    now: DateTime<Utc>,
) -> Result<Contribution, StoreError> {
    let setup = store.setup()?.ok_or(StoreError::NoVenue)?;
    let geography = jauge_geo::Geography::france();
    let insee = setup.venue.insee.to_string();
    let (departement, region) = geography
        .commune(&insee)
        .map(|c| (c.departement.clone(), c.region.clone()))
        .unwrap_or_default();
    let tz = setup.venue.time_zone;
    let hall_seats = |hall: &str| {
        setup
            .halls
            .iter()
            .find(|h| h.name.as_str() == hall)
            .map(|h| h.capacity.get())
    };
    let mut performances = Vec::new();
    for line in store.season_performances(season)? {
        if line.sales.status != PerformanceStatus::Scheduled {
            continue;
        }
        let mix = store.performance_mix(line.id)?;
        let capacity = line.sales.capacity.get();
        performances.push(PerformanceAggregate {
            month: line
                .starts_at
                .with_timezone(&tz)
                .format("%Y-%m")
                .to_string(),
            discipline: line.discipline,
            size_band: SizeBand::of(hall_seats(&line.hall).unwrap_or(capacity)),
            capacity,
            tickets: line.sales.sales.tickets,
            paid_tickets: line.sales.sales.paid_tickets,
            revenue_cents: line.sales.sales.revenue.as_i64(),
            tariffs: mix.tariffs.iter().map(|(c, n, _)| (*c, *n)).collect(),
        });
    }
    // Where the season's buyers live.
    let mut communes: BTreeMap<String, u64> = BTreeMap::new();
    let mut departements: BTreeMap<String, u64> = BTreeMap::new();
    for place in store.season_buyer_places(season)? {
        let Some(postcode) = place.postcode.as_deref() else {
            continue;
        };
        if let Some(commune) = geography.commune_for(postcode, place.city.as_deref()) {
            *communes.entry(commune.insee.clone()).or_default() += 1;
            *departements.entry(commune.departement.clone()).or_default() += 1;
        }
    }
    // The season's buyers as persons, each with the tokens of their records' emails.
    let buyers: BTreeSet<PatronKey> = store
        .person_seasons()?
        .into_iter()
        .filter(|(_, seasons)| seasons.iter().any(|s| s.season == season.start_year()))
        .map(|(person, _)| person)
        .collect();
    let person_of: BTreeMap<PatronKey, PatronKey> = store
        .persons()?
        .into_iter()
        .map(|link| (link.patron, link.person))
        .collect();
    let mut tokens: BTreeMap<PatronKey, BTreeSet<String>> = BTreeMap::new();
    for (identity, _) in store.identities()? {
        let (Some(patron), Some(email)) = (identity.key, identity.email) else {
            continue;
        };
        let person = person_of.get(&patron).cloned().unwrap_or(patron);
        if buyers.contains(&person)
            && let Some(token) = key.token(email.as_str())
        {
            tokens.entry(person).or_default().insert(token);
        }
    }
    let mut patrons: Vec<Vec<String>> = tokens
        .into_values()
        .map(|t| t.into_iter().collect())
        .collect();
    patrons.sort();
    let area = |counts: BTreeMap<String, u64>| {
        counts
            .into_iter()
            .map(|(code, buyers)| AreaCount { code, buyers })
            .collect()
    };
    Ok(Contribution {
        format: FORMAT,
        venue: VenueCard {
            id: setup.organisation.siret.to_string(),
            name: setup.venue.name.to_string(),
            insee,
            departement,
            region,
        },
        season: season.label(),
        built_at: now,
        performances,
        buyers: buyers.len() as u64,
        communes: area(communes),
        departements: area(departements),
        patrons,
    })
}
