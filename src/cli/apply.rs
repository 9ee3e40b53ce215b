//! `fnplan apply` (a spec or a saved plan), `fnplan destroy` and `fnplan status`: flags
//! in, a confirmed and followed CloudFormation deployment (or a clear refusal) out.

use super::{Output, SpecArgs};
use crate::deploy::apply::{self as ap, Gates, StackCheck};
use crate::deploy::client::{self, AwsOptions};
use crate::deploy::follow::{self, Followed, Progress};
use crate::deploy::plan::Plan;
use crate::deploy::{DeployError, StackApi, aws::SdkStackApi, cfn_yaml, format, run};
use crate::exit::ExitStatus;
use std::io::IsTerminal;
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
    /// Allow replacing or deleting tables, buckets and queues with their data.
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
}

#[derive(Debug, clap::Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    #[command(flatten)]
    pub aws: AwsOptions,
    /// Delete without asking (for CI).
    #[arg(long)]
    pub auto_approve: bool,
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: Progress,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    #[command(flatten)]
    pub aws: AwsOptions,
    /// How many recent events to show.
    #[arg(long, default_value_t = 10)]
    pub events: usize,
}

fn read_plan(path: &std::path::Path) -> Option<Plan> {
    let text = std::fs::read_to_string(path).ok()?;
    if !text.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str::<Plan>(&text)
        .ok()
        .filter(|p| p.format_version >= 1)
}

pub(super) fn progress_color(p: Progress, out: &Output) -> (Progress, bool) {
    match p {
        Progress::Auto if std::io::stdout().is_terminal() && std::io::stderr().is_terminal() => {
            (Progress::Live, out.color.use_color_for_stdout())
        }
        Progress::Auto => (Progress::Plain, false),
        other => (other, false),
    }
}

pub fn run_apply(a: ApplyArgs, out: &Output) -> std::io::Result<ExitStatus> {
    let saved = read_plan(&a.target);
    let spec_path = match (&saved, &a.spec) {
        (_, Some(s)) => s.clone(),
        (Some(p), None) if !p.spec_path.is_empty() => PathBuf::from(&p.spec_path),
        (Some(_), None) => PathBuf::from("fnplan.yaml"),
        (None, None) => a.target.clone(),
    };
    let stage = a
        .stage
        .clone()
        .or_else(|| saved.as_ref().map(|p| p.stage.clone()));
    let spec_args = SpecArgs {
        spec: spec_path,
        stage,
    };
    let split = a.split || saved.as_ref().is_some_and(|p| p.split);
    let (loaded, c, split) = match super::stack::compile_and_lint(&spec_args, out, split)? {
        Ok(x) => x,
        Err(status) => return Ok(status),
    };
    // Local code: zips go to the artifact bucket (only the missing ones) before any
    // change set is created or executed.
    let artifacts = crate::package::artifacts(&c.model);
    let bucket = crate::package::artifact_bucket(a.artifact_bucket.as_deref(), &c.model);
    let mut parameters = Vec::new();
    if !artifacts.is_empty() {
        let Some(b) = bucket.clone() else {
            out.error(crate::package::NO_BUCKET);
            return Ok(ExitStatus::InputError);
        };
        parameters.push((crate::template::ARTIFACT_BUCKET_PARAM.to_string(), b));
    }
    let upload_code = async |config: &aws_config::SdkConfig| match &bucket {
        Some(b) => crate::package::upload::ensure(config, b, &artifacts, &mut |l| out.note(l))
            .await
            .map(drop),
        None => Ok(()),
    };
    let gates = Gates {
        allow_broadening: a.allow_broadening,
        allow_data_loss: a.allow_data_loss,
    };
    let (progress, color) = progress_color(a.progress, out);
    let rt = super::stack::runtime()?;
    let result = rt.block_on(async {
        let config = client::load(&a.aws, c.model.region.as_deref()).await?;
        let api = SdkStackApi::new(&config);
        let parent = match &split {
            Some(s) => Some(super::stack::stage_split(&config, bucket.as_deref(), &c, s).await?),
            None => None,
        };
        let mut input = super::stack::plan_input(&loaded, &c, &a.aws, parameters);
        if let (Some(p), Some(s)) = (&parent, &split) {
            input.nest(p, s);
        }
        let plan = match &saved {
            Some(p) => match verify(&api, p, &input).await? {
                Ok(()) => {
                    upload_code(&config).await?;
                    p.clone()
                }
                Err(reason) => {
                    out.error(&format!(
                        "refusing to apply {}: {reason}; nothing was applied. Run `fnplan plan --out` again and review the new plan",
                        a.target.display()
                    ));
                    return Ok(ExitStatus::Failure);
                }
            },
            None => {
                match ap::check_stack(&api, input.stack_name, a.wait, a.recreate).await? {
                    StackCheck::Refuse(why) => {
                        out.error(&why);
                        return Ok(ExitStatus::Failure);
                    }
                    StackCheck::Ready(_) => {}
                }
                upload_code(&config).await?;
                input.template_url = super::stack::stage_template(&config, bucket.as_deref(), &c, input.template).await?;
                let opts = run::PlanOptions { change_set: true, keep_change_set: true, ..Default::default() };
                run::plan(&api, &input, opts).await?
            }
        };
        apply_plan(&api, &plan, gates, a.auto_approve, progress, color, out).await
    });
    match result {
        Ok(s) => Ok(s),
        Err(e) => {
            out.error(&e.to_string());
            Ok(ExitStatus::Failure)
        }
    }
}

/// Whether a saved plan may still be applied: `Ok(Err(reason))` when it is stale.
async fn verify(
    api: &impl StackApi,
    saved: &Plan,
    input: &run::PlanInput<'_>,
) -> Result<Result<(), String>, DeployError> {
    if saved.stack_name != input.stack_name {
        return Ok(Err(format!(
            "the plan is for stack {}, the spec's stage is {}",
            saved.stack_name, input.stack_name
        )));
    }
    let Some(cs) = &saved.change_set else {
        return Ok(Err("the plan has no change set (it had no changes)".into()));
    };
    let body = serde_json::to_string(&input.template.value).expect("template serializes");
    let stack = api.describe_stack(input.stack_name).await?;
    let desc = match api.describe_change_set(&cs.arn).await {
        Ok(d) => d,
        Err(DeployError::Aws { message, .. }) | Err(DeployError::Transport { message, .. }) => {
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

async fn apply_plan(
    api: &impl StackApi,
    plan: &Plan,
    gates: Gates,
    auto_approve: bool,
    progress: Progress,
    color: bool,
    out: &Output,
) -> Result<ExitStatus, DeployError> {
    let Some(cs) = &plan.change_set else {
        out.print(&format::human(plan, color))?;
        out.note("No changes: the stack already matches the spec.");
        return Ok(ExitStatus::Success);
    };
    if progress != Progress::Json {
        out.print(&format::human(plan, color))?;
    }
    let unmet = ap::unmet_gates(plan, gates);
    let approved = if auto_approve {
        if !unmet.is_empty() {
            for u in &unmet {
                out.error(u);
            }
            out.error(
                "refusing to apply: --auto-approve does not cover these; nothing was applied",
            );
            let _ = run::discard(api, plan).await;
            return Ok(ExitStatus::Failure);
        }
        true
    } else {
        let mut question = format!("Apply these changes to stack {}?", plan.stack_name);
        if !unmet.is_empty() {
            question = format!(
                "{}\n{question}",
                unmet
                    .iter()
                    .map(|u| format!("  ! {u}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        match out.confirm(&question) {
            Some(true) => true,
            Some(false) => {
                out.note("Apply cancelled; nothing was changed.");
                let _ = run::discard(api, plan).await;
                return Ok(ExitStatus::Failure);
            }
            None => {
                out.error("refusing to apply without confirmation: there is no terminal to ask on; pass --auto-approve (and --allow-* for risky changes). Nothing was changed");
                let _ = run::discard(api, plan).await;
                return Ok(ExitStatus::InputError);
            }
        }
    };
    debug_assert!(approved);
    let stack = api
        .describe_stack(&plan.stack_name)
        .await?
        .map(|s| s.stack_id)
        .unwrap_or_else(|| plan.stack_name.clone());
    let seen = follow::existing_event_ids(api, &stack)
        .await
        .unwrap_or_default();
    api.execute_change_set(&cs.arn).await?;
    out.note(&format!("Applying change set to {} ...", plan.stack_name));
    let followed =
        follow_or_interrupt(api, &stack, seen, progress, color, &plan.stack_name, out).await?;
    Ok(report(followed, &plan.stack_name, out)?)
}

pub(super) async fn follow_or_interrupt(
    api: &impl StackApi,
    stack: &str,
    seen: std::collections::HashSet<String>,
    progress: Progress,
    color: bool,
    name: &str,
    out: &Output,
) -> Result<Option<Followed>, DeployError> {
    let mut stdout = std::io::stdout();
    tokio::select! {
        r = follow::follow(api, stack, seen, progress, color, &mut stdout) => r.map(Some),
        _ = tokio::signal::ctrl_c() => {
            out.note(&format!(
                "\nStopped following. CloudFormation keeps changing stack {name}; watch it with `fnplan status` (a new `fnplan apply --wait` waits for it)."
            ));
            Ok(None)
        }
    }
}

pub(super) fn report(f: Option<Followed>, name: &str, out: &Output) -> std::io::Result<ExitStatus> {
    let Some(f) = f else {
        return Ok(ExitStatus::Failure);
    };
    if f.succeeded() {
        let mut s = format!(
            "\n{name}: {} in {:.1}s\n",
            f.status,
            f.elapsed.as_secs_f64()
        );
        if !f.outputs.is_empty() {
            s.push_str("\nOutputs:\n");
            let w = f.outputs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, v) in &f.outputs {
                s.push_str(&format!("  {k:<w$}  {v}\n"));
            }
        }
        out.print(&s)?;
        return Ok(ExitStatus::Success);
    }
    let mut s = format!(
        "\n{name}: {} after {:.1}s\n",
        f.status,
        f.elapsed.as_secs_f64()
    );
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
            s.push_str(&format!(
                "  {} ({}) {}: {}\n",
                e.logical_id,
                e.resource_type,
                e.status,
                e.reason.as_deref().unwrap_or("no reason given")
            ));
        }
    }
    out.print(&s)?;
    Ok(ExitStatus::Failure)
}

pub fn run_destroy(a: DestroyArgs, out: &Output) -> std::io::Result<ExitStatus> {
    let (_loaded, c) = match super::stack::compile_only(&a.spec, out)? {
        Ok(x) => x,
        Err(status) => return Ok(status),
    };
    let name = c.model.stack_name.clone();
    let (progress, color) = progress_color(a.progress, out);
    let rt = super::stack::runtime()?;
    let r: Result<ExitStatus, DeployError> = rt.block_on(async {
        let config = client::load(&a.aws, c.model.region.as_deref()).await?;
        let api = SdkStackApi::new(&config);
        let Some(stack) = api.describe_stack(&name).await? else {
            out.print(&format!("Stack {name} does not exist; nothing to destroy.\n"))?;
            return Ok(ExitStatus::Success);
        };
        let template = cfn_yaml::parse(&api.get_template(&stack.stack_id).await?).map_err(DeployError::BadTemplate)?;
        let (mut deleted, mut kept) = (Vec::new(), Vec::new());
        if let Some(res) = template.get("Resources").and_then(|r| r.as_object()) {
            for (id, r) in res {
                let ty = r.get("Type").and_then(|t| t.as_str()).unwrap_or("?");
                let retained = r.get("DeletionPolicy").and_then(|p| p.as_str()) == Some("Retain");
                if retained { kept.push(format!("{id} ({ty})")) } else { deleted.push(format!("{id} ({ty})")) }
            }
        }
        let mut s = format!("Destroying stack {name} ({}):\n", stack.status);
        s.push_str(&format!("\n- {} resource(s) will be deleted:\n", deleted.len()));
        for d in &deleted {
            s.push_str(&format!("    - {d}\n"));
        }
        if !kept.is_empty() {
            s.push_str(&format!("\n= {} resource(s) will be kept with their data (DeletionPolicy: Retain):\n", kept.len()));
            for k in &kept {
                s.push_str(&format!("    = {k}\n"));
            }
            s.push_str("  They stay in the account after the stack is gone; delete them yourself when you no longer need the data.\n");
        }
        out.print(&s)?;
        if !a.auto_approve {
            match out.confirm(&format!("Destroy stack {name}?")) {
                Some(true) => {}
                Some(false) => {
                    out.note("Destroy cancelled; nothing was changed.");
                    return Ok(ExitStatus::Failure);
                }
                None => {
                    out.error("refusing to destroy without confirmation: there is no terminal to ask on; pass --auto-approve. Nothing was changed");
                    return Ok(ExitStatus::InputError);
                }
            }
        }
        let seen = follow::existing_event_ids(&api, &stack.stack_id).await.unwrap_or_default();
        api.delete_stack(&stack.stack_id).await?;
        let f = follow_or_interrupt(&api, &stack.stack_id, seen, progress, color, &name, out).await?;
        Ok(report(f, &name, out)?)
    });
    r.or_else(|e| {
        out.error(&e.to_string());
        Ok(ExitStatus::Failure)
    })
}

pub fn run_status(a: StatusArgs, out: &Output) -> std::io::Result<ExitStatus> {
    let (_loaded, c) = match super::stack::compile_only(&a.spec, out)? {
        Ok(x) => x,
        Err(status) => return Ok(status),
    };
    let name = c.model.stack_name.clone();
    let color = out.color.use_color_for_stdout();
    let rt = super::stack::runtime()?;
    let r: Result<ExitStatus, DeployError> = rt.block_on(async {
        let config = client::load(&a.aws, c.model.region.as_deref()).await?;
        let api = SdkStackApi::new(&config);
        let Some(stack) = api.describe_stack(&name).await? else {
            out.print(&format!("Stack {name} does not exist. `fnplan apply` creates it.\n"))?;
            return Ok(ExitStatus::Success);
        };
        let mut s = format!("Stack {name}: {}\n", stack.status);
        if let Some(r) = &stack.status_reason {
            s.push_str(&format!("  {r}\n"));
        }
        if let Some(t) = &stack.last_updated {
            s.push_str(&format!("  last updated {t}\n"));
        }
        s.push_str(&format!("  id {}\n", stack.stack_id));
        let events = api.stack_events(&stack.stack_id).await?;
        if !events.is_empty() {
            s.push_str(&format!("\nLast {} event(s), newest last:\n", a.events.min(events.len())));
            for e in events.iter().take(a.events).rev() {
                s.push_str(&format!("  {}  {}\n", e.timestamp, follow::line(e, std::time::Duration::ZERO, None, color).trim_start_matches([' ', '0', '.', 's']).trim_start()));
            }
            let failures: Vec<_> = events.iter().filter(|e| e.is_failure()).collect();
            if let Some(first) = failures.last() {
                s.push_str(&format!(
                    "\nFirst failure: {} ({}): {}\n",
                    first.logical_id,
                    first.status,
                    first.reason.as_deref().unwrap_or("no reason given")
                ));
            }
        }
        if !stack.outputs.is_empty() {
            s.push_str("\nOutputs:\n");
            for (k, v) in &stack.outputs {
                s.push_str(&format!("  {k} = {v}\n"));
            }
        }
        // Drift hints: the deployed template against the spec, and where to look further.
        let deployed = cfn_yaml::parse(&api.get_template(&stack.stack_id).await?).map_err(DeployError::BadTemplate)?;
        if deployed == c.template.value {
            s.push_str("\nThe deployed template matches the spec.\n");
        } else {
            s.push_str("\nThe deployed template differs from the spec: `fnplan plan` shows how.\n");
        }
        s.push_str(&format!(
            "Changes made outside CloudFormation: `aws cloudformation detect-stack-drift --stack-name {name}`.\n"
        ));
        out.print(&s)?;
        Ok(ExitStatus::Success)
    });
    r.or_else(|e| {
        out.error(&e.to_string());
        Ok(ExitStatus::Failure)
    })
}
