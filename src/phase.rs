//! Phases of the portfolio process, their order, and lookup by what people type.
//!
//! The code knows no phase names: everything here comes from the configuration.

use crate::rules::Requirement;

/// Index of a phase in process order; a larger index is a later phase.
pub type PhaseIdx = usize;

#[derive(Debug, Clone)]
pub struct Phase {
    pub name: String,
    /// The board's Status option for this phase.
    pub status: String,
    /// Label slug: the phase label is `label_prefix + slug`.
    pub slug: String,
    pub aliases: Vec<String>,
    /// Criteria that need human judgment: shown as reminders, never enforced.
    pub manual: Vec<String>,
    /// What must hold before an initiative may enter this phase.
    pub require: Vec<Requirement>,
    /// Entering this phase announces the handoff.
    pub handoff: bool,
    /// Days after which an initiative in this phase counts as stale in the report.
    pub stale_days: Option<u32>,
}

/// The configured phases in process order.
#[derive(Debug, Clone, Default)]
pub struct Phases {
    list: Vec<Phase>,
}

/// Names compare trimmed and case-insensitively, with inner runs of white space folded.
pub fn normalize(s: &str) -> String {
    folded(s).collect()
}

/// `normalize(a) == normalize(b)` without allocating: reconcile compares every card's Status this way.
pub fn same_name(a: &str, b: &str) -> bool {
    folded(a).eq(folded(b))
}

fn folded(s: &str) -> impl Iterator<Item = char> + '_ {
    s.split_whitespace().enumerate().flat_map(|(i, word)| {
        (i > 0)
            .then_some(' ')
            .into_iter()
            .chain(word.chars().flat_map(char::to_lowercase))
    })
}

/// The label slug of a phase name: lower case, runs of anything but letters and digits become `-`.
/// Letters outside ASCII (æøå) are kept: GitHub labels are Unicode.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

impl Phases {
    pub fn new(list: Vec<Phase>) -> Self {
        Self { list }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn get(&self, idx: PhaseIdx) -> &Phase {
        &self.list[idx]
    }

    pub fn iter(&self) -> impl Iterator<Item = (PhaseIdx, &Phase)> {
        self.list.iter().enumerate()
    }

    /// The phase whose board Status option is `status`.
    pub fn by_status(&self, status: &str) -> Option<PhaseIdx> {
        self.list.iter().position(|p| same_name(&p.status, status))
    }

    /// The phase whose label slug is `slug` (exact: labels are written by the bot).
    pub fn by_slug(&self, slug: &str) -> Option<PhaseIdx> {
        self.list.iter().position(|p| same_name(&p.slug, slug))
    }

    /// What a person may type for a phase: its name, status option, slug, label (`prefix + slug`) or an alias.
    pub fn lookup(&self, text: &str, label_prefix: &str) -> Option<PhaseIdx> {
        let wanted = normalize(text);
        let prefix = normalize(label_prefix);
        let unprefixed = wanted
            .strip_prefix(prefix.as_str())
            .filter(|_| !prefix.is_empty());
        self.list.iter().position(|p| {
            let names = [&p.name, &p.status, &p.slug];
            names.iter().any(|n| normalize(n) == wanted)
                || p.aliases.iter().any(|a| normalize(a) == wanted)
                || unprefixed.is_some_and(|u| u == p.slug)
        })
    }

    pub fn names(&self) -> Vec<&str> {
        self.list.iter().map(|p| p.name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(name: &str, aliases: &[&str]) -> Phase {
        Phase {
            name: name.into(),
            status: name.into(),
            slug: slugify(name),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            manual: vec![],
            require: vec![],
            handoff: false,
            stale_days: None,
        }
    }

    #[test]
    fn same_name_agrees_with_normalize() {
        for (a, b, same) in [
            ("Ikke  startet", " ikke startet\t", true),
            ("UTFØRT", "utført", true),
            ("Konsept", "Konsept fase", false),
            ("Konsept", "Konsep", false),
            ("", "  ", true),
        ] {
            assert_eq!(same_name(a, b), same, "{a:?} {b:?}");
            assert_eq!(normalize(a) == normalize(b), same, "{a:?} {b:?}");
        }
        assert_eq!(normalize("  Ikke \n Startet "), "ikke startet");
    }

    #[test]
    fn slugs_keep_norwegian_letters_and_fold_separators() {
        assert_eq!(slugify("Ikke startet"), "ikke-startet");
        assert_eq!(slugify("  Utført "), "utført");
        assert_eq!(slugify("A / B"), "a-b");
    }

    #[test]
    fn lookup_matches_name_slug_label_and_alias() {
        let phases = Phases::new(vec![
            phase("Ikke startet", &[]),
            phase("Implementering", &["gjennomføring"]),
        ]);
        for text in [
            "implementering",
            " Implementering ",
            "fase/implementering",
            "Gjennomføring",
        ] {
            assert_eq!(phases.lookup(text, "fase/"), Some(1), "{text}");
        }
        assert_eq!(phases.lookup("ikke  startet", "fase/"), Some(0));
        assert_eq!(phases.lookup("fase/ikke-startet", "fase/"), Some(0));
        assert_eq!(phases.lookup("Utført", "fase/"), None);
    }
}
