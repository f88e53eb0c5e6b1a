//! A page as its figures make it: sections of text, tables and charts. The same value renders
//! as HTML, and gives each of its tables as CSV and each of its charts as SVG, so every table
//! and every chart downloads as what the page shows.

use std::fmt::Write;

use jauge_model::{Cents, Lang};
use jauge_report::chart::escape;
use jauge_report::format;

/// A page: its title, where it lives, its opening (heading, navigation) and its sections.
pub struct Page {
    pub title: String,
    pub path: &'static str,
    /// The page's query beyond the language (`saison=2025-2026`, `id=12`), already escaped.
    pub query: String,
    /// HTML before the sections.
    pub intro: String,
    pub sections: Vec<Section>,
    /// A warning above everything (a declaration due), in plain text.
    pub notice: Option<String>,
}

/// A section of a page, with its heading.
pub struct Section {
    pub id: &'static str,
    pub heading: String,
    pub parts: Vec<Part>,
}

pub enum Part {
    /// HTML, already escaped.
    Html(String),
    Table(Table),
    Chart(Chart),
}

/// A chart, as SVG; `id` names it in its download's address.
pub struct Chart {
    pub id: &'static str,
    pub svg: String,
}

/// A table; `id` names it in its download's address.
pub struct Table {
    pub id: &'static str,
    pub caption: Option<String>,
    /// The key figures' style: values right-aligned, no column of labels stretched.
    pub figures: bool,
    pub head: Vec<String>,
    pub rows: Vec<Row>,
}

/// A table's row; `id`, when given, lets a link point at it.
pub struct Row {
    pub id: Option<&'static str>,
    pub cells: Vec<Cell>,
}

impl From<Vec<Cell>> for Row {
    fn from(cells: Vec<Cell>) -> Row {
        Row { id: None, cells }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The row's label.
    Head,
    Text,
    Number,
}

/// A table's cell: what the page shows, and what the CSV holds — a number a spreadsheet reads
/// (no thousands separator, no unit, the language's decimal mark), a date as yyyy-mm-dd.
#[derive(Debug, Clone)]
pub struct Cell {
    shown: String,
    value: String,
    kind: Kind,
    /// A link (address already escaped) and its title.
    link: Option<(String, Option<String>)>,
}

/// A number with `decimals` decimals and the language's decimal mark, without separators.
fn plain(value: f64, decimals: usize, lang: Lang) -> String {
    let text = format!("{value:.decimals$}");
    match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    }
}

impl Cell {
    fn new(shown: String, value: String, kind: Kind) -> Cell {
        Cell {
            shown,
            value,
            kind,
            link: None,
        }
    }

    /// A row's label.
    pub fn head(text: impl Into<String>) -> Cell {
        let text = text.into();
        Cell::new(text.clone(), text, Kind::Head)
    }

    pub fn text(text: impl Into<String>) -> Cell {
        let text = text.into();
        Cell::new(text.clone(), text, Kind::Text)
    }

    pub fn count(n: u64, lang: Lang) -> Cell {
        Cell::new(format::count(n, lang), n.to_string(), Kind::Number)
    }

    pub fn money(amount: Cents, lang: Lang) -> Cell {
        Cell::new(
            format::money(amount, lang),
            plain(amount.get() as f64 / 100.0, 2, lang),
            Kind::Number,
        )
    }

    /// An amount in cents that may not be known.
    pub fn money_f64(cents: Option<f64>, lang: Lang) -> Cell {
        Cell::new(
            format::optional(cents, lang, format::money_f64),
            cents.map_or(String::new(), |c| plain(c / 100.0, 2, lang)),
            Kind::Number,
        )
    }

    /// A share, shown as a percentage; the CSV holds the ratio (0 to 1).
    pub fn percent(share: Option<f64>, lang: Lang) -> Cell {
        Cell::new(
            format::optional(share, lang, format::percent),
            share.map_or(String::new(), |s| plain(s, 4, lang)),
            Kind::Number,
        )
    }

    pub fn decimal(value: Option<f64>, lang: Lang) -> Cell {
        Cell::new(
            format::optional(value, lang, format::decimal),
            value.map_or(String::new(), |v| plain(v, 2, lang)),
            Kind::Number,
        )
    }

    pub fn date(day: chrono::NaiveDate, lang: Lang) -> Cell {
        Cell::new(
            format::date(day, lang),
            day.format("%Y-%m-%d").to_string(),
            Kind::Text,
        )
    }

    pub fn date_time(at: chrono::NaiveDateTime, lang: Lang) -> Cell {
        Cell::new(
            format::date_time(at, lang),
            at.format("%Y-%m-%d %H:%M").to_string(),
            Kind::Text,
        )
    }

    /// A figure that may not be shown, and why, in words: on the page and in the CSV alike.
    pub fn withheld(why: impl Into<String>) -> Cell {
        let why = why.into();
        Cell::new(why.clone(), why, Kind::Text)
    }

    /// Nothing known: a dash on the page, an empty CSV cell.
    pub fn none() -> Cell {
        Cell::new("—".to_owned(), String::new(), Kind::Number)
    }

    /// The cell as a link to `href` (already escaped), with `title` on hover.
    pub fn linked(mut self, href: String, title: Option<&str>) -> Cell {
        self.link = Some((href, title.map(escape)));
        self
    }

    fn html(&self, out: &mut String) {
        let (open, close) = match self.kind {
            Kind::Head => (r#"<th scope="row">"#, "</th>"),
            Kind::Text => ("<td>", "</td>"),
            Kind::Number => (r#"<td class="number">"#, "</td>"),
        };
        out.push_str(open);
        match &self.link {
            Some((href, title)) => {
                let title = title
                    .as_ref()
                    .map_or(String::new(), |t| format!(r#" title="{t}""#));
                let _ = write!(
                    out,
                    r#"<a href="{href}"{title}>{}</a>"#,
                    escape(&self.shown)
                );
            }
            None => out.push_str(&escape(&self.shown)),
        }
        out.push_str(close);
    }
}

fn fr(lang: Lang) -> bool {
    lang == Lang::Fr
}

/// A link to `path` in `lang`, with `query` (already escaped) if any.
pub fn href(path: &str, lang: Lang, query: &str) -> String {
    let mut parts = Vec::new();
    if lang == Lang::En {
        parts.push("lang=en".to_owned());
    }
    if !query.is_empty() {
        parts.push(query.to_owned());
    }
    if parts.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", parts.join("&amp;"))
    }
}

/// `query` and `more`, joined (both already escaped).
fn and(query: &str, more: &str) -> String {
    if query.is_empty() {
        more.to_owned()
    } else {
        format!("{query}&amp;{more}")
    }
}

impl Page {
    /// The page's body: its opening, then each section with its tables and charts, each with
    /// a link to download it.
    pub fn body(&self, lang: Lang) -> String {
        let mut body = String::new();
        if let Some(notice) = &self.notice {
            let _ = write!(
                body,
                r#"<p class="notice" role="status">{}</p>"#,
                escape(notice)
            );
        }
        body.push_str(&self.intro);
        for section in &self.sections {
            let _ = write!(
                body,
                r#"<section aria-labelledby="{id}"><h2 id="{id}">{}</h2>"#,
                escape(&section.heading),
                id = section.id
            );
            for part in &section.parts {
                match part {
                    Part::Html(html) => body.push_str(html),
                    Part::Chart(chart) => {
                        let _ = write!(
                            body,
                            r#"<figure>{}<figcaption><a href="{}" download>{}</a></figcaption></figure>"#,
                            chart.svg,
                            href(
                                &format!("{}.svg", self.path),
                                lang,
                                &and(&self.query, &format!("graphique={}", chart.id))
                            ),
                            if fr(lang) {
                                "Télécharger le graphique (SVG)"
                            } else {
                                "Download the chart (SVG)"
                            }
                        );
                    }
                    Part::Table(table) => {
                        table.html(&mut body);
                        let _ = write!(
                            body,
                            r#"<p class="download"><a href="{}" download>{}</a></p>"#,
                            href(
                                &format!("{}.csv", self.path),
                                lang,
                                &and(&self.query, &format!("tableau={}", table.id))
                            ),
                            if fr(lang) {
                                "Télécharger le tableau (CSV)"
                            } else {
                                "Download the table (CSV)"
                            }
                        );
                    }
                }
            }
            body.push_str("</section>");
        }
        body
    }

    fn parts(&self) -> impl Iterator<Item = &Part> {
        self.sections.iter().flat_map(|s| &s.parts)
    }

    /// The table named `id`, as CSV in the page's language: `;` and decimal commas in French,
    /// as French spreadsheets expect; `,` and decimal points in English.
    pub fn csv(&self, id: &str, lang: Lang) -> Option<String> {
        let table = self.parts().find_map(|p| match p {
            Part::Table(t) if t.id == id => Some(t),
            _ => None,
        })?;
        let sep = if fr(lang) { ";" } else { "," };
        let quote = |cell: &str| {
            if cell.contains(sep) || cell.contains('"') || cell.contains('\n') {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell.to_owned()
            }
        };
        let mut out = String::new();
        let line = |cells: Vec<String>, out: &mut String| {
            out.push_str(&cells.join(sep));
            out.push('\n');
        };
        line(table.head.iter().map(|h| quote(h)).collect(), &mut out);
        for row in &table.rows {
            line(
                row.cells.iter().map(|c| quote(&c.value)).collect(),
                &mut out,
            );
        }
        Some(out)
    }

    /// The chart named `id`, as SVG.
    pub fn svg(&self, id: &str) -> Option<&str> {
        self.parts().find_map(|p| match p {
            Part::Chart(c) if c.id == id => Some(c.svg.as_str()),
            _ => None,
        })
    }
}

impl Table {
    fn html(&self, out: &mut String) {
        let _ = write!(
            out,
            r#"<table id="tableau-{}"{}>"#,
            self.id,
            if self.figures {
                r#" class="figures""#
            } else {
                ""
            }
        );
        if let Some(caption) = &self.caption {
            let _ = write!(out, "<caption>{}</caption>", escape(caption));
        }
        out.push_str("<thead><tr>");
        for h in &self.head {
            let _ = write!(out, r#"<th scope="col">{}</th>"#, escape(h));
        }
        out.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            match row.id {
                Some(id) => {
                    let _ = write!(out, r#"<tr id="{id}">"#);
                }
                None => out.push_str("<tr>"),
            }
            for cell in &row.cells {
                cell.html(out);
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Page {
        Page {
            title: "Essai".to_owned(),
            path: "/essai",
            query: "saison=2025-2026".to_owned(),
            intro: "<h1>Essai</h1>".to_owned(),
            notice: None,
            sections: vec![Section {
                id: "une",
                heading: "Une section".to_owned(),
                parts: vec![
                    Part::Table(Table {
                        id: "chiffres",
                        caption: None,
                        figures: false,
                        head: vec!["Spectacle".to_owned(), "Recette".to_owned()],
                        rows: vec![
                            vec![
                                Cell::head("Ondine; la suite"),
                                Cell::money(Cents::new(1_234_550), Lang::Fr),
                            ]
                            .into(),
                            vec![Cell::head("<Zoé>"), Cell::percent(Some(0.5), Lang::Fr)].into(),
                        ],
                    }),
                    Part::Chart(Chart {
                        id: "barres",
                        svg: "<svg></svg>".to_owned(),
                    }),
                ],
            }],
        }
    }

    #[test]
    fn a_table_downloads_as_the_numbers_a_spreadsheet_reads() {
        let csv = page().csv("chiffres", Lang::Fr).unwrap();
        assert_eq!(
            csv,
            "Spectacle;Recette\n\"Ondine; la suite\";12345,50\n<Zoé>;0,5000\n"
        );
        assert!(page().csv("autre", Lang::Fr).is_none());
    }

    #[test]
    fn every_table_and_chart_links_to_its_download_and_text_is_escaped() {
        let body = page().body(Lang::En);
        assert!(
            body.contains(r#"href="/essai.csv?lang=en&amp;saison=2025-2026&amp;tableau=chiffres""#)
        );
        assert!(
            body.contains(r#"href="/essai.svg?lang=en&amp;saison=2025-2026&amp;graphique=barres""#)
        );
        assert!(body.contains("&lt;Zoé&gt;") && !body.contains("<Zoé>"));
        assert!(body.contains("12\u{202f}345,50"));
        assert_eq!(page().svg("barres"), Some("<svg></svg>"));
    }
}
