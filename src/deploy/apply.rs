//! Applying safely: a plan, the stack's state and the user's permissions in, decisions
//! (refuse, wait, recreate, ask) and an executed change set out.

use super::plan::{Plan, Risk};
use super::{ChangeSetDescription, DeployError, StackApi, StackInfo, follow};
use std::time::Duration;

/// What to do about the stack's current state before applying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackCheck {
    /// Go ahead; `None` when the stack does not exist (or was just deleted).
    Ready(Option<StackInfo>),
    /// Do not apply; the message says why and what to do.
    Refuse(String),
}

/// Explain and handle the states a stack can be in before an apply.
pub async fn check_stack(
    api: &impl StackApi,
    stack: &str,
    wait: bool,
    recreate: bool,
) -> Result<StackCheck, DeployError> {
    let mut info = api.describe_stack(stack).await?;
    if let Some(s) = &info
        && !super::is_settled(&s.status)
        && s.status != "REVIEW_IN_PROGRESS"
    {
        if !wait {
            return Ok(StackCheck::Refuse(format!(
                "stack {stack} is {} (another deployment is running); pass --wait to wait for it, or watch it with `fnplan status`",
                s.status
            )));
        }
        info = follow::wait_settled(api, &s.stack_id, Duration::from_secs(3600)).await?;
    }
    let Some(s) = info else {
        return Ok(StackCheck::Ready(None));
    };
    match s.status.as_str() {
        "ROLLBACK_COMPLETE" | "ROLLBACK_FAILED" => {
            if !recreate {
                return Ok(StackCheck::Refuse(format!(
                    "stack {stack} is {}: its first deployment failed and CloudFormation cannot update it; pass --recreate to delete the empty stack and create it again (`fnplan status` shows why it failed)",
                    s.status
                )));
            }
            api.delete_stack(&s.stack_id).await?;
            follow::wait_settled(api, &s.stack_id, Duration::from_secs(1800)).await?;
            Ok(StackCheck::Ready(None))
        }
        "UPDATE_ROLLBACK_FAILED" => Ok(StackCheck::Refuse(format!(
            "stack {stack} is UPDATE_ROLLBACK_FAILED: a rollback could not finish; fix the resource named in `fnplan status`, then run `aws cloudformation continue-update-rollback --stack-name {stack}` (skip resources with --resources-to-skip if needed)"
        ))),
        "DELETE_FAILED" => Ok(StackCheck::Refuse(format!(
            "stack {stack} is DELETE_FAILED; finish deleting it (`fnplan destroy`) before applying"
        ))),
        // A stack left in review by an unexecuted change set holds nothing yet.
        "REVIEW_IN_PROGRESS" => Ok(StackCheck::Ready(None)),
        _ => Ok(StackCheck::Ready(Some(s))),
    }
}

/// Permissions given on the command line for dangerous changes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gates {
    pub allow_broadening: bool,
    pub allow_data_loss: bool,
}

/// The dangerous parts of `plan` not yet allowed by `gates`, each as a sentence.
pub fn unmet_gates(plan: &Plan, gates: Gates) -> Vec<String> {
    let mut out = Vec::new();
    let data_loss: Vec<&str> = plan
        .changes
        .iter()
        .filter(|c| c.risks.contains(&Risk::DataLoss))
        .map(|c| c.logical_id.as_str())
        .collect();
    if !data_loss.is_empty() && !gates.allow_data_loss {
        out.push(format!(
            "data loss: {} would be replaced or deleted with its data (allow with --allow-data-loss)",
            data_loss.join(", ")
        ));
    }
    // No flag allows these: CloudFormation would fail the update and roll it back.
    for c in &plan.changes {
        if let Some(prop) = &c.replacement.fixed_name {
            out.push(format!(
                "update fails: {} must be replaced but keeps its fixed {prop}; change the name (or drop `name:`), or undo the create-only change",
                c.logical_id
            ));
        }
    }
    // Creating a stack grants everything it grants; the gate is for a live stack whose
    // permissions grow.
    let broadening = plan.stack.exists
        && (plan.iam.iter().any(|i| i.broadening)
            || plan
                .changes
                .iter()
                .any(|c| c.risks.contains(&Risk::IamBroadening)));
    if broadening && !gates.allow_broadening {
        out.push("IAM broadening: permissions grow (allow with --allow-broadening)".to_string());
    }
    out
}

/// Check that a saved plan still describes the world: same spec, same rendered
/// template, same stack (not updated since), and its change set still ready.
pub fn verify_saved(
    saved: &Plan,
    spec_sha256: &str,
    template_sha256: &str,
    stack: Option<&StackInfo>,
    change_set: &ChangeSetDescription,
) -> Result<(), String> {
    if saved.spec_sha256 != spec_sha256 {
        return Err("the spec changed since the plan was made".into());
    }
    if saved.template_sha256 != template_sha256 {
        return Err("the rendered template differs from the planned one (a different fnplan version, stage or code)".into());
    }
    match (saved.stack.exists, stack) {
        (true, None) => return Err("the stack was deleted since the plan was made".into()),
        (false, Some(s)) if s.status != "REVIEW_IN_PROGRESS" => {
            return Err("the stack was created by someone else since the plan was made".into());
        }
        (true, Some(s)) => {
            if saved.stack.stack_id.as_deref() != Some(s.stack_id.as_str()) {
                return Err("the stack was replaced since the plan was made".into());
            }
            if saved.stack.last_updated != s.last_updated {
                return Err(format!(
                    "the stack was updated since the plan was made ({} -> {})",
                    saved.stack.last_updated.as_deref().unwrap_or("?"),
                    s.last_updated.as_deref().unwrap_or("?")
                ));
            }
        }
        _ => {}
    }
    if change_set.status != "CREATE_COMPLETE" {
        return Err(format!("its change set is {}", change_set.status));
    }
    if let Some(x) = &change_set.execution_status
        && x != "AVAILABLE"
    {
        return Err(format!("its change set cannot be executed ({x})"));
    }
    Ok(())
}

/// Execute change set `arn`. When the call fails but CloudFormation did start the
/// execution (its answer was lost and the SDK's retry found the change set already
/// executing), the execution is followed all the same: `Ok(Some(note))` says so. Any
/// other failure is the call's error.
pub async fn execute(api: &impl StackApi, arn: &str) -> Result<Option<String>, DeployError> {
    let Err(e) = api.execute_change_set(arn).await else {
        return Ok(None);
    };
    let started = match api.describe_change_set(arn).await {
        Ok(d) => d.execution_status.filter(|x| {
            matches!(
                x.as_str(),
                "EXECUTE_IN_PROGRESS" | "EXECUTE_COMPLETE" | "EXECUTE_FAILED"
            )
        }),
        Err(_) => None,
    };
    match started {
        Some(x) => Ok(Some(format!(
            "ExecuteChangeSet answered with an error ({e}), but CloudFormation started the change set ({x}); following it"
        ))),
        None => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::plan::{Action, ResourceChange};

    /// A replacement CloudFormation would refuse is never allowed by a flag.
    #[test]
    fn a_fixed_name_replacement_is_refused_whatever_is_allowed() {
        let mut c = ResourceChange::new("VideosTable", "AWS::DynamoDB::Table", Action::Replace);
        c.replacement.fixed_name = Some("TableName".into());
        let plan = Plan {
            changes: vec![c],
            ..Plan::default()
        };
        let all = Gates {
            allow_broadening: true,
            allow_data_loss: true,
        };
        let unmet = unmet_gates(&plan, all);
        assert_eq!(unmet.len(), 1);
        assert!(
            unmet[0].starts_with("update fails: VideosTable"),
            "{unmet:?}"
        );
    }
}
