//! How failures reach the person at the terminal: what went wrong, how to fix it, and an exit
//! code that tells their fault (1) from ours (2).

use std::fmt;

use jauge_store::StoreError;

/// A failure of a command.
#[derive(Debug)]
pub enum Failure {
    /// The input or configuration is wrong; the message says how to fix it. Exit code 1.
    User(String),
    /// Jauge failed; exit code 2.
    Internal(anyhow::Error),
}

impl Failure {
    pub fn user(message: impl Into<String>) -> Failure {
        Failure::User(message.into())
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::User(_) => 1,
            Failure::Internal(_) => 2,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::User(message) => write!(f, "error: {message}"),
            Failure::Internal(e) => write!(
                f,
                "internal error: {e:#}\nThis is a bug in Jauge, not something you did; please report it."
            ),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        if e.is_user_error() {
            Failure::User(e.to_string())
        } else {
            Failure::Internal(e.into())
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Internal(e.into())
    }
}
