//! `jauge connect`: configures a live source (a pretix organizer's API), checks that it answers,
//! and gives the address of its webhook.

use jauge_connect::pretix;
use jauge_model::{Discipline, SourceKind, SourceName};
use jauge_store::LiveSource;

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct ConnectArgs {
    #[command(subcommand)]
    system: System,
}

#[derive(Debug, clap::Subcommand)]
enum System {
    /// A pretix organizer: its events, dates, quotas, products and orders.
    Pretix(PretixArgs),
}

#[derive(Debug, clap::Args)]
struct PretixArgs {
    /// The pretix server's address, such as https://pretix.eu.
    #[arg(long)]
    url: String,
    /// An API token of one of the organizer's teams (Organizer → Teams → API tokens); the team
    /// must be able to see events and orders.
    #[arg(long, env = "JAUGE_PRETIX_TOKEN", hide_env_values = true)]
    token: String,
    /// The organizer's short name, as in its URLs.
    #[arg(long)]
    organizer: String,
    /// The source's name in Jauge.
    #[arg(long, default_value = "pretix")]
    source: String,
    /// The hall of the performances (default: the venue's only hall).
    #[arg(long)]
    hall: Option<String>,
    /// The discipline of the shows, such as theatre or music.
    #[arg(long, default_value = "other")]
    discipline: Discipline,
    /// Follow only this event (its short name); repeat for several. Default: all.
    #[arg(long = "event")]
    events: Vec<String>,
    /// How often `jauge serve` syncs it, in minutes.
    #[arg(long, default_value_t = 15)]
    every: u32,
}

pub fn run(cli: &Cli, args: &ConnectArgs) -> Result<(), Failure> {
    let System::Pretix(args) = &args.system;
    let mut store = crate::summary::open_existing(&cli.db)?;
    let setup = crate::summary::venue_setup(&*store, &cli.db)?;
    let hall = match (&args.hall, &setup.halls[..]) {
        (Some(hall), halls) => halls
            .iter()
            .find(|h| h.name.as_str() == hall)
            .map(|h| h.name.to_string())
            .ok_or_else(|| {
                let halls = hall_names(&setup);
                Failure::user(
                    format!("le lieu n'a pas de salle « {hall} » ; ses salles : {halls}"),
                    format!("the venue has no hall {hall:?}; its halls: {halls}"),
                )
            })?,
        (None, [only]) => only.name.to_string(),
        (None, _) => {
            let halls = hall_names(&setup);
            return Err(Failure::user(
                format!("le lieu a plusieurs salles ({halls}) : indiquez laquelle avec --hall"),
                format!("the venue has several halls ({halls}): say which with --hall"),
            ));
        }
    };
    let name: SourceName = args.source.parse().map_err(Failure::untranslated)?;
    if !(1..=24 * 60).contains(&args.every) {
        return Err(Failure::user(
            "--every est un nombre de minutes de 1 à 1440",
            "--every is a number of minutes from 1 to 1440",
        ));
    }
    let settings = pretix::Settings {
        url: args.url.trim().to_owned(),
        organizer: args.organizer.trim().to_owned(),
        token: args.token.trim().to_owned(),
        hall,
        discipline: args.discipline,
        events: args.events.clone(),
    };
    // The connection is checked before it is kept.
    let events = pretix::events(&settings.client(jauge_connect::Retry::default()), &settings)
        .map_err(|e| {
            Failure::user(
                format!("{e} ; la source n'a pas été enregistrée"),
                format!("{e}; the source was not saved"),
            )
        })?;
    let secret = jauge_server::auth::new_token();
    store.save_live_source(&LiveSource {
        name: name.clone(),
        connector: "pretix".into(),
        kind: SourceKind::Pretix,
        settings: serde_json::to_string(&settings).map_err(|e| Failure::Internal(e.into()))?,
        every_minutes: args.every,
        cursor: None,
        hook_secret_hash: Some(jauge_server::auth::token_hash(&secret)),
        last_attempt_at: None,
        last_success_at: None,
        last_error: None,
    })?;
    store.audit("cli", "connect", &format!("pretix source {name}"))?;
    let fr = cli.lang == jauge_model::Lang::Fr;
    println!(
        "{name} : pretix {} / {} — {} {}",
        settings.url,
        settings.organizer,
        events.len(),
        if fr { "événement(s)" } else { "event(s)" }
    );
    for slug in &events {
        println!("  {slug}");
    }
    println!(
        "{}\n  POST <adresse de Jauge>/api/v1/hooks/pretix?secret={secret}",
        if fr {
            "Synchronisation : `jauge sync`, et toutes les {every} minutes sous `jauge serve`.\n\
             Webhook à déclarer dans pretix (Organisateur → Webhooks, événements des commandes) ; \
             ce secret n'est affiché qu'une fois :"
                .replace("{every}", &args.every.to_string())
        } else {
            "Sync: `jauge sync`, and every {every} minutes under `jauge serve`.\n\
             Webhook to declare in pretix (Organizer → Webhooks, order events); this secret is \
             shown once:"
                .replace("{every}", &args.every.to_string())
        }
    );
    Ok(())
}

fn hall_names(setup: &jauge_model::VenueSetup) -> String {
    setup
        .halls
        .iter()
        .map(|h| h.name.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
