//! How a column's values are written — empty markers, numbers, money, dates and times —
//! decided from evidence in the values themselves.
//!
//! Venues' exports come from French ticketing, CRM and emailing tools, and from foreign ones:
//! the same amount may be `12 345,50 €`, `12345.50` or `€12,345.50`, the same date
//! `14/03/2026`, `2026-03-14` or `03/14/26`. This module has two halves:
//!
//! - **Parsers** read one value under a format the caller already knows: [`parse_cents`] (money
//!   as exact integer cents, never a float), [`parse_integer`], [`parse_scaled`], [`parse_date`],
//!   [`parse_time`], [`parse_datetime`] and [`parse_iso8601`]. They are strict: a value that does
//!   not fit the format is `None`, never a guess.
//! - [`classify`] looks at a sample of a column and decides its [`ValueKind`] (with the exact
//!   format). A kind is chosen only if *every* non-empty value reads under it. When the values
//!   fit several readings that give different results (`01/02/2026`: 1 February or January 2?
//!   `1,234`: 1.234 or 1234?), the French reading is chosen and the doubt is reported as an
//!   [`Ambiguity`], never settled silently.
//!
//! No function here panics, whatever the input: arithmetic is checked (a number too large for
//! an `i64` is `None`) and text is only sliced at ASCII characters.
//!
//! Decisions worth knowing:
//! - A thousands separator that is a space also accepts the no-break space (U+00A0) and the
//!   narrow no-break space (U+202F), which French tools use interchangeably; an apostrophe
//!   also accepts the typographic one (U+2019). When a value uses it, groups must be exactly
//!   three digits after a first group of one to three (`1 234 567`, not `12 34`).
//! - [`NumberFormat::currency`] says values may carry a currency mark (`€`, `EUR`, `$`, `USD`,
//!   `£`, `GBP`, before or after, spaces allowed); when `false`, a value with one is rejected.
//! - Two-digit years follow POSIX: `00`–`68` are 2000–2068, `69`–`99` are 1969–1999.
//! - Day and month may be written with one or two digits (`2010/9/18`).
//! - [`classify`] reads numbers with a leading zero (`01000`, `0612345678`) as text: they are
//!   codes (postcodes, phone numbers), and reading them as integers would lose the zero.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

// ---------------------------------------------------------------------------------------------
// Empty markers
// ---------------------------------------------------------------------------------------------

/// What tools write for "no value", besides an empty cell. `NA` is deliberately absent: it can
/// be a real value (a code, initials).
const EMPTY_MARKERS: &[&str] = &[
    "-",
    "NULL",
    "null",
    "Null",
    "N/A",
    "n/a",
    "0000-00-00",
    "0000-00-00 00:00:00",
    "00/00/0000",
];

/// Whether `raw` means "no value": empty or blank, `-`, `NULL`/`null`/`Null`, `N/A`/`n/a`, or a
/// zero date (`0000-00-00`, `0000-00-00 00:00:00`, `00/00/0000`). Surrounding whitespace is
/// ignored. `NA` is *not* an empty marker.
pub fn is_empty_marker(raw: &str) -> bool {
    let trimmed = raw.trim();
    trimmed.is_empty() || EMPTY_MARKERS.contains(&trimmed)
}

// ---------------------------------------------------------------------------------------------
// Numbers and money
// ---------------------------------------------------------------------------------------------

/// The character that separates a number's integer part from its decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decimal {
    /// `12.50`
    Point,
    /// `12,50` (French)
    Comma,
}

impl Decimal {
    /// The separator as a character.
    pub fn as_char(self) -> char {
        match self {
            Decimal::Point => '.',
            Decimal::Comma => ',',
        }
    }
}

/// How a column writes its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NumberFormat {
    /// The decimal separator.
    pub decimal: Decimal,
    /// The thousands separator, if values may use one. A space stands for any of space,
    /// U+00A0 and U+202F; an apostrophe for `'` and `’`. It may not equal the decimal one.
    pub thousands: Option<char>,
    /// Whether values may carry a currency sign or code (`€`, `EUR`, `$`, `USD`, `£`, `GBP`),
    /// before or after the number. Values without one are accepted too.
    pub currency: bool,
}

impl NumberFormat {
    /// French money: `12 345,50 €`.
    pub const FRENCH: NumberFormat = NumberFormat {
        decimal: Decimal::Comma,
        thousands: Some(' '),
        currency: true,
    };
    /// English money: `€12,345.50`.
    pub const ENGLISH: NumberFormat = NumberFormat {
        decimal: Decimal::Point,
        thousands: Some(','),
        currency: true,
    };
}

/// Currency marks, longest first where one is a prefix of another, with their ISO code.
const CURRENCIES: &[(&str, &str)] = &[
    ("€", "EUR"),
    ("EUR", "EUR"),
    ("$", "USD"),
    ("USD", "USD"),
    ("£", "GBP"),
    ("GBP", "GBP"),
];

fn is_space_class(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

fn is_apostrophe_class(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

/// Whether `c` in a value is the thousands separator `t` of a format.
fn is_thousands(c: char, t: char) -> bool {
    if is_space_class(t) {
        is_space_class(c)
    } else if is_apostrophe_class(t) {
        is_apostrophe_class(c)
    } else {
        c == t
    }
}

/// A value split into its sign, currency mark and the number's body.
struct Signed<'a> {
    negative: bool,
    /// ISO code of the currency mark, if any.
    currency: Option<&'static str>,
    body: &'a str,
}

fn strip_currency_prefix(s: &str) -> Option<(&'static str, &str)> {
    CURRENCIES
        .iter()
        .find_map(|&(mark, code)| s.strip_prefix(mark).map(|rest| (code, rest)))
}

fn strip_currency_suffix(s: &str) -> Option<(&'static str, &str)> {
    CURRENCIES
        .iter()
        .find_map(|&(mark, code)| s.strip_suffix(mark).map(|rest| (code, rest)))
}

/// Splits off a leading `-` and a currency mark (before or after, the sign before or after a
/// leading mark): `-12 €`, `-€12`, `€ -12`, `EUR 12`.
fn split_sign_currency(raw: &str) -> Signed<'_> {
    let mut s = raw.trim();
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest;
    }
    let mut currency = None;
    if let Some((code, rest)) = strip_currency_prefix(s) {
        currency = Some(code);
        s = rest.trim_start();
        if !negative {
            if let Some(rest) = s.strip_prefix('-') {
                negative = true;
                s = rest;
            }
        }
    } else if let Some((code, rest)) = strip_currency_suffix(s) {
        currency = Some(code);
        s = rest.trim_end();
    }
    Signed {
        negative,
        currency,
        body: s,
    }
}

/// A number read under a [`NumberFormat`], before scaling.
#[derive(Debug, Clone, Copy)]
struct Number<'a> {
    negative: bool,
    /// The integer part's absolute value.
    int: i64,
    /// The decimals' digits (ASCII), empty when the value has none.
    frac: &'a str,
    /// Whether the integer part has a superfluous leading zero (`007`).
    leading_zero: bool,
}

/// Reads `raw` as a number under `format`: `[-][currency]int[decimal frac][currency]`.
/// `None` if it does not fit, or if the integer part does not fit an `i64`.
fn scan_number<'a>(raw: &'a str, format: &NumberFormat) -> Option<Number<'a>> {
    let dec = format.decimal.as_char();
    if let Some(t) = format.thousands {
        if t == dec || t.is_ascii_digit() || t == '-' {
            return None;
        }
    }
    let Signed {
        negative,
        currency,
        body,
    } = split_sign_currency(raw);
    if currency.is_some() && !format.currency {
        return None;
    }

    let mut int: i64 = 0;
    let mut int_digits = 0usize;
    let mut group_len = 0usize;
    let mut groups = 0usize;
    let mut first_is_zero = false;
    let mut frac_start = None;
    for (i, c) in body.char_indices() {
        if c.is_ascii_digit() {
            if int_digits == 0 {
                first_is_zero = c == '0';
            }
            let digit = i64::from(u32::from(c) - u32::from('0'));
            int = int.checked_mul(10)?.checked_add(digit)?;
            int_digits += 1;
            group_len += 1;
        } else if c == dec {
            frac_start = Some(i + c.len_utf8());
            break;
        } else if format.thousands.is_some_and(|t| is_thousands(c, t)) {
            let group_ok = if groups == 0 {
                (1..=3).contains(&group_len) && !first_is_zero
            } else {
                group_len == 3
            };
            if !group_ok {
                return None;
            }
            groups += 1;
            group_len = 0;
        } else {
            return None;
        }
    }
    if int_digits == 0 || (groups > 0 && group_len != 3) {
        return None;
    }
    let frac = match frac_start {
        Some(start) => {
            let frac = body.get(start..)?;
            if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            frac
        }
        None => "",
    };
    Some(Number {
        negative,
        int,
        frac,
        leading_zero: first_is_zero && int_digits > 1,
    })
}

/// Reads `raw` as a number with at most `decimals` decimals and returns it times
/// `10^decimals`, exactly (`parse_scaled("12,5", &NumberFormat::FRENCH, 3)` is `12_500`).
/// `None` if it does not fit `format`, has more decimals, or overflows an `i64`.
pub fn parse_scaled(raw: &str, format: &NumberFormat, decimals: u32) -> Option<i64> {
    let number = scan_number(raw, format)?;
    let frac_len = u32::try_from(number.frac.len()).ok()?;
    if frac_len > decimals {
        return None;
    }
    let mut frac: i64 = 0;
    for b in number.frac.bytes() {
        frac = frac.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    let frac = frac.checked_mul(10i64.checked_pow(decimals - frac_len)?)?;
    let value = number
        .int
        .checked_mul(10i64.checked_pow(decimals)?)?
        .checked_add(frac)?;
    if number.negative {
        value.checked_neg()
    } else {
        Some(value)
    }
}

/// Reads an amount of money as integer cents, exactly: `"12 345,50 €"` under
/// [`NumberFormat::FRENCH`] is `1_234_550`. Accepts a leading `-`, the format's thousands
/// separator, a currency mark before or after (if `format.currency`) and zero to two decimals.
/// `None` for three decimals or more, for anything else that does not fit, and on overflow.
pub fn parse_cents(raw: &str, format: &NumberFormat) -> Option<i64> {
    parse_scaled(raw, format, 2)
}

/// Reads a whole number: like [`parse_cents`] but without decimals (`"1 234"` is `1234`,
/// `"12,0"` is `None`). `None` on overflow.
pub fn parse_integer(raw: &str, format: &NumberFormat) -> Option<i64> {
    let number = scan_number(raw, format)?;
    if !number.frac.is_empty() {
        return None;
    }
    if number.negative {
        number.int.checked_neg()
    } else {
        Some(number.int)
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and times
// ---------------------------------------------------------------------------------------------

/// The order of a date's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateOrder {
    /// `14/03/2026` (French)
    DayMonthYear,
    /// `2026-03-14`
    YearMonthDay,
    /// `03/14/2026` (American)
    MonthDayYear,
}

/// How a column writes its dates: field order, separator (`/`, `-` or `.` in practice) and
/// whether the year has two digits (`14/03/26`) rather than four.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateFormat {
    pub order: DateOrder,
    pub separator: char,
    pub two_digit_year: bool,
}

/// How a column writes its times of day: `hh:mm` or `hh:mm:ss` (fractional seconds allowed),
/// on 24 hours or 12 with a meridiem (`a.m.`, `p.m.`, `am`, `PM`…, before or after the time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeFormat {
    pub seconds: bool,
    pub meridiem: bool,
}

/// What a column holds, with how it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// Every value is an empty marker (or there are none).
    Empty,
    /// Free text, or values no single format reads.
    Text,
    /// Whole numbers.
    Integer(NumberFormat),
    /// Numbers with decimals (at least one value has some).
    Decimal(NumberFormat),
    /// Calendar dates.
    Date(DateFormat),
    /// Times of day without a date (`15:00`).
    Time(TimeFormat),
    /// Dates with a time of day, without an offset.
    DateTime { date: DateFormat, time: TimeFormat },
    /// ISO 8601 date-times with an offset or `Z`: `2026-03-14T19:30:00+01:00`.
    Iso8601,
}

/// Years written with two digits: `00`–`68` are 2000–2068, `69`–`99` 1969–1999 (POSIX).
fn full_year(year: u32, two_digits: bool) -> Option<i32> {
    let year = match (two_digits, year) {
        (true, y @ 0..=68) => 2000 + y,
        (true, y) => 1900 + y,
        (false, y) => y,
    };
    i32::try_from(year).ok()
}

/// Takes `min..=max` ASCII digits (`max` ≤ 9) from the start of `s`; all leading digits must
/// be taken.
fn take_digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let count = s.bytes().take_while(u8::is_ascii_digit).count();
    if count < min || count > max || count > 9 {
        return None;
    }
    let (digits, rest) = s.split_at(count);
    let value = digits
        .bytes()
        .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    Some((value, rest))
}

/// Reads a date at the start of `s`, returning it and what follows.
fn date_prefix<'a>(s: &'a str, format: &DateFormat) -> Option<(NaiveDate, &'a str)> {
    let sep = format.separator;
    let year_len = if format.two_digit_year { 2 } else { 4 };
    let field = |s: &'a str, len: (usize, usize), last: bool| -> Option<(u32, &'a str)> {
        let (value, rest) = take_digits(s, len.0, len.1)?;
        if last {
            Some((value, rest))
        } else {
            Some((value, rest.strip_prefix(sep)?))
        }
    };
    let year = (year_len, year_len);
    let day_month = (1, 2);
    let (y, m, d, rest) = match format.order {
        DateOrder::YearMonthDay => {
            let (y, s) = field(s, year, false)?;
            let (m, s) = field(s, day_month, false)?;
            let (d, s) = field(s, day_month, true)?;
            (y, m, d, s)
        }
        DateOrder::DayMonthYear => {
            let (d, s) = field(s, day_month, false)?;
            let (m, s) = field(s, day_month, false)?;
            let (y, s) = field(s, year, true)?;
            (y, m, d, s)
        }
        DateOrder::MonthDayYear => {
            let (m, s) = field(s, day_month, false)?;
            let (d, s) = field(s, day_month, false)?;
            let (y, s) = field(s, year, true)?;
            (y, m, d, s)
        }
    };
    let date = NaiveDate::from_ymd_opt(full_year(y, format.two_digit_year)?, m, d)?;
    Some((date, rest))
}

/// Reads a meridiem at the start of `s` — `a.m.`, `am`, `a.m`, `PM`… in any case — returning
/// whether it is p.m. and what follows.
fn meridiem_prefix(s: &str) -> Option<(bool, &str)> {
    let pm = match s.as_bytes().first()? {
        b'a' | b'A' => false,
        b'p' | b'P' => true,
        _ => return None,
    };
    let rest = s.get(1..)?;
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    let rest = rest.strip_prefix(['m', 'M'])?;
    Some((pm, rest.strip_prefix('.').unwrap_or(rest)))
}

/// Reads `.123` fractional seconds (1 to 9 digits) as nanoseconds, if present.
fn fraction_prefix(s: &str) -> Option<(u32, &str)> {
    let digits = s.strip_prefix(['.', ','])?;
    let (value, rest) = take_digits(digits, 1, 9)?;
    let len = u32::try_from(digits.len() - rest.len()).ok()?;
    Some((value.checked_mul(10u32.checked_pow(9 - len)?)?, rest))
}

/// Reads a whole time of day (nothing may follow) under `format`.
fn time_exact(s: &str, format: &TimeFormat) -> Option<NaiveTime> {
    let mut s = s;
    let mut meridiem = None;
    if let Some((pm, rest)) = meridiem_prefix(s) {
        meridiem = Some(pm);
        s = rest.trim_start();
    }
    let (hour, rest) = take_digits(s, 1, 2)?;
    let (minute, mut rest) = take_digits(rest.strip_prefix(':')?, 2, 2)?;
    let (mut second, mut nano) = (0, 0);
    if format.seconds {
        let (sec, after) = take_digits(rest.strip_prefix(':')?, 2, 2)?;
        second = sec;
        rest = after;
        if let Some((n, after)) = fraction_prefix(rest) {
            nano = n;
            rest = after;
        }
    }
    let mut rest = rest.trim_start();
    if meridiem.is_none() {
        if let Some((pm, after)) = meridiem_prefix(rest) {
            meridiem = Some(pm);
            rest = after;
        }
    }
    if !rest.is_empty() || meridiem.is_some() != format.meridiem {
        return None;
    }
    let hour = match meridiem {
        Some(pm) if (1..=12).contains(&hour) => hour % 12 + if pm { 12 } else { 0 },
        Some(_) => return None,
        None => hour,
    };
    NaiveTime::from_hms_nano_opt(hour, minute, second, nano)
}

/// Trims and drops one trailing `.` (`2010/10/14 p.m. 11:25:58.`).
fn tidy(raw: &str) -> &str {
    let s = raw.trim();
    s.strip_suffix('.').unwrap_or(s)
}

/// Reads a date under `format`: `14/03/2026`, `14-03-2026`, `14.03.2026`, `14/03/26`,
/// `2026-03-14`, `2026/03/14`, `03/14/2026`, `10/17/10`… Day and month may have one digit.
/// A trailing `.` is tolerated. `None` if it does not fit or is not a real date (`31/02/2026`).
pub fn parse_date(raw: &str, format: &DateFormat) -> Option<NaiveDate> {
    let (date, rest) = date_prefix(tidy(raw), format)?;
    rest.is_empty().then_some(date)
}

/// Reads a time of day under `format`: `19:30`, `19:30:15`, `7:30 p.m.`, `p.m. 11:25:58`…
/// A trailing `.` is tolerated. `12 a.m.` is midnight, `12 p.m.` noon.
pub fn parse_time(raw: &str, format: &TimeFormat) -> Option<NaiveTime> {
    time_exact(tidy(raw), format)
}

/// Reads a date and a time of day separated by spaces (or `T` when the year comes first, as in
/// the naive ISO form `2026-03-14T19:30:00`): `14/03/2026 19:30`,
/// `2010/10/14 p.m. 11:25:58.`, `03/14/26 7:30 PM`. A trailing `.` is tolerated.
pub fn parse_datetime(raw: &str, date: &DateFormat, time: &TimeFormat) -> Option<NaiveDateTime> {
    let (day, rest) = date_prefix(tidy(raw), date)?;
    let rest = match rest.strip_prefix(['T', 't']) {
        Some(after) if date.order == DateOrder::YearMonthDay => after,
        Some(_) => return None,
        None => {
            let after = rest.trim_start();
            if after.len() == rest.len() {
                return None;
            }
            after
        }
    };
    Some(day.and_time(time_exact(rest, time)?))
}

/// Reads an ISO 8601 date-time with an offset: `2026-03-14T19:30:00+01:00`,
/// `2026-03-14T18:30Z`, `2026-03-14 19:30:00.250+0100`. Seconds and their fraction are
/// optional; the offset (`Z`, `±hh`, `±hhmm`, `±hh:mm`) is required — without one, the value
/// is a [`ValueKind::DateTime`] read by [`parse_datetime`].
pub fn parse_iso8601(raw: &str) -> Option<DateTime<FixedOffset>> {
    const ISO_DATE: DateFormat = DateFormat {
        order: DateOrder::YearMonthDay,
        separator: '-',
        two_digit_year: false,
    };
    let (day, rest) = date_prefix(raw.trim(), &ISO_DATE)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (hour, rest) = take_digits(rest, 2, 2)?;
    let (minute, mut rest) = take_digits(rest.strip_prefix(':')?, 2, 2)?;
    let (mut second, mut nano) = (0, 0);
    if let Some(after) = rest.strip_prefix(':') {
        let (sec, after) = take_digits(after, 2, 2)?;
        second = sec;
        rest = after;
        if let Some((n, after)) = fraction_prefix(rest) {
            nano = n;
            rest = after;
        }
    }
    let offset_seconds = if let Some(after) = rest.strip_prefix(['Z', 'z']) {
        rest = after;
        0
    } else {
        let sign = match rest.as_bytes().first()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let after = rest.get(1..)?;
        let (oh, om, after) = match take_digits(after, 4, 4) {
            // ±hhmm
            Some((hhmm, after)) => (hhmm / 100, hhmm % 100, after),
            // ±hh or ±hh:mm
            None => {
                let (oh, after) = take_digits(after, 2, 2)?;
                match after.strip_prefix(':') {
                    Some(after) => {
                        let (om, after) = take_digits(after, 2, 2)?;
                        (oh, om, after)
                    }
                    None => (oh, 0, after),
                }
            }
        };
        rest = after;
        if oh > 23 || om > 59 {
            return None;
        }
        sign * i32::try_from(oh * 3600 + om * 60).ok()?
    };
    if !rest.is_empty() {
        return None;
    }
    let offset = FixedOffset::east_opt(offset_seconds)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?;
    day.and_time(time).and_local_timezone(offset).single()
}

// ---------------------------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------------------------

/// A doubt the values could not settle; [`classify`] still chooses (the French reading) and
/// reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum Ambiguity {
    /// Every date fits both day/month and month/day order, and the two readings differ for at
    /// least one value; day/month was chosen.
    DayMonthOrder,
    /// A separator followed by exactly three digits (`1,234`, `1.234`) may mark decimals or
    /// thousands, and no value settles it; the French reading was chosen (`,` decimal, `.`
    /// thousands).
    DecimalSeparator,
    /// Values written in several ways (a near miss: most values fit a kind, some do not; or
    /// amounts in several currencies), described in plain English.
    Mixed(String),
}

impl fmt::Display for Ambiguity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ambiguity::DayMonthOrder => f.write_str(
                "every date fits both day/month and month/day order; \
                 read as day/month (the French order)",
            ),
            Ambiguity::DecimalSeparator => f.write_str(
                "a separator followed by exactly three digits (as in 1,234 or 1.234) may mark \
                 decimals or thousands and no value settles it; read the French way \
                 (comma for decimals, point for thousands)",
            ),
            Ambiguity::Mixed(message) => f.write_str(message),
        }
    }
}

/// What [`classify`] decided about a column.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// The kind every non-empty value reads as (or [`ValueKind::Text`]).
    pub kind: ValueKind,
    /// What the values could not settle, if anything.
    pub ambiguity: Option<Ambiguity>,
    /// How many values were not empty markers.
    pub non_empty: usize,
    /// When the kind is [`ValueKind::Text`] because a few values did not fit the kind most
    /// values have (at least half), how many did not fit; otherwise 0 (a typed kind is chosen
    /// only when every value fits it).
    pub failures: usize,
}

/// Reads a sample of one column's values and decides how they are written.
///
/// Empty markers ([`is_empty_marker`]) are skipped. A kind is chosen only if every non-empty
/// value reads under it, in this order of preference: [`ValueKind::Iso8601`],
/// [`ValueKind::DateTime`], [`ValueKind::Date`], [`ValueKind::Time`], [`ValueKind::Integer`],
/// [`ValueKind::Decimal`], else [`ValueKind::Text`].
///
/// - Dates: the year's place is given by its four digits (or, for two, the last field). A
///   first field above 12 proves day/month, a second above 12 month/day. When every value fits
///   both and the readings differ, day/month is chosen and [`Ambiguity::DayMonthOrder`]
///   reported.
/// - Numbers: a value like `3,5` proves comma decimals; `1,234,567` or `1.234,5` prove which
///   separator groups thousands. When every value fits two readings that differ (`1,234`),
///   the French one is chosen and [`Ambiguity::DecimalSeparator`] reported. Amounts in several
///   currencies are reported as [`Ambiguity::Mixed`].
/// - Text: when at least half the values fit one kind but some do not, `failures` counts them
///   and [`Ambiguity::Mixed`] says which kind and shows the first misfit.
pub fn classify<'a>(values: impl IntoIterator<Item = &'a str>) -> Classification {
    let values: Vec<&str> = values
        .into_iter()
        .filter(|value| !is_empty_marker(value))
        .collect();
    let non_empty = values.len();
    if non_empty == 0 {
        return Classification {
            kind: ValueKind::Empty,
            ambiguity: None,
            non_empty,
            failures: 0,
        };
    }

    let mut currencies: Vec<&'static str> = Vec::new();
    for value in &values {
        if let Some(code) = split_sign_currency(value).currency {
            if !currencies.contains(&code) {
                currencies.push(code);
            }
        }
    }
    let candidates = candidates(!currencies.is_empty());
    let mut matched = vec![0usize; candidates.len()];
    for value in &values {
        // Only date-times and times have a colon: a cheap way to skip most candidates.
        let has_colon = value.contains(':');
        for (count, candidate) in matched.iter_mut().zip(&candidates) {
            let needs_colon = matches!(
                candidate,
                ValueKind::Iso8601 | ValueKind::DateTime { .. } | ValueKind::Time(_)
            );
            if needs_colon == has_colon && reads_as(value, candidate) {
                *count += 1;
            }
        }
    }
    let survivors: Vec<ValueKind> = candidates
        .iter()
        .zip(&matched)
        .filter(|&(_, &count)| count == non_empty)
        .map(|(candidate, _)| *candidate)
        .collect();

    let Some(first) = survivors.first().copied() else {
        return near_miss(&values, &candidates, &matched);
    };
    let (kind, ambiguity) = match first {
        ValueKind::Decimal(_) => {
            let (kind, ambiguous) = choose_number(&values, &survivors);
            let ambiguity = if currencies.len() > 1 {
                Some(Ambiguity::Mixed(format!(
                    "amounts are in several currencies ({}); they cannot be added up",
                    currencies.join(", ")
                )))
            } else {
                ambiguous.then_some(Ambiguity::DecimalSeparator)
            };
            (kind, ambiguity)
        }
        chosen => {
            let ambiguous = month_first_twin(&chosen)
                .filter(|twin| survivors.contains(twin))
                .is_some_and(|twin| values.iter().any(|v| read(v, &chosen) != read(v, &twin)));
            (chosen, ambiguous.then_some(Ambiguity::DayMonthOrder))
        }
    };
    Classification {
        kind,
        ambiguity,
        non_empty,
        failures: 0,
    }
}

/// Every typed kind `classify` tries, in order of preference. Numbers are tried as
/// `Decimal(format)`; `choose_number` turns the winner into `Integer` when no value has
/// decimals.
fn candidates(currency: bool) -> Vec<ValueKind> {
    let orders = [
        (DateOrder::DayMonthYear, false),
        (DateOrder::DayMonthYear, true),
        (DateOrder::MonthDayYear, false),
        (DateOrder::MonthDayYear, true),
        (DateOrder::YearMonthDay, false),
    ];
    let dates: Vec<DateFormat> = ['/', '-', '.']
        .into_iter()
        .flat_map(|separator| {
            orders.map(|(order, two_digit_year)| DateFormat {
                order,
                separator,
                two_digit_year,
            })
        })
        .collect();
    let times: Vec<TimeFormat> = [(false, false), (true, false), (false, true), (true, true)]
        .into_iter()
        .map(|(seconds, meridiem)| TimeFormat { seconds, meridiem })
        .collect();
    let numbers = [
        (Decimal::Comma, None),
        (Decimal::Comma, Some(' ')),
        (Decimal::Comma, Some('.')),
        (Decimal::Comma, Some('\'')),
        (Decimal::Point, None),
        (Decimal::Point, Some(' ')),
        (Decimal::Point, Some(',')),
        (Decimal::Point, Some('\'')),
    ];

    let mut kinds = vec![ValueKind::Iso8601];
    for &date in &dates {
        for &time in &times {
            kinds.push(ValueKind::DateTime { date, time });
        }
    }
    kinds.extend(dates.iter().map(|&date| ValueKind::Date(date)));
    kinds.extend(times.iter().map(|&time| ValueKind::Time(time)));
    kinds.extend(numbers.map(|(decimal, thousands)| {
        ValueKind::Decimal(NumberFormat {
            decimal,
            thousands,
            currency,
        })
    }));
    kinds
}

/// A value as read under a kind, to compare two readings.
#[derive(Debug, PartialEq)]
enum Read<'a> {
    None,
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    /// Sign, integer part, decimals without trailing zeros.
    Number(bool, i64, &'a str),
    Other,
}

fn read<'a>(value: &'a str, kind: &ValueKind) -> Read<'a> {
    match kind {
        ValueKind::Date(format) => parse_date(value, format).map_or(Read::None, Read::Date),
        ValueKind::DateTime { date, time } => {
            parse_datetime(value, date, time).map_or(Read::None, Read::DateTime)
        }
        ValueKind::Integer(format) | ValueKind::Decimal(format) => {
            match scan_number(value, format) {
                Some(n) if !n.leading_zero => {
                    let frac = n.frac.trim_end_matches('0');
                    Read::Number(n.negative && (n.int != 0 || !frac.is_empty()), n.int, frac)
                }
                _ => Read::None,
            }
        }
        ValueKind::Iso8601 => parse_iso8601(value).map_or(Read::None, |_| Read::Other),
        ValueKind::Time(format) => parse_time(value, format).map_or(Read::None, |_| Read::Other),
        ValueKind::Empty | ValueKind::Text => Read::Other,
    }
}

fn reads_as(value: &str, kind: &ValueKind) -> bool {
    read(value, kind) != Read::None
}

/// The month/day twin of a day/month date kind.
fn month_first_twin(kind: &ValueKind) -> Option<ValueKind> {
    let twin = |date: &DateFormat| {
        (date.order == DateOrder::DayMonthYear).then_some(DateFormat {
            order: DateOrder::MonthDayYear,
            ..*date
        })
    };
    match kind {
        ValueKind::Date(date) => twin(date).map(ValueKind::Date),
        ValueKind::DateTime { date, time } => {
            twin(date).map(|date| ValueKind::DateTime { date, time: *time })
        }
        _ => None,
    }
}

/// Chooses among the number formats every value fits: comma decimals if any fits (French),
/// with the thousands separator the values use (else none). Returns the kind and whether
/// another surviving format reads some value differently.
fn choose_number(values: &[&str], survivors: &[ValueKind]) -> (ValueKind, bool) {
    let formats: Vec<NumberFormat> = survivors
        .iter()
        .filter_map(|kind| match kind {
            ValueKind::Decimal(format) => Some(*format),
            _ => None,
        })
        .collect();
    let decimal = if formats.iter().any(|f| f.decimal == Decimal::Comma) {
        Decimal::Comma
    } else {
        Decimal::Point
    };
    let uses_thousands = |format: &NumberFormat| {
        format.thousands.is_some_and(|t| {
            values.iter().any(|v| {
                let body = split_sign_currency(v).body;
                body.chars().any(|c| is_thousands(c, t))
            })
        })
    };
    let same_decimal = || formats.iter().filter(|f| f.decimal == decimal);
    let Some(chosen) = same_decimal()
        .find(|f| uses_thousands(f))
        .or_else(|| same_decimal().find(|f| f.thousands.is_none()))
        .or_else(|| same_decimal().next())
        .copied()
    else {
        return (ValueKind::Text, false);
    };
    let chosen_kind = ValueKind::Decimal(chosen);
    let ambiguous = formats.iter().any(|other| {
        let other = ValueKind::Decimal(*other);
        values
            .iter()
            .any(|v| read(v, &chosen_kind) != read(v, &other))
    });
    let has_decimals = values
        .iter()
        .any(|v| scan_number(v, &chosen).is_some_and(|n| !n.frac.is_empty()));
    let kind = if has_decimals {
        chosen_kind
    } else {
        ValueKind::Integer(chosen)
    };
    (kind, ambiguous)
}

/// The Text outcome, reporting the kind at least half the values fit, if any.
fn near_miss(values: &[&str], candidates: &[ValueKind], matched: &[usize]) -> Classification {
    let non_empty = values.len();
    let mut text = Classification {
        kind: ValueKind::Text,
        ambiguity: None,
        non_empty,
        failures: 0,
    };
    let mut best: Option<(ValueKind, usize)> = None;
    for (kind, &count) in candidates.iter().zip(matched) {
        if count > best.map_or(0, |(_, c)| c) {
            best = Some((*kind, count));
        }
    }
    let Some((mut kind, count)) = best else {
        return text;
    };
    if count.saturating_mul(2) < non_empty {
        return text;
    }
    if let ValueKind::Decimal(format) = kind {
        let has_decimals = values
            .iter()
            .filter_map(|v| scan_number(v, &format))
            .any(|n| !n.leading_zero && !n.frac.is_empty());
        if !has_decimals {
            kind = ValueKind::Integer(format);
        }
    }
    let failures = non_empty - count;
    let example = values
        .iter()
        .find(|v| !reads_as(v, &kind))
        .map(|v| {
            let short: String = v.trim().chars().take(24).collect();
            if short.len() < v.trim().len() {
                format!("{short}…")
            } else {
                short
            }
        })
        .unwrap_or_default();
    text.failures = failures;
    text.ambiguity = Some(Ambiguity::Mixed(format!(
        "{failures} of {non_empty} values do not read as {kind} (first: \"{example}\"); \
         the column is read as text"
    )));
    text
}

// ---------------------------------------------------------------------------------------------
// Display
// ---------------------------------------------------------------------------------------------

fn describe_separator(c: char) -> String {
    match c {
        ' ' => "space".to_owned(),
        '\u{a0}' => "no-break space".to_owned(),
        '\u{202f}' => "narrow no-break space".to_owned(),
        c => format!("'{c}'"),
    }
}

impl fmt::Display for NumberFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "decimal '{}'", self.decimal.as_char())?;
        if let Some(t) = self.thousands {
            write!(f, ", thousands {}", describe_separator(t))?;
        }
        if self.currency {
            f.write_str(", currency sign")?;
        }
        Ok(())
    }
}

impl fmt::Display for DateFormat {
    /// A pattern such as `dd/mm/yyyy` or `yyyy-mm-dd`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let year = if self.two_digit_year { "yy" } else { "yyyy" };
        let s = self.separator;
        match self.order {
            DateOrder::DayMonthYear => write!(f, "dd{s}mm{s}{year}"),
            DateOrder::YearMonthDay => write!(f, "{year}{s}mm{s}dd"),
            DateOrder::MonthDayYear => write!(f, "mm{s}dd{s}{year}"),
        }
    }
}

impl fmt::Display for TimeFormat {
    /// A pattern such as `hh:mm` or `hh:mm:ss a.m./p.m.`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.seconds { "hh:mm:ss" } else { "hh:mm" })?;
        if self.meridiem {
            f.write_str(" a.m./p.m.")?;
        }
        Ok(())
    }
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueKind::Empty => f.write_str("empty"),
            ValueKind::Text => f.write_str("text"),
            ValueKind::Integer(format) => write!(f, "integers ({format})"),
            ValueKind::Decimal(format) => write!(f, "decimal numbers ({format})"),
            ValueKind::Date(date) => write!(f, "dates ({date})"),
            ValueKind::Time(time) => write!(f, "times ({time})"),
            ValueKind::DateTime { date, time } => write!(f, "date-times ({date} {time})"),
            ValueKind::Iso8601 => f.write_str("ISO 8601 date-times with offset"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveDateTime, Timelike};
    use proptest::prelude::*;

    const FRENCH: NumberFormat = NumberFormat::FRENCH;
    const ENGLISH: NumberFormat = NumberFormat::ENGLISH;
    const PLAIN_COMMA: NumberFormat = NumberFormat {
        decimal: Decimal::Comma,
        thousands: None,
        currency: false,
    };

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn datetime(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        date(y, mo, d).and_hms_opt(h, mi, s).unwrap()
    }

    fn df(order: DateOrder, separator: char, two_digit_year: bool) -> DateFormat {
        DateFormat {
            order,
            separator,
            two_digit_year,
        }
    }

    use DateOrder::{DayMonthYear as Dmy, MonthDayYear as Mdy, YearMonthDay as Ymd};

    const HM: TimeFormat = TimeFormat {
        seconds: false,
        meridiem: false,
    };
    const HMS: TimeFormat = TimeFormat {
        seconds: true,
        meridiem: false,
    };
    const HM_AMPM: TimeFormat = TimeFormat {
        seconds: false,
        meridiem: true,
    };
    const HMS_AMPM: TimeFormat = TimeFormat {
        seconds: true,
        meridiem: true,
    };

    #[test]
    fn empty_markers() {
        for marker in [
            "",
            "   ",
            "\t",
            "-",
            " - ",
            "NULL",
            "null",
            "Null",
            "N/A",
            "n/a",
            "0000-00-00",
            "0000-00-00 00:00:00",
            "00/00/0000",
        ] {
            assert!(is_empty_marker(marker), "{marker:?} is an empty marker");
        }
        for value in ["NA", "0", "--", "nul", "NULLE", "n.a.", "2026-03-14", "x"] {
            assert!(!is_empty_marker(value), "{value:?} is a value");
        }
    }

    #[test]
    fn cents_french() {
        assert_eq!(parse_cents("12 345,50 €", &FRENCH), Some(1_234_550));
        assert_eq!(
            parse_cents("12\u{a0}345,50\u{a0}€", &FRENCH),
            Some(1_234_550)
        );
        assert_eq!(parse_cents("12\u{202f}345,50 €", &FRENCH), Some(1_234_550));
        assert_eq!(parse_cents("12345,5", &FRENCH), Some(1_234_550));
        assert_eq!(parse_cents("-3,00", &FRENCH), Some(-300));
        assert_eq!(parse_cents("-3,00", &PLAIN_COMMA), Some(-300));
        assert_eq!(parse_cents("12 €", &FRENCH), Some(1200));
        assert_eq!(parse_cents("12€", &FRENCH), Some(1200));
        assert_eq!(parse_cents("EUR 12,5", &FRENCH), Some(1250));
        assert_eq!(parse_cents("12,50 EUR", &FRENCH), Some(1250));
        assert_eq!(parse_cents("-12,50 €", &FRENCH), Some(-1250));
        assert_eq!(parse_cents("€ -12,50", &FRENCH), Some(-1250));
        assert_eq!(parse_cents("0,05", &FRENCH), Some(5));
        let dotted = NumberFormat {
            decimal: Decimal::Comma,
            thousands: Some('.'),
            currency: false,
        };
        assert_eq!(parse_cents("1.234,5", &dotted), Some(123_450));
        assert_eq!(parse_cents("1.234.567,89", &dotted), Some(123_456_789));
    }

    #[test]
    fn cents_english_and_swiss() {
        assert_eq!(parse_cents("€12,345.50", &ENGLISH), Some(1_234_550));
        assert_eq!(parse_cents("$ 1,000", &ENGLISH), Some(100_000));
        assert_eq!(parse_cents("£0.5", &ENGLISH), Some(50));
        assert_eq!(parse_cents("-€3.00", &ENGLISH), Some(-300));
        let swiss = NumberFormat {
            decimal: Decimal::Point,
            thousands: Some('\''),
            currency: false,
        };
        assert_eq!(parse_cents("12'345.50", &swiss), Some(1_234_550));
        assert_eq!(parse_cents("12\u{2019}345.50", &swiss), Some(1_234_550));
    }

    #[test]
    fn cents_rejects() {
        // Three decimals or more are not money.
        assert_eq!(parse_cents("12,345", &PLAIN_COMMA), None);
        assert_eq!(parse_cents("1,2345", &FRENCH), None);
        // Overflow is None, not a wrap or a panic.
        assert_eq!(
            parse_cents("92233720368547758,07", &PLAIN_COMMA),
            Some(i64::MAX)
        );
        assert_eq!(parse_cents("92233720368547758,08", &PLAIN_COMMA), None);
        assert_eq!(parse_cents("99999999999999999999999", &FRENCH), None);
        assert_eq!(parse_cents("-99999999999999999999999", &FRENCH), None);
        // Currency only when the format allows it.
        assert_eq!(parse_cents("12 €", &PLAIN_COMMA), None);
        for bad in [
            "",
            "-",
            "€",
            ",50",
            "12,",
            "12,5,0",
            "1 23,00",
            "12 34",
            "1.234,5",
            "abc",
            "12 345€x",
            "--3",
            "+3",
            "1e3",
            "0 123",
            "12,3€4",
            "٣",
            "１２",
        ] {
            assert_eq!(parse_cents(bad, &FRENCH), None, "{bad:?}");
        }
        // A thousands separator equal to the decimal one is no format.
        let broken = NumberFormat {
            decimal: Decimal::Comma,
            thousands: Some(','),
            currency: false,
        };
        assert_eq!(parse_cents("1,234", &broken), None);
    }

    #[test]
    fn integers_and_scaled() {
        assert_eq!(parse_integer("1 234", &FRENCH), Some(1234));
        assert_eq!(parse_integer("-7", &FRENCH), Some(-7));
        assert_eq!(parse_integer("1,234,567", &ENGLISH), Some(1_234_567));
        assert_eq!(parse_integer("12,5", &FRENCH), None);
        assert_eq!(parse_integer("12,0", &FRENCH), None);
        assert_eq!(
            parse_integer("9223372036854775807", &FRENCH),
            Some(i64::MAX)
        );
        assert_eq!(parse_integer("9223372036854775808", &FRENCH), None);
        assert_eq!(parse_scaled("12,5", &FRENCH, 3), Some(12_500));
        assert_eq!(parse_scaled("0,125", &FRENCH, 3), Some(125));
        assert_eq!(parse_scaled("1", &FRENCH, 19), None);
    }

    #[test]
    fn date_forms() {
        let d = date(2026, 3, 14);
        assert_eq!(parse_date("14/03/2026", &df(Dmy, '/', false)), Some(d));
        assert_eq!(parse_date("14/03/26", &df(Dmy, '/', true)), Some(d));
        assert_eq!(parse_date("14-03-2026", &df(Dmy, '-', false)), Some(d));
        assert_eq!(parse_date("14.03.2026", &df(Dmy, '.', false)), Some(d));
        assert_eq!(parse_date("2026-03-14", &df(Ymd, '-', false)), Some(d));
        assert_eq!(parse_date("2026/03/14", &df(Ymd, '/', false)), Some(d));
        assert_eq!(parse_date("2026/3/14", &df(Ymd, '/', false)), Some(d));
        assert_eq!(parse_date("03/14/2026", &df(Mdy, '/', false)), Some(d));
        assert_eq!(parse_date("03/14/26", &df(Mdy, '/', true)), Some(d));
        assert_eq!(
            parse_date("10/17/10", &df(Mdy, '/', true)),
            Some(date(2010, 10, 17))
        );
        assert_eq!(parse_date(" 14/03/2026. ", &df(Dmy, '/', false)), Some(d));
        // Two-digit years pivot at 69.
        assert_eq!(
            parse_date("01/01/68", &df(Dmy, '/', true)),
            Some(date(2068, 1, 1))
        );
        assert_eq!(
            parse_date("01/01/69", &df(Dmy, '/', true)),
            Some(date(1969, 1, 1))
        );
        // Strict: wrong width, separator, order or calendar.
        assert_eq!(parse_date("14/03/26", &df(Dmy, '/', false)), None);
        assert_eq!(parse_date("14/03/2026", &df(Dmy, '/', true)), None);
        assert_eq!(parse_date("14-03-2026", &df(Dmy, '/', false)), None);
        assert_eq!(parse_date("10/17/10", &df(Dmy, '/', true)), None);
        assert_eq!(parse_date("31/02/2026", &df(Dmy, '/', false)), None);
        assert_eq!(parse_date("0000-00-00", &df(Ymd, '-', false)), None);
        assert_eq!(parse_date("14/03/2026 19:30", &df(Dmy, '/', false)), None);
        assert_eq!(parse_date("114/03/2026", &df(Dmy, '/', false)), None);
    }

    #[test]
    fn datetime_forms() {
        let dmy = df(Dmy, '/', false);
        let iso = df(Ymd, '-', false);
        assert_eq!(
            parse_datetime("14/03/2026 19:30", &dmy, &HM),
            Some(datetime(2026, 3, 14, 19, 30, 0))
        );
        assert_eq!(
            parse_datetime("14/03/2026  19:30:15", &dmy, &HMS),
            Some(datetime(2026, 3, 14, 19, 30, 15))
        );
        assert_eq!(
            parse_datetime("2026-03-14T19:30:00", &iso, &HMS),
            Some(datetime(2026, 3, 14, 19, 30, 0))
        );
        assert_eq!(
            parse_datetime("2026-03-14 19:30:00", &iso, &HMS),
            Some(datetime(2026, 3, 14, 19, 30, 0))
        );
        let with_millis = parse_datetime("2026-03-14 19:30:00.250", &iso, &HMS).unwrap();
        assert_eq!(with_millis.nanosecond(), 250_000_000);
        assert_eq!(
            parse_datetime("2010/10/14 p.m. 11:25:58.", &df(Ymd, '/', false), &HMS_AMPM),
            Some(datetime(2010, 10, 14, 23, 25, 58))
        );
        assert_eq!(
            parse_datetime("2010/9/19 a.m. 12:39:54.", &df(Ymd, '/', false), &HMS_AMPM),
            Some(datetime(2010, 9, 19, 0, 39, 54))
        );
        assert_eq!(
            parse_datetime("03/14/26 7:30 PM", &df(Mdy, '/', true), &HM_AMPM),
            Some(datetime(2026, 3, 14, 19, 30, 0))
        );
        // Strict about seconds, meridiem, 'T' outside ISO order and hours.
        assert_eq!(parse_datetime("14/03/2026 19:30", &dmy, &HMS), None);
        assert_eq!(parse_datetime("14/03/2026 19:30:15", &dmy, &HM), None);
        assert_eq!(parse_datetime("14/03/2026 7:30 pm", &dmy, &HM), None);
        assert_eq!(parse_datetime("14/03/2026 19:30 pm", &dmy, &HM_AMPM), None);
        assert_eq!(parse_datetime("14/03/2026T19:30", &dmy, &HM), None);
        assert_eq!(parse_datetime("14/03/202619:30", &dmy, &HM), None);
        assert_eq!(parse_datetime("14/03/2026 24:00", &dmy, &HM), None);
        assert_eq!(parse_datetime("14/03/2026 19:60", &dmy, &HM), None);
        assert_eq!(
            parse_datetime("14/03/2026 p.m. 11:25 a.m.", &dmy, &HM_AMPM),
            None
        );
    }

    #[test]
    fn meridiem_edges() {
        let at = |raw| parse_time(raw, &HM_AMPM);
        let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!(at("12:05 a.m."), hm(0, 5));
        assert_eq!(at("12:05 p.m."), hm(12, 5));
        assert_eq!(at("12:05 AM"), hm(0, 5));
        assert_eq!(at("12:05pm"), hm(12, 5));
        assert_eq!(at("a.m. 1:05"), hm(1, 5));
        assert_eq!(at("p.m. 11:05."), hm(23, 5));
        assert_eq!(at("11:05 P.M."), hm(23, 5));
        assert_eq!(at("0:05 am"), None);
        assert_eq!(at("13:05 pm"), None);
        assert_eq!(at("11:05 pmx"), None);
        assert_eq!(parse_time("15:00", &HM), hm(15, 0));
    }

    #[test]
    fn iso8601_with_offset() {
        let parsed = parse_iso8601("2026-03-14T19:30:00+01:00").unwrap();
        assert_eq!(parsed.offset().local_minus_utc(), 3600);
        assert_eq!(parsed.naive_local(), datetime(2026, 3, 14, 19, 30, 0));
        assert_eq!(parsed.naive_utc(), datetime(2026, 3, 14, 18, 30, 0));
        let zulu = parse_iso8601("2026-03-14T18:30:00Z").unwrap();
        assert_eq!(zulu, parsed);
        assert_eq!(parse_iso8601("2026-03-14 19:30+0100"), Some(parsed));
        assert_eq!(parse_iso8601("2026-03-14T19:30:00.000+01"), Some(parsed));
        assert_eq!(
            parse_iso8601("2026-03-14T12:00:00-09:30").map(|d| d.naive_utc()),
            Some(datetime(2026, 3, 14, 21, 30, 0))
        );
        for bad in [
            "2026-03-14T19:30:00",
            "2026-03-14T19:30:00+25:00",
            "2026-03-14T19:30:00+01:60",
            "2026-03-14T19:30:00+1",
            "2026-03-14T19:30:00Zx",
            "14/03/2026T19:30:00Z",
            "2026-02-30T19:30:00Z",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn day_month_order_decided_by_evidence() {
        // A first field above 12 proves day/month.
        let c = classify(["01/02/2026", "13/03/2026", "", "NULL"]);
        assert_eq!(c.kind, ValueKind::Date(df(Dmy, '/', false)));
        assert_eq!(c.ambiguity, None);
        assert_eq!((c.non_empty, c.failures), (2, 0));
        // A second field above 12 proves month/day.
        let c = classify(["01/02/2026", "03/14/2026"]);
        assert_eq!(c.kind, ValueKind::Date(df(Mdy, '/', false)));
        assert_eq!(c.ambiguity, None);
        // The real export's performance date.
        let c = classify(["10/17/10"; 3]);
        assert_eq!(c.kind, ValueKind::Date(df(Mdy, '/', true)));
        assert_eq!(c.ambiguity, None);
    }

    #[test]
    fn day_month_order_ambiguity_is_reported() {
        let c = classify(["01/02/2026", "03/04/2026 "]);
        assert_eq!(c.kind, ValueKind::Date(df(Dmy, '/', false)));
        assert_eq!(c.ambiguity, Some(Ambiguity::DayMonthOrder));
        assert!(c.ambiguity.unwrap().to_string().contains("day/month"));
        let c = classify(["01/02/2026 19:30", "03/04/2026 20:00"]);
        assert_eq!(
            c.kind,
            ValueKind::DateTime {
                date: df(Dmy, '/', false),
                time: HM
            }
        );
        assert_eq!(c.ambiguity, Some(Ambiguity::DayMonthOrder));
        // Both orders read the same dates: nothing to report.
        let c = classify(["05/05/2026", "11/11/2026"]);
        assert_eq!(c.kind, ValueKind::Date(df(Dmy, '/', false)));
        assert_eq!(c.ambiguity, None);
    }

    #[test]
    fn contradictory_dates_are_text_with_a_report() {
        let c = classify(["13/01/2026", "01/13/2026", "14/01/2026"]);
        assert_eq!(c.kind, ValueKind::Text);
        assert_eq!(c.failures, 1);
        let Some(Ambiguity::Mixed(message)) = c.ambiguity else {
            panic!("expected a mixed report, got {c:?}");
        };
        assert!(
            message.contains("dd/mm/yyyy") && message.contains("01/13/2026"),
            "{message}"
        );
        // Dates mixed with date-times.
        let c = classify(["14/03/2026", "14/03/2026 19:30"]);
        assert_eq!((c.kind, c.failures), (ValueKind::Text, 1));
    }

    #[test]
    fn other_kinds() {
        let c = classify(["2026-03-14", "2026-03-15"]);
        assert_eq!(c.kind, ValueKind::Date(df(Ymd, '-', false)));
        let c = classify(["2026-03-14T19:30:00", "2026-03-14 20:00:00"]);
        assert_eq!(
            c.kind,
            ValueKind::DateTime {
                date: df(Ymd, '-', false),
                time: HMS
            }
        );
        let c = classify(["2026-03-14T19:30:00+01:00", "2026-07-14T21:00:00Z"]);
        assert_eq!(c.kind, ValueKind::Iso8601);
        let c = classify(["15:00", "20:30"]);
        assert_eq!(c.kind, ValueKind::Time(HM));
        let c = classify(["Le Misanthrope", "NA", "Tartuffe"]);
        assert_eq!(
            (c.kind, c.ambiguity, c.failures),
            (ValueKind::Text, None, 0)
        );
        let c = classify(["", "-", "null"]);
        assert_eq!((c.kind, c.non_empty), (ValueKind::Empty, 0));
        assert_eq!(classify([]).kind, ValueKind::Empty);
    }

    #[test]
    fn numbers_classified() {
        let c = classify(["1 234", "56", "-7"]);
        assert_eq!(
            c.kind,
            ValueKind::Integer(NumberFormat {
                decimal: Decimal::Comma,
                thousands: Some(' '),
                currency: false
            })
        );
        assert_eq!(c.ambiguity, None);
        let c = classify(["12 345,50 €", "3 €", "0,5 €"]);
        assert_eq!(c.kind, ValueKind::Decimal(FRENCH));
        assert_eq!(c.ambiguity, None);
        let c = classify(["€12,345.50", "€3.00"]);
        assert_eq!(c.kind, ValueKind::Decimal(ENGLISH));
        assert_eq!(c.ambiguity, None);
        let c = classify(["1.234,5", "12"]);
        assert_eq!(
            c.kind,
            ValueKind::Decimal(NumberFormat {
                decimal: Decimal::Comma,
                thousands: Some('.'),
                currency: false
            })
        );
        // Codes with leading zeros stay text.
        assert_eq!(classify(["01000", "75001"]).kind, ValueKind::Text);
        // Several currencies are reported.
        let c = classify(["12 €", "$3"]);
        assert!(matches!(c.kind, ValueKind::Integer(_)));
        assert!(matches!(c.ambiguity, Some(Ambiguity::Mixed(_))));
    }

    #[test]
    fn decimal_separator_ambiguity() {
        // Only "comma + three digits": reported, read the French way.
        let c = classify(["1,234", "5,678"]);
        assert_eq!(c.kind, ValueKind::Decimal(PLAIN_COMMA));
        assert_eq!(c.ambiguity, Some(Ambiguity::DecimalSeparator));
        assert!(c.ambiguity.unwrap().to_string().contains("thousands"));
        // One or two digits after a comma is evidence: comma decimals.
        let c = classify(["1,234", "3,5"]);
        assert_eq!(c.kind, ValueKind::Decimal(PLAIN_COMMA));
        assert_eq!(c.ambiguity, None);
        // Two commas is evidence: comma thousands.
        let c = classify(["1,234", "1,234,567"]);
        assert_eq!(
            c.kind,
            ValueKind::Integer(NumberFormat {
                decimal: Decimal::Point,
                thousands: Some(','),
                currency: false
            })
        );
        assert_eq!(c.ambiguity, None);
        // Point + three digits: the French reading is thousands.
        let c = classify(["1.234"]);
        assert_eq!(
            c.kind,
            ValueKind::Integer(NumberFormat {
                decimal: Decimal::Comma,
                thousands: Some('.'),
                currency: false
            })
        );
        assert_eq!(c.ambiguity, Some(Ambiguity::DecimalSeparator));
        // "12.50" settles it.
        let c = classify(["1.234", "12.50"]);
        assert_eq!(
            c.kind,
            ValueKind::Decimal(NumberFormat {
                decimal: Decimal::Point,
                thousands: None,
                currency: false
            })
        );
        assert_eq!(c.ambiguity, None);
    }

    #[test]
    fn concert_taipei_2010_columns() {
        // A sample of CREATE_DATE from /work/shared/data/tickets/concert_taipei_2010.csv.
        let sample = include_str!("../tests/fixtures/values/taipei_2010_create_date.txt");
        let c = classify(sample.lines());
        assert_eq!(
            c.kind,
            ValueKind::DateTime {
                date: df(Ymd, '/', false),
                time: HMS_AMPM
            }
        );
        assert_eq!(c.ambiguity, None);
        assert_eq!((c.non_empty, c.failures), (sample.lines().count(), 0));
        let ValueKind::DateTime { date, time } = c.kind else {
            unreachable!()
        };
        for line in sample.lines() {
            assert!(parse_datetime(line, &date, &time).is_some(), "{line}");
        }
        // PLAY_DATE, PLAY_TIME and PRICE.
        assert_eq!(
            classify(["10/17/10", "10/17/10"]).kind,
            ValueKind::Date(df(Mdy, '/', true))
        );
        assert_eq!(classify(["15:00"]).kind, ValueKind::Time(HM));
        assert!(matches!(
            classify(["1800", "800", "3500"]).kind,
            ValueKind::Integer(_)
        ));
    }

    #[test]
    fn display_messages() {
        assert_eq!(df(Dmy, '/', false).to_string(), "dd/mm/yyyy");
        assert_eq!(df(Ymd, '-', false).to_string(), "yyyy-mm-dd");
        assert_eq!(HMS_AMPM.to_string(), "hh:mm:ss a.m./p.m.");
        assert_eq!(
            ValueKind::Decimal(FRENCH).to_string(),
            "decimal numbers (decimal ',', thousands space, currency sign)"
        );
        assert_eq!(Ambiguity::Mixed("x".into()).to_string(), "x");
    }

    fn all_parsers(s: &str) {
        let _ = is_empty_marker(s);
        for format in [FRENCH, ENGLISH, PLAIN_COMMA] {
            let _ = parse_cents(s, &format);
            let _ = parse_integer(s, &format);
            let _ = parse_scaled(s, &format, 18);
        }
        for order in [Dmy, Ymd, Mdy] {
            for two in [false, true] {
                let date = df(order, '/', two);
                let _ = parse_date(s, &date);
                for time in [HM, HMS, HM_AMPM, HMS_AMPM] {
                    let _ = parse_datetime(s, &date, &time);
                    let _ = parse_time(s, &time);
                }
            }
        }
        let _ = parse_iso8601(s);
    }

    proptest! {
        #[test]
        fn nothing_panics_on_printable(s in "\\PC*", t in "\\PC*") {
            all_parsers(&s);
            let c = classify([s.as_str(), t.as_str()]);
            let _ = c.ambiguity.map(|a| a.to_string());
            let _ = c.kind.to_string();
        }

        #[test]
        fn nothing_panics_on_anything(s in ".*") {
            all_parsers(&s);
            let _ = classify([s.as_str()]);
        }

        #[test]
        fn nothing_panics_on_near_values(
            s in "[-€$ 0-9.,'apmAPM:/T+Z\u{a0}\u{202f}]{0,24}",
            t in "[-0-9./: apm]{0,24}",
        ) {
            all_parsers(&s);
            all_parsers(&t);
            let _ = classify([s.as_str(), t.as_str()]);
        }

        #[test]
        fn french_cents_round_trip(cents in -1_000_000_000_000i64..1_000_000_000_000) {
            let abs = cents.unsigned_abs();
            let units = (abs / 100).to_string();
            let mut grouped = String::new();
            for (i, c) in units.chars().enumerate() {
                if i > 0 && (units.len() - i) % 3 == 0 {
                    grouped.push('\u{202f}');
                }
                grouped.push(c);
            }
            let sign = if cents < 0 { "-" } else { "" };
            let written = format!("{sign}{grouped},{:02}\u{a0}€", abs % 100);
            prop_assert_eq!(parse_cents(&written, &FRENCH), Some(cents));
        }
    }
}
