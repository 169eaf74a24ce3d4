//! Requirements of a phase and their verdicts.

#[derive(Debug, Clone)]
pub struct Requirement {
    pub kind: RequirementKind,
    /// The criterion in the organisation's words; replaces the generated sentence.
    pub message: Option<String>,
}

#[derive(Debug, Clone)]
pub enum RequirementKind {
    Section(String),
    Checklist { section: String, rule: ChecklistRule },
    Field { name: String, one_of: Vec<String> },
    Assignee,
    Milestone,
    Label { pattern: String, matcher: globset::GlobMatcher },
    Any(Vec<Requirement>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecklistRule {
    AtLeast(usize),
    All,
}
