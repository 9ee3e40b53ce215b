//! FN201 wildcard-policy: raw `policies` statements in, a finding for each statement
//! that allows every action of a service, or every resource to actions that could be
//! scoped to some, out.

use crate::declare_rule;
use crate::lint::iam_actions::takes_no_resource;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Kind, ResId};
use serde_json::Value;

declare_rule! {
    /// ## What it does
    /// Flags a raw `policies` statement that allows a wildcard action (`*` or
    /// `service:*`), or any resource (`Resource: "*"`) to an action that can be
    /// scoped to resources. Actions that support no resource-level permissions
    /// (`iam:ListAccountAliases`, `s3:ListAllMyBuckets`, `sts:GetCallerIdentity`), for
    /// which `*` is the only valid resource, are not flagged: fnplan knows them from
    /// the AWS Service Authorization Reference, vendored in `schemas/iam/` with its
    /// version. `Deny` statements are not flagged.
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
    /// or name the actions and the ARN, and keep actions that take no resource in a
    /// statement of their own:
    /// ```yaml
    ///     policies:
    ///       - { Effect: Allow, Action: ["s3:PutObject"], Resource: "arn:aws:s3:::partner-drop/*" }
    ///       - { Effect: Allow, Action: ["s3:ListAllMyBuckets"], Resource: "*" }
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

/// `` `a`, `b`, `c` `` (at most three, then how many more).
fn listed(actions: &[&str]) -> String {
    let mut out: Vec<String> = actions.iter().take(3).map(|a| format!("`{a}`")).collect();
    if actions.len() > 3 {
        out.push(format!("{} more", actions.len() - 3));
    }
    out.join(", ")
}

const EVERY_RESOURCE: &str = "on every resource (`Resource: \"*\"`)";

/// What a statement allows too widely, and a help line, if anything.
fn problem(statement: &Value) -> Option<(String, String)> {
    if statement.get("Effect").and_then(Value::as_str) == Some("Deny") {
        return None;
    }
    let actions = strings(statement.get("Action"));
    let wild: Vec<&str> = actions
        .iter()
        .copied()
        .filter(|a| is_wildcard_action(a))
        .collect();
    let (unscoped, scopable): (Vec<&str>, Vec<&str>) =
        actions.iter().copied().partition(|a| takes_no_resource(a));
    // `NotAction` (no `Action`) reaches actions of every kind.
    let any_resource = strings(statement.get("Resource")).contains(&"*")
        && (actions.is_empty() || !scopable.is_empty());
    let what = match (wild.is_empty(), any_resource) {
        (true, false) => return None,
        (false, false) => format!("{} ({})", wildcards(wild.len()), listed(&wild)),
        (false, true) => format!(
            "{} ({}) {EVERY_RESOURCE}",
            wildcards(wild.len()),
            listed(&wild)
        ),
        (true, true) if actions.is_empty() => format!("its actions {EVERY_RESOURCE}"),
        (true, true) => format!("{} {EVERY_RESOURCE}", listed(&scopable)),
    };
    let mut help = "grant access with `uses:` where you can; otherwise list the actions you need and the ARNs they apply to".to_string();
    if any_resource && !unscoped.is_empty() {
        help.push_str(&format!(
            "; {} take{} no resource ARN: keep {} in a statement of {} own with `Resource: \"*\"`",
            listed(&unscoped),
            if unscoped.len() == 1 { "s" } else { "" },
            if unscoped.len() == 1 { "it" } else { "them" },
            if unscoped.len() == 1 { "its" } else { "their" },
        ));
    }
    Some((what, help))
}

impl Rule for WildcardPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, f) in cx.model.functions.iter().enumerate() {
            for p in &f.policies {
                let (statement, span) = (&p.statement, &p.span);
                let Some((what, help)) = problem(statement) else {
                    continue;
                };
                out.push(
                    Owner::Res(ResId::new(Kind::Function, i)),
                    cx.report(
                        &Self::META,
                        *span,
                        format!("a policy statement of function `{}` allows {what}", f.name),
                    )
                    .help(help),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::problem;
    use serde_json::json;

    fn what(statement: serde_json::Value) -> Option<String> {
        problem(&statement).map(|(w, _)| w)
    }

    #[test]
    fn star_is_fine_for_actions_that_take_no_resource() {
        let s = json!({ "Effect": "Allow", "Action": ["iam:ListAccountAliases", "S3:listallmybuckets"], "Resource": "*" });
        assert_eq!(what(s), None);
        let s = json!({ "Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": ["*"] });
        assert_eq!(what(s), None);
    }

    #[test]
    fn star_is_flagged_for_actions_that_could_be_scoped() {
        let s = json!({ "Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "s3:GetObject"], "Resource": "*" });
        let (found, help) = problem(&s).expect("a finding");
        assert_eq!(
            found,
            "`s3:GetObject` on every resource (`Resource: \"*\"`)"
        );
        assert!(help.ends_with("; `s3:ListAllMyBuckets` takes no resource ARN: keep it in a statement of its own with `Resource: \"*\"`"), "{help}");
        // A pattern may match actions on resources; `NotAction` reaches every kind.
        let s = json!({ "Effect": "Allow", "Action": "iam:List*", "Resource": "*" });
        assert_eq!(
            what(s).as_deref(),
            Some("`iam:List*` on every resource (`Resource: \"*\"`)")
        );
        let s = json!({ "Effect": "Allow", "NotAction": "iam:*", "Resource": "*" });
        assert_eq!(
            what(s).as_deref(),
            Some("its actions on every resource (`Resource: \"*\"`)")
        );
    }

    #[test]
    fn action_wildcards_are_flagged_whatever_the_resource() {
        let s = json!({ "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*" });
        assert_eq!(what(s).as_deref(), Some("a wildcard action (`s3:*`)"));
        let s = json!({ "Effect": "Deny", "Action": "*", "Resource": "*" });
        assert_eq!(what(s), None);
    }
}
