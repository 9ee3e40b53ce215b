//! Masking: a plan in, the same plan with the values of secret-looking environment
//! variables replaced by `****` out (plans are printed in CI logs and PR comments).

use super::plan::Plan;
use crate::model::secret_name;
use serde_json::Value;

pub const MASK: &str = "****";

const ENV_PREFIX: &str = "Properties.Environment.Variables.";

/// Mask every environment value whose variable name says it holds a secret.
pub fn mask_plan(plan: &mut Plan) {
    for c in &mut plan.changes {
        for p in &mut c.properties {
            if let Some(name) = p.path.strip_prefix(ENV_PREFIX) {
                if secret_name(name) {
                    p.old = p.old.as_ref().map(|_| Value::String(MASK.into()));
                    p.new = p.new.as_ref().map(|_| Value::String(MASK.into()));
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

/// Mask secret-named keys of every `Variables` object inside `v`.
fn mask_value(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "Variables" {
                    if let Value::Object(vars) = x {
                        for (name, val) in vars.iter_mut() {
                            if secret_name(name) {
                                *val = Value::String(MASK.into());
                            }
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
}
