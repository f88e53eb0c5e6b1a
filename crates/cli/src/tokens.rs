//! `jauge tokens`: API tokens — scoped, expiring, revocable; a token is shown once, when it is
//! made, and only its hash is kept.

use chrono::Utc;
use jauge_server::auth::{SCOPES, new_token, token_hash};
use jauge_store::ApiToken;

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct TokensArgs {
    #[command(subcommand)]
    command: TokensCommand,
}

#[derive(Debug, clap::Subcommand)]
enum TokensCommand {
    /// Make a token; it is printed once.
    Create {
        /// What it is for, such as "tableau de bord de la ville".
        name: String,
        /// Its scopes, comma-separated: read:aggregates, read:pseudonymised, write:import, admin.
        #[arg(long, value_delimiter = ',', required = true)]
        scope: Vec<String>,
        /// How long it lasts, such as 90d.
        #[arg(long, default_value = "90d")]
        expires: String,
    },
    /// The tokens, their scopes and their ends.
    List,
    /// Revoke a token at once.
    Revoke { id: i64 },
}

pub fn run(cli: &Cli, args: &TokensArgs) -> Result<(), Failure> {
    let mut store = crate::summary::open_existing(&cli.db)?;
    match &args.command {
        TokensCommand::Create {
            name,
            scope,
            expires,
        } => {
            for s in scope {
                if !SCOPES.contains(&s.as_str()) {
                    let scopes = SCOPES.join(", ");
                    return Err(Failure::user(
                        format!("« {s} » n'est pas une portée ; au choix : {scopes}"),
                        format!("{s:?} is not a scope; one of: {scopes}"),
                    ));
                }
            }
            let days: i64 = expires
                .trim()
                .strip_suffix('d')
                .and_then(|d| d.parse().ok())
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| {
                    Failure::user(
                        format!("« {expires} » n'est pas un nombre de jours comme 90d"),
                        format!("{expires:?} is not a number of days such as 90d"),
                    )
                })?;
            let token = new_token();
            let id = store.save_token(&ApiToken {
                id: 0,
                name: name.clone(),
                scopes: scope.clone(),
                token_hash: token_hash(&token),
                expires_at: Utc::now() + chrono::Duration::days(days),
                revoked_at: None,
            })?;
            store.audit(
                "cli",
                "token",
                &format!("token {id} {name:?}: {}", scope.join(" ")),
            )?;
            println!("{token}");
            eprintln!(
                "token {id} ({}), valid {days} days: keep it now, it is not shown again",
                scope.join(", ")
            );
            Ok(())
        }
        TokensCommand::List => {
            for t in store.tokens()? {
                println!(
                    "{:>4}  {:<28} {:<36} {}{}",
                    t.id,
                    t.name,
                    t.scopes.join(","),
                    t.expires_at.format("%Y-%m-%d"),
                    if t.revoked_at.is_some() {
                        "  (revoked)"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        TokensCommand::Revoke { id } => {
            if !store.revoke_token(*id)? {
                return Err(Failure::user(
                    format!("aucun jeton {id} à révoquer (voir `jauge tokens list`)"),
                    format!("no token {id} to revoke (see `jauge tokens list`)"),
                ));
            }
            store.audit("cli", "token revoked", &format!("token {id}"))?;
            Ok(())
        }
    }
}
