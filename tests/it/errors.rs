//! Bad input: every file in tests/bad-input/ exits 2 with file:line:column, the source
//! line and a hint, never a panic; the rendered diagnostics are snapshot-tested.

use crate::common::{root, run};

fn bad_inputs() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests/bad-input"))
        .expect("tests/bad-input exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_bad_input_exits_2_with_a_location_and_no_panic() {
    let names = bad_inputs();
    assert!(names.len() >= 25, "corpus has {} files", names.len());
    for name in names {
        let path = format!("tests/bad-input/{name}");
        for cmd in ["render", "lint", "graph"] {
            // `lint` checks every stage, so it needs no stage chosen; the others do.
            if cmd == "lint" && name == "unknown-stage.yaml" {
                continue;
            }
            let (code, stdout, stderr) = run(&[cmd, &path]);
            assert_eq!(code, 2, "{cmd} {name}: exit {code}\n{stderr}");
            assert!(
                !stderr.contains("panicked"),
                "{cmd} {name} panicked:\n{stderr}"
            );
            assert!(
                stdout.is_empty(),
                "{cmd} {name} printed to stdout:\n{stdout}"
            );
            let located = stderr.contains(&format!("{path}:"));
            assert!(located, "{cmd} {name}: no file:line:column in\n{stderr}");
        }
    }
}

#[test]
fn bad_input_diagnostics_read_well() {
    for name in bad_inputs() {
        let path = format!("tests/bad-input/{name}");
        let (_, _, stderr) = run(&["render", &path]);
        // Binary junk and huge files make unreadable snapshots; their location is checked above.
        if name == "binary-junk.yaml" || name == "deep-nesting.yaml" {
            continue;
        }
        insta::assert_snapshot!(
            format!("bad-input__{}", name.trim_end_matches(".yaml")),
            stderr
        );
    }
}

#[test]
fn input_errors_are_reported_together() {
    let (_, _, stderr) = run(&["render", "tests/bad-input/unknown-reference.yaml"]);
    for needle in [
        "no table named `order`",
        "unknown reference kind `queu`",
        "a queue has no attribute `arnn`",
        "`reed` is not an access level",
        "no queue named `job`",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in\n{stderr}");
    }
    assert!(stderr.contains("did you mean `orders`?"), "{stderr}");
}

#[test]
fn lint_json_reports_input_errors_as_json() {
    let (code, stdout, _) = run(&[
        "lint",
        "tests/bad-input/unknown-field.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v[0]["code"], "FN002");
    assert_eq!(v[0]["line"], 9);
    assert_eq!(v[0]["column"], 5);
    assert_eq!(v[0]["help"], "did you mean `timeout`?");
}

#[test]
fn missing_spec_file_is_an_input_error() {
    let (code, _, stderr) = run(&["render", "no/such/fnplan.yaml"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read no/such/fnplan.yaml"),
        "{stderr}"
    );
}

#[test]
fn unknown_stage_suggests_the_closest_one() {
    let (code, _, stderr) = run(&[
        "render",
        "tests/bad-input/unknown-stage.yaml",
        "--stage",
        "prd",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown stage `prd`") && stderr.contains("did you mean `prod`?"),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, _) = run(&["render", "--format", "xml"]);
    assert_eq!(code, 2);
    let (code, _, stderr) = run(&["lint", "examples/orders/fnplan.yaml", "--select", "FN9"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = run(&["explain", "FN999"]);
    assert_eq!(code, 2);
}
