//! `fnplan lint` output formats and exit codes as CI uses them: SARIF for code scanning,
//! GitHub workflow commands, `--deny warnings`, `--select`/`--ignore`.

use crate::common::run;

const FIXTURE: &str = "tests/fixtures/lint/FN105.yaml";

#[test]
fn sarif_is_a_2_1_0_log_with_rules_and_locations_in_the_spec() {
    let (code, out, err) = run(&["lint", FIXTURE, "--format", "sarif"]);
    assert!(code == 0 || code == 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif is json");
    assert_eq!(v["version"], "2.1.0");
    let run0 = &v["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| {
        r["id"] == "FN105"
            && r["help"]["markdown"]
                .as_str()
                .is_some_and(|h| h.contains("Why is this bad?"))
    }));
    let results = run0["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], FIXTURE);
        assert!(loc["region"]["startLine"].as_u64().is_some_and(|l| l > 1));
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
    }
}

#[test]
fn github_format_prints_workflow_commands() {
    let (_, out, _) = run(&["lint", FIXTURE, "--format", "github", "--select", "FN105"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(!lines.is_empty());
    for l in lines {
        assert!(
            l.starts_with("::warning file=tests/fixtures/lint/FN105.yaml,line=")
                || l.starts_with("::error file="),
            "{l}"
        );
        assert!(l.contains(",col=") && l.contains("::"), "{l}");
        assert!(!l.contains('\n'));
    }
}

#[test]
fn warnings_pass_unless_denied_and_selection_narrows() {
    let (code, _, _) = run(&[
        "lint",
        "tests/fixtures/lint/FN103.yaml",
        "--select",
        "FN103",
    ]);
    assert_eq!(code, 0, "warnings alone exit 0");
    let (code, _, _) = run(&[
        "lint",
        "tests/fixtures/lint/FN103.yaml",
        "--select",
        "FN103",
        "--deny",
        "warnings",
    ]);
    assert_eq!(code, 1);
    let (code, out, _) = run(&[
        "lint",
        "tests/fixtures/lint/FN103.yaml",
        "--select",
        "FN1",
        "--ignore",
        "FN103",
        "--format",
        "json",
    ]);
    assert!(code == 0 || code == 1);
    let v: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    assert!(
        v.iter()
            .all(|f| f["code"] != "FN103"
                && f["code"].as_str().is_some_and(|c| c.starts_with("FN1")))
    );
    let (code, _, _) = run(&[
        "lint",
        "tests/fixtures/lint/FN109.yaml",
        "--select",
        "FN109",
    ]);
    assert_eq!(code, 1, "errors exit 1");
}

#[test]
fn the_examples_lint_clean() {
    for ex in ["orders", "pipeline", "minimal-api", "cart", "resizer"] {
        let (code, out, err) = run(&[
            "lint",
            &format!("examples/{ex}/fnplan.yaml"),
            "--deny",
            "warnings",
        ]);
        assert_eq!(code, 0, "{ex}: {out}{err}");
    }
}

#[test]
fn explain_and_rules_document_every_code() {
    let (code, out, _) = run(&["rules", "--format", "json"]);
    assert_eq!(code, 0);
    let rules: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    assert!(rules.len() >= 17);
    for r in rules {
        let c = r["code"].as_str().expect("code");
        let (code, doc, _) = run(&["explain", c]);
        assert_eq!(code, 0);
        assert!(
            doc.starts_with(c) && doc.contains("## What it does") && doc.contains("Use instead"),
            "{doc}"
        );
    }
}

/// FN203 warns about a secret written in the spec; no output format may repeat it (lint
/// output ends up in CI logs and pull-request annotations).
#[test]
fn no_format_prints_the_secret_fn203_found() {
    for format in ["human", "json", "sarif", "github"] {
        let (code, stdout, stderr) = crate::common::run(&[
            "lint",
            "tests/fixtures/lint/FN203.yaml",
            "--select",
            "FN203",
            "--format",
            format,
        ]);
        assert_eq!(code, 1, "{format}: {stderr}");
        assert!(stdout.contains("FN203"), "{format}: {stdout}");
        for secret in ["sk_live_51HxQfake0000", "hunter2-fake", "ghp_fake1"] {
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "{format} prints {secret}"
            );
        }
    }
}
