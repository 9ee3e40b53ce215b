//! Masking: a plan in, the same plan with secrets in environment values masked out:
//! the value of a variable whose name says secret becomes `****`, and a value of a known
//! secret shape whatever its name (a Slack webhook URL, a `user:password@` URL, a token)
//! its masked form, `https://hooks.slack.com/services/****` (plans are printed in CI logs
//! and PR comments).

use super::plan::Plan;
use crate::model::env_secrets::secret_shape;
use crate::model::secret_name;
use serde_json::Value;

pub const MASK: &str = "****";

const ENV_PREFIX: &str = "Properties.Environment.Variables.";

/// Mask every environment value whose variable name says it holds a secret.
pub fn mask_plan(plan: &mut Plan) {
    for c in &mut plan.changes {
        for p in &mut c.properties {
            if let Some(name) = p.path.strip_prefix(ENV_PREFIX) {
                let before = (p.old.clone(), p.new.clone());
                for v in [&mut p.old, &mut p.new].into_iter().flatten() {
                    mask_env(name, v);
                }
                if (p.old.clone(), p.new.clone()) != before {
                    p.diff = None;
                }
                continue;
            }
            let under_env = p.path == "Properties.Environment"
                || p.path == "Properties.Environment.Variables"
                || p.path == "Properties";
            if under_env {
                if let Some(v) = &mut p.old {
                    mask_value(v);
                }
                if let Some(v) = &mut p.new {
                    mask_value(v);
                }
                if p.diff.is_some() {
                    p.diff = None;
                }
            }
        }
    }
}

/// One environment value: `****` for a secret name, the masked form for a value of a
/// secret shape (also inside a `Fn::Sub` text).
pub(super) fn mask_env(name: &str, v: &mut Value) {
    if secret_name(name) {
        *v = Value::String(MASK.into());
        return;
    }
    let text = match v {
        Value::String(s) => Some(s),
        Value::Object(m) => match m.get_mut("Fn::Sub") {
            Some(Value::String(s)) => Some(s),
            _ => None,
        },
        _ => None,
    };
    if let Some(s) = text
        && let Some((_, masked)) = secret_shape(s)
    {
        *v = Value::String(masked);
    }
}

/// Mask the secrets in every `Variables` object inside `v`.
fn mask_value(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "Variables" {
                    if let Value::Object(vars) = x {
                        for (name, val) in vars.iter_mut() {
                            mask_env(name, val);
                        }
                    }
                } else {
                    mask_value(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(mask_value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_env_values_are_masked_in_every_form() {
        let old = json!({ "Resources": { "F": { "Type": "AWS::Lambda::Function", "Properties": {
            "Environment": { "Variables": { "STRIPE_API_KEY": "sk_live_old", "LOG_LEVEL": "info" } } } } } });
        let new = json!({ "Resources": { "F": { "Type": "AWS::Lambda::Function", "Properties": {
            "Environment": { "Variables": { "STRIPE_API_KEY": "sk_live_new", "LOG_LEVEL": "debug" } } } } } });
        let ch = super::super::diff::plan_changes(Some(&old), &new);
        let mut plan = Plan {
            changes: ch.changes,
            ..Plan::default()
        };
        mask_plan(&mut plan);
        let text = serde_json::to_string(&plan).unwrap();
        assert!(!text.contains("sk_live"), "{text}");
        assert!(text.contains("debug"), "{text}");
        let human = super::super::format::human(&plan, false);
        assert!(
            !human.contains("sk_live") && human.contains(MASK),
            "{human}"
        );
    }

    /// A webhook URL holds its secret in the path, whatever the variable's name.
    #[test]
    fn secret_shaped_values_are_masked_whatever_their_name() {
        let hook = "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/abcdefghijklmnopqrstuvwx";
        let old = json!({ "Resources": { "F": { "Type": "AWS::Lambda::Function", "Properties": {
            "Environment": { "Variables": { "ALERTS_WEBHOOK_URL": "https://example.com/" } } } } } });
        let new = json!({ "Resources": { "F": { "Type": "AWS::Lambda::Function", "Properties": {
            "Environment": { "Variables": { "ALERTS_WEBHOOK_URL": hook } } } } } });
        let ch = super::super::diff::plan_changes(Some(&old), &new);
        let mut plan = Plan {
            changes: ch.changes,
            ..Plan::default()
        };
        mask_plan(&mut plan);
        let text = serde_json::to_string(&plan).unwrap();
        assert!(!text.contains("abcdefghijkl"), "{text}");
        assert!(
            text.contains("https://hooks.slack.com/services/****"),
            "{text}"
        );
        assert!(
            text.contains("https://example.com/"),
            "the old, plain URL stays"
        );
        let created = super::super::diff::plan_changes(None, &new);
        let mut plan = Plan {
            changes: created.changes,
            ..Plan::default()
        };
        mask_plan(&mut plan);
        assert!(
            !serde_json::to_string(&plan)
                .unwrap()
                .contains("abcdefghijkl")
        );
    }
}
