//! FN102 missing-on-failure: functions in, a finding for each function invoked
//! asynchronously (schedule, bucket, topic) or by a table stream with nowhere to send
//! failed events or records out.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Function, Kind, ResId, StreamTrigger, Trigger};

declare_rule! {
    /// ## What it does
    /// Flags functions with an asynchronous trigger (a schedule, a bucket or a topic)
    /// and no `on_failure` queue, and functions triggered by a table's stream
    /// (`- table: NAME`) with no `on_failure` queue.
    ///
    /// ## Why is this bad?
    /// Lambda retries a failed asynchronous invocation twice and then drops the event
    /// ("Configuring error handling for asynchronous invocation"): the scheduled run,
    /// the uploaded object's notification or the message is lost without a trace. An
    /// `on_failure` destination keeps it for inspection and replay.
    ///
    /// A stream is worse: a record that keeps failing blocks its shard. With Lambda's
    /// defaults (`retries` and `max_record_age` unlimited) the batch is retried until
    /// the record expires from the stream (24 hours), the changes behind it wait, and
    /// the record is then dropped. Bound the retries (`retries`, `max_record_age`,
    /// `bisect_on_error: true` to isolate the bad record) and give the function an
    /// `on_failure` queue: the trigger's mapping sends the records it gives up on there.
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
    pub struct MissingOnFailure => "FN102", "missing-on-failure", Warning, "asynchronously invoked or stream-triggered function without an on_failure destination";
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
            let owner = Owner::Res(ResId::new(Kind::Function, i));
            if let Some(d) = async_finding(cx, f) {
                out.push(owner, d);
            }
            for t in &f.triggers {
                if let Trigger::Stream(s) = t {
                    out.push(owner, stream_finding(cx, f, s));
                }
            }
        }
    }
}

/// The function's first asynchronous trigger, if it has one.
fn async_finding(cx: &LintContext<'_>, f: &Function) -> Option<Diagnostic> {
    let (t, what) = f.triggers.iter().find_map(|t| match t {
        Trigger::Schedule(_) => Some((t, "a schedule")),
        Trigger::Bucket(_) => Some((t, "a bucket")),
        Trigger::Topic(_) => Some((t, "a topic")),
        Trigger::Bus(_) => Some((t, "an EventBridge rule")),
        Trigger::Queue(_) | Trigger::Stream(_) => None,
    })?;
    Some(
        cx.report(
            &MissingOnFailure::META,
            f.name_span,
            format!("function `{}` is invoked asynchronously by {what} but has no `on_failure` queue; events that still fail after Lambda's retries are dropped", f.name),
        )
        .label(t.span(), "invoked asynchronously here")
        .help("add `on_failure: <queue>` naming a queue that keeps failed events (e.g. `failed-events: { dlq: false }`)"),
    )
}

/// A stream trigger of a function without `on_failure`: what happens to a record that
/// keeps failing depends on the trigger's retry bounds.
fn stream_finding(cx: &LintContext<'_>, f: &Function, s: &StreamTrigger) -> Diagnostic {
    let table = &cx.model.tables[s.table.index].name;
    let (fate, help) = if s.bounded() {
        (
            "is dropped once the trigger's retries or record age run out",
            "add `on_failure: <queue>` to the function: the trigger then sends the records it gives up on there",
        )
    } else {
        (
            "blocks its shard until it expires from the stream (24 hours) and is then dropped",
            "add `on_failure: <queue>` to the function, and bound the trigger's retries (`retries: 3`, `bisect_on_error: true`, or `max_record_age`)",
        )
    };
    cx.report(
        &MissingOnFailure::META,
        f.name_span,
        format!(
            "function `{}` is triggered by table `{table}`'s stream but has no `on_failure` queue; a record that keeps failing {fate}",
            f.name
        ),
    )
    .label(s.span, "stream trigger here")
    .help(help)
}
