//! A [`Document`] as one self-contained HTML file: styles inline, charts as inline SVG, no
//! script, no font or image fetched from anywhere. It prints on A4, a section a page.

use std::fmt::Write;

use crate::chart::escape;
use crate::document::{Block, Document, Figure, KeyFigure, Span};

/// The report's styles: the dashboard's colours, a serif for reading, figures in a sans.
const STYLE: &str = r#"
:root { --ink: #1a1a1a; --muted: #555; --accent: #0072b2; --up: #00704a; --down: #b34700; --rule: #d9d9d9; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 52rem; padding: 2rem 1.5rem 4rem; color: var(--ink);
  font: 11.5pt/1.55 "Libertinus Serif", Georgia, "Times New Roman", serif; }
h1, h2, h3, .keys, table, figcaption, .stands, .venue, .note, dt { font-family: "DejaVu Sans Condensed", "Helvetica Neue", Arial, sans-serif; }
.cover { min-height: 40vh; display: flex; flex-direction: column; justify-content: center; border-left: 6px solid var(--accent); padding-left: 1.5rem; margin-bottom: 3rem; }
.venue { font-size: 1.1rem; color: var(--muted); margin: 0; text-transform: uppercase; letter-spacing: .08em; }
h1 { font-size: 2.4rem; line-height: 1.15; margin: .4rem 0 1rem; }
.stands { color: var(--muted); margin: 0; }
h2 { font-size: 1.45rem; border-bottom: 2px solid var(--accent); padding-bottom: .25rem; margin-top: 3rem; }
h3 { font-size: 1rem; margin: 1.6rem 0 .4rem; }
p { margin: .6rem 0; hyphens: auto; }
.keys { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .8rem; margin: 1rem 0; padding: 0; }
.keys div { border-top: 3px solid var(--accent); padding: .4rem 0; }
.keys dt { font-size: .8rem; color: var(--muted); }
.keys dd { margin: 0; }
.keys .value { font-size: 1.55rem; font-weight: bold; }
.keys .change { font-size: .8rem; color: var(--muted); }
.keys .up { color: var(--up); } .keys .down { color: var(--down); }
.side { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1.5rem; align-items: start; }
figure { margin: 1rem 0; break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; }
figcaption, .note { font-size: .8rem; color: var(--muted); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; margin: 1rem 0; break-inside: avoid; }
caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
th, td { padding: .25rem .5rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
th { border-bottom: 2px solid var(--ink); }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
dl.definitions dt { font-weight: bold; margin-top: .6rem; }
dl.definitions dd { margin: 0; }
@page { size: A4; margin: 18mm 16mm; }
@media print { body { max-width: none; padding: 0; } section { break-before: page; } .cover { min-height: 80vh; } }
"#;

/// The whole report as HTML.
pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} — {venue}</title><style>{STYLE}</style></head><body>"#,
        lang = doc.lang.code(),
        title = escape(&doc.title),
        venue = escape(&doc.venue),
    );
    let _ = write!(
        out,
        r#"<header class="cover"><p class="venue">{}</p><h1>{}</h1><p class="stands">{}</p></header><main>"#,
        escape(&doc.venue),
        escape(&doc.title),
        escape(&doc.stands_on)
    );
    for section in &doc.sections {
        let _ = write!(out, "<section><h2>{}</h2>", escape(&section.title));
        for block in &section.blocks {
            block_html(block, &mut out);
        }
        out.push_str("</section>");
    }
    out.push_str("</main></body></html>\n");
    out
}

fn spans_html(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(t) => escape(t),
            Span::Figure(f) => escape(&f.shown),
        })
        .collect()
}

/// Up or down as the change is shown (a change that rounds to nothing is neither).
fn change_class(change: &Figure) -> &'static str {
    if change.shown.starts_with('+') {
        "change up"
    } else if change.shown.starts_with('\u{2212}') {
        "change down"
    } else {
        "change"
    }
}

fn key_html(k: &KeyFigure, out: &mut String) {
    let _ = write!(
        out,
        r#"<div><dt>{}</dt><dd class="value">{}</dd>"#,
        escape(&k.name),
        escape(&k.figure.shown)
    );
    if let Some((before, change)) = &k.before {
        let _ = write!(
            out,
            r#"<dd class="{}">{} <span>({})</span></dd>"#,
            change_class(change),
            escape(&change.shown),
            escape(&before.shown)
        );
    }
    out.push_str("</div>");
}

fn block_html(block: &Block, out: &mut String) {
    match block {
        Block::Paragraph(spans) => {
            let _ = write!(out, "<p>{}</p>", spans_html(spans));
        }
        Block::KeyFigures(keys) => {
            out.push_str(r#"<dl class="keys">"#);
            for k in keys {
                key_html(k, out);
            }
            out.push_str("</dl>");
        }
        Block::Chart(chart) => {
            let _ = write!(
                out,
                "<figure><h3>{}</h3>{}",
                escape(&chart.title),
                chart.svg
            );
            if let Some(note) = &chart.note {
                let _ = write!(out, "<figcaption>{}</figcaption>", escape(note));
            }
            out.push_str("</figure>");
        }
        Block::Table(table) => {
            let numeric = table.numeric_columns();
            let class = |i: usize| {
                if numeric.get(i).copied().unwrap_or(false) {
                    r#" class="number""#
                } else {
                    ""
                }
            };
            // Wide tables scroll sideways on a phone rather than widen the page.
            let _ = write!(
                out,
                r#"<div class="scroll"><table><caption>{}</caption><thead><tr>"#,
                escape(&table.caption)
            );
            for (i, h) in table.header.iter().enumerate() {
                let _ = write!(out, r#"<th scope="col"{}>{}</th>"#, class(i), escape(h));
            }
            out.push_str("</tr></thead><tbody>");
            for row in &table.rows {
                out.push_str("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    let _ = write!(
                        out,
                        "<td{}>{}</td>",
                        class(i),
                        spans_html(std::slice::from_ref(cell))
                    );
                }
                out.push_str("</tr>");
            }
            out.push_str("</tbody></table></div>");
        }
        Block::Definitions(terms) => {
            out.push_str(r#"<dl class="definitions">"#);
            for (term, text) in terms {
                let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(text));
            }
            out.push_str("</dl>");
        }
        Block::Note(text) => {
            let _ = write!(out, r#"<p class="note">{}</p>"#, escape(text));
        }
        Block::SideBySide(blocks) => {
            out.push_str(r#"<div class="side">"#);
            for block in blocks {
                out.push_str("<div>");
                block_html(block, out);
                out.push_str("</div>");
            }
            out.push_str("</div>");
        }
    }
}
