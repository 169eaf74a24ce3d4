//! portfolio-sync: keeps a GitHub Projects (v2) portfolio board honest.
//!
//! Functional core, imperative shell: `body`, `rules`, `reconcile`, `plan` and `messages` decide without I/O;
//! `apply`, `snapshot`, `file` and `github` carry the decisions out.

pub mod apply;
pub mod approval;
pub mod board;
pub mod body;
pub mod cli;
pub mod commands;
pub mod config;
pub mod doctor;
pub mod event;
pub mod file;
pub mod forge;
pub mod github;
pub mod language;
pub mod markdown;
pub mod marker;
pub mod memory;
pub mod messages;
pub mod phase;
pub mod plan;
pub mod preflight;
pub mod progress;
pub mod reconcile;
pub mod report;
pub mod rules;
pub mod run;
pub mod serve;
pub mod snapshot;
