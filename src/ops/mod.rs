//! Operations: one function per command, typed options in, a typed outcome (or an
//! [`OpsError`]) out. They own the pipeline (load -> lower -> graph -> lint/template ->
//! package -> deploy); `cli` only turns flags into options and outcomes into text, and
//! `exit` turns outcomes into exit codes.

pub mod apply;
pub mod bootstrap;
pub mod ci;
pub mod compile;
pub mod graph;
pub mod hot;
pub mod lint;
mod moves;
pub mod package;
pub mod plan;
pub mod render;
pub mod stack;
pub mod stage;
pub mod watch;

use crate::aws_error::AwsError;
use crate::deploy::DeployError;
use crate::deploy::follow::Progress;
use crate::deploy::plan::Plan;
use crate::diagnostic::Diagnostic;
use crate::package::upload::UploadError;
use crate::source::SourceFile;
use std::path::PathBuf;

pub use compile::{Compiled, Loaded};

/// The spec file and stage a command acts on.
#[derive(Clone, Debug)]
pub struct SpecRef {
    pub path: PathBuf,
    /// `None`: the only stage, or every stage for commands that take them all.
    pub stage: Option<String>,
}

/// Why an operation stopped. Each variant has one exit status (see `crate::exit`).
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// The spec file cannot be read at all.
    #[error("cannot read {path}: {error}")]
    Read { path: String, error: std::io::Error },
    /// The spec has input errors (and maybe warnings); nothing was rendered or deployed.
    #[error("{}: input errors in the spec", file.name)]
    Input {
        file: Box<SourceFile>,
        diags: Vec<Diagnostic>,
    },
    /// Lint errors stop `plan` and `apply` before AWS is touched.
    #[error("{}: lint errors", file.name)]
    Lint {
        file: Box<SourceFile>,
        errors: Vec<Diagnostic>,
    },
    /// Options that do not fit together, or a value the command needs and lacks.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Deploy(#[from] DeployError),
    /// An S3 call for the artifact bucket failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// Code could not be zipped or uploaded.
    #[error(transparent)]
    Upload(#[from] UploadError),
    /// The async runtime for AWS calls could not be started.
    #[error("cannot start the runtime for AWS calls: {0}")]
    Runtime(std::io::Error),
    /// A file the command writes could not be written.
    #[error("cannot write {}: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl OpsError {
    pub(crate) fn write(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        OpsError::Write {
            path: path.into(),
            error,
        }
    }
}

/// What an operation shows before it asks for confirmation.
pub enum Preview<'a> {
    /// The plan `apply` is about to execute.
    Plan(&'a Plan),
    /// What `destroy` deletes and what it keeps.
    Destroy(&'a stack::DestroyPreview),
}

/// The person (or CI job) running a deploying operation: where status lines and stack
/// events go, and who answers "apply these changes?". `cli::Output` is the one real one.
pub trait Ui {
    /// A status line for people (stderr, so stdout stays machine-readable).
    fn note(&self, line: &str);
    /// Show what is about to happen, before [`Ui::confirm`] (or instead of it).
    fn preview(&self, what: Preview<'_>) -> std::io::Result<()>;
    /// Ask a yes/no question: `None` when there is nobody to ask (no terminal).
    fn confirm(&self, question: &str) -> Option<bool>;
    /// How stack events are shown (`Auto` already resolved) and whether in colour.
    fn progress(&self) -> (Progress, bool);
    /// Where stack events are written.
    fn events(&self) -> Box<dyn std::io::Write + '_>;
}

/// Where a command's text goes: stdout (returned to the caller) or a file (written).
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    Stdout(Text),
    File(PathBuf),
}

/// A command's text for stdout.
#[derive(Debug, Clone, PartialEq)]
pub enum Text {
    Plain(String),
    /// A template as JSON ([`Template::write_json`]), written as it is made: a big one
    /// is never held whole in memory.
    Json(Box<crate::template::Template>),
}

impl Text {
    pub fn write_to(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Text::Plain(s) => w.write_all(s.as_bytes()),
            Text::Json(t) => t.write_json(w),
        }
    }
    /// Write it to the file at `p` (created or truncated).
    pub(crate) fn write_file(&self, p: &std::path::Path) -> Result<(), OpsError> {
        let write = || self.write_to(&mut std::fs::File::create(p)?);
        write().map_err(|e| OpsError::write(p, e))
    }
}

/// Write `text` to `path`, or hand it back for stdout when there is no path.
pub(crate) fn write_or_return(
    path: Option<&std::path::Path>,
    text: Text,
) -> Result<Written, OpsError> {
    let Some(p) = path else {
        return Ok(Written::Stdout(text));
    };
    text.write_file(p)?;
    // The process ends soon; freeing the template would only cost time.
    std::mem::forget(text);
    Ok(Written::File(p.to_path_buf()))
}

/// A current-thread tokio runtime for one command's AWS calls.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, OpsError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(OpsError::Runtime)
}

/// What any command ended with; `crate::exit` maps each to the process exit status.
#[derive(Debug)]
pub enum Outcome {
    Render(render::RenderOutcome),
    /// `graph`: the text for stdout, or the file written.
    Graph(Written),
    Lint {
        outcome: lint::LintOutcome,
        /// `--deny warnings`: warnings fail the command too.
        deny_warnings: bool,
    },
    Plan {
        outcome: Box<plan::PlanOutcome>,
        /// `--detailed-exitcode`: changes exit 2.
        detailed_exitcode: bool,
    },
    Apply(apply::ApplyOutcome),
    Destroy(stack::DestroyOutcome),
    Status(Box<stack::StatusOutcome>),
    Package(package::PackageOutcome),
    Bootstrap(bootstrap::BootstrapOutcome),
    /// `bootstrap --ci`: the CI roles.
    Ci(ci::CiOutcome),
    /// `explain`, `rules`, `schema`, `synth`: text for stdout.
    Text(String),
}
