use thiserror::Error;

/// A value that breaks one of the model's rules. The message names the field, quotes the value
/// and says what a valid one looks like, so it can be shown to the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid {field} {value:?}: {expected}")]
pub struct InvalidValue {
    /// The model field, in English (`"SIRET"`, `"capacity"`, …).
    pub field: &'static str,
    /// The value as it was given.
    pub value: String,
    /// What a valid value looks like.
    pub expected: String,
}

impl InvalidValue {
    pub(crate) fn new(
        field: &'static str,
        value: impl ToString,
        expected: impl Into<String>,
    ) -> Self {
        InvalidValue {
            field,
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}
