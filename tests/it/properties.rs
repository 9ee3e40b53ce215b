//! Properties of rendered templates over generated valid specs (proptest), a cfn-lint run
//! over a fixed sample of them, and the input size limit as a user meets it.
//!
//! The generator writes YAML text with random sets of functions, queues (with and without
//! DLQs, some FIFO), tables (with and without streams), buckets, topics, buses, secrets and databases;
//! triggers on existing sources; `uses` with valid levels; env values with `${...}`
//! references to existing elements; optional provisioned concurrency; optional routes
//! behind a JWT authorizer. Lint findings are not asserted (specs may well have loops).
//! `PROPTEST_CASES=N` runs more cases than the default 64.

use crate::common::{fnplan, root};
use fnplan::graph::{EdgeKind, NodeKind};
use fnplan::model::{Kind, ResId, ids};
use fnplan::source::SourceFile;
use fnplan::testing::{Compiled, Spec};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::PathBuf;

// ---------------------------------------------------------------- the generated app

/// Name stems (with and without dashes); an index suffix keeps names unique.
const WORDS: [&str; 6] = ["x", "jobs", "order-events", "img", "a1", "user-data"];
const RUNTIMES: [&str; 4] = ["python3.12", "nodejs22.x", "java21", "provided.al2023"];
const SCHEDULES: [&str; 6] = [
    "rate(5 minutes)",
    "rate(1 hour)",
    "rate(1 day)",
    "cron(0 2 * * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(0 12 ? * MON-FRI *)",
];
const METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "ANY"];
const STAGES: [&str; 2] = ["dev", "prod"];

#[derive(Clone, Debug)]
enum Dlq {
    Absent,
    Off,
    On,
    Settings(u32),
}

#[derive(Clone, Debug)]
struct Queue {
    name: String,
    fifo: bool,
    dlq: Dlq,
    /// Written visibility timeout (always written when a function consumes the queue).
    visibility: Option<u64>,
}

#[derive(Clone, Debug)]
struct Table {
    name: String,
    stream: bool,
    sort_key: bool,
}

#[derive(Clone, Debug)]
enum Trig {
    Queue {
        queue: usize,
        batch: Option<u32>,
        window: Option<u64>,
    },
    Topic(usize),
    Bucket(usize),
    Schedule(&'static str),
    Bus(usize),
}

/// What an env value refers to: an element of `kind` (by index) and an attribute, or the API.
#[derive(Clone, Debug)]
enum EnvRef {
    Res(Kind, usize, &'static str),
    ApiUrl,
    /// `${region}`, `${app}`, `${stage}`, `${var.level}`: no element, no edge.
    Pseudo(&'static str),
}

#[derive(Clone, Debug)]
struct Function {
    name: String,
    runtime: &'static str,
    timeout: u64,
    memory: Option<u32>,
    concurrency: Option<u32>,
    provisioned: Option<u32>,
    local_code: bool,
    triggers: Vec<Trig>,
    uses: Vec<(Kind, usize, &'static str)>,
    /// (reference, text before it, text after it)
    env: Vec<(EnvRef, &'static str, &'static str)>,
    on_failure: Option<usize>,
}

#[derive(Clone, Debug)]
enum Auth {
    Users,
    None,
    Unset,
}

#[derive(Clone, Debug)]
struct Route {
    key: String,
    function: usize,
    auth: Auth,
}

#[derive(Clone, Debug)]
struct App {
    tags: bool,
    queues: Vec<Queue>,
    tables: Vec<Table>,
    buckets: Vec<String>,
    topics: Vec<String>,
    buses: Vec<String>,
    /// (name, from Secrets Manager rather than SSM)
    secrets: Vec<(String, bool)>,
    /// (name, MySQL rather than PostgreSQL)
    databases: Vec<(String, bool)>,
    functions: Vec<Function>,
    routes: Vec<Route>,
    jwt: bool,
}

impl App {
    fn name_of(&self, kind: Kind, i: usize) -> &str {
        match kind {
            Kind::Function => &self.functions[i].name,
            Kind::Queue => &self.queues[i].name,
            Kind::Dlq | Kind::Layer => {
                unreachable!("the generator names no dead-letter queue or layer")
            }
            Kind::Table => &self.tables[i].name,
            Kind::Bucket => &self.buckets[i],
            Kind::Topic => &self.topics[i],
            Kind::Secret => &self.secrets[i].0,
            Kind::Bus => &self.buses[i],
            Kind::Database => &self.databases[i].0,
        }
    }
    fn dlq_enabled(&self, q: usize) -> bool {
        matches!(self.queues[q].dlq, Dlq::On | Dlq::Settings(_))
    }
}

// ---------------------------------------------------------------- strategies

/// Random intent for one function; `build` turns it into a valid function of the app.
#[derive(Clone, Debug)]
struct FnIntent {
    runtime: Index,
    timeout: u64,
    memory: Option<u32>,
    concurrency: Option<u32>,
    provisioned: Option<u32>,
    local_code: bool,
    /// (source kind 0..5, which one, batch / window choice)
    triggers: Vec<(u8, Index, u16)>,
    /// (kind 0..7, which one, access level choice)
    uses: Vec<(u8, Index, u8)>,
    /// (kind 0..9, which one, attribute choice, wrap in text)
    env: Vec<(u8, Index, u8, bool)>,
    on_failure: Option<Index>,
}

fn fn_intent() -> impl Strategy<Value = FnIntent> {
    (
        (
            any::<Index>(),
            1..=900u64,
            prop::option::of(128..=10_240u32),
            prop::option::of(1..=50u32),
            prop::option::weighted(0.25, 1..=60u32),
            prop::bool::weighted(0.2),
        ),
        prop::collection::vec((0..5u8, any::<Index>(), any::<u16>()), 0..4),
        prop::collection::vec((0..8u8, any::<Index>(), any::<u8>()), 0..5),
        prop::collection::vec((0..9u8, any::<Index>(), any::<u8>(), any::<bool>()), 0..6),
        prop::option::weighted(0.3, any::<Index>()),
    )
        .prop_map(
            |(
                (runtime, timeout, memory, concurrency, provisioned, local_code),
                triggers,
                uses,
                env,
                on_failure,
            )| FnIntent {
                runtime,
                timeout,
                memory,
                concurrency,
                provisioned,
                local_code,
                triggers,
                uses,
                env,
                on_failure,
            },
        )
}

#[derive(Clone, Debug)]
struct AppIntent {
    words: Index,
    tags: bool,
    /// (fifo, dlq choice 0..4, max_receive_count, visibility slack, unconsumed visibility)
    queues: Vec<(bool, u8, u32, u64, Option<u64>)>,
    tables: Vec<(bool, bool)>,
    buckets: usize,
    topics: usize,
    buses: usize,
    secrets: Vec<bool>,
    databases: Vec<bool>,
    functions: Vec<FnIntent>,
    /// (method, path shape, function, auth choice)
    routes: Vec<(Index, bool, Index, u8)>,
    jwt: bool,
}

fn app_strategy() -> impl Strategy<Value = App> {
    (
        (any::<Index>(), any::<bool>()),
        prop::collection::vec(
            (
                prop::bool::weighted(0.2),
                0..4u8,
                1..=20u32,
                0..=120u64,
                prop::option::of(0..=600u64),
            ),
            0..5,
        ),
        prop::collection::vec((any::<bool>(), any::<bool>()), 0..4),
        0..3usize,
        (0..3usize, 0..3usize),
        prop::collection::vec(any::<bool>(), 0..3),
        prop::collection::vec(any::<bool>(), 0..3),
        prop::collection::vec(fn_intent(), 1..7),
        prop::collection::vec(
            (any::<Index>(), any::<bool>(), any::<Index>(), 0..3u8),
            0..5,
        ),
        any::<bool>(),
    )
        .prop_map(
            |(
                (words, tags),
                queues,
                tables,
                buckets,
                (topics, buses),
                secrets,
                databases,
                functions,
                routes,
                jwt,
            )| {
                build(AppIntent {
                    words,
                    tags,
                    queues,
                    tables,
                    buckets,
                    topics,
                    buses,
                    secrets,
                    databases,
                    functions,
                    routes,
                    jwt,
                })
            },
        )
}

/// Turn random intent into a valid app: references only to what exists, no duplicate
/// keys, FIFO limits respected, visibility at least 6x the timeout of every consumer.
fn build(a: AppIntent) -> App {
    let off = a.words.index(WORDS.len());
    let name =
        |kind_off: usize, i: usize| format!("{}{i}", WORDS[(off + kind_off + i) % WORDS.len()]);
    let mut app = App {
        tags: a.tags,
        queues: a
            .queues
            .iter()
            .enumerate()
            .map(|(i, (fifo, dlq, mrc, _, _))| Queue {
                name: name(1, i),
                fifo: *fifo,
                dlq: match dlq {
                    0 => Dlq::Absent,
                    1 => Dlq::Off,
                    2 => Dlq::On,
                    _ => Dlq::Settings(*mrc),
                },
                visibility: None,
            })
            .collect(),
        tables: a
            .tables
            .iter()
            .enumerate()
            .map(|(i, (stream, sort_key))| Table {
                name: name(2, i),
                stream: *stream,
                sort_key: *sort_key,
            })
            .collect(),
        buckets: (0..a.buckets).map(|i| name(3, i)).collect(),
        topics: (0..a.topics).map(|i| name(4, i)).collect(),
        buses: (0..a.buses).map(|i| name(6, i)).collect(),
        secrets: a
            .secrets
            .iter()
            .enumerate()
            .map(|(i, sm)| (name(5, i), *sm))
            .collect(),
        databases: a
            .databases
            .iter()
            .enumerate()
            .map(|(i, mysql)| (name(6, i), *mysql))
            .collect(),
        functions: Vec::new(),
        routes: Vec::new(),
        jwt: a.jwt,
    };
    let n_fn = a.functions.len();
    let has_routes = !a.routes.is_empty();
    for (i, f) in a.functions.iter().enumerate() {
        let mut out = Function {
            name: name(0, i),
            runtime: RUNTIMES[f.runtime.index(RUNTIMES.len())],
            timeout: f.timeout,
            memory: f.memory,
            concurrency: f.concurrency,
            provisioned: f.provisioned.map(|p| f.concurrency.map_or(p, |c| p.min(c))),
            local_code: f.local_code,
            triggers: Vec::new(),
            uses: Vec::new(),
            env: Vec::new(),
            on_failure: None,
        };
        let mut sources: BTreeSet<(u8, usize)> = BTreeSet::new();
        for (kind, which, choice) in &f.triggers {
            let t = match kind {
                0 if !app.queues.is_empty() => {
                    let q = which.index(app.queues.len());
                    let (batch, window) = match (app.queues[q].fifo, choice % 4) {
                        (_, 0) => (None, None),
                        (true, _) | (false, 1) => (Some(1 + u32::from(*choice) % 10), None),
                        (false, 2) => (
                            Some(11 + u32::from(*choice) % 990),
                            Some(1 + u64::from(*choice) % 300),
                        ),
                        (false, _) => (Some(1 + u32::from(*choice) % 10), Some(0)),
                    };
                    Trig::Queue {
                        queue: q,
                        batch,
                        window,
                    }
                }
                1 if !app.topics.is_empty() => Trig::Topic(which.index(app.topics.len())),
                2 if !app.buckets.is_empty() => Trig::Bucket(which.index(app.buckets.len())),
                3 => Trig::Schedule(SCHEDULES[which.index(SCHEDULES.len())]),
                4 if !app.buses.is_empty() => Trig::Bus(which.index(app.buses.len())),
                _ => continue,
            };
            let key = match &t {
                Trig::Queue { queue, .. } => (0, *queue),
                Trig::Topic(x) => (1, *x),
                Trig::Bucket(x) => (2, *x),
                Trig::Schedule(_) => (3, out.triggers.len()),
                Trig::Bus(_) => (4, out.triggers.len()),
            };
            if sources.insert(key) {
                out.triggers.push(t);
            }
        }
        let mut used: BTreeSet<(Kind, usize)> = BTreeSet::new();
        for (kind, which, level) in &f.uses {
            let (k, levels): (Kind, &[&'static str]) = match kind {
                0 => (Kind::Table, &["read", "write", "read-write"]),
                1 => (Kind::Queue, &["send", "receive"]),
                2 => (Kind::Bucket, &["read", "write", "read-write"]),
                3 => (Kind::Topic, &["publish"]),
                4 => (Kind::Function, &["invoke"]),
                5 => (Kind::Secret, &["read"]),
                6 => (Kind::Bus, &["put"]),
                _ => (Kind::Database, &["query"]),
            };
            let len = match k {
                // Any other function (invoke cycles are lint findings, not input errors).
                Kind::Function => n_fn,
                Kind::Queue => app.queues.len(),
                Kind::Dlq | Kind::Layer => {
                    unreachable!("the generator names no dead-letter queue or layer")
                }
                Kind::Table => app.tables.len(),
                Kind::Bucket => app.buckets.len(),
                Kind::Topic => app.topics.len(),
                Kind::Secret => app.secrets.len(),
                Kind::Bus => app.buses.len(),
                Kind::Database => app.databases.len(),
            };
            if len == 0 {
                continue;
            }
            let idx = which.index(len);
            if k == Kind::Function && idx == i {
                continue;
            }
            if used.insert((k, idx)) {
                out.uses
                    .push((k, idx, levels[usize::from(*level) % levels.len()]));
            }
        }
        for (kind, which, attr, wrap) in &f.env {
            let pick = |names: &[&'static str]| names[usize::from(*attr) % names.len()];
            let r = match kind {
                // Only functions declared earlier: env references between functions must not
                // form a cycle (CloudFormation cannot create it).
                0 if i > 0 => EnvRef::Res(Kind::Function, which.index(i), pick(&["name", "arn"])),
                1 if !app.queues.is_empty() => EnvRef::Res(
                    Kind::Queue,
                    which.index(app.queues.len()),
                    pick(&["name", "url", "arn"]),
                ),
                2 if !app.tables.is_empty() => {
                    let t = which.index(app.tables.len());
                    let attrs: &[&'static str] = if app.tables[t].stream {
                        &["name", "arn", "stream_arn"]
                    } else {
                        &["name", "arn"]
                    };
                    EnvRef::Res(Kind::Table, t, pick(attrs))
                }
                3 if !app.buckets.is_empty() => EnvRef::Res(
                    Kind::Bucket,
                    which.index(app.buckets.len()),
                    pick(&["name", "arn"]),
                ),
                4 if !app.topics.is_empty() => EnvRef::Res(
                    Kind::Topic,
                    which.index(app.topics.len()),
                    pick(&["name", "arn"]),
                ),
                5 if !app.secrets.is_empty() => EnvRef::Res(
                    Kind::Secret,
                    which.index(app.secrets.len()),
                    pick(&["name", "arn"]),
                ),
                6 if has_routes => EnvRef::ApiUrl,
                7 if !app.buses.is_empty() => EnvRef::Res(
                    Kind::Bus,
                    which.index(app.buses.len()),
                    pick(&["name", "arn"]),
                ),
                _ => EnvRef::Pseudo(pick(&["region", "account", "app", "stage", "var.level"])),
            };
            let (before, after) = if *wrap { ("x-", "/y") } else { ("", "") };
            out.env.push((r, before, after));
        }
        // Lambda cannot send failed events to a FIFO queue.
        let standard: Vec<usize> = (0..app.queues.len())
            .filter(|q| !app.queues[*q].fifo)
            .collect();
        if let Some(which) = &f.on_failure
            && !standard.is_empty()
        {
            out.on_failure = Some(standard[which.index(standard.len())]);
        }
        app.functions.push(out);
    }
    // Visibility: at least 6x the timeout of every function the queue triggers.
    for (q, (_, _, _, slack, unconsumed)) in a.queues.iter().enumerate() {
        let max_timeout = app
            .functions
            .iter()
            .filter(|f| {
                f.triggers
                    .iter()
                    .any(|t| matches!(t, Trig::Queue { queue, .. } if *queue == q))
            })
            .map(|f| f.timeout)
            .max();
        app.queues[q].visibility = match max_timeout {
            Some(t) => Some(6 * t + slack),
            None => *unconsumed,
        };
    }
    for (k, (method, param, which, auth)) in a.routes.iter().enumerate() {
        let method = METHODS[method.index(METHODS.len())];
        let path = if *param {
            format!("/r{k}/{{id}}")
        } else {
            format!("/r{k}")
        };
        app.routes.push(Route {
            key: format!("{method} {path}"),
            function: which.index(n_fn),
            auth: match auth {
                0 if a.jwt => Auth::Users,
                0 | 1 => Auth::None,
                _ => Auth::Unset,
            },
        });
    }
    app
}

// ---------------------------------------------------------------- YAML

fn yaml(app: &App) -> String {
    let mut s = Spec::new("p");
    s.set(
        "stages",
        json!({ "dev": { "vars": { "level": "debug" } }, "prod": { "region": "eu-west-1", "vars": { "level": "info" } } }),
    );
    s.set("defaults.function", json!({ "log_retention_days": 14 }));
    if app.tags {
        s.set("tags", json!({ "team": "t", "cost-center": "42" }));
    }
    if app.jwt && !app.routes.is_empty() {
        s.insert(
            "api.authorizers",
            "users",
            json!({ "jwt": { "issuer": "https://auth.example.com/", "audience": ["web"] } }),
        );
    }
    for r in &app.routes {
        let mut route = json!({ "function": app.functions[r.function].name });
        match r.auth {
            Auth::Users => route["auth"] = json!("users"),
            Auth::None => route["auth"] = json!("none"),
            Auth::Unset => {}
        }
        s.insert("api.routes", &r.key, route);
    }
    for f in &app.functions {
        s.insert("functions", &f.name, function_yaml(app, f));
    }
    for q in &app.queues {
        let mut v = json!({});
        if q.fifo {
            v["fifo"] = json!(true);
        }
        if let Some(t) = q.visibility {
            v["visibility_timeout"] = json!(t);
        }
        match q.dlq {
            Dlq::Absent => {}
            Dlq::Off => v["dlq"] = json!(false),
            Dlq::On => v["dlq"] = json!(true),
            Dlq::Settings(m) => v["dlq"] = json!({ "max_receive_count": m }),
        }
        s.insert("queues", &q.name, v);
    }
    for t in &app.tables {
        let mut v = json!({ "key": "id" });
        if t.sort_key {
            v["sort_key"] = json!({ "name": "at", "type": "N" });
        }
        if t.stream {
            v["stream"] = json!(true);
        }
        s.insert("tables", &t.name, v);
    }
    for b in &app.buckets {
        s.insert("buckets", b, json!({}));
    }
    for t in &app.topics {
        s.insert("topics", t, json!({}));
    }
    for b in &app.buses {
        s.insert("buses", b, json!({ "archive": "3d" }));
    }
    for (n, sm) in &app.secrets {
        let source = if *sm {
            json!({ "secretsmanager": format!("p/{n}") })
        } else {
            json!({ "ssm": format!("/p/{n}") })
        };
        s.insert("secrets", n, source);
    }
    for (n, mysql) in &app.databases {
        let engine = if *mysql {
            "aurora-mysql"
        } else {
            "aurora-postgresql"
        };
        s.insert("databases", n, json!({ "engine": engine }));
    }
    s.yaml()
}

fn function_yaml(app: &App, f: &Function) -> Value {
    let mut v = json!({ "handler": "app.handler" });
    v["code"] = if f.local_code {
        json!("functions/health")
    } else {
        json!(format!("s3://artifacts-bucket/{}.zip", f.name))
    };
    v["runtime"] = json!(f.runtime);
    v["timeout"] = json!(f.timeout);
    for (key, value) in [
        ("memory", f.memory),
        ("concurrency", f.concurrency),
        ("provisioned", f.provisioned),
    ] {
        if let Some(x) = value {
            v[key] = json!(x);
        }
    }
    for (n, (r, before, after)) in f.env.iter().enumerate() {
        let body = match r {
            EnvRef::Res(k, i, attr) => format!("{}.{}.{attr}", k.as_str(), app.name_of(*k, *i)),
            EnvRef::ApiUrl => "api.url".to_string(),
            EnvRef::Pseudo(p) => p.to_string(),
        };
        v["env"][format!("V{n}")] = json!(format!("{before}${{{body}}}{after}"));
    }
    for (k, i, level) in &f.uses {
        v["uses"][format!("{}.{}", k.as_str(), app.name_of(*k, *i))] = json!(level);
    }
    if !f.triggers.is_empty() {
        v["triggers"] = f.triggers.iter().map(|t| trigger_yaml(app, f, t)).collect();
    }
    if let Some(q) = f.on_failure {
        v["on_failure"] = json!(app.queues[q].name);
    }
    v
}

fn trigger_yaml(app: &App, f: &Function, t: &Trig) -> Value {
    match t {
        Trig::Queue {
            queue,
            batch,
            window,
        } => {
            let mut v = json!({ "queue": app.queues[*queue].name });
            if let Some(b) = batch {
                v["batch_size"] = json!(b);
            }
            if let Some(w) = window {
                v["batch_window"] = json!(format!("{w}s"));
            }
            v
        }
        Trig::Topic(x) => json!({ "topic": app.topics[*x] }),
        // A prefix per function keeps S3 notifications from overlapping.
        Trig::Bucket(x) => json!({
            "bucket": app.buckets[*x],
            "events": ["created", "removed"],
            "prefix": format!("{}/", f.name),
        }),
        Trig::Schedule(e) => json!({ "schedule": e }),
        Trig::Bus(x) => {
            json!({ "bus": app.buses[*x], "pattern": { "source": [format!("p.{}", f.name)] } })
        }
    }
}

// ---------------------------------------------------------------- the pipeline

/// Where generated specs "live": next to the orders example, so `code: functions/health`
/// is a real directory.
fn spec_path() -> PathBuf {
    root().join("examples/orders/generated.yaml")
}

/// load -> lower -> graph -> render, as the CLI does; a generated spec must compile.
fn compile(text: &str, stage: &str) -> Compiled {
    fnplan::testing::compile(
        &SourceFile::new("generated.yaml", spec_path(), text),
        Some(stage),
    )
}

// ---------------------------------------------------------------- template checks

const PSEUDO: [&str; 8] = [
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

fn keys(v: &Value, section: &str) -> BTreeSet<String> {
    v.get(section)
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The `${X}` / `${X.Attr}` names in `Fn::Sub` text (`${!...}` is a literal).
fn sub_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        if let Some(literal) = after.strip_prefix('!') {
            rest = literal;
            continue;
        }
        let end = after.find('}').expect("closed ${ in Fn::Sub");
        out.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    out
}

/// Every `Ref`, `Fn::GetAtt` and `Fn::Sub` variable names a resource, parameter or
/// pseudo parameter; returns the problems found.
fn dangling(doc: &Value) -> Vec<String> {
    let resources = keys(doc, "Resources");
    let params = keys(doc, "Parameters");
    let mut errors = Vec::new();
    fn walk(
        v: &Value,
        at: &str,
        res: &BTreeSet<String>,
        params: &BTreeSet<String>,
        errors: &mut Vec<String>,
    ) {
        let is_ref_target = |x: &str| res.contains(x) || params.contains(x) || PSEUDO.contains(&x);
        match v {
            Value::Object(m) => {
                if let Some(Value::String(x)) = m.get("Ref")
                    && !is_ref_target(x)
                {
                    errors.push(format!("{at}: Ref to missing `{x}`"));
                }
                if let Some(g) = m.get("Fn::GetAtt") {
                    let id = match g {
                        Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_string),
                        Value::String(s) => s.split('.').next().map(str::to_string),
                        _ => None,
                    };
                    match id {
                        Some(id) if res.contains(&id) => {}
                        other => errors.push(format!("{at}: Fn::GetAtt of missing {other:?}")),
                    }
                }
                if let Some(s) = m.get("Fn::Sub") {
                    let (text, vars) = match s {
                        Value::String(t) => (t.as_str(), BTreeSet::new()),
                        Value::Array(a) => (
                            a.first().and_then(Value::as_str).unwrap_or(""),
                            a.get(1)
                                .and_then(Value::as_object)
                                .map(|o| o.keys().cloned().collect())
                                .unwrap_or_default(),
                        ),
                        _ => ("", BTreeSet::new()),
                    };
                    for name in sub_names(text) {
                        let ok = if is_ref_target(&name) || vars.contains(&name) {
                            true
                        } else {
                            match name.split_once('.') {
                                Some((id, _)) => res.contains(id),
                                None => false,
                            }
                        };
                        if !ok {
                            errors.push(format!(
                                "{at}: Fn::Sub variable `${{{name}}}` names nothing"
                            ));
                        }
                    }
                }
                for (k, x) in m {
                    walk(x, &format!("{at}.{k}"), res, params, errors);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, &format!("{at}[{i}]"), res, params, errors);
                }
            }
            _ => {}
        }
    }
    walk(doc, "$", &resources, &params, &mut errors);
    for (id, r) in doc["Resources"].as_object().expect("Resources") {
        let deps: Vec<&str> = match r.get("DependsOn") {
            None => vec![],
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            Some(other) => {
                errors.push(format!("{id}: DependsOn is {other}"));
                vec![]
            }
        };
        for d in deps {
            if !resources.contains(d) {
                errors.push(format!("{id}: DependsOn missing `{d}`"));
            }
        }
    }
    errors
}

/// Logical IDs the spec must produce (JSON keys are unique, so a collision shows up as
/// a missing resource or a resource of the wrong type).
fn expected_resources(app: &App) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for f in &app.functions {
        out.push((ids::function(&f.name), "AWS::Lambda::Function"));
        out.push((ids::role(&f.name), "AWS::IAM::Role"));
        out.push((ids::log_group(&f.name), "AWS::Logs::LogGroup"));
        if f.provisioned.is_some() {
            out.push((ids::alias(&f.name), "AWS::Lambda::Alias"));
        }
        let mut schedules = 0;
        let mut buses = 0;
        for t in &f.triggers {
            match t {
                Trig::Queue { queue, .. } => out.push((
                    ids::queue_mapping(&f.name, &app.queues[*queue].name),
                    "AWS::Lambda::EventSourceMapping",
                )),
                Trig::Topic(x) => {
                    out.push((
                        ids::topic_subscription(&f.name, &app.topics[*x]),
                        "AWS::SNS::Subscription",
                    ));
                    out.push((
                        ids::topic_permission(&f.name, &app.topics[*x]),
                        "AWS::Lambda::Permission",
                    ));
                }
                Trig::Bucket(x) => out.push((
                    ids::bucket_permission(&f.name, &app.buckets[*x]),
                    "AWS::Lambda::Permission",
                )),
                Trig::Bus(_) => {
                    buses += 1;
                    out.push((ids::bus_rule(&f.name, buses), "AWS::Events::Rule"));
                    out.push((
                        ids::bus_permission(&f.name, buses),
                        "AWS::Lambda::Permission",
                    ));
                    out.push((ids::bus_dlq(&f.name, buses), "AWS::SQS::Queue"));
                    out.push((ids::bus_dlq_policy(&f.name, buses), "AWS::SQS::QueuePolicy"));
                }
                Trig::Schedule(_) => {
                    schedules += 1;
                    out.push((ids::schedule_rule(&f.name, schedules), "AWS::Events::Rule"));
                    out.push((
                        ids::schedule_permission(&f.name, schedules),
                        "AWS::Lambda::Permission",
                    ));
                }
            }
        }
    }
    for (i, q) in app.queues.iter().enumerate() {
        out.push((ids::queue(&q.name), "AWS::SQS::Queue"));
        if app.dlq_enabled(i) {
            out.push((ids::dlq(&q.name), "AWS::SQS::Queue"));
        }
    }
    for t in &app.tables {
        out.push((ids::table(&t.name), "AWS::DynamoDB::Table"));
    }
    for b in &app.buckets {
        out.push((ids::bucket(b), "AWS::S3::Bucket"));
    }
    for t in &app.topics {
        out.push((ids::topic(t), "AWS::SNS::Topic"));
    }
    for b in &app.buses {
        out.push((ids::bus(b), "AWS::Events::EventBus"));
        out.push((ids::bus_archive(b), "AWS::Events::Archive"));
    }
    for (d, _) in &app.databases {
        out.push((ids::database(d), "AWS::RDS::DBCluster"));
        out.push((ids::database_instance(d), "AWS::RDS::DBInstance"));
    }
    if !app.routes.is_empty() {
        out.push((ids::HTTP_API.to_string(), "AWS::ApiGatewayV2::Api"));
        if app.jwt {
            out.push((ids::authorizer("users"), "AWS::ApiGatewayV2::Authorizer"));
        }
        for r in &app.routes {
            out.push((ids::route(&r.key), "AWS::ApiGatewayV2::Route"));
            out.push((
                ids::route_integration(&r.key),
                "AWS::ApiGatewayV2::Integration",
            ));
            out.push((ids::route_permission(&r.key), "AWS::Lambda::Permission"));
        }
    }
    out
}

/// Statements of every role's inline policies.
fn statements(doc: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (id, r) in doc["Resources"].as_object().expect("Resources") {
        if r["Type"] != "AWS::IAM::Role" {
            continue;
        }
        for p in r["Properties"]["Policies"].as_array().into_iter().flatten() {
            for s in p["PolicyDocument"]["Statement"]
                .as_array()
                .into_iter()
                .flatten()
            {
                out.push((id.clone(), s.clone()));
            }
        }
    }
    out
}

fn edge_kinds(kind: Kind, level: &str) -> &'static [EdgeKind] {
    match (kind, level) {
        (_, "read") | (_, "receive") => &[EdgeKind::Reads],
        (_, "write") => &[EdgeKind::Writes],
        (_, "read-write") => &[EdgeKind::Reads, EdgeKind::Writes],
        (_, "send") => &[EdgeKind::Sends],
        (_, "publish") => &[EdgeKind::Publishes],
        (_, "invoke") => &[EdgeKind::Invokes],
        (_, "put") => &[EdgeKind::Puts],
        (_, "query") => &[EdgeKind::Queries],
        other => panic!("no edge kind for {other:?}"),
    }
}

/// Check every property of one compiled stage of `app`; returns the violations.
fn violations(app: &App, text: &str, c: &Compiled) -> Vec<String> {
    let doc = c.template.value();
    let mut v = dangling(doc);
    let res = doc["Resources"].as_object().expect("Resources");

    // Every expected logical ID is there, with the right type.
    for (id, ty) in expected_resources(app) {
        match res.get(&id) {
            None => v.push(format!("missing resource {id} ({ty})")),
            Some(r) if r["Type"] != ty => v.push(format!("{id} is a {} not a {ty}", r["Type"])),
            _ => {}
        }
    }
    let functions = res
        .values()
        .filter(|r| r["Type"] == "AWS::Lambda::Function")
        .count();
    if functions != app.functions.len() {
        v.push(format!(
            "{functions} functions rendered, {} in the spec",
            app.functions.len()
        ));
    }

    // No wildcard resources (no raw `policies` are generated).
    for (role, s) in statements(doc) {
        let r = &s["Resource"];
        let wild = r == "*" || r.as_array().is_some_and(|a| a.iter().any(|x| x == "*"));
        if wild || r.is_null() {
            v.push(format!("{role}: statement {} has Resource {r}", s["Sid"]));
        }
    }

    // Queue visibility is rendered as written and covers every consumer's timeout.
    for f in &app.functions {
        let rendered_timeout = res
            .get(&ids::function(&f.name))
            .and_then(|r| r["Properties"]["Timeout"].as_u64());
        if rendered_timeout != Some(f.timeout) {
            v.push(format!(
                "{}: Timeout {rendered_timeout:?}, spec says {}",
                f.name, f.timeout
            ));
        }
        for t in &f.triggers {
            if let Trig::Queue { queue, .. } = t {
                let q = &app.queues[*queue];
                let vis = res
                    .get(&ids::queue(&q.name))
                    .and_then(|r| r["Properties"]["VisibilityTimeout"].as_u64());
                if vis != q.visibility || vis.is_none_or(|x| x < 6 * f.timeout) {
                    v.push(format!(
                        "queue {}: VisibilityTimeout {vis:?}, spec {:?}, consumer {} timeout {}",
                        q.name, q.visibility, f.name, f.timeout
                    ));
                }
            }
        }
    }

    // The graph has an edge for every `uses` entry and `${...}` reference, between the
    // right nodes, and no reference edge that the spec does not make.
    let g = &c.graph;
    let node = |kind: Kind, i: usize| {
        let id: ResId = c
            .model
            .find(kind, app.name_of(kind, i))
            .unwrap_or_else(|| panic!("model has {kind:?} {}", app.name_of(kind, i)));
        g.node(id).expect("graph node")
    };
    let api = g
        .nodes()
        .find(|(_, n)| n.kind == NodeKind::Api)
        .map(|(i, _)| i);
    let has_edge = |a, b, k: EdgeKind| g.edges().any(|(x, y, e)| x == a && y == b && e.kind == k);
    for (fi, f) in app.functions.iter().enumerate() {
        let fnode = node(Kind::Function, fi);
        for (k, i, level) in &f.uses {
            for ek in edge_kinds(*k, level) {
                if !has_edge(fnode, node(*k, *i), *ek) {
                    v.push(format!(
                        "no {ek:?} edge for {}'s uses {}.{}",
                        f.name,
                        k.as_str(),
                        app.name_of(*k, *i)
                    ));
                }
            }
        }
        let mut expected = Vec::new();
        for (r, _, _) in &f.env {
            match r {
                EnvRef::Pseudo(_) => {}
                EnvRef::Res(k, i, _) => expected.push(node(*k, *i)),
                EnvRef::ApiUrl => match api {
                    Some(a) => expected.push(a),
                    None => v.push(format!("{}: `${{api.url}}` but no api node", f.name)),
                },
            }
        }
        let mut got: Vec<_> = g
            .edges()
            .filter(|(a, _, e)| *a == fnode && e.kind == EdgeKind::References)
            .map(|(_, b, _)| b)
            .collect();
        expected.sort();
        got.sort();
        if expected != got {
            v.push(format!(
                "{}: reference edges {got:?}, expected {expected:?}",
                f.name
            ));
        }
        for t in &f.triggers {
            let src = match t {
                Trig::Queue { queue, .. } => node(Kind::Queue, *queue),
                Trig::Topic(x) => node(Kind::Topic, *x),
                Trig::Bucket(x) => node(Kind::Bucket, *x),
                Trig::Bus(x) => node(Kind::Bus, *x),
                Trig::Schedule(_) => continue,
            };
            if !has_edge(src, fnode, EdgeKind::Triggers) {
                v.push(format!("no trigger edge into {}", f.name));
            }
        }
    }
    if !v.is_empty() {
        v.push(format!("spec:\n{text}"));
    }
    v
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(Config { cases: cases(), failure_persistence: None, ..Config::default() })]

    #[test]
    fn rendered_templates_are_sound(app in app_strategy()) {
        let text = yaml(&app);
        for stage in STAGES {
            let c = compile(&text, stage);
            let v = violations(&app, &text, &c);
            prop_assert!(v.is_empty(), "stage {}:\n{}", stage, v.join("\n"));
            // Deterministic: a second, independent run renders the same bytes.
            let again = compile(&text, stage);
            prop_assert_eq!(c.template.to_json(), again.template.to_json(), "stage {} renders differently twice", stage);
        }
    }

    /// `render --split`: every resource lands in exactly one stack, and every reference
    /// across stacks goes through a parameter the parent passes or an output it reads.
    #[test]
    fn split_templates_are_sound(app in app_strategy()) {
        let text = yaml(&app);
        let c = compile(&text, STAGES[0]);
        let s = fnplan::template::render_split(&c.model, &c.graph, &c.keys, &|id| format!("{id}.json"));
        let problems = s.boundary_problems();
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
        let mut ids: Vec<String> = Vec::new();
        for t in std::iter::once(&s.parent).chain(s.children.iter().map(|n| &n.template)) {
            let d = dangling(t.value());
            prop_assert!(d.is_empty(), "{}", d.join("\n"));
            for (id, r) in t.value()["Resources"].as_object().unwrap() {
                if r["Type"] != "AWS::CloudFormation::Stack" {
                    ids.push(id.clone());
                }
            }
        }
        ids.sort();
        let mut whole: Vec<String> = keys(c.template.value(), "Resources").into_iter().collect();
        whole.sort();
        prop_assert_eq!(ids, whole);
    }
}

/// A fixed sample of generated apps (the same on every run).
fn sample(n: usize) -> Vec<App> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = app_strategy();
    (0..n)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .expect("strategy generates")
                .current()
        })
        .collect()
}

#[test]
fn the_generator_covers_the_spec() {
    // Guard against a generator that silently stops producing some feature.
    let apps = sample(64);
    let any = |p: &dyn Fn(&App) -> bool| apps.iter().any(p);
    assert!(any(&|a| a.queues.iter().any(|q| q.fifo)));
    assert!(any(&|a| a
        .queues
        .iter()
        .any(|q| matches!(q.dlq, Dlq::Settings(_)))));
    assert!(any(&|a| a.tables.iter().any(|t| t.stream)));
    assert!(any(&|a| !a.routes.is_empty() && a.jwt));
    assert!(any(&|a| a
        .functions
        .iter()
        .any(|f| f.provisioned.is_some())));
    assert!(any(&|a| a.functions.iter().any(|f| f.local_code)));
    assert!(any(&|a| a.functions.iter().any(|f| f.on_failure.is_some())));
    assert!(any(&|a| a
        .functions
        .iter()
        .any(|f| f.env.iter().any(|e| matches!(e.0, EnvRef::ApiUrl)))));
    assert!(any(&|a| a.functions.iter().any(|f| f.env.iter().any(
        |e| matches!(e.0, EnvRef::Res(Kind::Table, _, "stream_arn"))
    ))));
    for kind in Kind::ALL {
        assert!(
            any(&|a| a
                .functions
                .iter()
                .any(|f| f.uses.iter().any(|u| u.0 == kind))),
            "no `uses` of a {kind:?}"
        );
    }
    for t in 0..5 {
        assert!(any(&|a| a.functions.iter().any(|f| f.triggers.iter().any(
            |x| match x {
                Trig::Queue { .. } => t == 0,
                Trig::Topic(_) => t == 1,
                Trig::Bucket(_) => t == 2,
                Trig::Schedule(_) => t == 3,
                Trig::Bus(_) => t == 4,
            }
        ))));
    }
}

/// cfn-lint, the outside judge, finds no errors in 30 generated templates (one run).
#[test]
fn generated_templates_pass_cfn_lint() {
    let Some(cfn_lint) = crate::common::cfn_lint() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let mut files = Vec::new();
    for (i, app) in sample(30).iter().enumerate() {
        let stage = STAGES[i % STAGES.len()];
        let c = compile(&yaml(app), stage);
        let path = dir.path().join(format!("generated-{i:02}.json"));
        std::fs::write(&path, c.template.to_json()).expect("write");
        files.push(path);
    }
    let errors = crate::common::cfn_lint_errors(&cfn_lint, &files);
    if !errors.is_empty() {
        // Keep the failing templates and their specs for a look.
        let keep = std::env::temp_dir().join("fnplan-cfn-lint-failures");
        let _ = std::fs::create_dir_all(&keep);
        for (i, app) in sample(30).iter().enumerate() {
            let _ = std::fs::write(keep.join(format!("generated-{i:02}.yaml")), yaml(app));
            let _ = std::fs::copy(&files[i], keep.join(format!("generated-{i:02}.json")));
        }
        panic!(
            "cfn-lint errors (specs and templates kept in {}):\n{}",
            keep.display(),
            errors.join("\n")
        );
    }
}

/// A 20 MB spec is refused at once, pointing at line 1, column 1 (the budget is 8 MiB).
#[test]
fn huge_file_is_refused_quickly() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("huge.yaml");
    let mut text = String::from("version: 1\napp: huge\nfunctions:\n");
    let line = format!("# {}\n", "padding ".repeat(9));
    while text.len() < 20 * 1024 * 1024 {
        text.push_str(&line);
    }
    std::fs::write(&path, &text).expect("write");
    let p = path.to_str().expect("utf8");
    let started = std::time::Instant::now();
    let out = fnplan().args(["render", p]).output().expect("runs");
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains(&format!("{p}:1:1")), "{stderr}");
    assert!(stderr.contains("input limit"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
}

/// The checks above catch what they claim to: break a good template in five ways.
#[test]
fn the_checks_catch_broken_templates() {
    let app = sample(64)
        .into_iter()
        .find(|a| a.functions.iter().any(|f| !f.uses.is_empty()))
        .expect("an app with `uses`");
    let text = yaml(&app);
    let good = compile(&text, "dev");
    assert!(violations(&app, &text, &good).is_empty());
    let f = ids::function(&app.functions[0].name);
    let role = ids::role(&app.functions[0].name);
    type Breakage = fn(&mut Value, &str, &str);
    let breakages: [(&str, Breakage); 5] = [
        ("Ref to missing", |d, f, _| {
            d["Resources"][f]["Properties"]["Description"] = serde_json::json!({ "Ref": "Nope" })
        }),
        ("names nothing", |d, f, _| {
            d["Resources"][f]["Properties"]["Description"] =
                serde_json::json!({ "Fn::Sub": "${Nope.Arn}-${!Literal}" })
        }),
        ("DependsOn missing", |d, f, _| {
            d["Resources"][f]["DependsOn"] = serde_json::json!(["Nope"])
        }),
        ("has Resource \"*\"", |d, _, role| {
            d["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Resource"] =
                serde_json::json!("*")
        }),
        ("missing resource", |d, f, _| {
            d["Resources"].as_object_mut().expect("map").remove(f);
        }),
    ];
    for (needle, breakage) in breakages {
        let mut broken = good.template.value().clone();
        breakage(&mut broken, &f, &role);
        let bad = Compiled {
            model: good.model.clone(),
            graph: fnplan::graph::build(&good.model),
            keys: good.keys.clone(),
            template: fnplan::template::Template::from_value(broken),
        };
        let v = violations(&app, &text, &bad);
        assert!(v.iter().any(|x| x.contains(needle)), "{needle}: {v:#?}");
    }
}
