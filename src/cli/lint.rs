//! `fnplan lint`: flags in, findings in the chosen format and an exit code out.

use super::{Output, SpecArgs};
use crate::diagnostic::{self, Diagnostic, Format};
use crate::exit::ExitStatus;
use crate::lint::{self, LintContext, Selection};
use crate::pipeline::{self, Stop};
use crate::template;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Treat warnings as errors (exit 1 when there are any).
    Warnings,
}

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Fail on warnings too.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
    /// Only these rules (comma-separated codes or prefixes, e.g. `FN1,FN203`).
    #[arg(long, value_name = "CODES")]
    pub select: Option<String>,
    /// Skip these rules (comma-separated codes or prefixes).
    #[arg(long, value_name = "CODES")]
    pub ignore: Option<String>,
    /// The app is deployed as nested stacks (`render --split`): check CloudFormation's
    /// stack limits (FN302) on each of them instead of on one stack.
    #[arg(long)]
    pub split: bool,
}

pub fn run(a: LintArgs, out: &Output) -> std::io::Result<ExitStatus> {
    let mut sel = Selection::default();
    for (flag, src, dst) in [
        ("--select", &a.select, &mut sel.select),
        ("--ignore", &a.ignore, &mut sel.ignore),
    ] {
        if let Some(s) = src {
            match Selection::parse_list(s) {
                Ok(v) => *dst = v,
                Err(e) => {
                    out.error(&format!("{flag}: {e}"));
                    return Ok(ExitStatus::InputError);
                }
            }
        }
    }
    let loaded = match pipeline::load(&a.spec.spec) {
        Ok(l) => l,
        Err(stop) => return out.stop(stop, a.format),
    };
    // Lint every stage (or the one asked for); a finding shared by stages is shown once.
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut seen: std::collections::HashSet<Diagnostic> = std::collections::HashSet::new();
    for stage in loaded.stages(a.spec.stage.as_deref()) {
        let c = match loaded.compile(Some(&stage)) {
            Ok(c) => c,
            Err(diags) => {
                return out.stop(
                    Stop::Input {
                        file: Box::new(loaded.file),
                        diags,
                    },
                    a.format,
                );
            }
        };
        // What plan/apply send to CloudFormation: compact JSON.
        let bytes = c.template.compact_len();
        let split = a.split.then(|| {
            let name = |id: &str| super::render::nested_file_name(&c.model.stack_name, id, "json");
            template::render_split(&c.model, &c.graph, &name)
        });
        let cx = LintContext {
            model: &c.model,
            graph: &c.graph,
            template: &c.template,
            template_bytes: bytes,
            split: split.as_ref(),
        };
        for d in lint::lint(&cx, &sel) {
            if seen.insert(d.clone()) {
                all.push(d);
            }
        }
        // The process ends soon; freeing the template's many small values only costs time.
        std::mem::forget((c, split));
    }
    diagnostic::sort(&mut all);
    let text = diagnostic::render(
        a.format,
        &loaded.file,
        &all,
        out.color,
        &lint::sarif_rules(),
    );
    out.print(&text)?;
    if a.format == Format::Human {
        let summary = diagnostic::summary(&all);
        if all.is_empty() {
            out.note(&format!("{}: all checks passed", loaded.file.name));
        } else {
            out.note(&format!("{}: {summary}", loaded.file.name));
        }
    }
    let errors = all.iter().any(|d| d.is_error());
    let warnings = all.iter().any(|d| !d.is_error());
    Ok(if errors || (warnings && a.deny == Some(Deny::Warnings)) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
