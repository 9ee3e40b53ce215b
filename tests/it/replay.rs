//! CloudFormation behaviour moto cannot produce, replayed through the real SDK: AWS's
//! recorded responses (tests/it/replay/*.xml, the shapes AWS returns for these calls)
//! served by the smithy `StaticReplayClient`, so fnplan's own SDK code parses them.
//! Covered: change-set `Replacement`/`Details` and a disagreement with the prediction;
//! a failed update that rolls back, with the root cause first; an execution that started
//! although ExecuteChangeSet answered with an error.

use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use fnplan::deploy::aws::SdkStackApi;
use fnplan::deploy::follow::{self, Progress};
use fnplan::deploy::run::{self, PlanInput, PlanOptions};
use fnplan::testing::compile_str;

pub(crate) const STACK_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/shop-dev/5b3c1f70-1111-4c6e-9f00-0a1b2c3d4e5f";

pub(crate) fn body(name: &str) -> String {
    std::fs::read_to_string(crate::common::root().join("tests/it/replay").join(name))
        .expect("recorded response")
}

pub(crate) fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) fn event(response: String) -> ReplayEvent {
    ReplayEvent::new(
        http::Request::builder()
            .uri("https://cloudformation.us-east-1.amazonaws.com/")
            .body(SdkBody::empty())
            .expect("request"),
        http::Response::builder()
            .status(200)
            .header("content-type", "text/xml")
            .body(SdkBody::from(response))
            .expect("response"),
    )
}

pub(crate) fn api(events: Vec<ReplayEvent>) -> SdkStackApi {
    api_and_client(events).0
}

/// The API over recorded responses, and the client that served them (its
/// `actual_requests()` are what fnplan sent).
pub(crate) fn api_and_client(events: Vec<ReplayEvent>) -> (SdkStackApi, StaticReplayClient) {
    let http = StaticReplayClient::new(events);
    let served = http.clone();
    let conf = aws_sdk_cloudformation::Config::builder()
        .behavior_version(aws_sdk_cloudformation::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudformation::config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test", "test", None, None, "static",
        ))
        .http_client(http)
        .build();
    let api = SdkStackApi::from_client(aws_sdk_cloudformation::Client::from_conf(conf));
    (api, served)
}

const SPEC: &str = r#"version: 1
app: shop
defaults:
  function: { runtime: python3.12, timeout: 10, concurrency: 5, log_retention_days: 14 }
functions:
  worker:
    handler: app.handler
    code: s3://fnplan-test-code/worker.zip
    env: { TABLE: "${table.orders.name}" }
    uses: { table.orders: write }
tables:
  orders: { key: id }
"#;

#[test]
fn change_set_replacement_details_are_shown_and_disagreements_flagged() {
    // Deployed: the table keyed by `id`; the spec now keys it by `order_id` and changes
    // the function's memory. CloudFormation says the table is replaced (as fnplan
    // predicts) and, in this recording, that the function is "Conditional".
    let old = compile_str(SPEC, None);
    let new = compile_str(
        &SPEC
            .replace("key: id", "key: order_id")
            .replace("timeout: 10", "timeout: 20"),
        None,
    );
    let deployed = serde_json::to_string(old.template.value()).expect("json");
    let events = vec![
        event(body("describe-stacks-update-complete.xml")),
        event(body("get-template.xml").replace("{{TEMPLATE}}", &xml_escape(&deployed))),
        event(body("create-change-set.xml")),
        event(body("describe-change-set-replacement.xml")),
        event(body("delete-change-set.xml")),
    ];
    let api = api(events);
    let input = PlanInput {
        app: "shop",
        stage: "dev",
        stack_name: "shop-dev",
        region: Some("us-east-1".into()),
        template: &new.template,
        spec_bytes: b"spec",
        spec_path: "fnplan.yaml".into(),
        parameters: vec![],
        template_url: None,
        tags: vec![],
        nested: None,
        moves: Vec::new(),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let plan = rt
        // Drift has its own replays (tests/it/drift.rs).
        .block_on(run::plan(
            &api,
            &input,
            PlanOptions {
                drift: false,
                ..PlanOptions::default()
            },
        ))
        .expect("plan");
    let cs = plan.change_set.as_ref().expect("change set read");
    assert_eq!(cs.status, "CREATE_COMPLETE");
    let table = plan
        .changes
        .iter()
        .find(|c| c.logical_id == "OrdersTable")
        .expect("table");
    assert_eq!(table.replacement.cloudformation.as_deref(), Some("True"));
    assert!(table.replacement.predicted && !table.replacement.disagrees);
    let entry = cs
        .changes
        .iter()
        .find(|e| e.logical_id == "OrdersTable")
        .expect("entry");
    assert_eq!(
        entry.details,
        ["Properties.KeySchema (requires recreation: Always), caused by DirectModification"]
    );
    let f = plan
        .changes
        .iter()
        .find(|c| c.logical_id == "WorkerFunction")
        .expect("function");
    assert_eq!(f.replacement.cloudformation.as_deref(), Some("True"));
    assert!(
        f.replacement.disagrees,
        "fnplan predicted an in-place update; CloudFormation says replace"
    );
    let human = fnplan::deploy::format::human(&plan, false);
    insta::assert_snapshot!("replay_change_set_human", human);
}

#[test]
fn a_failed_update_reports_the_root_cause_first() {
    let api = api(vec![
        event(body("describe-stack-events-rollback.xml")),
        event(body("describe-stacks-rollback-complete.xml")),
    ]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let mut log = Vec::new();
    let f = rt
        .block_on(follow::follow(
            &api,
            STACK_ID,
            Default::default(),
            Progress::Plain,
            false,
            &mut log,
        ))
        .expect("followed");
    assert_eq!(f.status, "UPDATE_ROLLBACK_COMPLETE");
    assert!(!f.succeeded());
    // The first failure is the cause; the cancelled neighbour is not listed.
    assert_eq!(f.failures.len(), 1, "{:?}", f.failures);
    assert_eq!(f.failures[0].logical_id, "WorkerFunction");
    assert!(
        f.failures[0]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("Error occurred while GetObject"))
    );
    let text = String::from_utf8(log).expect("utf8");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("UPDATE_IN_PROGRESS") && lines[0].contains("shop-dev"),
        "{text}"
    );
    assert!(
        text.contains("UPDATE_FAILED") && text.contains("Resource update cancelled"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "no control codes in CI logs");
}

fn stack_in(status: &str) -> String {
    body("describe-stacks-rollback-complete.xml").replace("UPDATE_ROLLBACK_COMPLETE", status)
}

pub(crate) fn error_event(status: u16, code: &str, message: &str) -> ReplayEvent {
    let xml = format!(
        "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>7a8b9c0d</RequestId></ErrorResponse>"
    );
    ReplayEvent::new(
        http::Request::builder()
            .uri("https://cloudformation.us-east-1.amazonaws.com/")
            .body(SdkBody::empty())
            .expect("request"),
        http::Response::builder()
            .status(status)
            .header("content-type", "text/xml")
            .body(SdkBody::from(xml))
            .expect("response"),
    )
}

#[test]
fn stack_states_before_an_apply_are_explained() {
    use fnplan::deploy::apply::{StackCheck, check_stack};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let check = |status: &str, wait: bool, recreate: bool, extra: Vec<ReplayEvent>| {
        let mut events = vec![event(stack_in(status))];
        events.extend(extra);
        rt.block_on(check_stack(&api(events), "shop-dev", wait, recreate))
            .expect("checked")
    };
    // A failed first deployment: refused with the way out...
    let StackCheck::Refuse(why) = check("ROLLBACK_COMPLETE", false, false, vec![]) else {
        panic!("not refused")
    };
    assert!(
        why.contains("first deployment failed") && why.contains("--recreate"),
        "{why}"
    );
    // ... which deletes the empty stack and starts over.
    let deleted = vec![
        event("<DeleteStackResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DeleteStackResponse>".into()),
        event(stack_in("DELETE_IN_PROGRESS")),
        error_event(400, "ValidationError", "Stack with id shop-dev does not exist"),
    ];
    assert_eq!(
        check("ROLLBACK_COMPLETE", false, true, deleted),
        StackCheck::Ready(None)
    );
    let StackCheck::Refuse(why) = check("UPDATE_ROLLBACK_FAILED", false, false, vec![]) else {
        panic!("not refused")
    };
    assert!(why.contains("continue-update-rollback"), "{why}");
    let StackCheck::Refuse(why) = check("UPDATE_IN_PROGRESS", false, false, vec![]) else {
        panic!("not refused")
    };
    assert!(
        why.contains("another deployment") && why.contains("--wait"),
        "{why}"
    );
    // With --wait it waits for the running deployment to settle, then goes ahead.
    let settled = vec![
        event(stack_in("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")),
        event(stack_in("UPDATE_COMPLETE")),
    ];
    assert!(matches!(
        check("UPDATE_IN_PROGRESS", true, false, settled),
        StackCheck::Ready(Some(_))
    ));
}

/// ExecuteChangeSet's answer can be lost after CloudFormation started the change set;
/// the SDK's retry then hears "cannot be executed in its current status of
/// [EXECUTE_IN_PROGRESS]". moto executes at once and never answers so, hence the
/// recorded responses. apply follows the execution (with a note) instead of reporting a
/// failure while the stack is changing; a change set that did not start stays an error.
#[test]
fn an_execution_that_started_despite_an_error_is_followed() {
    let arn = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/fnplan-3f1c2a9b7d11-1764236400/0c9d8e7f-2222-4b1a-8c3d-4e5f6a7b8c9d";
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let refused = || {
        error_event(
            400,
            "InvalidChangeSetStatus",
            &format!(
                "ChangeSet [{arn}] cannot be executed in its current status of [EXECUTE_IN_PROGRESS]"
            ),
        )
    };
    let described = |status: &str| {
        event(body("describe-change-set-drift.xml").replace(
            "<ExecutionStatus>AVAILABLE</ExecutionStatus>",
            &format!("<ExecutionStatus>{status}</ExecutionStatus>"),
        ))
    };

    let started = api(vec![refused(), described("EXECUTE_IN_PROGRESS")]);
    let note = rt
        .block_on(fnplan::deploy::apply::execute(&started, arn))
        .expect("followed")
        .expect("a note");
    assert!(
        note.contains("CloudFormation started the change set (EXECUTE_IN_PROGRESS)")
            && note.contains("InvalidChangeSetStatus"),
        "{note}"
    );

    let obsolete = api(vec![refused(), described("OBSOLETE")]);
    let e = rt
        .block_on(fnplan::deploy::apply::execute(&obsolete, arn))
        .expect_err("not started");
    assert!(e.to_string().contains("InvalidChangeSetStatus"), "{e}");
}
