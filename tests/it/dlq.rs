//! A queue's dead-letter queue as a user names it, `{queue}-dlq`: in triggers (a
//! DLQ-monitor function), `uses` (a redrive function), references and `on_failure`. The
//! spec `tests/fixtures/dlq/fnplan.yaml` is rendered (every name compiles to the DLQ's
//! own logical ID and ARN, IAM scoped to it), passes cfn-lint, and is drawn with the DLQ
//! as the node of those edges. Misnamed DLQs are in `tests/bad-input/dlq-names.yaml`.

use crate::common::{self, run};
use serde_json::{Value, json};

const SPEC: &str = "tests/fixtures/dlq/fnplan.yaml";

fn template() -> Value {
    common::rendered(SPEC)
}

/// The IAM statement `sid` of `role`.
fn statement(t: &Value, role: &str, sid: &str) -> Value {
    let list = t["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap_or_else(|| panic!("{role} has a policy"));
    list.iter()
        .find(|s| s["Sid"] == sid)
        .unwrap_or_else(|| panic!("{role} has no statement {sid}: {list:?}"))
        .clone()
}

#[test]
fn jobs_dlq_is_the_dead_letter_queue_of_jobs_everywhere() {
    let t = template();
    let r = &t["Resources"];
    let dlq_arn = json!({ "Fn::GetAtt": ["JobsDlq", "Arn"] });

    // A trigger: the mapping reads the DLQ, and the role may receive from it only.
    let mapping = &r["DlqMonitorJobsDlqMapping"]["Properties"];
    assert_eq!(mapping["EventSourceArn"], dlq_arn);
    let receive = statement(&t, "DlqMonitorRole", "QueueJobsDlqReceive");
    assert_eq!(receive["Resource"], json!([dlq_arn]));
    assert!(
        receive["Action"]
            .as_array()
            .expect("actions")
            .contains(&json!("sqs:ReceiveMessage"))
    );

    // `uses` and references.
    let redrive = statement(&t, "RedriveRole", "QueueJobsDlqReceive");
    assert_eq!(redrive["Resource"], json!([dlq_arn]));
    let send = statement(&t, "RedriveRole", "QueueJobsSend");
    assert_eq!(
        send["Resource"],
        json!([{ "Fn::GetAtt": ["JobsQueue", "Arn"] }])
    );
    let env = &r["RedriveFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(env["SOURCE_URL"], json!({ "Ref": "JobsDlq" }));
    assert_eq!(env["SOURCE_ARN"], dlq_arn);
    assert_eq!(env["TARGET_URL"], json!({ "Ref": "JobsQueue" }));

    // `on_failure`.
    let config = &r["NightlyEventInvokeConfig"]["Properties"];
    assert_eq!(
        config["DestinationConfig"]["OnFailure"]["Destination"],
        dlq_arn
    );
    let on_failure = statement(&t, "NightlyRole", "QueueJobsDlqOnFailure");
    assert_eq!(on_failure["Resource"], json!([dlq_arn]));

    // No second queue: the DLQ is the one `jobs` redrives to, with its written visibility.
    let queues: Vec<&String> = r
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(_, v)| v["Type"] == "AWS::SQS::Queue")
        .map(|(k, _)| k)
        .collect();
    assert_eq!(queues, ["JobsQueue", "JobsDlq"]);
    assert_eq!(r["JobsDlq"]["Properties"]["VisibilityTimeout"], 60);
    assert_eq!(
        r["JobsQueue"]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"],
        dlq_arn
    );
}

#[test]
fn the_dlq_spec_passes_cfn_lint() {
    common::assert_spec_passes_cfn_lint(SPEC);
}

#[test]
fn the_graph_draws_the_dlq_as_the_node_of_those_edges() {
    common::assert_edges(
        SPEC,
        &[
            ("queue:jobs", "dlq:jobs-dlq", "redrives_to"),
            ("dlq:jobs-dlq", "function:dlq-monitor", "triggers"),
            ("function:redrive", "dlq:jobs-dlq", "reads"),
            ("function:redrive", "dlq:jobs-dlq", "references"),
            ("function:redrive", "queue:jobs", "sends"),
            ("function:nightly", "dlq:jobs-dlq", "on_failure"),
        ],
    );
}

/// A DLQ keeps SQS's 30 s visibility timeout unless `dlq.visibility_timeout` says
/// otherwise; FN105 checks it against the functions the DLQ triggers like any queue's,
/// and says where to set it.
#[test]
fn fn105_checks_a_dlq_consumer_against_the_dlq_visibility_timeout() {
    let text = std::fs::read_to_string(common::root().join(SPEC)).expect("spec");
    let without = text.replace(
        "dlq: { max_receive_count: 5, visibility_timeout: 60 }",
        "dlq: { max_receive_count: 5 }",
    );
    assert_ne!(text, without);
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("fnplan.yaml");
    std::fs::write(&path, without).expect("write spec");
    let path = path.to_str().expect("utf8");
    let (code, out, err) = run(&["lint", path, "--select", "FN105", "--format", "json"]);
    assert_eq!(code, 0, "warnings only: {err}");
    let findings: Vec<Value> = serde_json::from_str(&out).expect("JSON findings");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(
        findings[0]["message"],
        "queue `jobs-dlq` has a visibility timeout of 30 s (the default), below 6x the 10 s timeout of function `dlq-monitor`"
    );
    assert_eq!(
        findings[0]["help"],
        "set `dlq: { visibility_timeout: 60 }` (6x) or more on queue `jobs`"
    );
}
