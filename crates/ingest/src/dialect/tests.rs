use proptest::prelude::*;

use super::*;

/// A small French export: accents, a ligature, the euro sign, decimal commas, dates.
const ROWS: [[&str; 5]; 4] = [
    [
        "Nom",
        "Prénom",
        "Prix TTC",
        "Montant",
        "Date de représentation",
    ],
    ["Dupré", "Hélène", "12,50", "12,50 €", "14/03/2026 20:30"],
    ["Lefèvre", "Noël", "8,00", "8,00 €", "15/03/2026 16:00"],
    ["Cœur", "Zoé", "0,00", "0,00 €", "15/03/2026 16:00"],
];

fn csv_text(delimiter: &str, line_ending: &str) -> String {
    ROWS.iter()
        .map(|row| row.join(delimiter))
        .collect::<Vec<_>>()
        .join(line_ending)
        + line_ending
}

fn detect_ok(bytes: &[u8]) -> Detected {
    detect(bytes).unwrap_or_else(|e| panic!("{e}"))
}

/// The encoding chosen for `bytes`, the text read through it and the encoding's ambiguity.
fn decode(bytes: &[u8]) -> Option<(Encoding, String, Option<Ambiguity>)> {
    let input = Input::Bytes(bytes.to_vec());
    let evidence = Evidence::gather(&input).ok()?;
    let (encoding, ambiguity) = encoding(&input.head(HEAD_BYTES).ok()?, &evidence).ok()?;
    Some((encoding, read_all(encoding, bytes), ambiguity))
}

fn read_all(encoding: Encoding, bytes: &[u8]) -> String {
    let mut text = String::new();
    utf8_reader(encoding, Box::new(bytes))
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn every_delimiter_and_line_ending_is_recognised() {
    for (delimiter, byte) in [(";", b';'), (",", b','), ("\t", b'\t'), ("|", b'|')] {
        for (ending, expected) in [
            ("\n", LineEnding::Lf),
            ("\r\n", LineEnding::CrLf),
            ("\r", LineEnding::Cr),
        ] {
            // A comma delimiter needs the decimal commas quoted, as exporters do.
            let text = if delimiter == "," {
                ROWS.iter()
                    .map(|row| {
                        row.iter()
                            .map(|f| {
                                if f.contains(',') {
                                    format!("\"{f}\"")
                                } else {
                                    (*f).to_owned()
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .collect::<Vec<_>>()
                    .join(ending)
                    + ending
            } else {
                csv_text(delimiter, ending)
            };
            let d = detect_ok(text.as_bytes()).dialect;
            let what = format!("delimiter {delimiter:?}, ending {ending:?}");
            assert_eq!(d.delimiter, byte, "{what}");
            assert_eq!(d.line_ending, expected, "{what}");
            assert_eq!(d.columns, 5, "{what}");
            assert_eq!(d.ragged_records, 0, "{what}");
            assert!(d.has_header, "{what}");
            assert_eq!(d.ambiguities, vec![], "{what}");
        }
    }
}

#[test]
fn every_encoding_is_recognised_and_decoded() {
    let text = csv_text(";", "\r\n");
    let utf16 = |little: bool| -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if little {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                }
            })
            .collect()
    };
    let cases: Vec<(Encoding, Vec<u8>)> = vec![
        (Encoding::Utf8, text.as_bytes().to_vec()),
        (
            Encoding::Utf8Bom,
            [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        ),
        (
            Encoding::Utf16Le,
            [&[0xFF, 0xFE][..], &utf16(true)].concat(),
        ),
        (
            Encoding::Utf16Be,
            [&[0xFE, 0xFF][..], &utf16(false)].concat(),
        ),
        (Encoding::Utf16Le, utf16(true)),
        (Encoding::Utf16Be, utf16(false)),
        (
            Encoding::Windows1252,
            encoding_rs::WINDOWS_1252.encode(&text).0.into_owned(),
        ),
        (
            Encoding::Iso8859_15,
            encoding_rs::ISO_8859_15
                .encode(&text.replace('œ', "oe"))
                .0
                .into_owned(),
        ),
    ];
    for (encoding, bytes) in cases {
        let detected = detect_ok(&bytes);
        assert_eq!(detected.dialect.encoding, encoding);
        let expected = if encoding == Encoding::Iso8859_15 {
            text.replace('œ', "oe")
        } else {
            text.clone()
        };
        assert_eq!(read_all(encoding, &bytes), expected, "{encoding}");
        assert_eq!(detected.sample, expected, "{encoding}");
        assert_eq!(detected.dialect.columns, 5, "{encoding}");
    }
}

#[test]
fn windows_1252_and_latin9_are_told_apart_by_the_bytes_they_disagree_on() {
    // 0x80 is € in Windows-1252 and a control code in ISO-8859-15.
    let (encoding, text, ambiguity) = decode(b"Prix;Montant\n12;12 \x80\n").unwrap();
    assert_eq!((encoding, ambiguity), (Encoding::Windows1252, None));
    assert!(text.contains('€'));
    // 0xA4 is € in ISO-8859-15 and ¤ in Windows-1252.
    let (encoding, text, _) = decode(b"Prix;Montant\n12;12 \xA4\n").unwrap();
    assert_eq!(encoding, Encoding::Iso8859_15);
    assert!(text.contains('€'));
    // Both kinds of evidence: the choice is reported.
    let (_, _, ambiguity) = decode(b"Nom;Montant\nC\x9Cur;12 \xA4\n").unwrap();
    assert!(matches!(ambiguity, Some(Ambiguity::Encoding { .. })));
    // Plain Latin-1 letters read alike in both: no ambiguity to report.
    let (encoding, text, ambiguity) = decode(b"Nom\nH\xE9l\xE8ne\n").unwrap();
    assert_eq!(
        (encoding, ambiguity, text.as_str()),
        (Encoding::Windows1252, None, "Nom\nHélène\n")
    );
}

#[test]
fn quoted_fields_may_hold_delimiters_and_line_breaks() {
    let text = "Nom;Adresse;Prix\n\"Dupont; Jean\";\"1 rue Haute\nBât. B\";12\nMartin;\"2 \"\"bis\"\" rue\";14\n";
    let d = detect_ok(text.as_bytes()).dialect;
    assert_eq!((d.delimiter, d.columns, d.ragged_records), (b';', 3, 0));
    assert!(d.has_header);
}

#[test]
fn a_file_without_header_is_recognised() {
    let d = detect_ok(b"Dupont;12,50;14/03/2026\nMartin;8,00;15/03/2026\n").dialect;
    assert!(!d.has_header);
    let d = detect_ok(b"Nom;Ville\nDupont;Tours\nMartin;Blois\n").dialect;
    assert!(d.has_header);
    assert_eq!(d.ambiguities, vec![Ambiguity::HeaderAssumed]);
}

#[test]
fn an_undecidable_delimiter_is_reported() {
    // Every line splits into two columns on ';' and three on ',': the commas inside the
    // fields are evidence against ','.
    let d = detect_ok(b"Nom;Prix\nDupont;12,50\nMartin;8,00\n").dialect;
    assert_eq!((d.delimiter, d.columns), (b';', 2));
    // Here ';' and ',' each split every line in two, and each leaves the other inside a field:
    // nothing decides, and the choice is reported.
    let d = detect_ok(b"a;b,c\nd;e,f\n").dialect;
    assert!(
        d.ambiguities
            .iter()
            .any(|a| matches!(a, Ambiguity::Delimiter { .. })),
        "{:?}",
        d.ambiguities
    );
}

#[test]
fn mixed_line_endings_are_reported() {
    let text = "Nom;Prix\r\nA;1\r\nB;2\nC;3\nD;4\r\nE;5\n";
    let d = detect_ok(text.as_bytes()).dialect;
    assert!(
        matches!(
            d.ambiguities[..],
            [Ambiguity::MixedLineEndings {
                lf: 3,
                crlf: 3,
                cr: 0
            }]
        ),
        "{:?}",
        d.ambiguities
    );
    // One odd trailing line break is not a mixed file.
    let d = detect_ok(b"Nom;Prix\r\nA;1\r\nB;2\n").dialect;
    assert_eq!(d.ambiguities, vec![]);
}

#[test]
fn what_is_not_a_delimited_text_file_says_why() {
    assert_eq!(detect(b""), Err(DetectError::Empty));
    assert_eq!(
        detect(b"PK\x03\x04rest of a zip").err(),
        Some(DetectError::Spreadsheet("XLSX or ODS"))
    );
    assert_eq!(
        detect(b"\xD0\xCF\x11\xE0old excel").err(),
        Some(DetectError::Spreadsheet("XLS"))
    );
    assert_eq!(
        detect(b"Nom;Prix\nA\x00;1\n").err(),
        Some(DetectError::Binary { offset: 10 })
    );
    assert_eq!(
        detect(b"Une seule colonne\nsans separateur\n").err(),
        Some(DetectError::NotDelimited)
    );
}

#[test]
fn the_real_concert_export_with_bare_carriage_returns() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/tickets/concert_taipei_2010.csv"
    );
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("skipped: {path} is not here");
        return;
    };
    let d = detect_ok(&bytes).dialect;
    assert_eq!(d.line_ending, LineEnding::Cr);
    assert_eq!(d.delimiter, b',');
    assert!(d.has_header);
    assert_eq!(d.columns, 29);
}

#[test]
fn a_header_may_name_two_columns_alike() {
    // pretix's French export names two columns "Nom du siège".
    let text = "Code;Nom du siège;Prix;Rang;Nom du siège;Ville;Pays;Date;Heure;Salle\n\
                A1;B12;12,50;B;12;Tours;FR;14/03/2026;20:30;Studio\n";
    let d = detect_ok(text.as_bytes()).dialect;
    assert!(d.has_header);
    // Mostly repeated labels are data, not a header.
    let d = detect_ok(b"Oui;Oui;Non\nOui;Non;Non\n12;13;14\n").dialect;
    assert!(!d.has_header);
}

#[test]
fn a_large_file_is_judged_on_all_its_bytes_and_sampled_from_its_start() {
    // 3 MiB of ASCII lines, then one Windows-1252 byte (é) far past the sample.
    let line = "Nom;Prix;Date\r\nDupont;12,50;14/03/2026\r\n";
    let mut bytes = line.repeat((3 << 20) / line.len()).into_bytes();
    bytes.extend_from_slice(b"Lef\xE8vre;8,00;15/03/2026\r\n");
    let detected = detect_ok(&bytes);
    assert_eq!(detected.dialect.encoding, Encoding::Windows1252);
    assert_eq!(detected.dialect.line_ending, LineEnding::CrLf);
    assert!(detected.sample.len() as u64 <= SAMPLE_BYTES);
    assert!(
        detected.sample.ends_with("\r\n"),
        "the sample ends with a whole line"
    );
    assert!(read_all(Encoding::Windows1252, &bytes).ends_with("Lefèvre;8,00;15/03/2026\r\n"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Evidence gathered block by block, with line breaks and UTF-8 sequences cut anywhere,
    /// equals what the whole bytes show.
    #[test]
    fn evidence_does_not_depend_on_where_blocks_cut(
        text in "[a-zéœ€;\r\n]{0,200}",
        latin in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'\r'), Just(b'\n'), Just(0x80u8), Just(0xA4u8)], 0..50),
        block in 1usize..40,
    ) {
        for bytes in [text.into_bytes(), latin] {
            let input = Input::Bytes(bytes.clone());
            let evidence = Evidence::gather_in_blocks(&input, block).unwrap();
            let (lf, crlf, cr) = count_line_endings(&bytes);
            prop_assert_eq!((evidence.lf, evidence.crlf, evidence.cr), (lf, crlf, cr));
            prop_assert_eq!(evidence.not_utf8, std::str::from_utf8(&bytes).is_err());
            prop_assert_eq!(evidence.cp1252_letters, bytes.iter().any(|b| (0x80..=0x9F).contains(b)));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = detect(&bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[a-zé;,|\t\"\r\n0-9 ]{0,300}") {
        let _ = detect(text.as_bytes());
    }
}
