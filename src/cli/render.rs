//! `fnplan render`: flags in, [`RenderOptions`] to the operation; the template on stdout,
//! the files written, or the snapshot check's diffs out.

use super::{Output, SpecArgs};
use crate::ops::render::{
    self, CheckReport, Destination, RenderOptions, RenderOutcome, Rendered, TemplateFormat,
};
use crate::ops::{OpsError, Outcome, Ui};
use std::path::PathBuf;

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

pub fn run(a: RenderArgs) -> Result<Outcome, OpsError> {
    let to = match (a.check, a.out) {
        (Some(dir), _) => Destination::Check(dir),
        (None, Some(dir)) => Destination::Dir(dir),
        (None, None) => Destination::One(a.output),
    };
    let o = RenderOptions {
        spec: a.spec.spec_ref(),
        format: a.format,
        to,
        split: a.split,
    };
    render::render(&o).map(Outcome::Render)
}

pub fn show(r: &RenderOutcome, out: &Output) -> std::io::Result<()> {
    for w in &r.warnings {
        out.warn(w);
    }
    match &r.result {
        Rendered::One(w) => out.written(w),
        Rendered::Dir {
            written,
            removed,
            not_removed,
        } => {
            for p in written {
                out.note(&format!("wrote {}", p.display()));
            }
            for p in removed {
                out.note(&format!(
                    "removed {} (a nested stack no longer rendered)",
                    p.display()
                ));
            }
            for (p, e) in not_removed {
                out.error(&format!("cannot remove {}: {e}", p.display()));
            }
            Ok(())
        }
        Rendered::Check(c) => show_check(c, out),
    }
}

fn show_check(c: &CheckReport, out: &Output) -> std::io::Result<()> {
    let dir = c.dir.display();
    for p in &c.stale {
        out.error(&format!(
            "{} is a nested stack the spec no longer renders; run `fnplan render --split --out {dir}`",
            p.display()
        ));
    }
    for (p, e) in &c.missing {
        out.error(&format!(
            "{}: {e}; run `fnplan render --out {dir}` to create it",
            p.display()
        ));
    }
    for d in &c.diffs {
        out.print(d)?;
    }
    if c.differing() == 0 {
        out.note(&format!("{} template(s) in {dir} are up to date", c.total));
    } else {
        out.error(&format!(
            "{} of {} template(s) in {dir} differ from the spec; run `fnplan render --out {dir}` and review the diff",
            c.differing(),
            c.total
        ));
    }
    Ok(())
}
