//! `fnplan graph`: flags in, [`GraphOptions`] to the operation; the graph out.

use super::SpecArgs;
use crate::graph::export::GraphFormat;
use crate::ops::graph::{self, GraphOptions};
use crate::ops::{OpsError, Outcome};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: GraphFormat,
    /// Write to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(a: GraphArgs) -> Result<Outcome, OpsError> {
    let o = GraphOptions {
        spec: a.spec.spec_ref(),
        format: a.format,
        output: a.output,
    };
    graph::graph(&o).map(Outcome::Graph)
}
