//! `jauge config`: the venue's choices that are not its data — the privacy policy so far. Each
//! change goes to the audit log.

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ConfigCommand {
    /// Every setting, with its value.
    List,
    /// Change a setting.
    Set { key: String, value: String },
}

/// The settings a person may change, what they take, and their value by default.
const SETTINGS: [(&str, &str, &str); 5] = [
    (
        "privacy.soft_opt_in",
        "on or off: e-mail the customers of the last years who never objected",
        "off",
    ),
    (
        "privacy.retention.customer_years",
        "years a customer's identity is kept after their last purchase",
        "3",
    ),
    (
        "privacy.retention.prospect_years",
        "years a prospect's identity is kept after the last contact",
        "3",
    ),
    (
        "campaigns.attribution_days",
        "days after a click an order is still attributed to the campaign",
        "7",
    ),
    (
        "campaigns.count_opens",
        "on or off: an open counts as a touch for attribution, not only a click",
        "off",
    ),
];

pub fn run(cli: &Cli, args: &ConfigArgs) -> Result<(), Failure> {
    let mut store = crate::summary::open_existing(&cli.db)?;
    match &args.command {
        ConfigCommand::List => {
            for (key, what, default) in SETTINGS {
                let value = store.setting(key)?.unwrap_or_else(|| default.to_owned());
                println!("{key:<36} {value:<6} {what}");
            }
            Ok(())
        }
        ConfigCommand::Set { key, value } => {
            let Some((key, _, _)) = SETTINGS.iter().find(|(k, _, _)| k == key) else {
                let keys = SETTINGS.map(|s| s.0).join(", ");
                return Err(Failure::user(
                    format!("« {key} » n'est pas un réglage ; au choix : {keys}"),
                    format!("{key:?} is not a setting; one of: {keys}"),
                ));
            };
            let valid = if key.ends_with("years") {
                value.parse::<u32>().is_ok_and(|y| (1..=50).contains(&y))
            } else if key.ends_with("days") {
                value.parse::<u32>().is_ok_and(|d| (1..=90).contains(&d))
            } else {
                value == "on" || value == "off"
            };
            if !valid {
                let (fr, en) = if key.ends_with("years") {
                    (
                        "un nombre d'années de 1 à 50",
                        "a number of years from 1 to 50",
                    )
                } else if key.ends_with("days") {
                    (
                        "un nombre de jours de 1 à 90",
                        "a number of days from 1 to 90",
                    )
                } else {
                    ("on ou off", "on or off")
                };
                return Err(Failure::user(
                    format!("« {value} » ne convient pas à {key} : {fr}"),
                    format!("{value:?} does not suit {key}: {en}"),
                ));
            }
            store.set_setting(key, value)?;
            store.audit("cli", "setting", &format!("{key} = {value}"))?;
            println!("{key} = {value}");
            Ok(())
        }
    }
}
