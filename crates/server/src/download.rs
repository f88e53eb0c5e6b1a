//! Extracts downloaded by their recipients: `/partage/TOKEN/FILE`, the token given once when
//! the extract was made (only its hash is kept). It works while the extract has neither
//! expired nor been revoked, serves only the extract's own files, and every download goes to
//! the audit log.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::AppState;
use crate::auth::token_hash;

/// The files an extract is made of.
const FILES: [(&str, &str); 6] = [
    ("patrons.csv", "text/csv; charset=utf-8"),
    ("billets.csv", "text/csv; charset=utf-8"),
    ("patrons.parquet", "application/vnd.apache.parquet"),
    ("billets.parquet", "application/vnd.apache.parquet"),
    ("dictionnaire.md", "text/markdown; charset=utf-8"),
    ("registre.json", "application/json"),
];

enum Outcome {
    File(Vec<u8>, &'static str),
    Unknown,
    Over,
}

pub async fn download(
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
) -> Response {
    let Some(&(name, kind)) = FILES.iter().find(|(f, _)| *f == file) else {
        return (
            StatusCode::NOT_FOUND,
            Html(crate::pages::error("Ce fichier n'existe pas.")),
        )
            .into_response();
    };
    let hash = token_hash(&token);
    let db = state.db.clone();
    let outcome = crate::with_store(&state, move |store| {
        let Some(share) = store.share_by_download(&hash)? else {
            return Ok(Outcome::Unknown);
        };
        if share.revoked_at.is_some() || share.expires_at <= chrono::Utc::now() {
            return Ok(Outcome::Over);
        }
        let bytes = match std::fs::read(std::path::Path::new(&share.directory).join(name)) {
            Ok(bytes) => bytes,
            Err(_) => return Ok(Outcome::Unknown),
        };
        let mut writer = jauge_store::open(&db.to_string_lossy())?;
        writer.audit(
            "web",
            "share download",
            &format!("extract {}, {name}", share.id),
        )?;
        Ok(Outcome::File(bytes, kind))
    })
    .await;
    match outcome {
        Ok(Outcome::File(bytes, kind)) => (
            [
                (header::CONTENT_TYPE, kind.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(Outcome::Unknown) => (
            StatusCode::NOT_FOUND,
            Html(crate::pages::error("Ce lien ne mène à aucun extrait.")),
        )
            .into_response(),
        Ok(Outcome::Over) => (
            StatusCode::GONE,
            Html(crate::pages::error(
                "Cet extrait a expiré ou a été révoqué : demandez-en un nouveau.",
            )),
        )
            .into_response(),
        Err(response) => response,
    }
}
