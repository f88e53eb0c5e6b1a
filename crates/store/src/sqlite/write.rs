//! Writing an import batch on SQLite: the database operations of [`crate::batch::writer`],
//! which decides what a batch writes, in SQLite's terms. Every fact of a dataset and the
//! rollups it changes go in one transaction, committed only if the dataset has no problem.
//!
//! The write is built for bulk loads as much as for daily increments (measured on a 2-core
//! machine; see the `demo_load` benchmark): rows go in many at a time and in key order, the
//! dataset is checked on the other core while this one writes, a large batch rebuilds the
//! sales index instead of inserting into it, and rollups of performances and seasons the batch
//! created are computed from the batch itself instead of read back.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use chrono_tz::Tz;
use jauge_analytics::SalesTotals;
use jauge_model::{
    Campaign, Consent, Dataset, ExternalId, Order, PatronIdentity, PatronKey, QuarantinedRow,
    SeasonStartMonth, Show, Tariff, VenueSetup,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::bulk::{BulkInsert, Param};
use super::read_setup;
use crate::batch::writer::{
    BatchDatabase, BatchKeys, CampaignEventRow, PatronSeasonRow, PerformanceRow, StoredPerformance,
    write_batch,
};
use crate::batch::{
    History, Holder, SeasonCutter, Stopwatch, StoredOrder, StoredTicket, TicketRow,
};
use crate::rows::to_seconds;
use crate::{BatchReport, StoreError};

/// Writes a batch that arrives in parts (one dataset, or a large file's rows as they are read)
/// in one transaction. Foreign-key enforcement is off while it runs: the writer resolves every
/// reference to a row id itself (a missing one fails the batch) and each part's references are
/// checked as well, so the database's own check would only repeat them, at a quarter of the
/// write's time. It is back on for every other statement.
pub(crate) fn write_parts<D: Borrow<Dataset>>(
    conn: &mut Connection,
    parts: impl Iterator<Item = Result<D, String>>,
    whole: bool,
) -> Result<BatchReport, StoreError> {
    let setup = read_setup(conn)?.ok_or(StoreError::NoVenue)?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let written = write_checked(conn, parts, &setup, whole);
    conn.pragma_update(None, "foreign_keys", true)?;
    written
}

fn write_checked<D: Borrow<Dataset>>(
    conn: &mut Connection,
    mut parts: impl Iterator<Item = Result<D, String>>,
    setup: &VenueSetup,
    whole: bool,
) -> Result<BatchReport, StoreError> {
    let Some(first) = parts.next() else {
        return Ok(BatchReport::default());
    };
    let first = first.map_err(StoreError::Abandoned)?;
    let tx = conn.transaction()?;
    let mut db = SqliteBatch {
        tx: &tx,
        whole,
        sales_index_dropped: None,
    };
    let mut report = write_batch(&mut db, first, parts, setup)?;
    let committing = std::time::Instant::now();
    tx.commit()?;
    report.phases.push(("commit", committing.elapsed()));
    Ok(report)
}

/// A batch's transaction on SQLite, with what it does to write fast.
struct SqliteBatch<'t> {
    tx: &'t Transaction<'t>,
    /// Whether the batch comes whole, in one part. A batch in parts keeps the sales index: its
    /// parts are written while the next is read, and growing the index then costs less than
    /// building it at the end (measured on the import benchmark).
    whole: bool,
    /// Whether the first part's tickets dropped the sales index, for the end to build again.
    sales_index_dropped: Option<bool>,
}

impl BatchDatabase for SqliteBatch<'_> {
    fn source_id(&mut self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .tx
            .query_row("SELECT id FROM source WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn insert_source(&mut self, first: &Dataset, now: i64) -> Result<i64, StoreError> {
        Ok(self.tx.query_row(
            "INSERT INTO source (name, kind, created_at) VALUES (?1, ?2, ?3) RETURNING id",
            params![first.source.as_str(), first.kind.code(), now],
            |r| r.get(0),
        )?)
    }

    fn insert_batch(
        &mut self,
        source_id: i64,
        first: &Dataset,
        now: i64,
    ) -> Result<i64, StoreError> {
        Ok(self.tx.query_row(
            "INSERT INTO import_batch (source_id, origin, started_at, shape, drift_accepted)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            params![
                source_id,
                first.origin,
                now,
                first.shape,
                first.drift_accepted
            ],
            |r| r.get(0),
        )?)
    }

    fn clear_quarantine(&mut self, source_id: i64, origin: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "DELETE FROM quarantine WHERE source_id = ?1 AND origin = ?2",
            params![source_id, origin],
        )?;
        Ok(())
    }

    /// A database error reads as "yes": the careful path.
    fn holds_rows_of(&mut self, table: &str, source_id: i64) -> Result<bool, StoreError> {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE source_id = ?1)");
        Ok(self
            .tx
            .query_row(&sql, [source_id], |r| r.get(0))
            .unwrap_or(true))
    }

    fn halls(&mut self) -> Result<HashMap<String, i64>, StoreError> {
        Ok(self
            .tx
            .prepare("SELECT name, id FROM hall")?
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<Result<_, _>>()?)
    }

    fn subscription_tariffs(&mut self, source_id: i64) -> Result<HashSet<ExternalId>, StoreError> {
        self.tx
            .prepare(
                "SELECT external_id FROM tariff WHERE source_id = ?1 AND category = 'subscription'",
            )?
            .query_map([source_id], |r| r.get::<_, String>(0))?
            .map(|id| id?.parse::<ExternalId>().map_err(super::corrupt))
            .collect()
    }

    fn stored_id(
        &mut self,
        table: &'static str,
        source_id: i64,
        id: &ExternalId,
    ) -> Result<Option<i64>, StoreError> {
        let sql = format!("SELECT id FROM {table} WHERE source_id = ?1 AND external_id = ?2");
        Ok(self
            .tx
            .prepare_cached(&sql)?
            .query_row(params![source_id, id.as_str()], |r| r.get(0))
            .optional()?)
    }

    fn upsert_shows(&mut self, keys: BatchKeys, shows: &[Show]) -> Result<Vec<i64>, StoreError> {
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO show (source_id, external_id, batch_id, title, discipline, company,
                               young_audience, coproduction, festival)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = ?3, title = ?4,
                discipline = ?5, company = ?6, young_audience = ?7, coproduction = ?8, festival = ?9
             RETURNING id",
        )?;
        let mut ids = Vec::with_capacity(shows.len());
        for s in shows {
            ids.push(insert.query_row(
                params![
                    keys.source_id,
                    s.id.as_str(),
                    keys.batch_id,
                    s.title.as_str(),
                    s.discipline.code(),
                    s.company.as_ref().map(|c| c.as_str()),
                    s.young_audience,
                    s.coproduction,
                    s.festival.as_ref().map(|f| f.as_str()),
                ],
                |r| r.get(0),
            )?);
        }
        Ok(ids)
    }

    fn upsert_performances(
        &mut self,
        keys: BatchKeys,
        rows: &[PerformanceRow],
    ) -> Result<Vec<(i64, Option<i32>)>, StoreError> {
        let mut previous_season = self.tx.prepare_cached(
            "SELECT season_start_year FROM performance WHERE source_id = ?1 AND external_id = ?2",
        )?;
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO performance (source_id, external_id, batch_id, show_id, hall_id, starts_at,
                                      season_start_year, capacity, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = ?3, show_id = ?4,
                hall_id = ?5, starts_at = ?6, season_start_year = ?7, capacity = ?8, status = ?9
             RETURNING id",
        )?;
        let mut written = Vec::with_capacity(rows.len());
        for row in rows {
            let p = row.performance;
            let previous: Option<i32> = previous_season
                .query_row(params![keys.source_id, p.id.as_str()], |r| r.get(0))
                .optional()?;
            let id = insert.query_row(
                params![
                    keys.source_id,
                    p.id.as_str(),
                    keys.batch_id,
                    row.show,
                    row.hall,
                    row.starts_at,
                    row.season,
                    p.capacity.get(),
                    p.status.code(),
                ],
                |r| r.get(0),
            )?;
            written.push((id, previous));
        }
        Ok(written)
    }

    fn upsert_tariffs(
        &mut self,
        keys: BatchKeys,
        tariffs: &[Tariff],
    ) -> Result<Vec<i64>, StoreError> {
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO tariff (source_id, external_id, batch_id, label, category)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = ?3, label = ?4,
                category = ?5
             RETURNING id",
        )?;
        let mut ids = Vec::with_capacity(tariffs.len());
        for t in tariffs {
            ids.push(insert.query_row(
                params![
                    keys.source_id,
                    t.id.as_str(),
                    keys.batch_id,
                    t.label.as_str(),
                    t.category.code()
                ],
                |r| r.get(0),
            )?);
        }
        Ok(ids)
    }

    fn source_performances(
        &mut self,
        source_id: i64,
    ) -> Result<Vec<StoredPerformance>, StoreError> {
        Ok(self
            .tx
            .prepare(
                "SELECT external_id, id, season_start_year, status FROM performance
                 WHERE source_id = ?1",
            )?
            .query_map([source_id], |r| {
                Ok(StoredPerformance {
                    external_id: r.get(0)?,
                    id: r.get(1)?,
                    season: r.get(2)?,
                    scheduled: r.get::<_, String>(3)? == "scheduled",
                })
            })?
            .collect::<Result<_, _>>()?)
    }

    fn next_order_id(&mut self) -> Result<i64, StoreError> {
        Ok(self
            .tx
            .query_row("SELECT coalesce(max(id), 0) + 1 FROM sale_order", [], |r| {
                r.get(0)
            })?)
    }

    fn stored_orders(
        &mut self,
        source_id: i64,
        orders: &[Order],
    ) -> Result<Vec<Option<(i64, StoredOrder)>>, StoreError> {
        let mut stored = self.tx.prepare_cached(
            "SELECT id, buyer_key, channel, created_at, status FROM sale_order
             WHERE source_id = ?1 AND external_id = ?2",
        )?;
        let mut found = Vec::with_capacity(orders.len());
        for o in orders {
            found.push(
                stored
                    .query_row(params![source_id, o.id.as_str()], |r| {
                        Ok((
                            r.get(0)?,
                            StoredOrder {
                                buyer: r.get(1)?,
                                channel: r.get(2)?,
                                created_at: r.get(3)?,
                                status: r.get(4)?,
                            },
                        ))
                    })
                    .optional()?,
            );
        }
        Ok(found)
    }

    fn insert_patrons(
        &mut self,
        keys: BatchKeys,
        patrons: &[(&PatronKey, &PatronIdentity)],
    ) -> Result<(), StoreError> {
        let mut key_rows = BulkInsert::new(
            self.tx,
            "INSERT INTO patron (key, batch_id)",
            2,
            "ON CONFLICT (key) DO NOTHING",
        )?;
        let mut identities = BulkInsert::new(
            self.tx,
            "INSERT INTO patron_identity (patron_key, source_id, batch_id, first_name, last_name,
                email, phone, postcode, city, country, birth_year, birth_date, address)",
            13,
            "ON CONFLICT (patron_key) DO UPDATE SET source_id = excluded.source_id,
                batch_id = excluded.batch_id, first_name = excluded.first_name,
                last_name = excluded.last_name, email = excluded.email, phone = excluded.phone,
                postcode = excluded.postcode, city = excluded.city, country = excluded.country,
                birth_year = excluded.birth_year, birth_date = excluded.birth_date,
                address = excluded.address",
        )?;
        let dates: Vec<Option<String>> = patrons
            .iter()
            .map(|(_, p)| p.birth_date.map(|d| d.format("%Y-%m-%d").to_string()))
            .collect();
        for (&(key, p), date) in patrons.iter().zip(&dates) {
            let key = Param::Text(key.as_str());
            key_rows.push(&[key, Param::Int(keys.batch_id)])?;
            identities.push(&[
                key,
                Param::Int(keys.source_id),
                Param::Int(keys.batch_id),
                p.first_name.as_deref().into(),
                p.last_name.as_deref().into(),
                p.email.as_ref().map(|e| e.as_str()).into(),
                p.phone.as_deref().into(),
                p.postcode.as_deref().into(),
                p.city.as_deref().into(),
                p.country.as_ref().map(|c| c.as_str()).into(),
                p.birth_year.map(|y| i64::from(y.get())).into(),
                date.as_deref().into(),
                p.address.as_deref().into(),
            ])?;
        }
        key_rows.flush()?;
        identities.flush()
    }

    fn insert_orders(
        &mut self,
        keys: BatchKeys,
        orders: &[(i64, &Order)],
    ) -> Result<(), StoreError> {
        let mut insert = BulkInsert::new(
            self.tx,
            "INSERT INTO sale_order (id, source_id, external_id, batch_id, channel, created_at,
                                     buyer_key, status)",
            8,
            "ON CONFLICT (id) DO UPDATE SET batch_id = excluded.batch_id,
                channel = excluded.channel, created_at = excluded.created_at,
                buyer_key = excluded.buyer_key, status = excluded.status",
        )?;
        for &(id, o) in orders {
            insert.push(&[
                Param::Int(id),
                Param::Int(keys.source_id),
                Param::Text(o.id.as_str()),
                Param::Int(keys.batch_id),
                Param::Text(o.channel.code()),
                Param::Int(to_seconds(o.created_at)),
                o.buyer.as_ref().map(|b| b.as_str()).into(),
                Param::Text(o.status.code()),
            ])?;
        }
        insert.flush()
    }

    fn stored_tickets(
        &mut self,
        source_id: i64,
        rows: &[TicketRow],
    ) -> Result<Vec<Option<StoredTicket>>, StoreError> {
        let mut before = self.tx.prepare_cached(
            "SELECT t.performance_id, p.season_start_year, t.order_id, t.tariff_id,
                    t.amount_cents, t.face_value_cents, t.vat_bp, t.status,
                    coalesce(t.checked_in_at, ''), coalesce(t.attendee_key, '')
             FROM ticket t JOIN performance p ON p.id = t.performance_id
             WHERE t.source_id = ?1 AND t.external_id = ?2",
        )?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            found.push(
                before
                    .query_row(params![source_id, row.3.id.as_str()], |r| {
                        Ok(StoredTicket {
                            performance: r.get(0)?,
                            season: r.get(1)?,
                            numbers: [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
                            status: r.get(7)?,
                            checked_in_at: match r.get::<_, rusqlite::types::Value>(8)? {
                                rusqlite::types::Value::Integer(at) => Some(at),
                                _ => None,
                            },
                            attendee: r.get(9)?,
                        })
                    })
                    .optional()?,
            );
        }
        Ok(found)
    }

    /// The first part's tickets choose whether the sales index is dropped for the batch.
    fn insert_tickets(&mut self, keys: BatchKeys, rows: &[TicketRow]) -> Result<(), StoreError> {
        if self.sales_index_dropped.is_none() {
            self.sales_index_dropped =
                Some(self.whole && drop_sales_index_for(self.tx, rows.len())?);
        }
        let mut insert = BulkInsert::new(
            self.tx,
            "INSERT INTO ticket (source_id, external_id, batch_id, order_id, performance_id,
                tariff_id, amount_cents, face_value_cents, vat_bp, status, checked_in_at,
                attendee_key)",
            12,
            "ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = excluded.batch_id,
                order_id = excluded.order_id, performance_id = excluded.performance_id,
                tariff_id = excluded.tariff_id, amount_cents = excluded.amount_cents,
                face_value_cents = excluded.face_value_cents, vat_bp = excluded.vat_bp,
                status = excluded.status, checked_in_at = excluded.checked_in_at,
                attendee_key = excluded.attendee_key",
        )?;
        for &(performance, order, tariff, t) in rows {
            insert.push(&[
                Param::Int(keys.source_id),
                Param::Text(t.id.as_str()),
                Param::Int(keys.batch_id),
                Param::Int(order),
                Param::Int(performance),
                Param::Int(tariff),
                Param::Int(t.amount_paid.as_i64()),
                Param::Int(t.face_value.as_i64()),
                Param::Int(i64::from(t.vat_rate.basis_points())),
                Param::Text(t.status.code()),
                t.checked_in_at.map(to_seconds).into(),
                t.attendee.as_ref().map(|a| a.as_str()).into(),
            ])?;
        }
        insert.flush()
    }

    fn insert_consents(&mut self, keys: BatchKeys, consents: &[Consent]) -> Result<(), StoreError> {
        let mut insert = BulkInsert::new(
            self.tx,
            "INSERT INTO consent (patron_key, channel, purpose, status, at, source_id, batch_id, proof)",
            8,
            "ON CONFLICT (patron_key, channel, purpose, at, status) DO NOTHING",
        )?;
        for c in consents {
            insert.push(&[
                Param::Text(c.patron.as_str()),
                Param::Text(c.channel.code()),
                Param::Text(c.purpose.code()),
                Param::Text(c.status.code()),
                Param::Int(to_seconds(c.at)),
                Param::Int(keys.source_id),
                Param::Int(keys.batch_id),
                Param::Text(&c.proof),
            ])?;
        }
        insert.flush()
    }

    fn upsert_campaigns(
        &mut self,
        keys: BatchKeys,
        campaigns: &[Campaign],
    ) -> Result<Vec<i64>, StoreError> {
        let mut campaign = self.tx.prepare_cached(
            "INSERT INTO campaign (source_id, external_id, batch_id, name, sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = ?3, name = ?4,
                sent_at = ?5
             RETURNING id",
        )?;
        let mut ids = Vec::with_capacity(campaigns.len());
        for c in campaigns {
            ids.push(campaign.query_row(
                params![
                    keys.source_id,
                    c.id.as_str(),
                    keys.batch_id,
                    c.name.as_str(),
                    to_seconds(c.sent_at)
                ],
                |r| r.get(0),
            )?);
        }
        Ok(ids)
    }

    fn insert_campaign_events(
        &mut self,
        batch_id: i64,
        events: &[CampaignEventRow],
    ) -> Result<(), StoreError> {
        let mut insert = BulkInsert::new(
            self.tx,
            "INSERT INTO campaign_event (campaign_id, patron_key, kind, at, batch_id)",
            5,
            "ON CONFLICT DO NOTHING",
        )?;
        for &(campaign, patron, kind, at) in events {
            insert.push(&[
                Param::Int(campaign),
                Param::Text(patron),
                Param::Text(kind),
                Param::Int(at),
                Param::Int(batch_id),
            ])?;
        }
        insert.flush()
    }

    fn insert_quarantined(
        &mut self,
        keys: BatchKeys,
        origin: &str,
        rows: &[QuarantinedRow],
    ) -> Result<(), StoreError> {
        let mut insert = BulkInsert::new(
            self.tx,
            "INSERT INTO quarantine (source_id, batch_id, origin, line, column_index, column_name,
                                     raw, reason)",
            8,
            "",
        )?;
        for q in rows {
            insert.push(&[
                Param::Int(keys.source_id),
                Param::Int(keys.batch_id),
                Param::Text(origin),
                Param::Int(i64::try_from(q.line).unwrap_or(i64::MAX)),
                q.column
                    .as_ref()
                    .map(|(c, _)| i64::try_from(*c).unwrap_or(i64::MAX))
                    .into(),
                q.column.as_ref().map(|(_, h)| h.as_str()).into(),
                Param::Text(&q.raw),
                Param::Text(&q.reason),
            ])?;
        }
        insert.flush()
    }

    fn holds_record(&mut self, source_id: i64, holder: Holder) -> Result<bool, StoreError> {
        Ok(match holder {
            Holder::Scoped(table, id) => {
                let sql =
                    format!("SELECT 1 FROM {table} WHERE source_id = ?1 AND external_id = ?2");
                self.tx
                    .prepare_cached(&sql)?
                    .exists(params![source_id, id])?
            }
            Holder::Patron(key) => self
                .tx
                .prepare_cached("SELECT 1 FROM patron WHERE key = ?1")?
                .exists([key])?,
        })
    }

    fn tickets_of_batch(&mut self, batch_id: i64) -> Result<i64, StoreError> {
        Ok(self.tx.query_row(
            "SELECT count(*) FROM ticket WHERE batch_id = ?1",
            [batch_id],
            |r| r.get(0),
        )?)
    }

    fn origin(&mut self, batch_id: i64) -> Result<String, StoreError> {
        Ok(self.tx.query_row(
            "SELECT origin FROM import_batch WHERE id = ?1",
            [batch_id],
            |r| r.get(0),
        )?)
    }

    fn insert_history(
        &mut self,
        keys: BatchKeys,
        now: i64,
        history: &History,
    ) -> Result<(), StoreError> {
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO change_history (record, source_id, external_id, batch_id, changed_at, changes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (record, id, changes) in history {
            insert.execute(params![
                record,
                keys.source_id,
                id,
                keys.batch_id,
                now,
                changes.join("; ")
            ])?;
        }
        Ok(())
    }

    fn upsert_performance_sales(
        &mut self,
        sales: &BTreeMap<i64, SalesTotals>,
    ) -> Result<(), StoreError> {
        let mut insert = BulkInsert::new(
            self.tx,
            "INSERT INTO performance_sales (performance_id, tickets, paid_tickets, free_tickets,
                                            revenue_cents, subscription_tickets)",
            6,
            "ON CONFLICT (performance_id) DO UPDATE SET tickets = excluded.tickets,
                paid_tickets = excluded.paid_tickets, free_tickets = excluded.free_tickets,
                revenue_cents = excluded.revenue_cents,
                subscription_tickets = excluded.subscription_tickets",
        )?;
        for (&performance, totals) in sales {
            let count = |n: u64| Param::Int(i64::try_from(n).unwrap_or(i64::MAX));
            insert.push(&[
                Param::Int(performance),
                count(totals.tickets),
                count(totals.paid_tickets),
                count(totals.free_tickets),
                Param::Int(totals.revenue.as_i64()),
                count(totals.subscription_tickets),
            ])?;
        }
        insert.flush()
    }

    fn refresh_performance_sales(&mut self, performances: &[i64]) -> Result<(), StoreError> {
        refresh_performance_sales(self.tx, performances)
    }

    fn seasons_of(&mut self, performances: &[i64]) -> Result<Vec<i32>, StoreError> {
        let mut season_of = self
            .tx
            .prepare_cached("SELECT season_start_year FROM performance WHERE id = ?1")?;
        let mut seasons = Vec::with_capacity(performances.len());
        for &p in performances {
            seasons.push(season_of.query_row([p], |r| r.get(0))?);
        }
        Ok(seasons)
    }

    fn all_seasons(&mut self) -> Result<Vec<i32>, StoreError> {
        Ok(self
            .tx
            .prepare("SELECT DISTINCT season_start_year FROM performance")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?)
    }

    fn performances_in_season(&mut self, season: i32) -> Result<i64, StoreError> {
        Ok(self.tx.query_row(
            "SELECT count(*) FROM performance WHERE season_start_year = ?1",
            [season],
            |r| r.get(0),
        )?)
    }

    /// A first load fills an empty table: its season index is built after, not grown.
    fn upsert_patron_seasons(&mut self, rows: &[PatronSeasonRow]) -> Result<(), StoreError> {
        let empty: bool =
            self.tx
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM patron_season)", [], |r| {
                    r.get(0)
                })?;
        let rebuild = empty && rows.len() > 10_000;
        if rebuild {
            self.tx
                .execute_batch("DROP INDEX patron_season_by_season")?;
        }
        let mut insert = BulkInsert::new(
            self.tx,
            "INSERT INTO patron_season (patron_key, season_start_year, tickets,
                                        subscription_tickets)",
            4,
            "ON CONFLICT (patron_key, season_start_year) DO UPDATE SET tickets = excluded.tickets,
                subscription_tickets = excluded.subscription_tickets",
        )?;
        for ((buyer, season), (tickets, subscriptions)) in rows {
            insert.push(&[
                Param::Text(buyer),
                Param::Int(i64::from(*season)),
                Param::Int(*tickets),
                Param::Int(*subscriptions),
            ])?;
        }
        insert.flush()?;
        if rebuild {
            self.tx.execute_batch(CREATE_SEASON_INDEX)?;
        }
        Ok(())
    }

    fn refresh_patron_seasons(&mut self, seasons: &BTreeSet<i32>) -> Result<(), StoreError> {
        refresh_patron_seasons(self.tx, seasons)
    }

    fn audiences_changed(&mut self) -> Result<(), StoreError> {
        audiences_changed(self.tx)
    }

    fn daily_sales_changed(&mut self) -> Result<(), StoreError> {
        daily_sales_changed(self.tx)
    }

    fn finish_batch(&mut self, batch_id: i64, now: i64, facts: i64) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE import_batch SET finished_at = ?2, facts = ?3 WHERE id = ?1",
            params![batch_id, now, facts],
        )?;
        Ok(())
    }

    /// Builds the sales index again if the first part's tickets dropped it.
    fn after_parts(&mut self, clock: &mut Stopwatch) -> Result<(), StoreError> {
        if self.sales_index_dropped == Some(true) {
            self.tx.execute_batch(CREATE_SALES_INDEX)?;
        }
        clock.lap("sales index");
        Ok(())
    }
}

const CREATE_SALES_INDEX: &str = "CREATE INDEX ticket_sales ON ticket (performance_id)";
const CREATE_SEASON_INDEX: &str =
    "CREATE INDEX patron_season_by_season ON patron_season (season_start_year, patron_key)";

/// Drops the index that serves the rollups when `incoming` tickets are better written without
/// it and the index built again after; says whether it did. Tickets arrive in no particular
/// performance order, so inserting into it costs several microseconds a ticket, while building
/// it costs well under one a ticket stored or incoming (both measured here). So a large batch
/// rebuilds it; a daily increment does not.
fn drop_sales_index_for(tx: &Transaction, incoming: usize) -> Result<bool, StoreError> {
    if incoming < 10_000 {
        return Ok(false);
    }
    let stored: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM ticket", [], |r| r.get(0))?;
    let rebuild = stored < 6 * i64::try_from(incoming).unwrap_or(i64::MAX);
    if rebuild {
        tx.execute_batch("DROP INDEX ticket_sales")?;
    }
    Ok(rebuild)
}

/// Replaces, for each key, the rollup rows `delete` removes by those `insert` computes from the
/// tickets (both take the key as `?1`).
fn recompute<K: rusqlite::ToSql>(
    tx: &Transaction,
    delete: &str,
    insert: &str,
    keys: impl IntoIterator<Item = K>,
) -> Result<(), StoreError> {
    let (mut delete, mut insert) = (tx.prepare_cached(delete)?, tx.prepare_cached(insert)?);
    for key in keys {
        delete.execute([&key])?;
        insert.execute([&key])?;
    }
    Ok(())
}

/// Recomputes the sales of `performances` from their tickets.
pub(crate) fn refresh_performance_sales(
    tx: &Transaction,
    performances: &[i64],
) -> Result<(), StoreError> {
    let subscription = subscription_test(tx)?;
    recompute(
        tx,
        "DELETE FROM performance_sales WHERE performance_id = ?1",
        &format!(
            "INSERT INTO performance_sales
             SELECT t.performance_id, count(*), sum(t.amount_cents > 0), sum(t.amount_cents = 0),
                    sum(t.amount_cents), sum({subscription})
             FROM ticket t
             WHERE t.performance_id = ?1 AND t.status = 'valid' GROUP BY t.performance_id"
        ),
        performances,
    )
}

/// A test of whether a ticket `t` is at a subscription tariff, as equalities on its tariff's
/// row id: a join to the tariffs, or `IN` over them, costs several times more per ticket
/// (measured on the import benchmark).
fn subscription_test(tx: &Transaction) -> Result<String, StoreError> {
    let ids: Vec<i64> = tx
        .prepare_cached("SELECT id FROM tariff WHERE category = 'subscription'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(if ids.is_empty() {
        "0".to_owned()
    } else {
        let tests: Vec<String> = ids.iter().map(|id| format!("t.tariff_id = {id}")).collect();
        format!("({})", tests.join(" OR "))
    })
}

/// Marks the seasons' audiences as changed: the rollup is emptied, and the next read builds
/// it again (see `SqliteStore::season_audience`).
pub(crate) fn audiences_changed(tx: &Transaction) -> Result<(), StoreError> {
    tx.execute("DELETE FROM season_audience", [])?;
    Ok(())
}

/// Marks the sales by day and by tariff of every season as changed: emptied, built again by
/// the next read (see `SqliteStore::season_sales_by_day`).
pub(crate) fn daily_sales_changed(tx: &Transaction) -> Result<(), StoreError> {
    tx.execute("DELETE FROM season_daily_sales", [])?;
    tx.execute("DELETE FROM season_tariff_sales", [])?;
    Ok(())
}

/// Recomputes the buyers' valid tickets in `seasons` from the tickets.
pub(crate) fn refresh_patron_seasons(
    tx: &Transaction,
    seasons: &BTreeSet<i32>,
) -> Result<(), StoreError> {
    let subscription = subscription_test(tx)?;
    recompute(
        tx,
        "DELETE FROM patron_season WHERE season_start_year = ?1",
        &format!(
            "INSERT INTO patron_season
             SELECT o.buyer_key, p.season_start_year, count(*), sum({subscription})
             FROM performance p
             JOIN ticket t ON t.performance_id = p.id
             JOIN sale_order o ON o.id = t.order_id
             WHERE p.season_start_year = ?1 AND p.status = 'scheduled' AND t.status = 'valid'
               AND o.buyer_key IS NOT NULL
             GROUP BY o.buyer_key"
        ),
        seasons,
    )
}

/// Re-cuts every performance into seasons after the venue's time zone or season start changed,
/// and refreshes the buyers' activity of the seasons concerned.
pub(crate) fn reseason_performances(
    tx: &Transaction,
    tz: Tz,
    start: SeasonStartMonth,
) -> Result<(), StoreError> {
    let cutter = SeasonCutter { tz, start };
    let rows: Vec<(i64, i64, i32)> = tx
        .prepare("SELECT id, starts_at, season_start_year FROM performance")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut seasons = BTreeSet::new();
    let mut update = tx.prepare("UPDATE performance SET season_start_year = ?2 WHERE id = ?1")?;
    for (id, starts_at, old) in rows {
        let new = cutter.start_year(starts_at);
        if new != old {
            update.execute(params![id, new])?;
            seasons.extend([old, new]);
        }
    }
    refresh_patron_seasons(tx, &seasons)?;
    audiences_changed(tx)?;
    daily_sales_changed(tx)
}
