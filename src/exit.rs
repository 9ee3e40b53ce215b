//! Exit codes, decided in one place: an outcome in, the process exit code out.

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

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        std::process::ExitCode::from(s.code())
    }
}
