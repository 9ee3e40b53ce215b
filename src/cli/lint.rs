//! `fnplan lint`: flags in, [`LintOptions`] to the operation; findings in the chosen format
//! and a summary out.

use super::{Output, SpecArgs};
use crate::diagnostic::{self, Format};
use crate::ops::lint::{self, LintOptions, LintOutcome};
use crate::ops::{OpsError, Outcome, Ui};

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

pub fn run(a: LintArgs) -> Result<Outcome, OpsError> {
    let o = LintOptions {
        spec: a.spec.spec_ref(),
        selection: lint::selection(a.select.as_deref(), a.ignore.as_deref())?,
        split: a.split,
    };
    Ok(Outcome::Lint {
        outcome: lint::lint(&o)?,
        deny_warnings: a.deny == Some(Deny::Warnings),
    })
}

pub fn show(l: &LintOutcome, format: Format, out: &Output) -> std::io::Result<()> {
    let rules = crate::lint::sarif_rules();
    let text = diagnostic::render(format, &l.file, &l.findings, out.color, &rules);
    out.print(&text)?;
    if format == Format::Human {
        if l.findings.is_empty() {
            out.note(&format!("{}: all checks passed", l.file.name));
        } else {
            out.note(&format!(
                "{}: {}",
                l.file.name,
                diagnostic::summary(&l.findings)
            ));
        }
    }
    Ok(())
}
