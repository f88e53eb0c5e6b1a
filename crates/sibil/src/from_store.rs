//! The facts of a declaration, read from the store: the quarter's performances with their
//! shows and tariffs, the venue and the organisation, the domains the venue chose, what was
//! sent before. The thin shell around [`crate::build`] and [`crate::quarter_states`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use jauge_model::{Discipline, PerformanceStatus, VenueSetup};
use jauge_store::{Store, StoreError};

use crate::{
    Built, Declarant, DomainMapping, PerformanceFacts, Place, Quarter, QuarterState, build,
    quarter_states,
};

/// The setting that holds a discipline's SIBIL domain (its code follows).
pub const DOMAIN_SETTING: &str = "sibil.domain.";

/// The domains: SIBIL's usual labels, then the venue's choices.
pub fn domains(store: &(impl Store + ?Sized)) -> Result<DomainMapping, StoreError> {
    let mut mapping = DomainMapping::default();
    for discipline in Discipline::ALL {
        if let Some(label) = store.setting(&format!("{DOMAIN_SETTING}{}", discipline.code()))? {
            if label.is_empty() {
                mapping.0.remove(&discipline);
            } else {
                mapping.0.insert(discipline, label);
            }
        }
    }
    Ok(mapping)
}

/// Midnight starting `day` in the venue's time zone, as an instant.
fn local_midnight(setup: &VenueSetup, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    setup
        .venue
        .time_zone
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// The declaration of `quarter`, from the store.
pub fn gather(
    store: &(impl Store + ?Sized),
    setup: &VenueSetup,
    quarter: Quarter,
) -> Result<Built, StoreError> {
    let (from, to) = (
        local_midnight(setup, quarter.first_day()),
        local_midnight(setup, quarter.end_exclusive()),
    );
    let tz = setup.venue.time_zone;
    let mut facts = Vec::new();
    for p in store.programme_between(from, to)? {
        let mix = store.performance_mix(p.id)?;
        facts.push(PerformanceFacts {
            id: p.id,
            external_id: format!("{}-{}", p.source, p.performance.id),
            show: p.show.title.to_string(),
            company: p.show.company.as_ref().map(ToString::to_string),
            discipline: p.show.discipline,
            young_audience: p.show.young_audience,
            coproduction: p.show.coproduction,
            festival: p.show.festival.as_ref().map(ToString::to_string),
            starts_at: p.performance.starts_at,
            local_start: p.performance.starts_at.with_timezone(&tz).naive_local(),
            capacity: Some(p.performance.capacity.get()),
            status: p.performance.status,
            tariffs: mix.tariffs,
            analytics: p.sales.sales,
        });
    }
    let organisation = &setup.organisation;
    let venue = &setup.venue;
    Ok(build(
        quarter,
        &Declarant {
            legal_name: organisation.legal_name.to_string(),
            siret: Some(organisation.siret.to_string()),
            licence: Some(organisation.licence.to_string()),
        },
        &Place {
            name: venue.name.to_string(),
            address: venue.address.clone(),
            postcode: venue.postcode.to_string(),
            city: venue.city.to_string(),
            siret: Some(organisation.siret.to_string()),
            place_type: Some(venue.place_type),
        },
        &domains(store)?,
        &facts,
        &store.shows_also_outside(from, to)?,
    ))
}

/// Every quarter with a performance to declare, and where it stands today.
pub fn states(
    store: &(impl Store + ?Sized),
    setup: &VenueSetup,
    today: NaiveDate,
) -> Result<Vec<(Quarter, QuarterState, usize, usize)>, StoreError> {
    let tz = setup.venue.time_zone;
    let all = store.programme_between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)?;
    let day_of: BTreeMap<i64, NaiveDate> = all
        .iter()
        .map(|p| {
            (
                p.id,
                p.performance.starts_at.with_timezone(&tz).date_naive(),
            )
        })
        .collect();
    let performances: Vec<(NaiveDate, bool)> = all
        .iter()
        .map(|p| {
            (
                day_of[&p.id],
                p.performance.status == PerformanceStatus::Scheduled,
            )
        })
        .collect();
    let sent: Vec<NaiveDate> = store
        .declarations()?
        .iter()
        .filter(|r| r.sent)
        .filter_map(|r| day_of.get(&r.performance).copied())
        .collect();
    Ok(quarter_states(&performances, &sent, today))
}

/// Where `quarter`'s declaration stands on `today`, with how many performances it has to
/// declare and how many were sent.
pub fn state_of(
    store: &(impl Store + ?Sized),
    setup: &VenueSetup,
    quarter: Quarter,
    today: NaiveDate,
) -> Result<(QuarterState, usize, usize), StoreError> {
    let programme = store.programme_between(
        local_midnight(setup, quarter.first_day()),
        local_midnight(setup, quarter.end_exclusive()),
    )?;
    let held: std::collections::BTreeSet<i64> = programme
        .iter()
        .filter(|p| p.performance.status == PerformanceStatus::Scheduled)
        .map(|p| p.id)
        .collect();
    let sent = store
        .declarations()?
        .iter()
        .filter(|r| r.sent && held.contains(&r.performance))
        .count();
    Ok((
        crate::quarter_state(quarter, today, held.len(), sent),
        held.len(),
        sent,
    ))
}

/// The warning the pages show when the last quarter's declaration is due within
/// [`crate::WARN_DAYS`] days, or late.
pub fn warning(
    store: &(impl Store + ?Sized),
    setup: &VenueSetup,
    today: NaiveDate,
    lang: jauge_model::Lang,
) -> Result<Option<String>, StoreError> {
    let quarter = Quarter::containing(today).previous();
    let (state, to_declare, sent) = state_of(store, setup, quarter, today)?;
    if to_declare == 0 || !crate::needs_warning(state, today) {
        return Ok(None);
    }
    let fr = lang == jauge_model::Lang::Fr;
    let deadline = quarter.deadline();
    let day = jauge_report::format::date(deadline, lang);
    Ok(Some(match (state, fr) {
        (QuarterState::Late { .. }, true) => format!(
            "Déclaration SIBIL du trimestre {quarter} en retard : elle était due le {day} ({sent} représentation(s) sur {to_declare} envoyée(s)). Envoyez-la avec `jauge sibil submit --quarter {quarter}`."
        ),
        (QuarterState::Late { .. }, false) => format!(
            "The SIBIL declaration of {quarter} is late: it was due on {day} ({sent} of {to_declare} performance(s) sent). Send it with `jauge sibil submit --quarter {quarter}`."
        ),
        (_, true) => format!(
            "Déclaration SIBIL du trimestre {quarter} à envoyer avant le {day} ({sent} représentation(s) sur {to_declare} envoyée(s)) : `jauge sibil submit --quarter {quarter}`."
        ),
        (_, false) => format!(
            "The SIBIL declaration of {quarter} is due by {day} ({sent} of {to_declare} performance(s) sent): `jauge sibil submit --quarter {quarter}`."
        ),
    }))
}
