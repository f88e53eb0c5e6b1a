//! `jauge pool`: what the venue gives its network. `contribute` builds the season's
//! contribution (aggregates, audience by area, patron tokens under the network's key) into a
//! file; sending it to a hub comes with the hub.

use std::path::PathBuf;

use jauge_model::Season;
use jauge_pool::token::NetworkKey;

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct PoolArgs {
    #[command(subcommand)]
    command: PoolCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PoolCommand {
    /// Build the season's contribution to the network, as JSON.
    Contribute {
        /// The season (default: the current one).
        #[arg(long)]
        season: Option<String>,
        /// The key the network's venues share (64 hexadecimal digits or more); the hub never
        /// holds it.
        #[arg(long, env = "JAUGE_NETWORK_KEY", hide_env_values = true)]
        key: String,
        /// Where to write it.
        #[arg(long, required_unless_present = "hub")]
        out: Option<PathBuf>,
        /// The network's hub to send it to, such as https://reseau.example/.
        #[arg(long, requires = "hub_token")]
        hub: Option<String>,
        /// The venue's token on the hub.
        #[arg(long, env = "JAUGE_HUB_TOKEN", hide_env_values = true)]
        hub_token: Option<String>,
    },
}

pub fn run(cli: &Cli, args: &PoolArgs) -> Result<(), Failure> {
    let PoolCommand::Contribute {
        season,
        key,
        out,
        hub,
        hub_token,
    } = &args.command;
    let key = NetworkKey::from_hex(key).map_err(Failure::untranslated)?;
    let store = crate::summary::open_existing(&cli.db)?;
    let setup = crate::summary::venue_setup(&*store, &cli.db)?;
    let season = match season {
        Some(label) => Season::parse(label, setup.venue.season_start).map_err(|e| {
            Failure::user(
                format!("--season « {label} » : {e}"),
                format!("--season {label:?}: {e}"),
            )
        })?,
        None => Season::containing(
            chrono::Utc::now()
                .with_timezone(&setup.venue.time_zone)
                .date_naive(),
            setup.venue.season_start,
        ),
    };
    if !store.seasons()?.contains(&season) {
        return Err(crate::summary::no_such_season(&*store, season, &cli.db)?);
    }
    let started = std::time::Instant::now();
    let contribution =
        jauge_pool::from_store::contribution(&*store, season, &key, chrono::Utc::now())?;
    let json = serde_json::to_vec_pretty(&contribution).map_err(|e| Failure::Internal(e.into()))?;
    let destination = match (out, hub) {
        (Some(out), _) => {
            std::fs::write(out, &json).map_err(|e| Failure::cannot_write(out, e))?;
            out.display().to_string()
        }
        (None, Some(hub)) => {
            send(hub, hub_token.as_deref().unwrap_or_default(), &json)?;
            hub.clone()
        }
        (None, None) => unreachable!("clap asks for --out or --hub"),
    };
    let fr = cli.lang == jauge_model::Lang::Fr;
    println!(
        "{} : {season}, {} {}, {} {}, {} {} ({:.1} s, {} Kio)",
        destination,
        contribution.performances.len(),
        if fr {
            "représentations"
        } else {
            "performances"
        },
        contribution.buyers,
        if fr { "acheteurs" } else { "buyers" },
        contribution.patrons.len(),
        if fr { "jetons" } else { "tokens" },
        started.elapsed().as_secs_f64(),
        json.len() / 1024
    );
    Ok(())
}

/// Sends a contribution to the hub at `hub`.
fn send(hub: &str, token: &str, json: &[u8]) -> Result<(), Failure> {
    let url = format!("{}/hub/v1/contributions", hub.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(120)))
        .build()
        .into();
    let mut response = agent
        .post(&url)
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(json)
        .map_err(|e| {
            Failure::user(
                format!("{url} : {e} ; vérifiez l'adresse du hub"),
                format!("{url}: {e}; check the hub's address"),
            )
        })?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(());
    }
    let body = response.body_mut().read_to_string().unwrap_or_default();
    let detail = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|p| p["detail"].as_str().map(str::to_owned))
        .unwrap_or(body);
    Err(Failure::user(
        format!("{url} a refusé la contribution (HTTP {status}) : {detail}"),
        format!("{url} refused the contribution (HTTP {status}): {detail}"),
    ))
}
