//! `jauge report`: the season report for a board or a funder, as one self-contained HTML file
//! or an A4 PDF (with the `pdf` feature, on by default), or its figures as JSON.

use std::path::PathBuf;
use std::time::Instant;

use jauge_model::{Lang, Season};
use jauge_report::{format, html, season};

use crate::Cli;
use crate::error::Failure;
use crate::summary::open_existing;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The season, such as 2025-2026 (default: the current season, in the venue's time zone).
    #[arg(long)]
    season: Option<String>,

    /// html (one self-contained file), pdf (A4), or json (every figure the report shows, with
    /// what it measures). Default: from the extension of --out, else html.
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,

    /// Where to write the report (default: bilan-SEASON.html, or .pdf, .json, in the current
    /// directory).
    #[arg(long)]
    out: Option<PathBuf>,

    /// The day the report is made on, YYYY-MM-DD (default: today, in the venue's time zone): a
    /// season under way is compared with the previous one a year before that day.
    #[arg(long)]
    today: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    Html,
    Pdf,
    Json,
}

impl ReportFormat {
    fn extension(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Pdf => "pdf",
            ReportFormat::Json => "json",
        }
    }
}

pub fn run(cli: &Cli, args: &ReportArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let lang = cli.lang;
    let store = open_existing(&cli.db)?;
    let setup = crate::summary::venue_setup(&*store, &cli.db)?;
    let today = args.today.unwrap_or_else(|| {
        chrono::Utc::now()
            .with_timezone(&setup.venue.time_zone)
            .date_naive()
    });
    let season = match &args.season {
        Some(label) => Season::parse(label, setup.venue.season_start).map_err(|e| {
            Failure::user(
                format!("--season « {label} » : {e}"),
                format!("--season {label:?}: {e}"),
            )
        })?,
        None => Season::containing(today, setup.venue.season_start),
    };
    if !store.seasons()?.contains(&season) {
        return Err(crate::summary::no_such_season(&*store, season, &cli.db)?);
    }
    let from_extension = args.out.as_ref().and_then(|p| p.extension()).and_then(|e| {
        match e.to_str()?.to_ascii_lowercase().as_str() {
            "pdf" => Some(ReportFormat::Pdf),
            "json" => Some(ReportFormat::Json),
            "html" | "htm" => Some(ReportFormat::Html),
            _ => None,
        }
    });
    let output = args.format.or(from_extension).unwrap_or(ReportFormat::Html);
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "{}-{}.{}",
            lang.pick("bilan", "season-report"),
            season.label(),
            output.extension()
        ))
    });
    let figures =
        jauge_server::report::season_figures(&*store, season, today, lang)?.ok_or_else(|| {
            Failure::user(
                "la base ne contient encore aucun lieu : lancez `jauge demo`",
                "the database holds no venue yet: run `jauge demo`",
            )
        })?;
    let read = started.elapsed();
    let document = season::compose(&figures, lang);
    let (bytes, pages) = match output {
        ReportFormat::Html => (html::render(&document).into_bytes(), None),
        ReportFormat::Json => {
            let json = serde_json::to_vec_pretty(&document.figures())
                .map_err(|e| Failure::Internal(e.into()))?;
            (json, None)
        }
        ReportFormat::Pdf => pdf(&document)?,
    };
    write_whole(&out, &bytes)?;
    let seconds = |d: std::time::Duration| format::decimal(d.as_secs_f64(), lang);
    let pages = pages.map_or(String::new(), |n| match lang {
        Lang::Fr => format!(", {n} pages"),
        Lang::En => format!(", {n} pages"),
    });
    eprintln!(
        "{} {}{pages} ({} s, {} s {})",
        lang.pick("Rapport écrit :", "Report written:"),
        out.display(),
        seconds(started.elapsed()),
        seconds(read),
        lang.pick("pour lire les chiffres", "reading the figures"),
    );
    Ok(())
}

#[cfg(feature = "pdf")]
fn pdf(document: &jauge_report::document::Document) -> Result<(Vec<u8>, Option<usize>), Failure> {
    let pdf = jauge_report::pdf::render(document).map_err(|e| Failure::Internal(e.into()))?;
    for warning in &pdf.warnings {
        eprintln!("warning: the PDF's layout: {warning}");
    }
    Ok((pdf.bytes, Some(pdf.pages)))
}

#[cfg(not(feature = "pdf"))]
fn pdf(_: &jauge_report::document::Document) -> Result<(Vec<u8>, Option<usize>), Failure> {
    Err(Failure::user(
        "ce jauge a été compilé sans les bilans en PDF : compilez-le avec `--features pdf` \
         (activé par défaut), ou demandez --format html",
        "this jauge was built without PDF reports: build it with `--features pdf` (on by \
         default), or ask for --format html",
    ))
}

/// Writes a file whole or not at all: to a temporary file beside it, renamed over it.
fn write_whole(path: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).map_err(|e| cannot_write(&partial, e))?;
    std::fs::rename(&partial, path).map_err(|e| cannot_write(path, e))?;
    Ok(())
}

fn cannot_write(path: &std::path::Path, e: std::io::Error) -> Failure {
    let path = path.display();
    Failure::user(
        format!(
            "impossible d'écrire le bilan dans {path} : {e}. Choisissez un autre endroit avec --out"
        ),
        format!("cannot write the report to {path}: {e}. Choose another place with --out"),
    )
}
