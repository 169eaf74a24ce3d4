//! Only the bot writes its own memory, and text people wrote is inert in everything the bot writes: markers count
//! only as the first line of a body the bot's own login wrote; copied titles, fields and sections notify no one,
//! link nowhere and open no HTML; every body fits GitHub's limit. All on the fake GitHub, through the production
//! client.

mod support;

use portfolio_sync::markdown::BODY_LIMIT;
use portfolio_sync::marker::Marker;
use portfolio_sync::run::Exit;
use support::fake::state::CommentData;
use support::*;

const REPO: &str = "digdir/portfolio";
const TEAM_REPO: &str = "digdir/dialogporten";

fn comments(gh: &FakeGitHub, number: u64) -> Vec<CommentData> {
    gh.read(|s| s.comments_of(REPO, number))
}

/// The bot's comments on an issue whose first line is `marker`.
fn bot_marked(gh: &FakeGitHub, number: u64, marker: &Marker) -> Vec<CommentData> {
    comments(gh, number)
        .into_iter()
        .filter(|c| c.author == BOT && marker.leads(&c.body))
        .collect()
}

#[tokio::test]
async fn a_marker_quoted_inside_a_bot_comment_is_not_that_comments_marker() {
    let gh = example_fake(BOARD);
    // #105 is moved forward without its requirements; its only bot comment is a handoff that quotes a title with
    // the `rejected` marker in it (as an issue title can).
    let quoting = "<!-- portfolio-sync:handoff:implementering -->\n### Overlevering: `<!-- portfolio-sync:rejected -->`\n";
    let id = gh.edit(|s| s.add_comment(REPO, 105, BOT, quoting));
    let (exit, _) = live(&gh, false).await;
    assert_eq!(exit, Exit::Ok);
    let after = comments(&gh, 105);
    let handoff = after.iter().find(|c| c.id == id).expect("still there");
    assert_eq!(handoff.body, quoting, "the handoff comment was not edited");
    let rejected = bot_marked(&gh, 105, &Marker::Rejected);
    assert_eq!(rejected.len(), 1, "the refusal got its own comment");
    assert_ne!(rejected[0].id, id);
    assert!(gh.log().writes() > 0);
    gh.finish();
}

#[tokio::test]
async fn a_tracking_marker_in_someone_elses_issue_does_not_stop_the_tracking_issue() {
    let gh = example_fake(BOARD);
    let forged = Marker::Tracking(portfolio_sync::board::IssueRef {
        repository: REPO.into(),
        number: 108,
    });
    gh.edit(|s| {
        s.add_issue(
            TEAM_REPO,
            NewIssue {
                title: "Not the bot's".into(),
                body: format!("{forged}\nopened by someone else"),
                author: "mallory".into(),
                ..NewIssue::default()
            },
        )
    });
    let (exit, _) = live(&gh, false).await;
    assert_eq!(exit, Exit::Ok);
    let tracking: Vec<(String, String)> = gh.read(|s| {
        s.repo(TEAM_REPO)
            .expect("the team repository")
            .issues
            .values()
            .filter(|i| forged.leads(&i.body))
            .map(|i| (i.author.clone(), i.title.clone()))
            .collect()
    });
    assert_eq!(tracking.len(), 2, "{tracking:?}");
    assert!(
        tracking.iter().any(|(author, _)| author == BOT),
        "the bot opened its own: {tracking:?}"
    );
    assert!(gh.log().writes() > 0);
    gh.finish();
}

#[tokio::test]
async fn copied_text_notifies_no_one_and_cannot_break_out_of_a_link() {
    let gh = example_fake(BOARD);
    let title = "Dialogporten @digdir/alle ](https://evil.example/login) <!-- x --> `<!-- portfolio-sync:rejected -->`";
    gh.edit(|s| {
        let issue = s.issue_mut(REPO, 108).expect("#108");
        issue.title = title.into();
    });
    let (exit, _) = live(&gh, false).await;
    assert_eq!(exit, Exit::Ok);
    let handoff = bot_marked(&gh, 108, &Marker::Handoff("implementering".into()));
    assert_eq!(handoff.len(), 1);
    let body = &handoff[0].body;
    assert!(
        !body.contains("@digdir/alle"),
        "a team would be notified: {body}"
    );
    assert!(!body.contains("](https://evil"), "a link escaped: {body}");
    assert!(!body.contains("<!-- x"), "HTML from the title: {body}");
    assert_eq!(
        body.matches("<!--").count(),
        1,
        "only the bot's marker: {body}"
    );
    assert!(gh.log().writes() > 0);
    gh.finish();
}

#[tokio::test]
async fn a_handoff_with_a_megabyte_section_fits_githubs_limit() {
    let gh = example_fake(BOARD);
    let line = "60 månedsverk ".repeat(80_000); // one line of about 1 MB
    gh.edit(|s| {
        let issue = s.issue_mut(REPO, 108).expect("#108");
        issue.body = issue
            .body
            .replace("Om lag 60 månedsverk i 2026", &format!("{line}\n{line}"));
    });
    let (exit, plan) = live(&gh, false).await;
    assert_eq!(exit, Exit::Ok, "{plan:#}");
    let handoff = bot_marked(&gh, 108, &Marker::Handoff("implementering".into()));
    assert_eq!(handoff.len(), 1);
    let chars = handoff[0].body.chars().count();
    assert!(chars <= BODY_LIMIT, "{chars} characters");
    assert!(
        chars < 20_000,
        "the quote is cut to a few thousand: {chars}"
    );
    assert!(
        handoff[0].body.contains("månedsverk"),
        "and still shows the start"
    );
    assert!(gh.log().writes() > 0);
    gh.finish();
}

/// The tracking issue the bot opened in the team's repository for #108.
fn tracking_issue(gh: &FakeGitHub) -> String {
    let marker = Marker::Tracking(portfolio_sync::board::IssueRef {
        repository: REPO.into(),
        number: 108,
    });
    let bodies: Vec<String> = gh.read(|s| {
        s.repo(TEAM_REPO)
            .expect("the team repository")
            .issues
            .values()
            .filter(|i| i.author == BOT && marker.leads(&i.body))
            .map(|i| i.body.clone())
            .collect()
    });
    assert_eq!(bodies.len(), 1, "one tracking issue: {bodies:?}");
    bodies.into_iter().next().unwrap_or_default()
}

#[tokio::test]
async fn the_tracking_issue_quotes_the_initiative_inertly_and_within_githubs_limit() {
    let gh = example_fake(BOARD);
    let hostile =
        "Ring @digdir/alle ](https://evil.example/login) `<!-- portfolio-sync:rejected -->` <!-- x";
    let okr = "- [ ] Mål som er skrevet altfor langt ".repeat(32_000); // about 1.2 million characters
    gh.edit(|s| {
        let issue = s.issue_mut(REPO, 108).expect("#108");
        issue.title = format!("Dialogporten {hostile}");
        issue.body = issue
            .body
            .replace(
                "Virksomheter må følge med i mange innbokser",
                &format!("{hostile}\nVirksomheter må følge med i mange innbokser"),
            )
            .replace(
                "- [ ] Oppetid på 99,9 % i produksjon",
                &format!("- [ ] Oppetid på 99,9 % i produksjon\n{okr}"),
            );
    });
    let (exit, plan) = live(&gh, false).await;
    assert_eq!(exit, Exit::Ok, "{plan:#}");
    let body = tracking_issue(&gh);
    let chars = body.chars().count();
    assert!(chars <= BODY_LIMIT, "{chars} characters");
    assert!(
        body.starts_with("<!-- portfolio-sync:tracking:digdir/portfolio#108 -->\n"),
        "{body}"
    );
    assert!(!body.contains("@digdir/alle"), "a team would be notified");
    assert!(!body.contains("](https://evil"), "a link escaped");
    // The marker, and the quoted section's rejected marker inside the inline code it was written in, where nothing
    // renders (the title's is escaped: a title is plain text).
    assert_eq!(body.matches("<!--").count(), 2, "{body}");
    assert!(body.contains("`<!-- portfolio-sync:rejected -->`"));
    assert!(!body.contains("<!-- x"), "HTML from the title or a section");
    for part in [
        "#### Problemstilling",
        "Virksomheter må følge med i mange innbokser",
        "#### Mål og nøkkelresultat (OKR)",
        "10 tjenesteeiere har tatt i bruk Dialogporten",
        "#### Ressurser",
        "Backend-utvikling (.NET)",
        "Om lag 60 månedsverk i 2026",
        "@kari-nordmann, Kari Nordmann",
        "@digdir/team-dialogporten",
        "#### Finansiering",
        "digdir/portfolio#108: https://github.com/digdir/portfolio/issues/108",
    ] {
        assert!(body.contains(part), "{part:?} missing:\n{body}");
    }
    assert!(gh.log().writes() > 0);
    gh.finish();
}

#[tokio::test]
async fn the_report_issue_is_the_bots_own_not_any_issue_with_the_marker() {
    let gh = example_fake(BOARD);
    let mut config = digdir();
    config.report.issue = true;
    let pasted = gh.edit(|s| {
        s.add_issue(
            REPO,
            NewIssue {
                title: "Kopi av rapporten".into(),
                body: format!("{}\nlimt inn av noen", Marker::Report),
                author: "mallory".into(),
                ..NewIssue::default()
            },
        )
    });
    let mut forge = forge(&gh, &config.board).await;
    let (snapshot, open) = portfolio_sync::run::report::read(&mut forge, &config)
        .await
        .expect("read");
    let built = portfolio_sync::report::build(
        &config,
        &snapshot,
        &open,
        portfolio_sync::report::Day::today(),
    );
    let published =
        portfolio_sync::run::report::publish(&mut forge, &config, &snapshot.bot, &built)
            .await
            .expect("publish")
            .expect("configured");
    assert!(published.created, "a new issue, not the pasted one");
    assert_ne!(published.issue.number, pasted);
    let untouched = gh.read(|s| s.issue(REPO, pasted).map(|i| i.body.clone()));
    assert_eq!(
        untouched.as_deref(),
        Some(&*format!("{}\nlimt inn av noen", Marker::Report))
    );
    let log = gh.log();
    assert_eq!(
        log.rest("POST", "/repos/digdir/portfolio/issues"),
        1,
        "{}",
        log.summary()
    );
    gh.finish();
}
