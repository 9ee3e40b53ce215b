//! `fnplan plan`: flags in; lint, render, read the stack and preview a change set; the
//! plan (human, markdown or json) and an exit code out.

use super::{Output, SpecArgs};
use crate::deploy::client::{self, AwsOptions};
use crate::deploy::{DeployError, aws::SdkStackApi, format, run};
use crate::exit::ExitStatus;
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
    /// Only diff the templates; do not ask CloudFormation for a change set.
    #[arg(long)]
    pub no_change_set: bool,
    /// S3 bucket holding the function code zips (the template's `ArtifactBucket`).
    #[arg(long, value_name = "NAME")]
    pub artifact_bucket: Option<String>,
    /// Deploy as nested stacks (`fnplan render --split`): their templates go to the
    /// artifact bucket, and the plan lists the changes inside each as `Stack/Id`.
    #[arg(long)]
    pub split: bool,
}

pub fn run(a: PlanArgs, out: &Output) -> std::io::Result<ExitStatus> {
    let detailed = a.detailed_exitcode;
    let status = run_plan(a, out)?;
    // With --detailed-exitcode, 2 means "changes": every error is 1, input errors too.
    Ok(if detailed && status == ExitStatus::InputError {
        ExitStatus::Failure
    } else {
        status
    })
}

fn run_plan(a: PlanArgs, out: &Output) -> std::io::Result<ExitStatus> {
    let (loaded, c, split) = match super::stack::compile_and_lint(&a.spec, out, a.split)? {
        Ok(x) => x,
        Err(status) => return Ok(status),
    };
    // Local code: the artifact bucket fills the template's parameter; plan only checks
    // which zips it lacks (apply uploads them).
    let artifacts = crate::package::artifacts(&c.model);
    let bucket = crate::package::artifact_bucket(a.artifact_bucket.as_deref(), &c.model);
    if !artifacts.is_empty() && bucket.is_none() && !a.no_change_set {
        out.error(crate::package::NO_BUCKET);
        return Ok(ExitStatus::InputError);
    }
    let mut parameters = Vec::new();
    if let Some(b) = bucket.clone().filter(|_| !artifacts.is_empty()) {
        parameters.push((crate::template::ARTIFACT_BUCKET_PARAM.to_string(), b));
    }
    let opts = run::PlanOptions {
        change_set: !a.no_change_set,
        keep_change_set: a.out.is_some(),
        ..Default::default()
    };
    let rt = super::stack::runtime()?;
    let result: Result<_, DeployError> = rt.block_on(async {
        let config = client::load(&a.aws, c.model.region.as_deref()).await?;
        let api = SdkStackApi::new(&config);
        // The nested stacks' URLs are part of the parent, so they are staged even
        // without a change set (content-addressed: an unchanged child is not re-sent).
        let parent = match &split {
            Some(s) => Some(super::stack::stage_split(&config, bucket.as_deref(), &c, s).await?),
            None => None,
        };
        let mut input = super::stack::plan_input(&loaded, &c, &a.aws, parameters);
        if let (Some(p), Some(s)) = (&parent, &split) {
            input.nest(p, s);
        }
        if opts.change_set {
            input.template_url =
                super::stack::stage_template(&config, bucket.as_deref(), &c, input.template)
                    .await?;
        }
        let plan = run::plan(&api, &input, opts).await?;
        let code = crate::package::upload::check(&config, bucket.as_deref(), &artifacts).await?;
        Ok((plan, code))
    });
    let (plan, code) = match result {
        Ok(p) => p,
        Err(e) => {
            out.error(&e.to_string());
            return Ok(ExitStatus::Failure);
        }
    };
    let text = match a.format {
        PlanFormat::Human => format::human(&plan, out.color.use_color_for_stdout()),
        PlanFormat::Markdown => format::markdown(&plan),
        PlanFormat::Json => format::json(&plan),
    };
    out.print(&text)?;
    for line in code.describe() {
        out.note(&line);
    }
    if let Some(path) = &a.out {
        if let Err(e) = std::fs::write(path, format::json(&plan)) {
            out.error(&format!("cannot write {}: {e}", path.display()));
            return Ok(ExitStatus::Failure);
        }
        out.note(&format!(
            "saved the plan to {}; `fnplan apply {}` applies exactly this",
            path.display(),
            path.display()
        ));
    }
    Ok(if a.detailed_exitcode && plan.has_changes() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}
