//! Raw CloudFormation (`resources:` and `outputs:`) as a user writes it: the spec
//! `tests/fixtures/raw/fnplan.yaml` merges its resources after fnplan's own with fnplan's
//! references resolved (plain strings and `!Sub` text) and short tags in long form, passes
//! cfn-lint, is drawn with edges to the elements it names, keeps FN110 quiet about a
//! queue only a raw subscription reads, and deploys to moto, where a later edit plans as
//! a change of that resource. Refused raw input is in `tests/bad-input/raw-*.yaml`.

use crate::common::{self, run};
use crate::moto::moto;
use serde_json::{Value, json};

const SPEC: &str = "tests/fixtures/raw/fnplan.yaml";

fn template() -> Value {
    common::rendered(SPEC)
}

#[test]
fn raw_resources_are_merged_with_fnplan_references_resolved() {
    let t = template();
    let r = &t["Resources"];
    assert_eq!(
        r["JobsUrlParameter"],
        json!({
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": "/raw/dev/jobs-url",
                "Type": "String",
                "Value": { "Ref": "JobsQueue" }
            }
        })
    );
    let alarm = &r["JobsDlqAlarm"];
    assert_eq!(alarm["DependsOn"], "JobsUrlParameter");
    // fnplan's `${queue.jobs-dlq.name}` becomes CloudFormation's; `${AWS::Region}` stays.
    assert_eq!(
        alarm["Properties"]["AlarmDescription"],
        json!({ "Fn::Sub": "${JobsDlq.QueueName} has messages in ${AWS::Region}" })
    );
    assert_eq!(
        alarm["Properties"]["Dimensions"][0]["Value"],
        json!({ "Fn::GetAtt": ["JobsDlq", "QueueName"] })
    );
    assert_eq!(
        alarm["Properties"]["AlarmActions"],
        json!([{ "Ref": "AlertsTopic" }])
    );
    // Raw resources come after fnplan's own, in spec order.
    let ids: Vec<&String> = r.as_object().expect("resources").keys().collect();
    let n = ids.len();
    assert_eq!(
        ids[n - 3..],
        ["JobsUrlParameter", "JobsDlqAlarm", "AuditSubscription"]
    );
}

#[test]
fn outputs_are_written_with_description_and_export() {
    let t = template();
    let o = &t["Outputs"];
    assert_eq!(
        o["JobsParameter"],
        json!({ "Value": { "Ref": "JobsUrlParameter" } })
    );
    assert_eq!(
        o["AlertsTopic"],
        json!({
            "Description": "Where alarms go",
            "Value": { "Ref": "AlertsTopic" },
            "Export": { "Name": "raw-dev-alerts" }
        })
    );
    // fnplan's own outputs are still there.
    assert!(o.get("WorkerFunctionArn").is_some(), "{o:#}");
}

#[test]
fn the_raw_spec_passes_cfn_lint() {
    common::assert_spec_passes_cfn_lint(SPEC);
}

#[test]
fn the_graph_draws_raw_resources_with_edges_to_what_they_name() {
    common::assert_edges(
        SPEC,
        &[
            ("resource:JobsUrlParameter", "queue:jobs", "references"),
            ("resource:JobsDlqAlarm", "dlq:jobs-dlq", "references"),
            ("resource:JobsDlqAlarm", "topic:alerts", "references"),
            // Named by its logical ID (`!GetAtt AuditQueue.Arn`), not a `${...}`.
            ("resource:AuditSubscription", "queue:audit", "references"),
        ],
    );
    let (_, mermaid, _) = run(&["graph", SPEC, "--format", "mermaid"]);
    assert!(mermaid.contains("CloudFormation resources"), "{mermaid}");
}

#[test]
fn a_queue_read_only_by_a_raw_subscription_is_not_an_orphan() {
    let (code, out, err) = run(&["lint", SPEC, "--deny", "warnings"]);
    assert_eq!(code, 0, "{out}{err}");
    // Without the subscription, the audit queue has no reader.
    let text = std::fs::read_to_string(common::root().join(SPEC)).expect("spec");
    let cut = text.find("  AuditSubscription:").expect("subscription");
    let end = text.find("outputs:").expect("outputs");
    let dir = tempfile::tempdir().expect("tmp");
    let spec = dir.path().join("fnplan.yaml");
    std::fs::write(&spec, format!("{}{}", &text[..cut], &text[end..])).expect("write");
    let (code, out, err) = run(&["lint", spec.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("warning[FN110]: queue `audit` has no consumer"),
        "{out}{err}"
    );
}

#[test]
fn short_tags_outside_resources_and_outputs_stay_errors() {
    let (code, _, err) = run(&["render", "tests/bad-input/cfn-short-tag.yaml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("FN001"), "{err}");
}

/// Deploys to moto: the raw resources are created (the SSM parameter holds the queue's
/// URL), then an edited alarm plans as a modification and a removed parameter as a
/// deletion, with nothing else changing.
#[test]
fn apply_creates_raw_resources_and_plan_sees_their_edits() {
    let Some(m) = moto() else { return };
    let (dir, spec, text) = m.applied(SPEC, "raw-dev");
    assert_eq!(
        m.physical_id("raw-dev", "JobsUrlParameter"),
        "/raw/dev/jobs-url"
    );
    let ssm = m.json_call(
        "ssm",
        "AmazonSSM.GetParameter",
        r#"{"Name":"/raw/dev/jobs-url"}"#,
    );
    let url = ssm["Parameter"]["Value"].as_str().unwrap_or_default();
    assert_eq!(url, m.physical_id("raw-dev", "JobsQueue"), "{ssm}");

    let (code, out, err) = m.run(&["plan", &spec, "--detailed-exitcode"]);
    assert_eq!(code, 0, "no changes after apply: {out}{err}");

    let edited = text
        .replace("      Threshold: 0\n", "      Threshold: 5\n")
        .replace(
            &text[text.find("  JobsUrlParameter:").expect("p")
                ..text.find("  JobsDlqAlarm:").expect("a")],
            "",
        )
        .replace("    DependsOn: JobsUrlParameter\n", "")
        .replace("  JobsParameter: !Ref JobsUrlParameter\n", "");
    std::fs::write(dir.path().join("fnplan.yaml"), edited).expect("write");
    let (code, out, err) = m.run(&["plan", &spec, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let plan: Value = serde_json::from_str(&out).expect("json");
    let action = |id: &str| {
        plan["changes"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["logical_id"] == id))
            .map(|c| c["action"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(
        action("JobsDlqAlarm").as_deref(),
        Some("modify"),
        "{plan:#}"
    );
    assert_eq!(
        action("JobsUrlParameter").as_deref(),
        Some("delete"),
        "{plan:#}"
    );
    assert_eq!(action("WorkerFunction"), None, "{plan:#}");
}
