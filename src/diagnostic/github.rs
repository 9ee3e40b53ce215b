//! GitHub renderer: diagnostics in, `::error file=..,line=..,col=..::msg` workflow commands out.

use super::{Diagnostic, Severity};
use crate::source::SourceFile;

/// Escape data per the workflow-command rules (`%`, CR, LF; plus `:` and `,` in properties).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_prop(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render_github(file: &SourceFile, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let span = d.span.unwrap_or_default();
        let s = file.line_col(span.start);
        let e = file.line_col(span.end.max(span.start));
        let mut msg = d.message.clone();
        if let Some(h) = &d.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        out.push_str(&format!(
            "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_prop(&file.name),
            s.line,
            s.column,
            e.line,
            e.column,
            escape_prop(&format!("{} {}", d.code, kind)),
            escape_data(&msg)
        ));
    }
    out
}
