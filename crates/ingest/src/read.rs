//! Rows into the model: a [`Profile`] says which column holds which field and how its values
//! are written; [`read`] turns each row into facts, and quarantines the rows it cannot take,
//! each with its line, column, raw value and reason.
//!
//! A file yields tickets (with their orders, tariffs and buyers) when it has order numbers,
//! order dates and prices, and performances (with their shows) when it has performance dates
//! and a capacity (a column, or the profile's default). A ticket list that only names its
//! performances refers to them by identifier: they must have been imported before, and the
//! store says so when they were not.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use jauge_model::{
    BirthYear, Campaign, CampaignEvent, Capacity, Channel, CompactString, Consent, ConsentChannel,
    ConsentPurpose, ConsentStatus, Dataset, Discipline, Email, ExternalId, Name, Order,
    OrderStatus, PatronIdentity, PatronKey, Performance, PerformanceStatus, QuarantinedRow, Show,
    SourceKind, SourceName, Tariff, TariffCategory, Ticket, TicketStatus, VatRate,
};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::dialect::Detected;
use crate::input::Input;
use crate::mapping::{Field, Mapping, map_columns};
use crate::supervision::{Fingerprint, Holds};
use crate::values::{self, NumberFormat, ValueKind};
use crate::vocabulary;

/// How many rows are sampled to decide each column's format.
const SAMPLE_ROWS: usize = 500;

/// What a file does not say, and a person does once for the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Defaults {
    /// The hall of every performance, when the file names none.
    pub hall: Option<Name>,
    /// The capacity on sale of every performance, when the file gives none.
    pub capacity: Option<Capacity>,
    /// The VAT rate of tickets whose rate the file does not give.
    pub vat: VatRate,
    /// The start of performances whose file gives only the day.
    pub performance_time: Option<NaiveTime>,
    /// The time zone of the file's local times.
    pub time_zone: Tz,
    /// Tariff labels the vocabulary does not know, with their category.
    pub tariff_categories: BTreeMap<String, TariffCategory>,
    /// When each campaign was sent, by identifier, for files that do not say it (Mailchimp's
    /// email activity gives the campaign's identifier, never its sending).
    pub campaigns_sent: BTreeMap<String, DateTime<Utc>>,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            hall: None,
            capacity: None,
            vat: VatRate::LIVE_PERFORMANCE,
            performance_time: None,
            time_zone: jauge_model::DEFAULT_TIME_ZONE,
            tariff_categories: BTreeMap::new(),
            campaigns_sent: BTreeMap::new(),
        }
    }
}

/// How to read one source's files.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The column of each field.
    pub columns: BTreeMap<Field, usize>,
    /// How each field's values are written.
    pub kinds: BTreeMap<Field, ValueKind>,
    pub defaults: Defaults,
}

/// A profile inferred from a file, with what could not be settled.
#[derive(Debug, Clone, PartialEq)]
pub struct Inferred {
    pub profile: Profile,
    /// The file's headers (empty without a header row).
    pub headers: Vec<String>,
    /// How each column's sampled values are written.
    pub column_kinds: Vec<ValueKind>,
    pub mapping: Mapping,
    /// The file's shape, to compare with the source's earlier files.
    pub fingerprint: Fingerprint,
    /// Formats the sample did not settle, by field.
    pub ambiguities: Vec<(Field, values::Ambiguity)>,
}

/// Infers a profile from a detected file: its columns from the headers, each column's format
/// from a sample of its values.
pub fn infer_profile(detected: &Detected, defaults: Defaults) -> Inferred {
    let mut records = sample_records(detected).filter_map(Result::ok);
    let headers: Vec<String> = if detected.dialect.has_header {
        records
            .next()
            .map(|h| h.iter().map(str::to_owned).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let sample: Vec<csv::StringRecord> = records.take(SAMPLE_ROWS).collect();
    let kinds: Vec<values::Classification> = {
        let width = sample
            .iter()
            .map(csv::StringRecord::len)
            .max()
            .unwrap_or(0)
            .max(headers.len());
        (0..width)
            .map(|c| values::classify(sample.iter().filter_map(|r| r.get(c))))
            .collect()
    };
    let fingerprint = Fingerprint {
        columns: kinds
            .iter()
            .enumerate()
            .map(|(c, k)| {
                let header = headers
                    .get(c)
                    .cloned()
                    .unwrap_or_else(|| format!("column {}", c + 1));
                (header, Holds::of(&k.kind))
            })
            .collect(),
    };
    let mapping = map_columns(&headers);
    let mut profile = Profile {
        columns: BTreeMap::new(),
        kinds: BTreeMap::new(),
        defaults,
    };
    let mut ambiguities = Vec::new();
    for m in &mapping.matched {
        let Some(classified) = kinds.get(m.column) else {
            continue;
        };
        profile.columns.insert(m.field, m.column);
        profile.kinds.insert(m.field, classified.kind);
        if let Some(ambiguity) = classified.ambiguity.clone() {
            ambiguities.push((m.field, ambiguity));
        }
    }
    let column_kinds = kinds.into_iter().map(|k| k.kind).collect();
    Inferred {
        profile,
        headers,
        column_kinds,
        mapping,
        fingerprint,
        ambiguities,
    }
}

/// The records of the file's sample.
fn sample_records(
    detected: &Detected,
) -> impl Iterator<Item = Result<csv::StringRecord, csv::Error>> + '_ {
    csv::ReaderBuilder::new()
        .delimiter(detected.dialect.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(detected.sample.as_bytes())
        .into_records()
}

/// What a file gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    /// The facts, and the rows that could not be taken.
    pub dataset: Dataset,
    /// Data rows read (the header excluded).
    pub rows: u64,
    /// Values dropped without losing their row (an unreadable email, say), and other remarks.
    pub notes: Vec<String>,
}

/// What a file gave when its facts went away in parts as they were read.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Data rows read (the header excluded).
    pub rows: u64,
    /// Values dropped without losing their row (an unreadable email, say), and other remarks.
    pub notes: Vec<String>,
    /// The facts of every part, counted.
    pub tally: Tally,
    /// The first facts of each kind and the first quarantined rows, for a person to check.
    pub preview: Dataset,
}

/// How many facts of each kind parts held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub shows: usize,
    pub performances: usize,
    pub tariffs: usize,
    pub patrons: usize,
    pub orders: usize,
    pub tickets: usize,
    pub consents: usize,
    pub campaigns: usize,
    pub quarantined: usize,
}

impl Tally {
    fn add(&mut self, d: &Dataset) {
        self.shows += d.shows.len();
        self.performances += d.performances.len();
        self.tariffs += d.tariffs.len();
        self.patrons += d.patrons.len();
        self.orders += d.orders.len();
        self.tickets += d.tickets.len();
        self.consents += d.consents.len();
        self.campaigns += d.campaigns.len();
        self.quarantined += d.quarantined.len();
    }

    /// The facts taken (quarantined rows are not facts).
    pub fn facts(&self) -> usize {
        self.shows
            + self.performances
            + self.tariffs
            + self.patrons
            + self.orders
            + self.tickets
            + self.consents
            + self.campaigns
    }
}

/// How many facts of each kind, and quarantined rows, a preview keeps.
const PREVIEW: usize = 20;

/// Keeps the first facts of `part` the preview does not have yet.
fn keep_preview(preview: &mut Dataset, part: &Dataset) {
    fn first<T: Clone>(kept: &mut Vec<T>, more: &[T]) {
        let room = PREVIEW.saturating_sub(kept.len());
        kept.extend(more.iter().take(room).cloned());
    }
    first(&mut preview.shows, &part.shows);
    first(&mut preview.performances, &part.performances);
    first(&mut preview.tariffs, &part.tariffs);
    first(&mut preview.patrons, &part.patrons);
    first(&mut preview.orders, &part.orders);
    first(&mut preview.tickets, &part.tickets);
    first(&mut preview.consents, &part.consents);
    first(&mut preview.campaigns, &part.campaigns);
    first(&mut preview.quarantined, &part.quarantined);
}

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error(
        "the file gives neither tickets (it needs order numbers, order dates and prices), nor \
         performances (performance dates and a capacity), nor contacts or people (numbers or \
         emails, with sign-up dates or names), nor campaign activity (campaigns, events, \
         recipients); name its columns in a profile"
    )]
    NothingToRead,
    #[error("the performances need a hall: the file has no hall column; give one in the profile")]
    NoHall,
    #[error("the file is not readable CSV at line {line}: {reason}")]
    Csv { line: u64, reason: String },
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
}

/// Reads a detected file with a profile into one dataset of `source`.
pub fn read(
    detected: &Detected,
    input: &Input,
    profile: &Profile,
    source: SourceName,
    kind: SourceKind,
    origin: &str,
) -> Result<Read, ReadError> {
    let mut whole = None;
    let summary = read_parts(
        detected,
        input,
        profile,
        (source, kind, origin),
        usize::MAX,
        |part| {
            whole = Some(part);
            true
        },
    )?;
    Ok(Read {
        dataset: whole.expect("the last part is always given"),
        rows: summary.rows,
        notes: summary.notes,
    })
}

/// Reads a detected file with a profile, streamed, and gives its facts to `part` every
/// `part_rows` rows and at the end (at least one part, maybe empty). A record spread over rows
/// (an order of several tickets, a patron, a show) comes in the first part that gives it; later
/// parts refer to it. Stops early when `part` returns `false`.
pub fn read_parts(
    detected: &Detected,
    input: &Input,
    profile: &Profile,
    (source, kind, origin): (SourceName, SourceKind, &str),
    part_rows: usize,
    mut part: impl FnMut(Dataset) -> bool,
) -> Result<Summary, ReadError> {
    let has = |f: Field| profile.columns.contains_key(&f);
    let tickets = has(Field::OrderId) && has(Field::OrderDate) && has(Field::Price);
    let capacity_known = has(Field::Capacity) || profile.defaults.capacity.is_some();
    let performances = has(Field::PerformanceDate) && capacity_known;
    let someone = has(Field::CustomerId) || has(Field::Email);
    let activity = (has(Field::CampaignId) || has(Field::Campaign)) && has(Field::Event) && someone;
    // Emailing contacts, or a list of people (a CRM's): identities, and consents where the
    // file gives them.
    let contacts = !tickets
        && !activity
        && someone
        && (has(Field::SignupDate)
            || has(Field::Newsletter)
            || has(Field::LastName)
            || has(Field::FirstName));
    let modes = Modes {
        tickets,
        performances,
        contacts,
        activity,
    };
    if !(tickets || performances || contacts || activity) {
        return Err(ReadError::NothingToRead);
    }
    if performances && !has(Field::Hall) && profile.defaults.hall.is_none() {
        return Err(ReadError::NoHall);
    }
    let mut notes = Vec::new();
    if tickets && has(Field::PerformanceDate) && !capacity_known {
        notes.push(
            "the file gives performance dates but no capacity, so its tickets refer to \
             performances imported before; to create them from this file, give their capacity \
             (and hall) under [defaults] in a profile"
                .to_owned(),
        );
    }
    let headers: Vec<String> = sample_records(detected)
        .next()
        .and_then(Result::ok)
        .filter(|_| detected.dialect.has_header)
        .map(|r| r.iter().map(str::to_owned).collect())
        .unwrap_or_default();

    let mut builder = Builder {
        dataset: Dataset::new(source.clone(), kind, origin),
        seen: FxHashSet::default(),
        tickets_of_order: FxHashMap::default(),
        campaigns: FxHashMap::default(),
        campaigns_seen: 0,
        last_order: None,
        notes,
    };
    let mut summary = Summary {
        rows: 0,
        notes: Vec::new(),
        tally: Tally::default(),
        preview: Dataset::new(source.clone(), kind, origin),
    };
    let mut give = |dataset: Dataset, summary: &mut Summary| {
        summary.tally.add(&dataset);
        keep_preview(&mut summary.preview, &dataset);
        part(dataset)
    };
    let tariffs = std::cell::RefCell::new(FxHashMap::default());
    let words = Words::default();
    let text = detected
        .text(input)
        .map_err(|e| ReadError::Unreadable(e.to_string()))?;
    // One record, read into again and again: a large file's rows are not copied.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(detected.dialect.delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(text);
    let mut record = csv::StringRecord::new();
    let mut index = 0;
    let mut rows_in_part = 0;
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            if e.is_io_error() {
                ReadError::Unreadable(e.to_string())
            } else {
                ReadError::Csv {
                    line: e.position().map_or(0, |p| p.line()),
                    reason: e.to_string(),
                }
            }
        })?;
        if !more {
            break;
        }
        index += 1;
        if index == 1 && detected.dialect.has_header {
            continue;
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        summary.rows += 1;
        let row = Row {
            record: &record,
            line: record.position().map_or(0, |p| p.line()),
            profile,
            headers: &headers,
            source: source.as_str(),
            origin,
            tariffs: &tariffs,
            words: &words,
            seen: &builder.seen,
        };
        let facts = row.facts(modes);
        // A full part ends where an order does, so that an order's tickets come in one part
        // as long as the file keeps them together.
        let order = facts
            .as_ref()
            .ok()
            .and_then(|f| f.sale.as_ref())
            .map(|s| &s.order.id);
        if rows_in_part >= part_rows && order != builder.last_order.as_ref() {
            rows_in_part = 0;
            if !give(builder.take_part(), &mut summary) {
                summary.notes = builder.notes;
                summary.tally.campaigns = builder.campaigns_seen;
                return Ok(summary);
            }
        }
        rows_in_part += 1;
        match facts {
            Ok(facts) => builder.add(facts),
            Err(q) => builder.dataset.quarantined.push(q),
        }
    }
    give(builder.take_part(), &mut summary);
    summary.notes = builder.notes;
    summary.tally.campaigns = builder.campaigns_seen;
    Ok(summary)
}

/// Which facts the file's columns allow.
#[derive(Debug, Clone, Copy)]
struct Modes {
    tickets: bool,
    performances: bool,
    contacts: bool,
    activity: bool,
}

struct Facts {
    performance: Option<(Show, Performance)>,
    sale: Option<Sale>,
    contact: Option<(PatronIdentity, Vec<Consent>)>,
    event: Option<(ExternalId, Name, DateTime<Utc>, CampaignEvent)>,
    /// A consent withdrawn through a campaign: its unsubscribe link, or a complaint.
    withdrawal: Option<Consent>,
}

struct Sale {
    tariff: Tariff,
    buyer: Option<PatronIdentity>,
    order: Order,
    ticket: Option<ExternalId>,
    ticket_fields: TicketFields,
    notes: Vec<String>,
}

struct TicketFields {
    performance: ExternalId,
    amount: jauge_model::Cents,
    face_value: jauge_model::Cents,
    vat: VatRate,
    status: TicketStatus,
    checked_in_at: Option<DateTime<Utc>>,
}

/// The kinds of record a row may repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Show,
    Performance,
    Tariff,
    Patron,
    Order,
    Campaign,
}

/// Accumulates facts, each record once (the first row that gives it wins).
struct Builder {
    dataset: Dataset,
    seen: FxHashSet<(Kind, CompactString)>,
    tickets_of_order: FxHashMap<ExternalId, usize>,
    /// Campaigns by identifier, with their place in the part.
    campaigns: FxHashMap<ExternalId, usize>,
    /// Campaigns of the whole file: one may go on over several parts.
    campaigns_seen: usize,
    /// The order of the last ticket added.
    last_order: Option<ExternalId>,
    notes: Vec<String>,
}

impl Builder {
    /// The facts gathered since the last part. What was seen stays seen: a later row of the
    /// same order or patron adds nothing again.
    fn take_part(&mut self) -> Dataset {
        let d = &self.dataset;
        let fresh = Dataset::new(d.source.clone(), d.kind, &d.origin);
        // A campaign going on in the next part comes again there, with its further events.
        self.campaigns.clear();
        std::mem::replace(&mut self.dataset, fresh)
    }

    fn first(&mut self, kind: Kind, id: &str) -> bool {
        self.seen.insert((kind, CompactString::from(id)))
    }

    /// Keeps a patron's first row; later rows of the same key add nothing.
    fn add_patron(&mut self, patron: PatronIdentity) {
        let key = patron.key.as_ref().map_or("", |k| k.as_str());
        if self.first(Kind::Patron, key) {
            self.dataset.patrons.push(patron);
        }
    }

    fn add(&mut self, facts: Facts) {
        if let Some((identity, consents)) = facts.contact {
            self.add_patron(identity);
            self.dataset.consents.extend(consents);
        }
        if let Some((id, name, sent_at, event)) = facts.event {
            let index = match self.campaigns.get(&id) {
                Some(&i) => i,
                None => {
                    if self.first(Kind::Campaign, id.as_str()) {
                        self.campaigns_seen += 1;
                    }
                    self.dataset.campaigns.push(Campaign {
                        id: id.clone(),
                        name,
                        sent_at,
                        events: Vec::new(),
                    });
                    self.campaigns.insert(id, self.dataset.campaigns.len() - 1);
                    self.dataset.campaigns.len() - 1
                }
            };
            self.dataset.campaigns[index].events.push(event);
        }
        self.dataset.consents.extend(facts.withdrawal);
        if let Some((show, performance)) = facts.performance {
            if self.first(Kind::Show, show.id.as_str()) {
                self.dataset.shows.push(show);
            }
            if self.first(Kind::Performance, performance.id.as_str()) {
                self.dataset.performances.push(performance);
            }
        }
        let Some(sale) = facts.sale else {
            return;
        };
        for note in sale.notes {
            if !self.notes.contains(&note) {
                self.notes.push(note);
            }
        }
        if self.first(Kind::Tariff, sale.tariff.id.as_str()) {
            self.dataset.tariffs.push(sale.tariff.clone());
        }
        if let Some(buyer) = sale.buyer {
            self.add_patron(buyer);
        }
        let order = sale.order.id.clone();
        self.last_order = Some(order.clone());
        if self.first(Kind::Order, order.as_str()) {
            self.dataset.orders.push(sale.order);
        }
        let n = self.tickets_of_order.entry(order.clone()).or_insert(0);
        *n += 1;
        let id = sale.ticket.unwrap_or_else(|| {
            format!("{order}-{n}")
                .parse()
                .expect("an order number and a count make an identifier")
        });
        let t = sale.ticket_fields;
        self.dataset.tickets.push(Ticket {
            id,
            order,
            performance: t.performance,
            tariff: sale.tariff.id,
            amount_paid: t.amount,
            face_value: t.face_value,
            vat_rate: t.vat,
            status: t.status,
            checked_in_at: t.checked_in_at,
            attendee: None,
        });
    }
}

/// One record read through the profile.
struct Row<'r> {
    record: &'r csv::StringRecord,
    line: u64,
    profile: &'r Profile,
    headers: &'r [String],
    source: &'r str,
    origin: &'r str,
    /// Tariff labels already categorised in this file.
    tariffs: &'r std::cell::RefCell<FxHashMap<String, TariffCategory>>,
    /// The vocabulary's answers for the words earlier rows used.
    words: &'r Words,
    /// The records earlier rows gave: a patron seen before is not read again.
    seen: &'r FxHashSet<(Kind, CompactString)>,
}

/// The vocabulary's answers for the words a file repeats on every row (statuses, channels),
/// so that each distinct word is looked up once.
#[derive(Default)]
struct Words {
    ticket_status: std::cell::RefCell<FxHashMap<String, Option<TicketStatus>>>,
    order_status: std::cell::RefCell<FxHashMap<String, Option<OrderStatus>>>,
    channel: std::cell::RefCell<FxHashMap<String, Option<Channel>>>,
}

impl Words {
    /// How many distinct words of one kind are kept: a file with a new word on every row
    /// does not fill the memory.
    const KEPT: usize = 1000;

    fn answer<T: Copy>(
        kept: &std::cell::RefCell<FxHashMap<String, Option<T>>>,
        raw: &str,
        look_up: fn(&str) -> Option<T>,
    ) -> Option<T> {
        if let Some(&answer) = kept.borrow().get(raw) {
            return answer;
        }
        let answer = look_up(raw);
        let mut kept = kept.borrow_mut();
        if kept.len() < Words::KEPT {
            kept.insert(raw.to_owned(), answer);
        }
        answer
    }
}

impl Row<'_> {
    fn column(&self, field: Field) -> Option<usize> {
        self.profile.columns.get(&field).copied()
    }

    /// The field's raw value, trimmed; `None` when absent or an empty marker.
    fn text(&self, field: Field) -> Option<&str> {
        let raw = self.record.get(self.column(field)?)?.trim();
        (!values::is_empty_marker(raw)).then_some(raw)
    }

    fn fault(&self, field: Field, reason: impl Into<String>) -> QuarantinedRow {
        let column = self.column(field);
        QuarantinedRow {
            line: self.line,
            column: column.map(|c| {
                (
                    c,
                    self.headers
                        .get(c)
                        .cloned()
                        .unwrap_or_else(|| field.to_string()),
                )
            }),
            raw: column
                .and_then(|c| self.record.get(c))
                .unwrap_or_default()
                .to_owned(),
            reason: reason.into(),
        }
    }

    fn required(&self, field: Field) -> Result<&str, QuarantinedRow> {
        self.text(field)
            .ok_or_else(|| self.fault(field, format!("the {field} is missing")))
    }

    fn id(&self, field: Field) -> Result<Option<ExternalId>, QuarantinedRow> {
        self.text(field)
            .map(|t| {
                t.parse()
                    .map_err(|e: jauge_model::InvalidValue| self.fault(field, e.to_string()))
            })
            .transpose()
    }

    fn name(&self, field: Field) -> Option<Name> {
        self.text(field).and_then(|t| t.parse().ok())
    }

    fn number_format(&self, field: Field) -> Vec<NumberFormat> {
        match self.profile.kinds.get(&field) {
            Some(ValueKind::Integer(f) | ValueKind::Decimal(f)) => vec![*f],
            _ => vec![NumberFormat::FRENCH, NumberFormat::ENGLISH],
        }
    }

    /// An amount in cents, never negative.
    fn cents(&self, field: Field) -> Result<Option<jauge_model::Cents>, QuarantinedRow> {
        let Some(raw) = self.text(field) else {
            return Ok(None);
        };
        let cents = self
            .number_format(field)
            .iter()
            .find_map(|f| values::parse_cents(raw, f))
            .ok_or_else(|| self.fault(field, "not an amount: write it like 12,50 or 12.50"))?;
        jauge_model::Cents::from_signed(cents)
            .map(Some)
            .map_err(|_| {
                self.fault(
                    field,
                    "a negative amount: a refund is a ticket status, not a price",
                )
            })
    }

    /// A local date-time, from a date-time column, or a date column and a time (column or
    /// default).
    fn local(
        &self,
        field: Field,
        time_field: Option<Field>,
    ) -> Result<Option<NaiveDateTime>, QuarantinedRow> {
        let Some(raw) = self.text(field) else {
            return Ok(None);
        };
        let bad = || {
            self.fault(
                field,
                "not a date this file's other rows use; check the column",
            )
        };
        match self.profile.kinds.get(&field) {
            Some(ValueKind::DateTime { date, time }) => values::parse_datetime(raw, date, time)
                .map(Some)
                .ok_or_else(bad),
            Some(ValueKind::Iso8601) => values::parse_iso8601(raw)
                .map(|t| Some(t.naive_utc()))
                .ok_or_else(bad),
            Some(ValueKind::Date(date)) => {
                let day = values::parse_date(raw, date).ok_or_else(bad)?;
                let time = match time_field.and_then(|f| self.text(f).map(|t| (f, t))) {
                    Some((f, t)) => match self.profile.kinds.get(&f) {
                        Some(ValueKind::Time(format)) => values::parse_time(t, format)
                            .ok_or_else(|| self.fault(f, "not a time of day"))?,
                        _ => return Err(self.fault(f, "not a time of day")),
                    },
                    // Only performances have a usual time the profile may give.
                    None if time_field == Some(Field::PerformanceTime) => self
                        .profile
                        .defaults
                        .performance_time
                        .unwrap_or(NaiveTime::MIN),
                    None => NaiveTime::MIN,
                };
                Ok(Some(day.and_time(time)))
            }
            _ => Err(bad()),
        }
    }

    /// An instant: local times in the profile's time zone, ISO 8601 times with their offset.
    fn instant(
        &self,
        field: Field,
        time_field: Option<Field>,
    ) -> Result<Option<DateTime<Utc>>, QuarantinedRow> {
        if let (Some(ValueKind::Iso8601), Some(raw)) =
            (self.profile.kinds.get(&field), self.text(field))
        {
            return values::parse_iso8601(raw)
                .map(|t| Some(t.with_timezone(&Utc)))
                .ok_or_else(|| self.fault(field, "not an ISO 8601 date-time"));
        }
        let Some(local) = self.local(field, time_field)? else {
            return Ok(None);
        };
        match self
            .profile
            .defaults
            .time_zone
            .from_local_datetime(&local)
            .earliest()
        {
            Some(t) => Ok(Some(t.with_timezone(&Utc))),
            None => Err(self.fault(
                field,
                "this local time does not exist (the clocks went forward)",
            )),
        }
    }

    fn facts(&self, modes: Modes) -> Result<Facts, QuarantinedRow> {
        let performance = if modes.performances {
            self.performance()?
        } else {
            None
        };
        let sale = if modes.tickets {
            Some(self.sale(performance.as_ref().map(|(_, p)| p))?)
        } else {
            None
        };
        let contact = if modes.contacts {
            Some(self.contact()?)
        } else {
            None
        };
        let event = if modes.activity {
            Some(self.event()?)
        } else {
            None
        };
        let withdrawal = match &event {
            Some((campaign, _, _, e))
                if matches!(
                    e.kind,
                    jauge_model::CampaignEventKind::Unsubscribed
                        | jauge_model::CampaignEventKind::Complained
                ) =>
            {
                Some(Consent {
                    patron: e.patron.clone(),
                    channel: ConsentChannel::Email,
                    purpose: ConsentPurpose::Newsletter,
                    status: ConsentStatus::Withdrawn,
                    at: e.at,
                    source: self.source.parse().expect("the source's name is valid"),
                    proof: format!(
                        "{} through campaign {}, {}, line {}",
                        e.kind.code(),
                        campaign.as_str(),
                        self.origin,
                        self.line
                    ),
                })
            }
            _ => None,
        };
        Ok(Facts {
            performance,
            sale,
            contact,
            event,
            withdrawal,
        })
    }

    /// The key of the person the row is about: their number in the source, else their email.
    fn someone(&self) -> Result<PatronKey, QuarantinedRow> {
        let own = self
            .text(Field::CustomerId)
            .or(self.text(Field::Email))
            .ok_or_else(|| {
                self.fault(
                    Field::CustomerId,
                    "the contact has neither a number nor an email",
                )
            })?;
        Ok(patron_key(self.source, own))
    }

    /// An emailing contact and their newsletter consent: given at sign-up, withdrawn at
    /// unsubscription; the row is the proof.
    fn contact(&self) -> Result<(PatronIdentity, Vec<Consent>), QuarantinedRow> {
        let key = self.someone()?;
        let mut notes = Vec::new();
        let identity = self.identity(key.clone(), &mut notes);
        let signed_up = self.instant(Field::SignupDate, None)?;
        let unsubscribed = self.instant(Field::UnsubscribeDate, None)?;
        let subscribed = match self.text(Field::Newsletter) {
            None => true,
            Some(raw) => vocabulary::yes_no(raw)
                .ok_or_else(|| self.fault(Field::Newsletter, "not a yes or no"))?,
        };
        let source: SourceName = self.source.parse().expect("the source's name is valid");
        let proof = format!("{}, line {}", self.origin, self.line);
        let consent = |status, at| Consent {
            patron: key.clone(),
            channel: ConsentChannel::Email,
            purpose: ConsentPurpose::Newsletter,
            status,
            at,
            source: source.clone(),
            proof: proof.clone(),
        };
        let mut consents = Vec::new();
        if let Some(at) = signed_up.filter(|_| subscribed || unsubscribed.is_some()) {
            consents.push(consent(ConsentStatus::Given, at));
        }
        if let Some(at) = unsubscribed {
            consents.push(consent(ConsentStatus::Withdrawn, at));
        }
        Ok((identity, consents))
    }

    /// A record's identifier and name: each stands for the other when the file has only one.
    fn id_and_name(
        &self,
        id: Field,
        name: Field,
        missing: &str,
    ) -> Result<(ExternalId, Name), QuarantinedRow> {
        let id = match self.id(id)? {
            Some(id) => id,
            None => self.id(name)?.ok_or_else(|| self.fault(name, missing))?,
        };
        let name = self
            .name(name)
            .unwrap_or_else(|| id.as_str().parse().expect("identifiers are not empty"));
        Ok((id, name))
    }

    /// One recipient's event of a campaign.
    fn event(&self) -> Result<(ExternalId, Name, DateTime<Utc>, CampaignEvent), QuarantinedRow> {
        let (id, name) = self.id_and_name(
            Field::CampaignId,
            Field::Campaign,
            "the campaign is missing",
        )?;
        let sent_at = match self.instant(Field::SentAt, None)? {
            Some(at) => at,
            None => self
                .profile
                .defaults
                .campaigns_sent
                .get(id.as_str())
                .copied()
                .ok_or_else(|| {
                    self.fault(
                        Field::SentAt,
                        format!(
                            "the sending date is missing: the file does not say when campaign \
                             {id} was sent; give it under [campaigns] in the profile"
                        ),
                    )
                })?,
        };
        let word = self.required(Field::Event)?;
        let kind = vocabulary::campaign_event(word).ok_or_else(|| {
            self.fault(
                Field::Event,
                "not an emailing event: delivered, opened, clicked, unsubscribed, bounced or complained",
            )
        })?;
        let at = self.instant(Field::EventAt, None)?.unwrap_or(sent_at);
        Ok((
            id,
            name,
            sent_at,
            CampaignEvent {
                patron: self.someone()?,
                kind,
                at,
            },
        ))
    }

    fn show(&self) -> Result<Show, QuarantinedRow> {
        let (id, title) =
            self.id_and_name(Field::ShowId, Field::ShowTitle, "the show is missing")?;
        Ok(Show {
            id,
            title,
            discipline: self
                .text(Field::Discipline)
                .and_then(|d| d.parse().ok())
                .unwrap_or(Discipline::Other),
            company: self.name(Field::Company),
            young_audience: self
                .text(Field::YoungAudience)
                .and_then(vocabulary::yes_no)
                .unwrap_or(false),
            coproduction: self
                .text(Field::Coproduction)
                .and_then(vocabulary::yes_no)
                .unwrap_or(false),
            festival: self.name(Field::Festival),
        })
    }

    /// The performance's identifier: its own, or the show and start when the file has none.
    fn performance_id(
        &self,
        starts_at: Option<DateTime<Utc>>,
    ) -> Result<ExternalId, QuarantinedRow> {
        if let Some(id) = self.id(Field::PerformanceId)? {
            return Ok(id);
        }
        let show = self.show()?;
        let starts_at = starts_at
            .ok_or_else(|| self.fault(Field::PerformanceDate, "the performance date is missing"))?;
        let local = starts_at.with_timezone(&self.profile.defaults.time_zone);
        format!("{} {}", show.id, local.format("%Y-%m-%d %H:%M"))
            .parse()
            .map_err(|e: jauge_model::InvalidValue| self.fault(Field::ShowTitle, e.to_string()))
    }

    fn performance(&self) -> Result<Option<(Show, Performance)>, QuarantinedRow> {
        let starts_at = self
            .instant(Field::PerformanceDate, Some(Field::PerformanceTime))?
            .ok_or_else(|| self.fault(Field::PerformanceDate, "the performance date is missing"))?;
        let capacity = match self.text(Field::Capacity) {
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .and_then(|n| Capacity::new(n).ok())
                .ok_or_else(|| {
                    self.fault(
                        Field::Capacity,
                        "not a capacity: a whole number of seats above zero",
                    )
                })?,
            None => self
                .profile
                .defaults
                .capacity
                .ok_or_else(|| self.fault(Field::Capacity, "the capacity is missing"))?,
        };
        let hall = match self.name(Field::Hall) {
            Some(hall) => hall,
            None => self
                .profile
                .defaults
                .hall
                .clone()
                .ok_or_else(|| self.fault(Field::Hall, "the hall is missing"))?,
        };
        let status = match self.text(Field::PerformanceStatus) {
            None => PerformanceStatus::Scheduled,
            Some(raw) => vocabulary::performance_status(raw).ok_or_else(|| {
                self.fault(
                    Field::PerformanceStatus,
                    "not a status: scheduled or cancelled",
                )
            })?,
        };
        let show = self.show()?;
        let id = self.performance_id(Some(starts_at))?;
        Ok(Some((
            show.clone(),
            Performance {
                id,
                show: show.id,
                hall,
                starts_at,
                capacity,
                status,
            },
        )))
    }

    fn sale(&self, defined: Option<&Performance>) -> Result<Sale, QuarantinedRow> {
        let order_id: ExternalId = self
            .required(Field::OrderId)?
            .parse()
            .map_err(|e: jauge_model::InvalidValue| self.fault(Field::OrderId, e.to_string()))?;
        let created_at = self
            .instant(Field::OrderDate, Some(Field::OrderTime))?
            .ok_or_else(|| self.fault(Field::OrderDate, "the order date is missing"))?;
        let performance = match defined {
            Some(p) => p.id.clone(),
            None => {
                let starts_at = if self.column(Field::PerformanceId).is_some() {
                    None
                } else {
                    self.instant(Field::PerformanceDate, Some(Field::PerformanceTime))?
                };
                self.performance_id(starts_at)?
            }
        };
        let amount = self
            .cents(Field::Price)?
            .ok_or_else(|| self.fault(Field::Price, "the price is missing"))?;
        let face_value = self.cents(Field::FaceValue)?.unwrap_or(amount);
        let vat = match self.text(Field::VatRate) {
            None => self.profile.defaults.vat,
            Some(raw) => self
                .number_format(Field::VatRate)
                .iter()
                .find_map(|f| values::parse_scaled(raw.trim_end_matches('%').trim(), f, 2))
                .and_then(|bp| u16::try_from(bp).ok())
                .and_then(|bp| VatRate::from_basis_points(bp).ok())
                .ok_or_else(|| {
                    self.fault(Field::VatRate, "not a VAT rate: a percentage such as 5,5")
                })?,
        };
        let status = match self.text(Field::TicketStatus) {
            None => TicketStatus::Valid,
            Some(raw) => Words::answer(&self.words.ticket_status, raw, vocabulary::ticket_status)
                .ok_or_else(|| {
                self.fault(
                    Field::TicketStatus,
                    "not a ticket status: valid, cancelled or refunded",
                )
            })?,
        };
        let tariff_label = self
            .text(Field::Tariff)
            .or(self.text(Field::TariffId))
            .unwrap_or("Tarif unique");
        let tariff_id: ExternalId = self
            .text(Field::TariffId)
            .unwrap_or(tariff_label)
            .parse()
            .map_err(|e: jauge_model::InvalidValue| self.fault(Field::TariffId, e.to_string()))?;
        let mut notes = Vec::new();
        let category = match self.profile.defaults.tariff_categories.get(tariff_label) {
            Some(category) => *category,
            None if self.tariffs.borrow().contains_key(tariff_label) => {
                self.tariffs.borrow()[tariff_label]
            }
            None => {
                let category = vocabulary::tariff_category(tariff_label);
                self.tariffs.borrow_mut().insert(
                    tariff_label.to_owned(),
                    category.unwrap_or(TariffCategory::Other),
                );
                match category {
                    Some(category) => category,
                    None => {
                        notes.push(format!(
                            "tariff {tariff_label:?} is in no known category: counted as other until a profile says"
                        ));
                        TariffCategory::Other
                    }
                }
            }
        };
        let tariff = Tariff {
            id: tariff_id,
            label: tariff_label
                .parse()
                .map_err(|e: jauge_model::InvalidValue| self.fault(Field::Tariff, e.to_string()))?,
            category,
        };
        let buyer = self.buyer(&mut notes);
        let order = Order {
            id: order_id,
            channel: self
                .text(Field::Channel)
                .and_then(|raw| Words::answer(&self.words.channel, raw, vocabulary::channel))
                .unwrap_or(Channel::Other),
            created_at,
            buyer: buyer.as_ref().and_then(|b| b.key.clone()),
            status: self
                .text(Field::OrderStatus)
                .and_then(|raw| {
                    Words::answer(&self.words.order_status, raw, vocabulary::order_status)
                })
                .unwrap_or(OrderStatus::Paid),
        };
        Ok(Sale {
            tariff,
            buyer,
            order,
            ticket: self.id(Field::TicketId)?,
            ticket_fields: TicketFields {
                performance,
                amount,
                face_value,
                vat,
                status,
                checked_in_at: self.instant(Field::CheckIn, None)?,
            },
            notes,
        })
    }

    /// The buyer's identity, keyed by the source's customer number (or email).
    fn buyer(&self, notes: &mut Vec<String>) -> Option<PatronIdentity> {
        let key = self.someone().ok()?;
        // An earlier row gave this patron: the first row's identity is kept, this one's unread.
        if self
            .seen
            .contains(&(Kind::Patron, CompactString::from(key.as_str())))
        {
            return Some(PatronIdentity {
                key: Some(key),
                ..PatronIdentity::default()
            });
        }
        Some(self.identity(key, notes))
    }

    /// Who the row's person is, as the row says.
    fn identity(&self, key: PatronKey, notes: &mut Vec<String>) -> PatronIdentity {
        let short = |f: Field| self.text(f).map(CompactString::from);
        let email = self
            .text(Field::Email)
            .and_then(|raw| match raw.parse::<Email>() {
                Ok(email) => Some(email),
                Err(_) => {
                    notes.push(format!(
                        "line {}: email {raw:?} is not an address; kept without it",
                        self.line
                    ));
                    None
                }
            });
        let birth_date = self.birth_date(notes);
        PatronIdentity {
            key: Some(key),
            first_name: short(Field::FirstName),
            last_name: short(Field::LastName),
            email,
            phone: short(Field::Phone),
            postcode: short(Field::Postcode),
            city: short(Field::City),
            country: self.text(Field::Country).and_then(|c| c.parse().ok()),
            birth_year: self
                .text(Field::BirthYear)
                .and_then(|y| y.parse().ok())
                .or(birth_date.map(|d| d.year()))
                .and_then(|y| BirthYear::new(y).ok()),
            birth_date,
            address: short(Field::Address),
        }
    }

    /// A birth date, as the column writes dates (or `yyyymmdd` in a column of numbers); one
    /// that is not a date is left out, with a note.
    fn birth_date(&self, notes: &mut Vec<String>) -> Option<chrono::NaiveDate> {
        let raw = self.text(Field::BirthDate)?;
        let date = match self.profile.kinds.get(&Field::BirthDate) {
            Some(ValueKind::Date(format)) => values::parse_date(raw, format),
            Some(ValueKind::DateTime { date, .. }) => {
                values::parse_date(raw.split_whitespace().next().unwrap_or(raw), date)
            }
            Some(ValueKind::Iso8601) => values::parse_iso8601(raw).map(|t| t.date_naive()),
            _ if raw.len() == 8 && raw.bytes().all(|b| b.is_ascii_digit()) => {
                chrono::NaiveDate::parse_from_str(raw, "%Y%m%d").ok()
            }
            _ => None,
        };
        if date.is_none() {
            notes.push(format!(
                "line {}: birth date {raw:?} is not a date; kept without it",
                self.line
            ));
        }
        date
    }
}

/// The key of a patron known to `source` by `own` (a customer number, or an email): the
/// source's name and the number when they make a valid key, else the source's name and a hash
/// of the number, so the same number always gives the same key.
pub fn patron_key(source: &str, own: &str) -> PatronKey {
    let plain = format!("{source}-{own}");
    plain.parse().unwrap_or_else(|_| {
        // FNV-1a: small, stable across versions and platforms.
        let hash = own.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let short: String = source.chars().take(40).collect();
        format!("{short}-h{hash:016x}")
            .parse()
            .expect("a source name and a hex hash make a key")
    })
}

#[cfg(test)]
mod tests;
