//! The season report's figures, read from the store for `jauge report` and for the pages
//! `/bilan` (HTML) and `/bilan.pdf`.

use jauge_analytics::calendar::season_summary_until;
use jauge_analytics::places::audience_geography;
use jauge_analytics::season_summary;
use jauge_model::{Lang, Season, SourceKind};
use jauge_report::season::{Before, SeasonFigures, SourceLine};
use jauge_store::{Store, StoreError};

fn kind_label(kind: SourceKind, lang: Lang) -> &'static str {
    match kind {
        SourceKind::TicketingExport => lang.pick("Export de billetterie", "Ticketing export"),
        SourceKind::EmailingExport => lang.pick("Export d'emailing", "Emailing export"),
        SourceKind::CrmExport => lang.pick("Export de CRM", "CRM export"),
        SourceKind::Pretix => lang.pick("Connexion pretix", "pretix connection"),
    }
}

/// Everything the report of `season` shows, read from the store's rollups and computed by the
/// analytics, as it stands on `today` (the venue's local day): a season under way is compared
/// with the previous one a year before. `None` when the database holds no venue.
pub fn season_figures(
    store: &dyn Store,
    season: Season,
    today: chrono::NaiveDate,
    lang: Lang,
) -> Result<Option<SeasonFigures>, StoreError> {
    let Some(setup) = store.setup()? else {
        return Ok(None);
    };
    let previous = season.previous();
    let (before, previous_by_day) = if store.seasons()?.contains(&previous) {
        let facts = store.season_facts(previous)?;
        let by_day = store.season_sales_by_day(previous)?;
        let before = if season.contains(today) {
            let day = today
                .checked_sub_months(chrono::Months::new(12))
                .unwrap_or(today);
            Before {
                summary: season_summary_until(&facts, &by_day, day),
                same_date: Some(day),
            }
        } else {
            Before {
                summary: season_summary(&facts),
                same_date: None,
            }
        };
        (Some(before), by_day)
    } else {
        (None, Vec::new())
    };
    let tz = setup.venue.time_zone;
    let sources = store
        .sources()?
        .into_iter()
        .map(|s| SourceLine {
            name: s.name.to_string(),
            kind: kind_label(s.kind, lang).to_owned(),
            last_import: s.last_import.map(|at| at.with_timezone(&tz).naive_local()),
            imports: s.imports,
            quarantined: s.quarantined,
        })
        .collect();
    Ok(Some(SeasonFigures {
        venue: setup.venue.name.to_string(),
        venue_insee: setup.venue.insee.as_str().to_owned(),
        season,
        today,
        summary: season_summary(&store.season_facts(season)?),
        before,
        performances: store.season_performances(season)?,
        by_day: store.season_sales_by_day(season)?,
        previous_by_day,
        geography: audience_geography(
            &store.season_buyer_places(season)?,
            setup.venue.insee.as_str(),
            jauge_geo::Geography::france(),
        ),
        audience: store.season_audience(season)?,
        tariffs: store.season_tariff_mix(season)?,
        sources,
    }))
}
