//! All 32 exit criteria of Digdir's portfolio README are accounted for in `config/portfolio.toml`: each is a
//! requirement or a reminder, as docs/criteria.md says, and nothing in the configuration is missing from that table.

mod support;

use portfolio_sync::config::{self, Config};
use portfolio_sync::plan::Outcome;
use portfolio_sync::reconcile::reconcile_item;
use serde_json::json;

/// "Kriterier for faseoverganger" as shared/digdir/README.md lists them: the phase whose entry checks a criterion
/// (a criterion for leaving Problem is checked on entering Konsept), and the criterion in the README's words.
const CRITERIA: [(&str, &str); 32] = [
    ("Problem", "overordnet innsikt og forståelse er etablert"),
    ("Problem", "overordnet behov er beskrevet"),
    ("Problem", "anses som viktig og må vurderes nærmere"),
    ("Problem", "bidrar til en balansert portefølje"),
    ("Problem", "ingen åpenbare hindringer for å starte"),
    (
        "Problem",
        "tildelt den som skal detaljere og beskrive nærmere",
    ),
    (
        "Problem",
        "arbeidsoppgaver og omfang i problemfasen er angitt",
    ),
    ("Konsept", "ytterligere innsiktsarbeid utført ved behov"),
    ("Konsept", "problembeskrivelse er etablert"),
    ("Konsept", "sikrer leveranser til det strategiske målbildet"),
    ("Konsept", "tildelt den som skal detaljere"),
    ("Konsept", "prioritering angitt ved MoSCoW"),
    (
        "Konsept",
        "arbeidsoppgaver og omfang i konseptfasen er angitt",
    ),
    (
        "Planlegging",
        "konsepter utviklet (skrivebordsøvelse eller kjørende versjon)",
    ),
    ("Planlegging", "OKR identifisert"),
    ("Planlegging", "risiko med tiltaket utarbeidet"),
    (
        "Planlegging",
        "arkitektur, sikkerhet og juridisk vurdert på overordnet nivå",
    ),
    ("Planlegging", "gjenbruk mot nyetablering vurdert"),
    (
        "Planlegging",
        "eierskap, interessenter og målgruppe definert og forankring startet",
    ),
    (
        "Planlegging",
        "arbeidsoppgaver og omfang i planfasen angitt",
    ),
    ("Implementering", "milepæler definert"),
    (
        "Implementering",
        "arkitektur, sikkerhet og juridisk detaljert videre",
    ),
    ("Implementering", "interne ressurser allokert"),
    (
        "Implementering",
        "budsjett for implementering, fordelt på poster",
    ),
    (
        "Implementering",
        "organisering for forvaltning og drift beskrevet",
    ),
    ("Utført", "mål/OKR kvittert ut"),
    ("Utført", "økonomi avsluttet"),
    ("Utført", "løsning overført til drift og forvaltning"),
    ("Utført", "prospektiv og retrospektiv utført"),
    (
        "Utført",
        "møtereferater fra eksterne møter overført arkivet",
    ),
    ("Utført", "løsning dokumentert"),
    ("Utført", "tiltaket arkivert i GitHub"),
];

#[derive(Debug)]
struct Row {
    into: String,
    criterion: String,
    entries: Vec<String>,
    kind: String,
}

/// The rows of the table in docs/criteria.md.
fn rows() -> Vec<Row> {
    table(|n| n.parse::<u32>().is_ok())
}

/// The rows of the decisions table (`V1`, `V2`, ...): the gates the criteria stand behind.
fn decision_rows() -> Vec<Row> {
    table(|n| {
        n.strip_prefix('V')
            .is_some_and(|d| d.parse::<u32>().is_ok())
    })
}

fn table(numbered: impl Fn(&str) -> bool) -> Vec<Row> {
    let text = std::fs::read_to_string("docs/criteria.md").expect("docs/criteria.md");
    text.lines()
        .filter(|l| l.starts_with("| ") && l.split('|').nth(1).is_some_and(|n| numbered(n.trim())))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let entries = cells[4]
                .split("<br>")
                .map(|e| {
                    e.trim()
                        .strip_prefix('`')
                        .and_then(|e| e.strip_suffix('`'))
                        .unwrap_or_else(|| panic!("an entry in backticks: {e:?} in {l}"))
                        .to_string()
                })
                .collect();
            Row {
                into: cells[2].to_string(),
                criterion: cells[3].to_string(),
                entries,
                kind: cells[5].to_string(),
            }
        })
        .collect()
}

fn digdir() -> Config {
    let path = "config/portfolio.toml";
    let text = std::fs::read_to_string(path).expect(path);
    config::parse(&text, path).unwrap_or_else(|e| panic!("{e}"))
}

/// Requirement messages and reminders of a phase.
fn entries(config: &Config, phase: &str) -> (Vec<String>, Vec<String>) {
    let i = config
        .phases
        .lookup(phase, &config.sync.label_prefix)
        .unwrap_or_else(|| panic!("no phase {phase}"));
    let p = config.phases.get(i);
    let messages = p.require.iter().filter_map(|r| r.message.clone()).collect();
    (messages, p.manual.clone())
}

#[test]
fn every_criterion_of_the_readme_has_a_row() {
    let rows = rows();
    let documented: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.into.as_str(), r.criterion.as_str()))
        .collect();
    assert_eq!(documented, CRITERIA);
}

#[test]
fn every_decision_row_is_a_decision_requirement_of_its_phase() {
    use portfolio_sync::rules::RequirementKind;
    let config = digdir();
    let rows = decision_rows();
    assert_eq!(rows.len(), 6, "five forward moves and the funding");
    for row in &rows {
        assert_eq!(row.kind, "decision", "{row:?}");
        let i = config
            .phases
            .lookup(&row.into, &config.sync.label_prefix)
            .unwrap_or_else(|| panic!("no phase {}", row.into));
        for entry in &row.entries {
            assert!(
                config.phases.get(i).require.iter().any(|r| {
                    r.message.as_deref() == Some(entry.as_str())
                        && matches!(r.kind, RequirementKind::Decision { .. })
                }),
                "«{entry}» is no decision requirement of phase {}",
                row.into
            );
        }
    }
}

#[test]
fn every_row_is_in_the_configuration_as_the_kind_it_says() {
    let config = digdir();
    for row in rows() {
        let (messages, manual) = entries(&config, &row.into);
        let (list, what) = match row.kind.as_str() {
            "requirement" => (&messages, "a requirement message"),
            "reminder" => (&manual, "a reminder (manual)"),
            other => panic!("kind is requirement or reminder, not {other:?}: {row:?}"),
        };
        for entry in &row.entries {
            assert!(
                list.contains(entry),
                "criterion «{}»: «{entry}» is not {what} of phase {} in config/portfolio.toml",
                row.criterion,
                row.into
            );
        }
    }
}

#[test]
fn everything_the_configuration_checks_or_reminds_of_is_a_criterion() {
    let config = digdir();
    let rows: Vec<Row> = rows().into_iter().chain(decision_rows()).collect();
    for (_, phase) in config.phases.iter() {
        let (messages, manual) = entries(&config, &phase.name);
        for entry in messages.iter().chain(&manual) {
            assert!(
                rows.iter()
                    .any(|r| r.into == phase.name && r.entries.contains(entry)),
                "«{entry}» of phase {} is in no row of docs/criteria.md",
                phase.name
            );
        }
        // A requirement without a message would show a generated sentence, not the README's words.
        assert_eq!(messages.len(), phase.require.len(), "{}", phase.name);
    }
}

/// A card moved into `into` from the phase before it, with `edit` applied to an issue that meets everything.
fn move_into(
    config: &Config,
    into: usize,
    edit: impl FnOnce(&mut serde_json::Value),
) -> (Outcome, Vec<String>) {
    let body = std::fs::read_to_string("tests/fixtures/digdir/v5.md").expect("v5.md");
    let mut item = json!({
        "id": "PVTI_1",
        "type": "issue",
        "fields": { "Status": config.phases.get(into).status, "MoSCoW": "M", "Team": "Dialogporten" },
        "issue": {
            "repository": "digdir/portfolio", "number": 1, "title": "Tiltak", "state": "open", "body": body,
            "labels": [config.phase_label(into - 1)], "assignees": ["kari"], "milestone": "2026 Q2", "comments": support::all_decided(config, "portfolio-sync[bot]")
        }
    });
    edit(&mut item);
    let item = serde_json::from_value(item).expect("an item");
    let plan = reconcile_item(config, "portfolio-sync[bot]", &item, None);
    (plan.decisions[0].outcome, plan.decisions[0].missing.clone())
}

#[test]
fn the_assignee_is_checked_on_entering_problem_and_again_on_entering_konsept() {
    let config = digdir();
    let nobody = |item: &mut serde_json::Value| item["issue"]["assignees"] = json!([]);
    assert_eq!(
        move_into(&config, 1, nobody),
        (
            Outcome::Rejected,
            vec!["Problem: Tiltaket er tildelt den som skal detaljere og beskrive nærmere: ingen er tildelt".to_string()]
        )
    );
    assert_eq!(
        move_into(&config, 2, nobody),
        (
            Outcome::Rejected,
            vec![
                "Konsept: Tiltaket er tildelt den som skal detaljere: ingen er tildelt".to_string()
            ]
        )
    );
    assert_eq!(move_into(&config, 2, |_| {}), (Outcome::Accepted, vec![]));
}

#[test]
fn the_risk_of_not_doing_it_is_not_the_risk_of_the_initiative() {
    let config = digdir();
    // Today's template's risk section, left empty, holds no move back: the criterion is a reminder.
    let no_risk = |item: &mut serde_json::Value| {
        let body = item["issue"]["body"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let start = body.find("## Risiko hvis").expect("the risk section");
        let end = body
            .find("## Mål og nøkkelresultat")
            .expect("the OKR section");
        item["issue"]["body"] = json!(format!(
            "{}## Risiko hvis tiltaket ikke gjennomføres\n\n{}",
            &body[..start],
            &body[end..]
        ));
    };
    assert_eq!(move_into(&config, 3, no_risk), (Outcome::Accepted, vec![]));
    let (_, manual) = entries(&config, "Planlegging");
    assert!(manual.contains(&"Risiko med tiltaket er utarbeidet".to_string()));
}
