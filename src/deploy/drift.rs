//! Drift: a live stack (and its nested stacks) and the plan's changes in, a [`DriftReport`]
//! out: what was changed outside CloudFormation since the last deployment, and what `apply`
//! does about each difference.
//!
//! Detection is CloudFormation's (DetectStackDrift, then DescribeStackDriftDetectionStatus
//! until done, then DescribeStackResourceDrifts). It never fails a plan: an endpoint without
//! drift detection, a denied call or a detection still running at the deadline gives a
//! report with `checked: false` and the reason. DetectStackDrift on a parent stack does not
//! look into its nested stacks, so each nested stack the plan resolved gets its own.
//!
//! What apply does, as CloudFormation documents it: a standard change set compares the new
//! template with the previous one and does not account for drift, so a resource whose
//! template does not change is not touched and keeps its drift; a resource that is updated
//! gets the properties the plan changes from the template; a replacement starts from the
//! template; a resource deleted outside CloudFormation is not recreated by an update that
//! leaves it unchanged, and an in-place update of it fails (a resource type's update
//! handler fails with NotFound when the resource does not exist).

use super::mask::mask_env;
use super::plan::{
    Action, DriftReport, DriftStatus, Plan, PropertyDrift, ResourceChange, ResourceDrift,
};
use super::{DeployError, StackApi, StackInfo};
use crate::aws_error::AwsError;
use crate::deploy::format::value;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Detections started on a stack and its nested stacks, to be collected by [`finish`].
pub struct Pending {
    detections: Vec<Detection>,
    started: Instant,
    /// The report when detection could not start at all.
    early: Option<DriftReport>,
}

/// One stack's detection.
struct Detection {
    /// The nested stack's logical ID in the parent; `None` for the parent.
    nested: Option<String>,
    stack_id: String,
    /// The detection's ID, or why it did not start.
    id: Result<String, String>,
}

/// What one stack's detection found.
enum Outcome {
    Done {
        status: String,
        reason: Option<String>,
        resources: Vec<ResourceDrift>,
    },
    NotChecked(String),
}

/// Start detection on `stack` and on each of its nested stacks (`(logical ID, stack ID)`).
pub async fn start(api: &impl StackApi, stack: &StackInfo, nested: &[(String, String)]) -> Pending {
    let started = Instant::now();
    if !super::is_settled(&stack.status) {
        return Pending {
            detections: Vec::new(),
            started,
            early: Some(DriftReport::not_checked(format!(
                "the stack is {}: drift is detected once it stops changing",
                stack.status
            ))),
        };
    }
    let stacks = std::iter::once((None, stack.stack_id.clone())).chain(
        nested
            .iter()
            .map(|(logical, id)| (Some(logical.clone()), id.clone())),
    );
    let mut detections = Vec::new();
    for (nested, stack_id) in stacks {
        let id = api.detect_drift(&stack_id).await.map_err(|e| explain(&e));
        // Where the parent cannot be checked, its nested stacks cannot either.
        let stop = nested.is_none() && id.is_err();
        detections.push(Detection {
            nested,
            stack_id,
            id,
        });
        if stop {
            break;
        }
    }
    Pending {
        detections,
        started,
        early: None,
    }
}

/// Wait for the detections (until `wait` after they started), read what they found and
/// say what the plan does about it.
pub async fn finish(
    api: &impl StackApi,
    pending: Pending,
    wait: Duration,
    plan: &Plan,
) -> DriftReport {
    if let Some(report) = pending.early {
        return report;
    }
    let deadline = pending.started + wait;
    let mut outcomes = Vec::new();
    for d in &pending.detections {
        let outcome = settle(api, d, deadline, wait).await;
        if d.nested.is_none()
            && let Outcome::NotChecked(reason) = outcome
        {
            return DriftReport::not_checked(reason);
        }
        outcomes.push((d.nested.as_deref(), outcome));
    }
    let mut report = combine(outcomes);
    annotate(&mut report, plan);
    report
}

/// Poll one detection until it is done or the deadline passes, then read its resources.
async fn settle(api: &impl StackApi, d: &Detection, deadline: Instant, wait: Duration) -> Outcome {
    let id = match &d.id {
        Ok(id) => id,
        Err(reason) => return Outcome::NotChecked(reason.clone()),
    };
    let mut delay = Duration::from_millis(100);
    let status = loop {
        let s = match api.drift_detection(id).await {
            Ok(s) => s,
            Err(e) => return Outcome::NotChecked(explain(&e)),
        };
        if !s.in_progress() {
            break s;
        }
        if Instant::now() >= deadline {
            return Outcome::NotChecked(format!(
                "drift detection did not finish within {} s (detection {id}; `aws cloudformation describe-stack-drift-detection-status --stack-drift-detection-id {id}` shows it later)",
                wait.as_secs()
            ));
        }
        tokio::time::sleep(delay.min(deadline.saturating_duration_since(Instant::now()))).await;
        delay = (delay * 2).min(Duration::from_secs(2));
    };
    let mut resources = match api.resource_drifts(&d.stack_id).await {
        Ok(r) => r,
        Err(e) => return Outcome::NotChecked(explain(&e)),
    };
    if let Some(prefix) = &d.nested {
        for r in &mut resources {
            r.logical_id = format!("{prefix}/{}", r.logical_id);
        }
    }
    let reason = (status.status == "DETECTION_FAILED").then(|| {
        let why = status.reason.as_deref().unwrap_or("no reason given");
        format!("CloudFormation could not check every resource: {why}")
    });
    Outcome::Done {
        status: status.stack_status.unwrap_or_else(|| "UNKNOWN".into()),
        reason,
        resources,
    }
}

/// One report of the parent's outcome and the nested stacks': `DRIFTED` if any drifted,
/// else `UNKNOWN` if any could not be told, else `IN_SYNC`; checked only if all were.
fn combine(outcomes: Vec<(Option<&str>, Outcome)>) -> DriftReport {
    let mut report = DriftReport {
        checked: true,
        status: "IN_SYNC".into(),
        ..DriftReport::default()
    };
    let mut reasons = Vec::new();
    let rank = |s: &str| match s {
        "DRIFTED" => 2,
        "IN_SYNC" => 0,
        _ => 1,
    };
    for (nested, outcome) in outcomes {
        let within = |r: String| match nested {
            Some(n) => format!("nested stack {n}: {r}"),
            None => r,
        };
        match outcome {
            Outcome::Done {
                status,
                reason,
                resources,
            } => {
                if rank(&status) > rank(&report.status) {
                    report.status = status;
                }
                reasons.extend(reason.map(within));
                report.resources.extend(resources);
            }
            Outcome::NotChecked(r) => {
                report.checked = false;
                reasons.push(within(format!("not checked: {r}")));
            }
        }
    }
    report.reason = (!reasons.is_empty()).then(|| reasons.join("; "));
    report
        .resources
        .sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
    report
}

/// Why a drift call failed, in words a reader can act on.
fn explain(e: &DeployError) -> String {
    let DeployError::Aws(aws) = e else {
        return e.to_string();
    };
    match aws {
        AwsError::Service { code, .. }
            if code.contains("AccessDenied") || code == "UnauthorizedOperation" =>
        {
            format!(
                "access denied ({aws}); drift detection needs cloudformation:DetectStackDrift, DescribeStackDriftDetectionStatus and DescribeStackResourceDrifts, and read access to the stack's resources (or pass --no-drift)"
            )
        }
        AwsError::Service { code, .. }
            if matches!(
                code.as_str(),
                "NotImplemented" | "InvalidAction" | "UnknownOperation"
            ) =>
        {
            format!("the endpoint does not support drift detection ({aws})")
        }
        // Not CloudFormation's error shape: a local emulator without the call (moto
        // answers an HTML page with status 500).
        AwsError::Service {
            operation,
            code,
            message,
        } if code == "Unknown" && message.is_empty() => format!(
            "the endpoint does not seem to support drift detection ({operation} got an error answer that is not CloudFormation's)"
        ),
        _ => aws.to_string(),
    }
}

/// Mark what the plan does to each drifted resource and property, mask secret values, and
/// say what apply does in words.
pub fn annotate(report: &mut DriftReport, plan: &Plan) {
    for r in &mut report.resources {
        let change = plan.changes.iter().find(|c| c.logical_id == r.logical_id);
        r.planned = change.map(|c| c.action);
        for d in &mut r.differences {
            d.planned =
                change.is_some_and(|c| c.properties.iter().any(|p| overlaps(&p.path, &d.path)));
            mask(d);
        }
        r.on_apply = on_apply(r, change);
    }
}

/// `a` and `b` name the same property, or one is inside the other.
fn overlaps(a: &str, b: &str) -> bool {
    let inside = |outer: &str, inner: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    };
    inside(a, b) || inside(b, a)
}

/// What apply does about the drift of `r`, which the plan changes as `change` (if at all).
fn on_apply(r: &ResourceDrift, change: Option<&ResourceChange>) -> Vec<String> {
    let deleted = r.status == DriftStatus::Deleted;
    let Some(c) = change else {
        return vec![if deleted {
            "apply leaves it deleted: CloudFormation does not recreate a resource deleted outside it on an update that does not change it (only a replacement creates it again)".into()
        } else {
            "apply leaves it as it is live: the plan does not change this resource, and CloudFormation updates only the resources whose template changes, so this drift stays".into()
        }];
    };
    match (c.action, deleted) {
        (Action::Replace, true) => vec!["apply creates it again: the plan replaces it, and a replacement is made from the template".into()],
        (Action::Replace, false) => {
            let mut s = "apply replaces it: the new resource is made from the template, so the values changed outside CloudFormation do not carry over".to_string();
            if c.retained {
                s.push_str(" (the old one stays outside the stack, as it is live)");
            }
            vec![s]
        }
        (Action::Delete, _) if c.retained => vec!["apply removes it from the stack and keeps the resource as it is live (DeletionPolicy Retain)".into()],
        (Action::Delete, true) => vec!["apply removes it from the stack (it is already gone)".into()],
        (Action::Delete, false) => vec!["apply deletes it, drift and all".into()],
        (_, true) => vec!["apply fails on it: the plan updates it in place, and CloudFormation cannot update a resource that was deleted (change it so that it is replaced, or remove it from the stack first)".into()],
        (_, false) => updated(r, c),
    }
}

/// An in-place update: the drifted properties it sets, and the ones it leaves to chance.
fn updated(r: &ResourceDrift, c: &ResourceChange) -> Vec<String> {
    let mut out = Vec::new();
    for d in r.differences.iter().filter(|d| d.planned) {
        let new = c
            .properties
            .iter()
            .find(|p| p.path == d.path)
            .and_then(|p| p.new.as_ref());
        let live = d.actual.as_ref().map_or("(none)".into(), value::inline);
        out.push(match new {
            Some(v) => format!(
                "apply sets {} to {}, over the live {live}",
                d.path,
                value::inline(v)
            ),
            None => format!("apply overwrites {}: the plan changes it", d.path),
        });
    }
    let left: Vec<&str> = r
        .differences
        .iter()
        .filter(|d| !d.planned)
        .map(|d| d.path.as_str())
        .collect();
    if !left.is_empty() {
        out.push(format!(
            "apply updates this resource but not {}: CloudFormation may set {} back to the template's value or leave {} as {} live, depending on the resource type",
            left.join(", "),
            if left.len() == 1 { "it" } else { "them" },
            if left.len() == 1 { "it" } else { "them" },
            if left.len() == 1 { "it is" } else { "they are" },
        ));
    }
    out
}

/// Hide the values of secret-looking environment variables (as [`super::mask`] does for
/// the plan's changes).
fn mask(d: &mut PropertyDrift) {
    const ENV: &str = "Properties.Environment";
    const VARS: &str = "Properties.Environment.Variables";
    if let Some(name) = variable_name(&d.path, VARS) {
        for v in [&mut d.expected, &mut d.actual].into_iter().flatten() {
            mask_env(&name, v);
        }
        return;
    }
    let under = if d.path == ENV {
        Some("Variables")
    } else if d.path == VARS {
        None
    } else {
        return;
    };
    for v in [&mut d.expected, &mut d.actual].into_iter().flatten() {
        let vars = match under {
            Some(key) => v.get_mut(key),
            None => Some(v),
        };
        if let Some(vars) = vars.and_then(Value::as_object_mut) {
            for (name, val) in vars.iter_mut() {
                mask_env(name, val);
            }
        }
    }
}

/// `NAME` of `{vars}.NAME` or `{vars}["NAME"]`.
fn variable_name(path: &str, vars: &str) -> Option<String> {
    let rest = path.strip_prefix(vars)?;
    if let Some(name) = rest.strip_prefix('.') {
        return Some(name.to_string());
    }
    let quoted = rest.strip_prefix('[')?.strip_suffix(']')?;
    serde_json::from_str(quoted).ok()
}

/// A drift `PropertyPath` (a JSON pointer into the resource's properties: `/Tags/0/Value`)
/// written as the plan writes paths: `Properties.Tags[0].Value`.
pub fn property_path(pointer: &str) -> String {
    let mut out = String::from("Properties");
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        let plain = !seg.is_empty()
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':'));
        if !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else if plain {
            out.push('.');
            out.push_str(&seg);
        } else {
            out.push_str(&format!("[{}]", Value::String(seg)));
        }
    }
    out
}

/// An `ExpectedValue`/`ActualValue`: JSON when it parses (numbers, lists, objects), else
/// the text itself (CloudFormation sends plain strings unquoted).
pub fn parse_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

#[cfg(test)]
mod tests;
