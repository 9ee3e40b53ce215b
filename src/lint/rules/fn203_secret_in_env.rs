//! FN203 secret-in-env: environment variables in, a finding for each literal value whose
//! name says it is a secret out. The value itself is never printed.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{EnvVar, Kind, ResId, secret_name};

declare_rule! {
    /// ## What it does
    /// Flags environment variables whose name has a word part `KEY`, `SECRET`, `TOKEN`,
    /// `PASSWORD`, `PASSWD`, `PASS`, `CREDENTIAL` or `PRIVATE` (any case, plurals too:
    /// `API_KEY`, `dbPassword`, `GITHUB_TOKENS`) and whose value is written out
    /// literally in the spec.
    ///
    /// Not flagged: values with a `${...}` reference, empty values, numbers and
    /// booleans, ARNs, parameter paths (`/orders/stripe-key`), URLs without a password,
    /// variables that name a secret rather than hold it (a last word such as `NAME`,
    /// `ARN`, `URL`, `ID`, `PATH`, `PARAM`, `HEADER`, `TTL`: `SECRET_NAME`,
    /// `TOKEN_URL`) and key *attributes* (`SORT_KEY`, `PARTITION_KEY`, `PUBLIC_KEY`).
    ///
    /// ## Why is this bad?
    /// A literal value is stored in the spec's repository, in the rendered template, in
    /// CloudFormation's stack history and in the function's configuration, where anyone
    /// with `lambda:GetFunctionConfiguration` can read it; rotating it means a commit
    /// and a deployment. A secret belongs in SSM Parameter Store or Secrets Manager,
    /// read at run time with access granted through `uses`.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   charge:
    ///     handler: c.handler
    ///     code: src
    ///     env: { STRIPE_API_KEY: sk_live_51H... }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   charge:
    ///     handler: c.handler
    ///     code: src
    ///     env: { STRIPE_KEY_PARAM: "${secret.stripe-key.name}" }
    ///     uses: { secret.stripe-key: read }
    /// secrets:
    ///   stripe-key: { ssm: /orders/stripe-key }
    /// ```
    pub struct SecretInEnv => "FN203", "secret-in-env", Error, "environment variable with a literal secret-looking value";
}

/// Values that are plainly not secrets: names, paths, ARNs, flags, numbers.
fn obviously_not_secret(value: &str) -> bool {
    let v = value.trim();
    let url_without_password = ["https://", "http://"].iter().any(|s| {
        v.strip_prefix(s)
            .is_some_and(|rest| !rest.split('/').next().unwrap_or("").contains('@'))
    });
    v.is_empty()
        || v.starts_with('/')
        || v.starts_with("arn:")
        || v.starts_with("alias/")
        || url_without_password
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null"
        )
        || (v.len() <= 10 && v.chars().all(|c| c.is_ascii_digit()))
}

fn flagged(e: &EnvVar) -> bool {
    !e.written.contains("${") && secret_name(&e.name) && !obviously_not_secret(&e.written)
}

impl Rule for SecretInEnv {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, f) in cx.model.functions.iter().enumerate() {
            for e in f.env.iter().filter(|e| flagged(e)) {
                out.push(
                    Owner::Res(ResId::new(Kind::Function, i)),
                    cx.report(
                        &Self::META,
                        e.value_span,
                        format!("environment variable `{}` of function `{}` holds a literal value that looks like a secret", e.name, f.name),
                    )
                    .help("store it in SSM Parameter Store or Secrets Manager, declare it under `secrets:`, and pass `${secret.NAME.name}` with `uses: { secret.NAME: read }`; if it is not a secret, add `lint_ignore: [FN203]` to the function")
                    // Lint output lands in CI logs: the snippet shows `****`, not the value.
                    .redacted(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_are_plainly_not_secrets() {
        for v in [
            "",
            " ",
            "/orders/stripe-key",
            "arn:aws:secretsmanager:eu-west-1:1:secret:x",
            "https://auth.example.com/token",
            "true",
            "3600",
        ] {
            assert!(obviously_not_secret(v), "{v:?}");
        }
        for v in [
            "sk_live_51Habc",
            "hunter2",
            "https://user:pw@db.example.com/x",
            "12345678901",
        ] {
            assert!(!obviously_not_secret(v), "{v:?}");
        }
    }
}
