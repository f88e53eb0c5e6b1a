//! A report as structured content: sections of paragraphs, key figures, charts, tables and
//! definitions. It is built once from the figures ([`crate::season`]) and rendered as HTML
//! ([`crate::html`]) or PDF (`crate::pdf`), so both say the same thing. Every number it shows
//! is a [`Figure`]: what it measures, its value and its text, so a test can check each one.

use jauge_analytics::SeasonSummary;
use jauge_analytics::audience::Segment;
use jauge_model::{Discipline, Lang, TariffCategory};

/// A whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub lang: Lang,
    /// "Bilan de la saison 2025-2026".
    pub title: String,
    pub venue: String,
    /// What the figures stand on: "Données arrêtées au 29 nov. 2026".
    pub stands_on: String,
    pub sections: Vec<Section>,
}

/// A part of the report, which starts a page when printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(Vec<Span>),
    KeyFigures(Vec<KeyFigure>),
    Chart(Chart),
    Table(Table),
    /// Terms and what they mean.
    Definitions(Vec<(String, String)>),
    /// A smaller text: a caveat, how something was counted.
    Note(String),
    /// Blocks shown next to each other, in columns of equal width.
    SideBySide(Vec<Block>),
}

/// A piece of running text: words, or a figure.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    Text(String),
    Figure(Figure),
}

/// A number as the report shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Figure {
    pub measure: Measure,
    pub value: f64,
    pub shown: String,
}

/// One of the key figures at the head of the report, with the season it is compared with.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFigure {
    pub name: String,
    pub figure: Figure,
    /// The same figure for the season compared with, and the change since.
    pub before: Option<(Figure, Figure)>,
}

/// A chart, its values as figures (each mark's), and how to read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub svg: String,
    pub figures: Vec<Figure>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Span>>,
}

impl Table {
    /// Whether each column holds figures (aligned right, in tabular digits).
    pub fn numeric_columns(&self) -> Vec<bool> {
        (0..self.header.len())
            .map(|i| {
                self.rows
                    .iter()
                    .any(|r| matches!(r.get(i), Some(Span::Figure(_))))
            })
            .collect()
    }
}

/// What a figure measures: enough to compute it again from the analytics.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// A figure of the season's summary.
    Season(SummaryField),
    /// The same figure for the season compared with.
    Before(SummaryField),
    /// The change since: relative for counts and amounts, in points (a difference of shares)
    /// for rates.
    Change(SummaryField),
    /// A group of performances held, as fill rate or tickets.
    Discipline(Discipline, GroupField),
    Hall(String, GroupField),
    Show(String, GroupField),
    /// Tickets of a tariff category, or their share of the season's.
    TariffTickets(TariffCategory),
    TariffShare(TariffCategory),
    TariffRevenue(TariffCategory),
    /// Persons of a loyalty segment.
    Segment(Segment),
    /// Buyers living in a distance band (its index in `jauge_analytics::places::BANDS`), and
    /// the share of the buyers placed who live within that band's outer distance.
    BandBuyers(usize),
    BandShare(usize),
    /// Buyers living in a département (by code).
    DepartementBuyers(String),
    /// Tickets ordered by the end of a week (its index in the aligned weeks), this season or
    /// the one before.
    WeekTickets {
        week: usize,
        previous: bool,
    },
}

/// The figures of a group of performances held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupField {
    FillRate,
    Tickets,
    Performances,
    Revenue,
}

/// A figure of [`SeasonSummary`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryField {
    Tickets,
    Revenue,
    FillRate,
    AveragePrice,
    Performances,
    CancelledPerformances,
    Patrons,
    FirstTimerShare,
    Retention,
    SubscriptionShare,
    FreeTicketShare,
}

impl SummaryField {
    /// The figure in a summary; `None` when it cannot be computed (no capacity, no buyer).
    /// Money is in cents.
    pub fn of(self, s: &SeasonSummary) -> Option<f64> {
        match self {
            SummaryField::Tickets => Some(s.tickets as f64),
            SummaryField::Revenue => Some(s.revenue.get() as f64),
            SummaryField::FillRate => s.fill_rate,
            SummaryField::AveragePrice => s.average_price,
            SummaryField::Performances => Some(s.performances as f64),
            SummaryField::CancelledPerformances => Some(s.cancelled_performances as f64),
            SummaryField::Patrons => Some(s.patrons as f64),
            SummaryField::FirstTimerShare => s.first_timer_share,
            SummaryField::Retention => s.retention,
            SummaryField::SubscriptionShare => s.subscription_share,
            SummaryField::FreeTicketShare => s.free_ticket_share,
        }
    }

    /// Whether it is a share in [0, 1], whose change is told in points.
    pub fn is_share(self) -> bool {
        matches!(
            self,
            SummaryField::FillRate
                | SummaryField::FirstTimerShare
                | SummaryField::Retention
                | SummaryField::SubscriptionShare
                | SummaryField::FreeTicketShare
        )
    }

    /// The change from `before` to `now`: a difference for shares, a ratio less one otherwise
    /// (none from zero).
    pub fn change(self, now: f64, before: f64) -> Option<f64> {
        if self.is_share() {
            Some(now - before)
        } else {
            (before != 0.0).then(|| now / before - 1.0)
        }
    }
}

impl Document {
    /// Every figure the report shows, in reading order.
    pub fn figures(&self) -> Vec<&Figure> {
        fn spans<'a>(spans: &'a [Span], out: &mut Vec<&'a Figure>) {
            out.extend(spans.iter().filter_map(|span| match span {
                Span::Figure(f) => Some(f),
                Span::Text(_) => None,
            }));
        }
        fn blocks<'a>(all: &'a [Block], out: &mut Vec<&'a Figure>) {
            for block in all {
                match block {
                    Block::Paragraph(p) => spans(p, out),
                    Block::KeyFigures(k) => {
                        for key in k {
                            out.push(&key.figure);
                            if let Some((before, change)) = &key.before {
                                out.push(before);
                                out.push(change);
                            }
                        }
                    }
                    Block::Chart(c) => out.extend(&c.figures),
                    Block::Table(t) => {
                        for row in &t.rows {
                            spans(row, out);
                        }
                    }
                    Block::SideBySide(inner) => blocks(inner, out),
                    Block::Definitions(_) | Block::Note(_) => {}
                }
            }
        }
        let mut out = Vec::new();
        for section in &self.sections {
            blocks(&section.blocks, &mut out);
        }
        out
    }
}
