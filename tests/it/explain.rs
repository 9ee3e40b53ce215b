//! `fnplan explain` and `fnplan rules` cover every code the tool prints: the input errors
//! (FN0xx) as well as the lint rules, in text, JSON and SARIF; and the examples in the
//! input errors' documentation do what they say.

use crate::common::{root, run};
use fnplan::spec::codes::INPUT_CODES;
use std::collections::BTreeSet;
use std::path::Path;

/// Every code literal (`"FN" + 3 digits` in quotes) outside comments in `src/`: the
/// constants, `Code("FN...")` and `declare_rule!` codes alike.
fn code_literals_in_src() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut dirs = vec![root().join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source is UTF-8");
                found.extend(code_literals(&text));
            }
        }
    }
    found
}

fn code_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (i, _) in line.match_indices("\"FN") {
            let rest = &line.as_bytes()[i + 3..];
            if rest.len() >= 4 && rest[..3].iter().all(u8::is_ascii_digit) && rest[3] == b'"' {
                out.push(line[i + 1..i + 6].to_string());
            }
        }
    }
    out
}

#[test]
fn every_code_in_the_source_is_explained_and_listed() {
    let codes = code_literals_in_src();
    assert!(
        codes.contains("FN002") && codes.contains("FN105"),
        "{codes:?}"
    );
    for c in INPUT_CODES {
        assert!(codes.contains(c.code.0), "{} is not in src", c.code);
    }
    for code in &codes {
        let (status, out, err) = run(&["explain", code]);
        assert_eq!(status, 0, "`fnplan explain {code}`: {err}");
        assert!(out.starts_with(&format!("{code} ")), "{out}");
        for section in ["## What it does", "## Example", "Use instead"] {
            assert!(out.contains(section), "{code} has no `{section}`:\n{out}");
        }
    }
    let (status, out, err) = run(&["rules", "--format", "json"]);
    assert_eq!(status, 0, "{err}");
    let listed: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    let listed: BTreeSet<String> = listed
        .iter()
        .map(|r| r["code"].as_str().expect("code").to_string())
        .collect();
    assert_eq!(listed, codes, "`fnplan rules` and the source disagree");
}

#[test]
fn input_codes_explain_in_any_case_and_say_they_stop_the_command() {
    for arg in ["FN002", "fn002", " FN002 "] {
        let (status, out, err) = run(&["explain", arg]);
        assert_eq!(status, 0, "{arg:?}: {err}");
        assert!(
            out.starts_with("FN002 unknown-field (input error: the command stops with exit 2)"),
            "{out}"
        );
    }
}

#[test]
fn an_unknown_code_is_refused_with_the_closest_code_of_either_group() {
    let (status, out, err) = run(&["explain", "FM002"]);
    assert_eq!(status, 2);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("`FM002` is not a code fnplan prints; did you mean `FN002`?"),
        "{err}"
    );
    let (status, _, err) = run(&["explain", "FN1O5"]);
    assert_eq!(status, 2);
    assert!(err.contains("did you mean `FN105`?"), "{err}");
}

#[test]
fn explain_of_an_input_error_reads_well() {
    let (status, out, err) = run(&["explain", "FN002"]);
    assert_eq!(status, 0, "{err}");
    insta::assert_snapshot!("explain_FN002", out);
}

#[test]
fn rules_lists_input_errors_and_lint_rules_in_groups() {
    let (status, out, err) = run(&["rules"]);
    assert_eq!(status, 0, "{err}");
    insta::assert_snapshot!("rules_text", out);
    let groups: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(groups.len(), 2, "{out}");
    assert!(groups[0].starts_with("Input errors"), "{out}");
    assert!(groups[1].starts_with("Lint rules"), "{out}");
    let input: Vec<&str> = groups[0]
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let expected: Vec<&str> = INPUT_CODES.iter().map(|c| c.code.0).collect();
    assert_eq!(input, expected);
}

#[test]
fn rules_json_tags_each_code_with_its_group() {
    let (status, out, err) = run(&["rules", "--format", "json"]);
    assert_eq!(status, 0, "{err}");
    let v: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    assert_eq!(v.len(), INPUT_CODES.len() + fnplan::lint::rules::ALL.len());
    for r in &v {
        for field in ["code", "name", "level", "summary"] {
            assert!(r[field].is_string(), "{r}");
        }
        let input = r["code"].as_str().is_some_and(|c| c.starts_with("FN0"));
        let (group, level) = if input {
            ("input", Some("error"))
        } else {
            ("lint", None)
        };
        assert_eq!(r["group"], group, "{r}");
        if let Some(level) = level {
            assert_eq!(r["level"], level, "{r}");
        }
    }
    let fn002 = v.iter().find(|r| r["code"] == "FN002").expect("FN002");
    assert_eq!(fn002["name"], "unknown-field");
}

#[test]
fn sarif_of_a_spec_that_does_not_compile_describes_its_input_errors() {
    let spec = "tests/bad-input/unknown-field.yaml";
    let (status, out, err) = run(&["lint", spec, "--format", "sarif"]);
    assert_eq!(status, 2, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif is json");
    let run0 = &v["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run0["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let idx = r["ruleIndex"]
            .as_u64()
            .expect("every result has a ruleIndex") as usize;
        let rule = &rules[idx];
        assert_eq!(rule["id"], r["ruleId"]);
        assert_eq!(rule["defaultConfiguration"]["level"], "error");
        assert_eq!(rule["properties"]["tags"][0], "input");
    }
    let fn002 = rules.iter().find(|r| r["id"] == "FN002").expect("FN002");
    assert_eq!(fn002["name"], "unknown-field");
    let help = fn002["help"]["markdown"].as_str().expect("help");
    assert!(
        help.contains("## How to fix") && help.contains("timeout: 10"),
        "{help}"
    );
}

/// The YAML of the code block that follows `marker` in `doc`.
fn yaml_after<'a>(doc: &'a str, marker: &str) -> &'a str {
    let at = doc.find(marker).expect("marker") + marker.len();
    let start = doc[at..].find("```yaml\n").expect("a yaml block") + at + "```yaml\n".len();
    let end = doc[start..].find("```").expect("block ends") + start;
    &doc[start..end]
}

/// Render `yaml` (after `version` and `app`) in `dir`, whose `src/` holds a handler.
fn render_in(dir: &Path, yaml: &str) -> (i32, String) {
    let spec = dir.join("fnplan.yaml");
    std::fs::write(&spec, format!("version: 1\napp: shop\n{yaml}")).expect("write spec");
    let (status, _, err) = run(&["render", spec.to_str().expect("utf-8 path")]);
    (status, err)
}

/// A user who copies an input error's bad example gets that error, and its fixed
/// example renders.
#[test]
fn the_input_error_examples_do_what_their_docs_say() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("src")).expect("mkdir");
    std::fs::write(
        dir.path().join("src/app.py"),
        "def handler(e, c):\n    return e\n",
    )
    .expect("handler");
    for c in INPUT_CODES {
        let doc = fnplan::lint::find_code(c.code.0)
            .expect("documented")
            .doc_text();
        let (status, err) = render_in(dir.path(), yaml_after(&doc, "## Example"));
        assert_eq!(status, 2, "{}: the bad example renders:\n{err}", c.code);
        assert!(
            err.contains(&format!("error[{}]", c.code)),
            "{}: the bad example reports something else:\n{err}",
            c.code
        );
        let (status, err) = render_in(dir.path(), yaml_after(&doc, "Use instead"));
        assert_eq!(status, 0, "{}: the fixed example fails:\n{err}", c.code);
    }
}
