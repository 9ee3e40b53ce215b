//! Outcomes as text: an operation's [`Outcome`] and the flags that shape its output in,
//! the outcome shown by the command's own module out.

use super::plan::PlanFormat;
use super::{Command, Output, apply, lint, package, plan, render, stack};
use crate::deploy::follow::Progress;
use crate::diagnostic::Format;
use crate::ops::Outcome;

/// How a command's output is shaped: the formats of findings and plans (input errors
/// of `lint` too), `--progress`, and whether `--detailed-exitcode` applies.
pub(super) struct Shape {
    pub format: Format,
    pub plan_format: PlanFormat,
    pub detailed_exitcode: bool,
    pub progress: Progress,
}

impl Shape {
    pub fn of(command: &Command) -> Shape {
        let mut s = Shape {
            format: Format::Human,
            plan_format: PlanFormat::Human,
            detailed_exitcode: false,
            progress: Progress::Auto,
        };
        match command {
            Command::Lint(a) => s.format = a.format,
            Command::Plan(a) => {
                s.detailed_exitcode = a.detailed_exitcode;
                s.plan_format = a.format;
            }
            Command::Apply(a) => s.progress = a.progress,
            Command::Destroy(a) => s.progress = a.progress,
            Command::Bootstrap(a) => s.progress = a.progress,
            _ => {}
        }
        s
    }
}

/// Show an outcome as text.
pub(super) fn show(o: &Outcome, shape: &Shape, out: &Output) -> std::io::Result<()> {
    match o {
        Outcome::Render(r) => render::show(r, out),
        Outcome::Graph(w) => out.written(w),
        Outcome::Lint { outcome, .. } => lint::show(outcome, shape.format, out),
        Outcome::Plan { outcome, .. } => plan::show(outcome, shape.plan_format, out),
        Outcome::Apply(a) => apply::show(a, out),
        Outcome::Destroy(d) => stack::show_destroy(d, out),
        Outcome::Status(s) => stack::show_status(s, out),
        Outcome::Package(p) => package::show_package(p, out),
        Outcome::Bootstrap(b) => package::show_bootstrap(b, out),
        Outcome::Ci(c) => package::show_ci(c, out),
        Outcome::Text(t) => out.print(t),
    }
}
