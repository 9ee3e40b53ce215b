//! The plan in a terminal, like terraform and rain: headline, risks, the changes with
//! their property lines and diffs, IAM grants, outputs. ANSI colour only when asked.

use super::{
    Line, Mark, change_lines, change_set_lines, drift, move_lines, output_lines, risk_rows,
    stack_line, type_of,
};
use crate::deploy::plan::Plan;
use std::fmt::Write;

/// ANSI styling, or none.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn code(self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(self, s: &str) -> String {
        self.code("1", s)
    }
    /// Green `+`, yellow `~`, red `-` and `±`.
    fn mark(self, m: Mark, s: &str) -> String {
        match m {
            Mark::Create => self.code("32", s),
            Mark::Modify => self.code("33", s),
            Mark::Replace | Mark::Delete => self.code("31", s),
            Mark::Hunk => self.code("36", s),
            Mark::Context | Mark::Note => s.to_string(),
        }
    }
}

fn sign(m: Mark) -> &'static str {
    match m {
        Mark::Create => "+",
        Mark::Modify => "~",
        Mark::Replace => "±",
        Mark::Delete => "-",
        Mark::Context | Mark::Hunk | Mark::Note => " ",
    }
}

/// The plan for a terminal; `color` adds ANSI styling (callers decide: a terminal, and
/// no `NO_COLOR`).
pub fn human(plan: &Plan, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    let region = plan
        .region
        .as_deref()
        .map(|r| format!(" in {r}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{}",
        p.bold(&format!(
            "Plan for stack {}{region} (app {}, stage {})",
            plan.stack_name, plan.app, plan.stage
        ))
    );
    let _ = writeln!(out, "{}", stack_line(plan));
    for l in drift::summary(plan) {
        let _ = writeln!(out, "{l}");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", p.bold(&plan.headline()));

    risks(&mut out, p, plan);
    let moves = move_lines(plan);
    if !moves.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("Moves"));
        for (is_move, m) in moves {
            let mark = if is_move { "->" } else { "  " };
            let _ = writeln!(out, "  {mark} {m}");
        }
    }
    drifted(&mut out, p, plan);
    hot_swapped(&mut out, p, plan);
    if !plan.changes.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("Changes"));
        for l in change_lines(plan) {
            let _ = writeln!(out, "{}", line(p, &l));
        }
    }
    iam(&mut out, p, plan);
    let outputs = output_lines(plan);
    if !outputs.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("Outputs"));
        for (m, text) in outputs {
            let _ = writeln!(out, "  {} {text}", p.mark(m, sign(m)));
        }
    }

    let cs = change_set_lines(plan);
    if !cs.is_empty() {
        let _ = writeln!(out);
        for l in cs {
            let _ = writeln!(out, "{l}");
        }
    }
    // No trailing blanks (an empty context line of a diff would leave some).
    out.lines().map(|l| format!("{}\n", l.trim_end())).collect()
}

/// The risks, most serious first.
fn risks(out: &mut String, p: Paint, plan: &Plan) {
    let risks = risk_rows(plan);
    if risks.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", p.bold("Risks"));
    for r in &risks {
        let label = p.code("31;1", &format!("{:<13}", r.label));
        match &r.subject {
            Some((m, id, ty)) => {
                let mark = p.mark(*m, sign(*m));
                let _ = writeln!(out, "  {label} {mark} {id} ({ty}) {}", r.text);
            }
            None => {
                let _ = writeln!(out, "  {label} {}", r.text);
            }
        }
    }
}

/// What was changed outside CloudFormation, and what apply does about it.
fn drifted(out: &mut String, p: Paint, plan: &Plan) {
    let lines = drift::lines(plan);
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", p.bold(drift::TITLE));
    for l in lines {
        let _ = writeln!(out, "{}", line(p, &l));
    }
}

/// Functions `apply --hot` updated past the stack: the stack lags their live code.
fn hot_swapped(out: &mut String, p: Paint, plan: &Plan) {
    if plan.hot_swapped.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}",
        p.bold("Hot-swapped (the stack lags the live code)")
    );
    for h in &plan.hot_swapped {
        let _ = writeln!(out, "  {}", hot_line(h));
    }
}

/// "code of health was hot-swapped; the stack still names the old artifact; ...".
pub fn hot_line(h: &crate::deploy::plan::HotSwapped) -> String {
    if h.stack_artifact.as_deref() == Some(h.artifact.as_str()) {
        return format!(
            "environment of {} was hot-swapped; the stack still names the old environment; `fnplan apply` brings the stack in line",
            h.function
        );
    }
    format!(
        "code of {} was hot-swapped ({}); the stack still names the old artifact; `fnplan apply` brings the stack in line",
        h.function, h.artifact
    )
}

/// IAM changes, grouped by the role or policy they are in.
fn iam(out: &mut String, p: Paint, plan: &Plan) {
    if plan.iam.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", p.bold("IAM changes"));
    let mut current: Option<&str> = None;
    for c in &plan.iam {
        if current != Some(c.resource.as_str()) {
            current = Some(&c.resource);
            let ty = type_of(plan, &c.resource)
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            let _ = writeln!(out, "  {}{ty}", c.resource);
        }
        let m = if c.added { Mark::Create } else { Mark::Delete };
        // On a new stack every grant is new: the tag would be on every line.
        let wider = if c.broadening && plan.stack.exists {
            "  [widens access]"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "    {} {}{}",
            p.mark(m, sign(m)),
            c.summary,
            p.code("31", wider)
        );
    }
}

fn line(p: Paint, l: &Line) -> String {
    match (l.depth, l.mark) {
        (0, m) => format!("  {} {}", p.mark(m, sign(m)), p.mark(m, &l.text)),
        (1, Mark::Note) => format!("      {}", l.text),
        (1, m) => format!("      {} {}", p.mark(m, sign(m)), l.text),
        (_, Mark::Hunk) => format!("          {}", p.mark(Mark::Hunk, &l.text)),
        (_, m) => {
            let s = match m {
                Mark::Create => "+",
                Mark::Delete => "-",
                _ => " ",
            };
            p.mark(m, &format!("          {s}{}", l.text))
        }
    }
}
