//! Comment texts (bokmål and English) and the hidden markers that make comments idempotent.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Nb,
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TextKey {}

impl TextKey {
    pub fn parse(_s: &str) -> Option<TextKey> { None }
    pub fn all_names() -> Vec<&'static str> { vec![] }
}
