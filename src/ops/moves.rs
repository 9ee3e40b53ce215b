//! `apply` of a plan with moves (`renamed_from:`): the approved plan in; the resources
//! moved to their new logical IDs (CloudFormation stack refactoring), the stack planned
//! again and its change set executed; an [`ApplyOutcome`] out. The move comes first
//! because a change set can only be made against the stack as it is after it.

use super::apply::{ApplyOutcome, Refusal};
use super::watch::{self, Start};
use super::{OpsError, Ui};
use crate::deploy::plan::{Action, Plan};
use crate::deploy::refactor::{self, TemplateRef};
use crate::deploy::run::{self, PlanInput};
use crate::deploy::{DeployError, StackApi, cfn_yaml};
use crate::limits::INLINE_TEMPLATE_BYTES;
use crate::package::upload;
use std::time::Duration;

/// What moving needs besides the CloudFormation client.
pub(super) struct MoveCx<'a> {
    pub config: &'a aws_config::SdkConfig,
    pub bucket: Option<&'a str>,
    pub input: &'a PlanInput<'a>,
    pub ui: &'a dyn Ui,
}

/// How long CloudFormation may take to validate, then to execute, a refactor.
const REFACTOR_WAIT: Duration = Duration::from_secs(900);

/// Move, plan again, and execute; `plan` has been shown and approved.
pub(super) async fn apply(
    api: &impl StackApi,
    cx: &MoveCx<'_>,
    plan: Plan,
) -> Result<ApplyOutcome, OpsError> {
    let Some(stack_id) = plan.stack.stack_id.clone() else {
        return Ok(ApplyOutcome::Refused(Refusal::StackState(
            "the plan moves resources of a stack that does not exist".into(),
        )));
    };
    let deployed = api.get_template(&stack_id).await?;
    let deployed = cfn_yaml::parse(&deployed).map_err(DeployError::BadTemplate)?;
    let (moved, done) = refactor::rename(&deployed, &cx.input.moves);
    if done != plan.moves {
        return Ok(stale("the deployed stack changed since the plan was made"));
    }
    let body = serde_json::to_string(&moved).unwrap_or_default();
    let url = match (body.len() > INLINE_TEMPLATE_BYTES, cx.bucket) {
        (false, _) => None,
        (true, None) => return Err(DeployError::TemplateNeedsBucket(body.len()).into()),
        (true, Some(b)) => {
            let key = format!(
                "{}/{}/templates/{}.json",
                plan.app,
                plan.stage,
                run::sha256_hex(body.as_bytes())
            );
            Some(upload::put_template(cx.config, b, &key, body.clone()).await?)
        }
    };
    let template = url
        .as_deref()
        .map_or(TemplateRef::Body(&body), TemplateRef::Url);
    for m in &done {
        cx.ui.note(&format!(
            "Moving {} -> {} ({}) by stack refactoring ...",
            m.from, m.to, m.resource_type
        ));
    }
    refactor::run(api, &plan.stack_name, template, &done, REFACTOR_WAIT).await?;
    cx.ui
        .note("Moved; the resources kept their physical IDs and data.");
    then_update(api, cx, &plan).await
}

/// The rest of the plan, now that the moves are made: the same changes, or nothing.
async fn then_update(
    api: &impl StackApi,
    cx: &MoveCx<'_>,
    approved: &Plan,
) -> Result<ApplyOutcome, OpsError> {
    let opts = run::PlanOptions {
        change_set: crate::deploy::preview::ChangeSetMode::Auto,
        keep_change_set: true,
        // Only compared with the approved plan: drift was shown there.
        drift: false,
        ..Default::default()
    };
    let again = run::plan(api, cx.input, opts).await?;
    let shape = |p: &Plan| -> Vec<(String, Action)> {
        p.changes
            .iter()
            .map(|c| (c.logical_id.clone(), c.action))
            .collect()
    };
    if !again.moves.is_empty() || shape(&again) != shape(approved) {
        let _ = run::discard(api, &again).await;
        return Ok(stale(
            "after the move, the stack's changes differ from the approved plan; the moves are done: run `fnplan plan` again",
        ));
    }
    let Some(cs) = again.change_set.clone() else {
        return Ok(ApplyOutcome::NoChanges(Box::new(again)));
    };
    let stack = watch::stack_ref(api, &again.stack_name).await?;
    cx.ui
        .note(&format!("Applying change set to {} ...", again.stack_name));
    let watched = watch::run(api, &stack, Start::ExecuteChangeSet(&cs.arn), cx.ui).await?;
    Ok(ApplyOutcome::Applied {
        stack: again.stack_name,
        watched,
    })
}

fn stale(reason: &str) -> ApplyOutcome {
    ApplyOutcome::Refused(Refusal::StackState(reason.to_string()))
}
