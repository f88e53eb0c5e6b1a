//! The report's running text, written from the figures in French and in English: each sentence
//! chosen by what the figures say (up, down or steady; over or under way), with plurals and
//! agreements right in each language. Every number in it is a [`Figure`].

use jauge_analytics::places::BANDS;
use jauge_analytics::{fill_by, shows_by_fill_rate};
use jauge_model::{Discipline, Lang};

use crate::document::{Figure, GroupField, Measure, Span, SummaryField};
use crate::format;
use crate::season::{SeasonFigures, compared, season_figure};

/// A paragraph being written.
#[derive(Default)]
struct Paragraph(Vec<Span>);

impl Paragraph {
    fn text(&mut self, text: impl Into<String>) -> &mut Self {
        let text = text.into();
        match self.0.last_mut() {
            Some(Span::Text(last)) => last.push_str(&text),
            _ => self.0.push(Span::Text(text)),
        }
        self
    }

    fn figure(&mut self, figure: Figure) -> &mut Self {
        self.0.push(Span::Figure(figure));
        self
    }

    fn done(self) -> Option<Vec<Span>> {
        (!self.0.is_empty()).then_some(self.0)
    }
}

/// Whether a count takes the plural: from 2 in French, for all but 1 in English.
fn plural(n: f64, lang: Lang) -> bool {
    match lang {
        Lang::Fr => n.abs() >= 2.0,
        Lang::En => n != 1.0,
    }
}

/// The word for `n` things: singular or plural in `lang`.
fn noun<'a>(n: f64, lang: Lang, fr: (&'a str, &'a str), en: (&'a str, &'a str)) -> &'a str {
    let (one, many) = match lang {
        Lang::Fr => fr,
        Lang::En => en,
    };
    if plural(n, lang) { many } else { one }
}

/// A show's title in the language's quotation marks.
fn title(show: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("«\u{a0}{show}\u{a0}»"),
        Lang::En => format!("“{show}”"),
    }
}

/// A discipline as a sentence names it, and whether it is plural.
fn discipline(d: Discipline, lang: Lang) -> (&'static str, bool) {
    match lang {
        Lang::Fr => match d {
            Discipline::Theatre => ("le théâtre", false),
            Discipline::Dance => ("la danse", false),
            Discipline::Music => ("la musique", false),
            Discipline::Opera => ("l'opéra", false),
            Discipline::MusicalTheatre => ("la comédie musicale", false),
            Discipline::Circus => ("le cirque", false),
            Discipline::StreetArts => ("les arts de la rue", true),
            Discipline::Puppetry => ("la marionnette", false),
            Discipline::Comedy => ("l'humour", false),
            Discipline::Storytelling => ("le conte", false),
            Discipline::Cabaret => ("le cabaret", false),
            Discipline::Multidisciplinary => ("les spectacles pluridisciplinaires", true),
            Discipline::Other => ("les autres disciplines", true),
        },
        Lang::En => match d {
            Discipline::Theatre => ("theatre", false),
            Discipline::Dance => ("dance", false),
            Discipline::Music => ("music", false),
            Discipline::Opera => ("opera", false),
            Discipline::MusicalTheatre => ("musical theatre", false),
            Discipline::Circus => ("circus", false),
            Discipline::StreetArts => ("street arts", true),
            Discipline::Puppetry => ("puppetry", false),
            Discipline::Comedy => ("comedy", false),
            Discipline::Storytelling => ("storytelling", false),
            Discipline::Cabaret => ("cabaret", false),
            Discipline::Multidisciplinary => ("multidisciplinary shows", true),
            Discipline::Other => ("other disciplines", true),
        },
    }
}

/// A change in points as words: `3,1 points`, `0,5 point`, `1 point`, `1.5 points`.
fn points_in_words(figure: &Figure, lang: Lang) -> Figure {
    let points = (figure.value.abs() * 1000.0).round() / 10.0;
    let number = format::decimal(points, lang);
    let number = number
        .strip_suffix(",0")
        .or_else(|| number.strip_suffix(".0"))
        .unwrap_or(&number)
        .to_owned();
    Figure {
        measure: figure.measure.clone(),
        value: figure.value,
        shown: format!(
            "{number}\u{a0}{}",
            noun(points, lang, ("point", "points"), ("point", "points"))
        ),
    }
}

/// A relative change without its sign: `8,2 %`.
fn percent_unsigned(figure: &Figure, lang: Lang) -> Figure {
    Figure {
        measure: figure.measure.clone(),
        value: figure.value,
        shown: format::percent(figure.value.abs(), lang),
    }
}

/// Below this change (half a point, half a percent) a figure is told as steady.
const STEADY: f64 = 0.005;

/// The first paragraph: attendance, performances, fill rate, and how it moved.
pub(crate) fn overview(f: &SeasonFigures, lang: Lang) -> Vec<Vec<Span>> {
    let mut p = Paragraph::default();
    let (Some(tickets), Some(performances)) = (
        season_figure(f, SummaryField::Tickets, lang),
        season_figure(f, SummaryField::Performances, lang),
    ) else {
        return Vec::new();
    };
    let label = f.season.label();
    let previous = f.season.previous().label();
    let (n_tickets, n_performances) = (tickets.value, performances.value);
    match (lang, f.under_way()) {
        (Lang::Fr, false) => p
            .text(format!("La saison {label} a réuni "))
            .figure(tickets)
            .text(format!(
                " {} sur ",
                noun(n_tickets, lang, ("entrée", "entrées"), ("", ""))
            ))
            .figure(performances)
            .text(format!(
                " {}",
                noun(
                    n_performances,
                    lang,
                    ("représentation", "représentations"),
                    ("", "")
                )
            )),
        (Lang::Fr, true) => p
            .text(format!(
                "Au {}, la saison {label} compte ",
                format::date(f.today, lang)
            ))
            .figure(tickets)
            .text(format!(
                " {} pour ",
                noun(
                    n_tickets,
                    lang,
                    ("billet vendu", "billets vendus"),
                    ("", "")
                )
            ))
            .figure(performances)
            .text(format!(
                " {}",
                noun(
                    n_performances,
                    lang,
                    ("représentation programmée", "représentations programmées"),
                    ("", "")
                )
            )),
        (Lang::En, false) => p
            .text(format!("Season {label} drew "))
            .figure(tickets)
            .text(format!(
                " {} over ",
                noun(n_tickets, lang, ("", ""), ("admission", "admissions"))
            ))
            .figure(performances)
            .text(format!(
                " {}",
                noun(
                    n_performances,
                    lang,
                    ("", ""),
                    ("performance", "performances")
                )
            )),
        (Lang::En, true) => p
            .text(format!(
                "As of {}, season {label} has sold ",
                format::date(f.today, lang)
            ))
            .figure(tickets)
            .text(format!(
                " {} for ",
                noun(n_tickets, lang, ("", ""), ("ticket", "tickets"))
            ))
            .figure(performances)
            .text(format!(
                " scheduled {}",
                noun(
                    n_performances,
                    lang,
                    ("", ""),
                    ("performance", "performances")
                )
            )),
    };
    if let Some(fill) = season_figure(f, SummaryField::FillRate, lang) {
        p.text(lang.pick(", soit un taux de remplissage de ", ", a fill rate of "))
            .figure(fill)
            .text(".");
    } else {
        p.text(".");
    }
    if let Some((before, change)) = compared(f, SummaryField::FillRate, lang) {
        let at_same_date = f.before.as_ref().is_some_and(|b| b.same_date.is_some());
        let then = match (lang, at_same_date) {
            (Lang::Fr, true) => format!("la saison {previous} à la même date"),
            (Lang::Fr, false) => format!("la saison {previous}"),
            (Lang::En, true) => format!("season {previous} at the same date"),
            (Lang::En, false) => format!("season {previous}"),
        };
        if change.value.abs() < STEADY {
            match lang {
                Lang::Fr => p.text(format!(" Le remplissage est stable par rapport à {then} (")),
                Lang::En => p.text(format!(" Fill rate held steady compared with {then} (")),
            }
            .figure(before)
            .text(").");
        } else {
            let words = points_in_words(&change, lang);
            let up = change.value > 0.0;
            match lang {
                Lang::Fr => p.text(if up {
                    " Le remplissage progresse de "
                } else {
                    " Le remplissage recule de "
                }),
                Lang::En => p.text(if up {
                    " Fill rate is up "
                } else {
                    " Fill rate is down "
                }),
            }
            .figure(words);
            match lang {
                Lang::Fr => p.text(format!(" par rapport à {then}, qui affichait ")),
                Lang::En => p.text(format!(" on {then}, when it stood at ")),
            }
            .figure(before)
            .text(".");
        }
    }
    if let Some(cancelled) = season_figure(f, SummaryField::CancelledPerformances, lang)
        && cancelled.value > 0.0
    {
        let many = plural(cancelled.value, lang);
        match lang {
            Lang::Fr if !many => p.text(" Une représentation annulée n'y figure pas."),
            Lang::Fr => p
                .text(" ")
                .figure(cancelled)
                .text(" représentations annulées n'y figurent pas."),
            Lang::En if !many => p.text(" One cancelled performance is left out."),
            Lang::En => p
                .text(" ")
                .figure(cancelled)
                .text(" cancelled performances are left out."),
        };
    }
    p.done().into_iter().collect()
}

/// Revenue, average price, and the weight of subscriptions and free tickets.
pub(crate) fn sales(f: &SeasonFigures, lang: Lang) -> Vec<Vec<Span>> {
    let mut out = Vec::new();
    let Some(revenue) = season_figure(f, SummaryField::Revenue, lang) else {
        return out;
    };
    let previous = f.season.previous().label();
    let mut p = Paragraph::default();
    p.text(lang.pick("La billetterie a rapporté ", "Ticket revenue came to "))
        .figure(revenue)
        .text(lang.pick(" TTC", " including VAT"));
    if let Some((_, change)) = compared(f, SummaryField::Revenue, lang) {
        let at_same_date = f.before.as_ref().is_some_and(|b| b.same_date.is_some());
        let then = match (lang, at_same_date) {
            (Lang::Fr, true) => format!("la saison {previous} à la même date"),
            (Lang::Fr, false) => format!("la saison {previous}"),
            (Lang::En, true) => format!("season {previous} at the same date"),
            (Lang::En, false) => format!("season {previous}"),
        };
        if change.value.abs() < STEADY {
            match lang {
                Lang::Fr => p.text(format!(", un montant proche de celui de {then}")),
                Lang::En => p.text(format!(", close to {then}")),
            };
        } else {
            let up = change.value > 0.0;
            match lang {
                Lang::Fr => p.text(if up {
                    ", en hausse de "
                } else {
                    ", en baisse de "
                }),
                Lang::En => p.text(if up { ", up " } else { ", down " }),
            }
            .figure(percent_unsigned(&change, lang))
            .text(match lang {
                Lang::Fr => format!(" sur {then}"),
                Lang::En => format!(" on {then}"),
            });
        }
    }
    p.text(".");
    if let Some(average) = season_figure(f, SummaryField::AveragePrice, lang) {
        p.text(lang.pick(
            " Le prix moyen d'un billet payant s'établit à ",
            " A paid ticket cost ",
        ))
        .figure(average)
        .text(lang.pick(".", " on average."));
    }
    let subscription =
        season_figure(f, SummaryField::SubscriptionShare, lang).filter(|s| s.value > 0.0);
    let free = season_figure(f, SummaryField::FreeTicketShare, lang).filter(|s| s.value > 0.0);
    match (subscription, free) {
        (Some(s), Some(g)) => {
            p.text(lang.pick(
                " Les abonnements représentent ",
                " Subscriptions account for ",
            ))
            .figure(s)
            .text(lang.pick(
                " des billets, les gratuités ",
                " of tickets, free tickets for ",
            ))
            .figure(g)
            .text(".");
        }
        (Some(s), None) => {
            p.text(lang.pick(
                " Les abonnements représentent ",
                " Subscriptions account for ",
            ))
            .figure(s)
            .text(lang.pick(" des billets.", " of tickets."));
        }
        (None, Some(g)) => {
            p.text(lang.pick(" Les gratuités représentent ", " Free tickets account for "))
                .figure(g)
                .text(lang.pick(" des billets.", " of tickets."));
        }
        (None, None) => {}
    }
    out.extend(p.done());
    if let Some(before) = &f.before
        && before.same_date.is_some()
        && let Some((then, _)) = compared(f, SummaryField::Tickets, lang)
    {
        let mut p = Paragraph::default();
        let n = then.value;
        match lang {
            Lang::Fr => p
                .text(format!("À la même date, la saison {previous} avait vendu "))
                .figure(then)
                .text(format!(
                    " {}.",
                    noun(n, lang, ("billet", "billets"), ("", ""))
                )),
            Lang::En => p
                .text(format!("At the same date, season {previous} had sold "))
                .figure(then)
                .text(format!(
                    " {}.",
                    noun(n, lang, ("", ""), ("ticket", "tickets"))
                )),
        };
        out.extend(p.done());
    }
    out
}

fn fill(measure: Measure, rate: f64, lang: Lang) -> Figure {
    Figure {
        measure,
        value: rate,
        shown: format::percent(rate, lang),
    }
}

/// The fullest and emptiest shows, disciplines and halls.
pub(crate) fn shows(f: &SeasonFigures, lang: Lang) -> Vec<Vec<Span>> {
    let mut out = Vec::new();
    let ranked: Vec<_> = shows_by_fill_rate(&f.performances)
        .into_iter()
        .filter(|s| s.fill_rate.is_some())
        .collect();
    if let Some(top) = ranked.first() {
        let mut p = Paragraph::default();
        let rate = top.fill_rate.unwrap_or_default();
        let n = top.performances as f64;
        let performances = Figure {
            measure: Measure::Show(top.show.clone(), GroupField::Performances),
            value: n,
            shown: format::count(top.performances, lang),
        };
        let fill_figure = fill(
            Measure::Show(top.show.clone(), GroupField::FillRate),
            rate,
            lang,
        );
        match lang {
            Lang::Fr => p
                .text(format!(
                    "{} {} le spectacle le plus demandé, rempli à ",
                    title(&top.show, lang),
                    if f.under_way() {
                        "est pour l'instant"
                    } else {
                        "a été"
                    }
                ))
                .figure(fill_figure)
                .text(" sur ")
                .figure(performances)
                .text(format!(
                    " {}.",
                    noun(n, lang, ("représentation", "représentations"), ("", ""))
                )),
            Lang::En => p
                .text(format!(
                    "{} {} the most sought-after show, filling ",
                    title(&top.show, lang),
                    if f.under_way() { "is so far" } else { "was" }
                ))
                .figure(fill_figure)
                .text(" of seats over ")
                .figure(performances)
                .text(format!(
                    " {}.",
                    noun(n, lang, ("", ""), ("performance", "performances"))
                )),
        };
        if ranked.len() >= 3
            && let Some(bottom) = ranked.last()
        {
            let rate = fill(
                Measure::Show(bottom.show.clone(), GroupField::FillRate),
                bottom.fill_rate.unwrap_or_default(),
                lang,
            );
            match lang {
                Lang::Fr => p
                    .text(format!(
                        " À l'autre bout, {} n'a rempli que ",
                        title(&bottom.show, lang)
                    ))
                    .figure(rate)
                    .text(" de sa jauge."),
                Lang::En => p
                    .text(format!(
                        " At the other end, {} filled only ",
                        title(&bottom.show, lang)
                    ))
                    .figure(rate)
                    .text(" of its capacity."),
            };
        }
        out.extend(p.done());
    }
    let by_discipline: Vec<_> = fill_by(&f.performances, |p| p.discipline)
        .into_iter()
        .filter_map(|(d, fill)| Some((d, fill.fill_rate?)))
        .collect();
    let by_hall: Vec<_> = fill_by(&f.performances, |p| p.hall.clone())
        .into_iter()
        .filter_map(|(h, fill)| Some((h, fill.fill_rate?)))
        .collect();
    let mut p = Paragraph::default();
    if by_discipline.len() >= 2 {
        let best = by_discipline
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("two or more");
        let worst = by_discipline
            .iter()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("two or more");
        let (best_name, best_many) = discipline(best.0, lang);
        let (worst_name, _) = discipline(worst.0, lang);
        let best_rate = fill(
            Measure::Discipline(best.0, GroupField::FillRate),
            best.1,
            lang,
        );
        let worst_rate = fill(
            Measure::Discipline(worst.0, GroupField::FillRate),
            worst.1,
            lang,
        );
        match lang {
            Lang::Fr => p
                .text(format!(
                    "Par discipline, {best_name} {} le meilleur remplissage (",
                    if best_many { "obtiennent" } else { "obtient" }
                ))
                .figure(best_rate)
                .text(format!(") et {worst_name} le plus faible ("))
                .figure(worst_rate)
                .text(")."),
            Lang::En => p
                .text(format!(
                    "By discipline, {best_name} had the highest fill rate ("
                ))
                .figure(best_rate)
                .text(format!(") and {worst_name} the lowest ("))
                .figure(worst_rate)
                .text(")."),
        };
    }
    if by_hall.len() >= 2 {
        let best = by_hall
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("two or more");
        let worst = by_hall
            .iter()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("two or more");
        if !p.0.is_empty() {
            p.text(" ");
        }
        p.text(lang.pick(
            "D'une salle à l'autre, le remplissage va de ",
            "From one hall to another, fill rates range from ",
        ))
        .figure(fill(
            Measure::Hall(worst.0.clone(), GroupField::FillRate),
            worst.1,
            lang,
        ))
        .text(format!(" ({}) {} ", worst.0, lang.pick("à", "to")))
        .figure(fill(
            Measure::Hall(best.0.clone(), GroupField::FillRate),
            best.1,
            lang,
        ))
        .text(format!(" ({}).", best.0));
    }
    out.extend(p.done());
    out
}

/// Who came, how many for the first time, who came back, and where they live.
pub(crate) fn audiences(f: &SeasonFigures, lang: Lang) -> Vec<Vec<Span>> {
    let mut out = Vec::new();
    let mut p = Paragraph::default();
    if let Some(patrons) = season_figure(f, SummaryField::Patrons, lang)
        && patrons.value > 0.0
    {
        let n = patrons.value;
        let many = plural(n, lang);
        match lang {
            Lang::Fr => p.text("Au total, ").figure(patrons).text(if many {
                " personnes ont acheté au moins un billet pour la saison"
            } else {
                " personne a acheté au moins un billet pour la saison"
            }),
            Lang::En => p.text("In all, ").figure(patrons).text(if many {
                " people bought at least one ticket for the season"
            } else {
                " person bought at least one ticket for the season"
            }),
        };
        match season_figure(f, SummaryField::FirstTimerShare, lang) {
            Some(share) if many => {
                p.text(lang.pick(" ; ", "; ")).figure(share).text(lang.pick(
                    " d'entre elles venaient pour la première fois.",
                    " of them were coming for the first time.",
                ));
            }
            _ => {
                p.text(".");
            }
        }
        if let Some(retention) = season_figure(f, SummaryField::Retention, lang) {
            let previous = f.season.previous().label();
            match lang {
                Lang::Fr => p
                    .text(format!(" Parmi les spectateurs de la saison {previous}, "))
                    .figure(retention)
                    .text(if f.under_way() {
                        " sont déjà revenus."
                    } else {
                        " sont revenus."
                    }),
                Lang::En => p
                    .text(format!(" Of season {previous}'s audience, "))
                    .figure(retention)
                    .text(if f.under_way() {
                        " have already come back."
                    } else {
                        " came back."
                    }),
            };
        }
    }
    out.extend(p.done());
    let g = &f.geography;
    let placed = g.buyers - g.unplaced;
    if placed > 0 {
        let mut p = Paragraph::default();
        let share = |i: usize| {
            let within: u64 = g.bands[..=i].iter().sum();
            let value = within as f64 / placed as f64;
            Figure {
                measure: Measure::BandShare(i),
                value,
                shown: format::percent(value, lang),
            }
        };
        let far = BANDS.len() - 2;
        match lang {
            Lang::Fr => p
                .text("Parmi les acheteurs dont l'adresse est connue, ")
                .figure(share(0))
                .text(" habitent à moins de 10\u{a0}km du lieu, et ")
                .figure(share(far))
                .text(" à moins de 60\u{a0}km."),
            Lang::En => p
                .text("Of the buyers with a known address, ")
                .figure(share(0))
                .text(" live within 10\u{a0}km of the venue, and ")
                .figure(share(far))
                .text(" within 60\u{a0}km."),
        };
        if g.departements.len() >= 2
            && let Some((code, name, n)) = g.departements.first()
        {
            let count = Figure {
                measure: Measure::DepartementBuyers(code.clone()),
                value: *n as f64,
                shown: format::count(*n, lang),
            };
            match lang {
                Lang::Fr => p
                    .text(format!(
                        " Département le plus représenté\u{a0}: {name} ({code}), avec "
                    ))
                    .figure(count)
                    .text(format!(
                        " {}.",
                        noun(*n as f64, lang, ("acheteur", "acheteurs"), ("", ""))
                    )),
                Lang::En => p
                    .text(format!(" {name} ({code}) leads the départements with "))
                    .figure(count)
                    .text(format!(
                        " {}.",
                        noun(*n as f64, lang, ("", ""), ("buyer", "buyers"))
                    )),
            };
        }
        out.extend(p.done());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_follow_each_language() {
        // French: singular under 2, English: plural but for 1.
        assert!(!plural(0.0, Lang::Fr) && plural(0.0, Lang::En));
        assert!(!plural(1.5, Lang::Fr) && plural(1.5, Lang::En));
        assert!(!plural(1.0, Lang::Fr) && !plural(1.0, Lang::En));
        assert!(plural(2.0, Lang::Fr) && plural(2.0, Lang::En));
    }

    #[test]
    fn points_are_written_out_with_their_plural() {
        let change = |value| Figure {
            measure: Measure::Change(SummaryField::FillRate),
            value,
            shown: String::new(),
        };
        assert_eq!(
            points_in_words(&change(0.031), Lang::Fr).shown,
            "3,1\u{a0}points"
        );
        assert_eq!(
            points_in_words(&change(-0.015), Lang::Fr).shown,
            "1,5\u{a0}point"
        );
        assert_eq!(
            points_in_words(&change(0.01), Lang::En).shown,
            "1\u{a0}point"
        );
        assert_eq!(
            points_in_words(&change(0.005), Lang::En).shown,
            "0.5\u{a0}points"
        );
    }
}
