//! `plan`: a spec and AWS options in; lint, render, read the stack and preview a change
//! set; a [`PlanOutcome`] (the plan and what the artifact bucket lacks) out.

use super::compile::{self, Deployable};
use super::stage::{self, Code};
use super::{OpsError, SpecRef};
use crate::aws_error::AwsError;
use crate::deploy::DeployError;
use crate::deploy::client::AwsOptions;
use crate::deploy::lambda::SdkFunctionApi;
use crate::deploy::plan::Plan;
use crate::deploy::preview::ChangeSetMode;
use crate::deploy::timings::{Phase, Timings};
use crate::deploy::{format, run};
use crate::package::NO_BUCKET;
use crate::package::upload::{self, CodeCheck};
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct PlanOptions {
    pub spec: SpecRef,
    pub aws: AwsOptions,
    /// Save the plan (with its change set kept) for `apply FILE`.
    pub out: Option<PathBuf>,
    /// When to ask CloudFormation for a change set (`--change-set`, `--no-change-set`).
    pub change_set: ChangeSetMode,
    pub artifact_bucket: Option<String>,
    /// Deploy as nested stacks.
    pub split: bool,
    /// Do not detect drift on the deployed stack.
    pub no_drift: bool,
    /// The CloudFormation service role the change set is made with (`--role-arn`).
    pub role_arn: Option<String>,
    /// Measure each step's wall time (`--timings`).
    pub timings: bool,
}

/// What `plan` found.
#[derive(Debug)]
pub struct PlanOutcome {
    pub plan: Plan,
    /// Which code zips the artifact bucket lacks.
    pub code: CodeCheck,
    /// Where the plan was saved (`--out`).
    pub saved: Option<PathBuf>,
    /// Lint warnings (they do not stop a plan).
    pub lint_warnings: usize,
    pub spec_name: String,
    /// Why the functions could not be checked for hot swaps (`lambda:GetFunction` denied).
    pub hot_unchecked: Option<String>,
    /// Each step's wall time, with `--timings` (empty otherwise).
    pub timings: Vec<Phase>,
}

pub fn plan(o: &PlanOptions) -> Result<PlanOutcome, OpsError> {
    let t = Timings::default();
    let d = t.time_sync("compile and lint", || {
        compile::compile_and_lint(&o.spec, o.split)
    })?;
    // Local code: the artifact bucket fills the template's parameter; plan only checks
    // which zips it lacks (apply uploads them).
    let code = Code::of(&d.compiled, o.artifact_bucket.as_deref());
    if code.lacks_bucket() && o.change_set != ChangeSetMode::Never {
        return Err(OpsError::Usage(NO_BUCKET.into()));
    }
    let rt = super::runtime()?;
    let (plan, check, hot_unchecked) = rt.block_on(plan_async(o, &d, &code, &t))?;
    if let Some(path) = &o.out {
        std::fs::write(path, format::json(&plan)).map_err(|e| OpsError::write(path, e))?;
    }
    Ok(PlanOutcome {
        plan,
        code: check,
        saved: o.out.clone(),
        lint_warnings: d.warnings,
        spec_name: d.loaded.file.name.clone(),
        hot_unchecked,
        timings: if o.timings { t.phases() } else { Vec::new() },
    })
}

/// The AWS part: the artifact bucket is checked while the stack is read and diffed.
async fn plan_async(
    o: &PlanOptions,
    d: &Deployable,
    code: &Code,
    t: &Timings,
) -> Result<(Plan, CodeCheck, Option<String>), OpsError> {
    let open = stage::Session::open_as(d, &o.aws, code, o.role_arn.as_deref());
    let session = t.time("aws config and staging", open).await?;
    let input = session.input(d, &o.aws, code);
    let bucket = code.bucket.as_deref();
    let opts = run::PlanOptions {
        change_set: o.change_set,
        keep_change_set: o.out.is_some(),
        drift: !o.no_drift,
        ..Default::default()
    };
    // The template goes to the bucket only when a change set is made of it.
    let stager = stage::S3Stager {
        config: &session.config,
        bucket,
        c: &d.compiled,
    };
    let check = upload::check(&session.config, bucket, &code.artifacts);
    let (plan, check) = tokio::join!(
        run::plan_timed(&session.api, &input, &stager, opts, t),
        t.time("artifact check", check),
    );
    let (mut plan, check) = (plan?, check?);
    let mut unchecked = None;
    // Functions `apply --hot` updated past the stack (their `fnplan:hot-swapped` tag). A
    // role without `lambda:GetFunction` (a read-only CI plan role) still gets its plan.
    if let (true, Some(id)) = (plan.stack.exists, plan.stack.stack_id.clone()) {
        let lambda = SdkFunctionApi::new(&session.config);
        let lagging = super::hot::lagging(&session.api, &lambda, &id, d);
        match t.time("hot-swap check", lagging).await {
            Ok(lag) => plan.hot_swapped = lag,
            Err(DeployError::Aws(e @ AwsError::Service { .. }))
                if e.to_string().contains("AccessDenied") =>
            {
                unchecked = Some(e.to_string());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok((plan, check, unchecked))
}
