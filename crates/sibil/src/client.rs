//! Sending a quarter's declarations to SIBIL's API: log in (JWT), create or update each
//! performance's declaration, retry what fails for a moment (a 503, a lost connection) with
//! growing waits, understand SIBIL's answers — including its duplicate-declaration error,
//! after which the existing declaration is found by its `idExtBilletterie` and updated.
//!
//! The only I/O of this crate. It says what happened to each declaration; recording it is the
//! caller's.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::declaration::Declaration;

/// Where and as whom to send.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The API's root, such as `https://sibil.culture.gouv.fr` (without `/api/v2`).
    pub url: String,
    pub username: String,
    pub password: String,
}

/// How often to try again what fails for a moment, and how long to wait first (doubled each
/// time).
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub first_wait: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 4,
            first_wait: Duration::from_secs(1),
        }
    }
}

/// What happened to one declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Created { sibil_id: i64 },
    Updated { sibil_id: i64 },
    Failed { message: String },
}

/// What stops the whole sending.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    #[error(
        "SIBIL refused the login of {username:?}: check the user name and the password (JAUGE_SIBIL_PASSWORD)"
    )]
    Login { username: String },
    #[error("SIBIL cannot be reached at {url}: {reason}. Nothing was sent; try again later")]
    Unreachable { url: String, reason: String },
    #[error("SIBIL answered {what} in a way Jauge does not understand: {answer}")]
    Unexpected { what: String, answer: String },
}

/// An answer: its status and its body.
type Answer = (u16, String);

/// A logged-in session.
struct Session<'c> {
    agent: ureq::Agent,
    credentials: &'c Credentials,
    retry: Retry,
    token: String,
}

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    id_token: String,
}

#[derive(Deserialize)]
struct Domain {
    id: i64,
    libelle: String,
}

/// A label as compared: trimmed, in lower case.
fn comparable(label: &str) -> String {
    label.trim().to_lowercase()
}

impl<'c> Session<'c> {
    fn open(credentials: &'c Credentials, retry: Retry) -> Result<Session<'c>, SubmitError> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let mut session = Session {
            agent,
            credentials,
            retry,
            token: String::new(),
        };
        session.login()?;
        Ok(session)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.credentials.url.trim_end_matches('/'))
    }

    fn login(&mut self) -> Result<(), SubmitError> {
        let body = serde_json::json!({
            "username": self.credentials.username,
            "password": self.credentials.password,
            "rememberMe": false,
        });
        let (status, text) =
            self.attempt("POST", "/api/v2/authenticate", &[], Some(&body), false)?;
        let token = serde_json::from_str::<Token>(&text)
            .map(|t| t.id_token)
            .unwrap_or_default();
        if !(200..300).contains(&status) || token.is_empty() {
            return Err(SubmitError::Login {
                username: self.credentials.username.clone(),
            });
        }
        self.token = token;
        Ok(())
    }

    /// One call, tried again while it fails for a moment (a lost connection, 429, 502, 503,
    /// 504); with the session's token unless logging in.
    fn attempt(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
        authorised: bool,
    ) -> Result<Answer, SubmitError> {
        let mut wait = self.retry.first_wait;
        let mut last = String::new();
        for attempt in 1..=self.retry.attempts.max(1) {
            let url = self.url(path);
            let bearer = format!("Bearer {}", self.token);
            let result = match (method, body) {
                ("GET", _) => {
                    let mut request = self.agent.get(&url);
                    for (k, v) in query {
                        request = request.query(*k, *v);
                    }
                    if authorised {
                        request = request.header("Authorization", &bearer);
                    }
                    request.call()
                }
                (method, Some(body)) => {
                    let request = match method {
                        "PUT" => self.agent.put(&url),
                        _ => self.agent.post(&url),
                    };
                    let request = if authorised {
                        request.header("Authorization", &bearer)
                    } else {
                        request
                    };
                    request.send_json(body)
                }
                (_, None) => unreachable!("only GET goes without a body"),
            };
            match result {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    let text = response.body_mut().read_to_string().unwrap_or_default();
                    if !matches!(status, 429 | 502 | 503 | 504) {
                        return Ok((status, text));
                    }
                    last = format!("HTTP {status}");
                }
                Err(e) => last = e.to_string(),
            }
            if attempt < self.retry.attempts {
                std::thread::sleep(wait);
                wait *= 2;
            }
        }
        Err(SubmitError::Unreachable {
            url: self.credentials.url.clone(),
            reason: last,
        })
    }

    /// An authorised call; an expired token is renewed once.
    fn call(
        &mut self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Answer, SubmitError> {
        let answer = self.attempt(method, path, query, body, true)?;
        if answer.0 != 401 {
            return Ok(answer);
        }
        self.login()?;
        self.attempt(method, path, query, body, true)
    }

    /// SIBIL's domains, by comparable label.
    fn domains(&mut self) -> Result<BTreeMap<String, i64>, SubmitError> {
        let (status, text) = self.call("GET", "/api/v2/domaine-representations", &[], None)?;
        let unexpected = || SubmitError::Unexpected {
            what: "the list of domains".to_owned(),
            answer: format!(
                "HTTP {status}: {}",
                text.chars().take(200).collect::<String>()
            ),
        };
        if status != 200 {
            return Err(unexpected());
        }
        let domains: Vec<Domain> = serde_json::from_str(&text).map_err(|_| unexpected())?;
        Ok(domains
            .into_iter()
            .map(|d| (comparable(&d.libelle), d.id))
            .collect())
    }

    /// The identifier SIBIL gave the declaration whose `idExtBilletterie` is `external`.
    fn find(&mut self, external: &str) -> Result<Option<i64>, SubmitError> {
        let (status, text) = self.call(
            "GET",
            "/api/v2/declarations",
            &[("idExtBilletterie.equals", external)],
            None,
        )?;
        if status != 200 {
            return Ok(None);
        }
        let page: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(page["result"]
            .as_array()
            .and_then(|r| r.iter().find_map(|d| d["id"].as_i64())))
    }
}

/// The message of a problem answer (`title`, else `message`), or its start.
fn problem(status: u16, text: &str) -> String {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let said = body["title"]
        .as_str()
        .or_else(|| body["message"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| text.chars().take(200).collect());
    format!("HTTP {status}: {said}")
}

fn is_duplicate(status: u16, text: &str) -> bool {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    status == 400 && body["errorKey"].as_str() == Some("errorsDataSib")
}

/// Sends `declarations`: each one SIBIL already holds (its identifier in `known`, by
/// `idExtBilletterie`) is updated, the others created. Returns what happened to each, in
/// order. Only a failed login or SIBIL out of reach stops the whole sending.
pub fn submit(
    credentials: &Credentials,
    retry: Retry,
    declarations: &[Declaration],
    known: &BTreeMap<String, i64>,
) -> Result<Vec<(String, Sent)>, SubmitError> {
    let mut session = Session::open(credentials, retry)?;
    let domains = session.domains()?;
    let mut results = Vec::new();
    for d in declarations {
        let sent = send_one(&mut session, &domains, d, known.get(&d.id_ext_billetterie))?;
        results.push((d.id_ext_billetterie.clone(), sent));
    }
    Ok(results)
}

fn send_one(
    session: &mut Session,
    domains: &BTreeMap<String, i64>,
    d: &Declaration,
    known: Option<&i64>,
) -> Result<Sent, SubmitError> {
    let label = d.domaine_representation_libelle.clone().unwrap_or_default();
    let Some(&domain) = domains.get(&comparable(&label)) else {
        return Ok(Sent::Failed {
            message: format!(
                "SIBIL has no domain labelled {label:?}: see `jauge sibil domain` to choose one of its labels"
            ),
        });
    };
    let mut body = serde_json::to_value(d).expect("a declaration serialises");
    body["domaineRepresentationId"] = Value::from(domain);
    let id_of =
        |text: &str| -> Option<i64> { serde_json::from_str::<Value>(text).ok()?["id"].as_i64() };
    let update = |session: &mut Session, body: &mut Value, id: i64| -> Result<Sent, SubmitError> {
        body["id"] = Value::from(id);
        let (status, text) = session.call("PUT", "/api/v2/declarations", &[], Some(body))?;
        Ok(if (200..300).contains(&status) {
            Sent::Updated {
                sibil_id: id_of(&text).unwrap_or(id),
            }
        } else {
            Sent::Failed {
                message: problem(status, &text),
            }
        })
    };
    if let Some(&id) = known {
        return update(session, &mut body, id);
    }
    let (status, text) = session.call("POST", "/api/v2/declarations", &[], Some(&body))?;
    if (200..300).contains(&status) {
        return Ok(match id_of(&text) {
            Some(sibil_id) => Sent::Created { sibil_id },
            None => Sent::Failed {
                message: "SIBIL accepted the declaration without giving its identifier".to_owned(),
            },
        });
    }
    if is_duplicate(status, &text) {
        // Sent before, and its identifier lost here: find it, and update it.
        return match session.find(&d.id_ext_billetterie)? {
            Some(id) => update(session, &mut body, id),
            None => Ok(Sent::Failed {
                message: format!(
                    "{} (and no declaration of SIBIL has this idExtBilletterie: the same show at the same time was declared by someone else)",
                    problem(status, &text)
                ),
            }),
        };
    }
    Ok(Sent::Failed {
        message: problem(status, &text),
    })
}
