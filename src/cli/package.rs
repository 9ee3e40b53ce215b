//! `fnplan package` (offline: zips and templates into a directory) and `fnplan bootstrap`
//! (the artifact bucket, through a small CloudFormation stack): flags in, files or a
//! bucket out.

use super::render::TemplateFormat;
use super::{Output, SpecArgs};
use crate::deploy::client::{self, AwsOptions};
use crate::deploy::follow::{self, Progress};
use crate::deploy::{DeployError, StackApi, aws::SdkStackApi, run};
use crate::diagnostic::Format;
use crate::exit::ExitStatus;
use crate::package::{self, bootstrap, upload};
use crate::pipeline::{self, Stop};
use crate::template::ARTIFACT_BUCKET_PARAM;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct PackageArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Write `DIR/<app>-<stage>.json` and the zips as `DIR/artifacts/<S3 key>` (all stages unless --stage).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Template format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: TemplateFormat,
    /// The artifact bucket, written as the default of the template's `ArtifactBucket` (default: the spec's `artifacts.bucket`).
    #[arg(long, value_name = "NAME")]
    pub artifact_bucket: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct BootstrapArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    #[command(flatten)]
    pub aws: AwsOptions,
    /// The bucket to create (default: the spec's `artifacts.bucket`).
    #[arg(long, value_name = "NAME")]
    pub artifact_bucket: Option<String>,
    /// The CloudFormation stack that owns the bucket.
    #[arg(long, value_name = "NAME", default_value = bootstrap::STACK_NAME)]
    pub stack_name: String,
    /// How to show progress.
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: Progress,
}

fn write_file(path: &Path, bytes: &[u8], out: &Output) -> bool {
    let r = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(path, bytes));
    match r {
        Ok(()) => true,
        Err(e) => {
            out.error(&format!("cannot write {}: {e}", path.display()));
            false
        }
    }
}

pub fn run_package(a: PackageArgs, out: &Output) -> std::io::Result<ExitStatus> {
    let loaded = match pipeline::load(&a.spec.spec) {
        Ok(l) => l,
        Err(stop) => return out.stop(stop, Format::Human),
    };
    let mut report = String::new();
    let mut uploads = 0usize;
    for stage in loaded.stages(a.spec.stage.as_deref()) {
        let mut c = match loaded.compile(Some(&stage)) {
            Ok(c) => c,
            Err(diags) => {
                return out.stop(
                    Stop::Input {
                        file: Box::new(loaded.file.clone()),
                        diags,
                    },
                    Format::Human,
                );
            }
        };
        for art in package::artifacts(&c.model) {
            let path = a.out.join("artifacts").join(&art.key);
            let same =
                std::fs::metadata(&path).is_ok_and(|m| m.len() == art.package.bytes.len() as u64);
            if !same && !write_file(&path, &art.package.bytes, out) {
                return Ok(ExitStatus::Failure);
            }
            uploads += 1;
            report.push_str(&format!(
                "{}  {} ({}, {} file(s))\n",
                path.display(),
                art.function,
                package::size(art.package.bytes.len() as u64),
                art.package.files
            ));
        }
        let bucket = package::artifact_bucket(a.artifact_bucket.as_deref(), &c.model);
        if let (Some(b), Some(p)) = (
            &bucket,
            c.template
                .value
                .pointer_mut(&format!("/Parameters/{ARTIFACT_BUCKET_PARAM}")),
        ) && let Some(p) = p.as_object_mut()
        {
            p.insert("Default".into(), serde_json::Value::String(b.clone()));
        }
        let (text, ext) = match a.format {
            TemplateFormat::Json => (c.template.to_json(), "json"),
            TemplateFormat::Yaml => (c.template.to_yaml(), "yaml"),
        };
        let path = a
            .out
            .join(format!("{}-{}.{ext}", c.model.app, c.model.stage));
        if !write_file(&path, text.as_bytes(), out) {
            return Ok(ExitStatus::Failure);
        }
        report.push_str(&format!("{}\n", path.display()));
    }
    out.print(&report)?;
    if uploads > 0 {
        out.note(&format!(
            "Upload the zips with `aws s3 sync {} s3://BUCKET/` (or let `fnplan apply` upload what is missing).",
            a.out.join("artifacts").display()
        ));
    }
    Ok(ExitStatus::Success)
}

pub fn run_bootstrap(a: BootstrapArgs, out: &Output) -> std::io::Result<ExitStatus> {
    // The spec is optional when the bucket is named on the command line.
    let spec_given = a.spec.spec != Path::new("fnplan.yaml") || a.spec.spec.exists();
    let (bucket, stage_region) = if spec_given || a.artifact_bucket.is_none() {
        let loaded = match pipeline::load(&a.spec.spec) {
            Ok(l) => l,
            Err(stop) => return out.stop(stop, Format::Human),
        };
        let c = match loaded.compile(a.spec.stage.as_deref()) {
            Ok(c) => c,
            Err(diags) => {
                let file = Box::new(loaded.file);
                return out.stop(Stop::Input { file, diags }, Format::Human);
            }
        };
        (
            package::artifact_bucket(a.artifact_bucket.as_deref(), &c.model),
            c.model.region.clone(),
        )
    } else {
        (a.artifact_bucket.clone(), None)
    };
    let Some(bucket) = bucket else {
        out.error("which bucket? pass --artifact-bucket NAME or set `artifacts: { bucket: NAME }` in the spec (bucket names are global: include your account id or org name, e.g. `fnplan-artifacts-123456789012-eu-west-1`)");
        return Ok(ExitStatus::InputError);
    };
    if let Err(why) = crate::model::check_bucket_name(&bucket) {
        out.error(&format!("`{bucket}` is not a valid S3 bucket name: {why}"));
        return Ok(ExitStatus::InputError);
    }
    let (progress, color) = super::apply::progress_color(a.progress, out);
    let rt = super::stack::runtime()?;
    let r: Result<ExitStatus, DeployError> = rt.block_on(async {
        let config = client::load(&a.aws, stage_region.as_deref()).await?;
        let api = SdkStackApi::new(&config);
        let store = upload::ArtifactStore::new(&config, &bucket);
        let name = a.stack_name.as_str();
        let existing = match crate::deploy::apply::check_stack(&api, name, false, true).await? {
            crate::deploy::apply::StackCheck::Refuse(why) => {
                out.error(&why);
                return Ok(ExitStatus::Failure);
            }
            crate::deploy::apply::StackCheck::Ready(s) => s,
        };
        if let Some(s) = &existing {
            let current = s
                .parameters
                .iter()
                .find(|(k, _)| k == bootstrap::BUCKET_PARAM)
                .map(|(_, v)| v.as_str());
            if let Some(current) = current
                && current != bucket
            {
                out.error(&format!(
                    "stack {name} already owns artifact bucket `{current}`; pass --stack-name to bootstrap `{bucket}` in a stack of its own"
                ));
                return Ok(ExitStatus::Failure);
            }
        } else {
            match store.bucket_state().await? {
                upload::BucketState::Missing => {}
                upload::BucketState::Yours => {
                    out.print(&format!(
                        "Bucket {bucket} already exists and is usable; it was not created by `fnplan bootstrap`, so its settings are left as they are.\n"
                    ))?;
                    return Ok(ExitStatus::Success);
                }
                upload::BucketState::Forbidden => {
                    out.error(&format!(
                        "bucket `{bucket}` exists and is not yours (bucket names are global); choose another name"
                    ));
                    return Ok(ExitStatus::Failure);
                }
            }
        }
        let template = bootstrap::template();
        let input = run::PlanInput {
            app: "fnplan",
            stage: "bootstrap",
            stack_name: name,
            region: client::resolve_region(&a.aws, stage_region.as_deref()),
            template: &template,
            spec_bytes: b"",
            spec_path: String::new(),
            parameters: vec![(bootstrap::BUCKET_PARAM.to_string(), bucket.clone())],
            template_url: None,
            tags: Vec::new(),
            nested: None,
        };
        let opts = run::PlanOptions {
            change_set: true,
            keep_change_set: true,
            ..Default::default()
        };
        let plan = run::plan(&api, &input, opts).await?;
        let Some(cs) = &plan.change_set else {
            out.print(&format!(
                "Artifact bucket {bucket} is ready (stack {name} is up to date).\n"
            ))?;
            return Ok(ExitStatus::Success);
        };
        out.note(&format!("Creating artifact bucket {bucket} (stack {name}) ..."));
        let stack = api
            .describe_stack(name)
            .await?
            .map(|s| s.stack_id)
            .unwrap_or_else(|| name.to_string());
        let seen = follow::existing_event_ids(&api, &stack)
            .await
            .unwrap_or_default();
        api.execute_change_set(&cs.arn).await?;
        let followed =
            super::apply::follow_or_interrupt(&api, &stack, seen, progress, color, name, out)
                .await?;
        let status = super::apply::report(followed, name, out)?;
        if status == ExitStatus::Success {
            out.print(&format!(
                "Artifact bucket {bucket} is ready: pass `--artifact-bucket {bucket}` or set `artifacts: {{ bucket: {bucket} }}` in the spec.\n"
            ))?;
        }
        Ok(status)
    });
    r.or_else(|e| {
        out.error(&e.to_string());
        Ok(ExitStatus::Failure)
    })
}
