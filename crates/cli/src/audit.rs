//! `jauge audit`: the audit log, and `jauge audit verify`, which checks its chain.

use jauge_model::Lang;

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: Option<AuditCommand>,
}

#[derive(Debug, clap::Subcommand)]
enum AuditCommand {
    /// Check that no entry was changed, removed or inserted; exits with 1 if one was.
    Verify,
}

pub fn run(cli: &Cli, args: &AuditArgs) -> Result<(), Failure> {
    let fr = cli.lang == Lang::Fr;
    let store = crate::summary::open_existing(&cli.db)?;
    match args.command {
        None => {
            for e in store.audit_log()? {
                println!(
                    "{:>5}  {}  {:<8} {:<20} {}",
                    e.id,
                    e.at.format("%Y-%m-%d %H:%M:%S UTC"),
                    e.actor,
                    e.action,
                    e.detail
                );
            }
            Ok(())
        }
        Some(AuditCommand::Verify) => match store.verify_audit()? {
            Ok(n) => {
                println!(
                    "{n} {}",
                    if fr {
                        "entrée(s), chaîne intacte."
                    } else {
                        "entries, chain intact."
                    }
                );
                Ok(())
            }
            Err(broken) => Err(Failure::untranslated(broken)),
        },
    }
}
