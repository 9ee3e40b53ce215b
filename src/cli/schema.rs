//! `fnplan schema`: the JSON Schema of the spec format out; `fnplan synth N`: a benchmark spec out.

use crate::ops::{OpsError, Outcome};

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {}

pub fn run(_a: SchemaArgs) -> Result<Outcome, OpsError> {
    Ok(Outcome::Text(crate::spec::schema::schema_json()))
}

#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Number of functions.
    pub functions: usize,
}

pub fn run_synth(a: SynthArgs) -> Result<Outcome, OpsError> {
    Ok(Outcome::Text(crate::synth::spec(a.functions)))
}
