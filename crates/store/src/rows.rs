//! What the columns of a stored row become, for both backends: each `Raw…` type is a row's
//! columns as read, each function the value they make, or why the store holds something this
//! version cannot read. The SQL that reads the columns is each backend's own.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use jauge_analytics::{Bookings, PerformanceLine, PerformanceSales, SalesTotals};

use jauge_model::{
    BatchId, BirthYear, Capacity, Cents, ConsentChannel, ConsentPurpose, PatronIdentity, PatronKey,
    PerformanceStatus, QuarantinedRow,
};

use crate::{
    Account, ApiToken, AuditEntry, Change, DeclarationRecord, LiveSource, PersonLink, Purchase,
    QuarantineEntry, RecordActivity, Session, ShareRecord, SourceStatus, StoreError,
};

/// A `patron_identity` row: `patron_key`, then `first_name, last_name, email, phone, postcode,
/// city, country`, `birth_year`, `batch_id`, then `birth_date, address`.
pub(crate) type RawIdentity = (
    String,
    [Option<String>; 7],
    Option<i32>,
    i64,
    [Option<String>; 2],
);

/// A patron's identity and the batch that last wrote it.
pub(crate) fn identity(
    (key, [first, last, email, phone, postcode, city, country], year, batch, [date, address]): RawIdentity,
) -> Result<(PatronIdentity, BatchId), StoreError> {
    Ok((
        PatronIdentity {
            key: Some(key.parse().map_err(corrupt)?),
            first_name: first.map(Into::into),
            last_name: last.map(Into::into),
            email: email.map(|e| e.parse()).transpose().map_err(corrupt)?,
            phone: phone.map(Into::into),
            postcode: postcode.map(Into::into),
            city: city.map(Into::into),
            country: country.map(|c| c.parse()).transpose().map_err(corrupt)?,
            birth_year: year.map(BirthYear::new).transpose().map_err(corrupt)?,
            birth_date: date
                .map(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d"))
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("a birth date: {e}")))?,
            address: address.map(Into::into),
        },
        BatchId(batch),
    ))
}

/// The identities, of all those stored, of the patron records `keys`.
pub(crate) fn identities_of(
    all: Vec<(PatronIdentity, BatchId)>,
    keys: &BTreeSet<&str>,
) -> Vec<PatronIdentity> {
    all.into_iter()
        .map(|(identity, _)| identity)
        .filter(|i| i.key.as_ref().is_some_and(|k| keys.contains(k.as_str())))
        .collect()
}

/// What identifies a person in free text (quarantined rows, settings), for erasure: their email
/// and phone, each enough alone, and their first and last names, found together.
pub(crate) fn traces(identity: &PatronIdentity) -> (Vec<String>, Option<(String, String)>) {
    let texts = [
        identity.email.as_ref().map(|e| e.to_string()),
        identity.phone.as_ref().map(|p| p.to_string()),
    ];
    let texts = texts
        .into_iter()
        .flatten()
        .filter(|t| !t.is_empty())
        .collect();
    let names = match (&identity.first_name, &identity.last_name) {
        (Some(first), Some(last)) => Some((first.to_string(), last.to_string())),
        _ => None,
    };
    (texts, names)
}

/// A consent's `patron_key, status, at`, its source's name and its `proof`.
pub(crate) type RawConsent = (String, String, i64, String, String);

/// A consent given or withdrawn for `channel` and `purpose`.
pub(crate) fn consent(
    channel: ConsentChannel,
    purpose: ConsentPurpose,
    (patron, status, at, source, proof): RawConsent,
) -> Result<jauge_model::Consent, StoreError> {
    Ok(jauge_model::Consent {
        patron: patron.parse().map_err(corrupt)?,
        channel,
        purpose,
        status: status.parse().map_err(corrupt)?,
        at: from_seconds(at)?,
        source: source.parse().map_err(corrupt)?,
        proof,
    })
}

/// A consent's stored `channel` and `purpose`.
pub(crate) fn consent_kind(
    channel: &str,
    purpose: &str,
) -> Result<(ConsentChannel, ConsentPurpose), StoreError> {
    Ok((
        channel.parse().map_err(corrupt)?,
        purpose.parse().map_err(corrupt)?,
    ))
}

/// A ticket bought: its order's `external_id, created_at, channel`, its show's title, its
/// performance's start, its tariff's label, its `amount_cents` and `status`.
pub(crate) type RawPurchase = (String, i64, String, String, i64, String, i64, String);

/// One ticket a person bought.
pub(crate) fn purchase(
    (order, ordered_at, channel, show, starts_at, tariff, amount, status): RawPurchase,
) -> Result<Purchase, StoreError> {
    Ok(Purchase {
        order,
        ordered_at: from_seconds(ordered_at)?,
        channel,
        show,
        performance_at: from_seconds(starts_at)?,
        tariff,
        amount: Cents::from_signed(amount).map_err(corrupt)?,
        status,
    })
}

/// A patron record's key, its person's key, its last purchase, its last contact and when its
/// batch started.
pub(crate) type RawActivity = (String, String, Option<i64>, Option<i64>, i64);

/// A patron record's activity.
pub(crate) fn activity(
    (patron, person, purchase, contact, recorded): RawActivity,
) -> Result<RecordActivity, StoreError> {
    Ok(RecordActivity {
        patron: patron.parse().map_err(corrupt)?,
        person: person.parse().map_err(corrupt)?,
        last_purchase: purchase.map(from_seconds).transpose()?,
        last_contact: contact.map(from_seconds).transpose()?,
        recorded_at: from_seconds(recorded)?,
    })
}

/// A quarantined row: its source's name, then `origin, batch_id, line, column_index,
/// column_name, raw, reason`.
pub(crate) type RawQuarantine = (
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    String,
    String,
);

/// A quarantined row with where it came from.
pub(crate) fn quarantine_entry(
    (source, origin, batch, line, column, header, raw, reason): RawQuarantine,
) -> Result<QuarantineEntry, StoreError> {
    let number = |n: i64| u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("line {n}")));
    Ok(QuarantineEntry {
        source: source.parse().map_err(corrupt)?,
        origin,
        batch: BatchId(batch),
        row: QuarantinedRow {
            line: number(line)?,
            column: match (column, header) {
                (Some(c), Some(h)) => Some((number(c)? as usize, h)),
                _ => None,
            },
            raw,
            reason,
        },
    })
}

/// A `change_history` row: `record, external_id, batch_id, changed_at, changes`.
pub(crate) type RawChange = (String, String, i64, i64, String);

/// What a later import changed in a ticket or an order.
pub(crate) fn change(
    (record, external_id, batch, at, changes): RawChange,
) -> Result<Change, StoreError> {
    Ok(Change {
        record,
        external_id,
        batch: BatchId(batch),
        changed_at: from_seconds(at)?,
        changes: changes.split("; ").map(str::to_owned).collect(),
    })
}

/// A source's `name, kind`, its imports, its last import's end, the facts it brought, its
/// quarantined rows, its accepted drifts and its live sync's last error.
pub(crate) type RawSourceStatus = (
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    i64,
    Option<String>,
);

/// A source as supervision sees it.
pub(crate) fn source_status(
    (name, kind, imports, last, facts, quarantined, drifts, sync_error): RawSourceStatus,
) -> Result<SourceStatus, StoreError> {
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(SourceStatus {
        name: name.parse().map_err(corrupt)?,
        kind: kind.parse().map_err(corrupt)?,
        imports: count(imports),
        last_import: last.map(from_seconds).transpose()?,
        last_facts: facts.map_or(0, count),
        quarantined: count(quarantined),
        drifts: count(drifts),
        sync_error,
    })
}

/// A `person` row: `patron_key, person_key, part_key`.
pub(crate) fn person_link(
    (patron, person, part): (String, String, String),
) -> Result<PersonLink, StoreError> {
    Ok(PersonLink {
        patron: patron.parse().map_err(corrupt)?,
        person: person.parse().map_err(corrupt)?,
        part: part.parse().map_err(corrupt)?,
    })
}

/// The pair a decision on `a` and `b` is stored under, in key order; none when both are the
/// same patron, on which there is nothing to decide.
pub(crate) fn decision_pair<'k>(
    a: &'k PatronKey,
    b: &'k PatronKey,
) -> Option<(&'k PatronKey, &'k PatronKey)> {
    let (a, b) = if a.as_str() <= b.as_str() {
        (a, b)
    } else {
        (b, a)
    };
    (a != b).then_some((a, b))
}

/// A `link_decision` row: `a, b, same`.
pub(crate) fn decision(
    (a, b, same): (String, String, bool),
) -> Result<(PatronKey, PatronKey, bool), StoreError> {
    Ok((
        a.parse().map_err(corrupt)?,
        b.parse().map_err(corrupt)?,
        same,
    ))
}

/// A `live_source` row: `name, connector, kind, settings, every_minutes`, then `cursor,
/// hook_secret_hash, last_attempt_at, last_success_at, last_error`.
pub(crate) type RawLiveSource = (
    (String, String, String, String, u32),
    (
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<String>,
    ),
);

/// A live source.
pub(crate) fn live_source(
    (
        (name, connector, kind, settings, every_minutes),
        (cursor, hook_secret_hash, attempt, success, last_error),
    ): RawLiveSource,
) -> Result<LiveSource, StoreError> {
    Ok(LiveSource {
        name: name.parse().map_err(corrupt)?,
        connector,
        kind: kind.parse().map_err(corrupt)?,
        settings,
        every_minutes,
        cursor,
        hook_secret_hash,
        last_attempt_at: attempt.map(from_seconds).transpose()?,
        last_success_at: success.map(from_seconds).transpose()?,
        last_error,
    })
}

/// The `state` a declaration record is stored with.
pub(crate) fn declaration_state(record: &DeclarationRecord) -> &'static str {
    if record.sent { "sent" } else { "failed" }
}

/// A `sibil_declaration` row: `external_id, performance_id, quarter, sibil_id, state, message,
/// sent_at`.
pub(crate) type RawDeclaration = (
    String,
    i64,
    String,
    Option<i64>,
    String,
    Option<String>,
    i64,
);

/// What sending a declaration did, last.
pub(crate) fn declaration(
    (external_id, performance, quarter, sibil_id, state, message, at): RawDeclaration,
) -> Result<DeclarationRecord, StoreError> {
    Ok(DeclarationRecord {
        external_id,
        performance,
        quarter,
        sibil_id,
        sent: state == "sent",
        message,
        at: from_seconds(at)?,
    })
}

/// A `data_share` row: `id, recipient, purpose, legal_basis`, then `created_at, expires_at,
/// fields, revoked_at`, then `directory, download_hash`.
pub(crate) type RawShare = (
    (i64, String, String, String),
    (i64, i64, String, Option<i64>),
    (String, String),
);

/// An extract shared.
pub(crate) fn share(
    (
        (id, recipient, purpose, legal_basis),
        (created, expires, fields, revoked),
        (directory, download_hash),
    ): RawShare,
) -> Result<ShareRecord, StoreError> {
    Ok(ShareRecord {
        id,
        recipient,
        purpose,
        legal_basis,
        created_at: from_seconds(created)?,
        expires_at: from_seconds(expires)?,
        fields,
        revoked_at: revoked.map(from_seconds).transpose()?,
        directory,
        download_hash,
    })
}

/// An API token's scopes as stored: separated by spaces.
pub(crate) fn scopes_text(token: &ApiToken) -> String {
    token.scopes.join(" ")
}

/// An `api_token` row: `id, name, scopes, token_hash, expires_at, revoked_at`.
pub(crate) type RawToken = (i64, String, String, String, i64, Option<i64>);

/// An API token.
pub(crate) fn api_token(
    (id, name, scopes, token_hash, expires, revoked): RawToken,
) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id,
        name,
        scopes: scopes.split_whitespace().map(String::from).collect(),
        token_hash,
        expires_at: from_seconds(expires)?,
        revoked_at: revoked.map(from_seconds).transpose()?,
    })
}

/// A session's `token_hash, account, csrf, expires_at` and its account's `role,
/// password_hash`.
pub(crate) type RawSession = (String, String, String, i64, String, String);

/// A session with its account.
pub(crate) fn session(
    (token_hash, account, csrf, expires, role, password_hash): RawSession,
) -> Result<(Session, Account), StoreError> {
    Ok((
        Session {
            token_hash,
            account: account.clone(),
            csrf,
            expires_at: from_seconds(expires)?,
        },
        Account {
            name: account,
            role,
            password_hash,
        },
    ))
}

/// An `audit_log` row: `id, at, actor, action, detail`.
pub(crate) type RawAuditEntry = (i64, i64, String, String, String);

/// An entry of the audit log.
pub(crate) fn audit_entry(
    (id, at, actor, action, detail): RawAuditEntry,
) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id,
        at: from_seconds(at)?,
        actor,
        action,
        detail,
    })
}

/// A performance's capacity, status and sales as read from seven columns of a row, from `at`:
/// `capacity, status, tickets, paid_tickets, free_tickets, subscription_tickets,
/// revenue_cents` (see [`SALES_COLUMNS`]).
pub(crate) type RawSales = (u32, String, [u64; 4], i64);

/// The sales columns [`raw_sales`] reads, of a table aliased `s`, none when it has no row.
pub(crate) const SALES_COLUMNS: &str = "coalesce(s.tickets, 0), coalesce(s.paid_tickets, 0),
    coalesce(s.free_tickets, 0), coalesce(s.subscription_tickets, 0),
    coalesce(s.revenue_cents, 0)";

/// A performance's sales from what [`RawSales`] read.
pub(crate) fn performance_sales(
    (capacity, status, [tickets, paid_tickets, free_tickets, subscription_tickets], revenue): RawSales,
) -> Result<PerformanceSales, StoreError> {
    Ok(PerformanceSales {
        capacity: Capacity::new(capacity).map_err(corrupt)?,
        status: status.parse::<PerformanceStatus>().map_err(corrupt)?,
        sales: SalesTotals {
            tickets,
            paid_tickets,
            free_tickets,
            revenue: Cents::from_signed(revenue).map_err(corrupt)?,
            subscription_tickets,
        },
    })
}

/// A performance with its show and hall as read: id, show title, discipline, hall, start
/// (seconds) and sales.
pub(crate) type RawLine = (i64, String, String, String, i64, RawSales);

/// A performance's line from what [`RawLine`] read.
pub(crate) fn performance_line(
    (id, show, discipline, hall, starts_at, sales): RawLine,
) -> Result<PerformanceLine, StoreError> {
    Ok(PerformanceLine {
        id,
        show,
        discipline: discipline.parse().map_err(corrupt)?,
        hall,
        starts_at: from_seconds(starts_at)?,
        sales: performance_sales(sales)?,
    })
}

/// A tariff category's valid tickets and revenue (cents) as read.
pub(crate) fn tariff_sales(
    category: &str,
    tickets: u64,
    revenue: i64,
) -> Result<(jauge_model::TariffCategory, u64, Cents), StoreError> {
    Ok((
        category.parse().map_err(corrupt)?,
        tickets,
        Cents::from_signed(revenue).map_err(corrupt)?,
    ))
}

/// Each show's audience (the persons who hold valid tickets to it) from rows of (show id,
/// title, discipline, person), in any order; shows in id order.
pub(crate) fn show_audiences(
    rows: impl IntoIterator<Item = Result<(i64, String, String, String), StoreError>>,
) -> Result<Vec<jauge_analytics::crossover::ShowAudience>, StoreError> {
    let mut shows: std::collections::BTreeMap<i64, jauge_analytics::crossover::ShowAudience> =
        Default::default();
    for row in rows {
        let (id, title, discipline, person) = row?;
        let show = match shows.entry(id) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(jauge_analytics::crossover::ShowAudience {
                    show: title,
                    discipline: discipline.parse().map_err(corrupt)?,
                    people: Default::default(),
                })
            }
        };
        show.people.insert(person);
    }
    Ok(shows.into_values().collect())
}

/// A performance's bookings from its valid tickets by the instant (seconds) they were
/// ordered: tickets by days before the performance, both days in `tz`.
pub(crate) fn bookings_of(
    performance: PerformanceLine,
    orders: impl IntoIterator<Item = Result<(i64, u64), StoreError>>,
    tz: chrono_tz::Tz,
) -> Result<Bookings, StoreError> {
    let day = performance.starts_at.with_timezone(&tz).date_naive();
    let mut by_day: std::collections::BTreeMap<u32, u64> = Default::default();
    for order in orders {
        let (ordered, tickets) = order?;
        let ordered = from_seconds(ordered)?.with_timezone(&tz).date_naive();
        let before = u32::try_from((day - ordered).num_days().max(0)).unwrap_or(u32::MAX);
        *by_day.entry(before).or_default() += tickets;
    }
    Ok(Bookings {
        performance,
        by_day: by_day.into_iter().collect(),
    })
}

/// A performance of the programme as read: (id, source, external id, show's external id,
/// hall, start in seconds), its show (title, discipline, company, young audience,
/// coproduction, festival) and its sales.
pub(crate) type RawProgrammed = (
    (i64, String, String, String, String, i64),
    (String, String, Option<String>, bool, bool, Option<String>),
    RawSales,
);

/// A programmed performance from what [`RawProgrammed`] read.
pub(crate) fn programmed(
    ((id, source, external, show_external, hall, starts_at), show, sales): RawProgrammed,
) -> Result<crate::ProgrammedPerformance, StoreError> {
    let (title, discipline, company, young_audience, coproduction, festival) = show;
    let sales = performance_sales(sales)?;
    let name = |text: String| text.parse::<jauge_model::Name>().map_err(corrupt);
    Ok(crate::ProgrammedPerformance {
        id,
        source: source.parse().map_err(corrupt)?,
        performance: jauge_model::Performance {
            id: external.parse().map_err(corrupt)?,
            show: show_external.parse().map_err(corrupt)?,
            hall: name(hall)?,
            starts_at: from_seconds(starts_at)?,
            capacity: sales.capacity,
            status: sales.status,
        },
        show: jauge_model::Show {
            id: show_external.parse().map_err(corrupt)?,
            title: name(title)?,
            discipline: discipline.parse().map_err(corrupt)?,
            company: company.map(name).transpose()?,
            young_audience,
            coproduction,
            festival: festival.map(name).transpose()?,
        },
        sales,
    })
}

/// A ticket as read: buyer, performance start (seconds), show title, tariff category, amount
/// (cents) and status.
pub(crate) type RawTicketFact = (Option<String>, i64, String, String, i64, String);

/// A ticket's fact from what [`RawTicketFact`] read.
pub(crate) fn ticket_fact(
    (buyer, at, show, category, amount, status): RawTicketFact,
) -> Result<crate::TicketFact, StoreError> {
    Ok(crate::TicketFact {
        buyer: buyer.map(|b| b.parse()).transpose().map_err(corrupt)?,
        performance_at: from_seconds(at)?,
        show,
        category: category.parse().map_err(corrupt)?,
        amount: Cents::from_signed(amount).map_err(corrupt)?,
        status: status.parse().map_err(corrupt)?,
    })
}

pub(crate) fn to_seconds(instant: DateTime<Utc>) -> i64 {
    instant.timestamp()
}

pub(crate) fn from_seconds(seconds: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| StoreError::Corrupt(format!("instant {seconds} out of range")))
}

pub(crate) fn corrupt(e: jauge_model::InvalidValue) -> StoreError {
    StoreError::Corrupt(e.to_string())
}
