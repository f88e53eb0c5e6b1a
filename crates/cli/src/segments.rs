//! `jauge segments`: how many people each loyalty segment holds in a season; `jauge segments
//! export`: a segment's people who may be contacted on a channel, as a CSV for emailing tools.
//! Only people whose latest consent for that channel and purpose is given are written; the
//! export is recorded in the audit log.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::Utc;
use jauge_analytics::audience::{SEGMENTS, Segment, segment};
use jauge_model::{ConsentChannel, ConsentPurpose, Lang, PatronKey, Season};
use jauge_privacy::{ConsentEvent, consenting};
use jauge_store::Store;

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct SegmentsArgs {
    #[command(subcommand)]
    command: Option<SegmentsCommand>,
    /// The season, such as 2025-2026 (default: the current one).
    #[arg(long, global = true)]
    season: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
enum SegmentsCommand {
    /// How well the lapse probability foretold who came back for the season: trained on the
    /// season before's returns, tested on this one's; AUC, Brier score, reliability table.
    Backtest,
    /// Write a segment's people who may be contacted on CHANNEL for PURPOSE, as CSV.
    Export {
        /// The segment: subscriber, first-timer, regular, occasional, absent, lapsed or lost.
        segment: String,
        /// email, sms, post or phone.
        #[arg(long)]
        channel: String,
        /// newsletter, offers or partner_offers.
        #[arg(long, default_value = "newsletter")]
        purpose: String,
        /// Where to write the CSV (default: segment-SEGMENT-CHANNEL.csv).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn season_of(store: &dyn Store, wanted: Option<&str>) -> Result<Season, Failure> {
    let setup = store.setup()?.ok_or_else(Failure::no_venue)?;
    let start = setup.venue.season_start;
    match wanted {
        Some(label) => Season::parse(label, start).map_err(Failure::untranslated),
        None => Ok(Season::containing(
            Utc::now()
                .with_timezone(&setup.venue.time_zone)
                .date_naive(),
            start,
        )),
    }
}

/// Each person's RFM code at the end of `season`, and their probability of not coming back
/// the season after (from a model trained on who came back for `season`; none without the
/// seasons to learn it).
fn person_scores(
    store: &dyn Store,
    season: Season,
) -> Result<HashMap<PatronKey, (String, Option<f64>)>, Failure> {
    use jauge_forecast::lapse::{LapseModel, season_features};
    let year = season.start_year();
    let people: Vec<(PatronKey, Vec<jauge_analytics::audience::PersonSeason>)> = store
        .person_seasons()?
        .into_iter()
        .filter(|(_, h)| h.first().is_some_and(|f| f.season <= year))
        .collect();
    let spend: HashMap<PatronKey, (u64, jauge_model::Cents)> = store
        .spend_by_person(Season::starting(year - 2, season.start_month()), season)?
        .into_iter()
        .map(|(who, tickets, cents)| (who, (tickets, cents)))
        .collect();
    let values: Vec<(f64, f64, f64)> = people
        .iter()
        .map(|(who, h)| {
            let last = h
                .iter()
                .map(|s| s.season)
                .filter(|s| *s <= year)
                .max()
                .unwrap_or(year);
            let (tickets, cents) = spend.get(who).copied().unwrap_or_default();
            (f64::from(year - last), tickets as f64, cents.get() as f64)
        })
        .collect();
    let rfm = jauge_analytics::audience::rfm_scores(&values);
    // Trained on who came back for this season, seen at the end of the one before.
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (_, h) in &people {
        if let Some(f) = season_features(h, year - 1) {
            x.push(f);
            y.push(!h.iter().any(|s| s.season == year));
        }
    }
    let model = (x.len() >= 20 && y.iter().any(|l| *l) && y.iter().any(|l| !*l))
        .then(|| LapseModel::fit(&x, &y));
    Ok(people
        .iter()
        .zip(rfm)
        .map(|((who, h), scores)| {
            let lapse = model
                .as_ref()
                .and_then(|m| Some(m.predict(&season_features(h, year)?)));
            (who.clone(), (scores.code(), lapse))
        })
        .collect())
}

pub fn run(cli: &Cli, args: &SegmentsArgs) -> Result<(), Failure> {
    let lang = cli.lang;
    let fr = lang == Lang::Fr;
    let mut store = crate::summary::open_existing(&cli.db)?;
    let season = season_of(&*store, args.season.as_deref())?;
    match &args.command {
        None => {
            let audience = store.season_audience(season)?;
            println!(
                "{} {}",
                if fr {
                    "Segments de fidélité"
                } else {
                    "Loyalty segments"
                },
                season.label()
            );
            for s in SEGMENTS {
                println!(
                    "  {:<22} {:>8}  ({})",
                    s.label(lang),
                    audience.segment(s),
                    s.code()
                );
            }
            Ok(())
        }
        Some(SegmentsCommand::Backtest) => {
            let people: Vec<_> = store
                .person_seasons()?
                .into_iter()
                .map(|(_, history)| history)
                .collect();
            let Some((scores, lapsed)) =
                jauge_forecast::lapse::season_backtest(&people, season.start_year())
            else {
                let season = season.label();
                return Err(Failure::user(
                    format!(
                        "le backtest des départs de {season} demande des acheteurs dans les deux \
                         saisons qui la précèdent"
                    ),
                    format!(
                        "the lapse backtest of {season} needs buyers in the two seasons before it"
                    ),
                ));
            };
            use jauge_forecast::lapse::{auc, brier, reliability};
            let base = lapsed.iter().filter(|l| **l).count() as f64 / lapsed.len() as f64;
            println!(
                "{} {} : {} {}, {:.1} % {}",
                if fr {
                    "Départs prévus pour"
                } else {
                    "Lapses foretold for"
                },
                season.label(),
                scores.len(),
                if fr { "personnes" } else { "people" },
                base * 100.0,
                if fr {
                    "ne sont pas revenues"
                } else {
                    "did not come back"
                }
            );
            println!("  AUC   {:.3}", auc(&scores, &lapsed));
            println!(
                "  Brier {:.4} ({} {:.4})",
                brier(&scores, &lapsed),
                if fr {
                    "sans modèle :"
                } else {
                    "without a model:"
                },
                brier(&vec![base; scores.len()], &lapsed)
            );
            for r in reliability(&scores, &lapsed, 10) {
                println!(
                    "  [{:.1}, {:.1})  {:.3} → {:.3}  ({})",
                    r.from, r.to, r.predicted, r.observed, r.count
                );
            }
            Ok(())
        }
        Some(SegmentsCommand::Export {
            segment: wanted,
            channel,
            purpose,
            out,
        }) => {
            let wanted: Segment = wanted.parse().map_err(Failure::untranslated)?;
            let channel: ConsentChannel = channel.parse().map_err(Failure::untranslated)?;
            let purpose: ConsentPurpose = purpose.parse().map_err(Failure::untranslated)?;
            let people: Vec<PatronKey> = store
                .person_seasons()?
                .into_iter()
                .filter(|(_, history)| segment(history, season.start_year()) == Some(wanted))
                .map(|(person, _)| person)
                .collect();
            let person_of: HashMap<PatronKey, PatronKey> = store
                .persons()?
                .into_iter()
                .map(|p| (p.patron, p.person))
                .collect();
            let events: Vec<ConsentEvent> = store
                .consents(channel, purpose)?
                .into_iter()
                .map(|c| ConsentEvent {
                    patron: c.patron,
                    status: c.status,
                    at: c.at,
                })
                .collect();
            let identities: HashMap<PatronKey, jauge_model::PatronIdentity> = store
                .identities()?
                .into_iter()
                .filter_map(|(identity, _)| Some((identity.key.clone()?, identity)))
                .collect();
            // The soft opt-in, when the venue turned it on: customers of the last years who
            // never objected may receive e-mails about similar offers.
            let soft = channel == ConsentChannel::Email
                && store.setting("privacy.soft_opt_in")?.as_deref() == Some("on");
            let reachable = if soft {
                let years: i32 = store
                    .setting("privacy.retention.customer_years")?
                    .and_then(|y| y.trim().parse().ok())
                    .unwrap_or(3);
                let since = Utc::now() - chrono::Duration::days(365 * i64::from(years));
                let mut customers: std::collections::BTreeMap<PatronKey, PatronKey> =
                    Default::default();
                for r in store.activity()? {
                    let recent = r.last_purchase.is_some_and(|at| at >= since);
                    let reachable = identities.get(&r.patron).is_some_and(|i| i.email.is_some());
                    if recent && reachable {
                        customers.entry(r.person).or_insert(r.patron);
                    }
                }
                jauge_privacy::consenting_or_customers(&events, &person_of, &customers)
            } else {
                consenting(&events, &person_of)
            };
            let path = out.clone().unwrap_or_else(|| {
                PathBuf::from(format!("segment-{}-{}.csv", wanted.code(), channel.code()))
            });
            let mut csv = csv::Writer::from_writer(Vec::new());
            let contact = match channel {
                ConsentChannel::Email => "email",
                ConsentChannel::Sms | ConsentChannel::Phone => "phone",
                ConsentChannel::Post => "address",
            };
            let scores = person_scores(&*store, season)?;
            let _ = csv.write_record([
                contact,
                "first_name",
                "last_name",
                "postcode",
                "city",
                "rfm",
                "lapse_probability",
            ]);
            let mut written = 0;
            for person in &people {
                let Some(record) = reachable.get(person) else {
                    continue;
                };
                let Some(identity) = identities.get(record) else {
                    continue;
                };
                let address = match channel {
                    ConsentChannel::Email => identity.email.as_ref().map(|e| e.to_string()),
                    ConsentChannel::Sms | ConsentChannel::Phone => {
                        identity.phone.as_ref().map(|p| p.to_string())
                    }
                    ConsentChannel::Post => identity.address.as_ref().map(|a| a.to_string()),
                };
                let Some(address) = address else {
                    continue;
                };
                let text = |v: &Option<_>| v.as_ref().map(ToString::to_string).unwrap_or_default();
                let (rfm, lapse) = scores.get(person).cloned().unwrap_or_default();
                let _ = csv.write_record([
                    address,
                    text(&identity.first_name),
                    text(&identity.last_name),
                    text(&identity.postcode),
                    text(&identity.city),
                    rfm,
                    lapse.map_or(String::new(), |p| format!("{p:.3}")),
                ]);
                written += 1;
            }
            let bytes = csv
                .into_inner()
                .map_err(|e| Failure::Internal(e.into_error().into()))?;
            std::fs::write(&path, bytes).map_err(|e| Failure::cannot_write(&path, e))?;
            store.audit(
                "cli",
                "segment export",
                &format!(
                    "{} {}, {}/{}{}: {written} of {} people, to {}",
                    wanted.code(),
                    season.label(),
                    channel.code(),
                    purpose.code(),
                    if soft { " with the soft opt-in" } else { "" },
                    people.len(),
                    path.display()
                ),
            )?;
            println!(
                "{written} {} {} {} → {} ({} {})",
                if fr { "personne(s) sur" } else { "people of" },
                people.len(),
                wanted.label(lang),
                path.display(),
                people.len() - written,
                if fr {
                    "laissée(s) de côté : sans consentement valide ou sans coordonnée"
                } else {
                    "left out: no valid consent or no address"
                }
            );
            Ok(())
        }
    }
}
