//! A rendered template's data: values built with [`cfn!`] (or converted from
//! `serde_json::Value`) in, a compact tree out ([`Doc`]) that writes exactly the JSON (and
//! YAML) serde_json would, is walked and rewritten by the split into nested stacks, and
//! turns back into a `serde_json::Value` for plan's diff. The writers and [`json_len`]
//! take either tree ([`Tree`]).
//!
//! Why not keep `serde_json::Value`: with `preserve_order` every object is an `IndexMap`
//! (a hash table and a vector of 112-byte entries, keys hashed with SipHash). A
//! 2,000-function template held 56 MB of them for 5.5 MB of JSON. Here an object is a boxed
//! slice of `(key, value)` pairs in order (48 bytes a pair, no hashing): templates are
//! written and measured, not searched, and each object is small.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Number, Value};
use std::io::{self, Write};

/// An object key: most are fixed words (`Type`, `Properties`, property names), kept
/// without an allocation of their own.
pub type Key = std::borrow::Cow<'static, str>;

/// One JSON value of a template.
#[derive(Clone, Debug, PartialEq)]
pub enum Doc {
    Null,
    Bool(bool),
    Number(Number),
    String(Box<str>),
    Array(Box<[Doc]>),
    /// Keys in the order they were inserted; no key twice (they come from a map).
    Object(Box<[(Key, Doc)]>),
}

impl Doc {
    /// An object from its pairs, in order.
    pub fn object(pairs: Vec<(Key, Doc)>) -> Self {
        Doc::Object(pairs.into_boxed_slice())
    }

    /// This object with `key` set to `value`: in its place when present, else last
    /// (anything but an object is returned as it is).
    pub fn with(self, key: &'static str, value: Doc) -> Doc {
        let Doc::Object(pairs) = self else {
            return self;
        };
        let key = Key::Borrowed(key);
        let mut pairs = pairs.into_vec();
        match pairs.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => pairs.push((key, value)),
        }
        Doc::object(pairs)
    }

    /// This object without `key` (anything but an object is returned as it is).
    pub fn without(self, key: &str) -> Doc {
        match self {
            Doc::Object(pairs) => {
                let mut pairs = pairs.into_vec();
                pairs.retain(|(k, _)| k != key);
                Doc::object(pairs)
            }
            other => other,
        }
    }

    /// The value of `key` in an object (a linear search: objects are small).
    pub fn get(&self, key: &str) -> Option<&Doc> {
        match self {
            Doc::Object(pairs) => pairs.iter().find(|(k, _)| &**k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// How many entries an object has (0 for anything else).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        match self {
            Doc::Object(pairs) => pairs.len(),
            _ => 0,
        }
    }

    /// The same value as a `serde_json::Value` (a copy).
    pub fn to_value(&self) -> Value {
        match self {
            Doc::Null => Value::Null,
            Doc::Bool(b) => Value::Bool(*b),
            Doc::Number(n) => Value::Number(n.clone()),
            Doc::String(s) => Value::String(s.to_string()),
            Doc::Array(items) => Value::Array(items.iter().map(Doc::to_value).collect()),
            Doc::Object(pairs) => {
                let mut m = Map::with_capacity(pairs.len());
                for (k, v) in pairs.iter() {
                    m.insert(k.to_string(), v.to_value());
                }
                Value::Object(m)
            }
        }
    }
}

impl From<Doc> for Value {
    /// Moves the strings (no copy).
    fn from(d: Doc) -> Self {
        match d {
            Doc::Null => Value::Null,
            Doc::Bool(b) => Value::Bool(b),
            Doc::Number(n) => Value::Number(n),
            Doc::String(s) => Value::String(s.into_string()),
            Doc::Array(items) => Value::Array(items.into_iter().map(Value::from).collect()),
            Doc::Object(pairs) => {
                let mut m = Map::with_capacity(pairs.len());
                for (k, v) in pairs {
                    m.insert(k.into_owned(), Value::from(v));
                }
                Value::Object(m)
            }
        }
    }
}

impl From<Value> for Doc {
    /// Moves the strings; the maps and vectors of `v` are freed as it goes.
    fn from(v: Value) -> Self {
        match v {
            Value::Null => Doc::Null,
            Value::Bool(b) => Doc::Bool(b),
            Value::Number(n) => Doc::Number(n),
            Value::String(s) => Doc::String(s.into_boxed_str()),
            Value::Array(items) => Doc::Array(items.into_iter().map(Doc::from).collect()),
            Value::Object(m) => Doc::Object(
                m.into_iter()
                    .map(|(k, v)| (Key::Owned(k), Doc::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<serde_json::Map<String, Value>> for Doc {
    fn from(m: serde_json::Map<String, Value>) -> Self {
        Doc::from(Value::Object(m))
    }
}

impl From<&str> for Doc {
    fn from(s: &str) -> Self {
        Doc::String(s.into())
    }
}

impl From<String> for Doc {
    fn from(s: String) -> Self {
        Doc::String(s.into_boxed_str())
    }
}

impl From<&String> for Doc {
    fn from(s: &String) -> Self {
        Doc::String(s.as_str().into())
    }
}

impl From<bool> for Doc {
    fn from(b: bool) -> Self {
        Doc::Bool(b)
    }
}

macro_rules! doc_from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for Doc {
            fn from(n: $t) -> Self {
                Doc::Number(Number::from(n))
            }
        }
    )*};
}
doc_from_number!(u8, u16, u32, u64, usize, i32, i64);

impl<T: Into<Doc>> From<Vec<T>> for Doc {
    fn from(items: Vec<T>) -> Self {
        Doc::Array(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Doc>> From<Option<T>> for Doc {
    /// `None` is `null`, as in `serde_json::json!`.
    fn from(v: Option<T>) -> Self {
        v.map_or(Doc::Null, Into::into)
    }
}

/// A [`Doc`] written in JSON syntax, like `serde_json::json!`, built directly: no map
/// (and no hashing) per object, literal keys kept as `&'static str`. Keys are string
/// literals or `(expression)`; values are `null`, nested `{...}` / `[...]`, or any
/// expression whose type converts `Into<Doc>` (strings, numbers, `Expr`, `Value`, ...).
macro_rules! cfn {
    (null) => { $crate::template::doc::Doc::Null };
    ([]) => { $crate::template::doc::Doc::Array(Box::new([])) };
    ([ $($tt:tt)+ ]) => {
        $crate::template::doc::Doc::Array(Box::new($crate::template::doc::cfn!(@items [] [] $($tt)+)))
    };
    ({}) => { $crate::template::doc::Doc::Object(Box::new([])) };
    ({ $($tt:tt)+ }) => {
        $crate::template::doc::Doc::Object(Box::new($crate::template::doc::cfn!(@pairs [] $($tt)+)))
    };
    // Array items: the tokens up to each top-level comma are one value.
    (@items [$($done:tt)*] []) => { [$($done)*] };
    (@items [$($done:tt)*] [$($cur:tt)+]) => {
        [$($done)* ($crate::template::doc::cfn!($($cur)+)),]
    };
    (@items [$($done:tt)*] [$($cur:tt)+] , $($rest:tt)*) => {
        $crate::template::doc::cfn!(@items [$($done)* ($crate::template::doc::cfn!($($cur)+)),] [] $($rest)*)
    };
    (@items [$($done:tt)*] [$($cur:tt)*] $t:tt $($rest:tt)*) => {
        $crate::template::doc::cfn!(@items [$($done)*] [$($cur)* $t] $($rest)*)
    };
    // Object entries: `"Key": value` or `(key): value`, the value up to a top-level comma.
    (@pairs [$($done:tt)*]) => { [$($done)*] };
    (@pairs [$($done:tt)*] $key:literal : $($rest:tt)+) => {
        $crate::template::doc::cfn!(@value [$($done)*] ($crate::template::doc::Key::Borrowed($key)) [] $($rest)+)
    };
    (@pairs [$($done:tt)*] ($key:expr) : $($rest:tt)+) => {
        $crate::template::doc::cfn!(@value [$($done)*] ($crate::template::doc::Key::from($key)) [] $($rest)+)
    };
    (@value [$($done:tt)*] $k:tt [$($cur:tt)+]) => {
        $crate::template::doc::cfn!(@pairs [$($done)* ($k, $crate::template::doc::cfn!($($cur)+)),])
    };
    (@value [$($done:tt)*] $k:tt [$($cur:tt)+] , $($rest:tt)*) => {
        $crate::template::doc::cfn!(@pairs [$($done)* ($k, $crate::template::doc::cfn!($($cur)+)),] $($rest)*)
    };
    (@value [$($done:tt)*] $k:tt [$($cur:tt)*] $t:tt $($rest:tt)*) => {
        $crate::template::doc::cfn!(@value [$($done)*] $k [$($cur)* $t] $($rest)*)
    };
    ($e:expr) => { $crate::template::doc::Doc::from($e) };
}
pub(crate) use cfn;

impl Serialize for Doc {
    /// As `serde_json::Value` serializes: the same bytes for the same value.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Doc::Null => s.serialize_unit(),
            Doc::Bool(b) => s.serialize_bool(*b),
            Doc::Number(n) => n.serialize(s),
            Doc::String(text) => s.serialize_str(text),
            Doc::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Doc::Object(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs.iter() {
                    map.serialize_entry(&**k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Run `a` here and `b` on a second thread at once, and return both results; when no
/// thread can be started, `b` runs here after `a`. A panic in either stays a panic.
pub(crate) fn join<A, B: Send>(a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B) {
    let slot = std::sync::Mutex::new(Some(b));
    let run_b = || {
        let f = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        f.map(|f| f())
    };
    let (a, b) = std::thread::scope(
        |s| match std::thread::Builder::new().spawn_scoped(s, run_b) {
            Ok(handle) => {
                let a = a();
                let b = handle
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p));
                (a, b)
            }
            Err(_) => (a(), run_b()),
        },
    );
    (a, b.expect("b runs exactly once"))
}

/// A JSON tree the writers and [`json_len`] walk: [`Doc`], and `serde_json::Value` (the
/// templates of nested stacks are still built as `Value`s).
pub(crate) trait Tree: Sized {
    type Pairs<'a>: ExactSizeIterator<Item = (&'a str, &'a Self)>
    where
        Self: 'a;
    fn node(&self) -> Node<'_, Self>;
}

/// One node of a [`Tree`].
pub(crate) enum Node<'a, T: Tree + 'a> {
    Null,
    Bool(bool),
    Number(&'a Number),
    Str(&'a str),
    Array(&'a [T]),
    Object(T::Pairs<'a>),
}

/// The entries of a [`Doc`] object.
pub(crate) struct DocPairs<'a>(std::slice::Iter<'a, (Key, Doc)>);

impl<'a> Iterator for DocPairs<'a> {
    type Item = (&'a str, &'a Doc);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&**k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for DocPairs<'_> {}

impl Tree for Doc {
    type Pairs<'a> = DocPairs<'a>;
    #[inline]
    fn node(&self) -> Node<'_, Self> {
        match self {
            Doc::Null => Node::Null,
            Doc::Bool(b) => Node::Bool(*b),
            Doc::Number(n) => Node::Number(n),
            Doc::String(s) => Node::Str(s),
            Doc::Array(items) => Node::Array(items),
            Doc::Object(pairs) => Node::Object(DocPairs(pairs.iter())),
        }
    }
}

/// The entries of a `serde_json::Value` object.
pub(crate) struct ValuePairs<'a>(serde_json::map::Iter<'a>);

impl<'a> Iterator for ValuePairs<'a> {
    type Item = (&'a str, &'a Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k.as_str(), v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for ValuePairs<'_> {}

impl Tree for Value {
    type Pairs<'a> = ValuePairs<'a>;
    fn node(&self) -> Node<'_, Self> {
        match self {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n),
            Value::String(s) => Node::Str(s),
            Value::Array(items) => Node::Array(items),
            Value::Object(m) => Node::Object(ValuePairs(m.iter())),
        }
    }
}

/// Write `v` pretty-printed as if it stood `level` levels deep, byte for byte as
/// `serde_json::to_writer_pretty` does (two spaces a level, `[]` and `{}` when empty),
/// straight into the buffer: what lets parts of one document be written apart and joined.
pub(crate) fn write_at<T: Tree>(buf: &mut Vec<u8>, v: &T, level: usize) {
    match v.node() {
        Node::Null => buf.extend_from_slice(b"null"),
        Node::Bool(b) => buf.extend_from_slice(if b { b"true" } else { b"false" }),
        Node::Number(n) => {
            serde_json::to_writer(&mut *buf, n).expect("writing JSON to memory cannot fail");
        }
        Node::Str(s) => write_str(buf, s),
        Node::Array([]) => buf.extend_from_slice(b"[]"),
        Node::Array(items) => {
            buf.push(b'[');
            for (i, item) in items.iter().enumerate() {
                buf.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
                indent(buf, level + 1);
                write_at(buf, item, level + 1);
            }
            buf.push(b'\n');
            indent(buf, level);
            buf.push(b']');
        }
        Node::Object(pairs) if pairs.len() == 0 => buf.extend_from_slice(b"{}"),
        Node::Object(pairs) => {
            buf.push(b'{');
            // `write_entries`, spelled out: the compiler inlines this loop but not the
            // mutually recursive call (3M more instructions in a render of 500).
            for (i, (k, v)) in pairs.enumerate() {
                buf.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
                indent(buf, level + 1);
                write_str(buf, k);
                buf.extend_from_slice(b": ");
                write_at(buf, v, level + 1);
            }
            buf.push(b'\n');
            indent(buf, level);
            buf.push(b'}');
        }
    }
}

fn indent(buf: &mut Vec<u8>, level: usize) {
    buf.resize(buf.len() + 2 * level, b' ');
}

/// A JSON string, escaped as serde_json escapes it: `"`, `\\` and control characters
/// (`\n`, `\t`, ... or `\u00XX`); everything else as it is.
fn write_str(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    buf.reserve(bytes.len() + 2);
    buf.push(b'"');
    if escape_extra(s) == 0 {
        buf.extend_from_slice(bytes);
        buf.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\t' => b"\\t",
            b'\r' => b"\\r",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ],
            _ => continue,
        };
        buf.extend_from_slice(&bytes[start..i]);
        buf.extend_from_slice(escape);
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
}

/// `"key": value` entries of an object `level` deep, each on its own line.
fn write_entries<'a, T: Tree + 'a>(
    buf: &mut Vec<u8>,
    pairs: impl Iterator<Item = (&'a str, &'a T)>,
    level: usize,
    first: bool,
) {
    for (i, entry) in pairs.enumerate() {
        write_entry(buf, entry, level, first && i == 0);
    }
}

/// The entries of a slice of a [`Doc`] object.
fn doc_pairs(pairs: &[(Key, Doc)]) -> DocPairs<'_> {
    DocPairs(pairs.iter())
}

/// One `"key": value` entry of an object `level` deep, on its own line.
fn write_entry<T: Tree>(buf: &mut Vec<u8>, (k, v): (&str, &T), level: usize, first: bool) {
    buf.extend_from_slice(if first { b"\n" } else { b",\n" });
    indent(buf, level);
    write_str(buf, k);
    buf.extend_from_slice(b": ");
    write_at(buf, v, level);
}

/// Sections with at least this many entries are written on two threads.
pub(crate) const PARALLEL_FROM: usize = 512;

/// `doc` pretty-printed exactly as `serde_json::to_writer_pretty` writes it, into `buf`.
/// A big section of a top-level object (a template's `Resources`) is written in two
/// halves at once and joined.
pub fn write_pretty(buf: &mut Vec<u8>, doc: &Doc) {
    let Doc::Object(top) = doc else {
        return write_at(buf, doc, 0);
    };
    if top.iter().all(|(_, v)| v.len() < PARALLEL_FROM) {
        return write_at(buf, doc, 0);
    }
    buf.push(b'{');
    for (i, (k, v)) in top.iter().enumerate() {
        match v {
            Doc::Object(pairs) if pairs.len() >= PARALLEL_FROM => {
                buf.extend_from_slice(if i == 0 { b"\n  " } else { b",\n  " });
                write_str(buf, k);
                buf.extend_from_slice(b": {");
                let (a, b) = pairs.split_at(pairs.len() / 2);
                let room = buf.capacity() / 2;
                let ((), rest) = join(
                    || write_entries(buf, doc_pairs(a), 2, true),
                    || {
                        let mut out = Vec::with_capacity(room);
                        write_entries(&mut out, doc_pairs(b), 2, false);
                        out
                    },
                );
                buf.extend_from_slice(&rest);
                buf.extend_from_slice(b"\n  }");
            }
            _ => write_entry(buf, (&**k, v), 1, i == 0),
        }
    }
    buf.extend_from_slice(b"\n}");
}

/// Bytes gathered before [`stream_pretty`] hands them to its writer.
const CHUNK: usize = 64 * 1024;

/// Entries of a big section [`stream_pretty`]'s threads take turns at (about 80 KB of
/// resources).
const PIECE: usize = 128;

/// `doc` pretty-printed to `w`, the bytes of [`write_pretty`], handed on about [`CHUNK`]
/// bytes at a time: a big template is never held whole in memory (at 2,000 functions its
/// text is 10 MB). A big section is written on two threads taking turns.
pub fn stream_pretty(w: &mut dyn Write, doc: &Doc) -> io::Result<()> {
    let mut out = Chunks {
        w,
        buf: Vec::with_capacity(CHUNK + CHUNK / 2),
    };
    let top = match doc {
        Doc::Object(top) if !top.is_empty() => top,
        _ => {
            write_at(&mut out.buf, doc, 0);
            return out.finish();
        }
    };
    out.buf.push(b'{');
    for (i, (k, v)) in top.iter().enumerate() {
        match v {
            Doc::Object(pairs) if !pairs.is_empty() => {
                out.buf
                    .extend_from_slice(if i == 0 { b"\n  " } else { b",\n  " });
                write_str(&mut out.buf, k);
                out.buf.extend_from_slice(b": {");
                out.section(pairs)?;
                out.buf.extend_from_slice(b"\n  }");
            }
            _ => write_entry(&mut out.buf, (&**k, v), 1, i == 0),
        }
        out.spill()?;
    }
    out.buf.extend_from_slice(b"\n}");
    out.finish()
}

/// [`stream_pretty`]'s writer and the bytes not yet handed to it.
struct Chunks<'w> {
    w: &'w mut dyn Write,
    buf: Vec<u8>,
}

impl Chunks<'_> {
    /// Hand on the gathered bytes once there are [`CHUNK`] of them.
    fn spill(&mut self) -> io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.w.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(self) -> io::Result<()> {
        self.w.write_all(&self.buf)
    }

    /// The entries of a section of the top-level object. A big one is cut into pieces of
    /// [`PIECE`] entries; a second thread writes every other piece into memory while this
    /// one writes the others and hands on both in order. The second thread runs at most
    /// two pieces ahead, so a few hundred kilobytes are held, not half the section.
    fn section(&mut self, pairs: &[(Key, Doc)]) -> io::Result<()> {
        if pairs.len() < PARALLEL_FROM {
            return self.entries(pairs, true);
        }
        let pieces: Vec<&[(Key, Doc)]> = pairs.chunks(PIECE).collect();
        std::thread::scope(|s| {
            let (written, take) = std::sync::mpsc::sync_channel::<Vec<u8>>(1);
            let (give_back, spare) = std::sync::mpsc::channel::<Vec<u8>>();
            let odd = pieces.iter().skip(1).step_by(2);
            let helper = std::thread::Builder::new().spawn_scoped(s, move || {
                for piece in odd {
                    let mut out = spare
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(PIECE * 1024));
                    out.clear();
                    write_entries(&mut out, doc_pairs(piece), 2, false);
                    if written.send(out).is_err() {
                        return; // the writer failed and stopped reading
                    }
                }
            });
            if helper.is_err() {
                return self.entries(pairs, true);
            }
            for (i, piece) in pieces.iter().enumerate() {
                if i % 2 == 0 {
                    self.entries(piece, i == 0)?;
                    continue;
                }
                // A closed channel means the helper panicked; the scope re-raises it.
                let Ok(out) = take.recv() else { break };
                self.w.write_all(&self.buf)?;
                self.buf.clear();
                self.w.write_all(&out)?;
                let _ = give_back.send(out);
            }
            Ok(())
        })
    }

    /// `pairs` written as entries of a section, `first` when they open it.
    fn entries(&mut self, pairs: &[(Key, Doc)], first: bool) -> io::Result<()> {
        for (i, (k, v)) in pairs.iter().enumerate() {
            write_entry(&mut self.buf, (&**k, v), 2, first && i == 0);
            self.spill()?;
        }
        Ok(())
    }
}

/// `doc` as a `serde_json::Value`, moving its strings; the values of a big section of a
/// top-level object (a template's `Resources`) are converted in two halves at once.
pub fn into_value(doc: Doc) -> Value {
    let Doc::Object(top) = doc else {
        return Value::from(doc);
    };
    let mut m = Map::with_capacity(top.len());
    for (k, v) in top {
        let v = match v {
            Doc::Object(pairs) if pairs.len() >= PARALLEL_FROM => {
                let mut pairs = pairs.into_vec();
                let b = pairs.split_off(pairs.len() / 2);
                let convert = |part: Vec<(Key, Doc)>| -> Vec<(String, Value)> {
                    part.into_iter()
                        .map(|(k, v)| (k.into_owned(), Value::from(v)))
                        .collect()
                };
                let (a, b) = join(|| convert(pairs), || convert(b));
                Value::Object(a.into_iter().chain(b).collect())
            }
            v => Value::from(v),
        };
        m.insert(k.into_owned(), v);
    }
    Value::Object(m)
}

/// Length in bytes of `v` as compact JSON (`serde_json::to_writer`), without keeping it.
fn compact_len_of<T: Serialize + ?Sized>(v: &T) -> usize {
    /// Counts bytes instead of keeping them.
    struct Count(usize);
    impl Write for Count {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = serde_json::to_writer(&mut c, v);
    c.0
}

/// Length in bytes of `doc` as compact JSON, counted from the tree (no bytes written).
pub(crate) fn json_len<T: Tree>(doc: &T) -> usize {
    match doc.node() {
        Node::Null => 4,
        Node::Bool(b) => 4 + usize::from(!b),
        Node::Number(n) => compact_len_of(n),
        Node::Str(s) => str_len(s),
        Node::Array(items) => {
            2 + items.len().saturating_sub(1) + items.iter().map(json_len).sum::<usize>()
        }
        Node::Object(pairs) => entries_len(pairs),
    }
}

/// How many bytes escaping adds to each byte: 1 for `"`, `\\` and the control characters
/// with a short escape (`\n`, ...), 5 for the other control characters (`\u00XX`).
const ESCAPE_EXTRA: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = 5;
        b += 1;
    }
    t[b'"' as usize] = 1;
    t[b'\\' as usize] = 1;
    t[b'\n' as usize] = 1;
    t[b'\t' as usize] = 1;
    t[b'\r' as usize] = 1;
    t[0x08] = 1;
    t[0x0c] = 1;
    t
};

/// Bytes escaping adds to `s` (a table lookup a byte, no branches: this runs over every
/// string of a template).
fn escape_extra(s: &str) -> usize {
    s.bytes()
        .map(|b| usize::from(ESCAPE_EXTRA[usize::from(b)]))
        .sum()
}

/// Length of a JSON string as [`write_str`] writes it, quotes included.
fn str_len(s: &str) -> usize {
    s.len() + 2 + escape_extra(s)
}

/// Length of an object's entries as compact JSON, braces included.
fn entries_len<'a, T: Tree + 'a>(pairs: impl ExactSizeIterator<Item = (&'a str, &'a T)>) -> usize {
    let n = pairs.len();
    let entries: usize = pairs.map(|(k, v)| str_len(k) + 1 + json_len(v)).sum();
    2 + n.saturating_sub(1) + entries
}

/// Length in bytes of `doc` as compact JSON; a big section of a top-level object is
/// measured in two halves at once.
pub fn compact_len(doc: &Doc) -> usize {
    let Doc::Object(top) = doc else {
        return json_len(doc);
    };
    if top.iter().all(|(_, v)| v.len() < PARALLEL_FROM) {
        return json_len(doc);
    }
    let value_len = |v: &Doc| match v {
        Doc::Object(pairs) if pairs.len() >= PARALLEL_FROM => {
            let (a, b) = pairs.split_at(pairs.len() / 2);
            let (a, b) = join(|| entries_len(doc_pairs(a)), || entries_len(doc_pairs(b)));
            // Two objects' braces become one object's comma between the halves.
            a + b - 1
        }
        _ => json_len(v),
    };
    let entries: usize = top.iter().map(|(k, v)| str_len(k) + 1 + value_len(v)).sum();
    2 + top.len().saturating_sub(1) + entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "Type": "AWS::SQS::Queue",
            "Properties": { "VisibilityTimeout": 60, "Ratio": 0.5, "Neg": -3, "On": true,
                            "None": null, "Tags": [{ "Key": "k", "Value": "v\"\n" }], "Empty": {},
                            "Escapes": "\u{0}\u{1}\u{8}\u{c}\t\r\\/ é \u{7f}\u{1f}", "Nested": [[], [{}], [1, [2]]] },
            "A": []
        })
    }

    /// `cfn!` reads like `json!` and builds the same value.
    #[test]
    fn the_doc_macro_builds_what_json_builds() {
        let name = String::from("orders");
        let key = "Dyn";
        let n: u32 = 60;
        let d = cfn!({
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": format!("{name}-dev"),
                "VisibilityTimeout": n,
                "On": true,
                "None": null,
                "Tags": [{ "Key": "k", "Value": name.as_str() }, "x",],
                "Empty": {},
                (key): vec!["a", "b"],
            },
            "A": [],
            "Opt": Option::<u32>::None,
        });
        let v = json!({
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": "orders-dev",
                "VisibilityTimeout": 60,
                "On": true,
                "None": null,
                "Tags": [{ "Key": "k", "Value": "orders" }, "x"],
                "Empty": {},
                "Dyn": ["a", "b"],
            },
            "A": [],
            "Opt": null,
        });
        assert_eq!(d, Doc::from(v));
    }

    #[test]
    fn writes_the_same_bytes_as_serde_json() {
        let v = sample();
        let d = Doc::from(v.clone());
        let mut buf = Vec::new();
        write_pretty(&mut buf, &d);
        assert_eq!(buf, serde_json::to_vec_pretty(&v).unwrap());
        assert_eq!(streamed(&d).0, buf);
        // A `Value` (a nested stack's template) is written and measured the same way.
        let mut of_value = Vec::new();
        write_at(&mut of_value, &v, 0);
        assert_eq!(of_value, buf);
        assert_eq!(json_len(&v), serde_json::to_string(&v).unwrap().len());
        for v in [json!({}), json!([]), json!("s"), json!({ "A": {} })] {
            let d = Doc::from(v.clone());
            assert_eq!(streamed(&d).0, serde_json::to_vec_pretty(&v).unwrap());
        }
        assert_eq!(compact_len(&d), serde_json::to_string(&v).unwrap().len());
        assert_eq!(
            serde_json::to_string_pretty(&d).unwrap(),
            serde_json::to_string_pretty(&v).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            serde_json::to_string(&v).unwrap()
        );
        assert_eq!(
            serde_saphyr::to_string(&d).unwrap(),
            serde_saphyr::to_string(&v).unwrap()
        );
    }

    /// What [`stream_pretty`] writes, and in how many `write_all`s.
    fn streamed(d: &Doc) -> (Vec<u8>, usize) {
        struct Counting(Vec<u8>, usize);
        impl Write for Counting {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0.extend_from_slice(b);
                self.1 += 1;
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut w = Counting(Vec::new(), 0);
        stream_pretty(&mut w, d).expect("writes to memory");
        (w.0, w.1)
    }

    #[test]
    fn a_failing_writer_stops_both_threads_with_its_error() {
        struct Broken(usize);
        impl Write for Broken {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
                }
                self.0 -= 1;
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let resources: Map<String, Value> = (0..8 * PIECE)
            .map(|i| {
                (
                    format!("R{i}"),
                    json!({ "Type": "T", "Pad": "x".repeat(400) }),
                )
            })
            .collect();
        let d = Doc::from(json!({ "Resources": resources }));
        for ok_writes in [0, 1, 2, 3, 5] {
            let e = stream_pretty(&mut Broken(ok_writes), &d).expect_err("the writer fails");
            assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
        }
    }

    #[test]
    fn big_sections_written_on_two_threads_are_the_same_bytes() {
        for n in [
            PARALLEL_FROM - 1,
            PARALLEL_FROM,
            PARALLEL_FROM + 1,
            2 * PARALLEL_FROM + 7,
        ] {
            let resources: Map<String, Value> = (0..n)
                .map(|i| {
                    (
                        format!("R{i}"),
                        json!({ "Type": "T", "Properties": { "N": i, "L": [i, {}] } }),
                    )
                })
                .collect();
            for v in [
                json!({ "A": "x", "Resources": resources, "Outputs": {} }),
                json!({ "Resources": resources }),
                json!({ "Resources": {}, "B": [] }),
            ] {
                let back = into_value(Doc::from(v.clone()));
                assert_eq!(back, v);
                assert!(
                    back.as_object()
                        .unwrap()
                        .keys()
                        .eq(v.as_object().unwrap().keys())
                );
                assert_eq!(
                    compact_len(&Doc::from(v.clone())),
                    serde_json::to_string(&v).unwrap().len()
                );
                let mut buf = Vec::new();
                write_pretty(&mut buf, &Doc::from(v.clone()));
                assert_eq!(
                    String::from_utf8(buf).unwrap(),
                    serde_json::to_string_pretty(&v).unwrap()
                );
                let (bytes, writes) = streamed(&Doc::from(v.clone()));
                assert_eq!(bytes, serde_json::to_vec_pretty(&v).unwrap());
                // Handed on in pieces of about CHUNK bytes, not whole.
                assert!(writes >= bytes.len() / (2 * CHUNK), "{writes}");
                assert!(bytes.len() < CHUNK || writes > 1, "{writes}");
            }
        }
    }

    #[test]
    fn join_returns_both_results_in_place() {
        let mut here = Vec::new();
        let (a, b) = join(
            || {
                here.push(1);
                "a"
            },
            || (0..1000).sum::<u32>(),
        );
        assert_eq!((a, b, here), ("a", 499_500, vec![1]));
    }

    #[test]
    fn round_trips_in_order() {
        let v = sample();
        let back = Doc::from(v.clone()).to_value();
        assert_eq!(back, v);
        assert_eq!(Value::from(Doc::from(v.clone())), v);
        assert_eq!(into_value(Doc::from(v.clone())), v);
        let keys: Vec<&String> = back.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["Type", "Properties", "A"]);
        let d = Doc::from(v);
        assert_eq!(d.len(), 3);
        assert!(d.get("Properties").is_some_and(|p| p.len() == 9));
        assert_eq!(d.get("Nope"), None);
    }
}
