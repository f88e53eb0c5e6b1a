//! A [`Document`] as an A4 PDF, laid out in-process by typst used as a library: the document
//! is written as typst markup (every text as a string literal, so nothing in a show's title
//! can be read as markup), the charts are the same SVG as the dashboard's and the HTML
//! report's, and the fonts are embedded (Libertinus Serif for reading, from typst's assets;
//! DejaVu Sans Condensed for figures, titles and charts). Nothing is fetched: no package, no
//! system font.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::document::{Block, Document, Figure, KeyFigure, Span};

/// A rendered report: the PDF's bytes and how many pages typst laid out.
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
    /// What typst warned about (a font it did not find, say): none expected.
    pub warnings: Vec<String>,
}

/// The report could not be laid out: typst's messages. A bug of ours, never the data's: every
/// text goes in as a string literal.
#[derive(Debug, thiserror::Error)]
#[error("the report could not be laid out as PDF: {0}")]
pub struct PdfError(String);

/// The fonts every report embeds, loaded once.
fn fonts() -> &'static (LazyHash<FontBook>, Vec<Font>) {
    static FONTS: OnceLock<(LazyHash<FontBook>, Vec<Font>)> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .filter(|f| f.info().family.starts_with("Libertinus Serif"))
            .collect();
        for data in [
            dejavu::sans_condensed::regular(),
            dejavu::sans_condensed::bold(),
            dejavu::sans_condensed::oblique(),
        ] {
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

/// What typst sees: the report's markup and its charts, nothing else.
struct ReportWorld {
    main: Source,
    charts: HashMap<FileId, Bytes>,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.charts
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().as_rootless_path().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().1.get(index).cloned()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        // The report's date is in its text; typst's clock is not used.
        None
    }
}

/// A text as a typst string literal, inserted in markup as text.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    out.push_str("#\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The same, as a typst value inside code (no leading `#`).
fn value(text: &str) -> String {
    literal(text)[1..].to_owned()
}

const PREAMBLE: &str = r##"
#let accent = rgb("#0072b2")
#let muted = rgb("#555555")
#let up = rgb("#00704a")
#let down = rgb("#b34700")
// DejaVu Sans Condensed: the family DejaVu Sans, narrower.
#let sans = arguments(font: "DejaVu Sans", stretch: 87.5%)
#set page(paper: "a4", margin: (x: 18mm, top: 18mm, bottom: 20mm))
#set text(font: "Libertinus Serif", size: 10.5pt, fill: rgb("#1a1a1a"))
#set par(justify: true, leading: 0.62em, spacing: 0.9em)
#show heading: set text(..sans)
#show heading.where(level: 1): it => {
  pagebreak(weak: true)
  block(width: 100%, below: 12pt, stroke: (bottom: 1.5pt + accent), inset: (bottom: 5pt),
    text(size: 17pt, weight: "bold", it.body))
}
#let keyfigure(name, value, change: none, before: none, tone: muted) = block(
  width: 100%, stroke: (top: 2pt + accent), inset: (top: 5pt, bottom: 4pt),
  text(..sans)[
    #text(size: 8pt, fill: muted, name) \
    #text(size: 15pt, weight: "bold", value)
    #if change != none [ \ #text(size: 8pt, fill: tone, change) #text(size: 8pt, fill: muted)[(#before)]]
  ])
#let chart(title, file, note: none, width: 100%) = block(breakable: false, above: 14pt, below: 10pt, width: 100%)[
  #text(..sans, size: 9.5pt, weight: "bold", title)
  #v(2pt)
  #text(..sans, image(file, width: width))
  #if note != none { v(-2pt); text(..sans, size: 7.5pt, fill: muted, note) }
]
#let note(body) = block(above: 8pt, text(..sans, size: 8pt, fill: muted, body))
"##;

/// The typst markup of a document, and its charts by file name.
fn markup(doc: &Document) -> (String, Vec<(String, String)>) {
    let mut out = String::from(PREAMBLE);
    let lang = doc.lang.code();
    let _ = writeln!(
        out,
        "#set document(title: {}, author: \"Jauge\")\n#set text(lang: \"{lang}\")",
        value(&format!("{} — {}", doc.title, doc.venue))
    );
    let _ = writeln!(
        out,
        "#set page(footer: context {{ set text(..sans, size: 7.5pt, fill: muted); {} ; h(1fr); counter(page).display() }})",
        value(&format!("{} · {}", doc.venue, doc.title))
    );
    // The cover: no footer.
    let _ = writeln!(
        out,
        r#"#page(footer: none)[
  #v(1fr)
  #block(stroke: (left: 5pt + accent), inset: (left: 16pt, y: 6pt))[
    #text(..sans, size: 12pt, fill: muted, tracking: 0.08em, upper({venue}))
    #v(4pt)
    #text(..sans, size: 30pt, weight: "bold", {title})
    #v(6pt)
    #text(..sans, size: 10pt, fill: muted, {stands})
  ]
  #v(2fr)
  #text(..sans, size: 8pt, fill: muted, {made})
]"#,
        venue = value(&doc.venue),
        title = value(&doc.title),
        stands = value(&doc.stands_on),
        made = value(doc.lang.pick(
            "Rapport produit par Jauge à partir des données de billetterie du lieu.",
            "Report made by Jauge from the venue's ticketing data."
        )),
    );
    let mut charts = Vec::new();
    for section in &doc.sections {
        let _ = writeln!(out, "\n= {}\n", literal(&section.title));
        for block in &section.blocks {
            block_markup(block, &mut out, &mut charts);
        }
    }
    (out, charts)
}

fn spans_markup(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(t) => literal(t),
            Span::Figure(f) => literal(&f.shown),
        })
        .collect()
}

/// Up or down as the change is shown (a change that rounds to nothing is neither).
fn tone(change: &Figure) -> &'static str {
    if change.shown.starts_with('+') {
        "up"
    } else if change.shown.starts_with('\u{2212}') {
        "down"
    } else {
        "muted"
    }
}

fn key_markup(k: &KeyFigure) -> String {
    match &k.before {
        Some((before, change)) => format!(
            "keyfigure({}, {}, change: {}, before: {}, tone: {})",
            value(&k.name),
            value(&k.figure.shown),
            value(&change.shown),
            value(&before.shown),
            tone(change)
        ),
        None => format!("keyfigure({}, {})", value(&k.name), value(&k.figure.shown)),
    }
}

fn block_markup(block: &Block, out: &mut String, charts: &mut Vec<(String, String)>) {
    match block {
        Block::Paragraph(spans) => {
            let _ = writeln!(out, "{}\n", spans_markup(spans));
        }
        Block::KeyFigures(keys) => {
            let cells: Vec<String> = keys.iter().map(key_markup).collect();
            let _ = writeln!(
                out,
                "#grid(columns: (1fr, 1fr, 1fr, 1fr), column-gutter: 10pt, row-gutter: 10pt, {})\n",
                cells.join(", ")
            );
        }
        Block::Chart(chart) => {
            let file = format!("chart-{}.svg", charts.len());
            let note = chart.note.as_deref().map_or("none".to_owned(), value);
            let _ = writeln!(
                out,
                "#chart({}, \"{file}\", note: {note})\n",
                value(&chart.title)
            );
            charts.push((file, chart.svg.clone()));
        }
        Block::Table(table) => {
            let numeric = table.numeric_columns();
            let columns: Vec<&str> = numeric
                .iter()
                .enumerate()
                .map(|(i, _)| if i == 0 { "1fr" } else { "auto" })
                .collect();
            let align: Vec<&str> = numeric
                .iter()
                .map(|&n| if n { "right" } else { "left" })
                .collect();
            let _ = writeln!(
                out,
                "#block(breakable: false, above: 14pt)[#text(..sans, size: 9.5pt, weight: \"bold\", {caption})\n#text(..sans, size: 8.5pt, table(columns: ({columns},), align: ({align},), stroke: none, inset: (x: 4pt, y: 3.5pt),",
                caption = value(&table.caption),
                columns = columns.join(", "),
                align = align.join(", "),
            );
            let header: Vec<String> = table
                .header
                .iter()
                .map(|h| format!("text(weight: \"bold\", {})", value(h)))
                .collect();
            let _ = writeln!(
                out,
                "  table.hline(stroke: 0.8pt), table.header({}), table.hline(stroke: 0.5pt),",
                header.join(", ")
            );
            for row in &table.rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|cell| {
                        let text = match cell {
                            Span::Text(t) => t.as_str(),
                            Span::Figure(f) => f.shown.as_str(),
                        };
                        format!("[{}]", literal(text))
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "  {}, table.hline(stroke: 0.3pt + luma(200)),",
                    cells.join(", ")
                );
            }
            out.push_str("))]\n\n");
        }
        Block::Definitions(terms) => {
            for (term, text) in terms {
                let _ = writeln!(
                    out,
                    "#block(above: 7pt, below: 7pt)[#text(..sans, size: 9pt, weight: \"bold\", {}) \\ {}]\n",
                    value(term),
                    literal(text)
                );
            }
        }
        Block::Note(text) => {
            let _ = writeln!(out, "#note({})\n", value(text));
        }
        Block::SideBySide(blocks) => {
            let _ = writeln!(
                out,
                "#grid(columns: ({}), column-gutter: 16pt,",
                vec!["1fr"; blocks.len()].join(", ")
            );
            for block in blocks {
                out.push_str("[\n");
                block_markup(block, out, charts);
                out.push_str("],\n");
            }
            out.push_str(")\n\n");
        }
    }
}

/// Lays the document out and writes it as PDF.
pub fn render(doc: &Document) -> Result<Pdf, PdfError> {
    let (text, charts) = markup(doc);
    let main = Source::new(
        FileId::new(None, VirtualPath::new("report.typ")),
        text.clone(),
    );
    let world = ReportWorld {
        main,
        charts: charts
            .into_iter()
            .map(|(name, svg)| {
                (
                    FileId::new(None, VirtualPath::new(&name)),
                    Bytes::from_string(svg),
                )
            })
            .collect(),
    };
    let messages = |errors: &[SourceDiagnostic]| {
        errors
            .iter()
            .map(|e| e.message.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let compiled = typst::compile::<PagedDocument>(&world);
    let warnings = compiled
        .warnings
        .iter()
        .map(|w| w.message.to_string())
        .collect();
    let laid_out = compiled.output.map_err(|e| PdfError(messages(&e)))?;
    let bytes = typst_pdf::pdf(&laid_out, &typst_pdf::PdfOptions::default())
        .map_err(|e| PdfError(messages(&e)))?;
    Ok(Pdf {
        bytes,
        pages: laid_out.pages.len(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_text_goes_in_as_a_literal() {
        assert_eq!(
            literal(r#"« Le "Cid" » \ #set"#),
            r#"#"« Le \"Cid\" » \\ #set""#
        );
        assert_eq!(value("a"), "\"a\"");
    }
}
