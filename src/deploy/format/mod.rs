//! A [`Plan`] for people and machines: `human` (terminal, like terraform and rain),
//! `markdown` (a pull-request comment) and `json` (`--format json`). All pure and
//! deterministic; the listing and the risk section are built once here and drawn by each.

mod drift;
mod human;
mod json;
mod markdown;
pub mod value;

use super::plan::{Action, IamChange, Plan, ResourceChange, Risk};
pub use human::human;
pub use json::json;
pub use markdown::markdown;

/// What a line of the change listing shows, which decides its sign and colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    Create,
    Modify,
    Replace,
    Delete,
    /// An unchanged line of a unified diff.
    Context,
    /// A unified diff's `@@ ... @@` line.
    Hunk,
    Note,
}

impl From<Action> for Mark {
    fn from(a: Action) -> Self {
        match a {
            Action::Create => Mark::Create,
            Action::Modify => Mark::Modify,
            Action::Replace => Mark::Replace,
            Action::Delete => Mark::Delete,
        }
    }
}

/// One line of the change listing: a resource (depth 0), a property or note (1), or a
/// line of a property's unified diff (2).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Line {
    mark: Mark,
    depth: u8,
    text: String,
}

impl Line {
    fn new(mark: Mark, depth: u8, text: impl Into<String>) -> Line {
        Line {
            mark,
            depth,
            text: text.into(),
        }
    }
}

/// The listing of every change, in the plan's order (risky first).
fn change_lines(plan: &Plan) -> Vec<Line> {
    let mut out = Vec::new();
    for c in &plan.changes {
        out.push(Line::new(c.action.into(), 0, resource_header(c)));
        for p in &c.properties {
            let mark = match (&p.old, &p.new) {
                (None, _) => Mark::Create,
                (_, None) => Mark::Delete,
                _ => Mark::Modify,
            };
            let create_only = if p.replaces { " (create-only)" } else { "" };
            if let Some(diff) = &p.diff {
                out.push(Line::new(mark, 1, format!("{}{create_only}", p.path)));
                out.extend(diff.lines().map(diff_line));
                continue;
            }
            let text = match (&p.old, &p.new, &p.known_after_apply) {
                (_, Some(v), Some(why)) => format!(
                    "{}: {} (known after apply: {why})",
                    p.path,
                    value::inline(v)
                ),
                (Some(o), Some(n), None) => {
                    format!("{}: {} -> {}", p.path, value::inline(o), value::inline(n))
                }
                (None, Some(v), _) | (Some(v), None, _) => {
                    format!("{}: {}", p.path, value::inline(v))
                }
                (None, None, _) => p.path.clone(),
            };
            out.push(Line::new(mark, 1, format!("{text}{create_only}")));
        }
        for n in &c.notes {
            out.push(Line::new(Mark::Note, 1, format!("note: {n}")));
        }
        if let Some(n) = cloudformation_note(c) {
            out.push(Line::new(Mark::Note, 1, n));
        }
        // CloudFormation's own reasons for a replacement (its change set `Details`).
        let entry = plan
            .change_set
            .as_ref()
            .and_then(|cs| cs.changes.iter().find(|e| e.logical_id == c.logical_id));
        for d in entry.map_or(&[][..], |e| e.details.as_slice()) {
            if d.contains("requires recreation: Always")
                || d.contains("requires recreation: Conditionally")
            {
                out.push(Line::new(Mark::Note, 1, format!("CloudFormation: {d}")));
            }
        }
    }
    out
}

/// The moves `apply` makes first (`renamed_from:`), one sentence each (`true`), and
/// what that means for CloudFormation's preview (`false`: a note).
fn move_lines(plan: &Plan) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = plan
        .moves
        .iter()
        .map(|m| {
            (true, format!(
                "{} -> {} ({}): moved by stack refactoring before the update; it keeps its physical resource and data",
                m.from, m.to, m.resource_type
            ))
        })
        .collect();
    if !out.is_empty() && plan.change_set.is_none() {
        out.push((
            false,
            "CloudFormation's change set for the rest is made after the move, during apply".into(),
        ));
    }
    out
}

fn diff_line(l: &str) -> Line {
    match l.chars().next() {
        Some('+') => Line::new(Mark::Create, 2, &l[1..]),
        Some('-') => Line::new(Mark::Delete, 2, &l[1..]),
        Some('@') => Line::new(Mark::Hunk, 2, l),
        Some(' ') => Line::new(Mark::Context, 2, &l[1..]),
        _ => Line::new(Mark::Context, 2, l),
    }
}

/// `OrdersTable (AWS::DynamoDB::Table) replace: KeySchema changed (create-only)`.
fn resource_header(c: &ResourceChange) -> String {
    let verb = match c.action {
        Action::Create => "create".to_string(),
        Action::Modify => "modify".to_string(),
        Action::Replace => format!("replace: {}", replace_reason(c)),
        Action::Delete if c.retained => match &c.physical_id {
            Some(id) => format!("delete from the stack (DeletionPolicy Retain keeps {id})"),
            None => "delete from the stack (DeletionPolicy Retain keeps the resource)".to_string(),
        },
        Action::Delete if c.has_risk(Risk::DataLoss) => "delete, with its data".to_string(),
        Action::Delete => "delete".to_string(),
    };
    format!("{} ({}) {verb}", c.logical_id, c.resource_type)
}

/// `KeySchema changed (create-only)`, `Type changed`, `TranscodeJobsQueue is replaced
/// (EventSourceArn)`, or both kinds joined with "; and ".
fn replace_reason(c: &ResourceChange) -> String {
    let knock_on = &c.replacement.caused_by;
    let direct: Vec<&str> = c
        .replacement
        .because_of
        .iter()
        .map(String::as_str)
        .filter(|p| *p != "Type" && !knock_on.iter().any(|k| k.property == *p))
        .collect();
    let type_changed = c.replacement.because_of.iter().any(|p| p == "Type");
    let own = match (type_changed, direct.is_empty()) {
        (true, true) => Some("Type changed".to_string()),
        (true, false) => Some(format!(
            "Type and {} changed (create-only)",
            direct.join(", ")
        )),
        (false, false) => Some(format!("{} changed (create-only)", direct.join(", "))),
        (false, true) => None,
    };
    // One clause per cause: "TranscodeJobsQueue is replaced (EventSourceArn, Name)".
    let mut causes: Vec<(&str, Vec<&str>)> = Vec::new();
    for k in knock_on {
        match causes.iter_mut().find(|(r, _)| *r == k.reason) {
            Some((_, props)) if !props.contains(&k.property.as_str()) => props.push(&k.property),
            Some(_) => {}
            None => causes.push((&k.reason, vec![&k.property])),
        }
    }
    let mut parts: Vec<String> = own.into_iter().collect();
    parts.extend(
        causes
            .iter()
            .map(|(r, props)| format!("{r} ({})", props.join(", "))),
    );
    if parts.is_empty() {
        "CloudFormation says so".into()
    } else {
        parts.join("; and ")
    }
}

/// CloudFormation's verdict, when it adds something to fnplan's.
fn cloudformation_note(c: &ResourceChange) -> Option<String> {
    let cf = c.replacement.cloudformation.as_deref()?;
    if c.replacement.disagrees {
        let ours = if c.replacement.predicted {
            "fnplan predicted a replacement"
        } else {
            "fnplan predicted an update in place"
        };
        return Some(format!("CloudFormation says Replacement: {cf} ({ours})"));
    }
    (cf == "Conditional").then(|| {
        "CloudFormation says Replacement: Conditional (it depends on values known only during the update)"
            .to_string()
    })
}

/// One entry of the risk section.
#[derive(Clone, Debug, PartialEq, Eq)]
struct RiskRow {
    label: &'static str,
    /// The resource it is about (sign, logical ID, type), if one.
    subject: Option<(Mark, String, String)>,
    text: String,
}

/// Data loss first, then replacements, then one line for IAM grants that widen access.
fn risk_rows(plan: &Plan) -> Vec<RiskRow> {
    let mut rows = Vec::new();
    for c in plan.changes.iter().filter(|c| c.has_risk(Risk::DataLoss)) {
        let kept = if c.retained {
            " (the old one is kept outside the stack)"
        } else {
            ""
        };
        let text = match c.action {
            Action::Delete => "is deleted, and its data with it".to_string(),
            _ => format!(
                "is replaced because {}; the new one starts empty{kept}",
                replace_reason(c)
            ),
        };
        rows.push(RiskRow::about("data loss", c, text));
    }
    for c in &plan.changes {
        let Some(from) = &c.renamed_from else {
            continue;
        };
        if crate::deploy::replacement::is_stateful(&c.resource_type) {
            let text = format!(
                "looks like a rename of {from}: it starts empty, and {from}'s data is not moved"
            );
            rows.push(RiskRow::about("rename", c, text));
        }
    }
    for c in &plan.changes {
        if let Some(name) = &c.replacement.fixed_name {
            let text = format!(
                "needs a replacement but keeps its {name}: CloudFormation cannot replace a custom-named resource (change the name too, or undo the create-only change)"
            );
            rows.push(RiskRow::about("update fails", c, text));
        }
    }
    let replaced =
        |c: &&ResourceChange| c.has_risk(Risk::Replacement) && !c.has_risk(Risk::DataLoss);
    for c in plan.changes.iter().filter(replaced) {
        let text = format!(
            "is replaced because {}; it gets a new physical ID",
            replace_reason(c)
        );
        rows.push(RiskRow::about("replacement", c, text));
    }
    rows.extend(iam_row(plan));
    rows
}

impl RiskRow {
    fn about(label: &'static str, c: &ResourceChange, text: String) -> Self {
        let subject = (
            c.action.into(),
            c.logical_id.clone(),
            c.resource_type.clone(),
        );
        RiskRow {
            label,
            subject: Some(subject),
            text,
        }
    }
}

/// One line for the IAM grants that widen access (or, on a new stack, every grant).
fn iam_row(plan: &Plan) -> Option<RiskRow> {
    let wider: Vec<&IamChange> = plan.iam.iter().filter(|c| c.broadening).collect();
    if wider.is_empty() {
        return None;
    }
    let mut names: Vec<&str> = Vec::new();
    for c in &wider {
        if !names.contains(&c.resource.as_str()) {
            names.push(&c.resource);
        }
    }
    const SHOWN: usize = 5;
    let mut list = names
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        list.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    let text = if plan.stack.exists {
        let grants = if wider.len() == 1 {
            "grant widens"
        } else {
            "grants widen"
        };
        format!("{} {grants} access: {list} (see IAM changes)", wider.len())
    } else {
        format!(
            "the new stack grants access {} times: {list} (see IAM changes)",
            wider.len()
        )
    };
    Some(RiskRow {
        label: "IAM",
        subject: None,
        text,
    })
}

/// "Stack orders-dev does not exist yet: ..." or the deployed stack's status.
fn stack_line(plan: &Plan) -> String {
    if !plan.stack.exists {
        return format!(
            "Stack {} does not exist yet: everything will be created.",
            plan.stack_name
        );
    }
    let status = plan.stack.status.as_deref().unwrap_or("status unknown");
    match &plan.stack.last_updated {
        Some(t) => format!("Deployed stack: {status}, last updated {t}."),
        None => format!("Deployed stack: {status}."),
    }
}

/// The type of the resource an IAM change belongs to, when the plan lists it.
fn type_of<'a>(plan: &'a Plan, logical_id: &str) -> Option<&'a str> {
    plan.changes
        .iter()
        .find(|c| c.logical_id == logical_id)
        .map(|c| c.resource_type.as_str())
}

/// Output changes as `(mark, "Name: value")`.
fn output_lines(plan: &Plan) -> Vec<(Mark, String)> {
    plan.outputs
        .iter()
        .map(|o| {
            let val = |v: &Option<serde_json::Value>| {
                v.as_ref()
                    .and_then(|o| o.get("Value"))
                    .map_or_else(|| "(no value)".to_string(), value::inline)
            };
            let text = match o.action {
                Action::Create => format!("{}: {}", o.name, val(&o.new)),
                Action::Delete => format!("{}: {}", o.name, val(&o.old)),
                _ => {
                    let (a, b) = (val(&o.old), val(&o.new));
                    if let Some(why) = &o.known_after_apply {
                        format!("{}: {b} (known after apply: {why})", o.name)
                    } else if a == b {
                        format!("{}: {a} (description or export changed)", o.name)
                    } else {
                        format!("{}: {a} -> {b}", o.name)
                    }
                }
            };
            (o.action.into(), text)
        })
        .collect()
}

/// CloudFormation's change set in a sentence, and what it lists that fnplan's diff does not.
fn change_set_lines(plan: &Plan) -> Vec<String> {
    if let Some(why) = &plan.change_set_empty {
        return vec![format!(
            "CloudFormation change set: made and deleted; CloudFormation lists no changes ({})",
            why.trim_end_matches('.')
        )];
    }
    let Some(cs) = &plan.change_set else {
        // With moves, the moves section already says when the change set is made.
        return plan
            .change_set_skipped
            .iter()
            .filter(|_| plan.moves.is_empty())
            .map(|why| format!("CloudFormation change set: not made ({why})"))
            .collect();
    };
    let kept = if cs.kept {
        format!(", ready to execute ({})", cs.arn)
    } else {
        ", deleted after the preview".to_string()
    };
    let mut out = vec![format!("CloudFormation change set: {}{kept}", cs.status)];
    if let Some(r) = &cs.status_reason {
        out.push(format!("  {r}"));
    }
    for e in cs
        .changes
        .iter()
        .filter(|e| !plan.changes.iter().any(|c| c.logical_id == e.logical_id))
    {
        out.push(format!(
            "  CloudFormation also lists: {} {} ({})",
            e.action, e.logical_id, e.resource_type
        ));
    }
    out
}

#[cfg(test)]
mod tests;
