//! `jauge serve`: the venue's pages in the browser.

use std::path::PathBuf;

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: String,
}

pub fn run(cli: &Cli, args: &ServeArgs) -> Result<(), Failure> {
    // The database must be there: the pages read it, they do not create it.
    let store = crate::summary::open_existing(&cli.db)?;
    // Without an account the pages are open: to this machine only.
    if store.accounts()?.is_empty() && !loopback(&args.bind) {
        let bind = &args.bind;
        return Err(Failure::user(
            format!(
                "{bind} ouvrirait les pages aux autres machines, et aucun compte n'existe encore : \
                 créez-en un d'abord avec `jauge users add NAME --role admin`, ou gardez \
                 l'adresse par défaut 127.0.0.1:8080"
            ),
            format!(
                "{bind} would open the pages to other machines, and no account exists yet: create \
                 one first with `jauge users add NAME --role admin`, or keep the default \
                 127.0.0.1:8080"
            ),
        ));
    }
    drop(store);
    serve(&cli.db, &args.bind)
}

/// Whether `bind` listens on this machine only.
fn loopback(bind: &str) -> bool {
    bind.parse::<std::net::SocketAddr>()
        .map(|a| a.ip().is_loopback())
        .unwrap_or_else(|_| bind.starts_with("localhost:"))
}

/// Serves the pages of `db` on `bind` until Ctrl+C, printing the address.
pub fn serve(db: &std::path::Path, bind: &str) -> Result<(), Failure> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| Failure::Internal(e.into()))?;
    let db: PathBuf = db.to_owned();
    let bind = bind.to_owned();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&bind).await.map_err(|e| {
            Failure::user(
                format!(
                    "impossible d'écouter sur {bind} : {e} ; choisissez une autre adresse avec \
                     --bind"
                ),
                format!("cannot listen on {bind}: {e}; choose another address with --bind"),
            )
        })?;
        let address = listener
            .local_addr()
            .map_err(|e| Failure::Internal(e.into()))?;
        println!("Jauge : http://{address}/  (Ctrl+C pour arrêter / to stop)");
        // The rollups a write emptied, built now rather than on the first visit.
        let warming = db.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = jauge_store::open(&warming.to_string_lossy())
                .and_then(|store| jauge_server::warm(&*store))
            {
                eprintln!("jauge: the rollups could not be built ahead: {e}");
            }
        });
        // The live sources, each synced on its schedule.
        tokio::spawn(jauge_server::live::schedule(
            db.clone(),
            jauge_server::live::TICK,
        ));
        axum::serve(listener, jauge_server::router(db))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Failure::Internal(e.into()))
    })
}
