//! IAM: one function of the model in, its execution role out, with a least-privilege
//! inline policy derived from `uses`, triggers, `on_failure` and raw `policies`.

use super::Res;
use super::doc::{Doc, cfn};
use super::intrinsics::{
    Expr, bucket_arn_text, bus_expr, database_expr, function_arn_text, queue_expr, secret_arn_text,
    sub, table_expr, tags_list, topic_expr,
};
use crate::model::{Access, Attr, Function, Kind, Model, ResId, SecretSource, Trigger, ids};
use serde_json::{Map, Value, json};

const TABLE_READ: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
];
const TABLE_WRITE: &[&str] = &[
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
];
const QUEUE_SEND: &[&str] = &[
    "sqs:SendMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
];
const QUEUE_RECEIVE: &[&str] = &[
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
];
/// What Lambda needs to read a table's stream for a mapping, on the stream's ARN.
const STREAM_READ: &[&str] = &[
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
];
/// Lambda also lists the table's streams; `dynamodb:ListStreams` takes no resource ARN
/// (schemas/iam/no-resource-actions.txt), so `*` is its only resource.
const STREAM_LIST: &[&str] = &["dynamodb:ListStreams"];
const BUCKET_READ: &[&str] = &["s3:GetObject"];
const BUCKET_LIST: &[&str] = &["s3:ListBucket"];
const BUCKET_WRITE: &[&str] = &["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"];
/// Reading a versioned bucket: earlier versions of an object, and the listing that finds
/// them. Writing needs nothing more: a put makes a new version and a delete adds a
/// delete marker; removing a version for good (`s3:DeleteObjectVersion`) is not granted,
/// since it destroys the history versioning is there to keep.
const VERSIONED_READ: &[&str] = &["s3:GetObjectVersion"];
const VERSIONED_LIST: &[&str] = &["s3:ListBucketVersions"];
/// The RDS Data API's statements and transactions, on the cluster's ARN.
const DATA_API: &[&str] = &[
    "rds-data:BatchExecuteStatement",
    "rds-data:BeginTransaction",
    "rds-data:CommitTransaction",
    "rds-data:ExecuteStatement",
    "rds-data:RollbackTransaction",
];
/// The Data API signs in with the cluster's secret, read with the caller's permissions.
const DATABASE_SECRET: &[&str] = &["secretsmanager:GetSecretValue"];

/// One `Allow` statement; actions are sorted and deduplicated.
fn statement(sid: String, actions: &[&[&str]], resources: Vec<Doc>) -> Doc {
    let mut acts: Vec<&str> = actions.iter().flat_map(|a| a.iter().copied()).collect();
    acts.sort_unstable();
    acts.dedup();
    cfn!({
        "Sid": sid,
        "Effect": "Allow",
        "Action": acts,
        "Resource": resources,
    })
}

/// A bucket entry: its objects (under `prefix`, when scoped) and, to read, its listing.
fn bucket_statements(
    b: &crate::model::Bucket,
    access: Access,
    prefix: Option<&str>,
    sid: &dyn Fn(&str) -> String,
) -> Vec<Doc> {
    let word = access_word(access);
    let arn = sub(bucket_arn_text(b));
    let under = super::intrinsics::escape(prefix.unwrap_or_default());
    let objects = sub(format!("{}/{under}*", bucket_arn_text(b)));
    let (read, listing): (&[&[&str]], &[&[&str]]) = if b.versioning {
        (
            &[BUCKET_READ, VERSIONED_READ],
            &[BUCKET_LIST, VERSIONED_LIST],
        )
    } else {
        (&[BUCKET_READ], &[BUCKET_LIST])
    };
    let mut list = statement(sid("List"), listing, vec![arn]);
    if let Some(p) = prefix {
        list = list.with(
            "Condition",
            cfn!({ "StringLike": { "s3:prefix": [format!("{p}*")] } }),
        );
    }
    match access {
        Access::Write => vec![statement(sid(word), &[BUCKET_WRITE], vec![objects])],
        Access::ReadWrite => vec![
            statement(sid(word), &[read, &[BUCKET_WRITE]].concat(), vec![objects]),
            list,
        ],
        _ => vec![statement(sid(word), read, vec![objects]), list],
    }
}

fn access_word(a: Access) -> &'static str {
    match a {
        Access::Read => "Read",
        Access::Write => "Write",
        Access::ReadWrite => "ReadWrite",
        Access::Send => "Send",
        Access::Receive => "Receive",
        Access::Publish => "Publish",
        Access::Invoke => "Invoke",
        Access::Put => "Put",
        Access::Query => "Query",
    }
}

/// The statements for one `uses` entry (or one implied by a trigger).
fn use_statements(model: &Model, target: ResId, access: Access) -> Vec<Doc> {
    scoped_use_statements(model, target, access, None)
}

/// The statements of one `uses` entry; `prefix` scopes a bucket's objects (and its
/// listing) to a key prefix.
fn scoped_use_statements(
    model: &Model,
    target: ResId,
    access: Access,
    prefix: Option<&str>,
) -> Vec<Doc> {
    let i = target.index;
    let name = model.name_of(target);
    let scope = prefix.map(ids::pascal).unwrap_or_default();
    let sid = |suffix: &str| {
        format!(
            "{}{}{scope}{}",
            ids::pascal(target.kind.as_str()),
            ids::pascal(name),
            suffix
        )
    };
    let word = access_word(access);
    match target.kind {
        Kind::Table => {
            let arn = table_expr(model, i, Attr::Arn).value();
            let index = sub(format!(
                "{}/index/*",
                table_expr(model, i, Attr::Arn).sub_text()
            ));
            match access {
                Access::Write => vec![statement(sid(word), &[TABLE_WRITE], vec![arn])],
                Access::ReadWrite => vec![statement(
                    sid(word),
                    &[TABLE_READ, TABLE_WRITE],
                    vec![arn, index],
                )],
                _ => vec![statement(sid(word), &[TABLE_READ], vec![arn, index])],
            }
        }
        Kind::Queue | Kind::Dlq => {
            let arn = queue_expr(model, target, Attr::Arn).value();
            let actions = if access == Access::Receive {
                QUEUE_RECEIVE
            } else {
                QUEUE_SEND
            };
            vec![statement(sid(word), &[actions], vec![arn])]
        }
        Kind::Bucket => bucket_statements(&model.buckets[i], access, prefix, &sid),
        Kind::Topic => {
            let arn = topic_expr(model, i, Attr::Arn).value();
            vec![statement(sid(word), &[&["sns:Publish"]], vec![arn])]
        }
        Kind::Function => {
            let arn = function_arn_text(&model.functions[i]);
            let qualified = format!("{arn}:*");
            vec![statement(
                sid(word),
                &[&["lambda:InvokeFunction"]],
                vec![sub(arn), sub(qualified)],
            )]
        }
        // A layer is no `uses` target: nothing to grant.
        Kind::Layer => Vec::new(),
        Kind::Secret => secret_statements(&model.secrets[i], &sid(word)),
        Kind::Bus => {
            let arn = bus_expr(model, i, Attr::Arn).value();
            vec![statement(sid(word), &[&["events:PutEvents"]], vec![arn])]
        }
        Kind::Database => vec![
            statement(
                sid(word),
                &[DATA_API],
                vec![database_expr(model, i, Attr::Arn).value()],
            ),
            statement(
                sid("Secret"),
                &[DATABASE_SECRET],
                vec![database_expr(model, i, Attr::SecretArn).value()],
            ),
        ],
    }
}

/// Reading a secret, and with a `kms_key`, decrypting with that key, only through the
/// secret's service (`kms:ViaService`).
fn secret_statements(s: &crate::model::Secret, sid: &str) -> Vec<Doc> {
    let (actions, service): (&[&str], &str) = match s.source {
        SecretSource::Ssm(_) => (&["ssm:GetParameter", "ssm:GetParameters"], "ssm"),
        SecretSource::SecretsManager(_) => (
            &[
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
            ],
            "secretsmanager",
        ),
    };
    let mut out = vec![statement(
        sid.to_string(),
        &[actions],
        vec![sub(secret_arn_text(s))],
    )];
    if let Some(key) = &s.kms_key {
        let decrypt = statement(
            format!("{sid}Decrypt"),
            &[&["kms:Decrypt"]],
            vec![super::intrinsics::name_value(key)],
        );
        out.push(decrypt.with(
            "Condition",
            cfn!({
                "StringEquals": {
                    "kms:ViaService": sub(format!("{service}.${{AWS::Region}}.amazonaws.com"))
                }
            }),
        ));
    }
    out
}

/// The inline policy's statements, in order: logs, `uses` (spec order), triggers,
/// `on_failure`, raw `policies`.
pub(crate) fn statements(model: &Model, f: &Function) -> Vec<Doc> {
    let mut out = vec![statement(
        "Logs".into(),
        &[&["logs:CreateLogStream", "logs:PutLogEvents"]],
        vec![sub(format!(
            "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/lambda/{}:*",
            f.physical_name
        ))],
    )];
    if f.tracing_active {
        // X-Ray's write actions take no resource ARN: `*` is the only resource.
        out.push(statement(
            "XRayWrite".into(),
            &[&["xray:PutTelemetryRecords", "xray:PutTraceSegments"]],
            vec![Doc::from("*")],
        ));
    }
    for u in &f.uses {
        out.extend(scoped_use_statements(
            model,
            u.target,
            u.access,
            u.prefix.as_deref(),
        ));
    }
    let uses = |target: ResId, access: Access| {
        f.uses
            .iter()
            .any(|u| u.target == target && u.access == access)
    };
    for t in &f.triggers {
        if let Trigger::Queue(q) = t
            && !uses(q.queue, Access::Receive)
        {
            out.extend(use_statements(model, q.queue, Access::Receive));
        }
    }
    out.extend(stream_statements(model, f));
    if let Some((q, _)) = f.on_failure
        && !uses(q, Access::Send)
    {
        let arn = queue_expr(model, q, Attr::Arn).value();
        let sid = format!("Queue{}OnFailure", ids::pascal(model.name_of(q)));
        out.push(statement(sid, &[&["sqs:SendMessage"]], vec![arn]));
    }
    for (n, p) in f.policies.iter().enumerate() {
        let mut raw = raw_statement(&p.statement, n + 1);
        for (pointer, text) in &p.refs {
            if let Some(slot) = raw.pointer_mut(pointer) {
                *slot = super::intrinsics::interp(model, text).into();
            }
        }
        out.push(raw.into());
    }
    out
}

/// Reading the streams of the tables that trigger `f`: one statement per table on its
/// stream ARN, and one `dynamodb:ListStreams` on `*` when there is any.
fn stream_statements(model: &Model, f: &Function) -> Vec<Doc> {
    let mut out = Vec::new();
    for t in &f.triggers {
        let Trigger::Stream(s) = t else { continue };
        let name = &model.tables[s.table.index].name;
        let arn = Expr::get_att(ids::table(name), "StreamArn").value();
        let sid = format!("Table{}Stream", ids::pascal(name));
        out.push(statement(sid, &[STREAM_READ], vec![arn]));
    }
    if !out.is_empty() {
        out.push(statement(
            "ListStreams".into(),
            &[STREAM_LIST],
            vec![Doc::from("*")],
        ));
    }
    out
}

/// A raw statement, verbatim, with `Sid: RawN` put first when it has no `Sid` of its own.
fn raw_statement(raw: &Value, n: usize) -> Value {
    match raw {
        Value::Object(obj) if !obj.contains_key("Sid") => {
            let mut m = Map::new();
            m.insert("Sid".into(), json!(format!("Raw{n}")));
            for (k, v) in obj {
                m.insert(k.clone(), v.clone());
            }
            Value::Object(m)
        }
        other => other.clone(),
    }
}

/// `AWS::IAM::Role` for function `f`.
pub(crate) fn role(model: &Model, f: &Function) -> Res {
    Res::new("AWS::IAM::Role")
        .prop(
            "AssumeRolePolicyDocument",
            cfn!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": { "Service": "lambda.amazonaws.com" },
                    "Action": "sts:AssumeRole"
                }]
            }),
        )
        .prop(
            "Policies",
            cfn!([{
                "PolicyName": "fnplan",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": statements(model, f)
                }
            }]),
        )
        .opt("Tags", tags_list(model))
}
