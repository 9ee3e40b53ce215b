//! `fnplan render`: flags in, a template on stdout, files per stage, or a snapshot check out.

use super::{Output, SpecArgs};
use crate::diagnostic::Format;
use crate::exit::ExitStatus;
use crate::pipeline::{self, Loaded, Stop};
use crate::template::{self, Template};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TemplateFormat {
    Json,
    Yaml,
}

#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Template format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: TemplateFormat,
    /// Write the template of one stage to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE", conflicts_with_all = ["out", "check"])]
    pub output: Option<PathBuf>,
    /// Write one file per stage, `DIR/<app>-<stage>.json` (all stages unless --stage).
    #[arg(long, value_name = "DIR", conflicts_with = "check")]
    pub out: Option<PathBuf>,
    /// Compare each stage's template with `DIR/<app>-<stage>.json`; exit 1 with a diff when they differ.
    #[arg(long, value_name = "DIR")]
    pub check: Option<PathBuf>,
    /// Render nested stacks: `<app>-<stage>.json` holds the API and shared resources plus
    /// one `AWS::CloudFormation::Stack` per group of about 8 functions, each group in
    /// `<app>-<stage>.<Group>Stack.json` (its `TemplateURL`, ready for
    /// `aws cloudformation package`). For apps over CloudFormation's 500 resources.
    /// Needs --out or --check.
    #[arg(long, conflicts_with = "output")]
    pub split: bool,
}

fn ext(f: TemplateFormat) -> &'static str {
    match f {
        TemplateFormat::Json => "json",
        TemplateFormat::Yaml => "yaml",
    }
}

pub fn run(a: RenderArgs, out: &Output) -> std::io::Result<ExitStatus> {
    if a.split && a.out.is_none() && a.check.is_none() {
        out.error("--split writes several templates: give a directory with --out DIR (or compare with --check DIR)");
        return Ok(ExitStatus::InputError);
    }
    let loaded = match pipeline::load(&a.spec.spec) {
        Ok(l) => l,
        Err(stop) => return out.stop(stop, Format::Human),
    };
    let stage = a.spec.stage.as_deref();
    let how = How {
        format: a.format,
        split: a.split,
    };
    if let Some(dir) = &a.check {
        return check(&loaded, stage, how, dir, out);
    }
    if let Some(dir) = &a.out {
        return write_all(&loaded, stage, how, dir, out);
    }
    let text = match render_one(&loaded, stage, how, out) {
        Ok(mut files) => files.swap_remove(0).1,
        Err(stop) => return out.stop(stop, Format::Human),
    };
    out.write_to(a.output.as_deref(), &text)
}

/// How templates are written.
#[derive(Clone, Copy)]
struct How {
    format: TemplateFormat,
    split: bool,
}

impl How {
    fn text(self, t: &Template) -> String {
        match self.format {
            TemplateFormat::Json => t.to_json(),
            TemplateFormat::Yaml => t.to_yaml(),
        }
    }
}

/// The files of one stage, main template first: `(file name, text)`.
fn render_one(
    l: &Loaded,
    stage: Option<&str>,
    how: How,
    out: &Output,
) -> Result<Vec<(String, String)>, Stop> {
    let input_error = |diags| Stop::Input {
        file: Box::new(l.file.clone()),
        diags,
    };
    let ext = ext(how.format);
    let files = if how.split {
        let (model, graph, _) = l.lower(stage).map_err(input_error)?;
        let base = model.stack_name.clone();
        let name = |id: &str| nested_file_name(&base, id, ext);
        let split = template::render_split(&model, &graph, &name);
        for problem in split.over_limits() {
            out.warn(&format!("{base}: {problem}"));
        }
        let mut files = vec![(format!("{base}.{ext}"), how.text(&split.parent))];
        files.extend(
            split
                .children
                .iter()
                .map(|n| (n.file_name.clone(), how.text(&n.template))),
        );
        // The process ends soon; freeing thousands of small values would only cost time.
        std::mem::forget((model, graph, split));
        files
    } else {
        let c = l.compile(stage).map_err(input_error)?;
        let files = vec![(
            format!("{}.{ext}", c.model.stack_name),
            how.text(&c.template),
        )];
        std::mem::forget(c);
        files
    };
    Ok(files)
}

/// The file (and `TemplateURL`) of nested stack `logical_id`: `<app>-<stage>.<Id>.<ext>`.
/// `lint --split` and `plan --split` size the parent with the same names.
pub(super) fn nested_file_name(stack_name: &str, logical_id: &str, ext: &str) -> String {
    format!("{stack_name}.{logical_id}.{ext}")
}

/// Every stage's files; the first input error stops it.
fn render_stages(
    l: &Loaded,
    stage: Option<&str>,
    how: How,
    out: &Output,
) -> Result<Vec<(String, String)>, Stop> {
    let mut files = Vec::new();
    for s in l.stages(stage) {
        files.extend(render_one(l, Some(&s), how, out)?);
    }
    Ok(files)
}

/// Nested-stack files in `dir` that belong to one of the stages rendered but are not
/// among `files`: left over from an earlier `--split` render.
fn stale(dir: &Path, files: &[(String, String)], how: How) -> Vec<PathBuf> {
    let ext = format!(".{}", ext(how.format));
    let mains: Vec<String> = files
        .iter()
        .filter_map(|(n, _)| n.strip_suffix(&ext))
        .filter(|stem| !stem.contains('.'))
        .map(|stem| format!("{stem}."))
        .collect();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| {
            name.strip_suffix(&ext).is_some_and(|stem| {
                mains.iter().any(|m| {
                    stem.strip_prefix(m.as_str()).is_some_and(|id| {
                        id.ends_with("Stack") && id.chars().all(|c| c.is_ascii_alphanumeric())
                    })
                })
            }) && !files.iter().any(|(n, _)| n == name)
        })
        .map(|name| dir.join(name))
        .collect();
    out.sort();
    out
}

fn write_all(
    l: &Loaded,
    stage: Option<&str>,
    how: How,
    dir: &Path,
    out: &Output,
) -> std::io::Result<ExitStatus> {
    let files = match render_stages(l, stage, how, out) {
        Ok(f) => f,
        Err(stop) => return out.stop(stop, Format::Human),
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        out.error(&format!("cannot create {}: {e}", dir.display()));
        return Ok(ExitStatus::Failure);
    }
    for (name, text) in &files {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            out.error(&format!("cannot write {}: {e}", path.display()));
            return Ok(ExitStatus::Failure);
        }
        out.note(&format!("wrote {}", path.display()));
    }
    for path in stale(dir, &files, how) {
        match std::fs::remove_file(&path) {
            Ok(()) => out.note(&format!(
                "removed {} (a nested stack no longer rendered)",
                path.display()
            )),
            Err(e) => out.error(&format!("cannot remove {}: {e}", path.display())),
        }
    }
    Ok(ExitStatus::Success)
}

fn check(
    l: &Loaded,
    stage: Option<&str>,
    how: How,
    dir: &Path,
    out: &Output,
) -> std::io::Result<ExitStatus> {
    let files = match render_stages(l, stage, how, out) {
        Ok(f) => f,
        Err(stop) => return out.stop(stop, Format::Human),
    };
    let mut differing = 0;
    for path in stale(dir, &files, how) {
        out.error(&format!(
            "{} is a nested stack the spec no longer renders; run `fnplan render --split --out {}`",
            path.display(),
            dir.display()
        ));
        differing += 1;
    }
    for (name, text) in &files {
        let path = dir.join(name);
        let committed = match std::fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) => {
                out.error(&format!(
                    "{}: {e}; run `fnplan render --out {}` to create it",
                    path.display(),
                    dir.display()
                ));
                differing += 1;
                continue;
            }
        };
        if committed != *text {
            differing += 1;
            let diff = similar::TextDiff::from_lines(&committed, text);
            let shown = path.display().to_string();
            let udiff = diff
                .unified_diff()
                .context_radius(3)
                .header(&shown, &format!("{shown} (rendered)"))
                .to_string();
            out.print(&udiff)?;
        }
    }
    if differing == 0 {
        out.note(&format!(
            "{} template(s) in {} are up to date",
            files.len(),
            dir.display()
        ));
        Ok(ExitStatus::Success)
    } else {
        out.error(&format!(
            "{differing} of {} template(s) in {} differ from the spec; run `fnplan render --out {}` and review the diff",
            files.len(),
            dir.display(),
            dir.display()
        ));
        Ok(ExitStatus::Failure)
    }
}
