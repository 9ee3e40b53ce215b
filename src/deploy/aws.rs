//! The AWS SDK implementation of [`StackApi`]: typed requests in, CloudFormation calls out.

use super::plan::{ChangeSetEntry, DifferenceKind, DriftStatus, PropertyDrift, ResourceDrift};
use super::{
    ChangeSetDescription, ChangeSetRequest, ChangeSetType, Created, DeployError, DriftDetection,
    StackApi, StackInfo, drift,
};
use crate::aws_error::AwsError;
use aws_sdk_cloudformation as cfn;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};

pub struct SdkStackApi {
    client: cfn::Client,
    /// The CloudFormation service role (`--role-arn`) change sets and deletions use.
    role_arn: Option<String>,
}

impl SdkStackApi {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self::from_client(cfn::Client::new(config))
    }
    pub fn from_client(client: cfn::Client) -> Self {
        SdkStackApi {
            client,
            role_arn: None,
        }
    }
    /// CloudFormation makes the stack's changes with role `arn` (`RoleARN` on
    /// CreateChangeSet and DeleteStack) instead of the caller's permissions.
    pub fn with_role_arn(mut self, arn: Option<String>) -> Self {
        self.role_arn = arn;
        self
    }
}

/// Any SDK error as a `DeployError` (see [`crate::aws_error`]).
pub(crate) fn err<E, R>(operation: &'static str, e: SdkError<E, R>) -> DeployError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    crate::aws_error::from_sdk(operation, e).into()
}

fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
}

impl StackApi for SdkStackApi {
    async fn describe_stack(&self, stack: &str) -> Result<Option<StackInfo>, DeployError> {
        let out = match self.client.describe_stacks().stack_name(stack).send().await {
            Ok(o) => o,
            Err(e) => {
                let e = err("DescribeStacks", e);
                // A missing stack is a ValidationError "Stack with id X does not exist".
                if let DeployError::Aws(AwsError::Service { message, .. }) = &e
                    && message.contains("does not exist")
                {
                    return Ok(None);
                }
                return Err(e);
            }
        };
        let Some(s) = out.stacks().first() else {
            return Ok(None);
        };
        let status = s
            .stack_status()
            .map(|x| x.as_str().to_string())
            .unwrap_or_default();
        if status == "DELETE_COMPLETE" {
            return Ok(None);
        }
        Ok(Some(StackInfo {
            stack_id: s.stack_id().unwrap_or_default().to_string(),
            status,
            status_reason: s.stack_status_reason().map(str::to_string),
            last_updated: time(s.last_updated_time().or(s.creation_time())),
            outputs: s
                .outputs()
                .iter()
                .map(|o| {
                    (
                        o.output_key().unwrap_or_default().to_string(),
                        o.output_value().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            parameters: s
                .parameters()
                .iter()
                .map(|p| {
                    (
                        p.parameter_key().unwrap_or_default().to_string(),
                        p.parameter_value().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            tags: s
                .tags()
                .iter()
                .map(|t| {
                    let text = |v: Option<&str>| v.unwrap_or_default().to_string();
                    (text(t.key()), text(t.value()))
                })
                .collect(),
        }))
    }

    async fn get_template(&self, stack_id: &str) -> Result<String, DeployError> {
        let out = self
            .client
            .get_template()
            .stack_name(stack_id)
            .template_stage(cfn::types::TemplateStage::Original)
            .send()
            .await
            .map_err(|e| err("GetTemplate", e))?;
        Ok(out.template_body().unwrap_or_default().to_string())
    }

    async fn physical_id(
        &self,
        stack_id: &str,
        logical_id: &str,
    ) -> Result<Option<String>, DeployError> {
        let out = self
            .client
            .describe_stack_resource()
            .stack_name(stack_id)
            .logical_resource_id(logical_id)
            .send()
            .await;
        match out {
            Ok(o) => Ok(o
                .stack_resource_detail()
                .and_then(|d| d.physical_resource_id())
                .filter(|id| !id.is_empty())
                .map(str::to_string)),
            // "Resource X does not exist for stack Y".
            Err(e)
                if e.as_service_error().is_some_and(|s| {
                    s.meta()
                        .message()
                        .is_some_and(|m| m.contains("does not exist"))
                }) =>
            {
                Ok(None)
            }
            Err(e) => Err(err("DescribeStackResource", e)),
        }
    }

    async fn create_change_set(&self, req: &ChangeSetRequest) -> Result<Created, DeployError> {
        let mut b = self
            .client
            .create_change_set()
            .stack_name(&req.stack)
            .change_set_name(&req.name)
            .change_set_type(match req.kind {
                ChangeSetType::Create => cfn::types::ChangeSetType::Create,
                ChangeSetType::Update => cfn::types::ChangeSetType::Update,
            })
            .set_template_body((req.template_url.is_none()).then(|| req.template_body.clone()))
            .set_template_url(req.template_url.clone())
            .description(&req.description)
            .set_role_arn(self.role_arn.clone())
            .capabilities(cfn::types::Capability::CapabilityIam);
        for (k, v) in &req.parameters {
            b = b.parameters(
                cfn::types::Parameter::builder()
                    .parameter_key(k)
                    .parameter_value(v)
                    .build(),
            );
        }
        for (k, v) in &req.tags {
            b = b.tags(cfn::types::Tag::builder().key(k).value(v).build());
        }
        match b.send().await {
            Ok(o) => Ok(Created::ChangeSet {
                arn: o.id().unwrap_or_default().to_string(),
                stack_id: o.stack_id().unwrap_or_default().to_string(),
            }),
            Err(e) => {
                let e = err("CreateChangeSet", e);
                if let DeployError::Aws(AwsError::Service { message, .. }) = &e
                    && message.contains("No updates are to be performed")
                {
                    return Ok(Created::NoChanges);
                }
                Err(e)
            }
        }
    }

    async fn describe_change_set(&self, arn: &str) -> Result<ChangeSetDescription, DeployError> {
        let mut changes = Vec::new();
        let mut token: Option<String> = None;
        let mut first: Option<cfn::operation::describe_change_set::DescribeChangeSetOutput> = None;
        loop {
            let out = self
                .client
                .describe_change_set()
                .change_set_name(arn)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| err("DescribeChangeSet", e))?;
            for c in out.changes() {
                let Some(rc) = c.resource_change() else {
                    continue;
                };
                let details = rc
                    .details()
                    .iter()
                    .filter_map(|d| {
                        let t = d.target()?;
                        let mut s = format!(
                            "{}.{}",
                            t.attribute().map(|a| a.as_str()).unwrap_or("Properties"),
                            t.name().unwrap_or("")
                        );
                        if let Some(r) = t.requires_recreation() {
                            s.push_str(&format!(" (requires recreation: {})", r.as_str()));
                        }
                        if let Some(cause) = d.change_source() {
                            s.push_str(&format!(", caused by {}", cause.as_str()));
                        }
                        Some(s)
                    })
                    .collect();
                changes.push(ChangeSetEntry {
                    logical_id: rc.logical_resource_id().unwrap_or_default().to_string(),
                    resource_type: rc.resource_type().unwrap_or_default().to_string(),
                    action: rc
                        .action()
                        .map(|a| a.as_str().to_string())
                        .unwrap_or_default(),
                    replacement: rc.replacement().map(|r| r.as_str().to_string()),
                    details,
                });
            }
            token = out.next_token().map(str::to_string);
            if first.is_none() {
                first = Some(out);
            }
            if token.is_none() {
                break;
            }
        }
        let out = first.expect("at least one page");
        Ok(ChangeSetDescription {
            arn: out.change_set_id().unwrap_or(arn).to_string(),
            status: out
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            status_reason: out.status_reason().map(str::to_string),
            execution_status: out.execution_status().map(|s| s.as_str().to_string()),
            changes,
        })
    }

    async fn execute_change_set(&self, arn: &str) -> Result<(), DeployError> {
        self.client
            .execute_change_set()
            .change_set_name(arn)
            .send()
            .await
            .map_err(|e| err("ExecuteChangeSet", e))?;
        Ok(())
    }

    async fn stack_events(&self, stack_id: &str) -> Result<Vec<super::StackEvent>, DeployError> {
        let out = self
            .client
            .describe_stack_events()
            .stack_name(stack_id)
            .send()
            .await
            .map_err(|e| err("DescribeStackEvents", e))?;
        Ok(out
            .stack_events()
            .iter()
            .map(|e| super::StackEvent {
                event_id: e.event_id().unwrap_or_default().to_string(),
                timestamp: time(e.timestamp()).unwrap_or_default(),
                logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
                resource_type: e.resource_type().unwrap_or_default().to_string(),
                physical_id: e.physical_resource_id().map(str::to_string),
                // `as_str` keeps statuses the SDK does not know (moto's REVIEW_IN_PROGRESS).
                status: e
                    .resource_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                reason: e.resource_status_reason().map(str::to_string),
            })
            .collect())
    }

    async fn create_stack_refactor(
        &self,
        stack: &str,
        template: super::refactor::TemplateRef<'_>,
        moved: &[super::plan::Moved],
    ) -> Result<String, DeployError> {
        let at = |id: &str| {
            cfn::types::ResourceLocation::builder()
                .stack_name(stack)
                .logical_resource_id(id)
                .build()
        };
        let definition = cfn::types::StackDefinition::builder().stack_name(stack);
        let definition = match template {
            super::refactor::TemplateRef::Body(b) => definition.template_body(b),
            super::refactor::TemplateRef::Url(u) => definition.template_url(u),
        };
        let mut b = self
            .client
            .create_stack_refactor()
            .description("fnplan: renamed_from")
            .enable_stack_creation(false)
            .stack_definitions(definition.build());
        for m in moved {
            b = b.resource_mappings(
                cfn::types::ResourceMapping::builder()
                    .source(at(&m.from))
                    .destination(at(&m.to))
                    .build(),
            );
        }
        let out = b.send().await.map_err(|e| err("CreateStackRefactor", e))?;
        Ok(out.stack_refactor_id().unwrap_or_default().to_string())
    }

    async fn describe_stack_refactor(
        &self,
        id: &str,
    ) -> Result<super::refactor::RefactorState, DeployError> {
        let out = self
            .client
            .describe_stack_refactor()
            .stack_refactor_id(id)
            .send()
            .await
            .map_err(|e| err("DescribeStackRefactor", e))?;
        Ok(super::refactor::RefactorState {
            status: out
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            execution_status: out
                .execution_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            reason: out
                .execution_status_reason()
                .or(out.status_reason())
                .map(str::to_string),
        })
    }

    async fn execute_stack_refactor(&self, id: &str) -> Result<(), DeployError> {
        self.client
            .execute_stack_refactor()
            .stack_refactor_id(id)
            .send()
            .await
            .map_err(|e| err("ExecuteStackRefactor", e))?;
        Ok(())
    }

    async fn delete_stack(&self, stack_id: &str) -> Result<(), DeployError> {
        self.client
            .delete_stack()
            .stack_name(stack_id)
            .set_role_arn(self.role_arn.clone())
            .send()
            .await
            .map_err(|e| err("DeleteStack", e))?;
        Ok(())
    }

    async fn detect_drift(&self, stack_id: &str) -> Result<String, DeployError> {
        // An optional look: one retry, not the five the plan's own calls get, after at most
        // 50 ms, so that an endpoint without drift detection (moto answers 500) costs no
        // seconds of backoff (with 200 ms it was a third of an unchanged plan on moto).
        let retry = cfn::config::retry::RetryConfig::standard()
            .with_max_attempts(2)
            .with_initial_backoff(std::time::Duration::from_millis(50));
        let out = self
            .client
            .detect_stack_drift()
            .stack_name(stack_id)
            .customize()
            .config_override(cfn::config::Config::builder().retry_config(retry))
            .send()
            .await
            .map_err(|e| err("DetectStackDrift", e))?;
        Ok(out
            .stack_drift_detection_id()
            .unwrap_or_default()
            .to_string())
    }

    async fn drift_detection(&self, detection_id: &str) -> Result<DriftDetection, DeployError> {
        let out = self
            .client
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(detection_id)
            .send()
            .await
            .map_err(|e| err("DescribeStackDriftDetectionStatus", e))?;
        Ok(DriftDetection {
            status: out
                .detection_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            stack_status: out.stack_drift_status().map(|s| s.as_str().to_string()),
            reason: out.detection_status_reason().map(str::to_string),
        })
    }

    async fn resource_drifts(&self, stack_id: &str) -> Result<Vec<ResourceDrift>, DeployError> {
        use cfn::types::StackResourceDriftStatus as S;
        let mut drifts = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .client
                .describe_stack_resource_drifts()
                .stack_name(stack_id)
                .stack_resource_drift_status_filters(S::Modified)
                .stack_resource_drift_status_filters(S::Deleted)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| err("DescribeStackResourceDrifts", e))?;
            drifts.extend(out.stack_resource_drifts().iter().map(resource_drift));
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        Ok(drifts)
    }

    async fn delete_change_set(&self, arn: &str) -> Result<(), DeployError> {
        self.client
            .delete_change_set()
            .change_set_name(arn)
            .send()
            .await
            .map_err(|e| err("DeleteChangeSet", e))?;
        Ok(())
    }
}

/// One `StackResourceDrift` as plan data: paths as the plan writes them, values parsed.
fn resource_drift(d: &cfn::types::StackResourceDrift) -> ResourceDrift {
    use cfn::types::StackResourceDriftStatus as S;
    let status = match d.stack_resource_drift_status() {
        Some(S::Modified) => DriftStatus::Modified,
        Some(S::Deleted) => DriftStatus::Deleted,
        Some(S::InSync) => DriftStatus::InSync,
        Some(S::NotChecked) => DriftStatus::NotChecked,
        _ => DriftStatus::Unknown,
    };
    let differences = d
        .property_differences()
        .iter()
        .map(|p| PropertyDrift {
            path: drift::property_path(p.property_path().unwrap_or_default()),
            expected: p.expected_value().map(drift::parse_value),
            actual: p.actual_value().map(drift::parse_value),
            kind: match p.difference_type() {
                Some(cfn::types::DifferenceType::Add) => DifferenceKind::Add,
                Some(cfn::types::DifferenceType::Remove) => DifferenceKind::Remove,
                _ => DifferenceKind::NotEqual,
            },
            planned: false,
        })
        .collect();
    ResourceDrift {
        logical_id: d.logical_resource_id().unwrap_or_default().to_string(),
        resource_type: d.resource_type().unwrap_or_default().to_string(),
        physical_id: d
            .physical_resource_id()
            .filter(|id| !id.is_empty())
            .map(str::to_string),
        status,
        differences,
        planned: None,
        on_apply: Vec::new(),
    }
}
