//! FN301 missing-log-retention: functions in, a finding for each one whose logs would be
//! kept forever out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Kind, ResId};

declare_rule! {
    /// ## What it does
    /// Flags functions with no `log_retention_days` of their own and none in
    /// `defaults.function`.
    ///
    /// ## Why is this bad?
    /// CloudWatch Logs keeps log events forever unless the log group says otherwise,
    /// and storage is billed per GB-month: a chatty function's logs grow into the
    /// largest line of the bill, years after anyone last read them. Old logs may also
    /// hold personal data that should not be kept indefinitely.
    ///
    /// ## Example
    /// ```yaml
    /// defaults:
    ///   function: { runtime: python3.12 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// defaults:
    ///   function: { runtime: python3.12, log_retention_days: 14 }
    /// ```
    pub struct MissingLogRetention => "FN301", "missing-log-retention", Warning, "function whose logs are kept forever";
}

impl Rule for MissingLogRetention {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, f) in cx.model.functions.iter().enumerate() {
            if f.log_retention_days.is_none() {
                out.push(
                    Owner::Res(ResId::new(Kind::Function, i)),
                    cx.report(&Self::META, f.name_span, format!("function `{}` has no log retention; its logs are kept (and billed) forever", f.name))
                        .help("add `log_retention_days: 14` (or another CloudWatch Logs period) to the function or to `defaults.function`"),
                );
            }
        }
    }
}
