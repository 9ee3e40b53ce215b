//! `fnplan apply`, `destroy` and `status` against a real CloudFormation endpoint (moto on
//! loopback): create, no-op, update, refusals, gates, saved plans, destroy; and the
//! resources checked through the Lambda, SQS and IAM APIs.

use crate::moto::moto;

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
    triggers: [{ queue: jobs, batch_size: 5 }]
queues:
  jobs: { visibility_timeout: 60, dlq: { max_receive_count: 4 } }
tables:
  orders: { key: id }
"#;

fn edit(spec: &str, text: &str) {
    std::fs::write(spec, text).expect("edit spec");
}

#[test]
fn apply_creates_the_stack_and_the_resources_match_the_spec() {
    let Some(m) = moto() else { return };
    let (_d, spec) = m.app(SPEC);
    let (code, out, err) = m.run(&["apply", &spec, "--auto-approve", "--progress", "plain"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("CREATE_COMPLETE"), "{out}");
    assert_eq!(
        m.stack_status("shop-dev").as_deref(),
        Some("CREATE_COMPLETE")
    );

    // The function, with its environment and its SQS mapping.
    let f = m.lambda_get("/2015-03-31/functions/shop-dev-worker");
    assert_eq!(f["Configuration"]["Handler"], "app.handler");
    assert_eq!(
        f["Configuration"]["Environment"]["Variables"]["LOG_LEVEL"],
        "info"
    );
    assert_eq!(f["Configuration"]["Timeout"], 10);
    let maps = m.lambda_get("/2015-03-31/event-source-mappings/");
    let mapping = maps["EventSourceMappings"]
        .as_array()
        .and_then(|a| {
            a.iter().find(|x| {
                x["FunctionArn"]
                    .as_str()
                    .is_some_and(|f| f.ends_with(":shop-dev-worker"))
            })
        })
        .unwrap_or_else(|| panic!("no mapping for shop-dev-worker: {maps}"));
    // The queue and the DLQ are named by CloudFormation.
    let queue_url = m.physical_id("shop-dev", "JobsQueue");
    let queue_name = queue_url.rsplit('/').next().unwrap_or_default().to_string();
    let dlq_url = m.physical_id("shop-dev", "JobsDlq");
    let dlq_name = dlq_url.rsplit('/').next().unwrap_or_default().to_string();
    assert!(
        mapping["EventSourceArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(&format!(":{queue_name}"))),
        "{queue_name}: {maps}"
    );
    assert_eq!(mapping["BatchSize"], 5);
    // The queue and its redrive policy to the DLQ.
    let attrs = m.query(
        "sqs",
        &format!(
            "Action=GetQueueAttributes&QueueUrl=http%3A%2F%2F127.0.0.1%2F123456789012%2F{queue_name}&AttributeName.1=All"
        ),
    );
    assert!(
        attrs.contains(&dlq_name) && attrs.contains("maxReceiveCount"),
        "{attrs}"
    );
    assert!(
        attrs.contains("&quot;maxReceiveCount&quot;: 4")
            || attrs.contains("\"maxReceiveCount\": 4")
            || attrs.contains("maxReceiveCount&quot;:4")
            || attrs.contains("maxReceiveCount\":4"),
        "{attrs}"
    );
    // The function's own role.
    let roles = m.query("iam", "Action=ListRoles&Version=2010-05-08");
    assert!(roles.contains("WorkerRole"), "{roles}");

    // Applying again changes nothing.
    let (code, out, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("No changes") || err.contains("No changes"),
        "{out}{err}"
    );
}

#[test]
fn apply_updates_one_property_and_the_function_really_changes() {
    let Some(m) = moto() else { return };
    let (_d, spec) = m.app(SPEC);
    let (code, _, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 0, "{err}");
    edit(&spec, &SPEC.replace("LOG_LEVEL: info", "LOG_LEVEL: debug"));
    let (code, out, err) = m.run(&["apply", &spec, "--auto-approve", "--progress", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    for line in out.lines().filter(|l| l.starts_with('{')) {
        let v: serde_json::Value = serde_json::from_str(line).expect("json progress line");
        assert!(
            v["status"].is_string() && v["elapsed_s"].is_number(),
            "{line}"
        );
    }
    let f = m.lambda_get("/2015-03-31/functions/shop-dev-worker");
    assert_eq!(
        f["Configuration"]["Environment"]["Variables"]["LOG_LEVEL"],
        "debug"
    );
    let (code, out, _) = m.run(&["status", &spec]);
    assert_eq!(code, 0);
    assert!(
        out.contains("UPDATE_COMPLETE") && out.contains("matches the spec"),
        "{out}"
    );
}

#[test]
fn apply_without_approval_and_without_a_terminal_changes_nothing() {
    let Some(m) = moto() else { return };
    let (_d, spec) = m.app(SPEC);
    let (code, _, err) = m.run(&["apply", &spec]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--auto-approve"), "{err}");
    assert!(
        matches!(
            m.stack_status("shop-dev").as_deref(),
            None | Some("DELETE_COMPLETE")
        ),
        "nothing left behind"
    );
    let (code, _, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 0, "{err}");
    edit(&spec, &SPEC.replace("LOG_LEVEL: info", "LOG_LEVEL: warn"));
    let (code, _, _) = m.run(&["apply", &spec]);
    assert_eq!(code, 2);
    let f = m.lambda_get("/2015-03-31/functions/shop-dev-worker");
    assert_eq!(
        f["Configuration"]["Environment"]["Variables"]["LOG_LEVEL"], "info",
        "nothing applied"
    );
}

#[test]
fn data_loss_and_iam_broadening_need_their_own_permission() {
    let Some(m) = moto() else { return };
    let (_d, spec) = m.app(SPEC);
    let (code, _, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 0, "{err}");
    edit(
        &spec,
        &SPEC.replace("orders: { key: id }", "orders: { key: order_id }"),
    );
    let (code, _, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("data loss") && err.contains("--allow-data-loss"),
        "{err}"
    );
    edit(
        &spec,
        &SPEC.replace(
            "uses: { table.orders: write }",
            "uses: { table.orders: read-write }",
        ),
    );
    let (code, _, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--allow-broadening"), "{err}");
    let (code, _, err) = m.run(&["apply", &spec, "--auto-approve", "--allow-broadening"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_saved_plan_applies_exactly_and_a_stale_one_is_refused() {
    let Some(m) = moto() else { return };
    let (d, spec) = m.app(SPEC);
    let (code, _, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 0, "{err}");
    edit(&spec, &SPEC.replace("LOG_LEVEL: info", "LOG_LEVEL: debug"));
    let planfile = d.path().join("plan.json");
    let pf = planfile.to_str().expect("utf8");
    let (code, _, err) = m.run(&["plan", &spec, "--out", pf]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = m.run(&["apply", pf, "--auto-approve"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        m.lambda_get("/2015-03-31/functions/shop-dev-worker")["Configuration"]["Environment"]["Variables"]
            ["LOG_LEVEL"],
        "debug"
    );

    // A plan made, then the spec edited: refused, nothing applied.
    edit(&spec, &SPEC.replace("LOG_LEVEL: info", "LOG_LEVEL: warn"));
    let (code, _, err) = m.run(&["plan", &spec, "--out", pf]);
    assert_eq!(code, 0, "{err}");
    edit(&spec, &SPEC.replace("LOG_LEVEL: info", "LOG_LEVEL: error"));
    let (code, _, err) = m.run(&["apply", pf, "--auto-approve"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("the spec changed"), "{err}");
    assert_eq!(
        m.lambda_get("/2015-03-31/functions/shop-dev-worker")["Configuration"]["Environment"]["Variables"]
            ["LOG_LEVEL"],
        "debug"
    );
}

#[test]
fn destroy_deletes_the_stack_and_says_what_is_kept() {
    let Some(m) = moto() else { return };
    let (_d, spec) = m.app(SPEC);
    let (code, _, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = m.run(&["destroy", &spec]);
    assert_eq!(code, 2, "no terminal, no --auto-approve: refused\n{err}");
    assert!(m.stack_status("shop-dev").is_some());
    let (code, out, err) = m.run(&["destroy", &spec, "--auto-approve"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("OrdersTable (AWS::DynamoDB::Table)") && out.contains("kept"),
        "{out}"
    );
    assert!(
        matches!(
            m.stack_status("shop-dev").as_deref(),
            None | Some("DELETE_COMPLETE")
        ),
        "stack gone"
    );
    let (code, out, _) = m.run(&["destroy", &spec, "--auto-approve"]);
    assert_eq!(code, 0);
    assert!(out.contains("does not exist"), "{out}");
}
