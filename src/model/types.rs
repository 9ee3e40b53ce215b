//! The typed model of one stage of an app: defaults resolved, references checked, every
//! element carrying the span of the spec text it came from.

use crate::diagnostic::Code;
use crate::source::Span;
use serde::Serialize;
use std::path::PathBuf;

pub use crate::spec::raw::{Architecture, Capacity, Engine, KeyType, StartingPosition, StreamView};

/// A value that may have been written in the spec (`span: Some`) or come from a default
/// (`span: None`, or the span of the `defaults` entry when `from_defaults`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub span: Option<Span>,
}

impl<T> Setting<T> {
    pub fn written(value: T, span: Span) -> Self {
        Setting {
            value,
            span: Some(span),
        }
    }
    pub fn default(value: T) -> Self {
        Setting { value, span: None }
    }
}

/// What kind of app element a name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Function,
    Queue,
    /// The dead-letter queue fnplan makes for a queue with `dlq`; its index is the
    /// queue's. Specs name it as a queue, `{queue}-dlq` (`queue.jobs-dlq`).
    Dlq,
    Table,
    Bucket,
    Topic,
    Secret,
    /// A Lambda layer (`layers:`); named only in functions' `layers:` lists, not in
    /// `uses` or references.
    Layer,
    /// An EventBridge bus (`default`: the account's default bus, not created).
    Bus,
    Database,
}

impl Kind {
    /// The kinds a spec names with their own word (`Dlq` is written as a queue).
    pub const ALL: [Kind; 8] = [
        Kind::Function,
        Kind::Queue,
        Kind::Table,
        Kind::Bucket,
        Kind::Topic,
        Kind::Secret,
        Kind::Bus,
        Kind::Database,
    ];
    /// The word used in specs (`table.orders`) and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Function => "function",
            Kind::Queue | Kind::Dlq => "queue",
            Kind::Table => "table",
            Kind::Bucket => "bucket",
            Kind::Topic => "topic",
            Kind::Secret => "secret",
            Kind::Layer => "layer",
            Kind::Bus => "bus",
            Kind::Database => "database",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An element of the model: its kind and index into the model's list of that kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResId {
    pub kind: Kind,
    pub index: usize,
}

impl ResId {
    pub fn new(kind: Kind, index: usize) -> Self {
        ResId { kind, index }
    }
}

/// One stage of an app, ready for graphing, linting and rendering.
#[derive(Clone, Debug)]
pub struct Model {
    pub app: String,
    /// The `app:` value in the spec (findings about the whole stack point here).
    pub app_span: Span,
    pub stage: String,
    /// `{app}-{stage}`.
    pub stack_name: String,
    /// The stage's `region`, if the spec gives one.
    pub region: Option<String>,
    /// `fnplan apply --hot` is allowed on this stage (`stages.NAME.hot`; default false for
    /// a stage named `prod`).
    pub hot: bool,
    /// Tags put on every taggable resource, in spec order.
    pub tags: Vec<(String, String)>,
    pub api: Option<Api>,
    pub layers: Vec<Layer>,
    pub functions: Vec<Function>,
    pub queues: Vec<Queue>,
    pub tables: Vec<Table>,
    pub buckets: Vec<Bucket>,
    pub topics: Vec<Topic>,
    pub secrets: Vec<Secret>,
    /// The app's buses in spec order, then the account's `default` bus when the spec
    /// uses it without declaring it.
    pub buses: Vec<Bus>,
    pub databases: Vec<Database>,
    /// Top-level `lint: { ignore: [...] }`.
    pub lint_ignore: Vec<(Code, Span)>,
    /// `lint: { account_concurrency }`: the account's Lambda concurrency limit in the
    /// region (default 1,000), which FN304 checks the app's reservations against.
    pub account_concurrency: Setting<u32>,
    /// The `lint:` section's thresholds of FN117 and FN305.
    pub lint_settings: LintSettings,
    /// Top-level `artifacts: { bucket }`: where local code zips go (`--artifact-bucket`
    /// overrides it).
    pub artifact_bucket: Option<(String, Span)>,
    /// `resources:`: raw CloudFormation merged into the template, in spec order.
    pub raw_resources: Vec<RawResource>,
    /// `outputs:`: stack outputs the spec declares, in spec order.
    pub raw_outputs: Vec<RawOutput>,
}

/// Thresholds of lint rules set in the `lint:` section, each its default when not written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintSettings {
    /// FN117: routes one function may serve.
    pub max_routes_per_function: Setting<u32>,
    /// FN117: kinds of event source one function may have (HTTP counts as one).
    pub max_source_kinds: Setting<u32>,
    /// FN305: unzipped code size (MB) above which a cold-start warning is given.
    pub code_size_warning_mb: Setting<u32>,
}

impl LintSettings {
    pub const MAX_ROUTES_PER_FUNCTION: u32 = 10;
    pub const MAX_SOURCE_KINDS: u32 = 3;
    pub const CODE_SIZE_WARNING_MB: u32 = 50;
}

impl Default for LintSettings {
    fn default() -> Self {
        LintSettings {
            max_routes_per_function: Setting::default(Self::MAX_ROUTES_PER_FUNCTION),
            max_source_kinds: Setting::default(Self::MAX_SOURCE_KINDS),
            code_size_warning_mb: Setting::default(Self::CODE_SIZE_WARNING_MB),
        }
    }
}

impl Model {
    pub fn name_of(&self, id: ResId) -> &str {
        match id.kind {
            Kind::Function => &self.functions[id.index].name,
            Kind::Queue => &self.queues[id.index].name,
            Kind::Dlq => {
                let q = &self.queues[id.index];
                q.dlq().map_or(&q.name, |d| &d.name)
            }
            Kind::Table => &self.tables[id.index].name,
            Kind::Bucket => &self.buckets[id.index].name,
            Kind::Topic => &self.topics[id.index].name,
            Kind::Secret => &self.secrets[id.index].name,
            Kind::Layer => &self.layers[id.index].name,
            Kind::Bus => &self.buses[id.index].name,
            Kind::Database => &self.databases[id.index].name,
        }
    }
    pub fn name_span_of(&self, id: ResId) -> Span {
        match id.kind {
            Kind::Function => self.functions[id.index].name_span,
            Kind::Queue => self.queues[id.index].name_span,
            Kind::Dlq => {
                let q = &self.queues[id.index];
                q.dlq().map_or(q.name_span, |d| d.span)
            }
            Kind::Table => self.tables[id.index].name_span,
            Kind::Bucket => self.buckets[id.index].name_span,
            Kind::Topic => self.topics[id.index].name_span,
            Kind::Secret => self.secrets[id.index].name_span,
            Kind::Layer => self.layers[id.index].name_span,
            Kind::Bus => self.buses[id.index].name_span,
            Kind::Database => self.databases[id.index].name_span,
        }
    }
    /// `lint_ignore` of the element (empty for secrets; a dead-letter queue's is its
    /// queue's).
    pub fn lint_ignore_of(&self, id: ResId) -> &[(Code, Span)] {
        match id.kind {
            Kind::Function => &self.functions[id.index].lint_ignore,
            Kind::Queue | Kind::Dlq => &self.queues[id.index].lint_ignore,
            Kind::Table => &self.tables[id.index].lint_ignore,
            Kind::Bucket => &self.buckets[id.index].lint_ignore,
            Kind::Topic => &self.topics[id.index].lint_ignore,
            Kind::Layer => &self.layers[id.index].lint_ignore,
            Kind::Secret => &[],
            Kind::Bus => &self.buses[id.index].lint_ignore,
            Kind::Database => &self.databases[id.index].lint_ignore,
        }
    }
    pub fn find(&self, kind: Kind, name: &str) -> Option<ResId> {
        let pos = match kind {
            Kind::Function => self.functions.iter().position(|x| x.name == name),
            Kind::Queue => self.queues.iter().position(|x| x.name == name),
            Kind::Dlq => self
                .queues
                .iter()
                .position(|x| x.dlq().is_some_and(|d| d.name == name)),
            Kind::Table => self.tables.iter().position(|x| x.name == name),
            Kind::Bucket => self.buckets.iter().position(|x| x.name == name),
            Kind::Topic => self.topics.iter().position(|x| x.name == name),
            Kind::Secret => self.secrets.iter().position(|x| x.name == name),
            Kind::Layer => self.layers.iter().position(|x| x.name == name),
            Kind::Bus => self.buses.iter().position(|x| x.name == name),
            Kind::Database => self.databases.iter().position(|x| x.name == name),
        };
        pos.map(|i| ResId::new(kind, i))
    }
    pub fn ids(&self, kind: Kind) -> impl Iterator<Item = ResId> {
        let n = match kind {
            Kind::Function => self.functions.len(),
            Kind::Queue | Kind::Dlq => self.queues.len(),
            Kind::Table => self.tables.len(),
            Kind::Bucket => self.buckets.len(),
            Kind::Topic => self.topics.len(),
            Kind::Secret => self.secrets.len(),
            Kind::Layer => self.layers.len(),
            Kind::Bus => self.buses.len(),
            Kind::Database => self.databases.len(),
        };
        (0..n)
            .filter(move |i| kind != Kind::Dlq || self.queues[*i].dlq().is_some())
            .map(move |i| ResId::new(kind, i))
    }

    /// The queue a queue or dead-letter queue id belongs to (for a DLQ, the queue whose
    /// messages it receives: its `fifo` is the DLQ's too).
    pub fn queue_of(&self, id: ResId) -> &Queue {
        &self.queues[id.index]
    }

    /// The logical ID of a queue (`JobsQueue`) or dead-letter queue (`JobsDlq`).
    pub fn queue_logical_id(&self, id: ResId) -> String {
        let q = self.queue_of(id);
        match id.kind {
            Kind::Dlq => super::ids::dlq(&q.name),
            _ => super::ids::queue(&q.name),
        }
    }

    /// The visibility timeout of a queue or dead-letter queue.
    pub fn visibility_of(&self, id: ResId) -> &Setting<u64> {
        let q = self.queue_of(id);
        match (id.kind, q.dlq()) {
            (Kind::Dlq, Some(d)) => &d.visibility_timeout,
            _ => &q.visibility_timeout,
        }
    }
}

// ---------------------------------------------------------------- strings with references

/// A string that may contain `${...}` references, split into parts.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Interp {
    pub parts: Vec<Part>,
}

impl Interp {
    pub fn literal(s: impl Into<String>) -> Self {
        Interp {
            parts: vec![Part::Lit(s.into())],
        }
    }
    pub fn refs(&self) -> impl Iterator<Item = &Reference> {
        self.parts.iter().filter_map(|p| match p {
            Part::Ref(r) => Some(r),
            _ => None,
        })
    }
    /// The literal text when the string has no references or pseudo values.
    pub fn as_literal(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(l) => s.push_str(l),
                _ => return None,
            }
        }
        Some(s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    Ref(Reference),
    Pseudo(Pseudo),
}

/// `${region}`, `${account}`, and CloudFormation's `${AWS::Partition}` and
/// `${AWS::URLSuffix}` (resolved at deploy time by CloudFormation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pseudo {
    Region,
    Account,
    Partition,
    UrlSuffix,
}

/// `${kind.name.attr}` or `${api.url}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub target: RefTarget,
    pub attr: Attr,
    /// The `${...}` text in the spec.
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefTarget {
    Res(ResId),
    Api,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attr {
    Name,
    Arn,
    Url,
    StreamArn,
    /// A database's master user secret (`${database.NAME.secret_arn}`).
    SecretArn,
}

// ---------------------------------------------------------------- functions

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub name_span: Span,
    /// `{app}-{stage}-{name}`, or `name:`; `Fn::Sub` text (literal `${` escaped).
    pub physical_name: String,
    pub handler: String,
    pub handler_span: Span,
    pub code: CodeSource,
    pub code_span: Span,
    pub runtime: Setting<String>,
    /// `None`: no timeout anywhere (Lambda's 3 s default applies; FN103).
    pub timeout: Option<Setting<u64>>,
    pub memory: Option<Setting<u32>>,
    pub concurrency: Option<Setting<u32>>,
    pub provisioned: Option<Setting<u32>>,
    pub log_retention_days: Option<Setting<u32>>,
    pub architecture: Architecture,
    /// `tracing: active`: X-Ray traces (and the write permission for them).
    pub tracing_active: bool,
    /// `layers:` (or `defaults.function.layers`), in the order Lambda applies them.
    pub layers: Vec<LayerUse>,
    pub description: Option<String>,
    pub env: Vec<EnvVar>,
    pub uses: Vec<Use>,
    pub triggers: Vec<Trigger>,
    /// Queue that receives failed asynchronous invocations.
    pub on_failure: Option<(ResId, Span)>,
    pub retries: Option<Setting<u32>>,
    pub max_event_age: Option<Setting<u64>>,
    /// Raw IAM statements from `policies:`.
    pub policies: Vec<RawPolicy>,
    pub lint_ignore: Vec<(Code, Span)>,
}

impl Function {
    /// Whether anything invokes this function asynchronously (schedule, bucket, topic);
    /// queues and table streams are polled by event source mappings instead.
    pub fn has_async_triggers(&self) -> bool {
        self.triggers
            .iter()
            .any(|t| !matches!(t, Trigger::Queue(_) | Trigger::Stream(_)))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeSource {
    /// A local directory (relative paths resolved against the spec's directory). The
    /// model holds only the path: `package` fingerprints and zips it when a command
    /// needs that.
    Local {
        dir: PathBuf,
        written: String,
    },
    S3 {
        bucket: String,
        key: String,
    },
}

/// One entry of a function's `layers:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerUse {
    pub layer: LayerRef,
    /// The entry (in the function, or in `defaults.function` when inherited).
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayerRef {
    /// A layer of the app (`model.layers`).
    App(ResId),
    /// A layer version ARN made elsewhere (`Fn::Sub` text when it uses `${region}` or
    /// `${account}`).
    Arn(Interp),
}

/// A Lambda layer built from a local directory: one `AWS::Lambda::LayerVersion`, a new
/// version whenever its code or settings change.
#[derive(Clone, Debug)]
pub struct Layer {
    pub name: String,
    pub name_span: Span,
    /// `{app}-{stage}-{name}` (the `LayerName`).
    pub physical_name: String,
    /// The directory (relative paths resolved against the spec's directory).
    pub dir: PathBuf,
    /// `code:` as written.
    pub written: String,
    pub code_span: Span,
    /// Compatible runtimes in spec order; empty: any.
    pub runtimes: Vec<String>,
    /// Compatible architectures in spec order; empty: any.
    pub architectures: Vec<Architecture>,
    pub description: Option<String>,
    pub license: Option<String>,
    pub lint_ignore: Vec<(Code, Span)>,
}

#[derive(Clone, Debug)]
pub struct EnvVar {
    pub name: String,
    pub name_span: Span,
    pub value: Interp,
    pub value_span: Span,
    /// The value as written (before references were resolved); used by FN203/FN303.
    pub written: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    Read,
    Write,
    ReadWrite,
    Send,
    Receive,
    Publish,
    Invoke,
    /// `bus.NAME: put`: `events:PutEvents` on the bus.
    Put,
    /// `database.NAME: query`: Data API statements and transactions, and reading the
    /// cluster's secret.
    Query,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::ReadWrite => "read-write",
            Access::Send => "send",
            Access::Receive => "receive",
            Access::Publish => "publish",
            Access::Invoke => "invoke",
            Access::Put => "put",
            Access::Query => "query",
        }
    }
    /// The access levels a kind accepts (SPEC.md `uses`).
    pub fn levels_for(kind: Kind) -> &'static [Access] {
        match kind {
            Kind::Table | Kind::Bucket => &[Access::Read, Access::Write, Access::ReadWrite],
            Kind::Queue | Kind::Dlq => &[Access::Send, Access::Receive],
            Kind::Topic => &[Access::Publish],
            Kind::Function => &[Access::Invoke],
            Kind::Secret => &[Access::Read],
            Kind::Layer => &[],
            Kind::Bus => &[Access::Put],
            Kind::Database => &[Access::Query],
        }
    }
    pub fn reads(self) -> bool {
        matches!(
            self,
            Access::Read | Access::ReadWrite | Access::Receive | Access::Query
        )
    }
    pub fn writes(self) -> bool {
        matches!(
            self,
            Access::Write
                | Access::ReadWrite
                | Access::Send
                | Access::Publish
                | Access::Put
                | Access::Query
        )
    }
}

/// One `uses:` entry.
#[derive(Clone, Debug)]
pub struct Use {
    pub target: ResId,
    pub access: Access,
    /// `bucket.NAME/PREFIX/`: access to the objects under that key prefix only.
    pub prefix: Option<String>,
    /// The `kind.name: access` entry.
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Trigger {
    Queue(QueueTrigger),
    Schedule(ScheduleTrigger),
    Bucket(BucketTrigger),
    Topic(TopicTrigger),
    Stream(StreamTrigger),
    Bus(BusTrigger),
}

impl Trigger {
    pub fn span(&self) -> Span {
        match self {
            Trigger::Queue(t) => t.span,
            Trigger::Schedule(t) => t.span,
            Trigger::Bucket(t) => t.span,
            Trigger::Topic(t) => t.span,
            Trigger::Stream(t) => t.span,
            Trigger::Bus(t) => t.span,
        }
    }
}

#[derive(Clone, Debug)]
pub struct QueueTrigger {
    pub queue: ResId,
    pub batch_size: Option<Setting<u32>>,
    pub batch_window: Option<Setting<u64>>,
    pub max_concurrency: Option<Setting<u32>>,
    pub report_failures: bool,
    pub span: Span,
}

/// A DynamoDB stream trigger (`- table: NAME`): an event source mapping on the table's
/// stream. `None` settings are left to Lambda's defaults (batch 100, no window, no
/// bisecting, retries and record age unlimited: -1).
#[derive(Clone, Debug)]
pub struct StreamTrigger {
    /// A table with a stream.
    pub table: ResId,
    /// Default `latest`.
    pub starting_position: Setting<StartingPosition>,
    pub batch_size: Option<Setting<u32>>,
    pub batch_window: Option<Setting<u64>>,
    pub bisect_on_error: Option<Setting<bool>>,
    /// -1..10000; -1: until the record expires.
    pub retries: Option<Setting<i64>>,
    /// Seconds, -1 (no limit) or 60..604800.
    pub max_record_age: Option<Setting<i64>>,
    /// Lambda event filter patterns (`FilterCriteria`), in spec order.
    pub filters: Vec<serde_json::Value>,
    pub report_failures: bool,
    pub span: Span,
}

impl StreamTrigger {
    /// Whether a record that keeps failing is given up on before it expires from the
    /// stream (a retry limit or a record age limit).
    pub fn bounded(&self) -> bool {
        self.retries.as_ref().is_some_and(|r| r.value >= 0)
            || self.max_record_age.as_ref().is_some_and(|a| a.value >= 0)
    }
}

/// An EventBridge rule on a bus (`- bus: NAME`) whose target is the function.
#[derive(Clone, Debug)]
pub struct BusTrigger {
    pub bus: ResId,
    /// The event pattern, as written (checked against EventBridge's pattern rules).
    pub pattern: serde_json::Value,
    /// The pattern's span.
    pub pattern_span: Span,
    /// `RetryPolicy.MaximumRetryAttempts`, 0..185.
    pub retries: Option<Setting<u32>>,
    /// `RetryPolicy.MaximumEventAgeInSeconds`, 60..86400.
    pub max_event_age: Option<Setting<u64>>,
    /// A dead-letter queue for the rule target (default true; `dlq: false`: FN114).
    pub dlq: Setting<bool>,
    /// 1-based position among this function's bus triggers (part of logical IDs).
    pub ordinal: usize,
    pub span: Span,
}

impl BusTrigger {
    /// Whether the pattern can match events whose `source` is `source`: no `source` in
    /// the pattern, a listed value equal to it, a `{ prefix }` it starts with, or a
    /// matcher fnplan does not read (`anything-but`, ...), which may match.
    pub fn may_match_source(&self, source: &str) -> bool {
        let Some(list) = self.pattern.get("source").and_then(|s| s.as_array()) else {
            return true;
        };
        list.iter().any(|v| match v {
            serde_json::Value::String(s) => s == source,
            serde_json::Value::Object(o) => match o.get("prefix").and_then(|p| p.as_str()) {
                Some(p) if o.len() == 1 => source.starts_with(p),
                _ => true,
            },
            _ => false,
        })
    }
}

#[derive(Clone, Debug)]
pub struct ScheduleTrigger {
    /// `rate(...)` or `cron(...)`, validated.
    pub expression: String,
    pub enabled: bool,
    /// 1-based position among this function's schedule triggers (part of logical IDs).
    pub ordinal: usize,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BucketEvent {
    Created,
    Removed,
}

#[derive(Clone, Debug)]
pub struct BucketTrigger {
    pub bucket: ResId,
    pub events: Vec<BucketEvent>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct TopicTrigger {
    pub topic: ResId,
    pub filter_policy: Option<serde_json::Value>,
    pub span: Span,
}

// ---------------------------------------------------------------- resources

#[derive(Clone, Debug)]
pub struct Queue {
    pub name: String,
    pub name_span: Span,
    /// `existing:`: made elsewhere; nothing is rendered, `physical_name` is its name.
    pub existing: bool,
    /// The fixed name (`Fn::Sub` text): `name:`, or `{app}-{stage}-{name}.fifo` for a
    /// FIFO queue; `None`: CloudFormation generates one.
    pub physical_name: Option<String>,
    /// Seconds (default 30).
    pub visibility_timeout: Setting<u64>,
    /// Seconds (default 345,600 = 4 d).
    pub retention: Setting<u64>,
    pub fifo: bool,
    pub dlq: DlqSetting,
    /// `renamed_from:`: the spec key this resource had before (its name and place
    /// in the deployed stack come from there), with the span of the value.
    pub renamed_from: Option<(String, Span)>,
    pub lint_ignore: Vec<(Code, Span)>,
}

impl Queue {
    /// The dead-letter queue, when the queue has one.
    pub fn dlq(&self) -> Option<&Dlq> {
        match &self.dlq {
            DlqSetting::Enabled(d) => Some(d),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub enum DlqSetting {
    /// No `dlq:` at all (FN101).
    Absent,
    /// `dlq: false`: an explicit opt-out.
    Disabled(Span),
    Enabled(Dlq),
}

#[derive(Clone, Debug)]
pub struct Dlq {
    /// `{queue}-dlq`: how the spec names it (`queue.jobs-dlq`, `triggers: [{ queue: jobs-dlq }]`).
    pub name: String,
    /// `{queue name}-dlq` (before `.fifo`) when the queue's name is fixed; `None`:
    /// CloudFormation generates one.
    pub physical_name: Option<String>,
    /// Default 5.
    pub max_receive_count: Setting<u32>,
    /// Seconds (default 1,209,600 = 14 d).
    pub retention: Setting<u64>,
    /// Seconds; when not written, SQS's default (30 s), and the template leaves it out.
    pub visibility_timeout: Setting<u64>,
    /// The `dlq:` entry.
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    pub name_span: Span,
    /// `existing:`: made elsewhere; nothing is rendered, `physical_name` is its name.
    pub existing: bool,
    /// `name:` (`Fn::Sub` text); `None`: CloudFormation generates the table's name.
    pub physical_name: Option<String>,
    pub key: KeyAttr,
    pub sort_key: Option<KeyAttr>,
    pub ttl: Option<String>,
    pub stream: Option<StreamView>,
    pub retain: bool,
    /// `renamed_from:`: the spec key this resource had before (its name and place
    /// in the deployed stack come from there), with the span of the value.
    pub renamed_from: Option<(String, Span)>,
    pub lint_ignore: Vec<(Code, Span)>,
}

/// Raw CloudFormation (a resource or an output value) with fnplan's references in it
/// parsed: the template puts the resolved values at their JSON pointers.
#[derive(Clone, Debug, Default)]
pub struct RawValue {
    /// The value as written (short tags in long form).
    pub body: serde_json::Value,
    /// The JSON pointer of each plain string that holds a reference, and that string parsed.
    pub refs: Vec<(String, Interp)>,
    /// The JSON pointer of each `Fn::Sub` text that names fnplan elements, split into
    /// CloudFormation's own text and fnplan's references.
    pub subs: Vec<(String, Vec<SubPiece>)>,
    /// Every logical ID the value names itself (`Ref`, `Fn::GetAtt`, `${X}` in `Fn::Sub`,
    /// `DependsOn`), with where: the template checks they exist.
    pub targets: Vec<(String, Span)>,
}

impl RawValue {
    /// The fnplan elements the value refers to.
    pub fn references(&self) -> impl Iterator<Item = &Reference> {
        let plain = self.refs.iter().flat_map(|(_, i)| i.refs());
        let subs = self.subs.iter().flat_map(|(_, pieces)| {
            pieces.iter().flat_map(|p| match p {
                SubPiece::Fnplan(i) => Some(i.refs()),
                SubPiece::Text(_) => None,
            })
        });
        plain.chain(subs.flatten())
    }
}

/// A piece of `Fn::Sub` text in raw CloudFormation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubPiece {
    /// CloudFormation's own text, `${LogicalId}` and `${AWS::Region}` included.
    Text(String),
    /// One fnplan reference (`${table.orders.arn}`, `${stage}`).
    Fnplan(Interp),
}

/// A resource of `resources:`.
#[derive(Clone, Debug)]
pub struct RawResource {
    pub logical_id: String,
    pub id_span: Span,
    /// `Type`, e.g. `AWS::SSM::Parameter`.
    pub ty: String,
    pub value: RawValue,
    pub span: Span,
}

/// An output of `outputs:`.
#[derive(Clone, Debug)]
pub struct RawOutput {
    pub name: String,
    pub name_span: Span,
    pub value: RawValue,
    pub description: Option<String>,
    pub export: Option<Interp>,
}

/// One statement of `policies:`, as written, and the `${...}` references in its strings.
#[derive(Clone, Debug)]
pub struct RawPolicy {
    pub statement: serde_json::Value,
    /// The JSON pointer of each string that holds a reference, and that string parsed.
    pub refs: Vec<(String, Interp)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyAttr {
    pub name: String,
    pub kind: KeyType,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Bucket {
    pub name: String,
    pub name_span: Span,
    /// `existing:`: made elsewhere; nothing is rendered, `physical_name` is its name.
    pub existing: bool,
    /// `{app}-{stage}-{name}-${AWS::AccountId}-${AWS::Region}`: a Fn::Sub pattern, so
    /// references to the bucket never need `Ref` (that would make a circular dependency
    /// with its notification permissions).
    pub physical_name_pattern: String,
    pub versioning: bool,
    pub retain: bool,
    /// `renamed_from:`: the spec key this resource had before (its name and place
    /// in the deployed stack come from there), with the span of the value.
    pub renamed_from: Option<(String, Span)>,
    pub lint_ignore: Vec<(Code, Span)>,
}

#[derive(Clone, Debug)]
pub struct Topic {
    pub name: String,
    pub name_span: Span,
    /// `existing:`: made elsewhere; nothing is rendered, `physical_name` is its name.
    pub existing: bool,
    /// `name:` (`Fn::Sub` text), or `{app}-{stage}-{name}.fifo` for a FIFO topic; `None`:
    /// CloudFormation generates one.
    pub physical_name: Option<String>,
    pub fifo: bool,
    pub lint_ignore: Vec<(Code, Span)>,
}

#[derive(Clone, Debug)]
pub struct Secret {
    pub name: String,
    pub name_span: Span,
    pub source: SecretSource,
    /// `kms_key:`: the customer-managed key's ARN (`Fn::Sub` text) the secret is
    /// encrypted with; readers get `kms:Decrypt` on it through the secret's service.
    pub kms_key: Option<String>,
}

/// An EventBridge bus.
#[derive(Clone, Debug)]
pub struct Bus {
    pub name: String,
    pub name_span: Span,
    /// The account's `default` bus: nothing is rendered; its name is `default`.
    pub is_default: bool,
    /// `{app}-{stage}-{key}` (`default` for the default bus).
    pub physical_name: String,
    /// `archive:` retention in whole days (`AWS::Events::Archive`).
    pub archive_days: Option<Setting<u32>>,
    pub lint_ignore: Vec<(Code, Span)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    /// SSM parameter name, always starting with `/`.
    Ssm(String),
    SecretsManager(String),
}

/// An Aurora Serverless v2 cluster queried through the RDS Data API.
#[derive(Clone, Debug)]
pub struct Database {
    pub name: String,
    pub name_span: Span,
    pub source: DatabaseSource,
    /// The database `${database.NAME.name}` stands for (`None`: an existing cluster
    /// without `database_name`).
    pub database_name: Option<String>,
    pub lint_ignore: Vec<(Code, Span)>,
}

impl Database {
    /// The cluster fnplan creates, when it is not `existing`.
    pub fn created(&self) -> Option<&Cluster> {
        match &self.source {
            DatabaseSource::Created(c) => Some(c),
            DatabaseSource::Existing { .. } => None,
        }
    }
}

#[derive(Clone, Debug)]
pub enum DatabaseSource {
    Created(Cluster),
    /// `existing:`: the ARNs as `Fn::Sub` text (`${region}` and `${account}` as pseudo
    /// parameters).
    Existing {
        cluster_arn: String,
        secret_arn: String,
    },
}

/// The settings of a cluster fnplan creates.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub engine: Engine,
    /// In Aurora capacity units (default 0.5 and 4).
    pub min_capacity: Setting<Capacity>,
    pub max_capacity: Setting<Capacity>,
    /// `subnet_group:` as `Fn::Sub` text; `None`: the default VPC.
    pub subnet_group: Option<String>,
    /// `deletion_protection:` (default false).
    pub deletion_protection: Setting<bool>,
}

// ---------------------------------------------------------------- API

#[derive(Clone, Debug)]
pub struct Api {
    pub span: Span,
    pub cors: Option<Cors>,
    pub authorizers: Vec<Authorizer>,
    pub routes: Vec<Route>,
}

#[derive(Clone, Debug)]
pub struct Cors {
    /// The `cors:` mapping.
    pub span: Span,
    pub origins: Vec<String>,
    pub methods: Vec<String>,
    pub headers: Vec<String>,
    pub expose_headers: Vec<String>,
    pub credentials: Option<bool>,
    pub max_age: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct Authorizer {
    pub name: String,
    pub name_span: Span,
    pub kind: AuthorizerKind,
    /// Identity sources (`$request.header.Authorization` by default).
    pub identity: Vec<String>,
}

#[derive(Clone, Debug)]
pub enum AuthorizerKind {
    Jwt {
        issuer: Interp,
        audience: Vec<Interp>,
    },
    Lambda {
        function: ResId,
        function_span: Span,
        cache_ttl: u64,
    },
}

#[derive(Clone, Debug)]
pub struct Route {
    /// `GET /orders/{id}` or `$default`.
    pub key: String,
    pub key_span: Span,
    /// `GET`, ..., `ANY`; `None` for `$default`.
    pub method: Option<String>,
    pub path: Option<String>,
    pub function: ResId,
    pub function_span: Span,
    pub auth: RouteAuth,
    pub lint_ignore: Vec<(Code, Span)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteAuth {
    /// No `auth:` (FN202).
    Unset,
    /// `auth: none`: public on purpose.
    Public(Span),
    /// Index into `Api::authorizers`.
    Authorizer(usize, Span),
    /// `auth: iam`: callers sign requests with SigV4 (`AWS_IAM`).
    Iam(Span),
}
