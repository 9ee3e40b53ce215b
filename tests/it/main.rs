//! fnplan's integration tests, as a user runs the CLI; one binary, modules by topic.

mod apply;
mod buses;
mod ci;
mod common;
mod dlq;
mod docs;
mod drift;
mod errors;
mod explain;
mod faults;
mod lambda_layers;
mod large;
mod layers;
mod lint_formats;
mod lint_rules;
mod moto;
mod package;
mod plan;
mod plan_truth;
mod properties;
mod raw_cfn;
mod refactor;
mod render;
mod replay;
mod split;
mod streams;
