//! Lowering proper: `RawSpec` + stage in, `Model` + diagnostics out.

use super::ids;
use super::refs::{RefScope, parse_interp};
use super::schedule::validate_schedule;
use super::types::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};
use crate::spec::raw::{self, RawDlq, RawKey, RawSpec, RawStream, RawTrigger};
use crate::spec::{Named, Sp, codes};
use crate::suggest;
use std::collections::{BTreeMap, HashMap};

mod api;
mod checks;
mod function;

use api::lower_api;
use checks::{check_env_cycles, check_logical_ids};
pub use function::check_bucket_name;
use function::lower_function;

pub const DEFAULT_STAGE: &str = "dev";
pub const DEFAULT_VISIBILITY: u64 = 30;
pub const DEFAULT_RETENTION: u64 = 345_600;
pub const DEFAULT_DLQ_RETENTION: u64 = 1_209_600;
pub const DEFAULT_MAX_RECEIVE: u32 = 5;

/// Lambda runtimes fnplan accepts (zip packages).
pub const RUNTIMES: &[&str] = &[
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "nodejs24.x",
    "java8.al2",
    "java11",
    "java17",
    "java21",
    "java25",
    "dotnet8",
    "dotnet10",
    "ruby3.2",
    "ruby3.3",
    "ruby3.4",
    "provided.al2",
    "provided.al2023",
];

/// CloudWatch Logs retention values (days).
pub const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

const RESERVED_ENV: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY",
];

/// The stages a spec declares (`dev` when it declares none).
pub fn stage_names(raw: &RawSpec) -> Vec<String> {
    match &raw.stages {
        Some(s) if !s.is_empty() => s.names().map(str::to_string).collect(),
        _ => vec![DEFAULT_STAGE.to_string()],
    }
}

struct Lower<'a> {
    file: &'a SourceFile,
    diags: Vec<Diagnostic>,
    /// The lint rule codes `lint_ignore` may name (the lint stage's, handed in).
    rule_codes: &'a [&'static str],
}

impl Lower<'_> {
    fn err(&mut self, code: Code, span: Span, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(code, msg).at(span));
        self.diags.last_mut().expect("pushed")
    }

    fn range<T: PartialOrd + std::fmt::Display + Copy>(
        &mut self,
        v: &Sp<T>,
        min: T,
        max: T,
        what: &str,
        unit: &str,
    ) -> bool {
        if v.value < min || v.value > max {
            self.err(
                codes::OUT_OF_RANGE,
                v.span,
                format!(
                    "{what} {}{unit} is out of range ({min}..{max}{unit})",
                    v.value
                ),
            );
            return false;
        }
        true
    }

    fn dur_range(&mut self, v: &Sp<raw::Duration>, min: u64, max: u64, what: &str) -> Setting<u64> {
        if v.value.0 < min || v.value.0 > max {
            self.err(
                codes::OUT_OF_RANGE,
                v.span,
                format!(
                    "{what} of {} is out of range ({}..{})",
                    human_secs(v.value.0),
                    human_secs(min),
                    human_secs(max)
                ),
            );
        }
        Setting::written(v.value.0, v.span)
    }

    fn name(&mut self, name: &Sp<String>, what: &str) -> bool {
        let n = &name.value;
        let ok = n.len() <= 64
            && n.starts_with(|c: char| c.is_ascii_lowercase())
            && !n.ends_with('-')
            && n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            self.err(codes::INVALID_NAME, name.span, format!("`{n}` is not a valid {what} name"))
                .help = Some("names start with a lowercase letter and use lowercase letters, digits and `-` (at most 64, not ending in `-`)".into());
        }
        ok
    }

    fn lint_ignore(&mut self, list: &Option<Vec<Sp<String>>>) -> Vec<(Code, Span)> {
        let mut out = Vec::new();
        for c in list.iter().flatten() {
            let known = self
                .rule_codes
                .iter()
                .find(|k| k.eq_ignore_ascii_case(c.value.trim()));
            match known {
                Some(code) => out.push((Code(code), c.span)),
                None => {
                    let help = suggest::hint(&c.value, self.rule_codes.iter().copied());
                    self.err(
                        codes::INVALID_VALUE,
                        c.span,
                        format!("`{}` is not a lint rule code", c.value),
                    )
                    .help = help.or(Some("run `fnplan rules` to list them".into()));
                }
            }
        }
        out
    }
}

fn human_secs(s: u64) -> String {
    if s >= 86400 && s.is_multiple_of(86400) {
        format!("{}d", s / 86400)
    } else if s >= 3600 && s.is_multiple_of(3600) {
        format!("{}h", s / 3600)
    } else if s >= 60 && s.is_multiple_of(60) {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

fn named<V>(n: &Option<Named<V>>) -> &[(Sp<String>, V)] {
    n.as_ref().map_or(&[], |n| n.0.as_slice())
}

/// Lower `raw` for `stage` (`None`: the spec's only stage, or `dev`). `rule_codes` are
/// the lint rule codes `lint_ignore` may name (`lint::rule_codes()`; the model does not
/// know the lint stage).
pub fn lower(
    raw: &RawSpec,
    file: &SourceFile,
    stage: Option<&str>,
    rule_codes: &[&'static str],
) -> (Option<Model>, Vec<Diagnostic>) {
    let mut l = Lower {
        file,
        diags: Vec::new(),
        rule_codes,
    };
    let model = lower_inner(&mut l, raw, stage);
    let mut diags = l.diags;
    crate::diagnostic::sort(&mut diags);
    if diags.iter().any(|d| d.is_error()) {
        (None, diags)
    } else {
        (model, diags)
    }
}

fn lower_inner(l: &mut Lower<'_>, raw: &RawSpec, stage_arg: Option<&str>) -> Option<Model> {
    // ---- version, app, stage
    if raw.version.value != 1 {
        l.err(
            codes::INVALID_VALUE,
            raw.version.span,
            format!("unsupported spec version {}", raw.version.value),
        )
        .help = Some("this fnplan reads `version: 1`".into());
    }
    let app = raw.app.value.clone();
    let app_ok = app.len() <= 40
        && app.starts_with(|c: char| c.is_ascii_lowercase())
        && app
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !app_ok {
        l.err(
            codes::INVALID_NAME,
            raw.app.span,
            format!("`{app}` is not a valid app name"),
        )
        .help = Some("an app name matches ^[a-z][a-z0-9-]{0,39}$".into());
    }
    let known = stage_names(raw);
    for (name, _) in named(&raw.stages) {
        l.name(name, "stage");
    }
    let stage = match stage_arg {
        Some(s) => s.to_string(),
        None if known.len() == 1 => known[0].clone(),
        None if known.iter().any(|k| k == DEFAULT_STAGE) => DEFAULT_STAGE.to_string(),
        None => {
            let span = raw
                .stages
                .as_ref()
                .and_then(|s| s.0.first())
                .map_or(raw.span, |(k, _)| k.span);
            l.err(
                codes::UNKNOWN_STAGE,
                span,
                "this spec has several stages and none is named `dev`; choose one",
            )
            .help = Some(format!(
                "pass `--stage NAME` with one of: {}",
                known.join(", ")
            ));
            return None;
        }
    };
    if !known.contains(&stage) {
        let span = raw
            .stages
            .as_ref()
            .and_then(|s| s.0.first())
            .map_or(Span::new(0, 0), |(k, _)| k.span);
        let help = match suggest::closest(&stage, known.iter().map(String::as_str)) {
            Some(c) => format!("did you mean `{c}`? known stages: {}", known.join(", ")),
            None => format!("known stages: {}", known.join(", ")),
        };
        l.err(
            codes::UNKNOWN_STAGE,
            span,
            format!("unknown stage `{stage}`"),
        )
        .help = Some(help);
        return None;
    }
    let stage_raw = raw.stages.as_ref().and_then(|s| s.get(&stage));
    let region = stage_raw.and_then(|s| s.region.as_ref()).map(|r| {
        let ok = r.value.len() <= 25
            && r.value.split('-').count() >= 3
            && r.value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            l.err(
                codes::INVALID_VALUE,
                r.span,
                format!("`{}` is not an AWS region name", r.value),
            )
            .help = Some("regions look like `eu-west-1` or `us-east-1`".into());
        }
        r.value.clone()
    });
    let mut vars: Vec<(String, String)> = Vec::new();
    if let Some(v) = stage_raw.and_then(|s| s.vars.as_ref()) {
        for (k, val) in v.iter() {
            if !k
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
                || k.value.is_empty()
            {
                l.err(
                    codes::INVALID_NAME,
                    k.span,
                    format!("`{}` is not a valid variable name", k.value),
                )
                .help = Some("variable names use letters, digits and `_`".into());
            }
            vars.push((k.value.clone(), val.value.0.clone()));
        }
    }

    // ---- names of everything, checked first so references can be resolved
    let mut name_lists: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
    macro_rules! names_of {
        ($field:expr, $kind:expr, $what:literal) => {{
            let mut v = Vec::new();
            for (n, _) in named(&$field) {
                l.name(n, $what);
                v.push(n.value.clone());
            }
            name_lists.insert($kind, v);
        }};
    }
    names_of!(raw.functions, Kind::Function, "function");
    names_of!(raw.queues, Kind::Queue, "queue");
    names_of!(raw.tables, Kind::Table, "table");
    names_of!(raw.buckets, Kind::Bucket, "bucket");
    names_of!(raw.topics, Kind::Topic, "topic");
    names_of!(raw.secrets, Kind::Secret, "secret");

    // Name -> index per kind (the first, should a name repeat): references resolve in
    // constant time, not by a scan per reference (quadratic on big apps).
    let name_index: BTreeMap<Kind, HashMap<&str, usize>> = name_lists
        .iter()
        .map(|(k, names)| {
            let mut m = HashMap::with_capacity(names.len());
            for (i, n) in names.iter().enumerate() {
                m.entry(n.as_str()).or_insert(i);
            }
            (*k, m)
        })
        .collect();
    let index_of = |kind: Kind, name: &str| -> Option<usize> {
        name_index.get(&kind).and_then(|m| m.get(name)).copied()
    };
    let find = |kind: Kind, name: &str| -> Option<ResId> {
        index_of(kind, name).map(|i| ResId::new(kind, i))
    };
    let unknown = |l: &mut Lower<'_>, kind: Kind, name: &Sp<String>| {
        let list = &name_lists[&kind];
        let help = suggest::hint(&name.value, list.iter().map(String::as_str))
            .or(Some(format!("declare it under `{}s:`", kind.as_str())));
        l.err(
            codes::UNKNOWN_REFERENCE,
            name.span,
            format!("no {} named `{}`", kind.as_str(), name.value),
        )
        .help = help;
    };
    let prefix = format!("{app}-{stage}");

    // ---- resources
    let mut queues = Vec::new();
    for (name, q) in named(&raw.queues) {
        let fifo = q.fifo.as_ref().is_some_and(|f| f.value);
        let suffix = if fifo { ".fifo" } else { "" };
        let visibility = match &q.visibility_timeout {
            Some(v) => l.dur_range(v, 0, 43_200, "visibility_timeout"),
            None => Setting::default(DEFAULT_VISIBILITY),
        };
        let retention = match &q.retention {
            Some(v) => l.dur_range(v, 60, 1_209_600, "retention"),
            None => Setting::default(DEFAULT_RETENTION),
        };
        let dlq_name = format!("{prefix}-{}-dlq{suffix}", name.value);
        let dlq = match &q.dlq {
            None => DlqSetting::Absent,
            Some(Sp {
                value: RawDlq::Enabled(false),
                span,
            }) => DlqSetting::Disabled(*span),
            Some(Sp {
                value: RawDlq::Enabled(true),
                span,
            }) => DlqSetting::Enabled(Dlq {
                physical_name: dlq_name.clone(),
                max_receive_count: Setting::default(DEFAULT_MAX_RECEIVE),
                retention: Setting::default(DEFAULT_DLQ_RETENTION),
                span: *span,
            }),
            Some(Sp {
                value: RawDlq::Settings(s),
                span,
            }) => DlqSetting::Enabled(Dlq {
                physical_name: dlq_name.clone(),
                max_receive_count: match &s.max_receive_count {
                    Some(m) => {
                        l.range(m, 1, 1000, "max_receive_count", "");
                        Setting::written(m.value, m.span)
                    }
                    None => Setting::default(DEFAULT_MAX_RECEIVE),
                },
                retention: match &s.retention {
                    Some(r) => l.dur_range(r, 60, 1_209_600, "DLQ retention"),
                    None => Setting::default(DEFAULT_DLQ_RETENTION),
                },
                span: *span,
            }),
        };
        let physical_name = format!("{prefix}-{}{suffix}", name.value);
        let longest = if matches!(dlq, DlqSetting::Enabled(_)) {
            &dlq_name
        } else {
            &physical_name
        };
        if longest.len() > 80 {
            l.err(
                codes::INVALID_NAME,
                name.span,
                format!(
                    "queue name `{longest}` is {} characters; SQS allows 80",
                    longest.len()
                ),
            )
            .help = Some("shorten the app, stage or queue name".into());
        }
        let lint_ignore = l.lint_ignore(&q.lint_ignore);
        queues.push(Queue {
            name: name.value.clone(),
            name_span: name.span,
            physical_name,
            visibility_timeout: visibility,
            retention,
            fifo,
            dlq,
            lint_ignore,
        });
    }

    let mut tables = Vec::new();
    for (name, t) in named(&raw.tables) {
        let key_attr = |k: &Sp<RawKey>| match &k.value {
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
        };
        let key = key_attr(&t.key);
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
            if k.name.is_empty() || k.name.len() > 255 {
                l.err(
                    codes::INVALID_VALUE,
                    k.span,
                    "a key attribute name must be 1..255 characters",
                );
            }
        }
        let stream = match &t.stream {
            None
            | Some(Sp {
                value: RawStream::Enabled(false),
                ..
            }) => None,
            Some(Sp {
                value: RawStream::Enabled(true),
                ..
            }) => Some(StreamView::NewAndOldImages),
            Some(Sp {
                value: RawStream::View(v),
                ..
            }) => Some(*v),
        };
        let lint_ignore = l.lint_ignore(&t.lint_ignore);
        tables.push(Table {
            name: name.value.clone(),
            name_span: name.span,
            physical_name: format!("{prefix}-{}", name.value),
            key,
            sort_key,
            ttl: t.ttl.as_ref().map(|t| t.value.clone()),
            stream,
            retain: t.retain.as_ref().is_none_or(|r| r.value),
            lint_ignore,
        });
    }

    let mut buckets = Vec::new();
    for (name, b) in named(&raw.buckets) {
        let region_len = region.as_ref().map_or(14, String::len);
        let len = prefix.len() + 1 + name.value.len() + 1 + 12 + 1 + region_len;
        if len > 63 {
            l.err(
                codes::INVALID_NAME,
                name.span,
                format!("bucket name `{prefix}-{}-<account>-<region>` would be {len} characters; S3 allows 63", name.value),
            )
            .help = Some("shorten the app, stage or bucket name".into());
        }
        let lint_ignore = l.lint_ignore(&b.lint_ignore);
        buckets.push(Bucket {
            name: name.value.clone(),
            name_span: name.span,
            physical_name_pattern: format!(
                "{prefix}-{}-${{AWS::AccountId}}-${{AWS::Region}}",
                name.value
            ),
            versioning: b.versioning.as_ref().is_some_and(|v| v.value),
            retain: b.retain.as_ref().is_none_or(|r| r.value),
            lint_ignore,
        });
    }

    let mut topics = Vec::new();
    for (name, t) in named(&raw.topics) {
        let fifo = t.fifo.as_ref().is_some_and(|f| f.value);
        let lint_ignore = l.lint_ignore(&t.lint_ignore);
        topics.push(Topic {
            name: name.value.clone(),
            name_span: name.span,
            physical_name: format!("{prefix}-{}{}", name.value, if fifo { ".fifo" } else { "" }),
            fifo,
            lint_ignore,
        });
    }

    let mut secrets = Vec::new();
    for (name, s) in named(&raw.secrets) {
        let source = match (&s.ssm, &s.secretsmanager) {
            (Some(p), None) => {
                if p.value.is_empty() || p.value.contains(char::is_whitespace) {
                    l.err(
                        codes::INVALID_VALUE,
                        p.span,
                        "an SSM parameter name cannot be empty or contain spaces",
                    );
                }
                Some(SecretSource::Ssm(p.value.clone()))
            }
            (None, Some(n)) => {
                if n.value.is_empty() || n.value.contains(char::is_whitespace) {
                    l.err(
                        codes::INVALID_VALUE,
                        n.span,
                        "a secret name cannot be empty or contain spaces",
                    );
                }
                Some(SecretSource::SecretsManager(n.value.clone()))
            }
            (Some(_), Some(n)) => {
                l.err(
                    codes::INVALID_VALUE,
                    n.span,
                    "a secret is either `ssm` or `secretsmanager`, not both",
                );
                None
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
                None
            }
        };
        if let Some(source) = source {
            secrets.push(Secret {
                name: name.value.clone(),
                name_span: name.span,
                source,
            });
        } else {
            secrets.push(Secret {
                name: name.value.clone(),
                name_span: name.span,
                source: SecretSource::Ssm(String::new()),
            });
        }
    }

    // ---- reference scope
    let has_api = raw
        .api
        .as_ref()
        .is_some_and(|a| a.routes.as_ref().is_some_and(|r| !r.is_empty()));
    let name_fn = |k: Kind| -> Vec<&str> { name_lists[&k].iter().map(String::as_str).collect() };
    let stream_fn = |t: &str| tables.iter().any(|x| x.name == t && x.stream.is_some());
    let scope = RefScope {
        app: &app,
        stage: &stage,
        vars: &vars,
        names: &name_fn,
        index_of: &index_of,
        has_api,
        table_has_stream: &stream_fn,
    };

    // ---- tags
    let mut tags = Vec::new();
    for (k, v) in named(&raw.tags) {
        if k.value.is_empty() || k.value.len() > 128 || k.value.starts_with("aws:") {
            l.err(
                codes::INVALID_VALUE,
                k.span,
                format!("`{}` is not a valid tag key", k.value),
            )
            .help = Some("tag keys are 1..128 characters and may not start with `aws:`".into());
        }
        let mut d = Vec::new();
        let value = parse_interp(&v.value, v.span, l.file, &scope, &mut d);
        l.diags.extend(d);
        match value.as_literal() {
            Some(s) if s.len() <= 256 => tags.push((k.value.clone(), s)),
            Some(_) => {
                l.err(
                    codes::OUT_OF_RANGE,
                    v.span,
                    "a tag value is at most 256 characters",
                );
            }
            None => {
                l.err(
                    codes::INVALID_VALUE,
                    v.span,
                    "tag values may use `${app}`, `${stage}` and `${var.NAME}` only",
                );
            }
        }
    }

    // ---- functions
    let defaults = raw.defaults.as_ref().and_then(|d| d.function.as_ref());
    let mut functions = Vec::new();
    for (name, f) in named(&raw.functions) {
        functions.push(lower_function(
            l, name, f, defaults, &prefix, &scope, &find, &unknown, &queues, &topics,
        ));
    }

    // ---- API
    let api = raw
        .api
        .as_ref()
        .map(|a| lower_api(l, a, &find, &unknown, raw.span));

    let lint_ignore = l.lint_ignore(&raw.lint.as_ref().and_then(|x| x.ignore.clone()));

    let artifact_bucket = raw.artifacts.as_ref().map(|a| {
        if let Err(why) = check_bucket_name(&a.bucket.value) {
            l.err(
                codes::INVALID_NAME,
                a.bucket.span,
                format!("`{}` is not a valid S3 bucket name: {why}", a.bucket.value),
            )
            .help = Some(
                "bucket names are 3..63 lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit"
                    .into(),
            );
        }
        (a.bucket.value.clone(), a.bucket.span)
    });
    let model = Model {
        app: app.clone(),
        app_span: raw.app.span,
        stage: stage.clone(),
        stack_name: prefix,
        region,
        tags,
        api,
        functions,
        queues,
        tables,
        buckets,
        topics,
        secrets,
        lint_ignore,
        artifact_bucket,
    };
    check_env_cycles(l, &model);
    check_logical_ids(l, &model);
    Some(model)
}
