//! YAML text in, a tree of spanned [`Node`]s out: parsing with input budgets, duplicate-key
//! and syntax errors reported at their line and column.

use crate::source::{SourceFile, Span};
use foldhash::{HashMap, HashMapExt};
use granit_parser::{Event, Parser, ScalarStyle};

mod fast;

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

/// Why a file could not be parsed at all.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("the file is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("{message}")]
    Yaml { message: String, span: Option<Span> },
    #[error("duplicate key `{key}`")]
    DuplicateKey {
        key: String,
        span: Span,
        first: Span,
    },
    #[error("{message}")]
    Budget { message: String, span: Span },
    #[error("the file is empty")]
    Empty,
}

/// Parse one YAML document into a spanned tree under `budget`.
///
/// The tree is built from the parser's event stream with an explicit stack (no
/// recursion), so the depth budget, not the thread's stack size, decides how deep a
/// document may nest. Aliases are expanded, and every copied node counts against the
/// node budget, which stops alias bombs early. A big file is parsed on two threads
/// ([`PARSE_ON_TWO_THREADS_FROM`]), with the same result.
pub fn parse(file: &SourceFile, budget: InputBudget) -> Result<Node, ParseError> {
    if file.len() > budget.max_file_bytes {
        return Err(ParseError::TooLarge {
            size: file.len(),
            limit: budget.max_file_bytes,
        });
    }
    let bom = if file.text.starts_with('\u{feff}') {
        3
    } else {
        0
    };
    let text = &file.text[bom..];
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let fresh = || Builder {
        budget,
        bom,
        ..Builder::default()
    };
    if let Some(root) = fast::parse(text, fresh()) {
        return Ok(root);
    }
    let mut b = fresh();
    if text.len() < PARSE_ON_TWO_THREADS_FROM {
        b.feed(Parser::new_from_str(text))?;
    } else {
        parse_on_two_threads(&mut b, text)?;
    }
    b.root.ok_or(ParseError::Empty)
}

/// Specs at least this big are parsed on two threads: the YAML parser on one, building
/// the tree on the other (a thread costs more than it saves on a small file).
const PARSE_ON_TWO_THREADS_FROM: usize = 32 * 1024;

/// Events handed from the parser's thread to the tree builder at a time.
const EVENTS_A_BATCH: usize = 1024;

/// One parser event, or the syntax error that ended the events.
type Parsed<'a> = Result<(Event<'a>, granit_parser::Span), granit_parser::ScanError>;

/// [`parse`] with the YAML parser on a second thread, at most a few batches of events
/// ahead of the tree being built here: the same tree and the same first error as on one
/// thread. When the builder stops early (a budget, a second document), the parser's
/// thread stops at its next hand-over.
fn parse_on_two_threads(b: &mut Builder, text: &str) -> Result<(), ParseError> {
    std::thread::scope(|s| {
        let (send, batches) = std::sync::mpsc::sync_channel::<Vec<Parsed<'_>>>(4);
        let (give_back, spare) = std::sync::mpsc::channel::<Vec<Parsed<'_>>>();
        let parser = std::thread::Builder::new().spawn_scoped(s, move || {
            let mut parser = Parser::new_from_str(text);
            loop {
                let mut batch = spare
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(EVENTS_A_BATCH));
                batch.extend(parser.by_ref().take(EVENTS_A_BATCH));
                let last = batch.len() < EVENTS_A_BATCH || batch.last().is_some_and(Result::is_err);
                if send.send(batch).is_err() || last {
                    return;
                }
            }
        });
        if parser.is_err() {
            return b.feed(Parser::new_from_str(text)).map(drop);
        }
        for mut batch in batches {
            let done = b.feed(batch.drain(..))?;
            if done {
                break;
            }
            let _ = give_back.send(batch);
        }
        Ok(())
    })
}

impl Builder {
    /// Build the tree from `events`; `Ok(true)` once the document is complete.
    fn feed<'a>(
        &mut self,
        events: impl IntoIterator<Item = Parsed<'a>>,
    ) -> Result<bool, ParseError> {
        for ev in events {
            let (event, span) = ev.map_err(|e| {
                let m = e.marker();
                let at = m.byte_offset().unwrap_or(m.index()) + self.bom;
                ParseError::Yaml {
                    message: e.info(),
                    span: Some(Span::new(at, at)),
                }
            })?;
            if self.event(event, self.span(&span))? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// A collection being read; `nodes` counts it and everything in it so far.
enum Frame {
    Seq {
        start: Span,
        anchor: usize,
        nodes: usize,
        items: Vec<Node>,
        /// The long form of the CloudFormation short tag it carried (`!Join [..]`).
        tag: Option<&'static str>,
    },
    Map {
        start: Span,
        anchor: usize,
        nodes: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// Keys seen, for duplicate detection: `None` while the mapping is small enough to
        /// scan ([`INDEX_KEYS_FROM`]).
        seen: Option<HashMap<String, Span>>,
        tag: Option<&'static str>,
    },
}

/// Mappings with this many keys index them for duplicate detection; smaller ones (nearly
/// all) compare with each key before.
const INDEX_KEYS_FROM: usize = 16;

#[derive(Default)]
struct Builder {
    budget: InputBudget,
    bom: usize,
    stack: Vec<Frame>,
    /// Completed anchored nodes and their sizes (in nodes).
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    aliases: usize,
    documents: usize,
    root: Option<Node>,
}

impl Default for InputBudget {
    fn default() -> Self {
        InputBudget::DEFAULT
    }
}

fn size(n: &Node) -> usize {
    1 + value_size(&n.value)
}

/// The nodes inside a value.
fn value_size(v: &Value) -> usize {
    match v {
        Value::Seq(items) => items.iter().map(size).sum(),
        Value::Map(entries) => entries.iter().map(|(k, v)| size(k) + size(v)).sum(),
        _ => 0,
    }
}

impl Builder {
    fn span(&self, s: &granit_parser::Span) -> Span {
        let start = s.start.byte_offset().unwrap_or(s.start.index()) + self.bom;
        let end = s.end.byte_offset().unwrap_or(s.end.index()) + self.bom;
        Span::new(start, end.max(start))
    }

    fn over(&self, what: &str, span: Span) -> ParseError {
        ParseError::Budget {
            message: format!("input budget exceeded: {what}"),
            span,
        }
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), ParseError> {
        self.nodes += n;
        if self.nodes > self.budget.max_nodes {
            return Err(self.over(
                &format!(
                    "more than {} YAML nodes (alias expansion counts every copy)",
                    self.budget.max_nodes
                ),
                span,
            ));
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, span: Span) -> Result<(), ParseError> {
        if self.stack.len() >= self.budget.max_depth {
            return Err(self.over(
                &format!("nested deeper than {} levels", self.budget.max_depth),
                span,
            ));
        }
        self.count(1, span)?;
        self.stack.push(frame);
        Ok(())
    }

    /// Inside the top-level `resources:` or `outputs:` section: raw CloudFormation, where
    /// its short tags (`!Ref`, `!GetAtt`, `!Sub`, ...) are read in their long form.
    fn in_raw_cfn(&self) -> bool {
        matches!(
            self.stack.first(),
            Some(Frame::Map { key: Some(k), .. })
                if matches!(k.as_str(), Some("resources" | "outputs"))
        )
    }

    /// The long form of a CloudFormation short tag, where raw CloudFormation is written.
    fn short_tag(&self, tag: Option<&granit_parser::Tag>) -> Option<&'static str> {
        let t = tag?;
        if t.is_yaml_core_schema() || t.handle() != "!" || !self.in_raw_cfn() {
            return None;
        }
        cfn_long_form(t.suffix())
    }

    /// A collection's tag: a short tag inside raw CloudFormation, else none or an error.
    fn collection_tag(
        &self,
        tag: Option<&granit_parser::Tag>,
        core: &str,
        span: Span,
    ) -> Result<Option<&'static str>, ParseError> {
        match self.short_tag(tag) {
            Some(long) => Ok(Some(long)),
            None => reject_tag(tag, core, span).map(|()| None),
        }
    }

    /// Handle one event; `Ok(true)` when the document is complete.
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<bool, ParseError> {
        match event {
            Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => return Ok(true),
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(ParseError::Yaml {
                        message: "the spec must be a single YAML document (a `---` starts another)"
                            .into(),
                        span: Some(span),
                    });
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                self.count(1, span)?;
                let node = match self.short_tag(tag.as_deref()) {
                    Some(long) => short_scalar(long, &value, span)?,
                    None => Node {
                        span,
                        value: scalar(&value, style, tag.as_deref(), span)?,
                    },
                };
                self.complete(node, anchor, 1)?;
            }
            Event::Alias(id) => self.alias(id, span)?,
            Event::SequenceStart(_, anchor, tag) => {
                let tag = self.collection_tag(tag.as_deref(), "!!seq", span)?;
                let frame = Frame::Seq {
                    start: span,
                    anchor,
                    nodes: 1,
                    items: Vec::new(),
                    tag,
                };
                self.open(frame, span)?;
            }
            Event::MappingStart(_, anchor, tag) => {
                let tag = self.collection_tag(tag.as_deref(), "!!map", span)?;
                let frame = Frame::Map {
                    start: span,
                    anchor,
                    nodes: 1,
                    entries: Vec::new(),
                    key: None,
                    seen: None,
                    tag,
                };
                self.open(frame, span)?;
            }
            Event::SequenceEnd => self.close(true, span)?,
            Event::MappingEnd => self.close(false, span)?,
            _ => {}
        }
        Ok(false)
    }

    /// An alias: a copy of its anchored node, counted against the budgets.
    fn alias(&mut self, id: usize, span: Span) -> Result<(), ParseError> {
        self.aliases += 1;
        if self.aliases > self.budget.max_aliases {
            return Err(self.over(
                &format!("more than {} alias uses", self.budget.max_aliases),
                span,
            ));
        }
        let Some(&(_, n)) = self.anchors.get(&id) else {
            return Err(ParseError::Yaml {
                message: "this alias refers to an anchor that is not defined before it".into(),
                span: Some(span),
            });
        };
        self.count(n, span)?;
        let Some((mut node, _)) = self.anchors.get(&id).cloned() else {
            return Ok(());
        };
        // The use site, not the definition, is where findings about this copy belong.
        node.span = span;
        self.complete(node, 0, n)
    }

    /// The end of a sequence (`seq`) or mapping: its node, spanning its items, is complete.
    fn close(&mut self, seq: bool, span: Span) -> Result<(), ParseError> {
        let (start, anchor, value, end, tag, mut n) = match (seq, self.stack.pop()) {
            (
                true,
                Some(Frame::Seq {
                    start,
                    anchor,
                    nodes,
                    items,
                    tag,
                }),
            ) => {
                let end = items
                    .last()
                    .map_or(span.end, |i| i.span.end.max(start.start));
                (start, anchor, Value::Seq(items), end, tag, nodes)
            }
            (
                false,
                Some(Frame::Map {
                    start,
                    anchor,
                    nodes,
                    entries,
                    tag,
                    ..
                }),
            ) => {
                let merges = entries.iter().any(|(k, _)| k.as_str() == Some("<<"));
                let entries = merge_keys(entries)?;
                let end = entries
                    .last()
                    .map_or(span.end, |(_, v)| v.span.end.max(start.start));
                let value = Value::Map(entries);
                // Merging moves nodes around: count what is left.
                let nodes = if merges {
                    1 + value_size(&value)
                } else {
                    nodes
                };
                (start, anchor, value, end, tag, nodes)
            }
            _ => return Ok(()),
        };
        let mut node = Node {
            span: Span::new(start.start, end.max(start.end)),
            value,
        };
        if let Some(long) = tag {
            node = single(long, node);
            n += 2;
        }
        self.complete(node, anchor, n)
    }

    /// A node is complete: remember it if anchored, then attach it to its parent.
    fn complete(&mut self, node: Node, anchor: usize, n: usize) -> Result<(), ParseError> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), n));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, nodes, .. }) => {
                *nodes += n;
                items.push(node);
            }
            Some(Frame::Map {
                entries,
                key,
                seen,
                nodes,
                ..
            }) => {
                *nodes += n;
                match key.take() {
                    None => {
                        if let Some(first) = seen_before(entries, seen, &node) {
                            return Err(ParseError::DuplicateKey {
                                key: key_text(&node).unwrap_or_default(),
                                span: node.span,
                                first,
                            });
                        }
                        *key = Some(node);
                    }
                    Some(k) => entries.push((k, node)),
                }
            }
        }
        Ok(())
    }
}

/// Where `key` was written before in a mapping with `entries` (`<<` may repeat): a scan
/// of a small mapping, an index (`seen`, made when the mapping grows) of a big one.
fn seen_before(
    entries: &[(Node, Node)],
    seen: &mut Option<HashMap<String, Span>>,
    key: &Node,
) -> Option<Span> {
    if key.as_str() == Some("<<") || matches!(key.value, Value::Seq(_) | Value::Map(_)) {
        return None;
    }
    if seen.is_none() && entries.len() < INDEX_KEYS_FROM {
        return entries
            .iter()
            .find(|(k, _)| same_key(&k.value, &key.value))
            .map(|(k, _)| k.span);
    }
    let index = seen.get_or_insert_with(|| {
        let mut m = HashMap::with_capacity(entries.len() * 2);
        for (k, _) in entries {
            if let Some(t) = key_text(k) {
                m.entry(t).or_insert(k.span);
            }
        }
        m
    });
    let text = key_text(key)?;
    match index.get(&text) {
        Some(first) => Some(*first),
        None => {
            index.insert(text, key.span);
            None
        }
    }
}

/// Whether two scalar keys are the same key ([`key_text`] equal).
fn same_key(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Null, Value::Null) => true,
        (Value::Float(x), Value::Float(y)) => x.to_string() == y.to_string(),
        _ => false,
    }
}

/// How a key compares for duplicate detection (`1` and `"1"` differ, as in YAML).
fn key_text(n: &Node) -> Option<String> {
    match &n.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(format!("!!int {i}")),
        Value::Bool(b) => Some(format!("!!bool {b}")),
        Value::Null => Some("!!null".into()),
        Value::Float(f) => Some(format!("!!float {f}")),
        _ => None,
    }
}

/// YAML merge keys (`<<: *defaults`): entries of the merged mapping(s) that the mapping
/// does not set itself.
fn merge_keys(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, ParseError> {
    if !entries.iter().any(|(k, _)| k.as_str() == Some("<<")) {
        return Ok(entries);
    }
    let mut own = Vec::new();
    let mut merged: Vec<(Node, Node)> = Vec::new();
    for (k, v) in entries {
        if k.as_str() != Some("<<") {
            own.push((k, v));
            continue;
        }
        let sources = match v.value {
            Value::Map(m) => vec![m],
            Value::Seq(items) => {
                let mut out = Vec::new();
                for i in items {
                    match i.value {
                        Value::Map(m) => out.push(m),
                        _ => {
                            return Err(ParseError::Yaml {
                                message: "`<<` merges mappings only".into(),
                                span: Some(i.span),
                            });
                        }
                    }
                }
                out
            }
            _ => {
                return Err(ParseError::Yaml {
                    message: "`<<` merges mappings only".into(),
                    span: Some(v.span),
                });
            }
        };
        for m in sources {
            for (mk, mv) in m {
                let t = key_text(&mk);
                let taken = |list: &[(Node, Node)]| list.iter().any(|(x, _)| key_text(x) == t);
                if !taken(&own) && !taken(&merged) {
                    merged.push((mk, mv));
                }
            }
        }
    }
    own.retain(|_| true);
    let mut out = own;
    for (k, v) in merged {
        if !out.iter().any(|(x, _)| key_text(x) == key_text(&k)) {
            out.push((k, v));
        }
    }
    Ok(out)
}

/// The long form of a CloudFormation short tag, e.g. `Sub` -> `Fn::Sub`.
pub fn cfn_long_form(suffix: &str) -> Option<&'static str> {
    Some(match suffix {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "GetAtt" => "Fn::GetAtt",
        "Sub" => "Fn::Sub",
        "Join" => "Fn::Join",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "If" => "Fn::If",
        "Equals" => "Fn::Equals",
        "Not" => "Fn::Not",
        "And" => "Fn::And",
        "Or" => "Fn::Or",
        "FindInMap" => "Fn::FindInMap",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "ImportValue" => "Fn::ImportValue",
        "GetAZs" => "Fn::GetAZs",
        "Transform" => "Fn::Transform",
        "ToJsonString" => "Fn::ToJsonString",
        "Length" => "Fn::Length",
        _ => return None,
    })
}

/// `{long: node}`: a short-tagged value in its long form, spanning the value.
fn single(long: &'static str, node: Node) -> Node {
    let key = Node {
        span: node.span,
        value: Value::Str(long.to_string()),
    };
    Node {
        span: node.span,
        value: Value::Map(vec![(key, node)]),
    }
}

/// A short-tagged scalar: text, never resolved (`!Ref 123` names something);
/// `!GetAtt A.B` becomes `{"Fn::GetAtt": ["A", "B"]}`.
fn short_scalar(long: &'static str, text: &str, span: Span) -> Result<Node, ParseError> {
    let str_node = |s: &str| Node {
        span,
        value: Value::Str(s.to_string()),
    };
    if long != "Fn::GetAtt" {
        return Ok(single(long, str_node(text)));
    }
    let Some((resource, attr)) = text.split_once('.') else {
        return Err(ParseError::Yaml {
            message: format!("`!GetAtt {text}` needs the form `Resource.Attribute`"),
            span: Some(span),
        });
    };
    let list = Node {
        span,
        value: Value::Seq(vec![str_node(resource), str_node(attr)]),
    };
    Ok(single(long, list))
}

fn reject_tag(
    tag: Option<&granit_parser::Tag>,
    allowed: &str,
    span: Span,
) -> Result<(), ParseError> {
    match tag {
        None => Ok(()),
        Some(t) if t.is_yaml_core_schema() && format!("!!{}", t.suffix()) == allowed => Ok(()),
        Some(t) => Err(ParseError::Yaml {
            message: format!(
                "YAML tag `{}{}` is not supported here",
                t.handle(),
                t.suffix()
            ),
            span: Some(span),
        }),
    }
}

/// Resolve a scalar with the YAML 1.2 core schema (strict booleans: `yes`/`no` are strings).
fn scalar(
    v: &str,
    style: ScalarStyle,
    tag: Option<&granit_parser::Tag>,
    span: Span,
) -> Result<Value, ParseError> {
    let text: &str = v;
    if let Some(t) = tag {
        let name = if t.is_yaml_core_schema() {
            t.suffix().to_string()
        } else {
            String::new()
        };
        let bad = |what: &str| ParseError::Yaml {
            message: format!("`{text}` is not a valid {what}"),
            span: Some(span),
        };
        return match name.as_str() {
            "str" => Ok(Value::Str(text.to_string())),
            "int" => parse_int(text)
                .map(Value::Int)
                .ok_or_else(|| bad("integer")),
            "float" => parse_float(text)
                .or_else(|| parse_int(text).map(|i| i as f64))
                .map(Value::Float)
                .ok_or_else(|| bad("number")),
            "bool" => parse_bool(text)
                .map(Value::Bool)
                .ok_or_else(|| bad("boolean")),
            "null" => Ok(Value::Null),
            _ => Err(ParseError::Yaml {
                message: format!("YAML tag `{}{}` is not supported", t.handle(), t.suffix()),
                span: Some(span),
            }),
        };
    }
    if !matches!(style, ScalarStyle::Plain) {
        return Ok(Value::Str(text.to_string()));
    }
    Ok(resolve_plain(text))
}

/// Resolve a plain (unquoted, untagged) scalar with the YAML 1.2 core schema, strict
/// booleans (`yes`/`no` stay text) and one rule for people: a number written with a
/// leading zero (`012345678901`, an account ID; `0755`) stays text as written.
/// Shared by the spec loader and the reader of deployed CloudFormation templates.
pub fn resolve_plain(text: &str) -> Value {
    // Most scalars are words: only these first bytes can start a null, a boolean or a
    // number (`~`, `null`, `true`, `false`, `0x1f`, `-1`, `+.5`, `.inf`, ...).
    if let Some(b) = text.bytes().next()
        && !matches!(
            b,
            b'0'..=b'9' | b'-' | b'+' | b'.' | b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F'
        )
    {
        return Value::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        _ => {
            if let Some(b) = parse_bool(text) {
                Value::Bool(b)
            } else if let Some(i) = parse_int(text) {
                Value::Int(i)
            } else if let Some(f) = parse_float(text) {
                Value::Float(f)
            } else {
                Value::Str(text.to_string())
            }
        }
    }
}

fn leading_zero(digits: &str) -> bool {
    digits.len() > 1 && digits.starts_with('0') && digits.as_bytes()[1].is_ascii_digit()
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn parse_int(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    if let Some(h) = s.strip_prefix("0x") {
        return i64::from_str_radix(h, 16).ok();
    }
    if let Some(o) = s.strip_prefix("0o") {
        return i64::from_str_radix(o, 8).ok();
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) || leading_zero(digits) {
        return None;
    }
    s.parse::<i64>().ok()
}

fn parse_float(s: &str) -> Option<f64> {
    match s {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    if leading_zero(t.split(['.', 'e', 'E']).next().unwrap_or("")) {
        return None;
    }
    let (mant, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let (int, frac) = match mant.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mant, None),
    };
    let digits = |x: &str| x.bytes().all(|c| c.is_ascii_digit());
    let mant_ok = match frac {
        Some(f) => digits(int) && digits(f) && !(int.is_empty() && f.is_empty()),
        None => !int.is_empty() && digits(int),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if !(mant_ok && exp_ok) || (frac.is_none() && exp.is_none()) {
        return None;
    }
    s.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Node, ParseError> {
        parse(&SourceFile::from_string("t.yaml", s), InputBudget::DEFAULT)
    }

    /// `src` parsed on one thread, as small files are.
    fn on_one_thread(src: &str, budget: InputBudget) -> Result<Node, ParseError> {
        let mut b = Builder {
            budget,
            ..Builder::default()
        };
        b.feed(Parser::new_from_str(src))?;
        b.root.ok_or(ParseError::Empty)
    }

    #[test]
    fn big_files_parsed_on_two_threads_give_the_same_tree_and_errors() {
        let entries: String = (0..3000)
            .map(|i| {
                format!("  f{i}: {{ handler: app.main, memory: {i}, tags: [a, &t{i} b, *t{i}] }}\n")
            })
            .collect();
        let valid = format!("functions:\n{entries}");
        assert!(valid.len() > 4 * PARSE_ON_TWO_THREADS_FROM);
        let small = InputBudget {
            max_nodes: 20_000,
            ..InputBudget::DEFAULT
        };
        let cases = [
            (valid.clone(), InputBudget::DEFAULT, true),
            // A syntax error far into the file, after many batches of events.
            (
                format!("{valid}  broken: [a, b\n"),
                InputBudget::DEFAULT,
                false,
            ),
            // A duplicate key and a second document, found by the tree builder.
            (format!("{valid}  f7: {{}}\n"), InputBudget::DEFAULT, false),
            (format!("{valid}---\nb: 1\n"), InputBudget::DEFAULT, false),
            // The node budget runs out while the parser is still ahead.
            (valid.clone(), small, false),
        ];
        for (src, budget, ok) in cases {
            let file = SourceFile::from_string("t.yaml", src.as_str());
            let two = parse(&file, budget);
            let one = on_one_thread(&src, budget);
            assert_eq!(two.is_ok(), ok, "{two:?}");
            assert_eq!(format!("{two:?}"), format!("{one:?}"));
        }
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
    fn duplicate_keys_are_errors_with_both_locations() {
        match p("a: 1\na: 2\n").unwrap_err() {
            ParseError::DuplicateKey { key, span, first } => {
                assert_eq!(key, "a");
                assert_eq!((span.start, first.start), (5, 0));
            }
            other => panic!("{other:?}"),
        }
        // `1` and `"1"` are different keys.
        assert!(p("1: a\n\"1\": b\n").is_ok());
    }

    #[test]
    fn scalars_resolve_with_the_core_schema() {
        let n =
            p("a: [1, -2, 0x1f, 1.5, .inf, true, yes, null, ~, '3', \"x\", 1e3, 1_000]\n").unwrap();
        let Value::Map(m) = &n.value else { panic!() };
        let Value::Seq(items) = &m[0].1.value else {
            panic!()
        };
        let v: Vec<&Value> = items.iter().map(|i| &i.value).collect();
        assert_eq!(v[0], &Value::Int(1));
        assert_eq!(v[1], &Value::Int(-2));
        assert_eq!(v[2], &Value::Int(31));
        assert_eq!(v[3], &Value::Float(1.5));
        assert_eq!(v[4], &Value::Float(f64::INFINITY));
        assert_eq!(v[5], &Value::Bool(true));
        assert_eq!(v[6], &Value::Str("yes".into()));
        assert_eq!(v[7], &Value::Null);
        assert_eq!(v[8], &Value::Null);
        assert_eq!(v[9], &Value::Str("3".into()));
        assert_eq!(v[10], &Value::Str("x".into()));
        assert_eq!(v[11], &Value::Float(1000.0));
        assert_eq!(v[12], &Value::Str("1_000".into()));
        // Account IDs and modes keep the zero they were written with.
        let n = p("a: [012345678901, 0755, 0, 0.5, -0, 00.5]\n").unwrap();
        let Value::Map(m) = &n.value else { panic!() };
        let Value::Seq(items) = &m[0].1.value else {
            panic!()
        };
        let v: Vec<&Value> = items.iter().map(|i| &i.value).collect();
        assert_eq!(v[0], &Value::Str("012345678901".into()));
        assert_eq!(v[1], &Value::Str("0755".into()));
        assert_eq!(v[2], &Value::Int(0));
        assert_eq!(v[3], &Value::Float(0.5));
        assert_eq!(v[4], &Value::Int(0));
        assert_eq!(v[5], &Value::Str("00.5".into()));
    }

    #[test]
    fn merge_keys_and_aliases_expand() {
        let n = p("base: &b { timeout: 10, memory: 256 }\nf: { <<: *b, memory: 512 }\n").unwrap();
        let Value::Map(m) = &n.value else { panic!() };
        let Value::Map(f) = &m[1].1.value else {
            panic!()
        };
        let keys: Vec<(&str, &Value)> = f
            .iter()
            .map(|(k, v)| (k.as_str().unwrap(), &v.value))
            .collect();
        assert_eq!(
            keys,
            [("memory", &Value::Int(512)), ("timeout", &Value::Int(10))]
        );
    }

    #[test]
    fn tags_other_than_core_are_rejected() {
        assert!(matches!(p("a: !Ref X\n"), Err(ParseError::Yaml { .. })));
        let n = p("a: !!str 10\n").unwrap();
        let Value::Map(m) = &n.value else { panic!() };
        assert_eq!(m[0].1.value, Value::Str("10".into()));
    }

    #[test]
    fn budgets_stop_alias_bombs_and_depth() {
        // (an explicit stack: 20,000 levels cost nothing but a budget error)
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
        let deep_block: String = (0..2000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
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
