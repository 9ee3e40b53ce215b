//! The artifact bucket through the S3 API: which zips it lacks (HeadObject) and uploading
//! them (PutObject), a few at a time, one progress line per upload.

use super::{Artifact, PackageError, package_dir, size};
use crate::aws_error::{AwsError, from_sdk as err};
use aws_sdk_s3 as s3;
use aws_sdk_s3::error::SdkError;
use std::time::{Duration, Instant};

/// How many S3 requests run at once.
pub const PARALLEL: usize = 4;

/// One artifact bucket.
#[derive(Clone, Debug)]
pub struct ArtifactStore {
    client: s3::Client,
    bucket: String,
}

/// What HeadBucket found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BucketState {
    Missing,
    /// Exists and these credentials may use it.
    Yours,
    /// Exists but access is denied (another account's bucket, or missing permissions).
    Forbidden,
}

/// One finished upload.
#[derive(Clone, Debug)]
pub struct Uploaded {
    pub artifact: Artifact,
    /// The zip's size in bytes.
    pub zipped: u64,
    pub elapsed: Duration,
}

/// Why code could not be uploaded.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// The directory could not be zipped (changed since it was fingerprinted, or too big).
    #[error("cannot package the code of {functions}: {error}")]
    Zip {
        /// The functions that use the code, for people (`api, worker`).
        functions: String,
        error: PackageError,
    },
}

impl ArtifactStore {
    /// Path-style addressing, so that a loopback endpoint (an emulator) works too.
    pub fn new(config: &aws_config::SdkConfig, bucket: &str) -> Self {
        let conf = s3::config::Builder::from(config)
            .force_path_style(true)
            .build();
        ArtifactStore {
            client: s3::Client::from_conf(conf),
            bucket: bucket.to_string(),
        }
    }

    pub fn from_client(client: s3::Client, bucket: &str) -> Self {
        ArtifactStore {
            client,
            bucket: bucket.to_string(),
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    pub fn url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    /// Whether the bucket exists (and is reachable with these credentials).
    pub async fn bucket_exists(&self) -> Result<bool, AwsError> {
        Ok(self.bucket_state().await? == BucketState::Yours)
    }

    /// What HeadBucket says of the bucket.
    pub async fn bucket_state(&self) -> Result<BucketState, AwsError> {
        match self.client.head_bucket().bucket(&self.bucket).send().await {
            Ok(_) => Ok(BucketState::Yours),
            Err(e) if status(&e) == Some(404) => Ok(BucketState::Missing),
            Err(e) if status(&e) == Some(403) => Ok(BucketState::Forbidden),
            Err(e) => Err(err("HeadBucket", e)),
        }
    }

    /// Whether `key` is in the bucket.
    pub async fn exists(&self, key: &str) -> Result<bool, AwsError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if status(&e) == Some(404) => Ok(false),
            Err(e) => Err(err("HeadObject", e)),
        }
    }

    /// The artifacts the bucket lacks, in the given order, each key once (an artifact is
    /// already one per code directory; a key given twice is still asked about and
    /// uploaded once). An error when the bucket itself is missing (it says how to create
    /// it).
    pub async fn missing(&self, artifacts: &[Artifact]) -> Result<Vec<Artifact>, AwsError> {
        if artifacts.is_empty() {
            return Ok(Vec::new());
        }
        match self.bucket_state().await? {
            BucketState::Yours => {}
            BucketState::Missing => return Err(self.no_bucket()),
            BucketState::Forbidden => {
                return Err(AwsError::Service {
                    operation: "HeadBucket",
                    code: "Forbidden".into(),
                    message: format!(
                        "access to artifact bucket `{}` is denied: it belongs to another account, or these credentials lack s3:ListBucket on it",
                        self.bucket
                    ),
                });
            }
        }
        let mut keys = std::collections::HashSet::new();
        let unique: Vec<(usize, Artifact)> = artifacts
            .iter()
            .enumerate()
            .filter(|(_, a)| keys.insert(a.key.as_str()))
            .map(|(i, a)| (i, a.clone()))
            .collect();
        let found = limited(
            unique,
            |(i, a): (usize, Artifact)| {
                let me = self.clone();
                async move { me.exists(&a.key).await.map(|e| (i, e)) }
            },
            |_| {},
        )
        .await?;
        let mut missing: Vec<usize> = found
            .into_iter()
            .filter(|(_, e)| !e)
            .map(|(i, _)| i)
            .collect();
        missing.sort_unstable();
        Ok(missing.into_iter().map(|i| artifacts[i].clone()).collect())
    }

    /// Upload what the bucket lacks; `progress` gets one line per finished upload.
    pub async fn upload_missing(
        &self,
        artifacts: &[Artifact],
        progress: &mut dyn FnMut(&str),
    ) -> Result<Vec<Uploaded>, UploadError> {
        let missing = self.missing(artifacts).await?;
        let bucket = self.bucket.clone();
        limited(
            missing,
            |a: Artifact| {
                let me = self.clone();
                async move {
                    let start = Instant::now();
                    let zipped = me.put(&a).await?;
                    Ok(Uploaded {
                        artifact: a,
                        zipped,
                        elapsed: start.elapsed(),
                    })
                }
            },
            |u: &Uploaded| {
                progress(&format!(
                    "uploaded {}: s3://{bucket}/{} ({}, {:.1}s)",
                    u.artifact.users(),
                    u.artifact.key,
                    size(u.zipped),
                    u.elapsed.as_secs_f64()
                ))
            },
        )
        .await
    }

    /// Zip `a`'s directory (off the async thread) and PutObject it with the zip's sha256
    /// as the object's checksum (S3 verifies it); the zip's size out.
    pub async fn put(&self, a: &Artifact) -> Result<u64, UploadError> {
        let dir = a.dir.clone();
        let zipped = tokio::task::spawn_blocking(move || package_dir(&dir))
            .await
            .map_err(|e| AwsError::Transport {
                operation: "packaging",
                message: e.to_string(),
            })?
            .map_err(|error| UploadError::Zip {
                functions: a.users(),
                error,
            })?;
        let bytes = &zipped.bytes;
        let checksum = aws_smithy_types::base64::encode(
            <sha2::Sha256 as sha2::Digest>::digest(bytes).as_slice(),
        );
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(&a.key)
            .content_type("application/zip")
            .checksum_sha256(checksum)
            .body(s3::primitives::ByteStream::from(bytes.clone()))
            .send()
            .await
            .map_err(|e| err("PutObject", e))?;
        Ok(bytes.len() as u64)
    }

    fn no_bucket(&self) -> AwsError {
        AwsError::Service {
            operation: "HeadBucket",
            code: "NotFound".into(),
            message: format!(
                "artifact bucket `{b}` does not exist in this account and region; `fnplan bootstrap --artifact-bucket {b}` creates it",
                b = self.bucket
            ),
        }
    }
}

/// Run `f` over `items`, [`PARALLEL`] at a time; `done` sees each result as it finishes.
/// The first error stops it (requests already sent finish in the background).
async fn limited<T, R, E, F, Fut>(
    items: Vec<T>,
    f: F,
    mut done: impl FnMut(&R),
) -> Result<Vec<R>, E>
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = Result<R, E>> + Send + 'static,
    R: Send + 'static,
    E: From<AwsError> + Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    let mut queue = items.into_iter();
    let mut out = Vec::new();
    loop {
        while set.len() < PARALLEL {
            match queue.next() {
                Some(item) => {
                    set.spawn(f(item));
                }
                None => break,
            }
        }
        let Some(joined) = set.join_next().await else {
            break;
        };
        let r = joined.map_err(|e| {
            E::from(AwsError::Transport {
                operation: "S3",
                message: e.to_string(),
            })
        })??;
        done(&r);
        out.push(r);
    }
    Ok(out)
}

fn status<E>(e: &SdkError<E, s3::config::http::HttpResponse>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

/// What `plan` found in the artifact bucket.
#[derive(Clone, Debug)]
pub enum CodeCheck {
    /// No function has local code.
    NoLocalCode,
    /// Local code, but no bucket was named.
    NoBucket,
    BucketMissing(String),
    Checked {
        bucket: String,
        /// The zips `apply` would upload, in spec order.
        missing: Vec<Artifact>,
        total: usize,
    },
}

impl CodeCheck {
    /// Lines for people (stderr).
    pub fn describe(&self) -> Vec<String> {
        match self {
            CodeCheck::NoLocalCode => Vec::new(),
            CodeCheck::NoBucket => vec![format!("Code: {}", super::NO_BUCKET)],
            CodeCheck::BucketMissing(b) => vec![format!(
                "Code: artifact bucket {b} does not exist yet; `fnplan bootstrap --artifact-bucket {b}` creates it (apply fails without it)"
            )],
            CodeCheck::Checked {
                bucket,
                missing,
                total,
            } if missing.is_empty() => {
                vec![format!(
                    "Code: all {total} zip(s) are already in s3://{bucket}"
                )]
            }
            CodeCheck::Checked {
                bucket,
                missing,
                total,
            } => {
                let mut v = vec![format!(
                    "Code: {} of {total} zip(s) are not in s3://{bucket} yet; `fnplan apply` uploads them:",
                    missing.len()
                )];
                let users: Vec<String> = missing.iter().map(Artifact::users).collect();
                let w = users.iter().map(String::len).max().unwrap_or(0);
                for (a, users) in missing.iter().zip(&users) {
                    v.push(format!(
                        "  {users:<w$}  s3://{bucket}/{} ({} unzipped)",
                        a.key,
                        size(a.measure.unzipped)
                    ));
                }
                v
            }
        }
    }
}

/// Upload a large template (content-addressed: skipped when already there) and return
/// the URL CloudFormation reads it from.
pub async fn put_template(
    config: &aws_config::SdkConfig,
    bucket: &str,
    key: &str,
    body: String,
) -> Result<String, AwsError> {
    let mut urls = put_templates(config, bucket, vec![(key.to_string(), body)]).await?;
    Ok(urls.pop().expect("one template in, one URL out"))
}

/// Upload templates (`(key, body)`, content-addressed: each skipped when already there)
/// and return their URLs in order; the bucket is checked once.
pub async fn put_templates(
    config: &aws_config::SdkConfig,
    bucket: &str,
    templates: Vec<(String, String)>,
) -> Result<Vec<String>, AwsError> {
    let store = ArtifactStore::new(config, bucket);
    if store.bucket_state().await? == BucketState::Missing {
        return Err(store.no_bucket());
    }
    let region = config
        .region()
        .map_or("us-east-1".to_string(), |r| r.to_string());
    let mut urls = Vec::with_capacity(templates.len());
    for (key, body) in templates {
        if !store.exists(&key).await? {
            store
                .client
                .put_object()
                .bucket(bucket)
                .key(&key)
                .content_type("application/json")
                .body(s3::primitives::ByteStream::from(body.into_bytes()))
                .send()
                .await
                .map_err(|e| err("PutObject", e))?;
        }
        urls.push(format!("https://{bucket}.s3.{region}.amazonaws.com/{key}"));
    }
    Ok(urls)
}

/// `plan`: which zips the bucket lacks (HeadObject only; nothing is uploaded).
pub async fn check(
    config: &aws_config::SdkConfig,
    bucket: Option<&str>,
    artifacts: &[Artifact],
) -> Result<CodeCheck, AwsError> {
    if artifacts.is_empty() {
        return Ok(CodeCheck::NoLocalCode);
    }
    let Some(bucket) = bucket else {
        return Ok(CodeCheck::NoBucket);
    };
    let store = ArtifactStore::new(config, bucket);
    if store.bucket_state().await? == BucketState::Missing {
        return Ok(CodeCheck::BucketMissing(bucket.to_string()));
    }
    Ok(CodeCheck::Checked {
        bucket: bucket.to_string(),
        missing: store.missing(artifacts).await?,
        total: artifacts.len(),
    })
}

/// `apply`: upload the zips the bucket lacks, one progress line each on `note`.
pub async fn ensure(
    config: &aws_config::SdkConfig,
    bucket: &str,
    artifacts: &[Artifact],
    note: &mut dyn FnMut(&str),
) -> Result<Vec<Uploaded>, UploadError> {
    if artifacts.is_empty() {
        return Ok(Vec::new());
    }
    let store = ArtifactStore::new(config, bucket);
    let done = store.upload_missing(artifacts, note).await?;
    if done.is_empty() {
        note(&format!(
            "Code: all {} zip(s) are already in s3://{bucket}",
            artifacts.len()
        ));
    } else {
        note(&format!(
            "Code: uploaded {} of {} zip(s) to s3://{bucket}",
            done.len(),
            artifacts.len()
        ));
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(functions: &[&str], key: &str) -> Artifact {
        Artifact {
            owner: super::super::CodeOwner::Function(0),
            functions: functions.iter().map(|f| f.to_string()).collect(),
            layer: None,
            key: key.to_string(),
            dir: std::path::PathBuf::from("src"),
            measure: super::super::Measure {
                files: 1,
                unzipped: 2048,
                largest: Vec::new(),
            },
        }
    }

    #[test]
    fn plan_lists_each_missing_zip_once_with_the_functions_using_it() {
        let check = CodeCheck::Checked {
            bucket: "b".into(),
            missing: vec![
                artifact(&["api", "worker"], "app/dev/code/src-1.zip"),
                artifact(&["jobs"], "app/dev/code/jobs-2.zip"),
            ],
            total: 3,
        };
        assert_eq!(
            check.describe(),
            [
                "Code: 2 of 3 zip(s) are not in s3://b yet; `fnplan apply` uploads them:",
                "  api, worker  s3://b/app/dev/code/src-1.zip (2.0 KB unzipped)",
                "  jobs         s3://b/app/dev/code/jobs-2.zip (2.0 KB unzipped)",
            ]
        );
    }
}
