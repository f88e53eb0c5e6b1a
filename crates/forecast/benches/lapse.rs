//! The lapse model on real retail data: CDNOW's customers (`../shared/data/transactions`), as
//! patrons, and their purchases, as tickets. Trained on the first 12 months — features from the
//! first 6, and whether each customer bought in the next 6 — then asked, from all 12 months,
//! who buys in the 6 after; AUC, Brier score and reliability table on that test.
//! `cargo bench -p jauge-forecast --bench lapse`. Goal: AUC ≥ 0.75.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jauge_forecast::lapse::{LapseModel, Purchase, auc, bought, brier, features, reliability};

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/transactions/CDNOW_master.txt"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        println!("lapse: {path} is not there; nothing measured");
        return;
    };
    let mut customers: BTreeMap<String, Vec<Purchase>> = BTreeMap::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [id, date, _cds, dollars] = fields[..] else {
            continue;
        };
        let (Ok(day), Ok(dollars)) = (
            NaiveDate::parse_from_str(date, "%Y%m%d"),
            dollars.parse::<f64>(),
        ) else {
            continue;
        };
        customers.entry(id.to_owned()).or_default().push(Purchase {
            day,
            cents: dollars * 100.0,
        });
    }
    let day = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
    let (start, half, year, test_end) = (day(1997, 1), day(1997, 7), day(1998, 1), day(1998, 7));
    // Training: seen at six months, did they buy in the next six?
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for purchases in customers.values() {
        if let Some(f) = features(purchases, half) {
            x.push(f);
            y.push(!bought(purchases, half, year));
        }
    }
    let model = LapseModel::fit(&x, &y);
    // Test: seen at twelve months, do they buy in the next six?
    let (mut scores, mut lapsed) = (Vec::new(), Vec::new());
    for purchases in customers.values() {
        if let Some(f) = features(purchases, year) {
            scores.push(model.predict(&f));
            lapsed.push(!bought(purchases, year, test_end));
        }
    }
    let base = lapsed.iter().filter(|l| **l).count() as f64 / lapsed.len() as f64;
    println!(
        "lapse: CDNOW, {} customers ({} from {start}), trained on {} seen at {half}, tested on {} seen at {year}",
        customers.len(),
        text.lines().count() - 1,
        x.len(),
        scores.len()
    );
    println!("  lapsed in the test period: {:.1}%", base * 100.0);
    println!("  AUC   {:.3} (goal ≥ 0.75)", auc(&scores, &lapsed));
    println!(
        "  Brier {:.4} (always saying {:.2}: {:.4})",
        brier(&scores, &lapsed),
        base,
        brier(&vec![base; scores.len()], &lapsed)
    );
    println!("  reliability: predicted → observed (customers)");
    for r in reliability(&scores, &lapsed, 10) {
        println!(
            "    [{:.1}, {:.1})  {:.3} → {:.3}  ({})",
            r.from, r.to, r.predicted, r.observed, r.count
        );
    }
}
