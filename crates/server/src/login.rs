//! The door: once an account exists, every page asks for a session; `/connexion` opens one
//! (CSRF-checked, throttled, a fresh token each time so that no token set before the login is
//! ever accepted), `/deconnexion` closes it. Logins, failed ones too, go to the audit log.

use axum::extract::{Form, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use jauge_model::Lang;
use jauge_report::chart::escape;
use jauge_store::Session;

use crate::AppState;
use crate::auth::{
    LOGIN_CSRF_COOKIE, MAX_FAILURES, SESSION_COOKIE, SESSION_HOURS, THROTTLE_MINUTES, cookie,
    hash_password, new_token, same, token_hash, verify_password,
};
use crate::pages::layout;

/// Who is reading, once logged in.
#[derive(Debug, Clone)]
pub struct Reader {
    pub account: String,
    pub csrf: String,
    pub token_hash: String,
}

/// The request's `Cookie` header.
pub(crate) fn cookies(headers: &HeaderMap) -> &str {
    headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// `Secure` when the request came over TLS (directly, or through a proxy that says so).
pub(crate) fn secure(headers: &HeaderMap) -> &'static str {
    let tls = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    if tls { "; Secure" } else { "" }
}

/// A path to go back to after logging in: one of this site's, never another's.
fn local(path: Option<&str>) -> String {
    match path {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/saison".to_owned(),
    }
}

/// The guard in front of every page: open while no account exists, else a valid session or
/// the way to the login.
pub async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    // The login itself, the style, extracts' downloads (their token is their key) and the
    // API (which checks its own tokens, and answers in JSON).
    if path == "/connexion"
        || path == "/style.css"
        || path.starts_with("/partage/")
        || path.starts_with("/api/")
    {
        return next.run(request).await;
    }
    // An API token, when one is given, decides alone.
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| token_hash(t.trim()));
    if let Some(hash) = bearer {
        let verdict = crate::with_store(&state, move |store| {
            Ok(match store.token_by_hash(&hash)? {
                Some(t) if t.revoked_at.is_none() && t.expires_at > Utc::now() => {
                    if crate::auth::allows(&t.scopes, crate::auth::READ_AGGREGATES) {
                        StatusCode::OK
                    } else {
                        StatusCode::FORBIDDEN
                    }
                }
                _ => StatusCode::UNAUTHORIZED,
            })
        })
        .await;
        return match verdict {
            Ok(StatusCode::OK) => next.run(request).await,
            Ok(StatusCode::FORBIDDEN) => (
                StatusCode::FORBIDDEN,
                Html(crate::pages::error(
                    "Ce jeton ne permet pas de lire les pages : il lui faut la portée read:aggregates.",
                )),
            )
                .into_response(),
            Ok(_) => (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                Html(crate::pages::error(
                    "Ce jeton n'est pas valable : inconnu, expiré ou révoqué.",
                )),
            )
                .into_response(),
            Err(response) => response,
        };
    }
    let token = cookie(cookies(request.headers()), SESSION_COOKIE).map(token_hash);
    let found = crate::with_store(&state, move |store| {
        if store.accounts()?.is_empty() {
            return Ok(Ok(None));
        }
        Ok(match token {
            Some(hash) => match store.session(&hash, Utc::now())? {
                // Every page shows aggregates, which every role may read.
                Some((session, account)) => Ok(Some(Reader {
                    account: account.name,
                    csrf: session.csrf,
                    token_hash: hash,
                })),
                None => Err(()),
            },
            None => Err(()),
        })
    })
    .await;
    match found {
        Ok(Ok(reader)) => {
            if let Some(reader) = reader {
                request.extensions_mut().insert(reader);
            }
            next.run(request).await
        }
        Ok(Err(())) => {
            let back = match request.uri().query() {
                Some(q) => format!("{path}?{q}"),
                None => path,
            };
            let encoded: String = back
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            Redirect::to(&format!("/connexion?suite={encoded}")).into_response()
        }
        Err(response) => response,
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct LoginQuery {
    pub suite: Option<String>,
    pub lang: Option<String>,
}

fn lang(q: Option<&str>) -> Lang {
    if q == Some("en") { Lang::En } else { Lang::Fr }
}

/// The login form, with a fresh CSRF token in a cookie and in the form.
fn form(
    lang: Lang,
    suite: &str,
    message: Option<&str>,
    status: StatusCode,
    headers: &HeaderMap,
) -> Response {
    let fr = lang == Lang::Fr;
    let csrf = new_token();
    let body = format!(
        r#"<h1>{title}</h1>{message}<form method="post" action="/connexion"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="suite" value="{suite}"><p><label for="nom">{name}</label><br><input id="nom" name="nom" autocomplete="username" required></p><p><label for="mot_de_passe">{password}</label><br><input id="mot_de_passe" name="mot_de_passe" type="password" autocomplete="current-password" required></p><p><button type="submit">{go}</button></p></form>"#,
        title = if fr { "Connexion" } else { "Log in" },
        message = message.map_or(String::new(), |m| format!(
            r#"<p class="notice" role="alert">{}</p>"#,
            escape(m)
        )),
        suite = escape(suite),
        name = if fr { "Nom" } else { "Name" },
        password = if fr { "Mot de passe" } else { "Password" },
        go = if fr { "Se connecter" } else { "Log in" },
    );
    (
        status,
        [(
            header::SET_COOKIE,
            format!(
                "{LOGIN_CSRF_COOKIE}={csrf}; HttpOnly; SameSite=Strict; Path=/connexion{}",
                secure(headers)
            ),
        )],
        Html(layout(
            if fr { "Connexion" } else { "Log in" },
            lang,
            "/connexion",
            "",
            &body,
        )),
    )
        .into_response()
}

pub async fn login_page(Query(q): Query<LoginQuery>, headers: HeaderMap) -> Response {
    form(
        lang(q.lang.as_deref()),
        &local(q.suite.as_deref()),
        None,
        StatusCode::OK,
        &headers,
    )
}

#[derive(Debug, serde::Deserialize)]
pub struct LoginForm {
    pub nom: String,
    pub mot_de_passe: String,
    pub csrf: String,
    pub suite: Option<String>,
}

pub async fn log_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = Lang::Fr;
    let suite = local(f.suite.as_deref());
    let expected = cookie(cookies(&headers), LOGIN_CSRF_COOKIE)
        .unwrap_or_default()
        .to_owned();
    if expected.is_empty() || !same(&expected, &f.csrf) {
        return (
            StatusCode::FORBIDDEN,
            Html(crate::pages::error(
                "Le formulaire a expiré : rechargez la page de connexion.",
            )),
        )
            .into_response();
    }
    let name = f.nom.trim().to_owned();
    let password = f.mot_de_passe;
    let db = state.db.clone();
    let outcome = crate::with_store(&state, move |store| {
        let now = Utc::now();
        let since = now - chrono::Duration::minutes(THROTTLE_MINUTES);
        if store.login_failures(&name, since)? >= MAX_FAILURES {
            return Ok(Err(StatusCode::TOO_MANY_REQUESTS));
        }
        // An unknown name costs a hash too, so that timing does not tell names apart.
        let account = store.account(&name)?;
        let known = match &account {
            Some(a) => verify_password(&password, &a.password_hash),
            None => {
                let _ = verify_password(&password, &hash_password("—"));
                false
            }
        };
        // The store's connection is shared: writing needs a store of its own.
        let mut writer = jauge_store::open(&db.to_string_lossy())?;
        if !known {
            writer.login_failed(&name, now)?;
            writer.audit("web", "login failed", &format!("account {name:?}"))?;
            return Ok(Err(StatusCode::UNAUTHORIZED));
        }
        let token = new_token();
        writer.open_session(&Session {
            token_hash: token_hash(&token),
            account: name.clone(),
            csrf: new_token(),
            expires_at: now + chrono::Duration::hours(SESSION_HOURS),
        })?;
        writer.audit("web", "login", &format!("account {name:?}"))?;
        Ok(Ok(token))
    })
    .await;
    match outcome {
        Ok(Ok(token)) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, suite),
                (
                    header::SET_COOKIE,
                    format!(
                        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
                        SESSION_HOURS * 3600,
                        secure(&headers)
                    ),
                ),
            ],
        )
            .into_response(),
        Ok(Err(StatusCode::TOO_MANY_REQUESTS)) => form(
            lang,
            &suite,
            Some("Trop de tentatives : réessayez dans un quart d'heure."),
            StatusCode::TOO_MANY_REQUESTS,
            &headers,
        ),
        Ok(Err(status)) => form(
            lang,
            &suite,
            Some("Nom ou mot de passe incorrect."),
            status,
            &headers,
        ),
        Err(response) => response,
    }
}

/// The logout form, with the session's CSRF token.
pub async fn logout_page(reader: Option<axum::Extension<Reader>>) -> Response {
    let Some(axum::Extension(reader)) = reader else {
        return Redirect::to("/connexion").into_response();
    };
    let body = format!(
        r#"<h1>Déconnexion</h1><form method="post" action="/deconnexion"><input type="hidden" name="csrf" value="{}"><p>{}</p><p><button type="submit">Se déconnecter</button></p></form>"#,
        reader.csrf,
        escape(&reader.account)
    );
    Html(layout("Déconnexion", Lang::Fr, "/deconnexion", "", &body)).into_response()
}

#[derive(Debug, serde::Deserialize)]
pub struct LogoutForm {
    pub csrf: String,
}

pub async fn log_out(
    State(state): State<AppState>,
    reader: Option<axum::Extension<Reader>>,
    Form(f): Form<LogoutForm>,
) -> Response {
    let Some(axum::Extension(reader)) = reader else {
        return Redirect::to("/connexion").into_response();
    };
    if !same(&reader.csrf, &f.csrf) {
        return (
            StatusCode::FORBIDDEN,
            Html(crate::pages::error(
                "Le formulaire a expiré : rechargez la page.",
            )),
        )
            .into_response();
    }
    let hash = reader.token_hash.clone();
    let db = state.db.clone();
    let closed = crate::with_store(&state, move |_| {
        let mut writer = jauge_store::open(&db.to_string_lossy())?;
        writer.close_session(&hash)?;
        writer.audit("web", "logout", &format!("account {:?}", reader.account))
    })
    .await;
    match closed {
        Ok(()) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, "/connexion".to_owned()),
                (
                    header::SET_COOKIE,
                    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
                ),
            ],
        )
            .into_response(),
        Err(response) => response,
    }
}
