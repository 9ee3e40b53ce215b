//! fnplan's integration tests, as a user runs the CLI; one binary, modules by topic.

mod apply;
mod common;
mod databases;
mod dlq;
mod docs;
mod drift;
mod errors;
mod explain;
mod faults;
mod large;
mod layers;
mod lint_formats;
mod lint_rules;
mod moto;
mod package;
mod plan;
mod plan_truth;
mod properties;
mod refactor;
mod render;
mod replay;
mod split;
mod streams;
