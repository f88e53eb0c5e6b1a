//! A file's dialect — encoding, line endings, delimiter, header row — decided from the bytes.
//!
//! Each decision keeps its evidence; what the evidence cannot settle becomes an [`Ambiguity`] in
//! the result rather than a silent guess. The functions take any bytes: they return an error for
//! what is not a delimited text file, and never panic.

use std::fmt;

use std::io::{self, Read};

use encoding_rs::{ISO_8859_15, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::input::Input;

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
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
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

/// A file's dialect, with the start of its text to infer its columns from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub dialect: Dialect,
    /// The file's first lines, decoded: enough for the delimiter, the header and a sample of
    /// each column's values, never the whole of a large file.
    pub sample: String,
}

impl Detected {
    /// The file's text as UTF-8, streamed from `input`.
    pub fn text<'a>(&self, input: &'a Input) -> io::Result<Box<dyn Read + Send + 'a>> {
        Ok(utf8_reader(self.dialect.encoding, input.open()?))
    }
}

/// Decodes `bytes` and decides their dialect (see [`detect_input`]).
pub fn detect(bytes: &[u8]) -> Result<Detected, DetectError> {
    detect_input(&Input::Bytes(bytes.to_vec()))
}

/// Decides the dialect of `input`: the encoding and line endings from evidence gathered over
/// the whole file, streamed; the delimiter and header from its first lines.
pub fn detect_input(input: &Input) -> Result<Detected, DetectError> {
    let unreadable = |e: io::Error| DetectError::Unreadable(e.to_string());
    let head = input.head(HEAD_BYTES).map_err(unreadable)?;
    let evidence = Evidence::gather(input).map_err(unreadable)?;
    let (encoding, encoding_ambiguity) = encoding(&head, &evidence)?;
    let mut ambiguities: Vec<Ambiguity> = encoding_ambiguity.into_iter().collect();
    let sample = sample_text(input, encoding).map_err(unreadable)?;
    // UTF-16's line breaks are read from the text; the others' from every byte of the file.
    let (lf, crlf, cr) = match encoding {
        Encoding::Utf16Le | Encoding::Utf16Be => count_line_endings(sample.as_bytes()),
        _ => (evidence.lf, evidence.crlf, evidence.cr),
    };
    let (line_ending, mixed) = line_ending(lf, crlf, cr);
    ambiguities.extend(mixed);
    let (delimiter, columns, ragged_records, other) = delimiter(&sample)?;
    ambiguities.extend(other);
    let (has_header, assumed) = header(&sample, delimiter);
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
        sample,
    })
}

/// How many bytes of the file's start the UTF-16 test and the signatures look at.
const HEAD_BYTES: usize = 1 << 16;
/// How many bytes of decoded text the sample holds at most.
const SAMPLE_BYTES: u64 = 1 << 20;
/// Bytes read at a time while gathering evidence.
const BLOCK_BYTES: usize = 1 << 18;

/// What the bytes of a whole file show, gathered block by block.
#[derive(Debug, Default)]
struct Evidence {
    /// The offset of the first zero byte.
    zero_at: Option<usize>,
    /// Whether every byte so far is valid UTF-8.
    not_utf8: bool,
    /// Bytes at 0x80–0x9F, letters and signs in Windows-1252, control codes in ISO-8859-15.
    cp1252_letters: bool,
    /// Bytes where ISO-8859-15 has € Š š Ž ž Œ œ Ÿ.
    latin9_letters: bool,
    lf: usize,
    crlf: usize,
    cr: usize,
}

impl Evidence {
    fn gather(input: &Input) -> io::Result<Evidence> {
        Evidence::gather_in_blocks(input, BLOCK_BYTES)
    }

    fn gather_in_blocks(input: &Input, block_bytes: usize) -> io::Result<Evidence> {
        let mut evidence = Evidence::default();
        let mut reader = input.open()?;
        // Room for a cut UTF-8 sequence (three bytes at most) and fresh bytes.
        let mut buffer = vec![0u8; block_bytes.max(4)];
        // The start of a UTF-8 sequence a block cut, carried to the next block.
        let mut carried = 0;
        let mut offset = 0;
        let mut last_was_cr = false;
        loop {
            let read = match reader.read(&mut buffer[carried..]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let filled = carried + read;
            let block = &buffer[..filled];
            let fresh = &block[carried..];
            if evidence.zero_at.is_none() {
                evidence.zero_at = memchr::memchr(0, fresh).map(|at| offset + at);
            }
            evidence.single_byte_letters(fresh);
            let (lf, crlf, cr) = count_line_endings(fresh);
            evidence.lf += lf;
            evidence.crlf += crlf;
            evidence.cr += cr;
            if last_was_cr && fresh.first() == Some(&b'\n') {
                // A CRLF the blocks cut: each block counted its half alone.
                evidence.lf -= 1;
                evidence.cr -= 1;
                evidence.crlf += 1;
            }
            last_was_cr = fresh.last() == Some(&b'\r');
            offset += read;
            let mut cut = 0;
            if !evidence.not_utf8 {
                match std::str::from_utf8(block) {
                    Ok(_) => {}
                    // A sequence cut by the block's end: checked with the next block.
                    Err(e) if e.error_len().is_none() => cut = filled - e.valid_up_to(),
                    Err(_) => evidence.not_utf8 = true,
                }
            }
            buffer.copy_within(filled - cut..filled, 0);
            carried = cut;
        }
        // A sequence still cut at the end of the file is not UTF-8.
        evidence.not_utf8 |= carried > 0;
        Ok(evidence)
    }

    fn single_byte_letters(&mut self, bytes: &[u8]) {
        // French text is mostly ASCII: only the blocks with other bytes are looked into.
        const LATIN9_ONLY: [u8; 8] = [0xA4, 0xA6, 0xA8, 0xB4, 0xB8, 0xBC, 0xBD, 0xBE];
        for chunk in bytes.chunks(64).filter(|c| !c.is_ascii()) {
            for &b in chunk {
                self.cp1252_letters |= (0x80..=0x9F).contains(&b);
                self.latin9_letters |= LATIN9_ONLY.contains(&b);
            }
        }
    }
}

/// Decides the encoding from a byte-order mark, the pattern of zero bytes at the start, UTF-8
/// validity over the whole file, then the bytes where Windows-1252 and ISO-8859-15 differ.
fn encoding(
    head: &[u8],
    evidence: &Evidence,
) -> Result<(Encoding, Option<Ambiguity>), DetectError> {
    if head.is_empty() {
        return Err(DetectError::Empty);
    }
    if head.starts_with(b"PK\x03\x04") {
        return Err(DetectError::Spreadsheet("XLSX or ODS"));
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(DetectError::Spreadsheet("XLS"));
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok((Encoding::Utf8Bom, None));
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Ok((Encoding::Utf16Le, None));
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Ok((Encoding::Utf16Be, None));
    }
    // UTF-16 without a mark: text in Latin letters has a zero byte in every other position.
    let pairs = head.len() / 2;
    if pairs >= 2 {
        let zeros_at = |parity: usize| {
            head.chunks_exact(2)
                .filter(|pair| pair[parity] == 0 && pair[1 - parity] != 0)
                .count()
        };
        if zeros_at(1) * 10 >= pairs * 9 {
            return Ok((Encoding::Utf16Le, None));
        }
        if zeros_at(0) * 10 >= pairs * 9 {
            return Ok((Encoding::Utf16Be, None));
        }
    }
    if let Some(offset) = evidence.zero_at {
        return Err(DetectError::Binary { offset });
    }
    if !evidence.not_utf8 {
        return Ok((Encoding::Utf8, None));
    }
    // One byte a character. Windows-1252 puts letters and signs (€ ’ œ …) at 0x80–0x9F, where
    // ISO-8859-15 has invisible control codes; ISO-8859-15 puts € Š š Ž ž Œ œ Ÿ at eight places
    // where Windows-1252 has ¤ ¦ ¨ ´ ¸ ¼ ½ ¾, which French exports hardly ever contain.
    Ok(match (evidence.cp1252_letters, evidence.latin9_letters) {
        (false, true) => (Encoding::Iso8859_15, None),
        (true, true) => (
            Encoding::Windows1252,
            Some(Ambiguity::Encoding {
                chosen: Encoding::Windows1252,
                other: Encoding::Iso8859_15,
            }),
        ),
        // Either the file has Windows-1252's own letters, or only bytes both read alike.
        _ => (Encoding::Windows1252, None),
    })
}

/// Reads `raw` as UTF-8 text: as it is when it is UTF-8, decoded otherwise. Invalid sequences
/// read as U+FFFD.
fn utf8_reader<'a>(
    encoding: Encoding,
    raw: Box<dyn Read + Send + 'a>,
) -> Box<dyn Read + Send + 'a> {
    let with = match encoding {
        Encoding::Utf8 => return raw,
        Encoding::Utf8Bom => UTF_8,
        Encoding::Utf16Le => UTF_16LE,
        Encoding::Utf16Be => UTF_16BE,
        Encoding::Windows1252 => WINDOWS_1252,
        Encoding::Iso8859_15 => ISO_8859_15,
    };
    Box::new(
        DecodeReaderBytesBuilder::new()
            .encoding(Some(with))
            // A mark, where there is one, is not text.
            .bom_override(true)
            .build(raw),
    )
}

/// The first whole lines of the file's text, up to [`SAMPLE_BYTES`].
fn sample_text(input: &Input, encoding: Encoding) -> io::Result<String> {
    let mut bytes = Vec::new();
    let read = utf8_reader(encoding, input.open()?)
        .take(SAMPLE_BYTES)
        .read_to_end(&mut bytes)?;
    if read as u64 == SAMPLE_BYTES {
        // The file goes on: the last line may be cut.
        if let Some(end) = memchr::memrchr2(b'\n', b'\r', &bytes) {
            bytes.truncate(end + 1);
        }
    }
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

fn count_line_endings(bytes: &[u8]) -> (usize, usize, usize) {
    let crlf = memchr::memmem::find_iter(bytes, b"\r\n").count();
    (
        memchr::memchr_iter(b'\n', bytes).count() - crlf,
        crlf,
        memchr::memchr_iter(b'\r', bytes).count() - crlf,
    )
}

/// The line ending most lines use, and an ambiguity when several are used. Line breaks inside
/// quotes count too: they are rare enough not to sway the majority.
fn line_ending(lf: usize, crlf: usize, cr: usize) -> (LineEnding, Option<Ambiguity>) {
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
    // Headers are mostly distinct; a translation may still name two columns alike (pretix's
    // French export has two "Nom du siège").
    let repeated = first
        .iter()
        .enumerate()
        .filter(|&(i, f)| first[..i].contains(f))
        .count();
    let distinct = repeated * 10 <= first.len();
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
