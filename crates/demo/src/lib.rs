//! The demo venue: a believable French *scène conventionnée*, generated deterministically.
//!
//! This crate owns the demo's world: its organisation, venue and two halls, four seasons of
//! programme (three past, the current one cut at "today"), about 15,000 people living mostly
//! near the venue, their orders and tickets, their emailing subscriptions and campaigns, and the
//! files a real venue would have: a ticketing export in French conventions and an emailing
//! export. It also keeps aside the truth about duplicate patrons, for the linkage tests.
//!
//! Given the same options (seed, scale, today) it produces byte-identical files: every random
//! draw comes from one seeded ChaCha generator and nothing iterates over a hash map.
//!
//! It must not touch the store: it hands typed [`Dataset`]s and files to its caller.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use jauge_model::{Dataset, PatronIdentity, PatronKey, Season, SourceName, VenueSetup};

mod emailing;
mod files;
mod names;
mod people;
mod programme;
mod sales;
mod venue;

pub use files::{DemoFiles, TICKETING_HEADERS, write_files};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoOptions {
    pub seed: u64,
    /// 1.0 is the reference venue (about 60,000 tickets); the programme and the audience grow
    /// with the scale.
    pub scale: f64,
    /// The day the data stops: upcoming performances are only partly sold.
    pub today: NaiveDate,
}

/// The generated venue.
#[derive(Debug, Clone)]
pub struct DemoVenue {
    pub options: DemoOptions,
    pub setup: VenueSetup,
    pub seasons: Vec<Season>,
    /// The instant the data stops (midnight at the start of `today`, venue time).
    pub as_of: DateTime<Utc>,
    /// What the ticketing system holds.
    pub ticketing: Dataset,
    /// What the emailing tool holds.
    pub emailing: Dataset,
    /// Which records are the same person: kept aside, never loaded.
    pub truth: Vec<TruthRecord>,
}

/// One source record and the person it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthRecord {
    pub source: SourceName,
    pub patron: PatronKey,
    pub person: u32,
}

impl DemoVenue {
    /// Every patron record the venue's tools hold — ticketing accounts, then emailing
    /// contacts — with the person each belongs to, from the kept-aside truth.
    pub fn patrons_with_persons(&self) -> Vec<(&PatronIdentity, u32)> {
        let person: std::collections::HashMap<&str, u32> = self
            .truth
            .iter()
            .map(|t| (t.patron.as_str(), t.person))
            .collect();
        self.ticketing
            .patrons
            .iter()
            .chain(&self.emailing.patrons)
            .filter_map(|p| Some((p, *person.get(p.key.as_ref()?.as_str())?)))
            .collect()
    }
}

/// Builds the demo venue.
pub fn generate(options: DemoOptions) -> DemoVenue {
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(options.seed);
    let setup = venue::setup();
    let tz = setup.venue.time_zone;
    let as_of = tz
        .from_local_datetime(&options.today.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .earliest()
        .expect("midnight exists in the venue's time zone")
        .with_timezone(&Utc);
    let current = Season::containing(options.today, setup.venue.season_start);
    let seasons: Vec<Season> = (0..4)
        .rev()
        .map(|back| Season::starting(current.start_year() - back, setup.venue.season_start))
        .collect();

    let residences = venue::Residences::around(&setup);
    let programme = programme::plan(&mut rng, &setup, &seasons, options.scale, as_of);
    let mut population = people::Population::new(residences);
    let sales = sales::simulate(&mut rng, &programme, &mut population, as_of);
    let first_purchases = sales.first_purchases(population.people.len());
    // The sales are dropped once they are the ticketing system's dataset, before the emailing
    // tool's is built: a large venue's generation stays within a modest memory.
    let ticketing = sales::dataset(&programme, sales, &mut population);
    let (emailing, emailing_truth) = emailing::simulate(
        &mut rng,
        &mut population,
        &first_purchases,
        &seasons,
        options.scale,
        as_of,
    );
    let mut truth = population.ticketing_truth();
    truth.extend(emailing_truth);
    DemoVenue {
        options,
        setup,
        seasons,
        as_of,
        ticketing,
        emailing,
        truth,
    }
}

#[cfg(test)]
mod tests;
