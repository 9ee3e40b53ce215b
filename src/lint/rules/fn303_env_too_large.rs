//! FN303 env-too-large: environment variables in, a finding for each function whose
//! environment is over Lambda's 4 KB limit out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Kind, ResId};

use super::thousands;

/// Lambda's limit on the total size of a function's environment variables (bytes).
const LIMIT: usize = 4096;

declare_rule! {
    /// ## What it does
    /// Flags functions whose environment variables, names plus values as written in
    /// the spec, add up to more than 4 KB (4,096 bytes).
    ///
    /// ## Why is this bad?
    /// Lambda rejects a function whose environment is larger than 4 KB (Lambda quotas):
    /// the stack fails to deploy. References such as `${table.orders.arn}` become
    /// longer once resolved, so a spec near the limit fails even when the written text
    /// is just under it. Large configuration belongs in a file packaged with the code,
    /// in SSM Parameter Store or in AppConfig.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   api:
    ///     handler: app.handler
    ///     code: src
    ///     env: { RULES_JSON: '{"rules": [ ... 5,000 characters ... ]}' }
    /// ```
    ///
    /// Use instead: package `rules.json` with the code, or store it as a parameter.
    /// ```yaml
    ///     env: { RULES_PARAM: /orders/rules }
    /// ```
    pub struct EnvTooLarge => "FN303", "env-too-large", Error, "function environment over Lambda's 4 KB limit";
}

impl Rule for EnvTooLarge {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, f) in cx.model.functions.iter().enumerate() {
            let total: usize = f.env.iter().map(|e| e.name.len() + e.written.len()).sum();
            if total <= LIMIT {
                continue;
            }
            let mut d = cx.report(
                &Self::META,
                f.name_span,
                format!(
                    "the environment of function `{}` is {} bytes; Lambda allows {} bytes in total",
                    f.name,
                    thousands(total),
                    thousands(LIMIT)
                ),
            );
            if let Some(big) = f.env.iter().max_by_key(|e| e.name.len() + e.written.len()) {
                d = d.label(
                    big.name_span,
                    format!(
                        "largest variable: {} bytes",
                        thousands(big.name.len() + big.written.len())
                    ),
                );
            }
            out.push(
                Owner::Res(ResId::new(Kind::Function, i)),
                d.help("move large values into a file packaged with the code or into SSM Parameter Store, and pass only its name"),
            );
        }
    }
}
