//! Before any write: does the configuration fit the live board? Boards get renamed, and a typo in a Status
//! option must not revert the whole portfolio.

use std::fmt;

use crate::board::{Board, FieldKind};
use crate::config::Config;
use crate::rules::{Requirement, RequirementKind};

/// Everything the configuration names that the board lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub problems: Vec<String>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "the configuration does not fit the board; nothing was written:"
        )?;
        for p in &self.problems {
            writeln!(f, "  - {p}")?;
        }
        write!(f, "  how to fix: rename the board's columns/fields back, or update the configuration to match")
    }
}

impl std::error::Error for Mismatch {}

/// Fields named by requirements (a missing one would make every check fail).
fn required_fields(reqs: &[Requirement], out: &mut Vec<String>) {
    for r in reqs {
        match &r.kind {
            RequirementKind::Field { name, .. } => out.push(name.clone()),
            RequirementKind::Any(list) => required_fields(list, out),
            _ => {}
        }
    }
}

pub fn check(config: &Config, board: &Board) -> Result<(), Mismatch> {
    let mut problems = Vec::new();
    let status_field = &config.board.status_field;
    match board.field(status_field) {
        None => {
            problems.push(format!(
            "the board has no field \"{status_field}\" (board.status_field); its fields are: {}",
            board.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
        ))
        }
        Some(f) if f.kind != FieldKind::SingleSelect => problems.push(format!(
            "field \"{status_field}\" is not a single-select field"
        )),
        Some(f) => {
            for (_, phase) in config.phases.iter() {
                let wanted = crate::phase::normalize(&phase.status);
                if !f
                    .options
                    .iter()
                    .any(|o| crate::phase::normalize(o) == wanted)
                {
                    problems.push(format!(
                        "phase \"{}\" uses Status option \"{}\", which the board does not have; its options are: {}",
                        phase.name,
                        phase.status,
                        f.options.join(", ")
                    ));
                }
            }
        }
    }
    let mut fields = Vec::new();
    for (_, phase) in config.phases.iter() {
        required_fields(&phase.require, &mut fields);
    }
    fields.sort();
    fields.dedup();
    for name in fields {
        if board.field(&name).is_none() {
            problems.push(format!(
                "a requirement names field \"{name}\", which the board does not have"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Mismatch { problems })
    }
}
