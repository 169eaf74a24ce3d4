//! Arbitrary input never panics: issue bodies, labels and field values through reconcile, and configuration text.

use portfolio_sync::board::{Item, Snapshot};
use portfolio_sync::config;
use portfolio_sync::reconcile::reconcile;
use proptest::prelude::*;
use serde_json::json;

fn digdir() -> config::Config {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/portfolio.toml"
    ))
    .unwrap();
    config::parse(&text, "config/portfolio.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// Text made of markdown-ish pieces, so the parser sees headings, lists and comments, not only noise.
fn markdownish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("# ".to_string()),
        Just("## Problemstilling\n".to_string()),
        Just("## Mål og nøkkelresultat (OKR)\r\n".to_string()),
        Just("- [ ] Nøkkelresultat\n".to_string()),
        Just("- [x] ".to_string()),
        Just("<!-- ".to_string()),
        Just(" -->".to_string()),
        Just("_No response_".to_string()),
        Just("```\n".to_string()),
        Just("> ".to_string()),
        Just("\n".to_string()),
        "\\PC{0,12}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn reconcile_never_panics(
        body in markdownish(),
        status in prop::option::of("\\PC{0,12}|Konsept|Planlegging|Implementering"),
        labels in prop::collection::vec("fase/[a-zæøå-]{0,14}|team/\\PC{0,5}|\\PC{0,8}", 0..5),
        moscow in prop::option::of("\\PC{0,3}"),
        milestone in prop::option::of("\\PC{0,6}"),
    ) {
        let config = digdir();
        let mut fields = json!({});
        if let Some(s) = status { fields["Status"] = json!(s); }
        if let Some(m) = moscow { fields["MoSCoW"] = json!(m); }
        let item: Item = serde_json::from_value(json!({
            "id": "PVTI_1", "type": "issue", "fields": fields,
            "issue": {"repository": "digdir/portfolio", "number": 1, "title": "t", "state": "open",
                      "body": body, "labels": labels, "assignees": [], "milestone": milestone, "comments": []}
        })).unwrap();
        let snapshot = Snapshot {
            bot: "portfolio-sync[bot]".into(),
            board: serde_json::from_value(json!({"owner": "digdir", "number": 1})).unwrap(),
            items: vec![item],
        };
        let plan = reconcile(&config, &snapshot);
        prop_assert_eq!(plan.decisions.len(), 1);
    }

    #[test]
    fn config_parsing_never_panics(text in "\\PC{0,200}") {
        let _ = config::parse(&text, "fuzz.toml");
    }

    #[test]
    fn config_errors_always_name_a_place(noise in "[a-z_=\\[\\]\" \n0-9]{0,80}") {
        let text = format!("[board]\nowner = \"x\"\nproject = 1\nrepositories = [\"x/y\"]\n{noise}");
        if let Err(errors) = config::parse(&text, "fuzz.toml") {
            for e in &errors.0 {
                prop_assert!(e.line >= 1 && e.column >= 1, "{e}");
                prop_assert!(e.to_string().starts_with("fuzz.toml:"));
            }
        }
    }
}
