//! References inside CloudFormation values: a value in; the `Ref`, `Fn::GetAtt`,
//! `${...}` and `DependsOn` names it uses out, or the value with some of them replaced.

use serde_json::{Value, json};

/// What a reference is replaced with.
pub(crate) enum Repl {
    /// `{"Ref": name}`, `${name}` in `Fn::Sub`.
    Ref(String),
    /// `{"Fn::GetAtt": [id, attr]}`, `${id.attr}` in `Fn::Sub`.
    Att(String, String),
    /// `{"Fn::GetAtt": [stack, "Outputs.name"]}`, `${stack.Outputs.name}` in `Fn::Sub`.
    Output(String, String),
}

impl Repl {
    pub(crate) fn value(&self) -> Value {
        match self {
            Repl::Ref(n) => json!({ "Ref": n }),
            Repl::Att(id, a) => json!({ "Fn::GetAtt": [id, a] }),
            Repl::Output(s, o) => json!({ "Fn::GetAtt": [s, format!("Outputs.{o}")] }),
        }
    }
    pub(crate) fn sub_text(&self) -> String {
        match self {
            Repl::Ref(n) => n.clone(),
            Repl::Att(id, a) => format!("{id}.{a}"),
            Repl::Output(s, o) => format!("{s}.Outputs.{o}"),
        }
    }
}

/// Calls `f(id, attr)` for every `Ref`, `Fn::GetAtt` and `${...}` reference in `v`.
pub(crate) fn visit_refs(v: &Value, f: &mut dyn FnMut(&str, Option<&str>)) {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, x) = m.iter().next().expect("one entry");
            match (k.as_str(), x) {
                ("Ref", Value::String(id)) => f(id, None),
                ("Fn::GetAtt", x) => {
                    if let Some((id, attr)) = get_att_parts(x) {
                        f(id, Some(attr));
                    }
                }
                ("Fn::Sub", Value::String(s)) => sub_refs(s, &[], f),
                ("Fn::Sub", Value::Array(a)) if a.len() == 2 => {
                    let locals: Vec<&str> = a[1]
                        .as_object()
                        .map(|m| m.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    if let Some(s) = a[0].as_str() {
                        sub_refs(s, &locals, f);
                    }
                    visit_refs(&a[1], f);
                }
                _ => visit_refs(x, f),
            }
        }
        Value::Object(m) => m.values().for_each(|x| visit_refs(x, f)),
        Value::Array(a) => a.iter().for_each(|x| visit_refs(x, f)),
        _ => {}
    }
}

pub(crate) fn get_att_parts(x: &Value) -> Option<(&str, &str)> {
    match x {
        Value::Array(a) if a.len() == 2 => Some((a[0].as_str()?, a[1].as_str()?)),
        Value::String(s) => s.split_once('.'),
        _ => None,
    }
}

/// Byte ranges of the variable names in `Fn::Sub` text (`${Name}`, `${Id.Attr}`; `${!x}`
/// is literal text).
fn sub_names(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(p) = s[at..].find("${") {
        let start = at + p + 2;
        if s[start..].starts_with('!') {
            at = start + 1;
            continue;
        }
        match s[start..].find('}') {
            Some(len) => {
                out.push((start, start + len));
                at = start + len + 1;
            }
            None => break,
        }
    }
    out
}

fn sub_refs(s: &str, locals: &[&str], f: &mut dyn FnMut(&str, Option<&str>)) {
    for (a, b) in sub_names(s) {
        let name = &s[a..b];
        if locals.contains(&name) {
            continue;
        }
        match name.split_once('.') {
            Some((id, attr)) => f(id, Some(attr)),
            None => f(name, None),
        }
    }
}

/// Replace every reference in `v` for which `map` returns a replacement.
pub(crate) fn rewrite(v: &mut Value, map: &mut dyn FnMut(&str, Option<&str>) -> Option<Repl>) {
    let replacement = match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, x) = m.iter_mut().next().expect("one entry");
            match (k.as_str(), x) {
                ("Ref", Value::String(id)) => map(id, None).map(|r| r.value()),
                ("Fn::GetAtt", x) => get_att_parts(x)
                    .and_then(|(id, attr)| map(id, Some(attr)))
                    .map(|r| r.value()),
                ("Fn::Sub", Value::String(s)) => {
                    *s = rewrite_sub(s, &[], map);
                    None
                }
                ("Fn::Sub", Value::Array(a)) if a.len() == 2 => {
                    let locals: Vec<String> = a[1]
                        .as_object()
                        .map(|m| m.keys().cloned().collect())
                        .unwrap_or_default();
                    if let Some(s) = a[0].as_str() {
                        a[0] = Value::String(rewrite_sub(s, &locals, map));
                    }
                    rewrite(&mut a[1], map);
                    None
                }
                (_, x) => {
                    rewrite(x, map);
                    None
                }
            }
        }
        Value::Object(m) => {
            m.values_mut().for_each(|x| rewrite(x, map));
            None
        }
        Value::Array(a) => {
            a.iter_mut().for_each(|x| rewrite(x, map));
            None
        }
        _ => None,
    };
    if let Some(r) = replacement {
        *v = r;
    }
}

fn rewrite_sub(
    s: &str,
    locals: &[String],
    map: &mut dyn FnMut(&str, Option<&str>) -> Option<Repl>,
) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (a, b) in sub_names(s) {
        let name = &s[a..b];
        if locals.iter().any(|l| l == name) {
            continue;
        }
        let r = match name.split_once('.') {
            Some((id, attr)) => map(id, Some(attr)),
            None => map(name, None),
        };
        if let Some(r) = r {
            out.push_str(&s[last..a]);
            out.push_str(&r.sub_text());
            last = b;
        }
    }
    out.push_str(&s[last..]);
    out
}

/// The `DependsOn` entries of a resource value.
pub(crate) fn depends_on(v: &Value) -> Vec<&str> {
    match v.get("DependsOn") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}
