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
    /// Only diff the templates; do not ask CloudFormation for a change set.
    pub no_change_set: bool,
    pub artifact_bucket: Option<String>,
    /// Deploy as nested stacks.
    pub split: bool,
    /// Do not detect drift on the deployed stack.
    pub no_drift: bool,
    /// The CloudFormation service role the change set is made with (`--role-arn`).
    pub role_arn: Option<String>,
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
}

pub fn plan(o: &PlanOptions) -> Result<PlanOutcome, OpsError> {
    let d = compile::compile_and_lint(&o.spec, o.split)?;
    // Local code: the artifact bucket fills the template's parameter; plan only checks
    // which zips it lacks (apply uploads them).
    let code = Code::of(&d.compiled, o.artifact_bucket.as_deref());
    if code.lacks_bucket() && !o.no_change_set {
        return Err(OpsError::Usage(NO_BUCKET.into()));
    }
    let rt = super::runtime()?;
    let (plan, check, hot_unchecked) = rt.block_on(plan_async(o, &d, &code))?;
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
    })
}

async fn plan_async(
    o: &PlanOptions,
    d: &Deployable,
    code: &Code,
) -> Result<(Plan, CodeCheck, Option<String>), OpsError> {
    let session = stage::Session::open_as(d, &o.aws, code, o.role_arn.as_deref()).await?;
    let mut input = session.input(d, &o.aws, code);
    let bucket = code.bucket.as_deref();
    let opts = run::PlanOptions {
        change_set: !o.no_change_set,
        keep_change_set: o.out.is_some(),
        drift: !o.no_drift,
        ..Default::default()
    };
    if opts.change_set {
        let c = &d.compiled;
        input.template_url =
            stage::stage_template(&session.config, bucket, c, input.template).await?;
    }
    let mut plan = run::plan(&session.api, &input, opts).await?;
    let mut unchecked = None;
    // Functions `apply --hot` updated past the stack (their `fnplan:hot-swapped` tag). A
    // role without `lambda:GetFunction` (a read-only CI plan role) still gets its plan.
    if let (true, Some(id)) = (plan.stack.exists, plan.stack.stack_id.clone()) {
        let lambda = SdkFunctionApi::new(&session.config);
        match super::hot::lagging(&session.api, &lambda, &id, d).await {
            Ok(lag) => plan.hot_swapped = lag,
            Err(DeployError::Aws(e @ AwsError::Service { .. }))
                if e.to_string().contains("AccessDenied") =>
            {
                unchecked = Some(e.to_string());
            }
            Err(e) => return Err(e.into()),
        }
    }
    let check = upload::check(&session.config, bucket, &code.artifacts).await?;
    Ok((plan, check, unchecked))
}
