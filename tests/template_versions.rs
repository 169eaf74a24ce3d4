//! Every version of Digdir's issue template (tests/fixtures/digdir/, from the headings of shared/digdir/README.md)
//! through every phase, with Digdir's configuration and, for the English templates, the English example's.
//!
//! Nobody rewrites an old issue: an initiative written in 2021 must move as far as its own template lets it, and
//! when it cannot, the refusal must name what to add. `vN.md` is a filled-in issue, `vN-mal.md` the bare template.

mod support;

use portfolio_sync::board::Item;
use portfolio_sync::config::{self, Config};
use portfolio_sync::plan::Outcome;
use portfolio_sync::reconcile::reconcile_item;
use serde_json::json;

const BOT: &str = "portfolio-sync[bot]";

fn shipped(path: &str) -> Config {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    config::parse(&text, path).unwrap_or_else(|e| panic!("{e}"))
}

fn body(name: &str) -> String {
    let path = format!("tests/fixtures/digdir/{name}.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// An initiative whose card was moved from `from` into the next phase: everything the board can hold is set
/// (assignee, milestone, priority, team), so only the body decides.
fn moved(config: &Config, body: &str, from: usize) -> Item {
    let to = &config.phases.get(from + 1).status;
    serde_json::from_value(json!({
        "id": "PVTI_1",
        "type": "issue",
        "fields": { "Status": to, "MoSCoW": "M", "Priority": "Must", "Team": "Dialogporten" },
        "issue": {
            "repository": config.board.repositories[0], "number": 1, "title": "Tiltak",
            "state": "open", "body": body, "labels": [config.phase_label(from)], "assignees": ["kari"],
            "milestone": "2026 Q2", "comments": support::all_decided(config, BOT)
        }
    }))
    .unwrap()
}

/// The outcome of moving an initiative with `body` from phase `from` into the next, and what is missing.
fn step(config: &Config, body: &str, from: usize) -> (Outcome, Vec<String>) {
    let plan = reconcile_item(config, BOT, &moved(config, body, from), None);
    let d = &plan.decisions[0];
    (d.outcome, d.missing.clone())
}

/// `expected[i]` is what moving out of phase `i` gives: `Ok(())` accepted, `Err(missing)` refused with exactly
/// these lines.
#[track_caller]
fn assert_path(config: &Config, version: &str, expected: &[Result<(), &[&str]>]) {
    let body = body(version);
    assert_eq!(expected.len(), config.phases.len() - 1);
    for (from, want) in expected.iter().enumerate() {
        let (outcome, missing) = step(config, &body, from);
        let into = &config.phases.get(from + 1).name;
        match want {
            Ok(()) => assert_eq!(
                (outcome, missing.as_slice()),
                (Outcome::Accepted, &[] as &[String]),
                "{version} into {into}"
            ),
            Err(lines) => {
                assert_eq!(outcome, Outcome::Rejected, "{version} into {into}");
                assert_eq!(missing, *lines, "{version} into {into}");
            }
        }
    }
}

const NO_OKR: &[&str] = &[
    "Planlegging: Mål og nøkkelresultater (OKR) er identifisert: saken har ingen overskrift «Mål og nøkkelresultat (OKR)»",
];
const NO_RESOURCES: &[&str] = &[
    "Implementering: Kompetansebehovet er beskrevet: saken har ingen overskrift «Hvilken kompetanse trengs for tiltaket»",
    "Implementering: Ressursbehovet er anslått i månedsverk: saken har ingen overskrift «Behov totalt, sum månedsverk»",
];
const NO_OKR_CHECKLIST: &[&str] =
    &["Utført: Mål/OKR er kvittert ut: saken har ingen sjekkliste under «Mål og nøkkelresultat (OKR)»"];

#[test]
fn v1_to_v3_reach_konsept_and_then_need_the_sections_their_templates_lack() {
    let config = shipped("config/portfolio.toml");
    for version in ["v1", "v2", "v3"] {
        assert_path(
            &config,
            version,
            &[
                Ok(()),
                Ok(()),
                Err(NO_OKR),
                Err(NO_RESOURCES),
                Err(NO_OKR_CHECKLIST),
            ],
        );
    }
}

#[test]
fn v4_and_v5_go_all_the_way_to_utfort() {
    let config = shipped("config/portfolio.toml");
    for version in ["v4", "v5"] {
        assert_path(&config, version, &[Ok(()), Ok(()), Ok(()), Ok(()), Ok(())]);
    }
}

#[test]
fn a_bare_template_of_every_version_is_refused_with_its_own_headings() {
    let config = shipped("config/portfolio.toml");
    let cases: [(&str, &str, &str); 5] = [
        (
            "v1-mal",
            "Beskriv problemet eller behovet",
            "Beskriv forslaget / tiltaket",
        ),
        (
            "v2-mal",
            "Describe the problem or need",
            "Describe the initiative",
        ),
        (
            "v3-mal",
            "Describe the problem or need",
            "Describe the initiative and solution",
        ),
        (
            "v4-mal",
            "Describe the problem or need",
            "Describe the possible solution",
        ),
        ("v5-mal", "Problemstilling", "Beskrivelse av tiltaket"),
    ];
    for (version, problem, description) in cases {
        let body = body(version);
        // The author looks for the heading the issue has, so that is the one named.
        assert_eq!(
            step(&config, &body, 0),
            (
                Outcome::Rejected,
                vec![format!(
                    "Problem: Overordnet behov er beskrevet: seksjonen «{problem}» er tom, og seksjonen «{description}» er tom"
                )]
            ),
            "{version}"
        );
        assert_eq!(
            step(&config, &body, 1),
            (
                Outcome::Rejected,
                vec![format!(
                    "Konsept: Problembeskrivelse er etablert: seksjonen «{problem}» er tom"
                )]
            ),
            "{version}"
        );
    }
    // The OKR sections hold only the template's placeholders ("- [ ] Key result", "- [ ] Nøkkelresultat").
    let v4 = body("v4-mal");
    assert_eq!(
        step(&config, &v4, 2).1,
        ["Planlegging: Mål og nøkkelresultater (OKR) er identifisert: seksjonen «Objectives & Key Results (OKR)» er tom"]
    );
    assert_eq!(step(&config, &v4, 4).1, NO_OKR_CHECKLIST);
    let v5 = body("v5-mal");
    assert_eq!(
        step(&config, &v5, 2).1,
        ["Planlegging: Mål og nøkkelresultater (OKR) er identifisert: seksjonen «Mål og nøkkelresultat (OKR)» er tom"]
    );
    assert_eq!(
        step(&config, &v5, 3).1,
        [
            "Implementering: Kompetansebehovet er beskrevet: seksjonen «Hvilken kompetanse trengs for tiltaket» er tom",
            "Implementering: Ressursbehovet er anslått i månedsverk: seksjonen «Behov totalt, sum månedsverk» er tom",
        ]
    );
    // v4 has one "Resources" section for both questions: empty, it answers neither.
    assert_eq!(
        step(&config, &v4, 3).1,
        [
            "Implementering: Kompetansebehovet er beskrevet: seksjonen «Resources» er tom",
            "Implementering: Ressursbehovet er anslått i månedsverk: seksjonen «Resources» er tom",
        ]
    );
}

#[test]
fn utfort_needs_every_key_result_ticked_in_both_okr_templates() {
    let config = shipped("config/portfolio.toml");
    for (version, ticked, of) in [("v4", 3, 4), ("v5", 2, 3)] {
        let body = body(version).replacen("- [x]", "- [ ]", 1);
        assert_eq!(
            step(&config, &body, 4),
            (
                Outcome::Rejected,
                vec![format!(
                    "Utført: Mål/OKR er kvittert ut: {ticked} av {of} er krysset av"
                )]
            ),
            "{version}"
        );
        // Planlegging needs key results written, not ticked.
        assert_eq!(step(&config, &body, 2).0, Outcome::Accepted, "{version}");
    }
}

#[test]
fn an_old_issue_moves_on_once_its_author_adds_the_missing_heading() {
    let config = shipped("config/portfolio.toml");
    let body = body("v2")
        + "\n## Mål og nøkkelresultat (OKR)\n\n### Mål 1\n\n- [ ] Onboarding tar under en uke for 9 av 10 virksomheter\n";
    assert_eq!(step(&config, &body, 2), (Outcome::Accepted, vec![]));
}

#[test]
fn the_english_templates_with_the_english_configuration() {
    let config = shipped("config/examples/english.toml");
    const NO_OKR: &[&str] = &[
        "Planning: Objectives and key results (OKR) are identified: the issue has no heading “Objectives and key results (OKR)”",
    ];
    const NO_RESOURCES: &[&str] = &[
        "Implementation: The skills the initiative needs are described: the issue has no heading “Skills the initiative needs”",
        "Implementation: The total effort is estimated in person-months: the issue has no heading “Total effort, person-months”",
    ];
    const NO_CHECKLIST: &[&str] = &[
        "Done: The objectives and key results are signed off: the issue has no checklist under “Objectives and key results (OKR)”",
    ];
    for version in ["v2", "v3"] {
        assert_path(
            &config,
            version,
            &[
                Ok(()),
                Ok(()),
                Err(NO_OKR),
                Err(NO_RESOURCES),
                Err(NO_CHECKLIST),
            ],
        );
    }
    assert_path(&config, "v4", &[Ok(()), Ok(()), Ok(()), Ok(()), Ok(())]);
    let bare = body("v4-mal");
    assert_eq!(
        step(&config, &bare, 0).1,
        ["Problem: The overall need is described: section “Describe the problem or need” is empty, and section “Describe the possible solution” is empty"]
    );
    assert_eq!(
        step(&config, &bare, 2).1,
        ["Planning: Objectives and key results (OKR) are identified: section “Objectives & Key Results (OKR)” is empty"]
    );
}
