//! Packaging: each function's local code directory in, a deterministic zip named by its
//! sha256 out ([`archive`]), or without zipping its size and content fingerprint
//! ([`fingerprint`]); and the artifact bucket: which zips it lacks, uploading them
//! ([`upload`]).

pub mod archive;
pub mod fingerprint;
pub mod upload;

pub use archive::{
    CACHE_DIR, DEFAULT_EXCLUDES, IGNORE_FILE, Limits, MAX_UNZIPPED, MAX_ZIPPED, Package,
    PackageError, mb, package_dir, package_dir_with,
};
pub use fingerprint::{
    CodeFile, Fingerprint, FingerprintCache, Measure, code_files, default_cache_path, fingerprint,
    fingerprint_with, measure, measure_with,
};

use crate::model::{CodeSource, Model};
use std::sync::Arc;

/// One function's zip and where it goes in the artifact bucket.
#[derive(Clone, Debug)]
pub struct Artifact {
    pub function: String,
    /// `<app>/<stage>/<function>/<sha256>.zip`.
    pub key: String,
    pub package: Arc<Package>,
}

/// The zips of the model's functions with local code, in spec order.
pub fn artifacts(model: &Model) -> Vec<Artifact> {
    model
        .functions
        .iter()
        .filter_map(|f| match &f.code {
            CodeSource::Local { hash, package, .. } => Some(Artifact {
                function: f.name.clone(),
                key: crate::template::artifact_key(model, f, hash),
                package: Arc::clone(package),
            }),
            CodeSource::S3 { .. } => None,
        })
        .collect()
}

/// The artifact bucket: `--artifact-bucket`, else the spec's `artifacts.bucket`.
pub fn artifact_bucket(flag: Option<&str>, model: &Model) -> Option<String> {
    flag.map(str::to_string)
        .or_else(|| model.artifact_bucket.as_ref().map(|(b, _)| b.clone()))
}

/// Bytes for people: KB below a megabyte, else MB.
pub fn size(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        mb(bytes)
    }
}

/// Why a command that needs the artifact bucket cannot go on without one.
pub const NO_BUCKET: &str = "functions with local code need an artifact bucket: pass --artifact-bucket NAME or set `artifacts: { bucket: NAME }` in the spec (`fnplan bootstrap --artifact-bucket NAME` creates one)";
