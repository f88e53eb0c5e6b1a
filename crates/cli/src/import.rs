//! `jauge import`: reads export files, shows what was found, and stores what could be taken.

use std::path::{Path, PathBuf};

use jauge_ingest::profile::ProfileFile;
use jauge_ingest::read::Defaults;
use jauge_ingest::supervision::{Fingerprint, closest, drift};
use jauge_ingest::{FileRead, read_file};
use jauge_model::{SourceName, VenueSetup};
use jauge_store::{SqliteStore, Store};

use crate::error::Failure;
use crate::{Cli, format};

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
    /// one: emailing-contacts, emailing-activity.
    #[arg(long)]
    profile: Option<PathBuf>,

    /// Save the profile used for the (last) file, to edit and give with --profile next time.
    #[arg(long)]
    save_profile: Option<PathBuf>,
}

/// What the files do not say, from the venue's setup: its time zone, and its hall when it has
/// only one.
pub fn defaults_for(setup: &VenueSetup) -> Defaults {
    Defaults {
        time_zone: setup.venue.time_zone,
        hall: match &setup.halls[..] {
            [only] => Some(only.name.clone()),
            _ => None,
        },
        ..Defaults::default()
    }
}

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
        Failure::user(format!("{e}; give one with --source"))
    })
}

/// Reads one file; the failure names it.
pub fn read_one(
    path: &Path,
    source: SourceName,
    defaults: Defaults,
    profile: Option<&ProfileFile>,
) -> Result<FileRead, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::user(format!("cannot read {}: {e}", path.display())))?;
    let origin = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    read_file(bytes, source, defaults, profile, origin)
        .map_err(|e| Failure::user(format!("{}: {e}", path.display())))
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
        return Err(Failure::user(format!(
            "there is no profile file {}, nor a built-in profile of that name ({})",
            path.display(),
            names.join(", ")
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::user(format!("cannot read the profile {}: {e}", path.display())))?;
    ProfileFile::from_toml(&text).map_err(|e| Failure::user(format!("{}: {e}", path.display())))
}

/// The report of a read, as lines of text.
pub fn report(path: &Path, file: &FileRead, lang: jauge_model::Lang) -> String {
    let d = &file.dialect;
    let delimiter = match d.delimiter {
        b'\t' => "tab".to_owned(),
        b => format!("'{}'", char::from(b)),
    };
    let mut out = format!(
        "{}: {}, {} lines, delimiter {delimiter}, {} columns{}\n",
        path.display(),
        d.encoding,
        d.line_ending,
        d.columns,
        if d.has_header {
            ", header row"
        } else {
            ", no header row"
        }
    );
    for m in &file.inferred.mapping.matched {
        let kind = file
            .inferred
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
    for (_, header) in &file.inferred.mapping.unmatched {
        out.push_str(&format!("  {header:<28} → (not read)\n"));
    }
    let notes = d
        .ambiguities
        .iter()
        .map(ToString::to_string)
        .chain(
            file.inferred
                .mapping
                .conflicts
                .iter()
                .map(ToString::to_string),
        )
        .chain(
            file.inferred
                .ambiguities
                .iter()
                .map(|(field, a)| format!("{field}: {a}")),
        )
        .chain(file.read.notes.iter().cloned());
    for note in notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    let r = &file.read;
    out.push_str(&format!(
        "  {} rows: {} tickets, {} orders, {} performances, {} patrons; {} quarantined\n",
        format::count(r.rows, lang),
        format::count(r.dataset.tickets.len() as u64, lang),
        format::count(r.dataset.orders.len() as u64, lang),
        format::count(r.dataset.performances.len() as u64, lang),
        format::count(r.dataset.patrons.len() as u64, lang),
        format::count(r.dataset.quarantined.len() as u64, lang),
    ));
    const SHOWN: usize = 20;
    for q in r.dataset.quarantined.iter().take(SHOWN) {
        out.push_str(&format!("  quarantined: {q}\n"));
    }
    if r.dataset.quarantined.len() > SHOWN {
        out.push_str(&format!(
            "  … and {} more quarantined rows\n",
            r.dataset.quarantined.len() - SHOWN
        ));
    }
    out
}

/// The first facts read, as a person would check them before storing.
fn preview(file: &FileRead, lang: jauge_model::Lang) -> String {
    const ROWS: usize = 3;
    let d = &file.read.dataset;
    let mut out = String::new();
    for p in d.performances.iter().take(ROWS) {
        out.push_str(&format!(
            "  preview: performance {} · show {} · {} · {} · {} seats · {}\n",
            p.id,
            p.show,
            p.hall,
            p.starts_at.format("%Y-%m-%d %H:%M UTC"),
            p.capacity.get(),
            p.status.code()
        ));
    }
    for t in d.tickets.iter().take(ROWS) {
        out.push_str(&format!(
            "  preview: ticket {} · order {} · performance {} · tariff {} · {} · {}\n",
            t.id,
            t.order,
            t.performance,
            t.tariff,
            format::money(t.amount_paid, lang),
            t.status.code()
        ));
    }
    for p in d.patrons.iter().take(ROWS) {
        let key = p.key.as_ref().map(|k| k.as_str()).unwrap_or_default();
        let email = p.email.as_ref().map(|e| e.as_str()).unwrap_or("—");
        out.push_str(&format!("  preview: patron {key} · {email}\n"));
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
        Failure::user(format!(
            "{} holds no venue yet: set up the organisation, venue and halls before importing",
            cli.db.display()
        ))
    })?;
    let profile = args.profile.as_deref().map(load_profile).transpose()?;
    for path in &args.files {
        let source = match &args.source {
            Some(name) => name
                .parse()
                .map_err(|e: jauge_model::InvalidValue| Failure::user(e.to_string()))?,
            None => source_from(path)?,
        };
        let mut file = read_one(path, source.clone(), defaults_for(&setup), profile.as_ref())?;
        if let Some(save) = &args.save_profile {
            let mut saved = profile.clone().unwrap_or_default();
            for (field, header) in ProfileFile::from_inferred(&file.inferred).columns {
                saved.columns.entry(field).or_insert(header);
            }
            std::fs::write(save, saved.to_toml())
                .map_err(|e| Failure::user(format!("cannot write {}: {e}", save.display())))?;
            println!("  profile saved in {}", save.display());
        }
        print!("{}", report(path, &file, cli.lang));
        if args.dry_run {
            print!("{}", preview(&file, cli.lang));
        }
        // A source's files are expected to keep their shape: a change stops the import.
        let known: Vec<Fingerprint> = store
            .shapes(&source)?
            .iter()
            .map(|s| Fingerprint::from_text(s))
            .collect();
        if let Some(before) = closest(&known, &file.inferred.fingerprint) {
            let changes = drift(before, &file.inferred.fingerprint);
            if !changes.is_empty() {
                let list: Vec<String> = changes.iter().map(|c| format!("  - {c}")).collect();
                if !args.accept_drift {
                    return Err(Failure::user(format!(
                        "{}: the columns differ from the earlier files of source {source}:\n{}\n\
                         Check the mapping above; import with --accept-drift if the change is \
                         expected",
                        path.display(),
                        list.join("\n")
                    )));
                }
                println!("  drift accepted:\n{}", list.join("\n"));
                file.read.dataset.drift_accepted = Some(list.join("\n"));
            }
        }
        let taken = file.read.dataset.len();
        if taken == 0 {
            return Err(Failure::user(format!(
                "{}: no row could be taken; see the quarantined rows above",
                path.display()
            )));
        }
        if args.dry_run {
            println!("  (dry run: nothing stored)");
            continue;
        }
        let written = store.write_dataset(&file.read.dataset)?;
        println!(
            "  stored in {} as batch {}",
            cli.db.display(),
            written.batch.map(|b| b.to_string()).unwrap_or_default()
        );
    }
    Ok(())
}

/// Imports files into an open store (for the demo), each with its profile if it needs one:
/// the dataset of each, stored as a batch.
pub fn import_into(
    store: &mut SqliteStore,
    setup: &VenueSetup,
    source: &str,
    paths: &[(&Path, Option<&str>)],
) -> Result<Vec<FileRead>, Failure> {
    let mut reads = Vec::new();
    for &(path, profile) in paths {
        let profile = profile
            .map(|name| load_profile(Path::new(name)))
            .transpose()?;
        let source: SourceName = source
            .parse()
            .map_err(|e: jauge_model::InvalidValue| Failure::Internal(e.into()))?;
        let file = read_one(path, source, defaults_for(setup), profile.as_ref())?;
        store.write_dataset(&file.read.dataset)?;
        reads.push(file);
    }
    Ok(reads)
}
