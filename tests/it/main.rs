//! fnplan's integration tests, as a user runs the CLI; one binary, modules by topic.

mod common;
mod errors;
mod lint_rules;
mod render;
