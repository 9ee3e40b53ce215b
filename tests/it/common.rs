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
