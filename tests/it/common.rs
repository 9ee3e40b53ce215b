//! Shared helpers: run the `fnplan` binary, find the repository's files and the tools some
//! tests need (cfn-lint), and say so when a test cannot run.

#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `fnplan` binary with colour off, a clean environment for AWS, and a fixed day
/// (`FNPLAN_TODAY`, [`fnplan::testing::TODAY`]) so that findings about runtime dates do
/// not change with the calendar.
pub fn fnplan() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("fnplan").expect("binary builds");
    c.env("NO_COLOR", "1")
        .env("FNPLAN_TODAY", fnplan::testing::TODAY)
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

/// Say, where the person running the tests sees it, that `test` did not run (or not all
/// of it) and why: one line "skipped <test>: <reason> (run `bash .ci/test` to set it up)"
/// on the process's stderr. libtest captures `eprintln!` (shown only when a test fails),
/// not writes to the stderr handle; `.ci/summary.awk` counts these lines as skipped tests.
pub fn skip(test: &str, reason: &str) {
    let line = format!("skipped {test}: {reason} (run `bash .ci/test` to set it up)\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// The running test's name (`module::test`): libtest runs each test on a thread named
/// after it.
pub fn current_test() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_string(),
        _ => "a test".to_string(),
    }
}

/// Whether the tests run in CI (`CI` set, and not to `false` or `0`), where every tool a
/// test needs must be there.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "false" | "0"))
}

/// A tool the running test needs is missing (`reason` says which and why): in CI the test
/// fails; elsewhere it is skipped with [`skip`], and the caller returns.
pub fn missing(reason: &str) {
    assert!(!in_ci(), "{reason}: CI must provide it (see .ci/test)");
    skip(&current_test(), reason);
}

/// The cfn-lint to use: `CFN_LINT` (set by `.ci/test`), else `.venv/bin/cfn-lint`. `None`
/// when there is none: the test is skipped (see [`missing`]; in CI it fails instead).
pub fn cfn_lint() -> Option<String> {
    let found = std::env::var("CFN_LINT").ok().or_else(|| {
        let local = root().join(".venv/bin/cfn-lint");
        local.exists().then(|| local.display().to_string())
    });
    if found.is_none() {
        missing("no cfn-lint (CFN_LINT is unset and there is no .venv/bin/cfn-lint)");
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

/// Render `spec` into a temp dir and assert cfn-lint finds no error in what it wrote;
/// without cfn-lint the test says it is skipped (see [`cfn_lint`]).
pub fn assert_spec_passes_cfn_lint(spec: &str) {
    let Some(cfn_lint) = cfn_lint() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path().to_str().expect("utf8");
    fnplan()
        .args(["render", spec, "--out", d])
        .assert()
        .success();
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    let errors = cfn_lint_errors(&cfn_lint, &files);
    assert!(errors.is_empty(), "cfn-lint errors:\n{}", errors.join("\n"));
}

/// `fnplan render SPEC` as JSON (the command must succeed).
pub fn rendered(spec: &str) -> serde_json::Value {
    let (code, out, err) = run(&["render", spec]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("JSON template")
}

/// The statements of a role's first inline policy in a rendered template.
pub fn statements(t: &serde_json::Value, role: &str) -> Vec<serde_json::Value> {
    t["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap_or_else(|| panic!("{role} has a policy"))
        .clone()
}

/// The edges of `fnplan graph SPEC --format json` as (from, to, kind).
pub fn graph_edges(spec: &str) -> Vec<(String, String, String)> {
    let (code, out, err) = run(&["graph", spec, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let g: serde_json::Value = serde_json::from_str(&out).expect("JSON graph");
    g["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().expect("a string").to_string();
            (s("from"), s("to"), s("kind"))
        })
        .collect()
}

/// Each (from, to, kind) is an edge of `spec`'s graph.
pub fn assert_edges(spec: &str, expected: &[(&str, &str, &str)]) {
    let edges = graph_edges(spec);
    for (a, b, k) in expected {
        let e = (a.to_string(), b.to_string(), k.to_string());
        assert!(edges.contains(&e), "no edge {e:?} in {edges:?}");
    }
}
