//! DynamoDB stream triggers (`- table: NAME`) as a user writes them: the spec
//! `tests/fixtures/streams/fnplan.yaml` renders each trigger as an event source mapping on
//! the table's stream (settings, filters, the function's `on_failure` queue as the
//! mapping's destination, IAM on the stream only), passes cfn-lint, is drawn with the
//! table triggering the function, is linted (FN102, FN109) and deploys to moto.
//! Misconfigured triggers are in `tests/bad-input/stream-trigger.yaml`.

use crate::common::{self, run};
use crate::moto::moto;
use serde_json::{Value, json};

const SPEC: &str = "tests/fixtures/streams/fnplan.yaml";

fn template() -> Value {
    common::rendered(SPEC)
}

#[test]
fn a_stream_trigger_is_a_mapping_on_the_tables_stream_with_every_setting() {
    let t = template();
    let stream_arn = json!({ "Fn::GetAtt": ["CartsTable", "StreamArn"] });
    let m = &t["Resources"]["SummarizeCartsStreamMapping"];
    assert_eq!(m["Type"], "AWS::Lambda::EventSourceMapping");
    assert_eq!(m["DependsOn"], json!(["SummarizeRole"]));
    assert_eq!(
        m["Properties"],
        json!({
            "EventSourceArn": stream_arn,
            "FunctionName": { "Fn::GetAtt": ["SummarizeFunction", "Arn"] },
            "StartingPosition": "TRIM_HORIZON",
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 5,
            "BisectBatchOnFunctionError": true,
            "MaximumRetryAttempts": 3,
            "MaximumRecordAgeInSeconds": 3600,
            "FilterCriteria": { "Filters": [{ "Pattern": "{\"eventName\":[\"INSERT\",\"MODIFY\"]}" }] },
            "DestinationConfig": {
                "OnFailure": { "Destination": { "Fn::GetAtt": ["FailedRecordsQueue", "Arn"] } }
            },
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "Enabled": true
        })
    );
    // Defaults: Lambda's own, except the starting position a stream mapping must have.
    assert_eq!(
        t["Resources"]["AuditCartsStreamMapping"]["Properties"],
        json!({
            "EventSourceArn": stream_arn,
            "FunctionName": { "Fn::GetAtt": ["AuditFunction", "Arn"] },
            "StartingPosition": "LATEST",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "Enabled": true
        })
    );
}

#[test]
fn the_role_reads_the_stream_and_nothing_of_the_table() {
    let t = template();
    let audit = common::statements(&t, "AuditRole");
    let sids: Vec<&str> = audit.iter().filter_map(|s| s["Sid"].as_str()).collect();
    assert_eq!(sids, ["Logs", "TableCartsStream", "ListStreams"]);
    assert_eq!(
        audit[1]["Action"],
        json!([
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator"
        ])
    );
    assert_eq!(
        audit[1]["Resource"],
        json!([{ "Fn::GetAtt": ["CartsTable", "StreamArn"] }])
    );
    // ListStreams takes no resource ARN (schemas/iam/no-resource-actions.txt).
    assert_eq!(audit[2]["Action"], json!(["dynamodb:ListStreams"]));
    assert_eq!(audit[2]["Resource"], json!(["*"]));
    // The on_failure queue: the mapping sends to it with the function's role.
    let summarize = common::statements(&t, "SummarizeRole");
    let send = summarize
        .iter()
        .find(|s| s["Sid"] == "QueueFailedRecordsOnFailure")
        .expect("on_failure statement");
    assert_eq!(send["Action"], json!(["sqs:SendMessage"]));
}

#[test]
fn the_stream_spec_passes_cfn_lint() {
    common::assert_spec_passes_cfn_lint(SPEC);
}

#[test]
fn the_graph_draws_the_table_triggering_its_consumers() {
    common::assert_edges(
        SPEC,
        &[
            ("table:carts", "function:summarize", "triggers"),
            ("table:carts", "function:audit", "triggers"),
            ("function:summarize", "queue:failed-records", "on_failure"),
        ],
    );
}

#[test]
fn lint_warns_of_a_consumer_that_drops_failed_records() {
    let (code, out, err) = run(&["lint", SPEC, "--format", "json"]);
    assert_eq!(code, 0, "warnings only: {out}{err}");
    let v: Value = serde_json::from_str(&out).expect("JSON findings");
    let findings: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .or_else(|| v.as_array())
        .expect("a list of findings")
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
            (s("code"), s("message"))
        })
        .collect();
    let fn102: Vec<&String> = findings
        .iter()
        .filter(|(c, _)| c == "FN102")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        fn102,
        [
            "function `audit` is triggered by table `carts`'s stream but has no `on_failure` queue; a record that keeps failing blocks its shard until it expires from the stream (24 hours) and is then dropped"
        ],
        "{findings:?}"
    );
    assert!(!findings.iter().any(|(c, _)| c == "FN109"), "{findings:?}");
}

/// A consumer that writes the table whose stream triggers it is a loop; so is one that
/// writes it through another function's table.
#[test]
fn writing_the_table_that_triggers_you_is_a_recursive_loop() {
    let dir = tempfile::tempdir().expect("tmp");
    let spec = dir.path().join("fnplan.yaml");
    std::fs::write(
        &spec,
        r#"version: 1
app: carts
defaults:
  function: { runtime: python3.12, timeout: 30, concurrency: 5, log_retention_days: 14 }
functions:
  total:
    handler: t.h
    code: s3://b/t.zip
    triggers: [{ table: carts, retries: 2 }]
    on_failure: failed
    uses: { table.carts: read-write }
tables:
  carts: { key: id, stream: true }
queues:
  failed: { dlq: false }
"#,
    )
    .expect("spec");
    let (code, out, err) = run(&["lint", spec.to_str().expect("utf8")]);
    assert_eq!(code, 1, "an error finding: {out}{err}");
    let text = format!("{out}{err}");
    assert!(
        text.contains("error[FN109]: recursive loop: function `total` → writes → table `carts` → triggers → function `total`"),
        "{text}"
    );
}

/// Deploys the spec to moto: the stack completes and Lambda has a mapping on the table's
/// stream for each consumer, with the written settings.
#[test]
fn apply_creates_the_stream_mappings() {
    let Some(m) = moto() else { return };
    let _app = m.applied(SPEC, "carts-dev");
    let maps = m.lambda_get("/2015-03-31/event-source-mappings/");
    let mapping = |function: &str| {
        maps["EventSourceMappings"]
            .as_array()
            .and_then(|a| {
                a.iter().find(|x| {
                    x["FunctionArn"]
                        .as_str()
                        .is_some_and(|f| f.ends_with(&format!(":carts-dev-{function}")))
                })
            })
            .unwrap_or_else(|| panic!("no mapping for {function}: {maps}"))
            .clone()
    };
    let summarize = mapping("summarize");
    let source = summarize["EventSourceArn"].as_str().unwrap_or_default();
    assert!(
        source.contains(":table/") && source.contains("/stream/"),
        "a table stream ARN: {source}"
    );
    assert_eq!(summarize["BatchSize"], 100);
    let audit = mapping("audit");
    assert_eq!(audit["EventSourceArn"], summarize["EventSourceArn"]);
}
