//! Rendering as users run it: examples for every stage, determinism, the snapshot
//! workflow (`--out` / `--check`), YAML output, the JSON Schema and cfn-lint.

use crate::common::{fnplan, root, run};
use std::path::Path;

pub const EXAMPLES: [&str; 6] = [
    "orders",
    "pipeline",
    "minimal-api",
    "cart",
    "resizer",
    "ledger",
];

fn stages_of(example: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(format!("examples/{example}/fnplan.yaml")))
        .expect("example");
    let file = fnplan::source::SourceFile::from_string("x.yaml", text);
    fnplan::model::stage_names(&fnplan::testing::load(&file))
}

#[test]
fn examples_render_byte_identically_twice_for_every_stage() {
    for ex in EXAMPLES {
        let spec = format!("examples/{ex}/fnplan.yaml");
        for stage in stages_of(ex) {
            for format in ["json", "yaml"] {
                let (c1, a, e1) = run(&["render", &spec, "--stage", &stage, "--format", format]);
                let (c2, b, _) = run(&["render", &spec, "--stage", &stage, "--format", format]);
                assert_eq!((c1, c2), (0, 0), "{ex}/{stage}: {e1}");
                assert!(!a.is_empty());
                assert_eq!(a, b, "{ex}/{stage} {format} differs between runs");
            }
        }
    }
}

#[test]
fn committed_snapshots_match_the_examples() {
    for ex in EXAMPLES {
        let (code, out, err) = run(&[
            "render",
            &format!("examples/{ex}/fnplan.yaml"),
            "--check",
            "snapshots",
        ]);
        assert_eq!(
            code, 0,
            "snapshots/ is stale for {ex}; run `fnplan render examples/{ex}/fnplan.yaml --out snapshots`\n{out}{err}"
        );
    }
}

#[test]
fn check_reports_a_unified_diff_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf8");
    let (code, _, err) = run(&["render", "examples/minimal-api/fnplan.yaml", "--out", d]);
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = run(&["render", "examples/minimal-api/fnplan.yaml", "--check", d]);
    assert_eq!(code, 0);
    let file = std::fs::read_dir(dir.path())
        .expect("dir")
        .next()
        .expect("one file")
        .expect("entry")
        .path();
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        text.replacen("\"Timeout\": 10", "\"Timeout\": 11", 1),
    )
    .expect("write");
    let (code, out, err) = run(&["render", "examples/minimal-api/fnplan.yaml", "--check", d]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("-") && out.contains("@@"), "{out}");
    assert!(err.contains("differ from the spec"), "{err}");
}

#[test]
fn output_to_file_and_stdout_agree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.json");
    let p = path.to_str().expect("utf8");
    let (code, stdout, _) = run(&["render", "examples/orders/fnplan.yaml", "--stage", "prod"]);
    assert_eq!(code, 0);
    let (code, _, _) = run(&[
        "render",
        "examples/orders/fnplan.yaml",
        "--stage",
        "prod",
        "-o",
        p,
    ]);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&path).expect("written"), stdout);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert!(v["Resources"]["CreateOrderFunction"].is_object());
}

#[test]
fn schema_is_generated_from_the_types_and_committed() {
    let committed = std::fs::read_to_string(root().join("schemas/fnplan.schema.json"))
        .expect("schemas/fnplan.schema.json");
    let generated = fnplan::spec::schema::schema_json();
    assert!(
        committed == generated,
        "schemas/fnplan.schema.json is stale: run `cargo run -- schema > schemas/fnplan.schema.json`"
    );
}

fn yaml_to_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("read");
    fnplan::testing::Spec::parse(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .value()
}

#[test]
fn spec_example_and_examples_validate_against_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&fnplan::spec::schema::schema_json()).expect("schema json");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    // The complete example from SPEC.md (the contract).
    let spec_md = std::fs::read_to_string(root().join("../shared/SPEC.md"))
        .or_else(|_| std::fs::read_to_string("/work/shared/SPEC.md"))
        .expect("SPEC.md next to the project");
    let start = spec_md.find("```yaml\n").expect("yaml block") + 8;
    let end = start + spec_md[start..].find("```").expect("block end");
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("spec.yaml");
    std::fs::write(&p, &spec_md[start..end]).expect("write");
    let mut docs = vec![("SPEC.md".to_string(), yaml_to_json(&p))];
    for ex in EXAMPLES {
        docs.push((
            ex.to_string(),
            yaml_to_json(&root().join(format!("examples/{ex}/fnplan.yaml"))),
        ));
    }
    for (name, doc) in docs {
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name} does not validate: {errors:#?}");
    }
    // And the schema rejects what the loader rejects.
    let bad = serde_json::json!({ "version": 1, "app": "x", "functions": { "f": { "handler": "h", "code": "c", "timout": 3 } } });
    assert!(!validator.is_valid(&bad));
}

/// Every rendered example template passes cfn-lint with zero errors (`.ci/test` installs
/// it into .venv and sets CFN_LINT; without it the test says it is skipped).
#[test]
fn rendered_examples_pass_cfn_lint() {
    let Some(cfn_lint) = crate::common::cfn_lint() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let mut files = Vec::new();
    for ex in EXAMPLES {
        let d = dir.path().to_str().expect("utf8");
        fnplan()
            .args(["render", &format!("examples/{ex}/fnplan.yaml"), "--out", d])
            .assert()
            .success();
    }
    for e in std::fs::read_dir(dir.path()).expect("dir") {
        files.push(e.expect("entry").path());
    }
    files.sort();
    let errors = crate::common::cfn_lint_errors(&cfn_lint, &files);
    assert!(errors.is_empty(), "cfn-lint errors:\n{}", errors.join("\n"));
}
