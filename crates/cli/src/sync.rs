//! `jauge sync`: pulls each live source's changes now (what `jauge serve` does on schedule).
//! Exit code 1 when one failed: cron can watch it.

use jauge_connect::{Retry, Scope};

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// The live source to sync (default: all).
    source: Option<String>,
    /// Fetch everything again, not only what changed since the last sync.
    #[arg(long)]
    full: bool,
}

pub fn run(cli: &Cli, args: &SyncArgs) -> Result<(), Failure> {
    let mut store = crate::summary::open_existing(&cli.db)?;
    let sources: Vec<_> = store
        .live_sources()?
        .into_iter()
        .filter(|s| args.source.as_deref().is_none_or(|n| s.name.as_str() == n))
        .collect();
    if sources.is_empty() {
        return Err(match &args.source {
            Some(name) => Failure::user(
                format!("il n'y a pas de source en direct « {name} » ; `jauge sources` les liste"),
                format!("there is no live source {name:?}; `jauge sources` lists them"),
            ),
            None => Failure::user(
                "il n'y a encore aucune source en direct : connectez-en une avec \
                 `jauge connect pretix`",
                "there is no live source yet: connect one with `jauge connect pretix`",
            ),
        });
    }
    let fr = cli.lang == jauge_model::Lang::Fr;
    let mut failed = Vec::new();
    for source in &sources {
        let started = std::time::Instant::now();
        match jauge_connect::sync(
            &mut *store,
            source,
            Scope::Changes { full: args.full },
            Retry::default(),
        ) {
            Ok(report) => {
                println!(
                    "{} : {} {}, {} {}, {} {}{} ({:.1} s)",
                    source.name,
                    report.orders,
                    if fr { "commande(s)" } else { "order(s)" },
                    report.tickets,
                    if fr { "billet(s)" } else { "ticket(s)" },
                    report.performances,
                    if fr {
                        "représentation(s)"
                    } else {
                        "performance(s)"
                    },
                    match &report.since {
                        Some(since) => format!(
                            " {} {since}",
                            if fr {
                                "modifiés depuis"
                            } else {
                                "changed since"
                            }
                        ),
                        None => String::new(),
                    },
                    started.elapsed().as_secs_f64()
                );
                let c = &report.stored.changes;
                println!(
                    "  {} {}, {} {}, {} {}",
                    c.inserted,
                    if fr {
                        "billets et commandes nouveaux"
                    } else {
                        "tickets and orders new"
                    },
                    c.updated,
                    if fr { "modifiés" } else { "updated" },
                    c.unchanged,
                    if fr { "inchangés" } else { "unchanged" },
                );
                if report.quarantined > 0 {
                    println!(
                        "  {} {}: `jauge quarantine`",
                        report.quarantined,
                        if fr {
                            "commande(s) illisible(s) en quarantaine"
                        } else {
                            "unreadable order(s) in quarantine"
                        }
                    );
                }
                if let Some(drift) = &report.drift {
                    println!(
                        "  {} {drift}",
                        if fr {
                            "la forme des données de pretix a changé :"
                        } else {
                            "pretix's payload changed shape:"
                        }
                    );
                }
            }
            Err(e) => {
                eprintln!("{} {e}", cli.lang.pick("erreur :", "error:"));
                if !e.is_user_error() {
                    return Err(Failure::Internal(anyhow::anyhow!("{e}")));
                }
                failed.push(source.name.to_string());
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        let failed = failed.join(", ");
        Err(Failure::user(
            format!("synchronisation en échec : {failed}"),
            format!("sync failed: {failed}"),
        ))
    }
}
