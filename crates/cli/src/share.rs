//! `jauge share`: pseudonymised extracts for external providers. `create` writes the patrons
//! (pseudonym, generalised place and birth decade, k-anonymous) and the tickets (pseudonym,
//! performance, show, tariff category, amount, status) as CSV, with a data dictionary and the
//! record of processing the GDPR's article 30 asks for; `list` shows every extract; `revoke`
//! marks one revoked. Each is recorded in the audit log.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::Utc;
use jauge_model::Lang;
use jauge_privacy::share::{QuasiIdentifiers, k_anonymise, pseudonym};
use jauge_store::ShareRecord;

use crate::Cli;
use crate::error::Failure;

#[derive(Debug, clap::Args)]
pub struct ShareArgs {
    #[command(subcommand)]
    command: ShareCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ShareCommand {
    /// Build a pseudonymised extract for a recipient.
    Create {
        /// Who receives it (an agency, an analyst).
        #[arg(long)]
        recipient: String,
        /// What for, in a sentence.
        #[arg(long)]
        purpose: String,
        /// How long the recipient may keep it, such as 30d.
        #[arg(long, value_parser = parse_days)]
        expires: i64,
        /// The processing's legal basis.
        #[arg(long, default_value = "intérêt légitime")]
        legal_basis: String,
        /// The smallest group of people who look alike an extract may show.
        #[arg(long, default_value_t = 5)]
        k: usize,
        /// Where to write the files (default: partage-N).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Every extract shared.
    List,
    /// Mark an extract revoked.
    Revoke { id: i64 },
}

fn parse_days(s: &str) -> Result<i64, String> {
    s.trim()
        .strip_suffix('d')
        .or_else(|| s.trim().strip_suffix('j'))
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| (1..=3650).contains(n))
        .ok_or_else(|| format!("{s:?} is not a number of days such as 30d"))
}

/// The columns of an extract's two tables.
const PATRON_COLUMNS: [&str; 3] = ["pseudonyme", "lieu", "naissance"];
const TICKET_COLUMNS: [&str; 6] = [
    "pseudonyme",
    "date",
    "spectacle",
    "categorie_tarif",
    "montant_ttc",
    "statut",
];

const FIELDS: &str = "patrons.csv et .parquet: pseudonyme, lieu, naissance; billets.csv et \
.parquet: pseudonyme, date, spectacle, categorie_tarif, montant_ttc, statut";

pub fn run(cli: &Cli, args: &ShareArgs) -> Result<(), Failure> {
    let fr = cli.lang == Lang::Fr;
    let mut store = crate::summary::open_existing(&cli.db)?;
    match &args.command {
        ShareCommand::Create {
            recipient,
            purpose,
            expires,
            legal_basis,
            k,
            out,
        } => {
            let now = Utc::now();
            // The recipient's download token: given once, only its hash kept.
            let download = jauge_server::auth::new_token();
            let dir = out
                .clone()
                .unwrap_or_else(|| PathBuf::from(format!("partage-{}", &download[..8])));
            std::fs::create_dir_all(&dir).map_err(|e| Failure::cannot_create(&dir, e))?;
            let directory = std::fs::canonicalize(&dir).map_err(|e| {
                let dir = dir.display();
                Failure::user(
                    format!("impossible de trouver {dir} : {e}"),
                    format!("cannot find {dir}: {e}"),
                )
            })?;
            let record = ShareRecord {
                id: 0,
                recipient: recipient.clone(),
                purpose: purpose.clone(),
                legal_basis: legal_basis.clone(),
                created_at: now,
                expires_at: now + chrono::Duration::days(*expires),
                fields: FIELDS.to_owned(),
                revoked_at: None,
                directory: directory.display().to_string(),
                download_hash: jauge_server::auth::token_hash(&download),
            };
            // A secret for this extract only, never kept: two extracts cannot be joined.
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret).map_err(|e| Failure::Internal(anyhow::anyhow!("{e}")))?;
            let geo = jauge_geo::Geography::france();
            // One pseudonym a person: their linked records as one.
            let person_of: std::collections::HashMap<
                jauge_model::PatronKey,
                jauge_model::PatronKey,
            > = store
                .persons()?
                .into_iter()
                .map(|p| (p.patron, p.person))
                .collect();
            let person = |k: &jauge_model::PatronKey| person_of.get(k).unwrap_or(k).clone();
            let mut seen = BTreeSet::new();
            let people: Vec<(String, QuasiIdentifiers)> = store
                .identities()?
                .into_iter()
                .filter_map(|(i, _)| {
                    let key = person(i.key.as_ref()?);
                    if !seen.insert(key.clone()) {
                        return None;
                    }
                    let commune = i
                        .postcode
                        .as_deref()
                        .and_then(|p| geo.commune_for(p, i.city.as_deref()));
                    Some((
                        pseudonym(&secret, &key),
                        QuasiIdentifiers {
                            commune: commune.map(|c| c.insee.clone()),
                            departement: commune.map(|c| c.departement.clone()),
                            birth_year: i.birth_year.and_then(|y| u16::try_from(y.get()).ok()),
                        },
                    ))
                })
                .collect();
            let anonymised = k_anonymise(&people, *k);
            let id = store.record_share(&record)?;
            let write = |name: &str, bytes: Vec<u8>| -> Result<(), Failure> {
                let path = dir.join(name);
                std::fs::write(&path, bytes).map_err(|e| Failure::cannot_write(&path, e))
            };
            let mut patrons = csv::Writer::from_writer(Vec::new());
            let _ = patrons.write_record(PATRON_COLUMNS);
            let mut patron_rows = Vec::new();
            for (who, (place, birth)) in &anonymised.kept {
                let _ = patrons.write_record([who, place, birth]);
                patron_rows.push(vec![who.clone(), place.clone(), birth.clone()]);
            }
            let parquet = |name: &str, columns: &[&str], numeric: &[&str], rows: &[Vec<String>]| {
                let path = dir.join(format!("{name}.parquet"));
                crate::parquet_file::write(&path, name, columns, numeric, rows)
                    .map_err(|e| Failure::cannot_write(&path, e))
            };
            parquet(
                "patrons",
                &["pseudonyme", "lieu", "naissance"],
                &[],
                &patron_rows,
            )?;
            write(
                "patrons.csv",
                patrons
                    .into_inner()
                    .map_err(|e| Failure::Internal(e.into_error().into()))?,
            )?;
            let mut tickets = csv::Writer::from_writer(Vec::new());
            let _ = tickets.write_record(TICKET_COLUMNS);
            let mut ticket_rows = Vec::new();
            for t in store.ticket_facts()? {
                let row = vec![
                    t.buyer
                        .as_ref()
                        .map_or(String::new(), |b| pseudonym(&secret, &person(b))),
                    t.performance_at.format("%Y-%m-%d %H:%M").to_string(),
                    t.show,
                    t.category.code().to_owned(),
                    format!("{:.2}", t.amount.get() as f64 / 100.0),
                    t.status.code().to_owned(),
                ];
                let _ = tickets.write_record(&row);
                ticket_rows.push(row);
            }
            parquet("billets", &TICKET_COLUMNS, &["montant_ttc"], &ticket_rows)?;
            write(
                "billets.csv",
                tickets
                    .into_inner()
                    .map_err(|e| Failure::Internal(e.into_error().into()))?,
            )?;
            write(
                "dictionnaire.md",
                format!(
                    "# Extrait {id} — dictionnaire des données\n\n\
                     - `pseudonyme` : une personne (ses fiches rapprochées n'en font qu'une), sous \
                     un identifiant propre à cet extrait (HMAC-SHA256 d'une clé secrète détruite \
                     après l'export) ; il ne se recoupe avec aucun autre extrait.\n\
                     - `lieu` : {} (`*` : inconnu).\n\
                     - `naissance` : décennie de naissance (`*` : inconnue ou généralisée).\n\
                     - `date`, `spectacle` : la représentation ; `categorie_tarif` : full_price, \
                     reduced, subscription, free, school_or_group, other ; `montant_ttc` : euros ; \
                     `statut` : valid, cancelled, refunded, reserved.\n\n\
                     Anonymat : chaque combinaison (lieu, naissance) de patrons.csv réunit au moins \
                     {k} personnes ; {} personne(s) supprimée(s) de patrons.csv pour y parvenir. \
                     Noms, courriels, téléphones et adresses ne figurent pas dans l'extrait.\n",
                    anonymised.level.describe(),
                    anonymised.suppressed.len()
                )
                .into_bytes(),
            )?;
            let register = serde_json::json!({
                "extrait": id,
                "destinataire": recipient,
                "finalite": purpose,
                "base_legale": legal_basis,
                "cree_le": now.to_rfc3339(),
                "a_detruire_le": record.expires_at.to_rfc3339(),
                "champs": FIELDS,
                "k": k,
                "generalisation": anonymised.level.describe(),
                "personnes": anonymised.kept.len(),
                "supprimees": anonymised.suppressed.len(),
            });
            write(
                "registre.json",
                serde_json::to_vec_pretty(&register).map_err(|e| Failure::Internal(e.into()))?,
            )?;
            store.audit(
                "cli",
                "share",
                &format!(
                    "extract {id} for {recipient}, {} people ({} suppressed), k = {k}",
                    anonymised.kept.len(),
                    anonymised.suppressed.len()
                ),
            )?;
            println!(
                "{} {id} → {} ({} {}, {} {} ; {})",
                if fr { "Extrait" } else { "Extract" },
                dir.display(),
                anonymised.kept.len(),
                if fr { "personnes" } else { "people" },
                anonymised.suppressed.len(),
                if fr { "supprimées" } else { "suppressed" },
                anonymised.level.describe()
            );
            println!(
                "{} /partage/{download}/patrons.csv ({} {})",
                if fr {
                    "Lien de téléchargement, à transmettre au destinataire et montré une seule fois :"
                } else {
                    "Download link, for the recipient, shown once:"
                },
                if fr {
                    "valable jusqu'au"
                } else {
                    "valid until"
                },
                record.expires_at.format("%Y-%m-%d")
            );
            Ok(())
        }
        ShareCommand::List => {
            for s in store.shares()? {
                println!(
                    "{:>4}  {}  {:<24} {}  {}{}",
                    s.id,
                    s.created_at.format("%Y-%m-%d"),
                    s.recipient,
                    s.expires_at.format("%Y-%m-%d"),
                    s.purpose,
                    if s.revoked_at.is_some() {
                        if fr { "  (révoqué)" } else { "  (revoked)" }
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        ShareCommand::Revoke { id } => {
            if !store.revoke_share(*id)? {
                let known: BTreeSet<i64> = store.shares()?.iter().map(|s| s.id).collect();
                return Err(Failure::user(
                    format!(
                        "aucun extrait {id} à révoquer (extraits : {known:?} ; voir \
                         `jauge share list`)"
                    ),
                    format!(
                        "no extract {id} to revoke (extracts: {known:?}; see `jauge share list`)"
                    ),
                ));
            }
            store.audit("cli", "share revoked", &format!("extract {id}"))?;
            println!(
                "{} {id} {}",
                if fr { "Extrait" } else { "Extract" },
                if fr { "révoqué." } else { "revoked." }
            );
            Ok(())
        }
    }
}
