//! Derives the compact tables embedded by `jauge-geo` from the third-party sources.
//!
//! Usage (from the workspace root):
//!
//! ```text
//! cargo run -p jauge-geo --example derive_table -- ../shared/data/geo
//! ```
//!
//! Inputs (read-only):
//! - `<dir>/laposte_hexasmal.csv`: La Poste "Base officielle des codes postaux"
//!   (`;`-separated, UTF-8, `coordonnees_gps` as `"lat,lon"`, sometimes empty);
//! - `<dir>/decoupage-administratif/{communes,departements,regions}.json`: etalab
//!   decoupage-administratif (MIT).
//!
//! Outputs (in `crates/geo/data/`): `communes.csv`, `departements.csv`, `regions.csv`.
//!
//! Choices:
//! - Kept: etalab `commune-actuelle` and `arrondissement-municipal` entries. Dropped:
//!   `commune-deleguee` / `commune-associee` (they are parts of a current commune).
//! - Paris (75056), Lyon (69123) and Marseille (13055) are dropped in favour of their
//!   45 municipal arrondissements (751xx, 6938x, 132xx), which La Poste uses and whose
//!   populations add up to the city's, so summing population never double-counts.
//! - Centroid: mean of the commune's La Poste coordinates; when it has none, mean of
//!   the coordinates of its delegated/associated communes and former codes; communes
//!   with no coordinates at all are dropped (and counted on stdout).
//! - Postcodes: union of etalab `codesPostaux` and La Poste's postcodes, sorted.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::error::Error;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::Deserialize;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Cities whose municipal arrondissements replace them in the table.
const CITIES_WITH_ARRONDISSEMENTS: [&str; 3] = ["75056", "69123", "13055"];

#[derive(Deserialize)]
struct EtalabCommune {
    code: String,
    nom: String,
    #[serde(rename = "type")]
    kind: String,
    departement: String,
    region: String,
    #[serde(rename = "codesPostaux", default)]
    postcodes: Vec<String>,
    #[serde(default)]
    population: Option<u32>,
    #[serde(rename = "chefLieu", default)]
    chef_lieu: Option<String>,
    #[serde(rename = "anciensCodes", default)]
    former_codes: Vec<String>,
}

#[derive(Deserialize)]
struct EtalabDepartement {
    code: String,
    nom: String,
    region: String,
}

#[derive(Deserialize)]
struct EtalabRegion {
    code: String,
    nom: String,
}

#[derive(Default)]
struct LaPosteEntry {
    postcodes: BTreeSet<String>,
    positions: Vec<(f64, f64)>,
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(serde_json::from_reader(std::io::BufReader::new(file))?)
}

fn read_laposte(path: &Path) -> Result<(HashMap<String, LaPosteEntry>, usize)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut entries: HashMap<String, LaPosteEntry> = HashMap::new();
    let mut rows_without_gps = 0;
    for record in reader.records() {
        let record = record?;
        let insee = record.get(0).ok_or("missing Code_commune_INSEE")?.trim();
        let postcode = record.get(2).ok_or("missing Code_postal")?.trim();
        let gps = record.get(5).unwrap_or("").trim();
        let entry = entries.entry(insee.to_owned()).or_default();
        if !postcode.is_empty() {
            entry.postcodes.insert(postcode.to_owned());
        }
        match gps.split_once(',') {
            Some((lat, lon)) => {
                let lat: f64 = lat.trim().parse()?;
                let lon: f64 = lon.trim().parse()?;
                entry.positions.push((lat, lon));
            }
            None if gps.is_empty() => rows_without_gps += 1,
            None => return Err(format!("bad coordonnees_gps {gps:?} for {insee}").into()),
        }
    }
    Ok((entries, rows_without_gps))
}

fn mean(positions: &[(f64, f64)]) -> Option<(f64, f64)> {
    if positions.is_empty() {
        return None;
    }
    let n = positions.len() as f64;
    let (lat, lon) = positions
        .iter()
        .fold((0.0, 0.0), |(a, b), (lat, lon)| (a + lat, b + lon));
    Some((lat / n, lon / n))
}

fn main() -> Result<()> {
    let source: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data/geo"));
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let etalab = source.join("decoupage-administratif");

    let communes: Vec<EtalabCommune> = read_json(&etalab.join("communes.json"))?;
    let departements: Vec<EtalabDepartement> = read_json(&etalab.join("departements.json"))?;
    let regions: Vec<EtalabRegion> = read_json(&etalab.join("regions.json"))?;
    let (laposte, rows_without_gps) = read_laposte(&source.join("laposte_hexasmal.csv"))?;

    // Former or delegated codes attached to each current commune, for the centroid fallback.
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in &communes {
        if matches!(c.kind.as_str(), "commune-deleguee" | "commune-associee") {
            if let Some(parent) = &c.chef_lieu {
                children.entry(parent.as_str()).or_default().push(&c.code);
            }
        }
        for former in &c.former_codes {
            children.entry(c.code.as_str()).or_default().push(former);
        }
    }

    let mut rows = BTreeMap::new();
    let mut dropped_no_coordinates = Vec::new();
    let mut fallback_centroids = Vec::new();
    for c in &communes {
        if !matches!(
            c.kind.as_str(),
            "commune-actuelle" | "arrondissement-municipal"
        ) || CITIES_WITH_ARRONDISSEMENTS.contains(&c.code.as_str())
        {
            continue;
        }
        let own = laposte.get(&c.code);
        let mut centroid = own.and_then(|e| mean(&e.positions));
        if centroid.is_none() {
            let positions: Vec<(f64, f64)> = children
                .get(c.code.as_str())
                .into_iter()
                .flatten()
                .filter_map(|code| laposte.get(*code))
                .flat_map(|e| e.positions.iter().copied())
                .collect();
            centroid = mean(&positions);
            if centroid.is_some() {
                fallback_centroids.push(c.code.as_str());
            }
        }
        let Some((lat, lon)) = centroid else {
            dropped_no_coordinates.push(c.code.as_str());
            continue;
        };
        let postcodes: BTreeSet<&str> = c
            .postcodes
            .iter()
            .map(String::as_str)
            .chain(
                own.into_iter()
                    .flat_map(|e| e.postcodes.iter().map(String::as_str)),
            )
            .collect();
        let postcodes: Vec<&str> = postcodes.into_iter().collect();
        rows.insert(
            c.code.as_str(),
            [
                c.code.clone(),
                c.nom.clone(),
                c.departement.clone(),
                c.region.clone(),
                c.population.unwrap_or(0).to_string(),
                format!("{lat:.4}"),
                format!("{lon:.4}"),
                postcodes.join("|"),
            ],
        );
    }

    let mut writer = csv::Writer::from_path(out_dir.join("communes.csv"))?;
    writer.write_record([
        "insee",
        "name",
        "departement",
        "region",
        "population",
        "lat",
        "lon",
        "postcodes",
    ])?;
    for row in rows.values() {
        writer.write_record(row)?;
    }
    writer.flush()?;

    let mut departements: Vec<_> = departements.iter().collect();
    departements.sort_by(|a, b| a.code.cmp(&b.code));
    let mut writer = csv::Writer::from_path(out_dir.join("departements.csv"))?;
    writer.write_record(["code", "name", "region"])?;
    for d in &departements {
        writer.write_record([&d.code, &d.nom, &d.region])?;
    }
    writer.flush()?;

    let mut regions: Vec<_> = regions.iter().collect();
    regions.sort_by(|a, b| a.code.cmp(&b.code));
    let mut writer = csv::Writer::from_path(out_dir.join("regions.csv"))?;
    writer.write_record(["code", "name"])?;
    for r in &regions {
        writer.write_record([&r.code, &r.nom])?;
    }
    writer.flush()?;

    println!("La Poste rows without coordinates: {rows_without_gps}");
    println!(
        "centroid taken from delegated/former communes: {} ({})",
        fallback_centroids.len(),
        fallback_centroids.join(" ")
    );
    println!(
        "communes dropped (no coordinates anywhere): {} ({})",
        dropped_no_coordinates.len(),
        dropped_no_coordinates.join(" ")
    );
    println!(
        "wrote {} communes, {} départements, {} régions to {}",
        rows.len(),
        departements.len(),
        regions.len(),
        out_dir.display()
    );
    Ok(())
}
