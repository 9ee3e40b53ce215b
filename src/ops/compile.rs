//! The compile steps every command shares: a spec path and stage in, the loaded file,
//! model, graph and template out (or the [`OpsError`] that stopped it); and the lint gate
//! `plan`/`apply` pass before AWS is touched.

use super::{OpsError, SpecRef};
use crate::diagnostic::Diagnostic;
use crate::graph::{self, AppGraph};
use crate::lint::{self, LintContext, Selection, StackSize, Stacks};
use crate::model::{self, Model};
use crate::source::{SourceFile, Span};
use crate::spec::{self, RawSpec, codes};
use crate::template::{self, Template, split::Split};
use std::path::Path;

/// Read a spec file: any bytes in, a [`SourceFile`] out (invalid UTF-8 is an input error
/// pointing at the first bad byte).
pub fn read(path: &Path) -> Result<SourceFile, OpsError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| OpsError::Read {
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
            Err(OpsError::Input {
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

/// Read and load a spec file.
pub fn load(path: &Path) -> Result<Loaded, OpsError> {
    let file = read(path)?;
    match spec::load(&file) {
        Ok(raw) => Ok(Loaded { file, raw }),
        Err(diags) => Err(OpsError::Input {
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
}

/// One stage lowered: the model and its graph, not rendered.
pub struct Lowered {
    pub model: Model,
    pub graph: AppGraph,
}

impl Loaded {
    fn input_error(&self, diags: Vec<Diagnostic>) -> OpsError {
        OpsError::Input {
            file: Box::new(self.file.clone()),
            diags,
        }
    }

    /// Lower one stage and build its graph, without rendering.
    pub fn lower(&self, stage: Option<&str>) -> Result<Lowered, OpsError> {
        let (model, diags) = model::lower(&self.raw, &self.file, stage);
        let Some(model) = model else {
            return Err(self.input_error(diags));
        };
        let graph = graph::build(&model);
        Ok(Lowered { model, graph })
    }

    /// Lower, build the graph and render one stage.
    pub fn compile(&self, stage: Option<&str>) -> Result<Compiled, OpsError> {
        let Lowered { model, graph } = self.lower(stage)?;
        let template = template::render(&model, &graph);
        Ok(Compiled {
            model,
            graph,
            template,
        })
    }

    /// The stages to act on: the one asked for, or every stage the spec declares.
    pub fn stages(&self, stage: Option<&str>) -> Vec<String> {
        match stage {
            Some(s) => vec![s.to_string()],
            None => model::stage_names(&self.raw),
        }
    }
}

/// Load and compile one stage.
pub fn compile(spec: &SpecRef) -> Result<(Loaded, Compiled), OpsError> {
    let loaded = load(&spec.path)?;
    let c = loaded.compile(spec.stage.as_deref())?;
    Ok((loaded, c))
}

/// The file (and `TemplateURL`) of nested stack `logical_id`: `<app>-<stage>.<Id>.<ext>`.
/// `lint --split` and `plan --split` size the parent with the same names.
pub fn nested_file_name(stack_name: &str, logical_id: &str, ext: &str) -> String {
    format!("{stack_name}.{logical_id}.{ext}")
}

/// The nested stacks of `c` as `render --split` writes them (JSON file names).
pub fn split_of(c: &Compiled) -> Split {
    let name = |id: &str| nested_file_name(&c.model.stack_name, id, "json");
    template::render_split(&c.model, &c.graph, &name)
}

/// How big a rendered template is, for lint's stack-limit rule (FN302).
fn stack_size(name: &str, t: &Template) -> StackSize {
    StackSize {
        name: name.to_string(),
        resources: t.section_len("Resources"),
        parameters: t.section_len("Parameters"),
        outputs: t.section_len("Outputs"),
        bytes: t.compact_len(),
    }
}

/// The stacks lint checks: `template` alone, or the parent and nested stacks of `split`.
pub fn stacks_of(template: &Template, split: Option<&Split>) -> Stacks {
    match split {
        None => Stacks::Single(stack_size("", template)),
        Some(s) => Stacks::Split(s.stacks().map(|(n, t)| stack_size(n, t)).collect()),
    }
}

/// What `plan` and `apply` deploy: the loaded spec, the compiled stage and, with `--split`,
/// its nested stacks (`TemplateURL`s not yet filled in).
pub struct Deployable {
    pub loaded: Loaded,
    pub compiled: Compiled,
    pub split: Option<Split>,
    /// How many lint warnings there were (they do not stop a deployment).
    pub warnings: usize,
}

/// Load, compile and lint; lint errors stop here before AWS is touched. With `split`,
/// the nested stacks are rendered too, and stack limits (FN302) are checked on them.
pub fn compile_and_lint(spec: &SpecRef, split: bool) -> Result<Deployable, OpsError> {
    let (loaded, c) = compile(spec)?;
    let nested = split.then(|| split_of(&c));
    let stacks = stacks_of(&c.template, nested.as_ref());
    let cx = LintContext {
        model: &c.model,
        graph: &c.graph,
        stacks: &stacks,
    };
    let findings = lint::lint(&cx, &Selection::default());
    let (errors, warnings): (Vec<_>, Vec<_>) = findings.into_iter().partition(|d| d.is_error());
    if !errors.is_empty() {
        return Err(OpsError::Lint {
            file: Box::new(loaded.file),
            errors,
        });
    }
    Ok(Deployable {
        loaded,
        compiled: c,
        split: nested,
        warnings: warnings.len(),
    })
}
