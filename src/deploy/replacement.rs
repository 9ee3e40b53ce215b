//! Which property changes replace a resource: the create-only properties of every
//! resource type fnplan renders, as a static table.
//!
//! Sources (read 2025; recheck when a type gains properties):
//! - the CloudFormation registry resource schemas' `createOnlyProperties`, as published in
//!   `hashicorp/terraform-provider-awscc` (`internal/service/cloudformation/schemas/AWS_*.json`),
//!   `aws-cloudformation/cfn-lint` (`src/cfnlint/data/schemas/providers/us_east_1/*.json`) and
//!   the `aws-cloudformation/aws-cloudformation-resource-providers-{sns,events,logs}`
//!   repositories;
//! - for `AWS::DynamoDB::Table`, whose registry schema lists only `TableName` and
//!   `ImportSourceSpecification`, also the properties the CloudFormation resource
//!   specification marks `UpdateType: Immutable` ("Update requires: Replacement" in the
//!   user guide): `KeySchema` and `LocalSecondaryIndexes`. `AttributeDefinitions` is
//!   `Conditional` (replacement only when an existing definition is edited) and is not listed.
//! - for `AWS::CloudFormation::Stack` (nested stacks, `--split`): the user guide lists every
//!   property (`TemplateURL`, `Parameters`, `Tags`, `NotificationARNs`,
//!   `TimeoutInMinutes`) as "Update requires: No interruption"; a changed nested template
//!   updates the nested stack in place, so none is create-only.

/// Create-only properties by resource type (top-level property names under `Properties`).
static CREATE_ONLY: &[(&str, &[&str])] = &[
    ("AWS::ApiGatewayV2::Api", &["ProtocolType"]),
    ("AWS::ApiGatewayV2::Authorizer", &["ApiId"]),
    ("AWS::ApiGatewayV2::Integration", &["ApiId"]),
    ("AWS::ApiGatewayV2::Route", &["ApiId"]),
    ("AWS::ApiGatewayV2::Stage", &["ApiId", "StageName"]),
    // Nested stacks update in place (see the module docs).
    ("AWS::CloudFormation::Stack", &[]),
    (
        "AWS::DynamoDB::Table",
        &[
            "TableName",
            "ImportSourceSpecification",
            // Resource specification, `UpdateType: Immutable` (see the module docs).
            "KeySchema",
            "LocalSecondaryIndexes",
        ],
    ),
    ("AWS::Events::Rule", &["EventBusName", "Name"]),
    ("AWS::IAM::Role", &["Path", "RoleName"]),
    ("AWS::Lambda::Alias", &["FunctionName", "Name"]),
    (
        "AWS::Lambda::EventInvokeConfig",
        &["FunctionName", "Qualifier"],
    ),
    (
        "AWS::Lambda::EventSourceMapping",
        &[
            "EventSourceArn",
            "SelfManagedEventSource",
            "StartingPosition",
            "StartingPositionTimestamp",
        ],
    ),
    (
        "AWS::Lambda::Function",
        &["FunctionName", "PackageType", "TenancyConfig"],
    ),
    (
        "AWS::Lambda::Permission",
        &[
            "Action",
            "EventSourceToken",
            "FunctionName",
            "FunctionUrlAuthType",
            "Principal",
            "PrincipalOrgID",
            "SourceAccount",
            "SourceArn",
        ],
    ),
    (
        "AWS::Lambda::Version",
        &[
            "CodeSha256",
            "Description",
            "FunctionName",
            "ProvisionedConcurrencyConfig",
            "RuntimePolicy",
        ],
    ),
    ("AWS::Logs::LogGroup", &["LogGroupName"]),
    ("AWS::S3::Bucket", &["BucketName", "ObjectLockEnabled"]),
    (
        "AWS::SNS::Subscription",
        &["Endpoint", "Protocol", "TopicArn"],
    ),
    ("AWS::SNS::Topic", &["FifoTopic", "TopicName"]),
    ("AWS::SQS::Queue", &["FifoQueue", "QueueName"]),
];

/// The property that fixes a resource's physical name, for types that have one.
/// CloudFormation cannot replace such a resource while the name stays the same.
static NAME_PROPERTY: &[(&str, &str)] = &[
    ("AWS::DynamoDB::Table", "TableName"),
    ("AWS::Events::Rule", "Name"),
    ("AWS::IAM::Role", "RoleName"),
    ("AWS::Lambda::Function", "FunctionName"),
    ("AWS::Logs::LogGroup", "LogGroupName"),
    ("AWS::S3::Bucket", "BucketName"),
    ("AWS::SNS::Topic", "TopicName"),
    ("AWS::SQS::Queue", "QueueName"),
];

/// The create-only properties of `resource_type` (empty for types fnplan does not know).
pub fn create_only(resource_type: &str) -> &'static [&'static str] {
    CREATE_ONLY
        .iter()
        .find(|(t, _)| *t == resource_type)
        .map_or(&[], |(_, props)| props)
}

/// Whether fnplan knows the create-only properties of `resource_type` (otherwise it
/// cannot predict a replacement and leaves that to CloudFormation's change set).
pub fn is_known(resource_type: &str) -> bool {
    CREATE_ONLY.iter().any(|(t, _)| *t == resource_type)
}

/// Whether a change at `property_path` (inside `Properties`, e.g. `KeySchema[0].KeyType`)
/// replaces a resource of `resource_type`: a change anywhere under a create-only property does.
pub fn replaces(resource_type: &str, property_path: &str) -> bool {
    let top = top_level(property_path);
    create_only(resource_type).contains(&top)
}

/// The top-level property a path starts with: `KeySchema[0].KeyType` -> `KeySchema`.
pub fn top_level(property_path: &str) -> &str {
    let end = property_path
        .find(['.', '['])
        .unwrap_or(property_path.len());
    &property_path[..end]
}

/// Tables, buckets and queues hold data that a replacement or deletion loses.
pub fn is_stateful(resource_type: &str) -> bool {
    matches!(
        resource_type,
        "AWS::DynamoDB::Table" | "AWS::S3::Bucket" | "AWS::SQS::Queue"
    )
}

/// The property that names the physical resource (`TableName`, `QueueName`, ...), if any.
pub fn name_property(resource_type: &str) -> Option<&'static str> {
    NAME_PROPERTY
        .iter()
        .find(|(t, _)| *t == resource_type)
        .map(|(_, p)| *p)
}

/// The resource types fnplan renders, for tests that every one has an entry.
#[cfg(test)]
const RENDERED_TYPES: &[&str] = &[
    "AWS::SQS::Queue",
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::SNS::Topic",
    "AWS::SNS::Subscription",
    "AWS::IAM::Role",
    "AWS::Logs::LogGroup",
    "AWS::Lambda::Function",
    "AWS::Lambda::Version",
    "AWS::Lambda::Alias",
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::Events::Rule",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::CloudFormation::Stack",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rendered_type_has_an_entry() {
        for t in RENDERED_TYPES {
            assert!(is_known(t), "{t} has no create-only entry");
            // Nested stacks are the one type with nothing create-only.
            assert!(
                !create_only(t).is_empty() || *t == "AWS::CloudFormation::Stack",
                "{t}"
            );
        }
        assert_eq!(CREATE_ONLY.len(), RENDERED_TYPES.len());
    }

    #[test]
    fn table_is_sorted_and_unique() {
        let types: Vec<&str> = CREATE_ONLY.iter().map(|(t, _)| *t).collect();
        let mut sorted = types.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(types, sorted);
        for (t, props) in CREATE_ONLY {
            let mut p = props.to_vec();
            p.sort();
            p.dedup();
            assert_eq!(p.len(), props.len(), "{t} lists a property twice");
        }
    }

    #[test]
    fn names_are_create_only() {
        for (t, p) in NAME_PROPERTY {
            assert!(replaces(t, p), "{t}.{p}");
        }
    }

    #[test]
    fn replacement_follows_the_top_level_property() {
        assert!(replaces("AWS::DynamoDB::Table", "KeySchema"));
        assert!(replaces(
            "AWS::DynamoDB::Table",
            "KeySchema[0].AttributeName"
        ));
        assert!(!replaces(
            "AWS::DynamoDB::Table",
            "AttributeDefinitions[0].AttributeType"
        ));
        assert!(!replaces("AWS::DynamoDB::Table", "KeySchemaX"));
        assert!(replaces("AWS::SQS::Queue", "FifoQueue"));
        assert!(!replaces("AWS::SQS::Queue", "VisibilityTimeout"));
        assert!(replaces("AWS::Lambda::Permission", "SourceArn"));
        assert!(!replaces("AWS::Lambda::Function", "Timeout"));
        assert!(!replaces(
            "AWS::Lambda::Function",
            "Environment.Variables.FunctionName"
        ));
        assert!(!replaces("AWS::Unknown::Thing", "Anything"));
        assert!(!is_known("AWS::Unknown::Thing"));
    }

    #[test]
    fn stateful_types() {
        assert!(is_stateful("AWS::DynamoDB::Table"));
        assert!(is_stateful("AWS::S3::Bucket"));
        assert!(is_stateful("AWS::SQS::Queue"));
        assert!(!is_stateful("AWS::SNS::Topic"));
        assert!(!is_stateful("AWS::Lambda::Function"));
    }
}
