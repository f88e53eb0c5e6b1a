//! `jauge users`: the accounts that may read the pages. Once one exists, every page asks for
//! a login, and `jauge serve` may listen beyond this machine.

use std::io::BufRead;

use jauge_server::auth::{Role, hash_password};
use jauge_store::Account;

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct UsersArgs {
    #[command(subcommand)]
    command: UsersCommand,
}

#[derive(Debug, clap::Subcommand)]
enum UsersCommand {
    /// Add an account (or change its role and password). The password is read from
    /// JAUGE_PASSWORD, else from the first line of the standard input.
    Add {
        name: String,
        /// admin (everything), staff (dashboards, imports, exports with consent), analyst
        /// (pseudonymised data only), viewer (aggregates only).
        #[arg(long)]
        role: String,
    },
    /// The accounts and their roles.
    List,
}

pub fn run(cli: &Cli, args: &UsersArgs) -> Result<(), Failure> {
    let mut store = jauge_store::open(&cli.db.to_string_lossy())?;
    match &args.command {
        UsersCommand::Add { name, role } => {
            let role = Role::parse(role).ok_or_else(|| {
                Failure::user(
                    format!("« {role} » n'est pas un rôle : admin, staff, analyst ou viewer"),
                    format!("{role:?} is not a role: admin, staff, analyst or viewer"),
                )
            })?;
            let password = match std::env::var("JAUGE_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\n', '\r']).to_owned()
                }
            };
            if password.chars().count() < 12 {
                return Err(Failure::user(
                    "un mot de passe compte au moins 12 caractères (quelques mots en font un bon)",
                    "a password needs 12 characters at least (a few words make a good one)",
                ));
            }
            store.save_account(&Account {
                name: name.trim().to_owned(),
                role: role.code().to_owned(),
                password_hash: hash_password(&password),
            })?;
            store.audit("cli", "account", &format!("{name:?} as {}", role.code()))?;
            println!("{name} ({})", role.code());
            Ok(())
        }
        UsersCommand::List => {
            for a in store.accounts()? {
                println!("{:<24} {}", a.name, a.role);
            }
            Ok(())
        }
    }
}
