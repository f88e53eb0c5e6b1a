//! A JSON API read over HTTP with the manners a live source expects: its pages followed, its
//! `429 Too Many Requests` waited out as long as `Retry-After` says, and a failing network or an
//! overloaded server tried again with growing waits before giving up with a clear error.

use std::time::Duration;

use serde_json::Value;

/// How a request is tried again.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The wait after the first failure; each next wait doubles.
    pub first_wait: Duration,
    /// No wait is longer, whatever `Retry-After` asks.
    pub longest_wait: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 5,
            first_wait: Duration::from_millis(500),
            longest_wait: Duration::from_secs(120),
        }
    }
}

/// Why a request failed for good.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(
        "{url} did not answer after {attempts} attempt(s) ({reason}). Check that the server \
         runs and can be reached from here"
    )]
    Unreachable {
        url: String,
        attempts: u32,
        reason: String,
    },
    #[error(
        "{url} refused the token (HTTP {status}); check the token and the permissions of its \
         team (it must be able to read events and orders)"
    )]
    Refused { url: String, status: u16 },
    #[error("{url} answered HTTP {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error("{url} answered with something other than what was expected: {reason}")]
    Unexpected { url: String, reason: String },
}

/// One answer: its JSON, and when the server says it made it (pretix's `X-Page-Generated`).
#[derive(Debug, Clone)]
pub struct Answer {
    pub json: Value,
    pub generated: Option<String>,
}

/// A client of one API, with its credentials.
pub struct Client {
    agent: ureq::Agent,
    authorization: String,
    retry: Retry,
}

/// The largest answer read, in bytes: far above any page of an API.
const LARGEST_ANSWER: u64 = 256 * 1024 * 1024;

impl Client {
    /// A client sending `authorization` (the whole header value) with each request.
    pub fn new(authorization: String, retry: Retry) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Client {
            agent,
            authorization,
            retry,
        }
    }

    /// GETs `url` as JSON, trying again on network failures, 429 and 502–504.
    pub fn get(&self, url: &str) -> Result<Answer, FetchError> {
        let mut wait = self.retry.first_wait;
        let mut reason = String::new();
        let attempts = self.retry.attempts.max(1);
        for attempt in 1..=attempts {
            let mut asked_wait = None;
            match self
                .agent
                .get(url)
                .header("Authorization", &self.authorization)
                .header("Accept", "application/json")
                .call()
            {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    let header = |name: &str| {
                        response
                            .headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned)
                    };
                    let generated = header("X-Page-Generated");
                    asked_wait = header("Retry-After").and_then(|v| v.trim().parse::<u64>().ok());
                    let body = response
                        .body_mut()
                        .with_config()
                        .limit(LARGEST_ANSWER)
                        .read_to_string();
                    match (status, body) {
                        (200..=299, Ok(body)) => {
                            return serde_json::from_str(&body)
                                .map(|json| Answer { json, generated })
                                .map_err(|e| FetchError::Unexpected {
                                    url: url.to_owned(),
                                    reason: format!("not JSON ({e})"),
                                });
                        }
                        (200..=299, Err(e)) => reason = format!("the answer was cut: {e}"),
                        (401 | 403, _) => {
                            return Err(FetchError::Refused {
                                url: url.to_owned(),
                                status,
                            });
                        }
                        (429 | 502..=504, _) => reason = format!("HTTP {status}"),
                        (_, body) => {
                            let body: String = body.unwrap_or_default().chars().take(300).collect();
                            return Err(FetchError::Status {
                                url: url.to_owned(),
                                status,
                                body,
                            });
                        }
                    }
                }
                Err(e) => reason = e.to_string(),
            }
            if attempt < attempts {
                let this_wait = asked_wait.map_or(wait, Duration::from_secs);
                std::thread::sleep(this_wait.min(self.retry.longest_wait));
                wait = (wait * 2).min(self.retry.longest_wait);
            }
        }
        Err(FetchError::Unreachable {
            url: url.to_owned(),
            attempts,
            reason,
        })
    }

    /// Every result of a paginated list (`{"results": [...], "next": url}`), following `next`,
    /// with the time the server made its first page.
    pub fn all_pages(&self, url: &str) -> Result<(Vec<Value>, Option<String>), FetchError> {
        let mut results = Vec::new();
        let mut generated = None;
        let mut next = Some(url.to_owned());
        let mut first = true;
        while let Some(url) = next {
            let answer = self.get(&url)?;
            if first {
                generated = answer.generated;
                first = false;
            }
            let Value::Object(mut page) = answer.json else {
                return Err(FetchError::Unexpected {
                    url,
                    reason: "a list of results was expected".into(),
                });
            };
            match page.remove("results") {
                Some(Value::Array(items)) => results.extend(items),
                _ => {
                    return Err(FetchError::Unexpected {
                        url,
                        reason: "the page has no \"results\" list".into(),
                    });
                }
            }
            next = match page.remove("next") {
                Some(Value::String(next)) => Some(next),
                _ => None,
            };
        }
        Ok((results, generated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    /// A server answering each connection with the next of `answers` (status line, headers and
    /// body, `{base}` replaced by its address), and recording the paths asked for.
    fn server(answers: Vec<String>) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let asked = Arc::new(Mutex::new(Vec::new()));
        let (seen, address) = (asked.clone(), base.clone());
        std::thread::spawn(move || {
            for answer in answers {
                let (mut stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                seen.lock()
                    .unwrap()
                    .push(line.split(' ').nth(1).unwrap().to_owned());
                loop {
                    let mut header = String::new();
                    reader.read_line(&mut header).unwrap();
                    if header.trim().is_empty() {
                        break;
                    }
                }
                let answer = answer.replace("{base}", &address);
                let (head, body) = answer.split_once("\n\n").unwrap();
                write!(
                    stream,
                    "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .unwrap();
            }
        });
        (base, asked)
    }

    fn quick() -> Retry {
        Retry {
            attempts: 3,
            first_wait: Duration::from_millis(10),
            longest_wait: Duration::from_secs(2),
        }
    }

    #[test]
    fn pages_are_followed_and_429_waited_out_as_retry_after_says() {
        let (base, asked) = server(vec![
            "HTTP/1.1 200 OK\r\nX-Page-Generated: 2026-11-29T08:00:00Z\n\n\
             {\"results\": [1, 2], \"next\": \"{base}/list?page=2\"}"
                .into(),
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\n\n{}".into(),
            "HTTP/1.1 200 OK\n\n{\"results\": [3], \"next\": null}".into(),
        ]);
        let client = Client::new("Token t".into(), quick());
        let started = std::time::Instant::now();
        let (results, generated) = client.all_pages(&format!("{base}/list")).unwrap();
        assert_eq!(
            results,
            vec![Value::from(1), Value::from(2), Value::from(3)]
        );
        assert_eq!(generated.as_deref(), Some("2026-11-29T08:00:00Z"));
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "waited as Retry-After asked"
        );
        assert_eq!(
            *asked.lock().unwrap(),
            ["/list", "/list?page=2", "/list?page=2"]
        );
    }

    #[test]
    fn a_server_that_stays_away_gives_up_after_the_attempts_saying_where() {
        // A port nothing listens on.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/api", listener.local_addr().unwrap());
        drop(listener);
        let error = Client::new("Token t".into(), quick())
            .get(&url)
            .unwrap_err();
        assert!(matches!(error, FetchError::Unreachable { attempts: 3, .. }));
        assert!(error.to_string().starts_with(&url), "{error}");
    }

    #[test]
    fn a_refused_token_and_a_server_error_are_not_tried_again() {
        let (base, asked) = server(vec![
            "HTTP/1.1 401 Unauthorized\n\n{\"detail\": \"Invalid token.\"}".into(),
            "HTTP/1.1 500 Internal Server Error\n\noops".into(),
        ]);
        let client = Client::new("Token t".into(), quick());
        assert!(matches!(
            client.get(&format!("{base}/a")),
            Err(FetchError::Refused { status: 401, .. })
        ));
        let error = client.get(&format!("{base}/b")).unwrap_err();
        assert!(error.to_string().contains("HTTP 500: oops"), "{error}");
        assert_eq!(asked.lock().unwrap().len(), 2);
    }
}
