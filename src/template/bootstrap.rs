//! `fnplan bootstrap`'s stack: a bucket name in, the template of a small CloudFormation
//! stack out that owns one private, encrypted, versioned artifact bucket.

use super::Template;
use serde_json::json;

/// The stack `fnplan bootstrap` creates unless told another name.
pub const STACK_NAME: &str = "fnplan-bootstrap";
/// The template's parameter naming the bucket.
pub const BUCKET_PARAM: &str = "BucketName";
/// Noncurrent versions of zips are kept this long (rollbacks need old code).
pub const NONCURRENT_DAYS: u32 = 30;

/// The bootstrap template. The bucket's name is a parameter, so the template is the same
/// for every bucket and a second bootstrap finds nothing to change.
pub fn template() -> Template {
    let bucket_arn = json!({ "Fn::GetAtt": ["ArtifactBucket", "Arn"] });
    let objects_arn = json!({ "Fn::Join": ["", [bucket_arn.clone(), "/*"]] });
    Template::from_value(json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": "fnplan artifact bucket: function code zips (fnplan bootstrap)",
            "Parameters": {
                BUCKET_PARAM: {
                    "Type": "String",
                    "Description": "Name of the artifact bucket"
                }
            },
            "Resources": {
                "ArtifactBucket": {
                    "Type": "AWS::S3::Bucket",
                    "DeletionPolicy": "Retain",
                    "UpdateReplacePolicy": "Retain",
                    "Properties": {
                        "BucketName": { "Ref": BUCKET_PARAM },
                        "BucketEncryption": {
                            "ServerSideEncryptionConfiguration": [
                                { "ServerSideEncryptionByDefault": { "SSEAlgorithm": "AES256" } }
                            ]
                        },
                        "VersioningConfiguration": { "Status": "Enabled" },
                        "PublicAccessBlockConfiguration": {
                            "BlockPublicAcls": true,
                            "BlockPublicPolicy": true,
                            "IgnorePublicAcls": true,
                            "RestrictPublicBuckets": true
                        },
                        "OwnershipControls": {
                            "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }]
                        },
                        "LifecycleConfiguration": {
                            "Rules": [{
                                "Id": "expire-noncurrent-versions",
                                "Status": "Enabled",
                                "NoncurrentVersionExpiration": { "NoncurrentDays": NONCURRENT_DAYS },
                                "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 7 }
                            }]
                        },
                        "Tags": [{ "Key": "fnplan:bootstrap", "Value": "true" }]
                    }
                },
                "ArtifactBucketPolicy": {
                    "Type": "AWS::S3::BucketPolicy",
                    "Properties": {
                        "Bucket": { "Ref": "ArtifactBucket" },
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [{
                                "Sid": "DenyInsecureTransport",
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "s3:*",
                                "Resource": [bucket_arn, objects_arn],
                                "Condition": { "Bool": { "aws:SecureTransport": "false" } }
                            }]
                        }
                    }
                }
            },
            "Outputs": {
                "BucketName": {
                    "Description": "The artifact bucket (pass it as --artifact-bucket or `artifacts: { bucket }`)",
                    "Value": { "Ref": "ArtifactBucket" }
                }
            }
    }))
}
