//! Typed reading of a spanned YAML tree: `Node`s in, typed values with spans out, every
//! problem (wrong type, unknown or missing field, bad value) collected as a diagnostic.

/// The input error codes, still reachable as `spec::read::codes` (they moved to `spec::codes`).
pub use super::codes;
use super::node::{Node, Value};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::suggest;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;
use std::fmt;

/// Collects diagnostics while reading.
#[derive(Default)]
pub struct Cx {
    pub diags: Vec<Diagnostic>,
}

impl Cx {
    pub fn error(&mut self, code: Code, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(code, message).at(span));
        self.diags.last_mut().expect("just pushed")
    }

    pub fn wrong_type(&mut self, node: &Node, expected: &str) {
        self.error(
            codes::WRONG_TYPE,
            node.span,
            format!("expected {expected}, found {}", node.value.kind_name()),
        );
    }
}

/// A value with the span it was written at. Equality and hashing ignore the span.
#[derive(Clone, Debug)]
pub struct Sp<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Span) -> Self {
        Sp { value, span }
    }
    pub fn as_ref(&self) -> Sp<&T> {
        Sp::new(&self.value, self.span)
    }
}

impl<T: PartialEq> PartialEq for Sp<T> {
    fn eq(&self, o: &Self) -> bool {
        self.value == o.value
    }
}
impl<T: Eq> Eq for Sp<T> {}

impl<T: fmt::Display> fmt::Display for Sp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T> std::ops::Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: JsonSchema> JsonSchema for Sp<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        T::json_schema(g)
    }
}

/// A mapping from user-chosen names to values, in file order, with the names' spans.
#[derive(Clone, Debug)]
pub struct Named<V>(pub Vec<(Sp<String>, V)>);

impl<V> Default for Named<V> {
    fn default() -> Self {
        Named(Vec::new())
    }
}

impl<V> Named<V> {
    pub fn iter(&self) -> impl Iterator<Item = (&Sp<String>, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
    pub fn get(&self, name: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k.value == name).map(|(_, v)| v)
    }
    pub fn names(&self) -> impl Iterator<Item = &str> + Clone {
        self.0.iter().map(|(k, _)| k.value.as_str())
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V: JsonSchema> JsonSchema for Named<V> {
    fn schema_name() -> Cow<'static, str> {
        format!("Named_{}", V::schema_name()).into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let v = g.subschema_for::<V>();
        json_schema!({
            "type": "object",
            "additionalProperties": v
        })
    }
}

/// Reading one typed value from a node.
pub trait FromNode: Sized {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self>;
}

impl FromNode for String {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            _ => {
                cx.wrong_type(node, "a string");
                None
            }
        }
    }
}

impl FromNode for bool {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            _ => {
                cx.wrong_type(node, "`true` or `false`");
                None
            }
        }
    }
}

macro_rules! int_from_node {
    ($($t:ty),*) => {$(
        impl FromNode for $t {
            fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
                match &node.value {
                    Value::Int(i) => match <$t>::try_from(*i) {
                        Ok(v) => Some(v),
                        Err(_) if *i < 0 => {
                            cx.error(codes::OUT_OF_RANGE, node.span,
                                format!("{i} is negative; this field takes {} or more", <$t>::MIN));
                            None
                        }
                        Err(_) => {
                            cx.error(codes::OUT_OF_RANGE, node.span,
                                format!("{i} is too large for this field (at most {})", <$t>::MAX));
                            None
                        }
                    },
                    // A plain integer too large for 64 bits is kept as a string by the parser.
                    Value::Str(s) if is_huge_int(s) => {
                        cx.error(codes::OUT_OF_RANGE, node.span,
                            format!("{s} is too large for this field (at most {})", <$t>::MAX));
                        None
                    }
                    _ => { cx.wrong_type(node, "a whole number"); None }
                }
            }
        }
    )*};
}
int_from_node!(u32, u64, i64);

/// Digits (with an optional sign) that do not fit in an `i64`.
fn is_huge_int(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && s.parse::<i64>().is_err()
}

impl<T: FromNode> FromNode for Sp<T> {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        T::from_node(node, cx).map(|v| Sp::new(v, node.span))
    }
}

impl<T: FromNode> FromNode for Vec<T> {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for i in items {
                    match T::from_node(i, cx) {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
            Value::Map(_) => {
                cx.wrong_type(node, "a list");
                cx.diags.last_mut().expect("pushed").help =
                    Some("write a list: each item on its own line starting with `- `, or `[ {...}, {...} ]`".into());
                None
            }
            _ => {
                cx.wrong_type(node, "a list");
                None
            }
        }
    }
}

impl<V: FromNode> FromNode for Named<V> {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                let mut ok = true;
                for (k, v) in entries {
                    let Some(name) = k.as_str() else {
                        cx.error(
                            codes::WRONG_TYPE,
                            k.span,
                            format!("expected a name, found {}", k.value.kind_name()),
                        );
                        ok = false;
                        continue;
                    };
                    let before = cx.diags.len();
                    match V::from_node(v, cx) {
                        Some(val) => out.push((Sp::new(name.to_string(), k.span), val)),
                        None => ok = false,
                    }
                    // "a function is missing `handler`" is about the element: point at its
                    // name and say which one.
                    for d in &mut cx.diags[before..] {
                        if d.code == codes::MISSING_FIELD && d.span == Some(v.span) {
                            d.span = Some(k.span);
                            if let Some(rest) = d
                                .message
                                .strip_prefix("an ")
                                .or(d.message.strip_prefix("a "))
                                && let Some((what, tail)) = rest.split_once(" is missing")
                            {
                                d.message = format!("{what} `{name}` is missing{tail}");
                            }
                        }
                    }
                }
                ok.then_some(Named(out))
            }
            // `queues:` with nothing under it: an empty section.
            Value::Null => Some(Named(Vec::new())),
            _ => {
                cx.wrong_type(node, "a mapping of names");
                None
            }
        }
    }
}

/// Reads the fields of one YAML mapping and reports the ones nobody asked for.
pub struct MapReader<'n> {
    entries: &'n [(Node, Node)],
    used: Vec<bool>,
    known: Vec<&'static str>,
    /// Where "missing field" errors point: the key that owns this mapping.
    owner: Span,
    what: &'static str,
    ok: bool,
}

static EMPTY: [(Node, Node); 0] = [];

impl<'n> MapReader<'n> {
    /// `what` names the element in messages ("function", "queue trigger").
    pub fn new(node: &'n Node, owner: Span, what: &'static str, cx: &mut Cx) -> Option<Self> {
        let entries: &'n [(Node, Node)] = match &node.value {
            Value::Map(m) => m,
            Value::Null => &EMPTY,
            _ => {
                cx.wrong_type(node, &format!("a mapping (the {what}'s fields)"));
                return None;
            }
        };
        for (k, _) in entries {
            if k.as_str().is_none() {
                cx.error(
                    codes::WRONG_TYPE,
                    k.span,
                    format!("expected a field name, found {}", k.value.kind_name()),
                );
            }
        }
        Some(MapReader {
            entries,
            used: vec![false; entries.len()],
            known: Vec::new(),
            owner,
            what,
            ok: true,
        })
    }

    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k.as_str() == Some(key))
    }

    /// The raw node of `key`, marking the key as known.
    pub fn node(&mut self, key: &'static str) -> Option<(&'n Node, &'n Node)> {
        self.known.push(key);
        let i = self
            .entries
            .iter()
            .position(|(k, _)| k.as_str() == Some(key))?;
        self.used[i] = true;
        let (k, v) = &self.entries[i];
        Some((k, v))
    }

    /// An optional field; a present-but-invalid value is reported and yields `None`.
    pub fn opt<T: FromNode>(&mut self, key: &'static str, cx: &mut Cx) -> Option<T> {
        let (_, v) = self.node(key)?;
        if matches!(v.value, Value::Null) {
            return None;
        }
        let r = T::from_node(v, cx);
        if r.is_none() {
            self.ok = false;
        }
        r
    }

    /// An optional field read with a custom function.
    pub fn opt_with<T>(
        &mut self,
        key: &'static str,
        cx: &mut Cx,
        f: impl FnOnce(&Node, &mut Cx) -> Option<T>,
    ) -> Option<T> {
        let (_, v) = self.node(key)?;
        if matches!(v.value, Value::Null) {
            return None;
        }
        let r = f(v, cx);
        if r.is_none() {
            self.ok = false;
        }
        r
    }

    /// A required field: missing is an error pointing at the owning key.
    pub fn req<T: FromNode>(&mut self, key: &'static str, cx: &mut Cx) -> Option<T> {
        match self.node(key) {
            Some((_, v)) if !matches!(v.value, Value::Null) => {
                let r = T::from_node(v, cx);
                if r.is_none() {
                    self.ok = false;
                }
                r
            }
            Some((k, _)) => {
                cx.error(
                    codes::MISSING_FIELD,
                    k.span,
                    format!("`{key}` of this {} has no value", self.what),
                );
                self.ok = false;
                None
            }
            None => {
                self.missing(key, cx);
                None
            }
        }
    }

    pub fn missing(&mut self, key: &str, cx: &mut Cx) {
        self.ok = false;
        let what = self.what;
        cx.error(
            codes::MISSING_FIELD,
            self.owner,
            format!("{} is missing the required field `{key}`", article(what)),
        )
        .help = Some(format!("add `{key}: ...` to it"));
    }

    /// Report every field that no `opt`/`req` asked for, with the closest known name.
    /// Returns whether every field read cleanly.
    pub fn finish(self, cx: &mut Cx) -> bool {
        let mut ok = self.ok;
        for (i, (k, _)) in self.entries.iter().enumerate() {
            if self.used[i] {
                continue;
            }
            let Some(name) = k.as_str() else {
                ok = false;
                continue;
            };
            ok = false;
            let known = self.known.iter().copied();
            let help = suggest::hint(name, known);
            let d = cx.error(
                codes::UNKNOWN_FIELD,
                k.span,
                format!("unknown field `{name}` in {}", article(self.what)),
            );
            d.help = help;
        }
        ok
    }
}

fn article(what: &str) -> String {
    let vowel = what.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {what}", if vowel { "an" } else { "a" })
}

/// A node's value as JSON (raw IAM statements, filter policies).
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match &k.value {
                        Value::Str(s) => s.clone(),
                        other => to_json(&Node {
                            span: k.span,
                            value: other.clone(),
                        })
                        .to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
    }
}
