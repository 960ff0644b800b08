//! The router crate's tests that need nothing running, one test binary (Hive Router is linked
//! once, not once per file): composition rules and errors, the schema check's change rules,
//! lint rules and reports.

mod check_reports;
mod composition_errors;
mod composition_rules;
mod lint_rules;
mod schema_changes;
mod subgraphs;
