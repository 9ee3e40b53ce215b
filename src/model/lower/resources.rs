//! Lowering the app's data resources: one raw queue, table, bucket, topic or secret and
//! the stack-name prefix in; a model [`Queue`], [`Table`], [`Bucket`], [`Topic`] or
//! [`Secret`] out, with its settings checked.

use super::existing::{Of, existing_name};
use super::fixed_names::{BUCKET, NameCx, QUEUE, TABLE, TOPIC, fixed_name, known_text};
use super::*;
use crate::spec::raw::{RawDlq, RawDlqSettings, RawKey, RawStream};

/// A queue and, when it has one, its dead-letter queue. Standard queues are named by
/// CloudFormation unless `name:` fixes it; FIFO queues need a name ending `.fifo`, which
/// CloudFormation does not generate, so theirs defaults to `{app}-{stage}-{key}.fifo`.
pub(super) fn lower_queue(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    name: &Sp<String>,
    q: &raw::RawQueue,
) -> Queue {
    let fifo = q.fifo.as_ref().is_some_and(|f| f.value);
    let visibility = match &q.visibility_timeout {
        Some(v) => l.dur_range(v, 0, 43_200, "visibility_timeout"),
        None => Setting::default(DEFAULT_VISIBILITY),
    };
    let retention = match &q.retention {
        Some(v) => l.dur_range(v, 60, 1_209_600, "retention"),
        None => Setting::default(DEFAULT_RETENTION),
    };
    let at = |v: Option<Span>| v;
    let existing = existing_name(
        l,
        cx,
        (name, Of::Queue),
        q.existing.as_ref(),
        &[
            ("name", at(q.name.as_ref().map(|v| v.span))),
            (
                "visibility_timeout",
                at(q.visibility_timeout.as_ref().map(|v| v.span)),
            ),
            ("retention", at(q.retention.as_ref().map(|v| v.span))),
            ("dlq", at(q.dlq.as_ref().map(|v| v.span))),
            ("renamed_from", at(q.renamed_from.as_ref().map(|v| v.span))),
        ],
    );
    let (physical_name, dlq_name) = match &existing {
        Some(n) => (Some(n.clone()), None),
        None => queue_names(l, cx, name, q, fifo),
    };
    let dlq = match (&existing, &q.dlq) {
        (None, Some(d)) => lower_dlq(l, d, &name.value, dlq_name.as_deref()),
        _ => DlqSetting::Absent,
    };
    let lint_ignore = l.lint_ignore(&q.lint_ignore);
    Queue {
        name: name.value.clone(),
        name_span: name.span,
        existing: existing.is_some(),
        physical_name,
        visibility_timeout: visibility,
        retention,
        fifo,
        dlq,
        renamed_from: renamed_from(&q.renamed_from),
        lint_ignore,
    }
}

/// The queue's fixed name and its DLQ's (`None`: CloudFormation names it).
fn queue_names(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    name: &Sp<String>,
    q: &raw::RawQueue,
    fifo: bool,
) -> (Option<String>, Option<String>) {
    let fixed = fixed_name(l, cx, q.name.as_ref(), &QUEUE);
    let base = match (fixed, fifo) {
        (Some(n), _) => n.strip_suffix(".fifo").unwrap_or(&n).to_string(),
        (None, true) => format!("{}-{}", cx.prefix, name.value),
        (None, false) => return (None, None),
    };
    let suffix = if fifo { ".fifo" } else { "" };
    let (queue, dlq) = (format!("{base}{suffix}"), format!("{base}-dlq{suffix}"));
    let longest = if q.dlq.is_some() { &dlq } else { &queue };
    if longest.len() > 80 {
        l.err(
            codes::INVALID_NAME,
            q.name.as_ref().map_or(name.span, |n| n.span),
            format!(
                "queue name `{longest}` is {} characters; SQS allows 80",
                longest.len()
            ),
        )
        .help = Some("shorten the name (or the app, stage or queue key)".into());
    }
    (Some(queue), Some(dlq))
}

fn lower_dlq(
    l: &mut Lower<'_>,
    dlq: &Sp<RawDlq>,
    name: &str,
    physical_name: Option<&str>,
) -> DlqSetting {
    let span = dlq.span;
    let defaults = RawDlqSettings::default();
    let s = match &dlq.value {
        RawDlq::Enabled(false) => return DlqSetting::Disabled(span),
        RawDlq::Enabled(true) => &defaults,
        RawDlq::Settings(s) => s,
    };
    DlqSetting::Enabled(Dlq {
        name: format!("{name}-dlq"),
        physical_name: physical_name.map(str::to_string),
        max_receive_count: match &s.max_receive_count {
            Some(m) => l.range(m, 1, 1000, "max_receive_count", ""),
            None => Setting::default(DEFAULT_MAX_RECEIVE),
        },
        retention: match &s.retention {
            Some(r) => l.dur_range(r, 60, 1_209_600, "DLQ retention"),
            None => Setting::default(DEFAULT_DLQ_RETENTION),
        },
        visibility_timeout: match &s.visibility_timeout {
            Some(v) => l.dur_range(v, 0, 43_200, "DLQ visibility_timeout"),
            None => Setting::default(DEFAULT_VISIBILITY),
        },
        span,
    })
}

/// A DynamoDB table: its key attributes and stream.
pub(super) fn lower_table(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    name: &Sp<String>,
    t: &raw::RawTable,
) -> Table {
    let existing = existing_name(
        l,
        cx,
        (name, Of::Table),
        t.existing.as_ref(),
        &[
            ("name", t.name.as_ref().map(|v| v.span)),
            ("key", t.key.as_ref().map(|v| v.span)),
            ("sort_key", t.sort_key.as_ref().map(|v| v.span)),
            ("ttl", t.ttl.as_ref().map(|v| v.span)),
            ("stream", t.stream.as_ref().map(|v| v.span)),
            ("retain", t.retain.as_ref().map(|v| v.span)),
            ("renamed_from", t.renamed_from.as_ref().map(|v| v.span)),
        ],
    );
    let key = match &t.key {
        Some(k) => key_attr(k),
        None => {
            if t.existing.is_none() {
                l.err(
                    codes::MISSING_FIELD,
                    name.span,
                    format!("table `{}` needs a `key`", name.value),
                )
                .help = Some("add `key: id` (the partition key attribute), or `existing: { name }` for a table made elsewhere".into());
            }
            KeyAttr {
                name: String::new(),
                kind: KeyType::S,
                span: name.span,
            }
        }
    };
    let sort_key = t.sort_key.as_ref().map(key_attr);
    if let Some(sk) = &sort_key
        && sk.name == key.name
    {
        l.err(
            codes::INVALID_VALUE,
            sk.span,
            format!("sort_key `{}` is the same attribute as the key", sk.name),
        );
    }
    for k in std::iter::once(&key).chain(sort_key.as_ref()) {
        if (k.name.is_empty() && t.key.is_some()) || k.name.len() > 255 {
            l.err(
                codes::INVALID_VALUE,
                k.span,
                "a key attribute name must be 1..255 characters",
            );
        }
    }
    let stream = match t.stream.as_ref().map(|s| &s.value) {
        None | Some(RawStream::Enabled(false)) => None,
        Some(RawStream::Enabled(true)) => Some(StreamView::NewAndOldImages),
        Some(RawStream::View(v)) => Some(*v),
    };
    let lint_ignore = l.lint_ignore(&t.lint_ignore);
    Table {
        name: name.value.clone(),
        name_span: name.span,
        existing: existing.is_some(),
        physical_name: existing.or_else(|| fixed_name(l, cx, t.name.as_ref(), &TABLE)),
        key,
        sort_key,
        ttl: t.ttl.as_ref().map(|t| t.value.clone()),
        stream,
        retain: t.retain.as_ref().is_none_or(|r| r.value),
        renamed_from: renamed_from(&t.renamed_from),
        lint_ignore,
    }
}

fn key_attr(k: &Sp<RawKey>) -> KeyAttr {
    match &k.value {
        RawKey::Name(n) => KeyAttr {
            name: n.clone(),
            kind: KeyType::S,
            span: k.span,
        },
        RawKey::Typed(t) => KeyAttr {
            name: t.name.value.clone(),
            kind: t.kind.as_ref().map_or(KeyType::S, |k| k.value),
            span: k.span,
        },
    }
}

/// An S3 bucket; its name gets the account and region appended, so `region_len` (the
/// stage region's length, or the longest region's) decides whether it fits.
pub(super) fn lower_bucket(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    region_len: usize,
    name: &Sp<String>,
    b: &raw::RawBucket,
) -> Bucket {
    let prefix = cx.prefix;
    let key = &b.renamed_from.as_ref().unwrap_or(name).value;
    let existing = existing_name(
        l,
        cx,
        (name, Of::Bucket),
        b.existing.as_ref(),
        &[
            ("name", b.name.as_ref().map(|v| v.span)),
            ("retain", b.retain.as_ref().map(|v| v.span)),
            ("versioning", b.versioning.as_ref().map(|v| v.span)),
            ("renamed_from", b.renamed_from.as_ref().map(|v| v.span)),
        ],
    );
    let is_existing = b.existing.is_some();
    let fixed = existing.or_else(|| fixed_name(l, cx, b.name.as_ref(), &BUCKET));
    let len = prefix.len() + 1 + key.len() + 1 + 12 + 1 + region_len;
    if fixed.is_none() && b.name.is_none() && !is_existing && len > 63 {
        l.err(
            codes::INVALID_NAME,
            name.span,
            format!("bucket name `{prefix}-{key}-<account>-<region>` would be {len} characters; S3 allows 63"),
        )
        .help = Some("shorten the app, stage or bucket name, or set `name:`".into());
    }
    let lint_ignore = l.lint_ignore(&b.lint_ignore);
    Bucket {
        name: name.value.clone(),
        name_span: name.span,
        existing: is_existing,
        physical_name_pattern: fixed
            .unwrap_or_else(|| format!("{prefix}-{key}-${{AWS::AccountId}}-${{AWS::Region}}")),
        versioning: b.versioning.as_ref().is_some_and(|v| v.value),
        retain: b.retain.as_ref().is_none_or(|r| r.value),
        renamed_from: renamed_from(&b.renamed_from),
        lint_ignore,
    }
}

pub(super) fn lower_topic(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    name: &Sp<String>,
    t: &raw::RawTopic,
) -> Topic {
    let fifo = t.fifo.as_ref().is_some_and(|f| f.value);
    let lint_ignore = l.lint_ignore(&t.lint_ignore);
    let existing = existing_name(
        l,
        cx,
        (name, Of::Topic),
        t.existing.as_ref(),
        &[("name", t.name.as_ref().map(|v| v.span))],
    );
    let is_existing = t.existing.is_some();
    let fixed = existing.or_else(|| fixed_name(l, cx, t.name.as_ref(), &TOPIC));
    Topic {
        name: name.value.clone(),
        name_span: name.span,
        existing: is_existing,
        // FIFO topics need a name ending `.fifo`, which CloudFormation does not generate.
        physical_name: match (fixed, fifo) {
            (Some(n), true) if !n.ends_with(".fifo") => Some(format!("{n}.fifo")),
            (Some(n), _) => Some(n),
            (None, true) => Some(format!("{}-{}.fifo", cx.prefix, name.value)),
            (None, false) => None,
        },
        fifo,
        lint_ignore,
    }
}

/// A secret: exactly one of an SSM parameter or a Secrets Manager secret (an invalid one
/// keeps its place with an empty SSM name, so indexes still match the names).
pub(super) fn lower_secret(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    name: &Sp<String>,
    s: &raw::RawSecret,
) -> Secret {
    // `/app/${stage}/config`: the path is known before deploy.
    let text = |l: &mut Lower<'_>, v: &Sp<String>, what: &'static str| {
        let Some(value) = known_text(l, cx, v, what) else {
            return String::new();
        };
        check_secret_id(
            l,
            &Sp {
                value: value.clone(),
                span: v.span,
            },
            what,
        );
        value
    };
    let source = match (&s.ssm, &s.secretsmanager) {
        (Some(p), None) => SecretSource::Ssm(text(l, p, "an SSM parameter name")),
        (None, Some(n)) => SecretSource::SecretsManager(text(l, n, "a secret name")),
        (Some(_), Some(n)) => {
            l.err(
                codes::INVALID_VALUE,
                n.span,
                "a secret is either `ssm` or `secretsmanager`, not both",
            );
            SecretSource::Ssm(String::new())
        }
        (None, None) => {
            l.err(
                codes::MISSING_FIELD,
                name.span,
                format!(
                    "secret `{}` needs `ssm: /parameter/name` or `secretsmanager: name`",
                    name.value
                ),
            );
            SecretSource::Ssm(String::new())
        }
    };
    let kms_key = s.kms_key.as_ref().and_then(|k| kms_key(l, cx, k));
    Secret {
        name: name.value.clone(),
        name_span: name.span,
        source,
        kms_key,
    }
}

/// `kms_key:`: a KMS key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`); `${region}` and
/// `${account}` may be used. An alias ARN is refused: IAM grants `kms:Decrypt` on keys.
fn kms_key(l: &mut Lower<'_>, cx: &NameCx<'_>, k: &Sp<String>) -> Option<String> {
    let text = super::fixed_names::arn_text(l, cx, k, "a KMS key ARN")?;
    // Pseudo parameters hold colons of their own: check the ARN's shape without them.
    let shape = text
        .replace("${AWS::Region}", "region")
        .replace("${AWS::AccountId}", "account");
    let parts: Vec<&str> = shape.splitn(6, ':').collect();
    let ok = matches!(parts.as_slice(), ["arn", _, "kms", _, _, rest] if rest.starts_with("key/") && rest.len() > 4);
    if !ok {
        l.err(
            codes::INVALID_VALUE,
            k.span,
            format!("`{}` is not a KMS key ARN", k.value),
        )
        .help = Some("write the key's ARN, `arn:aws:kms:${region}:${account}:key/KEY-ID` (an alias ARN does not grant access to its key)".into());
        return None;
    }
    Some(text)
}

/// A bus: `{app}-{stage}-{key}`, and its archive's retention in whole days.
pub(super) fn lower_bus(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    name: &Sp<String>,
    b: &raw::RawBus,
) -> Bus {
    let archive_days = b.archive.as_ref().map(|a| {
        let secs = a.value.0;
        if secs < 86_400 || !secs.is_multiple_of(86_400) {
            l.err(
                codes::INVALID_VALUE,
                a.span,
                format!(
                    "an archive keeps events for whole days, not {}",
                    human_secs(secs)
                ),
            )
            .help = Some("write a number of days, e.g. `archive: 7d`".into());
        }
        let days = u32::try_from(secs / 86_400).unwrap_or(u32::MAX);
        Setting::written(days, a.span)
    });
    Bus {
        name: name.value.clone(),
        name_span: name.span,
        is_default: false,
        physical_name: format!("{}-{}", cx.prefix, name.value),
        archive_days,
        lint_ignore: l.lint_ignore(&b.lint_ignore),
    }
}

/// The account's default bus, when the spec names it (`bus: default`).
pub(super) fn default_bus(span: Span) -> Bus {
    Bus {
        name: super::names::DEFAULT_BUS.to_string(),
        name_span: span,
        is_default: true,
        physical_name: super::names::DEFAULT_BUS.to_string(),
        archive_days: None,
        lint_ignore: Vec::new(),
    }
}

/// An SSM parameter or secret name is not empty and has no whitespace.
fn check_secret_id(l: &mut Lower<'_>, id: &Sp<String>, what: &str) {
    if id.value.is_empty() || id.value.contains(char::is_whitespace) {
        l.err(
            codes::INVALID_VALUE,
            id.span,
            format!("{what} cannot be empty or contain spaces"),
        );
    }
}

fn renamed_from(r: &Option<Sp<String>>) -> Option<(String, Span)> {
    r.as_ref().map(|r| (r.value.clone(), r.span))
}

/// `renamed_from:` must name a key that is gone from the spec (a key still present is
/// its own resource), in the same kind of resource, and no two resources the same one.
pub(super) fn check_renames(l: &mut Lower<'_>, q: &[Queue], t: &[Table], b: &[Bucket]) {
    let queues: Vec<_> = q
        .iter()
        .map(|x| (x.name.as_str(), x.renamed_from.as_ref()))
        .collect();
    let tables: Vec<_> = t
        .iter()
        .map(|x| (x.name.as_str(), x.renamed_from.as_ref()))
        .collect();
    let buckets: Vec<_> = b
        .iter()
        .map(|x| (x.name.as_str(), x.renamed_from.as_ref()))
        .collect();
    check_kind(l, "queue", &queues);
    check_kind(l, "table", &tables);
    check_kind(l, "bucket", &buckets);
}

fn check_kind(l: &mut Lower<'_>, kind: &str, list: &[(&str, Option<&(String, Span)>)]) {
    let mut seen: Vec<&str> = Vec::new();
    let keys: Vec<&str> = list.iter().map(|(k, _)| *k).collect();
    for (key, r) in list {
        let Some((from, span)) = r else { continue };
        let problem = if from == key {
            Some(format!("{kind} `{key}` is renamed from itself"))
        } else if keys.contains(&from.as_str()) {
            Some(format!(
                "{kind} `{from}` is still in the spec, so `{key}` cannot be its new name"
            ))
        } else if seen.contains(&from.as_str()) {
            Some(format!("two {kind}s are renamed from `{from}`"))
        } else {
            None
        };
        seen.push(from);
        if let Some(msg) = problem {
            l.err(codes::INVALID_VALUE, *span, msg).help = Some(format!(
                "`renamed_from:` names the key this {kind} had before"
            ));
        }
    }
}
