//! `jauge summary`: a season's headline figures in the terminal.

use std::path::Path;

use jauge_analytics::{SeasonSummary, definitions, season_summary};
use jauge_model::{Lang, Season};
use jauge_store::Store;

use crate::Cli;
use crate::error::Failure;
use jauge_report::format;

#[derive(Debug, clap::Args)]
pub struct SummaryArgs {
    /// The season, such as 2025-2026 (default: the current season, in the venue's time zone).
    #[arg(long)]
    season: Option<String>,

    /// Print as text for people or JSON for programs.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

/// Opens a database that must already exist: an SQLite file, or a PostgreSQL database
/// (`postgres://…`), whose schema is made if missing.
pub fn open_existing(db: &Path) -> Result<Box<dyn Store + Send>, Failure> {
    let location = db.to_string_lossy();
    if !jauge_store::is_postgres(&location) && !db.exists() {
        let db = db.display();
        return Err(Failure::user(
            format!(
                "il n'y a pas de base de données à {db} : lancez `jauge demo` pour construire le \
                 lieu de démonstration, ou indiquez la base avec --db ou JAUGE_DB"
            ),
            format!(
                "there is no database at {db}: run `jauge demo` to build the demo venue, or give \
                 the database with --db or JAUGE_DB"
            ),
        ));
    }
    Ok(jauge_store::open(&location)?)
}

/// The venue a database holds, or a failure that says how to get one.
pub fn venue_setup(store: &dyn Store, db: &Path) -> Result<jauge_model::VenueSetup, Failure> {
    store.setup()?.ok_or_else(|| {
        let db = db.display();
        Failure::user(
            format!(
                "{db} ne contient encore aucun lieu : lancez `jauge demo`, ou configurez le lieu \
                 avant d'importer"
            ),
            format!(
                "{db} holds no venue yet: run `jauge demo`, or set up the venue before importing"
            ),
        )
    })
}

/// The failure of asking for a season without performances: which seasons have some.
pub fn no_such_season(store: &dyn Store, season: Season, db: &Path) -> Result<Failure, Failure> {
    let known: Vec<String> = store.seasons()?.iter().map(|s| s.label()).collect();
    let (db, known) = (db.display(), known.join(", "));
    let (fr, en) = if known.is_empty() {
        ("aucune", "none")
    } else {
        (known.as_str(), known.as_str())
    };
    Ok(Failure::user(
        format!(
            "aucune représentation en saison {season} dans {db} ; saisons avec des \
             représentations : {fr}. Choisissez-en une avec --season"
        ),
        format!(
            "no performance in season {season} in {db}; seasons with performances: {en}. Choose \
             one with --season"
        ),
    ))
}

pub fn run(cli: &Cli, args: &SummaryArgs) -> Result<(), Failure> {
    let store = open_existing(&cli.db)?;
    let setup = crate::summary::venue_setup(&*store, &cli.db)?;
    let start = setup.venue.season_start;
    let today = chrono::Utc::now()
        .with_timezone(&setup.venue.time_zone)
        .date_naive();
    let season = match &args.season {
        Some(label) => Season::parse(label, start).map_err(Failure::untranslated)?,
        None => Season::containing(today, start),
    };
    let facts = store.season_facts(season)?;
    if facts.performances.is_empty() {
        return Err(no_such_season(&*store, season, &cli.db)?);
    }
    let summary = season_summary(&facts);
    match args.format {
        OutputFormat::Json => {
            let json =
                serde_json::to_string_pretty(&summary).map_err(|e| Failure::Internal(e.into()))?;
            println!("{json}");
        }
        OutputFormat::Text => {
            print!(
                "{}",
                render(
                    &summary,
                    setup.venue.name.as_str(),
                    cli.lang,
                    season.contains(today)
                )
            )
        }
    }
    Ok(())
}

/// The summary as aligned lines of text.
pub fn render(s: &SeasonSummary, venue: &str, lang: Lang, current: bool) -> String {
    let fr = lang == Lang::Fr;
    let mut out = format!(
        "{} {} — {venue}\n",
        if fr { "Saison" } else { "Season" },
        s.season
    );
    if current {
        out.push_str(if fr {
            "(saison en cours : les représentations à venir comptent les billets déjà vendus)\n"
        } else {
            "(current season: upcoming performances count the tickets sold so far)\n"
        });
    }
    let performances = match (s.cancelled_performances, fr) {
        (0, _) => format::count(s.performances, lang),
        (1, true) => format!("{} (+1 annulée)", format::count(s.performances, lang)),
        (n, true) => format!("{} (+{n} annulées)", format::count(s.performances, lang)),
        (1, false) => format!("{} (+1 cancelled)", format::count(s.performances, lang)),
        (n, false) => format!("{} (+{n} cancelled)", format::count(s.performances, lang)),
    };
    let rows: Vec<(&str, String)> = vec![
        (
            if fr {
                "Représentations"
            } else {
                "Performances"
            },
            performances,
        ),
        (
            if fr {
                "Jauge mise en vente"
            } else {
                "Capacity on sale"
            },
            format::count(s.capacity, lang),
        ),
        (
            definitions::TICKETS.name(lang),
            format::count(s.tickets, lang),
        ),
        (
            definitions::REVENUE.name(lang),
            format::money(s.revenue, lang),
        ),
        (
            definitions::FILL_RATE.name(lang),
            format::optional(s.fill_rate, lang, format::percent),
        ),
        (
            definitions::PAID_FILL_RATE.name(lang),
            format::optional(s.paid_fill_rate, lang, format::percent),
        ),
        (
            definitions::AVERAGE_PRICE.name(lang),
            format::optional(s.average_price, lang, format::money_f64),
        ),
        (
            definitions::FREE_TICKET_SHARE.name(lang),
            format::optional(s.free_ticket_share, lang, format::percent),
        ),
        (
            definitions::SUBSCRIPTION_SHARE.name(lang),
            format::optional(s.subscription_share, lang, format::percent),
        ),
        (
            definitions::FIRST_TIMER_SHARE.name(lang),
            format!(
                "{} ({} / {})",
                format::optional(s.first_timer_share, lang, format::percent),
                format::count(s.first_timers, lang),
                format::count(s.patrons, lang)
            ),
        ),
        (
            definitions::RETENTION.name(lang),
            format!(
                "{} ({} / {})",
                format::optional(s.retention, lang, format::percent),
                format::count(s.returning, lang),
                format::count(s.previous_season_patrons, lang)
            ),
        ),
    ];
    let width = rows
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    for (label, value) in rows {
        let pad = width - label.chars().count();
        out.push_str(&format!("  {label}{}  {value}\n", " ".repeat(pad)));
    }
    out
}
