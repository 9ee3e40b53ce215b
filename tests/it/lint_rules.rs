//! Lint rules as a user meets them: one fixture per rule (`tests/fixtures/lint/FNxxx.yaml`)
//! whose `bad-` elements must be flagged and whose `ok-` elements must not, plus a
//! snapshot of the human output; and the registry's own promises (docs, `explain`, `rules`).

use crate::common;
use fnplan::lint::rules::ALL;
use serde_json::Value;
use std::collections::BTreeSet;

fn fixture_path(code: &str) -> String {
    format!("tests/fixtures/lint/{code}.yaml")
}

fn snapshot_path(code: &str) -> std::path::PathBuf {
    common::root().join(format!("tests/it/snapshots/it__lint_rules__{code}.snap"))
}

/// The mapping key written on a line, if any (`  bad-x: {...}` -> `bad-x`,
/// `    "GET /bad-x": ...` -> `GET /bad-x`).
fn key_of(line: &str) -> Option<&str> {
    let t = line.trim_start();
    if t.starts_with('#') || t.starts_with('-') {
        return None;
    }
    if let Some(rest) = t.strip_prefix('"') {
        let end = rest.find('"')?;
        return rest[end + 1..]
            .trim_start()
            .starts_with(':')
            .then(|| &rest[..end]);
    }
    let end = t.find(':')?;
    Some(&t[..end])
}

/// Whether a key names a fixture element: `bad-...`/`ok-...`, or a route whose path
/// starts with one (`POST /bad-orders`).
fn is_element(key: &str) -> bool {
    let path = key.split_once(" /").map_or(key, |(_, p)| p);
    path.starts_with("bad-") || path.starts_with("ok-")
}

fn is_bad(name: &str) -> bool {
    name.starts_with("bad-") || name.contains(" /bad-")
}

/// Fixture elements as (1-based line, name), in file order.
fn elements(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            key_of(l)
                .filter(|k| is_element(k))
                .map(|k| (i + 1, k.to_string()))
        })
        .collect()
}

/// The element a finding at `line` is about: the nearest element at or above it; a finding
/// above every element is about the app as a whole (named by `app:`).
fn element_at(elements: &[(usize, String)], app: &str, line: usize) -> String {
    elements
        .iter()
        .rev()
        .find(|(l, _)| *l <= line)
        .map_or_else(|| app.to_string(), |(_, n)| n.clone())
}

fn app_name(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("app:"))
        .map(|a| a.trim().to_string())
        .unwrap_or_default()
}

/// The source text a JSON finding points at (single-line spans).
fn spanned_text<'a>(text: &'a str, f: &Value) -> &'a str {
    let n = |k: &str| f[k].as_u64().expect("a number") as usize;
    let line = text.lines().nth(n("line") - 1).expect("line in file");
    if n("end_line") != n("line") {
        return &line[n("column") - 1..];
    }
    &line[n("column") - 1..(n("end_column") - 1).max(n("column") - 1)]
}

/// Lint the rule's fixture with only that rule selected; check every finding is about a
/// `bad-` element and every `bad-` element got one; snapshot the human output.
fn check_rule(code: &str) {
    let _large_files = (code == "FN305").then(LargeCode::create);
    let path = fixture_path(code);
    let text = std::fs::read_to_string(common::root().join(&path)).expect("fixture exists");

    let (status, out, err) = common::run(&["lint", &path, "--select", code, "--format", "json"]);
    assert!(status == 0 || status == 1, "{code}: exit {status}\n{err}");
    let findings: Vec<Value> =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{code}: not JSON ({e}):\n{out}"));
    assert!(!findings.is_empty(), "{code}: no findings in its fixture");

    let els = elements(&text);
    let app = app_name(&text);
    let mut flagged = BTreeSet::new();
    for f in &findings {
        assert_eq!(f["code"], code, "{f}");
        let line = f["line"].as_u64().expect("line") as usize;
        let el = element_at(&els, &app, line);
        assert!(
            is_bad(&el),
            "{code}: finding at line {line} is about `{el}`, which is not a bad- element: {}",
            f["message"]
        );
        assert!(
            f["help"].as_str().is_some_and(|h| !h.is_empty()),
            "{code}: finding without help: {f}"
        );
        flagged.insert(el);
    }
    let all_bad = els
        .iter()
        .map(|(_, n)| n.clone())
        .chain(std::iter::once(app))
        .filter(|n| is_bad(n));
    for name in all_bad {
        assert!(flagged.contains(&name), "{code}: `{name}` was not flagged");
    }
    if code == "FN203" {
        // The secret itself must never be printed (the message goes to CI logs and SARIF).
        for f in &findings {
            let value = spanned_text(&text, f).trim_matches('"');
            assert!(!value.is_empty());
            assert!(!f["message"].as_str().unwrap().contains(value), "{f}");
            assert!(!f["help"].as_str().unwrap().contains(value), "{f}");
        }
    }

    let (_, human, summary) = common::run(&["lint", &path, "--select", code]);
    insta::assert_snapshot!(code, redact_template_size(&format!("{human}{summary}")));
}

/// The large files of FN305's fixture, created sparse (no disk used, nothing read: sizes
/// come from metadata) and removed when dropped; `FN305/.gitignore` keeps them out of git.
struct LargeCode(Vec<std::path::PathBuf>);

impl LargeCode {
    const MB: u64 = 1024 * 1024;

    fn create() -> LargeCode {
        let dir = common::root().join("tests/fixtures/lint/FN305");
        let mut files = Vec::new();
        for (rel, mb) in [
            ("huge/big.bin", 260),
            ("large/big.bin", 60),
            ("excluded/big.bin", 300),
        ] {
            let path = dir.join(rel);
            std::fs::File::create(&path)
                .and_then(|f| f.set_len(mb * Self::MB))
                .expect("sparse file");
            files.push(path);
        }
        LargeCode(files)
    }
}

impl Drop for LargeCode {
    fn drop(&mut self) {
        for f in &self.0 {
            let _ = std::fs::remove_file(f);
        }
    }
}

/// The template's size in bytes changes with every rendering change; keep it out of
/// snapshots (`the template is 369,130 bytes` -> `the template is [N] bytes`).
fn redact_template_size(text: &str) -> String {
    const AT: &str = "the template is ";
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(AT) {
        let after = &rest[i + AT.len()..];
        let digits = after
            .find(|c: char| !(c.is_ascii_digit() || c == ','))
            .unwrap_or(after.len());
        out.push_str(&rest[..i + AT.len()]);
        out.push_str("[N]");
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

macro_rules! rule_tests {
    ($($name:ident => $code:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check_rule($code);
            }
        )*
        /// The codes that have a test above: kept in step with the registry by a test.
        const TESTED: &[&str] = &[$($code),*];
    };
}

rule_tests! {
    fn101_missing_dlq => "FN101",
    fn102_missing_on_failure => "FN102",
    fn103_missing_timeout => "FN103",
    fn104_missing_concurrency => "FN104",
    fn105_visibility_timeout => "FN105",
    fn106_http_timeout => "FN106",
    fn107_low_max_receive_count => "FN107",
    fn108_dlq_retention => "FN108",
    fn109_recursive_loop => "FN109",
    fn110_orphan => "FN110",
    fn111_report_failures_disabled => "FN111",
    fn112_authorizer_timeout => "FN112",
    fn113_deprecated_runtime => "FN113",
    fn114_bus_target_without_dlq => "FN114",
    fn115_warm_up_ping => "FN115",
    fn116_unprotected_database => "FN116",
    fn117_large_function => "FN117",
    fn201_wildcard_policy => "FN201",
    fn202_route_without_auth => "FN202",
    fn203_secret_in_env => "FN203",
    fn204_env_without_access => "FN204",
    fn205_cors_wildcard_credentials => "FN205",
    fn301_missing_log_retention => "FN301",
    fn302_stack_budget => "FN302",
    fn303_env_too_large => "FN303",
    fn304_account_concurrency => "FN304",
    fn305_code_size => "FN305",
}

#[test]
fn every_rule_has_a_unique_code_docs_a_fixture_a_test_and_a_snapshot() {
    let codes: Vec<&str> = ALL.iter().map(|r| r.meta().code.0).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        codes, sorted,
        "rule codes must be unique and listed in code order"
    );
    assert_eq!(codes, TESTED, "every rule needs a `rule_tests!` entry");
    let mut names = BTreeSet::new();
    for r in ALL {
        let m = r.meta();
        assert!(
            names.insert(m.name),
            "{}: duplicate name `{}`",
            m.code,
            m.name
        );
        let doc = m.doc_text();
        for part in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "Use instead",
        ] {
            assert!(
                doc.contains(part),
                "{}: the doc comment has no `{part}`",
                m.code
            );
        }
        assert!(!m.summary.is_empty(), "{}: empty summary", m.code);
        assert!(
            common::root().join(fixture_path(m.code.0)).is_file(),
            "{}: no fixture",
            m.code
        );
        assert!(snapshot_path(m.code.0).is_file(), "{}: no snapshot", m.code);
    }
    // And no fixture for a rule that does not exist.
    for entry in std::fs::read_dir(common::root().join("tests/fixtures/lint")).expect("fixture dir")
    {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let code = name.strip_suffix(".yaml").unwrap_or(&name);
        assert!(codes.contains(&code), "fixture `{name}` has no rule");
    }
}

#[test]
fn explain_prints_the_rule_doc() {
    let doc = fnplan::lint::find_rule("FN105")
        .expect("FN105 exists")
        .meta()
        .doc_text();
    for arg in ["FN105", "fn105"] {
        let (status, out, err) = common::run(&["explain", arg]);
        assert_eq!(status, 0, "{err}");
        assert!(
            out.starts_with("FN105 visibility-timeout (warning by default)"),
            "{out}"
        );
        assert!(out.contains(&doc), "{out}");
    }
}

#[test]
fn rules_lists_every_code_in_order() {
    let (status, out, err) = common::run(&["rules"]);
    assert_eq!(status, 0, "{err}");
    // The lint group follows the input errors' group.
    let lint = out.split("\n\n").nth(1).expect("a lint group");
    assert!(lint.starts_with("Lint rules"), "{out}");
    let listed: Vec<&str> = lint
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let codes: Vec<&str> = ALL.iter().map(|r| r.meta().code.0).collect();
    assert_eq!(listed, codes);
}

/// Lint `yaml` (written to a temporary spec) with only `code` selected; the JSON findings.
fn lint_text(yaml: &str, code: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fnplan.yaml");
    std::fs::write(&path, yaml).expect("write spec");
    let (status, out, err) = common::run(&[
        "lint",
        path.to_str().expect("utf-8 path"),
        "--select",
        code,
        "--format",
        "json",
    ]);
    assert!(status == 0 || status == 1, "exit {status}\n{err}");
    serde_json::from_str(&out).expect("JSON findings")
}

#[test]
fn cors_with_listed_origins_may_allow_credentials() {
    let text =
        std::fs::read_to_string(common::root().join(fixture_path("FN205"))).expect("fixture");
    let ok = text.replace(
        r#"origins: ["*"]"#,
        r#"origins: ["https://shop.example.com"]"#,
    );
    assert_ne!(ok, text);
    assert_eq!(lint_text(&ok, "FN205"), Vec::<Value>::new());
    let no_credentials = text.replace("credentials: true", "credentials: false");
    assert_eq!(lint_text(&no_credentials, "FN205"), Vec::<Value>::new());
}

#[test]
fn app_wide_findings_are_silenced_by_the_top_level_ignore() {
    let text =
        std::fs::read_to_string(common::root().join(fixture_path("FN302"))).expect("fixture");
    assert!(!lint_text(&text, "FN302").is_empty());
    let silenced = format!("{text}lint: {{ ignore: [FN302] }}\n");
    assert_eq!(lint_text(&silenced, "FN302"), Vec::<Value>::new());
}

#[test]
fn fixture_helpers_find_elements() {
    let text = "app: ok-app\nfunctions:\n  bad-x:\n    env: { A: 1 }\n  ok-y: {}\napi:\n  routes:\n    \"GET /bad-r\": { function: ok-y }\n";
    let els = elements(text);
    let names: Vec<&str> = els.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["bad-x", "ok-y", "GET /bad-r"]);
    assert_eq!(element_at(&els, "ok-app", 4), "bad-x");
    assert_eq!(element_at(&els, "ok-app", 1), "ok-app");
    assert!(is_bad("GET /bad-r") && !is_bad("ok-y"));
    assert_eq!(
        redact_template_size("the template is 51,201 bytes, over"),
        "the template is [N] bytes, over"
    );
}

/// FN113 compares runtime dates with the day `FNPLAN_TODAY` names (the system date when
/// unset): the same spec is quiet, then warned about, then an error as the dates pass.
#[test]
fn fn113_checks_runtimes_against_the_day_it_is() {
    let path = "tests/fixtures/lint/FN113.yaml";
    let text = std::fs::read_to_string(common::root().join(path)).expect("fixture");
    let findings_on = |day: &str| -> Vec<(String, String)> {
        let out = common::fnplan()
            .env("FNPLAN_TODAY", day)
            .args(["lint", path, "--select", "FN113", "--format", "json"])
            .output()
            .expect("runs");
        let findings: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON findings");
        findings
            .iter()
            .map(|f| {
                let line = f["line"].as_u64().expect("line") as usize;
                let runtime = text.lines().nth(line - 1).expect("line").trim().to_string();
                (runtime, f["level"].as_str().expect("level").to_string())
            })
            .collect()
    };
    let on = findings_on("2027-01-30");
    assert!(
        on.contains(&("runtime: nodejs22.x".into(), "warning".into())),
        "90 days before its deprecation, nodejs22.x is warned about: {on:?}"
    );
    assert!(
        on.contains(&("runtime: nodejs20.x".into(), "warning".into())),
        "{on:?}"
    );
    let on = findings_on("2027-02-01");
    assert!(
        on.contains(&("runtime: nodejs20.x".into(), "error".into())),
        "creating nodejs20.x functions is blocked from 2027-02-01: {on:?}"
    );

    let out = common::fnplan()
        .env("FNPLAN_TODAY", "tomorrow")
        .args(["lint", path])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("FNPLAN_TODAY=tomorrow is not a date"), "{err}");
}
