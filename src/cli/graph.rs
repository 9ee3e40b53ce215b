//! `fnplan graph`: flags in, the dependency graph as Mermaid, dot or JSON out.

use super::{Output, SpecArgs};
use crate::diagnostic::Format;
use crate::exit::ExitStatus;
use crate::graph::export::{GraphFormat, export};
use crate::pipeline::{self, Stop};
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

pub fn run(a: GraphArgs, out: &Output) -> std::io::Result<ExitStatus> {
    let loaded = match pipeline::load(&a.spec.spec) {
        Ok(l) => l,
        Err(stop) => return out.stop(stop, Format::Human),
    };
    let c = match loaded.compile(a.spec.stage.as_deref()) {
        Ok(c) => c,
        Err(diags) => {
            return out.stop(
                Stop::Input {
                    file: Box::new(loaded.file),
                    diags,
                },
                Format::Human,
            );
        }
    };
    let status = out.write_to(
        a.output.as_deref(),
        &export(&c.graph, &loaded.file, a.format),
    );
    // The process ends soon; freeing the template's many small values only costs time.
    std::mem::forget(c);
    status
}
