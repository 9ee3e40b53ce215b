//! The drift section: a plan's [`DriftReport`] in, a summary under the stack's status and
//! the listing of what was changed outside CloudFormation (as [`Line`]s, drawn by each
//! format like the change listing) out. Like terraform's "Objects have changed outside
//! of Terraform": drift alone is not a change (apply does not act on it), so it does not
//! count in the headline or in `--detailed-exitcode`.

use super::{Line, Mark, value};
use crate::deploy::plan::{
    Action, DifferenceKind, DriftReport, DriftStatus, Plan, PropertyDrift, ResourceDrift,
};

/// The section's title.
pub(super) const TITLE: &str = "Changed outside fnplan";

/// One line on drift, and one on what was left out (if anything); none without a report.
pub(super) fn summary(plan: &Plan) -> Vec<String> {
    let Some(d) = &plan.drift else {
        return Vec::new();
    };
    if !d.checked && d.status == "NOT_CHECKED" {
        let why = d.reason.as_deref().unwrap_or("no reason given");
        return vec![format!("Drift not checked: {why}")];
    }
    let mut out = vec![headline(d)];
    out.extend(d.reason.as_ref().map(|r| format!("Drift detection: {r}")));
    out
}

fn headline(d: &DriftReport) -> String {
    let n = d.resources.len();
    if n == 0 {
        return if d.status == "IN_SYNC" {
            "No drift: the deployed resources match their template.".into()
        } else {
            format!("No drift found (stack drift status {}).", d.status)
        };
    }
    let touched = d.resources.iter().filter(|r| r.planned.is_some()).count();
    let resources = if n == 1 { "resource" } else { "resources" };
    let plan = match touched {
        0 => "the plan changes none of them, so apply leaves them as they are".to_string(),
        t if t == n => "the plan changes all of them".to_string(),
        t => format!("the plan changes {t} of them"),
    };
    format!("Drift: {n} {resources} changed outside CloudFormation; {plan} (see {TITLE}).")
}

/// The drifted resources, each with its differing properties and what apply does.
pub(super) fn lines(plan: &Plan) -> Vec<Line> {
    let mut out = Vec::new();
    for r in plan.drift.iter().flat_map(|d| &d.resources) {
        let mark = match r.status {
            DriftStatus::Deleted => Mark::Delete,
            _ => Mark::Modify,
        };
        out.push(Line::new(mark, 0, header(r)));
        out.extend(r.differences.iter().map(property));
        out.extend(
            r.on_apply
                .iter()
                .map(|s| Line::new(Mark::Note, 1, s.clone())),
        );
    }
    out
}

/// `WorkerFunction (AWS::Lambda::Function) modified outside CloudFormation; the plan modifies it`.
fn header(r: &ResourceDrift) -> String {
    let what = match r.status {
        DriftStatus::Modified => "modified",
        DriftStatus::Deleted => "deleted",
        DriftStatus::InSync => "in sync",
        DriftStatus::NotChecked => "not checked",
        DriftStatus::Unknown => "in an unknown state",
    };
    let plan = match r.planned {
        None => "",
        Some(Action::Create) => "; the plan creates it",
        Some(Action::Modify) => "; the plan modifies it",
        Some(Action::Replace) => "; the plan replaces it",
        Some(Action::Delete) => "; the plan deletes it",
    };
    format!(
        "{} ({}) {what} outside CloudFormation{plan}",
        r.logical_id, r.resource_type
    )
}

/// `~ Properties.MemorySize: 256 -> 1024` (the template's value, then the live one); a
/// list item added live as `+`, a property removed live as `-`.
fn property(p: &PropertyDrift) -> Line {
    let show = |v: &Option<serde_json::Value>| v.as_ref().map_or("(none)".into(), value::inline);
    let (mark, text) = match p.kind {
        DifferenceKind::Add => (Mark::Create, format!("{}: {}", p.path, show(&p.actual))),
        DifferenceKind::Remove => (
            Mark::Delete,
            format!(
                "{}: {} (removed from the live resource)",
                p.path,
                show(&p.expected)
            ),
        ),
        DifferenceKind::NotEqual => (
            Mark::Modify,
            format!("{}: {} -> {}", p.path, show(&p.expected), show(&p.actual)),
        ),
    };
    let planned = if p.planned {
        " (the plan changes it)"
    } else {
        ""
    };
    Line::new(mark, 1, format!("{text}{planned}"))
}

#[cfg(test)]
mod tests;
