//! `jauge import`: reads export files, shows what was found, and stores what could be taken.

use std::path::{Path, PathBuf};

use jauge_ingest::profile::ProfileFile;
use jauge_ingest::read::Defaults;
use jauge_ingest::read::Summary;
use jauge_ingest::{Input, Opened};
use jauge_model::{Dataset, SourceName, VenueSetup};
use jauge_store::Store;

use crate::Cli;
use crate::error::Failure;
use jauge_report::format;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The files to import: CSV in any common dialect, XLSX, XLS, ODS or JSON lines.
    #[arg(required = true)]
    files: Vec<PathBuf>,

    /// The source the files come from, such as billetterie (default: each file's name).
    #[arg(long)]
    source: Option<String>,

    /// Show what would be imported, and every problem, without storing anything.
    #[arg(long)]
    dry_run: bool,

    /// Import even when the file's columns differ from the source's earlier files.
    #[arg(long)]
    accept_drift: bool,

    /// Read the files with this profile: a TOML file (columns the headers do not name, what
    /// the files do not say — hall, capacity, time zone… — tariff categories), or a built-in
    /// one: pretix, pretix-fr (pretix's order positions export, in English or French),
    /// emailing-contacts, emailing-activity, brevo-activity (Brevo's events),
    /// mailchimp-activity, mailchimp-members, mailchimp-unsubscribed. Ticket lists with usual
    /// column names need none.
    #[arg(long)]
    profile: Option<PathBuf>,

    /// Save the profile used for the (last) file, to edit and give with --profile next time.
    #[arg(long)]
    save_profile: Option<PathBuf>,

    /// Print how long each step of storing took.
    #[arg(long)]
    timings: bool,
}

pub use jauge_connect::file::defaults_for;

/// A source name from a file name: lower case, letters and digits, other characters as '-'.
fn source_from(path: &Path) -> Result<SourceName, Failure> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("import");
    let slug: String = stem
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    slug.parse().map_err(|e: jauge_model::InvalidValue| {
        Failure::user(
            format!("{e} ; indiquez-en une avec --source"),
            format!("{e}; give one with --source"),
        )
    })
}

/// Opens one file: its dialect decided and its profile inferred; the failure names it.
pub fn open_one(
    path: &Path,
    defaults: Defaults,
    profile: Option<&ProfileFile>,
) -> Result<Opened, Failure> {
    jauge_ingest::open(Input::File(path.to_owned()), defaults, profile)
        .map_err(|e| Failure::in_file(path, e))
}

pub use jauge_connect::file::Imported;

/// Reads and stores `opened` as one batch of `source` (see `jauge_connect::file`); a failure
/// names the file.
pub fn import_parts(
    store: &mut dyn Store,
    opened: &Opened,
    (path, source): (&Path, &SourceName),
    drift_accepted: Option<String>,
    dry_run: bool,
) -> Result<Imported, Failure> {
    let origin = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    jauge_connect::file::import_parts(store, opened, (origin, source), drift_accepted, dry_run)
        .map_err(|e| match e {
            jauge_connect::file::ImportError::Store(e) => Failure::from(e),
            e => Failure::in_file(path, e),
        })
}

/// A profile from a TOML file, or one Jauge ships, by name.
fn load_profile(path: &Path) -> Result<ProfileFile, Failure> {
    if !path.exists() {
        if let Some(profile) = path.to_str().and_then(jauge_ingest::profile::builtin) {
            return Ok(profile);
        }
        let names: Vec<&str> = jauge_ingest::profile::BUILTIN
            .iter()
            .map(|(n, _)| *n)
            .collect();
        let (path, names) = (path.display(), names.join(", "));
        return Err(Failure::user(
            format!(
                "il n'y a ni fichier de profil {path}, ni profil de ce nom fourni avec Jauge \
                 ({names})"
            ),
            format!(
                "there is no profile file {path}, nor a built-in profile of that name ({names})"
            ),
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        let path = path.display();
        Failure::user(
            format!("impossible de lire le profil {path} : {e}"),
            format!("cannot read the profile {path}: {e}"),
        )
    })?;
    ProfileFile::from_toml(&text).map_err(|e| Failure::in_file(path, e))
}

/// What was decided about a file before its rows are read: dialect, mapping, notes.
pub fn opened_report(path: &Path, opened: &Opened, lang: jauge_model::Lang) -> String {
    let d = opened.dialect();
    let delimiter = match d.delimiter {
        b'\t' => lang.pick("tabulation", "tab").to_owned(),
        b => format!("'{}'", char::from(b)),
    };
    let header = match (d.has_header, lang) {
        (true, jauge_model::Lang::Fr) => ", ligne d'en-tête",
        (false, jauge_model::Lang::Fr) => ", sans ligne d'en-tête",
        (true, _) => ", header row",
        (false, _) => ", no header row",
    };
    let mut out = match lang {
        jauge_model::Lang::Fr => format!(
            "{} : {}, fins de ligne {}, séparateur {delimiter}, {} colonnes{header}\n",
            path.display(),
            d.encoding,
            d.line_ending,
            d.columns,
        ),
        _ => format!(
            "{}: {}, {} lines, delimiter {delimiter}, {} columns{header}\n",
            path.display(),
            d.encoding,
            d.line_ending,
            d.columns,
        ),
    };
    let inferred = &opened.inferred;
    for m in &inferred.mapping.matched {
        let kind = inferred
            .profile
            .kinds
            .get(&m.field)
            .map(|k| k.to_string())
            .unwrap_or_default();
        out.push_str(&format!(
            "  {:<28} → {} ({:?}; {kind})\n",
            m.header, m.field, m.confidence
        ));
    }
    for (_, header) in &inferred.mapping.unmatched {
        out.push_str(&format!(
            "  {header:<28} → {}\n",
            lang.pick("(non lue)", "(not read)")
        ));
    }
    let notes = d
        .ambiguities
        .iter()
        .map(ToString::to_string)
        .chain(inferred.mapping.conflicts.iter().map(ToString::to_string))
        .chain(
            inferred
                .ambiguities
                .iter()
                .map(|(field, a)| format!("{field}: {a}")),
        );
    for note in notes {
        out.push_str(&format!("  {} {note}\n", lang.pick("remarque :", "note:")));
    }
    out
}

/// What the rows gave: counts, remarks and the first quarantined rows.
pub fn rows_report(summary: &Summary, lang: jauge_model::Lang) -> String {
    let mut out = String::new();
    for note in &summary.notes {
        out.push_str(&format!("  {} {note}\n", lang.pick("remarque :", "note:")));
    }
    let t = &summary.tally;
    let n = |count: usize| format::count(count as u64, lang);
    out.push_str(&match lang {
        jauge_model::Lang::Fr => format!(
            "  {} lignes : {} billets, {} commandes, {} représentations, {} spectateurs ; {} en \
             quarantaine\n",
            format::count(summary.rows, lang),
            n(t.tickets),
            n(t.orders),
            n(t.performances),
            n(t.patrons),
            n(t.quarantined),
        ),
        _ => format!(
            "  {} rows: {} tickets, {} orders, {} performances, {} patrons; {} quarantined\n",
            format::count(summary.rows, lang),
            n(t.tickets),
            n(t.orders),
            n(t.performances),
            n(t.patrons),
            n(t.quarantined),
        ),
    });
    for q in &summary.preview.quarantined {
        out.push_str(&format!(
            "  {} {q}\n",
            lang.pick("en quarantaine :", "quarantined:")
        ));
    }
    if t.quarantined > summary.preview.quarantined.len() {
        let more = n(t.quarantined - summary.preview.quarantined.len());
        out.push_str(&match lang {
            jauge_model::Lang::Fr => format!(
                "  … et {more} autres lignes en quarantaine (jauge quarantine les liste toutes)\n"
            ),
            _ => {
                format!("  … and {more} more quarantined rows (jauge quarantine lists them all)\n")
            }
        });
    }
    out
}

/// The first facts read, as a person would check them before storing.
fn preview(d: &Dataset, lang: jauge_model::Lang) -> String {
    const ROWS: usize = 3;
    let mut out = String::new();
    for p in d.performances.iter().take(ROWS) {
        out.push_str(&format!(
            "  {} {} · {} {} · {} · {} · {} {} · {}\n",
            lang.pick("aperçu : représentation", "preview: performance"),
            p.id,
            lang.pick("spectacle", "show"),
            p.show,
            p.hall,
            p.starts_at.format("%Y-%m-%d %H:%M UTC"),
            p.capacity.get(),
            lang.pick("places", "seats"),
            p.status.code()
        ));
    }
    for t in d.tickets.iter().take(ROWS) {
        out.push_str(&format!(
            "  {} {} · {} {} · {} {} · {} {} · {} · {}\n",
            lang.pick("aperçu : billet", "preview: ticket"),
            t.id,
            lang.pick("commande", "order"),
            t.order,
            lang.pick("représentation", "performance"),
            t.performance,
            lang.pick("tarif", "tariff"),
            t.tariff,
            format::money(t.amount_paid, lang),
            t.status.code()
        ));
    }
    for p in d.patrons.iter().take(ROWS) {
        let key = p.key.as_ref().map(|k| k.as_str()).unwrap_or_default();
        let email = p.email.as_ref().map(|e| e.as_str()).unwrap_or("—");
        out.push_str(&format!(
            "  {} {key} · {email}\n",
            lang.pick("aperçu : spectateur", "preview: patron")
        ));
    }
    for c in d.campaigns.iter().take(ROWS) {
        out.push_str(&format!(
            "  preview: campaign {} · {} · {} events\n",
            c.id,
            c.name,
            c.events.len()
        ));
    }
    out
}

pub fn run(cli: &Cli, args: &ImportArgs) -> Result<(), Failure> {
    let mut store = crate::summary::open_existing(&cli.db)?;
    let setup = store.setup()?.ok_or_else(|| {
        let db = cli.db.display();
        Failure::user(
            format!(
                "{db} ne contient encore aucun lieu : configurez l'organisation, le lieu et ses \
                 salles avant d'importer"
            ),
            format!(
                "{db} holds no venue yet: set up the organisation, venue and halls before importing"
            ),
        )
    })?;
    let profile = args.profile.as_deref().map(load_profile).transpose()?;
    for path in &args.files {
        let source = match &args.source {
            Some(name) => name.parse().map_err(Failure::untranslated)?,
            None => source_from(path)?,
        };
        let opened = open_one(path, defaults_for(&setup), profile.as_ref())?;
        if let Some(save) = &args.save_profile {
            let mut saved = profile.clone().unwrap_or_default();
            for (field, header) in ProfileFile::from_inferred(&opened.inferred).columns {
                saved.columns.entry(field).or_insert(header);
            }
            std::fs::write(save, saved.to_toml()).map_err(|e| Failure::cannot_write(save, e))?;
            println!(
                "  {} {}",
                cli.lang.pick("profil enregistré dans", "profile saved in"),
                save.display()
            );
        }
        print!("{}", opened_report(path, &opened, cli.lang));
        // A source's files are expected to keep their shape: a change stops the import before
        // any row is read.
        let changes = jauge_connect::file::drift_from_earlier(&*store, &source, &opened)?;
        let mut drift_accepted = None;
        if !changes.is_empty() {
            let list = changes.join("\n");
            if !args.accept_drift {
                let path = path.display();
                return Err(Failure::user(
                    format!(
                        "{path} : les colonnes diffèrent de celles des fichiers précédents de la \
                         source {source} :\n{list}\nVérifiez la correspondance ci-dessus ; \
                         importez avec --accept-drift si le changement est attendu"
                    ),
                    format!(
                        "{path}: the columns differ from the earlier files of source {source}:\n\
                         {list}\nCheck the mapping above; import with --accept-drift if the \
                         change is expected"
                    ),
                ));
            }
            println!(
                "  {}\n{list}",
                cli.lang
                    .pick("changement de colonnes accepté :", "drift accepted:")
            );
            drift_accepted = Some(list);
        }
        let imported = import_parts(
            &mut *store,
            &opened,
            (path, &source),
            drift_accepted,
            args.dry_run,
        )?;
        print!("{}", rows_report(&imported.summary, cli.lang));
        if imported.summary.tally.facts() == 0 {
            let path = path.display();
            return Err(Failure::user(
                format!(
                    "{path} : aucune ligne n'a pu être retenue ; voyez les lignes mises en \
                     quarantaine ci-dessus"
                ),
                format!("{path}: no row could be taken; see the quarantined rows above"),
            ));
        }
        match imported.written {
            None => {
                print!("{}", preview(&imported.summary.preview, cli.lang));
                println!(
                    "  {}",
                    cli.lang.pick(
                        "(essai : rien n'a été enregistré)",
                        "(dry run: nothing stored)"
                    )
                );
            }
            Some(written) => {
                let c = written.changes;
                let batch = written.batch.map(|b| b.to_string()).unwrap_or_default();
                let n = |count: usize| format::count(count as u64, cli.lang);
                let (new, updated, unchanged) = (n(c.inserted), n(c.updated), n(c.unchanged));
                let db = cli.db.display();
                match cli.lang {
                    jauge_model::Lang::Fr => println!(
                        "  enregistré dans {db} (lot {batch}) : billets et commandes {new} \
                         nouveaux, {updated} modifiés, {unchanged} inchangés"
                    ),
                    _ => println!(
                        "  stored in {db} as batch {batch}: tickets and orders {new} new, \
                         {updated} updated, {unchanged} unchanged"
                    ),
                }
                if args.timings {
                    for (step, took) in &written.phases {
                        println!("    {step:<40} {:>8.3} s", took.as_secs_f64());
                    }
                }
            }
        }
    }
    // Today's sales kept as they stand, for views "as of a day" that later imports cannot
    // rewrite.
    if !args.dry_run {
        let today = chrono::Utc::now()
            .with_timezone(&setup.venue.time_zone)
            .date_naive();
        store.snapshot_sales(today)?;
    }
    // The patrons the files brought, linked against those linked before.
    if !args.dry_run && crate::patrons::links_after_import(&*store)? {
        crate::patrons::print_linked(&crate::patrons::link_since(&mut *store)?, cli.lang);
    }
    Ok(())
}

/// Imports files into an open store (for the demo), each with its profile if it needs one,
/// each as a batch; returns what each gave.
pub fn import_into(
    store: &mut dyn Store,
    setup: &VenueSetup,
    source: &str,
    paths: &[(&Path, Option<&str>)],
) -> Result<Vec<Summary>, Failure> {
    let source: SourceName = source
        .parse()
        .map_err(|e: jauge_model::InvalidValue| Failure::Internal(e.into()))?;
    let mut summaries = Vec::new();
    for &(path, profile) in paths {
        let profile = profile
            .map(|name| load_profile(Path::new(name)))
            .transpose()?;
        let opened = open_one(path, defaults_for(setup), profile.as_ref())?;
        let imported = import_parts(store, &opened, (path, &source), None, false)?;
        if imported.written.is_none() {
            let path = path.display();
            return Err(Failure::internal(
                format!("{path} : aucune ligne n'a pu être retenue"),
                format!("{path}: no row could be taken"),
            ));
        }
        summaries.push(imported.summary);
    }
    Ok(summaries)
}
