//! FN115 warm-up-ping: each function's schedule triggers and routes in, a finding for an
//! enabled schedule that fires every 15 minutes or more often on a function that also
//! serves routes (a warm-up ping) out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Function, Kind, ResId, ScheduleTrigger, Trigger, shortest_interval_minutes};

/// A schedule this frequent on an HTTP function is taken for a warm-up ping (minutes).
const PING_MINUTES: u64 = 15;

declare_rule! {
    /// ## What it does
    /// Flags a schedule trigger that fires every 15 minutes or more often on a function
    /// that also serves HTTP routes: the warm-up ping. `rate(N minutes)` with N up to 15
    /// counts, and a `cron(...)` whose minutes field fires that often (`*`, `0/5`,
    /// `*/10`, `0,15,30,45`, `10-20`); other cron expressions are not judged, and a
    /// disabled trigger (`enabled: false`) is not flagged.
    ///
    /// ## Why is this bad?
    /// A ping keeps one instance warm at best. Requests that arrive together still start
    /// new instances, so the cold starts it was meant to hide come back under exactly the
    /// load where they matter, and after every deployment or instance recycling until
    /// the next ping. It also runs the handler with a fake event around the clock: cost,
    /// noise in the function's metrics and logs, and a code path to keep working.
    /// `provisioned: N` keeps N instances initialised for up to N concurrent requests,
    /// and fnplan deploys it properly (a version and a `live` alias that routes and
    /// triggers use). A reliability rule rather than a cost one: the ping costs little,
    /// but it promises a latency it cannot keep.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   api:
    ///     handler: app.handler
    ///     code: src
    ///     triggers:
    ///       - schedule: rate(5 minutes)   # keep it warm
    /// api:
    ///   routes:
    ///     "GET /orders": { function: api }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   api:
    ///     handler: app.handler
    ///     code: src
    ///     provisioned: 2
    /// ```
    /// A schedule that does real work belongs to a function of its own.
    pub struct WarmUpPing => "FN115", "warm-up-ping", Warning, "frequent schedule on a function serving routes (a warm-up ping)";
}

/// The function's enabled schedules that fire every [`PING_MINUTES`] or more often, with
/// how often.
fn pings(f: &Function) -> impl Iterator<Item = (&ScheduleTrigger, u64)> {
    f.triggers.iter().filter_map(|t| match t {
        Trigger::Schedule(s) if s.enabled => shortest_interval_minutes(&s.expression)
            .filter(|m| *m <= PING_MINUTES)
            .map(|m| (s, m)),
        _ => None,
    })
}

impl Rule for WarmUpPing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let Some(api) = &cx.model.api else {
            return;
        };
        for (i, f) in cx.model.functions.iter().enumerate() {
            let id = ResId::new(Kind::Function, i);
            let Some(route) = api.routes.iter().find(|r| r.function == id) else {
                continue;
            };
            for (s, minutes) in pings(f) {
                let every = match minutes {
                    1 => "every minute".to_string(),
                    m => format!("every {m} minutes"),
                };
                let message = format!(
                    "function `{}` serves routes and is also invoked {every} by `{}`: a warm-up ping",
                    f.name, s.expression
                );
                let help = if f.provisioned.is_some() {
                    "the function already has `provisioned` concurrency, which keeps its instances initialised: remove the schedule, or move the work it does to a function of its own"
                } else {
                    "remove the schedule and set `provisioned: N` on the function (N instances kept initialised, for up to N requests at once); if the schedule does real work, move it to a function of its own"
                };
                let d = cx
                    .report(&Self::META, s.span, message)
                    .label(route.key_span, format!("`{}` serves this route", f.name))
                    .help(help);
                out.push(Owner::Res(id), d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::compile_str;

    /// FN115's messages for a function `f` with `extra` settings, serving a route or not.
    fn findings(extra: &str, route: bool) -> Vec<String> {
        let mut y = format!(
            "version: 1\napp: shop\nfunctions:\n  f: {{ handler: h.handler, code: s3://b/x.zip, runtime: python3.12, {extra} }}\n"
        );
        if route {
            y.push_str("api:\n  routes:\n    \"GET /x\": { function: f }\n");
        }
        let c = compile_str(&y, None);
        super::super::tests::run_rule(&WarmUpPing, &c, &[])
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn a_frequent_schedule_on_an_http_function_is_a_ping() {
        let five = "triggers: [{ schedule: rate(5 minutes) }]";
        assert_eq!(
            findings(five, true),
            [
                "function `f` serves routes and is also invoked every 5 minutes by `rate(5 minutes)`: a warm-up ping"
            ]
        );
        assert!(findings(five, false).is_empty(), "no routes: a job");
        let cron = "triggers: [{ schedule: \"cron(0/15 8-17 ? * MON-FRI *)\" }]";
        assert_eq!(findings(cron, true).len(), 1);
    }

    #[test]
    fn rare_unclear_or_disabled_schedules_are_not() {
        for t in [
            "triggers: [{ schedule: rate(16 minutes) }]",
            "triggers: [{ schedule: rate(1 hour) }]",
            "triggers: [{ schedule: \"cron(0 2 * * ? *)\" }]",
            "triggers: [{ schedule: rate(1 minute), enabled: false }]",
        ] {
            assert!(findings(t, true).is_empty(), "{t}");
        }
    }
}
