//! Triggers: one function's `triggers` in, event source mappings (queues, table streams),
//! EventBridge rules, SNS subscriptions and the Lambda permissions that let each source
//! invoke the function out.
//! (A bucket trigger's notification entry lives on the bucket; see `resources.rs`.)

use super::doc::{Doc, cfn};
use super::functions::invoke_value;
use super::intrinsics::{
    Expr, bucket_arn_text, bus_expr, named_tags, queue_expr, ref_, sub, topic_expr,
};
use super::{Res, Resources};
use crate::model::Attr;
use crate::model::{
    BusTrigger, Model, QueueTrigger, ScheduleTrigger, StartingPosition, StreamTrigger, Trigger, ids,
};
use serde_json::{Value, json};

/// `AWS::Lambda::Permission` letting `principal` invoke `model.functions[index]`.
pub(crate) fn permission(model: &Model, index: usize, principal: &str, source_arn: Doc) -> Res {
    Res::new("AWS::Lambda::Permission")
        .prop("Action", "lambda:InvokeFunction")
        .prop("FunctionName", invoke_value(model, index))
        .prop("Principal", principal)
        .prop("SourceArn", source_arn)
}

/// The resources of `model.functions[index]`'s triggers, in trigger order.
pub(crate) fn render_triggers(model: &Model, index: usize, out: &mut Resources) {
    let f = &model.functions[index];
    for t in &f.triggers {
        match t {
            Trigger::Queue(q) => queue_mapping(model, index, q, out),
            Trigger::Schedule(s) => schedule(model, index, s, out),
            Trigger::Stream(s) => stream_mapping(model, index, s, out),
            Trigger::Bus(b) => bus_rule(model, index, b, out),
            Trigger::Bucket(b) => {
                let bucket = &model.buckets[b.bucket.index];
                // The bucket's ARN is spelled out, never `Ref`/`GetAtt`: the bucket depends on
                // this permission, so a reference back would be a circular dependency.
                out.add(
                    ids::bucket_permission(&f.name, &bucket.name),
                    permission(
                        model,
                        index,
                        "s3.amazonaws.com",
                        sub(bucket_arn_text(bucket)),
                    )
                    .prop("SourceAccount", ref_("AWS::AccountId")),
                );
            }
            Trigger::Topic(x) => {
                let topic_arn = topic_expr(model, x.topic.index, Attr::Arn).value();
                let topic_name = &model.topics[x.topic.index].name;
                out.add(
                    ids::topic_subscription(&f.name, topic_name),
                    Res::new("AWS::SNS::Subscription")
                        .prop("Protocol", "lambda")
                        .prop("Endpoint", invoke_value(model, index))
                        .prop("TopicArn", topic_arn.clone())
                        .opt("FilterPolicy", x.filter_policy.clone()),
                );
                out.add(
                    ids::topic_permission(&f.name, topic_name),
                    permission(model, index, "sns.amazonaws.com", topic_arn),
                );
            }
        }
    }
}

/// A queue trigger: an event source mapping.
fn queue_mapping(model: &Model, index: usize, q: &QueueTrigger, out: &mut Resources) {
    let f = &model.functions[index];
    let scaling = q
        .max_concurrency
        .as_ref()
        .map(|m| cfn!({ "MaximumConcurrency": m.value }));
    let mut r = Res::new("AWS::Lambda::EventSourceMapping")
        // The role's receive statement must exist before Lambda polls the queue.
        .depends_on(ids::role(&f.name))
        .prop("EventSourceArn", queue_expr(model, q.queue, Attr::Arn))
        .prop("FunctionName", invoke_value(model, index))
        .opt("BatchSize", q.batch_size.as_ref().map(|b| b.value))
        .opt(
            "MaximumBatchingWindowInSeconds",
            q.batch_window.as_ref().map(|w| w.value),
        )
        .opt("ScalingConfig", scaling);
    if q.report_failures {
        r = r.prop("FunctionResponseTypes", cfn!(["ReportBatchItemFailures"]));
    }
    out.add(
        ids::queue_mapping(&f.name, model.name_of(q.queue)),
        r.prop("Enabled", true),
    );
}

/// A table stream trigger: an event source mapping on the table's stream. Records that
/// Lambda gives up on go to the function's `on_failure` queue.
fn stream_mapping(model: &Model, index: usize, s: &StreamTrigger, out: &mut Resources) {
    let f = &model.functions[index];
    let table = &model.tables[s.table.index].name;
    let position = match s.starting_position.value {
        StartingPosition::Latest => "LATEST",
        StartingPosition::TrimHorizon => "TRIM_HORIZON",
    };
    // Lambda takes each pattern as a JSON string.
    let filters = (!s.filters.is_empty()).then(|| {
        let list: Vec<Doc> = s
            .filters
            .iter()
            .map(|p| cfn!({ "Pattern": p.to_string() }))
            .collect();
        cfn!({ "Filters": list })
    });
    let destination = f.on_failure.map(|(q, _)| {
        cfn!({
            "OnFailure": { "Destination": queue_expr(model, q, Attr::Arn).value() }
        })
    });
    let mut r = Res::new("AWS::Lambda::EventSourceMapping")
        // The role's stream statement must exist before Lambda reads the stream.
        .depends_on(ids::role(&f.name))
        .prop(
            "EventSourceArn",
            Expr::get_att(ids::table(table), "StreamArn"),
        )
        .prop("FunctionName", invoke_value(model, index))
        .prop("StartingPosition", position)
        .opt("BatchSize", s.batch_size.as_ref().map(|b| b.value))
        .opt(
            "MaximumBatchingWindowInSeconds",
            s.batch_window.as_ref().map(|w| w.value),
        )
        .opt(
            "BisectBatchOnFunctionError",
            s.bisect_on_error.as_ref().map(|b| b.value),
        )
        .opt("MaximumRetryAttempts", s.retries.as_ref().map(|r| r.value))
        .opt(
            "MaximumRecordAgeInSeconds",
            s.max_record_age.as_ref().map(|a| a.value),
        )
        .opt("FilterCriteria", filters)
        .opt("DestinationConfig", destination);
    if s.report_failures {
        r = r.prop("FunctionResponseTypes", cfn!(["ReportBatchItemFailures"]));
    }
    out.add(ids::stream_mapping(&f.name, table), r.prop("Enabled", true));
}

/// The DLQ of a bus trigger's rule keeps undeliverable events this long (SQS's maximum).
const BUS_DLQ_RETENTION: u64 = 1_209_600;

/// A bus trigger: an EventBridge rule on the bus whose target is the function (with its
/// retry policy and, unless `dlq: false`, a dead-letter queue that only this rule may
/// send to), and the permission for EventBridge to invoke the function.
fn bus_rule(model: &Model, index: usize, b: &BusTrigger, out: &mut Resources) {
    let f = &model.functions[index];
    let rule_id = ids::bus_rule(&f.name, b.ordinal);
    let rule_arn = Expr::get_att(rule_id.clone(), "Arn").value();
    let retry = (b.retries.is_some() || b.max_event_age.is_some()).then(|| {
        let mut p = serde_json::Map::new();
        if let Some(r) = &b.retries {
            p.insert("MaximumRetryAttempts".into(), json!(r.value));
        }
        if let Some(a) = &b.max_event_age {
            p.insert("MaximumEventAgeInSeconds".into(), json!(a.value));
        }
        Value::Object(p)
    });
    let mut target = json!({ "Id": "Target", "Arn": invoke_value(model, index) });
    if let Some(r) = retry {
        target["RetryPolicy"] = r;
    }
    let dlq_id = ids::bus_dlq(&f.name, b.ordinal);
    if b.dlq.value {
        target["DeadLetterConfig"] = json!({ "Arn": Expr::get_att(dlq_id.clone(), "Arn").value() });
    }
    let bus = &model.buses[b.bus.index];
    let mut rule = Res::new("AWS::Events::Rule");
    if !bus.is_default {
        // The bus's name is written out: the rule must still wait for the bus.
        rule = rule.depends_on(ids::bus(&bus.name));
    }
    out.add(
        rule_id.clone(),
        rule.prop(
            "EventBusName",
            bus_expr(model, b.bus.index, Attr::Name).value(),
        )
        .prop("EventPattern", b.pattern.clone())
        .prop("State", "ENABLED")
        .prop("Targets", cfn!([target])),
    );
    out.add(
        ids::bus_permission(&f.name, b.ordinal),
        permission(model, index, "events.amazonaws.com", rule_arn.clone()),
    );
    if !b.dlq.value {
        return;
    }
    let key = format!("{}-bus{}-dlq", f.name, b.ordinal);
    out.add(
        dlq_id.clone(),
        Res::new("AWS::SQS::Queue")
            .prop("MessageRetentionPeriod", BUS_DLQ_RETENTION)
            .prop("Tags", named_tags(model, &key)),
    );
    out.add(
        ids::bus_dlq_policy(&f.name, b.ordinal),
        Res::new("AWS::SQS::QueuePolicy")
            .prop("Queues", cfn!([ref_(dlq_id.clone())]))
            .prop(
                "PolicyDocument",
                cfn!({
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Sid": "EventBridgeDeadLetters",
                        "Effect": "Allow",
                        "Principal": { "Service": "events.amazonaws.com" },
                        "Action": "sqs:SendMessage",
                        "Resource": Expr::get_att(dlq_id, "Arn").value(),
                        "Condition": { "ArnEquals": { "aws:SourceArn": rule_arn } }
                    }]
                }),
            ),
    );
}

/// A schedule trigger: an EventBridge rule and its permission to invoke the function.
fn schedule(model: &Model, index: usize, s: &ScheduleTrigger, out: &mut Resources) {
    let f = &model.functions[index];
    let rule_id = ids::schedule_rule(&f.name, s.ordinal);
    out.add(
        rule_id.clone(),
        Res::new("AWS::Events::Rule")
            .prop("ScheduleExpression", s.expression.as_str())
            .prop("State", if s.enabled { "ENABLED" } else { "DISABLED" })
            .prop(
                "Targets",
                cfn!([{ "Id": "Target", "Arn": invoke_value(model, index) }]),
            ),
    );
    out.add(
        ids::schedule_permission(&f.name, s.ordinal),
        permission(
            model,
            index,
            "events.amazonaws.com",
            Expr::get_att(rule_id, "Arn").value(),
        ),
    );
}
