//! Snapshots of the three formats for a stack that does not exist yet, an unchanged
//! stack and an edited template (see [`crate::deploy::diff::fixtures`]).

use super::{human, json, markdown};
use crate::deploy::diff::{fixtures, plan_changes};
use crate::deploy::plan::{ChangeSetEntry, ChangeSetInfo, FORMAT_VERSION, Plan, StackState};
use serde_json::Value;

fn plan(old: Option<&Value>, new: &Value) -> Plan {
    let c = plan_changes(old, new);
    Plan {
        format_version: FORMAT_VERSION,
        app: "orders".into(),
        stage: "dev".into(),
        stack_name: "orders-dev".into(),
        region: Some("eu-west-1".into()),
        stack: if old.is_some() {
            StackState {
                exists: true,
                stack_id: Some(
                    "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-dev/0f1e2d3c"
                        .into(),
                ),
                status: Some("UPDATE_COMPLETE".into()),
                last_updated: Some("2025-03-01T12:00:00Z".into()),
            }
        } else {
            StackState::default()
        },
        changes: c.changes,
        unchanged: c.unchanged,
        outputs: c.outputs,
        iam: c.iam,
        change_set: None,
        spec_sha256: "5d41402abc4b2a76b9719d911017c592aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
        template_sha256: "7d793037a0760186574b0282f2f435e7bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into(),
        ..Plan::default()
    }
}

fn missing() -> Plan {
    plan(None, &fixtures::orders())
}

fn unchanged() -> Plan {
    let t = fixtures::orders();
    plan(Some(&t), &t)
}

fn edited() -> Plan {
    plan(Some(&fixtures::orders()), &fixtures::orders_edited())
}

#[test]
fn human_missing_stack() {
    insta::assert_snapshot!(human(&missing(), false));
}

#[test]
fn human_no_changes() {
    insta::assert_snapshot!(human(&unchanged(), false));
}

#[test]
fn human_edited() {
    insta::assert_snapshot!(human(&edited(), false));
}

#[test]
fn markdown_missing_stack() {
    insta::assert_snapshot!(markdown(&missing()));
}

#[test]
fn markdown_no_changes() {
    insta::assert_snapshot!(markdown(&unchanged()));
}

#[test]
fn markdown_edited() {
    insta::assert_snapshot!(markdown(&edited()));
}

#[test]
fn json_missing_stack() {
    insta::assert_snapshot!(json(&missing()));
}

#[test]
fn json_no_changes() {
    insta::assert_snapshot!(json(&unchanged()));
}

#[test]
fn json_edited() {
    insta::assert_snapshot!(json(&edited()));
}

#[test]
fn json_round_trips() {
    let p = edited();
    let back: Plan = serde_json::from_str(&json(&p)).unwrap();
    assert_eq!(back, p);
}

#[test]
fn colour_only_when_asked() {
    let p = edited();
    assert!(!human(&p, false).contains('\x1b'));
    assert!(!markdown(&p).contains('\x1b'));
    let coloured = human(&p, true);
    assert!(coloured.contains("\x1b[32m+\x1b[0m"), "green +");
    assert!(coloured.contains("\x1b[33m~\x1b[0m"), "yellow ~");
    assert!(coloured.contains("\x1b[31m±\x1b[0m"), "red ±");
    assert!(coloured.contains("\x1b[1mChanges\x1b[0m"), "bold heading");
}

#[test]
fn output_is_deterministic() {
    assert_eq!(human(&edited(), false), human(&edited(), false));
    assert_eq!(markdown(&edited()), markdown(&edited()));
}

/// CloudFormation's verdict shows up where it disagrees, and what only it lists.
#[test]
fn change_set_verdicts() {
    let mut p = edited();
    let table = p
        .changes
        .iter_mut()
        .find(|c| c.logical_id == "OrdersTable")
        .unwrap();
    table.replacement.cloudformation = Some("False".into());
    table.replacement.disagrees = true;
    p.change_set = Some(ChangeSetInfo {
        arn: "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/fnplan-1/abc".into(),
        status: "CREATE_COMPLETE".into(),
        status_reason: None,
        kept: false,
        changes: vec![ChangeSetEntry {
            logical_id: "ProcessOrderFunction".into(),
            resource_type: "AWS::Lambda::Function".into(),
            action: "Modify".into(),
            replacement: Some("False".into()),
            details: vec![],
        }],
    });
    let text = human(&p, false);
    assert!(
        text.contains("CloudFormation says Replacement: False (fnplan predicted a replacement)")
    );
    assert!(text.contains("CloudFormation change set: CREATE_COMPLETE, deleted after the preview"));
    assert!(text.contains(
        "CloudFormation also lists: Modify ProcessOrderFunction (AWS::Lambda::Function)"
    ));
}

/// A value holding a backtick fence does not end the `diff` block early.
#[test]
fn markdown_fence_outlasts_backticks_in_values() {
    let old = fixtures::orders();
    let mut new = old.clone();
    new["Resources"]["HealthFunction"]["Properties"]["Description"] =
        serde_json::json!("see ```docs```");
    let text = markdown(&plan(Some(&old), &new));
    assert!(text.contains("````diff\n"), "{text}");
    assert!(
        text.contains("Properties.Description: \"see ```docs```\""),
        "{text}"
    );
}

/// The orders queue becomes FIFO: the queue is replaced, and with it the event source
/// mapping that reads its ARN; what only names it is modified, known after apply.
fn fifo_queue() -> Plan {
    let old = fixtures::orders();
    let mut new = old.clone();
    new["Resources"]["OrderEventsQueue"]["Properties"]["FifoQueue"] = serde_json::json!(true);
    plan(Some(&old), &new)
}

/// `tables.orders` renamed `tables.ledger` in the spec.
fn renamed_table() -> Plan {
    let old = fixtures::orders();
    let text = serde_json::to_string(&old)
        .unwrap()
        .replace("OrdersTable", "LedgerTable")
        .replace("orders-dev-orders", "orders-dev-ledger");
    plan(Some(&old), &serde_json::from_str(&text).unwrap())
}

#[test]
fn human_knock_on_replacement() {
    insta::assert_snapshot!(human(&fifo_queue(), false));
}

#[test]
fn markdown_knock_on_replacement() {
    insta::assert_snapshot!(markdown(&fifo_queue()));
}

#[test]
fn human_renamed_table() {
    insta::assert_snapshot!(human(&renamed_table(), false));
}

#[test]
fn markdown_renamed_table() {
    insta::assert_snapshot!(markdown(&renamed_table()));
}

/// `tables.ledger` with `renamed_from: orders`: the table is moved, not replaced.
fn moved_table() -> Plan {
    let old = fixtures::orders();
    let text = serde_json::to_string(&old)
        .unwrap()
        .replace("OrdersTable", "LedgerTable");
    let moves = [crate::template::Move {
        from: "OrdersTable".into(),
        to: "LedgerTable".into(),
    }];
    let (moved, done) = crate::deploy::refactor::rename(&old, &moves);
    let mut p = plan(Some(&moved), &serde_json::from_str(&text).unwrap());
    p.moves = done;
    p
}

#[test]
fn human_moved_table() {
    let p = moved_table();
    assert!(p.changes.is_empty(), "{:?}", p.changes);
    insta::assert_snapshot!(human(&p, false));
}

#[test]
fn markdown_moved_table() {
    insta::assert_snapshot!(markdown(&moved_table()));
}

#[test]
fn hot_swapped_functions_say_the_stack_lags_in_human_and_markdown() {
    let mut p = Plan {
        stack_name: "a-dev".into(),
        ..Plan::default()
    };
    p.hot_swapped.push(crate::deploy::plan::HotSwapped {
        function: "health".into(),
        logical_id: "HealthFunction".into(),
        artifact: "a/dev/health-2.zip".into(),
        stack_artifact: Some("a/dev/health-1.zip".into()),
    });
    assert!(p.has_changes());
    let want = "code of health was hot-swapped (a/dev/health-2.zip); the stack still names the old artifact; `fnplan apply` brings the stack in line";
    assert!(human(&p, false).contains(want), "{}", human(&p, false));
    assert!(markdown(&p).contains(want), "{}", markdown(&p));
}

#[test]
fn a_change_set_that_found_nothing_is_said_in_every_format() {
    let mut p = unchanged();
    p.change_set_empty = Some("The submitted information didn't contain changes.".into());
    let line = "CloudFormation change set: made and deleted; CloudFormation lists no changes \
                (The submitted information didn't contain changes)";
    assert!(human(&p, false).contains(line), "{}", human(&p, false));
    assert!(markdown(&p).contains(line), "{}", markdown(&p));
    let v: Value = serde_json::from_str(&json(&p)).expect("json");
    assert_eq!(
        v["change_set_empty"],
        "The submitted information didn't contain changes."
    );
    assert!(!json(&unchanged()).contains("change_set_empty"));
}

#[test]
fn a_skipped_change_set_is_said_in_every_format() {
    let mut p = unchanged();
    p.change_set_skipped = Some("no changes: the stack is UPDATE_COMPLETE".into());
    let line = "CloudFormation change set: not made (no changes: the stack is UPDATE_COMPLETE)";
    assert!(human(&p, false).contains(line), "{}", human(&p, false));
    assert!(markdown(&p).contains(line), "{}", markdown(&p));
    let v: Value = serde_json::from_str(&json(&p)).expect("json");
    assert_eq!(
        v["change_set_skipped"],
        "no changes: the stack is UPDATE_COMPLETE"
    );
    // Absent when a change set was made (older readers see no new field).
    assert!(!json(&unchanged()).contains("change_set_skipped"));
    // With moves, the moves section says when the change set is made.
    p.moves = vec![crate::deploy::plan::Moved {
        from: "A".into(),
        to: "B".into(),
        resource_type: "AWS::SQS::Queue".into(),
    }];
    assert!(
        !human(&p, false).contains("not made"),
        "{}",
        human(&p, false)
    );
}
