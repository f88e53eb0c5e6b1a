//! `jauge demo`: builds the demo venue, writes the files its tools would export, loads them and
//! shows the current season's summary.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;
use jauge_analytics::season_summary;
use jauge_demo::{DemoOptions, generate, write_files};
use jauge_store::{SqliteStore, Store};

use crate::error::Failure;
use crate::{Cli, import, summary};
use jauge_report::format;

/// The setting that marks a database as the demo's, so `jauge demo` may replace it.
const DEMO_MARK: &str = "demo";

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The random seed: the same seed, scale and day give byte-identical files.
    #[arg(long, default_value_t = 7)]
    seed: u64,

    /// The venue's size: 1.0 is about 60,000 tickets over four seasons.
    #[arg(long, default_value_t = 1.0, value_parser = parse_scale)]
    scale: f64,

    /// The day the data stops, as YYYY-MM-DD (default: today in Paris). Seasons are placed
    /// around it: three past ones and the current one.
    #[arg(long, value_parser = parse_day)]
    today: Option<NaiveDate>,

    /// Where to write the exported files.
    #[arg(long, default_value = "jauge-demo")]
    out: PathBuf,

    /// Then serve the venue's pages in the browser, on this address (as `jauge serve`).
    #[arg(long, num_args = 0..=1, default_missing_value = "127.0.0.1:8080")]
    serve: Option<String>,
}

fn parse_scale(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.05..=200.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "{s:?} is not a scale between 0.05 and 200 (1.0 is about 60,000 tickets)"
        )),
    }
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a day written YYYY-MM-DD"))
}

/// Removes the database at `db` if it is an earlier demo, refuses if it holds anything else. A
/// PostgreSQL database is never removed: the demo goes into an empty schema only.
fn clear_previous_demo(db: &Path) -> Result<(), Failure> {
    let location = db.to_string_lossy();
    if jauge_store::is_postgres(&location) {
        let store = jauge_store::open(&location)?;
        if store.setup()?.is_some() || !store.seasons()?.is_empty() {
            let database = jauge_store::postgres::redacted(&location);
            return Err(Failure::user(
                format!(
                    "{database} contient déjà un lieu : la démo s'installe dans un schéma \
                     PostgreSQL vide. Nommez-en un autre dans l'adresse \
                     (options=-csearch_path%3Ddemo), ou supprimez celui-ci"
                ),
                format!(
                    "{database} already holds a venue: the demo goes into an empty PostgreSQL \
                     schema. Name another one in the address (options=-csearch_path%3Ddemo), or \
                     drop this one"
                ),
            ));
        }
        return Ok(());
    }
    if !db.exists() {
        return Ok(());
    }
    let store = SqliteStore::open(db)?;
    let is_demo = store.setting(DEMO_MARK)?.is_some();
    let is_empty = store.setup()?.is_none() && store.seasons()?.is_empty();
    drop(store);
    if !is_demo && !is_empty {
        let db = db.display();
        return Err(Failure::user(
            format!(
                "{db} contient les données d'un lieu, pas une démo ; `jauge demo` ne remplace que \
                 sa propre base. Indiquez un autre fichier avec --db (par exemple --db demo.db)"
            ),
            format!(
                "{db} holds a venue's data, not a demo; `jauge demo` only replaces its own \
                 database. Give another file with --db (for example --db demo.db)"
            ),
        ));
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut path = db.as_os_str().to_owned();
        path.push(suffix);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

pub fn run(cli: &Cli, args: &DemoArgs) -> Result<(), Failure> {
    let lang = cli.lang;
    let fr = lang == jauge_model::Lang::Fr;
    let today = args.today.unwrap_or_else(|| {
        chrono::Utc::now()
            .with_timezone(&jauge_model::DEFAULT_TIME_ZONE)
            .date_naive()
    });
    clear_previous_demo(&cli.db)?;

    let started = Instant::now();
    let venue = generate(DemoOptions {
        seed: args.seed,
        scale: args.scale,
        today,
    });
    let files = write_files(&venue, &args.out).map_err(|e| {
        let out = args.out.display();
        Failure::user(
            format!("impossible d'écrire les fichiers de la démo dans {out} : {e}"),
            format!("cannot write the demo's files into {out}: {e}"),
        )
    })?;
    let generated = started.elapsed();

    let loading = Instant::now();
    let mut store = jauge_store::open(&cli.db.to_string_lossy())?;
    store.save_setup(&venue.setup)?;
    // The files go through the importer, as a venue's would: the ticketing system's two, then
    // the emailing tool's two with the built-in profiles of such exports.
    let mut reads = import::import_into(
        &mut *store,
        &venue.setup,
        "billetterie",
        &[(&files.performances, None), (&files.ticketing, None)],
    )?;
    reads.extend(import::import_into(
        &mut *store,
        &venue.setup,
        "emailing",
        &[
            (&files.contacts, Some("emailing-contacts")),
            (&files.activity, Some("emailing-activity")),
        ],
    )?);
    let quarantined: usize = reads.iter().map(|r| r.tally.quarantined).sum();
    if quarantined > 0 {
        return Err(Failure::internal(
            format!(
                "l'import a mis en quarantaine {quarantined} lignes des fichiers de la démo \
                 elle-même"
            ),
            format!("the importer quarantined {quarantined} rows of the demo's own files"),
        ));
    }
    let programme = &reads[0].tally;
    let tickets = &reads[1].tally;
    let contacts = &reads[2].tally;
    let activity = &reads[3].tally;
    // One patron across the two tools; the sales as they stand on the demo's day.
    let linked = crate::patrons::link_all(&mut *store)?;
    store.snapshot_sales(today)?;
    jauge_server::warm(&*store)?;
    store.set_setting(
        DEMO_MARK,
        &format!("seed={} scale={} today={today}", args.seed, args.scale),
    )?;
    store.checkpoint()?;
    let loaded = loading.elapsed();

    if fr {
        println!("Lieu de démonstration : {}", venue.setup.venue.name);
        println!("Fichiers exportés dans {} :", args.out.display());
    } else {
        println!("Demo venue: {}", venue.setup.venue.name);
        println!("Exported files in {}:", args.out.display());
    }
    for path in files.all() {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!(
            "  {}  ({} kB)",
            path.display(),
            format::count(size / 1024, lang)
        );
    }
    println!(
        "{} {} : {} {}, {} {}, {} {}, {} {} ; {} {}, {} {}.",
        if fr { "Chargé dans" } else { "Loaded into" },
        cli.db.display(),
        format::count(programme.performances as u64, lang),
        if fr {
            "représentations"
        } else {
            "performances"
        },
        format::count(tickets.tickets as u64, lang),
        if fr { "billets" } else { "tickets" },
        format::count(tickets.orders as u64, lang),
        if fr { "commandes" } else { "orders" },
        format::count(tickets.patrons as u64, lang),
        if fr {
            "comptes clients"
        } else {
            "customer accounts"
        },
        format::count(contacts.patrons as u64, lang),
        if fr {
            "contacts emailing"
        } else {
            "emailing contacts"
        },
        format::count(activity.campaigns as u64, lang),
        if fr { "campagnes" } else { "campaigns" },
    );
    println!(
        "{} {} {} {} {}.",
        if fr {
            "Rapprochement :"
        } else {
            "Record linkage:"
        },
        format::count(linked.records as u64, lang),
        if fr {
            "fiches, soit"
        } else {
            "records, that is"
        },
        format::count(linked.persons as u64, lang),
        if fr { "personnes" } else { "people" },
    );
    println!(
        "{} {:.1} s, {} {:.1} s.\n",
        if fr { "Génération" } else { "Generated in" },
        generated.as_secs_f64(),
        if fr { "chargement" } else { "loaded in" },
        loaded.as_secs_f64()
    );

    let current = *venue.seasons.last().expect("the demo has seasons");
    let facts = store.season_facts(current)?;
    print!(
        "{}",
        summary::render(
            &season_summary(&facts),
            venue.setup.venue.name.as_str(),
            lang,
            true
        )
    );
    let seasons: Vec<String> = venue.seasons.iter().map(|s| s.label()).collect();
    let example = seasons.first().cloned().unwrap_or_default();
    if fr {
        println!(
            "\nSaisons : {}. Pour une autre : jauge summary --season {example}",
            seasons.join(", ")
        );
    } else {
        println!(
            "\nSeasons: {}. For another one: jauge summary --season {example}",
            seasons.join(", ")
        );
    }
    match &args.serve {
        Some(bind) => {
            drop(store);
            crate::serve::serve(&cli.db, bind)
        }
        None => Ok(()),
    }
}
