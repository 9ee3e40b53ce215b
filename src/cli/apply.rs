//! `fnplan apply`: flags in, [`ApplyOptions`] to the operation (this [`Output`] answers its
//! questions and shows its progress); how the deployment ended out.

use super::Output;
use crate::deploy::apply::Gates;
use crate::deploy::client::AwsOptions;
use crate::deploy::follow::{Followed, Progress};
use crate::deploy::format;
use crate::ops::apply::{self, ApplyOptions, ApplyOutcome, Refusal};
use crate::ops::hot::HotSwap;
use crate::ops::watch::Watched;
use crate::ops::{OpsError, Outcome, Ui};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// The app spec, or a plan saved with `fnplan plan --out FILE`.
    #[arg(default_value = "fnplan.yaml", value_name = "SPEC|PLANFILE")]
    pub target: PathBuf,
    #[arg(long, short = 's')]
    pub stage: Option<String>,
    /// With a plan file: the spec it was made from (default: the one recorded in the plan).
    #[arg(long, value_name = "SPEC")]
    pub spec: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsOptions,
    /// Apply without asking (for CI).
    #[arg(long)]
    pub auto_approve: bool,
    /// Allow IAM changes that grant more than before.
    #[arg(long)]
    pub allow_broadening: bool,
    /// Allow replacing or deleting tables, buckets, queues and databases with their data.
    #[arg(long)]
    pub allow_data_loss: bool,
    /// How to show progress.
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: Progress,
    /// Wait for a deployment already running on the stack instead of refusing.
    #[arg(long)]
    pub wait: bool,
    /// Delete a stack whose first deployment failed (ROLLBACK_COMPLETE) and create it again.
    #[arg(long)]
    pub recreate: bool,
    /// S3 bucket holding the function code zips (the template's `ArtifactBucket`).
    #[arg(long, value_name = "NAME")]
    pub artifact_bucket: Option<String>,
    /// Deploy as nested stacks (`fnplan render --split`; implied by a plan saved with it).
    #[arg(long)]
    pub split: bool,
    /// CloudFormation service role: CloudFormation makes the stack's changes with it
    /// instead of your permissions (`fnplan bootstrap --ci` creates one).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// Update changed functions' code (and environment) directly, without a change set,
    /// when nothing else changed; otherwise say why and apply a change set as usual. The
    /// stack lags until the next normal `apply` (`fnplan plan` says so). Refused on
    /// stages with `hot: false` (the default for `prod`).
    #[arg(long)]
    pub hot: bool,
}

pub fn run(a: ApplyArgs, out: &Output) -> Result<Outcome, OpsError> {
    let o = ApplyOptions {
        target: a.target,
        stage: a.stage,
        spec: a.spec,
        aws: a.aws,
        auto_approve: a.auto_approve,
        gates: Gates {
            allow_broadening: a.allow_broadening,
            allow_data_loss: a.allow_data_loss,
        },
        wait: a.wait,
        recreate: a.recreate,
        artifact_bucket: a.artifact_bucket,
        split: a.split,
        role_arn: a.role_arn,
        hot: a.hot,
    };
    apply::apply(&o, out).map(Outcome::Apply)
}

pub fn show(a: &ApplyOutcome, out: &Output) -> std::io::Result<()> {
    match a {
        ApplyOutcome::NoChanges(plan) => {
            out.print(&format::human(plan, out.progress().1))?;
            out.note("No changes: the stack already matches the spec.");
            Ok(())
        }
        ApplyOutcome::Applied { stack, watched } => show_watched(watched, stack, out),
        ApplyOutcome::Refused(r) => {
            show_refusal(r, "apply", out);
            Ok(())
        }
        ApplyOutcome::HotSwapped(h) => out.print(&hot_text(h)),
    }
}

/// What `apply --hot` did, and that the stack now lags.
fn hot_text(h: &HotSwap) -> String {
    if h.swapped.is_empty() {
        return format!(
            "\n{}: nothing to hot-swap: the functions already run this code and environment. The stack still lags; `fnplan apply` brings it in line.\n",
            h.stack
        );
    }
    let mut s = format!(
        "\n{}: hot-swapped {} function(s) in {:.2}s, without a change set\n",
        h.stack,
        h.swapped.len(),
        h.elapsed.as_secs_f64()
    );
    for f in &h.swapped {
        let mut what = Vec::new();
        if let Some(k) = &f.code {
            what.push(format!("code {k}"));
        }
        if f.env {
            what.push("environment".to_string());
        }
        if let Some(v) = &f.version {
            what.push(format!("version {v} behind its alias"));
        }
        s.push_str(&format!("  {}: {}\n", f.function, what.join(", ")));
    }
    s.push_str(
        "The stack still names the old code; `fnplan plan` shows it and `fnplan apply` brings the stack in line.\n",
    );
    s
}

/// Why nothing was changed. `verb` is `apply` or `destroy`.
pub(super) fn show_refusal(r: &Refusal, verb: &str, out: &Output) {
    match r {
        Refusal::StalePlan { path, reason } => out.error(&format!(
            "refusing to apply {}: {reason}; nothing was applied. Run `fnplan plan --out` again and review the new plan",
            path.display()
        )),
        Refusal::StackState(why) => out.error(why),
        Refusal::Gates(unmet) => {
            for u in unmet {
                out.error(u);
            }
            out.error("refusing to apply: --auto-approve does not cover these; nothing was applied");
        }
        Refusal::Declined => {
            let what = if verb == "apply" { "Apply" } else { "Destroy" };
            out.note(&format!("{what} cancelled; nothing was changed."));
        }
        Refusal::NoTerminal if verb == "apply" => out.error("refusing to apply without confirmation: there is no terminal to ask on; pass --auto-approve (and --allow-* for risky changes). Nothing was changed"),
        Refusal::HotProtected { stage } => out.error(&format!("refusing `apply --hot` on stage {stage}: it is protected (`stages.{stage}.hot` is false, the default for a stage named prod). Run `fnplan apply` without --hot (a change set, with its gates), or set `stages.{stage}.hot: true`. Nothing was changed")),
        Refusal::NoTerminal => out.error(&format!("refusing to {verb} without confirmation: there is no terminal to ask on; pass --auto-approve. Nothing was changed")),
    }
}

/// How following stack `name` ended: outputs on success, the first causes on failure.
pub(super) fn show_watched(w: &Watched, name: &str, out: &Output) -> std::io::Result<()> {
    let f = match w {
        Watched::Finished(f) => f,
        Watched::Interrupted => {
            out.note(&format!(
                "\nStopped following. CloudFormation keeps changing stack {name}; watch it with `fnplan status` (a new `fnplan apply --wait` waits for it)."
            ));
            return Ok(());
        }
    };
    out.print(&followed_text(f, name))
}

fn followed_text(f: &Followed, name: &str) -> String {
    let secs = f.elapsed.as_secs_f64();
    if f.succeeded() {
        let mut s = format!("\n{name}: {} in {secs:.1}s\n", f.status);
        if !f.outputs.is_empty() {
            s.push_str("\nOutputs:\n");
            let w = f.outputs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, v) in &f.outputs {
                s.push_str(&format!("  {k:<w$}  {v}\n"));
            }
        }
        return s;
    }
    let mut s = format!("\n{name}: {} after {secs:.1}s\n", f.status);
    if let Some(r) = &f.status_reason {
        s.push_str(&format!("  {r}\n"));
    }
    if f.failures.is_empty() {
        s.push_str(
            "  CloudFormation reported no failed resource; see `fnplan status` for the events.\n",
        );
    } else {
        s.push_str("\nWhat failed (first cause first):\n");
        for e in f.failures.iter().take(5) {
            let reason = e.reason.as_deref().unwrap_or("no reason given");
            s.push_str(&format!(
                "  {} ({}) {}: {reason}\n",
                e.logical_id, e.resource_type, e.status
            ));
        }
    }
    s
}
