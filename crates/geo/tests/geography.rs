use std::collections::HashSet;

use jauge_geo::{Geography, LatLon};

fn france() -> &'static Geography {
    Geography::france()
}

#[test]
fn postcode_75011_resolves_to_paris_11e() {
    let communes = france().communes_with_postcode("75011");
    assert_eq!(communes.len(), 1);
    assert_eq!(communes[0].insee, "75111");
    assert_eq!(communes[0].name, "Paris 11e Arrondissement");
    assert_eq!(communes[0].departement, "75");
    assert_eq!(communes[0].region, "11");
}

#[test]
fn cities_with_arrondissements_are_not_double_counted() {
    let geo = france();
    for city in ["75056", "69123", "13055"] {
        assert!(geo.commune(city).is_none(), "{city} should be split");
    }
    let count = |prefix: &str, range: std::ops::RangeInclusive<u32>| {
        geo.communes()
            .iter()
            .filter(|c| {
                c.insee.starts_with(prefix)
                    && c.insee[prefix.len()..]
                        .parse::<u32>()
                        .is_ok_and(|n| range.contains(&n))
            })
            .count()
    };
    assert_eq!(count("751", 1..=20), 20);
    assert_eq!(count("6938", 1..=9), 9);
    assert_eq!(count("132", 1..=16), 16);
    let paris: u64 = geo
        .communes()
        .iter()
        .filter(|c| c.insee.starts_with("751"))
        .map(|c| u64::from(c.population))
        .sum();
    assert!((2_000_000..2_300_000).contains(&paris), "Paris: {paris}");
}

#[test]
fn amberieu_has_proper_case_name_and_position() {
    let c = france().commune("01004").expect("01004");
    assert_eq!(c.name, "Ambérieu-en-Bugey");
    assert_eq!(c.departement, "01");
    assert_eq!(c.postcodes, vec!["01500".to_owned()]);
    assert!(c.population > 10_000);
    assert!((45.9..46.0).contains(&c.position.lat));
    assert!((5.3..5.45).contains(&c.position.lon));
}

#[test]
fn lyon_paris_distance() {
    let geo = france();
    let paris = geo.commune("75101").unwrap(); // Paris 1er
    let lyon = geo.commune("69381").unwrap(); // Lyon 1er
    let d = paris.position.distance_km(&lyon.position);
    assert!((390.0..400.0).contains(&d), "{d}");
    assert_eq!(d, lyon.position.distance_km(&paris.position));
}

#[test]
fn haversine_known_values() {
    let p = LatLon {
        lat: 48.0,
        lon: 2.0,
    };
    assert_eq!(p.distance_km(&p), 0.0);
    // One degree of latitude on the mean sphere.
    let q = LatLon {
        lat: 49.0,
        lon: 2.0,
    };
    assert!((p.distance_km(&q) - 111.195).abs() < 0.01);
    // Antipodes: half the circumference.
    let a = LatLon { lat: 0.0, lon: 0.0 };
    let b = LatLon {
        lat: 0.0,
        lon: 180.0,
    };
    assert!((a.distance_km(&b) - std::f64::consts::PI * 6371.0088).abs() < 1e-6);
}

#[test]
fn departement_and_region_lookup() {
    let geo = france();
    let ain = geo.departement("01").unwrap();
    assert_eq!(ain.name, "Ain");
    assert_eq!(ain.region, "84");
    assert_eq!(geo.region("84").unwrap().name, "Auvergne-Rhône-Alpes");
    assert_eq!(geo.departement("2A").unwrap().name, "Corse-du-Sud");
    assert_eq!(geo.region("11").unwrap().name, "Île-de-France");
    assert!(geo.departement("20").is_none());
    assert!(geo.region("00").is_none());
}

#[test]
fn every_commune_has_an_existing_departement_and_region() {
    let geo = france();
    for c in geo.communes() {
        let d = geo
            .departement(&c.departement)
            .unwrap_or_else(|| panic!("{}: unknown département {}", c.insee, c.departement));
        assert_eq!(d.region, c.region, "{}", c.insee);
        assert!(geo.region(&c.region).is_some(), "{}", c.insee);
        assert!(c.insee.starts_with(&c.departement[..2]), "{}", c.insee);
    }
}

#[test]
fn every_commune_is_well_formed() {
    for c in france().communes() {
        assert!(!c.postcodes.is_empty(), "{} has no postcode", c.insee);
        for p in &c.postcodes {
            assert!(
                p.len() == 5 && p.bytes().all(|b| b.is_ascii_digit()),
                "{}: bad postcode {p:?}",
                c.insee
            );
        }
        assert!(c.postcodes.windows(2).all(|w| w[0] < w[1]), "{}", c.insee);
        assert_eq!(c.insee.len(), 5, "{}", c.insee);
        assert!(!c.name.is_empty(), "{}", c.insee);
        assert!((-90.0..=90.0).contains(&c.position.lat), "{}", c.insee);
        assert!((-180.0..=180.0).contains(&c.position.lon), "{}", c.insee);
    }
}

#[test]
fn communes_are_sorted_unique_and_match_the_table() {
    let communes = france().communes();
    assert!(communes.windows(2).all(|w| w[0].insee < w[1].insee));
    let rows = include_str!("../data/communes.csv").lines().count() - 1;
    assert_eq!(communes.len(), rows);
    assert!(
        (34_500..35_100).contains(&communes.len()),
        "{}",
        communes.len()
    );
    let metro = communes
        .iter()
        .filter(|c| !c.insee.starts_with("97"))
        .count();
    assert!((34_700..34_900).contains(&metro), "{metro}");
    for c in communes {
        assert_eq!(france().commune(&c.insee), Some(c));
    }
}

#[test]
fn postcode_index_is_consistent() {
    let geo = france();
    let mut postcodes = HashSet::new();
    for c in geo.communes() {
        for p in &c.postcodes {
            postcodes.insert(p.as_str());
            assert!(geo.communes_with_postcode(p).contains(&c));
        }
    }
    for p in postcodes {
        let found = geo.communes_with_postcode(p);
        assert!(found.windows(2).all(|w| w[0].insee < w[1].insee));
        assert!(found.iter().all(|c| c.postcodes.iter().any(|q| q == p)));
    }
    assert!(geo.communes_with_postcode("00000").is_empty());
    assert!(geo.communes_with_postcode("").is_empty());
}

#[test]
fn communes_within_radius() {
    let geo = france();
    let centre = geo.commune("69381").unwrap().position;
    let near = geo.communes_within(&centre, 5.0);
    assert_eq!(near[0].0.insee, "69381");
    assert_eq!(near[0].1, 0.0);
    assert!(
        near.iter()
            .all(|&(c, d)| d <= 5.0 && c.position.distance_km(&centre) == d)
    );
    assert!(
        near.windows(2)
            .all(|w| (w[0].1, &w[0].0.insee) <= (w[1].1, &w[1].0.insee))
    );
    let lyon_arrondissements = near
        .iter()
        .filter(|(c, _)| c.insee.starts_with("6938"))
        .count();
    assert!(lyon_arrondissements >= 5, "{lyon_arrondissements}");
    assert!(near.iter().all(|(c, _)| !c.insee.starts_with("75")));
    assert!(geo.communes_within(&centre, -1.0).is_empty());
    let all = geo.communes_within(&centre, f64::INFINITY);
    assert_eq!(all.len(), geo.communes().len());
}

#[test]
fn a_postal_address_names_its_commune() {
    let geo = jauge_geo::Geography::france();
    // 37300 serves Joué-lès-Tours only.
    assert_eq!(
        geo.commune_for("37300", None).map(|c| c.name.as_str()),
        Some("Joué-lès-Tours")
    );
    // 37510 serves several communes: the city says which.
    let several = geo.communes_with_postcode("37510");
    assert!(several.len() > 1, "{several:?}");
    assert_eq!(
        geo.commune_for("37510", Some("BALLAN-MIRE"))
            .map(|c| c.name.as_str()),
        Some("Ballan-Miré")
    );
    assert_eq!(geo.commune_for("37510", None), None);
    assert_eq!(geo.commune_for("37510", Some("Paris")), None);
    // A leading zero lost in a spreadsheet, and "St" for "Saint".
    assert_eq!(
        geo.commune_for("1000", Some("Bourg en Bresse"))
            .map(|c| c.insee.as_str()),
        Some("01053")
    );
    assert_eq!(geo.commune_for("99999", None), None);
}
