//! FN201 wildcard-policy: raw `policies` statements in, a finding for each statement
//! that allows every action of a service or every resource out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Kind, ResId};
use serde_json::Value;

declare_rule! {
    /// ## What it does
    /// Flags a raw `policies` statement that allows a wildcard action (`*` or
    /// `service:*`) or any resource (`Resource: "*"`). `Deny` statements are not
    /// flagged.
    ///
    /// ## Why is this bad?
    /// A function's role is what an attacker gets when the function is compromised
    /// (through a dependency, an injection or leaked credentials). `s3:*` includes
    /// deleting buckets and rewriting their policies; `Resource: "*"` reaches every
    /// table or bucket in the account, not only this app's. The access fnplan derives
    /// from `uses` is already scoped to one resource and the smallest set of actions;
    /// raw statements should be as narrow.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   export:
    ///     handler: e.handler
    ///     code: src
    ///     policies:
    ///       - { Effect: Allow, Action: "s3:*", Resource: "*" }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     uses: { bucket.exports: write }
    /// ```
    /// or name the actions and the ARN:
    /// ```yaml
    ///     policies:
    ///       - { Effect: Allow, Action: ["s3:PutObject"], Resource: "arn:aws:s3:::partner-drop/*" }
    /// ```
    pub struct WildcardPolicy => "FN201", "wildcard-policy", Warning, "IAM policy statement with a wildcard action or resource";
}

/// The strings of a statement field that may be a string or a list of strings.
fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// `*` or `service:*`.
fn is_wildcard_action(a: &str) -> bool {
    a == "*" || a.split_once(':').is_some_and(|(_, action)| action == "*")
}

fn wildcards(n: usize) -> &'static str {
    if n == 1 {
        "a wildcard action"
    } else {
        "wildcard actions"
    }
}

impl Rule for WildcardPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, f) in cx.model.functions.iter().enumerate() {
            for (statement, span) in &f.policies {
                if statement.get("Effect").and_then(Value::as_str) == Some("Deny") {
                    continue;
                }
                let actions: Vec<String> = strings(statement.get("Action"))
                    .into_iter()
                    .filter(|a| is_wildcard_action(a))
                    .map(|a| format!("`{a}`"))
                    .collect();
                let any_resource = strings(statement.get("Resource")).contains(&"*");
                let what = match (actions.is_empty(), any_resource) {
                    (true, false) => continue,
                    (false, false) => {
                        format!("{} ({})", wildcards(actions.len()), actions.join(", "))
                    }
                    (true, true) => "its actions on every resource (`Resource: \"*\"`)".to_string(),
                    (false, true) => format!(
                        "{} ({}) on every resource (`Resource: \"*\"`)",
                        wildcards(actions.len()),
                        actions.join(", ")
                    ),
                };
                out.push(
                    Owner::Res(ResId::new(Kind::Function, i)),
                    cx.report(&Self::META, *span, format!("a policy statement of function `{}` allows {what}", f.name))
                        .help("grant access with `uses:` where you can; otherwise list the actions you need and the ARNs they apply to"),
                );
            }
        }
    }
}
