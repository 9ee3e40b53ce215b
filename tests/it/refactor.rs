//! `renamed_from:` end to end without AWS: the spec's moves, the deployed template
//! renamed, the plan that follows, and the stack refactor itself driven through the real
//! SDK against AWS's recorded `CreateStackRefactor` / `DescribeStackRefactor` /
//! `ExecuteStackRefactor` responses (tests/it/replay/*stack-refactor*.xml), replayed by
//! the smithy `StaticReplayClient`: moto (5.2.5) implements no stack refactoring.

use crate::replay::{api_and_client, body, event};
use fnplan::deploy::DeployError;
use fnplan::deploy::diff::plan_changes;
use fnplan::deploy::refactor::{self, TemplateRef};
use fnplan::testing::compile_str;
use std::time::Duration;

const OLD: &str = r#"version: 1
app: shop
defaults:
  function: { runtime: python3.12, timeout: 10, concurrency: 5, log_retention_days: 14 }
functions:
  worker:
    handler: app.handler
    code: s3://fnplan-test-code/worker.zip
    env: { TABLE: "${table.videos.name}" }
    uses: { table.videos: write }
tables:
  videos: { key: id }
"#;

fn new_spec() -> String {
    OLD.replace("table.videos", "table.clips").replace(
        "  videos: { key: id }",
        "  clips: { key: id, renamed_from: videos }",
    )
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
}

/// After the move the deployed table is `ClipsTable` under its old physical name: the
/// update that follows changes nothing of it (no replacement, no data loss).
#[test]
fn renamed_from_turns_a_replacement_into_a_move() {
    let old = compile_str(OLD, None);
    let new = compile_str(&new_spec(), None);
    let moves = fnplan::template::moves(&new.model);
    assert_eq!(moves.len(), 1);
    assert_eq!(
        (moves[0].from.as_str(), moves[0].to.as_str()),
        ("VideosTable", "ClipsTable")
    );
    assert!(
        new.template.value()["Resources"]["ClipsTable"]["Properties"]
            .get("TableName")
            .is_none(),
        "CloudFormation named the table; the move keeps that name"
    );
    let (moved, done) = refactor::rename(old.template.value(), &moves);
    assert_eq!(done.len(), 1);
    let changes = plan_changes(Some(&moved), new.template.value());
    // Only the readable-name tag follows the new key: an in-place update.
    let table: Vec<_> = changes
        .changes
        .iter()
        .filter(|c| c.logical_id.ends_with("Table"))
        .collect();
    assert!(
        table
            .iter()
            .all(|c| c.action == fnplan::deploy::plan::Action::Modify
                && c.properties
                    .iter()
                    .all(|p| p.path.starts_with("Properties.Tags"))),
        "{table:?}"
    );
    // Without the move: a rename that leaves the data behind.
    let unmoved = plan_changes(Some(old.template.value()), new.template.value());
    let created = unmoved
        .changes
        .iter()
        .find(|c| c.logical_id == "ClipsTable")
        .unwrap();
    assert_eq!(created.renamed_from.as_deref(), Some("VideosTable"));
}

#[test]
fn the_refactor_is_created_validated_and_executed() {
    let (api, served) = api_and_client(vec![
        event(body("create-stack-refactor.xml")),
        event(body(
            "describe-stack-refactor-create-in-progress-unavailable.xml",
        )),
        event(body(
            "describe-stack-refactor-create-complete-available.xml",
        )),
        event(body("execute-stack-refactor.xml")),
        event(body(
            "describe-stack-refactor-create-complete-execute-in-progress.xml",
        )),
        event(body(
            "describe-stack-refactor-create-complete-execute-complete.xml",
        )),
    ]);
    let old = compile_str(OLD, None);
    let new = compile_str(&new_spec(), None);
    let (moved, done) =
        refactor::rename(old.template.value(), &fnplan::template::moves(&new.model));
    let text = serde_json::to_string(&moved).unwrap();
    rt().block_on(refactor::run(
        &api,
        "shop-dev",
        TemplateRef::Body(&text),
        &done,
        Duration::from_secs(30),
    ))
    .expect("refactor runs");
    let sent: Vec<String> = served
        .actual_requests()
        .map(|r| String::from_utf8_lossy(r.body().bytes().unwrap_or_default()).into_owned())
        .collect();
    assert_eq!(sent.len(), 6);
    let create = &sent[0];
    for part in [
        "Action=CreateStackRefactor",
        "EnableStackCreation=false",
        "ResourceMappings.member.1.Source.LogicalResourceId=VideosTable",
        "ResourceMappings.member.1.Source.StackName=shop-dev",
        "ResourceMappings.member.1.Destination.LogicalResourceId=ClipsTable",
        "StackDefinitions.member.1.StackName=shop-dev",
        "StackDefinitions.member.1.TemplateBody=",
    ] {
        assert!(create.contains(part), "{part} missing from {create}");
    }
    assert!(sent[3].contains("Action=ExecuteStackRefactor"));
}

/// CloudFormation refuses the refactor: the reason reaches the user and nothing is
/// executed.
#[test]
fn a_refused_refactor_says_why_and_executes_nothing() {
    let (api, served) = api_and_client(vec![
        event(body("create-stack-refactor.xml")),
        event(body("describe-stack-refactor-create-failed.xml")),
    ]);
    let err = rt()
        .block_on(refactor::run(
            &api,
            "shop-dev",
            TemplateRef::Body("{}"),
            &[],
            Duration::from_secs(30),
        ))
        .expect_err("refused");
    match &err {
        DeployError::Refactor { status, reason, .. } => {
            assert_eq!(status, "CREATE_FAILED");
            assert!(reason.contains("property differences"), "{reason}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(served.actual_requests().count(), 2);
    assert!(err.to_string().contains("ended CREATE_FAILED"));
}
