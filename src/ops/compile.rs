//! The compile steps every command shares: a spec path and stage in, the loaded file,
//! model, graph and template out (or the [`OpsError`] that stopped it); and the lint gate
//! `plan`/`apply` pass before AWS is touched.

use super::{OpsError, SpecRef};
use crate::diagnostic::Diagnostic;
use crate::graph::{self, AppGraph};
use crate::lint::{self, CodePart, CodeSize, LintContext, Selection, StackSize, Stacks};
use crate::model::{self, Date, Function, LayerRef, LowerOptions, Model};
use crate::package::{
    self, Artifact, CodeOwner, FingerprintCache, IGNORE_FILE, Measure, PackageError,
};
use crate::source::{SourceFile, Span};
use crate::spec::{self, RawSpec, codes};
use crate::template::{self, ArtifactKeys, Template, split::Split};
use std::cell::RefCell;
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
    /// The day the command runs on (see [`today`]): what runtime dates are checked against.
    pub today: Date,
    /// Code fingerprints of earlier runs (`.fnplan/cache` beside the spec), read when
    /// first needed.
    cache: RefCell<Option<FingerprintCache>>,
}

/// The variable that fixes the day a command runs on, `YYYY-MM-DD` (see [`today`]).
pub const TODAY_VAR: &str = "FNPLAN_TODAY";

/// The day (UTC) runtime deprecation dates are checked against: `FNPLAN_TODAY` when it is
/// set, so that a run can be repeated exactly (tests, reproducible CI jobs); else the
/// system clock's date. A value that is not a date is a usage error, not ignored.
pub fn today() -> Result<Date, OpsError> {
    if let Some(v) = std::env::var_os(TODAY_VAR) {
        let text = v.to_string_lossy();
        return Date::parse(text.trim()).ok_or_else(|| {
            OpsError::Usage(format!(
                "{TODAY_VAR}={text} is not a date; write it as YYYY-MM-DD, or unset it to use today's"
            ))
        });
    }
    let now = std::time::SystemTime::now();
    let secs = match now.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    Ok(Date::from_unix_seconds(secs))
}

/// Read and load a spec file; the day it is is read here too (see [`today`]).
pub fn load(path: &Path) -> Result<Loaded, OpsError> {
    let today = today()?;
    let file = read(path)?;
    match spec::load(&file) {
        Ok(raw) => Ok(Loaded::new(file, raw, today)),
        Err(diags) => Err(OpsError::Input {
            file: Box::new(file),
            diags,
        }),
    }
}

/// What a command needs of the functions' local code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeNeed {
    /// Only the code's sizes, from file metadata (`lint`, whose FN305 judges them): no
    /// code file is opened, and the template's artifact keys are placeholders of their
    /// real length.
    Sizes,
    /// Content fingerprints, the real artifact keys (`render`, `plan`, `apply`, `package`,
    /// `status`); unchanged files are not read again (the fingerprint cache).
    Fingerprints,
}

/// One stage compiled: the model, its graph, its code artifacts and its template.
pub struct Compiled {
    pub model: Model,
    pub graph: AppGraph,
    /// Local code, fingerprinted (empty for [`CodeNeed::Sizes`]).
    pub artifacts: Vec<Artifact>,
    /// Where the template says each function's code is.
    pub keys: ArtifactKeys,
    /// Each local function's code size, in spec order (what FN305 checks).
    pub code_sizes: Vec<CodeSize>,
    pub template: Template,
}

/// One stage lowered: the model and its graph, not rendered.
pub struct Lowered {
    pub model: Model,
    pub graph: AppGraph,
}

impl Loaded {
    pub fn new(file: SourceFile, raw: RawSpec, today: Date) -> Self {
        Loaded {
            file,
            raw,
            today,
            cache: RefCell::new(None),
        }
    }

    fn input_error(&self, diags: Vec<Diagnostic>) -> OpsError {
        OpsError::Input {
            file: Box::new(self.file.clone()),
            diags,
        }
    }

    /// Lower one stage and build its graph, without rendering.
    pub fn lower(&self, stage: Option<&str>) -> Result<Lowered, OpsError> {
        let rule_codes: Vec<&'static str> = lint::rule_codes().collect();
        let options = LowerOptions {
            stage,
            rule_codes: &rule_codes,
            today: self.today,
        };
        let (model, diags) = model::lower(&self.raw, &self.file, &options);
        let Some(model) = model else {
            return Err(self.input_error(diags));
        };
        let graph = graph::build(&model);
        self.check_raw(&model, &graph, diags)?;
        Ok(Lowered { model, graph })
    }

    /// Raw `resources:`/`outputs:` checks that need the rendered template (collisions,
    /// unknown logical IDs): input errors like lowering's, whatever the command.
    fn check_raw(
        &self,
        model: &Model,
        graph: &AppGraph,
        diags: Vec<Diagnostic>,
    ) -> Result<(), OpsError> {
        if model.raw_resources.is_empty() && model.raw_outputs.is_empty() {
            return Ok(());
        }
        let rendered = template::render(model, graph, &placeholder_keys(model));
        let found = template::check_raw(model, &rendered);
        if found.is_empty() {
            return Ok(());
        }
        let mut all = diags;
        all.extend(found);
        crate::diagnostic::sort(&mut all);
        Err(self.input_error(all))
    }

    /// Lower, build the graph, look at the code as `need` says and render one stage.
    pub fn compile(&self, stage: Option<&str>, need: CodeNeed) -> Result<Compiled, OpsError> {
        let Lowered { model, graph } = self.lower(stage)?;
        let (artifacts, keys) = self.code(&model, need)?;
        let code_sizes = match need {
            CodeNeed::Sizes => self.sizes(&model)?,
            CodeNeed::Fingerprints => artifact_sizes(&model, &artifacts),
        };
        let template = template::render(&model, &graph, &keys);
        Ok(Compiled {
            model,
            graph,
            artifacts,
            keys,
            code_sizes,
            template,
        })
    }

    /// The local code of `model` as `need` says: its artifacts (none for
    /// [`CodeNeed::Sizes`]) and the keys the template names.
    pub fn code(
        &self,
        model: &Model,
        need: CodeNeed,
    ) -> Result<(Vec<Artifact>, ArtifactKeys), OpsError> {
        match need {
            CodeNeed::Sizes => Ok((Vec::new(), placeholder_keys(model))),
            CodeNeed::Fingerprints => {
                let artifacts = self.fingerprint(model)?;
                // Functions that share a code directory share its key.
                let keys = ArtifactKeys::new(
                    artifacts
                        .iter()
                        .flat_map(|a| a.functions.iter().map(move |f| (f.clone(), a.key.clone()))),
                )
                .with_layers(
                    artifacts
                        .iter()
                        .filter_map(|a| a.layer.clone().map(|l| (l, a.key.clone()))),
                );
                Ok((artifacts, keys))
            }
        }
    }

    /// An input error for code that cannot be packaged: a function's (for a shared
    /// directory, the first function naming it) or a layer's.
    pub fn code_error(&self, model: &Model, owner: CodeOwner, e: &PackageError) -> OpsError {
        self.code_errors(model, &[(owner, e)])
    }

    /// Each local function's code size, from metadata (a directory that cannot be listed
    /// is an input error).
    fn sizes(&self, model: &Model) -> Result<Vec<CodeSize>, OpsError> {
        let sizes = package::sizes(model).map_err(|errors| {
            let errors: Vec<_> = errors.iter().map(|(o, e)| (*o, e)).collect();
            self.code_errors(model, &errors)
        })?;
        let layer = |l: usize| sizes.layers.get(l);
        let mut out: Vec<CodeSize> = sizes
            .dirs
            .iter()
            .flat_map(|(d, m)| d.functions.iter().map(move |&i| (i, m)))
            .map(|(i, m)| code_size(model, i, m, &layer))
            .collect();
        out.sort_by_key(|s| s.function);
        Ok(out)
    }

    /// Fingerprint the local code through the cache, and save the cache.
    fn fingerprint(&self, model: &Model) -> Result<Vec<Artifact>, OpsError> {
        let mut slot = self.cache.borrow_mut();
        let cache = slot.get_or_insert_with(|| {
            FingerprintCache::load(package::default_cache_path(&self.file.base_dir()))
        });
        let result = package::artifacts(model, cache);
        // The cache only saves time: a failed save costs a re-read next time.
        let _ = cache.save();
        result.map_err(|errors| {
            let errors: Vec<_> = errors.iter().map(|(o, e)| (*o, e)).collect();
            self.code_errors(model, &errors)
        })
    }

    /// Code that cannot be packaged: a lint error (FN305, as `lint` reports it) when every
    /// directory is only over Lambda's unzipped limit, else an input error.
    fn code_errors(&self, model: &Model, errors: &[(CodeOwner, &PackageError)]) -> OpsError {
        let base = self.file.base_dir();
        let diags: Vec<Diagnostic> = errors
            .iter()
            .map(|(i, e)| code_diagnostic(model, *i, e, &base))
            .collect();
        if diags
            .iter()
            .all(|d| d.code == lint::rules::CodeSizeLimit::META.code)
        {
            return OpsError::Lint {
                file: Box::new(self.file.clone()),
                errors: diags,
            };
        }
        self.input_error(diags)
    }

    /// The stages to act on: the one asked for, or every stage the spec declares.
    pub fn stages(&self, stage: Option<&str>) -> Vec<String> {
        match stage {
            Some(s) => vec![s.to_string()],
            None => model::stage_names(&self.raw),
        }
    }
}

/// Artifact keys of the real length for every local function, for templates that are
/// only measured (`lint`).
fn placeholder_keys(model: &Model) -> ArtifactKeys {
    let fp = "0".repeat(64);
    ArtifactKeys::new(package::placeholder_keys(model, &fp))
        .with_layers(package::placeholder_layer_keys(model, &fp))
}

/// How function `index`'s code is written in the spec.
fn written(f: &Function) -> &str {
    match &f.code {
        model::CodeSource::Local { written, .. } => written.as_str(),
        model::CodeSource::S3 { key, .. } => key.as_str(),
    }
}

/// Function `index`'s code size: its code directory measured as `m`, and each of its
/// app layers as `layer` measured it (layer version ARNs cannot be measured).
fn code_size<'m>(
    model: &Model,
    index: usize,
    m: &Measure,
    layer: &dyn Fn(usize) -> Option<&'m Measure>,
) -> CodeSize {
    let f = &model.functions[index];
    let part = |written: &str, m: &Measure| CodePart {
        written: written.to_string(),
        unzipped: m.unzipped,
        largest: m.largest.clone(),
    };
    let layers = f.layers.iter().filter_map(|u| match u.layer {
        LayerRef::App(id) => layer(id.index).map(|m| part(&model.layers[id.index].written, m)),
        LayerRef::Arn(_) => None,
    });
    CodeSize {
        function: index,
        span: f.code_span,
        parts: std::iter::once(part(written(f), m)).chain(layers).collect(),
    }
}

/// The code sizes of fingerprinted artifacts, in spec order.
fn artifact_sizes(model: &Model, artifacts: &[Artifact]) -> Vec<CodeSize> {
    let index: foldhash::HashMap<&str, usize> = model
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.as_str(), i))
        .collect();
    let layer = |l: usize| {
        artifacts
            .iter()
            .find(|a| a.owner == CodeOwner::Layer(l))
            .map(|a| &a.measure)
    };
    let mut out: Vec<CodeSize> = artifacts
        .iter()
        .flat_map(|a| a.functions.iter().map(move |name| (name, &a.measure)))
        .filter_map(|(name, m)| {
            index
                .get(name.as_str())
                .map(|&i| code_size(model, i, m, &layer))
        })
        .collect();
    out.sort_by_key(|s| s.function);
    out
}

/// Code that cannot be packaged, at its `code:` line: a function over Lambda's unzipped
/// limit, alone or with its layers (FN305's error, largest files listed), or an input
/// error: unreadable, a bad `.fnplanignore`, over the zipped limit, a layer too large.
fn code_diagnostic(
    model: &Model,
    owner: CodeOwner,
    e: &PackageError,
    base_dir: &Path,
) -> Diagnostic {
    let (written, span) = match owner {
        CodeOwner::Function(i) => (written(&model.functions[i]), model.functions[i].code_span),
        CodeOwner::Layer(i) => (model.layers[i].written.as_str(), model.layers[i].code_span),
    };
    if let (
        CodeOwner::Function(index),
        PackageError::TooLarge {
            what: "unzipped" | "unzipped with its layers",
            size,
            largest,
            ..
        },
    ) = (owner, e)
    {
        // The size given is the whole (code and layers): one part carries it.
        let measure = Measure {
            files: 0,
            unzipped: *size,
            largest: largest.clone(),
        };
        let f = &model.functions[index];
        return lint::rules::code_over_limit(f, &code_size(model, index, &measure, &|_| None));
    }
    let (code, message, help) = match e {
        PackageError::TooLarge { largest, .. } => {
            let list: Vec<String> = largest
                .iter()
                .map(|(f, n)| format!("{f} ({})", package::size(*n)))
                .collect();
            (
                codes::OUT_OF_RANGE,
                format!("code directory `{written}` is too large to package: {e}"),
                format!(
                    "largest files: {}; exclude what the function does not need in `{written}/{IGNORE_FILE}` (gitignore syntax), or use a container image",
                    list.join(", ")
                ),
            )
        }
        PackageError::Ignore { .. } => (
            codes::INVALID_VALUE,
            format!("code directory `{written}`: {e}"),
            format!("`{IGNORE_FILE}` uses gitignore syntax"),
        ),
        PackageError::Io(_) | PackageError::Zip(_) => (
            codes::IO,
            format!("code directory `{written}` cannot be read: {e}"),
            format!(
                "paths are relative to the spec file's directory ({})",
                base_dir.display()
            ),
        ),
    };
    Diagnostic::error(code, message).at(span).help(help)
}

/// Load and compile one stage.
pub fn compile(spec: &SpecRef, need: CodeNeed) -> Result<(Loaded, Compiled), OpsError> {
    let loaded = load(&spec.path)?;
    let c = loaded.compile(spec.stage.as_deref(), need)?;
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
    template::render_split(&c.model, &c.graph, &c.keys, &name)
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
    let (loaded, c) = compile(spec, CodeNeed::Fingerprints)?;
    let nested = split.then(|| split_of(&c));
    let stacks = stacks_of(&c.template, nested.as_ref());
    let cx = LintContext {
        model: &c.model,
        graph: &c.graph,
        stacks: &stacks,
        code: &c.code_sizes,
        today: loaded.today,
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
