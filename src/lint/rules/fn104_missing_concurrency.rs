//! FN104 missing-concurrency: functions in, a finding for each one without reserved
//! concurrency out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Kind, ResId};

declare_rule! {
    /// ## What it does
    /// Flags functions with no `concurrency` (reserved concurrency) of their own and
    /// none in `defaults.function`.
    ///
    /// ## Why is this bad?
    /// Without a reservation a function can scale until it takes the whole account's
    /// concurrency (1,000 by default, shared by every function in the region): a burst
    /// on one queue or route throttles everything else, and a runaway loop has no
    /// ceiling on cost. Reserved concurrency is both a floor for this function and a
    /// cap on it.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   worker: { handler: w.handler, code: src, triggers: [{ queue: jobs }] }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   worker: { handler: w.handler, code: src, triggers: [{ queue: jobs }], concurrency: 10 }
    /// ```
    pub struct MissingConcurrency => "FN104", "missing-concurrency", Warning, "function without reserved concurrency";
}

impl Rule for MissingConcurrency {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, f) in cx.model.functions.iter().enumerate() {
            if f.concurrency.is_none() {
                out.push(
                    Owner::Res(ResId::new(Kind::Function, i)),
                    cx.report(&Self::META, f.name_span, format!("function `{}` has no reserved concurrency; it can take the whole account's concurrency", f.name))
                        .help("add `concurrency: <N>` to the function or to `defaults.function`"),
                );
            }
        }
    }
}
