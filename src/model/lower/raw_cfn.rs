//! Raw CloudFormation: one `resources:` or `outputs:` entry (a spanned YAML tree, short
//! tags in long form) in; a model [`RawResource`] or [`RawOutput`] out, its shape checked
//! and fnplan's `${...}` references parsed where they are written.

use super::*;
use crate::spec::node::{Node, Value};
use crate::spec::raw::{OutputValue, RESOURCE_ATTRIBUTES, RawOutput as RawOutputSpec};
use crate::spec::read::to_json;

/// The first words of a `${...}` that fnplan resolves inside `Fn::Sub` text; anything
/// else there is CloudFormation's (`${MyQueue.Arn}`, `${AWS::Region}`).
fn fnplan_word(body: &str) -> bool {
    let first = body.split('.').next().unwrap_or("").trim();
    super::super::refs::TOP_LEVEL.contains(&first) || matches!(first, "region" | "account")
}

/// One `resources:` entry: a valid logical ID, known attributes, a `Type`, the values.
pub(super) fn lower_resource(
    l: &mut Lower<'_>,
    scope: &RefScope<'_>,
    id: &Sp<String>,
    r: &raw::RawResource,
) -> Option<RawResource> {
    let ok_id = check_logical_id(l, id);
    let Value::Map(entries) = &r.node.value else {
        return None;
    };
    let mut ok = ok_id;
    let mut ty = None;
    for (k, v) in entries {
        let key = k.as_str().unwrap_or("");
        ok &= check_attribute(l, key, k.span);
        if key == "Type" {
            ty = resource_type(l, v);
            ok &= ty.is_some();
        }
    }
    if !entries.iter().any(|(k, _)| k.as_str() == Some("Type")) {
        l.err(
            codes::MISSING_FIELD,
            id.span,
            format!("resource `{}` has no `Type`", id.value),
        )
        .help = Some("e.g. `Type: AWS::SSM::Parameter`".into());
        ok = false;
    }
    let value = lower_value(l, scope, &r.node);
    Some(RawResource {
        logical_id: id.value.clone(),
        id_span: id.span,
        ty: ty?,
        value,
        span: r.node.span,
    })
    .filter(|_| ok)
}

/// CloudFormation's logical ID rule: 1..255 ASCII letters and digits.
fn check_logical_id(l: &mut Lower<'_>, id: &Sp<String>) -> bool {
    let ok = !id.value.is_empty()
        && id.value.len() <= 255
        && id.value.chars().all(|c| c.is_ascii_alphanumeric());
    if !ok {
        l.err(
            codes::INVALID_NAME,
            id.span,
            format!("`{}` is not a valid logical ID", id.value),
        )
        .help = Some("a logical ID is letters and digits only, e.g. `OrdersAlarm`".into());
    }
    ok
}

fn check_attribute(l: &mut Lower<'_>, key: &str, span: Span) -> bool {
    if RESOURCE_ATTRIBUTES.contains(&key) {
        return true;
    }
    let help = match key {
        "Condition" => Some(
            "conditions are not supported: stages replace them (a `${var.NAME}` per stage, or a resource only one stage's spec has)"
                .to_string(),
        ),
        _ => crate::suggest::hint(key, RESOURCE_ATTRIBUTES),
    };
    l.err(
        codes::UNKNOWN_FIELD,
        span,
        format!("unknown resource attribute `{key}`"),
    )
    .help = help;
    false
}

/// `Type`: `Service::Group::Name` (or `Custom::Name`); SAM's types need its transform.
fn resource_type(l: &mut Lower<'_>, v: &Node) -> Option<String> {
    let Some(t) = v.as_str() else {
        l.err(
            codes::WRONG_TYPE,
            v.span,
            format!("`Type` must be a string, not {}", v.value.kind_name()),
        );
        return None;
    };
    if t.starts_with("AWS::Serverless::") {
        l.err(
            codes::INVALID_VALUE,
            v.span,
            format!("`{t}` is a SAM type, which needs SAM's transform"),
        )
        .help = Some(
            "write the element in fnplan's own sections (functions, tables, ...) or the plain CloudFormation type"
                .into(),
        );
        return None;
    }
    let parts: Vec<&str> = t.split("::").collect();
    let shaped = match parts.as_slice() {
        ["Custom", name] => !name.is_empty(),
        [a, b, c] => [a, b, c]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')),
        _ => false,
    };
    if !shaped {
        l.err(
            codes::INVALID_VALUE,
            v.span,
            format!("`{t}` is not a CloudFormation resource type"),
        )
        .help = Some("a type reads `AWS::Service::Resource`, e.g. `AWS::SNS::Subscription`".into());
        return None;
    }
    Some(t.to_string())
}

/// One `outputs:` entry.
pub(super) fn lower_output(
    l: &mut Lower<'_>,
    scope: &RefScope<'_>,
    name: &Sp<String>,
    o: &RawOutputSpec,
) -> RawOutput {
    check_logical_id(l, name);
    let (value, description, export) = match o {
        RawOutputSpec::Value(v) => (v, None, None),
        RawOutputSpec::Settings(s) => (&s.value, s.description.as_ref(), s.export.as_ref()),
    };
    let OutputValue(node) = value;
    RawOutput {
        name: name.value.clone(),
        name_span: name.span,
        value: lower_value(l, scope, node),
        description: description.map(|d| d.value.clone()),
        export: export.map(|e| l.interp(&e.value, e.span, scope)),
    }
}

/// The value as JSON, with every string's references parsed where it is written.
fn lower_value(l: &mut Lower<'_>, scope: &RefScope<'_>, node: &Node) -> RawValue {
    let mut out = RawValue {
        body: to_json(node),
        ..RawValue::default()
    };
    let first = l.diags.len();
    walk(l, scope, node, String::new(), &mut out);
    // CloudFormation's `${...}` outside `Fn::Sub` is text; say where it belongs.
    for d in &mut l.diags[first..] {
        if d.code == codes::UNKNOWN_REFERENCE && d.message.starts_with("unknown reference") {
            d.help = Some(
                "fnplan resolves its own references here; CloudFormation's `${...}` works inside `!Sub`"
                    .into(),
            );
        }
    }
    out
}

fn walk(l: &mut Lower<'_>, scope: &RefScope<'_>, node: &Node, at: String, out: &mut RawValue) {
    match &node.value {
        Value::Str(s) if s.contains("${") => {
            let i = l.interp(s, node.span, scope);
            if i.as_literal().is_none_or(|lit| lit != *s) {
                out.refs.push((at, i));
            }
        }
        Value::Seq(items) => {
            for (n, item) in items.iter().enumerate() {
                walk(l, scope, item, format!("{at}/{n}"), out);
            }
        }
        Value::Map(entries) => {
            if let [(k, v)] = entries.as_slice()
                && let Some(f) = k.as_str()
                && intrinsic(l, scope, (f, v), &at, out)
            {
                return;
            }
            for (k, v) in entries {
                let key = k.as_str().unwrap_or("");
                if key == "DependsOn" && at.is_empty() {
                    depends_on(v, out);
                }
                let escaped = key.replace('~', "~0").replace('/', "~1");
                walk(l, scope, v, format!("{at}/{escaped}"), out);
            }
        }
        _ => {}
    }
}

/// `{Ref: X}`, `{Fn::GetAtt: ..}`, `{Fn::Sub: ..}`: record the logical IDs they name and
/// split Sub text. `true` when the node is fully handled.
fn intrinsic(
    l: &mut Lower<'_>,
    scope: &RefScope<'_>,
    (f, v): (&str, &Node),
    at: &str,
    out: &mut RawValue,
) -> bool {
    match (f, &v.value) {
        ("Ref", Value::Str(id)) => {
            target(id, v.span, out);
            true
        }
        ("Fn::GetAtt", Value::Str(s)) => {
            target(s.split('.').next().unwrap_or(s), v.span, out);
            true
        }
        ("Fn::GetAtt", Value::Seq(items)) => {
            if let Some(id) = items.first().and_then(Node::as_str) {
                target(id, items[0].span, out);
            }
            false
        }
        ("Fn::Sub", Value::Str(text)) => {
            sub(l, scope, (text, v.span), &[], &format!("{at}/Fn::Sub"), out);
            true
        }
        ("Fn::Sub", Value::Seq(items)) => {
            let Some(text) = items.first().and_then(Node::as_str) else {
                return false;
            };
            let locals: Vec<&str> = match items.get(1).map(|n| &n.value) {
                Some(Value::Map(vars)) => vars.iter().filter_map(|(k, _)| k.as_str()).collect(),
                _ => Vec::new(),
            };
            let pointer = format!("{at}/Fn::Sub/0");
            sub(l, scope, (text, items[0].span), &locals, &pointer, out);
            for (n, item) in items.iter().enumerate().skip(1) {
                walk(l, scope, item, format!("{at}/Fn::Sub/{n}"), out);
            }
            true
        }
        _ => false,
    }
}

fn target(id: &str, span: Span, out: &mut RawValue) {
    if !id.starts_with("AWS::") {
        out.targets.push((id.to_string(), span));
    }
}

fn depends_on(v: &Node, out: &mut RawValue) {
    match &v.value {
        Value::Str(id) => target(id, v.span, out),
        Value::Seq(items) => {
            for i in items {
                if let Some(id) = i.as_str() {
                    target(id, i.span, out);
                }
            }
        }
        _ => {}
    }
}

/// `Fn::Sub` text: fnplan's words (`${table.t.arn}`, `${stage}`) parsed, CloudFormation's
/// `${Id}` / `${Id.Attr}` recorded as targets (unless a local variable of the list form).
fn sub(
    l: &mut Lower<'_>,
    scope: &RefScope<'_>,
    (text, span): (&str, Span),
    locals: &[&str],
    pointer: &str,
    out: &mut RawValue,
) {
    let mut pieces = Vec::new();
    let mut rest = text;
    let mut any = false;
    while let Some(i) = rest.find("${") {
        let (before, after) = rest.split_at(i);
        let Some(end) = after.find('}') else { break };
        let body = &after[2..end];
        let whole = &after[..=end];
        pieces.push(SubPiece::Text(before.to_string()));
        if body.starts_with('!') || locals.contains(&body.trim()) {
            pieces.push(SubPiece::Text(whole.to_string()));
        } else if fnplan_word(body) {
            pieces.push(SubPiece::Fnplan(l.interp(whole, span, scope)));
            any = true;
        } else {
            let id = body.split('.').next().unwrap_or(body).trim();
            target(id, super::super::refs::locate(l.file, span, whole), out);
            pieces.push(SubPiece::Text(whole.to_string()));
        }
        rest = &after[end + 1..];
    }
    pieces.push(SubPiece::Text(rest.to_string()));
    if any {
        out.subs.push((pointer.to_string(), pieces));
    }
}
