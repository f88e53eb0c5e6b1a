//! Numbers, money and shares in the conventions of the chosen language: `12 345,50 €` and
//! `72,4 %` in French, `€12,345.50` and `72.4%` in English.

use jauge_model::{Cents, Lang};

/// Groups the digits of `n` by thousands with `sep`.
fn grouped(n: u64, sep: &str) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// A count: `12 345` (narrow no-break space in French), `12,345`.
pub fn count(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Fr => grouped(n, "\u{202f}"),
        Lang::En => grouped(n, ","),
    }
}

/// An amount of cents, with its cents.
pub fn money(c: Cents, lang: Lang) -> String {
    let (euros, cents) = (c.get() / 100, c.get() % 100);
    match lang {
        Lang::Fr => format!("{},{cents:02}\u{a0}€", grouped(euros, "\u{202f}")),
        Lang::En => format!("€{}.{cents:02}", grouped(euros, ",")),
    }
}

/// A fractional number of cents (an average), rounded to the cent.
pub fn money_f64(cents: f64, lang: Lang) -> String {
    money(Cents::new(cents.round().max(0.0) as u64), lang)
}

/// A share in [0, 1] as a percentage with one decimal.
pub fn percent(share: f64, lang: Lang) -> String {
    let text = format!("{:.1}", share * 100.0);
    match lang {
        Lang::Fr => format!("{}\u{a0}%", text.replace('.', ",")),
        Lang::En => format!("{text}%"),
    }
}

/// A difference of two shares in percentage points, with one decimal: `3,1 pts`, `3.1 pts`.
pub fn points(difference: f64, lang: Lang) -> String {
    format!("{}\u{a0}pts", decimal(difference * 100.0, lang))
}

/// A number with one decimal: `12,5` in French, `12.5` in English.
pub fn decimal(value: f64, lang: Lang) -> String {
    let text = format!("{value:.1}");
    match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    }
}

/// A day: `28 nov. 2026` in French, `28 Nov 2026` in English.
pub fn date(day: chrono::NaiveDate, lang: Lang) -> String {
    use chrono::Datelike;
    const FR: [&str; 12] = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = day.month0() as usize;
    let name = match lang {
        Lang::Fr => FR[month],
        Lang::En => EN[month],
    };
    format!("{} {name} {}", day.day(), day.year())
}

/// A month: `novembre 2026` in French, `November 2026` in English.
pub fn month(day: chrono::NaiveDate, lang: Lang) -> String {
    use chrono::Datelike;
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let name = match lang {
        Lang::Fr => FR[day.month0() as usize],
        Lang::En => EN[day.month0() as usize],
    };
    format!("{name} {}", day.year())
}

/// A local date and time: `14 oct. 2026, 20:30`.
pub fn date_time(at: chrono::NaiveDateTime, lang: Lang) -> String {
    format!("{}, {}", date(at.date(), lang), at.format("%H:%M"))
}

/// A ratio, or a dash when it cannot be computed.
pub fn optional(value: Option<f64>, lang: Lang, show: fn(f64, Lang) -> String) -> String {
    value.map_or_else(|| "—".to_owned(), |v| show(v, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_french_and_english() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(date(day, Lang::Fr), "28 nov. 2026");
        assert_eq!(date(day, Lang::En), "28 Nov 2026");
        assert_eq!(month(day, Lang::Fr), "novembre 2026");
        assert_eq!(month(day, Lang::En), "November 2026");
        let at = day.and_hms_opt(20, 30, 0).unwrap();
        assert_eq!(date_time(at, Lang::Fr), "28 nov. 2026, 20:30");
    }

    #[test]
    fn french_and_english_conventions() {
        assert_eq!(count(1_234_567, Lang::Fr), "1\u{202f}234\u{202f}567");
        assert_eq!(count(999, Lang::En), "999");
        assert_eq!(count(1000, Lang::En), "1,000");
        assert_eq!(
            money(Cents::new(1_234_550), Lang::Fr),
            "12\u{202f}345,50\u{a0}€"
        );
        assert_eq!(money(Cents::new(1_234_550), Lang::En), "€12,345.50");
        assert_eq!(percent(0.7243, Lang::Fr), "72,4\u{a0}%");
        assert_eq!(percent(0.7243, Lang::En), "72.4%");
        assert_eq!(optional(None, Lang::Fr, percent), "—");
        assert_eq!(money_f64(2149.6, Lang::Fr), "21,50\u{a0}€");
    }
}
