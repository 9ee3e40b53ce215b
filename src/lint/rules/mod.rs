//! The rule registry: one rule per file, listed here in code order.

use super::Rule;

mod fn101_missing_dlq;
mod fn102_missing_on_failure;
mod fn103_missing_timeout;
mod fn104_missing_concurrency;
mod fn105_visibility_timeout;
mod fn106_http_timeout;
mod fn107_low_max_receive_count;
mod fn108_dlq_retention;
mod fn109_recursive_loop;
mod fn110_orphan;
mod fn111_report_failures_disabled;
mod fn112_authorizer_timeout;
mod fn113_deprecated_runtime;
mod fn114_bus_target_without_dlq;
mod fn115_warm_up_ping;
mod fn116_unprotected_database;
mod fn117_large_function;
mod fn201_wildcard_policy;
mod fn202_route_without_auth;
mod fn203_secret_in_env;
mod fn204_env_without_access;
mod fn205_cors_wildcard_credentials;
mod fn301_missing_log_retention;
mod fn302_stack_budget;
mod fn303_env_too_large;
mod fn304_account_concurrency;
mod fn305_code_size;

pub use fn101_missing_dlq::MissingDlq;
pub use fn102_missing_on_failure::MissingOnFailure;
pub use fn103_missing_timeout::MissingTimeout;
pub use fn104_missing_concurrency::MissingConcurrency;
pub use fn105_visibility_timeout::VisibilityTimeout;
pub use fn106_http_timeout::HttpTimeout;
pub use fn107_low_max_receive_count::LowMaxReceiveCount;
pub use fn108_dlq_retention::DlqRetention;
pub use fn109_recursive_loop::RecursiveLoop;
pub use fn110_orphan::Orphan;
pub use fn111_report_failures_disabled::ReportFailuresDisabled;
pub use fn112_authorizer_timeout::AuthorizerTimeout;
pub use fn113_deprecated_runtime::DeprecatedRuntime;
pub use fn114_bus_target_without_dlq::BusTargetWithoutDlq;
pub use fn115_warm_up_ping::WarmUpPing;
pub use fn116_unprotected_database::UnprotectedDatabase;
pub use fn117_large_function::{LargeFunction, trigger_kind};
pub use fn201_wildcard_policy::WildcardPolicy;
pub use fn202_route_without_auth::RouteWithoutAuth;
pub use fn203_secret_in_env::SecretInEnv;
pub use fn204_env_without_access::EnvWithoutAccess;
pub use fn205_cors_wildcard_credentials::CorsWildcardCredentials;
pub use fn301_missing_log_retention::MissingLogRetention;
pub use fn302_stack_budget::StackBudget;
pub use fn303_env_too_large::EnvTooLarge;
pub use fn304_account_concurrency::AccountConcurrency;
pub use fn305_code_size::{CodeSizeLimit, over_limit as code_over_limit};

/// Every rule, ordered by code.
pub static ALL: &[&dyn Rule] = &[
    &MissingDlq,
    &MissingOnFailure,
    &MissingTimeout,
    &MissingConcurrency,
    &VisibilityTimeout,
    &HttpTimeout,
    &LowMaxReceiveCount,
    &DlqRetention,
    &RecursiveLoop,
    &Orphan,
    &ReportFailuresDisabled,
    &AuthorizerTimeout,
    &DeprecatedRuntime,
    &BusTargetWithoutDlq,
    &WarmUpPing,
    &UnprotectedDatabase,
    &LargeFunction,
    &WildcardPolicy,
    &RouteWithoutAuth,
    &SecretInEnv,
    &EnvWithoutAccess,
    &CorsWildcardCredentials,
    &MissingLogRetention,
    &StackBudget,
    &EnvTooLarge,
    &AccountConcurrency,
    &CodeSizeLimit,
];

/// A count for people: `369130` -> `369,130`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes for people: KB below a megabyte, else MB (MiB), one decimal.
fn bytes(n: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if n < 1024 * 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MB", n as f64 / MIB)
    }
}

#[cfg(test)]
mod tests {
    use super::{Rule, bytes, thousands};

    /// Test support: one rule's findings on a compiled spec (one stack; `code`: the code
    /// sizes lint is given).
    pub(crate) fn run_rule(
        rule: &dyn Rule,
        c: &crate::testing::Compiled,
        code: &[crate::lint::CodeSize],
    ) -> Vec<crate::diagnostic::Diagnostic> {
        let stacks = crate::lint::Stacks::Single(crate::lint::StackSize::default());
        let cx = crate::lint::LintContext {
            model: &c.model,
            graph: &c.graph,
            stacks: &stacks,
            code,
            today: crate::testing::today(),
        };
        let mut out = crate::lint::Findings::default();
        rule.check(&cx, &mut out);
        out.items.into_iter().map(|(_, d)| d).collect()
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(bytes(512), "0.5 KB");
        assert_eq!(bytes(60 * 1024 * 1024), "60.0 MB");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(51_200), "51,200");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
