//! Lowering one function's triggers: its raw `triggers` in, model [`Trigger`]s out (queue
//! and stream batching, schedule expressions, bucket events, FIFO limits and table
//! streams checked).

use super::function::FnCx;
use super::*;
use crate::model::validate_schedule;
use crate::spec::raw::{
    RawBucketTrigger, RawBusTrigger, RawQueueTrigger, RawStreamTrigger, RawTopicTrigger,
    RawTrigger, RecordAge, StartingPosition,
};

/// The function's triggers in spec order; those that refer to nothing are left out.
pub(super) fn lower_triggers(
    l: &mut Lower<'_>,
    cx: &FnCx<'_>,
    f: &raw::RawFunction,
) -> Vec<Trigger> {
    let mut triggers = Vec::new();
    let mut schedules = 0;
    let mut buses = 0;
    for t in f.triggers.iter().flatten() {
        let trigger = match t {
            RawTrigger::Queue(q) => queue_trigger(l, cx, q),
            RawTrigger::Schedule(s) => {
                if let Err(m) = validate_schedule(&s.schedule.value) {
                    l.err(codes::INVALID_VALUE, s.schedule.span, m)
                        .help = Some("see EventBridge \"Schedule expressions for rules\": `rate(5 minutes)`, `cron(0 2 * * ? *)`".into());
                }
                schedules += 1;
                Some(Trigger::Schedule(ScheduleTrigger {
                    expression: s.schedule.value.trim().to_string(),
                    enabled: s.enabled.as_ref().is_none_or(|e| e.value),
                    ordinal: schedules,
                    span: s.span,
                }))
            }
            RawTrigger::Bucket(b) => bucket_trigger(l, cx, b),
            RawTrigger::Topic(t) => topic_trigger(l, cx, t),
            RawTrigger::Stream(s) => stream_trigger(l, cx, s),
            RawTrigger::Bus(b) => {
                buses += 1;
                bus_trigger(l, cx, b, buses)
            }
        };
        triggers.extend(trigger);
    }
    triggers
}

fn queue_trigger(l: &mut Lower<'_>, cx: &FnCx<'_>, q: &RawQueueTrigger) -> Option<Trigger> {
    let id = cx.names.resolve(l, Kind::Queue, &q.queue)?;
    let batch_window = q
        .batch_window
        .as_ref()
        .map(|w| l.dur_range(w, 0, 300, "batch_window"));
    // Lambda reads FIFO queues at most 10 messages at a time, without a window.
    let fifo = cx.queues.get(id.index).is_some_and(|x| x.fifo);
    if fifo && let Some(w) = q.batch_window.as_ref().filter(|w| w.value.0 > 0) {
        l.err(
            codes::INVALID_VALUE,
            w.span,
            format!(
                "queue `{}` is FIFO, and FIFO queues have no batching window",
                q.queue.value
            ),
        )
        .help = Some("remove `batch_window` (Lambda does not support it for FIFO queues)".into());
    }
    if let Some(b) = &q.batch_size {
        check_batch_size(l, b, fifo, batch_window.as_ref());
    }
    let max_concurrency = q
        .max_concurrency
        .as_ref()
        .map(|m| l.range(m, 2, 1000, "max_concurrency", ""));
    Some(Trigger::Queue(QueueTrigger {
        queue: id,
        batch_size: q
            .batch_size
            .as_ref()
            .map(|b| Setting::written(b.value, b.span)),
        batch_window,
        max_concurrency,
        report_failures: q.report_failures.as_ref().is_none_or(|r| r.value),
        span: q.span,
    }))
}

/// Standard queues take batches of 1..10000 (over 10 with a batching window), FIFO 1..10.
fn check_batch_size(
    l: &mut Lower<'_>,
    b: &Sp<u32>,
    fifo: bool,
    batch_window: Option<&Setting<u64>>,
) {
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
    } else if b.value > 10 && batch_window.is_none_or(|w| w.value == 0) {
        l.err(
            codes::INVALID_VALUE,
            b.span,
            format!("batch_size {} needs a batching window", b.value),
        )
        .help = Some(
            "SQS mappings with batch_size over 10 need `batch_window` of at least 1 second".into(),
        );
    }
}

fn bucket_trigger(l: &mut Lower<'_>, cx: &FnCx<'_>, b: &RawBucketTrigger) -> Option<Trigger> {
    let id = cx.names.resolve(l, Kind::Bucket, &b.bucket)?;
    if cx.buckets.get(id.index).is_some_and(|x| x.existing) {
        l.err(
            codes::INVALID_VALUE,
            b.bucket.span,
            format!("bucket `{}` is `existing`: its notifications are not fnplan's to set", b.bucket.value),
        )
        .help = Some("trigger the function from a bucket fnplan creates, or add the notification where the bucket is defined (S3 -> this function, with a Lambda permission)".into());
        return None;
    }
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
    Some(Trigger::Bucket(BucketTrigger {
        bucket: id,
        events,
        prefix: b.prefix.as_ref().map(|p| p.value.clone()),
        suffix: b.suffix.as_ref().map(|p| p.value.clone()),
        span: b.span,
    }))
}

fn topic_trigger(l: &mut Lower<'_>, cx: &FnCx<'_>, t: &RawTopicTrigger) -> Option<Trigger> {
    let id = cx.names.resolve(l, Kind::Topic, &t.topic)?;
    if cx.topics.get(id.index).is_some_and(|x| x.fifo) {
        l.err(
            codes::INVALID_VALUE,
            t.topic.span,
            format!(
                "topic `{}` is FIFO, and SNS FIFO topics cannot invoke functions",
                t.topic.value
            ),
        )
        .help = Some(
            "FIFO topics deliver only to SQS queues; make the topic standard (drop `fifo: true`)"
                .into(),
        );
    }
    Some(Trigger::Topic(TopicTrigger {
        topic: id,
        filter_policy: t.filter_policy.as_ref().map(|p| p.value.0.clone()),
        span: t.span,
    }))
}

/// A bus trigger: an EventBridge rule whose target's retry policy is checked against
/// `AWS::Events::Rule` (0..185 retries, 60 s..24 h event age).
fn bus_trigger(
    l: &mut Lower<'_>,
    cx: &FnCx<'_>,
    b: &RawBusTrigger,
    ordinal: usize,
) -> Option<Trigger> {
    let bus = cx.names.resolve(l, Kind::Bus, &b.bus)?;
    let retries = b
        .retries
        .as_ref()
        .map(|r| l.range(r, 0, 185, "retries", ""));
    let max_event_age = b
        .max_event_age
        .as_ref()
        .map(|a| l.dur_range(a, 60, 86_400, "max_event_age"));
    let dlq = match &b.dlq {
        Some(d) => Setting::written(d.value, d.span),
        None => Setting::default(true),
    };
    Some(Trigger::Bus(BusTrigger {
        bus,
        pattern: b.pattern.value.0.clone(),
        pattern_span: b.pattern.span,
        retries,
        max_event_age,
        dlq,
        ordinal,
        span: b.span,
    }))
}

/// A table stream trigger: the table must have a stream; batching and retry settings are
/// checked against the ranges of `AWS::Lambda::EventSourceMapping`.
fn stream_trigger(l: &mut Lower<'_>, cx: &FnCx<'_>, s: &RawStreamTrigger) -> Option<Trigger> {
    let id = cx.names.resolve(l, Kind::Table, &s.table)?;
    if cx.tables.get(id.index).is_some_and(|t| t.stream.is_none()) {
        l.err(
            codes::INVALID_VALUE,
            s.table.span,
            format!(
                "table `{}` has no stream, so it cannot trigger a function",
                s.table.value
            ),
        )
        .help = Some(format!(
            "add `stream: new_and_old_images` to table `{}`",
            s.table.value
        ));
    }
    let starting_position = match &s.starting_position {
        Some(p) => Setting::written(p.value, p.span),
        None => Setting::default(StartingPosition::Latest),
    };
    let batch_size = s
        .batch_size
        .as_ref()
        .map(|b| l.range(b, 1, 10_000, "batch_size", ""));
    let batch_window = s
        .batch_window
        .as_ref()
        .map(|w| l.dur_range(w, 0, 300, "batch_window"));
    let retries = s
        .retries
        .as_ref()
        .map(|r| l.range(r, -1, 10_000, "retries", ""));
    let max_record_age = s.max_record_age.as_ref().map(|a| record_age(l, a));
    Some(Trigger::Stream(StreamTrigger {
        table: id,
        starting_position,
        batch_size,
        batch_window,
        bisect_on_error: s
            .bisect_on_error
            .as_ref()
            .map(|b| Setting::written(b.value, b.span)),
        retries,
        max_record_age,
        filters: s
            .filter
            .as_ref()
            .map(|f| f.value.0.clone())
            .unwrap_or_default(),
        report_failures: s.report_failures.as_ref().is_none_or(|r| r.value),
        span: s.span,
    }))
}

/// `max_record_age`: -1 (no limit) or 60 s..7 d, in seconds.
fn record_age(l: &mut Lower<'_>, a: &Sp<RecordAge>) -> Setting<i64> {
    match a.value {
        RecordAge::Unlimited => Setting::written(-1, a.span),
        RecordAge::Limit(d) => {
            if !(60..=604_800).contains(&d.0) {
                l.err(
                    codes::OUT_OF_RANGE,
                    a.span,
                    format!(
                        "max_record_age of {} is out of range (1m..7d)",
                        human_secs(d.0)
                    ),
                )
                .help = Some("write `-1` for no limit, or a duration of 60 s..7 d".into());
            }
            let secs = Setting::written(d.0, a.span);
            // In range it fits; out of range it was reported and is never rendered.
            Setting::written(i64::try_from(secs.value).unwrap_or(i64::MAX), a.span)
        }
    }
}

/// Two triggers on the same queue, bucket, topic or table would make duplicate resources.
pub(super) fn check_duplicate_triggers(l: &mut Lower<'_>, triggers: &[Trigger]) {
    let mut seen: Vec<(ResId, Span)> = Vec::new();
    for t in triggers {
        let id = match t {
            Trigger::Queue(q) => q.queue,
            Trigger::Bucket(b) => b.bucket,
            Trigger::Topic(x) => x.topic,
            Trigger::Stream(x) => x.table,
            Trigger::Schedule(_) | Trigger::Bus(_) => continue,
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
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Diagnostic;
    use crate::model::{LowerOptions, Model, StartingPosition, Trigger, lower};
    use crate::source::SourceFile;

    /// A spec's model, or its errors as `line: message`.
    fn lower_text(text: &str) -> Result<Model, Vec<String>> {
        let file = SourceFile::from_string("fnplan.yaml", text);
        let raw = crate::spec::load(&file).map_err(|d| messages(&file, &d))?;
        let o = LowerOptions {
            stage: None,
            rule_codes: &[],
            today: crate::testing::today(),
        };
        match lower(&raw, &file, &o) {
            (Some(m), _) => Ok(m),
            (None, d) => Err(messages(&file, &d)),
        }
    }

    /// `triggers` of function `f`, with table `carts` (its `stream` as given) and queue
    /// `failed`: the model, or the errors as `line: message`.
    fn lower_trigger(trigger: &str, stream: &str) -> Result<Model, Vec<String>> {
        let text = format!(
            "version: 1\napp: shop\nfunctions:\n  f:\n    handler: a.h\n    runtime: python3.12\n    code: s3://b/a.zip\n    triggers:\n      - {trigger}\ntables:\n  carts: {{ key: id{stream} }}\nqueues:\n  failed: {{ dlq: false }}\n"
        );
        lower_text(&text)
    }

    fn messages(file: &SourceFile, d: &[Diagnostic]) -> Vec<String> {
        d.iter()
            .map(|d| {
                let line = d.span.map_or(0, |s| file.line_col(s.start).line);
                format!("{line}: {}", d.message)
            })
            .collect()
    }

    #[test]
    fn a_stream_trigger_takes_its_settings_and_defaults() {
        let m = lower_trigger("table: carts", ", stream: true").expect("lowers");
        let Trigger::Stream(s) = &m.functions[0].triggers[0] else {
            panic!("a stream trigger")
        };
        assert_eq!(m.tables[s.table.index].name, "carts");
        assert_eq!(s.starting_position.value, StartingPosition::Latest);
        assert!(s.starting_position.span.is_none(), "a default");
        assert!(s.report_failures);
        assert!(!s.bounded());
        assert!(s.batch_size.is_none() && s.retries.is_none() && s.filters.is_empty());

        let written = "{ table: carts, starting_position: trim_horizon, batch_size: 500, batch_window: 2m, bisect_on_error: true, retries: -1, max_record_age: 7d, filter: [{ eventName: [INSERT] }, { eventName: [REMOVE] }], report_failures: false }";
        let m = lower_trigger(written, ", stream: new_image").expect("lowers");
        let Trigger::Stream(s) = &m.functions[0].triggers[0] else {
            panic!("a stream trigger")
        };
        assert_eq!(s.starting_position.value, StartingPosition::TrimHorizon);
        assert_eq!(s.batch_size.as_ref().map(|b| b.value), Some(500));
        assert_eq!(s.batch_window.as_ref().map(|b| b.value), Some(120));
        assert_eq!(s.retries.as_ref().map(|b| b.value), Some(-1));
        assert_eq!(s.max_record_age.as_ref().map(|b| b.value), Some(604_800));
        assert_eq!(s.filters.len(), 2);
        assert!(!s.report_failures);
        assert!(s.bounded(), "a record age limit bounds the retries");
        // A stream is polled, not an asynchronous invocation.
        assert!(!m.functions[0].has_async_triggers());
    }

    #[test]
    fn the_table_needs_a_stream() {
        let e = lower_trigger("table: carts", "").expect_err("no stream");
        assert_eq!(
            e,
            ["9: table `carts` has no stream, so it cannot trigger a function"]
        );
        let e = lower_trigger("table: carts", ", stream: false").expect_err("stream off");
        assert_eq!(e.len(), 1, "{e:?}");
        let e = lower_trigger("table: cart", ", stream: true").expect_err("unknown table");
        assert!(e[0].contains("no table named `cart`"), "{e:?}");
    }

    #[test]
    fn settings_out_of_range_are_errors() {
        for (setting, message) in [
            ("batch_size: 0", "batch_size 0 is out of range (1..10000)"),
            (
                "batch_size: 10001",
                "batch_size 10001 is out of range (1..10000)",
            ),
            (
                "batch_window: 301",
                "batch_window of 301s is out of range (0s..5m)",
            ),
            ("retries: -2", "retries -2 is out of range (-1..10000)"),
            (
                "retries: 10001",
                "retries 10001 is out of range (-1..10000)",
            ),
            (
                "max_record_age: 59",
                "max_record_age of 59s is out of range (1m..7d)",
            ),
            (
                "max_record_age: 8d",
                "max_record_age of 8d is out of range (1m..7d)",
            ),
            ("max_record_age: -5", "-5 is not a record age"),
            (
                "starting_position: oldest",
                "`oldest` is not a valid value here",
            ),
            ("filter: [eventName]", "expected a mapping"),
        ] {
            let e = lower_trigger(&format!("{{ table: carts, {setting} }}"), ", stream: true")
                .expect_err(setting);
            assert!(e.len() == 1 && e[0].contains(message), "{setting}: {e:?}");
        }
        for setting in [
            "max_record_age: -1",
            "max_record_age: 60",
            "retries: 10000",
            "batch_window: 0",
        ] {
            lower_trigger(&format!("{{ table: carts, {setting} }}"), ", stream: true")
                .unwrap_or_else(|e| panic!("{setting}: {e:?}"));
        }
    }

    /// Function `f` with `triggers`, and bus `orders` declared.
    fn lower_bus_spec(triggers: &str) -> Result<Model, Vec<String>> {
        let text = format!(
            "version: 1\napp: shop\nfunctions:\n  f:\n    handler: a.h\n    runtime: python3.12\n    code: s3://b/a.zip\n    triggers:\n{triggers}\nbuses:\n  orders: {{ archive: 2d }}\n"
        );
        lower_text(&text)
    }

    #[test]
    fn bus_triggers_count_their_rules_and_name_the_default_bus() {
        let m = lower_bus_spec(
            "      - { bus: orders, pattern: { source: [a] }, retries: 0, max_event_age: 1m }\n      - { bus: default, pattern: { source: [aws.s3] }, dlq: false }",
        )
        .expect("lowers");
        // The declared bus, then the account's default bus it names.
        let names: Vec<(&str, bool)> = m
            .buses
            .iter()
            .map(|b| (b.name.as_str(), b.is_default))
            .collect();
        assert_eq!(names, [("orders", false), ("default", true)]);
        assert_eq!(m.buses[0].physical_name, "shop-dev-orders");
        assert_eq!(m.buses[0].archive_days.as_ref().map(|d| d.value), Some(2));
        let [Trigger::Bus(a), Trigger::Bus(b)] = m.functions[0].triggers.as_slice() else {
            panic!("two bus triggers")
        };
        assert_eq!((a.ordinal, b.ordinal), (1, 2));
        assert_eq!(a.retries.as_ref().map(|r| r.value), Some(0));
        assert_eq!(a.max_event_age.as_ref().map(|r| r.value), Some(60));
        assert!(a.dlq.value && a.dlq.span.is_none(), "a DLQ by default");
        assert!(!b.dlq.value && b.dlq.span.is_some());
        assert_eq!(m.buses[b.bus.index].name, "default");
        // EventBridge invokes asynchronously.
        assert!(m.functions[0].has_async_triggers());
        // A pattern's `source` decides which sources it may match.
        assert!(a.may_match_source("a") && !a.may_match_source("b"));
    }

    #[test]
    fn the_default_bus_is_in_the_model_only_when_named() {
        let m = lower_bus_spec("      - { bus: orders, pattern: { detail-type: [X] } }")
            .expect("lowers");
        assert_eq!(m.buses.len(), 1);
        let Trigger::Bus(t) = &m.functions[0].triggers[0] else {
            panic!("a bus trigger")
        };
        assert!(t.may_match_source("anything"), "no `source` in the pattern");
    }

    #[test]
    fn two_triggers_on_one_table_are_a_duplicate() {
        let e = lower_trigger("table: carts\n      - table: carts", ", stream: true")
            .expect_err("duplicate");
        assert!(
            e[0].contains("already has a trigger on the same source"),
            "{e:?}"
        );
    }
}
