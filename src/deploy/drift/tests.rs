//! Paths and values as CloudFormation sends them, what apply does to each kind of drift,
//! masking, and how a parent's and its nested stacks' detections add up.

use super::*;
use crate::deploy::diff::{fixtures, plan_changes};
use crate::deploy::mask::MASK;
use crate::deploy::plan::{DifferenceKind, PropertyChange};
use serde_json::json;

fn diff(path: &str, expected: Value, actual: Value) -> PropertyDrift {
    PropertyDrift {
        path: path.into(),
        expected: Some(expected),
        actual: Some(actual),
        kind: DifferenceKind::NotEqual,
        planned: false,
    }
}

fn drifted(
    id: &str,
    ty: &str,
    status: DriftStatus,
    differences: Vec<PropertyDrift>,
) -> ResourceDrift {
    ResourceDrift {
        logical_id: id.into(),
        resource_type: ty.into(),
        physical_id: None,
        status,
        differences,
        planned: None,
        on_apply: Vec::new(),
    }
}

fn edited_plan() -> Plan {
    let c = plan_changes(Some(&fixtures::orders()), &fixtures::orders_edited());
    Plan {
        changes: c.changes,
        ..Plan::default()
    }
}

#[test]
fn pointers_become_plan_paths() {
    assert_eq!(property_path("/MemorySize"), "Properties.MemorySize");
    assert_eq!(
        property_path("/Environment/Variables/LOG_LEVEL"),
        "Properties.Environment.Variables.LOG_LEVEL"
    );
    assert_eq!(property_path("/Tags/1/Value"), "Properties.Tags[1].Value");
    assert_eq!(
        property_path("/RedrivePolicy/maxReceiveCount"),
        "Properties.RedrivePolicy.maxReceiveCount"
    );
    assert_eq!(
        property_path("/Policy/a~1b c"),
        "Properties.Policy[\"a/b c\"]"
    );
    assert_eq!(property_path(""), "Properties");
}

#[test]
fn values_are_json_where_they_parse() {
    assert_eq!(parse_value("1024"), json!(1024));
    assert_eq!(parse_value("{\"a\":[1]}"), json!({"a": [1]}));
    assert_eq!(parse_value("debug"), json!("debug"));
    assert_eq!(parse_value(""), json!(""));
}

#[test]
fn overlapping_paths_share_a_segment_boundary() {
    assert!(overlaps("Properties.Timeout", "Properties.Timeout"));
    assert!(overlaps(
        "Properties.Environment",
        "Properties.Environment.Variables.A"
    ));
    assert!(overlaps("Properties.Tags[0].Value", "Properties.Tags"));
    assert!(!overlaps("Properties.Timeout", "Properties.TimeoutSeconds"));
}

/// A property the plan changes is overwritten with the new template's value; one it does
/// not change is left to the resource type; an untouched resource keeps its drift.
#[test]
fn apply_overwrites_only_what_it_updates() {
    let plan = edited_plan();
    let mut report = DriftReport {
        checked: true,
        status: "DRIFTED".into(),
        reason: None,
        resources: vec![
            drifted(
                "CreateOrderFunction",
                "AWS::Lambda::Function",
                DriftStatus::Modified,
                vec![
                    diff("Properties.Timeout", json!(5), json!(30)),
                    diff("Properties.MemorySize", json!(256), json!(1024)),
                ],
            ),
            drifted(
                "HealthFunction",
                "AWS::Lambda::Function",
                DriftStatus::Modified,
                vec![diff("Properties.MemorySize", json!(128), json!(512))],
            ),
        ],
    };
    annotate(&mut report, &plan);
    let f = &report.resources[0];
    assert_eq!(f.planned, Some(Action::Modify));
    assert!(f.differences[0].planned && !f.differences[1].planned);
    assert_eq!(
        f.on_apply[0],
        "apply sets Properties.Timeout to 10, over the live 30"
    );
    assert!(
        f.on_apply[1].starts_with("apply updates this resource but not Properties.MemorySize: CloudFormation may set it back to the template's value or leave it as it is live"),
        "{:?}",
        f.on_apply
    );
    let h = &report.resources[1];
    assert_eq!(h.planned, None);
    assert!(
        h.on_apply[0].contains("this drift stays"),
        "{:?}",
        h.on_apply
    );
}

/// CloudFormation does not heal a deleted resource: it stays deleted unless replaced, and
/// an in-place update of it fails.
#[test]
fn a_deleted_resource_comes_back_only_by_replacement() {
    let plan = edited_plan();
    let gone = |id: &str, ty: &str| drifted(id, ty, DriftStatus::Deleted, vec![]);
    let mut report = DriftReport {
        checked: true,
        status: "DRIFTED".into(),
        reason: None,
        resources: vec![
            gone("OrderEventsQueue", "AWS::SQS::Queue"),
            gone("OrdersTable", "AWS::DynamoDB::Table"),
            gone("CreateOrderFunction", "AWS::Lambda::Function"),
            gone("GetHealthRoute", "AWS::ApiGatewayV2::Route"),
        ],
    };
    annotate(&mut report, &plan);
    let said: Vec<&str> = report
        .resources
        .iter()
        .map(|r| r.on_apply[0].as_str())
        .collect();
    assert!(said[0].starts_with("apply leaves it deleted"), "{said:?}");
    assert!(said[1].starts_with("apply creates it again"), "{said:?}");
    assert!(said[2].starts_with("apply fails on it"), "{said:?}");
    assert!(
        said[3].starts_with("apply removes it from the stack"),
        "{said:?}"
    );
}

#[test]
fn secret_environment_values_are_masked() {
    let plan = Plan::default();
    let mut report = DriftReport {
        checked: true,
        status: "DRIFTED".into(),
        reason: None,
        resources: vec![drifted(
            "F",
            "AWS::Lambda::Function",
            DriftStatus::Modified,
            vec![
                diff(
                    "Properties.Environment.Variables.STRIPE_API_KEY",
                    json!("sk_live_old"),
                    json!("sk_live_new"),
                ),
                diff(
                    "Properties.Environment",
                    json!({"Variables": {"DB_PASSWORD": "hunter2", "LOG_LEVEL": "info"}}),
                    json!({"Variables": {"DB_PASSWORD": "hunter3", "LOG_LEVEL": "debug"}}),
                ),
                diff(
                    "Properties.Environment.Variables[\"API TOKEN\"]",
                    json!("t1"),
                    json!("t2"),
                ),
                diff(
                    "Properties.Environment.Variables.LOG_LEVEL",
                    json!("info"),
                    json!("debug"),
                ),
            ],
        )],
    };
    annotate(&mut report, &plan);
    let text = serde_json::to_string(&report).unwrap();
    for secret in ["sk_live", "hunter", "t1", "t2"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(text.contains("debug") && text.contains(MASK), "{text}");
}

/// A nested stack that could not be checked is said so, the parent's findings stay.
#[test]
fn nested_outcomes_add_up() {
    let found = |id: &str| Outcome::Done {
        status: "DRIFTED".into(),
        reason: None,
        resources: vec![drifted(id, "AWS::SQS::Queue", DriftStatus::Deleted, vec![])],
    };
    let report = combine(vec![
        (None, found("Q")),
        (Some("Api"), Outcome::NotChecked("access denied".into())),
        (
            Some("Data"),
            Outcome::Done {
                status: "UNKNOWN".into(),
                reason: Some("CloudFormation could not check every resource: x".into()),
                resources: vec![],
            },
        ),
    ]);
    assert!(!report.checked);
    assert_eq!(report.status, "DRIFTED");
    assert_eq!(
        report.reason.as_deref(),
        Some(
            "nested stack Api: not checked: access denied; nested stack Data: CloudFormation could not check every resource: x"
        )
    );
    let in_sync = combine(vec![(
        None,
        Outcome::Done {
            status: "IN_SYNC".into(),
            reason: None,
            resources: vec![],
        },
    )]);
    assert!(in_sync.checked && in_sync.status == "IN_SYNC" && in_sync.reason.is_none());
}

#[test]
fn denied_and_unsupported_calls_say_what_to_do() {
    let service = |code: &str, message: &str| {
        DeployError::Aws(AwsError::Service {
            operation: "DetectStackDrift",
            code: code.into(),
            message: message.into(),
        })
    };
    let denied = explain(&service(
        "AccessDenied",
        "not authorized to perform: cloudformation:DetectStackDrift",
    ));
    assert!(
        denied.starts_with("access denied (DetectStackDrift failed"),
        "{denied}"
    );
    assert!(denied.contains("--no-drift"), "{denied}");
    let missing = explain(&service(
        "InvalidAction",
        "Could not find operation DetectStackDrift",
    ));
    assert!(
        missing.starts_with(
            "the endpoint does not support drift detection (DetectStackDrift failed: InvalidAction"
        ),
        "{missing}"
    );
    let unsupported = explain(&service("Unknown", ""));
    assert!(
        unsupported
            == "the endpoint does not seem to support drift detection (DetectStackDrift got an error answer that is not CloudFormation's)",
        "{unsupported}"
    );
    let other = explain(&service(
        "ValidationError",
        "Stack is in UPDATE_IN_PROGRESS state",
    ));
    assert_eq!(
        other,
        "DetectStackDrift failed: ValidationError: Stack is in UPDATE_IN_PROGRESS state"
    );
}

/// A property change whose path is a parent of the drifted one counts as changing it.
#[test]
fn a_parent_change_overwrites_its_children() {
    let mut plan = edited_plan();
    let f = plan
        .changes
        .iter_mut()
        .find(|c| c.logical_id == "CreateOrderFunction")
        .unwrap();
    f.properties = vec![PropertyChange {
        path: "Properties.Environment".into(),
        old: None,
        new: Some(json!({"Variables": {}})),
        diff: None,
        replaces: false,
        known_after_apply: None,
    }];
    let mut report = DriftReport {
        checked: true,
        status: "DRIFTED".into(),
        reason: None,
        resources: vec![drifted(
            "CreateOrderFunction",
            "AWS::Lambda::Function",
            DriftStatus::Modified,
            vec![diff(
                "Properties.Environment.Variables.LOG_LEVEL",
                json!("info"),
                json!("debug"),
            )],
        )],
    };
    annotate(&mut report, &plan);
    assert_eq!(
        report.resources[0].on_apply,
        ["apply overwrites Properties.Environment.Variables.LOG_LEVEL: the plan changes it"]
    );
}
