//! Hot-swap decision: a plan (the semantic diff of the deployed template and the new one)
//! and the new templates (with `--split`, the nested stacks' too) in; either the functions
//! `apply --hot` may update directly (new code and/or environment) or the changes that
//! force a change set, by logical ID and property.

use super::plan::{Action, Plan, ResourceChange};
use crate::template::split::Nested;
use serde_json::Value;
use std::collections::BTreeMap;

/// The templates a plan compares the deployed stack with: the stack's own and, with
/// `--split`, each nested stack's. A resource inside a nested stack is `Stack/Id`.
#[derive(Clone, Copy)]
pub struct Templates<'a> {
    pub root: &'a Value,
    pub nested: &'a [Nested],
}

impl<'a> Templates<'a> {
    /// The template that holds resource `id` (`Stack/Id` in a nested stack), and the
    /// resource's logical ID there.
    pub fn locate<'i>(&self, id: &'i str) -> (&'a Value, &'i str) {
        match split_id(id) {
            (Some(stack), local) => {
                let t = self
                    .nested
                    .iter()
                    .find(|n| n.logical_id == stack)
                    .map_or(&Value::Null, |n| n.template.value());
                (t, local)
            }
            (None, local) => (self.root, local),
        }
    }
}

/// `Stack/Id` -> (`Some("Stack")`, `"Id"`); a resource of the stack itself -> (`None`, id).
pub fn split_id(id: &str) -> (Option<&str>, &str) {
    match id.split_once('/') {
        Some((stack, local)) => (Some(stack), local),
        None => (None, id),
    }
}

/// The parameters nested stack `stack` gets from `parent` (its `AWS::CloudFormation::Stack`
/// resource's `Parameters`), resolved where the parent passes a literal or one of its own
/// parameters (`parameters`): what its `Code.S3Bucket` refers to.
pub fn nested_parameters(
    parent: &Value,
    stack: &str,
    parameters: &[(String, String)],
) -> Vec<(String, String)> {
    let Some(passed) = parent["Resources"][stack]["Properties"]["Parameters"].as_object() else {
        return Vec::new();
    };
    passed
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), resolve_bucket(v, parameters)?)))
        .collect()
}

/// One function `apply --hot` updates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HotFunction {
    pub logical_id: String,
    /// The new code, when it changed: (bucket as the template says it, S3 key).
    pub code: Option<(Value, String)>,
    /// The environment changed.
    pub env: bool,
    /// The alias (`live`) to move to a new version: provisioned functions.
    pub alias: Option<String>,
}

/// Whether `apply --hot` can do without a change set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Only these functions' code and environment differ.
    Hot(Vec<HotFunction>),
    /// These changes need CloudFormation: "MemoryFunction: Properties.MemorySize".
    NotHot(Vec<String>),
}

/// Properties of a function `apply --hot` updates directly.
fn hot_path(path: &str) -> bool {
    path.starts_with("Properties.Code.") || path.starts_with("Properties.Environment")
}

/// Why change `c` is not hot-swappable, if it is not. Versions come and go with the
/// function's code hash, and the alias follows them: both are part of a hot swap.
fn not_hot(c: &ResourceChange) -> Option<String> {
    let id = &c.logical_id;
    let t = c.resource_type.as_str();
    let paths = || {
        c.properties
            .iter()
            .filter(|p| !hot_path(&p.path))
            .map(|p| p.path.clone())
            .collect::<Vec<_>>()
    };
    match (t, c.action) {
        ("AWS::Lambda::Version", Action::Create | Action::Delete) => None,
        ("AWS::Lambda::Alias", Action::Modify)
            if c.properties
                .iter()
                .all(|p| p.path == "Properties.FunctionVersion") =>
        {
            None
        }
        ("AWS::Lambda::Function", Action::Modify) => {
            let other = paths();
            (!other.is_empty()).then(|| format!("{id}: {}", other.join(", ")))
        }
        (_, Action::Modify) => Some(format!("{id} ({t}): {}", paths().join(", "))),
        (_, a) => Some(format!("{id} ({t}) is {}", done(a))),
    }
}

fn done(a: Action) -> &'static str {
    match a {
        Action::Create => "created",
        Action::Modify => "modified",
        Action::Replace => "replaced",
        Action::Delete => "deleted",
    }
}

/// A nested stack whose template (`TemplateURL`, named by its content) is all that
/// changes, because of the changes listed inside it, which are judged one by one.
fn new_nested_template(c: &ResourceChange, plan: &Plan) -> bool {
    let inside = format!("{}/", c.logical_id);
    c.resource_type == "AWS::CloudFormation::Stack"
        && c.action == Action::Modify
        && c.properties
            .iter()
            .all(|p| p.path == "Properties.TemplateURL")
        && plan
            .changes
            .iter()
            .any(|i| i.logical_id.starts_with(&inside))
}

/// Decide from `plan` (deployed stack -> `new` templates) whether a hot swap covers it.
pub fn decide(plan: &Plan, new: Templates<'_>) -> Decision {
    let mut reasons: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| !new_nested_template(c, plan))
        .filter_map(not_hot)
        .collect();
    for o in &plan.outputs {
        reasons.push(format!("output {} changes", o.name));
    }
    for m in &plan.moves {
        reasons.push(format!("{} moves to {}", m.from, m.to));
    }
    if !reasons.is_empty() {
        return Decision::NotHot(reasons);
    }
    let functions = plan
        .changes
        .iter()
        .filter(|c| c.resource_type == "AWS::Lambda::Function")
        .map(|c| hot_function(c, new))
        .collect();
    Decision::Hot(functions)
}

fn hot_function(c: &ResourceChange, new: Templates<'_>) -> HotFunction {
    let (template, id) = new.locate(&c.logical_id);
    let props = &template["Resources"][id]["Properties"];
    let code_changed = c
        .properties
        .iter()
        .any(|p| p.path.starts_with("Properties.Code."));
    let code = code_changed.then(|| {
        let key = props["Code"]["S3Key"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        (props["Code"]["S3Bucket"].clone(), key)
    });
    HotFunction {
        logical_id: c.logical_id.clone(),
        code,
        env: c
            .properties
            .iter()
            .any(|p| p.path.starts_with("Properties.Environment")),
        alias: alias_of(template, id),
    }
}

/// The properties of the alias in `template` that points at function `logical_id`.
fn alias_props<'t>(template: &'t Value, logical_id: &str) -> Option<&'t Value> {
    let resources = template.get("Resources")?.as_object()?;
    resources.values().find_map(|r| {
        let p = &r["Properties"];
        (r["Type"] == "AWS::Lambda::Alias" && p["FunctionName"]["Ref"] == logical_id).then_some(p)
    })
}

/// The name of the alias in `template` that points at function `logical_id`.
pub fn alias_of(template: &Value, logical_id: &str) -> Option<String> {
    alias_props(template, logical_id)?["Name"]
        .as_str()
        .map(str::to_string)
}

/// The environment variables of function `logical_id` in `template`, as written.
pub fn template_env(template: &Value, logical_id: &str) -> BTreeMap<String, Value> {
    template["Resources"][logical_id]["Properties"]["Environment"]["Variables"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// The environment a hot swap sets: the live (resolved) values of variables whose
/// template text did not change, and the new literal values of those that did. `Err`
/// names a variable only CloudFormation could set: a changed or added one whose new value
/// is a reference or a dynamic reference, or a removed one whose value was (a later
/// `apply` could not put it back, see [`stack_env`]).
pub fn new_env(
    old: &BTreeMap<String, Value>,
    new: &BTreeMap<String, Value>,
    live: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    if let Some(k) = old
        .keys()
        .find(|k| !new.contains_key(*k) && !literal(&old[*k]))
    {
        return Err(format!(
            "Environment.Variables.{k}: it is removed, and its value refers to another resource or a secret, which only CloudFormation resolves"
        ));
    }
    let mut out = BTreeMap::new();
    for (k, v) in new {
        if old.get(k) == Some(v)
            && let Some(l) = live.get(k)
        {
            out.insert(k.clone(), l.clone());
            continue;
        }
        match v.as_str() {
            Some(s) if literal(v) => {
                out.insert(k.clone(), s.to_string());
            }
            _ => {
                return Err(format!(
                    "Environment.Variables.{k}: its new value refers to another resource or a secret, which only CloudFormation resolves"
                ));
            }
        }
    }
    Ok(out)
}

/// A value the function sees as written: a string without a dynamic reference.
fn literal(v: &Value) -> bool {
    v.as_str().is_some_and(|s| !s.contains("{{resolve:"))
}

/// The environment the stack names for a function (its template variables `stack`), in
/// resolved form: literals as written, references as the function has them live (a hot
/// swap never changes those). `Err` names a reference the function lacks.
pub fn stack_env(
    stack: &BTreeMap<String, Value>,
    live: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for (k, v) in stack {
        let value = match v.as_str() {
            Some(s) if literal(v) => s.to_string(),
            _ => live.get(k).cloned().ok_or_else(|| {
                format!("Environment.Variables.{k} refers to a value only CloudFormation resolves, and the function has none")
            })?,
        };
        out.insert(k.clone(), value);
    }
    Ok(out)
}

/// The alias of function `logical_id` in `template` and the logical ID of the version it
/// points at (`FunctionVersion: !GetAtt Version.Version`).
pub fn alias_version(template: &Value, logical_id: &str) -> Option<(String, String)> {
    let p = alias_props(template, logical_id)?;
    let version = p["FunctionVersion"]["Fn::GetAtt"][0].as_str()?;
    Some((p["Name"].as_str()?.to_string(), version.to_string()))
}

/// The S3 bucket a template's `Code.S3Bucket` names: a literal, or a `Ref` to a parameter.
pub fn resolve_bucket(bucket: &Value, parameters: &[(String, String)]) -> Option<String> {
    if let Some(s) = bucket.as_str() {
        return Some(s.to_string());
    }
    let name = bucket["Ref"].as_str()?;
    parameters
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::diff::plan_changes;
    use serde_json::json;

    fn template(key: &str, memory: u32, level: &str, table: Value) -> Value {
        json!({ "Resources": {
            "HealthFunction": { "Type": "AWS::Lambda::Function", "Properties": {
                "FunctionName": "a-dev-health", "MemorySize": memory,
                "Code": { "S3Bucket": { "Ref": "ArtifactBucket" }, "S3Key": key },
                "Environment": { "Variables": { "LEVEL": level, "TABLE": table } } } },
            "OtherFunction": { "Type": "AWS::Lambda::Function", "Properties": {
                "FunctionName": "a-dev-other",
                "Code": { "S3Bucket": "b", "S3Key": "other.zip" } } }
        } })
    }

    fn decide_between(old: &Value, new: &Value) -> Decision {
        let c = plan_changes(Some(old), new);
        let plan = Plan {
            changes: c.changes,
            outputs: c.outputs,
            ..Plan::default()
        };
        decide(
            &plan,
            Templates {
                root: new,
                nested: &[],
            },
        )
    }

    #[test]
    fn code_and_environment_changes_are_hot() {
        let old = template("k1.zip", 128, "info", json!({ "Ref": "T" }));
        let new = template("k2.zip", 128, "debug", json!({ "Ref": "T" }));
        let Decision::Hot(f) = decide_between(&old, &new) else {
            panic!("not hot");
        };
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].logical_id, "HealthFunction");
        assert_eq!(f[0].code.as_ref().map(|c| c.1.as_str()), Some("k2.zip"));
        assert!(f[0].env);
        assert_eq!(f[0].alias, None);
    }

    #[test]
    fn a_memory_change_is_not_hot_and_is_named() {
        let old = template("k1.zip", 128, "info", json!("t"));
        let new = template("k2.zip", 256, "info", json!("t"));
        assert_eq!(
            decide_between(&old, &new),
            Decision::NotHot(vec!["HealthFunction: Properties.MemorySize".into()])
        );
    }

    #[test]
    fn a_new_resource_is_not_hot() {
        let old = template("k1.zip", 128, "info", json!("t"));
        let mut new = old.clone();
        new["Resources"]["Q"] = json!({ "Type": "AWS::SQS::Queue", "Properties": {} });
        assert_eq!(
            decide_between(&old, &new),
            Decision::NotHot(vec!["Q (AWS::SQS::Queue) is created".into()])
        );
    }

    #[test]
    fn the_environment_keeps_resolved_values_and_refuses_new_references() {
        let old = BTreeMap::from([
            ("T".to_string(), json!({ "Ref": "Table" })),
            ("L".to_string(), json!("info")),
        ]);
        let live = BTreeMap::from([
            ("T".to_string(), "orders-123".to_string()),
            ("L".to_string(), "info".to_string()),
        ]);
        let mut new = old.clone();
        new.insert("L".into(), json!("debug"));
        let env = new_env(&old, &new, &live).expect("literal");
        assert_eq!(env["T"], "orders-123");
        assert_eq!(env["L"], "debug");
        new.insert("T".into(), json!({ "Ref": "Other" }));
        assert!(new_env(&old, &new, &live).is_err());
        new.insert("T".into(), json!("{{resolve:secretsmanager:x}}"));
        assert!(new_env(&old, &new, &live).is_err());
        // Removing a reference could not be undone without CloudFormation; a literal can.
        new.remove("T");
        assert!(new_env(&old, &new, &live).is_err());
        let only_t = BTreeMap::from([("T".to_string(), json!({ "Ref": "Table" }))]);
        assert!(new_env(&old, &only_t, &live).is_ok());
    }

    #[test]
    fn the_stack_environment_takes_literals_as_written_and_references_from_live() {
        let stack = BTreeMap::from([
            ("T".to_string(), json!({ "Ref": "Table" })),
            ("L".to_string(), json!("info")),
        ]);
        let live = BTreeMap::from([
            ("T".to_string(), "orders-123".to_string()),
            ("L".to_string(), "debug".to_string()),
            ("X".to_string(), "added".to_string()),
        ]);
        let env = stack_env(&stack, &live).expect("resolvable");
        assert_eq!(
            env,
            BTreeMap::from([
                ("L".to_string(), "info".to_string()),
                ("T".to_string(), "orders-123".to_string()),
            ])
        );
        assert!(stack_env(&stack, &BTreeMap::new()).is_err());
    }

    #[test]
    fn buckets_resolve_from_literals_and_parameters() {
        let p = vec![("ArtifactBucket".to_string(), "art".to_string())];
        assert_eq!(
            resolve_bucket(&json!({ "Ref": "ArtifactBucket" }), &p).as_deref(),
            Some("art")
        );
        assert_eq!(resolve_bucket(&json!("b"), &p).as_deref(), Some("b"));
        assert_eq!(resolve_bucket(&json!({ "Ref": "X" }), &p), None);
    }

    /// A provisioned function: its new version and the alias moving to it are part of
    /// the hot swap; the model's `stages.NAME.hot` follows the `prod` default.
    #[test]
    fn a_provisioned_functions_version_and_alias_follow_its_code() {
        let spec = |key: &str, memory: u32| {
            format!(
                "version: 1\napp: a\nstages: {{ dev: {{}}, prod: {{}}, qa: {{ hot: false }} }}\nfunctions:\n  health: {{ handler: app.handler, runtime: python3.12, code: s3://b/{key}, memory: {memory}, concurrency: 5, provisioned: 2 }}\n"
            )
        };
        let t = |key: &str, memory: u32| crate::testing::compile_str(&spec(key, memory), None);
        let (old, new) = (t("k1.zip", 256), t("k2.zip", 256));
        let Decision::Hot(f) = decide_between(old.template.value(), new.template.value()) else {
            panic!("not hot");
        };
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].alias.as_deref(), Some("live"));
        assert_eq!(f[0].code.as_ref().map(|c| c.1.as_str()), Some("k2.zip"));
        // Where a normal apply points the alias back (the stack's version of the code).
        let (alias, version) =
            alias_version(old.template.value(), "HealthFunction").expect("an alias");
        assert_eq!(alias, "live");
        assert!(
            old.template.value()["Resources"][&version]["Type"] == "AWS::Lambda::Version",
            "{version}"
        );
        let Decision::NotHot(why) =
            decide_between(old.template.value(), t("k2.zip", 512).template.value())
        else {
            panic!("hot");
        };
        assert_eq!(why, ["HealthFunction: Properties.MemorySize"]);
        let hot = |stage| {
            crate::testing::compile_str(&spec("k.zip", 256), Some(stage))
                .model
                .hot
        };
        assert!(hot("dev") && !hot("prod") && !hot("qa"));
    }

    /// A split app (`--split`), deployed from spec `key`/`memory` with its nested stack's
    /// template at URL `url`: (parent, nested stacks).
    fn split(key: &str, memory: u32, url: &str) -> (Value, Vec<Nested>) {
        let spec = format!(
            "version: 1\napp: a\nfunctions:\n  health: {{ handler: app.handler, runtime: python3.12, code: s3://b/{key}, memory: {memory}, concurrency: 5, provisioned: 2 }}\n  other: {{ handler: app.handler, runtime: python3.12, code: s3://b/o.zip }}\n"
        );
        let c = crate::testing::compile_str(&spec, None);
        let s = crate::template::render_split(&c.model, &c.graph, &c.keys, &|id| id.to_string());
        let mut parent = s.parent.value().clone();
        for n in &s.children {
            parent["Resources"][&n.logical_id]["Properties"]["TemplateURL"] = json!(url);
        }
        (parent, s.children)
    }

    /// The plan of deploying `new` over `old` as `run::plan` makes it for `--split`.
    fn split_plan(old: &(Value, Vec<Nested>), new: &(Value, Vec<Nested>)) -> Plan {
        let mut c = plan_changes(Some(&old.0), &new.0);
        for (o, n) in old.1.iter().zip(&new.1) {
            let inner = plan_changes(Some(o.template.value()), n.template.value());
            crate::deploy::diff::merge_nested(&mut c, &n.logical_id, inner);
        }
        Plan {
            changes: c.changes,
            outputs: c.outputs,
            ..Plan::default()
        }
    }

    /// Inside a nested stack: the function is found through its stack, the stack's new
    /// `TemplateURL` follows from it, and anything else still needs a change set.
    #[test]
    fn functions_in_nested_stacks_are_hot_swapped_through_their_stack() {
        let old = split("k1.zip", 256, "u1");
        let templates = |t: &(Value, Vec<Nested>)| -> Decision {
            let plan = split_plan(&old, t);
            let new = Templates {
                root: &t.0,
                nested: &t.1,
            };
            decide(&plan, new)
        };
        let new = split("k2.zip", 256, "u2");
        let Decision::Hot(f) = templates(&new) else {
            panic!("not hot");
        };
        assert_eq!(f.len(), 1);
        let (stack, local) = split_id(&f[0].logical_id);
        assert_eq!(local, "HealthFunction");
        assert!(new.1.iter().any(|n| Some(n.logical_id.as_str()) == stack));
        assert_eq!(f[0].code.as_ref().map(|c| c.1.as_str()), Some("k2.zip"));
        assert_eq!(f[0].alias.as_deref(), Some("live"));

        let Decision::NotHot(why) = templates(&split("k2.zip", 512, "u2")) else {
            panic!("hot");
        };
        assert_eq!(why.len(), 1, "{why:?}");
        assert!(
            why[0].ends_with("/HealthFunction: Properties.MemorySize"),
            "{why:?}"
        );
        // A new template with nothing changed inside it is not a code change.
        let Decision::NotHot(why) = templates(&split("k1.zip", 256, "u2")) else {
            panic!("hot");
        };
        assert!(why[0].contains("Properties.TemplateURL"), "{why:?}");
    }

    #[test]
    fn a_nested_stack_gets_the_parameters_its_parent_passes() {
        let parent = json!({ "Resources": { "S": { "Properties": { "Parameters": {
            "ArtifactBucket": { "Ref": "ArtifactBucket" }, "Name": "x", "Api": { "Ref": "Api" },
        } } } } });
        let p = vec![("ArtifactBucket".to_string(), "art".to_string())];
        assert_eq!(
            nested_parameters(&parent, "S", &p),
            [
                ("ArtifactBucket".to_string(), "art".to_string()),
                ("Name".to_string(), "x".to_string()),
            ]
        );
        assert!(nested_parameters(&parent, "T", &p).is_empty());
    }
}
