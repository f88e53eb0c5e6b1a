//! Emailing campaigns: whom each reached (each person counted once per kind of event) and the
//! bookings attributed to it. An order goes to the campaign its buyer last clicked (or opened,
//! when opens count) before ordering, if that was within the attribution window (7 days by
//! default); an order with no such touch goes to none.

use chrono::{DateTime, Duration, Utc};
use jauge_model::{CampaignEventKind, Cents};

/// A campaign as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignSent {
    pub name: String,
    pub sent_at: DateTime<Utc>,
}

/// One recipient's event: the campaign (its index among those sent), the person (their linked
/// records as one), what happened and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    pub campaign: usize,
    pub person: String,
    pub kind: CampaignEventKind,
    pub at: DateTime<Utc>,
}

/// An order: who placed it, when, its valid tickets and what they cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub person: String,
    pub at: DateTime<Utc>,
    pub tickets: u64,
    pub revenue: Cents,
}

/// What campaign figures are computed from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CampaignFacts {
    pub campaigns: Vec<CampaignSent>,
    pub touches: Vec<Touch>,
    pub bookings: Vec<Booking>,
}

/// How bookings are attributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributionRule {
    /// How long after a click (or an open) an order still counts for the campaign.
    pub window: Duration,
    /// Whether an open counts as a touch, not only a click.
    pub opens: bool,
}

impl Default for AttributionRule {
    fn default() -> Self {
        AttributionRule {
            window: Duration::days(7),
            opens: false,
        }
    }
}

/// A campaign's figures: persons reached by each kind of event, and the orders attributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignResult {
    pub name: String,
    pub sent_at: DateTime<Utc>,
    /// Persons with any event of the campaign.
    pub recipients: u64,
    pub delivered: u64,
    pub opened: u64,
    pub clicked: u64,
    pub unsubscribed: u64,
    pub bounced: u64,
    pub complained: u64,
    pub orders: u64,
    pub tickets: u64,
    pub revenue: Cents,
}

impl CampaignResult {
    /// Persons who opened ÷ persons delivered; none when the export lists no delivery (many
    /// list only what recipients did).
    pub fn open_rate(&self) -> Option<f64> {
        (self.delivered > 0).then(|| self.opened as f64 / self.delivered as f64)
    }

    /// Persons who clicked ÷ persons delivered; none when the export lists no delivery.
    pub fn click_rate(&self) -> Option<f64> {
        (self.delivered > 0).then(|| self.clicked as f64 / self.delivered as f64)
    }
}

/// Each campaign's figures, in the order given, with the bookings attributed under `rule`.
pub fn campaign_results(facts: &CampaignFacts, rule: AttributionRule) -> Vec<CampaignResult> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut reached: Vec<BTreeMap<&str, BTreeSet<CampaignEventKind>>> =
        vec![BTreeMap::new(); facts.campaigns.len()];
    // Each person's touches that can win an order, in time order.
    let mut touches: BTreeMap<&str, Vec<(DateTime<Utc>, usize)>> = BTreeMap::new();
    for t in &facts.touches {
        let Some(kinds) = reached.get_mut(t.campaign) else {
            continue;
        };
        kinds.entry(&t.person).or_default().insert(t.kind);
        if t.kind == CampaignEventKind::Clicked
            || (rule.opens && t.kind == CampaignEventKind::Opened)
        {
            touches
                .entry(&t.person)
                .or_default()
                .push((t.at, t.campaign));
        }
    }
    for list in touches.values_mut() {
        list.sort();
    }
    let mut attributed = vec![(0u64, 0u64, Cents::ZERO); facts.campaigns.len()];
    for b in &facts.bookings {
        let Some(list) = touches.get(b.person.as_str()) else {
            continue;
        };
        // The last touch at or before the order.
        let before = list.partition_point(|(at, _)| *at <= b.at);
        let Some(&(at, campaign)) = before.checked_sub(1).and_then(|i| list.get(i)) else {
            continue;
        };
        if b.at - at <= rule.window {
            let a = &mut attributed[campaign];
            *a = (a.0 + 1, a.1 + b.tickets, a.2 + b.revenue);
        }
    }
    facts
        .campaigns
        .iter()
        .zip(reached)
        .zip(attributed)
        .map(|((c, people), (orders, tickets, revenue))| {
            let count = |kind| people.values().filter(|k| k.contains(&kind)).count() as u64;
            CampaignResult {
                name: c.name.clone(),
                sent_at: c.sent_at,
                recipients: people.len() as u64,
                delivered: count(CampaignEventKind::Delivered),
                opened: count(CampaignEventKind::Opened),
                clicked: count(CampaignEventKind::Clicked),
                unsubscribed: count(CampaignEventKind::Unsubscribed),
                bounced: count(CampaignEventKind::Bounced),
                complained: count(CampaignEventKind::Complained),
                orders,
                tickets,
                revenue,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 10, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
            .and_utc()
    }

    fn touch(campaign: usize, person: &str, kind: CampaignEventKind, day: u32) -> Touch {
        Touch {
            campaign,
            person: person.into(),
            kind,
            at: at(day, 10),
        }
    }

    fn booking(person: &str, day: u32, tickets: u64) -> Booking {
        Booking {
            person: person.into(),
            at: at(day, 12),
            tickets,
            revenue: Cents::new(tickets * 2_000),
        }
    }

    #[test]
    fn an_order_goes_to_the_last_click_within_the_window() {
        use CampaignEventKind::*;
        let facts = CampaignFacts {
            campaigns: vec![
                CampaignSent {
                    name: "Ouverture de saison".into(),
                    sent_at: at(1, 9),
                },
                CampaignSent {
                    name: "Dernières places".into(),
                    sent_at: at(5, 9),
                },
            ],
            touches: vec![
                touch(0, "ana", Delivered, 1),
                touch(0, "ana", Opened, 1),
                touch(0, "ana", Opened, 2),
                touch(0, "ana", Clicked, 1),
                touch(0, "bob", Delivered, 1),
                touch(0, "bob", Clicked, 2),
                touch(1, "bob", Clicked, 6),
                touch(0, "cy", Bounced, 1),
                touch(1, "dee", Opened, 5),
                touch(1, "eve", Unsubscribed, 5),
                touch(1, "fay", Complained, 5),
            ],
            bookings: vec![
                // Three days after her click on the first campaign.
                booking("ana", 4, 2),
                // Bob clicked both: the later click wins.
                booking("bob", 7, 3),
                // Nine days after Ana's click: too late.
                booking("ana", 10, 1),
                // Dee only opened: counts only when opens do.
                booking("dee", 6, 4),
                // Before any touch.
                booking("bob", 1, 5),
                // Nobody's campaign.
                booking("gus", 3, 1),
            ],
        };
        let results = campaign_results(&facts, AttributionRule::default());
        assert_eq!(
            (results[0].orders, results[0].tickets, results[0].revenue),
            (1, 2, Cents::new(4_000))
        );
        assert_eq!((results[1].orders, results[1].tickets), (1, 3));
        assert_eq!(
            (
                results[0].recipients,
                results[0].opened,
                results[0].clicked,
                results[0].bounced
            ),
            (3, 1, 2, 1),
            "each person once"
        );
        // Two delivered (Ana, Bob): one opened, both clicked; no delivery listed, no rate.
        assert_eq!(results[0].delivered, 2);
        assert_eq!(results[0].open_rate(), Some(0.5));
        assert_eq!(results[0].click_rate(), Some(1.0));
        assert_eq!(results[1].open_rate(), None);
        assert_eq!((results[1].unsubscribed, results[1].complained), (1, 1));
        let with_opens = campaign_results(
            &facts,
            AttributionRule {
                opens: true,
                ..AttributionRule::default()
            },
        );
        assert_eq!((with_opens[1].orders, with_opens[1].tickets), (2, 7));
        // Ana's open on the 2nd is now her last touch: her order of the 10th is 8 days after.
        assert_eq!(with_opens[0].orders, 1);
        let wider = campaign_results(
            &facts,
            AttributionRule {
                window: Duration::days(10),
                opens: false,
            },
        );
        assert_eq!((wider[0].orders, wider[0].tickets), (2, 3));
    }
}
