//! FN117 large-function: each function's routes and triggers in, a finding for a function
//! that serves more routes than `lint: { max_routes_per_function }` (10) or has more kinds
//! of event source than `lint: { max_source_kinds }` (3) out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Function, Kind, Model, ResId, Route, Trigger};
use crate::source::Span;

/// At most this many route keys are named in a finding.
const SHOWN_ROUTES: usize = 12;

declare_rule! {
    /// ## What it does
    /// Flags a function that serves more than `max_routes_per_function` HTTP routes (10
    /// unless set), or that has more than `max_source_kinds` kinds of event source (3
    /// unless set): HTTP routes are one kind and each kind of trigger (queue, schedule,
    /// bucket, topic, table stream, ...) one more, so HTTP plus three kinds of trigger is
    /// flagged. The finding lists the routes or kinds. Both thresholds are set in the
    /// `lint:` section.
    ///
    /// ## Why is this bad?
    /// A function that does everything has one timeout, one memory size, one concurrency
    /// limit and one IAM role for all its jobs. The role holds every permission any job
    /// needs, so a bug in one route can touch what only another needed; a burst of queue
    /// messages takes the concurrency HTTP requests need; a slow batch job sets the
    /// timeout of a latency-sensitive route; one bad deployment breaks all of it at once.
    /// Its errors, durations and logs mix every job, so an alarm on it says little, and
    /// its package carries every job's dependencies into every cold start.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   everything:
    ///     handler: app.handler
    ///     code: src
    ///     triggers:
    ///       - queue: orders
    ///       - schedule: rate(1 hour)
    ///       - topic: payments
    /// api:
    ///   routes:
    ///     "GET /orders": { function: everything }
    ///     # ... and eleven more routes
    /// ```
    ///
    /// Use instead: one function per responsibility (they can share a code directory).
    /// ```yaml
    /// functions:
    ///   orders-api: { handler: api.handler, code: src }
    ///   fulfil: { handler: fulfil.handler, code: src, triggers: [{ queue: orders }] }
    ///   hourly: { handler: report.handler, code: src, triggers: [{ schedule: rate(1 hour) }] }
    ///   payments: { handler: payments.handler, code: src, triggers: [{ topic: payments }] }
    /// ```
    pub struct LargeFunction => "FN117", "large-function", Warning, "function serving too many routes or kinds of event source";
}

/// The kind of event source a trigger is: one name per kind of trigger. A new kind of
/// trigger adds its arm here and counts from then on.
pub fn trigger_kind(t: &Trigger) -> &'static str {
    match t {
        Trigger::Queue(_) => "queue",
        Trigger::Schedule(_) => "schedule",
        Trigger::Bucket(_) => "bucket",
        Trigger::Topic(_) => "topic",
        Trigger::Stream(_) => "table stream",
        Trigger::Bus(_) => "bus",
    }
}

/// Each function's routes (indices into `model.api.routes`), in spec order.
fn routes_by_function(model: &Model) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); model.functions.len()];
    let routes: &[Route] = model.api.as_ref().map_or(&[], |a| a.routes.as_slice());
    for (i, r) in routes.iter().enumerate() {
        if r.function.kind == Kind::Function
            && let Some(list) = out.get_mut(r.function.index)
        {
            list.push(i);
        }
    }
    out
}

/// A function's kinds of event source, each with where it first appears: `HTTP` at its
/// first route, then each kind of trigger at its first trigger.
fn source_kinds(f: &Function, first_route: Option<&Route>) -> Vec<(&'static str, Span)> {
    let mut kinds: Vec<(&'static str, Span)> = Vec::new();
    if let Some(r) = first_route {
        kinds.push(("HTTP", r.key_span));
    }
    for t in &f.triggers {
        let kind = trigger_kind(t);
        if !kinds.iter().any(|(k, _)| *k == kind) {
            kinds.push((kind, t.span()));
        }
    }
    kinds
}

/// `GET /a, GET /b, ... and 3 more`.
fn route_list(routes: &[&Route]) -> String {
    let mut names: Vec<&str> = routes
        .iter()
        .take(SHOWN_ROUTES)
        .map(|r| r.key.as_str())
        .collect();
    let more = routes.len().saturating_sub(SHOWN_ROUTES);
    let more = (more > 0).then(|| format!("and {more} more"));
    names.extend(more.as_deref());
    names.join(", ")
}

impl Rule for LargeFunction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let settings = &cx.model.lint_settings;
        let max_routes = settings.max_routes_per_function.value as usize;
        let max_kinds = settings.max_source_kinds.value as usize;
        let all: &[Route] = cx.model.api.as_ref().map_or(&[], |a| a.routes.as_slice());
        for (i, mine) in routes_by_function(cx.model).into_iter().enumerate() {
            let f = &cx.model.functions[i];
            let routes: Vec<&Route> = mine.iter().map(|&r| &all[r]).collect();
            let kinds = source_kinds(f, routes.first().copied());
            let mut parts = Vec::new();
            if routes.len() > max_routes {
                parts.push(format!(
                    "serves {} routes (more than {max_routes}: {})",
                    routes.len(),
                    route_list(&routes)
                ));
            }
            if kinds.len() > max_kinds {
                let names: Vec<&str> = kinds.iter().map(|(k, _)| *k).collect();
                parts.push(format!(
                    "has {} kinds of event source (more than {max_kinds}: {})",
                    kinds.len(),
                    names.join(", ")
                ));
            }
            if parts.is_empty() {
                continue;
            }
            let message = format!("function `{}` {}", f.name, parts.join(" and "));
            let mut d = cx.report(&Self::META, f.name_span, message);
            if kinds.len() > max_kinds {
                for (kind, span) in &kinds {
                    d = d.label(*span, format!("{kind} here"));
                }
            }
            out.push(
                Owner::Res(ResId::new(Kind::Function, i)),
                d.help("split it by responsibility: a function per group of related routes and one per kind of event it handles (functions can share a code directory); or raise `max_routes_per_function` / `max_source_kinds` in the `lint:` section"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::compile_str;

    /// FN117's messages on `yaml` (after the common header).
    fn findings(yaml: &str) -> Vec<String> {
        let c = compile_str(&format!("version: 1\napp: shop\n{yaml}"), None);
        super::super::tests::run_rule(&LargeFunction, &c, &[])
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    /// A spec whose function `f` serves `n` routes and has `triggers` (YAML flow list).
    fn spec(lint: &str, n: usize, triggers: &str) -> String {
        let mut y = format!(
            "{lint}queues: {{ q: {{ dlq: true }} }}\ntopics: {{ t: {{}} }}\nbuckets: {{ b: {{}} }}\nfunctions:\n  f: {{ handler: h.handler, code: s3://b/x.zip, runtime: python3.12, triggers: {triggers} }}\n"
        );
        if n > 0 {
            y.push_str("api:\n  routes:\n");
            for i in 0..n {
                y.push_str(&format!("    \"GET /r{i}\": {{ function: f }}\n"));
            }
        }
        y
    }

    #[test]
    fn routes_over_the_threshold_are_listed() {
        assert!(findings(&spec("", 10, "[]")).is_empty());
        let found = findings(&spec("", 14, "[]"));
        assert_eq!(
            found,
            [
                "function `f` serves 14 routes (more than 10: GET /r0, GET /r1, GET /r2, GET /r3, GET /r4, GET /r5, GET /r6, GET /r7, GET /r8, GET /r9, GET /r10, GET /r11, and 2 more)"
            ]
        );
        assert!(findings(&spec("lint: { max_routes_per_function: 14 }\n", 14, "[]")).is_empty());
    }

    #[test]
    fn http_plus_three_trigger_kinds_is_flagged() {
        let three = "[{ queue: q }, { schedule: rate(1 hour) }, { topic: t }]";
        assert!(findings(&spec("", 0, three)).is_empty(), "three kinds");
        assert_eq!(
            findings(&spec("", 1, three)),
            [
                "function `f` has 4 kinds of event source (more than 3: HTTP, queue, schedule, topic)"
            ]
        );
        // Two triggers of one kind are one kind.
        let repeated = "[{ queue: q }, { schedule: rate(1 hour) }, { schedule: rate(2 hours) }]";
        assert!(findings(&spec("", 1, repeated)).is_empty());
        assert!(findings(&spec("lint: { max_source_kinds: 4 }\n", 1, three)).is_empty());
    }
}
