//! Spreadsheets (XLSX, XLS, ODS) and JSON lines, turned into delimited text so that the rest of
//! the importer reads them like any export. A spreadsheet's first sheet with data is read;
//! dates become `yyyy-mm-dd hh:mm:ss`, numbers keep a decimal point.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, open_workbook_auto_from_rs};

/// Why a spreadsheet or a JSON lines file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("the spreadsheet cannot be read: {0}")]
    Unreadable(String),
    #[error("the spreadsheet has no sheet with data")]
    NoData,
    #[error("line {line} is not a JSON object: {reason}")]
    Json { line: usize, reason: String },
}

/// Whether the bytes are a spreadsheet (a zip archive, as XLSX and ODS are, or an old XLS).
pub fn is_spreadsheet(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// Whether the bytes look like JSON lines: the first thing in them is `{`.
pub fn is_json_lines(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> String {
    String::from_utf8(w.into_inner().expect("writing to memory does not fail"))
        .expect("cells are text")
}

fn cell(data: &Data) -> String {
    match data {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DurationIso(s) => s.clone(),
        // ODS writes dates as ISO text: they are written as XLSX dates are.
        Data::DateTimeIso(s) => {
            match chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
                Ok(at) => at.format("%Y-%m-%d %H:%M:%S").to_string(),
                Err(_) => s.clone(),
            }
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::DateTime(_) => match data.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => at.format("%Y-%m-%d").to_string(),
            Some(at) => at.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => String::new(),
        },
    }
}

/// The first sheet with data, as `;`-delimited text.
pub fn spreadsheet_to_text(bytes: &[u8]) -> Result<String, SheetError> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| SheetError::Unreadable(e.to_string()))?;
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| SheetError::Unreadable(e.to_string()))?;
        if range.is_empty() {
            continue;
        }
        let mut w = writer();
        for row in range.rows() {
            w.write_record(row.iter().map(cell))
                .map_err(|e| SheetError::Unreadable(e.to_string()))?;
        }
        return Ok(finish(w));
    }
    Err(SheetError::NoData)
}

/// JSON lines (one object a line) as `;`-delimited text: the keys, in the order first seen,
/// are the header.
pub fn json_lines_to_text(bytes: &[u8]) -> Result<String, SheetError> {
    let text = String::from_utf8_lossy(bytes);
    let mut keys: Vec<String> = Vec::new();
    let mut rows: Vec<serde_json::Map<String, serde_json::Value>> = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)
            .map_err(|e| SheetError::Json {
                line: n + 1,
                reason: e.to_string(),
            })?;
        for key in object.keys() {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        rows.push(object);
    }
    let mut w = writer();
    let error = |e: csv::Error| SheetError::Unreadable(e.to_string());
    w.write_record(&keys).map_err(error)?;
    for row in &rows {
        w.write_record(keys.iter().map(|k| match row.get(k) {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        }))
        .map_err(error)?;
    }
    Ok(finish(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/sheets/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn xlsx_and_ods_read_as_the_same_rows() {
        for name in ["billetterie.xlsx", "billetterie.ods"] {
            let bytes = fixture(name);
            assert!(is_spreadsheet(&bytes), "{name}");
            let text = spreadsheet_to_text(&bytes).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(
                lines[0],
                "N° commande;Date commande;Code séance;Tarif;Prix TTC;Statut billet;N° client;Courriel",
                "{name}"
            );
            assert_eq!(
                lines[1], "C1;2026-03-14 20:30:00;S1;Plein tarif;12.5;Valide;K1;ana@exemple.fr",
                "{name}"
            );
            assert_eq!(
                lines[3], "C2;2026-03-15 09:05:00;S1;Invitation;0;Annulé;;",
                "{name}"
            );
        }
    }

    #[test]
    fn json_lines_become_rows_with_every_key_as_a_column() {
        let text = json_lines_to_text(
            b"{\"order\": \"C1\", \"price\": 12.5}\n\n{\"order\": \"C2\", \"email\": \"a@b.fr\", \"price\": null}\n",
        )
        .unwrap();
        assert_eq!(text, "order;price;email\nC1;12.5;\nC2;;a@b.fr\n");
        assert_eq!(
            json_lines_to_text(b"{\"a\": 1}\n[1, 2]\n"),
            Err(SheetError::Json {
                line: 2,
                reason: "invalid type: sequence, expected a map at line 1 column 0".into()
            })
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut zip = b"PK\x03\x04".to_vec();
            zip.extend(&bytes);
            let _ = spreadsheet_to_text(&zip);
            let _ = json_lines_to_text(&bytes);
        }
    }
}
