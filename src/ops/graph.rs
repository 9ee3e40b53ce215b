//! `graph`: a spec's stage and a format in; its dependency graph as Mermaid, dot or JSON
//! on stdout or in a file out.

use super::{OpsError, SpecRef, Written};
use crate::graph::export::{GraphFormat, export};
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct GraphOptions {
    pub spec: SpecRef,
    pub format: GraphFormat,
    pub output: Option<PathBuf>,
}

pub fn graph(o: &GraphOptions) -> Result<Written, OpsError> {
    let loaded = super::compile::load(&o.spec.path)?;
    let lowered = loaded.lower(o.spec.stage.as_deref())?;
    let text = export(&lowered.graph, &loaded.file, o.format);
    // The process ends soon; freeing the model's many small values only costs time.
    std::mem::forget(lowered);
    super::write_or_return(o.output.as_deref(), super::Text::Plain(text))
}
