use serde::{Deserialize, Serialize};

/// A language of the user interface. French first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// The French or the English text, as this language asks.
    pub fn pick(self, fr: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// The language's code: `fr`, `en`.
    pub fn code(self) -> &'static str {
        self.pick("fr", "en")
    }
}
