//! `fnplan plan`: flags in, [`PlanOptions`] to the operation; the plan (human, markdown or
//! json) and what the artifact bucket lacks out.

use super::{Output, SpecArgs};
use crate::deploy::client::AwsOptions;
use crate::deploy::format;
use crate::deploy::preview::ChangeSetMode;
use crate::deploy::timings;
use crate::ops::plan::{self, PlanOptions, PlanOutcome};
use crate::ops::{OpsError, Outcome, Ui};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Human,
    Markdown,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    #[command(flatten)]
    pub aws: AwsOptions,
    #[arg(long, value_enum, default_value = "human")]
    pub format: PlanFormat,
    /// Exit 0 when there are no changes, 2 when there are, 1 on errors.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Save the plan (with its change set kept) for `fnplan apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// When to ask CloudFormation for a change set: `auto` when fnplan's diff has changes
    /// or the stack is not stable (in progress, failed, rolled back), `always` even for an
    /// unchanged stack, `never` (fnplan's diff alone). The plan says when and why none
    /// was made.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub change_set: ChangeSetMode,
    /// Only diff the templates; do not ask CloudFormation for a change set (the same as
    /// `--change-set never`).
    #[arg(long, conflicts_with = "change_set")]
    pub no_change_set: bool,
    /// S3 bucket holding the function code zips (the template's `ArtifactBucket`).
    #[arg(long, value_name = "NAME")]
    pub artifact_bucket: Option<String>,
    /// Deploy as nested stacks (`fnplan render --split`): their templates go to the
    /// artifact bucket, and the plan lists the changes inside each as `Stack/Id`.
    #[arg(long)]
    pub split: bool,
    /// Do not ask CloudFormation to detect drift (changes made outside it) on the deployed
    /// stack and its nested stacks.
    #[arg(long)]
    pub no_drift: bool,
    /// CloudFormation service role: CloudFormation makes the stack's changes with it
    /// instead of your permissions (`fnplan bootstrap --ci` creates one).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// Print each step's wall time on stderr (describe stack, get template, change set,
    /// drift, artifact check, ...); so does `FNPLAN_TIMINGS=1`.
    #[arg(long)]
    pub timings: bool,
}

pub fn run(a: PlanArgs) -> Result<Outcome, OpsError> {
    let o = PlanOptions {
        spec: a.spec.spec_ref(),
        aws: a.aws,
        out: a.out,
        change_set: if a.no_change_set {
            ChangeSetMode::Never
        } else {
            a.change_set
        },
        artifact_bucket: a.artifact_bucket,
        split: a.split,
        no_drift: a.no_drift,
        role_arn: a.role_arn,
        timings: a.timings || std::env::var_os("FNPLAN_TIMINGS").is_some_and(|v| v != "0"),
    };
    Ok(Outcome::Plan {
        outcome: Box::new(plan::plan(&o)?),
        detailed_exitcode: a.detailed_exitcode,
    })
}

pub fn show(p: &PlanOutcome, f: PlanFormat, out: &Output) -> std::io::Result<()> {
    if p.lint_warnings > 0 {
        out.note(&format!(
            "{}: {} lint warning(s); `fnplan lint` shows them",
            p.spec_name, p.lint_warnings
        ));
    }
    let text = match f {
        PlanFormat::Human => format::human(&p.plan, out.color.use_color_for_stdout()),
        PlanFormat::Markdown => format::markdown(&p.plan),
        PlanFormat::Json => format::json(&p.plan),
    };
    out.print(&text)?;
    if let Some(why) = &p.hot_unchecked {
        out.note(&format!(
            "not checked whether `apply --hot` left functions ahead of the stack: {why}"
        ));
    }
    for line in p.code.describe() {
        out.note(&line);
    }
    for line in timings::lines(&p.timings) {
        out.note(&line);
    }
    if let Some(path) = &p.saved {
        let path = path.display();
        out.note(&format!(
            "saved the plan to {path}; `fnplan apply {path}` applies exactly this"
        ));
    }
    Ok(())
}
