//! Shared helpers: run the `fnplan` binary, find the repository's files.

#![allow(dead_code)]

use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `fnplan` binary with colour off and a clean environment for AWS.
pub fn fnplan() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("fnplan").expect("binary builds");
    c.env("NO_COLOR", "1")
        .env_remove("AWS_PROFILE")
        .current_dir(root());
    c
}

/// Run fnplan and return (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = fnplan().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The cfn-lint to use: `CFN_LINT` (set by `.ci/run`), else `.venv/bin/cfn-lint`. `None`
/// (with a note) when there is none outside CI; in CI its absence fails the test.
pub fn cfn_lint() -> Option<String> {
    let found = std::env::var("CFN_LINT").ok().or_else(|| {
        let local = root().join(".venv/bin/cfn-lint");
        local.exists().then(|| local.display().to_string())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must provide cfn-lint (CFN_LINT)"
        );
        eprintln!("cfn-lint not installed; skipped (run .ci/run to install it)");
    }
    found
}

/// Run cfn-lint once over `files`: its error lines (`:E`), after checking that it ran
/// (exit 0 clean, 4 warnings, 8 informational; 2 means errors, which are returned).
pub fn cfn_lint_errors(cfn_lint: &str, files: &[PathBuf]) -> Vec<String> {
    cfn_lint_findings(cfn_lint, files)
        .into_iter()
        .filter(|l| l.contains(":E"))
        .collect()
}

/// Run cfn-lint once over `files`: every finding line (errors, warnings, informational).
pub fn cfn_lint_findings(cfn_lint: &str, files: &[PathBuf]) -> Vec<String> {
    let out = std::process::Command::new(cfn_lint)
        .args(["--format", "parseable", "--"])
        .args(files)
        .output()
        .expect("cfn-lint runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        !lines.is_empty() || matches!(code, 0 | 4 | 8 | 12),
        "cfn-lint exit {code}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    lines
}
