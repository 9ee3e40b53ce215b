//! Lowering one function: its raw fields, defaults and code in, a `Function` out.

use super::*;

#[allow(clippy::too_many_arguments)]
pub(super) fn lower_function(
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
            code.span,
            format!("code directory `{c}` cannot be read: {why}"),
        )
        .help = Some(format!(
            "paths are relative to the spec file's directory ({})",
            l.file.base_dir().display()
        ));
    }
    CodeSource::Local {
        dir,
        written: c.to_string(),
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
