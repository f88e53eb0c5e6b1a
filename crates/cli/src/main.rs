//! `jauge`: the command line of Jauge, the data desk for live-performance venues.
//!
//! This binary owns the command line: it parses arguments, opens the store, calls into the
//! crates that do the work and prints their results. It holds no capability of its own: what
//! it does beyond wiring belongs in a crate. Exit codes: 0 success, 1 the user's input or
//! configuration is wrong (the message says what and how to fix it), 2 internal failure.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod audit;
mod config;
mod connect;
mod demo;
mod error;
mod forecast;
mod hub;
mod import;
mod parquet_file;
mod patrons;
mod pool;
mod privacy;
mod quarantine;
mod report;
mod segments;
mod serve;
mod setup;
mod share;
mod sibil;
mod sources;
mod summary;
mod sync;
mod tokens;
mod users;

/// Jauge — the data desk for live-performance venues.
///
/// Jauge gathers a venue's ticketing, CRM and emailing data into one local database and turns
/// it into the figures a box office and its board need: tickets, revenue, fill rate, audiences.
/// Start with `jauge demo` to build a demo venue, then `jauge summary`.
#[derive(Debug, Parser)]
#[command(name = "jauge", version, max_term_width = 100)]
struct Cli {
    /// The database: an SQLite file, which `jauge demo` creates, or a PostgreSQL database,
    /// postgres://user@host:port/database (the venue in the first schema of its search_path).
    #[arg(long, global = true, env = "JAUGE_DB", default_value = "jauge.db")]
    db: PathBuf,

    /// The language of messages and figures: fr or en.
    #[arg(long, global = true, env = "JAUGE_LANG", default_value = "fr", value_parser = parse_lang)]
    lang: jauge_model::Lang,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the demo venue: generate its ticketing and emailing exports, load them, show the
    /// current season's summary.
    Demo(demo::DemoArgs),
    /// Set up the organisation, the venue and its halls from a TOML file (without one, print
    /// the current setup, or an example).
    Setup(setup::SetupArgs),
    /// Show a season's headline figures: tickets, revenue, fill rates, average price, shares.
    Summary(summary::SummaryArgs),
    /// Import export files (CSV from ticketing tools): detect their dialect, map their columns,
    /// store what can be taken and show every row that cannot.
    Import(import::ImportArgs),
    /// Connect a live source: a pretix organizer, synced by `jauge sync` and `jauge serve`.
    Connect(connect::ConnectArgs),
    /// Pull the live sources' changes now.
    Sync(sync::SyncArgs),
    /// What the venue gives its network of venues: its season's contribution.
    Pool(pool::PoolArgs),
    /// The hub of a network of venues, on PostgreSQL.
    Hub(hub::HubArgs),
    /// List the rows imports could not take, with their file, line, column and reason.
    Quarantine(quarantine::QuarantineArgs),
    /// Supervise the sources: last import, volumes, quarantine, drifts, staleness. Exits with 1
    /// when one is unhealthy, for cron.
    Sources(sources::SourcesArgs),
    /// One patron across sources: link records into persons, explain a comparison, merge or
    /// split two records by hand.
    Patrons(patrons::PatronsArgs),
    /// Serve the venue's pages in the browser: the season's figures, its performances (table
    /// and chart), the glossary, the sources.
    Serve(serve::ServeArgs),
    /// The quarterly SIBIL declaration: build and check it, send it, see which quarters are
    /// due, sent or late.
    Sibil(sibil::SibilArgs),
    /// Forecast each upcoming performance's final tickets and revenue, with an 80% interval,
    /// the ones at risk first; `backtest` shows how every method did over past seasons.
    Forecast(forecast::ForecastArgs),
    /// The season report for a board or a funder: key figures and their change, a narrative,
    /// charts, methods and sources, as one self-contained HTML file or an A4 PDF.
    Report(report::ReportArgs),
    /// The audit log (exports, declarations sent…); `verify` checks that nobody altered it.
    Audit(audit::AuditArgs),
    /// Loyalty segments: how many people each holds; `export` writes a segment's people who
    /// may be contacted on a channel, for emailing tools.
    Segments(segments::SegmentsArgs),
    /// A person's rights and the retention policy: access to their data, erasure, retention.
    Privacy(privacy::PrivacyArgs),
    /// Pseudonymised, k-anonymous extracts for external providers, with their GDPR record.
    Share(share::ShareArgs),
    /// The accounts that may read the pages.
    Users(users::UsersArgs),
    /// API tokens: scoped, expiring, revocable, shown once.
    Tokens(tokens::TokensArgs),
    /// The venue's choices: the soft opt-in, how long identities are kept.
    Config(config::ConfigArgs),
}

fn parse_lang(s: &str) -> Result<jauge_model::Lang, String> {
    match s.to_ascii_lowercase().as_str() {
        "fr" => Ok(jauge_model::Lang::Fr),
        "en" => Ok(jauge_model::Lang::En),
        _ => Err(format!("unknown language {s:?}: use fr or en")),
    }
}

fn main() -> ExitCode {
    // Output piped into `head` ends quietly, as other command-line tools do.
    #[cfg(unix)]
    // SAFETY: restoring the default action of a signal, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match &cli.command {
        Command::Demo(args) => demo::run(&cli, args),
        Command::Summary(args) => summary::run(&cli, args),
        Command::Import(args) => import::run(&cli, args),
        Command::Setup(args) => setup::run(&cli, args),
        Command::Connect(args) => connect::run(&cli, args),
        Command::Sync(args) => sync::run(&cli, args),
        Command::Pool(args) => pool::run(&cli, args),
        Command::Hub(args) => hub::run(&cli, args),
        Command::Quarantine(args) => quarantine::run(&cli, args),
        Command::Sources(args) => sources::run(&cli, args),
        Command::Patrons(args) => patrons::run(&cli, args),
        Command::Serve(args) => serve::run(&cli, args),
        Command::Sibil(args) => sibil::run(&cli, args),
        Command::Forecast(args) => forecast::run(&cli, args),
        Command::Audit(args) => audit::run(&cli, args),
        Command::Report(args) => report::run(&cli, args),
        Command::Segments(args) => segments::run(&cli, args),
        Command::Privacy(args) => privacy::run(&cli, args),
        Command::Share(args) => share::run(&cli, args),
        Command::Users(args) => users::run(&cli, args),
        Command::Tokens(args) => tokens::run(&cli, args),
        Command::Config(args) => config::run(&cli, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{}", failure.message(cli.lang));
            ExitCode::from(failure.exit_code())
        }
    }
}
