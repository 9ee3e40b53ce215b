//! FN112 authorizer-timeout: Lambda authorizers in, a finding for each authorizer
//! function whose timeout is longer than API Gateway waits for it out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::AuthorizerKind;

/// How long an HTTP API waits for a Lambda authorizer's response, in seconds.
const AUTHORIZER_LIMIT: u64 = 10;

declare_rule! {
    /// ## What it does
    /// Flags functions used as a Lambda authorizer whose timeout is above 10 seconds.
    ///
    /// ## Why is this bad?
    /// An HTTP API waits at most 10 seconds for a Lambda authorizer ("Quotas for
    /// configuring and running an HTTP API"); after that the request is refused while
    /// the function keeps running and billing. A longer timeout only hides how slow
    /// the authorizer is. Every authorized request waits for it, so it should answer
    /// in well under a second (enable caching with `cache_ttl`).
    ///
    /// ## Example
    /// ```yaml
    /// api:
    ///   authorizers:
    ///     partners: { function: check-partner }
    /// functions:
    ///   check-partner: { handler: auth.partner, code: src, timeout: 30 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   check-partner: { handler: auth.partner, code: src, timeout: 5 }
    /// ```
    pub struct AuthorizerTimeout => "FN112", "authorizer-timeout", Warning, "Lambda authorizer with a timeout above 10 s";
}

impl Rule for AuthorizerTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let Some(api) = &cx.model.api else { return };
        for z in &api.authorizers {
            let AuthorizerKind::Lambda {
                function,
                function_span,
                ..
            } = &z.kind
            else {
                continue;
            };
            let f = &cx.model.functions[function.index];
            let Some(timeout) = f.timeout.as_ref().filter(|t| t.value > AUTHORIZER_LIMIT) else {
                continue;
            };
            out.push(
                Owner::Res(*function),
                cx.report(
                    &Self::META,
                    timeout.span.unwrap_or(f.name_span),
                    format!(
                        "function `{}` has a {} s timeout but is authorizer `{}`; the HTTP API waits at most {AUTHORIZER_LIMIT} s for an authorizer",
                        f.name, timeout.value, z.name
                    ),
                )
                .label(*function_span, "used as an authorizer here")
                .help(format!("set `timeout: {AUTHORIZER_LIMIT}` or less on function `{}`", f.name)),
            );
        }
    }
}
