//! A file's dialect — encoding, line endings, delimiter, header row — decided from the bytes.
//!
//! Each decision keeps its evidence; what the evidence cannot settle becomes an [`Ambiguity`] in
//! the result rather than a silent guess. The functions take any bytes: they return an error for
//! what is not a delimited text file, and never panic.

use std::fmt;

use encoding_rs::{ISO_8859_15, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// How many records the detector reads to decide the delimiter and the header.
const SAMPLE_RECORDS: usize = 200;

/// A text encoding the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// UTF-8 starting with a byte-order mark, as Excel writes it.
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// Windows' Western European code page, the usual one of French exports.
    Windows1252,
    /// Latin-9: Latin-1 with the euro sign.
    Iso8859_15,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with byte-order mark",
            Encoding::Utf16Le => "UTF-16 little-endian",
            Encoding::Utf16Be => "UTF-16 big-endian",
            Encoding::Windows1252 => "Windows-1252",
            Encoding::Iso8859_15 => "ISO-8859-15",
        })
    }
}

/// How lines end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    Lf,
    CrLf,
    /// A bare carriage return, as old Mac software writes.
    Cr,
    /// The file holds one line.
    None,
}

impl fmt::Display for LineEnding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LineEnding::Lf => "LF",
            LineEnding::CrLf => "CRLF",
            LineEnding::Cr => "CR",
            LineEnding::None => "none (one line)",
        })
    }
}

/// Something the evidence in the file did not settle; the detector chose, and says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ambiguity {
    /// The bytes hold characters of both single-byte encodings, which read some of them
    /// differently; the detector chose one.
    Encoding { chosen: Encoding, other: Encoding },
    /// Lines end in more than one way.
    MixedLineEndings { lf: usize, crlf: usize, cr: usize },
    /// Another delimiter splits the sampled records just as consistently.
    Delimiter { chosen: char, other: char },
    /// Every column holds text, so nothing shows whether the first row is a header; it was
    /// taken as one.
    HeaderAssumed,
}

impl fmt::Display for Ambiguity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ambiguity::Encoding { chosen, other } => write!(
                f,
                "the file reads as {chosen} or {other} and they differ on some characters; \
                 {chosen} was chosen — check accented letters and the euro sign in the preview"
            ),
            Ambiguity::MixedLineEndings { lf, crlf, cr } => write!(
                f,
                "lines end in several ways ({lf} LF, {crlf} CRLF, {cr} CR): the file may have been \
                 pasted together from several exports"
            ),
            Ambiguity::Delimiter { chosen, other } => write!(
                f,
                "both {} and {} split every sampled line into the same number of columns; {} was \
                 chosen — check the preview, or give the delimiter in a profile",
                show(*chosen),
                show(*other),
                show(*chosen)
            ),
            Ambiguity::HeaderAssumed => f.write_str(
                "every column holds text, so the first row was taken as the header; if it is data, \
                 say so in a profile",
            ),
        }
    }
}

fn show(delimiter: char) -> String {
    match delimiter {
        '\t' => "tab".to_owned(),
        c => format!("'{c}'"),
    }
}

/// Why bytes are not a delimited text file the importer can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    #[error("the file is empty")]
    Empty,
    #[error(
        "the file looks like a spreadsheet ({0}), not a text export; import it as a spreadsheet \
         or save it as CSV"
    )]
    Spreadsheet(&'static str),
    #[error("the file holds binary data (a zero byte at offset {offset}), not text")]
    Binary { offset: usize },
    #[error(
        "no delimiter (',', ';', tab or '|') splits the lines into columns; is it a CSV export?"
    )]
    NotDelimited,
}

/// What the detector decided, with the evidence it could not settle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialect {
    pub encoding: Encoding,
    pub line_ending: LineEnding,
    pub delimiter: u8,
    pub has_header: bool,
    /// Columns of the sampled records (the most common count).
    pub columns: usize,
    /// Sampled records whose column count differs from `columns`.
    pub ragged_records: usize,
    pub ambiguities: Vec<Ambiguity>,
}

/// A file decoded to text, with its dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub dialect: Dialect,
    pub text: String,
}

/// Decodes `bytes` and decides their dialect.
pub fn detect(bytes: &[u8]) -> Result<Detected, DetectError> {
    let (encoding, text, encoding_ambiguity) = decode(bytes)?;
    let mut ambiguities: Vec<Ambiguity> = encoding_ambiguity.into_iter().collect();
    let (line_ending, mixed) = line_ending(&text);
    ambiguities.extend(mixed);
    let (delimiter, columns, ragged_records, other) = delimiter(&text)?;
    ambiguities.extend(other);
    let (has_header, assumed) = header(&text, delimiter);
    ambiguities.extend(assumed);
    Ok(Detected {
        dialect: Dialect {
            encoding,
            line_ending,
            delimiter,
            has_header,
            columns,
            ragged_records,
            ambiguities,
        },
        text,
    })
}

/// Decodes bytes to text, deciding the encoding from a byte-order mark, the pattern of zero
/// bytes, UTF-8 validity, then the bytes where Windows-1252 and ISO-8859-15 differ.
pub fn decode(bytes: &[u8]) -> Result<(Encoding, String, Option<Ambiguity>), DetectError> {
    if bytes.is_empty() {
        return Err(DetectError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(DetectError::Spreadsheet("XLSX or ODS"));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(DetectError::Spreadsheet("XLS"));
    }
    let decoded = |encoding: &'static encoding_rs::Encoding, body: &[u8]| {
        encoding.decode_without_bom_handling(body).0.into_owned()
    };
    if let Some(body) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return Ok((
            Encoding::Utf8Bom,
            String::from_utf8_lossy(body).into_owned(),
            None,
        ));
    }
    if let Some(body) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Ok((Encoding::Utf16Le, decoded(UTF_16LE, body), None));
    }
    if let Some(body) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Ok((Encoding::Utf16Be, decoded(UTF_16BE, body), None));
    }
    // UTF-16 without a mark: text in Latin letters has a zero byte in every other position.
    let pairs = bytes.len() / 2;
    if pairs >= 2 {
        let zeros_at = |parity: usize| {
            bytes
                .chunks_exact(2)
                .filter(|pair| pair[parity] == 0 && pair[1 - parity] != 0)
                .count()
        };
        if zeros_at(1) * 10 >= pairs * 9 {
            return Ok((Encoding::Utf16Le, decoded(UTF_16LE, bytes), None));
        }
        if zeros_at(0) * 10 >= pairs * 9 {
            return Ok((Encoding::Utf16Be, decoded(UTF_16BE, bytes), None));
        }
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(DetectError::Binary { offset });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((Encoding::Utf8, text.to_owned(), None));
    }
    // One byte a character. Windows-1252 puts letters and signs (€ ’ œ …) at 0x80–0x9F, where
    // ISO-8859-15 has invisible control codes; ISO-8859-15 puts € Š š Ž ž Œ œ Ÿ at eight places
    // where Windows-1252 has ¤ ¦ ¨ ´ ¸ ¼ ½ ¾, which French exports hardly ever contain.
    const LATIN9_ONLY: [u8; 8] = [0xA4, 0xA6, 0xA8, 0xB4, 0xB8, 0xBC, 0xBD, 0xBE];
    let cp1252_letters = bytes.iter().any(|b| (0x80..=0x9F).contains(b));
    let latin9_letters = bytes.iter().any(|b| LATIN9_ONLY.contains(b));
    Ok(match (cp1252_letters, latin9_letters) {
        (false, true) => (Encoding::Iso8859_15, decoded(ISO_8859_15, bytes), None),
        (true, true) => (
            Encoding::Windows1252,
            decoded(WINDOWS_1252, bytes),
            Some(Ambiguity::Encoding {
                chosen: Encoding::Windows1252,
                other: Encoding::Iso8859_15,
            }),
        ),
        // Either the file has Windows-1252's own letters, or only bytes both read alike.
        _ => (Encoding::Windows1252, decoded(WINDOWS_1252, bytes), None),
    })
}

/// The line ending most lines use, and an ambiguity when several are used. Line breaks inside
/// quotes count too: they are rare enough not to sway the majority.
fn line_ending(text: &str) -> (LineEnding, Option<Ambiguity>) {
    let bytes = text.as_bytes();
    let (mut lf, mut crlf, mut cr) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                crlf += 1;
                i += 1;
            }
            b'\r' => cr += 1,
            b'\n' => lf += 1,
            _ => {}
        }
        i += 1;
    }
    let counts = [
        (LineEnding::Lf, lf),
        (LineEnding::CrLf, crlf),
        (LineEnding::Cr, cr),
    ];
    let (ending, most) = counts
        .iter()
        .copied()
        .max_by_key(|&(_, n)| n)
        .unwrap_or((LineEnding::None, 0));
    if most == 0 {
        return (LineEnding::None, None);
    }
    let others = lf + crlf + cr - most;
    // A trailing line break of another kind, or a few, is noise; more is a mixed file.
    let mixed = others > 1 && others * 20 > most;
    (
        ending,
        mixed.then_some(Ambiguity::MixedLineEndings { lf, crlf, cr }),
    )
}

/// Reads up to [`SAMPLE_RECORDS`] records with `delimiter`; returns their field counts.
fn sample(text: &str, delimiter: u8) -> Vec<Vec<String>> {
    // The csv crate ends records at CR, LF or CRLF alike, and honours double quotes.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .take(SAMPLE_RECORDS)
        .map_while(Result::ok)
        .filter(|r| !(r.len() == 1 && r[0].trim().is_empty()))
        .map(|r| r.iter().map(str::to_owned).collect())
        .collect()
}

/// How well a delimiter splits the sample: the most common field count, how many records have
/// it, and how many fields contain another candidate (evidence the split is wrong).
#[derive(Debug, Clone, Copy)]
struct Split {
    delimiter: u8,
    columns: usize,
    consistent: usize,
    records: usize,
    foreign: usize,
}

const CANDIDATES: [u8; 4] = [b';', b',', b'\t', b'|'];

fn split(text: &str, delimiter: u8) -> Split {
    let records = sample(text, delimiter);
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for r in &records {
        match counts.iter_mut().find(|(n, _)| *n == r.len()) {
            Some((_, seen)) => *seen += 1,
            None => counts.push((r.len(), 1)),
        }
    }
    let (columns, consistent) = counts
        .into_iter()
        .max_by_key(|&(n, seen)| (seen, n))
        .unwrap_or((0, 0));
    let foreign = records
        .iter()
        .flatten()
        .filter(|field| {
            CANDIDATES
                .iter()
                .any(|&c| c != delimiter && field.as_bytes().contains(&c))
        })
        .count();
    Split {
        delimiter,
        columns,
        consistent,
        records: records.len(),
        foreign,
    }
}

/// The delimiter that splits the sample most consistently into more than one column; among
/// equals, the one whose fields contain the fewest other candidates. Returns it with the column
/// count, the number of ragged records and an ambiguity when another does as well.
fn delimiter(text: &str) -> Result<(u8, usize, usize, Option<Ambiguity>), DetectError> {
    let mut splits: Vec<Split> = CANDIDATES
        .iter()
        .map(|&d| split(text, d))
        .filter(|s| s.columns > 1 && s.records > 0)
        .collect();
    // Most consistent first; then fewer fields holding another delimiter; then more columns.
    splits.sort_by(|a, b| {
        let share = |s: &Split| s.consistent * 1000 / s.records;
        share(b)
            .cmp(&share(a))
            .then(a.foreign.cmp(&b.foreign))
            .then(b.columns.cmp(&a.columns))
    });
    let best = *splits.first().ok_or(DetectError::NotDelimited)?;
    let tied = splits.get(1).filter(|s| {
        s.consistent * best.records == best.consistent * s.records && s.foreign == best.foreign
    });
    let ambiguity = tied.map(|s| Ambiguity::Delimiter {
        chosen: char::from(best.delimiter),
        other: char::from(s.delimiter),
    });
    Ok((
        best.delimiter,
        best.columns,
        best.records - best.consistent,
        ambiguity,
    ))
}

/// Whether a field looks like a number, an amount or a date rather than a label.
fn looks_typed(field: &str) -> bool {
    let f = field.trim();
    f.chars().any(|c| c.is_ascii_digit())
        && f.chars().all(|c| {
            c.is_ascii_digit() || " .,/:-+€$%'\u{a0}\u{202f}".contains(c) || "apmAPM".contains(c)
        })
}

/// Whether the first record is a header: its fields are distinct non-empty labels, and some
/// column holds typed values (numbers, dates) below a label. When every column is text, the
/// first row is taken as a header, and that is reported.
fn header(text: &str, delimiter: u8) -> (bool, Option<Ambiguity>) {
    let records = sample(text, delimiter);
    let Some((first, rest)) = records.split_first() else {
        return (false, None);
    };
    let labels = first
        .iter()
        .all(|f| !f.trim().is_empty() && !looks_typed(f));
    let distinct = first
        .iter()
        .enumerate()
        .all(|(i, f)| !first[..i].contains(f));
    if !labels || !distinct {
        return (false, None);
    }
    let typed_below = (0..first.len()).any(|column| {
        let values: Vec<&String> = rest
            .iter()
            .filter_map(|r| r.get(column))
            .filter(|v| !v.trim().is_empty())
            .collect();
        !values.is_empty() && values.iter().all(|v| looks_typed(v))
    });
    if typed_below || rest.is_empty() {
        (true, None)
    } else {
        (true, Some(Ambiguity::HeaderAssumed))
    }
}

#[cfg(test)]
mod tests;
