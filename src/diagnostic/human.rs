//! Human renderer: diagnostics in, rustc/ruff-style text with the source line and a caret out.

use super::{Diagnostic, Severity};
use crate::source::{SourceFile, Span};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::io::IsTerminal;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Colour only on a terminal and never when `NO_COLOR` is set (to anything non-empty).
    pub fn use_color_for_stdout(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
    pub fn use_color_for_stderr(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }
}

/// Lines around a set of spans: (first line number, the text of those lines, its byte offset).
fn window(file: &SourceFile, spans: &[Span]) -> (usize, usize, usize) {
    let first = spans.iter().map(|s| s.start).min().unwrap_or(0);
    let last = spans.iter().map(|s| s.end.max(s.start)).max().unwrap_or(0);
    let first_line = file.line_col(first).line;
    let last_line = file.line_col(last).line;
    let start = file.offset_of(first_line, 1);
    let end_line_start = file.offset_of(last_line, 1);
    let end = file.text[end_line_start.min(file.len())..]
        .find('\n')
        .map_or(file.len(), |i| end_line_start + i);
    (first_line, start, end)
}

/// Keep a span inside one line so a caret never runs over a whole block.
fn trim_to_line(file: &SourceFile, span: Span) -> Span {
    let r = clamp(span.start, span.end, &file.text);
    let (start, end) = (r.start, r.end);
    let text = file.slice(Span::new(start, end));
    let end = match text.find('\n') {
        Some(i) => start + i,
        None => end,
    };
    Span::new(start, end)
}

pub fn render_human(file: &SourceFile, diags: &[Diagnostic], color: ColorChoice) -> String {
    let renderer = if color.use_color_for_stdout() {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diags {
        match d.span.filter(|_| d.redact) {
            Some(span) => {
                let masked = masked(file, span);
                out.push_str(&renderer.render(&report(&masked, d)));
            }
            None => out.push_str(&renderer.render(&report(file, d))),
        }
        out.push_str("\n\n");
    }
    out
}

/// `file` with the bytes at `span` replaced by `*` (same length: every span stays valid),
/// for quoting a line that holds a secret.
fn masked(file: &SourceFile, span: Span) -> SourceFile {
    let mut bytes = file.text.clone().into_bytes();
    let end = span.end.min(bytes.len());
    for b in &mut bytes[span.start.min(end)..end] {
        if *b != b'\n' {
            *b = b'*';
        }
    }
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    SourceFile::new(file.name.clone(), &file.path, text)
}

fn report<'a>(file: &'a SourceFile, d: &'a Diagnostic) -> Vec<Group<'a>> {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let title = level.primary_title(d.message.as_str()).id(d.code.0);
    let mut groups = Vec::new();
    match d.span {
        Some(span) => {
            let primary = trim_to_line(file, span);
            let mut spans: Vec<Span> = vec![primary];
            let labels: Vec<(Span, &str)> = d
                .labels
                .iter()
                .map(|l| (trim_to_line(file, l.span), l.message.as_str()))
                .collect();
            // Labels far from the primary span get their own snippet.
            let primary_line = file.line_col(primary.start).line;
            let (near, far): (Vec<_>, Vec<_>) = labels
                .into_iter()
                .partition(|(s, _)| file.line_col(s.start).line.abs_diff(primary_line) <= 12);
            spans.extend(near.iter().map(|(s, _)| *s));
            let (line_start, ws, we) = window(file, &spans);
            let text = &file.text[ws..we];
            let mut snippet = Snippet::source(text)
                .line_start(line_start)
                .path(file.name.as_str())
                .fold(true)
                .annotation(AnnotationKind::Primary.span(clamp(
                    primary.start - ws,
                    primary.end - ws,
                    text,
                )));
            for (s, msg) in near {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(clamp(s.start - ws, s.end - ws, text))
                        .label(msg),
                );
            }
            let mut g = title.element(snippet);
            for (s, msg) in far {
                let (ls, ws, we) = window(file, &[s]);
                let text = &file.text[ws..we];
                g = g.element(
                    Snippet::source(text)
                        .line_start(ls)
                        .path(file.name.as_str())
                        .fold(true)
                        .annotation(
                            AnnotationKind::Context
                                .span(clamp(s.start - ws, s.end - ws, text))
                                .label(msg),
                        ),
                );
            }
            groups.push(g);
        }
        None => {
            let lc_name = file.name.as_str();
            groups.push(Group::with_title(title).element(annotate_snippets::Origin::path(lc_name)));
        }
    }
    if let Some(help) = &d.help {
        groups.push(Group::with_title(
            Level::HELP.secondary_title(help.as_str()),
        ));
    }
    groups
}

/// A range inside `text` on char boundaries (a span may come from byte offsets that fall
/// inside a replacement character of a file that was not valid UTF-8).
fn clamp(start: usize, end: usize, text: &str) -> std::ops::Range<usize> {
    let mut s = start.min(text.len());
    while s > 0 && !text.is_char_boundary(s) {
        s -= 1;
    }
    let mut e = end.min(text.len()).max(s);
    while e < text.len() && !text.is_char_boundary(e) {
        e += 1;
    }
    s..e
}
