//! The drift section as a reader sees it: a plan against the orders app's edited template
//! on a stack where a function, a queue, the table and an API route changed outside
//! CloudFormation; and the one line for a stack that is in sync or was not checked.

use crate::deploy::diff::{fixtures, plan_changes};
use crate::deploy::drift::annotate;
use crate::deploy::format::{human, json, markdown};
use crate::deploy::plan::{
    DifferenceKind, DriftReport, DriftStatus, FORMAT_VERSION, Plan, PropertyDrift, ResourceDrift,
    StackState,
};
use serde_json::{Value, json};

fn plan(drift: Option<DriftReport>) -> Plan {
    let c = plan_changes(Some(&fixtures::orders()), &fixtures::orders_edited());
    let mut p = Plan {
        format_version: FORMAT_VERSION,
        app: "orders".into(),
        stage: "dev".into(),
        stack_name: "orders-dev".into(),
        region: Some("eu-west-1".into()),
        stack: StackState {
            exists: true,
            stack_id: Some(
                "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-dev/0f1e2d3c".into(),
            ),
            status: Some("UPDATE_COMPLETE".into()),
            last_updated: Some("2025-03-01T12:00:00Z".into()),
        },
        changes: c.changes,
        unchanged: c.unchanged,
        outputs: c.outputs,
        iam: c.iam,
        spec_sha256: "5d41402abc4b2a76b9719d911017c592aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
        template_sha256: "7d793037a0760186574b0282f2f435e7bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into(),
        ..Plan::default()
    };
    if let Some(mut d) = drift {
        annotate(&mut d, &p);
        p.drift = Some(d);
    }
    p
}

fn prop(
    path: &str,
    kind: DifferenceKind,
    expected: Option<Value>,
    actual: Option<Value>,
) -> PropertyDrift {
    PropertyDrift {
        path: path.into(),
        expected,
        actual,
        kind,
        planned: false,
    }
}

fn resource(
    id: &str,
    ty: &str,
    status: DriftStatus,
    differences: Vec<PropertyDrift>,
) -> ResourceDrift {
    ResourceDrift {
        logical_id: id.into(),
        resource_type: ty.into(),
        physical_id: Some(format!("orders-dev-{id}")),
        status,
        differences,
        planned: None,
        on_apply: Vec::new(),
    }
}

fn drifted() -> DriftReport {
    use DifferenceKind::*;
    DriftReport {
        checked: true,
        status: "DRIFTED".into(),
        reason: None,
        resources: vec![
            resource(
                "CreateOrderFunction",
                "AWS::Lambda::Function",
                DriftStatus::Modified,
                vec![
                    prop(
                        "Properties.Timeout",
                        NotEqual,
                        Some(json!(5)),
                        Some(json!(30)),
                    ),
                    prop(
                        "Properties.MemorySize",
                        NotEqual,
                        Some(json!(256)),
                        Some(json!(1024)),
                    ),
                    prop(
                        "Properties.Environment.Variables.PAYMENT_API_KEY",
                        NotEqual,
                        Some(json!("sk_live_old")),
                        Some(json!("sk_live_rotated")),
                    ),
                ],
            ),
            resource(
                "GetHealthRoute",
                "AWS::ApiGatewayV2::Route",
                DriftStatus::Deleted,
                vec![],
            ),
            resource(
                "OrderEventsQueue",
                "AWS::SQS::Queue",
                DriftStatus::Deleted,
                vec![],
            ),
            resource(
                "OrdersTable",
                "AWS::DynamoDB::Table",
                DriftStatus::Modified,
                vec![prop(
                    "Properties.Tags[1]",
                    Add,
                    None,
                    Some(json!({"Key": "owner", "Value": "ops"})),
                )],
            ),
            resource(
                "UploadsBucket",
                "AWS::S3::Bucket",
                DriftStatus::Modified,
                vec![prop(
                    "Properties.VersioningConfiguration",
                    Remove,
                    Some(json!({"Status": "Enabled"})),
                    None,
                )],
            ),
        ],
    }
}

#[test]
fn human_drifted() {
    let text = human(&plan(Some(drifted())), false);
    assert!(!text.contains("sk_live"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn markdown_drifted() {
    let text = markdown(&plan(Some(drifted())));
    assert!(!text.contains("sk_live"), "{text}");
    insta::assert_snapshot!(text);
}

/// Drift is data in `--format json` and survives a round trip (`apply plan.json`).
#[test]
fn json_carries_drift() {
    let p = plan(Some(drifted()));
    let text = json(&p);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["drift"]["status"], "DRIFTED");
    let f = &v["drift"]["resources"][0];
    assert_eq!(f["logical_id"], "CreateOrderFunction");
    assert_eq!(f["status"], "MODIFIED");
    assert_eq!(f["planned"], "modify");
    assert_eq!(f["differences"][0]["kind"], "NOT_EQUAL");
    assert_eq!(f["differences"][0]["planned"], true);
    assert_eq!(f["differences"][2]["actual"], "****");
    let back: Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(back, p);
    // Without a report the field is absent: plans saved before stay byte-identical.
    assert!(!json(&plan(None)).contains("\"drift\""));
}

/// Drift alone is not a change: the headline and `--detailed-exitcode` stay as they were.
#[test]
fn drift_is_not_a_change() {
    let t = fixtures::orders();
    let c = plan_changes(Some(&t), &t);
    let mut p = plan(None);
    p.changes = c.changes;
    p.outputs = c.outputs;
    p.iam = c.iam;
    let mut d = drifted();
    d.resources.truncate(1);
    annotate(&mut d, &p);
    p.drift = Some(d);
    assert!(!p.has_changes());
    let text = human(&p, false);
    assert!(text.contains("No changes."), "{text}");
    assert!(
        text.contains("Drift: 1 resource changed outside CloudFormation; the plan changes none of them, so apply leaves them as they are (see Changed outside fnplan)."),
        "{text}"
    );
    assert!(text.contains("this drift stays"), "{text}");
}

#[test]
fn one_line_when_in_sync_or_not_checked() {
    let in_sync = DriftReport {
        checked: true,
        status: "IN_SYNC".into(),
        ..DriftReport::default()
    };
    let text = human(&plan(Some(in_sync)), false);
    assert!(
        text.contains("UPDATE_COMPLETE, last updated 2025-03-01T12:00:00Z.\nNo drift: the deployed resources match their template.\n"),
        "{text}"
    );
    assert!(!text.contains("Changed outside fnplan"), "{text}");
    let not = DriftReport::not_checked(
        "the endpoint does not support drift detection (DetectStackDrift failed: Unknown: )",
    );
    let text = human(&plan(Some(not.clone())), false);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("rift")).collect();
    assert_eq!(
        lines,
        [
            "Drift not checked: the endpoint does not support drift detection (DetectStackDrift failed: Unknown: )"
        ]
    );
    assert!(markdown(&plan(Some(not))).contains("\n\nDrift not checked: the endpoint"));
}

#[test]
fn colour_marks_drift_like_changes() {
    let text = human(&plan(Some(drifted())), true);
    assert!(
        text.contains("\x1b[1mChanged outside fnplan\x1b[0m"),
        "bold heading"
    );
    assert!(
        text.contains("\x1b[31m-\x1b[0m \x1b[31mOrderEventsQueue"),
        "red deleted"
    );
}
