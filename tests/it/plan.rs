//! `fnplan plan` against a real CloudFormation endpoint (moto on loopback): a missing
//! stack, no changes, an edited spec (modify, add, remove, replace with data loss), the
//! output formats and exit codes, and failing fast without credentials.

use crate::moto::moto;

/// An app moto can deploy: code in S3, no HTTP API (moto answers GetAtt on ApiGatewayV2 with 500).
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

fn write_spec(dir: &std::path::Path, text: &str) -> String {
    let p = dir.join("fnplan.yaml");
    std::fs::write(&p, text).expect("write spec");
    p.to_str().expect("utf8").to_string()
}

fn render(m: &crate::moto::Moto, spec: &str) -> String {
    let (code, out, err) = m.run(&["render", spec]);
    assert_eq!(code, 0, "{err}");
    out
}

/// Ids, ARNs and times vary between runs; snapshots keep the shape.
fn normalise(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        let mut l = line.to_string();
        for (key, stop) in [
            ("arn:aws:cloudformation:", '"'),
            ("\"last_updated\": \"", '"'),
            ("\"stack_id\": \"", '"'),
            ("\"spec_path\": \"", '"'),
            ("last updated ", 'Z'),
        ] {
            if let Some(i) = l.find(key) {
                let start = i + key.len();
                let end = l[start..].find(stop).map_or(l.len(), |e| start + e);
                l.replace_range(start..end, "[redacted]");
            }
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

#[test]
fn plan_of_a_missing_stack_creates_everything() {
    let Some(m) = moto() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let spec = write_spec(dir.path(), SPEC);
    let (code, out, err) = m.run(&["plan", &spec]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("does not exist yet"), "{out}");
    assert!(out.contains("+ WorkerFunction"), "{out}");
    let (code, _, _) = m.run(&["plan", &spec, "--detailed-exitcode"]);
    assert_eq!(code, 2, "changes -> 2");
    // Nothing was left behind in CloudFormation by planning.
    let (code, _, _) = m.run(&["plan", &spec, "--format", "json"]);
    assert_eq!(code, 0);
}

#[test]
fn plan_after_deploying_the_same_template_has_no_changes() {
    let Some(m) = moto() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let spec = write_spec(dir.path(), SPEC);
    m.put_test_code();
    m.deploy("shop-dev", &render(&m, &spec));
    let (code, out, err) = m.run(&["plan", &spec, "--detailed-exitcode"]);
    assert_eq!(
        code, 0,
        "no changes must exit 0 even with --detailed-exitcode\n{out}{err}"
    );
    assert!(out.contains("No changes"), "{out}");
    let (code, json, _) = m.run(&["plan", &spec, "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["format_version"], 1);
    assert_eq!(v["changes"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["stack"]["exists"], true);
}

#[test]
fn plan_after_editing_the_spec_shows_each_change_and_flags_data_loss() {
    let Some(m) = moto() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let spec = write_spec(dir.path(), SPEC);
    m.put_test_code();
    m.deploy("shop-dev", &render(&m, &spec));
    let edited = SPEC
        .replace("LOG_LEVEL: info", "LOG_LEVEL: debug")
        .replace("timeout: 10, memory", "timeout: 20, memory")
        .replace(
            "  jobs: { visibility_timeout: 60, dlq: true }",
            "  jobs: { visibility_timeout: 120, dlq: true }\n  audit: { dlq: true }",
        )
        .replace("orders: { key: id }", "orders: { key: order_id }");
    write_spec(dir.path(), &edited);
    let (code, out, err) = m.run(&["plan", &spec, "--detailed-exitcode"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("OrdersTable"), "{out}");
    let data_loss = out.find("ata loss").expect("a data-loss section");
    let first_modify = out.find("~ ").unwrap_or(usize::MAX);
    assert!(data_loss < first_modify, "risky items come first:\n{out}");
    assert!(out.contains("+ AuditQueue"), "{out}");
    let (_, json, _) = m.run(&["plan", &spec, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let table = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["logical_id"] == "OrdersTable")
        .expect("table change");
    assert_eq!(table["action"], "replace");
    assert!(
        table["risks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "data_loss")
    );
    assert_eq!(table["replacement"]["predicted"], true);
    let f = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["logical_id"] == "WorkerFunction")
        .expect("fn change");
    assert_eq!(f["action"], "modify");
    insta::assert_snapshot!("plan_edited_human", normalise(&out));
    let (_, md, _) = m.run(&["plan", &spec, "--format", "markdown"]);
    insta::assert_snapshot!("plan_edited_markdown", normalise(&md));
    insta::assert_snapshot!("plan_edited_json", normalise(&json));
}

#[test]
fn plan_out_keeps_the_change_set_and_records_what_was_planned() {
    let Some(m) = moto() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let spec = write_spec(dir.path(), SPEC);
    m.put_test_code();
    m.deploy("shop-dev", &render(&m, &spec));
    write_spec(
        dir.path(),
        &SPEC.replace("LOG_LEVEL: info", "LOG_LEVEL: warn"),
    );
    let planfile = dir.path().join("plan.json");
    let (code, _, err) = m.run(&["plan", &spec, "--out", planfile.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&planfile).expect("saved")).expect("json");
    assert_eq!(v["change_set"]["kept"], true, "{v}");
    assert!(
        v["change_set"]["arn"]
            .as_str()
            .is_some_and(|a| a.contains("changeSet"))
    );
    assert_eq!(v["spec_sha256"].as_str().map(str::len), Some(64));
    assert!(v["stack"]["stack_id"].as_str().is_some());
}

#[test]
fn plan_without_credentials_fails_fast_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tmp");
    let spec = write_spec(dir.path(), SPEC);
    let out = crate::common::fnplan()
        .args(["plan", &spec])
        .env("HOME", dir.path())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no AWS credentials"), "{err}");
    assert!(err.contains("AWS_PROFILE"), "{err}");

    let out = crate::common::fnplan()
        .args(["plan", &spec])
        .env("HOME", dir.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no AWS region"));
}

#[test]
fn plan_stops_on_lint_errors_before_touching_aws() {
    let dir = tempfile::tempdir().expect("tmp");
    let spec = write_spec(
        dir.path(),
        &SPEC.replace(
            "uses: { table.orders: write }",
            "uses: { table.orders: write, queue.jobs: send }",
        ),
    );
    // A loop (worker sends to the queue that triggers it): FN109 is an error.
    let out = crate::common::fnplan()
        .args(["plan", &spec])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("FN109"), "{err}");
}

#[test]
fn detailed_exitcode_keeps_2_for_changes_only() {
    let (code, _, _) = crate::common::run(&[
        "plan",
        "tests/bad-input/unknown-field.yaml",
        "--detailed-exitcode",
    ]);
    assert_eq!(
        code, 1,
        "an invalid spec is an error (1), not 'changes' (2)"
    );
    let (code, _, _) = crate::common::run(&["plan", "tests/bad-input/unknown-field.yaml"]);
    assert_eq!(code, 2, "without the flag, input errors keep exit 2");
    // Flags clap rejects too.
    let (code, _, err) = crate::common::run(&["plan", "--detailed-exitcode", "--no-such-flag"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--no-such-flag"), "{err}");
    let (code, _, _) = crate::common::run(&["plan", "--no-such-flag"]);
    assert_eq!(code, 2);
    let (code, out, _) = crate::common::run(&["plan", "--detailed-exitcode", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--detailed-exitcode"), "{out}");
}

/// The change set CloudFormation would make for an unchanged, stable stack finds nothing:
/// plan skips it and says why; `--change-set always` makes it anyway, and a stack whose
/// tags differ (the template diff cannot see them) gets one. `--timings` shows the calls.
#[test]
fn plan_of_an_unchanged_stack_makes_no_change_set_unless_forced() {
    let Some(m) = moto() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let spec = write_spec(dir.path(), SPEC);
    let (code, out, err) = m.run(&["plan", &spec]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("CloudFormation change set: not made (the stack does not exist yet"),
        "{out}"
    );
    m.put_test_code();
    m.deploy("shop-dev", &render(&m, &spec));

    let (code, out, err) = m.run(&["plan", &spec, "--timings"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("No changes"), "{out}");
    assert!(
        out.contains("CloudFormation change set: not made (no changes: the template, parameters and tags are the deployed ones and the stack is CREATE_COMPLETE"),
        "{out}"
    );
    for phase in [
        "describe stack",
        "get template",
        "diff",
        "drift wait",
        "total",
    ] {
        assert!(
            err.contains(&format!("timing: {phase} ")),
            "{phase}:\n{err}"
        );
    }
    assert!(!err.contains("timing: change set create"), "{err}");
    let (_, json, _) = m.run(&["plan", &spec, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert!(v["change_set"].is_null(), "{json}");
    let why = v["change_set_skipped"].as_str().expect("a reason");
    assert!(why.contains("--change-set always"), "{why}");
    let (_, md, _) = m.run(&["plan", &spec, "--format", "markdown"]);
    assert!(md.contains("change set: not made (no changes"), "{md}");
    // A saved plan of an unchanged stack keeps no change set either.
    let saved = dir.path().join("plan.json");
    let saved = saved.to_str().expect("utf8");
    let (code, _, err) = m.run(&["plan", &spec, "--out", saved]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(change_sets(&m, "shop-dev"), 0);

    // Forced: CloudFormation is asked (moto answers an unchanged template with an empty
    // change set), the plan says it found nothing, and nothing is left behind.
    let (code, json, err) = m.run(&[
        "plan",
        &spec,
        "--change-set",
        "always",
        "--format",
        "json",
        "--timings",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("timing: change set create"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert!(v["change_set_skipped"].is_null(), "{json}");
    assert!(v["change_set"].is_null(), "{json}");
    assert!(v["change_set_empty"].is_string(), "{json}");
    let (_, out, _) = m.run(&["plan", &spec, "--change-set", "always"]);
    assert!(
        out.contains(
            "CloudFormation change set: made and deleted; CloudFormation lists no changes ("
        ),
        "{out}"
    );
    assert_eq!(change_sets(&m, "shop-dev"), 0, "the preview is deleted");
    let (code, _, err) = m.run(&["plan", &spec, "--change-set", "always", "--no-change-set"]);
    assert_eq!(code, 2, "the two flags conflict: {err}");

    // Stack tags are not in the template: new ones make a change set.
    write_spec(dir.path(), &format!("{SPEC}tags: {{ team: payments }}\n"));
    let (code, json, err) = m.run(&["plan", &spec, "--format", "json", "--timings"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert!(v["change_set_skipped"].is_null(), "{json}");
    assert!(err.contains("timing: change set create"), "{err}");
}

/// How many change sets stack `name` holds.
fn change_sets(m: &crate::moto::Moto, name: &str) -> usize {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let cfn = m.cfn().await;
        let out = cfn
            .list_change_sets()
            .stack_name(name)
            .send()
            .await
            .expect("list change sets");
        out.summaries().len()
    })
}
