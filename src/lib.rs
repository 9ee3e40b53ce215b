//! fnplan: a serverless app spec in, lint findings, a CloudFormation template, plans and deployments out.
//!
//! Stages: [`spec`] (YAML -> `RawSpec` with spans) -> [`model`] (-> `Model`) -> [`graph`]
//! (-> `AppGraph`) -> [`lint`] and [`template`] (-> CloudFormation). [`cli`] turns flags into calls.

pub mod cli;
pub mod deploy;
pub mod diagnostic;
pub mod exit;
pub mod graph;
pub mod lint;
pub mod model;
pub mod package;
pub mod pipeline;
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
