//! Generated: the vendored resource provider schemas (`schemas/cloudformation/AWS_*.json`)
//! and cfn-lint's stateful types (`stateful.json`) in, the tables of `deploy::replacement` out.
// @generated from schemas/cloudformation by `FNPLAN_REGENERATE=1 cargo test --lib deploy::replacement::tests::generated_tables_match_the_schemas`; do not edit.

use super::SchemaFacts;

/// Per resource type, by type name.
#[rustfmt::skip]
pub(super) static SCHEMAS: &[SchemaFacts] = &[
    SchemaFacts {
        type_name: "AWS::ApiGatewayV2::Api",
        create_only: &["ProtocolType"],
        conditional_create_only: &[],
        primary_identifier: &["ApiId"],
    },
    SchemaFacts {
        type_name: "AWS::ApiGatewayV2::Authorizer",
        create_only: &["ApiId"],
        conditional_create_only: &[],
        primary_identifier: &["AuthorizerId", "ApiId"],
    },
    SchemaFacts {
        type_name: "AWS::ApiGatewayV2::Integration",
        create_only: &["ApiId"],
        conditional_create_only: &[],
        primary_identifier: &["ApiId", "IntegrationId"],
    },
    SchemaFacts {
        type_name: "AWS::ApiGatewayV2::Route",
        create_only: &["ApiId"],
        conditional_create_only: &[],
        primary_identifier: &["ApiId", "RouteId"],
    },
    SchemaFacts {
        type_name: "AWS::ApiGatewayV2::Stage",
        create_only: &["ApiId", "StageName"],
        conditional_create_only: &[],
        primary_identifier: &["ApiId", "StageName"],
    },
    SchemaFacts {
        type_name: "AWS::CloudFormation::Stack",
        create_only: &[],
        conditional_create_only: &[],
        primary_identifier: &["StackId"],
    },
    SchemaFacts {
        type_name: "AWS::DynamoDB::Table",
        create_only: &["ImportSourceSpecification", "TableName"],
        conditional_create_only: &["KeySchema"],
        primary_identifier: &["TableName"],
    },
    SchemaFacts {
        type_name: "AWS::Events::Archive",
        create_only: &["ArchiveName", "SourceArn"],
        conditional_create_only: &[],
        primary_identifier: &["ArchiveName"],
    },
    SchemaFacts {
        type_name: "AWS::Events::EventBus",
        create_only: &["Name"],
        conditional_create_only: &[],
        primary_identifier: &["Name"],
    },
    SchemaFacts {
        type_name: "AWS::Events::Rule",
        create_only: &["Name"],
        conditional_create_only: &["EventBusName"],
        primary_identifier: &["Arn"],
    },
    SchemaFacts {
        type_name: "AWS::IAM::Role",
        create_only: &["Path", "RoleName"],
        conditional_create_only: &[],
        primary_identifier: &["RoleName"],
    },
    SchemaFacts {
        type_name: "AWS::Lambda::Alias",
        create_only: &["FunctionName", "Name"],
        conditional_create_only: &[],
        primary_identifier: &["AliasArn"],
    },
    SchemaFacts {
        type_name: "AWS::Lambda::EventInvokeConfig",
        create_only: &["FunctionName", "Qualifier"],
        conditional_create_only: &[],
        primary_identifier: &["FunctionName", "Qualifier"],
    },
    SchemaFacts {
        type_name: "AWS::Lambda::EventSourceMapping",
        create_only: &["EventSourceArn", "SelfManagedEventSource", "StartingPosition", "StartingPositionTimestamp"],
        conditional_create_only: &[],
        primary_identifier: &["Id"],
    },
    SchemaFacts {
        type_name: "AWS::Lambda::Function",
        create_only: &["FunctionName", "PackageType", "TenancyConfig"],
        conditional_create_only: &["DurableConfig"],
        primary_identifier: &["FunctionName"],
    },
    SchemaFacts {
        type_name: "AWS::Lambda::LayerVersion",
        create_only: &["CompatibleArchitectures", "CompatibleRuntimes", "Content", "Description", "LayerName", "LicenseInfo"],
        conditional_create_only: &[],
        primary_identifier: &["LayerVersionArn"],
    },
    SchemaFacts {
        type_name: "AWS::Lambda::Permission",
        create_only: &["Action", "EventSourceToken", "FunctionName", "FunctionUrlAuthType", "InvokedViaFunctionUrl", "Principal", "PrincipalOrgID", "SourceAccount", "SourceArn"],
        conditional_create_only: &[],
        primary_identifier: &["FunctionName", "Id"],
    },
    SchemaFacts {
        type_name: "AWS::Lambda::Version",
        create_only: &["CodeSha256", "Description", "FunctionName", "ProvisionedConcurrencyConfig", "RuntimePolicy"],
        conditional_create_only: &[],
        primary_identifier: &["FunctionArn"],
    },
    SchemaFacts {
        type_name: "AWS::Logs::LogGroup",
        create_only: &["LogGroupName"],
        conditional_create_only: &[],
        primary_identifier: &["LogGroupName"],
    },
    SchemaFacts {
        type_name: "AWS::RDS::DBCluster",
        create_only: &["ClusterScalabilityType", "DBClusterIdentifier", "DBSubnetGroupName", "DBSystemId", "DatabaseName", "EngineMode", "KmsKeyId", "PubliclyAccessible", "RestoreToTime", "RestoreType", "SnapshotIdentifier", "SourceDBClusterIdentifier", "SourceDbClusterResourceId", "SourceRegion", "StorageEncrypted", "UseLatestRestorableTime"],
        conditional_create_only: &["AvailabilityZones", "Engine", "GlobalClusterIdentifier", "MasterUsername"],
        primary_identifier: &["DBClusterIdentifier"],
    },
    SchemaFacts {
        type_name: "AWS::RDS::DBInstance",
        create_only: &["BackupTarget", "CharacterSetName", "CustomIAMInstanceProfile", "DBClusterIdentifier", "DBInstanceIdentifier", "DBName", "DBSubnetGroupName", "DBSystemId", "KmsKeyId", "MasterUsername", "NcharCharacterSetName", "SourceRegion", "StorageEncrypted", "Timezone"],
        conditional_create_only: &["AutoMinorVersionUpgrade", "AvailabilityZone", "BackupRetentionPeriod", "DBClusterSnapshotIdentifier", "DBParameterGroupName", "DBSnapshotIdentifier", "Engine", "MultiAZ", "PerformanceInsightsKMSKeyId", "PreferredMaintenanceWindow", "RestoreTime", "SourceDBClusterIdentifier", "SourceDBInstanceAutomatedBackupsArn", "SourceDBInstanceIdentifier", "SourceDbiResourceId", "UseLatestRestorableTime"],
        primary_identifier: &["DBInstanceIdentifier"],
    },
    SchemaFacts {
        type_name: "AWS::S3::Bucket",
        create_only: &["BucketName", "BucketNamePrefix", "BucketNamespace"],
        conditional_create_only: &[],
        primary_identifier: &["BucketName"],
    },
    SchemaFacts {
        type_name: "AWS::S3::BucketPolicy",
        create_only: &["Bucket"],
        conditional_create_only: &[],
        primary_identifier: &["Bucket"],
    },
    SchemaFacts {
        type_name: "AWS::SNS::Subscription",
        create_only: &["Endpoint", "Protocol", "TopicArn"],
        conditional_create_only: &["Region"],
        primary_identifier: &["Arn"],
    },
    SchemaFacts {
        type_name: "AWS::SNS::Topic",
        create_only: &["FifoTopic", "TopicName"],
        conditional_create_only: &[],
        primary_identifier: &["TopicArn"],
    },
    SchemaFacts {
        type_name: "AWS::SQS::Queue",
        create_only: &["FifoQueue", "QueueName"],
        conditional_create_only: &[],
        primary_identifier: &["QueueUrl"],
    },
    SchemaFacts {
        type_name: "AWS::SQS::QueuePolicy",
        create_only: &[],
        conditional_create_only: &[],
        primary_identifier: &["Id"],
    },
];

/// cfn-lint's stateful resource types (`AdditionalSpecs/StatefulResources.json`), sorted.
#[rustfmt::skip]
pub(super) static STATEFUL: &[&str] = &[
    "AWS::Backup::BackupVault",
    "AWS::CloudFormation::Stack",
    "AWS::Cognito::UserPool",
    "AWS::DocDB::DBCluster",
    "AWS::DocDB::DBInstance",
    "AWS::DynamoDB::GlobalTable",
    "AWS::DynamoDB::Table",
    "AWS::EC2::Volume",
    "AWS::EFS::FileSystem",
    "AWS::EMR::Cluster",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Elasticsearch::Domain",
    "AWS::FSx::FileSystem",
    "AWS::KMS::Key",
    "AWS::Kinesis::Stream",
    "AWS::Logs::LogGroup",
    "AWS::Neptune::DBCluster",
    "AWS::Neptune::DBInstance",
    "AWS::OpenSearchService::Domain",
    "AWS::Organizations::Account",
    "AWS::QLDB::Ledger",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
    "AWS::S3::Bucket",
    "AWS::SDB::Domain",
    "AWS::SQS::Queue",
    "AWS::SecretsManager::Secret",
];
