//! The language of everything the bot writes for people.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Nb,
    En,
}

impl Language {
    /// The bokmål or the English of a text.
    pub fn pick<T>(self, nb: T, en: T) -> T {
        match self {
            Language::Nb => nb,
            Language::En => en,
        }
    }
}
