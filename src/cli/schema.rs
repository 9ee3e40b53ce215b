//! `fnplan schema`: the JSON Schema of the spec format out.

use super::Output;
use crate::exit::ExitStatus;

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {}

pub fn run(_a: SchemaArgs, out: &Output) -> std::io::Result<ExitStatus> {
    out.print(&crate::spec::schema::schema_json())?;
    Ok(ExitStatus::Success)
}
