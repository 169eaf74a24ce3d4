//! Digdir-like boards of any size for benchmarks: every phase, real template bodies, some filled in, some not.

use portfolio_sync::approval::{Approval, Approvals};
use portfolio_sync::board::{Board, Comment, Item, Snapshot};
use portfolio_sync::language::Language;
use serde_json::json;

/// The account the bot writes as: the fake GitHub's (its decision records count only as the bot's).
pub const BOT: &str = "portfolio-bot";

pub const PHASES: [&str; 6] = [
    "Ikke startet",
    "Problem",
    "Konsept",
    "Planlegging",
    "Implementering",
    "Utført",
];
pub const SLUGS: [&str; 6] = [
    "ikke-startet",
    "problem",
    "konsept",
    "planlegging",
    "implementering",
    "utført",
];

/// A body from the real template; `filled` answers every section.
pub fn body(n: usize, filled: bool) -> String {
    let answer = |text: &str| {
        if filled {
            format!("{text} (tiltak {n})\n")
        } else {
            String::new()
        }
    };
    let okr = if filled {
        "- [x] 30 % raskere saksbehandling\n- [ ] Nøkkelresultat\n"
    } else {
        "- [ ] Nøkkelresultat\n- [ ] Nøkkelresultat\n- [ ] Nøkkelresultat\n"
    };
    format!(
        "# Grunninformasjon\n## Samarbeid med\n{}\n## Avhengigheter til andre tiltak\n\n# Begrunnelse\n## Problemstilling\n{}\n## Beskrivelse av tiltaket\n{}\n## Risiko hvis tiltaket ikke gjennomføres\n{}\n## Mål og nøkkelresultat (OKR)\n### Mål 1\n{okr}\n### Mål 2\n- [ ] Nøkkelresultat\n\n# Ressurser\n## Hvilken kompetanse trengs for tiltaket\n{}\n## Behov totalt, sum månedsverk\n{}\n<!-- Fyll inn -->\n",
        answer("Skatteetaten, NAV"),
        answer("Brukerne må fylle ut de samme opplysningene flere ganger."),
        answer("Et felles API for innrapportering."),
        answer("Dobbeltarbeid fortsetter."),
        answer("Backend, UX, jurist"),
        answer("12"),
    )
}

/// The bot's record of the decisions Digdir's configuration asks for before `phase`: the office's, and before
/// Implementering the funding.
fn decided(i: usize, phase: usize) -> Comment {
    let decision = |forum: &str, comment: u64| Approval {
        phase: SLUGS[phase].into(),
        forum: forum.into(),
        by: "kari".into(),
        at: "2026-11-30T10:00:00Z".into(),
        reference: None,
        comment,
        ended: None,
    };
    let mut list = vec![decision("Porteføljekontoret", 2 * i as u64 + 1)];
    if PHASES[phase] == "Implementering" {
        list.push(decision("Ledergruppen BOD", 2 * i as u64 + 2));
    }
    let record = Approvals {
        list,
        altered_by: None,
    };
    let body = record.body(Language::Nb, |slug| {
        SLUGS
            .iter()
            .position(|s| *s == slug)
            .map_or(slug.to_string(), |p| PHASES[p].to_string())
    });
    Comment {
        id: 5_000_000 + i as u64,
        author: BOT.into(),
        body,
        editor: None,
        extra: Default::default(),
    }
}

/// `mix` decides what share of items moved since the last run (per mille): 0 for an unchanged board.
pub struct Shape {
    pub items: usize,
    /// Items whose card moved one column on since the label was set, per mille.
    pub moved_per_mille: usize,
    /// No item has a phase label yet (a first run).
    pub unlabelled: bool,
}

pub fn board(shape: &Shape) -> Snapshot {
    let items = (0..shape.items)
        .map(|i| {
            let phase = i % 5; // never the last phase, so a move forward is always possible
            let moved = shape.moved_per_mille > 0 && (i * 7919) % 1000 < shape.moved_per_mille;
            let status = if moved { phase + 1 } else { phase };
            let labels: Vec<String> = if shape.unlabelled {
                vec![]
            } else {
                vec![format!("fase/{}", SLUGS[phase])]
            };
            let mut item: Item = serde_json::from_value(json!({
                "id": format!("PVTI_{i}"),
                "type": "issue",
                "fields": {"Status": PHASES[status], "MoSCoW": "M", "Team": "Dialogporten"},
                "issue": {
                    "repository": "digdir/portfolio", "number": i + 1, "title": format!("Tiltak {i}"),
                    "state": "open", "body": body(i, i % 3 != 0), "labels": labels,
                    "assignees": ["kari"], "milestone": "2027 Q1"
                }
            }))
            .expect("a generated item is valid");
            if i % 10 == 0 {
                item.fields.remove("MoSCoW");
            }
            // Two moves in three were decided at the meeting; the others wait for their decision.
            if moved && i % 3 != 2 {
                if let Some(issue) = item.issue.as_mut() {
                    issue.comments = Some(vec![decided(i, status)]);
                }
            }
            item
        })
        .collect();
    let board: Board = serde_json::from_value(json!({
        "owner": "digdir", "number": 1, "title": "Portefølje",
        "fields": [
            {"name": "Status", "type": "single_select", "options": PHASES},
            {"name": "MoSCoW", "type": "single_select", "options": ["M", "S", "C", "W"]},
            {"name": "Team", "type": "text"},
            {"name": "Ansvarlig", "type": "text"}
        ]
    }))
    .expect("a generated board is valid");
    Snapshot {
        bot: BOT.into(),
        board,
        items,
    }
}
