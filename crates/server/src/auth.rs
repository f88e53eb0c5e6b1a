//! Who may read the pages: accounts with a role, passwords hashed with Argon2id, sessions
//! whose tokens live only in the browser's cookie (the store keeps their SHA-256), CSRF tokens
//! on every form, and logins throttled after repeated failures.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

/// What an account may do. Every page so far shows aggregates only, which every role may read;
/// data about people (exports, extracts) goes through the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Everything.
    Admin,
    /// Dashboards, imports, consent-respecting exports.
    Staff,
    /// Pseudonymised data only, never direct identifiers.
    Analyst,
    /// Aggregates only.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Staff, Role::Analyst, Role::Viewer];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s.trim().to_lowercase())
    }
}

/// What an API token may be allowed: read aggregates (the pages, their tables and charts),
/// read pseudonymised data, import files, or everything.
pub const SCOPES: [&str; 4] = [
    "read:aggregates",
    "read:pseudonymised",
    "write:import",
    "admin",
];

/// The scope the pages need.
pub const READ_AGGREGATES: &str = "read:aggregates";
pub const WRITE_IMPORT: &str = "write:import";

/// Whether `scopes` include `needed` (`admin` includes every scope).
pub fn allows(scopes: &[String], needed: &str) -> bool {
    scopes.iter().any(|s| s == needed || s == "admin")
}

/// How many failed logins, within [`THROTTLE_MINUTES`], stop further attempts for a while.
pub const MAX_FAILURES: u64 = 5;
pub const THROTTLE_MINUTES: i64 = 15;
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

pub const SESSION_COOKIE: &str = "jauge_session";
/// The login form's CSRF token, before there is a session to hold it.
pub const LOGIN_CSRF_COOKIE: &str = "jauge_csrf";

/// A password's Argon2id hash, in the PHC string format (salt included).
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the system gives random bytes");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2id hashes any password")
        .to_string()
}

/// Whether `password` is the one `hash` was made from.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A fresh random token: 32 bytes, in hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the system gives random bytes");
    hex(&bytes)
}

/// What the store keeps of a session's token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A cookie's value from a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Two secrets compared in constant time.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_against_their_salted_hash_only() {
        let hash = hash_password("correct horse");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horse ", &hash));
        assert_ne!(hash, hash_password("correct horse"), "a salt of its own");
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn admin_allows_every_scope_others_their_own() {
        let scopes = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(allows(&scopes(&["admin"]), "write:import"));
        assert!(allows(&scopes(&["read:aggregates"]), READ_AGGREGATES));
        assert!(!allows(&scopes(&["write:import"]), READ_AGGREGATES));
    }

    #[test]
    fn tokens_are_random_and_stored_as_hashes() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
        assert_eq!(
            cookie("a=1; jauge_session=xyz; b=2", SESSION_COOKIE),
            Some("xyz")
        );
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
