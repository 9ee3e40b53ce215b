//! FN113 deprecated-runtime: functions' runtimes and the day it is in, a finding for each
//! runtime that Lambda has deprecated or blocked, or deprecates soon, out.

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::runtimes::{self, Lifecycle, RuntimeFacts};
use crate::model::{Date, Kind, ResId};

/// How many days before a runtime's deprecation FN113 starts to warn: a quarter, time
/// to plan the move (Lambda's own email notice comes 60 days ahead, "Runtime deprecation
/// policy" in the Lambda Developer Guide).
pub const WARN_DAYS: i64 = 90;

declare_rule! {
    /// ## What it does
    /// Checks each function's `runtime` against Lambda's published runtime lifecycle
    /// (deprecation date, the date Lambda blocks creating functions with the runtime,
    /// the date it blocks updating them, and the successor AWS names). It is an error
    /// once creating functions is blocked, and a warning once the runtime is
    /// deprecated, or when its deprecation is 90 days away or less. The dates are
    /// compared with today's (UTC; `FNPLAN_TODAY=YYYY-MM-DD` fixes the day, for
    /// reproducible runs). The table is vendored from cfn-lint with its version
    /// recorded (`schemas/lambda/`).
    ///
    /// ## Why is this bad?
    /// A deprecated runtime gets no more security patches, and AWS support no longer
    /// covers functions that use it. Then Lambda refuses to create functions with it,
    /// so a new stage or a recreated function fails to deploy half-way; later it
    /// refuses updates too, and a fix can no longer be shipped at all. Moving to a new
    /// language version takes testing, so it is better started before the date.
    /// Functions that already exist can still be updated between the two block dates:
    /// to ship an update to one then, silence FN113 on it with `lint_ignore`.
    ///
    /// ## Example
    /// ```yaml
    /// defaults:
    ///   function: { runtime: nodejs18.x }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// defaults:
    ///   function: { runtime: nodejs24.x }
    /// ```
    pub struct DeprecatedRuntime => "FN113", "deprecated-runtime", Warning, "runtime that Lambda deprecates or no longer accepts";
}

fn or_unscheduled(d: Option<Date>) -> String {
    d.map_or_else(|| "a date not yet announced".into(), |d| d.to_string())
}

/// The finding for `rt` on `today` (at its default level), if there is one.
fn finding(rt: &RuntimeFacts, today: Date) -> Option<(Severity, String)> {
    let name = rt.name;
    let deprecated = or_unscheduled(rt.deprecated());
    let update_block = or_unscheduled(rt.update_block());
    let since = |d: Option<Date>| d.map_or_else(String::new, |d| format!(" since {d}"));
    let found = match rt.lifecycle(today) {
        Lifecycle::UpdateBlocked => (
            Severity::Error,
            format!(
                "runtime `{name}` is deprecated{}, and Lambda has blocked creating functions with it{} and updating them since {update_block}",
                since(rt.deprecated()),
                since(rt.create_block()),
            ),
        ),
        Lifecycle::CreateBlocked => (
            Severity::Error,
            format!(
                "runtime `{name}` is deprecated{}, and Lambda has blocked creating functions with it{}; it blocks updating them from {update_block}",
                since(rt.deprecated()),
                since(rt.create_block()),
            ),
        ),
        Lifecycle::Deprecated => (
            Severity::Warning,
            format!(
                "runtime `{name}` was deprecated on {deprecated} and gets no more security patches; Lambda blocks creating functions with it from {} and updating them from {update_block}",
                or_unscheduled(rt.create_block()),
            ),
        ),
        Lifecycle::Supported => {
            let days = today.days_until(rt.deprecated()?);
            if days > WARN_DAYS {
                return None;
            }
            let when = if days == 1 {
                "tomorrow".into()
            } else {
                format!("in {days} days")
            };
            (
                Severity::Warning,
                format!(
                    "runtime `{name}` will be deprecated on {deprecated}, {when}; Lambda blocks creating functions with it from {}",
                    or_unscheduled(rt.create_block()),
                ),
            )
        }
    };
    Some(found)
}

fn help(rt: &RuntimeFacts, today: Date) -> String {
    let to = match rt.current_successor(today) {
        Some(s) => format!("move to `{s}`"),
        None => "move to a current runtime (Lambda names no successor for it yet)".into(),
    };
    match (rt.lifecycle(today), rt.update_block()) {
        (Lifecycle::CreateBlocked, Some(u)) => {
            format!("{to}; functions that already exist can still be updated until {u}")
        }
        _ => to,
    }
}

impl Rule for DeprecatedRuntime {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, f) in cx.model.functions.iter().enumerate() {
            // Lowering accepts only runtimes of the table (and none it has no span for).
            let (Some(rt), Some(span)) = (runtimes::find(&f.runtime.value), f.runtime.span) else {
                continue;
            };
            let Some((severity, message)) = finding(rt, cx.today) else {
                continue;
            };
            // The message names the runtime, not the function: functions that take it
            // from `defaults.function` share one finding, at the default.
            let d = Diagnostic::new(Self::META.code, severity, message)
                .at(span)
                .help(help(rt, cx.today));
            out.push(Owner::Res(ResId::new(Kind::Function, i)), d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        Date::parse(s).expect("a date")
    }

    fn check(runtime: &str, today: &str) -> Option<(Severity, String, String)> {
        let rt = runtimes::find(runtime).expect("a known runtime");
        let today = day(today);
        finding(rt, today).map(|(s, m)| (s, m, help(rt, today)))
    }

    #[test]
    fn quiet_until_ninety_days_before_the_deprecation() {
        assert_eq!(check("nodejs22.x", "2027-01-29"), None);
        let (severity, message, help) = check("nodejs22.x", "2027-01-30").expect("a warning");
        assert_eq!(severity, Severity::Warning);
        assert_eq!(
            message,
            "runtime `nodejs22.x` will be deprecated on 2027-04-30, in 90 days; Lambda blocks creating functions with it from 2027-06-01"
        );
        assert_eq!(help, "move to `nodejs24.x`");
        let (_, message, _) = check("nodejs22.x", "2027-04-29").expect("a warning");
        assert!(message.contains(", tomorrow;"), "{message}");
        assert_eq!(check("python3.14", "2026-12-02"), None);
    }

    #[test]
    fn a_warning_once_deprecated_and_an_error_once_creating_is_blocked() {
        let (severity, message, _) = check("nodejs22.x", "2027-04-30").expect("a warning");
        assert_eq!(severity, Severity::Warning);
        assert!(
            message.starts_with("runtime `nodejs22.x` was deprecated on 2027-04-30"),
            "{message}"
        );

        let (severity, message, help) = check("nodejs22.x", "2027-06-01").expect("an error");
        assert_eq!(severity, Severity::Error);
        assert_eq!(
            message,
            "runtime `nodejs22.x` is deprecated since 2027-04-30, and Lambda has blocked creating functions with it since 2027-06-01; it blocks updating them from 2027-07-01"
        );
        assert_eq!(
            help,
            "move to `nodejs24.x`; functions that already exist can still be updated until 2027-07-01"
        );

        let (severity, message, help) = check("nodejs22.x", "2027-07-01").expect("an error");
        assert_eq!(severity, Severity::Error);
        assert!(
            message.ends_with("and updating them since 2027-07-01"),
            "{message}"
        );
        assert_eq!(help, "move to `nodejs24.x`");
    }

    #[test]
    fn the_replacement_is_current_on_the_day() {
        // nodejs18.x names nodejs24.x; once that is deprecated too, there is none to name.
        let (_, _, help) = check("nodejs18.x", "2026-12-02").expect("a warning");
        assert_eq!(help, "move to `nodejs24.x`");
        let (_, _, help) = check("nodejs18.x", "2028-05-01").expect("an error");
        assert!(help.starts_with("move to a current runtime"), "{help}");
    }
}
