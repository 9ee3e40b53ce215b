//! The template diff on hand-made templates and the orders app's golden one.
use super::fixtures::{orders, orders_edited};
use super::*;
use crate::deploy::plan::IamChangeKind;
use serde_json::json;

fn resources(r: Value) -> Value {
    json!({"Resources": r})
}

#[test]
fn nested_changes_are_named_after_their_stack_and_risky_ones_stay_first() {
    let queue = json!({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q"}});
    let role = json!({"Type": "AWS::IAM::Role", "Properties": {"Path": "/"}});
    let mut top = plan_changes(
        Some(&resources(json!({}))),
        &resources(json!({"ZRole": role})),
    );
    let inner = plan_changes(
        Some(&resources(json!({"Jobs": queue, "Same": role}))),
        &resources(json!({"Same": role})),
    );
    merge_nested(&mut top, "AStack", inner);
    let ids: Vec<&str> = top.changes.iter().map(|c| c.logical_id.as_str()).collect();
    // The queue's deletion (data loss) sorts before the role's creation.
    assert_eq!(ids, ["AStack/Jobs", "ZRole"]);
    assert_eq!(top.unchanged, 1);
}

fn change<'a>(p: &'a PlanChanges, id: &str) -> &'a ResourceChange {
    p.changes
        .iter()
        .find(|c| c.logical_id == id)
        .unwrap_or_else(|| panic!("no change for {id}"))
}

#[test]
fn same_template_has_no_changes() {
    let t = orders();
    let p = plan_changes(Some(&t), &t);
    assert!(p.changes.is_empty() && p.outputs.is_empty() && p.iam.is_empty());
    assert_eq!(p.unchanged, t["Resources"].as_object().unwrap().len());
}

#[test]
fn missing_stack_creates_everything() {
    let t = orders();
    let p = plan_changes(None, &t);
    let n = t["Resources"].as_object().unwrap().len();
    assert_eq!(p.changes.len(), n);
    assert!(p.changes.iter().all(|c| c.action == Action::Create));
    assert_eq!(p.unchanged, 0);
    assert_eq!(p.outputs.len(), t["Outputs"].as_object().unwrap().len());
    assert!(p.iam.iter().all(|c| c.added));
    assert!(p.iam.iter().any(|c| c.kind == IamChangeKind::Permission));
    // Creates sort by logical ID.
    let ids: Vec<&str> = p.changes.iter().map(|c| c.logical_id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

#[test]
fn edited_template() {
    let p = plan_changes(Some(&orders()), &orders_edited());
    let summary: Vec<(&str, Action)> = p
        .changes
        .iter()
        .map(|c| (c.logical_id.as_str(), c.action))
        .collect();
    assert_eq!(
        summary,
        [
            ("OrdersTable", Action::Replace),
            ("GetHealthIntegration", Action::Delete),
            ("GetHealthPermission", Action::Delete),
            ("GetHealthRoute", Action::Delete),
            ("AuditQueue", Action::Create),
            ("CreateOrderFunction", Action::Modify),
            ("CreateOrderRole", Action::Modify),
            // Their policies name the table's ARN, which the replacement changes.
            ("GetOrderRole", Action::Modify),
            ("ProcessOrderRole", Action::Modify),
            // Its env names the table and its policy the table's ARN.
            ("ShipOrderFunction", Action::Modify),
            ("ShipOrderRole", Action::Modify),
        ]
    );
    let table = change(&p, "OrdersTable");
    assert_eq!(table.risks, [Risk::DataLoss, Risk::Replacement]);
    // The key attribute was renamed in both places: each replaces the table.
    assert_eq!(
        table.replacement.because_of,
        ["AttributeDefinitions", "KeySchema"]
    );
    assert!(table.replacement.predicted);
    // CloudFormation names the table: nothing stops the replacement.
    assert!(table.replacement.fixed_name.is_none());
    assert!(
        table.retained,
        "UpdateReplacePolicy Retain keeps the old table"
    );
    let key = table
        .properties
        .iter()
        .find(|p| p.path == "Properties.KeySchema[0].AttributeName")
        .unwrap();
    assert!(key.replaces);
    assert_eq!(key.old, Some(json!("id")));
    assert_eq!(key.new, Some(json!("orderId")));
    let attrs = table
        .properties
        .iter()
        .find(|p| p.path.starts_with("Properties.AttributeDefinitions"))
        .unwrap();
    assert!(attrs.replaces);

    let f = change(&p, "CreateOrderFunction");
    let paths: Vec<&str> = f.properties.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "Properties.Timeout",
            "Properties.Environment.Variables.LOG_LEVEL",
            // Same `Ref`, but it names the replaced table.
            "Properties.Environment.Variables.TABLE_NAME"
        ]
    );
    assert_eq!(
        f.properties[2].known_after_apply.as_deref(),
        Some("OrdersTable is replaced")
    );
    assert!(f.risks.is_empty());

    let role = change(&p, "CreateOrderRole");
    assert_eq!(role.risks, [Risk::IamBroadening]);
    assert_eq!(role.properties.len(), 1);
    let doc = &role.properties[0];
    assert_eq!(doc.path, "Properties.Policies[0].PolicyDocument");
    let d = doc.diff.as_deref().unwrap();
    assert!(d.contains("+        \"sqs:DeleteMessage\""), "{d}");

    let iam: Vec<(&str, bool, bool)> = p
        .iam
        .iter()
        .map(|c| (c.resource.as_str(), c.added, c.broadening))
        .collect();
    assert_eq!(
        iam,
        [
            ("CreateOrderRole", false, false),
            ("CreateOrderRole", true, true),
            ("GetHealthPermission", false, false),
        ]
    );
    assert!(p.iam[1].summary.starts_with(
        "QueueOrderEventsSend: Allow sqs:GetQueueAttributes, sqs:GetQueueUrl, sqs:SendMessage, sqs:DeleteMessage on ${OrderEventsQueue.Arn}"
    ));
    assert!(
        p.iam[2]
            .summary
            .starts_with("apigateway.amazonaws.com may invoke HealthFunction from ")
    );

    assert_eq!(p.outputs.len(), 1);
    assert_eq!(p.outputs[0].name, "AuditQueueUrl");
    assert_eq!(p.outputs[0].action, Action::Create);
}

#[test]
fn semantically_equal_values_are_unchanged() {
    let old = resources(json!({
        "F": {"Type": "AWS::Lambda::Function", "DependsOn": "Log",
              "Properties": {"Timeout": "5", "Role": {"Fn::GetAtt": "R.Arn"}, "Flag": "true"}},
        "R": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p",
              "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["b", "a"], "Resource": "*"}]}}]}}
    }));
    let new = resources(json!({
        "F": {"Type": "AWS::Lambda::Function", "DependsOn": ["Log"],
              "Properties": {"Timeout": 5, "Role": {"Fn::GetAtt": ["R", "Arn"]}, "Flag": true}},
        "R": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p",
              "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["a", "b"], "Resource": ["*"]}]}}]}}
    }));
    let p = plan_changes(Some(&old), &new);
    assert_eq!(p.changes, []);
    assert_eq!(p.unchanged, 2);
}

#[test]
fn arrays_compare_element_wise_with_index_paths() {
    let old = resources(json!({"Q": {"Type": "AWS::SQS::Queue",
        "Properties": {"Tags": [{"Key": "team", "Value": "a"}]}}}));
    let new = resources(json!({"Q": {"Type": "AWS::SQS::Queue",
        "Properties": {"Tags": [{"Key": "team", "Value": "b"}, {"Key": "x", "Value": "y"}]}}}));
    let p = plan_changes(Some(&old), &new);
    let paths: Vec<&str> = p.changes[0]
        .properties
        .iter()
        .map(|p| p.path.as_str())
        .collect();
    assert_eq!(paths, ["Properties.Tags[0].Value", "Properties.Tags[1]"]);
    assert_eq!(p.changes[0].properties[1].old, None);
    assert_eq!(p.changes[0].action, Action::Modify);
}

#[test]
fn deletion_of_state_loses_data_unless_retained() {
    let old = resources(json!({
        "Kept": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
        "Lost": {"Type": "AWS::SQS::Queue"},
        "Topic": {"Type": "AWS::SNS::Topic"}
    }));
    let p = plan_changes(Some(&old), &resources(json!({})));
    let ids: Vec<(&str, bool, &[Risk])> = p
        .changes
        .iter()
        .map(|c| (c.logical_id.as_str(), c.retained, c.risks.as_slice()))
        .collect();
    assert_eq!(
        ids,
        [
            ("Lost", false, &[Risk::DataLoss][..]),
            ("Kept", true, &[][..]),
            ("Topic", false, &[][..]),
        ]
    );
}

#[test]
fn log_groups_and_nested_stacks_hold_data() {
    let old = resources(json!({
        "Logs": {"Type": "AWS::Logs::LogGroup"},
        "Nested": {"Type": "AWS::CloudFormation::Stack",
                   "Properties": {"TemplateURL": "https://b.s3.amazonaws.com/a.json"}}
    }));
    let p = plan_changes(Some(&old), &resources(json!({})));
    assert!(p.changes.iter().all(|c| c.risks == [Risk::DataLoss]));
    assert_eq!(p.changes.len(), 2);
}

/// Issue #14: `key: { name: id, type: S }` -> `type: N` was planned in place.
#[test]
fn key_type_change_replaces_the_table_and_loses_its_data() {
    let table = |key_type: &str| {
        resources(json!({"T": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": key_type}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST"}}}))
    };
    let c = &plan_changes(Some(&table("S")), &table("N")).changes[0];
    assert_eq!(c.action, Action::Replace);
    assert!(c.replacement.predicted);
    assert_eq!(c.replacement.because_of, ["AttributeDefinitions"]);
    assert_eq!(c.risks, [Risk::DataLoss, Risk::Replacement]);
    assert_eq!(
        c.properties[0].path,
        "Properties.AttributeDefinitions[0].AttributeType"
    );
    assert!(c.properties[0].replaces);
}

#[test]
fn properties_added_as_a_whole_can_replace() {
    let old = resources(json!({"B": {"Type": "AWS::S3::Bucket"}}));
    let named = resources(json!({"B": {"Type": "AWS::S3::Bucket",
        "Properties": {"BucketName": "orders-dev-files"}}}));
    let tagged = resources(json!({"B": {"Type": "AWS::S3::Bucket",
        "Properties": {"Tags": [{"Key": "team", "Value": "a"}]}}}));
    assert_eq!(
        plan_changes(Some(&old), &named).changes[0].action,
        Action::Replace
    );
    assert_eq!(
        plan_changes(Some(&old), &tagged).changes[0].action,
        Action::Modify
    );
}

#[test]
fn type_change_replaces() {
    let old = resources(json!({"X": {"Type": "AWS::SNS::Topic"}}));
    let new = resources(json!({"X": {"Type": "AWS::SQS::Queue"}}));
    let c = &plan_changes(Some(&old), &new).changes[0];
    assert_eq!(c.action, Action::Replace);
    assert_eq!(c.replacement.because_of, ["Type"]);
    assert_eq!(c.resource_type, "AWS::SQS::Queue");
}

#[test]
fn long_strings_get_a_unified_diff() {
    let code = |s: &str| {
        resources(json!({"F": {"Type": "AWS::Lambda::Function",
            "Properties": {"Code": {"ZipFile": s}, "Handler": "a.b"}}}))
    };
    let p = plan_changes(
        Some(&code("def handler(e, c):\n    return 1\n")),
        &code("def handler(e, c):\n    return 2\n"),
    );
    let d = p.changes[0].properties[0].diff.as_deref().unwrap();
    assert_eq!(
        d,
        "@@ -1,2 +1,2 @@\n def handler(e, c):\n-    return 1\n+    return 2\n"
    );
    let short = plan_changes(Some(&code("a")), &code("b"));
    assert_eq!(short.changes[0].properties[0].diff, None);
}

#[test]
fn permissions_added_broaden_and_replace_when_changed() {
    let perm = |src: &str| {
        resources(
            json!({"P": {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]},
            "Principal": "s3.amazonaws.com",
            "SourceArn": src,
            "SourceAccount": {"Ref": "AWS::AccountId"}}}}),
        )
    };
    let p = plan_changes(None, &perm("arn:aws:s3:::a"));
    assert_eq!(p.changes[0].risks, [Risk::IamBroadening]);
    assert_eq!(
        p.iam[0].summary,
        "s3.amazonaws.com may invoke Fn from arn:aws:s3:::a in account ${AWS::AccountId}"
    );
    let p = plan_changes(Some(&perm("arn:aws:s3:::a")), &perm("arn:aws:s3:::b"));
    let c = &p.changes[0];
    assert_eq!(c.action, Action::Replace);
    assert_eq!(c.replacement.because_of, ["SourceArn"]);
    assert_eq!(c.risks, [Risk::IamBroadening, Risk::Replacement]);
    assert_eq!(p.iam.len(), 2);
}

#[test]
fn narrowing_a_statement_does_not_broaden() {
    let role = |actions: Value| {
        resources(json!({"R": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Sid": "S", "Effect": "Allow", "Action": actions, "Resource": "arn:aws:s3:::b/*"}]}}]}}}))
    };
    let p = plan_changes(
        Some(&role(json!(["s3:GetObject", "s3:PutObject"]))),
        &role(json!("s3:GetObject")),
    );
    assert_eq!(p.changes[0].risks, []);
    assert_eq!(p.iam.len(), 2);
    assert!(p.iam.iter().all(|c| !c.broadening));
    let p = plan_changes(Some(&role(json!("s3:GetObject"))), &role(json!("s3:*")));
    assert_eq!(p.changes[0].risks, [Risk::IamBroadening]);
    let p = plan_changes(Some(&role(json!("s3:*"))), &role(json!("s3:Get*")));
    assert_eq!(p.changes[0].risks, []);

    let p = plan_changes(None, &role(json!("s3:GetObject")));
    assert_eq!(
        p.iam[0].summary,
        "Allow sts:AssumeRole by service lambda.amazonaws.com (trust policy)"
    );
    assert_eq!(
        p.iam[1].summary,
        "S: Allow s3:GetObject on arn:aws:s3:::b/*"
    );
}

#[test]
fn output_changes() {
    let old =
        json!({"Outputs": {"A": {"Value": 1}, "B": {"Value": {"Ref": "X"}}, "C": {"Value": "c"}}});
    let new = json!({"Outputs": {"A": {"Value": "1"}, "B": {"Value": {"Ref": "Y"}}, "D": {"Value": "d"}}});
    let p = plan_changes(Some(&old), &new);
    let o: Vec<(&str, Action)> = p
        .outputs
        .iter()
        .map(|o| (o.name.as_str(), o.action))
        .collect();
    assert_eq!(
        o,
        [
            ("B", Action::Modify),
            ("D", Action::Create),
            ("C", Action::Delete)
        ]
    );
}

/// Comparing a template with itself is empty; swapping sides swaps creates and
/// deletes and keeps the set of modified resources.
#[test]
fn diff_is_symmetric_in_shape() {
    let (a, b) = (orders(), orders_edited());
    let fwd = plan_changes(Some(&a), &b);
    let back = plan_changes(Some(&b), &a);
    let ids = |p: &PlanChanges, act: Action| {
        let mut v: Vec<String> = p
            .changes
            .iter()
            .filter(|c| c.action == act)
            .map(|c| c.logical_id.clone())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&fwd, Action::Create), ids(&back, Action::Delete));
    assert_eq!(ids(&fwd, Action::Delete), ids(&back, Action::Create));
    assert_eq!(ids(&fwd, Action::Modify), ids(&back, Action::Modify));
    assert_eq!(ids(&fwd, Action::Replace), ids(&back, Action::Replace));
    assert_eq!(fwd.unchanged, back.unchanged);
    for f in fwd.changes.iter().filter(|c| c.action == Action::Modify) {
        let b = back
            .changes
            .iter()
            .find(|c| c.logical_id == f.logical_id)
            .unwrap();
        assert_eq!(f.properties.len(), b.properties.len());
        for (x, y) in f.properties.iter().zip(&b.properties) {
            assert_eq!((&x.path, &x.old, &x.new), (&y.path, &y.new, &y.old));
        }
    }
}

/// A FIFO switch replaces the queue; what reads its ARN through a create-only property is
/// replaced with it, what only shows its URL is modified, and the output changes value.
#[test]
fn replacing_a_queue_replaces_its_event_source_mapping() {
    let old = json!({
        "Resources": {
            "JobsQueue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}},
            "WorkerJobsTrigger": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
                "EventSourceArn": {"Fn::GetAtt": ["JobsQueue", "Arn"]},
                "FunctionName": {"Ref": "WorkerFunction"}, "BatchSize": 10}},
            "WorkerFunction": {"Type": "AWS::Lambda::Function", "Properties": {
                "Environment": {"Variables": {"JOBS": {"Ref": "JobsQueue"}}}}},
            "Other": {"Type": "AWS::SQS::Queue", "Properties": {}}
        },
        "Outputs": {"JobsUrl": {"Value": {"Ref": "JobsQueue"}}}
    });
    let mut new = old.clone();
    new["Resources"]["JobsQueue"]["Properties"]["FifoQueue"] = json!(true);
    let p = plan_changes(Some(&old), &new);

    let esm = change(&p, "WorkerJobsTrigger");
    assert_eq!(esm.action, Action::Replace);
    assert!(esm.replacement.predicted);
    assert_eq!(esm.replacement.because_of, ["EventSourceArn"]);
    assert_eq!(esm.replacement.caused_by[0].resource, "JobsQueue");
    assert_eq!(esm.replacement.caused_by[0].reason, "JobsQueue is replaced");
    assert_eq!(
        esm.properties[0].known_after_apply.as_deref(),
        Some("JobsQueue is replaced")
    );
    assert!(esm.properties[0].replaces);
    assert!(esm.has_risk(Risk::Replacement));

    let f = change(&p, "WorkerFunction");
    assert_eq!(f.action, Action::Modify);
    assert_eq!(
        f.properties[0].path,
        "Properties.Environment.Variables.JOBS"
    );
    assert!(!f.properties[0].replaces);
    assert!(!f.has_risk(Risk::Replacement));

    assert_eq!(p.outputs.len(), 1);
    assert_eq!(
        p.outputs[0].known_after_apply.as_deref(),
        Some("JobsQueue is replaced")
    );
    assert_eq!(p.unchanged, 1, "only Other is untouched");
}

/// Replacements travel: function -> its alias (FunctionName is create-only) -> the
/// permission on that alias; and the log group named after the function loses history.
#[test]
fn knock_on_replacement_is_transitive_and_loses_log_history() {
    let old = json!({"Resources": {
        "ApiFunction": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "a"}},
        "ApiLogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {
            "LogGroupName": {"Fn::Sub": "/aws/lambda/${ApiFunction}"}, "RetentionInDays": 14}},
        "ApiAlias": {"Type": "AWS::Lambda::Alias", "Properties": {
            "FunctionName": {"Ref": "ApiFunction"}, "FunctionVersion": "$LATEST", "Name": "live"}},
        "ApiPermission": {"Type": "AWS::Lambda::Permission", "Properties": {
            "FunctionName": {"Ref": "ApiAlias"}, "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com"}},
        "Filter": {"Type": "Custom::Thing", "Properties": {"Group": {"Ref": "ApiLogGroup"}}}
    }});
    let mut new = old.clone();
    new["Resources"]["ApiFunction"]["Properties"]["FunctionName"] = json!("b");
    let p = plan_changes(Some(&old), &new);
    let group = change(&p, "ApiLogGroup");
    assert_eq!(group.action, Action::Replace);
    assert!(group.has_risk(Risk::DataLoss), "log history is lost");
    assert_eq!(group.replacement.caused_by[0].resource, "ApiFunction");
    let alias = change(&p, "ApiAlias");
    assert_eq!(alias.action, Action::Replace);
    let permission = change(&p, "ApiPermission");
    assert_eq!(permission.action, Action::Replace);
    assert_eq!(
        permission.replacement.caused_by[0].reason,
        "ApiAlias is replaced"
    );
    // A type fnplan has no schema for: modified, and the plan says it cannot tell more.
    let filter = change(&p, "Filter");
    assert_eq!(filter.action, Action::Modify);
    assert!(
        filter.notes[0].contains("does not know"),
        "{:?}",
        filter.notes
    );
    // Data loss first, then the other replacements.
    assert_eq!(p.changes[0].logical_id, "ApiLogGroup");
}

/// A nested stack whose parent passes a replaced resource's ARN: the child's consumers
/// change too.
#[test]
fn changed_inputs_of_a_nested_stack_reach_its_resources() {
    let t = json!({
        "Parameters": {"JobsQueueArn": {"Type": "String"}},
        "Resources": {"Trigger": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "EventSourceArn": {"Ref": "JobsQueueArn"}, "FunctionName": "f"}}}
    });
    let inputs = [Input {
        parameter: "JobsQueueArn".into(),
        reason: "JobsQueue is replaced".into(),
    }];
    let p = plan_changes_with(Some(&t), &t, &inputs);
    let trigger = change(&p, "Trigger");
    assert_eq!(trigger.action, Action::Replace);
    assert_eq!(
        trigger.replacement.caused_by[0].reason,
        "JobsQueue is replaced"
    );
    assert!(plan_changes(Some(&t), &t).changes.is_empty());
}

#[test]
fn sub_names_skip_literals_and_local_variables() {
    let v = json!({"Fn::Sub": ["${A}/${!B}/${C.Arn}/${Local}", {"Local": {"Ref": "D"}}]});
    let found: Vec<String> = super::knock_on::tests_support::targets(&v);
    assert_eq!(found, ["A", "C", "D"]);
}

fn table(name: &str, key: &str) -> Value {
    json!({"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
        "Tags": [{"Key": "fnplan:name", "Value": name}]}})
}

/// `tables.videos` -> `tables.clips`: a delete and a create that the plan calls a rename,
/// with the retained old table left in the account and the way to keep it.
#[test]
fn a_renamed_table_is_called_a_rename_and_its_data_is_not_moved() {
    let old = resources(json!({
        "VideosTable": table("shop-dev-videos", "id"),
        "ApiFunction": {"Type": "AWS::Lambda::Function", "Properties": {
            "Environment": {"Variables": {"T": {"Ref": "VideosTable"}}}}}}));
    let new = resources(json!({
        "ClipsTable": table("shop-dev-clips", "id"),
        "ApiFunction": {"Type": "AWS::Lambda::Function", "Properties": {
            "Environment": {"Variables": {"T": {"Ref": "ClipsTable"}}}}}}));
    let p = plan_changes(Some(&old), &new);
    let gone = change(&p, "VideosTable");
    assert_eq!(gone.action, Action::Delete);
    assert_eq!(gone.renamed_to.as_deref(), Some("ClipsTable"));
    assert!(gone.retained);
    assert!(
        gone.notes[0]
            .contains("VideosTable (shop-dev-videos) stays in the account, outside the stack"),
        "{:?}",
        gone.notes
    );
    let made = change(&p, "ClipsTable");
    assert_eq!(made.renamed_from.as_deref(), Some("VideosTable"));
    assert!(made.notes[0].contains("data in VideosTable is not moved"));
    assert!(made.notes[1].contains("renamed_from"));
}

/// A rename is claimed only for a one-to-one match of type and shape.
#[test]
fn no_rename_is_guessed_between_several_or_different_shapes() {
    let old = resources(json!({"ATable": table("a", "id"), "BTable": table("b", "id")}));
    let new = resources(json!({"CTable": table("c", "id")}));
    let p = plan_changes(Some(&old), &new);
    assert!(
        p.changes
            .iter()
            .all(|c| c.renamed_from.is_none() && c.renamed_to.is_none())
    );

    let old = resources(json!({"ATable": table("a", "id")}));
    let new = resources(json!({"CTable": table("c", "pk")}));
    let p = plan_changes(Some(&old), &new);
    assert!(p.changes.iter().all(|c| c.renamed_from.is_none()));
}

/// A statement whose Sid changes with a renamed spec key, granting the same, does not
/// widen access.
#[test]
fn a_statement_renamed_with_its_key_does_not_broaden() {
    let role = |sid: &str| {
        json!({"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p",
            "PolicyDocument": {"Statement": [{"Sid": sid, "Effect": "Allow",
                "Action": ["dynamodb:GetItem"], "Resource": "arn:aws:dynamodb:::table/t"}]}}]}})
    };
    let p = plan_changes(
        Some(&resources(json!({"R": role("TableVideosRead")}))),
        &resources(json!({"R": role("TableClipsRead")})),
    );
    assert_eq!(p.iam.len(), 2);
    assert!(p.iam.iter().all(|c| !c.broadening), "{:?}", p.iam);
}

/// Upgrading from templates that named every table: the name goes, the table is
/// replaced once (data loss), and the plan says how to keep it.
#[test]
fn a_dropped_fixed_name_replaces_once_and_says_how_to_keep_it() {
    let mut old = table("shop-dev-videos", "id");
    old["UpdateReplacePolicy"] = json!("Retain");
    let mut new = old.clone();
    new["Properties"]
        .as_object_mut()
        .unwrap()
        .remove("TableName");
    let p = plan_changes(
        Some(&resources(json!({"VideosTable": old}))),
        &resources(json!({"VideosTable": new})),
    );
    let t = change(&p, "VideosTable");
    assert_eq!(t.action, Action::Replace);
    assert!(t.has_risk(Risk::DataLoss));
    assert!(
        t.notes
            .iter()
            .any(|n| n.contains("set `name: shop-dev-videos`")),
        "{:?}",
        t.notes
    );
    assert!(t.replacement.fixed_name.is_none());
}

/// A table with `name:` keeps it across a key change: CloudFormation cannot do that.
#[test]
fn a_fixed_name_that_must_be_replaced_is_an_update_that_fails() {
    let old = table("shop-dev-videos", "id");
    let new = table("shop-dev-videos", "video_id");
    let p = plan_changes(
        Some(&resources(json!({"VideosTable": old}))),
        &resources(json!({"VideosTable": new})),
    );
    let t = change(&p, "VideosTable");
    assert_eq!(t.replacement.fixed_name.as_deref(), Some("TableName"));
    assert!(t.notes.iter().any(|n| n.starts_with("TableName is fixed")));
}

/// An Aurora cluster as fnplan renders it (`Snapshot` policies).
fn cluster(database_name: &str) -> Value {
    json!({
        "Type": "AWS::RDS::DBCluster",
        "DeletionPolicy": "Snapshot",
        "UpdateReplacePolicy": "Snapshot",
        "Properties": {
            "Engine": "aurora-postgresql",
            "DatabaseName": database_name,
            "EnableHttpEndpoint": true,
            "ServerlessV2ScalingConfiguration": { "MinCapacity": 0.5, "MaxCapacity": 4 }
        }
    })
}

#[test]
fn a_database_replaced_or_deleted_is_data_loss_even_with_a_snapshot() {
    let p = plan_changes(
        Some(&resources(json!({ "LedgerDatabase": cluster("ledger") }))),
        &resources(json!({ "LedgerDatabase": cluster("books") })),
    );
    let c = change(&p, "LedgerDatabase");
    assert_eq!(c.action, Action::Replace);
    assert_eq!(c.replacement.because_of, ["DatabaseName"]);
    assert!(c.risks.contains(&Risk::DataLoss), "{:?}", c.risks);
    assert!(!c.retained);
    assert!(
        c.notes.iter().any(|n| n.contains("final snapshot")),
        "{:?}",
        c.notes
    );

    let p = plan_changes(
        Some(&resources(json!({ "LedgerDatabase": cluster("ledger") }))),
        &resources(json!({})),
    );
    let c = change(&p, "LedgerDatabase");
    assert_eq!(c.action, Action::Delete);
    assert!(c.risks.contains(&Risk::DataLoss), "{:?}", c.risks);
    assert!(
        c.notes.iter().any(|n| n.contains("final snapshot")),
        "{:?}",
        c.notes
    );

    // Capacity changes in place.
    let mut bigger = cluster("ledger");
    bigger["Properties"]["ServerlessV2ScalingConfiguration"]["MaxCapacity"] = json!(16);
    let p = plan_changes(
        Some(&resources(json!({ "LedgerDatabase": cluster("ledger") }))),
        &resources(json!({ "LedgerDatabase": bigger })),
    );
    let c = change(&p, "LedgerDatabase");
    assert_eq!(c.action, Action::Modify);
    assert!(c.risks.is_empty(), "{:?}", c.risks);
}
