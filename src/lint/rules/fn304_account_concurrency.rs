//! FN304 account-concurrency: the functions' reserved and provisioned concurrency and
//! the account's limit (`lint: { account_concurrency }`) in, a finding when the app
//! reserves more than the account lets it (the limit minus the 100 AWS keeps unreserved)
//! out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Function, Model};
use crate::source::Span;

use super::thousands;

use crate::limits::UNRESERVED_CONCURRENCY as UNRESERVED_MINIMUM;

/// How many of the largest contributors a finding names.
const SHOWN: usize = 3;

declare_rule! {
    /// ## What it does
    /// Adds up the concurrency the app's functions take from the account: each
    /// function's `concurrency` (reserved), or its `provisioned` concurrency when that is
    /// larger (provisioned concurrency counts towards reserved concurrency and the
    /// Regional quota). Flags the app when the sum is more than the account's limit minus
    /// the 100 that AWS keeps unreserved for all other functions. The limit is
    /// `lint: { account_concurrency: N }`, 1,000 (Lambda's default quota) when not set.
    ///
    /// ## Why is this bad?
    /// Lambda refuses a reservation that would leave fewer than 100 concurrent
    /// executions unreserved in the account and region: the deployment fails at the
    /// function whose reservation no longer fits, after others have changed. Other apps
    /// in the same account reserve concurrency too, so the real room is smaller still.
    ///
    /// ## Example
    /// ```yaml
    /// defaults:
    ///   function: { concurrency: 200 }
    /// functions:              # five functions: 1,000 reserved, 900 allowed
    ///   a: { handler: a.handler, code: src }
    ///   # ...
    /// ```
    ///
    /// Use instead: reserve less, or state the raised quota (Service Quotas, "Lambda
    /// concurrent executions"):
    /// ```yaml
    /// lint:
    ///   account_concurrency: 5000
    /// ```
    pub struct AccountConcurrency => "FN304", "account-concurrency", Error, "reserved concurrency over the account's limit";
}

/// What a function takes from the account, and where the spec says so.
fn claim(f: &Function) -> Option<(u32, &'static str, Option<Span>)> {
    let reserved = f
        .concurrency
        .as_ref()
        .map(|c| (c.value, "reserved", c.span));
    let provisioned = f
        .provisioned
        .as_ref()
        .map(|p| (p.value, "provisioned", p.span));
    match (reserved, provisioned) {
        (Some(r), Some(p)) if p.0 > r.0 => Some(p),
        (Some(r), _) => Some(r),
        (None, p) => p,
    }
}

/// Every function's claim, largest first (then in spec order).
fn claims(model: &Model) -> Vec<(&Function, u32, &'static str, Option<Span>)> {
    let mut out: Vec<_> = model
        .functions
        .iter()
        .filter_map(|f| claim(f).map(|(n, what, span)| (f, n, what, span)))
        .filter(|c| c.1 > 0)
        .collect();
    out.sort_by_key(|c| std::cmp::Reverse(c.1));
    out
}

impl Rule for AccountConcurrency {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let limit = &cx.model.account_concurrency;
        let room = limit.value.saturating_sub(UNRESERVED_MINIMUM);
        let claims = claims(cx.model);
        let total: u64 = claims.iter().map(|c| u64::from(c.1)).sum();
        if total <= u64::from(room) {
            return;
        }
        let message = format!(
            "the app's functions reserve {} concurrent executions; an account limit of {} allows at most {} (AWS keeps {} unreserved)",
            thousands(total as usize),
            thousands(limit.value as usize),
            thousands(room as usize),
            UNRESERVED_MINIMUM
        );
        let mut d = cx.report(
            &Self::META,
            limit.span.unwrap_or(cx.model.app_span),
            message,
        );
        for (f, n, what, span) in claims.iter().take(SHOWN) {
            // A value from `defaults.function` is shared: point at the function instead.
            let own = span.filter(|s| claims.iter().filter(|c| c.3 == Some(*s)).count() == 1);
            d = d.label(
                own.unwrap_or(f.name_span),
                format!("`{}`: {} {what}", f.name, thousands(*n as usize)),
            );
        }
        let help = match limit.span {
            Some(_) => {
                "lower `concurrency` (or `provisioned`) on the largest functions, or raise the account's quota and this number with it"
            }
            None => {
                "lower `concurrency` (or `provisioned`) on the largest functions; if the account's quota was raised, set it as `lint: { account_concurrency: N }`"
            }
        };
        out.push(Owner::None, d.help(help));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::compile_str;

    /// FN304's findings on a spec whose functions are `name: (concurrency, provisioned)`.
    fn findings(lint: &str, functions: &[(&str, Option<u32>, Option<u32>)]) -> Vec<String> {
        let mut yaml = format!("version: 1\napp: shop\n{lint}functions:\n");
        for (name, reserved, provisioned) in functions {
            yaml.push_str(&format!("  {name}:\n    handler: h.handler\n    code: s3://b/x.zip\n    runtime: python3.12\n"));
            if let Some(r) = reserved {
                yaml.push_str(&format!("    concurrency: {r}\n"));
            }
            if let Some(p) = provisioned {
                yaml.push_str(&format!("    provisioned: {p}\n"));
            }
        }
        let c = compile_str(&yaml, None);
        super::super::tests::run_rule(&AccountConcurrency, &c, &[])
            .into_iter()
            .map(|d| {
                let labels: Vec<_> = d.labels.iter().map(|l| l.message.clone()).collect();
                format!("{} [{}]", d.message, labels.join("; "))
            })
            .collect()
    }

    #[test]
    fn up_to_the_limit_minus_100_is_fine() {
        let fns = [
            ("a", Some(500), None),
            ("b", Some(400), None),
            ("c", None, None),
        ];
        assert!(findings("", &fns).is_empty());
    }

    #[test]
    fn over_the_default_limit_names_the_largest() {
        let fns = [
            ("a", Some(500), None),
            ("b", Some(300), Some(300)),
            ("c", Some(50), None),
            ("d", Some(60), None),
        ];
        assert_eq!(
            findings("", &fns),
            [
                "the app's functions reserve 910 concurrent executions; an account limit of 1,000 allows at most 900 (AWS keeps 100 unreserved) [`a`: 500 reserved; `b`: 300 reserved; `d`: 60 reserved]"
            ]
        );
    }

    #[test]
    fn provisioned_counts_when_nothing_is_reserved() {
        let fns = [("a", None, Some(600)), ("b", Some(301), None)];
        let found = findings("", &fns);
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("reserve 901 "), "{found:?}");
        assert!(found[0].contains("`a`: 600 provisioned"), "{found:?}");
    }

    #[test]
    fn a_raised_quota_is_taken_from_lint_settings() {
        let fns = [("a", Some(4000), None)];
        assert!(findings("lint: { account_concurrency: 5000 }\n", &fns).is_empty());
        let found = findings("lint: { account_concurrency: 4000 }\n", &fns);
        assert!(
            found[0].contains("limit of 4,000 allows at most 3,900"),
            "{found:?}"
        );
    }
}
