//! FN108 dlq-retention: queues in, a finding for each standard queue whose dead-letter
//! queue does not keep messages longer than the queue itself out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{DlqSetting, Kind, ResId};

/// The longest SQS keeps a message (14 days), in seconds.
const MAX_RETENTION: u64 = 1_209_600;

declare_rule! {
    /// ## What it does
    /// Flags a standard queue whose dead-letter queue's `retention` is not longer than
    /// the queue's own `retention`.
    ///
    /// ## Why is this bad?
    /// For standard queues a message keeps its original enqueue time when it is moved
    /// to the dead-letter queue, and expires by that time ("Setting up dead-letter
    /// queue retention"). A message that failed for most of the source queue's
    /// retention arrives in a DLQ with the same or shorter retention and is deleted
    /// right away, before anyone can look at it. The DLQ's retention should be longer
    /// (fnplan's default is 14 days, the maximum). FIFO queues reset the enqueue time
    /// and are not flagged.
    ///
    /// ## Example
    /// ```yaml
    /// queues:
    ///   jobs: { retention: 4d, dlq: { retention: 4d } }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// queues:
    ///   jobs: { retention: 4d, dlq: { retention: 14d } }
    /// ```
    pub struct DlqRetention => "FN108", "dlq-retention", Warning, "dead-letter queue retention not longer than its queue's";
}

/// `345600` -> `4 days`; durations that are not whole days in seconds.
fn days(secs: u64) -> String {
    if secs.is_multiple_of(86_400) {
        let d = secs / 86_400;
        format!("{d} day{}", if d == 1 { "" } else { "s" })
    } else {
        format!("{secs} s")
    }
}

impl Rule for DlqRetention {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, q) in cx.model.queues.iter().enumerate() {
            let DlqSetting::Enabled(dlq) = &q.dlq else {
                continue;
            };
            if q.fifo || dlq.retention.value > q.retention.value {
                continue;
            }
            // Point at what was written: the DLQ's retention, else the queue's.
            let span = dlq.retention.span.or(q.retention.span).unwrap_or(dlq.span);
            let default = if dlq.retention.span.is_none() {
                " (the default)"
            } else {
                ""
            };
            let mut d = cx.report(
                &Self::META,
                span,
                format!(
                    "the dead-letter queue of `{}` keeps messages for {}{default}, no longer than the queue itself ({}); failed messages can expire as soon as they arrive",
                    q.name,
                    days(dlq.retention.value),
                    days(q.retention.value)
                ),
            );
            if let (Some(_), Some(qs)) = (dlq.retention.span, q.retention.span) {
                d = d.label(qs, "queue retention set here");
            }
            let help = if q.retention.value >= MAX_RETENTION {
                format!(
                    "lower the `retention` of queue `{}` below 14 days, the longest its dead-letter queue can keep messages",
                    q.name
                )
            } else {
                format!(
                    "set the DLQ's `retention` longer than the queue's, e.g. `dlq: {{ retention: 14d }}` on queue `{}`",
                    q.name
                )
            };
            out.push(Owner::Res(ResId::new(Kind::Queue, i)), d.help(help));
        }
    }
}
