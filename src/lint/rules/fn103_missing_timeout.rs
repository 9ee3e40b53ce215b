//! FN103 missing-timeout: functions in, a finding for each one with no timeout out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Kind, ResId};

declare_rule! {
    /// ## What it does
    /// Flags functions with no timeout of their own and none in `defaults.function`.
    ///
    /// ## Why is this bad?
    /// Lambda's default of 3 seconds cuts slow handlers off mid-work, and nobody chose
    /// it: queue consumers then see the same message again and again, and HTTP callers
    /// get 503s under load. An explicit timeout is a decision about the work.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, timeout: 10 }
    /// ```
    pub struct MissingTimeout => "FN103", "missing-timeout", Warning, "function without a timeout";
}

impl Rule for MissingTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, f) in cx.model.functions.iter().enumerate() {
            if f.timeout.is_none() {
                out.push(
                    Owner::Res(ResId::new(Kind::Function, i)),
                    cx.report(
                        &Self::META,
                        f.name_span,
                        format!(
                            "function `{}` has no timeout (Lambda's default is 3 s)",
                            f.name
                        ),
                    )
                    .help("add `timeout: <seconds>` to the function or to `defaults.function`"),
                );
            }
        }
    }
}
