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

/// A label cut to [`LABEL_CHARACTERS`], with an ellipsis.
fn cut(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARACTERS {
        return label.to_owned();
    }
    let kept: String = label.chars().take(LABEL_CHARACTERS - 1).collect();
    format!("{kept}…")
}

/// One bar: its label, its value (its length), and the value as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

/// The colours of marks, in order: Okabe and Ito's palette, which readers with any common
/// colour-vision deficiency tell apart; the first is every single-series chart's.
pub const PALETTE: [&str; 4] = ["#0072b2", "#d55e00", "#009e73", "#cc79a7"];

/// Height of one bar's row, the chart's width and the width of one character of a label, in
/// SVG units.
const ROW: f64 = 22.0;
const WIDTH: f64 = 760.0;
const CHARACTER: f64 = 6.6;
/// The longest label shown whole; longer ones are cut (their whole text is in the bar's title).
const LABEL_CHARACTERS: usize = 48;

/// Horizontal bars, longest for `full` (a fill rate's 100 %, say; the longest bar when `None`).
pub fn bars(title: &str, bars: &[Bar], full: Option<f64>) -> String {
    let top = full
        .unwrap_or_else(|| bars.iter().map(|b| b.value).fold(0.0, f64::max))
        .max(f64::MIN_POSITIVE);
    let height = ROW * bars.len() as f64 + 8.0;
    let longest = bars
        .iter()
        .map(|b| b.label.chars().count().min(LABEL_CHARACTERS))
        .max()
        .unwrap_or(0);
    #[allow(non_snake_case)]
    let LABELS = CHARACTER * longest as f64 + 12.0;
    // Room after the longest bar for its value.
    let values = bars
        .iter()
        .map(|b| b.shown.chars().count())
        .max()
        .unwrap_or(0) as f64
        * CHARACTER
        + 12.0;
    let plot = WIDTH - LABELS - values;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{title}"><title>{title}</title>"#,
        title = escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let length = (b.value.max(0.0) / top).min(1.0) * plot;
        let _ = write!(
            svg,
            r##"<g><title>{full_label} : {shown}</title><text x="{lx}" y="{ty}" text-anchor="end" font-size="12" fill="#1a1a1a">{label}</text><rect x="{LABELS}" y="{y}" width="{length:.1}" height="{h}" fill="{colour}"/><text x="{vx:.1}" y="{ty}" font-size="12" fill="#1a1a1a">{shown}</text></g>"##,
            label = escape(&cut(&b.label)),
            full_label = escape(&b.label),
            shown = escape(&b.shown),
            lx = LABELS - 6.0,
            ty = y + 14.0,
            h = ROW - 6.0,
            vx = LABELS + length + 4.0,
            colour = PALETTE[0],
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One line of a line chart: values in [0, 1] at evenly spaced points, left to right; points
/// whose value is not a number (NaN) are not drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
    /// Drawn dashed: a reference (a median, last season) rather than the figure itself.
    pub dashed: bool,
}

/// Lines over a shared horizontal axis whose ends are labelled `from` and `to`; the vertical
/// axis runs from 0 to 100 % (`full` labels its top).
pub fn lines(title: &str, series: &[Series], axis: (&str, &str), full: &str) -> String {
    lines_with_band(title, series, axis, full, None)
}

/// A forecast at the right end of a line chart: its value and its interval, in [0, 1], and
/// what to call it.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub low: f64,
    pub value: f64,
    pub high: f64,
    pub name: String,
}

/// [`lines`], with a forecast's interval drawn as a band at the right end.
pub fn lines_with_band(
    title: &str,
    series: &[Series],
    (from, to): (&str, &str),
    full: &str,
    band: Option<&Band>,
) -> String {
    let (left, top, width, height) = (72.0, 10.0, 540.0, 220.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" viewBox="0 0 640 {tall}" width="100%" role="img" aria-label="{title}"><title>{title}</title>"#,
        title = escape(title),
        // Room below the axis for the band's legend.
        tall = top + height + 30.0 + if band.is_some() { 18.0 } else { 0.0 },
    );
    let _ = write!(
        svg,
        r##"<g font-size="12" fill="#1a1a1a"><line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#666666"/><line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#666666"/><text x="{lx}" y="{ty}" text-anchor="end">{full}</text><text x="{lx}" y="{bottom}" text-anchor="end">0</text><text x="{left}" y="{below}">{from}</text><text x="{right}" y="{below}" text-anchor="end">{to}</text></g>"##,
        bottom = top + height,
        right = left + width,
        lx = left - 6.0,
        ty = top + 10.0,
        below = top + height + 18.0,
        full = escape(full),
        from = escape(from),
        to = escape(to),
    );
    // Each line is named at its end rather than in a legend; names that would overlap are
    // moved apart, the lower one below its line.
    let mut names: Vec<(f64, f64, &str, &str)> = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let steps = s.values.len().saturating_sub(1).max(1) as f64;
        let points: Vec<(f64, f64)> = s
            .values
            .iter()
            .enumerate()
            // A value that is not a number is a day not reached yet: the line stops before it.
            .filter(|(_, v)| v.is_finite())
            .map(|(j, v)| {
                (
                    left + width * j as f64 / steps,
                    top + height * (1.0 - v.clamp(0.0, 1.0)),
                )
            })
            .collect();
        let colour = PALETTE[i % PALETTE.len()];
        let dash = if s.dashed {
            r#" stroke-dasharray="6 4""#
        } else {
            ""
        };
        let drawn: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(
            svg,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{}"><title>{}</title></polyline>"#,
            drawn.join(" "),
            escape(&s.name)
        );
        if let Some(&(x, y)) = points.last() {
            names.push((x, y, colour, &s.name));
        }
    }
    names.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut last_baseline = f64::MIN;
    for (x, y, colour, name) in names {
        let mut baseline = (y - 7.0).max(top + 10.0);
        if baseline < last_baseline + 15.0 {
            baseline = (y + 17.0).max(last_baseline + 15.0);
        }
        last_baseline = baseline;
        let _ = write!(
            svg,
            r##"<text x="{x:.1}" y="{baseline:.1}" text-anchor="end" font-size="12" font-weight="bold" fill="{colour}" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>"##,
            escape(name)
        );
    }
    if let Some(b) = band {
        let y = |v: f64| top + height * (1.0 - v.clamp(0.0, 1.0));
        let x = left + width;
        let _ = write!(
            svg,
            r##"<g><title>{name}</title><rect x="{rx}" y="{ry:.1}" width="10" height="{rh:.1}" fill="{c}" fill-opacity="0.3" stroke="{c}"/><circle cx="{x}" cy="{cy:.1}" r="4" fill="{c}"/></g><g font-size="12"><rect x="{lx}" y="{ly}" width="24" height="10" fill="{c}" fill-opacity="0.3" stroke="{c}"/><text x="{tx}" y="{ty}" fill="#1a1a1a">{name}</text></g>"##,
            name = escape(&b.name),
            c = PALETTE[1],
            rx = x - 5.0,
            ry = y(b.high),
            rh = (y(b.low) - y(b.high)).max(1.0),
            cy = y(b.value),
            lx = left + 10.0,
            ly = top + height + 31.0,
            tx = left + 40.0,
            ty = top + height + 40.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One row of a [`spreads`] chart: a figure of a venue beside its peers'.
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    pub label: String,
    /// The peers' first quartile, median and third quartile; or, when they may not be shown,
    /// why (written in their place).
    pub peers: Result<[f64; 3], String>,
    /// The venue's own value, if it has one.
    pub own: Option<f64>,
    /// The row's values in words (the venue's, the peers'), for its title.
    pub shown: String,
}

/// What a [`spreads`] chart's marks are called, for its legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpreadLegend<'a> {
    /// The box from the first to the third quartile.
    pub middle_half: &'a str,
    pub median: &'a str,
    pub own: &'a str,
}

/// Rows on one scale, from 0 to `full` (labelled `full_shown`; longer values reach its end):
/// in each, the peers' middle half as a box with their median across it, and the venue's own
/// value as a dot. A row whose peers may not be shown says why instead.
pub fn spreads(
    title: &str,
    rows: &[Spread],
    full: f64,
    full_shown: &str,
    legend: SpreadLegend,
) -> String {
    let full = full.max(f64::MIN_POSITIVE);
    let longest = rows
        .iter()
        .map(|r| r.label.chars().count().min(LABEL_CHARACTERS))
        .max()
        .unwrap_or(0);
    let labels = CHARACTER * longest as f64 + 12.0;
    let plot = WIDTH - labels - 16.0;
    let x = |v: f64| labels + (v.max(0.0) / full).min(1.0) * plot;
    let axis = 4.0 + ROW * rows.len() as f64;
    let height = axis + 44.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{title}"><title>{title}</title><g font-size="12" fill="#444444"><line x1="{labels}" y1="{axis}" x2="{right}" y2="{axis}" stroke="#767676"/><text x="{labels}" y="{ty}">0</text><text x="{right}" y="{ty}" text-anchor="end">{full_shown}</text></g>"##,
        title = escape(title),
        right = labels + plot,
        ty = axis + 14.0,
        full_shown = escape(full_shown),
    );
    for (i, r) in rows.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let middle = y + (ROW - 6.0) / 2.0;
        let _ = write!(
            svg,
            r##"<g><title>{full_label} : {shown}</title><text x="{lx}" y="{ty}" text-anchor="end" font-size="12" fill="#1a1a1a">{label}</text><line x1="{labels}" y1="{middle}" x2="{right}" y2="{middle}" stroke="#cccccc"/>"##,
            full_label = escape(&r.label),
            shown = escape(&r.shown),
            label = escape(&cut(&r.label)),
            lx = labels - 6.0,
            ty = y + 14.0,
            right = labels + plot,
        );
        match &r.peers {
            Ok([q1, median, q3]) => {
                let _ = write!(
                    svg,
                    r##"<rect x="{:.1}" y="{y}" width="{:.1}" height="{h}" fill="{c}" fill-opacity="0.3" stroke="{c}"/><line x1="{m:.1}" y1="{y}" x2="{m:.1}" y2="{bottom}" stroke="#1a1a1a" stroke-width="2"/>"##,
                    x(*q1),
                    (x(*q3) - x(*q1)).max(1.0),
                    h = ROW - 6.0,
                    bottom = y + ROW - 6.0,
                    m = x(*median),
                    c = PALETTE[0],
                );
            }
            Err(why) => {
                let _ = write!(
                    svg,
                    r##"<text x="{:.1}" y="{ty}" font-size="12" font-style="italic" fill="#444444">{}</text>"##,
                    labels + 4.0,
                    escape(why),
                    ty = y + 14.0,
                );
            }
        }
        if let Some(own) = r.own {
            let _ = write!(
                svg,
                r##"<circle cx="{:.1}" cy="{middle}" r="5" fill="{c}" stroke="#ffffff"/>"##,
                x(own),
                c = PALETTE[1],
            );
        }
        svg.push_str("</g>");
    }
    let ly = axis + 24.0;
    let _ = write!(
        svg,
        r##"<g font-size="12" fill="#1a1a1a"><rect x="{labels}" y="{ly}" width="24" height="12" fill="{c0}" fill-opacity="0.3" stroke="{c0}"/><text x="{t1}" y="{ty}">{middle_half}</text><line x1="{l2}" y1="{ly}" x2="{l2}" y2="{lb}" stroke="#1a1a1a" stroke-width="2"/><text x="{t2}" y="{ty}">{median}</text><circle cx="{l3}" cy="{lm}" r="5" fill="{c1}"/><text x="{t3}" y="{ty}">{own}</text></g></svg>"##,
        c0 = PALETTE[0],
        c1 = PALETTE[1],
        t1 = labels + 30.0,
        l2 = labels + 250.0,
        t2 = labels + 258.0,
        l3 = labels + 400.0,
        t3 = labels + 410.0,
        lb = ly + 12.0,
        lm = ly + 6.0,
        ty = ly + 11.0,
        middle_half = escape(legend.middle_half),
        median = escape(legend.median),
        own = escape(legend.own),
    );
    svg
}

/// A place on a map: where it is, its value, its name and its value as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Spot {
    pub lat: f64,
    pub lon: f64,
    pub value: f64,
    pub label: String,
    pub shown: String,
}

/// Kilometres per degree of latitude, and of longitude at the equator.
const KM_PER_DEGREE: (f64, f64) = (110.57, 111.32);

/// A map around `centre` (latitude, longitude; marked with a cross): rings at each of `rings`
/// (kilometres, label), and a circle for each spot within the outer ring, its area in
/// proportion to its value; the `named` largest are labelled. Spots beyond the outer ring are
/// left out: the caller says how many. A local equirectangular projection: true to distances
/// at this scale.
pub fn map(
    title: &str,
    centre: (f64, f64),
    rings: &[(f64, String)],
    spots: &[Spot],
    named: usize,
) -> String {
    const SIZE: f64 = 600.0;
    let middle = SIZE / 2.0;
    let outer = rings.iter().map(|r| r.0).fold(1.0, f64::max);
    let scale = (middle - 20.0) / outer;
    let cos = centre.0.to_radians().cos();
    let place = |lat: f64, lon: f64| {
        let east = (lon - centre.1) * KM_PER_DEGREE.1 * cos;
        let north = (lat - centre.0) * KM_PER_DEGREE.0;
        (east, north)
    };
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" viewBox="0 0 {SIZE} {SIZE}" width="100%" style="max-width:36rem" role="img" aria-label="{title}"><title>{title}</title>"#,
        title = escape(title)
    );
    for (km, label) in rings {
        let _ = write!(
            svg,
            r##"<circle cx="{middle}" cy="{middle}" r="{:.1}" fill="none" stroke="#767676" stroke-dasharray="3 3"/><text x="{middle}" y="{:.1}" font-size="12" fill="#444444" text-anchor="middle">{}</text>"##,
            km * scale,
            middle - km * scale - 4.0,
            escape(label)
        );
    }
    let mut shown: Vec<(&Spot, f64, f64)> = spots
        .iter()
        .filter_map(|s| {
            let (east, north) = place(s.lat, s.lon);
            ((east * east + north * north).sqrt() <= outer).then_some((
                s,
                middle + east * scale,
                middle - north * scale,
            ))
        })
        .collect();
    // The largest first, so that smaller circles stay visible on top of them.
    shown.sort_by(|a, b| b.0.value.total_cmp(&a.0.value));
    let top = shown
        .first()
        .map_or(0.0, |s| s.0.value)
        .max(f64::MIN_POSITIVE);
    for (s, x, y) in &shown {
        let r = (s.value.max(0.0) / top).sqrt() * 24.0;
        let _ = write!(
            svg,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="{:.1}" fill="{colour}" fill-opacity="0.55" stroke="#ffffff" stroke-width="0.5"><title>{} : {}</title></circle>"##,
            r.max(1.5),
            escape(&s.label),
            escape(&s.shown),
            colour = PALETTE[0],
        );
    }
    // Names of the largest, each where it does not cover one already written.
    let mut written: Vec<(f64, f64, f64, f64)> = Vec::new();
    for (s, x, y) in shown.iter().take(named) {
        let r = (s.value.max(0.0) / top).sqrt() * 24.0;
        let (left, baseline) = (x + r.max(1.5) + 3.0, y + 4.0);
        let area = (
            left,
            baseline - 12.0,
            left + CHARACTER * s.label.chars().count() as f64,
            baseline + 3.0,
        );
        let overlaps =
            |o: &(f64, f64, f64, f64)| area.0 < o.2 && o.0 < area.2 && area.1 < o.3 && o.1 < area.3;
        if written.iter().any(overlaps) {
            continue;
        }
        written.push(area);
        let _ = write!(
            svg,
            r##"<text x="{left:.1}" y="{baseline:.1}" font-size="12" fill="#1a1a1a" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>"##,
            escape(&s.label)
        );
    }
    let _ = write!(
        svg,
        r##"<path d="M{a} {middle}h16M{middle} {b}v16" stroke="{c}" stroke-width="3"/></svg>"##,
        c = PALETTE[1],
        a = middle - 8.0,
        b = middle - 8.0
    );
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
        // Labels of 16 characters take 117.6 units, values of 5 take 45: bars get the rest.
        let plot = 760.0 - (6.6 * 16.0 + 12.0) - (6.6 * 5.0 + 12.0);
        assert!(
            svg.contains(&format!(r#"width="{:.1}""#, plot / 2.0)),
            "half: {svg}"
        );
        assert!(
            svg.contains(&format!(r#"width="{plot:.1}""#)),
            "never past full: {svg}"
        );
        let long = bars(
            "t",
            &[Bar {
                label: "x".repeat(80),
                value: 1.0,
                shown: "1".into(),
            }],
            None,
        );
        assert!(
            long.contains(&format!("{}…</text>", "x".repeat(47))),
            "{long}"
        );
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn lines_run_left_to_right_from_0_to_full() {
        let svg = lines(
            "Courbe <de réservation>",
            &[
                Series {
                    name: "Cette séance".into(),
                    values: vec![0.0, 0.5, 1.0],
                    dashed: false,
                },
                Series {
                    name: "Médiane".into(),
                    values: vec![0.2, 2.0],
                    dashed: true,
                },
            ],
            ("J-120", "J"),
            "100 %",
        );
        assert!(svg.contains("&lt;de réservation&gt;"));
        assert!(
            svg.contains(r#"points="72.0,230.0 342.0,120.0 612.0,10.0""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"stroke-dasharray="6 4" points="72.0,186.0 612.0,10.0""#),
            "clamped at full: {svg}"
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        // Both lines end at the top: named at their ends, the second name moved below the
        // first rather than over it.
        let baseline = |name: &str| -> f64 {
            let end = svg.find(&format!(">{name}</text>")).expect(name);
            let start = svg[..end].rfind("<text").unwrap();
            let y = svg[start..end].split("y=\"").nth(1).unwrap();
            y[..y.find('"').unwrap()].parse().unwrap()
        };
        let (a, b) = (baseline("Cette séance"), baseline("Médiane"));
        assert!((a - b).abs() >= 15.0, "{a} {b}: {svg}");
    }
}

#[cfg(test)]
mod map_tests {
    use super::*;

    #[test]
    fn a_map_places_spots_by_distance_and_leaves_out_those_beyond_its_rings() {
        let spot = |lat: f64, lon: f64, value: f64, label: &str| Spot {
            lat,
            lon,
            value,
            label: label.into(),
            shown: value.to_string(),
        };
        // Tours, a commune 30 km due north, and Paris, far beyond the 60 km ring.
        let svg = map(
            "Acheteurs <par commune>",
            (47.39, 0.69),
            &[(30.0, "30 km".into()), (60.0, "60 km".into())],
            &[
                spot(47.39, 0.69, 400.0, "Tours"),
                spot(47.39 + 30.0 / 110.57, 0.69, 100.0, "Nord"),
                spot(48.85, 2.35, 900.0, "Paris"),
            ],
            1,
        );
        assert!(svg.contains("&lt;par commune&gt;"));
        assert!(!svg.contains("Paris"), "beyond the outer ring");
        // 30 km is half the outer ring: 140 units above the middle (300).
        assert!(svg.contains(r#"cx="300.0" cy="160.0""#), "{svg}");
        // Areas in proportion: a quarter of the value, half the radius.
        assert!(
            svg.contains(r#"r="24.0""#) && svg.contains(r#"r="12.0""#),
            "{svg}"
        );
        assert_eq!(svg.matches("<text").count(), 2 + 1, "two rings, one name");
        // Two communes on top of each other: the second name would cover the first.
        let crowded = map(
            "t",
            (47.39, 0.69),
            &[(60.0, "60 km".into())],
            &[
                spot(47.39, 0.69, 400.0, "Tours"),
                spot(47.391, 0.69, 300.0, "La Riche"),
            ],
            2,
        );
        assert!(crowded.contains(">Tours</text>") && !crowded.contains(">La Riche</text>"));
    }
}

#[cfg(test)]
mod band_tests {
    use super::*;

    #[test]
    fn a_forecast_band_spans_its_interval_at_the_right_end() {
        let svg = lines_with_band(
            "t",
            &[Series {
                name: "Ventes".into(),
                values: vec![0.0, 0.3],
                dashed: false,
            }],
            ("J-120", "J"),
            "100 %",
            Some(&Band {
                low: 0.5,
                value: 0.6,
                high: 0.75,
                name: "Prévision <80 %>".into(),
            }),
        );
        // From 75 % (y = 65) down to 50 % (y = 120), at x = 612.
        assert!(
            svg.contains(r#"<rect x="607" y="65.0" width="10" height="55.0""#),
            "{svg}"
        );
        assert!(svg.contains(r#"<circle cx="612" cy="98.0""#), "{svg}");
        assert!(svg.contains("Prévision &lt;80 %&gt;"));
    }

    #[test]
    fn spreads_place_quartiles_and_the_venue_on_one_scale_and_say_why_a_row_is_withheld() {
        let legend = SpreadLegend {
            middle_half: "moitié centrale",
            median: "médiane",
            own: "vous",
        };
        let rows = [
            Spread {
                label: "Théâtre <200>".to_owned(),
                peers: Ok([0.25, 0.5, 0.75]),
                own: Some(1.5),
                shown: "vous 150 %".to_owned(),
            },
            Spread {
                label: "Danse".to_owned(),
                peers: Err("secret statistique : moins de 5 lieux".to_owned()),
                own: Some(0.5),
                shown: "vous 50 %".to_owned(),
            },
        ];
        let svg = spreads("Taux <de remplissage>", &rows, 1.0, "100 %", legend);
        let (labels, plot) = (
            CHARACTER * 13.0 + 12.0,
            WIDTH - (CHARACTER * 13.0 + 12.0) - 16.0,
        );
        let x = |v: f64| format!("{:.1}", labels + v * plot);
        // The box runs from the first to the third quartile, the median across it.
        assert!(svg.contains(&format!(
            r#"<rect x="{}" y="4" width="{:.1}""#,
            x(0.25),
            plot / 2.0
        )));
        assert!(svg.contains(&format!(r#"x1="{}" y1="4""#, x(0.5))));
        // A value beyond the scale stops at its end; the withheld row has no box, only why.
        assert!(svg.contains(&format!(r#"<circle cx="{}" cy="12""#, x(1.0))));
        assert!(svg.contains(&format!(r#"<circle cx="{}" cy="34""#, x(0.5))));
        assert_eq!(svg.matches("<rect").count(), 2, "one box, and the legend's");
        assert!(svg.contains(">secret statistique : moins de 5 lieux</text>"));
        assert!(svg.contains("Taux &lt;de remplissage&gt;") && svg.contains("Théâtre &lt;200&gt;"));
        assert!(!svg.contains("<de") && !svg.contains("<200"));
    }
}
