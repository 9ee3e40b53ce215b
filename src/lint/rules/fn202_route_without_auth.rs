//! FN202 route-without-auth: routes in, a finding for each route that says nothing about
//! who may call it out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::RouteAuth;

declare_rule! {
    /// ## What it does
    /// Flags HTTP routes without an `auth` setting.
    ///
    /// ## Why is this bad?
    /// A route without an authorizer is open to anyone on the internet who finds the
    /// URL. Sometimes that is the point (a health check, a public webhook with its own
    /// signature check), but it should be a decision, not an omission. `auth: none`
    /// makes a route public on purpose and silences the finding.
    ///
    /// ## Example
    /// ```yaml
    /// api:
    ///   routes:
    ///     "POST /orders": { function: create-order }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// api:
    ///   authorizers:
    ///     users: { jwt: { issuer: "https://auth.example.com/", audience: [orders-web] } }
    ///   routes:
    ///     "POST /orders": { function: create-order, auth: users }
    ///     "GET /health": { function: health, auth: none }
    /// ```
    pub struct RouteWithoutAuth => "FN202", "route-without-auth", Warning, "HTTP route without an auth setting";
}

impl Rule for RouteWithoutAuth {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let Some(api) = &cx.model.api else { return };
        let help = match api.authorizers.first() {
            Some(a) => format!("add `auth: {}` (or another authorizer), or `auth: none` to make the route public on purpose", a.name),
            None => "declare an authorizer under `api.authorizers` and add `auth: <name>`, or `auth: none` to make the route public on purpose".to_string(),
        };
        for (i, r) in api.routes.iter().enumerate() {
            if r.auth == RouteAuth::Unset {
                out.push(
                    Owner::Route(i),
                    cx.report(
                        &Self::META,
                        r.key_span,
                        format!("route `{}` has no `auth`: anyone can call it", r.key),
                    )
                    .help(help.clone()),
                );
            }
        }
    }
}
