//! FN106 http-timeout: routes in, a finding for each function behind a route whose
//! timeout is longer than the HTTP API waits out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Kind, ResId};

/// API Gateway HTTP API integration timeout, in seconds (cannot be raised).
const HTTP_API_LIMIT: u64 = 30;

declare_rule! {
    /// ## What it does
    /// Flags functions behind an HTTP route whose timeout is above 30 seconds.
    ///
    /// ## Why is this bad?
    /// An HTTP API waits at most 30 seconds for its integration and this cannot be
    /// raised ("Quotas for configuring and running an HTTP API"). After that the caller
    /// gets a 503 while the function keeps running, and is billed, for the rest of its
    /// timeout; a client that retries starts the same work again. Long work belongs
    /// behind a queue: the route accepts the request and a consumer does the work.
    /// Lambda authorizers have their own, shorter limit (FN112).
    ///
    /// ## Example
    /// ```yaml
    /// api:
    ///   routes: { "POST /reports": { function: build-report, auth: users } }
    /// functions:
    ///   build-report: { handler: r.handler, code: src, timeout: 120 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   build-report: { handler: r.handler, code: src, timeout: 25 }
    /// ```
    pub struct HttpTimeout => "FN106", "http-timeout", Warning, "function behind an HTTP route with a timeout above 30 s";
}

impl Rule for HttpTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let Some(api) = &cx.model.api else { return };
        for (i, f) in cx.model.functions.iter().enumerate() {
            let Some(timeout) = f.timeout.as_ref().filter(|t| t.value > HTTP_API_LIMIT) else {
                continue;
            };
            let id = ResId::new(Kind::Function, i);
            let routes: Vec<_> = api.routes.iter().filter(|r| r.function == id).collect();
            let Some(first) = routes.first() else {
                continue;
            };
            let also = match routes.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            let mut d = cx.report(
                &Self::META,
                timeout.span.unwrap_or(f.name_span),
                format!(
                    "function `{}` has a {} s timeout but serves route `{}`{also}; the HTTP API gives up after {HTTP_API_LIMIT} s",
                    f.name, timeout.value, first.key
                ),
            );
            for r in &routes {
                d = d.label(r.key_span, "routed here");
            }
            out.push(
                Owner::Res(id),
                d.help(format!(
                    "set `timeout: {HTTP_API_LIMIT}` or less on function `{}`, or move the slow work behind a queue",
                    f.name
                )),
            );
        }
    }
}
