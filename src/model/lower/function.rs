//! Lowering one function: its raw fields, defaults and code in, a `Function` out (its
//! triggers are lowered in `triggers.rs`).

use super::fixed_names::FUNCTION;
use super::triggers::{check_duplicate_triggers, lower_triggers};
use super::*;
use crate::model::runtimes;

/// What lowering a function needs besides its own fields.
pub(super) struct FnCx<'a> {
    /// `defaults.function`, for the values a function does not set itself.
    pub defaults: Option<&'a raw::RawFunctionDefaults>,
    /// `{app}-{stage}`, the start of every physical name.
    pub prefix: &'a str,
    /// What `${...}` in `env` may refer to.
    pub scope: &'a RefScope<'a>,
    pub names: &'a Names<'a>,
    /// The app's queues, tables and topics, lowered before its functions.
    pub queues: &'a [Queue],
    pub tables: &'a [Table],
    pub topics: &'a [Topic],
    pub buckets: &'a [Bucket],
    /// The app's layers, lowered before its functions.
    pub layers: &'a [Layer],
}

/// A function's runtime and sizing: its own values, else those of `defaults.function`.
struct Sizing {
    runtime: Setting<String>,
    timeout: Option<Setting<u64>>,
    memory: Option<Setting<u32>>,
    concurrency: Option<Setting<u32>>,
    provisioned: Option<Setting<u32>>,
    log_retention_days: Option<Setting<u32>>,
    architecture: Architecture,
    tracing_active: bool,
}

fn sizing(
    l: &mut Lower<'_>,
    name: &Sp<String>,
    f: &raw::RawFunction,
    defaults: Option<&raw::RawFunctionDefaults>,
) -> Sizing {
    // Values from the function, else from defaults.function (span of the default entry).
    macro_rules! pick {
        ($field:ident) => {
            f.$field
                .as_ref()
                .or(defaults.and_then(|d| d.$field.as_ref()))
        };
    }
    let runtime = lower_runtime(l, name, pick!(runtime));
    let timeout = pick!(timeout).map(|t| l.dur_range(t, 1, 900, "timeout"));
    let memory = pick!(memory).map(|m| l.range(m, 128, 10_240, "memory", " MB"));
    let concurrency = pick!(concurrency).map(|c| l.range(c, 0, 10_000, "concurrency", ""));
    let provisioned = f
        .provisioned
        .as_ref()
        .map(|p| l.range(p, 1, 10_000, "provisioned", ""));
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
    Sizing {
        runtime,
        timeout,
        memory,
        concurrency,
        provisioned,
        log_retention_days: pick!(log_retention_days).map(|r| lower_log_retention(l, r)),
        architecture: pick!(architecture).map_or(Architecture::X86_64, |a| a.value),
        tracing_active: pick!(tracing).is_some_and(|t| t.value == raw::Tracing::Active),
    }
}

fn lower_runtime(l: &mut Lower<'_>, name: &Sp<String>, r: Option<&Sp<String>>) -> Setting<String> {
    let Some(r) = r else {
        l.err(
            codes::MISSING_FIELD,
            name.span,
            format!("function `{}` has no runtime", name.value),
        )
        .help = Some(
            "add `runtime: python3.12` (or similar) to the function or to `defaults.function`"
                .into(),
        );
        return Setting::default(String::new());
    };
    match runtimes::find(&r.value) {
        None => {
            let help = suggest::hint(&r.value, runtimes::current(l.today));
            l.err(
                codes::INVALID_VALUE,
                r.span,
                format!("`{}` is not a Lambda runtime fnplan knows", r.value),
            )
            .help = help;
        }
        Some(known) if known.container_only => {
            let help = match known.current_successor(l.today) {
                Some(s) => format!("use `{s}`, its successor, which .zip packages can use"),
                None => "use a runtime for .zip packages".into(),
            };
            l.err(
                codes::INVALID_VALUE,
                r.span,
                format!(
                    "`{}` is a runtime for container images only, and fnplan deploys .zip packages",
                    r.value
                ),
            )
            .help = Some(help);
        }
        // Deprecated and blocked runtimes are known: lint (FN113) says what their dates mean.
        Some(_) => {}
    }
    Setting::written(r.value.clone(), r.span)
}

fn lower_log_retention(l: &mut Lower<'_>, r: &Sp<u32>) -> Setting<u32> {
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
}

/// One `env` entry: a valid, unreserved name and a value whose references resolve.
fn lower_env_var(
    l: &mut Lower<'_>,
    scope: &RefScope<'_>,
    k: &Sp<String>,
    v: &Sp<raw::Scalar>,
) -> EnvVar {
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
    EnvVar {
        name: k.value.clone(),
        name_span: k.span,
        value: l.interp(&v.value.0, v.span, scope),
        value_span: v.span,
        written: v.value.0.clone(),
    }
}

/// One `uses` entry, `kind.name: access` (`None` when it is invalid, already reported).
fn lower_use(l: &mut Lower<'_>, names: &Names<'_>, k: &Sp<String>, v: &Sp<String>) -> Option<Use> {
    // `bucket.media/thumbs/`: a bucket scoped to a key prefix (which may hold dots).
    let (key, prefix) = match k.value.split_once('/') {
        Some((key, rest)) if k.value.starts_with("bucket.") => (key, Some(format!("/{rest}"))),
        _ => (k.value.as_str(), None),
    };
    let parts = key.split_once('.').filter(|(_, t)| !t.contains('.'));
    let Some((kind_s, target)) = parts else {
        l.err(
            codes::INVALID_VALUE,
            k.span,
            format!("`{}` is not `kind.name`", k.value),
        )
        .help = Some("write e.g. `table.orders: read`".into());
        return None;
    };
    let Some(kind) = Kind::parse(kind_s) else {
        let help = suggest::hint(kind_s, Kind::ALL.iter().map(|k| k.as_str()));
        l.err(
            codes::UNKNOWN_REFERENCE,
            k.span,
            format!("unknown kind `{kind_s}` in `uses`"),
        )
        .help = help;
        return None;
    };
    let id = names.resolve(l, kind, &Sp::new(target.to_string(), k.span))?;
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
        return None;
    };
    let prefix = prefix.map(|p| p.trim_start_matches('/').to_string());
    if let Some(p) = &prefix
        && (p.is_empty() || p.contains('*') || p.contains("${"))
    {
        l.err(
            codes::INVALID_VALUE,
            k.span,
            format!("`{p}` is not a key prefix"),
        )
        .help = Some("write a literal prefix, e.g. `bucket.media/thumbs/: write`".into());
        return None;
    }
    Some(Use {
        target: id,
        access,
        prefix,
        span: k.span,
    })
}

/// `on_failure`: a standard queue of the app.
fn lower_on_failure(l: &mut Lower<'_>, cx: &FnCx<'_>, q: &Sp<String>) -> Option<(ResId, Span)> {
    let id = cx.names.resolve(l, Kind::Queue, q)?;
    if cx.queues.get(id.index).is_some_and(|x| x.fifo) {
        l.err(
            codes::INVALID_VALUE,
            q.span,
            format!(
                "queue `{}` is FIFO, and Lambda cannot send failed events to a FIFO queue",
                q.value
            ),
        )
        .help = Some("use a standard queue for `on_failure` (drop `fifo: true`)".into());
    }
    Some((id, q.span))
}

/// A raw IAM statement with the references in its strings resolved (`Resource:
/// "${table.t.stream_arn}"`); IAM's own `${aws:username}` variables stay text.
fn lower_policy(
    l: &mut Lower<'_>,
    scope: &RefScope<'_>,
    v: &serde_json::Value,
    span: Span,
) -> RawPolicy {
    let mut strings = Vec::new();
    strings_with_refs(v, String::new(), &mut strings);
    let refs = strings
        .into_iter()
        .map(|(pointer, text)| (pointer, text, l.interp(text, span, scope)))
        .filter(|(_, text, i)| i.as_literal().is_none_or(|lit| lit != *text))
        .map(|(pointer, _, i)| (pointer, i))
        .collect();
    RawPolicy {
        statement: v.clone(),
        refs,
        span,
    }
}

fn strings_with_refs<'a>(v: &'a serde_json::Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match v {
        serde_json::Value::String(s) if s.contains("${") => out.push((at, s)),
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                strings_with_refs(x, format!("{at}/{i}"), out);
            }
        }
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let key = k.replace('~', "~0").replace('/', "~1");
                strings_with_refs(x, format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
}

/// `{app}-{stage}-{name}`, which Lambda allows up to 64 characters.
fn physical_name(l: &mut Lower<'_>, prefix: &str, name: &Sp<String>) -> String {
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
    physical_name
}

fn check_handler(l: &mut Lower<'_>, handler: &Sp<String>) {
    if handler.value.trim().is_empty() || handler.value.len() > 128 {
        l.err(
            codes::INVALID_VALUE,
            handler.span,
            "a handler is 1..128 characters, e.g. `app.handler`",
        );
    }
}

pub(super) fn lower_function(
    l: &mut Lower<'_>,
    cx: &FnCx<'_>,
    name: &Sp<String>,
    f: &raw::RawFunction,
) -> Function {
    let ncx = super::fixed_names::NameCx {
        prefix: cx.prefix,
        app: cx.scope.app,
        stage: cx.scope.stage,
        vars: cx.scope.vars,
    };
    let physical_name = match &f.name {
        Some(_) => {
            super::fixed_names::fixed_name(l, &ncx, f.name.as_ref(), &FUNCTION).unwrap_or_default()
        }
        None => physical_name(l, cx.prefix, name),
    };
    let Sizing {
        runtime,
        timeout,
        memory,
        concurrency,
        provisioned,
        log_retention_days,
        architecture,
        tracing_active,
    } = sizing(l, name, f, cx.defaults);

    check_handler(l, &f.handler);
    let code = lower_code(l, &f.code);
    let layers =
        super::layers::lower_function_layers(l, cx, name, f, (&runtime.value, architecture));

    let env = lower_each(l, &f.env, |l, k, v| lower_env_var(l, cx.scope, k, v));
    let uses = lower_each(l, &f.uses, |l, k, v| lower_use(l, cx.names, k, v))
        .into_iter()
        .flatten()
        .collect();
    let triggers = lower_triggers(l, cx, f);
    check_duplicate_triggers(l, &triggers);
    let on_failure = f
        .on_failure
        .as_ref()
        .and_then(|q| lower_on_failure(l, cx, q));
    let retries = f.retries.as_ref().map(|r| l.range(r, 0, 2, "retries", ""));
    let max_event_age = f
        .max_event_age
        .as_ref()
        .map(|a| l.dur_range(a, 60, 21_600, "max_event_age"));
    let policies = f
        .policies
        .iter()
        .flatten()
        .map(|p| lower_policy(l, cx.scope, &p.value.0, p.span))
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
        tracing_active,
        layers,
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
    CodeSource::Local {
        dir: local_dir(l, c, code.span),
        written: c.to_string(),
    }
}

/// Local directory `c` (written at `span`) resolved against the spec's directory, with an
/// error when it is not a readable directory.
pub(super) fn local_dir(l: &mut Lower<'_>, c: &str, span: Span) -> std::path::PathBuf {
    let dir = l.file.base_dir().join(c);
    // Only the directory's existence is checked here (metadata); its files are read by
    // the commands that need them.
    let problem = match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => None,
        Ok(_) => Some("it is not a directory".to_string()),
        Err(e) => Some(e.to_string()),
    };
    if let Some(why) = problem {
        l.err(
            codes::IO,
            span,
            format!("code directory `{c}` cannot be read: {why}"),
        )
        .help = Some(format!(
            "paths are relative to the spec file's directory ({})",
            l.file.base_dir().display()
        ));
    }
    dir
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
