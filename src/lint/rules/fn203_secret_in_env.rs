//! FN203 secret-in-env: environment variables in (their values with stage variables
//! resolved), a finding for each value that is a secret out. The value itself is never
//! printed.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::env_secrets::{SecretValue, env_secret};
use crate::model::{EnvVar, Kind, ResId};

declare_rule! {
    /// ## What it does
    /// Flags environment variables that hold a secret in the spec, checking the value
    /// as deployed: a `${var.NAME}` reference is checked as the stage variable's value.
    /// A value is a secret when
    /// - it has the shape of one, whatever the variable's name: a provider's token
    ///   (`xoxb-` Slack, `sk_live_` Stripe, `ghp_` GitHub, `glpat-` GitLab, an AWS
    ///   access key ID, a private key), a URL with a password (`https://user:pass@host`),
    ///   a webhook URL whose path is the credential (Slack `hooks.slack.com/services/...`,
    ///   Discord `discord.com/api/webhooks/...`, Teams `*.webhook.office.com/...`), or a
    ///   URL with a long random `token=`, `key=`, `sig=` (and the like) query value;
    /// - or the variable's name has a word part `KEY`, `SECRET`, `TOKEN`, `PASSWORD`,
    ///   `PASSWD`, `PASS`, `CREDENTIAL` or `PRIVATE` (any case, plurals too: `API_KEY`,
    ///   `dbPassword`, `GITHUB_TOKENS`) and its value is written out, in the spec or in
    ///   a stage variable.
    ///
    /// Not flagged: a `${secret.NAME.name}` reference (the right way), values with
    /// references to resources, empty values, numbers and booleans, ARNs, parameter
    /// paths (`/orders/stripe-key`), URLs without credentials
    /// (`https://api.example.com/v1`), variables that name a secret rather than hold it
    /// (a last word such as `NAME`, `ARN`, `URL`, `ID`, `PATH`, `PARAM`, `HEADER`, `TTL`:
    /// `SECRET_NAME`, `TOKEN_URL`) and key *attributes* (`SORT_KEY`, `PARTITION_KEY`,
    /// `PUBLIC_KEY`). Messages show the secret masked (`xoxb-****`).
    ///
    /// ## Why is this bad?
    /// A literal value is stored in the spec's repository, in the rendered template, in
    /// CloudFormation's stack history and in the function's configuration, where anyone
    /// with `lambda:GetFunctionConfiguration` can read it; rotating it means a commit
    /// and a deployment. Moving it into `stages.*.vars` changes none of that. A webhook
    /// URL is a credential too: whoever has it can post to the channel. A secret belongs
    /// in SSM Parameter Store or Secrets Manager, read at run time with access granted
    /// through `uses`.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   notify:
    ///     handler: n.handler
    ///     code: src
    ///     env:
    ///       SLACK_TOKEN: ${var.slack_token}
    ///       ALERTS_WEBHOOK: https://hooks.slack.com/services/T000/B000/XXXX
    /// stages:
    ///   prod: { vars: { slack_token: xoxb-1234-5678-abcd } }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   notify:
    ///     handler: n.handler
    ///     code: src
    ///     env: { SLACK_PARAM: "${secret.slack.name}" }
    ///     uses: { secret.slack: read }
    /// secrets:
    ///   slack: { ssm: /notify/slack }
    /// ```
    pub struct SecretInEnv => "FN203", "secret-in-env", Error, "environment variable holding a secret written in the spec";
}

/// The finding's message: what the variable holds, masked, and where it came from.
fn message(e: &EnvVar, function: &str, s: &SecretValue) -> String {
    let shown = if s.masked == crate::model::env_secrets::MASK {
        String::new()
    } else {
        format!(" (`{}`)", s.masked)
    };
    let from = match s.vars.as_slice() {
        [] => String::new(),
        [v] => format!(", from stage variable `{v}`"),
        vs => format!(
            ", from stage variables {}",
            vs.iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!(
        "environment variable `{}` of function `{function}` holds {}{shown}{from}",
        e.name, s.what
    )
}

impl Rule for SecretInEnv {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, f) in cx.model.functions.iter().enumerate() {
            for e in &f.env {
                let Some(s) = env_secret(e) else { continue };
                out.push(
                    Owner::Res(ResId::new(Kind::Function, i)),
                    cx.report(&Self::META, e.value_span, message(e, &f.name, &s))
                    .help("store it in SSM Parameter Store or Secrets Manager, declare it under `secrets:`, and pass `${secret.NAME.name}` with `uses: { secret.NAME: read }`; if it is not a secret, add `lint_ignore: [FN203]` to the function")
                    // Lint output lands in CI logs: the snippet shows `****`, not the value.
                    .redacted(),
                );
            }
        }
    }
}
