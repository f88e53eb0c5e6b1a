//! `jauge setup`: the organisation, the venue and its halls, from a TOML file — what every
//! import and sync needs first (`jauge demo` sets up its own venue).

use std::path::PathBuf;

use jauge_model::VenueSetup;

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct SetupArgs {
    /// The TOML file describing the venue; without it, the current setup is printed in that
    /// form (or an example, before the first), to copy and edit.
    file: Option<PathBuf>,
}

/// An example setup, printed before the first.
const EXAMPLE: &str = r#"# The organisation, the venue and its halls. Halls are matched by name: renaming one adds a
# hall, and a hall missing from the file is kept.
[organisation]
legal_name = "Théâtre des Quatre Vents"
siret = "13000548100010"
licence = "PLATESV-R-2021-000123"

[venue]
name = "Théâtre des Quatre Vents"
address = "1 place du Théâtre"
postcode = "37000"
city = "Tours"
insee = "37261"
time_zone = "Europe/Paris"
place_type = "THEATRE"
season_start = 9

[[halls]]
name = "Grande salle"
capacity = 400
"#;

pub fn run(cli: &Cli, args: &SetupArgs) -> Result<(), Failure> {
    let Some(file) = &args.file else {
        let location = cli.db.to_string_lossy();
        let current = if jauge_store::is_postgres(&location) || cli.db.exists() {
            jauge_store::open(&location)?.setup()?
        } else {
            None
        };
        match current {
            Some(setup) => print!(
                "{}",
                toml::to_string(&setup).map_err(|e| Failure::Internal(e.into()))?
            ),
            None => print!("{EXAMPLE}"),
        }
        return Ok(());
    };
    let path = file.display();
    let text = std::fs::read_to_string(file).map_err(|e| {
        Failure::user(
            format!("impossible de lire {path} : {e}"),
            format!("cannot read {path}: {e}"),
        )
    })?;
    let setup: VenueSetup = toml::from_str(&text).map_err(|e| {
        Failure::user(
            format!("{path} : {e}\n`jauge setup` sans fichier affiche un exemple"),
            format!("{path}: {e}\n`jauge setup` without a file prints an example"),
        )
    })?;
    if setup.halls.is_empty() {
        return Err(Failure::user(
            format!(
                "{path} : le lieu doit avoir au moins une salle ([[halls]] avec un nom et une \
                 jauge)"
            ),
            format!(
                "{path}: the venue needs at least one hall ([[halls]] with a name and a capacity)"
            ),
        ));
    }
    let mut store = jauge_store::open(&cli.db.to_string_lossy())?;
    store.save_setup(&setup)?;
    println!(
        "{} : {}, {} {}",
        cli.db.display(),
        setup.venue.name,
        setup.halls.len(),
        cli.lang.pick("salle(s)", "hall(s)")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_example_is_a_valid_setup() {
        let setup: jauge_model::VenueSetup = toml::from_str(super::EXAMPLE).unwrap();
        assert_eq!(setup.halls[0].capacity.get(), 400);
    }
}
