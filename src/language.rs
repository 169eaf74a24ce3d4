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

    /// Alternatives as people list them: "a", "a eller b", "a, b eller c".
    pub fn or_list(self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} {} {last}", rest.join(", "), self.pick("eller", "or")),
        }
    }

    /// A name in the language's quotation marks: «A», “A”.
    pub fn quoted(self, name: &str) -> String {
        self.pick(format!("«{name}»"), format!("“{name}”"))
    }
}

/// A text in both languages, for a text made where the configuration is not at hand: an event's payload is read
/// before (and, by `serve`, apart from) the configuration that says which language the people read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bilingual {
    pub nb: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(nb: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            nb: nb.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, language: Language) -> &str {
        language.pick(&self.nb, &self.en)
    }
}

/// English: what logs and the webhook server's answers to GitHub show, like the rest of the log.
impl std::fmt::Display for Bilingual {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}
