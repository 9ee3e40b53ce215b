//! The spec as written: spanned YAML nodes in, `RawSpec` (fields as in the file, with
//! spans, no defaults applied) out. The JSON Schema is generated from these types.

use super::node::{Node, Value};
use super::read::{Cx, FromNode, MapReader, Named, Sp, codes, to_json};
use crate::source::Span;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;

/// An fnplan app spec (version 1). Reference: docs/spec.md.
#[derive(Clone, Debug, JsonSchema)]
#[schemars(title = "fnplan app spec", deny_unknown_fields)]
pub struct RawSpec {
    /// Spec format version; must be 1.
    pub version: Sp<u32>,
    /// App name, `^[a-z][a-z0-9-]{0,39}$`; the stack is named `{app}-{stage}`.
    #[schemars(regex(pattern = r"^[a-z][a-z0-9-]{0,39}$"))]
    pub app: Sp<String>,
    /// Deployment stages; without it there is one stage, `dev`.
    pub stages: Option<Named<RawStage>>,
    /// Defaults applied to every element that does not set its own value.
    pub defaults: Option<RawDefaults>,
    /// Tags put on every taggable resource.
    pub tags: Option<Named<Sp<String>>>,
    /// The app's one HTTP API (API Gateway v2).
    pub api: Option<RawApi>,
    /// Lambda layers: shared code packaged once from a local directory
    /// (`AWS::Lambda::LayerVersion`), named by functions' `layers:`.
    pub layers: Option<Named<RawLayer>>,
    pub functions: Option<Named<RawFunction>>,
    pub queues: Option<Named<RawQueue>>,
    pub tables: Option<Named<RawTable>>,
    pub buckets: Option<Named<RawBucket>>,
    pub topics: Option<Named<RawTopic>>,
    /// EventBridge event buses (`AWS::Events::EventBus`, named `{app}-{stage}-{key}`);
    /// `default` names the account's default bus without declaring it.
    pub buses: Option<Named<RawBus>>,
    /// Existing secrets, referenced (never created) by fnplan.
    pub secrets: Option<Named<RawSecret>>,
    /// Aurora Serverless v2 clusters that functions query through the RDS Data API.
    pub databases: Option<Named<RawDatabase>>,
    /// Lint settings for the whole spec.
    pub lint: Option<RawLint>,
    /// Where `plan`/`apply` upload local function code (`--artifact-bucket` overrides it).
    pub artifacts: Option<RawArtifacts>,
    /// Raw CloudFormation resources merged into the template; fnplan references resolve
    /// inside their strings.
    pub resources: Option<Named<RawResource>>,
    /// Stack outputs: a value (string with references, or an intrinsic function), or
    /// `{ value, description, export }`.
    pub outputs: Option<Named<RawOutput>>,
    /// Where the whole-file node is (for findings about the file as a whole).
    #[schemars(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawStage {
    /// AWS region of this stage (otherwise `--region` or the environment decides).
    pub region: Option<Sp<String>>,
    /// Stage variables, used as `${var.NAME}`.
    pub vars: Option<Named<Sp<Scalar>>>,
    /// Whether `fnplan apply --hot` may update this stage's functions directly (default:
    /// false for a stage named `prod`, true otherwise).
    pub hot: Option<Sp<bool>>,
}

#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawDefaults {
    pub function: Option<RawFunctionDefaults>,
}

#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawFunctionDefaults {
    pub runtime: Option<Sp<String>>,
    pub timeout: Option<Sp<Duration>>,
    /// Memory in MB, 128..10240.
    pub memory: Option<Sp<u32>>,
    /// Reserved concurrency.
    pub concurrency: Option<Sp<u32>>,
    pub log_retention_days: Option<Sp<u32>>,
    pub architecture: Option<Sp<Architecture>>,
    /// X-Ray: `active` or `passthrough` (the default).
    pub tracing: Option<Sp<Tracing>>,
    /// Layers of every function that has no `layers:` of its own (a function's own
    /// list replaces this one, it does not add to it).
    pub layers: Option<Vec<Sp<String>>>,
}

/// A Lambda layer made from a local directory: zipped once, content-addressed, published
/// as a new layer version whenever its files change.
#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawLayer {
    /// A local directory (relative to the spec file): the root of the layer's zip, so
    /// Python code goes under `python/`, Node.js under `nodejs/node_modules/`.
    pub code: Sp<String>,
    /// Runtimes the layer works with (`CompatibleRuntimes`); a function using it must
    /// have one of them. Absent: any runtime.
    pub runtimes: Option<Vec<Sp<String>>>,
    /// Architectures the layer works with (`CompatibleArchitectures`); a function using
    /// it must have one of them. Absent: any architecture.
    pub architectures: Option<Vec<Sp<Architecture>>>,
    pub description: Option<Sp<String>>,
    /// The layer's license (`LicenseInfo`): an SPDX identifier, a URL or text.
    pub license: Option<Sp<String>>,
    pub lint_ignore: Option<Vec<Sp<String>>>,
    #[schemars(skip)]
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    Arm64,
    X86_64,
}

/// X-Ray tracing of a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tracing {
    /// Sample and trace requests (`TracingConfig.Mode: Active`).
    Active,
    /// Trace only requests that arrive with a trace header (Lambda's default).
    Passthrough,
}

#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawApi {
    pub cors: Option<RawCors>,
    pub authorizers: Option<Named<RawAuthorizer>>,
    /// `"METHOD /path"` (or `$default`) -> the function that serves it.
    pub routes: Option<Named<RawRoute>>,
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawCors {
    pub origins: Option<Vec<Sp<String>>>,
    /// Allowed methods (default: the methods of the routes).
    pub methods: Option<Vec<Sp<String>>>,
    /// Allowed request headers (default: `content-type`, `authorization`).
    pub headers: Option<Vec<Sp<String>>>,
    pub expose_headers: Option<Vec<Sp<String>>>,
    pub credentials: Option<Sp<bool>>,
    pub max_age: Option<Sp<Duration>>,
    #[schemars(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAuthorizer {
    /// A JWT authorizer (issuer, audience).
    pub jwt: Option<RawJwt>,
    /// A Lambda authorizer: the function that decides.
    pub function: Option<Sp<String>>,
    /// Identity source, e.g. `$request.header.Authorization` (the default).
    pub identity: Option<Sp<String>>,
    /// How long a Lambda authorizer's answer is cached (0..3600 s; default 0).
    pub cache_ttl: Option<Sp<Duration>>,
    #[schemars(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawJwt {
    pub issuer: Sp<String>,
    pub audience: Vec<Sp<String>>,
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawRoute {
    pub function: Sp<String>,
    /// An authorizer's name, or `none` to make the route public on purpose.
    pub auth: Option<Sp<String>>,
    pub lint_ignore: Option<Vec<Sp<String>>>,
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawFunction {
    /// A fixed physical name (`${app}`, `${stage}`, `${var.NAME}`, `${region}`, `${account}`).
    /// Default: `{app}-{stage}-{key}`. A fixed name cannot survive a replacement.
    pub name: Option<Sp<String>>,
    /// Handler, e.g. `orders.create.handler`.
    pub handler: Sp<String>,
    /// A local directory (relative to the spec file) or `s3://bucket/key.zip`.
    pub code: Sp<String>,
    pub runtime: Option<Sp<String>>,
    /// Seconds, or `"30s"`, `"2m"`; 1..900.
    pub timeout: Option<Sp<Duration>>,
    /// Memory in MB, 128..10240.
    pub memory: Option<Sp<u32>>,
    /// Reserved concurrency.
    pub concurrency: Option<Sp<u32>>,
    /// Provisioned concurrency (warm instances) on the `live` alias.
    pub provisioned: Option<Sp<u32>>,
    pub log_retention_days: Option<Sp<u32>>,
    pub architecture: Option<Sp<Architecture>>,
    /// X-Ray: `active` or `passthrough` (the default).
    pub tracing: Option<Sp<Tracing>>,
    /// Layers, at most 5, in the order Lambda extracts them: names of `layers:` entries
    /// or layer version ARNs (`${region}`, `${account}` may be used). Replaces
    /// `defaults.function.layers`.
    pub layers: Option<Vec<Sp<String>>>,
    pub description: Option<Sp<String>>,
    /// Environment variables; values may hold `${...}` references.
    pub env: Option<Named<Sp<Scalar>>>,
    /// `kind.name: access` pairs that become least-privilege IAM.
    pub uses: Option<Named<Sp<String>>>,
    pub triggers: Option<Vec<RawTrigger>>,
    /// Queue that receives failed asynchronous invocations and the records that table
    /// stream triggers give up on.
    pub on_failure: Option<Sp<String>>,
    /// Asynchronous retries, 0..2 (default 2).
    pub retries: Option<Sp<u32>>,
    /// Maximum age of an asynchronous event, 60 s..6 h (default 6 h).
    pub max_event_age: Option<Sp<Duration>>,
    /// Extra raw IAM statements (linted, not trusted).
    pub policies: Option<Vec<Sp<IamStatement>>>,
    pub lint_ignore: Option<Vec<Sp<String>>>,
    #[schemars(skip)]
    pub span: Span,
}

/// A raw IAM statement object (`Effect`, `Action`, `Resource`, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct IamStatement(pub serde_json::Value);

impl JsonSchema for IamStatement {
    fn schema_name() -> Cow<'static, str> {
        "IamStatement".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "description": "An IAM policy statement.",
            "required": ["Effect", "Action", "Resource"],
            "properties": {
                "Sid": { "type": "string" },
                "Effect": { "enum": ["Allow", "Deny"] },
                "Action": { "type": ["string", "array"], "items": { "type": "string" } },
                "Resource": { "type": ["string", "array", "object"] },
                "Condition": { "type": "object" }
            }
        })
    }
}

/// The keys an IAM statement may have.
const IAM_KEYS: [&str; 7] = [
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

impl FromNode for IamStatement {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let Value::Map(entries) = &node.value else {
            cx.wrong_type(
                node,
                "an IAM statement (a mapping with Effect, Action, Resource)",
            );
            return None;
        };
        let mut ok = true;
        for (k, v) in entries {
            ok &= iam_entry(k, v, cx);
        }
        for need in ["Effect", "Resource"] {
            let alt = if need == "Resource" {
                "NotResource"
            } else {
                need
            };
            if !entries
                .iter()
                .any(|(k, _)| matches!(k.as_str(), Some(x) if x == need || x == alt))
            {
                ok = false;
                cx.error(
                    codes::MISSING_FIELD,
                    node.span,
                    format!("IAM statement is missing `{need}`"),
                );
            }
        }
        if !entries
            .iter()
            .any(|(k, _)| matches!(k.as_str(), Some("Action" | "NotAction")))
        {
            ok = false;
            cx.error(
                codes::MISSING_FIELD,
                node.span,
                "IAM statement is missing `Action`",
            );
        }
        ok.then(|| IamStatement(to_json(node)))
    }
}

/// One key of an IAM statement: a known key, and for `Effect` and `Action` a valid value.
fn iam_entry(k: &Node, v: &Node, cx: &mut Cx) -> bool {
    let key = k.as_str().unwrap_or("");
    if !IAM_KEYS.contains(&key) {
        cx.error(
            codes::UNKNOWN_FIELD,
            k.span,
            format!("unknown field `{key}` in an IAM statement"),
        )
        .help = crate::suggest::hint(key, IAM_KEYS);
        return false;
    }
    match key {
        "Effect" if !matches!(v.as_str(), Some("Allow" | "Deny")) => {
            cx.error(
                codes::INVALID_VALUE,
                v.span,
                "`Effect` must be `Allow` or `Deny`",
            );
            false
        }
        "Action" | "NotAction" => {
            let good = match &v.value {
                Value::Str(_) => true,
                Value::Seq(items) => {
                    !items.is_empty() && items.iter().all(|i| i.as_str().is_some())
                }
                _ => false,
            };
            if !good {
                cx.wrong_type(v, "an action or a non-empty list of actions");
            }
            good
        }
        _ => true,
    }
}

/// One trigger of a function: exactly one of `queue`, `schedule`, `bucket`, `topic`,
/// `table`, `bus`.
#[derive(Clone, Debug, JsonSchema)]
#[serde(untagged)]
pub enum RawTrigger {
    Queue(RawQueueTrigger),
    Schedule(RawScheduleTrigger),
    Bucket(RawBucketTrigger),
    Topic(RawTopicTrigger),
    Stream(RawStreamTrigger),
    Bus(RawBusTrigger),
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawQueueTrigger {
    pub queue: Sp<String>,
    /// Standard queues 1..10000 (over 10 needs `batch_window`), FIFO 1..10. Default 10.
    pub batch_size: Option<Sp<u32>>,
    /// Batching window, 0..300 s.
    pub batch_window: Option<Sp<Duration>>,
    /// Maximum concurrent invocations by this mapping, 2..1000.
    pub max_concurrency: Option<Sp<u32>>,
    /// Report partial batch failures (default true).
    pub report_failures: Option<Sp<bool>>,
    #[schemars(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawScheduleTrigger {
    /// `rate(5 minutes)` or `cron(0 2 * * ? *)`.
    pub schedule: Sp<String>,
    pub enabled: Option<Sp<bool>>,
    #[schemars(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawBucketTrigger {
    pub bucket: Sp<String>,
    /// `created`, `removed` (default: `[created]`).
    pub events: Option<Vec<Sp<String>>>,
    pub prefix: Option<Sp<String>>,
    pub suffix: Option<Sp<String>>,
    #[schemars(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawTopicTrigger {
    pub topic: Sp<String>,
    /// SNS subscription filter policy.
    pub filter_policy: Option<Sp<JsonObject>>,
    #[schemars(skip)]
    pub span: Span,
}

/// A DynamoDB stream trigger: the table's stream read by an event source mapping.
#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawStreamTrigger {
    /// The table whose stream is read; the table needs `stream:`.
    pub table: Sp<String>,
    /// Where a new mapping starts reading: `latest` (the default) or `trim_horizon`.
    pub starting_position: Option<Sp<StartingPosition>>,
    /// Records per invocation, 1..10000 (Lambda's default: 100).
    pub batch_size: Option<Sp<u32>>,
    /// Batching window, 0..300 s.
    pub batch_window: Option<Sp<Duration>>,
    /// Split a failing batch in two and retry each half (default false).
    pub bisect_on_error: Option<Sp<bool>>,
    /// Retries of a failing batch, -1..10000; -1 (Lambda's default) retries until the
    /// record expires from the stream.
    pub retries: Option<Sp<i64>>,
    /// Records older than this are skipped: -1 (Lambda's default, no limit) or
    /// 60 s..7 d.
    pub max_record_age: Option<Sp<RecordAge>>,
    /// Lambda event filter patterns (one pattern or a list): only matching records
    /// invoke the function.
    pub filter: Option<Sp<FilterPatterns>>,
    /// Report partial batch failures (default true).
    pub report_failures: Option<Sp<bool>>,
    #[schemars(skip)]
    pub span: Span,
}

/// An EventBridge rule on a bus that invokes the function.
#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawBusTrigger {
    /// A bus of `buses:`, or `default` for the account's default bus.
    pub bus: Sp<String>,
    /// The rule's event pattern: a mapping whose values are lists of values to match or
    /// nested mappings (`{ source: [shop.orders], detail-type: [OrderPlaced] }`).
    pub pattern: Sp<EventPattern>,
    /// Retries of a failed delivery to the function, 0..185 (EventBridge's default: 185).
    pub retries: Option<Sp<u32>>,
    /// Events older than this are not delivered, 60 s..24 h (EventBridge's default: 24 h).
    pub max_event_age: Option<Sp<Duration>>,
    /// A dead-letter queue for events the rule cannot deliver (default true); `false`
    /// drops them (FN114).
    pub dlq: Option<Sp<bool>>,
    #[schemars(skip)]
    pub span: Span,
}

/// An EventBridge event pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct EventPattern(pub serde_json::Value);

impl JsonSchema for EventPattern {
    fn schema_name() -> Cow<'static, str> {
        "EventPattern".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An EventBridge event pattern: each field maps to a list of values to match or to a nested pattern.",
            "type": "object",
            "minProperties": 1,
            "additionalProperties": { "type": ["array", "object"] }
        })
    }
}

impl FromNode for EventPattern {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        pattern_ok(node, cx, true).then(|| EventPattern(to_json(node)))
    }
}

/// EventBridge's pattern rules: a non-empty mapping whose values are non-empty lists
/// (of values or matching objects such as `{ prefix: shop. }`) or nested patterns.
fn pattern_ok(node: &Node, cx: &mut Cx, top: bool) -> bool {
    let Value::Map(entries) = &node.value else {
        let what = if top {
            "an event pattern (a mapping)"
        } else {
            "a list of values or a nested pattern"
        };
        cx.wrong_type(node, what);
        return false;
    };
    if entries.is_empty() {
        cx.error(
            codes::INVALID_VALUE,
            node.span,
            "an event pattern cannot be empty",
        )
        .help = Some("match on at least one field, e.g. `{ source: [shop.orders] }`".into());
        return false;
    }
    let mut ok = true;
    for (_, v) in entries {
        ok &= match &v.value {
            Value::Map(_) => pattern_ok(v, cx, false),
            Value::Seq(items) if items.is_empty() => {
                cx.error(
                    codes::INVALID_VALUE,
                    v.span,
                    "an empty list matches no event",
                )
                .help = Some("list at least one value, e.g. `[OrderPlaced]`".into());
                false
            }
            Value::Seq(items) => items.iter().all(|i| match &i.value {
                Value::Seq(_) => {
                    cx.wrong_type(i, "a value or a matching object (`{ prefix: ... }`)");
                    false
                }
                _ => true,
            }),
            _ => {
                let value = v.as_str().unwrap_or("VALUE");
                cx.error(
                    codes::INVALID_VALUE,
                    v.span,
                    "event pattern values are lists (or nested patterns)",
                )
                .help = Some(format!("write the value as a list: `[{value}]`"));
                false
            }
        };
    }
    ok
}

/// `latest` or `trim_horizon`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StartingPosition {
    Latest,
    TrimHorizon,
}

/// `-1` (no limit) or a duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordAge {
    Unlimited,
    Limit(Duration),
}

impl JsonSchema for RecordAge {
    fn schema_name() -> Cow<'static, str> {
        "RecordAge".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let d = g.subschema_for::<Duration>();
        json_schema!({
            "description": "-1 (no limit) or a duration",
            "anyOf": [{ "const": -1 }, d]
        })
    }
}

/// One Lambda event filter pattern, or a list of them.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterPatterns(pub Vec<serde_json::Value>);

impl JsonSchema for FilterPatterns {
    fn schema_name() -> Cow<'static, str> {
        "FilterPatterns".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A Lambda event filter pattern, or a list of them.",
            "anyOf": [
                { "type": "object" },
                { "type": "array", "items": { "type": "object" } }
            ]
        })
    }
}

/// Any JSON object (filter policies).
#[derive(Clone, Debug, PartialEq)]
pub struct JsonObject(pub serde_json::Value);

impl JsonSchema for JsonObject {
    fn schema_name() -> Cow<'static, str> {
        "JsonObject".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "object" })
    }
}

impl FromNode for JsonObject {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Map(_) => Some(JsonObject(to_json(node))),
            _ => {
                cx.wrong_type(node, "a mapping");
                None
            }
        }
    }
}

#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawQueue {
    /// A queue made elsewhere, used as it is: fnplan creates nothing, scopes IAM to it
    /// and resolves references to it.
    pub existing: Option<Sp<RawExisting>>,
    /// A fixed physical name (`${app}`, `${stage}`, `${var.NAME}`, `${region}`, `${account}`).
    /// Default: generated by CloudFormation (FIFO queues: `{app}-{stage}-{key}.fifo`). A fixed name cannot survive a replacement.
    pub name: Option<Sp<String>>,
    /// Seconds or a duration string, 0..12 h (default 30 s).
    pub visibility_timeout: Option<Sp<Duration>>,
    /// Message retention, 60 s..14 d (default 4 d).
    pub retention: Option<Sp<Duration>>,
    pub fifo: Option<Sp<bool>>,
    /// `true`, `false` (explicit opt-out), or settings. Absent means no DLQ.
    pub dlq: Option<Sp<RawDlq>>,
    /// The key this queue had before a rename in the spec: `fnplan apply` moves the
    /// deployed queue to the new key (CloudFormation stack refactoring), keeping its name
    /// and data, instead of replacing it.
    pub renamed_from: Option<Sp<String>>,
    pub lint_ignore: Option<Vec<Sp<String>>>,
    #[schemars(skip)]
    pub span: Span,
}

/// `existing: { name }`: a resource made outside this stack.
#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawExisting {
    /// Its name (`${app}`, `${stage}`, `${var.NAME}`, `${region}`, `${account}` may be used).
    pub name: Sp<String>,
    #[schemars(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, JsonSchema)]
#[serde(untagged)]
pub enum RawDlq {
    Enabled(bool),
    Settings(RawDlqSettings),
}

#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawDlqSettings {
    /// Receives before a message moves to the DLQ (default 5).
    pub max_receive_count: Option<Sp<u32>>,
    /// DLQ retention (default 14 d).
    pub retention: Option<Sp<Duration>>,
    /// The DLQ's visibility timeout, 0..12 h (default: SQS's 30 s), for functions it
    /// triggers.
    pub visibility_timeout: Option<Sp<Duration>>,
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawTable {
    /// A table made elsewhere, used as it is: fnplan creates nothing, scopes IAM to it
    /// and resolves references to it.
    pub existing: Option<Sp<RawExisting>>,
    /// A fixed physical name (`${app}`, `${stage}`, `${var.NAME}`, `${region}`, `${account}`).
    /// Default: generated by CloudFormation. A fixed name cannot survive a replacement.
    pub name: Option<Sp<String>>,
    /// Required, except for an `existing` table.
    pub key: Option<Sp<RawKey>>,
    pub sort_key: Option<Sp<RawKey>>,
    /// Name of the TTL attribute.
    pub ttl: Option<Sp<String>>,
    /// DynamoDB stream: `true` (new_and_old_images) or a view type.
    pub stream: Option<Sp<RawStream>>,
    /// Keep the table when it is removed from the spec or replaced (default true).
    pub retain: Option<Sp<bool>>,
    /// The key this table had before a rename in the spec: `fnplan apply` moves the
    /// deployed table to the new key (CloudFormation stack refactoring), keeping its name
    /// and data, instead of replacing it.
    pub renamed_from: Option<Sp<String>>,
    pub lint_ignore: Option<Vec<Sp<String>>>,
    #[schemars(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, JsonSchema)]
#[serde(untagged)]
pub enum RawKey {
    /// A string attribute of this name.
    Name(String),
    Typed(RawTypedKey),
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawTypedKey {
    pub name: Sp<String>,
    #[serde(rename = "type")]
    pub kind: Option<Sp<KeyType>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum KeyType {
    S,
    N,
    B,
}

#[derive(Clone, Debug, JsonSchema)]
#[serde(untagged)]
pub enum RawStream {
    Enabled(bool),
    View(StreamView),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StreamView {
    KeysOnly,
    NewImage,
    OldImage,
    NewAndOldImages,
}

#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawBucket {
    /// A bucket made elsewhere, used as it is: fnplan creates nothing, scopes IAM to it
    /// and resolves references to it.
    pub existing: Option<Sp<RawExisting>>,
    /// A fixed physical name (`${app}`, `${stage}`, `${var.NAME}`, `${region}`, `${account}`).
    /// Default: `{app}-{stage}-{key}-{account}-{region}`. A fixed name cannot survive a replacement.
    pub name: Option<Sp<String>>,
    /// Keep the bucket when it is removed from the spec or replaced (default true).
    pub retain: Option<Sp<bool>>,
    /// Turn on object versioning.
    pub versioning: Option<Sp<bool>>,
    /// The key this bucket had before a rename in the spec: `fnplan apply` moves the
    /// deployed bucket to the new key (CloudFormation stack refactoring), keeping its name
    /// and data, instead of replacing it.
    pub renamed_from: Option<Sp<String>>,
    pub lint_ignore: Option<Vec<Sp<String>>>,
    #[schemars(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawTopic {
    /// A topic made elsewhere, used as it is: fnplan creates nothing, scopes IAM to it
    /// and resolves references to it.
    pub existing: Option<Sp<RawExisting>>,
    /// A fixed physical name (`${app}`, `${stage}`, `${var.NAME}`, `${region}`, `${account}`).
    /// Default: generated by CloudFormation (FIFO topics: `{app}-{stage}-{key}.fifo`). A fixed name cannot survive a replacement.
    pub name: Option<Sp<String>>,
    pub fifo: Option<Sp<bool>>,
    pub lint_ignore: Option<Vec<Sp<String>>>,
    #[schemars(skip)]
    pub span: Span,
}

/// An EventBridge event bus.
#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawBus {
    /// Keep the bus's events this long in an archive (`AWS::Events::Archive`; whole
    /// days, 1 d.. ), for replays.
    pub archive: Option<Sp<Duration>>,
    pub lint_ignore: Option<Vec<Sp<String>>>,
    #[schemars(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawSecret {
    /// An SSM parameter name, e.g. `/orders/stripe-key`.
    pub ssm: Option<Sp<String>>,
    /// A Secrets Manager secret name, e.g. `orders/stripe`.
    pub secretsmanager: Option<Sp<String>>,
    /// The ARN of the customer-managed KMS key the secret or SecureString parameter is
    /// encrypted with: adds `kms:Decrypt` on that key, through that service only.
    pub kms_key: Option<Sp<String>>,
    #[schemars(skip)]
    pub span: Span,
}

/// An Aurora Serverless v2 cluster with the RDS Data API, or an `existing` one.
#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawDatabase {
    /// A cluster made elsewhere, used as it is: fnplan creates nothing and scopes IAM to
    /// its cluster and secret ARNs.
    pub existing: Option<Sp<RawExistingDatabase>>,
    /// `aurora-postgresql` or `aurora-mysql`; required, except for an `existing` database.
    pub engine: Option<Sp<Engine>>,
    /// Fewest Aurora capacity units, 0..256 in steps of 0.5 (default 0.5); 0 pauses the
    /// cluster when idle.
    pub min_capacity: Option<Sp<Capacity>>,
    /// Most Aurora capacity units, 1..256 in steps of 0.5 (default 4); not below
    /// `min_capacity`.
    pub max_capacity: Option<Sp<Capacity>>,
    /// The database created in the cluster (default: the key, `-` written as `_` for
    /// PostgreSQL and left out for MySQL, whose names have letters and digits only).
    pub database_name: Option<Sp<String>>,
    /// A DB subnet group's name (default: the default VPC's subnets).
    pub subnet_group: Option<Sp<String>>,
    /// Refuse to delete the cluster (`DeletionProtection`; default false, FN116 on a
    /// stage named `prod`).
    pub deletion_protection: Option<Sp<bool>>,
    pub lint_ignore: Option<Vec<Sp<String>>>,
    #[schemars(skip)]
    pub span: Span,
}

/// `existing: { cluster_arn, secret_arn }`: an Aurora cluster made outside this stack.
#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawExistingDatabase {
    /// `arn:aws:rds:REGION:ACCOUNT:cluster:ID` (`${region}`, `${account}`, `${stage}`,
    /// `${var.NAME}` may be used).
    pub cluster_arn: Sp<String>,
    /// The ARN of the Secrets Manager secret the Data API signs in with.
    pub secret_arn: Sp<String>,
    /// The database `${database.NAME.name}` stands for.
    pub database_name: Option<Sp<String>>,
    #[schemars(skip)]
    pub span: Span,
}

/// The Aurora engine of a database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    AuroraPostgresql,
    AuroraMysql,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::AuroraPostgresql => "aurora-postgresql",
            Engine::AuroraMysql => "aurora-mysql",
        }
    }
}

impl FromNode for Engine {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        enum_from_node(
            node,
            cx,
            &[
                ("aurora-postgresql", Engine::AuroraPostgresql),
                ("aurora-mysql", Engine::AuroraMysql),
            ],
        )
    }
}

/// Aurora capacity units, in halves (`0.5` is 1): a number in steps of 0.5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Capacity(pub u32);

impl Capacity {
    /// The value in ACUs.
    pub fn acus(self) -> f64 {
        f64::from(self.0) / 2.0
    }
}

impl std::fmt::Display for Capacity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_multiple_of(2) {
            write!(f, "{}", self.0 / 2)
        } else {
            write!(f, "{}.5", self.0 / 2)
        }
    }
}

impl JsonSchema for Capacity {
    fn schema_name() -> Cow<'static, str> {
        "Capacity".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Aurora capacity units, 0..256 in steps of 0.5.",
            "type": "number",
            "minimum": 0,
            "maximum": 256,
            "multipleOf": 0.5
        })
    }
}

impl FromNode for Capacity {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let halves = match &node.value {
            Value::Int(i) if (0..=1024).contains(i) => Some(*i as f64 * 2.0),
            Value::Float(f) if (0.0..=1024.0).contains(f) => Some(f * 2.0),
            Value::Int(_) | Value::Float(_) => {
                cx.error(
                    codes::OUT_OF_RANGE,
                    node.span,
                    "capacity is 0..256 Aurora capacity units",
                );
                return None;
            }
            _ => {
                cx.wrong_type(node, "a number of Aurora capacity units (`0.5`, `4`)");
                return None;
            }
        };
        match halves {
            Some(h) if h.fract() == 0.0 => Some(Capacity(h as u32)),
            _ => {
                cx.error(
                    codes::INVALID_VALUE,
                    node.span,
                    "capacity goes in steps of 0.5 Aurora capacity units",
                )
                .help = Some("write a whole number or one ending in `.5` (`0.5`, `2.5`)".into());
                None
            }
        }
    }
}

#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawLint {
    /// Rule codes silenced for the whole spec, e.g. `[FN104]`.
    pub ignore: Option<Vec<Sp<String>>>,
    /// The account's Lambda concurrency limit in the stage's region (Service Quotas
    /// "Concurrent executions"; 1,000 unless raised). FN304 checks the app's reserved
    /// and provisioned concurrency against it.
    pub account_concurrency: Option<Sp<u32>>,
    /// FN117 flags a function serving more HTTP routes than this (default 10).
    pub max_routes_per_function: Option<Sp<u32>>,
    /// FN117 flags a function with more kinds of event source than this (default 3):
    /// HTTP routes are one kind, each kind of trigger (queue, schedule, ...) one more.
    pub max_source_kinds: Option<Sp<u32>>,
    /// FN305 warns about a function whose code is larger than this many MB unzipped
    /// (default 50; over Lambda's 250 MB it is an error).
    pub code_size_warning_mb: Option<Sp<u32>>,
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawArtifacts {
    /// S3 bucket holding the function code zips, one per code directory, as
    /// `<app>/<stage>/code/<dir>-<fingerprint>.zip` (`fnplan bootstrap` creates it).
    pub bucket: Sp<String>,
}

/// A duration in whole seconds: a number, or a string with one unit (`30s`, `5m`, `2h`, `4d`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration(pub u64);

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Whole seconds, or a string with one unit: `30s`, `5m`, `2h`, `4d`.",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": r"^[0-9]+(s|m|h|d)$" }
            ]
        })
    }
}

impl Duration {
    pub fn parse(s: &str) -> Result<Duration, String> {
        let t = s.trim();
        let (num, mult) = match t.char_indices().last() {
            Some((i, 's')) => (&t[..i], 1),
            Some((i, 'm')) => (&t[..i], 60),
            Some((i, 'h')) => (&t[..i], 3600),
            Some((i, 'd')) => (&t[..i], 86400),
            _ => (t, 1),
        };
        if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{s}` is not a duration"));
        }
        num.parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(mult))
            .map(Duration)
            .ok_or_else(|| format!("`{s}` is too large"))
    }
}

impl FromNode for Duration {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Int(i) if *i >= 0 => Some(Duration(*i as u64)),
            Value::Int(_) => {
                cx.error(
                    codes::OUT_OF_RANGE,
                    node.span,
                    "a duration cannot be negative",
                );
                None
            }
            Value::Str(s) => match Duration::parse(s) {
                Ok(d) => Some(d),
                Err(m) => {
                    cx.error(codes::INVALID_VALUE, node.span, m).help = Some(
                        "write whole seconds (`30`) or one number with one unit: `30s`, `5m`, `2h`, `4d`".into(),
                    );
                    None
                }
            },
            _ => {
                cx.wrong_type(node, "a duration (seconds, or a string like `30s`)");
                None
            }
        }
    }
}

/// A scalar written where a string is meant (env values, vars): numbers and booleans
/// are kept as they were written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar(pub String);

impl JsonSchema for Scalar {
    fn schema_name() -> Cow<'static, str> {
        "Scalar".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

impl FromNode for Scalar {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Str(s) => Some(Scalar(s.clone())),
            Value::Int(i) => Some(Scalar(i.to_string())),
            Value::Float(f) => Some(Scalar(f.to_string())),
            Value::Bool(b) => Some(Scalar(b.to_string())),
            _ => {
                cx.wrong_type(node, "a string, number or boolean");
                None
            }
        }
    }
}

fn enum_from_node<T: Copy>(node: &Node, cx: &mut Cx, options: &[(&'static str, T)]) -> Option<T> {
    let Some(s) = node.as_str() else {
        let names: Vec<String> = options.iter().map(|(n, _)| format!("`{n}`")).collect();
        cx.wrong_type(node, &format!("one of {}", names.join(", ")));
        return None;
    };
    if let Some((_, v)) = options.iter().find(|(n, _)| *n == s) {
        return Some(*v);
    }
    let help = crate::suggest::hint(s, options.iter().map(|(n, _)| *n));
    cx.error(
        codes::INVALID_VALUE,
        node.span,
        format!("`{s}` is not a valid value here"),
    )
    .help = help;
    None
}

impl FromNode for Tracing {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        enum_from_node(
            node,
            cx,
            &[
                ("active", Tracing::Active),
                ("passthrough", Tracing::Passthrough),
            ],
        )
    }
}

impl FromNode for Architecture {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        enum_from_node(
            node,
            cx,
            &[
                ("arm64", Architecture::Arm64),
                ("x86_64", Architecture::X86_64),
            ],
        )
    }
}

impl FromNode for KeyType {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        enum_from_node(
            node,
            cx,
            &[("S", KeyType::S), ("N", KeyType::N), ("B", KeyType::B)],
        )
    }
}

impl FromNode for StreamView {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        enum_from_node(
            node,
            cx,
            &[
                ("keys_only", StreamView::KeysOnly),
                ("new_image", StreamView::NewImage),
                ("old_image", StreamView::OldImage),
                ("new_and_old_images", StreamView::NewAndOldImages),
            ],
        )
    }
}

impl FromNode for StartingPosition {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        enum_from_node(
            node,
            cx,
            &[
                ("latest", StartingPosition::Latest),
                ("trim_horizon", StartingPosition::TrimHorizon),
            ],
        )
    }
}

impl FromNode for RecordAge {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Int(-1) => Some(RecordAge::Unlimited),
            Value::Int(i) if *i < 0 => {
                cx.error(
                    codes::OUT_OF_RANGE,
                    node.span,
                    format!("{i} is not a record age"),
                )
                .help = Some("write `-1` (no limit) or a duration of 60 s..7 d (`1h`)".into());
                None
            }
            _ => Duration::from_node(node, cx).map(RecordAge::Limit),
        }
    }
}

impl FromNode for FilterPatterns {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Map(_) => Some(FilterPatterns(vec![to_json(node)])),
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(JsonObject::from_node(i, cx)?.0);
                }
                Some(FilterPatterns(out))
            }
            _ => {
                cx.wrong_type(node, "a filter pattern (a mapping) or a list of them");
                None
            }
        }
    }
}

impl FromNode for RawStream {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Bool(b) => Some(RawStream::Enabled(*b)),
            _ => StreamView::from_node(node, cx).map(RawStream::View),
        }
    }
}

impl FromNode for RawKey {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Str(s) => Some(RawKey::Name(s.clone())),
            Value::Map(_) => {
                let mut m = MapReader::new(node, node.span, "key", cx)?;
                let name = m.req("name", cx);
                let kind = m.opt("type", cx);
                let ok = m.finish(cx);
                Some(RawKey::Typed(RawTypedKey { name: name?, kind })).filter(|_| ok)
            }
            _ => {
                cx.wrong_type(node, "an attribute name or `{ name, type }`");
                None
            }
        }
    }
}

impl FromNode for RawDlq {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Bool(b) => Some(RawDlq::Enabled(*b)),
            Value::Map(_) => {
                let mut m = MapReader::new(node, node.span, "dlq", cx)?;
                let s = RawDlqSettings {
                    max_receive_count: m.opt("max_receive_count", cx),
                    retention: m.opt("retention", cx),
                    visibility_timeout: m.opt("visibility_timeout", cx),
                };
                m.finish(cx).then_some(RawDlq::Settings(s))
            }
            _ => {
                cx.wrong_type(
                    node,
                    "`true`, `false` or `{ max_receive_count, retention, visibility_timeout }`",
                );
                None
            }
        }
    }
}

/// Every struct below reads its fields through a [`MapReader`] so that unknown fields
/// are reported with the closest known name. `$owner` is the span of the key that
/// names the element (missing-field errors point there).
macro_rules! read_struct {
    ($node:expr, $owner:expr, $what:literal, $cx:expr, $T:ident { $($field:ident : $how:ident $(($key:literal))?),* $(,)? } $(, span: $span:expr)?) => {{
        let mut m = MapReader::new($node, $owner, $what, $cx)?;
        $( let $field = read_struct!(@get m, $cx, $how, $field $(, $key)?); )*
        let ok = m.finish($cx);
        if !ok { return None; }
        Some($T { $( $field: read_struct!(@unwrap $how, $field), )* $( span: $span )? })
    }};
    (@get $m:ident, $cx:expr, req, $field:ident) => { $m.req(stringify!($field), $cx) };
    (@get $m:ident, $cx:expr, opt, $field:ident) => { $m.opt(stringify!($field), $cx) };
    (@get $m:ident, $cx:expr, req, $field:ident, $key:literal) => { $m.req($key, $cx) };
    (@get $m:ident, $cx:expr, opt, $field:ident, $key:literal) => { $m.opt($key, $cx) };
    (@unwrap req, $field:ident) => { $field? };
    (@unwrap opt, $field:ident) => { $field };
}

/// Read the whole spec from its root node.
pub fn read_spec(root: &Node, cx: &mut Cx) -> Option<RawSpec> {
    let span = Span::new(root.span.start, root.span.start);
    if !matches!(root.value, Value::Map(_)) {
        cx.wrong_type(
            root,
            "a mapping with `version`, `app` and the app's sections",
        );
        return None;
    }
    read_struct!(root, span, "spec", cx, RawSpec {
        version: req, app: req, stages: opt, defaults: opt, tags: opt, api: opt,
        layers: opt, functions: opt, queues: opt, tables: opt, buckets: opt, topics: opt, buses: opt, secrets: opt, lint: opt,
        artifacts: opt, databases: opt, resources: opt, outputs: opt,
    }, span: root.span)
}

/// Elements that are a name's value (`functions: { NAME: {...} }`) use the span of
/// their node; missing-field errors then point at the start of that mapping.
macro_rules! element {
    ($T:ident, $what:literal, { $($field:ident : $how:ident $(($key:literal))?),* $(,)? }) => {
        impl FromNode for $T {
            fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
                read_struct!(node, node.span, $what, cx, $T { $($field : $how $(($key))?),* }, span: node.span)
            }
        }
    };
    ($T:ident, $what:literal, nospan { $($field:ident : $how:ident $(($key:literal))?),* $(,)? }) => {
        impl FromNode for $T {
            fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
                read_struct!(node, node.span, $what, cx, $T { $($field : $how $(($key))?),* })
            }
        }
    };
}

element!(
    RawStage,
    "stage",
    nospan {
        region: opt,
        vars: opt,
        hot: opt
    }
);
element!(RawDefaults, "defaults section", nospan { function: opt });
element!(
    RawFunctionDefaults,
    "function defaults section",
    nospan {
        runtime: opt,
        timeout: opt,
        memory: opt,
        concurrency: opt,
        log_retention_days: opt,
        architecture: opt,
        tracing: opt,
        layers: opt,
    }
);
element!(
    RawApi,
    "api section",
    nospan {
        cors: opt,
        authorizers: opt,
        routes: opt
    }
);
element!(RawCors, "cors section", {
    origins: opt, methods: opt, headers: opt, expose_headers: opt, credentials: opt, max_age: opt,
});
element!(RawAuthorizer, "authorizer", { jwt: opt, function: opt, identity: opt, cache_ttl: opt });
element!(
    RawJwt,
    "jwt authorizer",
    nospan {
        issuer: req,
        audience: req
    }
);
element!(
    RawRoute,
    "route",
    nospan {
        function: req,
        auth: opt,
        lint_ignore: opt
    }
);
element!(RawFunction, "function", {
    name: opt, handler: req, code: req, runtime: opt, timeout: opt, memory: opt, concurrency: opt,
    provisioned: opt, log_retention_days: opt, architecture: opt, tracing: opt, layers: opt, description: opt, env: opt,
    uses: opt, triggers: opt, on_failure: opt, retries: opt, max_event_age: opt, policies: opt,
    lint_ignore: opt,
});
element!(RawLayer, "layer", {
    code: req, runtimes: opt, architectures: opt, description: opt, license: opt, lint_ignore: opt,
});
element!(RawQueue, "queue", {
    name: opt, existing: opt, visibility_timeout: opt, retention: opt, fifo: opt, dlq: opt,
    renamed_from: opt, lint_ignore: opt,
});
element!(RawTable, "table", {
    name: opt, existing: opt, key: opt, sort_key: opt, ttl: opt, stream: opt, retain: opt, renamed_from: opt, lint_ignore: opt,
});
element!(RawBucket, "bucket", { name: opt, existing: opt, retain: opt, versioning: opt, renamed_from: opt, lint_ignore: opt });
element!(RawTopic, "topic", { name: opt, existing: opt, fifo: opt, lint_ignore: opt });
element!(RawExisting, "existing", { name: req });
element!(RawBus, "bus", { archive: opt, lint_ignore: opt });
element!(RawSecret, "secret", { ssm: opt, secretsmanager: opt, kms_key: opt });
element!(RawDatabase, "database", {
    existing: opt, engine: opt, min_capacity: opt, max_capacity: opt, database_name: opt,
    subnet_group: opt, deletion_protection: opt, lint_ignore: opt,
});
element!(RawExistingDatabase, "existing database", { cluster_arn: req, secret_arn: req, database_name: opt });
element!(
    RawLint,
    "lint section",
    nospan {
        ignore: opt,
        account_concurrency: opt,
        max_routes_per_function: opt,
        max_source_kinds: opt,
        code_size_warning_mb: opt
    }
);
element!(RawArtifacts, "artifacts section", nospan { bucket: req });
element!(RawQueueTrigger, "queue trigger", {
    queue: req, batch_size: opt, batch_window: opt, max_concurrency: opt, report_failures: opt,
});
element!(RawScheduleTrigger, "schedule trigger", { schedule: req, enabled: opt });
element!(RawBucketTrigger, "bucket trigger", { bucket: req, events: opt, prefix: opt, suffix: opt });
element!(RawTopicTrigger, "topic trigger", { topic: req, filter_policy: opt });
element!(RawBusTrigger, "bus trigger", {
    bus: req, pattern: req, retries: opt, max_event_age: opt, dlq: opt,
});
element!(RawStreamTrigger, "table stream trigger", {
    table: req, starting_position: opt, batch_size: opt, batch_window: opt, bisect_on_error: opt,
    retries: opt, max_record_age: opt, filter: opt, report_failures: opt,
});

const TRIGGER_KINDS: [&str; 6] = ["queue", "schedule", "bucket", "topic", "table", "bus"];

impl FromNode for RawTrigger {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let Value::Map(entries) = &node.value else {
            cx.wrong_type(node, "a trigger (`- queue: NAME`, `- schedule: EXPR`, `- bucket: NAME`, `- topic: NAME`, `- table: NAME` or `- bus: NAME`)");
            return None;
        };
        let kinds: Vec<&Node> = entries
            .iter()
            .filter(|(k, _)| k.as_str().is_some_and(|k| TRIGGER_KINDS.contains(&k)))
            .map(|(k, _)| k)
            .collect();
        match kinds.as_slice() {
            [k] => {
                // A trigger is named by its `queue: NAME` (or schedule/bucket/topic) entry.
                let value_end = entries
                    .iter()
                    .find(|(x, _)| x.span == k.span)
                    .map_or(k.span.end, |(_, v)| v.span.end);
                let span = Span::new(k.span.start, value_end);
                let mut t = match k.as_str() {
                    Some("queue") => RawQueueTrigger::from_node(node, cx).map(RawTrigger::Queue),
                    Some("schedule") => {
                        RawScheduleTrigger::from_node(node, cx).map(RawTrigger::Schedule)
                    }
                    Some("bucket") => RawBucketTrigger::from_node(node, cx).map(RawTrigger::Bucket),
                    Some("table") => RawStreamTrigger::from_node(node, cx).map(RawTrigger::Stream),
                    Some("bus") => RawBusTrigger::from_node(node, cx).map(RawTrigger::Bus),
                    _ => RawTopicTrigger::from_node(node, cx).map(RawTrigger::Topic),
                };
                match &mut t {
                    Some(RawTrigger::Queue(x)) => x.span = span,
                    Some(RawTrigger::Schedule(x)) => x.span = span,
                    Some(RawTrigger::Bucket(x)) => x.span = span,
                    Some(RawTrigger::Topic(x)) => x.span = span,
                    Some(RawTrigger::Stream(x)) => x.span = span,
                    Some(RawTrigger::Bus(x)) => x.span = span,
                    None => {}
                }
                t
            }
            [] => {
                let first = entries.first().and_then(|(k, _)| k.as_str()).unwrap_or("");
                let span = entries.first().map_or(node.span, |(k, _)| k.span);
                let help = match crate::suggest::closest(first, TRIGGER_KINDS) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => {
                        "start the trigger with `queue:`, `schedule:`, `bucket:`, `topic:`, `table:` or `bus:`".into()
                    }
                };
                cx.error(
                    codes::MISSING_FIELD,
                    span,
                    "a trigger needs one of `queue`, `schedule`, `bucket`, `topic`, `table` or `bus`",
                )
                .help = Some(help);
                None
            }
            [_, second, ..] => {
                cx.error(
                    codes::INVALID_VALUE,
                    second.span,
                    "a trigger has exactly one of `queue`, `schedule`, `bucket`, `topic`, `table` or `bus`",
                )
                .help = Some(
                    "write each trigger as its own list item (`- queue: ...`, `- schedule: ...`)"
                        .into(),
                );
                None
            }
        }
    }
}

/// The attributes a raw resource may have besides `Type` (`Condition` is not one: stages
/// replace conditions).
pub const RESOURCE_ATTRIBUTES: [&str; 8] = [
    "Type",
    "Properties",
    "DependsOn",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "Metadata",
    "CreationPolicy",
    "UpdatePolicy",
];

/// A raw CloudFormation resource as written (short tags already in long form), with
/// spans: lowering resolves fnplan references in its strings and checks its shape.
#[derive(Clone, Debug, PartialEq)]
pub struct RawResource {
    pub node: Node,
}

impl JsonSchema for RawResource {
    fn schema_name() -> Cow<'static, str> {
        "RawResource".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "description": "A CloudFormation resource, merged into the template as written.",
            "required": ["Type"],
            "additionalProperties": false,
            "properties": {
                "Type": { "type": "string", "description": "The resource type, e.g. `AWS::SSM::Parameter`." },
                "Properties": { "type": "object", "description": "The resource's properties." },
                "DependsOn": { "type": ["string", "array"], "items": { "type": "string" }, "description": "Logical IDs created first." },
                "DeletionPolicy": { "enum": ["Delete", "Retain", "RetainExceptOnUpdate", "Snapshot"] },
                "UpdateReplacePolicy": { "enum": ["Delete", "Retain", "Snapshot"] },
                "Metadata": { "type": "object" },
                "CreationPolicy": { "type": "object" },
                "UpdatePolicy": { "type": "object" }
            }
        })
    }
}

impl FromNode for RawResource {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Map(_) => Some(RawResource { node: node.clone() }),
            _ => {
                cx.wrong_type(node, "a CloudFormation resource (a mapping with `Type`)");
                None
            }
        }
    }
}

/// A stack output: its value alone, or with a description and an export name.
#[derive(Clone, Debug, JsonSchema)]
#[serde(untagged)]
pub enum RawOutput {
    Value(OutputValue),
    Settings(RawOutputSettings),
}

#[derive(Clone, Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawOutputSettings {
    /// The value: a string with references, or an intrinsic function.
    pub value: OutputValue,
    /// Shown by `describe-stacks` and the console.
    pub description: Option<Sp<String>>,
    /// An export name for other stacks' `Fn::ImportValue` (references resolve in it).
    pub export: Option<Sp<String>>,
}

/// An output's value as written: a string or an intrinsic function (`!GetAtt Pool.Arn`).
#[derive(Clone, Debug, PartialEq)]
pub struct OutputValue(pub Node);

impl JsonSchema for OutputValue {
    fn schema_name() -> Cow<'static, str> {
        "OutputValue".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": ["string", "object"],
            "description": "A string with references, or an intrinsic function such as `{ \"Fn::GetAtt\": [Pool, Arn] }`."
        })
    }
}

impl FromNode for OutputValue {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Str(_) => Some(OutputValue(node.clone())),
            Value::Map(m) if is_intrinsic(m) => Some(OutputValue(node.clone())),
            _ => {
                cx.wrong_type(
                    node,
                    "a string or an intrinsic function (`!Ref`, `!GetAtt`, `!Sub`, ...)",
                );
                None
            }
        }
    }
}

/// `{ Ref: .. }` or `{ Fn::X: .. }`: one key naming an intrinsic function.
pub fn is_intrinsic(entries: &[(Node, Node)]) -> bool {
    matches!(entries, [(k, _)] if k.as_str().is_some_and(|k| k == "Ref" || k.starts_with("Fn::")))
}

impl FromNode for RawOutput {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Map(m) if !is_intrinsic(m) => {
                let mut r = MapReader::new(node, node.span, "output", cx)?;
                let value = r.req("value", cx);
                let description = r.opt("description", cx);
                let export = r.opt("export", cx);
                let ok = r.finish(cx);
                let value = value?;
                ok.then_some(RawOutput::Settings(RawOutputSettings {
                    value,
                    description,
                    export,
                }))
            }
            _ => OutputValue::from_node(node, cx).map(RawOutput::Value),
        }
    }
}
