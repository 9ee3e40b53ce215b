//! FN111 report-failures-disabled: queue triggers in, a finding for each batch consumer
//! that cannot report which messages failed out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Kind, ResId, Trigger};

/// Lambda's default batch size for SQS event source mappings.
const DEFAULT_BATCH: u32 = 10;

declare_rule! {
    /// ## What it does
    /// Flags queue triggers with `report_failures: false` and a batch size above 1
    /// (the default batch size is 10).
    ///
    /// ## Why is this bad?
    /// Without partial batch responses (`ReportBatchItemFailures`) a handler can only
    /// succeed or fail for the whole batch: one bad message makes Lambda return all
    /// ten to the queue, the nine good ones are processed again, and every message in
    /// the batch moves towards the dead-letter queue together. With `report_failures`
    /// on (fnplan's default) the handler returns `batchItemFailures` and only those
    /// messages are retried.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   worker:
    ///     handler: w.handler
    ///     code: src
    ///     triggers: [{ queue: jobs, report_failures: false }]
    /// ```
    ///
    /// Use instead: return `batchItemFailures` from the handler and drop the setting,
    /// or process one message at a time:
    /// ```yaml
    ///     triggers: [{ queue: jobs, report_failures: false, batch_size: 1 }]
    /// ```
    pub struct ReportFailuresDisabled => "FN111", "report-failures-disabled", Warning, "queue trigger retries whole batches on one failure";
}

impl Rule for ReportFailuresDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, f) in cx.model.functions.iter().enumerate() {
            for t in &f.triggers {
                let Trigger::Queue(qt) = t else { continue };
                let batch = qt.batch_size.as_ref().map_or(DEFAULT_BATCH, |b| b.value);
                if qt.report_failures || batch <= 1 {
                    continue;
                }
                let queue = cx.model.name_of(qt.queue);
                let size = if qt.batch_size.is_some() {
                    format!("batches of {batch}")
                } else {
                    format!("batches of {batch} (the default)")
                };
                out.push(
                    Owner::Res(ResId::new(Kind::Function, i)),
                    cx.report(
                        &Self::META,
                        qt.span,
                        format!("function `{}` takes {size} from queue `{queue}` with `report_failures: false`; one failing message retries the whole batch", f.name),
                    )
                    .help("remove `report_failures: false` and return `batchItemFailures` from the handler, or set `batch_size: 1`"),
                );
            }
        }
    }
}
