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

use crate::model::{CodeSource, Function, Model};
use std::path::PathBuf;

/// One function's local code and where its zip goes in the artifact bucket.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// The function's index in `model.functions`.
    pub index: usize,
    pub function: String,
    /// `<app>/<stage>/<function>/<fingerprint>.zip`.
    pub key: String,
    /// The code directory, zipped when the zip is needed (`package`, an upload).
    pub dir: PathBuf,
    /// Its files and unzipped size.
    pub measure: Measure,
}

/// Where a function's zip goes in the artifact bucket: named by the fingerprint of its
/// code, so unchanged code keeps its key and is not uploaded again.
pub fn artifact_key(model: &Model, f: &Function, fingerprint: &str) -> String {
    format!(
        "{}/{}/{}/{}.zip",
        model.app, model.stage, f.name, fingerprint
    )
}

/// The model's functions with local code, in spec order, with their directories.
fn local_code(model: &Model) -> impl Iterator<Item = (usize, &Function, &PathBuf)> {
    model
        .functions
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match &f.code {
            CodeSource::Local { dir, .. } => Some((i, f, dir)),
            CodeSource::S3 { .. } => None,
        })
}

/// Fingerprint every function's local code (files unchanged since `cache` saw them are
/// not read again): the artifacts in spec order, or every failing function (its index in
/// `model.functions`) with the reason.
pub fn artifacts(
    model: &Model,
    cache: &mut FingerprintCache,
) -> Result<Vec<Artifact>, Vec<(usize, PackageError)>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, f, dir) in local_code(model) {
        match fingerprint(dir, cache) {
            Ok(fp) => out.push(Artifact {
                index: i,
                function: f.name.clone(),
                key: artifact_key(model, f, &fp.sha256),
                dir: dir.clone(),
                measure: fp.measure,
            }),
            Err(e) => errors.push((i, e)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Lambda's size limit on every function's local code, from file metadata alone (no
/// code file is opened): each failing function's index with the reason.
pub fn check_sizes(model: &Model) -> Vec<(usize, PackageError)> {
    local_code(model)
        .filter_map(|(i, _, dir)| measure(dir).err().map(|e| (i, e)))
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
