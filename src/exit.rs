//! Exit codes, decided in one place: an operation's outcome (or error) in, the process
//! exit code out. `--detailed-exitcode` is applied here too.

use crate::deploy::follow::Followed;
use crate::ops::apply::{ApplyOutcome, Refusal};
use crate::ops::bootstrap::BootstrapOutcome;
use crate::ops::ci::CiOutcome;
use crate::ops::render::Rendered;
use crate::ops::stack::DestroyOutcome;
use crate::ops::watch::Watched;
use crate::ops::{OpsError, Outcome};

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done; nothing at error level.
    Success,
    /// 1: findings at error level, a differing snapshot, or a failed deployment.
    Failure,
    /// 2: usage or input error (bad flags, unreadable or invalid spec). Nothing was deployed.
    InputError,
    /// 2: `plan --detailed-exitcode` found changes.
    Changes,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::InputError | ExitStatus::Changes => 2,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        std::process::ExitCode::from(s.code())
    }
}

/// The status of a command: its result, whether showing it failed (`output`), and
/// whether `--detailed-exitcode` was given (then 2 means "changes" and every error is 1).
pub fn status(
    result: &Result<Outcome, OpsError>,
    output: &std::io::Result<()>,
    detailed_exitcode: bool,
) -> ExitStatus {
    let s = match (result, output) {
        // `fnplan render | head`: a closed pipe is the reader's choice, not a failure.
        (_, Err(e)) if e.kind() != std::io::ErrorKind::BrokenPipe => ExitStatus::Failure,
        (Ok(o), _) => for_outcome(o),
        (Err(e), _) => for_error(e),
    };
    if detailed_exitcode && s == ExitStatus::InputError {
        ExitStatus::Failure
    } else {
        s
    }
}

/// The status of a command line clap did not accept: `--help`/`--version` (not an error)
/// are 0; a usage error is 2, except under `plan --detailed-exitcode`, where 2 means
/// "changes" and every error is 1.
pub fn for_usage_error(is_error: bool, args: &[std::ffi::OsString]) -> ExitStatus {
    if !is_error {
        ExitStatus::Success
    } else if args.iter().any(|a| a == "--detailed-exitcode") {
        ExitStatus::Failure
    } else {
        ExitStatus::InputError
    }
}

fn for_error(e: &OpsError) -> ExitStatus {
    match e {
        OpsError::Read { .. } | OpsError::Input { .. } | OpsError::Usage(_) => {
            ExitStatus::InputError
        }
        OpsError::Lint { .. }
        | OpsError::Deploy(_)
        | OpsError::Aws(_)
        | OpsError::Upload(_)
        | OpsError::Runtime(_)
        | OpsError::Write { .. } => ExitStatus::Failure,
    }
}

fn failed_if(failed: bool) -> ExitStatus {
    if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

fn for_watched(w: &Watched) -> ExitStatus {
    match w {
        Watched::Finished(f) => failed_if(!Followed::succeeded(f)),
        Watched::Interrupted => ExitStatus::Failure,
    }
}

fn for_refusal(r: &Refusal) -> ExitStatus {
    match r {
        // `--hot` on a protected stage: the command line does not fit the spec.
        Refusal::NoTerminal | Refusal::HotProtected { .. } => ExitStatus::InputError,
        Refusal::StalePlan { .. }
        | Refusal::StackState(_)
        | Refusal::Gates(_)
        | Refusal::Declined => ExitStatus::Failure,
    }
}

fn for_outcome(o: &Outcome) -> ExitStatus {
    match o {
        Outcome::Render(r) => match &r.result {
            Rendered::Check(c) => failed_if(c.differing() > 0),
            Rendered::One(_) | Rendered::Dir { .. } => ExitStatus::Success,
        },
        Outcome::Lint {
            outcome,
            deny_warnings,
        } => failed_if(outcome.has_errors() || (*deny_warnings && outcome.has_warnings())),
        Outcome::Plan {
            outcome,
            detailed_exitcode,
        } if *detailed_exitcode && outcome.plan.has_changes() => ExitStatus::Changes,
        Outcome::Apply(ApplyOutcome::Applied { watched, .. }) => for_watched(watched),
        Outcome::Apply(ApplyOutcome::Refused(r)) => for_refusal(r),
        Outcome::Destroy(DestroyOutcome::Destroyed { watched, .. }) => for_watched(watched),
        Outcome::Destroy(DestroyOutcome::Refused(r)) => for_refusal(r),
        Outcome::Bootstrap(BootstrapOutcome::Created { watched, .. }) => for_watched(watched),
        Outcome::Bootstrap(BootstrapOutcome::Refused(_)) => ExitStatus::Failure,
        Outcome::Ci(CiOutcome::Refused(r)) => for_refusal(r),
        Outcome::Plan { .. }
        | Outcome::Apply(ApplyOutcome::NoChanges(_) | ApplyOutcome::HotSwapped(_))
        | Outcome::Destroy(DestroyOutcome::Missing { .. })
        | Outcome::Bootstrap(_)
        | Outcome::Ci(_)
        | Outcome::Graph(_)
        | Outcome::Status(_)
        | Outcome::Package(_)
        | Outcome::Text(_) => ExitStatus::Success,
    }
}
