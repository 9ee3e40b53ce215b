//! FN205 cors-wildcard-credentials: the API's CORS settings in, a finding when they allow
//! credentials from any origin out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags `api.cors` with `origins` containing `*` and `credentials: true`.
    ///
    /// ## Why is this bad?
    /// Browsers refuse a credentialed response whose `Access-Control-Allow-Origin` is
    /// `*` (the Fetch standard's CORS check), so every request that sends cookies or
    /// an `Authorization` header fails in the browser while working fine from curl.
    /// Reflecting any origin instead would be worse: any website could then make
    /// authenticated calls on a visitor's behalf. List the origins that may send
    /// credentials.
    ///
    /// ## Example
    /// ```yaml
    /// api:
    ///   cors: { origins: ["*"], credentials: true }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// api:
    ///   cors: { origins: ["https://shop.example.com"], credentials: true }
    /// ```
    pub struct CorsWildcardCredentials => "FN205", "cors-wildcard-credentials", Error, "CORS allows credentials from any origin";
}

impl Rule for CorsWildcardCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let Some(api) = &cx.model.api else { return };
        let Some(cors) = &api.cors else { return };
        if cors.credentials == Some(true) && cors.origins.iter().any(|o| o == "*") {
            out.push(
                Owner::None,
                cx.report(&Self::META, cors.span, "`api.cors` allows any origin (`*`) with `credentials: true`; browsers reject credentialed responses for `*`")
                    .help("list the origins that may send credentials in `origins`, or drop `credentials: true` if the API does not use cookies or `Authorization` from browsers"),
            );
        }
    }
}
