//! EventBridge buses as a user writes them: the spec `tests/fixtures/buses/fnplan.yaml`
//! renders its bus and archive, each bus trigger as a rule (pattern, retry policy, a
//! dead-letter queue only that rule may send to, the invoke permission), `uses: put` as
//! `events:PutEvents` on that bus, a secret's `kms_key` as `kms:Decrypt` through Secrets
//! Manager and a versioned bucket's reads with `s3:GetObjectVersion`; it passes cfn-lint,
//! is drawn and linted (FN114, FN109 through a bus) and deploys to moto. Misconfigured
//! buses and triggers are in `tests/bad-input/bus-*.yaml` and `kms-key.yaml`.

use crate::common::{self, run};
use crate::moto::moto;
use serde_json::{Value, json};

const SPEC: &str = "tests/fixtures/buses/fnplan.yaml";

fn template() -> Value {
    common::rendered(SPEC)
}

fn statement(t: &Value, role: &str, sid: &str) -> Value {
    t["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["Sid"] == sid))
        .unwrap_or_else(|| panic!("{role} has no statement {sid}"))
        .clone()
}

#[test]
fn a_bus_is_named_after_the_stage_and_archived() {
    let t = template();
    assert_eq!(
        t["Resources"]["OrdersBus"],
        json!({ "Type": "AWS::Events::EventBus", "Properties": { "Name": "shop-dev-orders" } })
    );
    assert_eq!(
        t["Resources"]["OrdersBusArchive"],
        json!({
            "Type": "AWS::Events::Archive",
            "Properties": {
                "SourceArn": { "Fn::GetAtt": ["OrdersBus", "Arn"] },
                "RetentionDays": 7
            }
        })
    );
    // The account's default bus is named, never created.
    let types: Vec<&str> = t["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .filter_map(|r| r["Type"].as_str())
        .filter(|t| *t == "AWS::Events::EventBus")
        .collect();
    assert_eq!(types.len(), 1);
}

#[test]
fn a_bus_trigger_is_a_rule_with_retries_a_dlq_and_a_permission() {
    let t = template();
    let rule_arn = json!({ "Fn::GetAtt": ["ShipBus1Rule", "Arn"] });
    assert_eq!(
        t["Resources"]["ShipBus1Rule"],
        json!({
            "Type": "AWS::Events::Rule",
            "DependsOn": ["OrdersBus"],
            "Properties": {
                "EventBusName": "shop-dev-orders",
                "EventPattern": { "source": ["shop.orders"], "detail-type": ["OrderPlaced"] },
                "State": "ENABLED",
                "Targets": [{
                    "Id": "Target",
                    "Arn": { "Fn::GetAtt": ["ShipFunction", "Arn"] },
                    "RetryPolicy": { "MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 3600 },
                    "DeadLetterConfig": { "Arn": { "Fn::GetAtt": ["ShipBus1Dlq", "Arn"] } }
                }]
            }
        })
    );
    let p = &t["Resources"]["ShipBus1Permission"]["Properties"];
    assert_eq!(p["Principal"], "events.amazonaws.com");
    assert_eq!(p["SourceArn"], rule_arn);
    assert_eq!(
        t["Resources"]["ShipBus1Dlq"]["Properties"]["MessageRetentionPeriod"],
        1_209_600
    );
    let policy = &t["Resources"]["ShipBus1DlqPolicy"]["Properties"];
    assert_eq!(policy["Queues"], json!([{ "Ref": "ShipBus1Dlq" }]));
    let s = &policy["PolicyDocument"]["Statement"][0];
    assert_eq!(s["Principal"], json!({ "Service": "events.amazonaws.com" }));
    assert_eq!(s["Action"], "sqs:SendMessage");
    assert_eq!(
        s["Resource"],
        json!({ "Fn::GetAtt": ["ShipBus1Dlq", "Arn"] })
    );
    assert_eq!(
        s["Condition"],
        json!({ "ArnEquals": { "aws:SourceArn": rule_arn } })
    );
    // On the default bus, with `dlq: false`: no queue, no policy, no retry policy.
    let rule = &t["Resources"]["WatchUploadsBus1Rule"]["Properties"];
    assert_eq!(rule["EventBusName"], "default");
    assert_eq!(
        rule["Targets"],
        json!([{ "Id": "Target", "Arn": { "Fn::GetAtt": ["WatchUploadsFunction", "Arn"] } }])
    );
    assert!(t["Resources"]["WatchUploadsBus1Dlq"].is_null());
    assert!(t["Resources"]["WatchUploadsBus1DlqPolicy"].is_null());
}

#[test]
fn put_kms_and_versioned_reads_are_least_privilege() {
    let t = template();
    let put = statement(&t, "PlaceOrderRole", "BusOrdersPut");
    assert_eq!(put["Action"], json!(["events:PutEvents"]));
    assert_eq!(
        put["Resource"],
        json!([{ "Fn::GetAtt": ["OrdersBus", "Arn"] }])
    );
    let decrypt = statement(&t, "PlaceOrderRole", "SecretVendorReadDecrypt");
    assert_eq!(decrypt["Action"], json!(["kms:Decrypt"]));
    assert_eq!(
        decrypt["Resource"],
        json!([{ "Fn::Sub": "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab" }])
    );
    assert_eq!(
        decrypt["Condition"],
        json!({ "StringEquals": { "kms:ViaService": { "Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com" } } })
    );
    let read = statement(&t, "PlaceOrderRole", "BucketReceiptsRead");
    assert_eq!(
        read["Action"],
        json!(["s3:GetObject", "s3:GetObjectVersion"])
    );
    let list = statement(&t, "PlaceOrderRole", "BucketReceiptsList");
    assert_eq!(
        list["Action"],
        json!(["s3:ListBucket", "s3:ListBucketVersions"])
    );
    let env = &t["Resources"]["PlaceOrderFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(env["BUS"], "shop-dev-orders");
    assert_eq!(
        env["BUS_ARN"],
        json!({ "Fn::GetAtt": ["OrdersBus", "Arn"] })
    );
    // A rule's target needs nothing in the function's own role.
    let ship =
        t["Resources"]["ShipRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array()
            .expect("statements")
            .iter()
            .filter_map(|s| s["Sid"].as_str())
            .collect::<Vec<_>>();
    assert_eq!(ship, ["Logs", "QueueFailedEventsOnFailure"]);
}

#[test]
fn an_ssm_secret_with_a_key_decrypts_through_ssm_only() {
    let dir = tempfile::tempdir().expect("tmp");
    let spec = dir.path().join("fnplan.yaml");
    std::fs::write(
        &spec,
        r#"version: 1
app: shop
functions:
  f:
    handler: f.h
    runtime: python3.12
    code: s3://b/f.zip
    uses: { secret.token: read }
secrets:
  token: { ssm: /shop/token, kms_key: "arn:aws:kms:eu-west-1:123456789012:key/abcd" }
"#,
    )
    .expect("spec");
    let (code, out, err) = run(&["render", spec.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    let t: Value = serde_json::from_str(&out).expect("JSON");
    let d = statement(&t, "FRole", "SecretTokenReadDecrypt");
    assert_eq!(
        d["Resource"],
        json!(["arn:aws:kms:eu-west-1:123456789012:key/abcd"])
    );
    assert_eq!(
        d["Condition"]["StringEquals"]["kms:ViaService"],
        json!({ "Fn::Sub": "ssm.${AWS::Region}.amazonaws.com" })
    );
}

#[test]
fn the_bus_spec_passes_cfn_lint() {
    common::assert_spec_passes_cfn_lint(SPEC);
}

#[test]
fn the_graph_draws_function_bus_rule_function() {
    let edges = common::graph_edges(SPEC);
    for (a, b, k) in [
        ("function:place-order", "bus:orders", "puts"),
        ("bus:orders", "function:ship", "triggers"),
        ("bus:default", "function:watch-uploads", "triggers"),
    ] {
        let e = (a.to_string(), b.to_string(), k.to_string());
        assert!(edges.contains(&e), "no edge {e:?} in {edges:?}");
    }
    for format in ["mermaid", "dot"] {
        let (code, out, err) = run(&["graph", SPEC, "--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        assert!(out.contains("orders"), "{format}: {out}");
    }
}

#[test]
fn lint_warns_of_the_rule_without_dlq_only() {
    let (code, out, err) = run(&["lint", SPEC, "--format", "json"]);
    assert_eq!(code, 0, "warnings only: {out}{err}");
    let v: Value = serde_json::from_str(&out).expect("JSON findings");
    let codes: Vec<&str> = v
        .as_array()
        .expect("a list of findings")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["FN114"], "{out}");
}

const ECHO: &str = r#"version: 1
app: echo
defaults:
  function: { runtime: python3.12, timeout: 30, concurrency: 5, log_retention_days: 14 }
functions:
  enrich:
    handler: e.h
    code: s3://b/e.zip
    triggers:
      - bus: orders
        pattern: { source: [shop.orders] }
    on_failure: failed
    uses: { bus.orders: put }
    ENV
queues:
  failed: { dlq: false }
buses:
  orders: {}
"#;

fn lint_echo(env: &str) -> (i32, String) {
    let dir = tempfile::tempdir().expect("tmp");
    let spec = dir.path().join("fnplan.yaml");
    std::fs::write(&spec, ECHO.replace("ENV", env)).expect("spec");
    let (code, out, err) = run(&["lint", spec.to_str().expect("utf8")]);
    (code, format!("{out}{err}"))
}

/// A function that puts on the bus whose rule triggers it loops, unless its own source
/// (an env var ending in `SOURCE`) is one the rule's pattern cannot match.
#[test]
fn putting_on_the_bus_that_triggers_you_is_a_loop_unless_the_source_differs() {
    let (code, text) = lint_echo("env: { LOG_LEVEL: info }");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("error[FN109]: recursive loop: function `enrich` → puts events on → bus `orders` → triggers → function `enrich`"),
        "{text}"
    );
    let (code, text) = lint_echo("env: { EVENT_SOURCE: shop.orders }");
    assert_eq!(code, 1, "its own source matches: {text}");
    let (code, text) = lint_echo("env: { EVENT_SOURCE: shop.enriched }");
    assert_eq!(code, 0, "another source: {text}");
    assert!(!text.contains("FN109"), "{text}");
    // A `${...}` value cannot be read: the function may put any source.
    let (code, _) = lint_echo("env: { EVENT_SOURCE: \"${app}.${bus.orders.name}\" }");
    assert_eq!(code, 1);
}

/// Deploys the spec to moto: the stack completes, and EventBridge has the bus (named
/// `{app}-{stage}-{key}`), its archive, a rule on it targeting the function with the
/// retry policy and dead-letter queue, and a rule on the default bus without either.
///
/// moto lacks: `AWS::SQS::QueuePolicy` as a type it provisions (it leaves a hole in the
/// stack, so DescribeStackResource(s) answer 500 for the later resources: the checks go
/// to the EventBridge API instead), and any delivery: rule targets' `RetryPolicy` and
/// `DeadLetterConfig` are stored but never exercised, no event reaches a function and
/// archives record nothing.
#[test]
fn apply_creates_the_bus_archive_and_rules() {
    let Some(m) = moto() else { return };
    let _app = m.applied(SPEC, "shop-dev");

    let buses = m.json_call("events", "AWSEvents.ListEventBuses", "{}");
    let names: Vec<&str> = buses["EventBuses"]
        .as_array()
        .expect("buses")
        .iter()
        .filter_map(|b| b["Name"].as_str())
        .collect();
    assert!(names.contains(&"shop-dev-orders"), "{buses}");

    let archives = m.json_call("events", "AWSEvents.ListArchives", "{}");
    let archive = &archives["Archives"][0];
    assert!(
        archive["EventSourceArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(":event-bus/shop-dev-orders")),
        "{archives}"
    );
    assert_eq!(archive["RetentionDays"], 7, "{archives}");

    let rules = m.json_call(
        "events",
        "AWSEvents.ListRules",
        r#"{"EventBusName":"shop-dev-orders"}"#,
    );
    // The archive's own managed rule is there too, as on AWS.
    let named = |rules: &Value, part: &str| {
        rules["Rules"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|r| r["Name"].as_str().is_some_and(|n| n.contains(part)))
            })
            .cloned()
            .unwrap_or_else(|| panic!("no rule {part} in {rules}"))
    };
    let rule = named(&rules, "ShipBus1Rule");
    let pattern: Value =
        serde_json::from_str(rule["EventPattern"].as_str().expect("pattern")).expect("JSON");
    assert_eq!(pattern["detail-type"], json!(["OrderPlaced"]));
    let body = json!({ "Rule": rule["Name"], "EventBusName": "shop-dev-orders" }).to_string();
    let targets = m.json_call("events", "AWSEvents.ListTargetsByRule", &body);
    let target = &targets["Targets"][0];
    assert!(
        target["Arn"]
            .as_str()
            .is_some_and(|a| a.ends_with(":function:shop-dev-ship")),
        "{targets}"
    );
    assert_eq!(
        target["RetryPolicy"]["MaximumRetryAttempts"], 4,
        "{targets}"
    );
    assert!(
        target["DeadLetterConfig"]["Arn"]
            .as_str()
            .is_some_and(|a| a.starts_with("arn:aws:sqs:")),
        "{targets}"
    );

    let default = m.json_call(
        "events",
        "AWSEvents.ListRules",
        r#"{"EventBusName":"default"}"#,
    );
    let watch = named(&default, "WatchUploadsBus1Rule");
    assert!(
        watch["EventPattern"]
            .as_str()
            .is_some_and(|p| p.contains("aws.s3"))
    );
}
