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
use std::collections::BTreeMap;

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
            match crate::lint::code_for(&c.value) {
                Some(code) => out.push((code, c.span)),
                None => {
                    let help = suggest::hint(&c.value, crate::lint::rule_codes());
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

/// Lower `raw` for `stage` (`None`: the spec's only stage, or `dev`).
pub fn lower(
    raw: &RawSpec,
    file: &SourceFile,
    stage: Option<&str>,
) -> (Option<Model>, Vec<Diagnostic>) {
    let mut l = Lower {
        file,
        diags: Vec::new(),
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

    let find = |kind: Kind, name: &str| -> Option<ResId> {
        name_lists[&kind]
            .iter()
            .position(|n| n == name)
            .map(|i| ResId::new(kind, i))
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

#[allow(clippy::too_many_arguments)]
fn lower_function(
    l: &mut Lower<'_>,
    name: &Sp<String>,
    f: &raw::RawFunction,
    defaults: Option<&raw::RawFunctionDefaults>,
    prefix: &str,
    scope: &RefScope<'_>,
    find: &dyn Fn(Kind, &str) -> Option<ResId>,
    unknown: &dyn Fn(&mut Lower<'_>, Kind, &Sp<String>),
    queues: &[Queue],
    topics: &[Topic],
) -> Function {
    let physical_name = format!("{prefix}-{}", name.value);
    if physical_name.len() > 64 {
        l.err(
            codes::INVALID_NAME,
            name.span,
            format!(
                "function name `{physical_name}` is {} characters; Lambda allows 64",
                physical_name.len()
            ),
        )
        .help = Some("shorten the app, stage or function name".into());
    }
    // Values from the function, else from defaults.function (span of the default entry).
    macro_rules! pick {
        ($field:ident) => {
            f.$field
                .as_ref()
                .or(defaults.and_then(|d| d.$field.as_ref()))
        };
    }
    let runtime = match pick!(runtime) {
        Some(r) => {
            if !RUNTIMES.contains(&r.value.as_str()) {
                let help = suggest::hint(&r.value, RUNTIMES.iter().copied());
                l.err(
                    codes::INVALID_VALUE,
                    r.span,
                    format!("`{}` is not a Lambda runtime fnplan knows", r.value),
                )
                .help = help;
            }
            Setting::written(r.value.clone(), r.span)
        }
        None => {
            l.err(
                codes::MISSING_FIELD,
                name.span,
                format!("function `{}` has no runtime", name.value),
            )
            .help = Some(
                "add `runtime: python3.12` (or similar) to the function or to `defaults.function`"
                    .into(),
            );
            Setting::default(String::new())
        }
    };
    let timeout = pick!(timeout).map(|t| l.dur_range(t, 1, 900, "timeout"));
    let memory = pick!(memory).map(|m| {
        l.range(m, 128, 10_240, "memory", " MB");
        Setting::written(m.value, m.span)
    });
    let concurrency = pick!(concurrency).map(|c| {
        l.range(c, 0, 10_000, "concurrency", "");
        Setting::written(c.value, c.span)
    });
    let provisioned = f.provisioned.as_ref().map(|p| {
        l.range(p, 1, 10_000, "provisioned", "");
        Setting::written(p.value, p.span)
    });
    if let (Some(p), Some(c)) = (&provisioned, &concurrency)
        && p.value > c.value
    {
        l.err(
            codes::INVALID_VALUE,
            p.span.unwrap_or(name.span),
            format!(
                "provisioned ({}) exceeds reserved concurrency ({})",
                p.value, c.value
            ),
        )
        .help = Some(
            "Lambda rejects provisioned concurrency above the function's reserved concurrency"
                .into(),
        );
    }
    let log_retention_days = pick!(log_retention_days).map(|r| {
        if !LOG_RETENTION_DAYS.contains(&r.value) {
            let list: Vec<String> = LOG_RETENTION_DAYS.iter().map(u32::to_string).collect();
            l.err(
                codes::INVALID_VALUE,
                r.span,
                format!("{} is not a CloudWatch Logs retention period", r.value),
            )
            .help = Some(format!("use one of {}", list.join(", ")));
        }
        Setting::written(r.value, r.span)
    });
    let architecture = pick!(architecture).map_or(Architecture::X86_64, |a| a.value);

    // handler and code
    if f.handler.value.trim().is_empty() || f.handler.value.len() > 128 {
        l.err(
            codes::INVALID_VALUE,
            f.handler.span,
            "a handler is 1..128 characters, e.g. `app.handler`",
        );
    }
    let code = lower_code(l, &f.code);

    // env
    let mut env = Vec::new();
    for (k, v) in named(&f.env) {
        let valid = k.value.starts_with(|c: char| c.is_ascii_alphabetic())
            && k.value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            l.err(
                codes::INVALID_NAME,
                k.span,
                format!("`{}` is not a valid environment variable name", k.value),
            )
            .help = Some("start with a letter; use letters, digits and `_`".into());
        } else if RESERVED_ENV.contains(&k.value.as_str()) {
            l.err(
                codes::INVALID_NAME,
                k.span,
                format!("`{}` is reserved by Lambda", k.value),
            )
            .help = Some("Lambda sets this variable itself; choose another name".into());
        }
        let mut d = Vec::new();
        let value = parse_interp(&v.value.0, v.span, l.file, scope, &mut d);
        l.diags.extend(d);
        env.push(EnvVar {
            name: k.value.clone(),
            name_span: k.span,
            value,
            value_span: v.span,
            written: v.value.0.clone(),
        });
    }

    // uses
    let mut uses = Vec::new();
    for (k, v) in named(&f.uses) {
        let parts = k.value.split_once('.').filter(|(_, t)| !t.contains('.'));
        let Some((kind_s, target)) = parts else {
            l.err(
                codes::INVALID_VALUE,
                k.span,
                format!("`{}` is not `kind.name`", k.value),
            )
            .help = Some("write e.g. `table.orders: read`".into());
            continue;
        };
        let Some(kind) = Kind::parse(kind_s) else {
            let help = suggest::hint(kind_s, Kind::ALL.iter().map(|k| k.as_str()));
            l.err(
                codes::UNKNOWN_REFERENCE,
                k.span,
                format!("unknown kind `{kind_s}` in `uses`"),
            )
            .help = help;
            continue;
        };
        let tname = Sp::new(target.to_string(), k.span);
        let Some(id) = find(kind, target) else {
            unknown(l, kind, &tname);
            continue;
        };
        let levels = Access::levels_for(kind);
        let Some(access) = levels.iter().copied().find(|a| a.as_str() == v.value) else {
            let help = suggest::hint(&v.value, levels.iter().map(|a| a.as_str()));
            l.err(
                codes::INVALID_VALUE,
                v.span,
                format!(
                    "`{}` is not an access level for a {}",
                    v.value,
                    kind.as_str()
                ),
            )
            .help = help;
            continue;
        };
        uses.push(Use {
            target: id,
            access,
            span: k.span,
        });
    }

    // triggers
    let mut triggers = Vec::new();
    let mut schedules = 0;
    for t in f.triggers.iter().flatten() {
        match t {
            RawTrigger::Queue(q) => {
                let Some(id) = find(Kind::Queue, &q.queue.value) else {
                    unknown(l, Kind::Queue, &q.queue);
                    continue;
                };
                let batch_window = q
                    .batch_window
                    .as_ref()
                    .map(|w| l.dur_range(w, 0, 300, "batch_window"));
                let batch_size = q
                    .batch_size
                    .as_ref()
                    .map(|b| Setting::written(b.value, b.span));
                // Lambda reads FIFO queues at most 10 messages at a time, without a window.
                let fifo = queues[id.index].fifo;
                if fifo && let Some(w) = q.batch_window.as_ref().filter(|w| w.value.0 > 0) {
                    l.err(
                        codes::INVALID_VALUE,
                        w.span,
                        format!(
                            "queue `{}` is FIFO, and FIFO queues have no batching window",
                            q.queue.value
                        ),
                    )
                    .help = Some(
                        "remove `batch_window` (Lambda does not support it for FIFO queues)".into(),
                    );
                }
                if let Some(b) = &q.batch_size {
                    if b.value == 0 || b.value > 10_000 {
                        l.err(
                            codes::OUT_OF_RANGE,
                            b.span,
                            format!("batch_size {} is out of range (1..10000)", b.value),
                        );
                    } else if fifo && b.value > 10 {
                        l.err(
                            codes::OUT_OF_RANGE,
                            b.span,
                            format!(
                                "batch_size {} is out of range for a FIFO queue (1..10)",
                                b.value
                            ),
                        );
                    } else if b.value > 10 && batch_window.as_ref().is_none_or(|w| w.value == 0) {
                        l.err(codes::INVALID_VALUE, b.span, format!("batch_size {} needs a batching window", b.value))
                            .help = Some("SQS mappings with batch_size over 10 need `batch_window` of at least 1 second".into());
                    }
                }
                let max_concurrency = q.max_concurrency.as_ref().map(|m| {
                    l.range(m, 2, 1000, "max_concurrency", "");
                    Setting::written(m.value, m.span)
                });
                triggers.push(Trigger::Queue(QueueTrigger {
                    queue: id,
                    batch_size,
                    batch_window,
                    max_concurrency,
                    report_failures: q.report_failures.as_ref().is_none_or(|r| r.value),
                    span: q.span,
                }));
            }
            RawTrigger::Schedule(s) => {
                if let Err(m) = validate_schedule(&s.schedule.value) {
                    l.err(codes::INVALID_VALUE, s.schedule.span, m)
                        .help = Some("see EventBridge \"Schedule expressions for rules\": `rate(5 minutes)`, `cron(0 2 * * ? *)`".into());
                }
                schedules += 1;
                triggers.push(Trigger::Schedule(ScheduleTrigger {
                    expression: s.schedule.value.trim().to_string(),
                    enabled: s.enabled.as_ref().is_none_or(|e| e.value),
                    ordinal: schedules,
                    span: s.span,
                }));
            }
            RawTrigger::Bucket(b) => {
                let Some(id) = find(Kind::Bucket, &b.bucket.value) else {
                    unknown(l, Kind::Bucket, &b.bucket);
                    continue;
                };
                let mut events = Vec::new();
                for e in b.events.iter().flatten() {
                    match e.value.as_str() {
                        "created" => events.push(BucketEvent::Created),
                        "removed" => events.push(BucketEvent::Removed),
                        other => {
                            let help = suggest::hint(other, ["created", "removed"]);
                            l.err(
                                codes::INVALID_VALUE,
                                e.span,
                                format!("`{other}` is not a bucket event"),
                            )
                            .help = help;
                        }
                    }
                }
                if events.is_empty() {
                    events.push(BucketEvent::Created);
                }
                events.dedup();
                triggers.push(Trigger::Bucket(BucketTrigger {
                    bucket: id,
                    events,
                    prefix: b.prefix.as_ref().map(|p| p.value.clone()),
                    suffix: b.suffix.as_ref().map(|p| p.value.clone()),
                    span: b.span,
                }));
            }
            RawTrigger::Topic(t) => {
                let Some(id) = find(Kind::Topic, &t.topic.value) else {
                    unknown(l, Kind::Topic, &t.topic);
                    continue;
                };
                if topics[id.index].fifo {
                    l.err(
                        codes::INVALID_VALUE,
                        t.topic.span,
                        format!("topic `{}` is FIFO, and SNS FIFO topics cannot invoke functions", t.topic.value),
                    )
                    .help = Some("FIFO topics deliver only to SQS queues; make the topic standard (drop `fifo: true`)".into());
                }
                triggers.push(Trigger::Topic(TopicTrigger {
                    topic: id,
                    filter_policy: t.filter_policy.as_ref().map(|p| p.value.0.clone()),
                    span: t.span,
                }));
            }
        }
    }
    // Two triggers on the same queue/bucket/topic would make duplicate resources.
    let mut seen: Vec<(ResId, Span)> = Vec::new();
    for t in &triggers {
        let id = match t {
            Trigger::Queue(q) => q.queue,
            Trigger::Bucket(b) => b.bucket,
            Trigger::Topic(x) => x.topic,
            Trigger::Schedule(_) => continue,
        };
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == id) {
            let first = *first;
            l.diags.push(
                Diagnostic::error(
                    codes::DUPLICATE,
                    "this function already has a trigger on the same source",
                )
                .at(t.span())
                .label(first, "first trigger here")
                .help("merge the two triggers (bucket triggers take several `events`)"),
            );
        } else {
            seen.push((id, t.span()));
        }
    }

    let on_failure = f
        .on_failure
        .as_ref()
        .and_then(|q| match find(Kind::Queue, &q.value) {
            Some(id) => {
                if queues[id.index].fifo {
                    l.err(
                        codes::INVALID_VALUE,
                        q.span,
                        format!("queue `{}` is FIFO, and Lambda cannot send failed events to a FIFO queue", q.value),
                    )
                    .help = Some("use a standard queue for `on_failure` (drop `fifo: true`)".into());
                }
                Some((id, q.span))
            }
            None => {
                unknown(l, Kind::Queue, q);
                None
            }
        });
    let retries = f.retries.as_ref().map(|r| {
        l.range(r, 0, 2, "retries", "");
        Setting::written(r.value, r.span)
    });
    let max_event_age = f
        .max_event_age
        .as_ref()
        .map(|a| l.dur_range(a, 60, 21_600, "max_event_age"));
    let policies = f
        .policies
        .iter()
        .flatten()
        .map(|p| (p.value.0.clone(), p.span))
        .collect();
    let lint_ignore = l.lint_ignore(&f.lint_ignore);

    Function {
        name: name.value.clone(),
        name_span: name.span,
        physical_name,
        handler: f.handler.value.clone(),
        handler_span: f.handler.span,
        code,
        code_span: f.code.span,
        runtime,
        timeout,
        memory,
        concurrency,
        provisioned,
        log_retention_days,
        architecture,
        description: f.description.as_ref().map(|d| d.value.clone()),
        env,
        uses,
        triggers,
        on_failure,
        retries,
        max_event_age,
        policies,
        lint_ignore,
    }
}

fn lower_code(l: &mut Lower<'_>, code: &Sp<String>) -> CodeSource {
    let c = code.value.trim();
    if let Some(rest) = c.strip_prefix("s3://") {
        match rest.split_once('/') {
            Some((bucket, key)) if !bucket.is_empty() && !key.is_empty() => {
                if !key.ends_with(".zip") {
                    l.err(
                        codes::INVALID_VALUE,
                        code.span,
                        "S3 code must be a `.zip` object",
                    )
                    .help = Some("write `s3://bucket/path/code.zip`".into());
                }
                return CodeSource::S3 {
                    bucket: bucket.into(),
                    key: key.into(),
                };
            }
            _ => {
                l.err(
                    codes::INVALID_VALUE,
                    code.span,
                    format!("`{c}` is not `s3://bucket/key.zip`"),
                );
                return CodeSource::S3 {
                    bucket: String::new(),
                    key: String::new(),
                };
            }
        }
    }
    let dir = l.file.base_dir().join(c);
    let package = match crate::package::package_dir(&dir) {
        Ok(p) => p,
        Err(e) => {
            code_error(l, code.span, c, &e);
            Default::default()
        }
    };
    CodeSource::Local {
        dir,
        written: c.to_string(),
        hash: package.sha256.clone(),
        package,
    }
}

/// S3's bucket naming rules (general purpose buckets).
pub fn check_bucket_name(name: &str) -> Result<(), &'static str> {
    if !(3..=63).contains(&name.len()) {
        return Err("it must be 3..63 characters long");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    {
        return Err("it may only use lowercase letters, digits, `-` and `.`");
    }
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !name.starts_with(alnum) || !name.ends_with(alnum) {
        return Err("it must start and end with a letter or digit");
    }
    if name.contains("..") {
        return Err("it must not contain `..`");
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Err("it must not look like an IP address");
    }
    Ok(())
}

/// A code directory that cannot be packaged: unreadable, a bad `.fnplanignore`, or over
/// Lambda's size limits (the largest files are listed).
fn code_error(l: &mut Lower<'_>, span: Span, written: &str, e: &crate::package::PackageError) {
    use crate::package::{IGNORE_FILE, PackageError, size};
    match e {
        PackageError::TooLarge { largest, .. } => {
            let list: Vec<String> = largest
                .iter()
                .map(|(f, n)| format!("{f} ({})", size(*n)))
                .collect();
            l.err(
                codes::OUT_OF_RANGE,
                span,
                format!("code directory `{written}` is too large to package: {e}"),
            )
            .help = Some(format!(
                "largest files: {}; exclude what the function does not need in `{written}/{IGNORE_FILE}` (gitignore syntax), or use a container image",
                list.join(", ")
            ));
        }
        PackageError::Ignore { .. } => {
            l.err(
                codes::INVALID_VALUE,
                span,
                format!("code directory `{written}`: {e}"),
            )
            .help = Some(format!("`{IGNORE_FILE}` uses gitignore syntax"));
        }
        PackageError::Io(_) | PackageError::Zip(_) => {
            l.err(
                codes::IO,
                span,
                format!("code directory `{written}` cannot be read: {e}"),
            )
            .help = Some(format!(
                "paths are relative to the spec file's directory ({})",
                l.file.base_dir().display()
            ));
        }
    }
}

fn lower_api(
    l: &mut Lower<'_>,
    a: &raw::RawApi,
    find: &dyn Fn(Kind, &str) -> Option<ResId>,
    unknown: &dyn Fn(&mut Lower<'_>, Kind, &Sp<String>),
    spec_span: Span,
) -> Api {
    let mut authorizers = Vec::new();
    for (name, z) in named(&a.authorizers) {
        l.name(name, "authorizer");
        let identity: Vec<String> = match &z.identity {
            Some(i) => {
                if !i.value.starts_with("$request.")
                    && !i.value.starts_with("$context.")
                    && !i.value.starts_with("$stageVariables.")
                {
                    l.err(
                        codes::INVALID_VALUE,
                        i.span,
                        format!("`{}` is not an identity source", i.value),
                    )
                    .help = Some("write e.g. `$request.header.Authorization`".into());
                }
                vec![i.value.clone()]
            }
            None => vec!["$request.header.Authorization".to_string()],
        };
        let kind = match (&z.jwt, &z.function) {
            (Some(j), None) => {
                if !j.issuer.value.starts_with("https://") {
                    l.err(
                        codes::INVALID_VALUE,
                        j.issuer.span,
                        "a JWT issuer is an `https://` URL",
                    );
                }
                if j.audience.is_empty() {
                    l.err(
                        codes::MISSING_FIELD,
                        name.span,
                        "a JWT authorizer needs at least one `audience`",
                    );
                }
                if let Some(t) = &z.cache_ttl {
                    l.err(
                        codes::INVALID_VALUE,
                        t.span,
                        "`cache_ttl` applies to Lambda authorizers only",
                    );
                }
                Some(AuthorizerKind::Jwt {
                    issuer: j.issuer.value.clone(),
                    audience: j.audience.iter().map(|a| a.value.clone()).collect(),
                })
            }
            (None, Some(fname)) => match find(Kind::Function, &fname.value) {
                Some(id) => Some(AuthorizerKind::Lambda {
                    function: id,
                    function_span: fname.span,
                    cache_ttl: z
                        .cache_ttl
                        .as_ref()
                        .map_or(0, |t| l.dur_range(t, 0, 3600, "cache_ttl").value),
                }),
                None => {
                    unknown(l, Kind::Function, fname);
                    None
                }
            },
            (Some(_), Some(f)) => {
                l.err(
                    codes::INVALID_VALUE,
                    f.span,
                    "an authorizer is either `jwt` or `function`, not both",
                );
                None
            }
            (None, None) => {
                l.err(
                    codes::MISSING_FIELD,
                    name.span,
                    format!(
                        "authorizer `{}` needs `jwt: {{ issuer, audience }}` or `function: NAME`",
                        name.value
                    ),
                );
                None
            }
        };
        if let Some(kind) = kind {
            authorizers.push(Authorizer {
                name: name.value.clone(),
                name_span: name.span,
                kind,
                identity,
            });
        }
    }
    let mut routes = Vec::new();
    for (key, r) in named(&a.routes) {
        let (method, path) = parse_route_key(l, key);
        let function = find(Kind::Function, &r.function.value);
        if function.is_none() {
            unknown(l, Kind::Function, &r.function);
        }
        let auth = match &r.auth {
            None => RouteAuth::Unset,
            Some(x) if x.value == "none" => RouteAuth::Public(x.span),
            Some(x) => match authorizers.iter().position(|z| z.name == x.value) {
                Some(i) => RouteAuth::Authorizer(i, x.span),
                None => {
                    let names: Vec<&str> = named(&a.authorizers)
                        .iter()
                        .map(|(n, _)| n.value.as_str())
                        .collect();
                    if names.contains(&x.value.as_str()) {
                        // The authorizer itself is invalid and already reported.
                        RouteAuth::Unset
                    } else {
                        let help = suggest::hint(&x.value, names.iter().copied().chain(["none"]))
                            .or(Some("declare it under `api.authorizers`, or write `auth: none` for a public route".into()));
                        l.err(
                            codes::UNKNOWN_REFERENCE,
                            x.span,
                            format!("no authorizer named `{}`", x.value),
                        )
                        .help = help;
                        RouteAuth::Unset
                    }
                }
            },
        };
        let lint_ignore = l.lint_ignore(&r.lint_ignore);
        let Some(function) = function else { continue };
        routes.push(Route {
            key: key.value.clone(),
            key_span: key.span,
            method,
            path,
            function,
            function_span: r.function.span,
            auth,
            lint_ignore,
        });
    }
    let cors = a.cors.as_ref().map(|c| {
        let origins: Vec<String> = c
            .origins
            .iter()
            .flatten()
            .map(|o| o.value.clone())
            .collect();
        if origins.is_empty() {
            l.err(
                codes::MISSING_FIELD,
                spec_span,
                "`api.cors` needs `origins`",
            )
            .help = Some("e.g. `cors: { origins: [\"https://app.example.com\"] }`".into());
        }
        let mut methods: Vec<String> = match &c.methods {
            Some(m) => m.iter().map(|m| m.value.to_ascii_uppercase()).collect(),
            None => {
                let mut m: Vec<String> = routes.iter().filter_map(|r| r.method.clone()).collect();
                if m.iter().any(|x| x == "ANY") {
                    m = vec!["*".to_string()];
                }
                m
            }
        };
        methods.sort();
        methods.dedup();
        for m in c.methods.iter().flatten() {
            let up = m.value.to_ascii_uppercase();
            if up != "*" && !METHODS.contains(&up.as_str()) {
                l.err(
                    codes::INVALID_VALUE,
                    m.span,
                    format!("`{}` is not an HTTP method", m.value),
                );
            }
        }
        Cors {
            span: c.span,
            origins,
            methods,
            headers: match &c.headers {
                Some(h) => h.iter().map(|h| h.value.clone()).collect(),
                None => vec!["authorization".into(), "content-type".into()],
            },
            expose_headers: c
                .expose_headers
                .iter()
                .flatten()
                .map(|h| h.value.clone())
                .collect(),
            credentials: c.credentials.as_ref().map(|c| c.value),
            max_age: c
                .max_age
                .as_ref()
                .map(|m| l.dur_range(m, 0, 86_400, "max_age").value),
        }
    });
    Api {
        span: spec_span,
        cors,
        authorizers,
        routes,
    }
}

fn parse_route_key(l: &mut Lower<'_>, key: &Sp<String>) -> (Option<String>, Option<String>) {
    let k = key.value.trim();
    if k == "$default" {
        return (None, None);
    }
    let Some((method, path)) = k.split_once(' ') else {
        l.err(
            codes::INVALID_VALUE,
            key.span,
            format!("`{k}` is not a route key"),
        )
        .help = Some("write `METHOD /path`, e.g. `GET /orders/{id}`, or `$default`".into());
        return (None, None);
    };
    let path = path.trim();
    if !METHODS.contains(&method) {
        let help = suggest::hint(method, METHODS.iter().copied());
        l.err(
            codes::INVALID_VALUE,
            key.span,
            format!("`{method}` is not an HTTP method"),
        )
        .help = help;
    }
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let valid_seg = |s: &str, last: bool| -> bool {
        if let Some(p) = s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let p = if last {
                p.strip_suffix('+').unwrap_or(p)
            } else {
                p
            };
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        } else {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
        }
    };
    let ok = path.starts_with('/')
        && (path == "/"
            || segs
                .iter()
                .enumerate()
                .all(|(i, s)| valid_seg(s, i + 1 == segs.len())));
    if !ok {
        l.err(
            codes::INVALID_VALUE,
            key.span,
            format!("`{path}` is not a valid route path"),
        )
        .help = Some(
            "paths start with `/`; parameters are `{name}`, a greedy last one `{name+}`".into(),
        );
    }
    (Some(method.to_string()), Some(path.to_string()))
}

/// Functions whose env refers to each other's name or ARN make a CloudFormation
/// circular dependency; a function that refers to itself does too.
fn check_env_cycles(l: &mut Lower<'_>, m: &Model) {
    use petgraph::graph::{DiGraph, NodeIndex};
    use petgraph::visit::EdgeRef;
    let mut g: DiGraph<(), Span> = DiGraph::new();
    let nodes: Vec<NodeIndex> = m.functions.iter().map(|_| g.add_node(())).collect();
    for (i, f) in m.functions.iter().enumerate() {
        for e in &f.env {
            for r in e.value.refs() {
                if let RefTarget::Res(ResId {
                    kind: Kind::Function,
                    index,
                }) = r.target
                {
                    g.add_edge(nodes[i], nodes[index], r.span);
                }
            }
        }
    }
    for scc in petgraph::algo::tarjan_scc(&g) {
        let cyclic = scc.len() > 1 || g.contains_edge(scc[0], scc[0]);
        if !cyclic {
            continue;
        }
        let mut members: Vec<usize> = scc.iter().map(|n| n.index()).collect();
        members.sort();
        let first = members[0];
        let span = g
            .edges(nodes[first])
            .find(|e| members.contains(&e.target().index()))
            .map_or(m.functions[first].name_span, |e| *e.weight());
        let names: Vec<String> = members
            .iter()
            .map(|i| format!("`{}`", m.functions[*i].name))
            .collect();
        let msg = if members.len() == 1 {
            format!("function {} refers to itself in `env`", names[0])
        } else {
            format!(
                "functions {} refer to each other in `env`",
                names.join(", ")
            )
        };
        l.err(codes::INVALID_VALUE, span, msg).help =
            Some("CloudFormation cannot create resources that depend on each other in a circle; pass the name through a stage variable or look it up at run time".into());
    }
}

/// Two names that map to the same logical ID would overwrite each other.
fn check_logical_ids(l: &mut Lower<'_>, m: &Model) {
    let mut seen: BTreeMap<String, (Span, String)> = BTreeMap::new();
    // One report per colliding pair, naming the first (main) logical ID they share.
    let mut reported: Vec<(Span, Span)> = Vec::new();
    let mut add = |l: &mut Lower<'_>, id: String, span: Span, what: String| {
        if let Some((first, first_what)) = seen.get(&id) {
            let (first, first_what) = (*first, first_what.clone());
            if reported.contains(&(first, span)) {
                return;
            }
            reported.push((first, span));
            l.diags.push(
                Diagnostic::error(
                    codes::LOGICAL_ID_COLLISION,
                    format!("{what} and {first_what} both become the logical ID `{id}`"),
                )
                .at(span)
                .label(first, "the other one")
                .help("rename one of them; logical IDs keep only the letters and digits of a name"),
            );
        } else {
            seen.insert(id, (span, what));
        }
    };
    for f in &m.functions {
        let w = format!("function `{}`", f.name);
        add(l, ids::function(&f.name), f.name_span, w.clone());
        add(l, ids::role(&f.name), f.name_span, w.clone());
        add(l, ids::log_group(&f.name), f.name_span, w.clone());
        add(l, ids::event_invoke_config(&f.name), f.name_span, w.clone());
        add(l, ids::alias(&f.name), f.name_span, w.clone());
        for t in &f.triggers {
            match t {
                Trigger::Queue(q) => add(
                    l,
                    ids::queue_mapping(&f.name, &m.queues[q.queue.index].name),
                    q.span,
                    format!("{w}'s queue trigger"),
                ),
                Trigger::Schedule(s) => {
                    add(
                        l,
                        ids::schedule_rule(&f.name, s.ordinal),
                        s.span,
                        format!("{w}'s schedule"),
                    );
                    add(
                        l,
                        ids::schedule_permission(&f.name, s.ordinal),
                        s.span,
                        format!("{w}'s schedule"),
                    );
                }
                Trigger::Bucket(b) => add(
                    l,
                    ids::bucket_permission(&f.name, &m.buckets[b.bucket.index].name),
                    b.span,
                    format!("{w}'s bucket trigger"),
                ),
                Trigger::Topic(x) => {
                    add(
                        l,
                        ids::topic_subscription(&f.name, &m.topics[x.topic.index].name),
                        x.span,
                        format!("{w}'s topic trigger"),
                    );
                    add(
                        l,
                        ids::topic_permission(&f.name, &m.topics[x.topic.index].name),
                        x.span,
                        format!("{w}'s topic trigger"),
                    );
                }
            }
        }
    }
    for q in &m.queues {
        add(
            l,
            ids::queue(&q.name),
            q.name_span,
            format!("queue `{}`", q.name),
        );
        add(
            l,
            ids::dlq(&q.name),
            q.name_span,
            format!("queue `{}`", q.name),
        );
    }
    for t in &m.tables {
        add(
            l,
            ids::table(&t.name),
            t.name_span,
            format!("table `{}`", t.name),
        );
    }
    for b in &m.buckets {
        add(
            l,
            ids::bucket(&b.name),
            b.name_span,
            format!("bucket `{}`", b.name),
        );
    }
    for t in &m.topics {
        add(
            l,
            ids::topic(&t.name),
            t.name_span,
            format!("topic `{}`", t.name),
        );
    }
    if let Some(api) = &m.api {
        for z in &api.authorizers {
            add(
                l,
                ids::authorizer(&z.name),
                z.name_span,
                format!("authorizer `{}`", z.name),
            );
            add(
                l,
                ids::authorizer_permission(&z.name),
                z.name_span,
                format!("authorizer `{}`", z.name),
            );
        }
        for r in &api.routes {
            let w = format!("route `{}`", r.key);
            add(l, ids::route(&r.key), r.key_span, w.clone());
            add(l, ids::route_integration(&r.key), r.key_span, w.clone());
            add(l, ids::route_permission(&r.key), r.key_span, w);
        }
    }
    // Output names must be unique too.
    let mut outs: BTreeMap<String, (Span, String)> = BTreeMap::new();
    let mut add_out = |l: &mut Lower<'_>, id: String, span: Span, what: String| {
        if let Some((first, fw)) = outs.get(&id) {
            let (first, fw) = (*first, fw.clone());
            if reported.contains(&(first, span)) {
                return;
            }
            l.diags.push(
                Diagnostic::error(
                    codes::LOGICAL_ID_COLLISION,
                    format!("{what} and {fw} both become the output `{id}`"),
                )
                .at(span)
                .label(first, "the other one"),
            );
        } else {
            outs.insert(id, (span, what));
        }
    };
    for f in &m.functions {
        add_out(
            l,
            ids::function_arn_output(&f.name),
            f.name_span,
            format!("function `{}`", f.name),
        );
    }
    for q in &m.queues {
        add_out(
            l,
            ids::queue_url_output(&q.name),
            q.name_span,
            format!("queue `{}`", q.name),
        );
    }
}
