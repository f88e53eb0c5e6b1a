//! `jauge sources`: each source with its last import, volumes, quarantine and drifts, and
//! whether it is healthy — for a person, or for cron (exit code 1 when one is not).

use chrono::Utc;

use crate::error::Failure;
use crate::{Cli, summary};
use jauge_report::format;

#[derive(Debug, clap::Args)]
pub struct SourcesArgs {
    /// A source that brought nothing for this many days is stale.
    #[arg(long, default_value_t = jauge_store::STALE_AFTER_DAYS)]
    stale_after: u32,
}

pub fn run(cli: &Cli, args: &SourcesArgs) -> Result<(), Failure> {
    let store = summary::open_existing(&cli.db)?;
    let fr = cli.lang == jauge_model::Lang::Fr;
    let now = Utc::now();
    let mut unhealthy = Vec::new();
    for s in store.sources()? {
        let days = s.last_import.map(|at| (now - at).num_days());
        let problems: Vec<&str> = s
            .concerns(now, args.stale_after)
            .iter()
            .map(|c| c.label(cli.lang))
            .collect();
        let state = if problems.is_empty() {
            if fr {
                "ok".to_owned()
            } else {
                "healthy".to_owned()
            }
        } else {
            unhealthy.push(s.name.to_string());
            problems.join(", ")
        };
        let last = match (s.last_import, days) {
            (Some(at), Some(d)) => format!(
                "{} ({d} {})",
                at.with_timezone(&jauge_model::DEFAULT_TIME_ZONE)
                    .format("%d/%m/%Y %H:%M"),
                if fr { "j" } else { "d" }
            ),
            _ => "—".to_owned(),
        };
        println!(
            "{:<16} {:<17} {} imports, {} {last}, {} {}, {} {}, {} {} — {state}",
            s.name,
            s.kind.code(),
            format::count(s.imports, cli.lang),
            if fr { "dernier" } else { "last" },
            format::count(s.last_facts, cli.lang),
            if fr { "faits" } else { "facts" },
            format::count(s.quarantined, cli.lang),
            if fr { "en quarantaine" } else { "quarantined" },
            format::count(s.drifts, cli.lang),
            if fr {
                "dérives acceptées"
            } else {
                "accepted drifts"
            },
        );
        if let Some(error) = &s.sync_error {
            println!("  {error}");
        }
    }
    if unhealthy.is_empty() {
        Ok(())
    } else {
        let unhealthy = unhealthy.join(", ");
        Err(Failure::user(
            format!("sources en difficulté : {unhealthy}"),
            format!("unhealthy sources: {unhealthy}"),
        ))
    }
}
