//! fnplan: a serverless app spec in, lint findings, a CloudFormation template, plans and deployments out.
//!
//! Stages: [`spec`] (YAML -> `RawSpec` with spans) -> [`model`] (-> `Model`) -> [`graph`]
//! (-> `AppGraph`) -> [`lint`] and [`template`] (-> CloudFormation) -> [`deploy`], with
//! [`package`] beside the template. [`ops`] runs the pipeline for each command and returns
//! a typed outcome; [`cli`] turns flags into options and outcomes into text, and [`exit`]
//! outcomes into exit codes. Lower layers never import higher ones (`tests/it/layers.rs`).

pub mod aws_error;
pub mod cli;
pub mod deploy;
pub mod diagnostic;
pub mod exit;
pub mod graph;
pub mod limits;
pub mod lint;
pub mod model;
pub mod ops;
pub mod package;
pub mod source;
pub mod spec;
pub mod suggest;
#[doc(hidden)]
pub mod synth;
pub mod template;
#[doc(hidden)]
pub mod testing;

pub use exit::ExitStatus;

/// Run fnplan with parsed arguments; the caller turns the result into the process exit code.
/// Meant as the last thing a process does: the command's outcome is not freed.
pub fn run(cli: cli::Cli) -> ExitStatus {
    cli::run(cli)
}

/// Helpers shared by unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    /// A file generated from vendored data (`rel`, from the crate root) must equal what
    /// the generator makes now: `FNPLAN_REGENERATE=1` rewrites it, else the test fails
    /// with a diff and `command`, the way to regenerate it.
    pub fn check_generated(rel: &str, generated: &str, from: &str, command: &str) {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        let committed = std::fs::read_to_string(&file).unwrap_or_default();
        if committed == generated {
            return;
        }
        if std::env::var_os("FNPLAN_REGENERATE").is_some() {
            std::fs::write(&file, generated).expect("write the generated file");
            return;
        }
        let diff = similar::TextDiff::from_lines(&committed, generated)
            .unified_diff()
            .header("committed", "generated")
            .to_string();
        panic!("{rel} differs from {from}:\n{diff}\nregenerate it with `{command}`");
    }
}
