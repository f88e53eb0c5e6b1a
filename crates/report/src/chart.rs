//! Charts as SVG, drawn here rather than in the browser: they print, they download, and they
//! need no JavaScript. Each chart carries a title and a text for screen readers, and each mark
//! its value.

use std::fmt::Write;

/// Text made safe inside XML and HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One bar: its label, its value (its length), and the value as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

/// Height of one bar's row, and the width of the labels' column, in SVG units.
const ROW: f64 = 22.0;
const LABELS: f64 = 230.0;
const WIDTH: f64 = 640.0;

/// Horizontal bars, longest for `full` (a fill rate's 100 %, say; the longest bar when `None`).
pub fn bars(title: &str, bars: &[Bar], full: Option<f64>) -> String {
    let top = full
        .unwrap_or_else(|| bars.iter().map(|b| b.value).fold(0.0, f64::max))
        .max(f64::MIN_POSITIVE);
    let height = ROW * bars.len() as f64 + 8.0;
    let plot = WIDTH - LABELS - 70.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="t"><title id="t">{}</title>"#,
        escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let length = (b.value.max(0.0) / top).min(1.0) * plot;
        let _ = write!(
            svg,
            r##"<g><title>{label} : {shown}</title><text x="{lx}" y="{ty}" text-anchor="end" font-size="12" fill="#1a1a1a">{label}</text><rect x="{LABELS}" y="{y}" width="{length:.1}" height="{h}" fill="#1f5f8b"/><text x="{vx:.1}" y="{ty}" font-size="12" fill="#1a1a1a">{shown}</text></g>"##,
            label = escape(&b.label),
            shown = escape(&b.shown),
            lx = LABELS - 6.0,
            ty = y + 14.0,
            h = ROW - 6.0,
            vx = LABELS + length + 4.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_as_long_as_their_values_and_their_text_is_escaped() {
        let svg = bars(
            "Taux de remplissage <par séance>",
            &[
                Bar {
                    label: "Roméo & Juliette".into(),
                    value: 0.5,
                    shown: "50 %".into(),
                },
                Bar {
                    label: "Full".into(),
                    value: 1.2,
                    shown: "120 %".into(),
                },
            ],
            Some(1.0),
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Roméo &amp; Juliette"));
        assert!(svg.contains("&lt;par séance&gt;"));
        assert!(
            svg.contains(r#"width="170.0""#),
            "half of the 340 units: {svg}"
        );
        assert!(svg.contains(r#"width="340.0""#), "never past full: {svg}");
        assert_eq!(svg.matches("<rect").count(), 2);
    }
}
