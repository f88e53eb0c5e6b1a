//! `jauge quarantine`: the rows imports could not take, to read or to export.

use crate::error::Failure;
use crate::{Cli, summary};

#[derive(Debug, clap::Args)]
pub struct QuarantineArgs {
    /// Only this source's rows.
    #[arg(long)]
    source: Option<String>,

    /// Print as text, or as CSV to fix in a spreadsheet.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Csv,
}

pub fn run(cli: &Cli, args: &QuarantineArgs) -> Result<(), Failure> {
    let store = summary::open_existing(&cli.db)?;
    let source = args
        .source
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(Failure::untranslated)?;
    let entries = store.quarantine(source.as_ref())?;
    match args.format {
        Format::Text => {
            if entries.is_empty() {
                println!(
                    "{}",
                    if cli.lang == jauge_model::Lang::Fr {
                        "Aucune ligne en quarantaine."
                    } else {
                        "No row in quarantine."
                    }
                );
            }
            for e in &entries {
                println!("{} {}, {}", e.source, e.origin, e.row);
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
            let io = |e: csv::Error| Failure::Internal(e.into());
            w.write_record([
                "source", "file", "batch", "line", "column", "header", "raw", "reason",
            ])
            .map_err(io)?;
            for e in &entries {
                let (column, header) = match &e.row.column {
                    Some((c, h)) => ((c + 1).to_string(), h.clone()),
                    None => (String::new(), String::new()),
                };
                w.write_record([
                    e.source.as_str(),
                    &e.origin,
                    &e.batch.0.to_string(),
                    &e.row.line.to_string(),
                    &column,
                    &header,
                    &e.row.raw,
                    &e.row.reason,
                ])
                .map_err(io)?;
            }
            w.flush().map_err(|e| Failure::Internal(e.into()))?;
        }
    }
    Ok(())
}
