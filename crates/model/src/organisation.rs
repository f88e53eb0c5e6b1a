use std::num::NonZeroU32;
use std::str::FromStr;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::{InvalidValue, Lang, SeasonStartMonth};

/// Trims `value` and refuses it when nothing is left.
pub(crate) fn non_empty(field: &'static str, value: &str) -> Result<String, InvalidValue> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(InvalidValue::new(field, value, "a non-empty text"))
    } else {
        Ok(trimmed.to_owned())
    }
}

macro_rules! string_newtype_serde {
    ($ty:ident) => {
        impl TryFrom<String> for $ty {
            type Error = InvalidValue;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.0.into()
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}
pub(crate) use string_newtype_serde;

/// A French establishment number (SIRET): 14 digits whose Luhn checksum holds (La Poste's
/// establishments, SIREN 356 000 000, follow their own rule: the digits sum to a multiple of 5).
/// Spaces between digit groups are accepted on input and dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

impl FromStr for Siret {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let bad = |why: &str| InvalidValue::new("SIRET", s, why);
        if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("14 digits, as on the establishment's INSEE notice"));
        }
        let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        let valid = if digits.starts_with("356000000") {
            values.iter().sum::<u32>() % 5 == 0
        } else {
            luhn_sum(&values) % 10 == 0
        };
        if valid {
            Ok(Siret(digits))
        } else {
            Err(bad(
                "14 digits with a valid check digit (Luhn); check for a typo",
            ))
        }
    }
}
string_newtype_serde!(Siret);

fn luhn_sum(digits: &[u32]) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum()
}

/// A live-performance entrepreneur's licence number (licence d'entrepreneur de spectacles),
/// such as `PLATESV-R-2021-001234` or the older `2-1012345`: letters, digits, dashes and
/// slashes, with at least one digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LicenceNumber(String);

impl FromStr for LicenceNumber {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let ok = (3..=40).contains(&t.len())
            && t.chars().any(|c| c.is_ascii_digit())
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | ' '));
        if ok {
            Ok(LicenceNumber(t.to_owned()))
        } else {
            Err(InvalidValue::new(
                "licence number",
                s,
                "a licence number such as PLATESV-R-2021-001234 (letters, digits, dashes)",
            ))
        }
    }
}
string_newtype_serde!(LicenceNumber);

/// A French postcode: five digits (overseas départements included).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

impl FromStr for Postcode {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Postcode(t.to_owned()))
        } else {
            Err(InvalidValue::new(
                "postcode",
                s,
                "five digits, such as 37000",
            ))
        }
    }
}
string_newtype_serde!(Postcode);

/// An INSEE commune code (code officiel géographique): five characters, digits except for
/// Corsica's `2A`/`2B` prefix, such as `37261` or `2A004`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InseeCode(String);

impl FromStr for InseeCode {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_uppercase();
        let b = t.as_bytes();
        let ok = b.len() == 5
            && (b[..2].iter().all(u8::is_ascii_digit) || &b[..2] == b"2A" || &b[..2] == b"2B")
            && b[2..].iter().all(u8::is_ascii_digit);
        if ok {
            Ok(InseeCode(t))
        } else {
            Err(InvalidValue::new(
                "INSEE commune code",
                s,
                "five characters such as 37261 or 2A004",
            ))
        }
    }
}
string_newtype_serde!(InseeCode);

/// The seats a hall or a performance offers: always at least one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Capacity(NonZeroU32);

impl Capacity {
    pub fn new(seats: u32) -> Result<Capacity, InvalidValue> {
        NonZeroU32::new(seats)
            .map(Capacity)
            .ok_or_else(|| InvalidValue::new("capacity", seats, "at least one seat"))
    }

    pub fn get(self) -> u32 {
        self.0.get()
    }
}

impl TryFrom<u32> for Capacity {
    type Error = InvalidValue;
    fn try_from(v: u32) -> Result<Self, Self::Error> {
        Capacity::new(v)
    }
}

impl From<Capacity> for u32 {
    fn from(c: Capacity) -> u32 {
        c.get()
    }
}

/// The kind of place, as SIBIL names it (`typeLieu`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PlaceType {
    Theatre,
    EspacePolyvalent,
    CasinoDiscothequeHotelCafeRestaurant,
    SalleConcertAuditoriumOperaZenith,
    CabaretMusicHall,
    PleinAirParcLoisirsAttraction,
    StructureItineranteDemontableChapiteau,
    LieuDeCulte,
    LieuDeSante,
    Autre,
}

impl PlaceType {
    pub const ALL: [PlaceType; 10] = [
        PlaceType::Theatre,
        PlaceType::EspacePolyvalent,
        PlaceType::CasinoDiscothequeHotelCafeRestaurant,
        PlaceType::SalleConcertAuditoriumOperaZenith,
        PlaceType::CabaretMusicHall,
        PlaceType::PleinAirParcLoisirsAttraction,
        PlaceType::StructureItineranteDemontableChapiteau,
        PlaceType::LieuDeCulte,
        PlaceType::LieuDeSante,
        PlaceType::Autre,
    ];

    /// The code SIBIL uses, e.g. `SALLE_CONCERT_AUDITORIUM_OPERA_ZENITH`.
    pub fn sibil_code(self) -> &'static str {
        match self {
            PlaceType::Theatre => "THEATRE",
            PlaceType::EspacePolyvalent => "ESPACE_POLYVALENT",
            PlaceType::CasinoDiscothequeHotelCafeRestaurant => {
                "CASINO_DISCOTHEQUE_HOTEL_CAFE_RESTAURANT"
            }
            PlaceType::SalleConcertAuditoriumOperaZenith => "SALLE_CONCERT_AUDITORIUM_OPERA_ZENITH",
            PlaceType::CabaretMusicHall => "CABARET_MUSIC_HALL",
            PlaceType::PleinAirParcLoisirsAttraction => "PLEIN_AIR_PARC_LOISIRS_ATTRACTION",
            PlaceType::StructureItineranteDemontableChapiteau => {
                "STRUCTURE_ITINERANTE_DEMONTABLE_CHAPITEAU"
            }
            PlaceType::LieuDeCulte => "LIEU_DE_CULTE",
            PlaceType::LieuDeSante => "LIEU_DE_SANTE",
            PlaceType::Autre => "AUTRE",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            PlaceType::Theatre => lang.pick("Théâtre", "Theatre"),
            PlaceType::EspacePolyvalent => lang.pick("Espace polyvalent", "Multi-purpose space"),
            PlaceType::CasinoDiscothequeHotelCafeRestaurant => lang.pick(
                "Casino, discothèque, hôtel, café, restaurant",
                "Casino, nightclub, hotel, café, restaurant",
            ),
            PlaceType::SalleConcertAuditoriumOperaZenith => lang.pick(
                "Salle de concert, auditorium, opéra, zénith",
                "Concert hall, auditorium, opera house, arena",
            ),
            PlaceType::CabaretMusicHall => lang.pick("Cabaret, music-hall", "Cabaret, music hall"),
            PlaceType::PleinAirParcLoisirsAttraction => lang.pick(
                "Plein air, parc de loisirs, parc d'attraction",
                "Open air, leisure or theme park",
            ),
            PlaceType::StructureItineranteDemontableChapiteau => lang.pick(
                "Structure itinérante ou démontable, chapiteau",
                "Touring or removable structure, big top",
            ),
            PlaceType::LieuDeCulte => lang.pick("Lieu de culte", "Place of worship"),
            PlaceType::LieuDeSante => lang.pick("Lieu de santé", "Healthcare setting"),
            PlaceType::Autre => lang.pick("Autre", "Other"),
        }
    }
}

impl FromStr for PlaceType {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_uppercase();
        PlaceType::ALL
            .into_iter()
            .find(|p| p.sibil_code() == wanted)
            .ok_or_else(|| {
                InvalidValue::new(
                    "place type",
                    s,
                    "one of SIBIL's ten codes: THEATRE, ESPACE_POLYVALENT, …, AUTRE",
                )
            })
    }
}

/// A name or title: trimmed text that is never empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);

impl FromStr for Name {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        non_empty("name", s).map(Name)
    }
}
string_newtype_serde!(Name);

/// The legal entity that holds the licence and declares to SIBIL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub legal_name: Name,
    pub siret: Siret,
    pub licence: LicenceNumber,
}

/// A venue: the place where performances happen. Its time zone is the one in which dates are
/// shown and seasons are cut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Venue {
    pub name: Name,
    pub address: String,
    pub postcode: Postcode,
    pub city: Name,
    pub insee: InseeCode,
    pub time_zone: Tz,
    pub place_type: PlaceType,
    pub season_start: SeasonStartMonth,
}

/// A hall of the venue with its full capacity. A performance may put fewer seats on sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hall {
    pub name: Name,
    pub capacity: Capacity,
}

/// Everything a venue sets up once: the organisation, the venue, its halls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenueSetup {
    pub organisation: Organisation,
    pub venue: Venue,
    pub halls: Vec<Hall>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn siret_checks_its_luhn_digit() {
        // The INSEE's own SIRET (public).
        assert!("130 005 481 00010".parse::<Siret>().is_ok());
        assert!("13000548100011".parse::<Siret>().is_err());
        assert!("1300054810001".parse::<Siret>().is_err());
        assert!("1300054810001a".parse::<Siret>().is_err());
        // La Poste's rule: digit sum a multiple of 5.
        assert!("35600000000010".parse::<Siret>().is_ok());
    }

    #[test]
    fn postcode_and_insee_codes() {
        assert!("37000".parse::<Postcode>().is_ok());
        assert!("3700".parse::<Postcode>().is_err());
        assert!("2a004".parse::<InseeCode>().unwrap().as_str() == "2A004");
        assert!("2C004".parse::<InseeCode>().is_err());
    }

    #[test]
    fn place_types_round_trip_through_sibil_codes() {
        for p in PlaceType::ALL {
            assert_eq!(p.sibil_code().parse::<PlaceType>().unwrap(), p);
            let json = serde_json_string(&p);
            assert_eq!(json, format!("\"{}\"", p.sibil_code()));
        }
        assert!("CINEMA".parse::<PlaceType>().is_err());
    }

    fn serde_json_string<T: Serialize>(v: &T) -> String {
        serde_json::to_string(v).unwrap()
    }

    #[test]
    fn blank_names_are_refused() {
        assert!("  ".parse::<Name>().is_err());
        assert_eq!(" Studio ".parse::<Name>().unwrap().as_str(), "Studio");
    }

    proptest! {
        #[test]
        fn capacity_is_never_zero(seats in 0u32..100_000) {
            match Capacity::new(seats) {
                Ok(c) => prop_assert!(c.get() > 0 && c.get() == seats),
                Err(_) => prop_assert_eq!(seats, 0),
            }
        }

        #[test]
        fn one_changed_digit_breaks_a_siret(pos in 0usize..14, delta in 1u8..10) {
            let good = b"13000548100010";
            let mut bad = *good;
            bad[pos] = b'0' + (bad[pos] - b'0' + delta) % 10;
            prop_assert!(std::str::from_utf8(&bad).unwrap().parse::<Siret>().is_err());
        }

        #[test]
        fn capacity_deserialisation_refuses_zero(seats in 0u32..10) {
            let parsed: Result<Capacity, _> = serde_json::from_str(&seats.to_string());
            prop_assert_eq!(parsed.is_ok(), seats > 0);
        }
    }
}
