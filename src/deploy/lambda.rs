//! Lambda calls of `apply --hot` and of the hot-swap check in `plan`: a function name and
//! new code or environment in, the function's state out. AWS is reached only through the
//! [`FunctionApi`] trait, whose one implementation ([`SdkFunctionApi`]) uses the AWS SDK.

use super::DeployError;
use super::aws::err;
use aws_sdk_lambda as lambda;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The tag `apply --hot` puts on each function it updated: the artifact key (S3Key) it
/// now runs. The stack still names the old one until a normal `apply`, which removes it.
pub const HOT_TAG: &str = "fnplan:hot-swapped";

/// What fnplan needs to know of a deployed function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunctionState {
    pub arn: String,
    /// Base64 sha256 of the deployment package, as Lambda reports it.
    pub code_sha256: String,
    pub last_modified: String,
    /// The environment variables it runs with (resolved values).
    pub env: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
}

impl FunctionState {
    /// The artifact key a hot swap left on it, if one did.
    pub fn hot_swapped(&self) -> Option<&str> {
        self.tags.get(HOT_TAG).map(String::as_str)
    }
}

/// The Lambda calls fnplan makes; one SDK implementation, tested against moto.
#[allow(async_fn_in_trait)]
pub trait FunctionApi {
    /// `None` when there is no such function.
    async fn get_function(&self, name: &str) -> Result<Option<FunctionState>, DeployError>;
    /// UpdateFunctionCode from an S3 object.
    async fn update_code(&self, name: &str, bucket: &str, key: &str) -> Result<(), DeployError>;
    /// UpdateFunctionConfiguration with these environment variables (all of them).
    async fn update_env(
        &self,
        name: &str,
        env: &BTreeMap<String, String>,
    ) -> Result<(), DeployError>;
    /// Wait until the last update is no longer `InProgress` (real Lambda refuses the next
    /// update until then).
    async fn wait_updated(&self, name: &str) -> Result<(), DeployError>;
    /// PublishVersion: the new version's number.
    async fn publish_version(&self, name: &str) -> Result<String, DeployError>;
    /// Point alias `alias` at `version`.
    async fn update_alias(&self, name: &str, alias: &str, version: &str)
    -> Result<(), DeployError>;
    async fn tag(&self, arn: &str, key: &str, value: &str) -> Result<(), DeployError>;
    async fn untag(&self, arn: &str, key: &str) -> Result<(), DeployError>;
}

pub struct SdkFunctionApi {
    client: lambda::Client,
}

impl SdkFunctionApi {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        SdkFunctionApi {
            client: lambda::Client::new(config),
        }
    }
}

impl FunctionApi for SdkFunctionApi {
    async fn get_function(&self, name: &str) -> Result<Option<FunctionState>, DeployError> {
        let out = match self.client.get_function().function_name(name).send().await {
            Ok(o) => o,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(err("GetFunction", e)),
        };
        let Some(c) = out.configuration() else {
            return Ok(None);
        };
        let env = c
            .environment()
            .and_then(|e| e.variables())
            .map(|v| v.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let tags = out
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        Ok(Some(FunctionState {
            arn: c.function_arn().unwrap_or_default().to_string(),
            code_sha256: c.code_sha256().unwrap_or_default().to_string(),
            last_modified: c.last_modified().unwrap_or_default().to_string(),
            env,
            tags,
        }))
    }

    async fn update_code(&self, name: &str, bucket: &str, key: &str) -> Result<(), DeployError> {
        self.client
            .update_function_code()
            .function_name(name)
            .s3_bucket(bucket)
            .s3_key(key)
            .send()
            .await
            .map_err(|e| err("UpdateFunctionCode", e))?;
        Ok(())
    }

    async fn update_env(
        &self,
        name: &str,
        env: &BTreeMap<String, String>,
    ) -> Result<(), DeployError> {
        let vars = env.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let environment = lambda::types::Environment::builder()
            .set_variables(Some(vars))
            .build();
        self.client
            .update_function_configuration()
            .function_name(name)
            .environment(environment)
            .send()
            .await
            .map_err(|e| err("UpdateFunctionConfiguration", e))?;
        Ok(())
    }

    async fn wait_updated(&self, name: &str) -> Result<(), DeployError> {
        let start = Instant::now();
        let mut delay = Duration::from_millis(50);
        loop {
            let out = self
                .client
                .get_function_configuration()
                .function_name(name)
                .send()
                .await
                .map_err(|e| err("GetFunctionConfiguration", e))?;
            let busy = out
                .last_update_status()
                .is_some_and(|s| *s == lambda::types::LastUpdateStatus::InProgress);
            if !busy || start.elapsed() > Duration::from_secs(300) {
                return Ok(());
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(2));
        }
    }

    async fn publish_version(&self, name: &str) -> Result<String, DeployError> {
        let out = self
            .client
            .publish_version()
            .function_name(name)
            .description("fnplan apply --hot")
            .send()
            .await
            .map_err(|e| err("PublishVersion", e))?;
        Ok(out.version().unwrap_or_default().to_string())
    }

    async fn update_alias(
        &self,
        name: &str,
        alias: &str,
        version: &str,
    ) -> Result<(), DeployError> {
        self.client
            .update_alias()
            .function_name(name)
            .name(alias)
            .function_version(version)
            .send()
            .await
            .map_err(|e| err("UpdateAlias", e))?;
        Ok(())
    }

    async fn tag(&self, arn: &str, key: &str, value: &str) -> Result<(), DeployError> {
        self.client
            .tag_resource()
            .resource(arn)
            .tags(key, value)
            .send()
            .await
            .map_err(|e| err("TagResource", e))?;
        Ok(())
    }

    async fn untag(&self, arn: &str, key: &str) -> Result<(), DeployError> {
        self.client
            .untag_resource()
            .resource(arn)
            .tag_keys(key)
            .send()
            .await
            .map_err(|e| err("UntagResource", e))?;
        Ok(())
    }
}
