//! Linting: a `Model`, its `AppGraph` and rendered `Template` in, findings (diagnostics
//! with stable codes, pointing into the spec) out.

pub mod iam_actions;
pub mod rules;

use crate::diagnostic::{Code, Diagnostic, SarifRule, Severity};
use crate::graph::AppGraph;
use crate::model::{Date, Model, ResId};
use crate::source::Span;

/// What `fnplan explain` and `fnplan rules` know of a rule.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: Code,
    pub name: &'static str,
    pub level: Severity,
    /// One line for `fnplan rules`.
    pub summary: &'static str,
    /// The rule's doc comment lines (what, why, bad example, good example).
    pub doc: &'static [&'static str],
}

impl RuleMeta {
    /// The documentation as Markdown, as `fnplan explain` prints it.
    pub fn doc_text(&self) -> String {
        doc_text(self.doc)
    }
}

/// Doc comment lines (each with rustdoc's leading space) as Markdown.
fn doc_text(lines: &[&str]) -> String {
    let mut s = String::new();
    for line in lines {
        s.push_str(line.strip_prefix(' ').unwrap_or(line));
        s.push('\n');
    }
    s
}

/// One lint rule: metadata and a check over the whole app.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings);
}

/// Declare a rule struct whose doc comment becomes its `fnplan explain` text.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does ...
///     pub struct MissingTimeout => "FN103", "missing-timeout", Warning, "function without a timeout";
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* pub struct $name:ident => $code:literal, $slug:literal, $level:ident, $summary:literal;) => {
        $(#[doc = $doc])*
        pub struct $name;
        impl $name {
            pub const META: $crate::lint::RuleMeta = $crate::lint::RuleMeta {
                code: $crate::diagnostic::Code($code),
                name: $slug,
                level: $crate::diagnostic::Severity::$level,
                summary: $summary,
                doc: &[$($doc),*],
            };
        }
    };
}

/// The element a finding is about, so that its `lint_ignore` can silence it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Res(ResId),
    /// Index into `model.api.routes`.
    Route(usize),
    None,
}

/// Where rules put their findings.
#[derive(Default)]
pub struct Findings {
    items: Vec<(Owner, Diagnostic)>,
}

impl Findings {
    pub fn push(&mut self, owner: Owner, d: Diagnostic) {
        self.items.push((owner, d));
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// How big one rendered stack is: what FN302 checks against CloudFormation's limits.
/// Lint never renders; the caller measures the template and hands this in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackSize {
    /// `the parent stack` or a nested stack's logical ID (empty for a single stack).
    pub name: String,
    pub resources: usize,
    pub parameters: usize,
    pub outputs: usize,
    /// Compact JSON, as plan/apply send it.
    pub bytes: usize,
}

/// The stacks the app deploys as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stacks {
    /// One stack.
    Single(StackSize),
    /// `lint --split`: the parent first, then each nested stack.
    Split(Vec<StackSize>),
}

/// One directory counted in a function's unzipped code, measured by the caller from file
/// metadata (lint opens no file).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodePart {
    /// The directory as the spec writes it (`src`).
    pub written: String,
    /// The sum of the sizes of the files packaging takes from it.
    pub unzipped: u64,
    /// Its largest files (relative path, bytes), largest first.
    pub largest: Vec<(String, u64)>,
}

/// A function's local code as Lambda counts it against the unzipped limit: the parts are
/// its code directory and (to come) its layers' directories. What FN305 checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeSize {
    /// Index into `model.functions`.
    pub function: usize,
    /// Its `code:` entry.
    pub span: Span,
    pub parts: Vec<CodePart>,
}

impl CodeSize {
    /// Every part's files together, in bytes.
    pub fn unzipped(&self) -> u64 {
        self.parts
            .iter()
            .fold(0, |n, p| n.saturating_add(p.unzipped))
    }
}

/// What every rule can look at.
pub struct LintContext<'a> {
    pub model: &'a Model,
    pub graph: &'a AppGraph,
    /// The rendered stacks' sizes.
    pub stacks: &'a Stacks,
    /// The functions' local code sizes (functions with `s3://` code have none).
    pub code: &'a [CodeSize],
    /// The day it is (UTC): runtime deprecation dates (FN113) are checked against it.
    /// `ops` reads it once per command; tests fix it.
    pub today: Date,
}

impl LintContext<'_> {
    /// A finding of `rule` at its default level.
    pub fn report(
        &self,
        rule: &'static RuleMeta,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(rule.code, rule.level, message).at(span)
    }
}

/// Which rules run: `--select` / `--ignore` (codes or prefixes like `FN2`).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    fn matches(list: &[String], code: &str) -> bool {
        list.iter().any(|p| code.starts_with(p.as_str()))
    }
    pub fn enabled(&self, code: Code) -> bool {
        (self.select.is_empty() || Self::matches(&self.select, code.0))
            && !Self::matches(&self.ignore, code.0)
    }
    /// Parse a comma-separated list; every entry must be a code or a prefix of one.
    pub fn parse_list(s: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let up = part.to_ascii_uppercase();
            if !rules::ALL.iter().any(|r| r.meta().code.0.starts_with(&up)) {
                let hint = crate::suggest::hint(&up, rule_codes())
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                return Err(format!("`{part}` is not a rule code or prefix{hint}"));
            }
            out.push(up);
        }
        Ok(out)
    }
}

/// Run every selected rule; findings silenced by `lint.ignore` or an element's
/// `lint_ignore` are dropped. Sorted by position in the spec.
pub fn lint(cx: &LintContext<'_>, sel: &Selection) -> Vec<Diagnostic> {
    let mut findings = Findings::default();
    for rule in rules::ALL {
        let meta = rule.meta();
        if !sel.enabled(meta.code) || cx.model.lint_ignore.iter().any(|(c, _)| *c == meta.code) {
            continue;
        }
        rule.check(cx, &mut findings);
    }
    let mut out: Vec<Diagnostic> = findings
        .items
        .into_iter()
        .filter(|(owner, d)| !silenced(cx.model, *owner, d.code))
        .map(|(_, d)| d)
        .collect();
    crate::diagnostic::sort(&mut out);
    out.dedup();
    out
}

fn silenced(model: &Model, owner: Owner, code: Code) -> bool {
    let list: &[(Code, Span)] = match owner {
        Owner::Res(id) => model.lint_ignore_of(id),
        Owner::Route(i) => model
            .api
            .as_ref()
            .map_or(&[], |a| a.routes[i].lint_ignore.as_slice()),
        Owner::None => &[],
    };
    list.iter().any(|(c, _)| *c == code)
}

pub fn find_rule(code: &str) -> Option<&'static dyn Rule> {
    rules::ALL
        .iter()
        .copied()
        .find(|r| r.meta().code.0.eq_ignore_ascii_case(code))
}

pub fn code_for(s: &str) -> Option<Code> {
    find_rule(s).map(|r| r.meta().code)
}

/// The lint rule codes (what `--select`, `--ignore` and `lint_ignore` take).
pub fn rule_codes() -> impl Iterator<Item = &'static str> + Clone {
    rules::ALL.iter().map(|r| r.meta().code.0)
}

/// The two kinds of codes fnplan prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// FN0xx: the spec cannot be compiled; always an error, exit 2.
    Input,
    /// FN1xx-FN3xx: findings of `fnplan lint` on a spec that compiles.
    Lint,
}

/// A code fnplan can print, with what `fnplan explain` and `fnplan rules` say of it.
#[derive(Clone, Copy, Debug)]
pub struct CodeInfo {
    pub group: Group,
    pub code: Code,
    pub name: &'static str,
    /// Input errors are always errors; for rules this is the default level.
    pub level: Severity,
    pub summary: &'static str,
    pub doc: &'static [&'static str],
}

impl CodeInfo {
    /// The documentation as Markdown, as `fnplan explain` prints it.
    pub fn doc_text(&self) -> String {
        doc_text(self.doc)
    }
}

/// Every code fnplan can print: input errors, then lint rules, each group in code order.
pub fn documented_codes() -> impl Iterator<Item = CodeInfo> + Clone {
    let input = crate::spec::codes::INPUT_CODES.iter().map(|c| CodeInfo {
        group: Group::Input,
        code: c.code,
        name: c.name,
        level: Severity::Error,
        summary: c.summary,
        doc: c.doc,
    });
    let lint = rules::ALL.iter().map(|r| {
        let m = r.meta();
        CodeInfo {
            group: Group::Lint,
            code: m.code,
            name: m.name,
            level: m.level,
            summary: m.summary,
            doc: m.doc,
        }
    });
    input.chain(lint)
}

/// The input error or lint rule with this code (any case, surrounding blanks ignored).
pub fn find_code(code: &str) -> Option<CodeInfo> {
    let code = code.trim();
    documented_codes().find(|c| c.code.0.eq_ignore_ascii_case(code))
}

/// Every code fnplan can print, for "did you mean" hints.
pub fn all_codes() -> impl Iterator<Item = &'static str> + Clone {
    documented_codes().map(|c| c.code.0)
}

/// Rule metadata for SARIF output: every code, so that input errors (which SARIF output
/// of a spec that does not compile consists of) are described as rules too.
pub fn sarif_rules() -> Vec<SarifRule> {
    documented_codes()
        .map(|c| SarifRule {
            code: c.code.0,
            name: c.name,
            summary: c.summary,
            help_markdown: c.doc_text(),
            default_level: c.level,
        })
        .collect()
}
