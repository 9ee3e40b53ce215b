//! Tests of rendering: spec text in (through the real load and lower pipeline), assertions
//! on the rendered template's structure and references out.

use super::{ArtifactKeys, Template, render};
use crate::model::Model;
use crate::testing::{Spec, compile_str};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

mod example;
mod layers;

fn model(yaml: &str) -> Model {
    compile_str(yaml, None).model
}

/// Artifact keys as packaging names them, with a fixed stand-in for the fingerprint.
fn keys(m: &Model) -> ArtifactKeys {
    ArtifactKeys::new(m.functions.iter().map(|f| {
        let key = format!("{}/{}/{}/{}.zip", m.app, m.stage, f.name, "f".repeat(64));
        (f.name.clone(), key)
    }))
}

/// Render a model (again): determinism, and the whole template a split is checked against.
fn render_model(m: &Model) -> Template {
    render(m, &crate::graph::build(m), &keys(m))
}

fn tpl(yaml: &str) -> Template {
    compile_str(yaml, None).template
}

fn resources(t: &Template) -> &serde_json::Map<String, Value> {
    t.value()["Resources"].as_object().expect("Resources")
}

fn res<'a>(t: &'a Template, id: &str) -> &'a Value {
    resources(t).get(id).unwrap_or_else(|| {
        panic!(
            "no resource {id}; have {:?}",
            resources(t).keys().collect::<Vec<_>>()
        )
    })
}

fn props<'a>(t: &'a Template, id: &str) -> &'a Value {
    &res(t, id)["Properties"]
}

/// The policy statements of a function's role.
fn statements<'a>(t: &'a Template, role: &str) -> &'a Vec<Value> {
    props(t, role)["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements")
}

fn statement<'a>(t: &'a Template, role: &str, sid: &str) -> &'a Value {
    statements(t, role)
        .iter()
        .find(|s| s["Sid"] == sid)
        .unwrap_or_else(|| panic!("no statement {sid} in {role}"))
}

// ------------------------------------------------------------------ reference walker

/// Logical IDs that `v` refers to (`Ref`, `Fn::GetAtt`, `${X}` / `${X.Attr}` in `Fn::Sub`).
fn refs_in(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("Ref", Value::String(id)) => {
                        out.insert(id.clone());
                    }
                    ("Fn::GetAtt", Value::Array(a)) => {
                        out.insert(a[0].as_str().expect("GetAtt target").to_string());
                    }
                    ("Fn::GetAtt", Value::String(s)) => {
                        out.insert(s.split('.').next().unwrap_or_default().to_string());
                    }
                    ("Fn::Sub", Value::String(s)) => sub_vars(s, out),
                    _ => refs_in(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs_in(x, out)),
        _ => {}
    }
}

/// `${X}` and `${X.Attr}` in Sub text (skipping `${!literal}`), as `X`.
fn sub_vars(s: &str, out: &mut BTreeSet<String>) {
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let end = after.find('}').expect("unterminated ${ in Sub");
        let body = &after[..end];
        if !body.starts_with('!') {
            out.insert(body.split('.').next().unwrap_or_default().to_string());
        }
        rest = &after[end + 1..];
    }
}

/// For each resource, the logical IDs it depends on (references and `DependsOn`).
fn dependencies(t: &Template) -> BTreeMap<String, BTreeSet<String>> {
    let mut deps = BTreeMap::new();
    for (id, r) in resources(t) {
        let mut d = BTreeSet::new();
        refs_in(&r["Properties"], &mut d);
        for x in r["DependsOn"].as_array().into_iter().flatten() {
            d.insert(x.as_str().expect("DependsOn entry").to_string());
        }
        deps.insert(id.clone(), d);
    }
    deps
}

/// Every reference names a resource, a parameter or a pseudo parameter; no resource
/// depends on itself, directly or in a cycle.
fn assert_references_resolve(t: &Template) {
    let params: BTreeSet<String> = t
        .value()
        .get("Parameters")
        .and_then(Value::as_object)
        .map_or_else(BTreeSet::new, |p| p.keys().cloned().collect());
    let known =
        |id: &str| id.starts_with("AWS::") || resources(t).contains_key(id) || params.contains(id);
    let deps = dependencies(t);
    for (id, d) in &deps {
        for target in d {
            assert!(known(target), "{id} refers to unknown `{target}`");
        }
    }
    let mut out = BTreeSet::new();
    refs_in(&t.value()["Outputs"], &mut out);
    for target in &out {
        assert!(known(target), "an output refers to unknown `{target}`");
    }
    // Cycle check (depth-first search with colours).
    fn visit<'a>(
        id: &'a str,
        deps: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) {
        match state.get(id) {
            Some(2) => return,
            Some(1) => panic!("circular dependency: {} -> {id}", path.join(" -> ")),
            _ => {}
        }
        state.insert(id, 1);
        path.push(id);
        for d in deps.get(id).into_iter().flatten() {
            if deps.contains_key(d.as_str()) {
                visit(d, deps, state, path);
            }
        }
        path.pop();
        state.insert(id, 2);
    }
    let mut state = BTreeMap::new();
    for id in deps.keys() {
        visit(id, &deps, &mut state, &mut Vec::new());
    }
}

/// No policy statement grants on `*` unless the function has raw `policies`.
fn assert_no_wildcard_resources(m: &Model, t: &Template) {
    for f in &m.functions {
        let role = crate::model::ids::role(&f.name);
        // Raw statements come last, one per `policies` entry.
        let all = statements(t, &role);
        let ours = &all[..all.len() - f.policies.len()];
        for s in ours {
            let wildcard = match &s["Resource"] {
                Value::String(r) => r == "*",
                Value::Array(a) => a.iter().any(|r| r == "*"),
                _ => true,
            };
            assert!(!wildcard, "{role} grants on `*`: {s}");
        }
    }
}

fn assert_sound(m: &Model, t: &Template) {
    assert_references_resolve(t);
    assert_no_wildcard_resources(m, t);
    // Statement IDs are unique within each policy.
    for f in &m.functions {
        let role = crate::model::ids::role(&f.name);
        let sids: Vec<&str> = statements(t, &role)
            .iter()
            .filter_map(|s| s["Sid"].as_str())
            .collect();
        let unique: BTreeSet<&str> = sids.iter().copied().collect();
        assert_eq!(
            sids.len(),
            unique.len(),
            "duplicate Sid in {role}: {sids:?}"
        );
    }
    // Determinism (rendered again with the artifact keys `t` names) and a YAML form that
    // reads back as the same document.
    let same_keys = ArtifactKeys::new(m.functions.iter().filter_map(|f| {
        let code = &resources(t)[&crate::model::ids::function(&f.name)]["Properties"]["Code"];
        Some((f.name.clone(), code["S3Key"].as_str()?.to_string()))
    }));
    let again = render(m, &crate::graph::build(m), &same_keys);
    assert_eq!(t.to_json(), again.to_json());
    assert_eq!(t.to_yaml(), again.to_yaml());
    let yaml = crate::source::SourceFile::from_string("t.yaml", t.to_yaml());
    let node = crate::spec::node::parse(&yaml, crate::spec::InputBudget::DEFAULT)
        .expect("YAML output parses");
    let back: Value = crate::spec::read::to_json(&node);
    assert_eq!(back, *t.value(), "YAML does not read back as the template");
    assert!(t.to_json().ends_with("}\n"));
    assert_eq!(t.resource_count(), resources(t).len());
}

#[test]
fn every_invoker_of_a_provisioned_function_targets_the_alias() {
    let t = tpl(r#"
version: 1
app: a
defaults: { function: { runtime: python3.12 } }
api:
  authorizers:
    gate: { function: w }
  routes:
    "ANY /{proxy+}": { function: w, auth: gate }
functions:
  w:
    handler: h.h
    code: s3://b/k.zip
    provisioned: 1
    triggers:
      - queue: q
      - schedule: rate(5 minutes)
      - bucket: files
        events: [created, removed]
        suffix: .csv
      - topic: t
      - table: q
    on_failure: failed
queues: { q: { dlq: true }, failed: { dlq: false } }
tables: { q: { key: id, stream: true } }
buckets: { files: {} }
topics: { t: {} }
"#);
    let alias = json!({ "Ref": "WAlias" });
    assert_eq!(props(&t, "WQMapping")["FunctionName"], alias);
    // A queue and a table of the same name: two mappings, apart by their IDs.
    assert_eq!(props(&t, "WQStreamMapping")["FunctionName"], alias);
    assert_eq!(
        props(&t, "WQStreamMapping")["EventSourceArn"],
        json!({ "Fn::GetAtt": ["QTable", "StreamArn"] })
    );
    // Only the stream mapping has an on-failure destination (SQS mappings have none).
    assert!(props(&t, "WQStreamMapping")["DestinationConfig"].is_object());
    assert!(props(&t, "WQMapping").get("DestinationConfig").is_none());
    assert_eq!(props(&t, "WSchedule1")["Targets"][0]["Arn"], alias);
    for p in [
        "WSchedule1Permission",
        "WFilesBucketPermission",
        "WTTopicPermission",
        "GateAuthorizerPermission",
        "AnyByProxyPermission",
    ] {
        assert_eq!(props(&t, p)["FunctionName"], alias, "{p}");
    }
    assert_eq!(props(&t, "WTSubscription")["Endpoint"], alias);
    assert_eq!(props(&t, "AnyByProxyIntegration")["IntegrationUri"], alias);
    let eic = res(&t, "WEventInvokeConfig");
    assert_eq!(eic["Properties"]["Qualifier"], "live");
    assert_eq!(eic["DependsOn"], json!(["WAlias"]));
    assert_eq!(
        props(&t, "GateAuthorizer")["AuthorizerUri"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${WAlias}/invocations" })
    );
    let configs = props(&t, "FilesBucket")["NotificationConfiguration"]["LambdaConfigurations"]
        .as_array()
        .unwrap();
    assert_eq!(configs.len(), 2);
    assert_eq!(configs[0]["Event"], "s3:ObjectCreated:*");
    assert_eq!(configs[1]["Event"], "s3:ObjectRemoved:*");
    for c in configs {
        assert_eq!(c["Function"], alias);
        assert_eq!(
            c["Filter"],
            json!({ "S3Key": { "Rules": [{ "Name": "suffix", "Value": ".csv" }] } })
        );
    }
    assert_eq!(
        props(&t, "AnyByProxyPermission")["SourceArn"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/*/*" })
    );
    // No parameters without local code.
    assert!(t.value().get("Parameters").is_none());
}

const SMALL: &str = r#"
version: 1
app: shop
tags: { team: t, cost: c }
defaults: { function: { runtime: nodejs22.x } }
functions:
  a:
    handler: a.h
    code: s3://b/a.zip
    env:
      LIT: "cost is ${var.x} dollars"
      MIXED: "https://${bucket.files.name}.s3.${region}.amazonaws.com/k"
      ARN: ${table.t.stream_arn}
      BUCKET_ARN: ${bucket.files.arn}
      REGION: ${region}
      API: ${api.url}
      SECRET_ARN: ${secret.s.arn}
      SECRET_NAME: ${secret.s.name}
      OTHER: ${function.b.name}
      TOPIC_NAME: ${topic.n.name}
    uses:
      table.t: read-write
      bucket.files: read
      function.b: invoke
      queue.q: receive
      secret.s: read
    triggers:
      - queue: q
        batch_size: 100
        batch_window: 5s
        max_concurrency: 3
        report_failures: false
    policies:
      - { Effect: Allow, Action: "xray:PutTraceSegments", Resource: "*" }
      - { Sid: Mine, Effect: Allow, Action: "ec2:DescribeRegions", Resource: "*" }
  b:
    handler: b.h
    code: s3://b/b.zip
    architecture: x86_64
    uses: { function.a: invoke, bucket.files: write }
    max_event_age: 1h
stages:
  dev: { vars: { x: "${!not-a-ref" } }
api:
  cors: { origins: ["*"], expose_headers: [x-id], credentials: false, max_age: 600 }
  routes:
    $default: { function: a }
    "GET /": { function: b, auth: none }
queues:
  q: { dlq: { max_receive_count: 3, retention: 2d } }
  fq: { fifo: true, dlq: true }
tables:
  t:
    key: { name: pk, type: S }
    sort_key: { name: sk, type: N }
    ttl: expires
    stream: new_image
    retain: false
buckets: { files: { versioning: true, retain: false } }
topics: { n: { fifo: true } }
secrets: { s: { secretsmanager: shop/key } }
"#;

#[test]
fn references_compile_to_intrinsics() {
    let t = tpl(SMALL);
    assert_sound(&model(SMALL), &t);
    let env = &props(&t, "AFunction")["Environment"]["Variables"];
    assert_eq!(env["LIT"], "cost is ${!not-a-ref dollars");
    assert_eq!(
        env["MIXED"],
        json!({ "Fn::Sub": "https://shop-dev-files-${AWS::AccountId}-${AWS::Region}.s3.${AWS::Region}.amazonaws.com/k" })
    );
    assert_eq!(env["ARN"], json!({ "Fn::GetAtt": ["TTable", "StreamArn"] }));
    assert_eq!(
        env["BUCKET_ARN"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:s3:::shop-dev-files-${AWS::AccountId}-${AWS::Region}" })
    );
    assert_eq!(env["REGION"], json!({ "Ref": "AWS::Region" }));
    assert_eq!(
        env["API"],
        json!({ "Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}" })
    );
    assert_eq!(
        env["SECRET_ARN"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:shop/key-??????" })
    );
    assert_eq!(env["SECRET_NAME"], "shop/key");
    assert_eq!(env["OTHER"], json!({ "Ref": "BFunction" }));
    assert_eq!(
        env["TOPIC_NAME"],
        json!({ "Fn::GetAtt": ["NTopic", "TopicName"] })
    );
}

#[test]
fn a_literal_with_dollar_brace_is_escaped_only_inside_sub() {
    let t = tpl(r#"
version: 1
app: a
stages: { dev: { vars: { x: "${!raw}" } } }
defaults: { function: { runtime: python3.12 } }
functions:
  f: { handler: h.h, code: s3://b/k.zip, env: { A: "${var.x}", B: "${var.x}-${region}" } }
"#);
    let env = &props(&t, "FFunction")["Environment"]["Variables"];
    // The variable's value holds `${`; plain strings keep it, Sub text escapes it.
    let a = env["A"].as_str().unwrap();
    assert!(a.contains("${"), "{a}");
    let b = env["B"]["Fn::Sub"].as_str().unwrap();
    assert_eq!(b, format!("{}-${{AWS::Region}}", a.replace("${", "${!")));
}

#[test]
fn iam_is_least_privilege() {
    let m = model(SMALL);
    let t = render_model(&m);
    let sids: Vec<&str> = statements(&t, "ARole")
        .iter()
        .map(|s| s["Sid"].as_str().unwrap())
        .collect();
    // Logs, uses in spec order (bucket read is two statements), the trigger's receive is
    // deduplicated with `uses`, raw statements last.
    assert_eq!(
        sids,
        [
            "Logs",
            "TableTReadWrite",
            "BucketFilesRead",
            "BucketFilesList",
            "FunctionBInvoke",
            "QueueQReceive",
            "SecretSRead",
            "Raw1",
            "Mine"
        ]
    );
    let rw = statement(&t, "ARole", "TableTReadWrite");
    let actions: Vec<&str> = rw["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let mut sorted = actions.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(actions, sorted);
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "dynamodb:ConditionCheckItem")
            .count(),
        1
    );
    assert_eq!(
        rw["Resource"],
        json!([{ "Fn::GetAtt": ["TTable", "Arn"] }, { "Fn::Sub": "${TTable.Arn}/index/*" }])
    );
    assert_eq!(
        statement(&t, "ARole", "BucketFilesRead")["Resource"],
        json!([{ "Fn::Sub": "arn:${AWS::Partition}:s3:::shop-dev-files-${AWS::AccountId}-${AWS::Region}/*" }])
    );
    // `files` is versioned: readers may read and list earlier versions too.
    assert_eq!(
        statement(&t, "ARole", "BucketFilesList")["Action"],
        json!(["s3:ListBucket", "s3:ListBucketVersions"])
    );
    assert_eq!(
        statement(&t, "ARole", "BucketFilesRead")["Action"],
        json!(["s3:GetObject", "s3:GetObjectVersion"])
    );
    assert_eq!(
        statement(&t, "ARole", "FunctionBInvoke")["Resource"],
        json!([
            { "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:shop-dev-b" },
            { "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:shop-dev-b:*" }
        ])
    );
    assert_eq!(
        statement(&t, "ARole", "SecretSRead")["Action"],
        json!([
            "secretsmanager:DescribeSecret",
            "secretsmanager:GetSecretValue"
        ])
    );
    // Raw statements are verbatim (a Sid is added only when missing).
    assert_eq!(
        statement(&t, "ARole", "Raw1"),
        &json!({ "Sid": "Raw1", "Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*" })
    );
    let b: Vec<&str> = statements(&t, "BRole")
        .iter()
        .map(|s| s["Sid"].as_str().unwrap())
        .collect();
    assert_eq!(b, ["Logs", "FunctionAInvoke", "BucketFilesWrite"]);
    // Two functions that invoke each other make no circular dependency.
    assert_references_resolve(&t);
    assert_eq!(
        props(&t, "ARole")["Tags"],
        json!([{ "Key": "team", "Value": "t" }, { "Key": "cost", "Value": "c" }])
    );
    assert_eq!(
        props(&t, "ARole")["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({ "Service": "lambda.amazonaws.com" })
    );
}

#[test]
fn resources_render_their_settings() {
    let t = tpl(SMALL);
    let q = props(&t, "QQueue");
    // Standard queues are named by CloudFormation; the tag keeps a readable name.
    assert!(q.get("QueueName").is_none());
    assert_eq!(
        q["Tags"][2],
        json!({ "Key": "fnplan:name", "Value": "shop-dev-q" })
    );
    assert!(q.get("FifoQueue").is_none());
    assert_eq!(q["VisibilityTimeout"], 30);
    let dlq = props(&t, "QDlq");
    assert!(dlq.get("QueueName").is_none());
    assert!(
        dlq.get("RedriveAllowPolicy").is_none(),
        "byQueue needs the source queue's name"
    );
    assert_eq!(dlq["MessageRetentionPeriod"], 172_800);
    let fq = props(&t, "FqQueue");
    assert_eq!(fq["QueueName"], "shop-dev-fq.fifo");
    assert_eq!(fq["FifoQueue"], true);
    let fdlq = props(&t, "FqDlq");
    assert_eq!(fdlq["QueueName"], "shop-dev-fq-dlq.fifo");
    assert_eq!(
        fdlq["RedriveAllowPolicy"]["sourceQueueArns"][0]["Fn::Sub"],
        "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:shop-dev-fq.fifo"
    );
    assert_eq!(fdlq["FifoQueue"], true);
    assert_eq!(q["RedrivePolicy"]["maxReceiveCount"], 3);

    let table = res(&t, "TTable");
    assert_eq!(table["DeletionPolicy"], "Delete");
    assert_eq!(table["UpdateReplacePolicy"], "Delete");
    let tp = &table["Properties"];
    assert_eq!(tp["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(
        tp["AttributeDefinitions"],
        json!([{ "AttributeName": "pk", "AttributeType": "S" }, { "AttributeName": "sk", "AttributeType": "N" }])
    );
    assert_eq!(
        tp["KeySchema"],
        json!([{ "AttributeName": "pk", "KeyType": "HASH" }, { "AttributeName": "sk", "KeyType": "RANGE" }])
    );
    assert_eq!(
        tp["TimeToLiveSpecification"],
        json!({ "AttributeName": "expires", "Enabled": true })
    );
    assert_eq!(
        tp["StreamSpecification"],
        json!({ "StreamViewType": "NEW_IMAGE" })
    );

    let b = props(&t, "FilesBucket");
    assert_eq!(res(&t, "FilesBucket")["DeletionPolicy"], "Delete");
    assert_eq!(b["VersioningConfiguration"], json!({ "Status": "Enabled" }));
    assert_eq!(
        b["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
        "BucketOwnerEnforced"
    );
    assert!(
        b["PublicAccessBlockConfiguration"]
            .as_object()
            .unwrap()
            .values()
            .all(|v| v == true)
    );
    assert!(b.get("NotificationConfiguration").is_none());
    assert!(res(&t, "FilesBucket").get("DependsOn").is_none());

    assert_eq!(
        props(&t, "NTopic"),
        &json!({ "TopicName": "shop-dev-n.fifo", "FifoTopic": true, "Tags": [{ "Key": "team", "Value": "t" }, { "Key": "cost", "Value": "c" }, { "Key": "fnplan:name", "Value": "shop-dev-n" }] })
    );

    let m = props(&t, "AQMapping");
    assert_eq!(m["BatchSize"], 100);
    assert_eq!(m["MaximumBatchingWindowInSeconds"], 5);
    assert_eq!(m["ScalingConfig"], json!({ "MaximumConcurrency": 3 }));
    assert!(m.get("FunctionResponseTypes").is_none());
    assert_eq!(m["Enabled"], true);

    assert_eq!(props(&t, "BFunction")["Architectures"], json!(["x86_64"]));
    assert!(props(&t, "BFunction").get("Environment").is_none());
    assert!(props(&t, "BFunction").get("Timeout").is_none());
    // max_event_age alone makes an event invoke config.
    let eic = props(&t, "BEventInvokeConfig");
    assert_eq!(eic["MaximumEventAgeInSeconds"], 3600);
    assert!(eic.get("MaximumRetryAttempts").is_none());
    assert!(!resources(&t).contains_key("AEventInvokeConfig"));
    // No secret resource.
    assert!(
        resources(&t)
            .values()
            .all(|r| !r["Type"].as_str().unwrap().contains("Secret"))
    );
}

#[test]
fn api_renders_cors_default_route_and_root() {
    let t = tpl(SMALL);
    let cors = &props(&t, "HttpApi")["CorsConfiguration"];
    assert_eq!(
        cors,
        &json!({
            "AllowOrigins": ["*"],
            "AllowMethods": ["GET"],
            "AllowHeaders": ["authorization", "content-type"],
            "ExposeHeaders": ["x-id"],
            "AllowCredentials": false,
            "MaxAge": 600
        })
    );
    assert_eq!(props(&t, "DefaultRoute")["RouteKey"], "$default");
    assert_eq!(props(&t, "DefaultRoute")["AuthorizationType"], "NONE");
    assert_eq!(
        props(&t, "DefaultPermission")["SourceArn"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/$default" })
    );
    assert_eq!(
        props(&t, "GetRootPermission")["SourceArn"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/GET/" })
    );
    assert_eq!(
        props(&t, "HttpApiDefaultStage")["Tags"],
        json!({ "team": "t", "cost": "c" })
    );
}

#[test]
fn minimal_spec_has_no_api_no_tags_and_no_parameters() {
    let yaml = "version: 1\napp: a\nfunctions:\n  f: { handler: h.h, code: s3://b/k.zip, runtime: python3.12 }\n";
    let m = model(yaml);
    let t = render_model(&m);
    assert_sound(&m, &t);
    let ids: Vec<&String> = resources(&t).keys().collect();
    assert_eq!(ids, ["FRole", "FLogGroup", "FFunction"]);
    assert_eq!(t.resource_count(), 3);
    assert!(t.value().get("Parameters").is_none());
    assert!(props(&t, "FFunction").get("Tags").is_none());
    assert!(props(&t, "FRole").get("Tags").is_none());
    assert_eq!(
        t.value()["Outputs"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["FFunctionArn"]
    );
    // Resource attribute order is fixed.
    let keys: Vec<&String> = res(&t, "FFunction").as_object().unwrap().keys().collect();
    assert_eq!(keys, ["Type", "DependsOn", "Properties"]);
    assert!(t.to_yaml().contains("AWSTemplateFormatVersion"));
}

#[test]
fn version_id_changes_with_configuration() {
    let spec = |mem: u32| {
        Spec::new("a")
            .insert(
                "functions",
                "f",
                json!({ "handler": "h.h", "code": "s3://b/k.zip", "runtime": "python3.12", "memory": mem, "provisioned": 1 }),
            )
            .yaml()
    };
    let version = |t: &Template| {
        resources(t)
            .keys()
            .find(|k| k.starts_with("FVersion"))
            .unwrap()
            .clone()
    };
    let a = tpl(&spec(128));
    let a2 = tpl(&spec(128));
    let b = tpl(&spec(256));
    assert_eq!(version(&a), version(&a2));
    assert_ne!(version(&a), version(&b));
    assert_sound(&model(&spec(128)), &a);
}

mod split;

/// `${...}` resolves in every string of the spec: raw policies, JWT issuers and
/// audiences, secret paths, fixed names; IAM's own `${aws:username}` stays text.
#[test]
fn references_resolve_in_policies_authorizers_secrets_and_names() {
    let t = tpl(r#"
version: 1
app: shop
stages:
  dev: { vars: { pool: eu-west-1_AbC, client: abc123 } }
defaults: { function: { runtime: python3.12 } }
functions:
  worker:
    handler: app.handler
    code: s3://code/worker.zip
    name: "${app}-${stage}-worker-v2"
    env: { TOKEN: "${secret.token.name}" }
    uses: { secret.token: read }
    policies:
      - Effect: Allow
        Action: [dynamodb:GetRecords]
        Resource: "${table.carts.stream_arn}"
      - Effect: Allow
        Action: [s3:GetObject]
        Resource: "arn:${AWS::Partition}:s3:::home-${stage}/${aws:username}/*"
  api:
    handler: app.handler
    code: s3://code/api.zip
tables:
  carts: { key: id, stream: true, name: "carts-${stage}" }
queues:
  jobs: { name: "${app}-jobs-${stage}" }
secrets:
  token: { ssm: "/shop/${stage}/token" }
api:
  authorizers:
    users:
      jwt: { issuer: "https://cognito-idp.${region}.amazonaws.com/${var.pool}", audience: ["${var.client}"] }
  routes:
    GET /carts: { function: api, auth: users }
"#);
    let raw = statement(&t, "WorkerRole", "Raw1");
    assert_eq!(
        raw["Resource"],
        json!({ "Fn::GetAtt": ["CartsTable", "StreamArn"] })
    );
    let home = statement(&t, "WorkerRole", "Raw2");
    assert_eq!(
        home["Resource"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:s3:::home-dev/${!aws:username}/*" })
    );
    let jwt = &props(&t, "UsersAuthorizer")["JwtConfiguration"];
    assert_eq!(
        jwt["Issuer"],
        json!({ "Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/eu-west-1_AbC" })
    );
    assert_eq!(jwt["Audience"], json!(["abc123"]));
    let secret = statement(&t, "WorkerRole", "SecretTokenRead");
    assert!(
        secret.to_string().contains("parameter/shop/dev/token"),
        "{secret}"
    );
    assert_eq!(
        props(&t, "WorkerFunction")["Environment"]["Variables"]["TOKEN"],
        "/shop/dev/token"
    );
    assert_eq!(
        props(&t, "WorkerFunction")["FunctionName"],
        "shop-dev-worker-v2"
    );
    assert_eq!(props(&t, "CartsTable")["TableName"], "carts-dev");
    assert_eq!(props(&t, "JobsQueue")["QueueName"], "shop-jobs-dev");
}

/// `${region}` and `${account}` in a fixed name make it `Fn::Sub` text everywhere it
/// appears: the name itself, the log group, the IAM ARNs built from it.
#[test]
fn pseudo_parameters_in_names_render_as_sub() {
    let t = tpl(r#"
version: 1
app: shop
defaults: { function: { runtime: python3.12 } }
functions:
  worker: { handler: app.handler, code: s3://code/w.zip, name: "worker-${region}" }
tables:
  carts: { key: id, name: "carts-${account}" }
"#);
    let f = props(&t, "WorkerFunction");
    assert_eq!(
        f["FunctionName"],
        json!({ "Fn::Sub": "worker-${AWS::Region}" })
    );
    assert_eq!(
        props(&t, "WorkerLogGroup")["LogGroupName"],
        json!({ "Fn::Sub": "/aws/lambda/worker-${AWS::Region}" })
    );
    assert_eq!(
        props(&t, "CartsTable")["TableName"],
        json!({ "Fn::Sub": "carts-${AWS::AccountId}" })
    );
    let logs = statement(&t, "WorkerRole", "Logs");
    assert!(
        logs.to_string()
            .contains("log-group:/aws/lambda/worker-${AWS::Region}:*"),
        "{logs}"
    );
}

/// `tracing: active` (here from `defaults.function`) turns on X-Ray with its write
/// permission; a function may opt out; `auth: iam` makes a SigV4-signed route.
#[test]
fn tracing_and_iam_authorized_routes() {
    let t = tpl(r#"
version: 1
app: shop
defaults: { function: { runtime: python3.12, tracing: active } }
functions:
  admin: { handler: app.handler, code: s3://code/a.zip }
  quiet: { handler: app.handler, code: s3://code/q.zip, tracing: passthrough }
api:
  routes:
    "POST /admin": { function: admin, auth: iam }
"#);
    assert_eq!(
        props(&t, "AdminFunction")["TracingConfig"],
        json!({ "Mode": "Active" })
    );
    let xray = statement(&t, "AdminRole", "XRayWrite");
    assert_eq!(xray["Resource"], json!(["*"]));
    assert!(props(&t, "QuietFunction").get("TracingConfig").is_none());
    assert!(
        statements(&t, "QuietRole")
            .iter()
            .all(|s| s["Sid"] != "XRayWrite"),
        "no X-Ray permission without tracing"
    );
    let route = props(&t, "PostAdminRoute");
    assert_eq!(route["AuthorizationType"], "AWS_IAM");
    assert!(route.get("AuthorizerId").is_none());
}

/// `bucket.NAME/PREFIX/` scopes object access (and listing) to the prefix.
#[test]
fn prefix_scoped_bucket_access() {
    let t = tpl(r#"
version: 1
app: shop
defaults: { function: { runtime: python3.12 } }
functions:
  thumbs:
    handler: app.handler
    code: s3://code/t.zip
    triggers: [{ bucket: media, prefix: uploads/ }]
    uses:
      bucket.media/uploads/: read
      bucket.media/thumbs/: write
buckets:
  media: {}
"#);
    let write = statement(&t, "ThumbsRole", "BucketMediaThumbsWrite");
    assert_eq!(
        write["Resource"],
        json!([{ "Fn::Sub": "arn:${AWS::Partition}:s3:::shop-dev-media-${AWS::AccountId}-${AWS::Region}/thumbs/*" }])
    );
    let read = statement(&t, "ThumbsRole", "BucketMediaUploadsRead");
    assert!(read.to_string().contains("/uploads/*"), "{read}");
    let list = statement(&t, "ThumbsRole", "BucketMediaUploadsList");
    assert_eq!(
        list["Condition"],
        json!({ "StringLike": { "s3:prefix": ["uploads/*"] } })
    );
}

/// `existing:` resources render nothing; IAM, triggers and references use their names.
#[test]
fn existing_resources_are_used_not_created() {
    let t = tpl(r#"
version: 1
app: shop
defaults: { function: { runtime: python3.12 } }
functions:
  report:
    handler: app.handler
    code: s3://code/r.zip
    triggers: [{ queue: jobs }]
    on_failure: failed
    env:
      TABLE: ${table.ledger.name}
      TABLE_ARN: ${table.ledger.arn}
      URL: ${queue.jobs.url}
      EXPORTS: ${bucket.exports.name}
      TOPIC: ${topic.alerts.arn}
    uses:
      table.ledger: read
      bucket.exports: write
      topic.alerts: publish
  listen:
    handler: app.handler
    code: s3://code/l.zip
    triggers: [{ topic: alerts }]
tables:
  ledger: { existing: { name: "finance-ledger-${stage}" } }
queues:
  jobs: { existing: { name: "${app}-jobs" } }
  failed: { dlq: false }
buckets:
  exports: { existing: { name: "acme-exports-${stage}" } }
topics:
  alerts: { existing: { name: ops-alerts } }
"#);
    for id in ["LedgerTable", "JobsQueue", "ExportsBucket", "AlertsTopic"] {
        assert!(!resources(&t).contains_key(id), "{id} is not created");
    }
    let env = &props(&t, "ReportFunction")["Environment"]["Variables"];
    assert_eq!(env["TABLE"], "finance-ledger-dev");
    assert_eq!(
        env["TABLE_ARN"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/finance-ledger-dev" })
    );
    assert_eq!(
        env["URL"],
        json!({ "Fn::Sub": "https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/shop-jobs" })
    );
    assert_eq!(env["EXPORTS"], "acme-exports-dev");
    let read = statement(&t, "ReportRole", "TableLedgerRead");
    assert!(
        read.to_string()
            .contains("table/finance-ledger-dev/index/*"),
        "{read}"
    );
    let mapping = props(&t, "ReportJobsMapping");
    assert_eq!(
        mapping["EventSourceArn"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:shop-jobs" })
    );
    let sub = props(&t, "ListenAlertsSubscription");
    assert_eq!(
        sub["TopicArn"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:ops-alerts" })
    );
    assert!(t.value()["Outputs"].get("JobsQueueUrl").is_none());
    assert_references_resolve(&t);
}
