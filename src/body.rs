//! Sections and checklists of an issue body.
