//! Deployment: a rendered template and the deployed stack in, a [`plan::Plan`] out (and,
//! later, an applied change set). AWS is reached only through the [`StackApi`] trait,
//! whose one implementation ([`aws::SdkStackApi`]) uses the AWS SDK.

pub mod apply;
pub mod aws;
pub mod cfn_yaml;
pub mod client;
pub mod diff;
pub mod drift;
pub mod follow;
pub mod format;
pub mod hot;
pub mod iam;
pub mod lambda;
pub mod mask;
pub mod plan;
pub mod preview;
pub mod refactor;
pub mod replacement;
pub mod run;
pub mod timings;

use std::time::Duration;

/// Why talking to CloudFormation failed.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("no AWS region: pass --region, set `region` on the stage, or set AWS_REGION")]
    NoRegion,
    #[error(
        "no AWS credentials: {0}\n  set AWS_PROFILE (and run `aws sso login` for SSO profiles) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
    )]
    NoCredentials(String),
    /// A CloudFormation (or other SDK) call failed.
    #[error(transparent)]
    Aws(#[from] crate::aws_error::AwsError),
    #[error("the deployed template cannot be read: {0}")]
    BadTemplate(String),
    #[error("change set {arn} did not finish within {waited:?}")]
    Timeout { arn: String, waited: Duration },
    #[error(
        "the template needs parameter `{0}`: pass it with --artifact-bucket (packaging of local code fills it in)"
    )]
    MissingParameter(String),
    #[error(
        "the template is {0} bytes, over the 51,200 bytes CloudFormation takes inline: pass --artifact-bucket (or set `artifacts.bucket`) so it goes through S3 as a TemplateURL"
    )]
    TemplateNeedsBucket(usize),
    #[error(
        "--split deploys nested stacks, whose templates CloudFormation reads from S3: pass --artifact-bucket (or set `artifacts.bucket`; `fnplan bootstrap` creates one)"
    )]
    SplitNeedsBucket,
    #[error("stack refactor {id} ended {status}: {reason}")]
    Refactor {
        id: String,
        status: String,
        reason: String,
    },
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

/// What we know of a deployed stack.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackInfo {
    pub stack_id: String,
    pub status: String,
    pub status_reason: Option<String>,
    /// RFC 3339.
    pub last_updated: Option<String>,
    pub outputs: Vec<(String, String)>,
    pub parameters: Vec<(String, String)>,
    /// Stack tags (CloudFormation's own `aws:` tags included).
    pub tags: Vec<(String, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeSetType {
    Create,
    Update,
}

#[derive(Clone, Debug)]
pub struct ChangeSetRequest {
    /// The stack's name (Create) or ARN (Update).
    pub stack: String,
    pub name: String,
    pub kind: ChangeSetType,
    pub template_body: String,
    /// Where the template was uploaded when it is too large to send inline.
    pub template_url: Option<String>,
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub description: String,
}

/// The result of CreateChangeSet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Created {
    ChangeSet {
        arn: String,
        stack_id: String,
    },
    /// "No updates are to be performed" (one of AWS's two forms of "no changes").
    NoChanges,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSetDescription {
    pub arn: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub execution_status: Option<String>,
    pub changes: Vec<plan::ChangeSetEntry>,
}

impl ChangeSetDescription {
    pub fn is_final(&self) -> bool {
        matches!(
            self.status.as_str(),
            "CREATE_COMPLETE" | "FAILED" | "DELETE_COMPLETE" | "DELETE_FAILED"
        )
    }
    /// AWS's other form of "no changes": the change set FAILED for lack of changes.
    pub fn is_empty_failure(&self) -> bool {
        self.status == "FAILED"
            && self.status_reason.as_deref().is_some_and(|r| {
                r.contains("didn't contain changes") || r.contains("No updates are to be performed")
            })
    }
}

/// The CloudFormation calls fnplan makes; one SDK implementation, tested against moto
/// and against recorded AWS responses replayed through the SDK's HTTP test client.
#[allow(async_fn_in_trait)]
pub trait StackApi {
    /// `None` when the stack does not exist.
    async fn describe_stack(&self, stack: &str) -> Result<Option<StackInfo>, DeployError>;
    /// The template as deployed (JSON or YAML text).
    async fn get_template(&self, stack_id: &str) -> Result<String, DeployError>;
    /// The physical ID of resource `logical_id` in stack `stack_id` (a nested stack's
    /// stack ID, a table's name, ...); `None` when the stack has no such resource (or it
    /// was never created).
    async fn physical_id(
        &self,
        stack_id: &str,
        logical_id: &str,
    ) -> Result<Option<String>, DeployError>;
    async fn create_change_set(&self, req: &ChangeSetRequest) -> Result<Created, DeployError>;
    async fn describe_change_set(&self, arn: &str) -> Result<ChangeSetDescription, DeployError>;
    async fn delete_change_set(&self, arn: &str) -> Result<(), DeployError>;
    async fn execute_change_set(&self, arn: &str) -> Result<(), DeployError>;
    /// Stack events, newest first (one page of up to 100).
    async fn stack_events(&self, stack_id: &str) -> Result<Vec<StackEvent>, DeployError>;
    async fn delete_stack(&self, stack_id: &str) -> Result<(), DeployError>;
    /// Start moving `moved` within stack `stack` (`CreateStackRefactor`), whose template
    /// after the moves is `template`; the refactor's ID.
    async fn create_stack_refactor(
        &self,
        stack: &str,
        template: refactor::TemplateRef<'_>,
        moved: &[plan::Moved],
    ) -> Result<String, DeployError>;
    async fn describe_stack_refactor(
        &self,
        id: &str,
    ) -> Result<refactor::RefactorState, DeployError>;
    async fn execute_stack_refactor(&self, id: &str) -> Result<(), DeployError>;
    /// Start drift detection on one stack (DetectStackDrift; nested stacks are not
    /// included, each needs its own): the detection's ID.
    async fn detect_drift(&self, stack_id: &str) -> Result<String, DeployError>;
    /// How detection `detection_id` is going (DescribeStackDriftDetectionStatus).
    async fn drift_detection(&self, detection_id: &str) -> Result<DriftDetection, DeployError>;
    /// The resources of stack `stack_id` its latest detection found MODIFIED or DELETED
    /// (DescribeStackResourceDrifts, every page), as CloudFormation lists them.
    async fn resource_drifts(
        &self,
        stack_id: &str,
    ) -> Result<Vec<plan::ResourceDrift>, DeployError>;
}

/// A drift detection's progress, as DescribeStackDriftDetectionStatus reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DriftDetection {
    /// `DETECTION_IN_PROGRESS`, `DETECTION_COMPLETE` or `DETECTION_FAILED`.
    pub status: String,
    /// `IN_SYNC`, `DRIFTED`, `UNKNOWN` or `NOT_CHECKED`, once known.
    pub stack_status: Option<String>,
    pub reason: Option<String>,
}

impl DriftDetection {
    pub fn in_progress(&self) -> bool {
        self.status == "DETECTION_IN_PROGRESS"
    }
}

/// One line of a stack's event log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackEvent {
    pub event_id: String,
    /// RFC 3339.
    pub timestamp: String,
    pub logical_id: String,
    pub resource_type: String,
    pub physical_id: Option<String>,
    pub status: String,
    pub reason: Option<String>,
}

impl StackEvent {
    pub fn is_failure(&self) -> bool {
        self.status.ends_with("_FAILED")
    }
}

/// Stack statuses in which nothing is changing.
pub fn is_settled(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}
