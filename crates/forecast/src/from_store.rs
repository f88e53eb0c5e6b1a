//! The performances as forecasting sees them, read from the store: each one's show,
//! discipline, hall, day, season, start hour and capacity, and its valid tickets by the number
//! of days before it they were ordered. The thin shell around the pure forecasts.

use chrono::Timelike;
use jauge_model::{PerformanceStatus, Season, VenueSetup};
use jauge_store::{Store, StoreError};

use crate::Observed;

/// Every performance held (cancelled ones are left out), in start order, with its revenue so
/// far in cents (for forecasts of revenue).
pub fn observed(
    store: &(impl Store + ?Sized),
    setup: &VenueSetup,
) -> Result<Vec<(Observed, f64)>, StoreError> {
    let tz = setup.venue.time_zone;
    let programme: Vec<_> = store
        .programme_between(
            chrono::DateTime::<chrono::Utc>::MIN_UTC,
            chrono::DateTime::<chrono::Utc>::MAX_UTC,
        )?
        .into_iter()
        .filter(|p| p.performance.status == PerformanceStatus::Scheduled)
        .collect();
    let ids: Vec<i64> = programme.iter().map(|p| p.id).collect();
    let bookings: std::collections::HashMap<i64, Vec<(u32, u64)>> = store
        .bookings(&ids)?
        .into_iter()
        .map(|b| (b.performance.id, b.by_day))
        .collect();
    Ok(programme
        .into_iter()
        .map(|p| {
            let local = p.performance.starts_at.with_timezone(&tz);
            let day = local.date_naive();
            (
                Observed {
                    id: p.id,
                    show: p.show.title.to_string(),
                    discipline: p.show.discipline,
                    hall: p.performance.hall.to_string(),
                    day,
                    season: Season::containing(day, setup.venue.season_start).start_year(),
                    hour: local.hour(),
                    capacity: p.performance.capacity.get(),
                    by_day: bookings.get(&p.id).cloned().unwrap_or_default(),
                },
                p.sales.sales.revenue.get() as f64,
            )
        })
        .collect())
}
