//! `render`: a spec, a format and a destination in; each stage's template (and, split,
//! its nested stacks) on stdout, in a file, in a directory, or compared with a directory;
//! a [`RenderOutcome`] out.

use super::compile::{self, CodeNeed, Loaded, nested_file_name};
use super::{OpsError, SpecRef, Text, Written};
use crate::template::{self, Template};
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TemplateFormat {
    Json,
    Yaml,
}

impl TemplateFormat {
    pub fn ext(self) -> &'static str {
        match self {
            TemplateFormat::Json => "json",
            TemplateFormat::Yaml => "yaml",
        }
    }
    pub fn text(self, t: &Template) -> String {
        match self {
            TemplateFormat::Json => t.to_json(),
            TemplateFormat::Yaml => t.to_yaml(),
        }
    }
    /// `t` as text to write: JSON streamed as it is written, YAML made whole.
    fn output(self, t: Template) -> Text {
        match self {
            TemplateFormat::Json => Text::Json(Box::new(t)),
            TemplateFormat::Yaml => Text::Plain(t.to_yaml()),
        }
    }
}

/// Where templates go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// One stage's template on stdout, or in a file.
    One(Option<PathBuf>),
    /// One file per stage (and nested stack) in a directory.
    Dir(PathBuf),
    /// Compare with the files in a directory.
    Check(PathBuf),
}

#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub spec: SpecRef,
    pub format: TemplateFormat,
    pub to: Destination,
    /// Render nested stacks (needs a directory).
    pub split: bool,
}

#[derive(Debug)]
pub struct RenderOutcome {
    /// Stacks over CloudFormation's limits even when split.
    pub warnings: Vec<String>,
    pub result: Rendered,
}

#[derive(Debug)]
pub enum Rendered {
    One(Written),
    Dir {
        written: Vec<PathBuf>,
        /// Nested-stack files of an earlier `--split` that are no longer rendered.
        removed: Vec<PathBuf>,
        not_removed: Vec<(PathBuf, String)>,
    },
    Check(CheckReport),
}

/// What `render --check DIR` found.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub dir: PathBuf,
    pub total: usize,
    /// Nested-stack files the spec no longer renders.
    pub stale: Vec<PathBuf>,
    /// Files that cannot be read (missing), with the reason.
    pub missing: Vec<(PathBuf, String)>,
    /// Unified diffs of the files that differ.
    pub diffs: Vec<String>,
}

impl CheckReport {
    pub fn differing(&self) -> usize {
        self.stale.len() + self.missing.len() + self.diffs.len()
    }
}

pub fn render(o: &RenderOptions) -> Result<RenderOutcome, OpsError> {
    if o.split && matches!(o.to, Destination::One(_)) {
        return Err(OpsError::Usage(
            "--split writes several templates: give a directory with --out DIR (or compare with --check DIR)".into(),
        ));
    }
    let loaded = compile::load(&o.spec.path)?;
    let mut warnings = Vec::new();
    let stage = o.spec.stage.as_deref();
    let result = match &o.to {
        Destination::One(path) => Rendered::One(super::write_or_return(
            path.as_deref(),
            one(&loaded, stage, o)?,
        )?),
        Destination::Dir(dir) => {
            let files = render_stages(&loaded, stage, o, &mut warnings)?;
            write_dir(dir, files, o.format)?
        }
        Destination::Check(dir) => {
            let files = render_stages(&loaded, stage, o, &mut warnings)?;
            Rendered::Check(check(dir, &files, o.format))
        }
    };
    Ok(RenderOutcome { warnings, result })
}

/// One stage's template, not split (`render` to stdout or to one file).
fn one(l: &Loaded, stage: Option<&str>, o: &RenderOptions) -> Result<Text, OpsError> {
    let (_, t) = template_of(l, stage)?;
    Ok(o.format.output(t))
}

/// One stage's stack name and template, not split.
fn template_of(l: &Loaded, stage: Option<&str>) -> Result<(String, Template), OpsError> {
    let mut c = l.compile(stage, CodeNeed::Fingerprints)?;
    let t = std::mem::replace(&mut c.template, Template::from_value(Value::Null));
    let name = std::mem::take(&mut c.model.stack_name);
    // The process ends soon; freeing thousands of small values would only cost time.
    std::mem::forget(c);
    Ok((name, t))
}

/// The files of one stage, main template first: `(file name, template)`.
fn render_stage(
    l: &Loaded,
    stage: Option<&str>,
    o: &RenderOptions,
    warnings: &mut Vec<String>,
) -> Result<Vec<File>, OpsError> {
    let ext = o.format.ext();
    if !o.split {
        let (stack, t) = template_of(l, stage)?;
        return Ok(vec![(format!("{stack}.{ext}"), t)]);
    }
    let lowered = l.lower(stage)?;
    let (_, keys) = l.code(&lowered.model, CodeNeed::Fingerprints)?;
    let base = lowered.model.stack_name.clone();
    let name = |id: &str| nested_file_name(&base, id, ext);
    let split = template::render_split(&lowered.model, &lowered.graph, &keys, &name);
    warnings.extend(
        split
            .over_limits()
            .into_iter()
            .map(|p| format!("{base}: {p}")),
    );
    let mut files = vec![(format!("{base}.{ext}"), split.parent)];
    files.extend(
        split
            .children
            .into_iter()
            .map(|n| (n.file_name, n.template)),
    );
    std::mem::forget(lowered);
    Ok(files)
}

/// A file `render` writes (or compares): its name in the directory and its template.
type File = (String, Template);

/// Every stage's files; the first input error stops it.
fn render_stages(
    l: &Loaded,
    stage: Option<&str>,
    o: &RenderOptions,
    warnings: &mut Vec<String>,
) -> Result<Vec<File>, OpsError> {
    let mut files = Vec::new();
    for s in l.stages(stage) {
        files.extend(render_stage(l, Some(&s), o, warnings)?);
    }
    Ok(files)
}

/// Nested-stack files in `dir` that belong to one of the stages rendered but are not
/// among `files`: left over from an earlier `--split` render.
fn stale(dir: &Path, files: &[File], format: TemplateFormat) -> Vec<PathBuf> {
    let ext = format!(".{}", format.ext());
    let mains: Vec<String> = files
        .iter()
        .filter_map(|(n, _)| n.strip_suffix(&ext))
        .filter(|stem| !stem.contains('.'))
        .map(|stem| format!("{stem}."))
        .collect();
    let is_nested_of_ours = |name: &str| {
        name.strip_suffix(&ext).is_some_and(|stem| {
            mains.iter().any(|m| {
                stem.strip_prefix(m.as_str()).is_some_and(|id| {
                    id.ends_with("Stack") && id.chars().all(|c| c.is_ascii_alphanumeric())
                })
            })
        })
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| is_nested_of_ours(name) && !files.iter().any(|(n, _)| n == name))
        .map(|name| dir.join(name))
        .collect();
    out.sort();
    out
}

/// Write `files` into `dir`, each JSON template streamed as it is written (at 2,000
/// functions the nested stacks' text is 10 MB, never held whole), and remove the nested
/// stacks of an earlier `--split` that are no longer rendered.
fn write_dir(dir: &Path, files: Vec<File>, format: TemplateFormat) -> Result<Rendered, OpsError> {
    std::fs::create_dir_all(dir).map_err(|e| OpsError::write(dir, e))?;
    let stale = stale(dir, &files, format);
    let mut written = Vec::new();
    for (name, t) in files {
        let path = dir.join(name);
        let text = format.output(t);
        text.write_file(&path)?;
        // The process ends soon; freeing the template would only cost time.
        std::mem::forget(text);
        written.push(path);
    }
    let (mut removed, mut not_removed) = (Vec::new(), Vec::new());
    for path in stale {
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) => not_removed.push((path, e.to_string())),
        }
    }
    Ok(Rendered::Dir {
        written,
        removed,
        not_removed,
    })
}

fn check(dir: &Path, files: &[File], format: TemplateFormat) -> CheckReport {
    let mut r = CheckReport {
        dir: dir.to_path_buf(),
        total: files.len(),
        stale: stale(dir, files, format),
        ..Default::default()
    };
    for (name, t) in files {
        let path = dir.join(name);
        let text = &format.text(t);
        let committed = match std::fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) => {
                r.missing.push((path, e.to_string()));
                continue;
            }
        };
        if committed != *text {
            let shown = path.display().to_string();
            let diff = similar::TextDiff::from_lines(&committed, text)
                .unified_diff()
                .context_radius(3)
                .header(&shown, &format!("{shown} (rendered)"))
                .to_string();
            r.diffs.push(diff);
        }
    }
    r
}
