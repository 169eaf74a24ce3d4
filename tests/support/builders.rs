//! Terse builders for board snapshots, to load into the fake (`State::load_snapshot`) or compare with reads.
//!
//! ```ignore
//! let snapshot = BoardBuilder::new("digdir", 1)
//!     .single_select("Status", &["Ikke startet", "Problem", "Konsept"])
//!     .text("Team")
//!     .issue("digdir/portfolio", 48, |i| i.title("Tiltak").status("Konsept").labels(&["fase/problem"]))
//!     .draft("Idé", "")
//!     .build();
//! ```

use std::collections::BTreeMap;

use portfolio_sync::board::{
    Board, Comment, Draft, FieldDef, FieldKind, Issue, IssueState, Item, ItemKind, PullRequest,
    Snapshot,
};
use portfolio_sync::config::BoardConfig;
use serde_json::Value;

/// The board part of a config, for `GitHubForge::connect`.
pub fn board_config(owner: &str, project: u64, repositories: &[&str]) -> BoardConfig {
    BoardConfig {
        owner: owner.to_string(),
        project,
        repositories: repositories.iter().map(|r| r.to_string()).collect(),
        status_field: "Status".to_string(),
    }
}

pub struct BoardBuilder {
    snapshot: Snapshot,
}

impl BoardBuilder {
    pub fn new(owner: &str, number: u64) -> BoardBuilder {
        BoardBuilder {
            snapshot: Snapshot {
                bot: String::new(),
                board: Board {
                    owner: owner.to_string(),
                    number,
                    title: "Portefølje".to_string(),
                    fields: Vec::new(),
                    extra: Default::default(),
                },
                items: Vec::new(),
            },
        }
    }

    pub fn title(mut self, title: &str) -> Self {
        self.snapshot.board.title = title.to_string();
        self
    }

    pub fn field(mut self, name: &str, kind: FieldKind, options: &[&str]) -> Self {
        self.snapshot.board.fields.push(FieldDef {
            name: name.to_string(),
            kind,
            options: options.iter().map(|o| o.to_string()).collect(),
            extra: Default::default(),
        });
        self
    }

    pub fn single_select(self, name: &str, options: &[&str]) -> Self {
        self.field(name, FieldKind::SingleSelect, options)
    }

    pub fn text(self, name: &str) -> Self {
        self.field(name, FieldKind::Text, &[])
    }

    pub fn number(self, name: &str) -> Self {
        self.field(name, FieldKind::Number, &[])
    }

    pub fn date(self, name: &str) -> Self {
        self.field(name, FieldKind::Date, &[])
    }

    /// An iteration field with these iterations.
    pub fn iteration(self, name: &str, iterations: &[&str]) -> Self {
        self.field(name, FieldKind::Iteration, iterations)
    }

    /// An issue item; `f` fills it in.
    pub fn issue(
        mut self,
        repository: &str,
        number: u64,
        f: impl FnOnce(ItemBuilder) -> ItemBuilder,
    ) -> Self {
        let id = self.next_id();
        let item = ItemBuilder::issue(&id, repository, number);
        self.snapshot.items.push(f(item).item);
        self
    }

    pub fn pull_request(mut self, repository: &str, number: u64, title: &str) -> Self {
        let id = self.next_id();
        let mut item = blank_item(&id, ItemKind::PullRequest);
        item.pull_request = Some(PullRequest {
            repository: repository.to_string(),
            number,
            title: title.to_string(),
            extra: Default::default(),
        });
        self.snapshot.items.push(item);
        self
    }

    pub fn draft(mut self, title: &str, body: &str) -> Self {
        let id = self.next_id();
        let mut item = blank_item(&id, ItemKind::Draft);
        item.draft = Some(Draft {
            title: title.to_string(),
            body: body.to_string(),
            extra: Default::default(),
        });
        self.snapshot.items.push(item);
        self
    }

    /// Any item, built by hand.
    pub fn item(mut self, item: Item) -> Self {
        self.snapshot.items.push(item);
        self
    }

    pub fn build(self) -> Snapshot {
        self.snapshot
    }

    fn next_id(&self) -> String {
        format!("PVTI_{}", self.snapshot.items.len() + 1)
    }
}

fn blank_item(id: &str, kind: ItemKind) -> Item {
    Item {
        id: id.to_string(),
        kind,
        archived: false,
        fields: BTreeMap::new(),
        issue: None,
        draft: None,
        pull_request: None,
        status_updated_at: None,
        extra: Default::default(),
    }
}

/// One issue item.
pub struct ItemBuilder {
    pub item: Item,
}

impl ItemBuilder {
    pub fn issue(id: &str, repository: &str, number: u64) -> ItemBuilder {
        let mut item = blank_item(id, ItemKind::Issue);
        item.issue = Some(Issue {
            repository: repository.to_string(),
            number,
            title: format!("Tiltak {number}"),
            state: IssueState::Open,
            body: String::new(),
            labels: Vec::new(),
            assignees: Vec::new(),
            milestone: None,
            node_id: None,
            url: None,
            author: None,
            comments: None,
            extra: Default::default(),
        });
        ItemBuilder { item }
    }

    fn issue_mut(&mut self) -> &mut Issue {
        self.item.issue.as_mut().expect("an issue item")
    }

    pub fn id(mut self, id: &str) -> Self {
        self.item.id = id.to_string();
        self
    }

    pub fn title(mut self, title: &str) -> Self {
        self.issue_mut().title = title.to_string();
        self
    }

    pub fn body(mut self, body: &str) -> Self {
        self.issue_mut().body = body.to_string();
        self
    }

    pub fn closed(mut self) -> Self {
        self.issue_mut().state = IssueState::Closed;
        self
    }

    pub fn labels(mut self, labels: &[&str]) -> Self {
        self.issue_mut().labels = labels.iter().map(|l| l.to_string()).collect();
        self
    }

    pub fn assignees(mut self, logins: &[&str]) -> Self {
        self.issue_mut().assignees = logins.iter().map(|l| l.to_string()).collect();
        self
    }

    pub fn milestone(mut self, title: &str) -> Self {
        self.issue_mut().milestone = Some(title.to_string());
        self
    }

    pub fn comment(mut self, id: u64, author: &str, body: &str) -> Self {
        self.issue_mut()
            .comments
            .get_or_insert_with(Vec::new)
            .push(Comment {
                id,
                author: author.to_string(),
                body: body.to_string(),
                editor: None,
                extra: Default::default(),
            });
        self
    }

    pub fn status(self, status: &str) -> Self {
        self.field("Status", Value::String(status.to_string()))
    }

    /// When the Status value was set (RFC 3339).
    pub fn status_updated_at(mut self, at: &str) -> Self {
        self.item.status_updated_at = Some(at.to_string());
        self
    }

    pub fn field(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.item.fields.insert(name.to_string(), value.into());
        self
    }

    pub fn archived(mut self) -> Self {
        self.item.archived = true;
        self
    }
}
