//! `fnplan package` (offline: zips and templates into a directory) and `fnplan bootstrap`
//! (the artifact bucket): flags in, options to the operations; what was written or
//! created out.

use super::apply::show_watched;
use super::{Output, SpecArgs};
use crate::deploy::client::AwsOptions;
use crate::deploy::follow::Progress;
use crate::ops::apply::Refusal;
use crate::ops::bootstrap::{self, BootstrapOptions, BootstrapOutcome};
use crate::ops::ci::{self, CiArns, CiOptions, CiOutcome};
use crate::ops::package::{self, PackageOptions, PackageOutcome, PackagedFile};
use crate::ops::render::TemplateFormat;
use crate::ops::watch::Watched;
use crate::ops::{OpsError, Outcome, Ui};
use crate::template::bootstrap::STACK_NAME;
use std::path::PathBuf;

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
    /// The bucket to create (with --ci: the one the CI roles may use; default: the
    /// spec's `artifacts.bucket`).
    #[arg(long, value_name = "NAME")]
    pub artifact_bucket: Option<String>,
    /// The CloudFormation stack that owns the bucket.
    #[arg(long, value_name = "NAME", default_value = STACK_NAME)]
    pub stack_name: String,
    /// How to show progress.
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: Progress,
    /// Instead of the bucket: create (or update) the OIDC provider of this CI repository,
    /// a plan and an apply role only its jobs can assume, and the CloudFormation service
    /// role (`github:OWNER/REPO` or `gitlab:GROUP/PROJECT`; see docs/ci.md).
    #[arg(long, value_name = "SYSTEM:REPO")]
    pub ci: Option<String>,
    /// With --ci: only jobs of this ref may assume the apply role (`refs/heads/main`,
    /// `refs/tags/v1`, or on GitHub `environment:NAME`); default: any ref of the repository.
    #[arg(long, value_name = "REF", requires = "ci")]
    pub ci_apply_ref: Option<String>,
    /// With --ci: delete the roles (and the provider, unless another app's roles trust it).
    #[arg(long, requires = "ci")]
    pub remove: bool,
    /// With --ci: make the IAM changes without asking (for scripts).
    #[arg(long, alias = "auto-approve", requires = "ci")]
    pub yes: bool,
}

pub fn run_package(a: PackageArgs) -> Result<Outcome, OpsError> {
    let o = PackageOptions {
        spec: a.spec.spec_ref(),
        out: a.out,
        format: a.format,
        artifact_bucket: a.artifact_bucket,
    };
    package::package(&o).map(Outcome::Package)
}

pub fn show_package(p: &PackageOutcome, out: &Output) -> std::io::Result<()> {
    let mut report = String::new();
    for f in &p.files {
        match f {
            PackagedFile::Zip {
                path,
                functions,
                bytes,
                files,
            } => report.push_str(&format!(
                "{}  {} ({}, {files} file(s))\n",
                path.display(),
                functions.join(", "),
                crate::package::size(*bytes)
            )),
            PackagedFile::Template(path) => report.push_str(&format!("{}\n", path.display())),
        }
    }
    out.print(&report)?;
    if p.zips() > 0 {
        out.note(&format!(
            "Upload the zips with `aws s3 sync {} s3://BUCKET/` (or let `fnplan apply` upload what is missing).",
            p.artifacts_dir.display()
        ));
    }
    Ok(())
}

pub fn run_bootstrap(a: BootstrapArgs, out: &Output) -> Result<Outcome, OpsError> {
    if let Some(repo) = a.ci {
        let o = CiOptions {
            spec: a.spec.spec_ref(),
            aws: a.aws,
            repo,
            apply_ref: a.ci_apply_ref,
            artifact_bucket: a.artifact_bucket,
            remove: a.remove,
            yes: a.yes,
        };
        return ci::ci(&o, out).map(Outcome::Ci);
    }
    let o = BootstrapOptions {
        spec: a.spec.spec_ref(),
        aws: a.aws,
        artifact_bucket: a.artifact_bucket,
        stack_name: a.stack_name,
    };
    bootstrap::bootstrap(&o, out).map(Outcome::Bootstrap)
}

pub fn show_bootstrap(b: &BootstrapOutcome, out: &Output) -> std::io::Result<()> {
    match b {
        BootstrapOutcome::AlreadyUsable { bucket } => out.print(&format!(
            "Bucket {bucket} already exists and is usable; it was not created by `fnplan bootstrap`, so its settings are left as they are.\n"
        )),
        BootstrapOutcome::UpToDate { bucket, stack } => out.print(&format!(
            "Artifact bucket {bucket} is ready (stack {stack} is up to date).\n"
        )),
        BootstrapOutcome::Created {
            bucket,
            stack,
            watched,
        } => {
            show_watched(watched, stack, out)?;
            if matches!(watched, Watched::Finished(f) if f.succeeded()) {
                out.print(&format!(
                    "Artifact bucket {bucket} is ready: pass `--artifact-bucket {bucket}` or set `artifacts: {{ bucket: {bucket} }}` in the spec.\n"
                ))?;
            }
            Ok(())
        }
        BootstrapOutcome::Refused(why) => {
            out.error(why);
            Ok(())
        }
    }
}

pub fn show_ci(c: &CiOutcome, out: &Output) -> std::io::Result<()> {
    match c {
        CiOutcome::UpToDate(arns) => {
            out.print("No changes: the CI provider and roles are up to date.\n")?;
            out.print(&arns_text(arns))
        }
        CiOutcome::Changed { steps, arns } => {
            let lines: Vec<String> = steps.iter().map(|s| format!("  {s}\n")).collect();
            out.print(&format!(
                "Made {} IAM change(s):\n{}",
                steps.len(),
                lines.concat()
            ))?;
            out.print(&arns_text(arns))?;
            out.note("IAM is eventually consistent: for a few seconds a job may be refused the new roles.");
            Ok(())
        }
        CiOutcome::Removed { steps } if steps.is_empty() => {
            out.print("Nothing to remove: there are no CI roles of this app.\n")
        }
        CiOutcome::Removed { steps } => {
            let lines: Vec<String> = steps.iter().map(|s| format!("  {s}\n")).collect();
            out.print(&format!("Removed:\n{}", lines.concat()))
        }
        CiOutcome::Refused(Refusal::Declined) => {
            out.note("Cancelled; nothing was changed.");
            Ok(())
        }
        CiOutcome::Refused(_) => {
            out.error("refusing to change IAM without confirmation: there is no terminal to ask on; pass --yes. Nothing was changed");
            Ok(())
        }
    }
}

fn arns_text(a: &CiArns) -> String {
    format!(
        "\nOIDC provider  {}\nApply role     {}\nPlan role      {}\nService role   {}\n\nIn the pipeline: assume the plan role for pull requests and the apply role on the main\nbranch, and pass `--role-arn {}` to `fnplan plan` and `fnplan apply` (docs/ci.md).\n",
        a.provider, a.apply, a.plan, a.service, a.service
    )
}
