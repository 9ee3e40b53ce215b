//! Command-line arguments in (clap), calls into the library and an [`ExitStatus`] out.
//! No logic lives here beyond turning flags into typed options.

mod apply;
mod explain;
mod graph;
mod lint;
mod output;
mod package;
mod plan;
mod render;
mod schema;
mod stack;

use crate::diagnostic::ColorChoice;
use crate::exit::ExitStatus;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub use output::Output;

/// Compile a serverless app spec into CloudFormation; lint, plan and apply it.
#[derive(Debug, Parser)]
#[command(
    name = "fnplan",
    version,
    about,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// When to use colour (never when NO_COLOR is set, in `auto`).
    #[arg(long, value_enum, default_value = "auto", global = true)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the CloudFormation template of a stage, or write/check one file per stage.
    Render(render::RenderArgs),
    /// Draw the app's dependency graph (Mermaid, Graphviz dot or JSON).
    Graph(graph::GraphArgs),
    /// Check the app for reliability, security and cost mistakes.
    Lint(lint::LintArgs),
    /// Show what `apply` would change in the deployed stack.
    Plan(plan::PlanArgs),
    /// Deploy the spec (or a saved plan) through a CloudFormation change set.
    Apply(apply::ApplyArgs),
    /// Zip local function code deterministically and write the zips and templates to a directory.
    Package(package::PackageArgs),
    /// Create the artifact bucket for function code (private, encrypted, versioned).
    Bootstrap(package::BootstrapArgs),
    /// Delete the stage's stack (tables and buckets keep their data).
    Destroy(apply::DestroyArgs),
    /// Show the stack's status, recent events, outputs and drift hints.
    Status(apply::StatusArgs),
    /// Print the documentation of a lint rule.
    Explain(explain::ExplainArgs),
    /// List every lint rule.
    Rules(explain::RulesArgs),
    /// Print the JSON Schema of the spec format.
    Schema(schema::SchemaArgs),
    /// Print a synthetic spec with N functions (for benchmarks).
    #[command(hide = true)]
    Synth(schema::SynthArgs),
}

/// The spec file argument shared by commands.
#[derive(Debug, clap::Args)]
pub struct SpecArgs {
    /// The app spec.
    #[arg(default_value = "fnplan.yaml")]
    pub spec: PathBuf,
    /// The stage to use (default: the only stage, or `dev`).
    #[arg(long, short = 's')]
    pub stage: Option<String>,
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> ExitStatus {
    let out = Output::new(cli.color);
    let result = match cli.command {
        Command::Render(a) => render::run(a, &out),
        Command::Graph(a) => graph::run(a, &out),
        Command::Lint(a) => lint::run(a, &out),
        Command::Plan(a) => plan::run(a, &out),
        Command::Apply(a) => apply::run_apply(a, &out),
        Command::Package(a) => package::run_package(a, &out),
        Command::Bootstrap(a) => package::run_bootstrap(a, &out),
        Command::Destroy(a) => apply::run_destroy(a, &out),
        Command::Status(a) => apply::run_status(a, &out),
        Command::Explain(a) => explain::run_explain(a, &out),
        Command::Rules(a) => explain::run_rules(a, &out),
        Command::Schema(a) => schema::run(a, &out),
        Command::Synth(a) => schema::run_synth(a, &out),
    };
    match result {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitStatus::Success,
        Err(e) => {
            out.error(&format!("cannot write output: {e}"));
            ExitStatus::Failure
        }
    }
}
