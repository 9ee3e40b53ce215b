//! `package` (offline): a spec and a directory in; each stage's code zips (one per code
//! directory, whichever functions share it) as `DIR/artifacts/<S3 key>` and its template (the artifact bucket as the parameter's
//! default) as `DIR/<app>-<stage>.<ext>`; a [`PackageOutcome`] listing them out.

use super::compile::{self, CodeNeed};
use super::render::TemplateFormat;
use super::{OpsError, SpecRef};
use crate::package;
use crate::template::{ARTIFACT_BUCKET_PARAM, Template};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct PackageOptions {
    pub spec: SpecRef,
    pub out: PathBuf,
    pub format: TemplateFormat,
    pub artifact_bucket: Option<String>,
}

/// One file `package` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackagedFile {
    /// A code directory's zip: its path, the functions that use it (spec order), size in
    /// bytes and file count.
    Zip {
        path: PathBuf,
        functions: Vec<String>,
        bytes: u64,
        files: usize,
    },
    Template(PathBuf),
}

#[derive(Debug)]
pub struct PackageOutcome {
    pub files: Vec<PackagedFile>,
    /// `DIR/artifacts`, where the zips are (to sync to the bucket).
    pub artifacts_dir: PathBuf,
}

impl PackageOutcome {
    pub fn zips(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f, PackagedFile::Zip { .. }))
            .count()
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OpsError> {
    path.parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(path, bytes))
        .map_err(|e| OpsError::write(path, e))
}

pub fn package(o: &PackageOptions) -> Result<PackageOutcome, OpsError> {
    let loaded = compile::load(&o.spec.path)?;
    let mut files = Vec::new();
    for stage in loaded.stages(o.spec.stage.as_deref()) {
        let mut c = loaded.compile(Some(&stage), CodeNeed::Fingerprints)?;
        for art in std::mem::take(&mut c.artifacts) {
            let path = o.out.join("artifacts").join(&art.key);
            let zip = package::package_dir(&art.dir)
                .map_err(|e| loaded.code_error(&c.model, art.owner, &e))?;
            let bytes = zip.bytes.len() as u64;
            // The key names the content: a file of the same size is the same zip.
            if !std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes) {
                write_file(&path, &zip.bytes)?;
            }
            files.push(PackagedFile::Zip {
                path,
                functions: match &art.layer {
                    Some(_) => vec![art.users()],
                    None => art.functions,
                },
                bytes,
                files: zip.files,
            });
        }
        let bucket = package::artifact_bucket(o.artifact_bucket.as_deref(), &c.model);
        let mut value = c.template.value().clone();
        let param = value
            .pointer_mut(&format!("/Parameters/{ARTIFACT_BUCKET_PARAM}"))
            .and_then(|p| p.as_object_mut());
        if let (Some(b), Some(p)) = (bucket, param) {
            p.insert("Default".into(), serde_json::Value::String(b));
        }
        let ext = o.format.ext();
        let path = o
            .out
            .join(format!("{}-{}.{ext}", c.model.app, c.model.stage));
        let template = Template::from_value(value);
        write_file(&path, o.format.text(&template).as_bytes())?;
        files.push(PackagedFile::Template(path));
    }
    Ok(PackageOutcome {
        files,
        artifacts_dir: o.out.join("artifacts"),
    })
}
