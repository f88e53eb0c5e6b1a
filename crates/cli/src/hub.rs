//! `jauge hub`: the hub of a network of venues, on PostgreSQL — admitting a venue (its hub
//! token, shown once) and serving the network's benchmarks, crossover and territory.

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct HubArgs {
    /// The hub's PostgreSQL database, as a connection string
    /// (`postgres://jauge@127.0.0.1/hub` or `host=… user=… dbname=…`).
    #[arg(long, env = "JAUGE_HUB_DB", hide_env_values = true)]
    postgres: String,
    #[command(subcommand)]
    command: HubCommand,
}

#[derive(Debug, clap::Subcommand)]
enum HubCommand {
    /// Admit a venue by its SIRET: makes its database role and prints its hub token once.
    AddVenue {
        /// The venue's organisation's SIRET, as its contributions carry it.
        siret: String,
    },
    /// Serve the hub's API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8090")]
        bind: String,
    },
}

pub fn run(_cli: &Cli, args: &HubArgs) -> Result<(), Failure> {
    let postgres_failed = |e: jauge_store::StoreError| Failure::untranslated(e);
    match &args.command {
        HubCommand::AddVenue { siret } => {
            let siret: jauge_model::Siret = siret.parse().map_err(Failure::untranslated)?;
            let mut hub =
                jauge_store::postgres::HubStore::open(&args.postgres).map_err(postgres_failed)?;
            let token = jauge_server::auth::new_token();
            hub.admit_venue(siret.as_ref(), &jauge_server::auth::token_hash(&token))
                .map_err(postgres_failed)?;
            println!("{token}");
            Ok(())
        }
        HubCommand::Serve { bind } => {
            // The schema is brought up to date, and the database checked, before listening.
            jauge_store::postgres::HubStore::open(&args.postgres).map_err(postgres_failed)?;
            let runtime =
                tokio::runtime::Runtime::new().map_err(|e| Failure::Internal(e.into()))?;
            let router = jauge_server::hub::router(args.postgres.clone());
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| {
                    Failure::user(
                        format!(
                            "impossible d'écouter sur {bind} : {e} ; choisissez-en une autre avec \
                             --bind"
                        ),
                        format!("cannot listen on {bind}: {e}; choose another with --bind"),
                    )
                })?;
                let address = listener
                    .local_addr()
                    .map_err(|e| Failure::Internal(e.into()))?;
                println!(
                    "Jauge hub : http://{address}/hub/ (pages), http://{address}/hub/v1/ (API)  \
                     (Ctrl+C pour arrêter / to stop)"
                );
                axum::serve(listener, router)
                    .with_graceful_shutdown(async {
                        let _ = tokio::signal::ctrl_c().await;
                    })
                    .await
                    .map_err(|e| Failure::Internal(e.into()))
            })
        }
    }
}
