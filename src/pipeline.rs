//! The compile pipeline shared by every command: a spec path and stage in, the loaded
//! file, model, graph and template out (or the diagnostics that stopped it).

use crate::diagnostic::Diagnostic;
use crate::graph::{self, AppGraph};
use crate::model::{self, Model};
use crate::source::{SourceFile, Span};
use crate::spec::{self, RawSpec, codes};
use crate::template::{self, Template};
use std::path::Path;

/// Why the pipeline stopped before a model existed.
#[derive(Debug)]
pub enum Stop {
    /// The file could not be read at all.
    Io { path: String, error: std::io::Error },
    /// The spec has input errors (and maybe warnings); exit 2.
    Input {
        file: Box<SourceFile>,
        diags: Vec<Diagnostic>,
    },
}

/// Read a spec file: any bytes in, a [`SourceFile`] out (invalid UTF-8 is an input error
/// pointing at the first bad byte).
pub fn read(path: &Path) -> Result<SourceFile, Stop> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| Stop::Io {
        path: name.clone(),
        error,
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, path, text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            // Offsets before the bad byte are unchanged by the lossy conversion.
            let file = SourceFile::new(name, path, text);
            let bad_len = file.text[valid..].chars().next().map_or(0, char::len_utf8);
            let d = Diagnostic::error(
                codes::SYNTAX,
                format!("the spec is not valid UTF-8 (bad byte at offset {valid})"),
            )
            .at(Span::new(valid, valid + bad_len))
            .help("save the file as UTF-8");
            Err(Stop::Input {
                file: Box::new(file),
                diags: vec![d],
            })
        }
    }
}

/// A file loaded to its raw spec.
pub struct Loaded {
    pub file: SourceFile,
    pub raw: RawSpec,
}

pub fn load(path: &Path) -> Result<Loaded, Stop> {
    let file = read(path)?;
    match spec::load(&file) {
        Ok(raw) => Ok(Loaded { file, raw }),
        Err(diags) => Err(Stop::Input {
            file: Box::new(file),
            diags,
        }),
    }
}

/// One stage compiled: the model, its graph and its template.
pub struct Compiled {
    pub model: Model,
    pub graph: AppGraph,
    pub template: Template,
    /// Non-error findings of lowering (none today; kept for forward compatibility).
    pub warnings: Vec<Diagnostic>,
}

impl Loaded {
    pub fn compile(&self, stage: Option<&str>) -> Result<Compiled, Vec<Diagnostic>> {
        let (model, graph, diags) = self.lower(stage)?;
        let template = template::render(&model, &graph);
        Ok(Compiled {
            model,
            graph,
            template,
            warnings: diags,
        })
    }

    /// Lower one stage and build its graph, without rendering: the model, the graph and
    /// non-error findings, or the input errors.
    pub fn lower(
        &self,
        stage: Option<&str>,
    ) -> Result<(Model, AppGraph, Vec<Diagnostic>), Vec<Diagnostic>> {
        let (model, diags) = model::lower(&self.raw, &self.file, stage);
        let Some(model) = model else {
            return Err(diags);
        };
        let graph = graph::build(&model);
        Ok((model, graph, diags))
    }

    /// The stages to act on: the one asked for, or every stage the spec declares.
    pub fn stages(&self, stage: Option<&str>) -> Vec<String> {
        match stage {
            Some(s) => vec![s.to_string()],
            None => model::stage_names(&self.raw),
        }
    }
}
