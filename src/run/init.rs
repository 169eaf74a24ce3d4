//! `init`: a starter configuration written from the board itself (live, or a snapshot), so that someone with
//! only the binary starts from their own columns instead of Digdir's.
//!
//! The board's Status options become the phases, in board order; its repositories and fields are filled in;
//! requirements are left empty (a card moves freely until they are added), with Digdir's as commented examples.
//! The text is checked with [`config::parse`] and [`preflight::check`] before it is written, so what `init` writes
//! always passes `check-config` and fits the board it was read from.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};

use super::{Exit, UsageError};
use crate::board::{FieldKind, Snapshot};
use crate::config::{self, BoardConfig};
use crate::forge::Forge;
use crate::phase::slugify;
use crate::plan::plural;
use crate::preflight;

#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Read the board from this snapshot file instead of GitHub.
    pub snapshot: Option<PathBuf>,
    /// The live board's owner and project number (ignored with a snapshot, which names its board).
    pub owner: String,
    pub project: u64,
    /// Where to write the configuration; `None` for standard output. An existing file is never overwritten.
    pub out: Option<PathBuf>,
    /// The board's single-select field whose options are the phases.
    pub status_field: String,
}

/// Opens the board `options` name (a snapshot, or GitHub) and writes a starter configuration for it.
pub async fn run(options: &InitOptions, out: &mut impl Write) -> Result<Exit> {
    let board = BoardConfig {
        owner: options.owner.clone(),
        project: options.project,
        repositories: Vec::new(),
        status_field: options.status_field.clone(),
    };
    let mut forge = super::open_board(&board, options.snapshot.as_deref()).await?;
    init(&mut forge, options, out).await
}

/// Reads the board and writes a starter configuration for it.
pub async fn init<F: Forge>(
    forge: &mut F,
    options: &InitOptions,
    out: &mut impl Write,
) -> Result<Exit> {
    // Refuse before reading the board: a live read can take a while, and its answer would be thrown away.
    if let Some(path) = &options.out {
        refuse_existing(path)?;
    }
    let snapshot = forge.read_board().await?;
    let source = match &options.snapshot {
        Some(file) => format!("the snapshot {}", file.display()),
        None => "the live board".to_string(),
    };
    let text = starter(&snapshot, &options.status_field, &source)?;
    match &options.out {
        None => write!(out, "{text}")?,
        Some(path) => {
            write_new(path, &text)?;
            writeln!(
                out,
                "wrote {}: {} phases from the Status options of {}/{}.\nNext: portfolio-sync --config {0} check-config, then doctor, then sync --dry-run.",
                path.display(),
                phase_options(&snapshot, &options.status_field)?.len(),
                snapshot.board.owner,
                snapshot.board.number,
            )?;
        }
    }
    Ok(Exit::Ok)
}

fn refuse_existing(path: &Path) -> Result<()> {
    if path.exists() {
        return Err(UsageError(format!(
            "{} exists already; init never overwrites a configuration: choose another --out, or remove the file",
            path.display()
        ))
        .into());
    }
    Ok(())
}

/// Writes `text` to a new file (`create_new`: a file that appeared since the first look is not overwritten either).
fn write_new(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => anyhow!(UsageError(format!(
                "{} exists already; init never overwrites a configuration",
                path.display()
            ))),
            _ => anyhow!("cannot create {}: {e}", path.display()),
        })?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The Status options of the board, in board order.
fn phase_options<'s>(snapshot: &'s Snapshot, status_field: &str) -> Result<&'s [String]> {
    let board = &snapshot.board;
    let fields = || {
        board
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match board.field(status_field) {
        Some(f) if f.kind == FieldKind::SingleSelect && !f.options.is_empty() => Ok(&f.options),
        Some(f) if f.kind == FieldKind::SingleSelect => Err(UsageError(format!(
            "field \"{}\" of the board has no options: add the board's columns first",
            f.name
        ))
        .into()),
        _ => Err(UsageError(format!(
            "the board has no single-select field \"{status_field}\": pass --status-field with the one that holds the phase; its fields are: {}",
            fields()
        ))
        .into()),
    }
}

/// A TOML string, quoted and escaped.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The starter configuration for `snapshot`, checked: it parses, validates and fits the board.
pub fn starter(snapshot: &Snapshot, status_field: &str, source: &str) -> Result<String> {
    let options = phase_options(snapshot, status_field)?;
    let board = &snapshot.board;
    // The repositories of the board's issues, the one with most cards first (that is where the initiatives are).
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for issue in snapshot.items.iter().filter_map(|i| i.issue.as_ref()) {
        *counts.entry(issue.repository.to_lowercase()).or_default() += 1;
    }
    let mut repositories: Vec<(String, usize)> = counts.into_iter().collect();
    repositories.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    // Only the repository with most cards is filled in: an issue of another team's repository that someone put on
    // the board is not necessarily an initiative, and the bot labels and comments on every issue it syncs.
    let (repositories, others) = match repositories.split_first() {
        None => (
            format!(
                "[{}]   # no issue is on the board yet: name the repository whose issues are initiatives",
                quoted(&format!("{}/CHANGE-ME", board.owner))
            ),
            String::new(),
        ),
        Some(((first, _), rest)) => (
            format!("[{}]", quoted(first)),
            rest.iter()
                .map(|(r, n)| format!("{} ({})", quoted(r), plural(*n, "card")))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    };
    let other_fields: Vec<String> = board
        .fields
        .iter()
        .filter(|f| !f.name.eq_ignore_ascii_case(status_field))
        .map(|f| match f.kind {
            FieldKind::SingleSelect => format!("{} (one of {})", f.name, f.options.join(", ")),
            FieldKind::Text => format!("{} (text)", f.name),
            FieldKind::Number => format!("{} (number)", f.name),
            FieldKind::Date => format!("{} (date)", f.name),
            FieldKind::Iteration => format!("{} (iteration)", f.name),
            FieldKind::Other => f.name.clone(),
        })
        .collect();
    let example_field = board
        .fields
        .iter()
        .find(|f| f.kind == FieldKind::SingleSelect && !f.name.eq_ignore_ascii_case(status_field));
    let field_example = match example_field {
        Some(f) => format!(
            "{{ field = {}, one_of = [{}] }}",
            quoted(&f.name),
            f.options
                .iter()
                .take(2)
                .map(|o| quoted(o))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "{ field = \"MoSCoW\", one_of = [\"M\", \"S\"] }".to_string(),
    };

    let mut t = String::new();
    let mut line = |s: &str| {
        t.push_str(s);
        t.push('\n');
    };
    line(&format!(
        "# portfolio-sync configuration for {}/{} \"{}\", written by `portfolio-sync init` from {source}.",
        board.owner, board.number, board.title
    ));
    line("# Every key is described in the README (\"Configuration\"); `portfolio-sync check-config` checks this file,");
    line("# `portfolio-sync doctor` checks it against the board, `portfolio-sync sync --dry-run` shows what the bot would do.");
    line("# Editors complete the keys from `portfolio-sync schema > portfolio-sync.schema.json` (beside this file) and a");
    line("# first line \"#:schema ./portfolio-sync.schema.json\" (taplo, Even Better TOML).");
    line("");
    line("[board]");
    line(&format!("owner = {}", quoted(&board.owner)));
    line(&format!("project = {}", board.number));
    line("# Only issues of these repositories are initiatives; cards from others are skipped and never touched.");
    line(&format!("repositories = {repositories}"));
    if !others.is_empty() {
        line(&format!(
            "# Issues of other repositories on the board: {others}. Add those whose issues are initiatives."
        ));
    }
    line(&format!("status_field = {}", quoted(status_field)));
    line("");
    line("[sync]");
    line("label_prefix = \"fase/\"           # the accepted phase is remembered as the label fase/<slug>");
    line("on_violation = \"revert\"          # a refused move is set back; \"flag\" keeps it and adds blocked_label");
    line("blocked_label = \"fase/blokkert\"");
    line("max_changes = 25                 # a larger plan needs --allow-large (the first run adopts every card)");
    line("language = \"nb\"                  # the comments' language: \"nb\" (bokmål) or \"en\"");
    line("");
    line("# One [[phase]] per Status option, in board order. No phase requires anything yet: a card may enter any");
    line("# phase until you add requirements. Examples (Digdir's, from config/portfolio.toml in the repository):");
    line("#");
    line("# require = [");
    line("#   { section = \"Problemstilling\" },                                # the issue body's section has content");
    line("#   { checklist = \"Mål og nøkkelresultat (OKR)\", min_checked = 1 }, # ticked task items in a section");
    line(&format!(
        "#   {:<63} # a board field is set (to one of)",
        format!("{field_example},")
    ));
    line("#   { assignee = true },");
    line("#   { milestone = true },");
    line("#   { label = \"moscow/*\" },                                         # a label matching a glob");
    line(
        "#   { any = [ { field = \"MoSCoW\" }, { label = \"moscow/*\" } ] },     # one of several",
    );
    line("# ]");
    line("# manual = [\"Arkitektur er vurdert\"]   # reminders in the status comment, never enforced");
    line("# handoff = true                       # entering the phase posts the handoff comment");
    if other_fields.is_empty() {
        line("#");
        line("# The board has no other fields.");
    } else {
        line("#");
        line(&format!(
            "# The board's other fields: {}.",
            other_fields.join("; ")
        ));
    }
    for (i, option) in options.iter().enumerate() {
        line("");
        line("[[phase]]");
        line(&format!("name = {}", quoted(option.trim())));
        // A Status option of only emoji or punctuation has no slug of its own; the label needs one.
        if slugify(option).is_empty() {
            line(&format!("slug = \"phase-{}\"", i + 1));
        }
        line("require = []");
    }
    line("");
    line("# [handoff]                                 # what the handoff comment names");
    line("# responsible_field = \"Ansvarlig\"           # a board field naming who is responsible, besides assignees");
    line("# team_field = \"Team\"                       # a board field naming the teams, comma separated");
    line("# include_sections = [\"Behov totalt, sum månedsverk\"]");
    line("# tracking_sections = [\"Problemstilling\", \"Behov totalt, sum månedsverk\"]  # quoted in tracking issues");
    line("# funding_field = \"Finansiering\"            # a board field saying how the initiative is funded");
    line("#");
    line("# [teams.\"Dialogporten\"]");
    line("# github_team = \"digdir/team-dialogporten\"  # mentioned on handoff");
    line("# repository = \"digdir/dialogporten\"        # a tracking issue is opened there on handoff");

    // What init writes must load and fit the board; a failure here is a bug in init, said as such.
    let config = config::parse(&t, "the starter configuration").map_err(|e| {
        anyhow!("init built a configuration that does not load (a bug; please report it):\n{e}")
    })?;
    preflight::check(&config, board).map_err(|e| {
        anyhow!("init built a configuration that does not fit the board (a bug; please report it):\n{e}")
    })?;
    Ok(t)
}
