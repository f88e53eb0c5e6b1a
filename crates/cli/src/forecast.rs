//! `jauge forecast`: each upcoming performance's final tickets and revenue with an 80%
//! interval, the ones at risk first; `jauge forecast backtest`: how every method did over past
//! seasons.

use std::path::PathBuf;

use chrono::Utc;
use jauge_forecast::{backtest, from_store, upcoming};
use jauge_model::Lang;
use jauge_report::format;

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct ForecastArgs {
    #[command(subcommand)]
    command: Option<ForecastCommand>,
    /// A forecast fill below this share flags the performance as at risk.
    #[arg(long, default_value_t = 0.6, global = true)]
    at_risk: f64,
    /// The day to forecast from, YYYY-MM-DD (default: today in the venue's time zone): the
    /// performances before it took place, the others are to come.
    #[arg(long, global = true, value_parser = parse_day)]
    today: Option<chrono::NaiveDate>,
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a day written YYYY-MM-DD"))
}

#[derive(Debug, clap::Subcommand)]
enum ForecastCommand {
    /// Rolling-origin evaluation over past seasons at J-60, J-30, J-14, J-7 and J-1: WAPE and
    /// MAE per horizon for every method, and the model's interval coverage.
    Backtest {
        /// Also write the table as CSV here.
        #[arg(long)]
        csv: Option<PathBuf>,
    },
}

pub fn run(cli: &Cli, args: &ForecastArgs) -> Result<(), Failure> {
    let lang = cli.lang;
    let fr = lang == Lang::Fr;
    let store = crate::summary::open_existing(&cli.db)?;
    let setup = store.setup()?.ok_or_else(Failure::no_venue)?;
    let today = args.today.unwrap_or_else(|| {
        Utc::now()
            .with_timezone(&setup.venue.time_zone)
            .date_naive()
    });
    let observed = from_store::observed(&*store, &setup)?;
    let performances: Vec<jauge_forecast::Observed> =
        observed.iter().map(|(o, _)| o.clone()).collect();
    match &args.command {
        None => {
            // Each performance and its revenue so far, by id.
            let by_id: std::collections::HashMap<i64, &(jauge_forecast::Observed, f64)> =
                observed.iter().map(|entry| (entry.0.id, entry)).collect();
            let rows = upcoming(&performances, today, args.at_risk);
            if rows.is_empty() {
                println!(
                    "{}",
                    if fr {
                        "Aucune représentation à venir."
                    } else {
                        "No upcoming performance."
                    }
                );
                return Ok(());
            }
            println!(
                "{:<14} {:<32} {:>6} {:>16} {:>12} {:>36}",
                "Date",
                if fr { "Spectacle" } else { "Show" },
                if fr { "Vendus" } else { "Sold" },
                if fr {
                    "Prévision (80 %)"
                } else {
                    "Forecast (80%)"
                },
                if fr { "Remplissage" } else { "Fill" },
                if fr {
                    "Recette prévue (80 %)"
                } else {
                    "Revenue (80%)"
                },
            );
            for u in rows {
                let (o, cents) = by_id[&u.id];
                let capacity = f64::from(o.capacity);
                let (forecast, fill, money) = match u.forecast {
                    Some(f) => {
                        // Revenue at the average price sold so far.
                        let sold = o.total();
                        (
                            format!("{:.0} [{:.0}–{:.0}]", f.tickets, f.low, f.high),
                            format::percent(f.tickets / capacity, lang),
                            if sold > 0.0 {
                                let price = cents / sold;
                                format!(
                                    "{} [{}–{}]",
                                    format::money_f64(f.tickets * price, lang),
                                    format::money_f64(f.low * price, lang),
                                    format::money_f64(f.high * price, lang)
                                )
                            } else {
                                "—".to_owned()
                            },
                        )
                    }
                    None => ("—".to_owned(), "—".to_owned(), "—".to_owned()),
                };
                let show: String = o.show.chars().take(30).collect();
                println!(
                    "{:<14} {:<32} {:>6.0} {:>16} {:>12} {:>36}{}",
                    format::date(o.day, lang),
                    show,
                    u.sold,
                    forecast,
                    fill,
                    money,
                    if u.at_risk {
                        if fr { "  À RISQUE" } else { "  AT RISK" }
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        Some(ForecastCommand::Backtest { csv }) => {
            let scores = backtest(&performances, today);
            if scores.is_empty() {
                return Err(Failure::user(
                    "un backtest demande au moins deux saisons de représentations déjà jouées",
                    "a backtest needs at least two seasons of performances that took place",
                ));
            }
            print!("{}", jauge_forecast::table(&scores));
            let mut table = String::from("method,days,forecasts,wape,mae,coverage\n");
            for s in &scores {
                table.push_str(&format!(
                    "{},{},{},{:.4},{:.2},{}\n",
                    s.method.name(),
                    s.days,
                    s.forecasts,
                    s.wape,
                    s.mae,
                    s.coverage.map_or(String::new(), |c| format!("{c:.4}"))
                ));
            }
            for days in jauge_forecast::HORIZONS {
                if let Some(lower) = jauge_forecast::improvement(&scores, days) {
                    println!(
                        "J-{days}: {} {:.1} %",
                        if fr {
                            "le modèle fait mieux que la meilleure référence de"
                        } else {
                            "the model beats the best baseline by"
                        },
                        lower * 100.0
                    );
                }
            }
            if let Some(path) = csv {
                std::fs::write(path, table).map_err(|e| Failure::cannot_write(path, e))?;
            }
            Ok(())
        }
    }
}
