//! Two versions of one resource in, the IAM grants (policy statements, managed policy
//! attachments, Lambda permissions) that appear or disappear out, each marked when it
//! broadens access.

use super::super::format::value::{getatt, intrinsic, summary};
use super::super::plan::{IamChange, IamChangeKind};
use super::{as_list, is_set_key, same, type_of};
use serde_json::{Map, Value};

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

pub(super) fn iam_changes(id: &str, old: Option<&Value>, new: Option<&Value>) -> Vec<IamChange> {
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
    let unmatched_old: Vec<&Grant> = old_g
        .iter()
        .filter(|o| !new_g.iter().any(|n| n.key == o.key))
        .collect();
    for n in new_g
        .iter()
        .filter(|n| !old_g.iter().any(|o| o.key == n.key))
    {
        // The same statement under a new Sid (a renamed spec key) grants nothing new.
        let renamed = unmatched_old
            .iter()
            .any(|o| o.kind == n.kind && same(&without_sid(&o.body), &without_sid(&n.body), None));
        out.push(entry(n, true, n.allow && !renamed));
    }
    out
}

fn without_sid(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("Sid");
    }
    v
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
        text.push_str(&format!(" when {}", super::super::format::value::inline(c)));
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
