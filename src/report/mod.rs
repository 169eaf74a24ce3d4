//! The portfolio report for Porteføljekontoret's weekly meeting: initiatives per phase, which are ready to advance,
//! which are blocked and why, time in phase, recent handoffs, and what the bot leaves out.
//!
//! [`build`] decides with no I/O and no clock: the caller passes the board, the open issues of the configured
//! repositories and the date. [`Report`] serialises to the JSON report; [`to_markdown`] renders bokmål or English.
//! Reading and publishing are use cases: `run::report`.

mod day;
pub mod flow;
mod html;
mod markdown;
mod model;

pub use day::Day;
pub use html::to_html;
pub use markdown::{issue_body, mermaid_pie, to_markdown, to_markdown_within, ISSUE_BODY_LIMIT};
pub use model::*;
