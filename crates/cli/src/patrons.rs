//! `jauge patrons`: one patron across sources. Links the patron records of every source into
//! persons, explains why two records are or are not the same person, and records a person's
//! decisions, which every later linkage respects.

use std::time::Instant;

use jauge_identity::{Constraints, Record, explain, link};
use jauge_model::{PatronIdentity, PatronKey};
use jauge_store::{SqliteStore, Store};

use crate::error::Failure;
use crate::{Cli, format};

#[derive(Debug, clap::Args)]
pub struct PatronsArgs {
    #[command(subcommand)]
    command: PatronsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PatronsCommand {
    /// Link every patron record into persons, respecting the decisions recorded.
    Link,
    /// Show each field's comparison of two patron records and what it weighs.
    Explain { a: String, b: String },
    /// Record that two patron records are the same person, and link again.
    Merge { a: String, b: String },
    /// Record that two patron records are different people, and link again.
    Split { a: String, b: String },
    /// Show the records of a patron's person.
    Show { key: String },
}

fn key(text: &str) -> Result<PatronKey, Failure> {
    text.parse()
        .map_err(|e: jauge_model::InvalidValue| Failure::user(format!("{e}: give a patron key")))
}

/// What a linkage of the store's patrons gave.
pub struct Linked {
    pub records: usize,
    pub persons: usize,
    pub candidates: usize,
    pub seconds: f64,
}

/// Links every patron of `store`, respecting its decisions, and saves the persons.
pub fn link_all(store: &mut SqliteStore) -> Result<Linked, Failure> {
    let started = Instant::now();
    let identities = store.identities()?;
    let records: Vec<Record> = identities.iter().map(Record::from_identity).collect();
    let index: std::collections::HashMap<&str, u32> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key.as_str(), i as u32))
        .collect();
    let mut constraints = Constraints::default();
    for (a, b, same) in store.decisions()? {
        // A decision about a record since erased no longer applies.
        let (Some(&a), Some(&b)) = (index.get(a.as_str()), index.get(b.as_str())) else {
            continue;
        };
        if same {
            constraints.same.push((a, b));
        } else {
            constraints.different.push((a, b));
        }
    }
    let linkage = link(&records, &constraints);
    let persons: Vec<(PatronKey, PatronKey)> = identities
        .iter()
        .zip(&linkage.groups)
        .filter_map(|(identity, &group)| {
            let person = identities[group as usize].key.clone()?;
            Some((identity.key.clone()?, person))
        })
        .collect();
    store.save_persons(&persons)?;
    let mut distinct: Vec<u32> = linkage.groups.clone();
    distinct.sort_unstable();
    distinct.dedup();
    Ok(Linked {
        records: records.len(),
        persons: distinct.len(),
        candidates: linkage.candidates,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn print_linked(linked: &Linked, lang: jauge_model::Lang) {
    println!(
        "{} patron records linked into {} persons ({} pairs compared, {:.1} s)",
        format::count(linked.records as u64, lang),
        format::count(linked.persons as u64, lang),
        format::count(linked.candidates as u64, lang),
        linked.seconds
    );
}

fn identity_of<'a>(
    identities: &'a [PatronIdentity],
    key: &PatronKey,
) -> Result<&'a PatronIdentity, Failure> {
    identities
        .iter()
        .find(|i| i.key.as_ref() == Some(key))
        .ok_or_else(|| Failure::user(format!("there is no patron {key}")))
}

fn describe(identity: &PatronIdentity) -> String {
    let text = |v: Option<&str>| v.unwrap_or("—").to_owned();
    format!(
        "{} · {} {} · {} · {} · {} {} · {}",
        identity.key.as_ref().map_or("", |k| k.as_str()),
        text(identity.first_name.as_deref()),
        text(identity.last_name.as_deref()),
        text(identity.email.as_ref().map(|e| e.as_str())),
        text(identity.phone.as_deref()),
        text(identity.postcode.as_deref()),
        text(identity.city.as_deref()),
        identity
            .birth_year
            .map_or("—".to_owned(), |y| y.get().to_string()),
    )
}

pub fn run(cli: &Cli, args: &PatronsArgs) -> Result<(), Failure> {
    let mut store = crate::summary::open_existing(&cli.db)?;
    match &args.command {
        PatronsCommand::Link => print_linked(&link_all(&mut store)?, cli.lang),
        PatronsCommand::Explain { a, b } => {
            let (a, b) = (key(a)?, key(b)?);
            let identities = store.identities()?;
            let records: Vec<Record> = identities.iter().map(Record::from_identity).collect();
            // The model is learnt from all the records, as a linkage would.
            let linkage = link(&records, &Constraints::default());
            let (ra, rb) = (
                Record::from_identity(identity_of(&identities, &a)?),
                Record::from_identity(identity_of(&identities, &b)?),
            );
            println!("{}", describe(identity_of(&identities, &a)?));
            println!("{}", describe(identity_of(&identities, &b)?));
            let e = explain(&linkage.weights, &ra, &rb);
            for evidence in &e.evidence {
                let level = match evidence.level {
                    Some(l) => evidence.field.level_names()[usize::from(l)],
                    None => "not compared",
                };
                println!(
                    "  {:<12} {:<24} {:+6.1} bits",
                    evidence.field.to_string(),
                    level,
                    evidence.weight
                );
            }
            println!(
                "  total {:+.1} bits (prior included): probability {:.4} that they are the same person",
                e.bits, e.probability
            );
            let decided = store
                .decisions()?
                .into_iter()
                .find(|(x, y, _)| (x == &a && y == &b) || (x == &b && y == &a));
            if let Some((_, _, same)) = decided {
                println!(
                    "  decided by a person: {}",
                    if same {
                        "the same person"
                    } else {
                        "different people"
                    }
                );
            }
        }
        PatronsCommand::Merge { a, b } | PatronsCommand::Split { a, b } => {
            let same = matches!(args.command, PatronsCommand::Merge { .. });
            store.decide(&key(a)?, &key(b)?, same)?;
            println!(
                "recorded: {a} and {b} are {}",
                if same {
                    "the same person"
                } else {
                    "different people"
                }
            );
            print_linked(&link_all(&mut store)?, cli.lang);
        }
        PatronsCommand::Show { key: wanted } => {
            let wanted = key(wanted)?;
            let persons = store.persons()?;
            let Some((_, person)) = persons.iter().find(|(p, _)| p == &wanted) else {
                return Err(Failure::user(format!(
                    "{wanted} is in no person yet: run `jauge patrons link`"
                )));
            };
            let identities = store.identities()?;
            println!("person {person}:");
            for (patron, _) in persons.iter().filter(|(_, p)| p == person) {
                println!("  {}", describe(identity_of(&identities, patron)?));
            }
        }
    }
    Ok(())
}
