//! FN105 visibility-timeout: queue triggers in, a finding for each queue whose visibility
//! timeout is too short for the function it triggers out.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Kind, Trigger};

declare_rule! {
    /// ## What it does
    /// Flags a queue whose `visibility_timeout` is below six times the timeout of a
    /// function it triggers. Below one times, it is an error: Lambda rejects the event
    /// source mapping.
    ///
    /// ## Why is this bad?
    /// While a batch is being processed its messages are invisible for the visibility
    /// timeout. If the function (plus Lambda's own retries on throttling) can run
    /// longer, the messages reappear and a second consumer processes them again. AWS
    /// recommends at least six times the function timeout ("Configuring an SQS queue to
    /// trigger a Lambda function"). cfn-lint's E3505 only checks the 1x floor.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   worker: { handler: w.h, code: src, timeout: 60, triggers: [{ queue: jobs }] }
    /// queues:
    ///   jobs: { visibility_timeout: 60, dlq: true }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// queues:
    ///   jobs: { visibility_timeout: 360, dlq: true }
    /// ```
    pub struct VisibilityTimeout => "FN105", "visibility-timeout", Warning, "queue visibility timeout below 6x its consumer's timeout";
}

impl Rule for VisibilityTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for f in &cx.model.functions {
            // Lambda's default timeout applies when none is set.
            let timeout = f.timeout.as_ref().map_or(3, |t| t.value);
            for t in &f.triggers {
                let Trigger::Queue(qt) = t else { continue };
                // An existing queue's visibility timeout is set where it is defined.
                if qt.queue.kind == Kind::Queue && cx.model.queue_of(qt.queue).existing {
                    continue;
                }
                // The queue, or the dead-letter queue it names (`jobs-dlq`).
                let name = cx.model.name_of(qt.queue);
                let visibility = cx.model.visibility_of(qt.queue);
                let vis = visibility.value;
                if vis >= 6 * timeout {
                    continue;
                }
                let span = visibility.span.unwrap_or(cx.model.name_span_of(qt.queue));
                let written = if visibility.span.is_some() {
                    ""
                } else {
                    " (the default)"
                };
                let mut d = cx.report(
                    &Self::META,
                    span,
                    format!(
                        "queue `{name}` has a visibility timeout of {vis} s{written}, below 6x the {timeout} s timeout of function `{}`",
                        f.name
                    ),
                );
                if vis < timeout {
                    d.severity = Severity::Error;
                    d.message = format!(
                        "queue `{name}` has a visibility timeout of {vis} s{written}, shorter than the {timeout} s timeout of function `{}`; Lambda rejects this event source mapping",
                        f.name
                    );
                }
                let fix = match qt.queue.kind {
                    Kind::Dlq => format!(
                        "set `dlq: {{ visibility_timeout: {} }}` (6x) or more on queue `{}`",
                        6 * timeout,
                        cx.model.queue_of(qt.queue).name
                    ),
                    _ => format!(
                        "set `visibility_timeout: {}` (6x) or more on queue `{name}`",
                        6 * timeout
                    ),
                };
                let d = d.label(qt.span, "triggered here").help(fix);
                out.push(Owner::Res(qt.queue), d);
            }
        }
    }
}
