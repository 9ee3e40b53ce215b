//! The JSON Schema of the spec format: the `RawSpec` types in, `schemas/fnplan.schema.json` text out.

use super::raw::RawSpec;

/// The schema as committed in `schemas/fnplan.schema.json`.
pub fn schema_json() -> String {
    let mut schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<RawSpec>();
    schema.insert(
        "$id".into(),
        "https://fnplan.dev/schemas/fnplan.schema.json".into(),
    );
    let mut s = serde_json::to_string_pretty(&schema).expect("schema serializes");
    s.push('\n');
    s
}
