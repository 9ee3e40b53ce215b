//! The replacement tables against their sources (the vendored schemas and the renderer),
//! and what a plan reader sees: which changes replace a resource.

use super::*;
use serde_json::json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const REGENERATE: &str = "FNPLAN_REGENERATE=1 cargo test --lib deploy::replacement::tests::generated_tables_match_the_schemas";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema_dir() -> PathBuf {
    root().join("schemas/cloudformation")
}

/// The vendored (trimmed) schemas, sorted by type name.
fn vendored() -> Vec<Value> {
    let mut out: Vec<Value> = std::fs::read_dir(schema_dir())
        .expect("schemas/cloudformation")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("AWS_") && name.ends_with(".json")
        })
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("schema file");
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect();
    out.sort_by_key(|s| s["typeName"].as_str().unwrap_or("").to_string());
    out
}

/// `/properties/Foo/*/Bar` -> `Foo[*].Bar`.
fn pointer_to_path(pointer: &str) -> String {
    let rest = pointer
        .strip_prefix("/properties/")
        .unwrap_or_else(|| panic!("{pointer} is not under /properties"));
    let mut out = String::new();
    for seg in rest.split('/') {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        let plain = !seg.is_empty()
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':'));
        match seg.as_str() {
            "*" => out.push_str("[*]"),
            _ if !plain => out.push_str(&format!("[{}]", Value::String(seg.clone()))),
            _ if out.is_empty() => out.push_str(&seg),
            _ => out.push_str(&format!(".{seg}")),
        }
    }
    out
}

fn paths(schema: &Value, key: &str) -> String {
    let list: Vec<String> = schema[key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| format!("{:?}", pointer_to_path(p.as_str().expect("a JSON pointer"))))
                .collect()
        })
        .unwrap_or_default();
    format!("&[{}]", list.join(", "))
}

/// `replacement/data.rs` as generated from the vendored JSON.
fn generate() -> String {
    let mut out = format!(
        "//! Generated: the vendored resource provider schemas (`schemas/cloudformation/AWS_*.json`)
//! and cfn-lint's stateful types (`stateful.json`) in, the tables of `deploy::replacement` out.
// @generated from schemas/cloudformation by `{REGENERATE}`; do not edit.

use super::SchemaFacts;

/// Per resource type, by type name.
#[rustfmt::skip]
pub(super) static SCHEMAS: &[SchemaFacts] = &[
"
    );
    for s in vendored() {
        out.push_str(&format!(
            "    SchemaFacts {{
        type_name: {:?},
        create_only: {},
        conditional_create_only: {},
        primary_identifier: {},
    }},
",
            s["typeName"].as_str().expect("typeName"),
            paths(&s, "createOnlyProperties"),
            paths(&s, "conditionalCreateOnlyProperties"),
            paths(&s, "primaryIdentifier"),
        ));
    }
    out.push_str(
        "];

/// cfn-lint's stateful resource types (`AdditionalSpecs/StatefulResources.json`), sorted.
#[rustfmt::skip]
pub(super) static STATEFUL: &[&str] = &[
",
    );
    let text = std::fs::read_to_string(schema_dir().join("stateful.json")).expect("stateful");
    let stateful: Value = serde_json::from_str(&text).expect("stateful.json");
    let mut types: Vec<&str> = stateful["ResourceTypes"]
        .as_array()
        .expect("ResourceTypes")
        .iter()
        .map(|t| t.as_str().expect("a type name"))
        .collect();
    types.sort_unstable();
    for t in types {
        out.push_str(&format!("    {t:?},\n"));
    }
    out.push_str("];\n");
    out
}

#[test]
fn generated_tables_match_the_schemas() {
    crate::test_support::check_generated(
        "src/deploy/replacement/data.rs",
        &generate(),
        "schemas/cloudformation",
        REGENERATE,
    );
}

#[test]
fn the_vendored_schemas_are_the_rendered_types() {
    let vendored: BTreeSet<String> = vendored()
        .iter()
        .map(|s| s["typeName"].as_str().unwrap_or("").to_string())
        .collect();
    let rendered: BTreeSet<String> = RENDERED_TYPES.iter().map(|t| t.to_string()).collect();
    assert_eq!(
        vendored, rendered,
        "schemas/cloudformation holds other types than RENDERED_TYPES: edit TYPES in extract.py and run it"
    );
    for t in RENDERED_TYPES {
        assert!(is_known(t), "{t}");
    }
}

/// Every `"AWS::..."` type string in the source files under `dir`.
fn type_strings(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("source dir") {
        let path = entry.expect("entry").path();
        // The CI roles' policies name the types their service role may create, and the
        // OIDC provider `bootstrap --ci` makes through IAM: no template fnplan deploys.
        if path.file_stem().is_some_and(|s| s == "ci_roles") {
            continue;
        }
        if path.is_dir() {
            type_strings(&path, out);
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (i, _) in text.match_indices("\"AWS::") {
            let rest = &text[i + 1..];
            let name = &rest[..rest.find('"').unwrap_or(rest.len())];
            if name.split("::").count() == 3
                && name.chars().all(|c| c.is_alphanumeric() || c == ':')
            {
                out.insert(name.to_string());
            }
        }
    }
}

#[test]
fn every_type_the_renderer_emits_is_listed() {
    let mut found = BTreeSet::new();
    type_strings(&root().join("src/template"), &mut found);
    assert!(found.contains("AWS::DynamoDB::Table"), "{found:?}");
    for t in &found {
        assert!(
            RENDERED_TYPES.contains(&t.as_str()),
            "src/template emits {t}: add it to RENDERED_TYPES and extract.py"
        );
    }
}

#[test]
fn documented_cases_and_names_are_schema_properties() {
    let schemas = vendored();
    let props = |t: &str| -> Vec<String> {
        let s = schemas.iter().find(|s| s["typeName"] == t).expect(t);
        serde_json::from_value(s["properties"].clone()).expect("property names")
    };
    for (t, p) in DOCUMENTED.iter().chain(NAME_PROPERTY) {
        assert!(
            props(t).iter().any(|n| n == top_level(p)),
            "{t} has no property {p}"
        );
    }
    for (t, p) in NAME_PROPERTY {
        assert!(
            replaces(t, p),
            "{t}.{p} names the resource but is not create-only"
        );
    }
}

#[test]
fn schema_facts_come_through() {
    let table = schema("AWS::DynamoDB::Table").unwrap();
    assert_eq!(table.primary_identifier, ["TableName"]);
    assert_eq!(table.conditional_create_only, ["KeySchema"]);
    assert_eq!(
        create_only("AWS::DynamoDB::Table"),
        [
            "ImportSourceSpecification",
            "KeySchema",
            "LocalSecondaryIndexes",
            "TableName"
        ]
    );
    let stage = schema("AWS::ApiGatewayV2::Stage").unwrap();
    assert_eq!(stage.primary_identifier, ["ApiId", "StageName"]);
    // Nested stacks update in place (see the module docs).
    assert!(is_known("AWS::CloudFormation::Stack"));
    assert_eq!(
        create_only("AWS::CloudFormation::Stack"),
        Vec::<&str>::new()
    );
    assert!(!replaces("AWS::CloudFormation::Stack", "TemplateURL"));
    assert!(!is_known("AWS::Unknown::Thing"));
    assert!(create_only("AWS::Unknown::Thing").is_empty());
}

#[test]
fn pointers_become_property_paths() {
    assert_eq!(pointer_to_path("/properties/KeySchema"), "KeySchema");
    assert_eq!(pointer_to_path("/properties/Foo/Bar"), "Foo.Bar");
    assert_eq!(pointer_to_path("/properties/Foo/*/Bar"), "Foo[*].Bar");
    assert_eq!(pointer_to_path("/properties/a~1b/c.d"), r#"["a/b"]["c.d"]"#);
}

#[test]
fn paths_parse_into_steps() {
    let key = |k: &str| Seg::Key(k.into());
    assert_eq!(
        parse(r#"A.B[0]["c.d\"]"][*].E"#),
        [
            key("A"),
            key("B"),
            Seg::Index(0),
            key("c.d\"]"),
            Seg::Any,
            key("E")
        ]
    );
    assert_eq!(parse(""), []);
    // Text it cannot read is kept as keys, never a panic.
    assert_eq!(parse("A[x"), [key("A"), key("x")]);
    assert_eq!(
        parse(r#"A["unterminated"#),
        [key("A"), key(r#""unterminated"#)]
    );
}

#[test]
fn replacement_follows_the_create_only_property() {
    assert!(replaces("AWS::DynamoDB::Table", "KeySchema"));
    assert!(replaces(
        "AWS::DynamoDB::Table",
        "KeySchema[0].AttributeName"
    ));
    assert!(replaces(
        "AWS::DynamoDB::Table",
        "LocalSecondaryIndexes[0].Projection"
    ));
    assert!(!replaces("AWS::DynamoDB::Table", "KeySchemaX"));
    assert!(!replaces(
        "AWS::DynamoDB::Table",
        "GlobalSecondaryIndexes[0].KeySchema"
    ));
    assert!(replaces("AWS::SQS::Queue", "FifoQueue"));
    assert!(!replaces("AWS::SQS::Queue", "VisibilityTimeout"));
    assert!(replaces("AWS::Lambda::Permission", "SourceArn"));
    assert!(!replaces("AWS::Lambda::Function", "Timeout"));
    assert!(!replaces(
        "AWS::Lambda::Function",
        "Environment.Variables.FunctionName"
    ));
    assert!(replaces("AWS::S3::BucketPolicy", "Bucket"));
    assert!(!replaces("AWS::S3::BucketPolicy", "PolicyDocument"));
    // Conditionally create-only: predicted as a replacement.
    assert!(replaces("AWS::Events::Rule", "EventBusName"));
    assert!(!replaces("AWS::Unknown::Thing", "Anything"));
}

#[test]
fn nested_create_only_paths() {
    let foo_bar = parse("Foo.Bar");
    let any_bar = parse("Foo[*].Bar");
    let at = |pattern: &[Seg], path: &str, old: Value, new: Value| {
        pattern_replaces(pattern, &parse(path), Some((Some(&old), Some(&new))))
    };
    // At or under the create-only property.
    assert!(at(&foo_bar, "Foo.Bar", json!({}), json!({})));
    assert!(at(&foo_bar, "Foo.Bar.Baz", json!({}), json!({})));
    assert!(at(&any_bar, "Foo[3].Bar", json!({}), json!({})));
    // Beside it.
    assert!(!at(&foo_bar, "Foo.Baz", json!({}), json!({})));
    assert!(!at(&foo_bar, "Foo", json!({}), json!({"Foo": {"Baz": 1}})));
    assert!(!at(&any_bar, "Foo[3].Baz", json!({}), json!({})));
    assert!(!at(&foo_bar, "FooBar", json!({}), json!({})));
    // Above it: a replacement only when the create-only value changes.
    assert!(at(
        &foo_bar,
        "Foo",
        json!({"Foo": {"Bar": 1}}),
        json!({"Foo": "x"})
    ));
    assert!(!at(
        &foo_bar,
        "Foo",
        json!({"Foo": {"Baz": 1}}),
        json!({"Foo": "x"})
    ));
    assert!(at(
        &any_bar,
        "Foo",
        json!({"Foo": [{"Bar": 1}]}),
        json!({"Foo": [{"Bar": 2}]})
    ));
    assert!(!at(
        &any_bar,
        "Foo[0]",
        json!({"Foo": [{"Bar": 1, "X": 1}]}),
        json!({"Foo": [{"Bar": 1}]})
    ));
    // Without the values fnplan cannot tell, and assumes the replacement.
    assert!(pattern_replaces(&foo_bar, &parse("Foo"), None));
}

#[test]
fn properties_added_as_a_whole() {
    let named = json!({"BucketName": "b"});
    let tagged = json!({"Tags": []});
    assert!(replaces_in("AWS::S3::Bucket", "", None, Some(&named)));
    assert!(!replaces_in("AWS::S3::Bucket", "", None, Some(&tagged)));
    assert!(replaces_in("AWS::S3::Bucket", "", Some(&named), None));
}

/// A table keyed on `id` (type `id_type`) with a GSI on `gsi` (type `gsi_type`).
fn table(id: &str, id_type: &str, gsi_type: &str) -> Value {
    json!({
        "AttributeDefinitions": [
            {"AttributeName": id, "AttributeType": id_type},
            {"AttributeName": "gsi", "AttributeType": gsi_type}
        ],
        "KeySchema": [{"AttributeName": id, "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [{"IndexName": "byGsi",
            "KeySchema": [{"AttributeName": "gsi", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}]
    })
}

fn table_replaced(path: &str, old: &Value, new: &Value) -> bool {
    replaces_in("AWS::DynamoDB::Table", path, Some(old), Some(new))
}

#[test]
fn changing_the_hash_key_type_replaces_the_table() {
    let (old, new) = (table("id", "S", "S"), table("id", "N", "S"));
    assert!(table_replaced(
        "AttributeDefinitions[0].AttributeType",
        &old,
        &new
    ));
}

#[test]
fn renaming_the_key_attribute_replaces_the_table() {
    let (old, new) = (table("id", "S", "S"), table("orderId", "S", "S"));
    assert!(table_replaced(
        "AttributeDefinitions[0].AttributeName",
        &old,
        &new
    ));
    assert!(table_replaced("KeySchema[0].AttributeName", &old, &new));
}

#[test]
fn changing_an_index_attribute_type_replaces_the_table_as_documented() {
    // "Changing the type of an existing AttributeDefinition requires replacement of the
    // table" (the schema's description; the user guide says the same): this holds for an
    // attribute only a global secondary index uses, too.
    let (old, new) = (table("id", "S", "S"), table("id", "S", "N"));
    assert!(table_replaced(
        "AttributeDefinitions[1].AttributeType",
        &old,
        &new
    ));
}

#[test]
fn adding_removing_or_reordering_index_attributes_does_not_replace() {
    let plain = json!({
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]
    });
    let with_gsi = table("id", "S", "S");
    // A new index and its attribute (in place, "without interruption").
    assert!(!table_replaced(
        "AttributeDefinitions[1]",
        &plain,
        &with_gsi
    ));
    // The index and its attribute removed.
    assert!(!table_replaced(
        "AttributeDefinitions[1]",
        &with_gsi,
        &plain
    ));
    // The same definitions in another order.
    let mut swapped = with_gsi.clone();
    swapped["AttributeDefinitions"]
        .as_array_mut()
        .unwrap()
        .reverse();
    for path in [
        "AttributeDefinitions[0].AttributeName",
        "AttributeDefinitions[1].AttributeName",
    ] {
        assert!(!table_replaced(path, &with_gsi, &swapped), "{path}");
    }
}

#[test]
fn attribute_definitions_fnplan_cannot_read_count_as_a_replacement() {
    let old = table("id", "S", "S");
    let new = json!({"AttributeDefinitions": {"Fn::If": ["C", [], []]}});
    assert!(table_replaced("AttributeDefinitions", &old, &new));
    assert!(replaces(
        "AWS::DynamoDB::Table",
        "AttributeDefinitions[0].AttributeType"
    ));
    // Other types have no such rule.
    assert!(!replaces_in(
        "AWS::SQS::Queue",
        "AttributeDefinitions",
        Some(&old),
        Some(&new)
    ));
}

#[test]
fn stateful_types() {
    for t in [
        "AWS::DynamoDB::Table",
        "AWS::S3::Bucket",
        "AWS::SQS::Queue",
        "AWS::Logs::LogGroup",
        "AWS::CloudFormation::Stack",
        "AWS::RDS::DBInstance",
        "AWS::Events::Archive",
    ] {
        assert!(is_stateful(t), "{t}");
    }
    for t in [
        "AWS::SNS::Topic",
        "AWS::Lambda::Function",
        "AWS::IAM::Role",
        "AWS::Events::EventBus",
        "AWS::Events::Rule",
    ] {
        assert!(!is_stateful(t), "{t}");
    }
}
