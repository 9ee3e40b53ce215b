//! Data resources: the model's queues, tables, buckets and topics in, `AWS::SQS::Queue`
//! (+ DLQ), `AWS::DynamoDB::Table`, `AWS::S3::Bucket` (with its Lambda notifications) and
//! `AWS::SNS::Topic` resources out. Secrets exist already and render nothing.

use super::doc::{Doc, cfn};
use super::functions::invoke_value;
use super::intrinsics::{Expr, name_value, named_tags, sub, tags_list};
use super::{Res, Resources};
use crate::model::{BucketEvent, DlqSetting, KeyAttr, KeyType, Model, StreamView, Trigger, ids};
use serde_json::{Value, json};

pub(crate) fn render_queues(model: &Model, out: &mut Resources) {
    for q in model.queues.iter().filter(|q| !q.existing) {
        let mut r = Res::new("AWS::SQS::Queue")
            .opt("QueueName", q.physical_name.as_deref().map(name_value));
        if q.fifo {
            r = r.prop("FifoQueue", true);
        }
        r = r
            .prop("VisibilityTimeout", q.visibility_timeout.value)
            .prop("MessageRetentionPeriod", q.retention.value);
        if let DlqSetting::Enabled(d) = &q.dlq {
            r = r.prop(
                "RedrivePolicy",
                cfn!({
                    "deadLetterTargetArn": Expr::get_att(ids::dlq(&q.name), "Arn").value(),
                    "maxReceiveCount": d.max_receive_count.value,
                }),
            );
        }
        out.add(
            ids::queue(&q.name),
            r.prop("Tags", named_tags(model, &q.name)),
        );

        if let DlqSetting::Enabled(d) = &q.dlq {
            let mut r = Res::new("AWS::SQS::Queue")
                .opt("QueueName", d.physical_name.as_deref().map(name_value));
            if q.fifo {
                r = r.prop("FifoQueue", true);
            }
            // Only when written: SQS's default (30 s) otherwise, as before the setting.
            if d.visibility_timeout.span.is_some() {
                r = r.prop("VisibilityTimeout", d.visibility_timeout.value);
            }
            r = r.prop("MessageRetentionPeriod", d.retention.value);
            // Redrive only from this queue: its ARN is spelled out (`GetAtt` would be a
            // cycle with its RedrivePolicy), so only a queue with a fixed name gets it.
            if let Some(name) = &q.physical_name {
                let source_arn = format!(
                    "arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:${{AWS::AccountId}}:{}",
                    name
                );
                r = r.prop(
                    "RedriveAllowPolicy",
                    cfn!({ "redrivePermission": "byQueue", "sourceQueueArns": [sub(source_arn)] }),
                );
            }
            let key = format!("{}-dlq", q.name);
            out.add(ids::dlq(&q.name), r.prop("Tags", named_tags(model, &key)));
        }
    }
}

fn key_type(k: KeyType) -> &'static str {
    match k {
        KeyType::S => "S",
        KeyType::N => "N",
        KeyType::B => "B",
    }
}

fn stream_view(v: StreamView) -> &'static str {
    match v {
        StreamView::KeysOnly => "KEYS_ONLY",
        StreamView::NewImage => "NEW_IMAGE",
        StreamView::OldImage => "OLD_IMAGE",
        StreamView::NewAndOldImages => "NEW_AND_OLD_IMAGES",
    }
}

pub(crate) fn render_tables(model: &Model, out: &mut Resources) {
    for t in model.tables.iter().filter(|t| !t.existing) {
        let keys: Vec<(&KeyAttr, &str)> = std::iter::once((&t.key, "HASH"))
            .chain(t.sort_key.as_ref().map(|k| (k, "RANGE")))
            .collect();
        let defs: Vec<Doc> = keys
            .iter()
            .map(|(k, _)| cfn!({ "AttributeName": k.name.as_str(), "AttributeType": key_type(k.kind) }))
            .collect();
        let schema: Vec<Doc> = keys
            .iter()
            .map(|(k, role)| cfn!({ "AttributeName": k.name.as_str(), "KeyType": *role }))
            .collect();
        let r = Res::new("AWS::DynamoDB::Table")
            .retain(t.retain)
            .opt("TableName", t.physical_name.as_deref().map(name_value))
            .prop("BillingMode", "PAY_PER_REQUEST")
            .prop("AttributeDefinitions", defs)
            .prop("KeySchema", schema)
            .opt(
                "TimeToLiveSpecification",
                t.ttl
                    .as_ref()
                    .map(|a| cfn!({ "AttributeName": a, "Enabled": true })),
            )
            .opt(
                "StreamSpecification",
                t.stream.map(|v| cfn!({ "StreamViewType": stream_view(v) })),
            )
            .prop("Tags", named_tags(model, &t.name));
        out.add(ids::table(&t.name), r);
    }
}

fn bucket_event(e: BucketEvent) -> &'static str {
    match e {
        BucketEvent::Created => "s3:ObjectCreated:*",
        BucketEvent::Removed => "s3:ObjectRemoved:*",
    }
}

pub(crate) fn render_buckets(model: &Model, out: &mut Resources) {
    for (bi, b) in model
        .buckets
        .iter()
        .enumerate()
        .filter(|(_, b)| !b.existing)
    {
        let mut r = Res::new("AWS::S3::Bucket").retain(b.retain);
        let mut lambda_configs = Vec::new();
        for (fi, f) in model.functions.iter().enumerate() {
            for t in &f.triggers {
                let Trigger::Bucket(bt) = t else { continue };
                if bt.bucket.index != bi {
                    continue;
                }
                // S3 checks it may invoke the function when the notification is saved.
                r = r.depends_on(ids::bucket_permission(&f.name, &b.name));
                let mut rules = Vec::new();
                if let Some(p) = &bt.prefix {
                    rules.push(cfn!({ "Name": "prefix", "Value": p }));
                }
                if let Some(s) = &bt.suffix {
                    rules.push(cfn!({ "Name": "suffix", "Value": s }));
                }
                for e in &bt.events {
                    let mut c = serde_json::Map::new();
                    c.insert("Event".into(), json!(bucket_event(*e)));
                    c.insert("Function".into(), invoke_value(model, fi).into());
                    if !rules.is_empty() {
                        c.insert("Filter".into(), json!({ "S3Key": { "Rules": rules } }));
                    }
                    lambda_configs.push(Value::Object(c));
                }
            }
        }
        r = r
            .prop("BucketName", sub(b.physical_name_pattern.clone()))
            .prop(
                "PublicAccessBlockConfiguration",
                cfn!({
                    "BlockPublicAcls": true,
                    "BlockPublicPolicy": true,
                    "IgnorePublicAcls": true,
                    "RestrictPublicBuckets": true
                }),
            )
            .prop(
                "BucketEncryption",
                cfn!({
                    "ServerSideEncryptionConfiguration": [
                        { "ServerSideEncryptionByDefault": { "SSEAlgorithm": "AES256" } }
                    ]
                }),
            )
            .prop(
                "OwnershipControls",
                cfn!({ "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] }),
            );
        if b.versioning {
            r = r.prop("VersioningConfiguration", cfn!({ "Status": "Enabled" }));
        }
        if !lambda_configs.is_empty() {
            r = r.prop(
                "NotificationConfiguration",
                cfn!({ "LambdaConfigurations": lambda_configs }),
            );
        }
        out.add(ids::bucket(&b.name), r.opt("Tags", tags_list(model)));
    }
}

/// The app's buses (`AWS::Events::EventBus`, named `{app}-{stage}-{key}`) and their
/// archives; the account's `default` bus renders nothing.
pub(crate) fn render_buses(model: &Model, out: &mut Resources) {
    for b in model.buses.iter().filter(|b| !b.is_default) {
        out.add(
            ids::bus(&b.name),
            Res::new("AWS::Events::EventBus")
                .prop("Name", b.physical_name.as_str())
                .opt("Tags", tags_list(model)),
        );
        if let Some(days) = &b.archive_days {
            out.add(
                ids::bus_archive(&b.name),
                Res::new("AWS::Events::Archive")
                    .prop("SourceArn", Expr::get_att(ids::bus(&b.name), "Arn").value())
                    .prop("RetentionDays", days.value),
            );
        }
    }
}

pub(crate) fn render_topics(model: &Model, out: &mut Resources) {
    for t in model.topics.iter().filter(|t| !t.existing) {
        let mut r = Res::new("AWS::SNS::Topic")
            .opt("TopicName", t.physical_name.as_deref().map(name_value));
        if t.fifo {
            r = r.prop("FifoTopic", true);
        }
        out.add(
            ids::topic(&t.name),
            r.prop("Tags", named_tags(model, &t.name)),
        );
    }
}
