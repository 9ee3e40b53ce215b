//! `${...}` references: a string and its span in, an [`Interp`] of literal parts,
//! pseudo values and checked references out.

use super::types::*;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};
use crate::spec::codes;
use crate::suggest;

/// What a kind and a name written in the spec resolve to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(ResId),
    /// `{queue}-dlq` where that queue exists but has no dead-letter queue (the queue's name).
    NoDlq(String),
    Unknown,
}

impl Lookup {
    /// The error for a name that resolves to nothing: (message, help).
    pub fn problem(&self, kind: Kind, name: &str, names: &[&str]) -> Option<(String, String)> {
        match self {
            Lookup::Found(_) => None,
            Lookup::NoDlq(queue) => Some((
                format!("queue `{queue}` has no dead-letter queue, so there is no queue `{name}`"),
                format!("set `dlq: true` on queue `{queue}`"),
            )),
            Lookup::Unknown => Some((
                format!("no {} named `{name}`", kind.as_str()),
                suggest::hint(name, names.iter().copied())
                    .unwrap_or_else(|| format!("declare it under `{}s:`", kind.as_str())),
            )),
        }
    }
}

/// What a reference may resolve against.
pub struct RefScope<'a> {
    pub app: &'a str,
    pub stage: &'a str,
    pub vars: &'a [(String, String)],
    /// Names per kind, in model order (for suggestions; a queue's dead-letter queue
    /// follows it).
    pub names: &'a dyn Fn(Kind) -> Vec<&'a str>,
    /// What a kind's name resolves to (`queue` `jobs-dlq` may be queue `jobs`'s DLQ).
    pub lookup: &'a dyn Fn(Kind, &str) -> Lookup,
    pub has_api: bool,
    /// Whether table `name` has a stream (for `stream_arn`).
    pub table_has_stream: &'a dyn Fn(&str) -> bool,
    /// Whether database `name` has a database name (an existing one may not).
    pub database_has_name: &'a dyn Fn(&str) -> bool,
}

fn attrs_of(kind: Kind) -> &'static [(&'static str, Attr)] {
    match kind {
        Kind::Function => &[("name", Attr::Name), ("arn", Attr::Arn)],
        Kind::Queue | Kind::Dlq => &[("name", Attr::Name), ("url", Attr::Url), ("arn", Attr::Arn)],
        Kind::Table => &[
            ("name", Attr::Name),
            ("arn", Attr::Arn),
            ("stream_arn", Attr::StreamArn),
        ],
        Kind::Bucket | Kind::Topic | Kind::Secret | Kind::Bus => {
            &[("name", Attr::Name), ("arn", Attr::Arn)]
        }
        Kind::Layer => &[("arn", Attr::Arn)],
        Kind::Database => &[
            ("name", Attr::Name),
            ("arn", Attr::Arn),
            ("secret_arn", Attr::SecretArn),
        ],
    }
}

pub(super) const TOP_LEVEL: [&str; 12] = [
    "function", "queue", "table", "bucket", "topic", "secret", "bus", "api", "var", "app", "stage",
    "database",
];

/// Locate `needle` inside the source text of `span` (falls back to the whole span).
pub(super) fn locate(file: &SourceFile, span: Span, needle: &str) -> Span {
    match file.slice(span).find(needle) {
        Some(i) => Span::new(span.start + i, span.start + i + needle.len()),
        None => span,
    }
}

/// Split `s` (written at `span` of `file`) into literal text and references.
pub fn parse_interp(
    s: &str,
    span: Span,
    file: &SourceFile,
    scope: &RefScope<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Interp {
    let mut parts: Vec<Part> = Vec::new();
    let mut lit = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        lit.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            let at = locate(file, span, &rest[i..]);
            diags.push(
                Diagnostic::error(codes::INVALID_VALUE, "unterminated `${` reference")
                    .at(at)
                    .help("close the reference with `}`, e.g. `${table.orders.name}`"),
            );
            return Interp { parts };
        };
        let body = after[..end].trim();
        let text = format!("${{{}}}", &after[..end]);
        let at = locate(file, span, &text);
        match resolve(body, at, scope, diags) {
            Some(Part::Lit(l)) => lit.push_str(&l),
            Some(p) => {
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut lit)));
                }
                parts.push(p);
            }
            None => {}
        }
        rest = &after[end + 1..];
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        parts.push(Part::Lit(lit));
    }
    Interp { parts }
}

fn resolve(
    body: &str,
    at: Span,
    scope: &RefScope<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Part> {
    // CloudFormation's own pseudo parameters, as a template would write them.
    match body {
        "AWS::Region" => return Some(Part::Pseudo(Pseudo::Region)),
        "AWS::AccountId" => return Some(Part::Pseudo(Pseudo::Account)),
        "AWS::Partition" => return Some(Part::Pseudo(Pseudo::Partition)),
        "AWS::URLSuffix" => return Some(Part::Pseudo(Pseudo::UrlSuffix)),
        _ => {}
    }
    // `${aws:username}`, `${s3:prefix}`: IAM policy variables, text for IAM to fill in.
    if body.contains(':') {
        return Some(Part::Lit(format!("${{{body}}}")));
    }
    let segs: Vec<&str> = body.split('.').collect();
    match segs.as_slice() {
        ["app"] => Some(Part::Lit(scope.app.to_string())),
        ["stage"] => Some(Part::Lit(scope.stage.to_string())),
        ["region"] => Some(Part::Pseudo(Pseudo::Region)),
        ["account"] => Some(Part::Pseudo(Pseudo::Account)),
        ["api", attr] => resolve_api(attr, at, scope, diags),
        ["var", name] => match scope.vars.iter().find(|(k, _)| k == name) {
            Some((_, v)) => Some(Part::Lit(v.clone())),
            None => {
                let help = suggest::hint(name, scope.vars.iter().map(|(k, _)| k.as_str())).or(
                    Some(format!("define it under `stages.{}.vars`", scope.stage)),
                );
                let msg = format!("unknown variable `{name}` in stage `{}`", scope.stage);
                unresolved(diags, at, msg, help)
            }
        },
        [kind, name, attr] => resolve_res(body, [kind, name, attr], at, scope, diags),
        _ => {
            let first = segs.first().copied().unwrap_or("");
            match Kind::parse(first) {
                Some(k) => unresolved(
                    diags,
                    at,
                    format!("`${{{body}}}` is incomplete: write `${{{first}.NAME.ATTRIBUTE}}`"),
                    Some(format!(
                        "a {first} has the attributes {}",
                        attrs_of(k)
                            .iter()
                            .map(|(n, _)| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ),
                None => {
                    let help = suggest::hint(first, TOP_LEVEL);
                    unresolved(diags, at, format!("unknown reference `${{{body}}}`"), help)
                }
            }
        }
    }
}

/// A reference that cannot be resolved: an error at `at`, and no part.
fn unresolved(
    diags: &mut Vec<Diagnostic>,
    at: Span,
    msg: String,
    help: Option<String>,
) -> Option<Part> {
    diags.push(
        Diagnostic::error(codes::UNKNOWN_REFERENCE, msg)
            .at(at)
            .with_help(help),
    );
    None
}

/// `${api.ATTR}`: only `url`, and only when the spec has routes.
fn resolve_api(
    attr: &str,
    at: Span,
    scope: &RefScope<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Part> {
    if attr != "url" {
        return unresolved(
            diags,
            at,
            format!("the API has no attribute `{attr}`"),
            Some("the only API attribute is `url`: `${api.url}`".into()),
        );
    }
    if !scope.has_api {
        return unresolved(
            diags,
            at,
            "`${api.url}` refers to the API, but this spec has no `api` routes".into(),
            Some("add `api: { routes: ... }` or remove the reference".into()),
        );
    }
    Some(Part::Ref(Reference {
        target: RefTarget::Api,
        attr: Attr::Url,
        span: at,
    }))
}

/// `${kind.name.attr}`: a declared element and one of its kind's attributes.
fn resolve_res(
    body: &str,
    [kind, name, attr]: [&str; 3],
    at: Span,
    scope: &RefScope<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Part> {
    let Some(k) = Kind::parse(kind) else {
        let help = suggest::hint(kind, TOP_LEVEL);
        let msg = format!("unknown reference kind `{kind}` in `${{{body}}}`");
        return unresolved(diags, at, msg, help);
    };
    let found = (scope.lookup)(k, name);
    let Lookup::Found(id) = found else {
        let names = (scope.names)(k);
        let (msg, help) = found.problem(k, name, &names).unwrap_or_default();
        return unresolved(diags, at, msg, Some(help));
    };
    let Some((_, a)) = attrs_of(id.kind).iter().find(|(n, _)| *n == attr) else {
        let help = suggest::hint(attr, attrs_of(id.kind).iter().map(|(n, _)| *n));
        let msg = format!("a {} has no attribute `{attr}`", k.as_str());
        return unresolved(diags, at, msg, help);
    };
    if *a == Attr::StreamArn && !(scope.table_has_stream)(name) {
        return unresolved(
            diags,
            at,
            format!("table `{name}` has no stream, so it has no `stream_arn`"),
            Some(format!("add `stream: true` to table `{name}`")),
        );
    }
    if id.kind == Kind::Database && *a == Attr::Name && !(scope.database_has_name)(name) {
        return unresolved(
            diags,
            at,
            format!("existing database `{name}` has no `database_name`, so it has no `name`"),
            Some("add `database_name` to its `existing:` entry".into()),
        );
    }
    Some(Part::Ref(Reference {
        target: RefTarget::Res(id),
        attr: *a,
        span: at,
    }))
}
