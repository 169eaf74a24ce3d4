//! Configuration: the TOML file as written (with source spans), its defaults, and validation of its meaning.
//!
//! `load` turns text into a [`Config`] or into every problem found, each naming file, line and column and saying
//! how to fix it. Nothing downstream ever sees an unvalidated configuration.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::language::Language;
use crate::messages::TextKey;
use crate::phase::{normalize, slugify, Phase, Phases};
use crate::rules::{ChecklistRule, Requirement, RequirementKind};

#[derive(Debug, Clone)]
pub struct Config {
    pub board: BoardConfig,
    pub sync: SyncConfig,
    pub commands: CommandsConfig,
    pub phases: Phases,
    pub handoff: HandoffConfig,
    /// Team name (as it appears in the team field or label) → where that team lives on GitHub.
    pub teams: BTreeMap<String, TeamConfig>,
    /// Overrides of the built-in comment texts.
    pub texts: BTreeMap<TextKey, String>,
    pub report: ReportConfig,
}

#[derive(Debug, Clone)]
pub struct BoardConfig {
    pub owner: String,
    pub project: u64,
    pub repositories: Vec<String>,
    pub status_field: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnViolation {
    /// Set the board Status back to the accepted phase.
    Revert,
    /// Keep the Status, add the blocked label.
    Flag,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClosedPolicy {
    /// Closed issues are skipped and never touched.
    Ignore,
    /// Closed issues are reconciled like open ones.
    Sync,
}

#[derive(Debug, Clone)]
pub struct SyncConfig {
    pub label_prefix: String,
    pub adopt_unlabelled: bool,
    pub allow_backward: bool,
    pub on_violation: OnViolation,
    pub blocked_label: String,
    pub closed: ClosedPolicy,
    pub max_changes: usize,
    pub language: Language,
    pub placeholders: Vec<String>,
    /// Phase of an item with no Status value.
    pub no_status: usize,
    /// GitHub's budget for creating comments, issues, labels and reactions: at most this many in any minute...
    pub creates_per_minute: u32,
    /// ... and in any hour ...
    pub creates_per_hour: u32,
    /// ... less this many in both, left to people and the event handler working with the same token.
    pub create_headroom: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    None,
    Read,
    Triage,
    Write,
    Maintain,
    Admin,
}

#[derive(Debug, Clone)]
pub struct CommandsConfig {
    pub permission: Permission,
    pub teams: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct HandoffConfig {
    /// Project field naming the responsible person(s), besides the assignees.
    pub responsible_field: Option<String>,
    /// Project field naming the team(s), comma separated.
    pub team_field: Option<String>,
    /// Labels `prefix + team` name teams too (`team/Dialogporten`).
    pub team_label_prefix: Option<String>,
    pub include_sections: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamConfig {
    /// `org/team-slug`, mentioned as `@org/team-slug`.
    pub github_team: Option<String>,
    /// `owner/repo` where a tracking issue is opened on handoff.
    pub repository: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ReportConfig {
    /// Days after which an initiative counts as stale in any phase without its own `stale_days`.
    pub stale_days: u32,
    /// Handoffs within this many days are listed as recent.
    pub recent_days: u32,
    /// Upsert the pinned report issue in the first configured repository.
    pub issue: bool,
    /// Title of that issue (default by language: "Porteføljestatus" / "Portfolio status").
    pub issue_title: String,
    /// A scheduled run writes the report too (`workflow_dispatch` asks for it with an input).
    pub on_schedule: bool,
}

impl Config {
    /// The label that records that an initiative was accepted into `phase`.
    pub fn phase_label(&self, phase: usize) -> String {
        format!("{}{}", self.sync.label_prefix, self.phases.get(phase).slug)
    }

    /// The phase a label stands for, if it is one of the phase labels.
    pub fn phase_of_label(&self, label: &str) -> Option<usize> {
        let slug = label.strip_prefix(&self.sync.label_prefix)?;
        self.phases.by_slug(slug)
    }

    pub fn is_board_repository(&self, repository: &str) -> bool {
        self.board
            .repositories
            .iter()
            .any(|r| r.eq_ignore_ascii_case(repository))
    }
}

/// Where the configuration is looked for when `--config` is not given.
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("PORTFOLIO_SYNC_CONFIG").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let in_repo = Path::new(".github/portfolio-sync.toml");
    if in_repo.exists() {
        return in_repo.to_path_buf();
    }
    PathBuf::from("config/portfolio.toml")
}

/// One problem in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if !self.hint.is_empty() {
            write!(f, "\n  how to fix: {}", self.hint)?;
        }
        Ok(())
    }
}

/// Every problem found in a configuration; validation does not stop at the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Reads and validates the configuration file at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: file.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read the configuration: {e}"),
            hint: "pass --config FILE, set PORTFOLIO_SYNC_CONFIG, or create .github/portfolio-sync.toml".into(),
        }])
    })?;
    parse(&text, &file)
}

/// Parses and validates configuration text; `file` is only used in messages.
pub fn parse(text: &str, file: &str) -> Result<Config, ConfigErrors> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ConfigErrors(vec![ConfigError {
            file: file.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
            hint: syntax_hint(e.message()),
        }])
    })?;
    Validator {
        text,
        file,
        errors: Vec::new(),
    }
    .validate(raw)
}

fn syntax_hint(message: &str) -> String {
    if message.contains("unknown field") {
        "remove the key or correct its spelling; the keys this table accepts are listed above"
            .into()
    } else if message.contains("missing field") {
        "add the key; see the configuration reference in README.md".into()
    } else if message.contains("unknown variant") {
        "use one of the values listed above".into()
    } else if message.contains("invalid type") {
        "give the value the type the message names (a string in quotes, a number, true/false, a list in [...])".into()
    } else {
        "fix the TOML syntax at that place".into()
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

// ---------------------------------------------------------------------------------------------------------------
// The file as written.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    board: RawBoard,
    #[serde(default)]
    sync: RawSync,
    #[serde(default)]
    commands: RawCommands,
    #[serde(default)]
    phase: Vec<Spanned<RawPhase>>,
    #[serde(default)]
    handoff: RawHandoff,
    #[serde(default)]
    teams: BTreeMap<Spanned<String>, Spanned<RawTeam>>,
    #[serde(default)]
    texts: BTreeMap<Spanned<String>, String>,
    #[serde(default)]
    report: RawReport,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBoard {
    owner: Spanned<String>,
    project: Spanned<u64>,
    repositories: Vec<Spanned<String>>,
    #[serde(default = "default_status_field")]
    status_field: Spanned<String>,
}

fn default_status_field() -> Spanned<String> {
    Spanned::new(0..0, "Status".to_string())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawSync {
    label_prefix: Spanned<String>,
    adopt_unlabelled: bool,
    allow_backward: bool,
    on_violation: OnViolation,
    blocked_label: Spanned<String>,
    closed: ClosedPolicy,
    max_changes: Spanned<usize>,
    language: Language,
    placeholders: Vec<String>,
    no_status: Option<Spanned<String>>,
    creates_per_minute: Spanned<u32>,
    creates_per_hour: Spanned<u32>,
    create_headroom: Spanned<u32>,
}

impl Default for RawSync {
    fn default() -> Self {
        Self {
            label_prefix: Spanned::new(0..0, "fase/".into()),
            adopt_unlabelled: true,
            allow_backward: true,
            on_violation: OnViolation::Revert,
            blocked_label: Spanned::new(0..0, "fase/blokkert".into()),
            closed: ClosedPolicy::Ignore,
            max_changes: Spanned::new(0..0, 25),
            language: Language::Nb,
            placeholders: vec!["_No response_".into()],
            no_status: None,
            // GitHub's documented secondary limits for content creation (GitHub Enterprise may differ).
            creates_per_minute: Spanned::new(0..0, 80),
            creates_per_hour: Spanned::new(0..0, 500),
            create_headroom: Spanned::new(0..0, 10),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawCommands {
    permission: Permission,
    teams: Vec<String>,
}

impl Default for RawCommands {
    fn default() -> Self {
        Self {
            permission: Permission::Write,
            teams: Vec::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhase {
    name: Spanned<String>,
    status: Option<Spanned<String>>,
    slug: Option<Spanned<String>>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    #[serde(default)]
    manual: Vec<String>,
    #[serde(default)]
    require: Vec<Spanned<RawRequirement>>,
    #[serde(default)]
    handoff: bool,
    stale_days: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    section: Option<String>,
    checklist: Option<String>,
    min_checked: Option<u32>,
    all: Option<bool>,
    field: Option<String>,
    one_of: Option<Vec<String>>,
    assignee: Option<bool>,
    milestone: Option<bool>,
    label: Option<String>,
    any: Option<Vec<Spanned<RawRequirement>>>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawHandoff {
    responsible_field: Option<String>,
    team_field: Option<String>,
    team_label_prefix: Option<String>,
    #[serde(default)]
    include_sections: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTeam {
    github_team: Option<Spanned<String>>,
    repository: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawReport {
    stale_days: Spanned<u32>,
    recent_days: Spanned<u32>,
    issue: bool,
    issue_title: Option<Spanned<String>>,
    on_schedule: bool,
}

impl Default for RawReport {
    fn default() -> Self {
        Self {
            stale_days: Spanned::new(0..0, 90),
            recent_days: Spanned::new(0..0, 14),
            issue: false,
            issue_title: None,
            on_schedule: false,
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Validation of meaning.

struct Validator<'a> {
    text: &'a str,
    file: &'a str,
    errors: Vec<ConfigError>,
}

impl Validator<'_> {
    fn error(
        &mut self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let (line, column) = line_col(self.text, span.start);
        self.errors.push(ConfigError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
            hint: hint.into(),
        });
    }

    fn validate(mut self, raw: RawConfig) -> Result<Config, ConfigErrors> {
        let board = self.board(raw.board);
        let phases = self.phases(raw.phase);
        let sync = self.sync(raw.sync, &phases);
        let teams = self.teams(raw.teams);
        let texts = self.texts(raw.texts);
        let report = self.report(raw.report, sync.language);
        if self.errors.is_empty() {
            Ok(Config {
                board,
                sync,
                commands: CommandsConfig {
                    permission: raw.commands.permission,
                    teams: raw.commands.teams,
                },
                phases,
                handoff: HandoffConfig {
                    responsible_field: raw.handoff.responsible_field,
                    team_field: raw.handoff.team_field,
                    team_label_prefix: raw.handoff.team_label_prefix,
                    include_sections: raw.handoff.include_sections,
                },
                teams,
                texts,
                report,
            })
        } else {
            self.errors.sort_by_key(|e| (e.line, e.column));
            Err(ConfigErrors(self.errors))
        }
    }

    fn board(&mut self, raw: RawBoard) -> BoardConfig {
        if raw.owner.get_ref().trim().is_empty() {
            self.error(
                raw.owner.span(),
                "board.owner is empty",
                "give the organisation or user that owns the project, e.g. owner = \"digdir\"",
            );
        }
        if raw.status_field.get_ref().trim().is_empty() {
            self.error(
                raw.status_field.span(),
                "board.status_field is empty",
                "name the board's single-select field that holds the phase, usually \"Status\"",
            );
        }
        if *raw.project.get_ref() == 0 {
            self.error(
                raw.project.span(),
                "board.project is 0",
                "give the project number from its URL: github.com/orgs/OWNER/projects/NUMBER",
            );
        }
        if raw.repositories.is_empty() {
            self.error(
                raw.owner.span(),
                "board.repositories is empty: no issue would ever be synced",
                "list the repositories whose issues are initiatives, e.g. repositories = [\"digdir/portfolio\"]",
            );
        }
        for repo in &raw.repositories {
            self.check_repo_name(repo, "board.repositories");
        }
        BoardConfig {
            owner: raw.owner.into_inner().trim().to_string(),
            project: raw.project.into_inner(),
            repositories: raw
                .repositories
                .into_iter()
                .map(|r| r.into_inner())
                .collect(),
            status_field: raw.status_field.into_inner(),
        }
    }

    fn check_repo_name(&mut self, repo: &Spanned<String>, key: &str) {
        let valid = repo
            .get_ref()
            .split_once('/')
            .is_some_and(|(o, r)| !o.is_empty() && !r.is_empty() && !r.contains('/'));
        if !valid {
            self.error(
                repo.span(),
                format!("{key}: \"{}\" is not a repository name", repo.get_ref()),
                "write it as \"owner/name\", e.g. \"digdir/portfolio\"",
            );
        }
    }

    fn phases(&mut self, raw: Vec<Spanned<RawPhase>>) -> Phases {
        if raw.is_empty() {
            self.error(
                0..0,
                "no phases are configured",
                "add one [[phase]] table per board column, in process order",
            );
        }
        let mut list = Vec::new();
        // Everything a person may type for a phase, normalised → the phase that owns it.
        let mut names: HashMap<String, String> = HashMap::new();
        let mut statuses: HashMap<String, String> = HashMap::new();
        for spanned in raw {
            let span = spanned.span();
            let p = spanned.into_inner();
            let name = p.name.get_ref().trim().to_string();
            if name.is_empty() {
                self.error(
                    p.name.span(),
                    "a phase has an empty name",
                    "give every [[phase]] a name",
                );
                continue;
            }
            if names
                .get(&normalize(&name))
                .is_some_and(|owner| normalize(owner) == normalize(&name))
            {
                self.error(
                    p.name.span(),
                    format!("phase \"{name}\" is defined twice"),
                    "every [[phase]] needs its own name; merge the two tables or rename one",
                );
                continue;
            }
            let status = p
                .status
                .as_ref()
                .map_or(name.clone(), |s| s.get_ref().trim().to_string());
            let status_span = p.status.as_ref().map_or(p.name.span(), |s| s.span());
            let status_unique = match statuses.insert(normalize(&status), name.clone()) {
                None => true,
                Some(other) => {
                    self.error(
                        status_span.clone(),
                        format!("phases \"{other}\" and \"{name}\" use the same board Status option \"{status}\""),
                        "every phase needs its own Status option (the `status` key defaults to the phase name)",
                    );
                    false
                }
            };
            // Labels are compared case-insensitively by GitHub, so slugs are lower case.
            let slug = match &p.slug {
                Some(s) => s.get_ref().trim().to_lowercase(),
                None => slugify(&name),
            };
            let slug_span = p.slug.as_ref().map_or(span.clone(), |s| s.span());
            if slug.is_empty() || slug.contains(char::is_whitespace) {
                self.error(
                    slug_span.clone(),
                    format!("phase \"{name}\" has no usable label slug (\"{slug}\")"),
                    "set slug = \"...\" with letters, digits and dashes",
                );
            }
            let mut words = vec![(name.clone(), p.name.span()), (slug.clone(), slug_span)];
            if status_unique && normalize(&status) != normalize(&name) {
                words.push((status.clone(), status_span.clone()));
            }
            words.extend(p.aliases.iter().map(|a| (a.get_ref().clone(), a.span())));
            let mut own = std::collections::HashSet::new();
            for (word, at) in words {
                let key = normalize(&word);
                if key.is_empty() {
                    self.error(
                        at,
                        format!("phase \"{name}\" has an empty alias"),
                        "remove the empty string",
                    );
                    continue;
                }
                if !own.insert(key.clone()) {
                    continue; // a phase may repeat its own name as status, slug or alias
                }
                if let Some(other) = names.insert(key, name.clone()) {
                    self.error(
                        at,
                        format!("\"{word}\" names both phase \"{other}\" and phase \"{name}\""),
                        "phase names, status options, slugs and aliases must each name one phase only",
                    );
                }
            }
            let require = p
                .require
                .into_iter()
                .filter_map(|r| self.requirement(r, &name))
                .collect();
            list.push(Phase {
                name,
                status,
                slug,
                aliases: p.aliases.into_iter().map(|a| a.into_inner()).collect(),
                manual: p.manual,
                require,
                handoff: p.handoff,
                stale_days: p.stale_days,
            });
        }
        Phases::new(list)
    }

    fn requirement(&mut self, raw: Spanned<RawRequirement>, phase: &str) -> Option<Requirement> {
        let span = raw.span();
        let r = raw.into_inner();
        let kinds: Vec<&str> = [
            ("section", r.section.is_some()),
            ("checklist", r.checklist.is_some()),
            ("field", r.field.is_some()),
            ("assignee", r.assignee.is_some()),
            ("milestone", r.milestone.is_some()),
            ("label", r.label.is_some()),
            ("any", r.any.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect();
        const KINDS: &str = "section, checklist, field, assignee, milestone, label or any";
        let hint_one =
            format!("write exactly one of {KINDS}, e.g. {{ section = \"Problemstilling\" }}");
        match kinds.as_slice() {
            [] => {
                self.error(
                    span,
                    format!("a requirement of phase \"{phase}\" says nothing to check"),
                    hint_one,
                );
                return None;
            }
            [_] => {}
            many => {
                self.error(
                    span,
                    format!(
                        "a requirement of phase \"{phase}\" mixes {}: one requirement checks one thing",
                        many.join(" and ")
                    ),
                    "split it into several requirements, or use { any = [ ... ] } for alternatives",
                );
                return None;
            }
        }
        let kind = kinds[0];
        if kind != "checklist" && (r.min_checked.is_some() || r.all.is_some()) {
            self.error(
                span.clone(),
                format!("min_checked and all belong to a checklist requirement, not to {kind} (phase \"{phase}\")"),
                "remove them, or make it { checklist = \"Section\", min_checked = 1 }",
            );
        }
        if kind != "field" && r.one_of.is_some() {
            self.error(
                span.clone(),
                format!("one_of belongs to a field requirement, not to {kind} (phase \"{phase}\")"),
                "remove it, or make it { field = \"Name\", one_of = [\"A\", \"B\"] }",
            );
        }
        let text_empty = |s: &Option<String>| s.as_deref().is_some_and(|s| s.trim().is_empty());
        if text_empty(&r.section) || text_empty(&r.checklist) || text_empty(&r.field) {
            self.error(
                span.clone(),
                format!("a {kind} requirement of phase \"{phase}\" names nothing"),
                "give the section heading or field name in the quotes",
            );
            return None;
        }
        let kind = match kind {
            "section" => RequirementKind::Section(r.section.unwrap_or_default()),
            "checklist" => {
                let rule = match (r.min_checked, r.all) {
                    (Some(_), Some(true)) => {
                        self.error(
                            span,
                            format!("a checklist requirement of phase \"{phase}\" sets both min_checked and all"),
                            "keep one: min_checked = N (at least N ticked) or all = true (every box ticked)",
                        );
                        return None;
                    }
                    (Some(0), _) => {
                        self.error(
                            span,
                            format!("min_checked = 0 in phase \"{phase}\" requires nothing"),
                            "use min_checked = 1 or more, or remove the requirement",
                        );
                        return None;
                    }
                    (Some(n), _) => ChecklistRule::AtLeast(n as usize),
                    (None, Some(false)) => ChecklistRule::AtLeast(1),
                    (None, _) => ChecklistRule::All,
                };
                RequirementKind::Checklist {
                    section: r.checklist.unwrap_or_default(),
                    rule,
                }
            }
            "field" => {
                let one_of = r.one_of.unwrap_or_default();
                if one_of.iter().any(|o| o.trim().is_empty()) {
                    self.error(
                        span.clone(),
                        "one_of contains an empty value",
                        "remove the empty string",
                    );
                }
                RequirementKind::Field {
                    name: r.field.unwrap_or_default(),
                    one_of,
                }
            }
            "assignee" | "milestone" => {
                if r.assignee == Some(false) || r.milestone == Some(false) {
                    self.error(
                        span,
                        format!("`{kind} = false` in phase \"{phase}\" requires nothing"),
                        format!("write {{ {kind} = true }}, or remove the requirement"),
                    );
                    return None;
                }
                if kind == "assignee" {
                    RequirementKind::Assignee
                } else {
                    RequirementKind::Milestone
                }
            }
            "label" => {
                let pattern = r.label.unwrap_or_default();
                match globset::Glob::new(&pattern) {
                    Ok(glob) if !pattern.trim().is_empty() => RequirementKind::Label {
                        matcher: glob.compile_matcher(),
                        pattern,
                    },
                    Ok(_) => {
                        self.error(
                            span,
                            "a label requirement has an empty pattern",
                            "write e.g. { label = \"team/*\" }",
                        );
                        return None;
                    }
                    Err(e) => {
                        self.error(
                            span,
                            format!("label pattern \"{pattern}\" in phase \"{phase}\" is not a valid glob: {}", e.kind()),
                            "use * for any text, ? for one character, [abc] for a set; close every [ and {",
                        );
                        return None;
                    }
                }
            }
            _ => {
                let alternatives = r.any.unwrap_or_default();
                if alternatives.len() < 2 {
                    self.error(
                        span,
                        format!("`any` in phase \"{phase}\" needs at least two alternatives"),
                        "list two or more requirements, or write the single requirement on its own",
                    );
                    return None;
                }
                let list: Vec<Requirement> = alternatives
                    .into_iter()
                    .filter_map(|a| self.requirement(a, phase))
                    .collect();
                RequirementKind::Any(list)
            }
        };
        Some(Requirement {
            kind,
            message: r.message,
        })
    }

    fn sync(&mut self, raw: RawSync, phases: &Phases) -> SyncConfig {
        let prefix = raw.label_prefix.get_ref().clone();
        if prefix.trim().is_empty() {
            self.error(
                raw.label_prefix.span(),
                "sync.label_prefix is empty: every label would look like a phase label",
                "use a prefix such as \"fase/\"",
            );
        }
        let blocked = raw.blocked_label.get_ref().clone();
        if blocked.trim().is_empty() {
            self.error(
                raw.blocked_label.span(),
                "sync.blocked_label is empty",
                "use e.g. \"fase/blokkert\"",
            );
        } else if let Some((_, phase)) = phases
            .iter()
            .find(|(_, p)| normalize(&format!("{prefix}{}", p.slug)) == normalize(&blocked))
        {
            self.error(
                raw.blocked_label.span(),
                format!(
                    "sync.blocked_label \"{blocked}\" is the label of phase \"{}\"",
                    phase.name
                ),
                "choose a blocked label no phase uses, e.g. \"fase/blokkert\"",
            );
        }
        if *raw.max_changes.get_ref() == 0 {
            self.error(
                raw.max_changes.span(),
                "sync.max_changes = 0 would refuse every change",
                "set a positive limit; large one-off runs can pass --allow-large",
            );
        }
        let (per_minute, per_hour, headroom) = (
            *raw.creates_per_minute.get_ref(),
            *raw.creates_per_hour.get_ref(),
            *raw.create_headroom.get_ref(),
        );
        if per_minute <= headroom {
            self.error(
                raw.creates_per_minute.span(),
                format!(
                    "sync.creates_per_minute = {per_minute} leaves nothing after create_headroom = {headroom}: \
                     the bot could never create a comment"
                ),
                "GitHub allows 80 a minute; keep create_headroom below creates_per_minute",
            );
        }
        if per_hour <= headroom {
            self.error(
                raw.creates_per_hour.span(),
                format!(
                    "sync.creates_per_hour = {per_hour} leaves nothing after create_headroom = {headroom}: \
                     the bot could never create a comment"
                ),
                "GitHub allows 500 an hour; keep create_headroom below creates_per_hour",
            );
        }
        if per_hour < per_minute {
            self.error(
                raw.creates_per_hour.span(),
                format!(
                    "sync.creates_per_hour = {per_hour} is less than creates_per_minute = {per_minute}"
                ),
                "an hour holds sixty minutes: allow at least as many an hour as a minute (GitHub: 500 and 80)",
            );
        }
        let no_status = match &raw.no_status {
            None => 0,
            Some(name) => match phases.lookup(name.get_ref(), &prefix) {
                Some(i) => i,
                None => {
                    self.error(
                        name.span(),
                        format!(
                            "sync.no_status names phase \"{}\", which is not configured",
                            name.get_ref()
                        ),
                        format!("use one of: {}", phases.names().join(", ")),
                    );
                    0
                }
            },
        };
        SyncConfig {
            label_prefix: prefix,
            adopt_unlabelled: raw.adopt_unlabelled,
            allow_backward: raw.allow_backward,
            on_violation: raw.on_violation,
            blocked_label: blocked,
            closed: raw.closed,
            max_changes: raw.max_changes.into_inner(),
            language: raw.language,
            placeholders: raw.placeholders,
            no_status,
            creates_per_minute: per_minute,
            creates_per_hour: per_hour,
            create_headroom: headroom,
        }
    }

    fn teams(
        &mut self,
        raw: BTreeMap<Spanned<String>, Spanned<RawTeam>>,
    ) -> BTreeMap<String, TeamConfig> {
        let mut seen: HashMap<String, String> = HashMap::new();
        let mut teams = BTreeMap::new();
        for (name, team) in raw {
            let key = normalize(name.get_ref());
            if let Some(other) = seen.insert(key, name.get_ref().clone()) {
                self.error(
                    name.span(),
                    format!(
                        "teams \"{other}\" and \"{}\" differ only in case or spaces",
                        name.get_ref()
                    ),
                    "keep one entry per team",
                );
            }
            let team = team.into_inner();
            if team.github_team.is_none() && team.repository.is_none() {
                self.error(
                    name.span(),
                    format!(
                        "team \"{}\" has neither github_team nor repository",
                        name.get_ref()
                    ),
                    "add github_team = \"org/team-slug\" and/or repository = \"owner/repo\"",
                );
            }
            if let Some(gt) = &team.github_team {
                let ok = gt
                    .get_ref()
                    .trim_start_matches('@')
                    .split_once('/')
                    .is_some_and(|(o, t)| !o.is_empty() && !t.is_empty() && !t.contains('/'));
                if !ok {
                    self.error(
                        gt.span(),
                        format!("github_team \"{}\" is not an org/team name", gt.get_ref()),
                        "write it as \"org/team-slug\", e.g. \"digdir/team-dialogporten\"",
                    );
                }
            }
            if let Some(repo) = &team.repository {
                self.check_repo_name(repo, "teams.repository");
            }
            teams.insert(
                name.into_inner(),
                TeamConfig {
                    github_team: team
                        .github_team
                        .map(|g| g.into_inner().trim_start_matches('@').to_string()),
                    repository: team.repository.map(|r| r.into_inner()),
                },
            );
        }
        teams
    }

    fn texts(&mut self, raw: BTreeMap<Spanned<String>, String>) -> BTreeMap<TextKey, String> {
        let mut texts = BTreeMap::new();
        for (key, text) in raw {
            match TextKey::parse(key.get_ref()) {
                Some(k) => {
                    texts.insert(k, text);
                }
                None => self.error(
                    key.span(),
                    format!("texts.{} is not a text the bot writes", key.get_ref()),
                    format!("use one of: {}", TextKey::all_names().join(", ")),
                ),
            }
        }
        texts
    }

    fn report(&mut self, raw: RawReport, language: Language) -> ReportConfig {
        for (days, key) in [
            (&raw.stale_days, "stale_days"),
            (&raw.recent_days, "recent_days"),
        ] {
            if *days.get_ref() == 0 {
                self.error(
                    days.span(),
                    format!("report.{key} = 0 counts no day at all"),
                    "use a number of days, 1 or more",
                );
            }
        }
        let issue_title = match raw.issue_title {
            Some(t) if t.get_ref().trim().is_empty() => {
                self.error(
                    t.span(),
                    "report.issue_title is empty",
                    "write a title, e.g. \"Porteføljestatus\"",
                );
                String::new()
            }
            Some(t) => t.into_inner().trim().to_string(),
            None => language
                .pick("Porteføljestatus", "Portfolio status")
                .to_string(),
        };
        ReportConfig {
            stale_days: *raw.stale_days.get_ref(),
            recent_days: *raw.recent_days.get_ref(),
            issue: raw.issue,
            issue_title,
            on_schedule: raw.on_schedule,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "a = 1\nø = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 8), (2, 2)); // after the two-byte ø
    }
}
