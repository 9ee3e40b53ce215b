//! `fnplan render`: flags in, a template on stdout, files per stage, or a snapshot check out.

use super::{Output, SpecArgs};
use crate::diagnostic::Format;
use crate::exit::ExitStatus;
use crate::pipeline::{self, Loaded, Stop};
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
}

fn ext(f: TemplateFormat) -> &'static str {
    match f {
        TemplateFormat::Json => "json",
        TemplateFormat::Yaml => "yaml",
    }
}

pub fn run(a: RenderArgs, out: &Output) -> std::io::Result<ExitStatus> {
    let loaded = match pipeline::load(&a.spec.spec) {
        Ok(l) => l,
        Err(stop) => return out.stop(stop, Format::Human),
    };
    let stage = a.spec.stage.as_deref();
    if let Some(dir) = &a.check {
        return check(&loaded, stage, a.format, dir, out);
    }
    if let Some(dir) = &a.out {
        return write_all(&loaded, stage, a.format, dir, out);
    }
    let text = match render_one(&loaded, stage, a.format) {
        Ok(t) => t,
        Err(stop) => return out.stop(stop, Format::Human),
    };
    out.write_to(a.output.as_deref(), &text)
}

fn render_one(l: &Loaded, stage: Option<&str>, format: TemplateFormat) -> Result<String, Stop> {
    let c = l.compile(stage).map_err(|diags| Stop::Input {
        file: Box::new(l.file.clone()),
        diags,
    })?;
    let text = match format {
        TemplateFormat::Json => c.template.to_json(),
        TemplateFormat::Yaml => c.template.to_yaml(),
    };
    // The process ends soon; freeing thousands of small values would only cost time.
    std::mem::forget(c);
    Ok(text)
}

/// Every stage's file name and text; the first input error stops it.
fn render_stages(
    l: &Loaded,
    stage: Option<&str>,
    format: TemplateFormat,
) -> Result<Vec<(String, String)>, Stop> {
    let mut out = Vec::new();
    for s in l.stages(stage) {
        let text = render_one(l, Some(&s), format)?;
        out.push((format!("{}-{}.{}", l.raw.app.value, s, ext(format)), text));
    }
    Ok(out)
}

fn write_all(
    l: &Loaded,
    stage: Option<&str>,
    format: TemplateFormat,
    dir: &Path,
    out: &Output,
) -> std::io::Result<ExitStatus> {
    let files = match render_stages(l, stage, format) {
        Ok(f) => f,
        Err(stop) => return out.stop(stop, Format::Human),
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        out.error(&format!("cannot create {}: {e}", dir.display()));
        return Ok(ExitStatus::Failure);
    }
    for (name, text) in files {
        let path = dir.join(&name);
        if let Err(e) = std::fs::write(&path, text) {
            out.error(&format!("cannot write {}: {e}", path.display()));
            return Ok(ExitStatus::Failure);
        }
        out.note(&format!("wrote {}", path.display()));
    }
    Ok(ExitStatus::Success)
}

fn check(
    l: &Loaded,
    stage: Option<&str>,
    format: TemplateFormat,
    dir: &Path,
    out: &Output,
) -> std::io::Result<ExitStatus> {
    let files = match render_stages(l, stage, format) {
        Ok(f) => f,
        Err(stop) => return out.stop(stop, Format::Human),
    };
    let mut differing = 0;
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
