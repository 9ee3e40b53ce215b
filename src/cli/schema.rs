//! `fnplan schema`: the JSON Schema of the spec format out; `fnplan synth N`: a benchmark spec out.

use super::Output;
use crate::exit::ExitStatus;

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {}

pub fn run(_a: SchemaArgs, out: &Output) -> std::io::Result<ExitStatus> {
    out.print(&crate::spec::schema::schema_json())?;
    Ok(ExitStatus::Success)
}

#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Number of functions.
    pub functions: usize,
}

pub fn run_synth(a: SynthArgs, out: &Output) -> std::io::Result<ExitStatus> {
    out.print(&crate::synth::spec(a.functions))?;
    Ok(ExitStatus::Success)
}
