//! Drift in the plan. moto (5.x) does not implement drift detection (its DetectStackDrift
//! answers 500), so what CloudFormation finds is replayed: AWS's recorded responses
//! (tests/it/replay/*drift*.xml, in the shapes of the CloudFormation API reference's
//! examples) served through the SDK's `StaticReplayClient`, so fnplan's own SDK code
//! parses them. Covered: a drifted function and a deleted queue (detection polled while in
//! progress, resource drifts over two pages), a stack in sync, a detection still running
//! at the deadline, and a denied call. The moto test shows the "not checked" path a
//! plan takes on an endpoint without drift detection.

use crate::moto::moto;
use crate::replay::{api, body, error_event, event, xml_escape};
use aws_smithy_http_client::test_util::ReplayEvent;
use fnplan::deploy::plan::{DifferenceKind, DriftStatus, Plan};
use fnplan::deploy::run::{self, PlanInput, PlanOptions};
use fnplan::template::Template;
use fnplan::template::split::Nested;
use fnplan::testing::compile_str;
use std::time::Duration;

const SPEC: &str = r#"version: 1
app: shop
defaults:
  function: { runtime: python3.12, timeout: 10, memory: 256, concurrency: 5, log_retention_days: 14 }
functions:
  worker:
    handler: app.handler
    code: s3://fnplan-test-code/worker.zip
    env: { TABLE: "${table.orders.name}", LOG_LEVEL: info }
    uses: { table.orders: write }
    triggers: [{ queue: jobs }]
queues:
  jobs: { visibility_timeout: 60, dlq: true }
tables:
  orders: { key: id }
"#;

/// The plan of `spec` against the stack deployed from [`SPEC`], CloudFormation answering
/// with `after` once the stack and its template are read.
fn plan_against(spec: &str, after: Vec<ReplayEvent>, opts: PlanOptions) -> Plan {
    let old = compile_str(SPEC, None);
    let new = compile_str(spec, None);
    let deployed = serde_json::to_string(old.template.value()).expect("json");
    let mut events = vec![
        event(body("describe-stacks-update-complete.xml")),
        event(body("get-template.xml").replace("{{TEMPLATE}}", &xml_escape(&deployed))),
    ];
    events.extend(after);
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
    rt.block_on(run::plan(&api, &input, opts)).expect("plan")
}

/// Someone raised the worker's memory to 1024 MB and its LOG_LEVEL to debug in the
/// console, and deleted the jobs queue; the spec now sets LOG_LEVEL to warn. Detection
/// runs while CloudFormation makes the change set, is still in progress at the first
/// look, and lists its findings over two pages.
#[test]
fn drifted_resources_and_what_apply_does_to_them() {
    let spec = SPEC.replace("LOG_LEVEL: info", "LOG_LEVEL: warn");
    let plan = plan_against(
        &spec,
        vec![
            event(body("detect-stack-drift.xml")),
            event(body("create-change-set.xml")),
            event(body("describe-change-set-drift.xml")),
            event(body("delete-change-set.xml")),
            event(body(
                "describe-stack-drift-detection-status-in-progress.xml",
            )),
            event(body("describe-stack-drift-detection-status-drifted.xml")),
            event(body("describe-stack-resource-drifts-function.xml")),
            event(body("describe-stack-resource-drifts-queue-deleted.xml")),
        ],
        PlanOptions::default(),
    );
    let drift = plan.drift.as_ref().expect("drift checked");
    assert!(drift.checked && drift.reason.is_none(), "{drift:?}");
    assert_eq!(drift.status, "DRIFTED");
    let ids: Vec<&str> = drift
        .resources
        .iter()
        .map(|r| r.logical_id.as_str())
        .collect();
    assert_eq!(ids, ["JobsQueue", "WorkerFunction"]);

    let queue = &drift.resources[0];
    assert_eq!(queue.status, DriftStatus::Deleted);
    assert_eq!(queue.resource_type, "AWS::SQS::Queue");
    assert_eq!(queue.planned, None, "the plan does not touch the queue");
    assert!(
        queue.on_apply[0].starts_with("apply leaves it deleted"),
        "{:?}",
        queue.on_apply
    );

    let f = &drift.resources[1];
    assert_eq!(f.status, DriftStatus::Modified);
    assert_eq!(f.physical_id.as_deref(), Some("shop-dev-worker"));
    assert_eq!(f.planned.map(|a| a.symbol()), Some("~"));
    let memory = &f.differences[0];
    assert_eq!(memory.path, "Properties.MemorySize");
    assert_eq!(
        (memory.expected.clone(), memory.actual.clone()),
        (Some(256.into()), Some(1024.into()))
    );
    assert_eq!(memory.kind, DifferenceKind::NotEqual);
    assert!(!memory.planned);
    let level = &f.differences[1];
    assert_eq!(level.path, "Properties.Environment.Variables.LOG_LEVEL");
    assert_eq!(level.actual, Some("debug".into()), "plain text stays text");
    assert!(level.planned);
    assert_eq!(
        f.on_apply[0],
        "apply sets Properties.Environment.Variables.LOG_LEVEL to \"warn\", over the live \"debug\""
    );
    // Drift alone is not a change: the plan's own changes decide the exit code.
    assert_eq!(plan.changes.len(), 1);

    let json: serde_json::Value =
        serde_json::from_str(&fnplan::deploy::format::json(&plan)).expect("json");
    assert_eq!(json["format_version"], 1);
    assert_eq!(
        json["drift"]["resources"][1]["differences"][0]["expected"],
        256
    );
    assert_eq!(json["drift"]["resources"][0]["status"], "DELETED");
    insta::assert_snapshot!("drift_human", fnplan::deploy::format::human(&plan, false));
    insta::assert_snapshot!("drift_markdown", fnplan::deploy::format::markdown(&plan));
}

/// Same template, nothing changed outside: no change set, one line saying so.
#[test]
fn a_stack_in_sync_says_so_in_one_line() {
    let plan = plan_against(
        SPEC,
        vec![
            event(body("detect-stack-drift.xml")),
            event(body("describe-stack-drift-detection-status-in-sync.xml")),
            event(body("describe-stack-resource-drifts-none.xml")),
        ],
        PlanOptions::default(),
    );
    let drift = plan.drift.as_ref().expect("drift checked");
    assert!(drift.checked && drift.resources.is_empty());
    assert_eq!(drift.status, "IN_SYNC");
    let text = fnplan::deploy::format::human(&plan, false);
    assert!(
        text.contains("\nNo drift: the deployed resources match their template.\n"),
        "{text}"
    );
    assert!(text.contains("No changes."), "{text}");
}

/// A detection still running at the deadline is reported, not dropped, and the plan
/// goes on.
#[test]
fn a_detection_past_its_deadline_is_reported() {
    let opts = PlanOptions {
        drift_wait: Duration::ZERO,
        ..PlanOptions::default()
    };
    let plan = plan_against(
        SPEC,
        vec![
            event(body("detect-stack-drift.xml")),
            event(body(
                "describe-stack-drift-detection-status-in-progress.xml",
            )),
        ],
        opts,
    );
    let drift = plan.drift.as_ref().expect("a drift report");
    assert!(!drift.checked);
    assert_eq!(drift.status, "NOT_CHECKED");
    let reason = drift.reason.as_deref().unwrap_or_default();
    assert!(
        reason.starts_with("drift detection did not finish within 0 s (detection 4f7c2e10-d1a4-11f0-8c5e-0a1b2c3d4e5f;"),
        "{reason}"
    );
    let text = fnplan::deploy::format::human(&plan, false);
    assert!(
        text.contains("\nDrift not checked: drift detection did not finish"),
        "{text}"
    );
}

/// A role without the drift permissions still gets its plan, with the reason.
#[test]
fn access_denied_is_not_checked_not_an_error() {
    let plan = plan_against(
        SPEC,
        vec![error_event(
            403,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DetectStackDrift on resource: arn:aws:cloudformation:us-east-1:123456789012:stack/shop-dev/*",
        )],
        PlanOptions::default(),
    );
    let drift = plan.drift.as_ref().expect("a drift report");
    assert!(!drift.checked);
    let reason = drift.reason.as_deref().unwrap_or_default();
    assert!(
        reason.starts_with("access denied (DetectStackDrift failed: AccessDenied: User: arn:aws:iam::123456789012:user/ci is not authorized"),
        "{reason}"
    );
    assert!(reason.contains("--no-drift"), "{reason}");
}

/// With `--split`, DetectStackDrift on the parent does not cover its nested stacks (API
/// reference), so each deployed nested stack gets its own detection, and its findings
/// are listed as `Stack/Id` like the plan's changes inside it.
#[test]
fn nested_stacks_are_checked_one_by_one() {
    let old = compile_str(SPEC, None);
    let new = compile_str(&SPEC.replace("LOG_LEVEL: info", "LOG_LEVEL: warn"), None);
    let stack = serde_json::json!({ "Resources": { "WorkersStack": {
        "Type": "AWS::CloudFormation::Stack",
        "Properties": { "TemplateURL": "https://fnplan-test-code.s3.amazonaws.com/workers.json" }
    } } });
    let parent = Template::from_value(stack.clone());
    let nested = [Nested {
        logical_id: "WorkersStack".into(),
        file_name: "shop-dev.WorkersStack.json".into(),
        functions: vec!["worker".into()],
        template: new.template.clone(),
    }];
    let template = |v: &serde_json::Value| {
        body("get-template.xml").replace("{{TEMPLATE}}", &xml_escape(&v.to_string()))
    };
    let api = api(vec![
        event(body("describe-stacks-update-complete.xml")),
        event(template(&stack)),
        event(body("describe-stack-resource-nested-stack.xml")),
        event(template(old.template.value())),
        event(body("detect-stack-drift.xml")),
        event(body("detect-stack-drift.xml")),
        event(body("describe-stack-drift-detection-status-in-sync.xml")),
        event(body("describe-stack-resource-drifts-none.xml")),
        event(body("describe-stack-drift-detection-status-drifted.xml")),
        event(body("describe-stack-resource-drifts-function.xml")),
        event(body("describe-stack-resource-drifts-queue-deleted.xml")),
    ]);
    let input = PlanInput {
        app: "shop",
        stage: "dev",
        stack_name: "shop-dev",
        region: Some("us-east-1".into()),
        template: &parent,
        spec_bytes: b"spec",
        spec_path: "fnplan.yaml".into(),
        parameters: vec![],
        template_url: None,
        tags: vec![],
        nested: Some(&nested),
        moves: Vec::new(),
    };
    let opts = PlanOptions {
        change_set: fnplan::deploy::preview::ChangeSetMode::Never,
        ..PlanOptions::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let plan = rt.block_on(run::plan(&api, &input, opts)).expect("plan");
    let drift = plan.drift.as_ref().expect("drift checked");
    assert!(drift.checked && drift.reason.is_none(), "{drift:?}");
    assert_eq!(drift.status, "DRIFTED", "the nested stack's status counts");
    let ids: Vec<&str> = drift
        .resources
        .iter()
        .map(|r| r.logical_id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["WorkersStack/JobsQueue", "WorkersStack/WorkerFunction"]
    );
    assert_eq!(
        drift.resources[1].planned.map(|a| a.symbol()),
        Some("~"),
        "matched with the plan's WorkersStack/WorkerFunction"
    );
}

/// `--no-drift` makes no drift call at all (the replay has none to give).
#[test]
fn no_drift_makes_no_call() {
    let opts = PlanOptions {
        drift: false,
        ..PlanOptions::default()
    };
    let plan = plan_against(SPEC, vec![], opts);
    assert_eq!(plan.drift, None);
}

/// moto has no drift detection: the plan of a deployed stack still succeeds, says in one
/// line that drift was not checked and why, and `--no-drift` leaves the line out.
#[test]
fn an_endpoint_without_drift_detection_is_not_checked() {
    let Some(m) = moto() else { return };
    let (_dir, spec) = m.app(SPEC);
    let (code, template, err) = m.run(&["render", &spec]);
    assert_eq!(code, 0, "{err}");
    m.deploy("shop-dev", &template);
    let (code, out, err) = m.run(&["plan", &spec, "--detailed-exitcode"]);
    assert_eq!(code, 0, "drift alone is no change\n{out}{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("Drift not checked: "))
        .unwrap_or_else(|| panic!("no drift line in\n{out}"));
    assert!(
        line == "Drift not checked: the endpoint does not seem to support drift detection (DetectStackDrift got an error answer that is not CloudFormation's)",
        "{line}"
    );
    let (code, json, err) = m.run(&["plan", &spec, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["drift"]["checked"], false);
    assert_eq!(v["drift"]["status"], "NOT_CHECKED");
    let (code, out, err) = m.run(&["plan", &spec, "--no-drift"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("rift"), "{out}");
}
