//! fnplan: a serverless app spec in, lint findings, a CloudFormation template, plans and deployments out.
//!
//! Stages: [`spec`] (YAML -> `RawSpec` with spans) -> [`model`] (-> `Model`) -> [`graph`]
//! (-> `AppGraph`) -> [`lint`] and [`template`] (-> CloudFormation) -> [`deploy`], with
//! [`package`] beside the template. [`ops`] runs the pipeline for each command and returns
//! a typed outcome; [`cli`] turns flags into options and outcomes into text, and [`exit`]
//! outcomes into exit codes. Lower layers never import higher ones (`tests/it/layers.rs`).

pub mod aws_error;
pub mod cli;
pub mod deploy;
pub mod diagnostic;
pub mod exit;
pub mod graph;
pub mod limits;
pub mod lint;
pub mod model;
pub mod ops;
pub mod package;
pub mod source;
pub mod spec;
pub mod suggest;
#[doc(hidden)]
pub mod synth;
pub mod template;
#[doc(hidden)]
pub mod testing;

pub use exit::ExitStatus;

/// Run fnplan with parsed arguments; the caller turns the result into the process exit code.
pub fn run(cli: cli::Cli) -> ExitStatus {
    cli::run(cli)
}
