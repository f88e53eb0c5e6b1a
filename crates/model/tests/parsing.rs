//! Every parser of user-typed values answers any text with a value or an error, never a panic,
//! and what it accepts reads back the same.

use jauge_model::*;
use proptest::prelude::*;

/// Text as people type it: ASCII, accents, digits, spaces, punctuation and odd characters.
fn typed() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        "[0-9 ]{0,20}",
        "[0-9A-Za-z@.\\- ]{0,30}",
        "[0-9]{4}-[0-9]{4}",
    ]
}

fn round_trips<T>(text: &str)
where
    T: std::str::FromStr + std::fmt::Display,
{
    if let Ok(value) = text.parse::<T>() {
        let again = value.to_string();
        assert!(
            again.parse::<T>().is_ok(),
            "{again:?}, printed from {text:?}, does not parse"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsers_never_panic_and_what_they_accept_reads_back(text in typed()) {
        round_trips::<Siret>(&text);
        round_trips::<LicenceNumber>(&text);
        round_trips::<Postcode>(&text);
        round_trips::<InseeCode>(&text);
        round_trips::<Name>(&text);
        round_trips::<Email>(&text);
        round_trips::<PatronKey>(&text);
        round_trips::<CountryCode>(&text);
        round_trips::<ExternalId>(&text);
        round_trips::<SourceName>(&text);
        let _ = text.parse::<PlaceType>();
        let _ = text.parse::<Discipline>();
        let _ = text.parse::<TariffCategory>();
        let _ = text.parse::<TicketStatus>();
        for month in 1..=12 {
            let start = SeasonStartMonth::new(month).unwrap();
            if let Ok(season) = Season::parse(&text, start) {
                prop_assert_eq!(Season::parse(&season.label(), start).unwrap(), season);
            }
        }
    }
}
