//! The bot's comments, word for word, in both languages (insta snapshots in tests/snapshots/).

use std::collections::BTreeMap;

use portfolio_sync::board::IssueRef;
use portfolio_sync::language::Language;
use portfolio_sync::markdown::BODY_LIMIT;
use portfolio_sync::marker::Marker;
use portfolio_sync::messages::{
    handoff_comment, rejected_comment, status_comment, tracking_issue, Handoff, PhaseChecks,
    TextKey, Texts, TrackedSection,
};
use portfolio_sync::rules::Check;

fn checks() -> Vec<Check> {
    vec![
        Check {
            criterion: "Problemstillingen er beskrevet".into(),
            problem: None,
        },
        Check {
            criterion: "Mål og nøkkelresultater (OKR) er identifisert".into(),
            problem: Some("seksjonen «Mål og nøkkelresultat (OKR)» er tom".into()),
        },
    ]
}

/// The same checks as an English configuration words them.
fn checks_en() -> Vec<Check> {
    vec![
        Check {
            criterion: "The problem statement is established".into(),
            problem: None,
        },
        Check {
            criterion: "Objectives and key results (OKR) are identified".into(),
            problem: Some("section “Objectives and key results (OKR)” is empty".into()),
        },
    ]
}

fn manual() -> Vec<String> {
    vec!["Arkitektur, sikkerhet og juridiske forhold er vurdert".into()]
}

fn handoff() -> Handoff {
    Handoff {
        phase: "Implementering".into(),
        phase_slug: "implementering".into(),
        title: "Dialogporten: felles meldingsboks".into(),
        url: Some("https://github.com/digdir/portfolio/issues/108".into()),
        reference: "digdir/portfolio#108".into(),
        responsible: vec!["@kari".into(), "Ola Nordmann".into()],
        teams: vec![
            "@digdir/team-dialogporten".into(),
            "Produktgruppe Formidling".into(),
        ],
        milestone: Some("2026 Q1".into()),
        funding: vec!["Fellesmidler 2026".into(), "2 MNOK fra egen ramme".into()],
        sections: vec![
            (
                "Hvilken kompetanse trengs for tiltaket".into(),
                "- Backend\n- UX\n\nSe vedlegg.".into(),
            ),
            ("Behov totalt, sum månedsverk".into(), String::new()),
        ],
        tracking_sections: vec![
            tracked(
                "Problemstilling",
                "Virksomheter må følge med i mange innbokser.",
                false,
            ),
            tracked(
                "Mål og nøkkelresultat (OKR)",
                "### Mål 1\n- [ ] 10 tjenesteeiere bruker Dialogporten\n- [ ] Nøkkelresultat",
                false,
            ),
            tracked(
                "Hvilken kompetanse trengs for tiltaket",
                "- Backend\n- UX\n\nSe vedlegg.",
                true,
            ),
            tracked("Behov totalt, sum månedsverk", "", true),
        ],
        tracking: vec!["digdir/dialogporten".into()],
    }
}

fn tracked(heading: &str, markdown: &str, resource: bool) -> TrackedSection {
    TrackedSection {
        heading: heading.into(),
        markdown: markdown.into(),
        resource,
    }
}

fn tracking_marker() -> Marker {
    Marker::Tracking(IssueRef {
        repository: "digdir/portfolio".into(),
        number: 108,
    })
}

fn texts(lang: Language) -> Texts {
    Texts::new(lang, BTreeMap::new())
}

#[test]
fn status_comment_nb() {
    let manual = manual();
    let next = PhaseChecks {
        phase: "Planlegging",
        checks: checks(),
        manual: &manual,
    };
    insta::assert_snapshot!(status_comment(&texts(Language::Nb), "Konsept", Some(&next)));
}

#[test]
fn status_comment_en() {
    let manual =
        vec!["Architecture, security and legal matters are assessed at a high level".to_string()];
    let next = PhaseChecks {
        phase: "Planning",
        checks: checks_en(),
        manual: &manual,
    };
    insta::assert_snapshot!(status_comment(&texts(Language::En), "Concept", Some(&next)));
}

#[test]
fn status_comment_in_the_last_phase() {
    insta::assert_snapshot!(status_comment(&texts(Language::Nb), "Utført", None));
}

/// A refused move from Konsept to Planlegging, reverted; `moved_by` as an event names them.
fn reverted_into_planlegging(moved_by: Option<&str>) -> String {
    let failing = [PhaseChecks {
        phase: "Planlegging",
        checks: checks(),
        manual: &[],
    }];
    rejected_comment(
        &texts(Language::Nb),
        "Konsept",
        "Planlegging",
        &failing,
        None,
        moved_by,
    )
}

#[test]
fn rejected_and_reverted_nb() {
    insta::assert_snapshot!(reverted_into_planlegging(None));
}

#[test]
fn rejected_and_flagged_over_two_phases_en() {
    let failing = [
        PhaseChecks {
            phase: "Concept",
            checks: checks_en(),
            manual: &[],
        },
        PhaseChecks {
            phase: "Planning",
            checks: checks_en(),
            manual: &[],
        },
    ];
    insta::assert_snapshot!(rejected_comment(
        &texts(Language::En),
        "Problem",
        "Planning",
        &failing,
        Some("phase/blocked"),
        None
    ));
}

#[test]
fn rejected_after_a_card_move_names_who_moved_it_nb() {
    insta::assert_snapshot!(reverted_into_planlegging(Some("kari-nordmann")));
}

#[test]
fn handoff_nb() {
    insta::assert_snapshot!(handoff_comment(&texts(Language::Nb), &handoff()));
}

#[test]
fn handoff_en() {
    let mut h = handoff();
    h.phase = "Implementation".into();
    h.tracking = vec![];
    h.milestone = None;
    h.funding = vec![];
    insta::assert_snapshot!(handoff_comment(&texts(Language::En), &h));
}

#[test]
fn handoff_with_one_funding_line_says_it_inline() {
    let mut h = handoff();
    h.funding = vec!["Fellesmidler 2026".into()];
    let text = handoff_comment(&texts(Language::Nb), &h);
    assert!(
        text.contains("\n- **Finansiering:** Fellesmidler 2026\n"),
        "{text}"
    );
    h.funding = vec![];
    let text = handoff_comment(&texts(Language::Nb), &h);
    assert!(
        text.contains("\n- **Finansiering:** ikke angitt\n"),
        "{text}"
    );
}

#[test]
fn tracking_issue_nb() {
    insta::assert_snapshot!(tracking_issue(
        &texts(Language::Nb),
        &handoff(),
        &tracking_marker()
    ));
}

#[test]
fn tracking_issue_en() {
    let mut h = handoff();
    h.phase = "Implementation".into();
    h.milestone = None;
    h.funding = vec![];
    h.url = None;
    h.tracking_sections = vec![
        tracked("Problem statement", "", false),
        tracked("Skills the initiative needs", "Backend, UX", true),
        tracked(
            "Objectives and key results (OKR)",
            "- [x] Halve the wait",
            false,
        ),
        tracked("Total effort, person-months", "About 12", true),
    ];
    insta::assert_snapshot!(tracking_issue(&texts(Language::En), &h, &tracking_marker()));
}

/// However long the quoted sections, the body fits GitHub's limit and keeps its marker first and the link back.
#[test]
fn a_tracking_issue_with_huge_sections_fits_githubs_limit() {
    let huge = "Datadeling på tvers av sektorer. ".repeat(37_000); // about 1.2 million characters
    assert!(huge.chars().count() > 1_200_000);
    for lang in [Language::Nb, Language::En] {
        let mut h = handoff();
        h.tracking_sections = (0..12)
            .map(|i| tracked(&format!("Seksjon {i}"), &huge, i % 2 == 0))
            .collect();
        let body = tracking_issue(&texts(lang), &h, &tracking_marker());
        let chars = body.chars().count();
        assert!(chars <= BODY_LIMIT, "{chars} characters");
        assert!(
            tracking_marker().leads(&body),
            "the marker is the first line"
        );
        assert!(
            body.contains("digdir/portfolio#108: https://github.com/digdir/portfolio/issues/108\n"),
            "the link back is kept"
        );
        assert!(body.contains("Datadeling på tvers"), "the start is shown");
        assert!(
            body.contains(lang.pick("forkortet", "Shortened")),
            "and it says it was cut"
        );
    }
}

#[test]
fn configured_texts_replace_the_built_in_ones() {
    let mut overrides = BTreeMap::new();
    overrides.insert(TextKey::StatusTitle, "## Hvor står {phase}?".to_string());
    let t = Texts::new(Language::Nb, overrides);
    let text = status_comment(&t, "Konsept", None);
    assert!(
        text.starts_with("<!-- portfolio-sync:status -->\n## Hvor står Konsept?\n"),
        "{text}"
    );
}

/// Every text the configuration may override exists in both languages, says something in each, fills in the same
/// `{names}` in both (a name only one language uses would be left as `{name}` in the other), and the bokmål is not
/// the English left untranslated.
#[test]
fn every_text_key_is_written_in_both_languages() {
    let none = BTreeMap::new();
    let (nb, en) = (
        Texts::new(Language::Nb, none.clone()),
        Texts::new(Language::En, none),
    );
    let names = |text: &str| -> Vec<String> {
        let mut names: Vec<String> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
            .collect();
        names.sort();
        names
    };
    for name in TextKey::all_names() {
        let key = TextKey::parse(name).expect("a text key parses by its own name");
        let (nb, en) = (nb.fill(key, &[]), en.fill(key, &[]));
        assert!(!nb.trim().is_empty() && !en.trim().is_empty(), "{name}");
        assert_eq!(names(&nb), names(&en), "{name}: «{nb}» and “{en}”");
        assert_ne!(nb, en, "{name} is not translated");
    }
}
