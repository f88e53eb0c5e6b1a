//! A quarter's declaration as SIBIL's API takes it (JSON), as a table for entering it by hand
//! (CSV, French conventions), and as a summary to read.

use std::fmt::Write;

use jauge_model::{Lang, TariffCategory};

use crate::declaration::{Built, Declaration, Severity, SibilClass};

/// The declarations, as the body of SIBIL's API calls (one object per performance).
pub fn json(built: &Built) -> String {
    serde_json::to_string_pretty(&built.declarations).expect("declarations serialise")
}

/// Euros with a decimal comma, as French forms want them.
fn euros(cents: u64) -> String {
    format!("{},{:02}", cents / 100, cents % 100)
}

fn optional_euros(cents: Option<f64>) -> String {
    cents.map_or(String::new(), |c| euros(c.round() as u64))
}

/// The declarations as a table with one row per performance, in SIBIL's field order, for
/// entering them in SIBIL's forms by hand (`;`, decimal commas).
pub fn csv(built: &Built) -> String {
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let _ = out.write_record([
        "idExtBilletterie",
        "dateHeureRepresentationUnique",
        "spectacle",
        "compagnie",
        "domaine",
        "nbBilletsTotalBilletterie",
        "recetteTotalBilletterie",
        "prixMoyenTotalBilletterie",
        "nbBilletsTarifPlein",
        "recetteTarifPlein",
        "prixMoyenTarifPlein",
        "nbBilletsTarifAbonnementForfait",
        "nbBilletsExoneres",
        "jauge",
        "jeunePublic",
        "coProduction",
        "lieu",
        "typeLieu",
        "festival",
    ]);
    let yes_no = |b: bool| if b { "oui" } else { "non" };
    for d in &built.declarations {
        let _ = out.write_record([
            d.id_ext_billetterie.clone(),
            d.date_heure_representation_unique.clone(),
            d.spectacle_champs.critere1.clone(),
            d.spectacle_champs.critere2.clone().unwrap_or_default(),
            d.domaine_representation_libelle.clone().unwrap_or_default(),
            d.nb_billets_total_billetterie.to_string(),
            euros(d.recette_total_billetterie.get()),
            optional_euros(d.prix_moyen_total_billetterie),
            d.nb_billets_tarif_plein.to_string(),
            euros(d.recette_tarif_plein.get()),
            optional_euros(d.prix_moyen_tarif_plein),
            d.nb_billets_tarif_abonnement_forfait.to_string(),
            d.nb_billets_exoneres.to_string(),
            d.jauge.map_or(String::new(), |j| j.to_string()),
            yes_no(d.jeune_public).to_owned(),
            yes_no(d.co_production).to_owned(),
            d.lieu_champs.nom.clone(),
            d.lieu_champs.type_lieu.unwrap_or_default().to_owned(),
            d.festival_champs
                .as_ref()
                .map(|f| f.nom.clone())
                .unwrap_or_default(),
        ]);
    }
    String::from_utf8(out.into_inner().expect("writing to memory")).expect("UTF-8 text")
}

/// The quarter's totals over its declarations.
pub fn totals(declarations: &[Declaration]) -> (u64, u64) {
    declarations.iter().fold((0, 0), |(t, r), d| {
        (
            t + d.nb_billets_total_billetterie,
            r + d.recette_total_billetterie.get(),
        )
    })
}

/// A summary to read: the quarter's totals, how tariff categories are counted, the problems.
pub fn summary(built: &Built, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let mut out = String::new();
    let (tickets, revenue) = totals(&built.declarations);
    let _ = writeln!(
        out,
        "{} {} : {} {}, {} {}, {} € {}.",
        if fr {
            "Déclaration SIBIL"
        } else {
            "SIBIL declaration"
        },
        built.quarter,
        built.declarations.len(),
        if fr {
            "représentation(s)"
        } else {
            "performance(s)"
        },
        tickets,
        if fr { "billets" } else { "tickets" },
        euros(revenue),
        if fr { "TTC" } else { "incl. VAT" },
    );
    if built.cancelled > 0 {
        let _ = writeln!(
            out,
            "{} {}",
            built.cancelled,
            if fr {
                "représentation(s) annulée(s), non déclarée(s)."
            } else {
                "cancelled performance(s), not declared."
            }
        );
    }
    let _ = writeln!(
        out,
        "\n{}",
        if fr {
            "Catégories de tarif et rubriques SIBIL :"
        } else {
            "Tariff categories and SIBIL's figures:"
        }
    );
    for &category in TariffCategory::ALL {
        let _ = writeln!(
            out,
            "  {:<28} → {}",
            category.label(lang),
            SibilClass::of(category).label(lang)
        );
    }
    let (errors, warnings): (Vec<_>, Vec<_>) = built
        .problems
        .iter()
        .partition(|p| p.severity() == Severity::Error);
    if built.problems.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            if fr {
                "Vérifications : tout est en ordre."
            } else {
                "Checks: all in order."
            }
        );
    }
    for (title, list) in [
        (
            if fr {
                "À corriger avant l'envoi"
            } else {
                "To correct before sending"
            },
            errors,
        ),
        (if fr { "À savoir" } else { "Worth knowing" }, warnings),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} :");
        for p in list {
            let _ = writeln!(out, "  - {}", p.message(lang));
        }
    }
    out
}
