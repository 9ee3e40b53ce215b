//! FN107 low-max-receive-count: queues in, a finding for each dead-letter queue that
//! receives messages after fewer than 5 attempts out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{DlqSetting, Kind, ResId};

/// The smallest `maxReceiveCount` AWS recommends for a queue with a Lambda consumer.
const RECOMMENDED: u32 = 5;

declare_rule! {
    /// ## What it does
    /// Flags a queue whose `dlq.max_receive_count` is below 5.
    ///
    /// ## Why is this bad?
    /// A message counts as received each time Lambda's poller takes it, including
    /// when the function is throttled and the batch goes back unprocessed. With a low
    /// count, healthy messages land in the dead-letter queue during a burst or a brief
    /// outage. AWS recommends at least 5 (Lambda Operator Guide, "Understanding SQS
    /// retries"); a count of 1 sends a message to the DLQ after a single failure.
    ///
    /// ## Example
    /// ```yaml
    /// queues:
    ///   jobs: { dlq: { max_receive_count: 1 } }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// queues:
    ///   jobs: { dlq: { max_receive_count: 5 } }
    /// ```
    pub struct LowMaxReceiveCount => "FN107", "low-max-receive-count", Warning, "dead-letter queue max_receive_count below 5";
}

impl Rule for LowMaxReceiveCount {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, q) in cx.model.queues.iter().enumerate() {
            let DlqSetting::Enabled(dlq) = &q.dlq else {
                continue;
            };
            let count = dlq.max_receive_count.value;
            if count >= RECOMMENDED {
                continue;
            }
            let after = if count == 1 {
                "after a single failed receive".to_string()
            } else {
                format!("after only {count} receives")
            };
            out.push(
                Owner::Res(ResId::new(Kind::Queue, i)),
                cx.report(
                    &Self::META,
                    dlq.max_receive_count.span.unwrap_or(dlq.span),
                    format!("queue `{}` moves messages to its dead-letter queue {after}; throttled or briefly failing messages end up there too", q.name),
                )
                .help(format!("set `max_receive_count: {RECOMMENDED}` or more in the `dlq` of queue `{}`", q.name)),
            );
        }
    }
}
