//! The plan as a GitHub-flavoured Markdown comment: a one-line headline with status, the
//! risks, then the details folded in `<details>` blocks with `diff` fences. The layout is
//! `plan.md.tera`; this file prepares its values.

use super::{
    Line, Mark, RiskRow, change_lines, change_set_lines, drift, move_lines, output_lines,
    risk_rows, stack_line,
};
use crate::deploy::plan::{Plan, Risk};
use serde::Serialize;

const TEMPLATE: &str = include_str!("plan.md.tera");

#[derive(Serialize)]
struct View {
    title: String,
    headline: String,
    status: Option<String>,
    risks: Vec<String>,
    moves: Vec<String>,
    changes_count: usize,
    changes: String,
    /// A backtick fence longer than any run of backticks in the fenced text.
    fence: String,
    iam: Vec<IamRow>,
    iam_widening: usize,
    outputs_count: usize,
    outputs: String,
    change_set: Vec<String>,
    footer: String,
    /// The drift summary (under the headline) and listing.
    drift_summary: Vec<String>,
    drift_title: &'static str,
    drift_count: usize,
    drift: String,
}

#[derive(Serialize)]
struct IamRow {
    sign: &'static str,
    resource: String,
    grant: String,
    widens: bool,
}

/// The plan as a pull-request comment.
pub fn markdown(plan: &Plan) -> String {
    let ctx = tera::Context::from_serialize(view(plan)).expect("the markdown view serializes");
    let mut s = tera::Tera::one_off(TEMPLATE, &ctx, false).expect("plan.md.tera renders");
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// The bold status after the headline: what needs review, if anything.
fn status(plan: &Plan) -> Option<String> {
    if !plan.has_changes() {
        return None;
    }
    if !plan.stack.exists {
        return Some(stack_line(plan));
    }
    let fails = plan
        .changes
        .iter()
        .any(|c| c.replacement.fixed_name.is_some());
    let renamed = plan.changes.iter().any(|c| c.renamed_from.is_some());
    let risky: Vec<&str> = [
        (plan.has_risk(Risk::DataLoss), "data loss"),
        (renamed, "a rename"),
        (fails, "an update that fails"),
        (plan.has_risk(Risk::Replacement), "replacement"),
        (plan.has_risk(Risk::IamBroadening), "IAM broadening"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    Some(if risky.is_empty() {
        "No risky changes found.".to_string()
    } else {
        format!("Needs review: {}.", risky.join(", "))
    })
}

fn view(plan: &Plan) -> View {
    let region = plan
        .region
        .as_deref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    let status = status(plan);
    let changes = change_lines(plan)
        .iter()
        .map(diff_line)
        .collect::<Vec<_>>()
        .join("\n");
    let outputs = output_lines(plan)
        .into_iter()
        .map(|(m, text)| format!("{} {text}", marker(m, 0)))
        .collect::<Vec<_>>()
        .join("\n");
    let drift = drift::lines(plan)
        .iter()
        .map(diff_line)
        .collect::<Vec<_>>()
        .join("\n");
    View {
        fence: fence(&[&changes, &outputs, &drift]),
        title: format!("**`{}`**{region}", plan.stack_name),
        headline: if plan.has_changes() {
            format!("{}.", plan.headline())
        } else {
            plan.headline()
        },
        status,
        risks: risk_rows(plan).iter().map(risk).collect(),
        moves: move_lines(plan)
            .into_iter()
            .map(|(is_move, m)| if is_move { m } else { format!("_{m}_") })
            .collect(),
        changes_count: plan.changes.len(),
        changes,
        iam: plan
            .iam
            .iter()
            .map(|c| IamRow {
                sign: if c.added { "+" } else { "-" },
                resource: c.resource.clone(),
                grant: code(&c.summary),
                // On a new stack every grant is new: the tag would be on every row.
                widens: c.broadening && plan.stack.exists,
            })
            .collect(),
        iam_widening: plan
            .iam
            .iter()
            .filter(|c| c.broadening && plan.stack.exists)
            .count(),
        outputs_count: plan.outputs.len(),
        outputs,
        change_set: change_set_lines(plan)
            .iter()
            .map(|l| format!("{}  ", l.trim()))
            .collect(),
        footer: footer(plan),
        // Functions `apply --hot` left ahead of the stack, with the drift summary.
        drift_summary: drift::summary(plan)
            .into_iter()
            .chain(plan.hot_swapped.iter().map(super::human::hot_line))
            .collect(),
        drift_title: drift::TITLE,
        drift_count: plan.drift.as_ref().map_or(0, |d| d.resources.len()),
        drift,
    }
}

fn risk(r: &RiskRow) -> String {
    let mut label = r.label.to_string();
    if let Some(first) = label.get(..1) {
        label = format!("{}{}", first.to_uppercase(), &label[1..]);
    }
    match &r.subject {
        Some((_, id, ty)) => format!("**{label}**: `{id}` ({ty}) {}", r.text),
        None => format!("**{label}**: {}", r.text),
    }
}

/// A line in a `diff` fence: `+` create, `!` modify (GitHub shows it apart from context),
/// `-` delete, `-/+` replace; property and diff lines indented under their resource.
fn diff_line(l: &Line) -> String {
    let m = marker(l.mark, l.depth);
    let text = match (l.depth, l.mark) {
        (0, _) => format!("{m} {}", l.text),
        (1, _) => format!("{m}     {}", l.text),
        (_, Mark::Hunk) => format!("{m}         {}", l.text),
        _ => format!("{m}         {}", l.text),
    };
    text.trim_end().to_string()
}

fn marker(m: Mark, depth: u8) -> &'static str {
    match m {
        Mark::Create => "+",
        Mark::Delete => "-",
        Mark::Replace if depth == 0 => "-/+",
        Mark::Replace | Mark::Modify => "!",
        Mark::Context | Mark::Hunk | Mark::Note => " ",
    }
}

fn fence(texts: &[&str]) -> String {
    let longest = texts
        .iter()
        .flat_map(|t| t.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// Inline code that survives a table cell (`|` escaped, backticks dropped).
fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'").replace('|', "\\|"))
}

fn footer(plan: &Plan) -> String {
    let short = |h: &str| h.get(..12).unwrap_or(h).to_string();
    let mut parts = vec![format!(
        "fnplan plan of app {} stage {}",
        plan.app, plan.stage
    )];
    if !plan.spec_sha256.is_empty() {
        parts.push(format!("spec sha256 `{}`", short(&plan.spec_sha256)));
    }
    if !plan.template_sha256.is_empty() {
        parts.push(format!(
            "template sha256 `{}`",
            short(&plan.template_sha256)
        ));
    }
    parts.join(" · ")
}
