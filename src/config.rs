//! Configuration: the TOML file as written (with source spans), its defaults, and validation of its meaning.
//!
//! `load` turns text into a [`Config`] or into every problem found, each naming file, line and column and saying
//! how to fix it. Nothing downstream ever sees an unvalidated configuration.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::approval::Forum;
use crate::language::Language;
use crate::messages::TextKey;
use crate::phase::{normalize, slugify, Phase, Phases};
use crate::rules::{ChecklistRule, Requirement, RequirementKind, SectionRef};

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
    /// Section name → the headings it had in the issue template's versions (the name first), from `[sections]`.
    pub sections: BTreeMap<String, Vec<String>>,
    /// Forum name → who may record its decisions, from `[forums]`.
    pub forums: BTreeMap<String, Forum>,
}

#[derive(Debug, Clone)]
pub struct BoardConfig {
    pub owner: String,
    pub project: u64,
    pub repositories: Vec<String>,
    pub status_field: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnViolation {
    /// Set the board Status back to the accepted phase.
    Revert,
    /// Keep the Status, add the blocked label.
    Flag,
}

impl OnViolation {
    /// The value as the TOML spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            OnViolation::Revert => "revert",
            OnViolation::Flag => "flag",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
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
    /// `org/team-slug`: members may run commands whatever their permission.
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
    /// The resource sections, quoted in the handoff comment.
    pub include_sections: Vec<String>,
    /// Project field saying how the initiative is funded.
    pub funding_field: Option<String>,
    /// Section of the issue saying how the initiative is funded.
    pub funding_section: Option<String>,
    /// Sections quoted in the tracking issues, in this order (default: `include_sections`).
    pub tracking_sections: Vec<String>,
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
    /// A number field summed as effort in the flow's load per team and group (Digdir: "Estimerte månedsverk").
    pub effort_field: Option<String>,
    /// A field naming the product group an initiative belongs to, for the load per group.
    pub group_field: Option<String>,
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

    /// A section by the name the configuration uses, with every heading it is known by.
    pub fn section(&self, name: &str) -> SectionRef {
        let key = crate::body::heading_key(name);
        self.sections
            .iter()
            .find(|(n, _)| crate::body::heading_key(n) == key)
            .map_or_else(
                || SectionRef::new(name),
                |(n, headings)| SectionRef {
                    name: n.clone(),
                    headings: headings.clone(),
                },
            )
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
        // Line 0 means the problem is the file as a whole (it cannot be read): no place in it to point at.
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )?;
        }
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
            hint: "pass --config FILE, set PORTFOLIO_SYNC_CONFIG, or write .github/portfolio-sync.toml (`portfolio-sync init` writes one from your board)".into(),
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
        sections: Vec::new(),
        forums: BTreeMap::new(),
    }
    .validate(raw)
}

/// The JSON Schema of the configuration file, generated from the types [`load`] reads it with, so that editors
/// (taplo, Even Better TOML) complete and check its keys. `config/portfolio-sync.schema.json` is this, shipped;
/// `portfolio-sync schema` prints it.
pub fn schema() -> serde_json::Value {
    // Draft 7: what taplo (and so Even Better TOML) reads best.
    let mut schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<RawConfig>();
    schema.insert("title".into(), "portfolio-sync configuration".into());
    schema.insert(
        "description".into(),
        "The TOML configuration of portfolio-sync (README.md, \"Configuration\").".into(),
    );
    schema.to_value()
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

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Configuration")]
#[serde(deny_unknown_fields)]
struct RawConfig {
    /// The board: owner, project number, repositories, status field.
    board: RawBoard,
    #[serde(default)]
    /// How the bot synchronises the board and the issues; every key optional.
    sync: RawSync,
    #[serde(default)]
    /// Who may run the comment commands (/fase, /sjekk, /hjelp).
    commands: RawCommands,
    #[serde(default)]
    #[schemars(with = "Vec<RawPhase>")]
    /// One [[phase]] per board column, in process order.
    phase: Vec<Spanned<RawPhase>>,
    #[serde(default)]
    /// What the handoff comment names when an initiative enters a phase with handoff = true.
    handoff: RawHandoff,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawTeam>")]
    /// Team name (as in the team field or a team label) → where the team lives on GitHub.
    teams: BTreeMap<Spanned<String>, Spanned<RawTeam>>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    /// Overrides of the comment texts; {phase}, {next}, {from}, {to}, {label}, {who}, {title}, {reference} are filled in.
    texts: BTreeMap<Spanned<String>, String>,
    #[serde(default)]
    /// The portfolio report; every key optional.
    report: RawReport,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawSection>")]
    sections: BTreeMap<Spanned<String>, Spanned<RawSection>>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawForum>")]
    /// Forums whose decisions a phase may require ({ decision = "Forum" }), and who records them.
    forums: BTreeMap<Spanned<String>, Spanned<RawForum>>,
}

/// `[forums."Porteføljekontoret"] teams = ["portefoljekontoret"]`: a forum that decides, and who records it.
#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Forum")]
#[serde(deny_unknown_fields)]
struct RawForum {
    /// Members of these teams (slugs in board.owner, or org/slug) may record and withdraw the forum's decisions.
    #[schemars(with = "Vec<String>")]
    teams: Vec<Spanned<String>>,
    #[serde(default)]
    /// Other names /godkjenn understands, e.g. "BOD".
    aliases: Vec<String>,
    #[serde(default)]
    /// Its decisions grant funds: the handoff names them as the initiative's funding.
    funding: bool,
}

/// One name or a list of names.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// `[sections."Problemstilling"] aliases = [...]`: the headings a section had in older versions of the template.
#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Section")]
#[serde(deny_unknown_fields)]
struct RawSection {
    /// The section's heading in older versions of the issue template.
    #[schemars(with = "Vec<String>")]
    aliases: Vec<Spanned<String>>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Board")]
#[serde(deny_unknown_fields)]
struct RawBoard {
    #[schemars(with = "String")]
    /// The organisation or user that owns the project.
    owner: Spanned<String>,
    #[schemars(with = "u64")]
    /// The project number, from its URL: github.com/orgs/OWNER/projects/NUMBER.
    project: Spanned<u64>,
    #[schemars(with = "Vec<String>")]
    /// Repositories (owner/name) whose issues are initiatives; issues of others are skipped.
    repositories: Vec<Spanned<String>>,
    #[serde(default = "default_status_field")]
    #[schemars(with = "String")]
    /// The single-select field whose options are the phases (default "Status").
    status_field: Spanned<String>,
}

fn default_status_field() -> Spanned<String> {
    Spanned::new(0..0, "Status".to_string())
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Sync")]
#[serde(deny_unknown_fields, default)]
struct RawSync {
    #[schemars(with = "String")]
    /// Phase labels are this prefix + the phase slug (default "fase/").
    label_prefix: Spanned<String>,
    /// A card without a phase label gets the label of its column, unchecked (default true).
    adopt_unlabelled: bool,
    /// A move to an earlier phase is accepted (default true).
    allow_backward: bool,
    /// A forward move whose requirements are not met: "revert" sets the Status back, "flag" adds blocked_label.
    on_violation: OnViolation,
    #[schemars(with = "String")]
    /// The label of a flagged move (default "fase/blokkert"); no phase label.
    blocked_label: Spanned<String>,
    /// "ignore" skips closed issues (default); "sync" reconciles them too.
    closed: ClosedPolicy,
    #[schemars(with = "usize")]
    /// A plan with more writes is refused without --allow-large (default 25).
    max_changes: Spanned<usize>,
    /// The language of the comments: "nb" (default) or "en".
    language: Language,
    /// Text blocks that do not count as content (default ["_No response_"]).
    placeholders: Vec<String>,
    #[schemars(with = "Option<String>")]
    /// The phase of a card with no Status (default: the first phase).
    no_status: Option<Spanned<String>>,
    #[schemars(with = "u32")]
    /// Comments, issues, labels and reactions GitHub allows in any minute (default 80).
    creates_per_minute: Spanned<u32>,
    #[schemars(with = "u32")]
    /// The same in any hour (default 500).
    creates_per_hour: Spanned<u32>,
    #[schemars(with = "u32")]
    /// Left in each window for people and the event handler (default 10).
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

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Commands")]
#[serde(deny_unknown_fields, default)]
struct RawCommands {
    /// Least repository permission to run commands (default "write").
    permission: Permission,
    /// Members of these teams (slugs in board.owner, or org/slug) may run commands too.
    #[schemars(with = "Vec<String>")]
    teams: Vec<Spanned<String>>,
}

impl Default for RawCommands {
    fn default() -> Self {
        Self {
            permission: Permission::Write,
            teams: Vec::new(),
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Phase")]
#[serde(deny_unknown_fields)]
struct RawPhase {
    #[schemars(with = "String")]
    /// The phase name, shown in comments and the report.
    name: Spanned<String>,
    #[schemars(with = "Option<String>")]
    /// The board's Status option for this phase (default: the name).
    status: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    /// The label slug (default: the name in lower case, other characters as "-").
    slug: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    /// More names for the /fase command.
    aliases: Vec<Spanned<String>>,
    #[serde(default)]
    /// Criteria people judge: shown in the status comment, never enforced.
    manual: Vec<String>,
    #[serde(default)]
    #[schemars(with = "Vec<RawRequirement>")]
    /// What must hold before an initiative may enter this phase.
    require: Vec<Spanned<RawRequirement>>,
    #[serde(default)]
    /// Entering this phase posts the handoff comment.
    handoff: bool,
    /// The report calls an initiative stale after this many days in the phase.
    stale_days: Option<u32>,
}

#[derive(Deserialize, Default, JsonSchema)]
#[schemars(rename = "Requirement")]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    /// The issue body has this section (heading), with content.
    section: Option<String>,
    /// Task items under this section are ticked (all, or min_checked).
    checklist: Option<String>,
    /// With checklist: at least this many ticked.
    min_checked: Option<u32>,
    /// With checklist: every item ticked (the default).
    all: Option<bool>,
    /// This project field is set.
    field: Option<String>,
    /// With field: to one of these values.
    one_of: Option<Vec<String>>,
    /// The issue has an assignee (write true).
    assignee: Option<bool>,
    /// The issue has a milestone (write true).
    milestone: Option<bool>,
    /// The issue has a label matching this glob (e.g. "moscow/*").
    label: Option<String>,
    #[schemars(with = "Option<Vec<RawRequirement>>")]
    /// At least one of these requirements holds (two or more).
    any: Option<Vec<Spanned<RawRequirement>>>,
    /// A decision recorded with /godkjenn by this forum, or by one of these forums (names in [forums]).
    decision: Option<OneOrMany>,
    /// The criterion in the organisation's words, shown instead of the generated sentence.
    message: Option<String>,
}

#[derive(Deserialize, Default, JsonSchema)]
#[schemars(rename = "Handoff")]
#[serde(deny_unknown_fields)]
struct RawHandoff {
    /// A project field naming who is responsible, besides the assignees.
    responsible_field: Option<String>,
    /// A project field naming the teams, comma separated.
    team_field: Option<String>,
    /// Labels with this prefix + a team name name teams too (e.g. "team/").
    team_label_prefix: Option<String>,
    #[serde(default)]
    /// Sections of the issue quoted in the handoff comment: the resources the initiative needs.
    include_sections: Vec<String>,
    /// A project field saying how the initiative is funded (e.g. "Finansiering").
    funding_field: Option<String>,
    /// A section of the issue saying how the initiative is funded, quoted briefly.
    funding_section: Option<String>,
    #[schemars(with = "Option<Vec<String>>")]
    /// Sections quoted in the tracking issues, in this order (default: include_sections, shown as the resources).
    tracking_sections: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Team")]
#[serde(deny_unknown_fields)]
struct RawTeam {
    #[schemars(with = "Option<String>")]
    /// org/team-slug, mentioned as @org/team-slug on handoff.
    github_team: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    /// owner/name where a tracking issue is opened on handoff.
    repository: Option<Spanned<String>>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Report")]
#[serde(deny_unknown_fields, default)]
struct RawReport {
    #[schemars(with = "u32")]
    /// Stale after this many days in a phase without its own stale_days (default 90).
    stale_days: Spanned<u32>,
    #[schemars(with = "u32")]
    /// Handoffs this recent are listed (default 14).
    recent_days: Spanned<u32>,
    /// Keep the report in an issue of the first repository, edited every run.
    issue: bool,
    #[schemars(with = "Option<String>")]
    /// The title of that issue (default by language).
    issue_title: Option<Spanned<String>>,
    /// A scheduled run writes the report too.
    on_schedule: bool,
    effort_field: Option<String>,
    group_field: Option<String>,
}

impl Default for RawReport {
    fn default() -> Self {
        Self {
            stale_days: Spanned::new(0..0, 90),
            recent_days: Spanned::new(0..0, 14),
            issue: false,
            issue_title: None,
            on_schedule: false,
            effort_field: None,
            group_field: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Validation of meaning.

struct Validator<'a> {
    text: &'a str,
    file: &'a str,
    errors: Vec<ConfigError>,
    /// `[sections]` as read: the name's heading key, the section, its place in the file, and whether anything
    /// uses it (an unused entry is a misspelt name, which would silently check the wrong heading).
    sections: Vec<(String, SectionRef, std::ops::Range<usize>, bool)>,
    /// `[forums]` as read, for the decision requirements.
    forums: BTreeMap<String, Forum>,
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
        self.read_sections(raw.sections);
        self.read_forums(raw.forums, &board.owner);
        let phases = self.phases(raw.phase);
        let handoff = self.handoff(raw.handoff);
        let sections = self.unused_sections();
        let sync = self.sync(raw.sync, &phases);
        let command_teams = self.teams_of(&raw.commands.teams, &board.owner, "[commands]");
        let teams = self.teams(raw.teams);
        let texts = self.texts(raw.texts);
        let report = self.report(raw.report, sync.language);
        if self.errors.is_empty() {
            Ok(Config {
                board,
                sync,
                commands: CommandsConfig {
                    permission: raw.commands.permission,
                    teams: command_teams,
                },
                phases,
                handoff,
                teams,
                texts,
                report,
                sections,
                forums: std::mem::take(&mut self.forums),
            })
        } else {
            self.errors.sort_by_key(|e| (e.line, e.column));
            Err(ConfigErrors(self.errors))
        }
    }

    /// Team names as `org/slug` (a bare slug is in `owner`); each that is no team name is an error of `whose`.
    fn teams_of(&mut self, teams: &[Spanned<String>], owner: &str, whose: &str) -> Vec<String> {
        let mut out = Vec::new();
        for team in teams {
            let text = team.get_ref().trim().trim_start_matches('@');
            match text.split_once('/') {
                None if !text.is_empty() => out.push(format!("{owner}/{text}")),
                Some((o, t)) if !o.is_empty() && !t.is_empty() && !t.contains('/') => {
                    out.push(text.to_string())
                }
                _ => self.error(
                    team.span(),
                    format!("team \"{}\" of {whose} is not a team", team.get_ref()),
                    "write a team slug in board.owner (\"portefoljekontoret\") or \"org/team-slug\"",
                ),
            }
        }
        out
    }

    fn read_forums(&mut self, raw: BTreeMap<Spanned<String>, Spanned<RawForum>>, owner: &str) {
        for (name, forum) in raw {
            let span = name.span();
            let name = name.into_inner();
            if name.trim().is_empty() {
                self.error(
                    span,
                    "a forum has an empty name",
                    "write e.g. [forums.\"Porteføljekontoret\"]",
                );
                continue;
            }
            if let Some(other) = self
                .forums
                .keys()
                .find(|k| crate::approval::same_forum(k, &name))
            {
                let message =
                    format!("forums \"{other}\" and \"{name}\" differ only in case or spaces");
                self.error(span, message, "keep one entry per forum");
                continue;
            }
            let forum = forum.into_inner();
            if forum.teams.is_empty() {
                self.error(
                    span.clone(),
                    format!("forum \"{name}\" names no team: nobody could record its decisions"),
                    "add teams = [\"team-slug\"] (a team in board.owner, or org/team-slug)",
                );
            }
            let teams = self.teams_of(&forum.teams, owner, &format!("forum \"{name}\""));
            self.forums.insert(
                name.clone(),
                Forum {
                    name,
                    teams,
                    aliases: forum.aliases,
                    funding: forum.funding,
                },
            );
        }
    }

    fn read_sections(&mut self, raw: BTreeMap<Spanned<String>, Spanned<RawSection>>) {
        for (name, section) in raw {
            let span = name.span();
            let name = name.into_inner().trim().to_string();
            let key = crate::body::heading_key(&name);
            if key.is_empty() {
                self.error(
                    span,
                    "a [sections] entry has an empty name",
                    "name the section as the requirements do, e.g. [sections.\"Problemstilling\"]",
                );
                continue;
            }
            if let Some((_, other, _, _)) = self.sections.iter().find(|(k, ..)| *k == key) {
                let message = format!(
                    "sections \"{}\" and \"{name}\" differ only in case or spaces",
                    other.name
                );
                self.error(span, message, "keep one entry per section");
                continue;
            }
            let mut headings = vec![name.clone()];
            for alias in section.into_inner().aliases {
                let heading = alias.get_ref().trim();
                let alias_key = crate::body::heading_key(heading);
                if alias_key.is_empty() {
                    self.error(
                        alias.span(),
                        format!("section \"{name}\" has an empty alias"),
                        "remove the empty string",
                    );
                } else if !headings
                    .iter()
                    .any(|h| crate::body::heading_key(h) == alias_key)
                {
                    headings.push(heading.to_string());
                }
            }
            self.sections
                .push((key, SectionRef { name, headings }, span, false));
        }
        // An entry named after another's alias: requirements naming it would check two different heading lists.
        for i in 0..self.sections.len() {
            let key = self.sections[i].0.clone();
            let owner = self.sections.iter().enumerate().find(|(j, (_, s, _, _))| {
                *j != i
                    && s.headings[1..]
                        .iter()
                        .any(|h| crate::body::heading_key(h) == key)
            });
            if let Some((_, (_, owner, _, _))) = owner {
                let message = format!(
                    "section \"{}\" is also an alias of section \"{}\"",
                    self.sections[i].1.name, owner.name
                );
                let span = self.sections[i].2.clone();
                self.error(
                    span,
                    message,
                    "a heading is either a section's name or an alias of one: merge the two entries",
                );
            }
        }
    }

    /// The section a requirement names, with its aliases; marks the `[sections]` entry as used.
    fn section_ref(&mut self, name: &str) -> SectionRef {
        let key = crate::body::heading_key(name);
        match self.sections.iter_mut().find(|(k, ..)| *k == key) {
            Some((_, section, _, used)) => {
                *used = true;
                section.clone()
            }
            None => SectionRef::new(name.trim()),
        }
    }

    /// The `[sections]` table for [`Config`]; an entry nothing names is an error (a misspelt section name).
    fn unused_sections(&mut self) -> BTreeMap<String, Vec<String>> {
        let mut out = BTreeMap::new();
        for (_, section, span, used) in std::mem::take(&mut self.sections) {
            if !used {
                self.error(
                    span,
                    format!(
                        "[sections.\"{}\"] names a section no requirement and no [handoff] setting uses",
                        section.name
                    ),
                    "spell the name exactly as a { section = ... } or { checklist = ... } requirement or a [handoff] \
                     setting (include_sections, tracking_sections, funding_section) does, or remove the entry",
                );
            }
            out.insert(section.name, section.headings);
        }
        out
    }

    /// `[handoff]`, its sections named as `[sections]` names them.
    fn handoff(&mut self, raw: RawHandoff) -> HandoffConfig {
        let include_sections: Vec<String> = raw
            .include_sections
            .iter()
            .map(|s| self.section_ref(s).name)
            .collect();
        let tracking_sections = match raw.tracking_sections {
            None => include_sections.clone(),
            Some(names) => {
                let mut out = Vec::new();
                for name in names {
                    if name.get_ref().trim().is_empty() {
                        self.error(
                            name.span(),
                            "handoff.tracking_sections has an empty entry",
                            "name a section heading, e.g. \"Problemstilling\", or remove the empty string",
                        );
                        continue;
                    }
                    out.push(self.section_ref(name.get_ref()).name);
                }
                out
            }
        };
        // Blank means "none", as for the report's fields: the handoff then says the funding is not given.
        let funding_section = raw
            .funding_section
            .filter(|s| !s.trim().is_empty())
            .map(|s| self.section_ref(&s).name);
        HandoffConfig {
            responsible_field: raw.responsible_field,
            team_field: raw.team_field,
            team_label_prefix: raw.team_label_prefix,
            include_sections,
            funding_field: raw.funding_field.filter(|f| !f.trim().is_empty()),
            funding_section,
            tracking_sections,
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
            ("decision", r.decision.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect();
        const KINDS: &str =
            "section, checklist, field, assignee, milestone, label, decision or any";
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
            "section" => RequirementKind::Section(self.section_ref(&r.section.unwrap_or_default())),
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
                    section: self.section_ref(&r.checklist.unwrap_or_default()),
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
            "decision" => {
                let mut forums = Vec::new();
                let mut unknown = false;
                for name in r.decision.map(OneOrMany::into_vec).unwrap_or_default() {
                    match self
                        .forums
                        .values()
                        .find(|f| crate::approval::same_forum(&f.name, &name))
                    {
                        Some(f) => forums.push(f.name.clone()),
                        None => {
                            unknown = true;
                            let known: Vec<&str> = self.forums.keys().map(String::as_str).collect();
                            self.error(
                                span.clone(),
                                format!("phase \"{phase}\" requires a decision by \"{name}\", which is not in [forums]"),
                                if known.is_empty() {
                                    format!("add [forums.\"{name}\"] with teams = [\"team-slug\"] (who may record its decisions)")
                                } else {
                                    format!("the forums are: {}", known.join(", "))
                                },
                            );
                        }
                    }
                }
                if forums.is_empty() {
                    if !unknown {
                        self.error(
                            span,
                            format!("a decision requirement of phase \"{phase}\" names no forum"),
                            "write e.g. { decision = \"Porteføljekontoret\" }",
                        );
                    }
                    return None;
                }
                RequirementKind::Decision { forums }
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
            // Blank means "none", like a field the board does not have: the load then counts initiatives only.
            effort_field: raw.effort_field.filter(|f| !f.trim().is_empty()),
            group_field: raw.group_field.filter(|f| !f.trim().is_empty()),
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
