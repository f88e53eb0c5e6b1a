//! The rolling-origin backtest of the forecasts on the demo venue, read straight from the
//! generated data: WAPE and MAE per horizon for every method, and the model's interval
//! coverage. `cargo bench -p jauge-forecast --bench backtest` (`JAUGE_BENCH_SCALE`, `JAUGE_BENCH_SEED`).

use std::collections::HashMap;

use jauge_demo::{DemoOptions, generate};
use jauge_forecast::{Observed, backtest};
use jauge_model::{PerformanceStatus, Season, TicketStatus};

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let scale: f64 = std::env::var("JAUGE_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if benchmarking { 1.0 } else { 0.2 });
    let seed: u64 = std::env::var("JAUGE_BENCH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let venue = generate(DemoOptions { seed, scale, today });
    let tz = venue.setup.venue.time_zone;
    let start = venue.setup.venue.season_start;
    let d = &venue.ticketing;
    let shows: HashMap<_, _> = d.shows.iter().map(|s| (&s.id, s)).collect();
    let ordered: HashMap<_, _> = d
        .orders
        .iter()
        .map(|o| (&o.id, o.created_at.with_timezone(&tz).date_naive()))
        .collect();
    let mut by_performance: HashMap<_, HashMap<u32, u64>> = HashMap::new();
    let days: HashMap<_, _> = d
        .performances
        .iter()
        .map(|p| (&p.id, p.starts_at.with_timezone(&tz).date_naive()))
        .collect();
    for t in d.tickets.iter().filter(|t| t.status == TicketStatus::Valid) {
        let before = (days[&t.performance] - ordered[&t.order]).num_days().max(0) as u32;
        *by_performance
            .entry(&t.performance)
            .or_default()
            .entry(before)
            .or_default() += 1;
    }
    let performances: Vec<Observed> = d
        .performances
        .iter()
        .enumerate()
        .filter(|(_, p)| p.status == PerformanceStatus::Scheduled)
        .map(|(i, p)| {
            let show = shows[&p.show];
            Observed {
                id: i as i64,
                show: show.title.to_string(),
                discipline: show.discipline,
                hall: p.hall.to_string(),
                day: days[&p.id],
                season: Season::containing(days[&p.id], start).start_year(),
                hour: chrono::Timelike::hour(&p.starts_at.with_timezone(&tz)),
                capacity: p.capacity.get(),
                by_day: by_performance
                    .get(&p.id)
                    .map(|m| m.iter().map(|(d, t)| (*d, *t)).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    println!(
        "backtest: seed {seed}, scale {scale}, {} performances",
        performances.len()
    );
    let scores = backtest(&performances, today);
    for line in jauge_forecast::table(&scores).lines() {
        println!("  {line}");
    }
    for days in jauge_forecast::HORIZONS {
        if let Some(lower) = jauge_forecast::improvement(&scores, days) {
            println!(
                "  J-{days}: the model's WAPE is {:.1}% lower than the best baseline's",
                lower * 100.0
            );
        }
    }
}
