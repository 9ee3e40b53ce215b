//! Staging for `plan` and `apply`: the compiled stage and the artifact bucket in, the
//! [`PlanInput`] CloudFormation is asked about out, with large and nested templates
//! uploaded to the bucket first.

use super::OpsError;
use super::compile::{Compiled, Deployable};
use crate::deploy::DeployError;
use crate::deploy::aws::SdkStackApi;
use crate::deploy::client::{self, AwsOptions};
use crate::deploy::run::{self, PlanInput, Stager};
use crate::limits::INLINE_TEMPLATE_BYTES;
use crate::package::{self, Artifact, upload};
use crate::template::{self, Template, split::Split};

/// The code a deployment needs in the artifact bucket, and the bucket.
pub struct Code {
    pub artifacts: Vec<Artifact>,
    pub bucket: Option<String>,
}

impl Code {
    /// The artifacts of `c` and the bucket from `--artifact-bucket` or the spec.
    pub fn of(c: &Compiled, flag: Option<&str>) -> Code {
        Code {
            artifacts: c.artifacts.clone(),
            bucket: package::artifact_bucket(flag, &c.model),
        }
    }

    /// Local code with no bucket to put it in.
    pub fn lacks_bucket(&self) -> bool {
        !self.artifacts.is_empty() && self.bucket.is_none()
    }

    /// The template parameters that name the bucket (only when there is local code).
    pub fn parameters(&self) -> Vec<(String, String)> {
        match &self.bucket {
            Some(b) if !self.artifacts.is_empty() => {
                vec![(template::ARTIFACT_BUCKET_PARAM.to_string(), b.clone())]
            }
            _ => Vec::new(),
        }
    }
}

/// AWS reached for a deployment, with the nested stacks (`--split`) already staged.
pub struct Session {
    pub config: aws_config::SdkConfig,
    pub api: SdkStackApi,
    /// The parent template with its nested stacks' `TemplateURL`s filled in.
    parent: Option<Template>,
}

impl Session {
    /// Load the AWS configuration and, with `--split`, upload the nested templates (they
    /// are part of the parent, so even a plan without a change set stages them;
    /// content-addressed, an unchanged child is not sent again). CloudFormation makes the
    /// change sets with service role `role_arn` (`--role-arn`), when given.
    pub async fn open_as(
        d: &Deployable,
        aws: &AwsOptions,
        code: &Code,
        role_arn: Option<&str>,
    ) -> Result<Self, OpsError> {
        let c = &d.compiled;
        let config = client::load(aws, c.model.region.as_deref()).await?;
        let api = SdkStackApi::new(&config).with_role_arn(role_arn.map(str::to_string));
        let parent = match &d.split {
            Some(s) => Some(stage_split(&config, code.bucket.as_deref(), c, s).await?),
            None => None,
        };
        Ok(Session {
            config,
            api,
            parent,
        })
    }

    /// What `plan` and `apply` compare with the deployed stack.
    pub fn input<'a>(&'a self, d: &'a Deployable, aws: &AwsOptions, code: &Code) -> PlanInput<'a> {
        let mut input = plan_input(d, aws, code.parameters());
        if let (Some(p), Some(s)) = (&self.parent, &d.split) {
            input.nest(p, s);
        }
        input
    }
}

/// The plan input of the compiled stage alone (not nested).
fn plan_input<'a>(
    d: &'a Deployable,
    aws: &AwsOptions,
    parameters: Vec<(String, String)>,
) -> PlanInput<'a> {
    let c = &d.compiled;
    PlanInput {
        app: &c.model.app,
        stage: &c.model.stage,
        stack_name: &c.model.stack_name,
        region: client::resolve_region(aws, c.model.region.as_deref()),
        template: &c.template,
        spec_bytes: d.loaded.file.text.as_bytes(),
        spec_path: d.loaded.file.name.clone(),
        parameters,
        template_url: None,
        tags: c.model.tags.clone(),
        nested: None,
        moves: crate::template::moves(&c.model),
    }
}

/// `--split`: upload each nested stack's template to the artifact bucket and return the
/// parent with its `TemplateURL`s pointing there. The parent then goes through
/// [`stage_template`] like any template.
async fn stage_split(
    config: &aws_config::SdkConfig,
    bucket: Option<&str>,
    c: &Compiled,
    split: &Split,
) -> Result<Template, OpsError> {
    let Some(bucket) = bucket else {
        return Err(DeployError::SplitNeedsBucket.into());
    };
    let templates: Vec<(String, String)> = split
        .children
        .iter()
        .map(|n| {
            let body = n.template.to_compact_json();
            (template_key(c, &body), body)
        })
        .collect();
    let urls = upload::put_templates(config, bucket, templates).await?;
    let mut parent = split.parent.value().clone();
    for (n, url) in split.children.iter().zip(urls) {
        if let Some(r) = parent
            .get_mut("Resources")
            .and_then(|r| r.get_mut(&n.logical_id))
        {
            r["Properties"]["TemplateURL"] = serde_json::Value::String(url);
        }
    }
    Ok(Template::from_value(parent))
}

/// A template over CloudFormation's inline limit is uploaded to the artifact bucket
/// and passed by URL; without a bucket that is an error. `template` is `c`'s own, or the
/// parent of its nested stacks (`--split`).
pub async fn stage_template(
    config: &aws_config::SdkConfig,
    bucket: Option<&str>,
    c: &Compiled,
    template: &Template,
) -> Result<Option<String>, OpsError> {
    let stager = S3Stager { config, bucket, c };
    Ok(stager.template_url(&template.to_compact_json()).await?)
}

/// Templates over the inline limit go to the artifact bucket ([`stage_template`]), when
/// `plan` makes a change set.
pub struct S3Stager<'a> {
    pub config: &'a aws_config::SdkConfig,
    pub bucket: Option<&'a str>,
    pub c: &'a Compiled,
}

impl run::Stager for S3Stager<'_> {
    async fn template_url(&self, body: &str) -> Result<Option<String>, DeployError> {
        if body.len() <= INLINE_TEMPLATE_BYTES {
            return Ok(None);
        }
        let Some(bucket) = self.bucket else {
            return Err(DeployError::TemplateNeedsBucket(body.len()));
        };
        let key = template_key(self.c, body);
        let url = upload::put_template(self.config, bucket, &key, body.to_string()).await?;
        Ok(Some(url))
    }
}

/// Where a template is kept in the artifact bucket: named by its sha256, so an unchanged
/// template keeps its URL and is not uploaded again.
fn template_key(c: &Compiled, body: &str) -> String {
    format!(
        "{}/{}/templates/{}.json",
        c.model.app,
        c.model.stage,
        run::sha256_hex(body.as_bytes())
    )
}
