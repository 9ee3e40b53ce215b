//! YAML text in, the parser's events for it out (into a [`Builder`]), fast, for the YAML
//! nearly every spec is written in: block mappings and sequences, one-line flow
//! collections, and one-line plain or quoted scalars. Anything else (anchors, tags, block
//! and multi-line scalars, tabs, CRLF, document markers, syntax errors) is declined, and
//! the full parser reads the file instead: same tree, same errors, only slower.
//!
//! The events and spans are the ones the full parser gives for the same text; a
//! differential test (`fast_reader_agrees_with_the_full_parser`) compares the two on the
//! examples, generated specs and thousands of generated documents.

use super::Builder;
use crate::source::Span;
use granit_parser::{Event, ScalarStyle, StructureStyle, Tag};
use std::borrow::Cow;

/// The reader stopped: the text needs the full parser (to read it, or to report its
/// error in the full parser's words).
pub(super) struct Decline;

type R<T> = Result<T, Decline>;

impl From<super::ParseError> for Decline {
    fn from(_: super::ParseError) -> Self {
        Decline
    }
}

/// Longest implicit key YAML allows (1024 characters); longer ones are left to the parser.
const MAX_KEY: usize = 1024;

/// Read `text` (without its byte-order mark) into `b`: the document's root, or `None`
/// when the full parser must read it.
pub(super) fn parse(text: &str, b: Builder) -> Option<super::Node> {
    if !plain_characters(text) {
        return None;
    }
    let mut r = Reader {
        s: text.as_bytes(),
        text,
        pos: 0,
        b,
        tag: None,
    };
    r.document().ok()?;
    r.b.root
}

/// Whether every character of `text` is one this reader takes as it is: no control
/// characters but line feeds (so no tabs and no CR), nothing YAML treats as a line
/// break or forbids (NEL, LS, PS, DEL, C1 controls, a byte-order mark, non-characters).
fn plain_characters(text: &str) -> bool {
    let s = text.as_bytes();
    if s.iter().all(|&c| (0x20..0x7f).contains(&c) || c == b'\n') {
        return true;
    }
    text.chars().all(|c| {
        matches!(c, '\n' | ' '..='~' | '\u{a0}'..='\u{2027}' | '\u{202a}'..='\u{d7ff}')
            || matches!(c, '\u{e000}'..='\u{fefe}' | '\u{ff00}'..='\u{fffd}' | '\u{10000}'..)
    })
}

/// A scalar read from the text: its value, style and where it is written.
struct Scalar<'a> {
    text: Cow<'a, str>,
    style: ScalarStyle,
    start: usize,
    end: usize,
}

/// What follows a scalar in block context: `:` and a space or line end (it is a key; the
/// `:` is at the position), or the end of the line (spaces and a comment skipped).
enum After {
    Colon(usize),
    LineEnd,
}

struct Reader<'a> {
    text: &'a str,
    s: &'a [u8],
    pos: usize,
    b: Builder,
    /// The local tag (`!Sub`: its suffix) written before the node being read.
    tag: Option<&'a str>,
}

impl<'a> Reader<'a> {
    /// The byte at `i`; past the end, a line feed (the text is read as if it ended with one).
    fn at(&self, i: usize) -> u8 {
        self.s.get(i).copied().unwrap_or(b'\n')
    }

    fn emit(&mut self, e: Event<'a>, start: usize, end: usize) -> R<()> {
        let bom = self.b.bom;
        self.b.event(e, Span::new(start + bom, end + bom))?;
        Ok(())
    }

    fn scalar(&mut self, s: Scalar<'a>) -> R<()> {
        let tag = self.take_tag();
        self.emit(Event::Scalar(s.text, s.style, 0, tag), s.start, s.end)
    }

    /// The tag read for the node now starting, as the parser gives it.
    fn take_tag(&mut self) -> Option<Cow<'a, Tag>> {
        self.tag.take().map(|t| Cow::Owned(Tag::new("!", t)))
    }

    /// A local tag (`!Sub `) before a value on the same line; `self.pos` moves to the value.
    fn read_tag(&mut self) -> R<()> {
        let start = self.pos + 1;
        let mut end = start;
        while self.at(end).is_ascii_alphanumeric() {
            end += 1;
        }
        if end == start || !self.at(start).is_ascii_alphabetic() || self.at(end) != b' ' {
            return Err(Decline);
        }
        self.tag = Some(&self.text[start..end]);
        self.pos = end;
        self.skip_spaces();
        match self.at(self.pos) {
            b'\n' | b'#' => Err(Decline),
            _ => Ok(()),
        }
    }

    /// An empty value (`key:` with nothing after it, or `-` alone): a null at `at`.
    fn null(&mut self, at: usize) -> R<()> {
        self.emit(
            Event::Scalar(Cow::Borrowed("~"), ScalarStyle::Plain, 0, None),
            at,
            at,
        )
    }

    fn skip_spaces(&mut self) {
        while self.s.get(self.pos) == Some(&b' ') {
            self.pos += 1;
        }
    }

    /// Where the line holding `i` ends (its line feed, or the end of the text).
    fn line_end(&self, i: usize) -> usize {
        self.s
            .get(i..)
            .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
            .map_or(self.s.len(), |n| i + n)
    }

    /// The column of position `i`.
    fn column(&self, i: usize) -> usize {
        i - self.text[..i].rfind('\n').map_or(0, |n| n + 1)
    }

    /// From the start of a line, skip blank and comment-only lines: the indent of the next
    /// line with content (`self.pos` at its start), or `None` at the end of the text.
    fn next_line(&mut self) -> R<Option<usize>> {
        loop {
            if self.pos >= self.s.len() {
                return Ok(None);
            }
            let mut i = self.pos;
            while self.s.get(i) == Some(&b' ') {
                i += 1;
            }
            match self.at(i) {
                b'\n' => self.pos = i + 1,
                b'#' => self.pos = self.line_end(i) + 1,
                _ => {
                    let indent = i - self.pos;
                    let line = &self.s[i..];
                    if indent == 0 && (line.starts_with(b"---") || line.starts_with(b"...")) {
                        return Err(Decline);
                    }
                    return Ok(Some(indent));
                }
            }
        }
    }

    /// Whether a block sequence entry (`-` and a space or line end) starts at `i`.
    fn entry_at(&self, i: usize) -> bool {
        self.at(i) == b'-' && matches!(self.at(i + 1), b' ' | b'\n')
    }

    /// Spaces, an optional comment and the line feed after a value; `self.pos` moves to the
    /// next line.
    fn end_of_line(&mut self) -> R<()> {
        self.skip_spaces();
        match self.at(self.pos) {
            b'\n' => {}
            b'#' if self.pos > 0 && self.s[self.pos - 1] == b' ' => {}
            _ => return Err(Decline),
        }
        self.pos = (self.line_end(self.pos) + 1).min(self.s.len());
        Ok(())
    }

    fn document(&mut self) -> R<()> {
        if self.next_line()? != Some(0) {
            return Err(Decline);
        }
        if self.entry_at(self.pos) {
            self.block_seq(0, false)?;
        } else {
            let (key, after) = self.block_scalar()?;
            let After::Colon(colon) = after else {
                return Err(Decline);
            };
            self.block_map(0, key, colon)?;
        }
        match self.next_line()? {
            None => Ok(()),
            Some(_) => Err(Decline),
        }
    }

    /// A block mapping with its keys at column `n`, whose first key (followed by `:` at
    /// `colon`) has been read.
    fn block_map(&mut self, n: usize, first: Scalar<'a>, colon: usize) -> R<()> {
        let start = first.start;
        self.emit(
            Event::MappingStart(StructureStyle::Block, 0, None),
            start,
            start,
        )?;
        let (mut key, mut colon) = (first, colon);
        // The end is where the next token starts (what an emptied mapping, `<<: {}`, spans to).
        let end = loop {
            if key.end - key.start > MAX_KEY {
                return Err(Decline);
            }
            self.scalar(key)?;
            self.pos = colon + 1;
            self.map_value(n, colon)?;
            match self.next_line()? {
                Some(m) if m == n && !self.entry_at(self.pos + m) => {
                    self.pos += m;
                    let (k, after) = self.block_scalar()?;
                    let After::Colon(c) = after else {
                        return Err(Decline);
                    };
                    (key, colon) = (k, c);
                }
                Some(m) if m < n => break self.pos + m,
                None => break self.s.len(),
                Some(_) => return Err(Decline),
            }
        };
        self.emit(Event::MappingEnd, end, end)
    }

    /// The value after a key at column `n` whose `:` is at `colon`: on the same line, on the
    /// lines below, or nothing.
    fn map_value(&mut self, n: usize, colon: usize) -> R<()> {
        self.skip_spaces();
        if !matches!(self.at(self.pos), b'\n' | b'#') {
            return self.inline(n);
        }
        self.end_of_line()?;
        match self.next_line()? {
            Some(m) if m > n => {
                self.pos += m;
                self.block_node(m)
            }
            Some(m) if m == n && self.entry_at(self.pos + m) => {
                self.pos += m;
                self.block_seq(m, true)
            }
            _ => self.null(colon),
        }
    }

    /// A block mapping or sequence starting at `self.pos`, at column `n`.
    fn block_node(&mut self, n: usize) -> R<()> {
        if self.entry_at(self.pos) {
            return self.block_seq(n, false);
        }
        let (key, after) = self.block_scalar()?;
        match after {
            After::Colon(colon) => self.block_map(n, key, colon),
            After::LineEnd => Err(Decline),
        }
    }

    /// A block sequence whose `-` are at column `n`; `self.pos` is at the first. An
    /// `indentless` one (a mapping's value, its `-` under the key) starts where its first
    /// item does; another at its first `-`.
    fn block_seq(&mut self, n: usize, indentless: bool) -> R<()> {
        let start = if indentless {
            self.first_item_start()
        } else {
            self.pos
        };
        self.emit(
            Event::SequenceStart(StructureStyle::Block, 0, None),
            start,
            start,
        )?;
        let end = loop {
            self.pos += 1;
            self.seq_item(n)?;
            match self.next_line()? {
                Some(m) if m == n && self.entry_at(self.pos + m) => self.pos += m,
                Some(m) if m <= n => break self.pos + m,
                None => break self.s.len(),
                Some(_) => return Err(Decline),
            }
        };
        self.emit(Event::SequenceEnd, end, end)
    }

    /// Where the parser starts an indentless sequence whose first `-` is at `self.pos`: at
    /// the item after it on the line, or at the line's end when the item is below (or
    /// empty).
    fn first_item_start(&self) -> usize {
        let mut i = self.pos + 1;
        while self.s.get(i) == Some(&b' ') {
            i += 1;
        }
        match self.at(i) {
            b'\n' | b'#' => self.line_end(i),
            _ => i,
        }
    }

    /// The item after a `-` at column `n` (`self.pos` just past it).
    fn seq_item(&mut self, n: usize) -> R<()> {
        self.skip_spaces();
        match self.at(self.pos) {
            b'\n' | b'#' => {
                let eol = self.line_end(self.pos);
                self.end_of_line()?;
                match self.next_line()? {
                    Some(m) if m > n => {
                        self.pos += m;
                        self.block_node(m)
                    }
                    _ => self.null(eol),
                }
            }
            b'{' | b'[' | b'!' => self.inline(n),
            _ if self.entry_at(self.pos) => Err(Decline),
            _ => {
                let col = self.column(self.pos);
                let (s, after) = self.block_scalar()?;
                match after {
                    After::Colon(colon) => self.block_map(col, s, colon),
                    After::LineEnd => {
                        self.scalar(s)?;
                        self.after_inline(n)
                    }
                }
            }
        }
    }

    /// A value written on its line (a scalar or a flow collection) in a block at column
    /// `n`, and the end of that line.
    fn inline(&mut self, n: usize) -> R<()> {
        if self.at(self.pos) == b'!' {
            self.read_tag()?;
        }
        if matches!(self.at(self.pos), b'{' | b'[') {
            self.flow_node()?;
            self.end_of_line()?;
            return self.after_inline(n);
        }
        let (s, after) = self.block_scalar()?;
        if !matches!(after, After::LineEnd) {
            return Err(Decline);
        }
        self.scalar(s)?;
        self.after_inline(n)
    }

    /// After a value on its line: a line indented deeper than `n` would continue it (or be
    /// an error), which the full parser reads.
    fn after_inline(&mut self, n: usize) -> R<()> {
        match self.next_line()? {
            Some(m) if m > n => Err(Decline),
            _ => Ok(()),
        }
    }

    /// A plain or quoted scalar in block context at `self.pos`, and what follows it. After
    /// [`After::LineEnd`] `self.pos` is on the next line; after a colon it is unchanged.
    fn block_scalar(&mut self) -> R<(Scalar<'a>, After)> {
        let start = self.pos;
        let s = match self.at(start) {
            b'"' | b'\'' => self.quoted()?,
            c if plain_start(c, self.at(start + 1), false) => self.block_plain(),
            _ => return Err(Decline),
        };
        let after = self.pos;
        if self.at(after) == b':' && matches!(self.at(after + 1), b' ' | b'\n') {
            return Ok((s, After::Colon(after)));
        }
        self.end_of_line()?;
        Ok((s, After::LineEnd))
    }

    /// A plain scalar in block context: up to `: `, a comment or the end of the line
    /// (`self.pos` after its last non-space character).
    fn block_plain(&mut self) -> Scalar<'a> {
        let start = self.pos;
        let mut i = start;
        loop {
            match self.at(i) {
                b'\n' => break,
                b':' if matches!(self.at(i + 1), b' ' | b'\n') => break,
                b'#' if self.s[i - 1] == b' ' => break,
                _ => i += 1,
            }
        }
        self.plain_until(start, i)
    }

    /// The plain scalar from `start`, ending before `stop` and its trailing spaces.
    fn plain_until(&mut self, start: usize, stop: usize) -> Scalar<'a> {
        let mut end = stop;
        while end > start && self.s[end - 1] == b' ' {
            end -= 1;
        }
        self.pos = end;
        Scalar {
            text: Cow::Borrowed(&self.text[start..end]),
            style: ScalarStyle::Plain,
            start,
            end,
        }
    }

    /// A quoted scalar closed on its line (`self.pos` just after the closing quote).
    fn quoted(&mut self) -> R<Scalar<'a>> {
        let start = self.pos;
        let (text, end) = quoted_text(self.text, start)?;
        self.pos = end;
        let style = if self.s[start] == b'"' {
            ScalarStyle::DoubleQuoted
        } else {
            ScalarStyle::SingleQuoted
        };
        Ok(Scalar {
            text,
            style,
            start,
            end,
        })
    }

    /// A flow collection, scalar or quoted scalar in flow context, closed on its line.
    fn flow_node(&mut self) -> R<()> {
        if self.at(self.pos) == b'!' {
            self.read_tag()?;
        }
        match self.at(self.pos) {
            b'{' => self.flow_collection(true),
            b'[' => self.flow_collection(false),
            b'"' | b'\'' => {
                let s = self.quoted()?;
                self.scalar(s)
            }
            c if plain_start(c, self.at(self.pos + 1), true) => {
                let s = self.flow_plain()?;
                self.scalar(s)
            }
            _ => Err(Decline),
        }
    }

    /// A plain scalar in flow context: up to a flow indicator, `: ` or the end of the line
    /// (a comment or line break inside a flow collection is declined).
    fn flow_plain(&mut self) -> R<Scalar<'a>> {
        let start = self.pos;
        let mut i = start;
        loop {
            match self.at(i) {
                b'\n' => return Err(Decline),
                b',' | b'[' | b']' | b'{' | b'}' => break,
                b':' if matches!(
                    self.at(i + 1),
                    b' ' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
                ) =>
                {
                    break;
                }
                b'#' if self.s[i - 1] == b' ' => return Err(Decline),
                _ => i += 1,
            }
        }
        Ok(self.plain_until(start, i))
    }

    /// A flow sequence (`[a, b]`) or mapping (`{k: v}`), closed on its line.
    fn flow_collection(&mut self, map: bool) -> R<()> {
        let open = self.pos;
        let tag = self.take_tag();
        let (start, close, end) = if map {
            let start = Event::MappingStart(StructureStyle::Flow, 0, tag);
            (start, b'}', Event::MappingEnd)
        } else {
            let start = Event::SequenceStart(StructureStyle::Flow, 0, tag);
            (start, b']', Event::SequenceEnd)
        };
        self.emit(start, open, open + 1)?;
        self.pos += 1;
        self.skip_spaces();
        if self.at(self.pos) != close {
            loop {
                if map {
                    self.flow_entry()?;
                } else {
                    self.flow_node()?;
                }
                self.skip_spaces();
                match self.at(self.pos) {
                    b',' => {
                        self.pos += 1;
                        self.skip_spaces();
                        // A comma before the end (`[a,]`) is left to the parser.
                        if self.at(self.pos) == close {
                            return Err(Decline);
                        }
                    }
                    c if c == close => break,
                    _ => return Err(Decline),
                }
            }
        }
        self.emit(end, self.pos, self.pos + 1)?;
        self.pos += 1;
        Ok(())
    }

    /// `key: value` in a flow mapping, both present.
    fn flow_entry(&mut self) -> R<()> {
        let key = match self.at(self.pos) {
            b'"' | b'\'' => self.quoted()?,
            c if plain_start(c, self.at(self.pos + 1), true) => self.flow_plain()?,
            _ => return Err(Decline),
        };
        if key.end - key.start > MAX_KEY {
            return Err(Decline);
        }
        self.scalar(key)?;
        if self.at(self.pos) != b':' || self.at(self.pos + 1) != b' ' {
            return Err(Decline);
        }
        self.pos += 1;
        self.skip_spaces();
        if matches!(self.at(self.pos), b',' | b'}' | b'\n') {
            return Err(Decline);
        }
        self.flow_node()
    }
}

/// Whether a plain scalar may start with `c` (followed by `next`) here: not an indicator,
/// except `-` before a character that is not a space (`-1`, `-fast`).
fn plain_start(c: u8, next: u8, flow: bool) -> bool {
    match c {
        b'-' => {
            let flow_indicator = matches!(next, b',' | b'[' | b']' | b'{' | b'}');
            !(matches!(next, b' ' | b'\n') || flow && flow_indicator)
        }
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' => false,
        b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' => false,
        _ => true,
    }
}

/// A quoted scalar at `start` closed on its line: its value and the position after the
/// closing quote. In single quotes `''` is a quote; in double quotes the common escapes
/// are read (`\\`, `\"`, `\/`, `\n`, `\t`, `\r`, `\0`, `\uXXXX`; others are declined).
fn quoted_text(text: &str, start: usize) -> R<(Cow<'_, str>, usize)> {
    let s = text.as_bytes();
    let quote = s[start];
    let mut i = start + 1;
    let mut owned: Option<String> = None;
    let mut from = i;
    loop {
        let c = *s.get(i).ok_or(Decline)?;
        let escaped = match quote {
            b'\'' => c == b'\'' && s.get(i + 1) == Some(&b'\''),
            _ => c == b'\\',
        };
        if escaped {
            let o = owned.get_or_insert_with(String::new);
            o.push_str(&text[from..i]);
            i += match quote {
                b'\'' => {
                    o.push('\'');
                    2
                }
                _ => escape(text, i, o)?,
            };
            from = i;
        } else if c == quote {
            break;
        } else if c == b'\n' {
            return Err(Decline);
        } else {
            i += 1;
        }
    }
    let value = match owned {
        None => Cow::Borrowed(&text[start + 1..i]),
        Some(mut o) => {
            o.push_str(&text[from..i]);
            Cow::Owned(o)
        }
    };
    Ok((value, i + 1))
}

/// The escape at `i` (a `\`) appended to `out`: how many bytes it takes.
fn escape(text: &str, i: usize, out: &mut String) -> R<usize> {
    let c = match text.as_bytes().get(i + 1) {
        Some(b'\\') => '\\',
        Some(b'"') => '"',
        Some(b'/') => '/',
        Some(b'n') => '\n',
        Some(b't') => '\t',
        Some(b'r') => '\r',
        Some(b'0') => '\0',
        Some(b'u') => {
            let hex = text.get(i + 2..i + 6).ok_or(Decline)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Decline);
            }
            let code = u32::from_str_radix(hex, 16).map_err(|_| Decline)?;
            out.push(char::from_u32(code).ok_or(Decline)?);
            return Ok(6);
        }
        _ => return Err(Decline),
    };
    out.push(c);
    Ok(2)
}

#[cfg(test)]
mod tests {
    use super::super::{Builder, InputBudget, Node, ParseError};
    use granit_parser::Parser;
    use std::path::Path;

    fn fresh() -> Builder {
        Builder {
            budget: InputBudget::DEFAULT,
            ..Builder::default()
        }
    }

    /// What the full parser makes of `text`.
    fn full(text: &str) -> Result<Node, ParseError> {
        let mut b = fresh();
        b.feed(Parser::new_from_str(text))?;
        b.root.ok_or(ParseError::Empty)
    }

    /// Whether the fast reader took `text`; when it did, its tree must be the full
    /// parser's, spans included.
    fn agrees(text: &str) -> bool {
        let Some(fast) = super::parse(text, fresh()) else {
            return false;
        };
        match full(text) {
            Ok(tree) => assert_eq!(fast, tree, "the trees differ for:\n{text}"),
            Err(e) => panic!("the fast reader took text the parser rejects ({e}):\n{text}"),
        }
        true
    }

    fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                yaml_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(p);
            }
        }
    }

    #[test]
    fn the_examples_and_generated_specs_are_read_fast_and_alike() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        yaml_files(&root.join("examples"), &mut files);
        yaml_files(&root.join("tests"), &mut files);
        let mut taken = 0;
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            taken += usize::from(agrees(text));
        }
        // Most test files are ordinary specs; the rest exercise what the full parser reads.
        assert!(taken * 2 > files.len(), "{taken} of {} files", files.len());
        for f in [
            "cart",
            "ledger",
            "minimal-api",
            "orders",
            "pipeline",
            "resizer",
        ] {
            let text = std::fs::read_to_string(root.join("examples").join(f).join("fnplan.yaml"))
                .unwrap_or_default();
            assert!(agrees(&text), "examples/{f} is not read fast");
        }
        for n in [1, 10, 100, 500] {
            assert!(agrees(&crate::synth::spec(n)), "synth {n} is not read fast");
        }
    }

    #[test]
    fn everyday_yaml_is_read_fast_and_alike() {
        let cases = [
            "a: 1\nb:\n  c: x y  # com\n  d:\n  e: \"q\\\"z\"\nl:\n- 1\n- k: v\n  j: w\n-\n",
            "f: { x: 1, y: [a, b], z: {} }\ng: []\nh: 'it''s'\n",
            "a:   # c\nb: \nc:\n  - \n  -   # x\n  - x\n# top\nd: x  \ne:\n  f: 1\n\n\n  g:\n",
            "routes:\n  \"POST /x\": { function: f, auth: users }\n",
            "env: { URL: \"${queue.q.url}\" }\nn: -1\nm: 0x1f\nt: true\nz: ~\n",
            "list:\n  - name: a\n    value: 1\n  - name: b\n",
            "k: é ü\nq: \"\\u00e9\\n\"\n",
            "arn: arn:aws:s3:::bucket/*\nurl: http://x.y/z?a=1&b=2\n",
            "last:\n-",
            "a: b",
            "resources:\n  A: !Sub \"x ${y}\"\n  B: !Ref z\n  C: !GetAtt [A, B]\n  D: !If [c, {x: 1}, !Ref q]\n",
        ];
        for c in cases {
            assert!(agrees(c), "not read fast:\n{c}");
        }
    }

    #[test]
    fn unusual_yaml_is_left_to_the_full_parser() {
        let cases = [
            "a: &x 1\nb: *x\n",
            "a: !Ref\n  x\n",
            "a: !!str x\n",
            "a: |\n  text\n",
            "a: >-\n  text\n",
            "a: long\n  plain\n",
            "---\na: 1\n",
            "a: 1\n...\n",
            "a:\tb\n",
            "a: 1\r\nb: 2\r\n",
            "a: [1,\n  2]\n",
            "a: \"multi\n  line\"\n",
            "? a\n: b\n",
            "a: b: c\n",
            "a: 1\n b: 2\n",
            "- a\nb: 1\n",
            "a: \"\\x41\"\n",
            "a: [x,]\n",
            "{a: 1}\n",
            "# only a comment\n",
        ];
        for c in cases {
            assert!(!agrees(c), "read fast, but should not be:\n{c}");
        }
    }

    /// A xorshift generator: the same documents on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as usize
        }
        fn one_in(&mut self, n: usize) -> bool {
            self.next().is_multiple_of(n)
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[self.next() % xs.len()]
        }
    }

    const SCALARS: &[&str] = &[
        "a",
        "b c",
        "1",
        "-1",
        "0x1f",
        "true",
        "~",
        "null",
        "\"q\"",
        "'s'",
        "\"a\\\"b\"",
        "'it''s'",
        "a:b",
        "a#b",
        "a #b",
        "http://x/y",
        "-x",
        ":x",
        "?x",
        "@x",
        "x,y",
        "[a]",
        "{a: 1}",
        "{ a: [1, 2], b: {} }",
        "[]",
        "{}",
        "\"\\u00e9\"",
        "é",
        "\"\\x41\"",
        "a  ",
        "",
        "# c",
        "\"\"",
        "''",
        "[a, [b, {c: d}]]",
        "{a: b, a: c}",
        "- x",
        "a: b",
        "[a:b]",
        "{\"k\": v}",
        "{k:v}",
        "1.5",
        ".inf",
        "012",
        "-",
        "--",
        "x -y",
        "{ a: 'b''c' }",
        "!Ref x",
        "!Sub 'a ${b}'",
        "!GetAtt [A, B]",
        "!GetAtt A.B",
        "!If [c, {x: 1}, !Ref q]",
        "!Ref",
        "!!str 1",
        "!Nope x",
        "!Sub\"x\"",
    ];
    const KEYS: &[&str] = &[
        "a",
        "b",
        "key",
        "\"POST /x\"",
        "'q'",
        "-k",
        "k k",
        "1",
        "true",
        "~",
        "<<",
        "a:b",
        "a",
        "\"\"",
        "é",
        "resources",
        "outputs",
    ];
    const NOISE: &[&str] = &[
        " ", ":", "#", "-", "\n", "'", "\"", "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "?",
        "%", "\t", "\r", "~", "...", "---", "  ", "\n  ", "\\",
    ];

    fn block(r: &mut Rng, indent: usize, depth: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        let seq = r.one_in(3);
        for i in 0..1 + r.next() % 3 {
            if r.one_in(6) {
                out.push_str(&pad);
                out.push_str(r.pick(&["# note", "", "   # deep"]));
                out.push('\n');
            }
            let lead = if seq {
                "- ".to_string()
            } else {
                let key = if i == 0 {
                    r.pick(KEYS)
                } else {
                    r.pick(&KEYS[..12])
                };
                format!("{key}:")
            };
            out.push_str(&pad);
            out.push_str(&lead);
            if seq && r.one_in(4) {
                // A mapping written on the item's line, its keys lined up after `- `.
                for j in 0..1 + r.next() % 3 {
                    if j > 0 {
                        out.push_str(&pad);
                        out.push_str(r.pick(&["  ", "  ", " ", "   "]));
                    }
                    out.push_str(r.pick(&KEYS[..12]));
                    out.push_str(": ");
                    out.push_str(r.pick(SCALARS));
                    out.push('\n');
                }
                continue;
            }
            if depth < 3 && r.one_in(3) {
                out.push_str(r.pick(&["", " # c", " "]));
                out.push('\n');
                let step = if !seq && r.one_in(4) {
                    0
                } else {
                    [1, 2, 2, 4][r.next() % 4]
                };
                if step == 0 {
                    out.push_str(&pad);
                    out.push_str("- x\n");
                } else {
                    block(r, indent + step, depth + 1, out);
                }
            } else {
                out.push(' ');
                out.push_str(r.pick(SCALARS));
                out.push('\n');
            }
        }
    }

    /// 100,000 generated documents, half of them mutated with YAML's special characters:
    /// whatever the fast reader takes, it reads as the full parser does. `FAST_SEED=n`
    /// tries another set.
    #[test]
    fn fast_reader_agrees_with_the_full_parser() {
        let seed = std::env::var("FAST_SEED").ok().and_then(|s| s.parse().ok());
        let mut r = Rng(seed.unwrap_or(0x9e37_79b9_7f4a_7c15));
        let (mut clean, mut clean_taken, mut noisy_taken) = (0, 0, 0);
        for n in 0..100_000_usize {
            let mut doc = String::new();
            block(&mut r, 0, 0, &mut doc);
            if !n.is_multiple_of(2) {
                for _ in 0..1 + r.next() % 3 {
                    let mut at = r.next() % (doc.len() + 1);
                    while !doc.is_char_boundary(at) {
                        at -= 1;
                    }
                    doc.insert_str(at, r.pick(NOISE));
                }
                noisy_taken += usize::from(agrees(&doc));
            } else {
                clean += 1;
                clean_taken += usize::from(agrees(&doc));
            }
        }
        // The fast path must be exercised by a good share of the generated documents.
        eprintln!("read fast: {clean_taken} of {clean} documents, {noisy_taken} of the mutated");
        assert!(
            clean_taken * 3 > clean,
            "{clean_taken} of {clean} read fast"
        );
    }
}
