//! How failures reach the person at the terminal: what went wrong, how to fix it, and an exit
//! code that tells their fault (1) from ours (2).
//!
//! A failure the command line writes carries its message in French and in English; `main`
//! prints the one `--lang` asks for. Messages from other crates (the store's, the importer's…)
//! come in one text, which both languages show.

use std::fmt;
use std::path::Path;

use jauge_model::Lang;
use jauge_store::StoreError;

/// A failure of a command.
#[derive(Debug)]
pub enum Failure {
    /// The input or configuration is wrong; the message says how to fix it. Exit code 1.
    User(Message),
    /// Jauge failed; exit code 2.
    Internal(anyhow::Error),
}

/// A message in French and in English.
#[derive(Debug)]
pub struct Message {
    fr: String,
    en: String,
}

impl Message {
    pub fn pick(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

impl std::error::Error for Message {}

impl Failure {
    /// The user's failure, told in French and in English.
    pub fn user(fr: impl Into<String>, en: impl Into<String>) -> Failure {
        Failure::User(Message {
            fr: fr.into(),
            en: en.into(),
        })
    }

    /// The user's failure as another crate words it, in one text for both languages.
    pub fn untranslated(message: impl fmt::Display) -> Failure {
        let text = message.to_string();
        Failure::user(text.clone(), text)
    }

    /// Jauge's failure, told in French and in English.
    pub fn internal(fr: impl Into<String>, en: impl Into<String>) -> Failure {
        Failure::Internal(anyhow::Error::new(Message {
            fr: fr.into(),
            en: en.into(),
        }))
    }

    /// The database holds no venue.
    pub fn no_venue() -> Failure {
        Failure::user(
            "aucun lieu n'est configuré dans cette base : lancez `jauge setup` (ou `jauge demo`)",
            "no venue is set up in this database: run `jauge setup` (or `jauge demo`)",
        )
    }

    /// What is wrong in the file `path`, as the crate that read it says.
    pub fn in_file(path: &Path, e: impl fmt::Display) -> Failure {
        let path = path.display();
        Failure::user(format!("{path} : {e}"), format!("{path}: {e}"))
    }

    /// A file or directory `path` that could not be written.
    pub fn cannot_write(path: &Path, e: impl fmt::Display) -> Failure {
        let path = path.display();
        Failure::user(
            format!("impossible d'écrire {path} : {e}"),
            format!("cannot write {path}: {e}"),
        )
    }

    /// A directory `path` that could not be created.
    pub fn cannot_create(path: &Path, e: impl fmt::Display) -> Failure {
        let path = path.display();
        Failure::user(
            format!("impossible de créer {path} : {e}"),
            format!("cannot create {path}: {e}"),
        )
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::User(_) => 1,
            Failure::Internal(_) => 2,
        }
    }

    /// What the person at the terminal reads, in their language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Failure::User(message) => {
                format!("{} {}", lang.pick("erreur :", "error:"), message.pick(lang))
            }
            Failure::Internal(e) => format!(
                "{} {}\n{}",
                lang.pick("erreur interne :", "internal error:"),
                match e.downcast_ref::<Message>() {
                    Some(message) => message.pick(lang).to_owned(),
                    None => format!("{e:#}"),
                },
                lang.pick(
                    "C'est un bogue de Jauge, pas une erreur de votre part ; merci de le signaler.",
                    "This is a bug in Jauge, not something you did; please report it."
                )
            ),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        if e.is_user_error() {
            Failure::user(
                e.message(jauge_model::Lang::Fr),
                e.message(jauge_model::Lang::En),
            )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_reads_in_the_language_asked_for() {
        let failure = Failure::user("pas de saison 2010-2011", "no season 2010-2011");
        assert_eq!(
            failure.message(Lang::Fr),
            "erreur : pas de saison 2010-2011"
        );
        assert_eq!(failure.message(Lang::En), "error: no season 2010-2011");
        let bug = Failure::internal("un fichier illisible", "an unreadable file");
        assert_eq!(
            bug.message(Lang::Fr),
            "erreur interne : un fichier illisible\nC'est un bogue de Jauge, pas une erreur de \
             votre part ; merci de le signaler."
        );
        assert!(
            bug.message(Lang::En)
                .starts_with("internal error: an unreadable file\n")
        );
        assert_eq!(bug.exit_code(), 2);
        let foreign = Failure::Internal(anyhow::anyhow!("disk full"));
        assert!(
            foreign
                .message(Lang::Fr)
                .starts_with("erreur interne : disk full\n")
        );
    }
}
