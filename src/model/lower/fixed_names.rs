//! `name:` on a function, queue, table, topic or bucket: the written text and the stage
//! in, the fixed physical name out as `Fn::Sub` text (`${app}`, `${stage}`, `${var.NAME}`
//! filled in, literal `${` escaped, `${region}`/`${account}` as pseudo parameters),
//! checked against the service's naming rules, with an error at the name otherwise.

use super::*;

/// What a name may use.
pub(super) struct NameCx<'a> {
    /// `{app}-{stage}`.
    pub prefix: &'a str,
    pub app: &'a str,
    pub stage: &'a str,
    pub vars: &'a [(String, String)],
}

/// The naming rules of one kind of resource.
pub(super) struct Rule {
    /// What the text is, for messages: "a queue name".
    pub kind: &'static str,
    pub max: usize,
    /// Characters allowed besides ASCII letters and digits.
    pub extra: &'static str,
    pub lowercase: bool,
    /// `${region}` and `${account}` allowed (the text becomes `Fn::Sub` text).
    pub pseudo: bool,
}

pub(super) const QUEUE: Rule = Rule {
    kind: "a queue name",
    max: 80,
    extra: "-_.",
    lowercase: false,
    pseudo: true,
};
pub(super) const TABLE: Rule = Rule {
    kind: "a table name",
    max: 255,
    extra: "-_.",
    lowercase: false,
    pseudo: true,
};
pub(super) const TOPIC: Rule = Rule {
    kind: "a topic name",
    max: 256,
    extra: "-_.",
    lowercase: false,
    pseudo: true,
};
pub(super) const FUNCTION: Rule = Rule {
    kind: "a function name",
    max: 64,
    extra: "-_",
    lowercase: false,
    pseudo: true,
};
pub(super) const BUCKET: Rule = Rule {
    kind: "a bucket name",
    max: 63,
    extra: "-.",
    lowercase: true,
    pseudo: true,
};

/// The fixed name `raw` asks for, or `None` (no `name:`, or an error was reported).
pub(super) fn fixed_name(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    raw: Option<&Sp<String>>,
    rule: &Rule,
) -> Option<String> {
    let raw = raw?;
    let (out, plain_len) = fill(l, cx, raw, rule)?;
    check(l, raw, rule, &out, plain_len)
}

/// Text known before deploy (a secret's path), with `${app}`, `${stage}` and
/// `${var.NAME}` filled in; `None` after reporting a reference it cannot hold.
pub(super) fn known_text(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    raw: &Sp<String>,
    what: &'static str,
) -> Option<String> {
    free_text(l, cx, raw, what, false)
}

/// `raw` with its references filled in, and the length it will have.
fn fill(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    raw: &Sp<String>,
    rule: &Rule,
) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut plain_len = 0;
    let mut rest = raw.value.as_str();
    while let Some(i) = rest.find("${") {
        plain_len += push_lit(&mut out, &rest[..i], rule.pseudo);
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            return bad(l, raw, rule, "an unterminated `${` in a name".into());
        };
        let body = after[..end].trim();
        let value = match body.split_once('.') {
            None if body == "app" => cx.app.to_string(),
            None if body == "stage" => cx.stage.to_string(),
            None if rule.pseudo && body == "region" => {
                out.push_str("${AWS::Region}");
                plain_len += 14;
                rest = &after[end + 1..];
                continue;
            }
            None if rule.pseudo && body == "account" => {
                out.push_str("${AWS::AccountId}");
                plain_len += 12;
                rest = &after[end + 1..];
                continue;
            }
            Some(("var", v)) => match cx.vars.iter().find(|(k, _)| k == v) {
                Some((_, value)) => value.clone(),
                None => {
                    let msg = format!("unknown variable `{v}` in stage `{}`", cx.stage);
                    let help = crate::suggest::hint(v, cx.vars.iter().map(|(k, _)| k.as_str()))
                        .unwrap_or_else(|| format!("define it under `stages.{}.vars`", cx.stage));
                    l.err(codes::INVALID_NAME, raw.span, msg).help = Some(help);
                    return None;
                }
            },
            _ => {
                return bad(
                    l,
                    raw,
                    rule,
                    format!("`${{{body}}}` cannot be part of {}", rule.kind),
                );
            }
        };
        plain_len += push_lit(&mut out, &value, rule.pseudo);
        rest = &after[end + 1..];
    }
    plain_len += push_lit(&mut out, rest, rule.pseudo);
    Some((out, plain_len))
}

/// Literal text into `out` (escaped for `Fn::Sub` when the name is Sub text); its length.
fn push_lit(out: &mut String, text: &str, sub: bool) -> usize {
    if sub {
        out.push_str(&text.replace("${", "${!"));
    } else {
        out.push_str(text);
    }
    text.len()
}

fn check(
    l: &mut Lower<'_>,
    raw: &Sp<String>,
    rule: &Rule,
    name: &str,
    len: usize,
) -> Option<String> {
    // Pseudo parameters are checked by what they stand for: digits and `-`.
    let text = name
        .replace("${AWS::Region}", "")
        .replace("${AWS::AccountId}", "");
    let bad_char = text.chars().find(|c| {
        !(c.is_ascii_alphanumeric() || rule.extra.contains(*c))
            || (rule.lowercase && c.is_ascii_uppercase())
    });
    if let Some(c) = bad_char {
        let allowed = if rule.lowercase {
            "lowercase letters, digits"
        } else {
            "letters, digits"
        };
        return bad(
            l,
            raw,
            rule,
            format!(
                "`{c}` is not allowed in {} ({allowed} and `{}`)",
                rule.kind, rule.extra
            ),
        );
    }
    if len == 0 || len > rule.max {
        return bad(
            l,
            raw,
            rule,
            format!(
                "{} is 1..{} characters; this one is {len}",
                rule.kind, rule.max
            ),
        );
    }
    Some(name.to_string())
}

fn bad<T>(l: &mut Lower<'_>, raw: &Sp<String>, rule: &Rule, msg: String) -> Option<T> {
    let allowed = if rule.pseudo {
        "`${app}`, `${stage}`, `${var.NAME}`, `${region}` and `${account}`"
    } else {
        "`${app}`, `${stage}` and `${var.NAME}`"
    };
    l.err(codes::INVALID_NAME, raw.span, msg).help = Some(format!(
        "{} is fixed text: {allowed} may be used",
        rule.kind
    ));
    None
}

/// An ARN (a KMS key's, a cluster's) or other text written in the spec as `Fn::Sub`
/// text: `${app}`, `${stage}`, `${var.NAME}` filled in, `${region}` and `${account}` as
/// pseudo parameters; `None` after reporting a reference it cannot hold.
pub(super) fn arn_text(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    raw: &Sp<String>,
    what: &'static str,
) -> Option<String> {
    free_text(l, cx, raw, what, true)
}

/// Text of any length and case with `${app}`, `${stage}`, `${var.NAME}` filled in (and
/// `${region}`, `${account}` as pseudo parameters when `pseudo`).
fn free_text(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    raw: &Sp<String>,
    what: &'static str,
    pseudo: bool,
) -> Option<String> {
    let rule = Rule {
        kind: what,
        max: usize::MAX,
        extra: "",
        lowercase: false,
        pseudo,
    };
    fill(l, cx, raw, &rule).map(|(text, _)| text)
}
