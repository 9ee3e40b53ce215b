//! `apply`: a spec (or a saved plan) and permissions in; code uploaded, the plan shown and
//! confirmed, the change set executed and followed; an [`ApplyOutcome`] out.

use super::compile::{self, Deployable};
use super::hot::{self, Hot};
use super::moves::{self, MoveCx};
use super::stage::{self, Code};
use super::watch::{self, Start, Watched};
use super::{OpsError, Preview, SpecRef, Ui};
use crate::aws_error::AwsError;
use crate::deploy::apply::{self as ap, Gates, StackCheck};
use crate::deploy::client::AwsOptions;
use crate::deploy::plan::Plan;
use crate::deploy::run::{self, PlanInput};
use crate::deploy::{DeployError, StackApi};
use crate::package::{NO_BUCKET, upload};
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// The app spec, or a plan saved with `plan --out`.
    pub target: PathBuf,
    pub stage: Option<String>,
    /// With a plan file: the spec it was made from (default: the one it records).
    pub spec: Option<PathBuf>,
    pub aws: AwsOptions,
    pub auto_approve: bool,
    pub gates: Gates,
    /// Wait for a deployment already running on the stack instead of refusing.
    pub wait: bool,
    /// Delete a stack whose first deployment failed and create it again.
    pub recreate: bool,
    pub artifact_bucket: Option<String>,
    pub split: bool,
    /// The CloudFormation service role the change set is made with (`--role-arn`); a
    /// saved plan's change set already has the role it was planned with.
    pub role_arn: Option<String>,
    /// `--hot`: update changed functions' code and environment directly when nothing
    /// else changed (else fall back to a change set).
    pub hot: bool,
}

/// Why `apply` changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The saved plan no longer describes the world.
    StalePlan { path: PathBuf, reason: String },
    /// The stack's state does not allow an apply now (the message says what to do).
    StackState(String),
    /// `--auto-approve` without the `--allow-*` these risky changes need.
    Gates(Vec<String>),
    /// The user answered no.
    Declined,
    /// Nobody to ask and no `--auto-approve`.
    NoTerminal,
    /// `--hot` on a stage whose `hot` is false (the default for `prod`).
    HotProtected { stage: String },
}

#[derive(Debug)]
pub enum ApplyOutcome {
    /// The stack already matches the spec.
    NoChanges(Box<Plan>),
    /// The change set ran (or we stopped following it).
    Applied {
        stack: String,
        watched: Watched,
    },
    Refused(Refusal),
    /// `--hot`: functions updated directly, without a change set.
    HotSwapped(super::hot::HotSwap),
}

/// A plan saved with `plan --out`, if `path` holds one.
fn read_plan(path: &std::path::Path) -> Option<Plan> {
    let text = std::fs::read_to_string(path).ok()?;
    if !text.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str::<Plan>(&text)
        .ok()
        .filter(|p| p.format_version >= 1)
}

/// The spec to compile: `--spec`, the one the saved plan records, or the target itself.
fn spec_ref(o: &ApplyOptions, saved: Option<&Plan>) -> SpecRef {
    let path = match (saved, &o.spec) {
        (_, Some(s)) => s.clone(),
        (Some(p), None) if !p.spec_path.is_empty() => PathBuf::from(&p.spec_path),
        (Some(_), None) => PathBuf::from("fnplan.yaml"),
        (None, None) => o.target.clone(),
    };
    let stage = o.stage.clone().or_else(|| saved.map(|p| p.stage.clone()));
    SpecRef { path, stage }
}

pub fn apply(o: &ApplyOptions, ui: &dyn Ui) -> Result<ApplyOutcome, OpsError> {
    let saved = read_plan(&o.target);
    if o.hot && saved.is_some() {
        return Err(OpsError::Usage(
            "--hot takes a spec, not a saved plan (a saved plan is a change set)".into(),
        ));
    }
    let split = o.split || saved.as_ref().is_some_and(|p| p.split);
    let d = compile::compile_and_lint(&spec_ref(o, saved.as_ref()), split)?;
    if d.warnings > 0 {
        ui.note(&format!(
            "{}: {} lint warning(s); `fnplan lint` shows them",
            d.loaded.file.name, d.warnings
        ));
    }
    if o.hot && !d.compiled.model.hot {
        let stage = d.compiled.model.stage.clone();
        return Ok(ApplyOutcome::Refused(Refusal::HotProtected { stage }));
    }
    // Local code goes to the artifact bucket (only the missing zips) before any change
    // set is created or executed.
    let code = Code::of(&d.compiled, o.artifact_bucket.as_deref());
    if code.lacks_bucket() {
        return Err(OpsError::Usage(NO_BUCKET.into()));
    }
    let rt = super::runtime()?;
    rt.block_on(async {
        if o.hot {
            match hot::try_hot(&d, &o.aws, &code, ui).await? {
                Hot::Swapped(s) => return Ok(ApplyOutcome::HotSwapped(s)),
                Hot::NoChanges(p) => return Ok(ApplyOutcome::NoChanges(p)),
                Hot::FallBack => {}
            }
        }
        apply_async(o, &d, &code, saved, ui).await
    })
}

async fn apply_async(
    o: &ApplyOptions,
    d: &Deployable,
    code: &Code,
    saved: Option<Plan>,
    ui: &dyn Ui,
) -> Result<ApplyOutcome, OpsError> {
    let session = stage::Session::open_as(d, &o.aws, code, o.role_arn.as_deref()).await?;
    let (config, api) = (&session.config, &session.api);
    let mut input = session.input(d, &o.aws, code);
    let bucket = code.bucket.as_deref();
    let upload_code = async || -> Result<(), OpsError> {
        if let Some(b) = bucket {
            upload::ensure(config, b, &code.artifacts, &mut |l| ui.note(l)).await?;
        }
        Ok(())
    };
    let plan = match saved {
        Some(p) => {
            if let Err(reason) = verify(api, &p, &input).await? {
                let path = o.target.clone();
                return Ok(ApplyOutcome::Refused(Refusal::StalePlan { path, reason }));
            }
            upload_code().await?;
            p
        }
        None => {
            if let StackCheck::Refuse(why) =
                ap::check_stack(api, input.stack_name, o.wait, o.recreate).await?
            {
                return Ok(ApplyOutcome::Refused(Refusal::StackState(why)));
            }
            upload_code().await?;
            let c = &d.compiled;
            input.template_url = stage::stage_template(config, bucket, c, input.template).await?;
            let opts = run::PlanOptions {
                change_set: crate::deploy::preview::ChangeSetMode::Auto,
                keep_change_set: true,
                ..Default::default()
            };
            run::plan(api, &input, opts).await?
        }
    };
    let outcome = if plan.moves.is_empty() {
        execute(api, plan, o, ui).await?
    } else {
        // `renamed_from:`: review the whole plan, then move, then update.
        if let Some(refusal) = review(&plan, o, ui)? {
            return Ok(ApplyOutcome::Refused(refusal));
        }
        let cx = MoveCx {
            config,
            bucket,
            input: &input,
            ui,
        };
        moves::apply(api, &cx, plan).await?
    };
    // The deployment is done either way: a failure here (a CI role without Lambda
    // permissions) is reported, not turned into a failed apply.
    if in_line(&outcome)
        && let Err(e) = hot::clear(&session, &input, ui).await
    {
        ui.note(&format!(
            "could not check the functions for `apply --hot` tags ({e}); `fnplan plan` shows any that lag"
        ));
    }
    Ok(outcome)
}

/// The stack now names the spec's code: hot-swap tags can go.
fn in_line(o: &ApplyOutcome) -> bool {
    match o {
        ApplyOutcome::NoChanges(_) => true,
        ApplyOutcome::Applied {
            watched: Watched::Finished(f),
            ..
        } => f.succeeded(),
        _ => false,
    }
}

/// Whether a saved plan may still be applied: `Ok(Err(reason))` when it is stale.
async fn verify(
    api: &impl StackApi,
    saved: &Plan,
    input: &PlanInput<'_>,
) -> Result<Result<(), String>, DeployError> {
    if saved.stack_name != input.stack_name {
        return Ok(Err(format!(
            "the plan is for stack {}, the spec's stage is {}",
            saved.stack_name, input.stack_name
        )));
    }
    let body = input.template.to_compact_json();
    let Some(cs) = &saved.change_set else {
        // A plan with moves has no change set yet: apply makes it after moving.
        if saved.moves.is_empty() {
            return Ok(Err("the plan has no change set (it had no changes)".into()));
        }
        let same = saved.spec_sha256 == run::sha256_hex(input.spec_bytes)
            && saved.template_sha256 == run::sha256_hex(body.as_bytes());
        return Ok(if same {
            Ok(())
        } else {
            Err("the spec or the template changed since the plan was made".into())
        });
    };
    let stack = api.describe_stack(input.stack_name).await?;
    let desc = match api.describe_change_set(&cs.arn).await {
        Ok(d) => d,
        Err(DeployError::Aws(
            AwsError::Service { message, .. } | AwsError::Transport { message, .. },
        )) => {
            return Ok(Err(format!("its change set is gone ({message})")));
        }
        Err(e) => return Err(e),
    };
    Ok(ap::verify_saved(
        saved,
        &run::sha256_hex(input.spec_bytes),
        &run::sha256_hex(body.as_bytes()),
        stack.as_ref(),
        &desc,
    ))
}

/// Show the plan, check the gates, ask, then execute its change set and follow it.
async fn execute(
    api: &impl StackApi,
    plan: Plan,
    o: &ApplyOptions,
    ui: &dyn Ui,
) -> Result<ApplyOutcome, DeployError> {
    let Some(cs) = plan.change_set.clone() else {
        return Ok(ApplyOutcome::NoChanges(Box::new(plan)));
    };
    if let Some(refusal) = review(&plan, o, ui)? {
        let _ = run::discard(api, &plan).await;
        return Ok(ApplyOutcome::Refused(refusal));
    }
    let stack = watch::stack_ref(api, &plan.stack_name).await?;
    ui.note(&format!("Applying change set to {} ...", plan.stack_name));
    let watched = watch::run(api, &stack, Start::ExecuteChangeSet(&cs.arn), ui).await?;
    Ok(ApplyOutcome::Applied {
        stack: plan.stack_name,
        watched,
    })
}

/// Show the plan and check the gates and the user's answer: `None` when it may go on.
fn review(plan: &Plan, o: &ApplyOptions, ui: &dyn Ui) -> Result<Option<Refusal>, DeployError> {
    ui.preview(Preview::Plan(plan))?;
    let unmet = ap::unmet_gates(plan, o.gates);
    Ok(approve(plan, &unmet, o.auto_approve, ui))
}

/// `None` when the plan may be applied; else why not.
fn approve(plan: &Plan, unmet: &[String], auto_approve: bool, ui: &dyn Ui) -> Option<Refusal> {
    if auto_approve {
        return (!unmet.is_empty()).then(|| Refusal::Gates(unmet.to_vec()));
    }
    let mut question = format!("Apply these changes to stack {}?", plan.stack_name);
    if !unmet.is_empty() {
        let lines: Vec<String> = unmet.iter().map(|u| format!("  ! {u}")).collect();
        question = format!("{}\n{question}", lines.join("\n"));
    }
    match ui.confirm(&question) {
        Some(true) => None,
        Some(false) => Some(Refusal::Declined),
        None => Some(Refusal::NoTerminal),
    }
}
