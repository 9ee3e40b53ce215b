//! Lowering one function's triggers: its raw `triggers` in, model [`Trigger`]s out (queue
//! and stream batching, schedule expressions, bucket events, FIFO limits and table
//! streams checked).

use super::function::FnCx;
use super::*;
use crate::model::validate_schedule;
use crate::spec::raw::{
    RawBucketTrigger, RawQueueTrigger, RawStreamTrigger, RawTopicTrigger, RawTrigger, RecordAge,
    StartingPosition,
};

/// The function's triggers in spec order; those that refer to nothing are left out.
pub(super) fn lower_triggers(
    l: &mut Lower<'_>,
    cx: &FnCx<'_>,
    f: &raw::RawFunction,
) -> Vec<Trigger> {
    let mut triggers = Vec::new();
    let mut schedules = 0;
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
        filters: s.filter.as_ref().map(|f| f.value.0.clone()).unwrap_or_default(),
        report_failures: s.report_failures.as_ref().is_none_or(|r| r.value),
        span: s.span,
    }))
}

/// `max_record_age`: -1 (no limit) or 60 s..7 d, in seconds.
fn record_age(l: &mut Lower<'_>, a: &Sp<RecordAge>) -> Setting<i64> {
    match a.value {
        RecordAge::Unlimited => Setting::written(-1, a.span),
        RecordAge::Limit(d) => {
            let secs = l.dur_range(&Sp::new(d, a.span), 60, 604_800, "max_record_age");
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
}
