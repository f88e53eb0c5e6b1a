//! France's geographic reference for Jauge.
//!
//! This crate owns the geography of France as Jauge sees it: communes (INSEE code,
//! name, département, région, population, centroid), their postcodes, the
//! départements and régions, and great-circle distances between points.
//!
//! It must not touch storage, HTTP, the file system or anything else: the reference
//! tables are embedded at compile time (`include_str!`) from `data/*.csv` and parsed
//! once, lazily, on first use of [`Geography::france`]. They are derived from
//! La Poste's "Base officielle des codes postaux" and etalab's
//! `decoupage-administratif` (see `data/README.md`) by the `derive_table` example.
//!
//! # Paris, Lyon and Marseille
//!
//! The table holds the 45 municipal arrondissements of Paris (751xx), Lyon (6938x)
//! and Marseille (132xx) as communes, *instead of* the cities themselves (75056,
//! 69123 and 13055 are not in the table). This is what La Poste does, so a postcode
//! such as `75011` resolves to `75111` "Paris 11e Arrondissement", and no inhabitant
//! is counted twice: summing [`Commune::population`] over any set of communes is
//! meaningful.
//!
//! # Missing coordinates
//!
//! Communes without any coordinates in the sources (mostly overseas collectivities,
//! plus a handful of recently restored or unlocated communes) are not in the table.
//!
//! # Example
//!
//! ```
//! use jauge_geo::Geography;
//!
//! let france = Geography::france();
//! let paris_11 = france.communes_with_postcode("75011")[0];
//! assert_eq!(paris_11.insee, "75111");
//! let lyon_1 = france.commune("69381").unwrap();
//! let km = paris_11.position.distance_km(&lyon_1.position);
//! assert!((390.0..400.0).contains(&km));
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// Mean Earth radius (IUGG), in kilometres.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

const COMMUNES_CSV: &str = include_str!("../data/communes.csv");
const DEPARTEMENTS_CSV: &str = include_str!("../data/departements.csv");
const REGIONS_CSV: &str = include_str!("../data/regions.csv");

/// A place's name for comparison: lower case, accents and separators dropped, "St" and "Ste"
/// read as "Saint" and "Sainte".
fn place_name(name: &str) -> String {
    let lowered: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ÿ' => 'y',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    lowered
        .split_whitespace()
        .map(|word| match word {
            "st" => "saint",
            "ste" => "sainte",
            word => word,
        })
        .collect()
}

/// A point on Earth, in decimal degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatLon {
    /// Latitude, positive north.
    pub lat: f64,
    /// Longitude, positive east.
    pub lon: f64,
}

impl LatLon {
    /// Great-circle distance to `other` in kilometres (haversine formula on a sphere
    /// of radius [`EARTH_RADIUS_KM`]).
    pub fn distance_km(&self, other: &LatLon) -> f64 {
        let (phi1, phi2) = (self.lat.to_radians(), other.lat.to_radians());
        let dphi = phi2 - phi1;
        let dlambda = (other.lon - self.lon).to_radians();
        let a =
            (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }
}

/// A commune (or a municipal arrondissement of Paris, Lyon or Marseille).
#[derive(Debug, Clone, PartialEq)]
pub struct Commune {
    /// INSEE code (COG), e.g. `"01004"`, `"2A004"`, `"75111"`.
    pub insee: String,
    /// Official proper-case name, e.g. `"Ambérieu-en-Bugey"`.
    pub name: String,
    /// Code of the département, e.g. `"01"`, `"2A"`, `"971"`.
    pub departement: String,
    /// Code of the région, e.g. `"84"`.
    pub region: String,
    /// Municipal population (INSEE legal population, as published by etalab).
    pub population: u32,
    /// Centroid of the commune's La Poste delivery points.
    pub position: LatLon,
    /// Postcodes serving the commune (5 digits, sorted, no duplicates).
    pub postcodes: Vec<String>,
}

/// A département.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Departement {
    /// Code, e.g. `"01"`, `"2A"`, `"971"`.
    pub code: String,
    /// Name, e.g. `"Ain"`.
    pub name: String,
    /// Code of its région.
    pub region: String,
}

/// A région (or an overseas collectivity, which etalab lists alongside régions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Code, e.g. `"84"`.
    pub code: String,
    /// Name, e.g. `"Auvergne-Rhône-Alpes"`.
    pub name: String,
}

/// The geographic reference: communes, postcodes, départements and régions.
#[derive(Debug)]
pub struct Geography {
    communes: Vec<Commune>,
    by_insee: HashMap<String, usize>,
    by_postcode: HashMap<String, Vec<usize>>,
    departements: HashMap<String, Departement>,
    regions: HashMap<String, Region>,
}

#[derive(Deserialize)]
struct CommuneRow {
    insee: String,
    name: String,
    departement: String,
    region: String,
    population: u32,
    lat: f64,
    lon: f64,
    postcodes: String,
}

#[derive(Deserialize)]
struct DepartementRow {
    code: String,
    name: String,
    region: String,
}

#[derive(Deserialize)]
struct RegionRow {
    code: String,
    name: String,
}

fn parse<T: for<'de> Deserialize<'de>>(table: &str, what: &str) -> Vec<T> {
    csv::Reader::from_reader(table.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("embedded {what} table is malformed: {e}"))
}

impl Geography {
    /// The embedded reference for France, parsed on first call.
    pub fn france() -> &'static Geography {
        static FRANCE: OnceLock<Geography> = OnceLock::new();
        FRANCE.get_or_init(Geography::from_embedded_tables)
    }

    fn from_embedded_tables() -> Geography {
        let mut communes: Vec<Commune> = parse::<CommuneRow>(COMMUNES_CSV, "communes")
            .into_iter()
            .map(|row| Commune {
                insee: row.insee,
                name: row.name,
                departement: row.departement,
                region: row.region,
                population: row.population,
                position: LatLon {
                    lat: row.lat,
                    lon: row.lon,
                },
                postcodes: row
                    .postcodes
                    .split('|')
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
            .collect();
        communes.sort_by(|a, b| a.insee.cmp(&b.insee));

        let by_insee = communes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.insee.clone(), i))
            .collect();
        let mut by_postcode: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, commune) in communes.iter().enumerate() {
            for postcode in &commune.postcodes {
                by_postcode.entry(postcode.clone()).or_default().push(i);
            }
        }
        let departements = parse::<DepartementRow>(DEPARTEMENTS_CSV, "departements")
            .into_iter()
            .map(|row| {
                let d = Departement {
                    code: row.code,
                    name: row.name,
                    region: row.region,
                };
                (d.code.clone(), d)
            })
            .collect();
        let regions = parse::<RegionRow>(REGIONS_CSV, "regions")
            .into_iter()
            .map(|row| {
                let r = Region {
                    code: row.code,
                    name: row.name,
                };
                (r.code.clone(), r)
            })
            .collect();
        Geography {
            communes,
            by_insee,
            by_postcode,
            departements,
            regions,
        }
    }

    /// The commune with this INSEE code, if any. Paris, Lyon and Marseille are
    /// only known through their arrondissements (e.g. `"75111"`, not `"75056"`).
    pub fn commune(&self, insee: &str) -> Option<&Commune> {
        self.by_insee.get(insee).map(|&i| &self.communes[i])
    }

    /// All communes, sorted by INSEE code.
    pub fn communes(&self) -> &[Commune] {
        &self.communes
    }

    /// The communes served by a postcode, sorted by INSEE code (empty if unknown).
    pub fn communes_with_postcode(&self, postcode: &str) -> Vec<&Commune> {
        self.by_postcode
            .get(postcode)
            .map(|indices| indices.iter().map(|&i| &self.communes[i]).collect())
            .unwrap_or_default()
    }

    /// The commune a postal address names: the only commune its postcode serves, or among
    /// several, the one whose name `city` gives (whatever its case, accents, hyphens or "St").
    /// A postcode that lost its leading zero in a spreadsheet (`1000`) is read with it.
    pub fn commune_for(&self, postcode: &str, city: Option<&str>) -> Option<&Commune> {
        let digits: String = postcode.chars().filter(|c| !c.is_whitespace()).collect();
        let postcode = if digits.len() == 4 {
            format!("0{digits}")
        } else {
            digits
        };
        let candidates = self.communes_with_postcode(&postcode);
        match candidates[..] {
            [] => None,
            [only] => Some(only),
            _ => {
                let wanted = place_name(city?);
                candidates
                    .into_iter()
                    .find(|c| place_name(&c.name) == wanted)
            }
        }
    }

    /// The département with this code, if any.
    pub fn departement(&self, code: &str) -> Option<&Departement> {
        self.departements.get(code)
    }

    /// The région with this code, if any.
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.get(code)
    }

    /// The communes whose centroid lies within `radius_km` of `centre` (inclusive),
    /// with their distance in km, sorted by distance then INSEE code.
    pub fn communes_within(&self, centre: &LatLon, radius_km: f64) -> Vec<(&Commune, f64)> {
        let mut found: Vec<(&Commune, f64)> = self
            .communes
            .iter()
            .map(|c| (c, centre.distance_km(&c.position)))
            .filter(|&(_, d)| d <= radius_km)
            .collect();
        found.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.insee.cmp(&b.0.insee)));
        found
    }
}
