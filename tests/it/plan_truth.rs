//! Plan truth on moto, end to end: deploy an app, change the spec the way users do, and
//! check what `fnplan plan` says (JSON fields, and the human and markdown text as
//! snapshots): a key type change replaces the table, a FIFO switch replaces the queue and
//! the event source mapping that reads it (knock-on), a renamed table is called a rename,
//! and `renamed_from:` turns it into a move. (The stack refactor itself, which moto does
//! not implement, is tested against recorded AWS responses in `refactor.rs`.)

use crate::moto::{Moto, change, has_risk, moto, plan_json};
use serde_json::Value;

const SPEC: &str = r#"version: 1
app: truth
defaults:
  function: { runtime: python3.12, timeout: 10, memory: 256, concurrency: 5, log_retention_days: 14 }
functions:
  worker:
    handler: app.handler
    code: s3://fnplan-test-code/worker.zip
    env: { TABLE: "${table.videos.name}" }
    uses: { table.videos: write }
    triggers: [{ queue: jobs }]
queues:
  jobs: { visibility_timeout: 60, dlq: true }
tables:
  videos: { key: id }
"#;

/// `SPEC` with `tables.videos` renamed `tables.clips` (`extra` fields added to it).
fn clips(extra: &str) -> String {
    SPEC.replace("table.videos", "table.clips").replace(
        "  videos: { key: id }",
        &format!("  clips: {{ key: id{extra} }}"),
    )
}

/// Deploy `SPEC`, then write `edited` over it; the spec's path.
fn deployed_then_edited(m: &Moto, dir: &std::path::Path, edited: &str) -> String {
    let path = dir.join("fnplan.yaml");
    std::fs::write(&path, SPEC).expect("write");
    let spec = path.to_str().expect("utf8").to_string();
    m.put_test_code();
    let (code, template, err) = m.run(&["render", &spec]);
    assert_eq!(code, 0, "{err}");
    m.deploy("truth-dev", &template);
    std::fs::write(&path, edited).expect("write");
    spec
}

/// The human and markdown plans, with the run-specific parts (times, ids) masked.
fn texts(m: &Moto, spec: &str) -> (String, String) {
    let mask = |s: String| -> String {
        s.lines()
            .map(|l| match l.find("last updated ") {
                Some(i) => format!("{}last updated [time]", &l[..i]),
                None => l.to_string(),
            })
            .map(|l| match l.find("CloudFormation change set: ") {
                Some(_) => "CloudFormation change set: [status]".to_string(),
                None => l,
            })
            // Names CloudFormation generated end in a random suffix.
            .map(|l| match l.find("DeletionPolicy Retain keeps ") {
                Some(i) => format!("{}DeletionPolicy Retain keeps [physical id])", &l[..i]),
                None => l,
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (_, human, _) = m.run(&["plan", spec]);
    let (_, md, _) = m.run(&["plan", spec, "--format", "markdown"]);
    (mask(human), mask(md))
}

#[test]
fn a_key_type_change_replaces_the_table_with_data_loss() {
    let Some(m) = moto() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let edited = SPEC.replace(
        "videos: { key: id }",
        "videos: { key: { name: id, type: N } }",
    );
    let spec = deployed_then_edited(&m, dir.path(), &edited);
    let plan = plan_json(&m, &spec);
    let table = change(&plan, "VideosTable");
    assert_eq!(table["action"], "replace");
    assert_eq!(table["replacement"]["predicted"], true);
    assert_eq!(
        table["replacement"]["because_of"][0],
        "AttributeDefinitions"
    );
    assert!(has_risk(table, "data_loss"));
    // CloudFormation names the table, so nothing stops the replacement.
    assert!(table["replacement"]["fixed_name"].is_null());
    let (human, md) = texts(&m, &spec);
    insta::assert_snapshot!("truth_key_type_human", human);
    insta::assert_snapshot!("truth_key_type_markdown", md);
}

#[test]
fn a_fifo_switch_replaces_the_queue_and_its_event_source_mapping() {
    let Some(m) = moto() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let edited = SPEC.replace(
        "jobs: { visibility_timeout: 60, dlq: true }",
        "jobs: { visibility_timeout: 60, dlq: true, fifo: true }",
    );
    let spec = deployed_then_edited(&m, dir.path(), &edited);
    let plan = plan_json(&m, &spec);
    let queue = change(&plan, "JobsQueue");
    assert_eq!(queue["action"], "replace");
    let mapping = change(&plan, "WorkerJobsMapping");
    assert_eq!(mapping["action"], "replace");
    assert_eq!(mapping["replacement"]["predicted"], true);
    assert_eq!(mapping["replacement"]["because_of"][0], "EventSourceArn");
    assert_eq!(
        mapping["replacement"]["caused_by"][0]["resource"],
        "JobsQueue"
    );
    assert_eq!(
        mapping["replacement"]["caused_by"][0]["reason"],
        "JobsQueue is replaced"
    );
    assert!(has_risk(mapping, "replacement"));
    let (human, md) = texts(&m, &spec);
    assert!(
        human.contains("WorkerJobsMapping (AWS::Lambda::EventSourceMapping) replace: JobsQueue is replaced (EventSourceArn)"),
        "{human}"
    );
    insta::assert_snapshot!("truth_fifo_human", human);
    insta::assert_snapshot!("truth_fifo_markdown", md);
}

#[test]
fn a_renamed_table_is_a_rename_that_leaves_the_data_behind() {
    let Some(m) = moto() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let edited = clips("");
    let spec = deployed_then_edited(&m, dir.path(), &edited);
    let plan = plan_json(&m, &spec);
    let gone = change(&plan, "VideosTable");
    assert_eq!(gone["action"], "delete");
    assert_eq!(gone["renamed_to"], "ClipsTable");
    assert_eq!(gone["retained"], true);
    assert!(
        gone["physical_id"].as_str().is_some_and(|p| !p.is_empty()),
        "the retained table is named: {gone}"
    );
    let made = change(&plan, "ClipsTable");
    assert_eq!(made["renamed_from"], "VideosTable");
    let (human, md) = texts(&m, &spec);
    assert!(
        human.contains("VideosTable stays in the account"),
        "{human}"
    );
    insta::assert_snapshot!("truth_rename_human", human);
    insta::assert_snapshot!("truth_rename_markdown", md);
}

#[test]
fn renamed_from_plans_a_move_and_nothing_is_replaced() {
    let Some(m) = moto() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let edited = clips(", renamed_from: videos");
    let spec = deployed_then_edited(&m, dir.path(), &edited);
    let plan = plan_json(&m, &spec);
    assert_eq!(plan["moves"][0]["from"], "VideosTable");
    assert_eq!(plan["moves"][0]["to"], "ClipsTable");
    assert_eq!(plan["moves"][0]["resource_type"], "AWS::DynamoDB::Table");
    assert!(
        plan["change_set"].is_null(),
        "made by apply, after the move"
    );
    // The table is moved, not replaced: only its readable-name tag follows the new key.
    let tables: Vec<&Value> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["resource_type"] == "AWS::DynamoDB::Table")
        .collect();
    assert!(
        tables
            .iter()
            .all(|c| c["action"] == "modify" && c["risks"].as_array().is_some_and(Vec::is_empty)),
        "{tables:?}"
    );
    let (human, md) = texts(&m, &spec);
    insta::assert_snapshot!("truth_moved_human", human);
    insta::assert_snapshot!("truth_moved_markdown", md);
}

/// A stack deployed by an earlier fnplan, which named every table: the first plan shows
/// the table replaced once (data loss, so apply stops) and how to keep it; `name:` with
/// the old name keeps it.
#[test]
fn an_old_fixed_table_name_is_a_one_time_replacement_the_gate_stops() {
    let Some(m) = moto() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("fnplan.yaml");
    std::fs::write(&path, SPEC).expect("write");
    let spec = path.to_str().expect("utf8").to_string();
    m.put_test_code();
    let (code, template, err) = m.run(&["render", &spec]);
    assert_eq!(code, 0, "{err}");
    let mut old: Value = serde_json::from_str(&template).expect("json");
    old["Resources"]["VideosTable"]["Properties"]["TableName"] = "truth-dev-videos".into();
    m.deploy("truth-dev", &old.to_string());

    let plan = plan_json(&m, &spec);
    let table = change(&plan, "VideosTable");
    assert_eq!(table["action"], "replace");
    assert_eq!(table["replacement"]["because_of"][0], "TableName");
    assert!(has_risk(table, "data_loss"));
    let notes = table["notes"].to_string();
    assert!(notes.contains("set `name: truth-dev-videos`"), "{notes}");
    let (code, _, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--allow-data-loss"), "{err}");

    std::fs::write(
        &path,
        SPEC.replace(
            "videos: { key: id }",
            "videos: { key: id, name: \"${app}-${stage}-videos\" }",
        ),
    )
    .expect("write");
    let plan = plan_json(&m, &spec);
    let table = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["logical_id"] == "VideosTable");
    assert!(
        table.is_none_or(|t| t["action"] == "modify" && !has_risk(t, "data_loss")),
        "{table:?}"
    );
}

/// moto has no stack refactoring: apply of a move fails before anything changes, and
/// says which call failed.
#[test]
fn a_move_the_endpoint_cannot_make_changes_nothing() {
    let Some(m) = moto() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let edited = clips(", renamed_from: videos");
    let spec = deployed_then_edited(&m, dir.path(), &edited);
    let (code, out, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(err.contains("CreateStackRefactor"), "{err}");
    assert_eq!(
        m.stack_status("truth-dev").as_deref(),
        Some("CREATE_COMPLETE")
    );
    let plan = plan_json(&m, &spec);
    assert_eq!(plan["moves"][0]["from"], "VideosTable", "still to do");
}
