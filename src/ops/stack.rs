//! `destroy` and `status`: a spec's stage and AWS options in; the stack deleted (after a
//! confirmed preview) or its state read; a [`DestroyOutcome`] or [`StatusOutcome`] out.

use super::apply::Refusal;
use super::compile::CodeNeed;
use super::watch::{self, Start, Watched};
use super::{OpsError, Preview, SpecRef, Ui};
use crate::deploy::aws::SdkStackApi;
use crate::deploy::client::{self, AwsOptions};
use crate::deploy::{DeployError, StackApi, StackEvent, StackInfo, cfn_yaml};
use serde_json::Value;

#[derive(Clone, Debug)]
pub struct StackOptions {
    pub spec: SpecRef,
    pub aws: AwsOptions,
}

/// What `destroy` deletes and what stays behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestroyPreview {
    pub stack: String,
    pub status: String,
    /// `(logical id, type)` of the resources deleted with the stack.
    pub deleted: Vec<(String, String)>,
    /// `(logical id, type)` of the resources kept (DeletionPolicy Retain).
    pub kept: Vec<(String, String)>,
}

#[derive(Debug)]
pub enum DestroyOutcome {
    /// There is no such stack.
    Missing {
        stack: String,
    },
    Destroyed {
        stack: String,
        watched: Watched,
    },
    Refused(Refusal),
}

/// What `status` found.
#[derive(Debug)]
pub struct StatusOutcome {
    pub stack: String,
    /// `None` when the stack does not exist.
    pub info: Option<StackInfo>,
    /// The most recent events, newest first.
    pub events: Vec<StackEvent>,
    /// The oldest failure among the stack's events (the root cause).
    pub first_failure: Option<StackEvent>,
    /// Whether the deployed template equals the spec's.
    pub matches_spec: bool,
}

/// Resolve AWS and the stack of `o`'s stage; the spec is compiled but not linted.
async fn connect(o: &StackOptions, region: Option<&str>) -> Result<SdkStackApi, OpsError> {
    let config = client::load(&o.aws, region).await?;
    Ok(SdkStackApi::new(&config))
}

pub fn destroy(
    o: &StackOptions,
    auto_approve: bool,
    ui: &dyn Ui,
) -> Result<DestroyOutcome, OpsError> {
    // Only the stack's name and region are needed: no render, no code.
    let loaded = super::compile::load(&o.spec.path)?;
    let c = loaded.lower(o.spec.stage.as_deref())?;
    let name = c.model.stack_name.clone();
    let rt = super::runtime()?;
    rt.block_on(async {
        let api = connect(o, c.model.region.as_deref()).await?;
        let Some(stack) = api.describe_stack(&name).await? else {
            return Ok(DestroyOutcome::Missing { stack: name });
        };
        let template = deployed_template(&api, &stack.stack_id).await?;
        let preview = preview(&name, &stack.status, &template);
        ui.preview(Preview::Destroy(&preview))
            .map_err(DeployError::Output)?;
        if !auto_approve {
            match ui.confirm(&format!("Destroy stack {name}?")) {
                Some(true) => {}
                Some(false) => return Ok(DestroyOutcome::Refused(Refusal::Declined)),
                None => return Ok(DestroyOutcome::Refused(Refusal::NoTerminal)),
            }
        }
        let watched = watch::run(&api, &stack.stack_id, Start::DeleteStack, ui).await?;
        Ok(DestroyOutcome::Destroyed {
            stack: name,
            watched,
        })
    })
}

async fn deployed_template(api: &impl StackApi, stack_id: &str) -> Result<Value, DeployError> {
    cfn_yaml::parse(&api.get_template(stack_id).await?).map_err(DeployError::BadTemplate)
}

/// Which resources of `template` go with the stack and which are retained.
fn preview(stack: &str, status: &str, template: &Value) -> DestroyPreview {
    let (mut deleted, mut kept) = (Vec::new(), Vec::new());
    if let Some(res) = template.get("Resources").and_then(Value::as_object) {
        for (id, r) in res {
            let ty = r.get("Type").and_then(Value::as_str).unwrap_or("?");
            let retained = r.get("DeletionPolicy").and_then(Value::as_str) == Some("Retain");
            let entry = (id.clone(), ty.to_string());
            if retained {
                kept.push(entry);
            } else {
                deleted.push(entry);
            }
        }
    }
    DestroyPreview {
        stack: stack.to_string(),
        status: status.to_string(),
        deleted,
        kept,
    }
}

/// The stack's state and its `recent` newest events.
pub fn status(o: &StackOptions, recent: usize) -> Result<StatusOutcome, OpsError> {
    let (_, c) = super::compile::compile(&o.spec, CodeNeed::Fingerprints)?;
    let name = c.model.stack_name.clone();
    let rt = super::runtime()?;
    rt.block_on(async {
        let api = connect(o, c.model.region.as_deref()).await?;
        let Some(info) = api.describe_stack(&name).await? else {
            return Ok(StatusOutcome {
                stack: name,
                info: None,
                events: Vec::new(),
                first_failure: None,
                matches_spec: false,
            });
        };
        let mut events = api.stack_events(&info.stack_id).await?;
        let first_failure = events.iter().rev().find(|e| e.is_failure()).cloned();
        events.truncate(recent);
        let deployed = deployed_template(&api, &info.stack_id).await?;
        Ok(StatusOutcome {
            stack: name,
            matches_spec: deployed == *c.template.value(),
            info: Some(info),
            events,
            first_failure,
        })
    })
}
