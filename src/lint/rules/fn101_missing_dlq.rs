//! FN101 missing-dlq: queues in, a finding for each queue with no `dlq` setting out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{DlqSetting, Kind, ResId};

declare_rule! {
    /// ## What it does
    /// Flags queues that have no `dlq` setting at all.
    ///
    /// ## Why is this bad?
    /// A message that keeps failing is retried until its retention runs out (4 days by
    /// default) and is then deleted: the failure is lost, and a poison message burns
    /// consumer capacity the whole time. A dead-letter queue keeps it for inspection
    /// and redrive. Queues used as a DLQ or as an `on_failure` destination are not
    /// flagged; `dlq: false` says "no DLQ on purpose" and silences the finding.
    ///
    /// ## Example
    /// ```yaml
    /// queues:
    ///   order-events: { visibility_timeout: 180 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// queues:
    ///   order-events: { visibility_timeout: 180, dlq: { max_receive_count: 5 } }
    /// ```
    pub struct MissingDlq => "FN101", "missing-dlq", Warning, "queue without a dead-letter queue";
}

impl Rule for MissingDlq {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let on_failure_targets: Vec<ResId> = cx
            .model
            .functions
            .iter()
            .filter_map(|f| f.on_failure.map(|(q, _)| q))
            .collect();
        // An existing queue's redrive policy is set where it is defined.
        for (i, q) in cx
            .model
            .queues
            .iter()
            .enumerate()
            .filter(|(_, q)| !q.existing)
        {
            let id = ResId::new(Kind::Queue, i);
            if !matches!(q.dlq, DlqSetting::Absent) || on_failure_targets.contains(&id) {
                continue;
            }
            out.push(
                Owner::Res(id),
                cx.report(&Self::META, q.name_span, format!("queue `{}` has no dead-letter queue", q.name))
                    .help("add `dlq: true` (or `dlq: { max_receive_count: 5 }`), or `dlq: false` to opt out on purpose"),
            );
        }
    }
}
