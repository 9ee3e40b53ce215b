//! AWS configuration: `--region`/`--profile`/`--endpoint-url` and the stage's region in,
//! a ready `SdkConfig` out, or a clear error within a second when there is no region or
//! no credentials (never after seconds of instance-metadata time-outs).

use super::DeployError;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use std::time::Duration;

/// Flags that choose the AWS account, region and endpoint.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct AwsOptions {
    /// AWS region (default: the stage's `region`, then AWS_REGION / the profile's region).
    #[arg(long)]
    pub region: Option<String>,
    /// Named profile from ~/.aws/config.
    #[arg(long)]
    pub profile: Option<String>,
    /// Send AWS calls to this endpoint (a local emulator); AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

/// Where the region came from, for messages.
pub fn resolve_region(opts: &AwsOptions, stage_region: Option<&str>) -> Option<String> {
    opts.region
        .clone()
        .or_else(|| stage_region.map(str::to_string))
        .or_else(|| std::env::var("AWS_REGION").ok().filter(|s| !s.is_empty()))
        .or_else(|| {
            std::env::var("AWS_DEFAULT_REGION")
                .ok()
                .filter(|s| !s.is_empty())
        })
}

/// Load the SDK configuration and check that credentials resolve.
pub async fn load(opts: &AwsOptions, stage_region: Option<&str>) -> Result<SdkConfig, DeployError> {
    // A short-fused instance-metadata client: off EC2 it fails in well under a second
    // instead of the default chain's several seconds of retries.
    let imds = aws_config::imds::Client::builder()
        .connect_timeout(Duration::from_millis(300))
        .read_timeout(Duration::from_millis(500))
        .max_attempts(1)
        .build();
    let mut region = resolve_region(opts, stage_region);
    let mut chain = aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
        .imds_client(imds);
    if let Some(p) = &opts.profile {
        chain = chain.profile_name(p);
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if region.is_none() {
        // The profile may name a region (~/.aws/config); the metadata lookup is skipped.
        let mut r = aws_config::profile::ProfileFileRegionProvider::builder();
        if let Some(p) = &opts.profile {
            r = r.profile_name(p);
        }
        use aws_config::meta::region::ProvideRegion;
        region = r.build().region().await.map(|r| r.to_string());
    }
    let Some(region) = region else {
        return Err(DeployError::NoRegion);
    };
    let region = Region::new(region);
    chain = chain.region(region.clone());
    let chain = chain.build().await;
    // Resolve credentials once, up front, with a deadline.
    match tokio::time::timeout(Duration::from_secs(3), chain.provide_credentials()).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(DeployError::NoCredentials(describe_cred_error(&e))),
        Err(_) => {
            return Err(DeployError::NoCredentials(
                "looking up credentials took over 3 s".into(),
            ));
        }
    }
    // Throttling, 5xx and dropped connections: the SDK's standard mode with jittered
    // exponential backoff, a little more patient than its default of 3 attempts.
    let retry = aws_config::retry::RetryConfig::standard()
        .with_max_attempts(5)
        .with_initial_backoff(Duration::from_millis(200));
    loader = loader
        .region(region)
        .credentials_provider(chain)
        .retry_config(retry);
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    Ok(loader.load().await)
}

fn describe_cred_error(e: &aws_credential_types::provider::error::CredentialsError) -> String {
    use std::error::Error;
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        s.push_str(": ");
        s.push_str(&x.to_string());
        src = x.source();
    }
    s
}
