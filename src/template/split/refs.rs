//! References inside CloudFormation values: a value in; the `Ref`, `Fn::GetAtt`,
//! `${...}` and `DependsOn` names it uses out, or the value with some of them replaced.

use crate::template::doc::{Doc, Node, Tree, cfn};

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
    pub(crate) fn value(&self) -> Doc {
        match self {
            Repl::Ref(n) => cfn!({ "Ref": n }),
            Repl::Att(id, a) => cfn!({ "Fn::GetAtt": [id, a] }),
            Repl::Output(s, o) => cfn!({ "Fn::GetAtt": [s, format!("Outputs.{o}")] }),
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

/// The value of `key` in object `v`.
pub(crate) fn get<'a, T: Tree>(v: &'a T, key: &str) -> Option<&'a T> {
    match v.node() {
        Node::Object(mut pairs) => pairs.find(|(k, _)| *k == key).map(|(_, x)| x),
        _ => None,
    }
}

/// The text of a string value.
pub(crate) fn as_str<T: Tree>(v: &T) -> Option<&str> {
    match v.node() {
        Node::Str(s) => Some(s),
        _ => None,
    }
}

/// Calls `f(id, attr)` for every `Ref`, `Fn::GetAtt` and `${...}` reference in `v`.
pub(crate) fn visit_refs<T: Tree>(v: &T, f: &mut dyn FnMut(&str, Option<&str>)) {
    match v.node() {
        Node::Object(mut pairs) if pairs.len() == 1 => {
            let (k, x) = pairs.next().expect("one entry");
            match (k, x.node()) {
                ("Ref", Node::Str(id)) => f(id, None),
                ("Fn::GetAtt", _) => {
                    if let Some((id, attr)) = get_att_parts(x) {
                        f(id, Some(attr));
                    }
                }
                ("Fn::Sub", Node::Str(s)) => sub_refs(s, &[], f),
                ("Fn::Sub", Node::Array([text, vars])) => {
                    let locals: Vec<&str> = match vars.node() {
                        Node::Object(m) => m.map(|(k, _)| k).collect(),
                        _ => Vec::new(),
                    };
                    if let Some(s) = as_str(text) {
                        sub_refs(s, &locals, f);
                    }
                    visit_refs(vars, f);
                }
                _ => visit_refs(x, f),
            }
        }
        Node::Object(pairs) => pairs.for_each(|(_, x)| visit_refs(x, f)),
        Node::Array(a) => a.iter().for_each(|x| visit_refs(x, f)),
        _ => {}
    }
}

pub(crate) fn get_att_parts<T: Tree>(x: &T) -> Option<(&str, &str)> {
    match x.node() {
        Node::Array([id, attr]) => Some((as_str(id)?, as_str(attr)?)),
        Node::Str(s) => s.split_once('.'),
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
pub(crate) fn rewrite(v: &mut Doc, map: &mut dyn FnMut(&str, Option<&str>) -> Option<Repl>) {
    let replacement = match v {
        Doc::Object(pairs) if pairs.len() == 1 => {
            let (k, x) = &mut pairs[0];
            match (&**k, x) {
                ("Ref", Doc::String(id)) => map(id, None).map(|r| r.value()),
                ("Fn::GetAtt", x) => get_att_parts(&*x)
                    .and_then(|(id, attr)| map(id, Some(attr)))
                    .map(|r| r.value()),
                ("Fn::Sub", Doc::String(s)) => {
                    *s = rewrite_sub(s, &[], map).into_boxed_str();
                    None
                }
                ("Fn::Sub", Doc::Array(a)) if a.len() == 2 => {
                    let locals: Vec<String> = match &a[1] {
                        Doc::Object(m) => m.iter().map(|(k, _)| k.to_string()).collect(),
                        _ => Vec::new(),
                    };
                    if let Doc::String(s) = &a[0] {
                        a[0] = Doc::String(rewrite_sub(s, &locals, map).into_boxed_str());
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
        Doc::Object(pairs) => {
            pairs.iter_mut().for_each(|(_, x)| rewrite(x, map));
            None
        }
        Doc::Array(a) => {
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
pub(crate) fn depends_on<T: Tree>(v: &T) -> Vec<&str> {
    match get(v, "DependsOn").map(Tree::node) {
        Some(Node::Str(s)) => vec![s],
        Some(Node::Array(a)) => a.iter().filter_map(as_str).collect(),
        _ => Vec::new(),
    }
}
