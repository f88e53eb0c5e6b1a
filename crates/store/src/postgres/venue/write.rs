//! Writing an import batch on PostgreSQL, with the rollups it keeps current, and the sales
//! snapshots: the database operations of [`crate::batch::writer`], which decides what a batch
//! writes (the same steps as on SQLite), in PostgreSQL's terms.
//!
//! Rows go in many at a time, as arrays `unnest` turns into rows: one statement for a part's
//! tickets (or [`ROWS_PER_STATEMENT`] of them), one round trip. What an earlier batch stored is
//! read back the same way, one query for a part's orders or tickets.

use std::collections::{BTreeMap, BTreeSet};

use chrono_tz::Tz;
use jauge_analytics::{PerformanceSales, SalesTotals};
use jauge_model::{
    Campaign, Consent, Dataset, ExternalId, Order, PatronIdentity, PatronKey, QuarantinedRow,
    Season, SeasonStartMonth, Show, Tariff,
};
use postgres::{Client, Statement, Transaction};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::admin::read_setup;
use super::corrupt;
use crate::batch::writer::{
    BatchDatabase, BatchKeys, CampaignEventRow, PatronSeasonRow, PerformanceRow, StoredPerformance,
    write_batch,
};
use crate::batch::{History, Holder, SeasonCutter, StoredOrder, StoredTicket, TicketRow};
use crate::postgres::database;
use crate::rows::{SALES_COLUMNS, performance_sales, to_seconds};
use crate::{BatchReport, StoreError};

/// Rows one multi-row statement writes at most: a part's rows in one round trip, up to a
/// size that keeps the arrays sent small beside the part itself.
const ROWS_PER_STATEMENT: usize = 50_000;

/// Writes a batch that arrives in parts (one dataset, or a large file's rows as they are read)
/// in one transaction: every part is checked, and a part with a problem the store does not
/// settle, or an `Err` in place of a part, leaves the store as it was. Batches are written
/// one at a time, as on SQLite: the batch chooses its orders' row ids.
pub(super) fn write_parts<D: std::borrow::Borrow<Dataset>>(
    db: &mut Client,
    mut parts: impl Iterator<Item = Result<D, String>>,
) -> Result<BatchReport, StoreError> {
    let mut tx = db.transaction().map_err(database)?;
    let setup = read_setup(&mut tx)?.ok_or(StoreError::NoVenue)?;
    let Some(first) = parts.next() else {
        return Ok(BatchReport::default());
    };
    let first = first.map_err(StoreError::Abandoned)?;
    // Readers go on; another batch waits for this one's end.
    tx.batch_execute("LOCK TABLE import_batch IN EXCLUSIVE MODE")
        .map_err(database)?;
    let mut batch = PgBatch {
        tx: &mut tx,
        stored_ids: HashMap::default(),
    };
    let mut report = write_batch(&mut batch, first, parts, &setup)?;
    let committing = std::time::Instant::now();
    tx.commit().map_err(database)?;
    report.phases.push(("commit", committing.elapsed()));
    Ok(report)
}

/// A batch's transaction on PostgreSQL.
struct PgBatch<'w, 't> {
    tx: &'w mut Transaction<'t>,
    /// The query of a stored record's row id, by table, once prepared.
    stored_ids: HashMap<&'static str, Statement>,
}

impl PgBatch<'_, '_> {
    /// Runs a statement; returns the rows it changed.
    fn execute(
        &mut self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        self.tx.execute(sql, params).map_err(database)
    }

    fn prepare(&mut self, sql: &str) -> Result<Statement, StoreError> {
        self.tx.prepare(sql).map_err(database)
    }
}

impl BatchDatabase for PgBatch<'_, '_> {
    fn source_id(&mut self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .tx
            .query_opt("SELECT id FROM source WHERE name = $1", &[&name])
            .map_err(database)?
            .map(|r| r.get(0)))
    }

    fn insert_source(&mut self, first: &Dataset, now: i64) -> Result<i64, StoreError> {
        Ok(self
            .tx
            .query_one(
                "INSERT INTO source (name, kind, created_at) VALUES ($1, $2, $3) RETURNING id",
                &[&first.source.as_str(), &first.kind.code(), &now],
            )
            .map_err(database)?
            .get(0))
    }

    fn insert_batch(
        &mut self,
        source_id: i64,
        first: &Dataset,
        now: i64,
    ) -> Result<i64, StoreError> {
        Ok(self
            .tx
            .query_one(
                "INSERT INTO import_batch (source_id, origin, started_at, shape, drift_accepted)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[
                    &source_id,
                    &first.origin,
                    &now,
                    &first.shape,
                    &first.drift_accepted,
                ],
            )
            .map_err(database)?
            .get(0))
    }

    fn clear_quarantine(&mut self, source_id: i64, origin: &str) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM quarantine WHERE source_id = $1 AND origin = $2",
            &[&source_id, &origin],
        )?;
        Ok(())
    }

    fn holds_rows_of(&mut self, table: &str, source_id: i64) -> Result<bool, StoreError> {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE source_id = $1)");
        Ok(self
            .tx
            .query_one(&sql, &[&source_id])
            .map_err(database)?
            .get(0))
    }

    fn halls(&mut self) -> Result<HashMap<String, i64>, StoreError> {
        Ok(self
            .tx
            .query("SELECT name, id FROM hall", &[])
            .map_err(database)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn subscription_tariffs(&mut self, source_id: i64) -> Result<HashSet<ExternalId>, StoreError> {
        self.tx
            .query(
                "SELECT external_id FROM tariff WHERE source_id = $1 AND category = 'subscription'",
                &[&source_id],
            )
            .map_err(database)?
            .iter()
            .map(|r| r.get::<_, &str>(0).parse::<ExternalId>().map_err(corrupt))
            .collect()
    }

    fn stored_id(
        &mut self,
        table: &'static str,
        source_id: i64,
        id: &ExternalId,
    ) -> Result<Option<i64>, StoreError> {
        let statement = match self.stored_ids.get(table) {
            Some(statement) => statement.clone(),
            None => {
                let sql =
                    format!("SELECT id FROM {table} WHERE source_id = $1 AND external_id = $2");
                let statement = self.prepare(&sql)?;
                self.stored_ids.insert(table, statement.clone());
                statement
            }
        };
        Ok(self
            .tx
            .query_opt(&statement, &[&source_id, &id.as_str()])
            .map_err(database)?
            .map(|r| r.get(0)))
    }

    fn upsert_shows(&mut self, keys: BatchKeys, shows: &[Show]) -> Result<Vec<i64>, StoreError> {
        if shows.is_empty() {
            return Ok(Vec::new());
        }
        let upsert = self.prepare(
            "INSERT INTO show (source_id, external_id, batch_id, title, discipline, company,
                               young_audience, coproduction, festival)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = $3, title = $4,
                discipline = $5, company = $6, young_audience = $7, coproduction = $8,
                festival = $9
             RETURNING id",
        )?;
        let mut ids = Vec::with_capacity(shows.len());
        for s in shows {
            let row = self
                .tx
                .query_one(
                    &upsert,
                    &[
                        &keys.source_id,
                        &s.id.as_str(),
                        &keys.batch_id,
                        &s.title.as_str(),
                        &s.discipline.code(),
                        &s.company.as_ref().map(|c| c.as_str()),
                        &i64::from(s.young_audience),
                        &i64::from(s.coproduction),
                        &s.festival.as_ref().map(|f| f.as_str()),
                    ],
                )
                .map_err(database)?;
            ids.push(row.get(0));
        }
        Ok(ids)
    }

    fn upsert_performances(
        &mut self,
        keys: BatchKeys,
        rows: &[PerformanceRow],
    ) -> Result<Vec<(i64, Option<i32>)>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let previous_season = self.prepare(
            "SELECT season_start_year FROM performance WHERE source_id = $1 AND external_id = $2",
        )?;
        let upsert = self.prepare(
            "INSERT INTO performance (source_id, external_id, batch_id, show_id, hall_id,
                                      starts_at, season_start_year, capacity, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = $3, show_id = $4,
                hall_id = $5, starts_at = $6, season_start_year = $7, capacity = $8, status = $9
             RETURNING id",
        )?;
        let mut written = Vec::with_capacity(rows.len());
        for row in rows {
            let p = row.performance;
            let previous: Option<i64> = self
                .tx
                .query_opt(&previous_season, &[&keys.source_id, &p.id.as_str()])
                .map_err(database)?
                .map(|r| r.get(0));
            let id: i64 = self
                .tx
                .query_one(
                    &upsert,
                    &[
                        &keys.source_id,
                        &p.id.as_str(),
                        &keys.batch_id,
                        &row.show,
                        &row.hall,
                        &row.starts_at,
                        &i64::from(row.season),
                        &i64::from(p.capacity.get()),
                        &p.status.code(),
                    ],
                )
                .map_err(database)?
                .get(0);
            written.push((id, previous.map(|old| old as i32)));
        }
        Ok(written)
    }

    fn upsert_tariffs(
        &mut self,
        keys: BatchKeys,
        tariffs: &[Tariff],
    ) -> Result<Vec<i64>, StoreError> {
        if tariffs.is_empty() {
            return Ok(Vec::new());
        }
        let upsert = self.prepare(
            "INSERT INTO tariff (source_id, external_id, batch_id, label, category)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = $3, label = $4,
                category = $5
             RETURNING id",
        )?;
        let mut ids = Vec::with_capacity(tariffs.len());
        for t in tariffs {
            let row = self
                .tx
                .query_one(
                    &upsert,
                    &[
                        &keys.source_id,
                        &t.id.as_str(),
                        &keys.batch_id,
                        &t.label.as_str(),
                        &t.category.code(),
                    ],
                )
                .map_err(database)?;
            ids.push(row.get(0));
        }
        Ok(ids)
    }

    fn source_performances(
        &mut self,
        source_id: i64,
    ) -> Result<Vec<StoredPerformance>, StoreError> {
        Ok(self
            .tx
            .query(
                "SELECT external_id, id, season_start_year, status FROM performance
                 WHERE source_id = $1",
                &[&source_id],
            )
            .map_err(database)?
            .iter()
            .map(|r| StoredPerformance {
                external_id: r.get(0),
                id: r.get(1),
                season: r.get::<_, i64>(2) as i32,
                scheduled: r.get::<_, &str>(3) == "scheduled",
            })
            .collect())
    }

    fn next_order_id(&mut self) -> Result<i64, StoreError> {
        Ok(self
            .tx
            .query_one("SELECT coalesce(max(id), 0) + 1 FROM sale_order", &[])
            .map_err(database)?
            .get(0))
    }

    fn stored_orders(
        &mut self,
        source_id: i64,
        orders: &[Order],
    ) -> Result<Vec<Option<(i64, StoredOrder)>>, StoreError> {
        let ids: Vec<&str> = orders.iter().map(|o| o.id.as_str()).collect();
        let mut stored: HashMap<String, (i64, StoredOrder)> = HashMap::default();
        for r in self
            .tx
            .query(
                "SELECT external_id, id, buyer_key, channel, created_at, status
                 FROM sale_order WHERE source_id = $1 AND external_id = ANY($2)",
                &[&source_id, &ids],
            )
            .map_err(database)?
        {
            let order = StoredOrder {
                buyer: r.get(2),
                channel: r.get(3),
                created_at: r.get(4),
                status: r.get(5),
            };
            stored.insert(r.get(0), (r.get(1), order));
        }
        Ok(ids.iter().map(|id| stored.get(*id).cloned()).collect())
    }

    fn insert_patrons(
        &mut self,
        keys: BatchKeys,
        patrons: &[(&PatronKey, &PatronIdentity)],
    ) -> Result<(), StoreError> {
        for chunk in patrons.chunks(ROWS_PER_STATEMENT) {
            let patron_keys: Vec<&str> = chunk.iter().map(|(key, _)| key.as_str()).collect();
            self.execute(
                "INSERT INTO patron (key, batch_id) SELECT k, $1::bigint FROM unnest($2::text[]) AS u(k)
                 ON CONFLICT (key) DO NOTHING",
                &[&keys.batch_id, &patron_keys],
            )?;
            let text = |field: fn(&PatronIdentity) -> Option<&str>| -> Vec<Option<&str>> {
                chunk.iter().map(|(_, p)| field(p)).collect()
            };
            let birth_years: Vec<Option<i64>> = chunk
                .iter()
                .map(|(_, p)| p.birth_year.map(|y| i64::from(y.get())))
                .collect();
            let birth_dates: Vec<Option<String>> = chunk
                .iter()
                .map(|(_, p)| p.birth_date.map(|d| d.format("%Y-%m-%d").to_string()))
                .collect();
            self.execute(
                "INSERT INTO patron_identity (patron_key, source_id, batch_id, first_name,
                    last_name, email, phone, postcode, city, country, birth_year, birth_date,
                    address)
                 SELECT k, $1::bigint, $2::bigint, fi, la, em, ph, po, ci, co, by, bd, ad
                 FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                             $8::text[], $9::text[], $10::text[], $11::bigint[], $12::text[],
                             $13::text[])
                      AS u(k, fi, la, em, ph, po, ci, co, by, bd, ad)
                 ON CONFLICT (patron_key) DO UPDATE SET source_id = excluded.source_id,
                    batch_id = excluded.batch_id, first_name = excluded.first_name,
                    last_name = excluded.last_name, email = excluded.email, phone = excluded.phone,
                    postcode = excluded.postcode, city = excluded.city, country = excluded.country,
                    birth_year = excluded.birth_year, birth_date = excluded.birth_date,
                    address = excluded.address",
                &[
                    &keys.source_id,
                    &keys.batch_id,
                    &patron_keys,
                    &text(|p| p.first_name.as_deref()),
                    &text(|p| p.last_name.as_deref()),
                    &text(|p| p.email.as_ref().map(|e| e.as_str())),
                    &text(|p| p.phone.as_deref()),
                    &text(|p| p.postcode.as_deref()),
                    &text(|p| p.city.as_deref()),
                    &text(|p| p.country.as_ref().map(|c| c.as_str())),
                    &birth_years,
                    &birth_dates,
                    &text(|p| p.address.as_deref()),
                ],
            )?;
        }
        Ok(())
    }

    fn insert_orders(
        &mut self,
        keys: BatchKeys,
        orders: &[(i64, &Order)],
    ) -> Result<(), StoreError> {
        for chunk in orders.chunks(ROWS_PER_STATEMENT) {
            let row_ids: Vec<i64> = chunk.iter().map(|&(id, _)| id).collect();
            let external: Vec<&str> = chunk.iter().map(|(_, o)| o.id.as_str()).collect();
            let channels: Vec<&str> = chunk.iter().map(|(_, o)| o.channel.code()).collect();
            let created: Vec<i64> = chunk
                .iter()
                .map(|(_, o)| to_seconds(o.created_at))
                .collect();
            let buyers: Vec<Option<&str>> = chunk
                .iter()
                .map(|(_, o)| o.buyer.as_ref().map(|b| b.as_str()))
                .collect();
            let statuses: Vec<&str> = chunk.iter().map(|(_, o)| o.status.code()).collect();
            self.execute(
                "INSERT INTO sale_order (id, source_id, external_id, batch_id, channel, created_at,
                                         buyer_key, status)
                 SELECT i, $1::bigint, e, $2::bigint, ch, cr, b, s
                 FROM unnest($3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[],
                             $8::text[]) AS u(i, e, ch, cr, b, s)
                 ON CONFLICT (id) DO UPDATE SET batch_id = excluded.batch_id,
                    channel = excluded.channel, created_at = excluded.created_at,
                    buyer_key = excluded.buyer_key, status = excluded.status",
                &[
                    &keys.source_id,
                    &keys.batch_id,
                    &row_ids,
                    &external,
                    &channels,
                    &created,
                    &buyers,
                    &statuses,
                ],
            )?;
        }
        Ok(())
    }

    fn stored_tickets(
        &mut self,
        source_id: i64,
        rows: &[TicketRow],
    ) -> Result<Vec<Option<StoredTicket>>, StoreError> {
        let ids: Vec<&str> = rows.iter().map(|row| row.3.id.as_str()).collect();
        let mut stored: HashMap<String, StoredTicket> = HashMap::default();
        for r in self
            .tx
            .query(
                "SELECT t.external_id, t.performance_id, p.season_start_year, t.order_id,
                        t.tariff_id, t.amount_cents, t.face_value_cents, t.vat_bp, t.status,
                        t.checked_in_at, coalesce(t.attendee_key, '')
                 FROM ticket t JOIN performance p ON p.id = t.performance_id
                 WHERE t.source_id = $1 AND t.external_id = ANY($2)",
                &[&source_id, &ids],
            )
            .map_err(database)?
        {
            let ticket = StoredTicket {
                performance: r.get(1),
                season: r.get::<_, i64>(2) as i32,
                numbers: [r.get(3), r.get(4), r.get(5), r.get(6), r.get(7)],
                status: r.get(8),
                checked_in_at: r.get(9),
                attendee: r.get(10),
            };
            stored.insert(r.get(0), ticket);
        }
        Ok(ids.iter().map(|id| stored.get(*id).cloned()).collect())
    }

    fn insert_tickets(&mut self, keys: BatchKeys, rows: &[TicketRow]) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let column = |f: fn(&TicketRow) -> i64| -> Vec<i64> { chunk.iter().map(f).collect() };
            let external: Vec<&str> = chunk.iter().map(|r| r.3.id.as_str()).collect();
            let statuses: Vec<&str> = chunk.iter().map(|r| r.3.status.code()).collect();
            let checked_in: Vec<Option<i64>> = chunk
                .iter()
                .map(|r| r.3.checked_in_at.map(to_seconds))
                .collect();
            let attendees: Vec<Option<&str>> = chunk
                .iter()
                .map(|r| r.3.attendee.as_ref().map(|a| a.as_str()))
                .collect();
            self.execute(
                "INSERT INTO ticket (source_id, external_id, batch_id, order_id, performance_id,
                    tariff_id, amount_cents, face_value_cents, vat_bp, status, checked_in_at,
                    attendee_key)
                 SELECT $1::bigint, e, $2::bigint, o, p, ta, am, fv, v, s, c, at
                 FROM unnest($3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],
                             $8::bigint[], $9::bigint[], $10::text[], $11::bigint[], $12::text[])
                      AS u(e, o, p, ta, am, fv, v, s, c, at)
                 ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = excluded.batch_id,
                    order_id = excluded.order_id, performance_id = excluded.performance_id,
                    tariff_id = excluded.tariff_id, amount_cents = excluded.amount_cents,
                    face_value_cents = excluded.face_value_cents, vat_bp = excluded.vat_bp,
                    status = excluded.status, checked_in_at = excluded.checked_in_at,
                    attendee_key = excluded.attendee_key",
                &[
                    &keys.source_id,
                    &keys.batch_id,
                    &external,
                    &column(|r| r.1),
                    &column(|r| r.0),
                    &column(|r| r.2),
                    &column(|r| r.3.amount_paid.as_i64()),
                    &column(|r| r.3.face_value.as_i64()),
                    &column(|r| i64::from(r.3.vat_rate.basis_points())),
                    &statuses,
                    &checked_in,
                    &attendees,
                ],
            )?;
        }
        Ok(())
    }

    fn insert_consents(&mut self, keys: BatchKeys, consents: &[Consent]) -> Result<(), StoreError> {
        for chunk in consents.chunks(ROWS_PER_STATEMENT) {
            let patrons: Vec<&str> = chunk.iter().map(|c| c.patron.as_str()).collect();
            let channels: Vec<&str> = chunk.iter().map(|c| c.channel.code()).collect();
            let purposes: Vec<&str> = chunk.iter().map(|c| c.purpose.code()).collect();
            let statuses: Vec<&str> = chunk.iter().map(|c| c.status.code()).collect();
            let at: Vec<i64> = chunk.iter().map(|c| to_seconds(c.at)).collect();
            let proofs: Vec<&str> = chunk.iter().map(|c| c.proof.as_str()).collect();
            self.execute(
                "INSERT INTO consent (patron_key, channel, purpose, status, at, source_id,
                                      batch_id, proof)
                 SELECT k, ch, pu, st, at, $1::bigint, $2::bigint, pr
                 FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                             $8::text[]) AS u(k, ch, pu, st, at, pr)
                 ON CONFLICT (patron_key, channel, purpose, at, status) DO NOTHING",
                &[
                    &keys.source_id,
                    &keys.batch_id,
                    &patrons,
                    &channels,
                    &purposes,
                    &statuses,
                    &at,
                    &proofs,
                ],
            )?;
        }
        Ok(())
    }

    fn upsert_campaigns(
        &mut self,
        keys: BatchKeys,
        campaigns: &[Campaign],
    ) -> Result<Vec<i64>, StoreError> {
        if campaigns.is_empty() {
            return Ok(Vec::new());
        }
        let upsert = self.prepare(
            "INSERT INTO campaign (source_id, external_id, batch_id, name, sent_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (source_id, external_id) DO UPDATE SET batch_id = $3, name = $4,
                sent_at = $5
             RETURNING id",
        )?;
        let mut ids = Vec::with_capacity(campaigns.len());
        for c in campaigns {
            let row = self
                .tx
                .query_one(
                    &upsert,
                    &[
                        &keys.source_id,
                        &c.id.as_str(),
                        &keys.batch_id,
                        &c.name.as_str(),
                        &to_seconds(c.sent_at),
                    ],
                )
                .map_err(database)?;
            ids.push(row.get(0));
        }
        Ok(ids)
    }

    fn insert_campaign_events(
        &mut self,
        batch_id: i64,
        events: &[CampaignEventRow],
    ) -> Result<(), StoreError> {
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let campaigns: Vec<i64> = chunk.iter().map(|e| e.0).collect();
            let patrons: Vec<&str> = chunk.iter().map(|e| e.1).collect();
            let kinds: Vec<&str> = chunk.iter().map(|e| e.2).collect();
            let at: Vec<i64> = chunk.iter().map(|e| e.3).collect();
            self.execute(
                "INSERT INTO campaign_event (campaign_id, patron_key, kind, at, batch_id)
                 SELECT c, k, ki, at, $1::bigint
                 FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[])
                      AS u(c, k, ki, at)
                 ON CONFLICT DO NOTHING",
                &[&batch_id, &campaigns, &patrons, &kinds, &at],
            )?;
        }
        Ok(())
    }

    fn insert_quarantined(
        &mut self,
        keys: BatchKeys,
        origin: &str,
        rows: &[QuarantinedRow],
    ) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let lines: Vec<i64> = chunk
                .iter()
                .map(|q| i64::try_from(q.line).unwrap_or(i64::MAX))
                .collect();
            let columns: Vec<Option<i64>> = chunk
                .iter()
                .map(|q| {
                    q.column
                        .as_ref()
                        .map(|(c, _)| i64::try_from(*c).unwrap_or(i64::MAX))
                })
                .collect();
            let names: Vec<Option<&str>> = chunk
                .iter()
                .map(|q| q.column.as_ref().map(|(_, h)| h.as_str()))
                .collect();
            let raw: Vec<&str> = chunk.iter().map(|q| q.raw.as_str()).collect();
            let reasons: Vec<&str> = chunk.iter().map(|q| q.reason.as_str()).collect();
            self.execute(
                "INSERT INTO quarantine (source_id, batch_id, origin, line, column_index,
                                         column_name, raw, reason)
                 SELECT $1::bigint, $2::bigint, $3::text, l, ci, cn, r, re
                 FROM unnest($4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[])
                      WITH ORDINALITY AS u(l, ci, cn, r, re, n)
                 ORDER BY n",
                &[
                    &keys.source_id,
                    &keys.batch_id,
                    &origin,
                    &lines,
                    &columns,
                    &names,
                    &raw,
                    &reasons,
                ],
            )?;
        }
        Ok(())
    }

    fn holds_record(&mut self, source_id: i64, holder: Holder) -> Result<bool, StoreError> {
        let found = match holder {
            Holder::Scoped(table, id) => self.tx.query_opt(
                &format!("SELECT 1 FROM {table} WHERE source_id = $1 AND external_id = $2"),
                &[&source_id, &id],
            ),
            Holder::Patron(key) => self
                .tx
                .query_opt("SELECT 1 FROM patron WHERE key = $1", &[&key]),
        };
        Ok(found.map_err(database)?.is_some())
    }

    fn tickets_of_batch(&mut self, batch_id: i64) -> Result<i64, StoreError> {
        Ok(self
            .tx
            .query_one(
                "SELECT count(*) FROM ticket WHERE batch_id = $1",
                &[&batch_id],
            )
            .map_err(database)?
            .get(0))
    }

    fn origin(&mut self, batch_id: i64) -> Result<String, StoreError> {
        Ok(self
            .tx
            .query_one(
                "SELECT origin FROM import_batch WHERE id = $1",
                &[&batch_id],
            )
            .map_err(database)?
            .get(0))
    }

    fn insert_history(
        &mut self,
        keys: BatchKeys,
        now: i64,
        history: &History,
    ) -> Result<(), StoreError> {
        for chunk in history.chunks(ROWS_PER_STATEMENT) {
            let records: Vec<&str> = chunk.iter().map(|(record, _, _)| *record).collect();
            let ids: Vec<&str> = chunk.iter().map(|(_, id, _)| id.as_str()).collect();
            let changes: Vec<String> = chunk.iter().map(|(_, _, c)| c.join("; ")).collect();
            self.execute(
                "INSERT INTO change_history (record, source_id, external_id, batch_id,
                                             changed_at, changes)
                 SELECT r, $1::bigint, e, $2::bigint, $3::bigint, c
                 FROM unnest($4::text[], $5::text[], $6::text[]) WITH ORDINALITY
                      AS u(r, e, c, n)
                 ORDER BY n",
                &[
                    &keys.source_id,
                    &keys.batch_id,
                    &now,
                    &records,
                    &ids,
                    &changes,
                ],
            )?;
        }
        Ok(())
    }

    fn upsert_performance_sales(
        &mut self,
        sales: &BTreeMap<i64, SalesTotals>,
    ) -> Result<(), StoreError> {
        let sales: Vec<_> = sales.iter().collect();
        for chunk in sales.chunks(ROWS_PER_STATEMENT) {
            let count = |f: fn(&SalesTotals) -> u64| -> Vec<i64> {
                chunk
                    .iter()
                    .map(|(_, totals)| i64::try_from(f(totals)).unwrap_or(i64::MAX))
                    .collect()
            };
            let performances: Vec<i64> = chunk.iter().map(|(p, _)| **p).collect();
            let revenue: Vec<i64> = chunk.iter().map(|(_, t)| t.revenue.as_i64()).collect();
            self.execute(
                "INSERT INTO performance_sales (performance_id, tickets, paid_tickets,
                                                free_tickets, revenue_cents, subscription_tickets)
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[],
                                      $5::bigint[], $6::bigint[])
                 ON CONFLICT (performance_id) DO UPDATE SET tickets = excluded.tickets,
                    paid_tickets = excluded.paid_tickets, free_tickets = excluded.free_tickets,
                    revenue_cents = excluded.revenue_cents,
                    subscription_tickets = excluded.subscription_tickets",
                &[
                    &performances,
                    &count(|t| t.tickets),
                    &count(|t| t.paid_tickets),
                    &count(|t| t.free_tickets),
                    &revenue,
                    &count(|t| t.subscription_tickets),
                ],
            )?;
        }
        Ok(())
    }

    fn refresh_performance_sales(&mut self, performances: &[i64]) -> Result<(), StoreError> {
        refresh_performance_sales(self.tx, performances)
    }

    fn seasons_of(&mut self, performances: &[i64]) -> Result<Vec<i32>, StoreError> {
        Ok(self
            .tx
            .query(
                "SELECT DISTINCT season_start_year FROM performance WHERE id = ANY($1)",
                &[&performances],
            )
            .map_err(database)?
            .iter()
            .map(|r| r.get::<_, i64>(0) as i32)
            .collect())
    }

    fn all_seasons(&mut self) -> Result<Vec<i32>, StoreError> {
        Ok(self
            .tx
            .query("SELECT DISTINCT season_start_year FROM performance", &[])
            .map_err(database)?
            .iter()
            .map(|r| r.get::<_, i64>(0) as i32)
            .collect())
    }

    fn performances_in_season(&mut self, season: i32) -> Result<i64, StoreError> {
        Ok(self
            .tx
            .query_one(
                "SELECT count(*) FROM performance WHERE season_start_year = $1",
                &[&i64::from(season)],
            )
            .map_err(database)?
            .get(0))
    }

    fn upsert_patron_seasons(&mut self, rows: &[PatronSeasonRow]) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let buyers: Vec<&str> = chunk.iter().map(|((b, _), _)| b.as_str()).collect();
            let years: Vec<i64> = chunk.iter().map(|((_, s), _)| i64::from(*s)).collect();
            let tickets: Vec<i64> = chunk.iter().map(|(_, (t, _))| *t).collect();
            let subscriptions: Vec<i64> = chunk.iter().map(|(_, (_, s))| *s).collect();
            self.execute(
                "INSERT INTO patron_season (patron_key, season_start_year, tickets,
                                            subscription_tickets)
                 SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])
                 ON CONFLICT (patron_key, season_start_year) DO UPDATE SET
                    tickets = excluded.tickets,
                    subscription_tickets = excluded.subscription_tickets",
                &[&buyers, &years, &tickets, &subscriptions],
            )?;
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
        self.execute(
            "UPDATE import_batch SET finished_at = $2, facts = $3 WHERE id = $1",
            &[&batch_id, &now, &facts],
        )?;
        Ok(())
    }

    /// A statement of the part that fails (a reference the check will name, say) is undone
    /// to here, so that the transaction can still look the part's dangling references up.
    fn before_part_writes(&mut self) -> Result<(), StoreError> {
        self.execute("SAVEPOINT part", &[])?;
        Ok(())
    }

    fn after_part_writes(&mut self, written: bool) -> Result<(), StoreError> {
        self.execute(
            if written {
                "RELEASE SAVEPOINT part"
            } else {
                "ROLLBACK TO SAVEPOINT part"
            },
            &[],
        )?;
        Ok(())
    }
}

/// The row ids of the tariffs that are subscriptions or packages.
fn subscription_tariff_ids(tx: &mut Transaction) -> Result<Vec<i64>, StoreError> {
    Ok(tx
        .query("SELECT id FROM tariff WHERE category = 'subscription'", &[])
        .map_err(database)?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// Recomputes the sales of `performances` from their tickets.
pub(crate) fn refresh_performance_sales(
    tx: &mut Transaction<'_>,
    performances: &[i64],
) -> Result<(), StoreError> {
    if performances.is_empty() {
        return Ok(());
    }
    let subscriptions = subscription_tariff_ids(tx)?;
    tx.execute(
        "DELETE FROM performance_sales WHERE performance_id = ANY($1)",
        &[&performances],
    )
    .map_err(database)?;
    tx.execute(
        "INSERT INTO performance_sales (performance_id, tickets, paid_tickets, free_tickets,
                                        revenue_cents, subscription_tickets)
         SELECT t.performance_id, count(*), count(*) FILTER (WHERE t.amount_cents > 0),
                count(*) FILTER (WHERE t.amount_cents = 0), sum(t.amount_cents)::bigint,
                count(*) FILTER (WHERE t.tariff_id = ANY($2))
         FROM ticket t
         WHERE t.performance_id = ANY($1) AND t.status = 'valid'
         GROUP BY t.performance_id",
        &[&performances, &subscriptions],
    )
    .map_err(database)?;
    Ok(())
}

/// Recomputes the buyers' valid tickets in `seasons` from the tickets.
pub(crate) fn refresh_patron_seasons(
    tx: &mut Transaction<'_>,
    seasons: &BTreeSet<i32>,
) -> Result<(), StoreError> {
    if seasons.is_empty() {
        return Ok(());
    }
    let seasons: Vec<i64> = seasons.iter().map(|&s| i64::from(s)).collect();
    let subscriptions = subscription_tariff_ids(tx)?;
    tx.execute(
        "DELETE FROM patron_season WHERE season_start_year = ANY($1)",
        &[&seasons],
    )
    .map_err(database)?;
    tx.execute(
        "INSERT INTO patron_season (patron_key, season_start_year, tickets, subscription_tickets)
         SELECT o.buyer_key, p.season_start_year, count(*),
                count(*) FILTER (WHERE t.tariff_id = ANY($2))
         FROM performance p
         JOIN ticket t ON t.performance_id = p.id
         JOIN sale_order o ON o.id = t.order_id
         WHERE p.season_start_year = ANY($1) AND p.status = 'scheduled' AND t.status = 'valid'
           AND o.buyer_key IS NOT NULL
         GROUP BY o.buyer_key, p.season_start_year",
        &[&seasons, &subscriptions],
    )
    .map_err(database)?;
    Ok(())
}

/// Marks the seasons' audiences as changed: the rollup is emptied, and the next read builds
/// it again.
pub(crate) fn audiences_changed(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("DELETE FROM season_audience", &[])
        .map_err(database)?;
    Ok(())
}

/// Marks the sales by day and by tariff of every season as changed: emptied, built again by
/// the next read.
pub(crate) fn daily_sales_changed(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    tx.batch_execute("DELETE FROM season_daily_sales; DELETE FROM season_tariff_sales")
        .map_err(database)
}

/// Re-cuts every performance into its season, after the time zone or the season's first month
/// changed, and refreshes the buyers' activity of the seasons concerned and the rollups built
/// on read.
pub(super) fn reseason_performances(
    tx: &mut Transaction<'_>,
    time_zone: Tz,
    season_start: SeasonStartMonth,
) -> Result<(), StoreError> {
    let cutter = SeasonCutter {
        tz: time_zone,
        start: season_start,
    };
    let mut seasons = BTreeSet::new();
    let (mut ids, mut years) = (Vec::new(), Vec::new());
    for r in tx
        .query(
            "SELECT id, starts_at, season_start_year FROM performance",
            &[],
        )
        .map_err(database)?
    {
        let (id, starts_at, old): (i64, i64, i64) = (r.get(0), r.get(1), r.get(2));
        let (old, new) = (old as i32, cutter.start_year(starts_at));
        if new != old {
            ids.push(id);
            years.push(i64::from(new));
            seasons.extend([old, new]);
        }
    }
    tx.execute(
        "UPDATE performance SET season_start_year = u.season
         FROM unnest($1::bigint[], $2::bigint[]) AS u(id, season)
         WHERE performance.id = u.id",
        &[&ids, &years],
    )
    .map_err(database)?;
    refresh_patron_seasons(tx, &seasons)?;
    audiences_changed(tx)?;
    daily_sales_changed(tx)
}

/// Keeps, for `day`, the sales of every performance whose sales changed since its last
/// snapshot; returns how many performances it kept.
pub(super) fn snapshot_sales(db: &mut Client, day: chrono::NaiveDate) -> Result<usize, StoreError> {
    let day = day.format("%Y-%m-%d").to_string();
    let kept = db
        .execute(
            "INSERT INTO sales_snapshot (day, performance_id, tickets, paid_tickets, free_tickets,
                                         revenue_cents, subscription_tickets)
             SELECT $1::text, p.id, coalesce(s.tickets, 0), coalesce(s.paid_tickets, 0),
                    coalesce(s.free_tickets, 0), coalesce(s.revenue_cents, 0),
                    coalesce(s.subscription_tickets, 0)
             FROM performance p LEFT JOIN performance_sales s ON s.performance_id = p.id
             WHERE NOT EXISTS (
                 SELECT 1 FROM sales_snapshot x
                 WHERE x.performance_id = p.id
                   AND x.day = (SELECT max(day) FROM sales_snapshot y
                                WHERE y.performance_id = p.id AND y.day <= $1::text)
                   AND x.tickets = coalesce(s.tickets, 0)
                   AND x.paid_tickets = coalesce(s.paid_tickets, 0)
                   AND x.free_tickets = coalesce(s.free_tickets, 0)
                   AND x.revenue_cents = coalesce(s.revenue_cents, 0)
                   AND x.subscription_tickets = coalesce(s.subscription_tickets, 0))
             ON CONFLICT (performance_id, day) DO UPDATE SET tickets = excluded.tickets,
                paid_tickets = excluded.paid_tickets, free_tickets = excluded.free_tickets,
                revenue_cents = excluded.revenue_cents,
                subscription_tickets = excluded.subscription_tickets",
            &[&day],
        )
        .map_err(database)?;
    Ok(usize::try_from(kept).unwrap_or(usize::MAX))
}

/// The season's performances with their sales as they stood on `day`, from the snapshots (a
/// performance with none by then had sold nothing known), in the order of their row ids.
pub(super) fn season_sales_as_of(
    db: &mut Client,
    season: Season,
    day: chrono::NaiveDate,
) -> Result<Vec<PerformanceSales>, StoreError> {
    let day = day.format("%Y-%m-%d").to_string();
    db.query(
        &format!(
            "SELECT p.capacity, p.status, {SALES_COLUMNS}
             FROM performance p
             LEFT JOIN sales_snapshot s ON s.performance_id = p.id
                AND s.day = (SELECT max(day) FROM sales_snapshot y
                             WHERE y.performance_id = p.id AND y.day <= $2::text)
             WHERE p.season_start_year = $1
             ORDER BY p.id"
        ),
        &[&i64::from(season.start_year()), &day],
    )
    .map_err(database)?
    .iter()
    .map(|r| performance_sales(super::read::raw_sales(r, 0)?))
    .collect()
}
