//! The one event follower of `apply`, `destroy` and `bootstrap`: a stack and the call that
//! starts its change in, the stack's events streamed to the [`Ui`] and how it ended out.

use super::Ui;
use crate::deploy::follow::{self, Followed};
use crate::deploy::{DeployError, StackApi};

/// How following a stack ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watched {
    /// The stack settled (successfully or not).
    Finished(Followed),
    /// Ctrl-C: we stopped following; CloudFormation keeps going.
    Interrupted,
}

/// What to start on the stack.
pub enum Start<'a> {
    ExecuteChangeSet(&'a str),
    DeleteStack,
}

/// Start the change on `stack` (a name or id) and follow its events until it settles or
/// the user presses Ctrl-C. Events that existed before are not shown again.
pub async fn run(
    api: &impl StackApi,
    stack: &str,
    start: Start<'_>,
    ui: &dyn Ui,
) -> Result<Watched, DeployError> {
    let seen = follow::existing_event_ids(api, stack)
        .await
        .unwrap_or_default();
    match start {
        Start::ExecuteChangeSet(arn) => {
            if let Some(note) = crate::deploy::apply::execute(api, arn).await? {
                ui.note(&note);
            }
        }
        Start::DeleteStack => api.delete_stack(stack).await?,
    }
    let (progress, color) = ui.progress();
    let mut sink = ui.events();
    tokio::select! {
        r = follow::follow(api, stack, seen, progress, color, &mut *sink) => r.map(Watched::Finished),
        _ = tokio::signal::ctrl_c() => Ok(Watched::Interrupted),
    }
}

/// The stack's id when it exists (events are read by id), else its name.
pub async fn stack_ref(api: &impl StackApi, name: &str) -> Result<String, DeployError> {
    Ok(api
        .describe_stack(name)
        .await?
        .map(|s| s.stack_id)
        .unwrap_or_else(|| name.to_string()))
}
