//! The emailing tool: newsletter contacts (buyers who opted in, and prospects who signed up at
//! the venue or online), their consents, and monthly campaigns with opens, clicks, bounces and
//! unsubscribes.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use jauge_model::{
    Campaign, CampaignEvent, CampaignEventKind, Consent, ConsentChannel, ConsentPurpose,
    ConsentStatus, Dataset, PatronIdentity, PatronKey, Season, SourceKind, SourceName,
};
use rand::Rng;

use crate::TruthRecord;
use crate::people::{Population, Spelling, identity, variant};

pub(crate) const EMAILING_SOURCE: &str = "emailing";
const SIGNUP_PROOF: &str =
    "Formulaire d'inscription à la lettre d'information, case non pré-cochée";
const UNSUBSCRIBE_PROOF: &str = "Lien de désinscription";

/// One contact of the emailing tool.
#[derive(Debug, Clone)]
pub(crate) struct Contact {
    pub id: u32,
    pub person: usize,
    pub spelling: Spelling,
    pub signed_up: DateTime<Utc>,
    pub unsubscribed: Option<DateTime<Utc>>,
}

impl Contact {
    pub(crate) fn key(&self) -> PatronKey {
        format!("{EMAILING_SOURCE}-{}", self.id)
            .parse()
            .expect("keys are ASCII")
    }
}

fn subscribed_at(c: &Contact, at: DateTime<Utc>) -> bool {
    c.signed_up <= at && c.unsubscribed.is_none_or(|u| u > at)
}

/// How the emailing tool holds someone: surnames in capitals (as its import screen asks), the
/// address in lower case, and now and then an older address or a slip.
fn as_contact(rng: &mut impl Rng, s: &Spelling) -> Spelling {
    let mut c = if rng.random_bool(0.12) {
        variant(rng, s)
    } else {
        s.clone()
    };
    if rng.random_bool(0.6) {
        c.last = c.last.to_uppercase();
    }
    c.email = c
        .email
        .map(|e| e.to_lowercase())
        .or_else(|| s.email.clone());
    c.phone = None;
    c.birth_year = None;
    c
}

pub(crate) fn simulate(
    rng: &mut impl Rng,
    population: &mut Population,
    first_purchase: &[Option<DateTime<Utc>>],
    seasons: &[Season],
    scale: f64,
    as_of: DateTime<Utc>,
) -> (Dataset, Vec<TruthRecord>) {
    // Buyers who said yes to the newsletter at their first purchase.
    let mut signups: Vec<(DateTime<Utc>, usize)> = first_purchase
        .iter()
        .enumerate()
        .filter_map(|(p, at)| {
            at.filter(|_| population.people[p].newsletter_minded)
                .map(|at| (at, p))
        })
        .collect();

    // Prospects who signed up without buying (yet).
    let tz = chrono_tz::Europe::Paris;
    let first_day = seasons[0].first_day();
    let span_days = (as_of.date_naive() - first_day).num_days().max(1);
    let prospects = (2000.0 * scale).round() as usize;
    for _ in 0..prospects {
        let day = first_day + chrono::Days::new(rng.random_range(0..span_days) as u64);
        let season = seasons.iter().position(|s| s.contains(day)).unwrap_or(0);
        let p = population.create(rng, season, seasons[season].start_year());
        if population.people[p].account.spelling.email.is_none() {
            continue;
        }
        let at = local(tz, day, rng.random_range(8..23), rng.random_range(0..60));
        signups.push((at, p));
    }
    signups.sort();

    let mut contacts: Vec<Contact> = signups
        .into_iter()
        .enumerate()
        .map(|(n, (signed_up, person))| {
            let spelling = as_contact(rng, &population.people[person].account.spelling);
            let unsubscribed = rng.random_bool(0.05).then(|| {
                let days = (as_of - signed_up).num_days().max(1);
                signed_up + Duration::days(rng.random_range(0..days))
            });
            Contact {
                id: n as u32 + 1,
                person,
                spelling,
                signed_up,
                unsubscribed,
            }
        })
        .collect();

    // A newsletter on the 5th of every month of the last two seasons but July and August, and
    // the season's launch in late June.
    let mut sends: Vec<(DateTime<Utc>, String)> = Vec::new();
    let mut month = seasons[seasons.len().saturating_sub(2)].first_day();
    while month < as_of.date_naive() {
        if !matches!(month.month(), 7 | 8) {
            sends.push((
                local(tz, month.with_day(5).expect("5th"), 10, 0),
                newsletter_name(month),
            ));
        }
        if month.month() == 6 {
            let next = Season::containing(month, seasons[0].start_month()).next();
            sends.push((
                local(tz, month.with_day(20).expect("20th"), 18, 0),
                format!("Ouverture de la billetterie {}", next.label()),
            ));
        }
        month = month
            .checked_add_months(chrono::Months::new(1))
            .expect("dates are small");
    }
    sends.retain(|(at, _)| *at < as_of);

    let mut campaigns = Vec::new();
    for (n, (sent_at, name)) in sends.into_iter().enumerate() {
        let mut events = Vec::with_capacity(
            contacts
                .iter()
                .filter(|c| subscribed_at(c, sent_at))
                .count()
                / 2,
        );
        for c in contacts.iter_mut() {
            if !subscribed_at(c, sent_at) {
                continue;
            }
            let key = c.key();
            let event = |kind, minutes: i64| CampaignEvent {
                patron: key.clone(),
                kind,
                at: sent_at + Duration::minutes(minutes),
            };
            if rng.random_bool(0.015) {
                events.push(event(CampaignEventKind::Bounced, 1));
                continue;
            }
            if rng.random_bool(0.4) {
                let opened = rng.random_range(3..(3 * 24 * 60));
                events.push(event(CampaignEventKind::Opened, opened));
                if rng.random_bool(0.16) {
                    events.push(event(
                        CampaignEventKind::Clicked,
                        opened + rng.random_range(0..5),
                    ));
                }
                if rng.random_bool(0.01) {
                    events.push(event(CampaignEventKind::Unsubscribed, opened + 1));
                    let at = sent_at + Duration::minutes(opened + 1);
                    if c.unsubscribed.is_none_or(|u| u > at) {
                        c.unsubscribed = Some(at);
                    }
                }
            }
        }
        campaigns.push(Campaign {
            id: format!("CAMP-{:03}", n + 1).parse().expect("valid"),
            name: name.parse().expect("names are not empty"),
            sent_at,
            events,
        });
    }

    let source: SourceName = EMAILING_SOURCE.parse().expect("valid");
    let mut d = Dataset::new(
        source.clone(),
        SourceKind::EmailingExport,
        "emailing_contacts.csv",
    );
    let mut truth = Vec::new();
    d.patrons.reserve_exact(contacts.len());
    // Contacts are consumed: their spellings move into the identities.
    for c in contacts {
        let key = c.key();
        let mut id: PatronIdentity = identity(key.clone(), c.spelling);
        id.country = None;
        d.patrons.push(id);
        d.consents.push(Consent {
            patron: key.clone(),
            channel: ConsentChannel::Email,
            purpose: ConsentPurpose::Newsletter,
            status: ConsentStatus::Given,
            at: c.signed_up,
            source: source.clone(),
            proof: SIGNUP_PROOF.into(),
        });
        if let Some(at) = c.unsubscribed {
            d.consents.push(Consent {
                patron: key.clone(),
                channel: ConsentChannel::Email,
                purpose: ConsentPurpose::Newsletter,
                status: ConsentStatus::Withdrawn,
                at,
                source: source.clone(),
                proof: UNSUBSCRIBE_PROOF.into(),
            });
        }
        truth.push(TruthRecord {
            source: source.clone(),
            patron: key,
            person: population.people[c.person].id,
        });
    }
    d.campaigns = campaigns;
    (d, truth)
}

fn newsletter_name(month: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    format!(
        "Lettre d'information — {} {}",
        MONTHS[month.month0() as usize],
        month.year()
    )
}

fn local(tz: chrono_tz::Tz, day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    tz.from_local_datetime(&day.and_hms_opt(hour, minute, 0).expect("valid time"))
        .earliest()
        .expect("daytime exists")
        .with_timezone(&Utc)
}
