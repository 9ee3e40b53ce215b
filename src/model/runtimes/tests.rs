//! The runtime table against the vendored lifecycle data, and what it answers.

use super::*;
use serde_json::{Map, Value};
use std::path::PathBuf;

const REGENERATE: &str = "FNPLAN_REGENERATE=1 cargo test --lib model::runtimes::tests::generated_table_matches_the_vendored_data";

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/lambda")
}

fn read_json(name: &str) -> Value {
    let path = schema_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn opt(v: &Value) -> String {
    match v.as_str() {
        Some(s) => format!("Some({s:?})"),
        None => {
            assert!(v.is_null(), "a date or successor is a string or null: {v}");
            "None".into()
        }
    }
}

/// `runtimes/data.rs` as generated from `runtimes.json` and `source.json`.
fn generate() -> String {
    let table = read_json("runtimes.json");
    let table: &Map<String, Value> = table.as_object().expect("an object of runtimes");
    let source = read_json("source.json");
    let container_only = source["container_only"]
        .as_object()
        .expect("container_only");
    let mut names: Vec<&String> = table.keys().collect();
    names.sort();
    let mut out = format!(
        "//! Generated: the vendored runtime lifecycle table (`schemas/lambda/runtimes.json`, and
//! `container_only` of `source.json`) in, the rows of `model::runtimes` out.
// @generated from schemas/lambda by `{REGENERATE}`; do not edit.

use super::RuntimeFacts;

/// Every runtime, sorted by identifier.
#[rustfmt::skip]
pub(super) static RUNTIMES: &[RuntimeFacts] = &[
"
    );
    for name in names {
        let r = &table[name.as_str()];
        out.push_str(&format!(
            "    RuntimeFacts {{ name: {name:?}, deprecated: {}, create_block: {}, update_block: {}, successor: {}, container_only: {} }},\n",
            opt(&r["deprecated"]),
            opt(&r["create-block"]),
            opt(&r["update-block"]),
            opt(&r["successor"]),
            container_only.contains_key(name.as_str()),
        ));
    }
    out.push_str("];\n");
    out
}

#[test]
fn generated_table_matches_the_vendored_data() {
    crate::test_support::check_generated(
        "src/model/runtimes/data.rs",
        &generate(),
        "schemas/lambda",
        REGENERATE,
    );
}

#[test]
fn the_vendored_file_is_the_one_source_json_names() {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(schema_dir().join("runtimes.json")).expect("runtimes.json");
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let source = read_json("source.json");
    assert_eq!(
        source["sha256"],
        digest.as_str(),
        "runtimes.json is not the file source.json records"
    );
    for key in ["source", "cfn_lint_version", "file", "command"] {
        assert!(
            source[key].as_str().is_some_and(|s| !s.is_empty()),
            "source.json has no `{key}`"
        );
    }
}

#[test]
fn every_date_parses_every_successor_exists_and_the_dates_are_in_order() {
    for r in all() {
        for d in [r.deprecated, r.create_block, r.update_block]
            .into_iter()
            .flatten()
        {
            assert!(Date::parse(d).is_some(), "{}: `{d}` is not a date", r.name);
        }
        if let Some(s) = r.successor {
            let next = find(s)
                .unwrap_or_else(|| panic!("{}: successor `{s}` is not in the table", r.name));
            assert!(
                !next.container_only,
                "{}: successor `{s}` is container-only",
                r.name
            );
        }
        // Creating is blocked no later than updating.
        if let (Some(c), Some(u)) = (r.create_block(), r.update_block()) {
            assert!(c <= u, "{}: create blocked after update", r.name);
        }
    }
    let names: Vec<&str> = all().iter().map(|r| r.name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "find() searches a sorted table");
}

fn day(s: &str) -> Date {
    Date::parse(s).expect("a date")
}

#[test]
fn a_runtime_moves_through_its_lifecycle_on_its_dates() {
    let node20 = find("nodejs20.x").expect("nodejs20.x");
    assert_eq!(node20.lifecycle(day("2026-04-29")), Lifecycle::Supported);
    assert_eq!(node20.lifecycle(day("2026-04-30")), Lifecycle::Deprecated);
    assert_eq!(
        node20.lifecycle(day("2027-02-01")),
        Lifecycle::CreateBlocked
    );
    assert_eq!(
        node20.lifecycle(day("2027-03-03")),
        Lifecycle::UpdateBlocked
    );
    assert!(find("nodejs20").is_none());
    assert!(
        find("NODEJS20.X").is_none(),
        "Lambda's identifiers are lowercase"
    );
}

#[test]
fn current_runtimes_and_successors_are_never_deprecated() {
    let today = day("2026-12-02");
    let current: Vec<&str> = current(today).collect();
    for name in [
        "nodejs22.x",
        "nodejs24.x",
        "python3.12",
        "python3.14",
        "java21",
        "provided.al2023",
        "ruby3.4",
    ] {
        assert!(current.contains(&name), "{name} is current on {today}");
    }
    for name in [
        "nodejs18.x",
        "nodejs20.x",
        "python3.9",
        "python3.10",
        "dotnet8",
        "provided.al2",
        "dotnet9",
        "go1.x",
    ] {
        assert!(!current.contains(&name), "{name} is not current on {today}");
    }
    for r in all() {
        if let Some(s) = r.current_successor(today) {
            assert!(
                find(s).is_some_and(|s| s.is_current(today)),
                "{} -> {s}",
                r.name
            );
        }
    }
    assert_eq!(
        find("nodejs18.x").and_then(|r| r.current_successor(today)),
        Some("nodejs24.x")
    );
    assert_eq!(
        find("dotnet9").and_then(|r| r.current_successor(today)),
        Some("dotnet10")
    );
    assert_eq!(
        find("go1.x").and_then(|r| r.current_successor(today)),
        Some("provided.al2023")
    );
    // Years later, when the named successor is deprecated too, there is none to offer.
    assert_eq!(
        find("nodejs18.x").and_then(|r| r.current_successor(day("2030-01-01"))),
        None
    );
}
