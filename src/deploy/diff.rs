//! The deployed template and the rendered one in, what would change out: resources
//! created, modified, replaced or deleted (with property-level differences and risks),
//! outputs, and the IAM grants that appear or disappear. Pure: no AWS.
//!
//! Values that mean the same are equal: `"5"` and `5` (CloudFormation hands numbers back
//! as text), `Fn::GetAtt` as `"A.B"` or `[A, B]`, a `DependsOn` string or a one-element
//! list, IAM `Action`/`Resource` lists in any order (or a single string).

use super::format::value::{getatt, intrinsic, summary};
use super::plan::{
    Action, IamChange, IamChangeKind, OutputChange, PropertyChange, ReplacementVerdict,
    ResourceChange, Risk,
};
use super::replacement;
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
    sort(&mut out);

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
        });
    }
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
    let mut c = ResourceChange {
        logical_id: id.to_string(),
        resource_type: type_of(new.or(old)?).to_string(),
        action: Action::Modify,
        properties: Vec::new(),
        replacement: ReplacementVerdict::default(),
        risks: Vec::new(),
        retained: false,
        notes: Vec::new(),
    };
    match (old, new) {
        (None, Some(_)) => c.action = Action::Create,
        (Some(o), None) => {
            c.action = Action::Delete;
            c.retained = is_retain(attr(o, "DeletionPolicy"));
            if replacement::is_stateful(&c.resource_type) && !c.retained {
                c.risks.push(Risk::DataLoss);
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
            // A new zip (its sha256 names the S3 key): say so in words.
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
            if !replacement::is_known(&c.resource_type) && c.action == Action::Modify {
                c.notes.push(format!(
                    "fnplan does not know which {} properties replace it; CloudFormation's change set does",
                    c.resource_type
                ));
            }
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
        } else {
            c.notes
                .push("the old resource is deleted with its data; the new one starts empty".into());
        }
    }
    if let Some(name_prop) = replacement::name_property(&c.resource_type) {
        let o = old.pointer(&format!("/Properties/{name_prop}"));
        let n = new.pointer(&format!("/Properties/{name_prop}"));
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

// ---------------------------------------------------------------------------------------
// IAM: statements of roles and policies, Lambda permissions.

/// One grant: a policy statement, a managed policy attachment or a Lambda permission.
struct Grant {
    /// What identifies it across templates (policy and Sid, or the content).
    key: String,
    kind: IamChangeKind,
    summary: String,
    /// The statement or permission itself, to tell whether a change broadens it.
    body: Value,
    allow: bool,
}

fn iam_changes(id: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<IamChange> {
    let old_g = old.map(grants).unwrap_or_default();
    let new_g = new.map(grants).unwrap_or_default();
    let mut out = Vec::new();
    let entry = |g: &Grant, added: bool, broadening: bool| IamChange {
        resource: id.to_string(),
        kind: g.kind,
        added,
        summary: g.summary.clone(),
        broadening,
    };
    for o in &old_g {
        match new_g.iter().find(|n| n.key == o.key) {
            None => out.push(entry(o, false, !o.allow)),
            Some(n) if !same(&o.body, &n.body, None) => {
                out.push(entry(o, false, false));
                out.push(entry(n, true, broadens(o, n)));
            }
            Some(_) => {}
        }
    }
    for n in new_g
        .iter()
        .filter(|n| !old_g.iter().any(|o| o.key == n.key))
    {
        out.push(entry(n, true, n.allow));
    }
    out
}

/// Whether `new` (replacing `old` under the same key) may grant more: an Allow that
/// was a Deny, actions or resources not covered by the old ones (IAM wildcards count:
/// `s3:*` covers `s3:GetObject`), or a changed principal, condition or `Not*` element.
fn broadens(old: &Grant, new: &Grant) -> bool {
    if !new.allow {
        return false;
    }
    if !old.allow || new.kind == IamChangeKind::Permission {
        return true;
    }
    fn list<'a>(g: &'a Grant, k: &str) -> Vec<&'a Value> {
        g.body.get(k).map(as_list).unwrap_or_default()
    }
    let grows = |k: &str| {
        let (o, n) = (list(old, k), list(new, k));
        !n.iter().all(|x| o.iter().any(|y| covers(y, x)))
    };
    let other = [
        "NotAction",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    ]
    .iter()
    .any(|k| match (old.body.get(*k), new.body.get(*k)) {
        (None, None) => false,
        (Some(a), Some(b)) => !same(a, b, Some(k)),
        _ => true,
    });
    grows("Action") || grows("Resource") || other
}

/// Whether IAM pattern `pattern` (with `*` and `?`) covers `value`; intrinsic values
/// only cover themselves.
fn covers(pattern: &Value, value: &Value) -> bool {
    match (pattern.as_str(), value.as_str()) {
        (Some(p), Some(v)) => glob(p.as_bytes(), v.as_bytes()),
        _ => same(pattern, value, None),
    }
}

fn glob(p: &[u8], v: &[u8]) -> bool {
    match p.split_first() {
        None => v.is_empty(),
        Some((b'*', rest)) => (0..=v.len()).any(|i| glob(rest, &v[i..])),
        Some((b'?', rest)) => !v.is_empty() && glob(rest, &v[1..]),
        Some((c, rest)) => v
            .split_first()
            .is_some_and(|(d, vr)| c.eq_ignore_ascii_case(d) && glob(rest, vr)),
    }
}

fn grants(r: &Value) -> Vec<Grant> {
    let props = r.get("Properties").unwrap_or(&Value::Null);
    let mut out = Vec::new();
    match type_of(r) {
        "AWS::IAM::Role" => {
            if let Some(doc) = props.get("AssumeRolePolicyDocument") {
                statements(&mut out, "trust", doc, true);
            }
            for p in props
                .get("Policies")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = p.get("PolicyName").map(summary).unwrap_or_default();
                if let Some(doc) = p.get("PolicyDocument") {
                    statements(&mut out, &name, doc, false);
                }
            }
            for arn in props
                .get("ManagedPolicyArns")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(Grant {
                    key: format!("managed {arn}"),
                    kind: IamChangeKind::Statement,
                    summary: format!("Attach managed policy {}", summary(arn)),
                    body: arn.clone(),
                    allow: true,
                });
            }
        }
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
            if let Some(doc) = props.get("PolicyDocument") {
                statements(&mut out, "policy", doc, false);
            }
        }
        "AWS::Lambda::Permission" => out.push(Grant {
            key: "permission".into(),
            kind: IamChangeKind::Permission,
            summary: permission_summary(props),
            body: props.clone(),
            allow: true,
        }),
        _ => {}
    }
    out
}

fn statements(out: &mut Vec<Grant>, policy: &str, doc: &Value, trust: bool) {
    let doc = match doc {
        // A policy written as a JSON string.
        Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
        other => other.clone(),
    };
    let list = match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    };
    for s in list {
        let sid = s.get("Sid").and_then(Value::as_str);
        let key = match sid {
            Some(sid) => format!("{policy}/{sid}"),
            None => format!("{policy}/{}", canonical(&s)),
        };
        let allow = s.get("Effect").and_then(Value::as_str) != Some("Deny");
        out.push(Grant {
            key,
            kind: IamChangeKind::Statement,
            summary: statement_summary(&s, sid, trust),
            body: s,
            allow,
        });
    }
}

/// A statement's content, independent of key and list order, to match Sid-less statements.
fn canonical(v: &Value) -> String {
    fn norm(v: &Value, key: Option<&str>) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                let mut out = Map::new();
                for k in keys {
                    out.insert(k.clone(), norm(&m[k], Some(k)));
                }
                Value::Object(out)
            }
            Value::Array(items) if is_set_key(key) => {
                let mut items: Vec<Value> = items.iter().map(|i| norm(i, None)).collect();
                items.sort_by_key(|i| i.to_string());
                Value::Array(items)
            }
            Value::Array(items) => Value::Array(items.iter().map(|i| norm(i, None)).collect()),
            other => other.clone(),
        }
    }
    norm(v, None).to_string()
}

/// "Sid: Allow a, b on R when {..}" (trust policies: "Allow sts:AssumeRole by service X").
fn statement_summary(s: &Value, sid: Option<&str>, trust: bool) -> String {
    let effect = s.get("Effect").and_then(Value::as_str).unwrap_or("Allow");
    let list = |k: &str| s.get(k).map(|v| join(&as_list(v)));
    let actions = match (list("Action"), list("NotAction")) {
        (Some(a), _) => a,
        (None, Some(na)) => format!("every action except {na}"),
        (None, None) => "no action".into(),
    };
    let mut text = format!("{effect} {actions}");
    match (list("Resource"), list("NotResource")) {
        (Some(r), _) => text.push_str(&format!(" on {r}")),
        (None, Some(nr)) => text.push_str(&format!(" on every resource except {nr}")),
        (None, None) => {}
    }
    if let Some(p) = s.get("Principal") {
        text.push_str(&format!(" by {}", principal(p)));
    }
    if let Some(c) = s.get("Condition") {
        text.push_str(&format!(" when {}", super::format::value::inline(c)));
    }
    if trust {
        text.push_str(" (trust policy)");
    }
    match sid {
        Some(sid) => format!("{sid}: {text}"),
        None => text,
    }
}

fn join(items: &[&Value]) -> String {
    items
        .iter()
        .map(|v| summary(v))
        .collect::<Vec<_>>()
        .join(", ")
}

fn principal(p: &Value) -> String {
    match p {
        Value::String(s) if s == "*" => "anyone (*)".into(),
        Value::Object(m) => m
            .iter()
            .map(|(kind, who)| {
                let who = join(&as_list(who));
                match kind.as_str() {
                    "Service" => format!("service {who}"),
                    "AWS" => format!("AWS principal {who}"),
                    "Federated" => format!("federated {who}"),
                    other => format!("{other} {who}"),
                }
            })
            .collect::<Vec<_>>()
            .join(" and "),
        other => summary(other),
    }
}

/// "apigateway.amazonaws.com may invoke CreateOrderFunction from <SourceArn>".
fn permission_summary(p: &Value) -> String {
    let get = |k: &str| p.get(k);
    let who = get("Principal").map_or_else(|| "?".into(), summary);
    let function = get("FunctionName").map_or_else(
        || "?".into(),
        |f| match (getatt(f), intrinsic(f)) {
            (Some((r, a)), _) if a == "Arn" => r,
            (_, Some(("Ref", Value::String(r)))) => r.clone(),
            _ => summary(f),
        },
    );
    let verb = match get("Action").and_then(Value::as_str) {
        Some("lambda:InvokeFunction") | None => "invoke".to_string(),
        Some(other) => format!("call {other} on"),
    };
    let mut text = format!("{who} may {verb} {function}");
    match (get("SourceArn"), get("SourceAccount")) {
        (Some(arn), _) => text.push_str(&format!(" from {}", summary(arn))),
        (None, Some(acct)) => text.push_str(&format!(" from account {}", summary(acct))),
        (None, None) if get("PrincipalOrgID").is_none() => text.push_str(" from any source"),
        (None, None) => {}
    }
    if let (Some(_), Some(acct)) = (get("SourceArn"), get("SourceAccount")) {
        text.push_str(&format!(" in account {}", summary(acct)));
    }
    if let Some(org) = get("PrincipalOrgID") {
        text.push_str(&format!(" in organization {}", summary(org)));
    }
    if let Some(auth) = get("FunctionUrlAuthType") {
        text.push_str(&format!(
            " through its function URL (auth {})",
            summary(auth)
        ));
    }
    text
}

/// The orders app's dev template, and an edited copy exercising every kind of change.
#[cfg(test)]
pub(crate) mod fixtures {
    use serde_json::{Value, json};

    pub fn orders() -> Value {
        serde_json::from_str(include_str!("../../snapshots/orders-dev.json")).unwrap()
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
mod tests {
    use super::fixtures::{orders, orders_edited};
    use super::*;
    use serde_json::json;

    fn resources(r: Value) -> Value {
        json!({"Resources": r})
    }

    #[test]
    fn nested_changes_are_named_after_their_stack_and_risky_ones_stay_first() {
        let queue = json!({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q"}});
        let role = json!({"Type": "AWS::IAM::Role", "Properties": {"Path": "/"}});
        let mut top = plan_changes(
            Some(&resources(json!({}))),
            &resources(json!({"ZRole": role})),
        );
        let inner = plan_changes(
            Some(&resources(json!({"Jobs": queue, "Same": role}))),
            &resources(json!({"Same": role})),
        );
        merge_nested(&mut top, "AStack", inner);
        let ids: Vec<&str> = top.changes.iter().map(|c| c.logical_id.as_str()).collect();
        // The queue's deletion (data loss) sorts before the role's creation.
        assert_eq!(ids, ["AStack/Jobs", "ZRole"]);
        assert_eq!(top.unchanged, 1);
    }

    fn change<'a>(p: &'a PlanChanges, id: &str) -> &'a ResourceChange {
        p.changes
            .iter()
            .find(|c| c.logical_id == id)
            .unwrap_or_else(|| panic!("no change for {id}"))
    }

    #[test]
    fn same_template_has_no_changes() {
        let t = orders();
        let p = plan_changes(Some(&t), &t);
        assert!(p.changes.is_empty() && p.outputs.is_empty() && p.iam.is_empty());
        assert_eq!(p.unchanged, t["Resources"].as_object().unwrap().len());
    }

    #[test]
    fn missing_stack_creates_everything() {
        let t = orders();
        let p = plan_changes(None, &t);
        let n = t["Resources"].as_object().unwrap().len();
        assert_eq!(p.changes.len(), n);
        assert!(p.changes.iter().all(|c| c.action == Action::Create));
        assert_eq!(p.unchanged, 0);
        assert_eq!(p.outputs.len(), t["Outputs"].as_object().unwrap().len());
        assert!(p.iam.iter().all(|c| c.added));
        assert!(p.iam.iter().any(|c| c.kind == IamChangeKind::Permission));
        // Creates sort by logical ID.
        let ids: Vec<&str> = p.changes.iter().map(|c| c.logical_id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn edited_template() {
        let p = plan_changes(Some(&orders()), &orders_edited());
        let summary: Vec<(&str, Action)> = p
            .changes
            .iter()
            .map(|c| (c.logical_id.as_str(), c.action))
            .collect();
        assert_eq!(
            summary,
            [
                ("OrdersTable", Action::Replace),
                ("GetHealthIntegration", Action::Delete),
                ("GetHealthPermission", Action::Delete),
                ("GetHealthRoute", Action::Delete),
                ("AuditQueue", Action::Create),
                ("CreateOrderFunction", Action::Modify),
                ("CreateOrderRole", Action::Modify),
            ]
        );
        let table = change(&p, "OrdersTable");
        assert_eq!(table.risks, [Risk::DataLoss, Risk::Replacement]);
        // The key attribute was renamed in both places: each replaces the table.
        assert_eq!(
            table.replacement.because_of,
            ["AttributeDefinitions", "KeySchema"]
        );
        assert!(table.replacement.predicted);
        assert!(
            table
                .notes
                .iter()
                .any(|n| n.starts_with("TableName is fixed"))
        );
        assert_eq!(table.replacement.fixed_name.as_deref(), Some("TableName"));
        assert!(
            table.retained,
            "UpdateReplacePolicy Retain keeps the old table"
        );
        let key = table
            .properties
            .iter()
            .find(|p| p.path == "Properties.KeySchema[0].AttributeName")
            .unwrap();
        assert!(key.replaces);
        assert_eq!(key.old, Some(json!("id")));
        assert_eq!(key.new, Some(json!("orderId")));
        let attrs = table
            .properties
            .iter()
            .find(|p| p.path.starts_with("Properties.AttributeDefinitions"))
            .unwrap();
        assert!(attrs.replaces);

        let f = change(&p, "CreateOrderFunction");
        let paths: Vec<&str> = f.properties.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "Properties.Timeout",
                "Properties.Environment.Variables.LOG_LEVEL"
            ]
        );
        assert!(f.risks.is_empty());

        let role = change(&p, "CreateOrderRole");
        assert_eq!(role.risks, [Risk::IamBroadening]);
        assert_eq!(role.properties.len(), 1);
        let doc = &role.properties[0];
        assert_eq!(doc.path, "Properties.Policies[0].PolicyDocument");
        let d = doc.diff.as_deref().unwrap();
        assert!(d.contains("+        \"sqs:DeleteMessage\""), "{d}");

        let iam: Vec<(&str, bool, bool)> = p
            .iam
            .iter()
            .map(|c| (c.resource.as_str(), c.added, c.broadening))
            .collect();
        assert_eq!(
            iam,
            [
                ("CreateOrderRole", false, false),
                ("CreateOrderRole", true, true),
                ("GetHealthPermission", false, false),
            ]
        );
        assert!(p.iam[1].summary.starts_with(
            "QueueOrderEventsSend: Allow sqs:GetQueueAttributes, sqs:GetQueueUrl, sqs:SendMessage, sqs:DeleteMessage on ${OrderEventsQueue.Arn}"
        ));
        assert!(
            p.iam[2]
                .summary
                .starts_with("apigateway.amazonaws.com may invoke HealthFunction from ")
        );

        assert_eq!(p.outputs.len(), 1);
        assert_eq!(p.outputs[0].name, "AuditQueueUrl");
        assert_eq!(p.outputs[0].action, Action::Create);
    }

    #[test]
    fn semantically_equal_values_are_unchanged() {
        let old = resources(json!({
            "F": {"Type": "AWS::Lambda::Function", "DependsOn": "Log",
                  "Properties": {"Timeout": "5", "Role": {"Fn::GetAtt": "R.Arn"}, "Flag": "true"}},
            "R": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p",
                  "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["b", "a"], "Resource": "*"}]}}]}}
        }));
        let new = resources(json!({
            "F": {"Type": "AWS::Lambda::Function", "DependsOn": ["Log"],
                  "Properties": {"Timeout": 5, "Role": {"Fn::GetAtt": ["R", "Arn"]}, "Flag": true}},
            "R": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p",
                  "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["a", "b"], "Resource": ["*"]}]}}]}}
        }));
        let p = plan_changes(Some(&old), &new);
        assert_eq!(p.changes, []);
        assert_eq!(p.unchanged, 2);
    }

    #[test]
    fn arrays_compare_element_wise_with_index_paths() {
        let old = resources(json!({"Q": {"Type": "AWS::SQS::Queue",
            "Properties": {"Tags": [{"Key": "team", "Value": "a"}]}}}));
        let new = resources(json!({"Q": {"Type": "AWS::SQS::Queue",
            "Properties": {"Tags": [{"Key": "team", "Value": "b"}, {"Key": "x", "Value": "y"}]}}}));
        let p = plan_changes(Some(&old), &new);
        let paths: Vec<&str> = p.changes[0]
            .properties
            .iter()
            .map(|p| p.path.as_str())
            .collect();
        assert_eq!(paths, ["Properties.Tags[0].Value", "Properties.Tags[1]"]);
        assert_eq!(p.changes[0].properties[1].old, None);
        assert_eq!(p.changes[0].action, Action::Modify);
    }

    #[test]
    fn deletion_of_state_loses_data_unless_retained() {
        let old = resources(json!({
            "Kept": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
            "Lost": {"Type": "AWS::SQS::Queue"},
            "Topic": {"Type": "AWS::SNS::Topic"}
        }));
        let p = plan_changes(Some(&old), &resources(json!({})));
        let ids: Vec<(&str, bool, &[Risk])> = p
            .changes
            .iter()
            .map(|c| (c.logical_id.as_str(), c.retained, c.risks.as_slice()))
            .collect();
        assert_eq!(
            ids,
            [
                ("Lost", false, &[Risk::DataLoss][..]),
                ("Kept", true, &[][..]),
                ("Topic", false, &[][..]),
            ]
        );
    }

    #[test]
    fn log_groups_and_nested_stacks_hold_data() {
        let old = resources(json!({
            "Logs": {"Type": "AWS::Logs::LogGroup"},
            "Nested": {"Type": "AWS::CloudFormation::Stack",
                       "Properties": {"TemplateURL": "https://b.s3.amazonaws.com/a.json"}}
        }));
        let p = plan_changes(Some(&old), &resources(json!({})));
        assert!(p.changes.iter().all(|c| c.risks == [Risk::DataLoss]));
        assert_eq!(p.changes.len(), 2);
    }

    /// Issue #14: `key: { name: id, type: S }` -> `type: N` was planned in place.
    #[test]
    fn key_type_change_replaces_the_table_and_loses_its_data() {
        let table = |key_type: &str| {
            resources(json!({"T": {"Type": "AWS::DynamoDB::Table", "Properties": {
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": key_type}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST"}}}))
        };
        let c = &plan_changes(Some(&table("S")), &table("N")).changes[0];
        assert_eq!(c.action, Action::Replace);
        assert!(c.replacement.predicted);
        assert_eq!(c.replacement.because_of, ["AttributeDefinitions"]);
        assert_eq!(c.risks, [Risk::DataLoss, Risk::Replacement]);
        assert_eq!(
            c.properties[0].path,
            "Properties.AttributeDefinitions[0].AttributeType"
        );
        assert!(c.properties[0].replaces);
    }

    #[test]
    fn properties_added_as_a_whole_can_replace() {
        let old = resources(json!({"B": {"Type": "AWS::S3::Bucket"}}));
        let named = resources(json!({"B": {"Type": "AWS::S3::Bucket",
            "Properties": {"BucketName": "orders-dev-files"}}}));
        let tagged = resources(json!({"B": {"Type": "AWS::S3::Bucket",
            "Properties": {"Tags": [{"Key": "team", "Value": "a"}]}}}));
        assert_eq!(
            plan_changes(Some(&old), &named).changes[0].action,
            Action::Replace
        );
        assert_eq!(
            plan_changes(Some(&old), &tagged).changes[0].action,
            Action::Modify
        );
    }

    #[test]
    fn type_change_replaces() {
        let old = resources(json!({"X": {"Type": "AWS::SNS::Topic"}}));
        let new = resources(json!({"X": {"Type": "AWS::SQS::Queue"}}));
        let c = &plan_changes(Some(&old), &new).changes[0];
        assert_eq!(c.action, Action::Replace);
        assert_eq!(c.replacement.because_of, ["Type"]);
        assert_eq!(c.resource_type, "AWS::SQS::Queue");
    }

    #[test]
    fn long_strings_get_a_unified_diff() {
        let code = |s: &str| {
            resources(json!({"F": {"Type": "AWS::Lambda::Function",
                "Properties": {"Code": {"ZipFile": s}, "Handler": "a.b"}}}))
        };
        let p = plan_changes(
            Some(&code("def handler(e, c):\n    return 1\n")),
            &code("def handler(e, c):\n    return 2\n"),
        );
        let d = p.changes[0].properties[0].diff.as_deref().unwrap();
        assert_eq!(
            d,
            "@@ -1,2 +1,2 @@\n def handler(e, c):\n-    return 1\n+    return 2\n"
        );
        let short = plan_changes(Some(&code("a")), &code("b"));
        assert_eq!(short.changes[0].properties[0].diff, None);
    }

    #[test]
    fn permissions_added_broaden_and_replace_when_changed() {
        let perm = |src: &str| {
            resources(
                json!({"P": {"Type": "AWS::Lambda::Permission", "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]},
                "Principal": "s3.amazonaws.com",
                "SourceArn": src,
                "SourceAccount": {"Ref": "AWS::AccountId"}}}}),
            )
        };
        let p = plan_changes(None, &perm("arn:aws:s3:::a"));
        assert_eq!(p.changes[0].risks, [Risk::IamBroadening]);
        assert_eq!(
            p.iam[0].summary,
            "s3.amazonaws.com may invoke Fn from arn:aws:s3:::a in account ${AWS::AccountId}"
        );
        let p = plan_changes(Some(&perm("arn:aws:s3:::a")), &perm("arn:aws:s3:::b"));
        let c = &p.changes[0];
        assert_eq!(c.action, Action::Replace);
        assert_eq!(c.replacement.because_of, ["SourceArn"]);
        assert_eq!(c.risks, [Risk::IamBroadening, Risk::Replacement]);
        assert_eq!(p.iam.len(), 2);
    }

    #[test]
    fn narrowing_a_statement_does_not_broaden() {
        let role = |actions: Value| {
            resources(json!({"R": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                    {"Sid": "S", "Effect": "Allow", "Action": actions, "Resource": "arn:aws:s3:::b/*"}]}}]}}}))
        };
        let p = plan_changes(
            Some(&role(json!(["s3:GetObject", "s3:PutObject"]))),
            &role(json!("s3:GetObject")),
        );
        assert_eq!(p.changes[0].risks, []);
        assert_eq!(p.iam.len(), 2);
        assert!(p.iam.iter().all(|c| !c.broadening));
        let p = plan_changes(Some(&role(json!("s3:GetObject"))), &role(json!("s3:*")));
        assert_eq!(p.changes[0].risks, [Risk::IamBroadening]);
        let p = plan_changes(Some(&role(json!("s3:*"))), &role(json!("s3:Get*")));
        assert_eq!(p.changes[0].risks, []);

        let p = plan_changes(None, &role(json!("s3:GetObject")));
        assert_eq!(
            p.iam[0].summary,
            "Allow sts:AssumeRole by service lambda.amazonaws.com (trust policy)"
        );
        assert_eq!(
            p.iam[1].summary,
            "S: Allow s3:GetObject on arn:aws:s3:::b/*"
        );
    }

    #[test]
    fn output_changes() {
        let old = json!({"Outputs": {"A": {"Value": 1}, "B": {"Value": {"Ref": "X"}}, "C": {"Value": "c"}}});
        let new = json!({"Outputs": {"A": {"Value": "1"}, "B": {"Value": {"Ref": "Y"}}, "D": {"Value": "d"}}});
        let p = plan_changes(Some(&old), &new);
        let o: Vec<(&str, Action)> = p
            .outputs
            .iter()
            .map(|o| (o.name.as_str(), o.action))
            .collect();
        assert_eq!(
            o,
            [
                ("B", Action::Modify),
                ("D", Action::Create),
                ("C", Action::Delete)
            ]
        );
    }

    /// Comparing a template with itself is empty; swapping sides swaps creates and
    /// deletes and keeps the set of modified resources.
    #[test]
    fn diff_is_symmetric_in_shape() {
        let (a, b) = (orders(), orders_edited());
        let fwd = plan_changes(Some(&a), &b);
        let back = plan_changes(Some(&b), &a);
        let ids = |p: &PlanChanges, act: Action| {
            let mut v: Vec<String> = p
                .changes
                .iter()
                .filter(|c| c.action == act)
                .map(|c| c.logical_id.clone())
                .collect();
            v.sort();
            v
        };
        assert_eq!(ids(&fwd, Action::Create), ids(&back, Action::Delete));
        assert_eq!(ids(&fwd, Action::Delete), ids(&back, Action::Create));
        assert_eq!(ids(&fwd, Action::Modify), ids(&back, Action::Modify));
        assert_eq!(ids(&fwd, Action::Replace), ids(&back, Action::Replace));
        assert_eq!(fwd.unchanged, back.unchanged);
        for f in fwd.changes.iter().filter(|c| c.action == Action::Modify) {
            let b = back
                .changes
                .iter()
                .find(|c| c.logical_id == f.logical_id)
                .unwrap();
            assert_eq!(f.properties.len(), b.properties.len());
            for (x, y) in f.properties.iter().zip(&b.properties) {
                assert_eq!((&x.path, &x.old, &x.new), (&y.path, &y.new, &y.old));
            }
        }
    }
}
