//! Source files and byte spans: a spec's text in, line:column positions out.

use std::path::{Path, PathBuf};

/// A half-open byte range `[start, end)` into one [`SourceFile`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    /// A span that points at nothing in particular (the start of the file).
    pub const DUMMY: Span = Span { start: 0, end: 0 };
    pub fn is_dummy(&self) -> bool {
        self.start == 0 && self.end == 0
    }
}

/// A 1-based line and column (columns count characters, as editors do).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// One spec file held in memory with its line index.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it; this is what diagnostics print.
    pub name: String,
    /// The file's location on disk, used to resolve relative `code:` directories.
    pub path: PathBuf,
    pub text: String,
    /// Where each line starts, made when a position is first asked for (most runs never
    /// report one).
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, path: impl AsRef<Path>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            path: path.as_ref().to_path_buf(),
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let lines = self.text.bytes().enumerate().filter(|&(_, b)| b == b'\n');
            std::iter::once(0)
                .chain(lines.map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// An in-memory source (tests, benches, fuzzing).
    pub fn from_string(name: &str, text: impl Into<String>) -> Self {
        Self::new(name, name, text)
    }

    /// The directory the spec lives in; `code:` paths are relative to it.
    pub fn base_dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// Clamp an offset to the text and to a char boundary.
    fn clamp(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while o > 0 && !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.clamp(offset);
        let starts = self.line_starts();
        let line = match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Byte offset of a 1-based line and character column (saturating).
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let starts = self.line_starts();
        if line == 0 || line > starts.len() {
            return self.text.len();
        }
        let start = starts[line - 1];
        let rest = &self.text[start..];
        let line_end = rest.find('\n').map_or(rest.len(), |e| e);
        let line_text = &rest[..line_end];
        let within = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        start + within
    }

    /// The text a span covers (clamped to the file).
    pub fn slice(&self, span: Span) -> &str {
        let s = self.clamp(span.start);
        let e = self.clamp(span.end.max(span.start));
        &self.text[s..e]
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let f = SourceFile::from_string("x.yaml", "a: 1\nbé: 2\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 1 });
        // 'é' is two bytes but one column
        assert_eq!(f.line_col(8), LineCol { line: 2, column: 3 });
        assert_eq!(f.offset_of(2, 3), 8);
        assert_eq!(f.line_col(10_000).line, 3);
    }
}
