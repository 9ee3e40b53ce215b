//! YAML text in, a tree of spanned [`Node`]s out: parsing with input budgets, duplicate-key
//! and syntax errors reported at their line and column.

use crate::source::{SourceFile, Span};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Spanned};
use std::fmt;

/// Limits enforced before and during parsing (documented in README).
#[derive(Clone, Copy, Debug)]
pub struct InputBudget {
    pub max_file_bytes: usize,
    pub max_depth: usize,
    pub max_nodes: usize,
    pub max_aliases: usize,
}

impl InputBudget {
    pub const DEFAULT: InputBudget = InputBudget {
        max_file_bytes: 8 * 1024 * 1024,
        max_depth: 64,
        max_nodes: 250_000,
        max_aliases: 10_000,
    };
}

/// A YAML value with the span it was written at.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// What a user would call this value in an error ("a string", "a list").
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .or(Ok(Value::Float(v as f64)))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(n) = seq.next_element::<Node>()? {
            items.push(n);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = map.next_key::<Node>()? {
            let v = map.next_value::<Node>()?;
            entries.push((k, v));
        }
        Ok(Value::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<Value>::deserialize(d)?;
        // `referenced` is where the node is used (the alias for `*a`); that is where a
        // finding about this use belongs.
        let sp = s.referenced.span();
        let start = sp.byte_offset().unwrap_or(0) as usize;
        let len = sp.byte_len().unwrap_or(0) as usize;
        Ok(Node {
            span: Span::new(start, start + len),
            value: s.value,
        })
    }
}

/// Why a file could not be parsed at all.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("the file is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("{message}")]
    Yaml { message: String, span: Option<Span> },
    #[error("the file is empty")]
    Empty,
}

/// Parse one YAML document into a spanned tree under `budget`.
pub fn parse(file: &SourceFile, budget: InputBudget) -> Result<Node, ParseError> {
    if file.len() > budget.max_file_bytes {
        return Err(ParseError::TooLarge {
            size: file.len(),
            limit: budget.max_file_bytes,
        });
    }
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
    let bom = file.text.len() - text.len();
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    // Deserializing nested YAML recurses; a dedicated thread with a generous stack keeps
    // the depth budget (not the platform's stack size) the limit that decides.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("fnplan-parse".into())
            .stack_size(256 * 1024 * 1024)
            .spawn_scoped(scope, || parse_here(file, text, bom, budget))
            .map_err(|e| ParseError::Yaml {
                message: format!("cannot start the parser: {e}"),
                span: None,
            })?
            .join()
            .unwrap_or_else(|_| {
                Err(ParseError::Yaml {
                    message: "the YAML parser failed unexpectedly".into(),
                    span: None,
                })
            })
    })
}

fn parse_here(
    file: &SourceFile,
    text: &str,
    bom: usize,
    budget: InputBudget,
) -> Result<Node, ParseError> {
    let mut b = Budget::default();
    b.max_depth = budget.max_depth;
    b.max_nodes = budget.max_nodes;
    b.max_aliases = budget.max_aliases;
    b.max_documents = 1;
    let options = serde_saphyr::options! {
        budget: Some(b),
        duplicate_keys: DuplicateKeyPolicy::Error,
        strict_booleans: true,
    };
    match serde_saphyr::from_str_with_options::<Node>(text, options) {
        Ok(mut n) => {
            if bom > 0 {
                shift(&mut n, bom);
            }
            widen(&mut n);
            Ok(n)
        }
        Err(e) => Err(yaml_error(file, bom, &e)),
    }
}

/// The parser gives a collection only its start; make it end where its last item ends,
/// so a finding about a whole mapping underlines its first line rather than one character.
fn widen(n: &mut Node) {
    let end = match &mut n.value {
        Value::Seq(items) => {
            items.iter_mut().for_each(widen);
            items.last().map(|i| i.span.end)
        }
        Value::Map(entries) => {
            entries.iter_mut().for_each(|(k, v)| {
                widen(k);
                widen(v);
            });
            entries.last().map(|(k, v)| v.span.end.max(k.span.end))
        }
        _ => None,
    };
    if let Some(e) = end {
        n.span.end = n.span.end.max(e);
    }
}

fn shift(n: &mut Node, by: usize) {
    n.span.start += by;
    n.span.end += by;
    match &mut n.value {
        Value::Seq(items) => items.iter_mut().for_each(|i| shift(i, by)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            shift(k, by);
            shift(v, by);
        }),
        _ => {}
    }
}

fn yaml_error(file: &SourceFile, bom: usize, e: &serde_saphyr::Error) -> ParseError {
    let span = e.location().and_then(|loc| {
        if loc.line() == 0 {
            return None;
        }
        let sp = loc.span();
        match sp.byte_offset() {
            Some(off) => {
                let s = off as usize + bom;
                Some(Span::new(s, s + sp.byte_len().unwrap_or(0) as usize))
            }
            None => {
                let s = file.offset_of(loc.line() as usize, loc.column() as usize);
                Some(Span::new(s, s))
            }
        }
    });
    let inner = e.without_snippet();
    let message = match inner {
        serde_saphyr::Error::Budget { breach, .. } => budget_message(breach),
        other => tidy_message(&strip_location(&other.to_string())),
    };
    ParseError::Yaml { message, span }
}

fn budget_message(b: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match b {
        B::Depth { depth } => format!(
            "input budget exceeded: nesting deeper than {} levels",
            depth - 1
        ),
        B::Aliases { aliases } => format!(
            "input budget exceeded: more than {} alias uses",
            aliases - 1
        ),
        B::Nodes { nodes } => format!("input budget exceeded: more than {} YAML nodes", nodes - 1),
        B::Documents { .. } => {
            "the spec must be a single YAML document (found `---` starting another)".into()
        }
        other => format!("input budget exceeded: {other:?} (alias expansion or size)"),
    }
}

/// Rephrase the parser's messages in fnplan's voice (no library advice, no repeated location).
fn tidy_message(m: &str) -> String {
    if let Some(rest) = m.split("budget breached: ").nth(1) {
        let kind = rest.split([' ', '{']).next().unwrap_or("");
        let n: String = rest
            .chars()
            .filter(|c| c.is_ascii_digit())
            .take_while(|_| true)
            .collect();
        return match kind {
            "Nodes" => {
                "input budget exceeded: too many YAML nodes (alias expansion counts every copy)"
                    .to_string()
            }
            "Depth" => "input budget exceeded: nested too deeply".to_string(),
            "Aliases" => "input budget exceeded: too many alias uses".to_string(),
            _ => format!(
                "input budget exceeded ({kind}{})",
                if n.is_empty() {
                    String::new()
                } else {
                    format!(" {n}")
                }
            ),
        };
    }
    if m.contains("recursion limit") {
        return "input budget exceeded: nested too deeply".to_string();
    }
    if let Some(rest) = m.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest)
            .trim();
        return format!("duplicate key `{key}`: it already appears earlier in the same mapping");
    }
    m.to_string()
}

/// Drop the library's own "error: line L column C: " prefix: we print the location ourselves.
fn strip_location(s: &str) -> String {
    let first = s.lines().next().unwrap_or(s);
    let t = first.strip_prefix("error: ").unwrap_or(first);
    let t = match t.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map_or(rest, |(_, m)| m),
        None => t,
    };
    // ... and a trailing "at line 4, column 2" (with any "(defined at ...)" after it).
    let t = t.split(" at line ").next().unwrap_or(t);
    t.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Node, ParseError> {
        parse(&SourceFile::from_string("t.yaml", s), InputBudget::DEFAULT)
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let src = "a: 1\nb:\n  c: hello\n";
        let n = p(src).unwrap();
        let Value::Map(m) = &n.value else { panic!() };
        let (k, v) = &m[1];
        assert_eq!(&src[k.span.start..k.span.end], "b");
        let Value::Map(inner) = &v.value else {
            panic!()
        };
        let (k2, v2) = &inner[0];
        assert_eq!(&src[k2.span.start..k2.span.end], "c");
        assert_eq!(&src[v2.span.start..v2.span.end], "hello");
        assert_eq!(v2.value, Value::Str("hello".into()));
    }

    #[test]
    fn duplicate_keys_are_errors_with_location() {
        let e = p("a: 1\na: 2\n").unwrap_err();
        match e {
            ParseError::Yaml {
                span: Some(s),
                message,
            } => {
                assert!(message.to_lowercase().contains("duplicate"), "{message}");
                assert_eq!(s.start, 5);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn budgets_stop_alias_bombs_and_depth() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            bomb.push_str(&format!(
                "{}: &{} [*{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}]\n",
                (b'a' + i) as char,
                (b'a' + i) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char
            ));
        }
        assert!(p(&bomb).is_err());
        let deep = format!("{}1{}", "[".repeat(20_000), "]".repeat(20_000));
        assert!(p(&deep).is_err());
        let deep_block: String = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert!(p(&deep_block).is_err());
    }

    #[test]
    fn bom_is_skipped_and_spans_still_match() {
        let src = "\u{feff}a: b\n";
        let n = p(src).unwrap();
        let Value::Map(m) = &n.value else { panic!() };
        assert_eq!(&src[m[0].1.span.start..m[0].1.span.end], "b");
    }
}
