//! `jauge privacy`: the subject's rights and retention — `access` writes everything held about
//! a person (JSON and a page to read), `erase` removes their identity everywhere it lives (the
//! facts stay, anonymous), `retention` shows whose identity the policy says to remove and
//! `--apply` removes it. Each is recorded in the audit log, without personal data.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;
use std::path::PathBuf;

use chrono::Utc;
use jauge_model::{Lang, PatronKey};
use jauge_privacy::{Activity, Expiry, RetentionPolicy, to_anonymise};
use jauge_report::chart::escape;
use jauge_store::Store;

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct PrivacyArgs {
    #[command(subcommand)]
    command: PrivacyCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PrivacyCommand {
    /// Write everything held about a person, as JSON and as a page to read.
    Access {
        /// The person: one of their patron keys, or their email.
        person: String,
        /// Where to write the two files (default: this folder).
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Remove a person's identity everywhere it lives; their tickets and orders stay, anonymous.
    Erase {
        /// The person: one of their patron keys, or their email.
        person: String,
    },
    /// Show whose identity the retention policy says to remove; `--apply` removes it.
    Retention {
        #[arg(long)]
        apply: bool,
    },
}

/// The setting of the linkage model, which keeps the last names it has seen.
const LINKAGE_MODEL: &str = crate::patrons::MODEL;

/// All the records of the person `who` names (a patron key or an email): their linked records
/// too.
fn records_of(store: &dyn Store, who: &str) -> Result<Vec<PatronKey>, Failure> {
    let persons = store.persons()?;
    let person_of: HashMap<PatronKey, PatronKey> = persons
        .iter()
        .map(|p| (p.patron.clone(), p.person.clone()))
        .collect();
    let person = |k: &PatronKey| person_of.get(k).unwrap_or(k).clone();
    let wanted = who.trim().to_lowercase();
    let identities = store.identities()?;
    let named: BTreeSet<PatronKey> = identities
        .iter()
        .filter_map(|(i, _)| {
            let key = i.key.clone()?;
            let by_email = i
                .email
                .as_ref()
                .is_some_and(|e| e.to_string().to_lowercase() == wanted);
            (key.as_str() == who.trim() || by_email).then(|| person(&key))
        })
        .collect();
    if named.is_empty() {
        return Err(Failure::user(
            format!(
                "aucune fiche spectateur n'a pour clé ou pour courriel « {who} » : \
                 `jauge patrons show` montre les clés"
            ),
            format!(
                "no patron record has the key or the email {who:?}: see `jauge patrons show` for \
                 keys"
            ),
        ));
    }
    let mut records: BTreeSet<PatronKey> = identities
        .iter()
        .filter_map(|(i, _)| i.key.clone())
        .filter(|k| named.contains(&person(k)))
        .collect();
    records.extend(named);
    Ok(records.into_iter().collect())
}

pub fn run(cli: &Cli, args: &PrivacyArgs) -> Result<(), Failure> {
    let fr = cli.lang == Lang::Fr;
    let mut store = crate::summary::open_existing(&cli.db)?;
    match &args.command {
        PrivacyCommand::Access { person, out } => {
            let records = records_of(&*store, person)?;
            let data = store.subject_data(&records)?;
            std::fs::create_dir_all(out).map_err(|e| Failure::cannot_create(out, e))?;
            let name = format!("acces-{}", records[0]);
            let json =
                serde_json::to_string_pretty(&data).map_err(|e| Failure::Internal(e.into()))?;
            let page = page(&data, cli.lang);
            for (file, text) in [
                (format!("{name}.json"), json),
                (format!("{name}.html"), page),
            ] {
                let path = out.join(file);
                std::fs::write(&path, text).map_err(|e| Failure::cannot_write(&path, e))?;
                println!("{}", path.display());
            }
            store.audit(
                "cli",
                "subject access",
                &format!("{} record(s) of one person", records.len()),
            )?;
            Ok(())
        }
        PrivacyCommand::Erase { person } => {
            let records = records_of(&*store, person)?;
            // The linkage model keeps the last names it saw: learnt again at the next linkage.
            let removed = store.erase(&records, &[LINKAGE_MODEL])?;
            store.audit(
                "cli",
                "erasure",
                &format!(
                    "{} record(s) of one person, {removed} row(s)",
                    records.len()
                ),
            )?;
            store.checkpoint()?;
            println!(
                "{} {}",
                records.len(),
                if fr {
                    "fiche(s) effacée(s) ; billets et commandes restent, anonymes."
                } else {
                    "record(s) erased; tickets and orders stay, anonymous."
                }
            );
            Ok(())
        }
        PrivacyCommand::Retention { apply } => {
            let policy = RetentionPolicy {
                customer_years: years(&*store, "privacy.retention.customer_years")?,
                prospect_years: years(&*store, "privacy.retention.prospect_years")?,
            };
            let activity: Vec<Activity> = store
                .activity()?
                .into_iter()
                .map(|r| Activity {
                    patron: r.patron,
                    person: r.person,
                    last_purchase: r.last_purchase,
                    last_contact: r.last_contact,
                    recorded_at: r.recorded_at,
                })
                .collect();
            let gone = to_anonymise(&activity, Utc::now(), policy);
            let customers = gone
                .iter()
                .filter(|g| matches!(g.2, Expiry::Customer { .. }))
                .count();
            println!(
                "{} : {} {} ({} {}, {} prospects ; {} {} / {} {})",
                if fr { "Conservation" } else { "Retention" },
                gone.len(),
                if fr {
                    "personne(s) à anonymiser"
                } else {
                    "people to anonymise"
                },
                customers,
                if fr { "clients" } else { "customers" },
                gone.len() - customers,
                policy.customer_years,
                if fr {
                    "ans après le dernier achat"
                } else {
                    "years after the last purchase"
                },
                policy.prospect_years,
                if fr {
                    "ans après le dernier contact"
                } else {
                    "years after the last contact"
                },
            );
            if *apply && !gone.is_empty() {
                let records: Vec<PatronKey> =
                    gone.iter().flat_map(|(_, keys, _)| keys.clone()).collect();
                let removed = store.erase(&records, &[LINKAGE_MODEL])?;
                store.audit(
                    "cli",
                    "retention",
                    &format!(
                        "{} people, {} record(s), {removed} row(s) anonymised",
                        gone.len(),
                        records.len()
                    ),
                )?;
                store.checkpoint()?;
                println!(
                    "{}",
                    if fr {
                        "Identités supprimées ; billets et commandes restent, anonymes."
                    } else {
                        "Identities removed; tickets and orders stay, anonymous."
                    }
                );
            } else if !apply && !gone.is_empty() {
                println!(
                    "{}",
                    if fr {
                        "Rien n'est encore supprimé : relancez avec --apply."
                    } else {
                        "Nothing removed yet: run again with --apply."
                    }
                );
            }
            Ok(())
        }
    }
}

/// A retention period from the settings, 3 years by default.
fn years(store: &dyn Store, key: &str) -> Result<u32, Failure> {
    match store.setting(key)? {
        None => Ok(3),
        Some(v) => v.trim().parse().map_err(|_| {
            Failure::user(
                format!("le réglage {key} vaut « {v} », pas un nombre d'années"),
                format!("the setting {key} is {v:?}, not a number of years"),
            )
        }),
    }
}

/// The subject's data as a page to read.
fn page(data: &jauge_store::SubjectData, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let mut body = format!(
        "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><title>{}</title><body><h1>{}</h1>",
        if fr { "fr" } else { "en" },
        if fr { "Vos données" } else { "Your data" },
        if fr {
            "Ce que nous conservons à votre sujet"
        } else {
            "What we hold about you"
        }
    );
    let _ = write!(
        body,
        "<h2>{}</h2><ul>",
        if fr { "Identité" } else { "Identity" }
    );
    for i in &data.identities {
        let fields = [
            i.first_name.as_ref().map(ToString::to_string),
            i.last_name.as_ref().map(ToString::to_string),
            i.email.as_ref().map(ToString::to_string),
            i.phone.as_ref().map(ToString::to_string),
            i.address.as_ref().map(ToString::to_string),
            i.postcode.as_ref().map(ToString::to_string),
            i.city.as_ref().map(ToString::to_string),
        ];
        let text: Vec<String> = fields.into_iter().flatten().collect();
        let _ = write!(body, "<li>{}</li>", escape(&text.join(", ")));
    }
    let _ = write!(
        body,
        "</ul><h2>{}</h2><ul>",
        if fr { "Consentements" } else { "Consents" }
    );
    for c in &data.consents {
        let _ = write!(
            body,
            "<li>{} {} : {} ({})</li>",
            escape(c.channel.code()),
            escape(c.purpose.code()),
            escape(c.status.code()),
            c.at.format("%Y-%m-%d")
        );
    }
    let _ = write!(
        body,
        "</ul><h2>{}</h2><ul>",
        if fr { "Achats" } else { "Purchases" }
    );
    for p in &data.purchases {
        let _ = write!(
            body,
            "<li>{} — {} ({}), {}, {}</li>",
            p.ordered_at.format("%Y-%m-%d"),
            escape(&p.show),
            p.performance_at.format("%Y-%m-%d"),
            escape(&p.tariff),
            escape(&jauge_report::format::money(p.amount, lang))
        );
    }
    let _ = write!(
        body,
        "</ul><h2>{}</h2><ul>",
        if fr { "Courriels" } else { "Emails" }
    );
    for (campaign, kind, at) in &data.campaign_events {
        let _ = write!(
            body,
            "<li>{} : {} ({})</li>",
            escape(campaign),
            escape(kind),
            at.format("%Y-%m-%d")
        );
    }
    body.push_str("</ul></body></html>");
    body
}
