//! `jauge patrons`: one patron across sources. Links the patron records of every source into
//! persons, explains why two records are or are not the same person, and records a person's
//! decisions, which every later linkage respects.

use std::time::Instant;

use jauge_identity::golden::golden;
use jauge_identity::model::Weights;
use jauge_identity::{Constraints, Previous, Record, explain, link, link_new};
use jauge_model::{PatronIdentity, PatronKey};
use jauge_store::{PersonLink, Store};

use crate::Cli;
use crate::error::Failure;
use jauge_report::format;

#[derive(Debug, clap::Args)]
pub struct PatronsArgs {
    #[command(subcommand)]
    command: PatronsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PatronsCommand {
    /// Link every patron record into persons, respecting the decisions recorded. Imports link
    /// the records they bring against those linked before; this links all again, and learns
    /// the model again.
    Link,
    /// Whether each import links the patrons it brings: on (the default) or off.
    AfterImport {
        #[arg(value_parser = ["on", "off"])]
        switch: String,
    },
    /// Show each field's comparison of two patron records and what it weighs.
    Explain { a: String, b: String },
    /// Record that two patron records are the same person, and link again.
    Merge { a: String, b: String },
    /// Record that two patron records are different people, and link again.
    Split { a: String, b: String },
    /// Show a patron's person: the golden record (each field from the record that holds it
    /// best), then each of its records.
    Show { key: String },
}

fn key(text: &str) -> Result<PatronKey, Failure> {
    text.parse().map_err(|e: jauge_model::InvalidValue| {
        Failure::user(
            format!("{e} : indiquez la clé d'un spectateur"),
            format!("{e}: give a patron key"),
        )
    })
}

/// What a linkage of the store's patrons gave.
pub struct Linked {
    pub records: usize,
    /// Records linked this time (all of them, or the new ones).
    pub new: usize,
    pub persons: usize,
    pub candidates: usize,
    pub seconds: f64,
}

/// Settings: the model of the last linkage, the newest batch it saw, and whether imports link.
pub(crate) const MODEL: &str = "linkage.model";
const LINKED_BATCH: &str = "linkage.batch";
const AFTER_IMPORT: &str = "linkage.after_import";

/// The decisions recorded, as constraints on `keys` (by index).
fn constraints(store: &dyn Store, keys: &[&str]) -> Result<Constraints, Failure> {
    let index: std::collections::HashMap<&str, u32> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, i as u32))
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
    Ok(constraints)
}

/// Saves a linkage of `identities` (in the linkage's order): persons, the model, the batch.
fn save(
    store: &mut dyn Store,
    identities: &[&PatronIdentity],
    linkage: &jauge_identity::Linkage,
) -> Result<usize, Failure> {
    let key = |i: u32| identities[i as usize].key.clone();
    let persons: Vec<PersonLink> = identities
        .iter()
        .enumerate()
        .filter_map(|(i, identity)| {
            Some(PersonLink {
                patron: identity.key.clone()?,
                person: key(linkage.groups[i])?,
                part: key(linkage.components[i])?,
            })
        })
        .collect();
    store.save_persons(&persons)?;
    store.set_setting(MODEL, &linkage.weights.to_json())?;
    if let Some(batch) = store.last_batch()? {
        store.set_setting(LINKED_BATCH, &batch.0.to_string())?;
    }
    let mut distinct: Vec<u32> = linkage.groups.clone();
    distinct.sort_unstable();
    distinct.dedup();
    Ok(distinct.len())
}

/// Links every patron of `store` from scratch, respecting its decisions, and saves the persons
/// and the model learnt.
pub fn link_all(store: &mut dyn Store) -> Result<Linked, Failure> {
    let started = Instant::now();
    let identities = store.identities()?;
    let ordered: Vec<&PatronIdentity> = identities.iter().map(|(i, _)| i).collect();
    let records: Vec<Record> = ordered.iter().map(|i| Record::from_identity(i)).collect();
    let keys: Vec<&str> = records.iter().map(|r| r.key.as_str()).collect();
    let linkage = link(&records, &constraints(store, &keys)?);
    let persons = save(store, &ordered, &linkage)?;
    Ok(Linked {
        records: records.len(),
        new: records.len(),
        persons,
        candidates: linkage.candidates,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Links the patrons imported since the last linkage against those linked then, with the
/// model learnt then; links everything when there was no linkage yet.
pub fn link_since(store: &mut dyn Store) -> Result<Linked, Failure> {
    let started = Instant::now();
    let model = store.setting(MODEL)?.and_then(|m| Weights::from_json(&m));
    let linked_batch: Option<i64> = store.setting(LINKED_BATCH)?.and_then(|b| b.parse().ok());
    let (Some(weights), Some(linked_batch)) = (model, linked_batch) else {
        return link_all(store);
    };
    let persons = store.persons()?;
    let known: std::collections::HashMap<&str, &PersonLink> =
        persons.iter().map(|p| (p.patron.as_str(), p)).collect();
    let identities = store.identities()?;
    // Records linked before and unchanged first, in key order; then the new or changed ones.
    let (old, new): (Vec<_>, Vec<_>) = identities.iter().partition(|(identity, batch)| {
        batch.0 <= linked_batch
            && identity
                .key
                .as_ref()
                .is_some_and(|k| known.contains_key(k.as_str()))
    });
    let ordered: Vec<&PatronIdentity> = old.iter().chain(&new).map(|(i, _)| i).collect();
    let records: Vec<Record> = ordered.iter().map(|i| Record::from_identity(i)).collect();
    if new.is_empty() {
        return Ok(Linked {
            records: records.len(),
            new: 0,
            persons: persons
                .iter()
                .map(|p| &p.person)
                .collect::<std::collections::HashSet<_>>()
                .len(),
            candidates: 0,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    // The earlier persons and parts, named by their first record in this order.
    let label = |name: fn(&PersonLink) -> &PatronKey| -> Vec<u32> {
        let mut first: std::collections::HashMap<&str, u32> = Default::default();
        for (i, r) in records[..old.len()].iter().enumerate() {
            let p = known[r.key.as_str()];
            first.entry(name(p).as_str()).or_insert(i as u32);
        }
        records[..old.len()]
            .iter()
            .map(|r| first[name(known[r.key.as_str()]).as_str()])
            .collect()
    };
    let groups = label(|p| &p.person);
    let components = label(|p| &p.part);
    let keys: Vec<&str> = records.iter().map(|r| r.key.as_str()).collect();
    let linkage = link_new(
        &records,
        Previous {
            groups: &groups,
            components: &components,
        },
        weights,
        &constraints(store, &keys)?,
    );
    let persons = save(store, &ordered, &linkage)?;
    Ok(Linked {
        records: records.len(),
        new: new.len(),
        persons,
        candidates: linkage.candidates,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Whether imports link the patrons they bring (on unless turned off).
pub fn links_after_import(store: &dyn Store) -> Result<bool, Failure> {
    Ok(store.setting(AFTER_IMPORT)?.as_deref() != Some("off"))
}

pub fn print_linked(linked: &Linked, lang: jauge_model::Lang) {
    let new = if linked.new == linked.records {
        String::new()
    } else {
        format!(
            " ({} new or changed)",
            format::count(linked.new as u64, lang)
        )
    };
    println!(
        "{} patron records{new} linked into {} persons ({} pairs compared, {:.1} s)",
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
        .ok_or_else(|| {
            Failure::user(
                format!("il n'y a pas de spectateur {key}"),
                format!("there is no patron {key}"),
            )
        })
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
        PatronsCommand::Link => print_linked(&link_all(&mut *store)?, cli.lang),
        PatronsCommand::AfterImport { switch } => {
            store.set_setting(AFTER_IMPORT, switch)?;
            store.audit("cli", "setting", &format!("{AFTER_IMPORT} = {switch}"))?;
            println!("linking after each import: {switch}");
        }
        PatronsCommand::Explain { a, b } => {
            let (a, b) = (key(a)?, key(b)?);
            let identities: Vec<PatronIdentity> =
                store.identities()?.into_iter().map(|(i, _)| i).collect();
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
            print_linked(&link_all(&mut *store)?, cli.lang);
        }
        PatronsCommand::Show { key: wanted } => {
            let wanted = key(wanted)?;
            let persons = store.persons()?;
            let Some(link) = persons.iter().find(|p| p.patron == wanted) else {
                return Err(Failure::user(
                    format!(
                        "{wanted} n'est encore rattaché à aucune personne : lancez \
                         `jauge patrons link`"
                    ),
                    format!("{wanted} is in no person yet: run `jauge patrons link`"),
                ));
            };
            let identities = store.identities()?;
            store.audit("cli", "identity read", &format!("the person of {wanted}"))?;
            let plain: Vec<PatronIdentity> = identities.iter().map(|(i, _)| i.clone()).collect();
            let members: Vec<(Record, i64)> = persons
                .iter()
                .filter(|p| p.person == link.person)
                .map(|p| {
                    let batch = identities
                        .iter()
                        .find(|(i, _)| i.key.as_ref() == Some(&p.patron))
                        .map_or(0, |(_, b)| b.0);
                    identity_of(&plain, &p.patron).map(|i| (Record::from_identity(i), batch))
                })
                .collect::<Result<_, _>>()?;
            let refs: Vec<(&Record, i64)> = members.iter().map(|(r, b)| (r, *b)).collect();
            let g = golden(link.person.as_str(), &refs);
            let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
            println!(
                "person {}: {} {} · {} · {} · {} {} · {}",
                link.person,
                text(&g.first_name),
                text(&g.last_name),
                text(&g.email),
                text(&g.phone),
                text(&g.postcode),
                text(&g.city),
                g.birth_year.map_or("—".to_owned(), |y| y.to_string()),
            );
            for (r, _) in &members {
                let key: PatronKey = r
                    .key
                    .parse()
                    .map_err(|e: jauge_model::InvalidValue| Failure::Internal(e.into()))?;
                println!("  {}", describe(identity_of(&plain, &key)?));
            }
        }
    }
    Ok(())
}
