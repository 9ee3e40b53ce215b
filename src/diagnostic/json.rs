//! JSON renderer: diagnostics in, a stable documented array of objects out.

use super::Diagnostic;
use crate::source::SourceFile;
use serde::Serialize;

/// One element of `fnplan lint --format json` (documented in README; fields are only ever added).
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'a str,
    pub level: &'a str,
    pub message: &'a str,
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub help: Option<&'a str>,
}

pub fn to_json<'a>(file: &'a SourceFile, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let span = d.span.unwrap_or_default();
    let s = file.line_col(span.start);
    let e = file.line_col(span.end.max(span.start));
    JsonDiagnostic {
        code: d.code.0,
        level: match d.severity {
            super::Severity::Error => "error",
            super::Severity::Warning => "warning",
        },
        message: &d.message,
        file: &file.name,
        line: s.line,
        column: s.column,
        end_line: e.line,
        end_column: e.column,
        help: d.help.as_deref(),
    }
}

pub fn render_json(file: &SourceFile, diags: &[Diagnostic]) -> String {
    let items: Vec<_> = diags.iter().map(|d| to_json(file, d)).collect();
    let mut s = serde_json::to_string_pretty(&items).expect("diagnostics serialize");
    s.push('\n');
    s
}
