//! `jauge sibil`: the quarterly SIBIL declaration — built and checked from the store, written
//! for people (summary, CSV) and for the API (JSON), sent, and followed quarter by quarter.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::Utc;
use jauge_model::{Discipline, Lang, VenueSetup};
use jauge_sibil::client::{Credentials, Retry, Sent};
use jauge_sibil::from_store::{DOMAIN_SETTING, domains, gather, states};
use jauge_sibil::{Quarter, QuarterState, output};
use jauge_store::{DeclarationRecord, Store};

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct SibilArgs {
    #[command(subcommand)]
    command: SibilCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SibilCommand {
    /// Build a quarter's declaration and check it: writes the summary, the CSV for entering it
    /// by hand and the JSON SIBIL's API takes.
    Build {
        /// The quarter, such as 2026-Q3.
        #[arg(long, value_parser = parse_quarter)]
        quarter: Quarter,
        /// Where to write the files (default: sibil-QUARTER).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Send a quarter's declaration to SIBIL: each performance's is created, or updated when
    /// SIBIL already holds it. The password is read from JAUGE_SIBIL_PASSWORD, never stored.
    Submit {
        #[arg(long, value_parser = parse_quarter)]
        quarter: Quarter,
        /// SIBIL's address (kept for next time).
        #[arg(long, env = "JAUGE_SIBIL_URL")]
        url: Option<String>,
        /// The SIBIL account's user name (kept for next time).
        #[arg(long, env = "JAUGE_SIBIL_USER")]
        user: Option<String>,
    },
    /// Which quarters are open, due, sent or late.
    Status,
    /// Show the SIBIL domain each discipline is declared under, or set one's.
    Domain {
        /// The discipline (code or label), such as music.
        discipline: Option<String>,
        /// SIBIL's label for its domain, such as "Musiques actuelles".
        label: Option<String>,
    },
}

fn parse_quarter(s: &str) -> Result<Quarter, String> {
    s.parse()
        .map_err(|e: jauge_sibil::BadQuarter| e.to_string())
}

fn setup_of(store: &dyn Store) -> Result<VenueSetup, Failure> {
    store.setup()?.ok_or_else(Failure::no_venue)
}

pub fn run(cli: &Cli, args: &SibilArgs) -> Result<(), Failure> {
    let lang = cli.lang;
    let fr = lang == Lang::Fr;
    let mut store = crate::summary::open_existing(&cli.db)?;
    let setup = setup_of(&*store)?;
    match &args.command {
        SibilCommand::Build { quarter, out } => {
            let built = gather(&*store, &setup, *quarter)?;
            let dir = out
                .clone()
                .unwrap_or_else(|| PathBuf::from(format!("sibil-{quarter}")));
            std::fs::create_dir_all(&dir).map_err(|e| Failure::cannot_create(&dir, e))?;
            let summary = output::summary(&built, lang);
            let files = [
                ("declaration.json", output::json(&built)),
                ("declaration.csv", output::csv(&built)),
                (
                    if fr { "resume.txt" } else { "summary.txt" },
                    summary.clone(),
                ),
            ];
            for (name, text) in &files {
                let path = dir.join(name);
                std::fs::write(&path, text).map_err(|e| Failure::cannot_write(&path, e))?;
            }
            print!("{summary}");
            println!(
                "\n{} {}",
                if fr {
                    "Fichiers écrits dans"
                } else {
                    "Files written in"
                },
                dir.display()
            );
            Ok(())
        }
        SibilCommand::Submit { quarter, url, user } => {
            let built = gather(&*store, &setup, *quarter)?;
            if built.blocked() {
                print!("{}", output::summary(&built, lang));
                return Err(Failure::user(
                    format!(
                        "la déclaration {quarter} a d'abord des problèmes à corriger (listés \
                         ci-dessus) ; rien n'a été envoyé"
                    ),
                    format!(
                        "the {quarter} declaration has problems to correct first (listed above); \
                         nothing was sent"
                    ),
                ));
            }
            let setting = |key: &str, given: &Option<String>| -> Result<String, Failure> {
                match given {
                    Some(value) => Ok(value.clone()),
                    None => store.setting(key)?.ok_or_else(|| {
                        if key.ends_with("url") {
                            Failure::user(
                                "l'adresse de SIBIL n'est pas encore connue : indiquez-la avec \
                                 --url (elle est gardée pour la prochaine fois)",
                                "SIBIL's address is not known yet: give it with --url (it is kept \
                                 for next time)",
                            )
                        } else {
                            Failure::user(
                                "le nom d'utilisateur SIBIL n'est pas encore connu : indiquez-le \
                                 avec --user (il est gardé pour la prochaine fois)",
                                "SIBIL's user name is not known yet: give it with --user (it is \
                                 kept for next time)",
                            )
                        }
                    }),
                }
            };
            let credentials = Credentials {
                url: setting("sibil.url", url)?,
                username: setting("sibil.user", user)?,
                password: std::env::var("JAUGE_SIBIL_PASSWORD").map_err(|_| {
                    Failure::user(
                        "donnez le mot de passe SIBIL dans la variable d'environnement \
                         JAUGE_SIBIL_PASSWORD (il n'est jamais enregistré)",
                        "set the SIBIL password in the environment variable JAUGE_SIBIL_PASSWORD \
                         (it is never stored)",
                    )
                })?,
            };
            store.set_setting("sibil.url", &credentials.url)?;
            store.set_setting("sibil.user", &credentials.username)?;
            let known: BTreeMap<String, i64> = store
                .declarations()?
                .into_iter()
                .filter_map(|r| Some((r.external_id, r.sibil_id?)))
                .collect();
            let retry = std::env::var("JAUGE_SIBIL_RETRY_MS")
                .ok()
                .and_then(|ms| ms.parse().ok())
                .map_or_else(Retry::default, |ms| Retry {
                    attempts: 4,
                    first_wait: std::time::Duration::from_millis(ms),
                });
            let results =
                jauge_sibil::client::submit(&credentials, retry, &built.declarations, &known)
                    .map_err(Failure::untranslated)?;
            let now = Utc::now();
            let performance_of: BTreeMap<&str, i64> = built
                .declarations
                .iter()
                .map(|d| (d.id_ext_billetterie.as_str(), d.performance))
                .collect();
            let mut records = Vec::new();
            let (mut created, mut updated, mut failed) = (0, 0, Vec::new());
            for (external, sent) in &results {
                let (sibil_id, ok, message) = match sent {
                    Sent::Created { sibil_id } => {
                        created += 1;
                        (Some(*sibil_id), true, None)
                    }
                    Sent::Updated { sibil_id } => {
                        updated += 1;
                        (Some(*sibil_id), true, None)
                    }
                    Sent::Failed { message } => {
                        failed.push(format!("{external}: {message}"));
                        (None, false, Some(message.clone()))
                    }
                };
                records.push(DeclarationRecord {
                    external_id: external.clone(),
                    performance: performance_of[external.as_str()],
                    quarter: quarter.to_string(),
                    sibil_id,
                    sent: ok,
                    message,
                    at: now,
                });
            }
            store.record_declarations(&records)?;
            store.audit(
                "cli",
                "sibil submit",
                &format!(
                    "{quarter} to {}: {created} created, {updated} updated, {} failed",
                    credentials.url,
                    failed.len()
                ),
            )?;
            println!(
                "{quarter} : {created} {}, {updated} {}, {} {}.",
                if fr { "créée(s)" } else { "created" },
                if fr { "mise(s) à jour" } else { "updated" },
                failed.len(),
                if fr { "en échec" } else { "failed" },
            );
            if failed.is_empty() {
                Ok(())
            } else {
                let (count, list) = (failed.len(), failed.join("\n  "));
                Err(Failure::user(
                    format!(
                        "SIBIL a refusé {count} déclaration(s) :\n  {list}\nCorrigez-les et \
                         relancez `jauge sibil submit --quarter {quarter}` : ce qui a déjà été \
                         envoyé est mis à jour, pas dupliqué"
                    ),
                    format!(
                        "SIBIL refused {count} declaration(s):\n  {list}\nCorrect them and run \
                         `jauge sibil submit --quarter {quarter}` again: what was sent is \
                         updated, not duplicated"
                    ),
                ))
            }
        }
        SibilCommand::Status => {
            let today = Utc::now()
                .with_timezone(&setup.venue.time_zone)
                .date_naive();
            let rows = states(&*store, &setup, today)?;
            if rows.is_empty() {
                println!(
                    "{}",
                    if fr {
                        "Aucune représentation à déclarer."
                    } else {
                        "No performance to declare."
                    }
                );
            }
            for (quarter, state, to_declare, sent) in rows {
                let state = match state {
                    QuarterState::Open => if fr { "en cours" } else { "under way" }.to_owned(),
                    QuarterState::Sent => if fr { "envoyé" } else { "sent" }.to_owned(),
                    QuarterState::Due { deadline } => format!(
                        "{} {}",
                        if fr { "à envoyer avant le" } else { "due by" },
                        jauge_report::format::date(deadline, lang)
                    ),
                    QuarterState::Late { deadline } => format!(
                        "{} {}",
                        if fr {
                            "EN RETARD : date limite"
                        } else {
                            "LATE: deadline"
                        },
                        jauge_report::format::date(deadline, lang)
                    ),
                };
                println!(
                    "{quarter}  {sent}/{to_declare} {}  {state}",
                    if fr { "envoyées" } else { "sent" }
                );
            }
            Ok(())
        }
        SibilCommand::Domain { discipline, label } => {
            match (discipline, label) {
                (Some(discipline), Some(label)) => {
                    let discipline: Discipline = discipline.parse().map_err(|_| {
                        let disciplines = Discipline::ALL.map(Discipline::code).join(", ");
                        Failure::user(
                            format!(
                                "« {discipline} » n'est pas une discipline ; au choix : \
                                 {disciplines}"
                            ),
                            format!("{discipline:?} is not a discipline; one of: {disciplines}"),
                        )
                    })?;
                    store.set_setting(
                        &format!("{DOMAIN_SETTING}{}", discipline.code()),
                        label.trim(),
                    )?;
                    store.audit(
                        "cli",
                        "setting",
                        &format!("{DOMAIN_SETTING}{} = {}", discipline.code(), label.trim()),
                    )?;
                }
                (Some(_), None) => {
                    return Err(Failure::user(
                        "donnez aussi l'intitulé SIBIL, par exemple : jauge sibil domain music \
                         \"Musiques actuelles\"",
                        "give SIBIL's label too, such as: jauge sibil domain music \
                         \"Musiques actuelles\"",
                    ));
                }
                _ => {}
            }
            let mapping = domains(&*store)?;
            for d in Discipline::ALL {
                println!(
                    "{:<20} {}",
                    d.label(lang),
                    mapping.0.get(&d).map_or(
                        if fr {
                            "— (aucun domaine SIBIL)"
                        } else {
                            "— (no SIBIL domain)"
                        },
                        String::as_str
                    )
                );
            }
            Ok(())
        }
    }
}
