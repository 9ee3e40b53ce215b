//! FN102 missing-on-failure: functions in, a finding for each function invoked
//! asynchronously (schedule, bucket, topic) with nowhere to send failed events out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Kind, ResId, Trigger};

declare_rule! {
    /// ## What it does
    /// Flags functions with an asynchronous trigger (a schedule, a bucket or a topic)
    /// and no `on_failure` queue.
    ///
    /// ## Why is this bad?
    /// Lambda retries a failed asynchronous invocation twice and then drops the event
    /// ("Configuring error handling for asynchronous invocation"): the scheduled run,
    /// the uploaded object's notification or the message is lost without a trace. An
    /// `on_failure` destination keeps it for inspection and replay.
    ///
    /// Functions only behind HTTP routes (the caller sees the error) and queue
    /// consumers (failed messages go to the queue's own DLQ) are not flagged; checkov's
    /// CKV_AWS_116 flags them too, which is noise.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   nightly-report:
    ///     handler: reports.nightly
    ///     code: src
    ///     triggers: [{ schedule: "cron(0 2 * * ? *)" }]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   nightly-report:
    ///     handler: reports.nightly
    ///     code: src
    ///     triggers: [{ schedule: "cron(0 2 * * ? *)" }]
    ///     on_failure: failed-events
    /// queues:
    ///   failed-events: { dlq: false }
    /// ```
    pub struct MissingOnFailure => "FN102", "missing-on-failure", Warning, "asynchronously invoked function without an on_failure destination";
}

impl Rule for MissingOnFailure {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, f) in cx.model.functions.iter().enumerate() {
            if f.on_failure.is_some() {
                continue;
            }
            let Some(t) = f.triggers.iter().find(|t| !matches!(t, Trigger::Queue(_))) else {
                continue;
            };
            let what = match t {
                Trigger::Schedule(_) => "a schedule",
                Trigger::Bucket(_) => "a bucket",
                Trigger::Topic(_) => "a topic",
                Trigger::Queue(_) => unreachable!("queue triggers are skipped above"),
            };
            out.push(
                Owner::Res(ResId::new(Kind::Function, i)),
                cx.report(
                    &Self::META,
                    f.name_span,
                    format!("function `{}` is invoked asynchronously by {what} but has no `on_failure` queue; events that still fail after Lambda's retries are dropped", f.name),
                )
                .label(t.span(), "invoked asynchronously here")
                .help("add `on_failure: <queue>` naming a queue that keeps failed events (e.g. `failed-events: { dlq: false }`)"),
            );
        }
    }
}
