//! The hub of a network of venues, on PostgreSQL: the contributions its venues send, one set of
//! rows per venue and season, each venue's database role kept to its own rows by Row-Level
//! Security (policies in `hub.sql`), and every contribution read back whole for the hub to
//! compute what it publishes (`jauge-pool`).

use std::collections::BTreeMap;

use jauge_model::network::{AreaCount, Contribution, PerformanceAggregate, VenueCard};
use postgres::{Client, NoTls};

use crate::StoreError;

#[doc(hidden)]
pub mod testing;
pub(crate) mod venue;
pub use venue::{PgStore, SCHEMA_VERSION as PG_SCHEMA_VERSION};

/// The hub's schema, in order; `hub_schema` records how many were applied.
const MIGRATIONS: &[&str] = &[
    include_str!("hub.sql"),
    include_str!("hub_tokens.sql"),
    include_str!("hub_groups.sql"),
    include_str!("hub_crossover.sql"),
];

/// The schema version that added `hub_crossover`.
const CROSSOVER_VERSION: usize = 4;

/// Counts the buyers of a venue's contribution (`$1`, season `$2`) shared with each other venue.
/// Both counts look each of the venue's tokens up in the index (a lateral join), rather than go
/// through every token of the season: on PostgreSQL a plain join on `(season, token)` is planned
/// as a hash join over the whole season, three times slower (`CITUS.md`). Under Citus, where
/// `hub_patron_token` is distributed by `token`, the lateral subquery is correlated on the
/// distribution column: pushed down to each shard.
const COUNT_SHARED_FROM: &str = "
    INSERT INTO hub_crossover (from_venue_id, season, to_venue_id, shared)
    SELECT v.venue_id, v.season, o.venue_id, count(DISTINCT v.person)
    FROM hub_patron_token v
    CROSS JOIN LATERAL (
        SELECT DISTINCT venue_id FROM hub_patron_token
        WHERE season = v.season AND token = v.token AND venue_id <> v.venue_id
    ) o
    WHERE v.venue_id = $1 AND v.season = $2
    GROUP BY v.venue_id, v.season, o.venue_id";

/// Counts the buyers of every other venue shared with a venue's contribution. `OFFSET 0` keeps
/// PostgreSQL from flattening the lateral subquery into a hash join over the whole season.
const COUNT_SHARED_TO: &str = "
    INSERT INTO hub_crossover (from_venue_id, season, to_venue_id, shared)
    SELECT o.venue_id, v.season, v.venue_id, count(DISTINCT o.person)
    FROM hub_patron_token v
    CROSS JOIN LATERAL (
        SELECT venue_id, person FROM hub_patron_token
        WHERE season = v.season AND token = v.token AND venue_id <> v.venue_id
        OFFSET 0
    ) o
    WHERE v.venue_id = $1 AND v.season = $2
    GROUP BY o.venue_id, v.season, v.venue_id";

/// Writes a contribution's tokens, sent as arrays. Under Citus an `INSERT … SELECT` whose rows
/// come from the coordinator is written to the shards by `COPY`, which PostgreSQL refuses under
/// Row-Level Security; with `ON CONFLICT` Citus writes them by `INSERT … SELECT` on each shard
/// instead. Plain PostgreSQL keeps the statement without it, 10 to 20 % faster (`CITUS.md`).
const INSERT_TOKENS: &str = "
    INSERT INTO hub_patron_token (venue_id, season, person, token)
    SELECT $1, $2, person, token FROM unnest($3::INTEGER[], $4::TEXT[]) AS t(person, token)";

/// A connection to a hub's database.
pub struct HubStore {
    client: Client,
    /// Whether the database is a Citus cluster's coordinator (`CITUS.md`).
    citus: bool,
}

pub(crate) fn database(e: postgres::Error) -> StoreError {
    StoreError::Postgres(message(&e))
}

/// What PostgreSQL said, not only that it said something.
pub fn message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            // The client's own errors say what failed in their source ("connection refused").
            let mut said = e.to_string();
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                said.push_str(&format!(": {c}"));
                cause = c.source();
            }
            said
        }
    }
}

/// Connects to `url`, or says why not in words a person can act on.
pub(crate) fn connect(url: &str) -> Result<Client, StoreError> {
    Client::connect(url, NoTls).map_err(|e| StoreError::CannotConnect {
        location: redacted(url),
        reason: message(&e),
    })
}

/// The database role of a venue: `venue_` and its id (a SIRET: digits only).
pub fn venue_role(venue_id: &str) -> Result<String, StoreError> {
    if venue_id.is_empty() || !venue_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(StoreError::Corrupt(format!(
            "a venue's id is letters and digits, such as its SIRET; not {venue_id:?}"
        )));
    }
    Ok(format!("venue_{}", venue_id.to_ascii_lowercase()))
}

impl HubStore {
    /// Connects to `url` (`postgres://user@host:port/database`) and brings its schema up to
    /// date.
    pub fn open(url: &str) -> Result<HubStore, StoreError> {
        HubStore::open_at_version(url, MIGRATIONS.len())
    }

    /// Connects to `url` and brings its schema up to `version` only: for tests of migrations.
    #[doc(hidden)]
    pub fn open_at_version(url: &str, version: usize) -> Result<HubStore, StoreError> {
        let client = connect(url)?;
        let mut hub = HubStore {
            client,
            citus: false,
        };
        hub.migrate(version.min(MIGRATIONS.len()))?;
        hub.citus = hub
            .client
            .query_opt("SELECT 1 FROM pg_extension WHERE extname = 'citus'", &[])
            .map_err(database)?
            .is_some();
        Ok(hub)
    }

    /// Connects to `url` without touching the schema: as a venue's role, say.
    pub fn connect(url: &str) -> Result<Client, StoreError> {
        Client::connect(url, NoTls).map_err(database)
    }

    fn migrate(&mut self, version: usize) -> Result<(), StoreError> {
        let mut tx = self.client.transaction().map_err(database)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS hub_schema (version INTEGER NOT NULL);
             LOCK TABLE hub_schema IN EXCLUSIVE MODE",
        )
        .map_err(database)?;
        let applied: i64 = tx
            .query_one("SELECT count(*) FROM hub_schema", &[])
            .map_err(database)?
            .get(0);
        for (i, sql) in MIGRATIONS
            .iter()
            .enumerate()
            .take(version)
            .skip(applied as usize)
        {
            tx.batch_execute(sql).map_err(database)?;
            tx.execute(
                "INSERT INTO hub_schema (version) VALUES ($1)",
                &[&(i as i32 + 1)],
            )
            .map_err(database)?;
            if i + 1 == CROSSOVER_VERSION {
                // The contributions already held, counted one venue at a time.
                tx.batch_execute("SET LOCAL jit = off").map_err(database)?;
                for row in tx
                    .query("SELECT venue_id, season FROM hub_contribution", &[])
                    .map_err(database)?
                {
                    let (venue, season): (String, String) = (row.get(0), row.get(1));
                    tx.execute(COUNT_SHARED_FROM, &[&venue, &season])
                        .map_err(database)?;
                }
            }
        }
        tx.commit().map_err(database)
    }

    /// Adds a venue to the network (or updates its card) with its database role, which may
    /// log in and sees only its own rows.
    pub fn add_venue(&mut self, venue: &VenueCard) -> Result<String, StoreError> {
        let role = venue_role(&venue.id)?;
        let mut tx = self.client.transaction().map_err(database)?;
        let exists = tx
            .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&role])
            .map_err(database)?
            .is_some();
        if !exists {
            // The role's name is checked above: letters and digits after "venue_".
            tx.batch_execute(&format!("CREATE ROLE {role} LOGIN"))
                .map_err(database)?;
        }
        tx.batch_execute(&format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON hub_venue, hub_contribution, \
             hub_performance, hub_group, hub_area, hub_patron_token TO {role}"
        ))
        .map_err(database)?;
        tx.execute(
            "INSERT INTO hub_venue (venue_id, name, insee, departement, region)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (venue_id) DO UPDATE SET name = $2, insee = $3, departement = $4,
                 region = $5",
            &[
                &venue.id,
                &venue.name,
                &venue.insee,
                &venue.departement,
                &venue.region,
            ],
        )
        .map_err(database)?;
        tx.commit().map_err(database)?;
        Ok(role)
    }

    /// Adds a venue known by its id only (its card comes with its first contribution), and
    /// keeps the hash of its token.
    pub fn admit_venue(&mut self, venue_id: &str, token_hash: &str) -> Result<String, StoreError> {
        let role = self.add_venue(&VenueCard {
            id: venue_id.to_owned(),
            name: venue_id.to_owned(),
            insee: String::new(),
            departement: String::new(),
            region: String::new(),
        })?;
        self.client
            .execute(
                "INSERT INTO hub_venue_token (venue_id, token_hash) VALUES ($1, $2)",
                &[&venue_id, &token_hash],
            )
            .map_err(database)?;
        Ok(role)
    }

    /// The venue a token's hash belongs to.
    pub fn venue_of(&mut self, token_hash: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .client
            .query_opt(
                "SELECT venue_id FROM hub_venue_token WHERE token_hash = $1",
                &[&token_hash],
            )
            .map_err(database)?
            .map(|r| r.get(0)))
    }

    /// Keeps `contribution`, replacing the venue's earlier one for the season, in one
    /// transaction run as the venue's own role: Row-Level Security checks every row written.
    pub fn save_contribution(&mut self, contribution: &Contribution) -> Result<(), StoreError> {
        let role = venue_role(&contribution.venue.id)?;
        let venue = &contribution.venue.id;
        let season = &contribution.season;
        let mut tx = self.client.transaction().map_err(database)?;
        tx.batch_execute(&format!("SET LOCAL ROLE {role}"))
            .map_err(database)?;
        let card = &contribution.venue;
        tx.execute(
            "UPDATE hub_venue SET name = $2, insee = $3, departement = $4, region = $5
             WHERE venue_id = $1",
            &[
                venue,
                &card.name,
                &card.insee,
                &card.departement,
                &card.region,
            ],
        )
        .map_err(database)?;
        // The tokens first, by name: under Citus they are distributed by token, and no foreign
        // key cascades from the contribution to them.
        tx.execute(
            "DELETE FROM hub_patron_token WHERE venue_id = $1 AND season = $2",
            &[venue, season],
        )
        .map_err(database)?;
        tx.execute(
            "DELETE FROM hub_contribution WHERE venue_id = $1 AND season = $2",
            &[venue, season],
        )
        .map_err(database)?;
        tx.execute(
            "INSERT INTO hub_contribution (venue_id, season, format, built_at, buyers,
                                           token_persons)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                venue,
                season,
                &(contribution.format as i32),
                &contribution.built_at,
                &(contribution.buyers as i64),
                &(contribution
                    .patrons
                    .iter()
                    .filter(|p| !p.is_empty())
                    .count() as i64),
            ],
        )
        .map_err(database)?;
        let performance = tx
            .prepare(
                "INSERT INTO hub_performance (venue_id, season, n, month, discipline, size_band,
                     capacity, tickets, paid_tickets, revenue_cents, tariffs)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .map_err(database)?;
        for (n, p) in contribution.performances.iter().enumerate() {
            tx.execute(
                &performance,
                &[
                    venue,
                    season,
                    &(n as i32),
                    &p.month,
                    &code(&p.discipline)?,
                    &code(&p.size_band)?,
                    &(p.capacity as i32),
                    &(p.tickets as i64),
                    &(p.paid_tickets as i64),
                    &p.revenue_cents,
                    &serde_json::to_value(&p.tariffs)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                ],
            )
            .map_err(database)?;
        }
        tx.execute(
            "INSERT INTO hub_group
                 SELECT venue_id, season, discipline, size_band, count(*), sum(capacity),
                        sum(tickets), sum(paid_tickets), sum(revenue_cents)
                 FROM hub_performance WHERE venue_id = $1 AND season = $2
                 GROUP BY venue_id, season, discipline, size_band",
            &[venue, season],
        )
        .map_err(database)?;
        let area = tx
            .prepare(
                "INSERT INTO hub_area (venue_id, season, level, code, buyers)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .map_err(database)?;
        for (level, counts) in [
            ("commune", &contribution.communes),
            ("departement", &contribution.departements),
        ] {
            for a in counts {
                tx.execute(&area, &[venue, season, &level, &a.code, &(a.buyers as i64)])
                    .map_err(database)?;
            }
        }
        // Tokens are many (one or more a buyer): sent as arrays, a hundred thousand a
        // statement, not one by one (COPY would be faster, but PostgreSQL refuses it under
        // Row-Level Security).
        let rows: Vec<(i32, &String)> = contribution
            .patrons
            .iter()
            .enumerate()
            .flat_map(|(person, tokens)| tokens.iter().map(move |t| (person as i32, t)))
            .collect();
        let tokens = if self.citus {
            tx.prepare(&format!("{INSERT_TOKENS} ON CONFLICT DO NOTHING"))
        } else {
            tx.prepare(INSERT_TOKENS)
        }
        .map_err(database)?;
        for chunk in rows.chunks(100_000) {
            let persons: Vec<i32> = chunk.iter().map(|(p, _)| *p).collect();
            let texts: Vec<&str> = chunk.iter().map(|(_, t)| t.as_str()).collect();
            tx.execute(&tokens, &[venue, season, &persons, &texts])
                .map_err(database)?;
        }
        tx.commit().map_err(database)
    }

    /// Counts again the buyers `venue`'s contribution for `season` shares with every other
    /// venue, both ways, as the hub's own role (a venue's cannot see the others' tokens), in one
    /// transaction: readers see the old counts until the new ones are all there. It takes
    /// seconds at a hundred venues, so the hub runs it after acknowledging the contribution.
    pub fn count_shared(&mut self, venue: &str, season: &str) -> Result<(), StoreError> {
        let mut tx = self.client.transaction().map_err(database)?;
        // Compiling these statements costs more than running them.
        tx.batch_execute("SET LOCAL jit = off").map_err(database)?;
        tx.execute(
            "DELETE FROM hub_crossover
             WHERE season = $2 AND (from_venue_id = $1 OR to_venue_id = $1)",
            &[&venue, &season],
        )
        .map_err(database)?;
        tx.execute(COUNT_SHARED_FROM, &[&venue, &season])
            .map_err(database)?;
        tx.execute(COUNT_SHARED_TO, &[&venue, &season])
            .map_err(database)?;
        tx.commit().map_err(database)
    }

    /// Gathers the planner's statistics again, after a large load.
    pub fn analyze(&mut self) -> Result<(), StoreError> {
        self.client.batch_execute("ANALYZE").map_err(database)
    }

    /// The pairs of venues `venue` is in for `season`, both ways, with every venue that
    /// contributed: (from, to, buyers of `from` shared with `to`, buyers of `from` with a
    /// token). Pairs that share nobody count 0.
    pub fn crossover(
        &mut self,
        season: &str,
        venue: &str,
    ) -> Result<Vec<(String, String, u64, u64)>, StoreError> {
        // Two plain reads, paired here: a join of the season's contributions with themselves
        // is not on the distribution column, which Citus would refuse (`CITUS.md`).
        let venues: Vec<(String, u64)> = self
            .client
            .query(
                "SELECT venue_id, coalesce(token_persons, 0) FROM hub_contribution
                 WHERE season = $1 ORDER BY venue_id",
                &[&season],
            )
            .map_err(database)?
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect();
        let shared: BTreeMap<(String, String), u64> = self
            .client
            .query(
                "SELECT from_venue_id, to_venue_id, shared FROM hub_crossover
                 WHERE season = $1 AND (from_venue_id = $2 OR to_venue_id = $2)",
                &[&season, &venue],
            )
            .map_err(database)?
            .iter()
            .map(|r| ((r.get(0), r.get(1)), r.get::<_, i64>(2) as u64))
            .collect();
        let mut pairs = Vec::new();
        for (a, persons) in &venues {
            for (b, _) in &venues {
                if a != b && (a == venue || b == venue) {
                    let count = shared.get(&(a.clone(), b.clone())).copied();
                    pairs.push((a.clone(), b.clone(), count.unwrap_or(0), *persons));
                }
            }
        }
        Ok(pairs)
    }

    /// Every venue's buyers by commune for `season`: (commune, venue, buyers).
    pub fn communes(&mut self, season: &str) -> Result<Vec<(String, String, u64)>, StoreError> {
        Ok(self
            .client
            .query(
                "SELECT code, venue_id, buyers FROM hub_area
                 WHERE season = $1 AND level = 'commune' ORDER BY code, venue_id",
                &[&season],
            )
            .map_err(database)?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get::<_, i64>(2) as u64))
            .collect())
    }

    /// Every venue of the network's name, by id.
    pub fn venue_names(&mut self) -> Result<BTreeMap<String, String>, StoreError> {
        Ok(self
            .client
            .query("SELECT venue_id, name FROM hub_venue", &[])
            .map_err(database)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    /// Whether `venue` contributed for `season`.
    pub fn contributed(&mut self, season: &str, venue: &str) -> Result<bool, StoreError> {
        Ok(self
            .client
            .query_opt(
                "SELECT 1 FROM hub_contribution WHERE season = $1 AND venue_id = $2",
                &[&season, &venue],
            )
            .map_err(database)?
            .is_some())
    }

    /// Each venue's performances of `season` added up by discipline and size band, with the
    /// venue's region and buyers: what benchmarks are computed from, read without the tokens.
    pub fn groups(&mut self, season: &str) -> Result<Vec<GroupRow>, StoreError> {
        self.client
            .query(
                "SELECT g.venue_id, v.region, c.buyers, g.discipline, g.size_band,
                        g.performances, g.capacity, g.tickets, g.paid_tickets, g.revenue_cents
                 FROM hub_group g
                 JOIN hub_contribution c USING (venue_id, season)
                 JOIN hub_venue v USING (venue_id)
                 WHERE g.season = $1
                 ORDER BY g.venue_id, g.discipline, g.size_band",
                &[&season],
            )
            .map_err(database)?
            .iter()
            .map(|r| {
                Ok(GroupRow {
                    venue: r.get(0),
                    region: r.get(1),
                    buyers: r.get::<_, i64>(2) as u64,
                    discipline: parse(r.get(3))?,
                    size_band: parse(r.get(4))?,
                    performances: r.get::<_, i64>(5) as u64,
                    capacity: r.get::<_, i64>(6) as u64,
                    tickets: r.get::<_, i64>(7) as u64,
                    paid_tickets: r.get::<_, i64>(8) as u64,
                    revenue_cents: r.get(9),
                })
            })
            .collect()
    }

    /// Every venue's contribution for `season`, as the hub reads them to compute what it
    /// publishes, by venue.
    pub fn contributions(&mut self, season: &str) -> Result<Vec<Contribution>, StoreError> {
        let corrupt = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
        let mut by_venue: BTreeMap<String, Contribution> = BTreeMap::new();
        for row in self
            .client
            .query(
                "SELECT c.venue_id, v.name, v.insee, v.departement, v.region, c.format,
                        c.built_at, c.buyers
                 FROM hub_contribution c JOIN hub_venue v USING (venue_id)
                 WHERE c.season = $1",
                &[&season],
            )
            .map_err(database)?
        {
            let id: String = row.get(0);
            by_venue.insert(
                id.clone(),
                Contribution {
                    format: row.get::<_, i32>(5) as u32,
                    venue: VenueCard {
                        id,
                        name: row.get(1),
                        insee: row.get(2),
                        departement: row.get(3),
                        region: row.get(4),
                    },
                    season: season.to_owned(),
                    built_at: row.get(6),
                    performances: Vec::new(),
                    buyers: row.get::<_, i64>(7) as u64,
                    communes: Vec::new(),
                    departements: Vec::new(),
                    patrons: Vec::new(),
                },
            );
        }
        for row in self
            .client
            .query(
                "SELECT venue_id, month, discipline, size_band, capacity, tickets, paid_tickets,
                        revenue_cents, tariffs
                 FROM hub_performance WHERE season = $1 ORDER BY venue_id, n",
                &[&season],
            )
            .map_err(database)?
        {
            let Some(c) = by_venue.get_mut(row.get::<_, &str>(0)) else {
                continue;
            };
            c.performances.push(PerformanceAggregate {
                month: row.get(1),
                discipline: parse(row.get(2))?,
                size_band: parse(row.get(3))?,
                capacity: row.get::<_, i32>(4) as u32,
                tickets: row.get::<_, i64>(5) as u64,
                paid_tickets: row.get::<_, i64>(6) as u64,
                revenue_cents: row.get(7),
                tariffs: serde_json::from_value(row.get(8)).map_err(corrupt)?,
            });
        }
        for row in self
            .client
            .query(
                "SELECT venue_id, level, code, buyers FROM hub_area WHERE season = $1
                 ORDER BY venue_id, level, code",
                &[&season],
            )
            .map_err(database)?
        {
            let Some(c) = by_venue.get_mut(row.get::<_, &str>(0)) else {
                continue;
            };
            let count = AreaCount {
                code: row.get(2),
                buyers: row.get::<_, i64>(3) as u64,
            };
            match row.get::<_, &str>(1) {
                "commune" => c.communes.push(count),
                _ => c.departements.push(count),
            }
        }
        for row in self
            .client
            .query(
                "SELECT venue_id, person, token FROM hub_patron_token WHERE season = $1
                 ORDER BY venue_id, person, token",
                &[&season],
            )
            .map_err(database)?
        {
            let Some(c) = by_venue.get_mut(row.get::<_, &str>(0)) else {
                continue;
            };
            let person = row.get::<_, i32>(1) as usize;
            if c.patrons.len() <= person {
                c.patrons.resize(person + 1, Vec::new());
            }
            c.patrons[person].push(row.get(2));
        }
        Ok(by_venue.into_values().collect())
    }
}

/// One venue's performances of one discipline and size band, added up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    pub venue: String,
    pub region: String,
    pub buyers: u64,
    pub discipline: jauge_model::Discipline,
    pub size_band: jauge_model::network::SizeBand,
    pub performances: u64,
    pub capacity: u64,
    pub tickets: u64,
    pub paid_tickets: u64,
    pub revenue_cents: i64,
}

/// A value's serde code (`"theatre"`, `"medium"`), as stored.
fn code<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(StoreError::Corrupt("a code that is not text".into())),
    }
}

fn parse<T: serde::de::DeserializeOwned>(code: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(code.to_owned()))
        .map_err(|e| StoreError::Corrupt(format!("{code:?}: {e}")))
}

/// A connection address without its password, to be shown.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests;
