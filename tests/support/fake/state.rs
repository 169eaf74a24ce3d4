//! The fake GitHub's world: accounts, repositories with issues, labels and comments, projects with fields and
//! items, apps, teams. One `State` behind one mutex serves REST and GraphQL alike, so a label added over REST
//! shows in the next GraphQL read, and a status set over GraphQL shows in [`State::item_value`].
//!
//! Everything is public: tests build worlds with the `add_*` helpers (or [`State::load_snapshot`]) and inspect
//! them with the accessors after a run. Names are looked up case-insensitively, as GitHub does.

use std::collections::{BTreeMap, HashMap};

use portfolio_sync::board::{self, FieldKind, ItemKind, Snapshot};
use serde_json::{json, Value};

/// 2026-01-01T00:00:00Z: the fake's clock starts here and advances one minute per write.
const EPOCH: u64 = 1_767_225_600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    User,
    Organization,
    /// An App's bot user: login `slug[bot]` over REST, `slug` over GraphQL.
    Bot,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub login: String,
    pub kind: AccountKind,
    pub node_id: String,
    pub database_id: u64,
}

/// A GitHub App and where it is installed.
#[derive(Debug, Clone)]
pub struct App {
    pub id: u64,
    pub slug: String,
    /// Owner login (lowercase) → installation id.
    pub installations: BTreeMap<String, u64>,
}

#[derive(Debug, Clone)]
pub struct Repo {
    pub owner: String,
    pub name: String,
    pub node_id: String,
    pub database_id: u64,
    pub labels: Vec<Label>,
    /// Issues and pull requests share one number space, as on GitHub.
    pub issues: BTreeMap<u64, IssueData>,
    /// Login (lowercase) → role: `admin`, `maintain`, `write`, `triage` or `read`.
    pub collaborators: BTreeMap<String, String>,
}

impl Repo {
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    pub fn label(&self, name: &str) -> Option<&Label> {
        self.labels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name))
    }

    pub fn issue(&self, number: u64) -> Option<&IssueData> {
        self.issues.get(&number)
    }

    fn next_number(&self) -> u64 {
        self.issues.keys().next_back().map_or(1, |n| n + 1)
    }
}

#[derive(Debug, Clone)]
pub struct Label {
    pub name: String,
    pub color: String,
    pub description: String,
    pub node_id: String,
    pub database_id: u64,
}

#[derive(Debug, Clone)]
pub struct IssueData {
    pub number: u64,
    pub node_id: String,
    pub database_id: u64,
    pub title: String,
    pub body: String,
    pub open: bool,
    pub labels: Vec<String>,
    pub assignees: Vec<String>,
    pub milestone: Option<String>,
    pub author: String,
    pub is_pull_request: bool,
    pub comments: Vec<CommentData>,
    /// When it was opened (RFC 3339).
    pub created_at: String,
    /// Its timeline's label events, oldest first: those of a loaded snapshot, then the label writes.
    pub label_events: Vec<LabelEventData>,
}

/// A `LabeledEvent` or `UnlabeledEvent` of an issue's timeline.
#[derive(Debug, Clone)]
pub struct LabelEventData {
    pub labeled: bool,
    pub label: String,
    pub actor: Option<String>,
    pub created_at: String,
}

impl IssueData {
    pub fn has_label(&self, name: &str) -> bool {
        self.labels.iter().any(|l| l.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone)]
pub struct CommentData {
    pub id: u64,
    pub node_id: String,
    pub author: String,
    pub body: String,
    pub created_at: String,
    pub updated_at: String,
    /// Who edited it last (GitHub's `editor`); `None` when never edited.
    pub editor: Option<String>,
    /// (login, content) pairs: `+1`, `confused`, ...
    pub reactions: Vec<(String, String)>,
}

/// An issue to add with [`State::add_issue`]; `..Default::default()` fills the rest.
#[derive(Debug, Clone)]
pub struct NewIssue {
    /// `None`: the next free number.
    pub number: Option<u64>,
    pub title: String,
    pub body: String,
    pub open: bool,
    pub labels: Vec<String>,
    pub assignees: Vec<String>,
    pub milestone: Option<String>,
    pub author: String,
    pub is_pull_request: bool,
    pub node_id: Option<String>,
}

impl Default for NewIssue {
    fn default() -> Self {
        NewIssue {
            number: None,
            title: "An issue".into(),
            body: String::new(),
            open: true,
            labels: Vec::new(),
            assignees: Vec::new(),
            milestone: None,
            author: "octocat".into(),
            is_pull_request: false,
            node_id: None,
        }
    }
}

/// The kinds of project fields: the built-in ones GitHub adds to every project, and the ones users define.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    Title,
    Assignees,
    Labels,
    Milestone,
    Repository,
    SingleSelect,
    Text,
    Number,
    Date,
    Iteration,
}

impl DataType {
    pub fn as_graphql(self) -> &'static str {
        match self {
            DataType::Title => "TITLE",
            DataType::Assignees => "ASSIGNEES",
            DataType::Labels => "LABELS",
            DataType::Milestone => "MILESTONE",
            DataType::Repository => "REPOSITORY",
            DataType::SingleSelect => "SINGLE_SELECT",
            DataType::Text => "TEXT",
            DataType::Number => "NUMBER",
            DataType::Date => "DATE",
            DataType::Iteration => "ITERATION",
        }
    }

    pub fn is_built_in(self) -> bool {
        matches!(
            self,
            DataType::Title
                | DataType::Assignees
                | DataType::Labels
                | DataType::Milestone
                | DataType::Repository
        )
    }

    fn from_kind(kind: FieldKind) -> DataType {
        match kind {
            FieldKind::SingleSelect => DataType::SingleSelect,
            FieldKind::Number => DataType::Number,
            FieldKind::Date => DataType::Date,
            FieldKind::Iteration => DataType::Iteration,
            FieldKind::Text | FieldKind::Other => DataType::Text,
        }
    }

    fn kind(self) -> FieldKind {
        match self {
            DataType::SingleSelect => FieldKind::SingleSelect,
            DataType::Number => FieldKind::Number,
            DataType::Date => FieldKind::Date,
            DataType::Iteration => FieldKind::Iteration,
            _ => FieldKind::Text,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub id: String,
    pub name: String,
    pub data_type: DataType,
    /// Single select options; iterations of an iteration field (id, title).
    pub options: Vec<SelectOption>,
}

impl Field {
    pub fn option(&self, name: &str) -> Option<&SelectOption> {
        self.options
            .iter()
            .find(|o| o.name.trim().eq_ignore_ascii_case(name.trim()))
    }

    pub fn option_by_id(&self, id: &str) -> Option<&SelectOption> {
        self.options.iter().find(|o| o.id == id)
    }
}

#[derive(Debug, Clone)]
pub struct SelectOption {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: String,
    pub owner: String,
    pub number: u64,
    pub title: String,
    pub fields: Vec<Field>,
    pub items: Vec<ProjectItem>,
}

impl Project {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.name.trim().eq_ignore_ascii_case(name.trim()))
    }

    pub fn field_by_id(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    pub fn item(&self, id: &str) -> Option<&ProjectItem> {
        self.items.iter().find(|i| i.id == id)
    }
}

#[derive(Debug, Clone)]
pub struct ProjectItem {
    pub id: String,
    pub archived: bool,
    pub content: Content,
    /// Field id → value (custom fields only; built-in values come from the content).
    pub values: BTreeMap<String, FieldValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// An issue or pull request (which one is the issue's `is_pull_request`): repository full name and number.
    Issue { repo: String, number: u64 },
    Draft {
        id: String,
        title: String,
        body: String,
    },
    /// Content the viewer may not see.
    Redacted,
}

#[derive(Debug, Clone)]
pub struct FieldValue {
    pub id: String,
    pub value: Val,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Text(String),
    Number(f64),
    /// `YYYY-MM-DD`.
    Date(String),
    /// A single select option id.
    Option(String),
    /// An iteration id (kept in the field's `options`).
    Iteration(String),
}

#[derive(Debug, Clone, Default)]
pub struct Team {
    pub org: String,
    pub slug: String,
    /// Login (lowercase) → `active` or `pending`.
    pub members: BTreeMap<String, String>,
}

/// What a node id points at.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeRef {
    Account(String),
    Project(String),
    Item(String),
    Issue { repo: String, number: u64 },
    Repo(String),
    Comment { repo: String, number: u64, id: u64 },
}

#[derive(Debug, Default)]
pub struct State {
    /// Lowercase login → account (users, organisations, bots).
    pub accounts: BTreeMap<String, Account>,
    /// Token → login of its owner.
    pub tokens: BTreeMap<String, String>,
    pub apps: Vec<App>,
    pub projects: Vec<Project>,
    /// Lowercase `owner/name` → repository.
    pub repos: BTreeMap<String, Repo>,
    /// Lowercase `org/slug` → team.
    pub teams: BTreeMap<String, Team>,
    /// Item id → (project index, item index): a cache that keeps 10,000-item boards fast. Checked on every use,
    /// so a test that edits `projects` directly only makes it miss, never lie.
    item_index: HashMap<String, (usize, usize)>,
    next_id: u64,
    clock: u64,
    /// Issues (`owner/name#number`, lower case) whose label changes GitHub refuses with this message, over REST
    /// (422) and GraphQL (an error on that change's alias alone): a write that fails for one item of a batch.
    pub label_refusals: BTreeMap<String, String>,
}

impl State {
    /// Everything a run of the bot can change, in a form two worlds can be compared by: every issue's title,
    /// body, author, state, labels (sorted), comments (author, body, reactions) and every item's Status. Ids and
    /// times are left out: two runs that did the same work have the same digest.
    pub fn digest(&self) -> Vec<String> {
        let mut out = Vec::new();
        for repo in self.repos.values() {
            // By name: the order a repository's labels were made in is seen nowhere (GitHub lists them by name).
            let mut labels: Vec<&str> = repo.labels.iter().map(|l| l.name.as_str()).collect();
            labels.sort_unstable();
            for label in labels {
                out.push(format!("{} label {label}", repo.full_name()));
            }
            for issue in repo.issues.values() {
                let mut labels = issue.labels.clone();
                labels.sort();
                out.push(format!(
                    "{}#{} by {} open={} title={:?} labels={labels:?}\n{}",
                    repo.full_name(),
                    issue.number,
                    issue.author,
                    issue.open,
                    issue.title,
                    issue.body
                ));
                for c in &issue.comments {
                    let mut reactions = c.reactions.clone();
                    reactions.sort();
                    out.push(format!(
                        "{}#{} comment by {} reactions={reactions:?}\n{}",
                        repo.full_name(),
                        issue.number,
                        c.author,
                        c.body
                    ));
                }
            }
        }
        for project in &self.projects {
            for item in &project.items {
                out.push(format!(
                    "item {} archived={} status={:?}",
                    item.id,
                    item.archived,
                    self.item_status(&item.id)
                ));
            }
        }
        out
    }

    // --- ids and time ----------------------------------------------------------------------------------------

    pub fn next_number(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// A fresh node id such as `PVTI_000017`.
    pub fn new_node_id(&mut self, prefix: &str) -> String {
        format!("{prefix}_{:06}", self.next_number())
    }

    /// The fake time, RFC 3339.
    pub fn now(&self) -> String {
        rfc3339(EPOCH + self.clock)
    }

    /// Advances the clock by a minute (every write does) and returns the new time.
    pub fn tick(&mut self) -> String {
        self.clock += 60;
        self.now()
    }

    // --- accounts, tokens, apps, teams ----------------------------------------------------------------------

    pub fn add_account(&mut self, login: &str, kind: AccountKind) -> &mut Account {
        let key = login.to_lowercase();
        if !self.accounts.contains_key(&key) {
            let prefix = match kind {
                AccountKind::User => "U",
                AccountKind::Organization => "O",
                AccountKind::Bot => "BOT",
            };
            let database_id = self.next_number();
            let account = Account {
                login: login.to_string(),
                kind,
                node_id: format!("{prefix}_{database_id:06}"),
                database_id,
            };
            self.accounts.insert(key.clone(), account);
        }
        self.accounts.get_mut(&key).expect("just inserted")
    }

    pub fn add_user(&mut self, login: &str) -> &mut Account {
        self.add_account(login, AccountKind::User)
    }

    pub fn add_org(&mut self, login: &str) -> &mut Account {
        self.add_account(login, AccountKind::Organization)
    }

    pub fn account(&self, login: &str) -> Option<&Account> {
        self.accounts.get(&login.to_lowercase())
    }

    /// Makes `token` authenticate as `login` (a user, created if missing).
    pub fn add_token(&mut self, token: &str, login: &str) {
        if self.account(login).is_none() {
            let kind = if login.ends_with("[bot]") {
                AccountKind::Bot
            } else {
                AccountKind::User
            };
            self.add_account(login, kind);
        }
        self.tokens.insert(token.to_string(), login.to_string());
    }

    pub fn add_app(&mut self, id: u64, slug: &str) {
        self.apps.push(App {
            id,
            slug: slug.to_string(),
            installations: BTreeMap::new(),
        });
        self.add_account(&format!("{slug}[bot]"), AccountKind::Bot);
    }

    /// Installs app `app_id` on `owner` and returns the installation id.
    pub fn install_app(&mut self, app_id: u64, owner: &str) -> u64 {
        let id = 1000 + self.next_number();
        let app = self
            .apps
            .iter_mut()
            .find(|a| a.id == app_id)
            .expect("install_app: unknown app");
        app.installations.insert(owner.to_lowercase(), id);
        id
    }

    pub fn add_team(&mut self, org: &str, slug: &str, members: &[&str]) {
        self.add_org(org);
        let team = Team {
            org: org.to_string(),
            slug: slug.to_string(),
            members: members
                .iter()
                .map(|m| (m.to_lowercase(), "active".to_string()))
                .collect(),
        };
        self.teams
            .insert(format!("{org}/{slug}").to_lowercase(), team);
    }

    pub fn team(&self, org: &str, slug: &str) -> Option<&Team> {
        self.teams.get(&format!("{org}/{slug}").to_lowercase())
    }

    // --- repositories, issues, labels, comments ---------------------------------------------------------------

    /// The repository `owner/name`, created (with its owner, an organisation unless known) if missing.
    pub fn add_repo(&mut self, full_name: &str) -> &mut Repo {
        let key = full_name.to_lowercase();
        if !self.repos.contains_key(&key) {
            let (owner, name) = full_name
                .split_once('/')
                .expect("repository names are owner/name");
            if self.account(owner).is_none() {
                self.add_org(owner);
            }
            let database_id = self.next_number();
            let repo = Repo {
                owner: owner.to_string(),
                name: name.to_string(),
                node_id: format!("R_{database_id:06}"),
                database_id,
                labels: Vec::new(),
                issues: BTreeMap::new(),
                collaborators: BTreeMap::new(),
            };
            self.repos.insert(key.clone(), repo);
        }
        self.repos.get_mut(&key).expect("just inserted")
    }

    pub fn repo(&self, full_name: &str) -> Option<&Repo> {
        self.repos.get(&full_name.to_lowercase())
    }

    pub fn repo_mut(&mut self, full_name: &str) -> Option<&mut Repo> {
        self.repos.get_mut(&full_name.to_lowercase())
    }

    /// Gives `login` a role (`admin`, `maintain`, `write`, `triage`, `read`) on a repository.
    pub fn add_collaborator(&mut self, repo: &str, login: &str, role: &str) {
        self.add_user(login);
        self.add_repo(repo)
            .collaborators
            .insert(login.to_lowercase(), role.to_string());
    }

    /// Adds a label to a repository unless it exists.
    pub fn add_label(&mut self, repo: &str, name: &str, color: &str, description: &str) {
        if self.add_repo(repo).label(name).is_some() {
            return;
        }
        let database_id = self.next_number();
        self.add_repo(repo).labels.push(Label {
            name: name.to_string(),
            color: color.to_string(),
            description: description.to_string(),
            node_id: format!("LA_{database_id:06}"),
            database_id,
        });
    }

    /// Adds an issue (its labels and users are created as needed) and returns its number.
    pub fn add_issue(&mut self, repo: &str, issue: NewIssue) -> u64 {
        for label in &issue.labels {
            self.add_label(repo, label, "ededed", "");
        }
        for login in issue.assignees.iter().chain([&issue.author]) {
            if self.account(login).is_none() {
                let kind = if login.ends_with("[bot]") {
                    AccountKind::Bot
                } else {
                    AccountKind::User
                };
                self.add_account(login, kind);
            }
        }
        let database_id = self.next_number();
        let number = issue
            .number
            .unwrap_or_else(|| self.add_repo(repo).next_number());
        let prefix = if issue.is_pull_request { "PR" } else { "I" };
        let data = IssueData {
            number,
            node_id: issue
                .node_id
                .unwrap_or_else(|| format!("{prefix}_{database_id:06}")),
            database_id,
            title: issue.title,
            body: issue.body,
            open: issue.open,
            labels: issue.labels,
            assignees: issue.assignees,
            milestone: issue.milestone,
            author: issue.author,
            is_pull_request: issue.is_pull_request,
            comments: Vec::new(),
            created_at: self.now(),
            label_events: Vec::new(),
        };
        self.add_repo(repo).issues.insert(number, data);
        number
    }

    /// Makes GitHub refuse every label change on this issue with `message` (see [`State::label_refusals`]).
    pub fn refuse_label_changes(&mut self, repo: &str, number: u64, message: &str) {
        self.label_refusals.insert(
            format!("{}#{number}", repo.to_lowercase()),
            message.to_string(),
        );
    }

    /// The message GitHub refuses this issue's label changes with, if it does.
    pub fn label_refusal(&self, repo: &str, number: u64) -> Option<&str> {
        self.label_refusals
            .get(&format!("{}#{number}", repo.to_lowercase()))
            .map(String::as_str)
    }

    pub fn issue(&self, repo: &str, number: u64) -> Option<&IssueData> {
        self.repo(repo)?.issues.get(&number)
    }

    pub fn issue_mut(&mut self, repo: &str, number: u64) -> Option<&mut IssueData> {
        self.repo_mut(repo)?.issues.get_mut(&number)
    }

    /// The labels of an issue (panics if there is no such issue: a test bug).
    pub fn labels_of(&self, repo: &str, number: u64) -> Vec<String> {
        self.issue(repo, number)
            .unwrap_or_else(|| panic!("no issue {repo}#{number}"))
            .labels
            .clone()
    }

    /// The comments of an issue (panics if there is no such issue).
    pub fn comments_of(&self, repo: &str, number: u64) -> Vec<CommentData> {
        self.issue(repo, number)
            .unwrap_or_else(|| panic!("no issue {repo}#{number}"))
            .comments
            .clone()
    }

    /// Adds a comment and returns its id (`id: None` picks a fresh one).
    pub fn add_comment(&mut self, repo: &str, number: u64, author: &str, body: &str) -> u64 {
        let id = self.next_number() + 10_000;
        self.insert_comment(repo, number, id, author, body);
        id
    }

    /// `editor` replaces the body of comment `id`, as GitHub lets anyone with write access do with any comment
    /// (panics if there is no such comment: a test bug).
    pub fn edit_comment(&mut self, repo: &str, number: u64, id: u64, editor: &str, body: &str) {
        let now = self.tick();
        let comment = self
            .issue_mut(repo, number)
            .and_then(|i| i.comments.iter_mut().find(|c| c.id == id))
            .unwrap_or_else(|| panic!("no comment {id} on {repo}#{number}"));
        comment.body = body.to_string();
        comment.updated_at = now;
        comment.editor = Some(editor.to_string());
    }

    fn insert_comment(&mut self, repo: &str, number: u64, id: u64, author: &str, body: &str) {
        if self.account(author).is_none() {
            let kind = if author.ends_with("[bot]") {
                AccountKind::Bot
            } else {
                AccountKind::User
            };
            self.add_account(author, kind);
        }
        let now = self.tick();
        let comment = CommentData {
            id,
            node_id: format!("IC_{id:06}"),
            author: author.to_string(),
            body: body.to_string(),
            created_at: now.clone(),
            updated_at: now,
            editor: None,
            reactions: Vec::new(),
        };
        self.issue_mut(repo, number)
            .unwrap_or_else(|| panic!("no issue {repo}#{number}"))
            .comments
            .push(comment);
    }

    /// The issue holding comment `id`: (repository key, issue number, index of the comment).
    pub fn find_comment(&self, repo: &str, id: u64) -> Option<(u64, usize)> {
        let repo = self.repo(repo)?;
        repo.issues.values().find_map(|issue| {
            issue
                .comments
                .iter()
                .position(|c| c.id == id)
                .map(|i| (issue.number, i))
        })
    }

    // --- projects ------------------------------------------------------------------------------------------------

    /// Adds a project with GitHub's built-in fields (Title, Assignees, Labels, Milestone, Repository).
    pub fn add_project(&mut self, owner: &str, number: u64, title: &str) -> String {
        if self.account(owner).is_none() {
            self.add_org(owner);
        }
        let id = self.new_node_id("PVT");
        let mut project = Project {
            id: id.clone(),
            owner: owner.to_string(),
            number,
            title: title.to_string(),
            fields: Vec::new(),
            items: Vec::new(),
        };
        for (name, data_type) in [
            ("Title", DataType::Title),
            ("Assignees", DataType::Assignees),
            ("Labels", DataType::Labels),
            ("Milestone", DataType::Milestone),
            ("Repository", DataType::Repository),
        ] {
            project.fields.push(Field {
                id: self.new_node_id("PVTF"),
                name: name.into(),
                data_type,
                options: Vec::new(),
            });
        }
        self.projects.push(project);
        id
    }

    pub fn project(&self, owner: &str, number: u64) -> Option<&Project> {
        self.projects
            .iter()
            .find(|p| p.owner.eq_ignore_ascii_case(owner) && p.number == number)
    }

    pub fn project_by_id(&self, id: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.id == id)
    }

    fn project_index(&self, owner: &str, number: u64) -> usize {
        self.projects
            .iter()
            .position(|p| p.owner.eq_ignore_ascii_case(owner) && p.number == number)
            .unwrap_or_else(|| panic!("no project {owner}/{number}"))
    }

    /// Adds a user-defined field (options for a single select or the iterations of an iteration field) and
    /// returns its id.
    pub fn add_field(
        &mut self,
        owner: &str,
        number: u64,
        name: &str,
        data_type: DataType,
        options: &[&str],
    ) -> String {
        let prefix = match data_type {
            DataType::SingleSelect => "PVTSSF",
            DataType::Iteration => "PVTIF",
            _ => "PVTF",
        };
        let id = self.new_node_id(prefix);
        let options = options
            .iter()
            .map(|name| SelectOption {
                id: format!(
                    "{:08x}",
                    self.next_number().wrapping_mul(2_654_435_761) & 0xffff_ffff
                ),
                name: name.to_string(),
            })
            .collect();
        let index = self.project_index(owner, number);
        self.projects[index].fields.push(Field {
            id: id.clone(),
            name: name.to_string(),
            data_type,
            options,
        });
        id
    }

    /// Adds an option to a single select field (or an iteration) and returns its id.
    pub fn add_option(&mut self, owner: &str, number: u64, field: &str, option: &str) -> String {
        let id = format!(
            "{:08x}",
            self.next_number().wrapping_mul(2_654_435_761) & 0xffff_ffff
        );
        let index = self.project_index(owner, number);
        let field = self.projects[index]
            .fields
            .iter_mut()
            .find(|f| f.name.eq_ignore_ascii_case(field))
            .unwrap_or_else(|| panic!("no field {field}"));
        field.options.push(SelectOption {
            id: id.clone(),
            name: option.to_string(),
        });
        id
    }

    /// Puts content on a board and returns the item id (`id: None` picks a fresh one).
    pub fn add_item(
        &mut self,
        owner: &str,
        number: u64,
        id: Option<&str>,
        content: Content,
    ) -> String {
        let id = id.map_or_else(|| self.new_node_id("PVTI"), str::to_string);
        let index = self.project_index(owner, number);
        self.projects[index].items.push(ProjectItem {
            id: id.clone(),
            archived: false,
            content,
            values: BTreeMap::new(),
        });
        let position = (index, self.projects[index].items.len() - 1);
        self.item_index.insert(id.clone(), position);
        id
    }

    /// A draft issue's content, with a fresh id.
    pub fn draft(&mut self, title: &str, body: &str) -> Content {
        Content::Draft {
            id: self.new_node_id("DI"),
            title: title.into(),
            body: body.into(),
        }
    }

    /// (project index, item index) of an item.
    pub fn find_item(&self, item_id: &str) -> Option<(usize, usize)> {
        if let Some(&(p, i)) = self.item_index.get(item_id) {
            let still_there = self
                .projects
                .get(p)
                .and_then(|project| project.items.get(i))
                .is_some_and(|item| item.id == item_id);
            if still_there {
                return Some((p, i));
            }
        }
        self.projects.iter().enumerate().find_map(|(p, project)| {
            project
                .items
                .iter()
                .position(|i| i.id == item_id)
                .map(|i| (p, i))
        })
    }

    pub fn item(&self, item_id: &str) -> Option<&ProjectItem> {
        let (p, i) = self.find_item(item_id)?;
        Some(&self.projects[p].items[i])
    }

    pub fn item_mut(&mut self, item_id: &str) -> Option<&mut ProjectItem> {
        let (p, i) = self.find_item(item_id)?;
        Some(&mut self.projects[p].items[i])
    }

    /// Sets a field of an item from a snapshot-style JSON value (option name, text, number, `YYYY-MM-DD`,
    /// iteration title); missing options are added. `Value::Null` clears it.
    pub fn set_value(&mut self, item_id: &str, field_name: &str, value: &Value) {
        let (p, i) = self
            .find_item(item_id)
            .unwrap_or_else(|| panic!("no item {item_id}"));
        let (owner, number) = (self.projects[p].owner.clone(), self.projects[p].number);
        let field = self.projects[p]
            .field(field_name)
            .cloned()
            .unwrap_or_else(|| panic!("project {owner}/{number} has no field {field_name}"));
        if value.is_null() {
            self.projects[p].items[i].values.remove(&field.id);
            return;
        }
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let val = match field.data_type {
            DataType::SingleSelect | DataType::Iteration => {
                let id = match field.option(&text) {
                    Some(option) => option.id.clone(),
                    None => self.add_option(&owner, number, &field.name, &text),
                };
                if field.data_type == DataType::SingleSelect {
                    Val::Option(id)
                } else {
                    Val::Iteration(id)
                }
            }
            DataType::Number => Val::Number(
                value
                    .as_f64()
                    .or_else(|| text.parse().ok())
                    .expect("a number"),
            ),
            DataType::Date => Val::Date(text),
            DataType::Text => Val::Text(text),
            other => panic!("field {field_name} is built in ({other:?}): set the issue instead"),
        };
        let now = self.tick();
        let value_id = self.new_node_id("PVTFV");
        let values = &mut self.projects[p].items[i].values;
        match values.get_mut(&field.id) {
            Some(existing) => {
                existing.value = val;
                existing.updated_at = now;
            }
            None => {
                values.insert(
                    field.id.clone(),
                    FieldValue {
                        id: value_id,
                        value: val,
                        created_at: now.clone(),
                        updated_at: now,
                    },
                );
            }
        }
    }

    /// A field of an item as the snapshot shows it (option name, text, number, date, iteration title).
    pub fn item_value(&self, item_id: &str, field_name: &str) -> Option<Value> {
        let (p, i) = self.find_item(item_id)?;
        let project = &self.projects[p];
        let field = project.field(field_name)?;
        let value = project.items[i].values.get(&field.id)?;
        Some(display_value(field, &value.value))
    }

    /// The Status of an item, by option name.
    pub fn item_status(&self, item_id: &str) -> Option<String> {
        self.item_value(item_id, "Status")
            .and_then(|v| v.as_str().map(str::to_string))
    }

    pub fn resolve_node(&self, id: &str) -> Option<NodeRef> {
        if let Some(account) = self.accounts.values().find(|a| a.node_id == id) {
            return Some(NodeRef::Account(account.login.clone()));
        }
        if self.projects.iter().any(|p| p.id == id) {
            return Some(NodeRef::Project(id.to_string()));
        }
        if self.find_item(id).is_some() {
            return Some(NodeRef::Item(id.to_string()));
        }
        for repo in self.repos.values() {
            if repo.node_id == id {
                return Some(NodeRef::Repo(repo.full_name()));
            }
            if let Some(issue) = repo.issues.values().find(|i| i.node_id == id) {
                return Some(NodeRef::Issue {
                    repo: repo.full_name(),
                    number: issue.number,
                });
            }
            for issue in repo.issues.values() {
                if let Some(c) = issue.comments.iter().find(|c| c.node_id == id) {
                    return Some(NodeRef::Comment {
                        repo: repo.full_name(),
                        number: issue.number,
                        id: c.id,
                    });
                }
            }
        }
        None
    }

    // --- snapshots -------------------------------------------------------------------------------------------

    /// Builds the world a snapshot describes: the owner (an organisation unless already known), the project with
    /// its fields, every item with its issue, pull request or draft, labels, assignees, comments and field values.
    /// Item ids, issue numbers and comment ids are kept; `status_updated_at` becomes the time of the Status value.
    pub fn load_snapshot(&mut self, snapshot: &Snapshot) {
        let board = &snapshot.board;
        let (owner, number) = (board.owner.as_str(), board.number);
        if self.project(owner, number).is_none() {
            self.add_project(owner, number, &board.title);
        }
        for field in &board.fields {
            let exists = self
                .project(owner, number)
                .and_then(|p| p.field(&field.name))
                .is_some();
            if !exists {
                let options: Vec<&str> = field.options.iter().map(String::as_str).collect();
                self.add_field(
                    owner,
                    number,
                    &field.name,
                    DataType::from_kind(field.kind),
                    &options,
                );
            }
        }
        for item in &snapshot.items {
            let content = match (item.kind, &item.issue, &item.pull_request, &item.draft) {
                (_, Some(issue), _, _) => {
                    let number = self.load_issue(issue);
                    if let Some(history) = item.history() {
                        self.load_history(&issue.repository, number, &history);
                    }
                    Content::Issue {
                        repo: issue.repository.clone(),
                        number,
                    }
                }
                (_, None, Some(pr), _) => {
                    let number = self.add_issue(
                        &pr.repository,
                        NewIssue {
                            number: Some(pr.number),
                            title: pr.title.clone(),
                            is_pull_request: true,
                            ..NewIssue::default()
                        },
                    );
                    Content::Issue {
                        repo: pr.repository.clone(),
                        number,
                    }
                }
                (_, None, None, Some(draft)) => self.draft(&draft.title, &draft.body),
                (ItemKind::Draft, None, None, None) => self.draft("", ""),
                _ => Content::Redacted,
            };
            let id = self.add_item(owner, number, Some(&item.id), content);
            self.item_mut(&id).expect("just added").archived = item.archived;
            for (name, value) in &item.fields {
                let exists = self
                    .project(owner, number)
                    .and_then(|p| p.field(name))
                    .is_some();
                if !exists {
                    let data_type = if value.is_number() {
                        DataType::Number
                    } else {
                        DataType::Text
                    };
                    self.add_field(owner, number, name, data_type, &[]);
                }
                self.set_value(&id, name, value);
            }
            if let Some(at) = &item.status_updated_at {
                let (p, i) = self.find_item(&id).expect("just added");
                if let Some(status) = self.projects[p].field("Status").map(|f| f.id.clone()) {
                    if let Some(value) = self.projects[p].items[i].values.get_mut(&status) {
                        value.updated_at = at.clone();
                    }
                }
            }
        }
    }

    /// A snapshot's label history as the issue's timeline (a partial one as it is: the fake cannot know more).
    fn load_history(&mut self, repo: &str, number: u64, history: &board::History) {
        let Some(issue) = self.issue_mut(repo, number) else {
            return;
        };
        if let Some(created) = &history.created {
            issue.created_at = created.clone();
        }
        issue.label_events = history
            .labels
            .iter()
            .map(|e| LabelEventData {
                labeled: e.event == board::LabelAction::Labeled,
                label: e.label.clone(),
                actor: e.actor.clone(),
                created_at: e.at.clone(),
            })
            .collect();
    }

    fn load_issue(&mut self, issue: &board::Issue) -> u64 {
        let number = self.add_issue(
            &issue.repository,
            NewIssue {
                number: Some(issue.number),
                title: issue.title.clone(),
                body: issue.body.clone(),
                open: issue.state == board::IssueState::Open,
                labels: issue.labels.clone(),
                assignees: issue.assignees.clone(),
                milestone: issue.milestone.clone(),
                node_id: issue.node_id.clone(),
                ..NewIssue::default()
            },
        );
        for comment in issue.comments.iter().flatten() {
            self.next_id = self.next_id.max(comment.id);
            self.insert_comment(
                &issue.repository,
                number,
                comment.id,
                &comment.author,
                &comment.body,
            );
            if let Some(editor) = &comment.editor {
                let body = comment.body.clone();
                self.edit_comment(&issue.repository, number, comment.id, editor, &body);
            }
        }
        number
    }

    /// The board as `GitHubForge::read_board` should see it: custom fields only, comments not read, `bot` =
    /// `viewer`.
    pub fn to_snapshot(&self, owner: &str, number: u64, viewer: &str) -> Snapshot {
        let project = self
            .project(owner, number)
            .unwrap_or_else(|| panic!("no project {owner}/{number}"));
        let fields = project
            .fields
            .iter()
            .filter(|f| !f.data_type.is_built_in())
            .map(|f| board::FieldDef {
                name: f.name.clone(),
                kind: f.data_type.kind(),
                options: if f.data_type == DataType::SingleSelect {
                    f.options.iter().map(|o| o.name.clone()).collect()
                } else {
                    Vec::new()
                },
                extra: Default::default(),
            })
            .collect();
        let items = project
            .items
            .iter()
            .map(|item| self.snapshot_item(project, item))
            .collect();
        Snapshot {
            bot: viewer.to_string(),
            board: board::Board {
                owner: owner.to_string(),
                number,
                title: project.title.clone(),
                fields,
                extra: Default::default(),
            },
            items,
        }
    }

    fn snapshot_item(&self, project: &Project, item: &ProjectItem) -> board::Item {
        let mut out = board::Item {
            id: item.id.clone(),
            kind: ItemKind::Other,
            archived: item.archived,
            fields: Default::default(),
            issue: None,
            draft: None,
            pull_request: None,
            status_updated_at: None,
            extra: Default::default(),
        };
        for field in &project.fields {
            if let Some(value) = item.values.get(&field.id) {
                out.fields
                    .insert(field.name.clone(), display_value(field, &value.value));
                if field.name.eq_ignore_ascii_case("Status") {
                    out.status_updated_at = Some(value.updated_at.clone());
                }
            }
        }
        match &item.content {
            Content::Issue { repo, number } => {
                let full_name = self
                    .repo(repo)
                    .map_or_else(|| repo.clone(), Repo::full_name);
                let issue = self.issue(repo, *number).expect("item content exists");
                if issue.is_pull_request {
                    out.kind = ItemKind::PullRequest;
                    out.pull_request = Some(board::PullRequest {
                        repository: full_name,
                        number: *number,
                        title: issue.title.clone(),
                        extra: Default::default(),
                    });
                } else {
                    out.kind = ItemKind::Issue;
                    out.issue = Some(board::Issue {
                        url: Some(format!("https://github.com/{full_name}/issues/{number}")),
                        repository: full_name,
                        number: *number,
                        title: issue.title.clone(),
                        state: if issue.open {
                            board::IssueState::Open
                        } else {
                            board::IssueState::Closed
                        },
                        body: issue.body.clone(),
                        labels: issue.labels.clone(),
                        assignees: issue.assignees.clone(),
                        milestone: issue.milestone.clone(),
                        node_id: Some(issue.node_id.clone()),
                        author: None, // the board read does not ask who opened an issue
                        comments: None,
                        extra: Default::default(),
                    });
                    out.set_history(&history_as_read(issue));
                }
            }
            Content::Draft { title, body, .. } => {
                out.kind = ItemKind::Draft;
                out.draft = Some(board::Draft {
                    title: title.clone(),
                    body: body.clone(),
                    extra: Default::default(),
                });
            }
            Content::Redacted => {}
        }
        out
    }
}

/// The label history the board read sees: the last [`TIMELINE_PAGE`] events, complete when there are no more.
pub fn history_as_read(issue: &IssueData) -> board::History {
    let skip = issue.label_events.len().saturating_sub(TIMELINE_PAGE);
    board::History {
        labels: issue.label_events[skip..]
            .iter()
            .map(|e| board::LabelEvent {
                at: e.created_at.clone(),
                event: if e.labeled {
                    board::LabelAction::Labeled
                } else {
                    board::LabelAction::Unlabeled
                },
                label: e.label.clone(),
                // GraphQL names a bot without REST's `[bot]`.
                actor: e
                    .actor
                    .as_deref()
                    .map(|a| a.trim_end_matches("[bot]").to_string()),
                extra: Default::default(),
            })
            .collect(),
        complete: skip == 0,
        created: Some(issue.created_at.clone()),
        extra: Default::default(),
    }
}

/// How many label events of an issue the board read asks for (`timelineItems(last: 20)`).
pub const TIMELINE_PAGE: usize = 20;

/// A stored value as the snapshot format shows it.
pub fn display_value(field: &Field, value: &Val) -> Value {
    match value {
        Val::Text(t) | Val::Date(t) => json!(t),
        Val::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => json!(*n as i64),
        Val::Number(n) => json!(n),
        Val::Option(id) | Val::Iteration(id) => {
            json!(field.option_by_id(id).map_or("", |o| o.name.as_str()))
        }
    }
}

/// Seconds since the Unix epoch → `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, as GitHub prints).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}
