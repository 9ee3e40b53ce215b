//! The deployed template and the rendered one in, what would change out: resources
//! created, modified, replaced or deleted (with property-level differences and risks),
//! outputs, and the IAM grants that appear or disappear. Pure: no AWS.
//!
//! Values that mean the same are equal: `"5"` and `5` (CloudFormation hands numbers back
//! as text), `Fn::GetAtt` as `"A.B"` or `[A, B]`, a `DependsOn` string or a one-element
//! list, IAM `Action`/`Resource` lists in any order (or a single string).

mod iam;
mod knock_on;
mod renames;

use super::format::value::{getatt, intrinsic, summary};
use super::plan::{Action, IamChange, OutputChange, PropertyChange, ResourceChange, Risk};
use super::replacement;
use iam::iam_changes;
pub use knock_on::Input;
use serde_json::{Map, Value};
use similar::TextDiff;

/// Strings longer than this (or spanning lines) are shown as a unified diff.
const LONG: usize = 80;

/// The template-derived part of a [`super::plan::Plan`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanChanges {
    /// Risky changes first: data loss, then replacements, deletions, creations,
    /// modifications; by logical ID within each group.
    pub changes: Vec<ResourceChange>,
    /// Resources present in both templates with no difference.
    pub unchanged: usize,
    pub outputs: Vec<OutputChange>,
    /// Per role or permission (by logical ID): removed grants, then added ones.
    pub iam: Vec<IamChange>,
}

/// Compare the deployed template (`None`: no stack yet) with the new one.
pub fn plan_changes(old: Option<&Value>, new: &Value) -> PlanChanges {
    plan_changes_with(old, new, &[])
}

/// [`plan_changes`] for a template whose parameters `inputs` get new values (a nested
/// stack whose parent passes it a replaced resource's ID): what refers to them changes.
pub fn plan_changes_with(old: Option<&Value>, new: &Value, inputs: &[Input]) -> PlanChanges {
    let empty = Map::new();
    let old_res = section(old, "Resources").unwrap_or(&empty);
    let new_res = section(Some(new), "Resources").unwrap_or(&empty);

    let mut out = PlanChanges::default();
    for (id, old_r, new_r) in union(old_res, new_res) {
        let iam = iam_changes(id, old_r, new_r);
        match resource_change(id, old_r, new_r, &iam) {
            Some(c) => out.changes.push(c),
            None => out.unchanged += 1,
        }
        out.iam.extend(iam);
    }

    let old_out = section(old, "Outputs").unwrap_or(&empty);
    let new_out = section(Some(new), "Outputs").unwrap_or(&empty);
    for (name, o, n) in union(old_out, new_out) {
        let action = match (o, n) {
            (None, Some(_)) => Action::Create,
            (Some(_), None) => Action::Delete,
            (Some(a), Some(b)) if !same(a, b, None) => Action::Modify,
            _ => continue,
        };
        out.outputs.push(OutputChange {
            name: name.to_string(),
            action,
            old: o.cloned(),
            new: n.cloned(),
            known_after_apply: None,
        });
    }
    let sides = knock_on::Sides {
        old: old_res,
        new: new_res,
        old_outputs: old_out,
        new_outputs: new_out,
    };
    renames::mark(&mut out, old_res, new_res);
    knock_on::spread(&mut out, &sides, inputs);
    sort(&mut out);
    out
}

/// Add the changes inside nested stack `stack` to `into`, their names written
/// `Stack/LogicalId`, keeping the order `plan_changes` gives (risky first, then by name).
pub fn merge_nested(into: &mut PlanChanges, stack: &str, nested: PlanChanges) {
    let prefixed = |id: &str| format!("{stack}/{id}");
    into.changes.extend(nested.changes.into_iter().map(|mut c| {
        c.logical_id = prefixed(&c.logical_id);
        c
    }));
    into.unchanged += nested.unchanged;
    into.iam.extend(nested.iam.into_iter().map(|mut i| {
        i.resource = prefixed(&i.resource);
        i
    }));
    into.outputs.extend(nested.outputs.into_iter().map(|mut o| {
        o.name = prefixed(&o.name);
        o
    }));
    sort(into);
}

/// Risky changes first, then by logical ID; IAM changes by resource.
fn sort(p: &mut PlanChanges) {
    p.changes.sort_by(|a, b| {
        (sort_group(a), a.logical_id.as_str()).cmp(&(sort_group(b), b.logical_id.as_str()))
    });
    p.iam.sort_by(|a, b| a.resource.cmp(&b.resource));
}

fn section<'a>(t: Option<&'a Value>, name: &str) -> Option<&'a Map<String, Value>> {
    t?.get(name)?.as_object()
}

/// Keys of `new` in its order, then keys only in `old`, with both sides' values.
fn union<'a>(
    old: &'a Map<String, Value>,
    new: &'a Map<String, Value>,
) -> Vec<(&'a str, Option<&'a Value>, Option<&'a Value>)> {
    let mut keys: Vec<(&str, Option<&Value>, Option<&Value>)> = new
        .iter()
        .map(|(k, v)| (k.as_str(), old.get(k), Some(v)))
        .collect();
    keys.extend(
        old.iter()
            .filter(|(k, _)| !new.contains_key(*k))
            .map(|(k, v)| (k.as_str(), Some(v), None)),
    );
    keys
}

fn sort_group(c: &ResourceChange) -> (u8, u8) {
    let loss = if c.has_risk(Risk::DataLoss) { 0 } else { 1 };
    let action = match c.action {
        Action::Replace => 0,
        Action::Delete => 1,
        Action::Create => 2,
        Action::Modify => 3,
    };
    (loss, action)
}

fn type_of(r: &Value) -> &str {
    r.get("Type").and_then(Value::as_str).unwrap_or("")
}

fn attr<'a>(r: &'a Value, name: &str) -> Option<&'a str> {
    r.get(name).and_then(Value::as_str)
}

/// What `Snapshot` (databases) keeps when the resource goes: a snapshot, not the resource.
const SNAPSHOT_NOTE: &str = "the old resource is deleted after a final snapshot (its Snapshot policy): its data survives only as that snapshot, and restoring it makes a new resource with a new ARN";

fn is_retain(policy: Option<&str>) -> bool {
    matches!(policy, Some("Retain" | "RetainExceptOnCreate"))
}

/// One resource's change, or `None` when both sides mean the same.
fn resource_change(
    id: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    iam: &[IamChange],
) -> Option<ResourceChange> {
    let broadens = iam.iter().any(|c| c.broadening);
    let mut c = ResourceChange::new(id, type_of(new.or(old)?), Action::Modify);
    match (old, new) {
        (None, Some(_)) => c.action = Action::Create,
        (Some(o), None) => {
            c.action = Action::Delete;
            c.retained = is_retain(attr(o, "DeletionPolicy"));
            if replacement::is_stateful(&c.resource_type) && !c.retained {
                c.risks.push(Risk::DataLoss);
                if attr(o, "DeletionPolicy") == Some("Snapshot") {
                    c.notes.push(SNAPSHOT_NOTE.into());
                }
            }
        }
        (Some(o), Some(n)) => {
            c.properties = property_changes(o, n);
            if c.properties.is_empty() {
                return None;
            }
            if c.properties.iter().any(|p| p.replaces) {
                c.action = Action::Replace;
            }
            for p in c.properties.iter().filter(|p| p.replaces) {
                let name = p
                    .path
                    .strip_prefix("Properties.")
                    .map_or(p.path.as_str(), replacement::top_level)
                    .to_string();
                if !c.replacement.because_of.contains(&name) {
                    c.replacement.because_of.push(name);
                }
            }
            if c.action == Action::Replace {
                c.replacement.predicted = true;
                c.risks.push(Risk::Replacement);
                replace_notes(&mut c, o, n);
            }
            lambda_notes(&mut c);
            unknown_type_note(&mut c);
        }
        (None, None) => return None,
    }
    if broadens {
        c.risks.push(Risk::IamBroadening);
    }
    c.risks.sort();
    c.risks.dedup();
    Some(c)
}

/// Lambda changes in words: a new zip (its sha256 names the S3 key), a new layer version.
fn lambda_notes(c: &mut ResourceChange) {
    if c.resource_type == "AWS::Lambda::Function"
        && c.properties
            .iter()
            .any(|p| p.path.starts_with("Properties.Code"))
    {
        let only = c
            .properties
            .iter()
            .all(|p| p.path.starts_with("Properties.Code"));
        c.notes.push(if only {
            "code changed (a new zip); nothing else".into()
        } else {
            "code changed (a new zip)".into()
        });
    }
    if c.resource_type == "AWS::Lambda::LayerVersion" && c.action == Action::Replace {
        c.notes.push(
            "a new layer version is published; the old one is kept (Retain) for functions still pinned to it"
                .into(),
        );
    }
}

/// A modification of a type fnplan has no schema for might still be a replacement.
fn unknown_type_note(c: &mut ResourceChange) {
    if !replacement::is_known(&c.resource_type) && c.action == Action::Modify {
        c.notes.push(format!(
            "fnplan does not know which {} properties replace it; CloudFormation's change set does",
            c.resource_type
        ));
    }
}

/// What a replacement means beyond "new physical ID".
fn replace_notes(c: &mut ResourceChange, old: &Value, new: &Value) {
    let stateful = replacement::is_stateful(&c.resource_type);
    if stateful {
        c.risks.push(Risk::DataLoss);
    }
    c.retained = is_retain(attr(new, "UpdateReplacePolicy"));
    if stateful {
        if c.retained {
            c.notes.push(
                "UpdateReplacePolicy Retain keeps the old resource and its data, outside the stack; the new one starts empty"
                    .into(),
            );
        } else if attr(new, "UpdateReplacePolicy") == Some("Snapshot") {
            c.notes.push(SNAPSHOT_NOTE.into());
            c.notes.push("the new one starts empty".into());
        } else {
            c.notes
                .push("the old resource is deleted with its data; the new one starts empty".into());
        }
    }
    if let Some(name_prop) = replacement::name_property(&c.resource_type) {
        let o = old.pointer(&format!("/Properties/{name_prop}"));
        let n = new.pointer(&format!("/Properties/{name_prop}"));
        if let (Some(Value::String(was)), None) = (o, n) {
            // Earlier fnplan versions named every queue, table and topic.
            c.notes.push(format!(
                "{name_prop} is no longer set, so CloudFormation names the new one: this replaces it once; to keep `{was}`{}, set `name: {was}` on it in the spec",
                if stateful { " and its data" } else { "" }
            ));
        }
        if let (Some(o), Some(n)) = (o, n)
            && same(o, n, None)
        {
            c.replacement.fixed_name = Some(name_prop.to_string());
            c.notes.push(format!(
                "{name_prop} is fixed ({}): CloudFormation cannot replace a resource with a custom name, so the update fails unless the name changes too",
                summary(n)
            ));
        }
    }
}

/// Property-level differences: `Type`, every `Properties` leaf that changed, and other
/// attributes (`DependsOn`, `DeletionPolicy`, `Metadata`, ...).
fn property_changes(old: &Value, new: &Value) -> Vec<PropertyChange> {
    let mut out = Vec::new();
    let rtype = type_of(new);
    if type_of(old) != rtype {
        out.push(PropertyChange {
            path: "Type".into(),
            old: old.get("Type").cloned(),
            new: new.get("Type").cloned(),
            diff: None,
            replaces: true,
            known_after_apply: None,
        });
    }
    walk(
        &mut out,
        "Properties",
        None,
        old.get("Properties"),
        new.get("Properties"),
    );
    let empty = Map::new();
    let attrs = union(
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    for (k, o, n) in attrs {
        if k != "Type" && k != "Properties" {
            walk(&mut out, k, Some(k), o, n);
        }
    }
    let (old_props, new_props) = (old.get("Properties"), new.get("Properties"));
    for p in &mut out {
        // `Properties` itself: one side has none (the empty path inside it).
        let rel = match p.path.as_str() {
            "Properties" => Some(""),
            path => path.strip_prefix("Properties."),
        };
        if let Some(rel) = rel {
            p.replaces = replacement::replaces_in(rtype, rel, old_props, new_props);
        }
    }
    out
}

/// Record the differences between `old` and `new` at `path`; `key` is the mapping key
/// the values sit under (it decides list-as-set comparison and policy documents).
fn walk(
    out: &mut Vec<PropertyChange>,
    path: &str,
    key: Option<&str>,
    old: Option<&Value>,
    new: Option<&Value>,
) {
    match (old, new) {
        (None, None) => return,
        (Some(a), Some(b)) if same(a, b, key) => return,
        _ => {}
    }
    let policy = key.is_some_and(is_policy_key);
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b)))
            if !policy
                && intrinsic(old.unwrap_or(&Value::Null)).is_none()
                && intrinsic(new.unwrap_or(&Value::Null)).is_none() =>
        {
            for (k, o, n) in union(a, b) {
                walk(out, &child(path, k), Some(k), o, n);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if !policy && !is_set_key(key) => {
            for i in 0..a.len().max(b.len()) {
                walk(out, &format!("{path}[{i}]"), None, a.get(i), b.get(i));
            }
        }
        _ => out.push(PropertyChange {
            path: path.to_string(),
            old: old.cloned(),
            new: new.cloned(),
            diff: long_diff(old, new, policy),
            replaces: false,
            known_after_apply: None,
        }),
    }
}

fn child(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '/'));
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_string()))
    }
}

fn is_policy_key(k: &str) -> bool {
    matches!(
        k,
        "PolicyDocument" | "AssumeRolePolicyDocument" | "KeyPolicy"
    )
}

/// Lists compared as sets (order and a lone string do not matter).
fn is_set_key(k: Option<&str>) -> bool {
    matches!(
        k,
        Some("Action" | "NotAction" | "Resource" | "NotResource" | "DependsOn")
    )
}

/// A unified diff for policy documents, long or multi-line strings, and large values.
fn long_diff(old: Option<&Value>, new: Option<&Value>, policy: bool) -> Option<String> {
    let text = |v: Option<&Value>| -> String {
        match v {
            None => String::new(),
            Some(Value::String(s)) if !policy => s.clone(),
            Some(v) => serde_json::to_string_pretty(v).unwrap_or_default(),
        }
    };
    let long = |v: Option<&Value>| match v {
        None => false,
        Some(Value::String(s)) => s.len() > LONG || s.contains('\n'),
        Some(v @ (Value::Object(_) | Value::Array(_))) => {
            serde_json::to_string(v).map_or(0, |s| s.len()) > LONG
        }
        Some(_) => false,
    };
    if !(policy || long(old) || long(new)) {
        return None;
    }
    let (mut a, mut b) = (text(old), text(new));
    for t in [&mut a, &mut b] {
        if !t.is_empty() && !t.ends_with('\n') {
            t.push('\n');
        }
    }
    Some(
        TextDiff::from_lines(&a, &b)
            .unified_diff()
            .context_radius(3)
            .missing_newline_hint(false)
            .to_string(),
    )
}

/// Whether two template values mean the same to CloudFormation.
fn same(a: &Value, b: &Value, key: Option<&str>) -> bool {
    if is_set_key(key) {
        return same_set(&as_list(a), &as_list(b));
    }
    if let (Some(x), Some(y)) = (getatt(a), getatt(b)) {
        return x == y;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same(v, w, Some(k))))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w, None))
        }
        (Value::Null, Value::Null) => true,
        _ => match (scalar_text(a), scalar_text(b)) {
            (Some(s), Some(t)) => s == t || numbers_equal(&s, &t),
            _ => false,
        },
    }
}

fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn same_set(a: &[&Value], b: &[&Value]) -> bool {
    a.iter().all(|x| b.iter().any(|y| same(x, y, None)))
        && b.iter().all(|y| a.iter().any(|x| same(x, y, None)))
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn numbers_equal(a: &str, b: &str) -> bool {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// The orders app's dev template, and an edited copy exercising every kind of change.
#[cfg(test)]
pub(crate) mod fixtures {
    use serde_json::{Value, json};

    pub fn orders() -> Value {
        serde_json::from_str(include_str!("../../../snapshots/orders-dev.json")).unwrap()
    }

    /// Timeout and an env var changed, a queue added, a route's three resources removed,
    /// the table's key changed (replace with data loss), an IAM statement broadened.
    pub fn orders_edited() -> Value {
        let mut t = orders();
        let r = t["Resources"].as_object_mut().unwrap();
        let f = &mut r["CreateOrderFunction"]["Properties"];
        f["Timeout"] = json!(10);
        f["Environment"]["Variables"]["LOG_LEVEL"] = json!("info");
        r.insert(
            "AuditQueue".into(),
            json!({
                "Type": "AWS::SQS::Queue",
                "Properties": {"QueueName": "orders-dev-audit", "VisibilityTimeout": 30}
            }),
        );
        for id in [
            "GetHealthIntegration",
            "GetHealthRoute",
            "GetHealthPermission",
        ] {
            r.shift_remove(id);
        }
        r["OrdersTable"]["Properties"]["KeySchema"][0]["AttributeName"] = json!("orderId");
        r["OrdersTable"]["Properties"]["AttributeDefinitions"][0]["AttributeName"] =
            json!("orderId");
        let stmts =
            r["CreateOrderRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
                .as_array_mut()
                .unwrap();
        let send = stmts
            .iter_mut()
            .find(|s| s["Sid"] == "QueueOrderEventsSend")
            .unwrap();
        send["Action"]
            .as_array_mut()
            .unwrap()
            .push(json!("sqs:DeleteMessage"));
        t["Outputs"].as_object_mut().unwrap().insert(
            "AuditQueueUrl".into(),
            json!({"Value": {"Ref": "AuditQueue"}}),
        );
        t
    }
}

#[cfg(test)]
mod tests;
