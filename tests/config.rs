//! Configuration errors as a portfolio manager meets them: every mistake names file, line and column, says what is
//! wrong and how to fix it. Plus: the shipped configurations and example snapshots are valid.
//!
//! Each test writes the whole file, so the line numbers in the assertions can be counted in the text above them.

use portfolio_sync::board::{Board, Item, ItemKind};
use portfolio_sync::config::{parse, Config, ConfigError, ConfigErrors, OnViolation};
use portfolio_sync::language::Language;

const FILE: &str = "test.toml";

fn errors(text: &str) -> Vec<ConfigError> {
    match parse(text, FILE) {
        Ok(_) => panic!("expected configuration errors, but this parsed:\n{text}"),
        Err(ConfigErrors(errors)) => errors,
    }
}

/// Asserts that exactly one error is reported, at `line`:`column`, and that its message contains `phrase`.
#[track_caller]
fn assert_error(text: &str, line: usize, column: usize, phrase: &str) -> ConfigError {
    let errors = errors(text);
    let all = ConfigErrors(errors.clone()).to_string();
    let [error] = errors.as_slice() else {
        panic!(
            "expected one error mentioning {phrase:?}, got {}:\n{all}",
            errors.len()
        );
    };
    assert!(
        error.message.contains(phrase),
        "expected the message to mention {phrase:?}:\n{all}"
    );
    assert_eq!(
        (error.line, error.column),
        (line, column),
        "wrong position:\n{all}"
    );
    assert_eq!(error.file, FILE);
    assert!(
        !error.hint.trim().is_empty(),
        "the error says nothing about how to fix it:\n{all}"
    );
    error.clone()
}

/// Like [`assert_error`], but other errors may be reported besides the one looked for.
#[track_caller]
fn assert_some_error(text: &str, line: usize, column: usize, phrase: &str) -> ConfigError {
    let errors = errors(text);
    let all = ConfigErrors(errors.clone()).to_string();
    let Some(error) = errors.iter().find(|e| e.message.contains(phrase)) else {
        panic!("no error mentions {phrase:?}:\n{all}");
    };
    assert_eq!(
        (error.line, error.column),
        (line, column),
        "wrong position:\n{all}"
    );
    assert!(
        !error.hint.trim().is_empty(),
        "the error says nothing about how to fix it:\n{all}"
    );
    error.clone()
}

#[track_caller]
fn valid(text: &str) -> Config {
    parse(text, FILE)
        .unwrap_or_else(|e| panic!("expected a valid configuration, got:\n{e}\n\n{text}"))
}

// ---------------------------------------------------------------------------------------------------------------
// TOML and serde: syntax, unknown keys, types, enum values.

#[test]
fn toml_syntax_error() {
    let text = r#"[board]
owner = "digdir"
project 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"
"#;
    let e = assert_error(text, 3, 9, "expected");
    assert!(e.hint.contains("TOML syntax"), "{e}");
}

#[test]
fn unknown_key_in_sync() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[sync]
label_prefix = "fase/"
on_violaton = "flag"

[[phase]]
name = "Problem"
"#;
    let e = assert_error(text, 8, 1, "unknown field `on_violaton`");
    assert!(
        e.message.contains("on_violation"),
        "the message lists the accepted keys: {e}"
    );
}

#[test]
fn unknown_key_in_a_requirement() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"
require = [
  { section = "Problemstilling", mesage = "Problemstillingen er beskrevet" },
]
"#;
    assert_error(text, 9, 34, "unknown field `mesage`");
}

#[test]
fn unknown_key_in_a_phase() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"
requires = [{ assignee = true }]
"#;
    assert_error(text, 8, 1, "unknown field `requires`");
}

#[test]
fn wrong_type() {
    let text = r#"[board]
owner = "digdir"
project = "1"
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"
"#;
    let e = assert_error(text, 3, 11, "invalid type");
    assert!(e.hint.contains("type"), "{e}");
}

#[test]
fn bad_enum_value() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[sync]
on_violation = "ignore"

[[phase]]
name = "Problem"
"#;
    let e = assert_error(text, 7, 16, "unknown variant `ignore`");
    assert!(
        e.message.contains("revert") && e.message.contains("flag"),
        "{e}"
    );
}

#[test]
fn bad_language() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[sync]
language = "de"

[[phase]]
name = "Problem"
"#;
    assert_error(text, 7, 12, "unknown variant `de`");
}

#[test]
fn missing_board_table() {
    let text = r#"[[phase]]
name = "Problem"
"#;
    assert_error(text, 1, 1, "missing field `board`");
}

// ---------------------------------------------------------------------------------------------------------------
// Phases.

#[test]
fn no_phases() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]
"#;
    let e = assert_error(text, 1, 1, "no phases are configured");
    assert!(e.hint.contains("[[phase]]"), "{e}");
}

#[test]
fn duplicate_phase_name_differing_in_case() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"

[[phase]]
name = "problem"
"#;
    assert_some_error(text, 10, 8, "phase \"problem\" is defined twice");
}

#[test]
fn duplicate_phase_name_is_one_error() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"

[[phase]]
name = "problem"
"#;
    assert_error(text, 10, 8, "defined twice");
}

#[test]
fn duplicate_status_option() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Konsept"
status = "Idé"

[[phase]]
name = "Planlegging"
status = " idé "
"#;
    assert_some_error(text, 12, 10, "use the same board Status option");
}

#[test]
fn duplicate_status_option_is_one_error() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Konsept"
status = "Idé"

[[phase]]
name = "Planlegging"
status = " idé "
"#;
    assert_error(text, 12, 10, "use the same board Status option");
}

#[test]
fn alias_naming_another_phase() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"

[[phase]]
name = "Konsept"
aliases = ["konseptfase", "PROBLEM"]
"#;
    assert_error(
        text,
        11,
        27,
        "\"PROBLEM\" names both phase \"Problem\" and phase \"Konsept\"",
    );
}

#[test]
fn alias_shared_by_two_phases() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Konsept"
aliases = ["utredning"]

[[phase]]
name = "Planlegging"
aliases = ["Utredning"]
"#;
    assert_error(
        text,
        12,
        12,
        "names both phase \"Konsept\" and phase \"Planlegging\"",
    );
}

#[test]
fn slug_naming_another_phase() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Plan"

[[phase]]
name = "Planlegging"
slug = "plan"
"#;
    assert_some_error(
        text,
        11,
        8,
        "\"plan\" names both phase \"Plan\" and phase \"Planlegging\"",
    );
}

#[test]
fn slug_naming_another_phase_points_at_the_slug() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Plan"

[[phase]]
name = "Planlegging"
slug = "plan"
"#;
    assert_error(
        text,
        11,
        8,
        "names both phase \"Plan\" and phase \"Planlegging\"",
    );
}

#[test]
fn empty_phase_name() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "  "
"#;
    assert_error(text, 7, 8, "empty name");
}

// ---------------------------------------------------------------------------------------------------------------
// Requirements.

#[test]
fn requirement_with_no_kind() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"
require = [
  { message = "Problemstillingen er beskrevet" },
]
"#;
    let e = assert_error(text, 9, 3, "says nothing to check");
    assert!(e.message.contains("\"Problem\""), "names the phase: {e}");
}

#[test]
fn requirement_mixing_two_kinds() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Konsept"
require = [
  { section = "Problemstilling" },
  { field = "MoSCoW", label = "moscow/*" },
]
"#;
    let e = assert_error(text, 10, 3, "mixes field and label");
    assert!(e.hint.contains("any"), "suggests any = [...]: {e}");
}

#[test]
fn min_checked_with_all() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Utført"
require = [{ checklist = "Mål og nøkkelresultat (OKR)", min_checked = 2, all = true }]
"#;
    assert_error(text, 8, 12, "sets both min_checked and all");
}

#[test]
fn min_checked_zero() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Utført"
require = [{ checklist = "Mål og nøkkelresultat (OKR)", min_checked = 0 }]
"#;
    assert_error(text, 8, 12, "min_checked = 0");
}

#[test]
fn min_checked_on_a_section_requirement() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Planlegging"
require = [{ section = "Mål og nøkkelresultat (OKR)", min_checked = 1 }]
"#;
    assert_error(
        text,
        8,
        12,
        "belong to a checklist requirement, not to section",
    );
}

#[test]
fn one_of_on_a_section_requirement() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Konsept"
require = [
  { section = "Problemstilling", one_of = ["M", "S"] },
]
"#;
    assert_error(
        text,
        9,
        3,
        "one_of belongs to a field requirement, not to section",
    );
}

#[test]
fn invalid_label_glob() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Implementering"
require = [{ label = "team/[abc" }]
"#;
    let e = assert_error(
        text,
        8,
        12,
        "\"team/[abc\" in phase \"Implementering\" is not a valid glob",
    );
    assert!(e.hint.contains('['), "{e}");
}

#[test]
fn any_with_one_alternative() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Konsept"
require = [
  { any = [{ field = "MoSCoW" }], message = "Tiltaket er prioritert etter MoSCoW" },
]
"#;
    assert_error(text, 9, 3, "needs at least two alternatives");
}

#[test]
fn bad_alternative_inside_any() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Konsept"
require = [
  { any = [{ field = "MoSCoW" }, { label = "moscow/[" }] },
]
"#;
    assert_error(text, 9, 34, "is not a valid glob");
}

#[test]
fn assignee_false() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"
require = [{ assignee = false }]
"#;
    let e = assert_error(
        text,
        8,
        12,
        "`assignee = false` in phase \"Problem\" requires nothing",
    );
    assert!(e.hint.contains("assignee = true"), "{e}");
}

#[test]
fn empty_section_name() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"
require = [{ section = " " }]
"#;
    assert_error(text, 8, 12, "names nothing");
}

// ---------------------------------------------------------------------------------------------------------------
// [sections]: one section, the headings of every template version.

#[test]
fn a_section_is_named_once_and_found_under_every_alias() {
    let config = valid(
        r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Konsept"
require = [
  { section = "problemstilling" },
  { checklist = "Mål og nøkkelresultat (OKR)", min_checked = 1 },
]

[handoff]
include_sections = ["Problemstilling"]

[sections."Problemstilling"]
aliases = ["Describe the problem or need", "Beskriv problemet eller behovet:"]

[sections."Mål og nøkkelresultat (OKR)"]
aliases = ["Objectives & Key Results (OKR)"]
"#,
    );
    let problem = config.section("PROBLEMSTILLING");
    assert_eq!(problem.name, "Problemstilling");
    assert_eq!(
        problem.headings,
        [
            "Problemstilling",
            "Describe the problem or need",
            "Beskriv problemet eller behovet:"
        ]
    );
    assert_eq!(config.handoff.include_sections, ["Problemstilling"]);
    // A section without an entry is known by its own heading only.
    assert_eq!(config.section("Risiko").headings, ["Risiko"]);
}

#[test]
fn a_sections_entry_nothing_uses_is_a_misspelt_name() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Konsept"
require = [{ section = "Problemstilling" }]

[sections."Problemstiling"]
aliases = ["Describe the problem or need"]
"#;
    let e = assert_error(text, 10, 11, "no requirement");
    assert!(e.hint.contains("spell the name exactly"), "{e}");
}

// ---------------------------------------------------------------------------------------------------------------
// [handoff]: funding and the tracking issue's sections.

#[test]
fn tracking_sections_default_to_the_resource_sections() {
    let config = valid(
        r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Planlegging"

[handoff]
include_sections = ["Behov totalt, sum månedsverk"]
"#,
    );
    let h = &config.handoff;
    assert_eq!(h.tracking_sections, ["Behov totalt, sum månedsverk"]);
    assert_eq!(h.funding_field, None);
    assert_eq!(h.funding_section, None);
}

#[test]
fn funding_and_tracking_sections_are_named_as_sections_names_them() {
    let config = valid(
        r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Planlegging"

[handoff]
include_sections = ["Behov totalt, sum månedsverk"]
tracking_sections = ["problemstilling", "Behov totalt, sum månedsverk"]
funding_field = "Finansiering"
funding_section = "FINANSIERING"

[sections."Problemstilling"]
aliases = ["Describe the problem or need"]

[sections."Finansiering"]
aliases = ["Funding"]
"#,
    );
    let h = &config.handoff;
    // An entry of [sections] that only the handoff names is in use, not a misspelt name.
    assert_eq!(
        h.tracking_sections,
        ["Problemstilling", "Behov totalt, sum månedsverk"]
    );
    assert_eq!(h.funding_field.as_deref(), Some("Finansiering"));
    assert_eq!(h.funding_section.as_deref(), Some("Finansiering"));
    assert_eq!(
        config.section("Finansiering").headings,
        ["Finansiering", "Funding"]
    );
}

#[test]
fn blank_funding_settings_mean_none() {
    let config = valid(
        r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Planlegging"

[handoff]
funding_field = " "
funding_section = ""
tracking_sections = []
"#,
    );
    assert_eq!(config.handoff.funding_field, None);
    assert_eq!(config.handoff.funding_section, None);
    assert!(config.handoff.tracking_sections.is_empty());
}

#[test]
fn an_empty_tracking_section() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Planlegging"

[handoff]
tracking_sections = ["Problemstilling", " "]
"#;
    let e = assert_error(text, 10, 41, "tracking_sections has an empty entry");
    assert!(e.hint.contains("name a section"), "{e}");
}

#[test]
fn an_empty_section_alias() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Konsept"
require = [{ section = "Problemstilling" }]

[sections."Problemstilling"]
aliases = ["Describe the problem or need", "  "]
"#;
    assert_error(text, 11, 44, "empty alias");
}

#[test]
fn a_section_that_is_another_sections_alias() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Konsept"
require = [{ section = "Problemstilling" }, { section = "Describe the problem or need" }]

[sections."Problemstilling"]
aliases = ["Describe the problem or need"]

[sections."Describe the problem or need"]
aliases = ["Problem"]
"#;
    let e = assert_error(text, 13, 11, "also an alias of section \"Problemstilling\"");
    assert!(e.hint.contains("merge the two entries"), "{e}");
}

#[test]
fn an_unknown_key_in_a_sections_entry() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Konsept"
require = [{ section = "Problemstilling" }]

[sections."Problemstilling"]
alias = ["Describe the problem or need"]
"#;
    assert_error(text, 11, 1, "unknown field `alias`");
}

// ---------------------------------------------------------------------------------------------------------------
// [sync].

#[test]
fn no_status_naming_an_unknown_phase() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[sync]
no_status = "Backlog"

[[phase]]
name = "Ikke startet"

[[phase]]
name = "Problem"
"#;
    let e = assert_error(
        text,
        7,
        13,
        "sync.no_status names phase \"Backlog\", which is not configured",
    );
    assert!(
        e.hint.contains("Ikke startet, Problem"),
        "lists the phases: {e}"
    );
}

#[test]
fn no_status_by_alias_and_label() {
    let head = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Ikke startet"
aliases = ["kø"]

[[phase]]
name = "Problem"
"#;
    assert_eq!(valid(head).sync.no_status, 0, "defaults to the first phase");
    for name in ["problem", "fase/problem", "Kø"] {
        let text = format!("{head}\n[sync]\nno_status = \"{name}\"\n");
        let expected = usize::from(name != "Kø");
        assert_eq!(valid(&text).sync.no_status, expected, "{name}");
    }
}

#[test]
fn blocked_label_equal_to_a_phase_label() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[sync]
blocked_label = "fase/problem"

[[phase]]
name = "Problem"
"#;
    assert_error(
        text,
        7,
        17,
        "sync.blocked_label \"fase/problem\" is the label of phase \"Problem\"",
    );
}

#[test]
fn blocked_label_equal_to_a_phase_label_in_other_case() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[sync]
blocked_label = "Fase/Problem"

[[phase]]
name = "Problem"
"#;
    assert_error(text, 7, 17, "is the label of phase \"Problem\"");
}

#[test]
fn empty_label_prefix() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[sync]
label_prefix = ""

[[phase]]
name = "Problem"
"#;
    assert_error(text, 7, 16, "sync.label_prefix is empty");
}

#[test]
fn max_changes_zero() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[sync]
max_changes = 0

[[phase]]
name = "Problem"
"#;
    let e = assert_error(text, 7, 15, "sync.max_changes = 0");
    assert!(e.hint.contains("--allow-large"), "{e}");
}

#[test]
fn a_create_budget_that_leaves_nothing_or_an_hour_below_a_minute() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[sync]
creates_per_minute = 10
create_headroom = 10

[[phase]]
name = "Problem"
"#;
    let e = assert_error(text, 7, 22, "sync.creates_per_minute = 10 leaves nothing");
    assert!(e.hint.contains("80 a minute"), "{e}");

    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[sync]
creates_per_minute = 90
creates_per_hour = 60

[[phase]]
name = "Problem"
"#;
    assert_error(
        text,
        8,
        20,
        "sync.creates_per_hour = 60 is less than creates_per_minute = 90",
    );
}

#[test]
fn the_create_budget_defaults_to_githubs_and_can_be_changed() {
    let base = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"
"#;
    let config = parse(base, "t.toml").unwrap();
    assert_eq!(
        (
            config.sync.creates_per_minute,
            config.sync.creates_per_hour,
            config.sync.create_headroom
        ),
        (80, 500, 10)
    );
    let enterprise = base.replace(
        "[[phase]]",
        "[sync]\ncreates_per_minute = 200\ncreates_per_hour = 2000\ncreate_headroom = 0\n\n[[phase]]",
    );
    let config = parse(&enterprise, "t.toml").unwrap();
    assert_eq!(
        (
            config.sync.creates_per_minute,
            config.sync.creates_per_hour,
            config.sync.create_headroom
        ),
        (200, 2000, 0)
    );
}

// ---------------------------------------------------------------------------------------------------------------
// [board], [teams], [texts].

#[test]
fn repository_not_owner_slash_name() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio", "portfolio"]

[[phase]]
name = "Problem"
"#;
    let e = assert_error(
        text,
        4,
        37,
        "board.repositories: \"portfolio\" is not a repository name",
    );
    assert!(e.hint.contains("owner/name"), "{e}");
}

#[test]
fn team_repository_not_owner_slash_name() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"

[teams."Dialogporten"]
github_team = "digdir/team-dialogporten"
repository = "https://github.com/digdir/dialogporten"
"#;
    assert_error(text, 11, 14, "teams.repository");
}

#[test]
fn empty_repository_list() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = []

[[phase]]
name = "Problem"
"#;
    assert_error(text, 2, 9, "board.repositories is empty");
}

#[test]
fn project_zero() {
    let text = r#"[board]
owner = "digdir"
project = 0
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"
"#;
    assert_error(text, 3, 11, "board.project is 0");
}

#[test]
fn empty_status_field() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]
status_field = " "

[[phase]]
name = "Problem"
"#;
    assert_error(text, 5, 16, "status_field");
}

#[test]
fn team_without_github_team_or_repository() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"

[teams."Altinn Studio"]
"#;
    assert_error(
        text,
        9,
        8,
        "team \"Altinn Studio\" has neither github_team nor repository",
    );
}

#[test]
fn github_team_without_org() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"

[teams."Altinn Studio"]
github_team = "team-altinn-studio"
"#;
    assert_error(text, 10, 15, "is not an org/team name");
}

#[test]
fn teams_differing_only_in_case() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"

[teams."Dialogporten"]
github_team = "digdir/team-dialogporten"

[teams."dialogporten"]
github_team = "digdir/team-dialogporten"
"#;
    assert_error(text, 12, 8, "differ only in case");
}

#[test]
fn unknown_texts_key() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Problem"

[texts]
nonsense_key = "Hei"
"#;
    assert_error(
        text,
        10,
        1,
        "texts.nonsense_key is not a text the bot writes",
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Several at once, and how they are printed.

#[test]
fn several_errors_are_reported_at_once() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["portfolio"]

[sync]
max_changes = 0
no_status = "Backlog"

[[phase]]
name = "Problem"
require = [
  { assignee = false },
  { any = [{ section = "Problemstilling" }] },
]

[teams."Formidling"]
"#;
    let errors = errors(text);
    let mut positions: Vec<(usize, usize)> = errors.iter().map(|e| (e.line, e.column)).collect();
    positions.sort_unstable();
    assert_eq!(
        positions,
        [(4, 17), (7, 15), (8, 13), (13, 3), (14, 3), (17, 8)],
        "{}",
        ConfigErrors(errors.clone())
    );
}

#[test]
fn several_errors_are_reported_in_file_order() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[sync]
max_changes = 0

[[phase]]
name = "Problem"
require = [{ assignee = false }]
"#;
    let positions: Vec<(usize, usize)> = errors(text).iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(positions, [(7, 15), (11, 12)]);
}

#[test]
fn errors_print_file_line_column_and_how_to_fix() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["portfolio"]

[sync]
max_changes = 0

[[phase]]
name = "Problem"
"#;
    let printed = parse(text, FILE).unwrap_err().to_string();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 4, "{printed}");
    assert!(
        lines[0].starts_with(
            "test.toml:4:17: board.repositories: \"portfolio\" is not a repository name"
        ),
        "{printed}"
    );
    assert!(lines[1].starts_with("  how to fix: "), "{printed}");
    assert!(
        lines[2].starts_with("test.toml:7:15: sync.max_changes = 0"),
        "{printed}"
    );
    assert!(lines[3].starts_with("  how to fix: "), "{printed}");
}

// ---------------------------------------------------------------------------------------------------------------
// Labels the bot writes must be the labels it recognises.

#[test]
fn explicit_slug_with_capitals_round_trips() {
    let text = r#"[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Konsept"
slug = "Konsept"
"#;
    // Either the slug is refused, or the label the bot writes is recognised as the phase's label.
    if let Ok(config) = parse(text, FILE) {
        assert_eq!(config.phase_of_label(&config.phase_label(0)), Some(0));
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The shipped configurations and examples.

fn shipped(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn phase_index(config: &Config, name: &str) -> usize {
    config
        .phases
        .lookup(name, &config.sync.label_prefix)
        .unwrap_or_else(|| panic!("no phase {name}"))
}

/// Every phase label the bot writes maps back to its phase, and every requirement has a message.
fn assert_consistent(config: &Config) {
    for (i, phase) in config.phases.iter() {
        assert_eq!(
            config.phase_of_label(&config.phase_label(i)),
            Some(i),
            "{}",
            phase.name
        );
        assert_eq!(
            config.phases.by_status(&phase.status),
            Some(i),
            "{}",
            phase.name
        );
        for r in &phase.require {
            let message = r.message.as_deref().unwrap_or_default();
            assert!(
                !message.trim().is_empty(),
                "a requirement of {} has no message",
                phase.name
            );
        }
    }
    assert_eq!(config.phases.iter().filter(|(_, p)| p.handoff).count(), 1);
}

#[test]
fn digdir_configuration_is_valid() {
    let config = parse(&shipped("config/portfolio.toml"), "config/portfolio.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.board.owner, "digdir");
    assert_eq!(config.board.project, 1);
    assert_eq!(config.board.repositories, ["digdir/portfolio"]);
    assert_eq!(
        config.phases.names(),
        [
            "Ikke startet",
            "Problem",
            "Konsept",
            "Planlegging",
            "Implementering",
            "Utført"
        ]
    );
    let implementering = phase_index(&config, "Implementering");
    assert!(config.phases.get(implementering).handoff);
    assert_eq!(config.phase_label(0), "fase/ikke-startet");
    assert_eq!(config.phase_label(5), "fase/utført");
    assert_eq!(config.sync.on_violation, OnViolation::Revert);
    assert_eq!(config.sync.language, Language::Nb);
    assert_eq!(config.sync.no_status, 0);
    // The OKR placeholders of the current template and of v4 (2021).
    assert_eq!(
        config.sync.placeholders,
        ["Nøkkelresultat", "Key result", "_No response_"]
    );
    assert_eq!(
        config.handoff.responsible_field.as_deref(),
        Some("Ansvarlig")
    );
    assert_eq!(config.handoff.team_field.as_deref(), Some("Team"));
    assert_eq!(config.handoff.team_label_prefix.as_deref(), Some("team/"));
    assert_eq!(config.handoff.include_sections.len(), 2);
    // The tracking issue: the problem, the goals, then the two resource sections.
    assert_eq!(
        config.handoff.tracking_sections,
        [
            "Problemstilling",
            "Mål og nøkkelresultat (OKR)",
            "Hvilken kompetanse trengs for tiltaket",
            "Behov totalt, sum månedsverk"
        ]
    );
    // Neither the board nor the template has a funding field or section (yet).
    assert_eq!(config.handoff.funding_field, None);
    assert_eq!(config.handoff.funding_section, None);
    let dialogporten = &config.teams["Dialogporten"];
    assert_eq!(
        dialogporten.github_team.as_deref(),
        Some("digdir/team-dialogporten")
    );
    assert_eq!(
        dialogporten.repository.as_deref(),
        Some("digdir/dialogporten")
    );
    assert_eq!(config.teams["Altinn Studio"].repository, None);
    // Requirements per phase: none to enter the first; the rest as the portfolio README says (docs/criteria.md),
    // each forward move the office's decision, and the funding decided before Implementering.
    let counts: Vec<usize> = config.phases.iter().map(|(_, p)| p.require.len()).collect();
    assert_eq!(counts, [0, 3, 4, 2, 6, 2]);
    assert_eq!(
        config.forums.keys().collect::<Vec<_>>(),
        [
            "Ledergruppen BOD",
            "Ledergruppen Digdir",
            "Porteføljekontoret"
        ]
    );
    assert_eq!(
        config.forums["Porteføljekontoret"].teams,
        ["digdir/portefoljekontoret"]
    );
    assert!(config.forums["Ledergruppen BOD"].funding);
    // Every version of the template: the sections the requirements name have their older headings.
    assert_eq!(config.sections.len(), 5);
    assert!(config
        .section("Problemstilling")
        .headings
        .iter()
        .any(|h| h == "Beskriv problemet eller behovet"));
    assert!(config
        .phases
        .iter()
        .skip(1)
        .all(|(_, p)| !p.manual.is_empty()));
    assert_consistent(&config);
}

#[test]
fn english_example_is_valid() {
    let path = "config/examples/english.toml";
    let config = parse(&shipped(path), path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.board.owner, "example-org");
    assert_eq!(config.board.project, 7);
    assert_eq!(config.sync.language, Language::En);
    assert_eq!(config.sync.on_violation, OnViolation::Flag);
    assert_eq!(config.sync.placeholders, ["Key result", "_No response_"]);
    assert_eq!(
        config.phases.names(),
        [
            "Backlog",
            "Problem",
            "Concept",
            "Planning",
            "Implementation",
            "Done"
        ]
    );
    let implementation = phase_index(&config, "implementation");
    assert!(config.phases.get(implementation).handoff);
    assert_eq!(
        config.phases.get(implementation).status,
        "4. Implementation"
    );
    assert_eq!(config.phases.by_status("2. Concept"), Some(2));
    assert_eq!(phase_index(&config, "delivery"), implementation);
    assert_consistent(&config);
}

/// The example snapshot uses only the board options and labels its configuration knows.
fn assert_snapshot_matches(snapshot_path: &str, config_path: &str, min_items: usize) {
    let config = parse(&shipped(config_path), config_path).unwrap_or_else(|e| panic!("{e}"));
    let json: serde_json::Value =
        serde_json::from_str(&shipped(snapshot_path)).expect("valid JSON");
    assert!(
        portfolio_sync::snapshot::READS.contains(&json["version"].as_u64().unwrap_or(0)),
        "{snapshot_path}: version {}",
        json["version"]
    );
    assert_eq!(json["bot"], "portfolio-sync[bot]");
    let board: Board = serde_json::from_value(json["board"].clone()).expect("board");
    let items: Vec<Item> = serde_json::from_value(json["items"].clone()).expect("items");
    assert!(
        items.len() >= min_items,
        "{snapshot_path} has {} items",
        items.len()
    );
    assert_eq!(board.owner, config.board.owner);
    assert_eq!(board.number, config.board.project);

    let status = board
        .field(&config.board.status_field)
        .expect("the Status field");
    for (_, phase) in config.phases.iter() {
        assert!(
            status.options.contains(&phase.status),
            "no board option {}",
            phase.status
        );
    }
    let mut ids = std::collections::HashSet::new();
    let mut numbers = std::collections::HashSet::new();
    for item in &items {
        assert!(ids.insert(item.id.clone()), "duplicate item id {}", item.id);
        if let Some(s) = item.field_text(&config.board.status_field) {
            assert!(
                config.phases.by_status(&s).is_some(),
                "{}: unknown Status {s}",
                item.id
            );
        }
        for name in item.fields.keys() {
            assert!(
                board.field(name).is_some(),
                "{}: field {name} is not on the board",
                item.id
            );
        }
        match item.kind {
            ItemKind::Issue => {
                let issue = item.issue.as_ref().expect("issue");
                assert!(
                    numbers.insert(issue.number),
                    "duplicate issue number {}",
                    issue.number
                );
                assert!(issue.comments.is_some(), "{}: comments are listed", item.id);
                let prefix = &config.sync.label_prefix;
                for label in issue
                    .labels
                    .iter()
                    .filter(|l| l.starts_with(prefix.as_str()))
                {
                    assert!(
                        config.phase_of_label(label).is_some(),
                        "{}: unknown label {label}",
                        item.id
                    );
                }
            }
            ItemKind::Draft => assert!(item.draft.is_some(), "{}", item.id),
            ItemKind::PullRequest => {
                let pr = item.pull_request.as_ref().expect("pull request");
                assert!(numbers.insert(pr.number), "duplicate number {}", pr.number);
            }
            ItemKind::Other => panic!("{}: unexpected item type", item.id),
        }
    }
}

#[test]
fn digdir_example_snapshot_matches_its_configuration() {
    assert_snapshot_matches("config/examples/board.json", "config/portfolio.toml", 15);
}

#[test]
fn english_example_snapshot_matches_its_configuration() {
    assert_snapshot_matches(
        "config/examples/board-en.json",
        "config/examples/english.toml",
        5,
    );
}

#[test]
fn a_decision_requirement_names_a_configured_forum() {
    let base = r#"
[board]
owner = "o"
project = 1
repositories = ["o/r"]
[[phase]]
name = "A"
[[phase]]
name = "B"
require = [ { decision = "Kontoret" } ]
"#;
    let err = portfolio_sync::config::parse(base, "x.toml")
        .expect_err("no [forums]")
        .to_string();
    assert!(
        err.contains("x.toml:10:") && err.contains("\"Kontoret\", which is not in [forums]"),
        "{err}"
    );
    let ok = format!("{base}\n[forums.\"kontoret\"]\nteams = [\"pk\", \"other/lead\"]\n");
    let config = portfolio_sync::config::parse(&ok, "x.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.forums["kontoret"].teams, ["o/pk", "other/lead"]);
    let none = format!("{base}\n[forums.Kontoret]\nteams = []\n");
    let err = portfolio_sync::config::parse(&none, "x.toml")
        .expect_err("no team")
        .to_string();
    assert!(err.contains("names no team"), "{err}");
}
