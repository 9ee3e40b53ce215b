//! `bootstrap`: a bucket name (from the flag or the spec) in; the artifact bucket created
//! through a small CloudFormation stack, or found ready; a [`BootstrapOutcome`] out.

use super::watch::{self, Start, Watched};
use super::{OpsError, SpecRef, Ui};
use crate::deploy::apply::{self as ap, StackCheck};
use crate::deploy::aws::SdkStackApi;
use crate::deploy::client::{self, AwsOptions};
use crate::deploy::{StackInfo, run};
use crate::package::upload::{self, BucketState};
use crate::template::bootstrap;

#[derive(Clone, Debug)]
pub struct BootstrapOptions {
    pub spec: SpecRef,
    pub aws: AwsOptions,
    /// The bucket to create (default: the spec's `artifacts.bucket`).
    pub artifact_bucket: Option<String>,
    /// The CloudFormation stack that owns the bucket.
    pub stack_name: String,
}

#[derive(Debug)]
pub enum BootstrapOutcome {
    /// The bucket exists outside fnplan's stack and may be used as it is.
    AlreadyUsable { bucket: String },
    /// The stack already has the bucket as it should be.
    UpToDate { bucket: String, stack: String },
    Created {
        bucket: String,
        stack: String,
        watched: Watched,
    },
    /// Nothing was done; the message says why and what to do.
    Refused(String),
}

const WHICH_BUCKET: &str = "which bucket? pass --artifact-bucket NAME or set `artifacts: { bucket: NAME }` in the spec (bucket names are global: include your account id or org name, e.g. `fnplan-artifacts-123456789012-eu-west-1`)";

/// The bucket and the stage's region. The spec is optional when the flag names the bucket.
fn bucket_and_region(o: &BootstrapOptions) -> Result<(String, Option<String>), OpsError> {
    let spec_given = o.spec.path != std::path::Path::new("fnplan.yaml") || o.spec.path.exists();
    let (bucket, region) = if spec_given || o.artifact_bucket.is_none() {
        let loaded = super::compile::load(&o.spec.path)?;
        let l = loaded.lower(o.spec.stage.as_deref())?;
        let b = crate::package::artifact_bucket(o.artifact_bucket.as_deref(), &l.model);
        (b, l.model.region.clone())
    } else {
        (o.artifact_bucket.clone(), None)
    };
    let bucket = bucket.ok_or_else(|| OpsError::Usage(WHICH_BUCKET.into()))?;
    if let Err(why) = crate::model::check_bucket_name(&bucket) {
        return Err(OpsError::Usage(format!(
            "`{bucket}` is not a valid S3 bucket name: {why}"
        )));
    }
    Ok((bucket, region))
}

pub fn bootstrap(o: &BootstrapOptions, ui: &dyn Ui) -> Result<BootstrapOutcome, OpsError> {
    let (bucket, region) = bucket_and_region(o)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let config = client::load(&o.aws, region.as_deref()).await?;
        let api = SdkStackApi::new(&config);
        let name = o.stack_name.as_str();
        let existing = match ap::check_stack(&api, name, false, true).await? {
            StackCheck::Refuse(why) => return Ok(BootstrapOutcome::Refused(why)),
            StackCheck::Ready(s) => s,
        };
        if let Some(early) = precheck(&config, existing.as_ref(), name, &bucket).await? {
            return Ok(early);
        }
        let template = bootstrap::template();
        let input = run::PlanInput {
            app: "fnplan",
            stage: "bootstrap",
            stack_name: name,
            region: client::resolve_region(&o.aws, region.as_deref()),
            template: &template,
            spec_bytes: b"",
            spec_path: String::new(),
            parameters: vec![(bootstrap::BUCKET_PARAM.to_string(), bucket.clone())],
            template_url: None,
            tags: Vec::new(),
            nested: None,
            moves: Vec::new(),
        };
        let opts = run::PlanOptions {
            change_set: crate::deploy::preview::ChangeSetMode::Auto,
            keep_change_set: true,
            // The bootstrap stack is one bucket fnplan alone manages: no drift check.
            drift: false,
            ..Default::default()
        };
        let plan = run::plan(&api, &input, opts).await?;
        let stack = name.to_string();
        let Some(cs) = &plan.change_set else {
            return Ok(BootstrapOutcome::UpToDate { bucket, stack });
        };
        ui.note(&format!(
            "Creating artifact bucket {bucket} (stack {name}) ..."
        ));
        let id = watch::stack_ref(&api, name).await?;
        let watched = watch::run(&api, &id, Start::ExecuteChangeSet(&cs.arn), ui).await?;
        Ok(BootstrapOutcome::Created {
            bucket,
            stack,
            watched,
        })
    })
}

/// Reasons to stop before planning: the stack owns another bucket, or (no stack yet) the
/// bucket already exists, usable or someone else's.
async fn precheck(
    config: &aws_config::SdkConfig,
    existing: Option<&StackInfo>,
    name: &str,
    bucket: &str,
) -> Result<Option<BootstrapOutcome>, OpsError> {
    if let Some(s) = existing {
        let current = s
            .parameters
            .iter()
            .find(|(k, _)| k == bootstrap::BUCKET_PARAM)
            .map(|(_, v)| v.as_str());
        return Ok(current.filter(|c| *c != bucket).map(|current| {
            BootstrapOutcome::Refused(format!(
                "stack {name} already owns artifact bucket `{current}`; pass --stack-name to bootstrap `{bucket}` in a stack of its own"
            ))
        }));
    }
    let store = upload::ArtifactStore::new(config, bucket);
    Ok(match store.bucket_state().await? {
        BucketState::Missing => None,
        BucketState::Yours => Some(BootstrapOutcome::AlreadyUsable {
            bucket: bucket.to_string(),
        }),
        BucketState::Forbidden => Some(BootstrapOutcome::Refused(format!(
            "bucket `{bucket}` exists and is not yours (bucket names are global); choose another name"
        ))),
    })
}
