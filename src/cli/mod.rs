//! Command-line arguments in (clap), one operation called, its outcome shown and an
//! [`ExitStatus`] out. No logic lives here beyond turning flags into typed options and
//! outcomes into text; exit codes are decided in `crate::exit`.

mod apply;
mod explain;
mod graph;
mod lint;
mod output;
mod package;
mod plan;
mod render;
mod report;
mod schema;
mod stack;

use crate::diagnostic::ColorChoice;
use crate::exit::{self, ExitStatus};
use crate::ops::{OpsError, Outcome, SpecRef};
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
    /// Create the artifact bucket for function code (private, encrypted, versioned), or
    /// with --ci the roles a CI pipeline deploys with.
    Bootstrap(package::BootstrapArgs),
    /// Delete the stage's stack (tables and buckets keep their data; a database leaves a final snapshot).
    Destroy(stack::DestroyArgs),
    /// Show the stack's status, recent events, outputs and drift hints.
    Status(stack::StatusArgs),
    /// Print the documentation of a lint rule or an input error code.
    Explain(explain::ExplainArgs),
    /// List every lint rule and input error code.
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

impl SpecArgs {
    fn spec_ref(&self) -> SpecRef {
        SpecRef {
            path: self.spec.clone(),
            stage: self.stage.clone(),
        }
    }
}

impl Command {
    /// Call the command's one operation.
    fn run(self, out: &Output) -> Result<Outcome, OpsError> {
        match self {
            Command::Render(a) => render::run(a),
            Command::Graph(a) => graph::run(a),
            Command::Lint(a) => lint::run(a),
            Command::Plan(a) => plan::run(a),
            Command::Apply(a) => apply::run(a, out),
            Command::Package(a) => package::run_package(a),
            Command::Bootstrap(a) => package::run_bootstrap(a, out),
            Command::Destroy(a) => stack::run_destroy(a, out),
            Command::Status(a) => stack::run_status(a),
            Command::Explain(a) => explain::run_explain(a),
            Command::Rules(a) => explain::run_rules(a),
            Command::Schema(a) => schema::run(a),
            Command::Synth(a) => schema::run_synth(a),
        }
    }
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> ExitStatus {
    let shape = report::Shape::of(&cli.command);
    let out = Output::new(cli.color, shape.progress);
    let result = cli.command.run(&out);
    let shown = match &result {
        Ok(o) => report::show(o, &shape, &out),
        Err(e) => out.failure(e, shape.format),
    };
    if let Err(e) = &shown
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        out.error(&format!("cannot write output: {e}"));
    }
    let status = exit::status(&result, &shown, shape.detailed_exitcode);
    // The process ends next: freeing a big outcome (a template of thousands of values)
    // would only cost time.
    std::mem::forget(result);
    status
}
