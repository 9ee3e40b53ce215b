//! docs/spec.md against the spec format: the JSON Schema and docs/spec.md in, a failure
//! naming each schema property the reference does not document (and where to add it),
//! each documented field the schema does not have, and each complete example spec in the
//! reference that `fnplan lint` or `fnplan render` rejects.
//!
//! How docs/spec.md is tied to the schema: a heading followed by the line
//! `<!-- schema: NAME -->` is the section of schema definition `NAME` (`root` for the top
//! level). The section runs to the next heading of the same or a higher level, minus the
//! subsections that carry a marker of their own. In it, every property of the definition
//! is named in backticks in the first cell of a table row (or in a heading), and every
//! value of an enumerated property appears in backticks. A table whose first header cell
//! is `field` lists properties of that definition only. A fenced block opened with
//! ```` ```yaml spec ```` is a complete spec: it must validate against the schema, pass
//! `fnplan lint --deny warnings` and render for every stage.

use crate::common::{fnplan, root};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

const DOC: &str = "docs/spec.md";
const SCHEMA: &str = "schemas/fnplan.schema.json";
/// The marker name of the schema's top level.
const ROOT: &str = "root";
/// The info string of a fenced block that holds a complete spec.
const SPEC_BLOCK: &str = "yaml spec";

// ------------------------------------------------------------------------- the schema

/// One property of an object in the schema.
struct Property {
    /// The definition it belongs to (`root` for the top level).
    def: String,
    name: String,
    /// Where it is written in a spec, e.g. `functions.<name>.triggers[].batch_size`.
    path: String,
    /// The values of an enumerated property (through `$ref` and `anyOf`).
    enums: Vec<String>,
}

/// Every property of every object reachable from the schema's root.
struct SchemaWalk<'a> {
    defs: &'a Map<String, Value>,
    visited: BTreeSet<String>,
    props: Vec<Property>,
    /// Definitions that are objects with properties, and the first path they appear at.
    objects: BTreeMap<String, String>,
}

fn load_schema() -> Value {
    let text = std::fs::read_to_string(root().join(SCHEMA)).expect("the committed schema");
    serde_json::from_str(&text).expect("the schema is JSON")
}

fn definitions(schema: &Value) -> &Map<String, Value> {
    schema
        .get("definitions")
        .or_else(|| schema.get("$defs"))
        .and_then(Value::as_object)
        .expect("the schema has definitions")
}

/// `#/definitions/RawFunction` -> `RawFunction`.
fn ref_name(r: &str) -> &str {
    r.rsplit('/').next().unwrap_or(r)
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

impl<'a> SchemaWalk<'a> {
    fn run(schema: &'a Value) -> Self {
        let mut w = SchemaWalk {
            defs: definitions(schema),
            visited: BTreeSet::new(),
            props: Vec::new(),
            objects: BTreeMap::new(),
        };
        w.walk(schema, ROOT, "");
        w
    }

    fn walk(&mut self, s: &Value, def: &str, path: &str) {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = ref_name(r).to_string();
            let target = self.defs.get(&name).expect("every $ref resolves");
            if self.visited.insert(name.clone()) {
                self.walk(target, &name, path);
            }
            return;
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            for sub in s.get(key).and_then(Value::as_array).into_iter().flatten() {
                self.walk(sub, def, path);
            }
        }
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            self.objects
                .entry(def.to_string())
                .or_insert_with(|| path.to_string());
            for (name, sub) in props {
                let here = join(path, name);
                let mut enums = Vec::new();
                self.enum_values(sub, &mut enums);
                self.props.push(Property {
                    def: def.to_string(),
                    name: name.clone(),
                    path: here.clone(),
                    enums,
                });
                self.walk(sub, def, &here);
            }
        }
        if let Some(extra) = s.get("additionalProperties").filter(|v| v.is_object()) {
            self.walk(extra, def, &format!("{path}.<name>"));
        }
        if let Some(items) = s.get("items") {
            self.walk(items, def, &format!("{path}[]"));
        }
    }

    /// The values an enumerated schema allows, following `$ref` and `anyOf`/`oneOf`.
    fn enum_values(&self, s: &Value, out: &mut Vec<String>) {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            if let Some(target) = self.defs.get(ref_name(r)) {
                self.enum_values(target, out);
            }
            return;
        }
        for v in s
            .get("enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.push(v.as_str().map_or_else(|| v.to_string(), str::to_string));
        }
        for key in ["anyOf", "oneOf"] {
            for sub in s.get(key).and_then(Value::as_array).into_iter().flatten() {
                self.enum_values(sub, out);
            }
        }
    }
}

// ------------------------------------------------------------------------- the document

struct Heading {
    /// 0-based line index.
    line: usize,
    level: usize,
    text: String,
    /// The `<!-- schema: NAME -->` marker under it.
    schema: Option<String>,
}

/// A fenced code block: the line of its opening fence, its info string and its text.
struct Block {
    line: usize,
    info: String,
    text: String,
}

struct Doc {
    lines: Vec<String>,
    /// Whether each line is inside a fenced block (fences included).
    fenced: Vec<bool>,
    headings: Vec<Heading>,
    blocks: Vec<Block>,
    /// Problems with the markers themselves (a marker before any heading, twice under one).
    marker_errors: Vec<String>,
}

fn marker(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("<!--")?.strip_suffix("-->")?;
    Some(rest.trim().strip_prefix("schema:")?.trim())
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    let text = line[level..].strip_prefix(' ')?;
    (1..=6).contains(&level).then_some((level, text.trim()))
}

fn load_doc() -> Doc {
    let text = std::fs::read_to_string(root().join(DOC))
        .unwrap_or_else(|e| panic!("{DOC} must exist (the spec reference): {e}"));
    parse_doc(&text)
}

fn parse_doc(text: &str) -> Doc {
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut doc = Doc {
        fenced: vec![false; lines.len()],
        lines: Vec::new(),
        headings: Vec::new(),
        blocks: Vec::new(),
        marker_errors: Vec::new(),
    };
    let mut open: Option<Block> = None;
    for (i, line) in lines.iter().enumerate() {
        let fence = line.trim_start().starts_with("```");
        if let Some(b) = open.as_mut() {
            doc.fenced[i] = true;
            if fence {
                doc.blocks.extend(open.take());
            } else {
                b.text.push_str(line);
                b.text.push('\n');
            }
        } else if fence {
            doc.fenced[i] = true;
            let info = line.trim_start().trim_start_matches('`').trim().to_string();
            open = Some(Block {
                line: i,
                info,
                text: String::new(),
            });
        } else if let Some((level, text)) = heading(line) {
            doc.headings.push(Heading {
                line: i,
                level,
                text: text.to_string(),
                schema: None,
            });
        } else if let Some(name) = marker(line) {
            attach_marker(&mut doc, name, i);
        }
    }
    doc.lines = lines;
    doc
}

fn attach_marker(doc: &mut Doc, name: &str, line: usize) {
    match doc.headings.last_mut() {
        Some(h) if h.schema.is_none() => h.schema = Some(name.to_string()),
        Some(h) => doc.marker_errors.push(format!(
            "{DOC}:{}: a second schema marker (`{name}`) under heading \"{}\"",
            line + 1,
            h.text
        )),
        None => doc.marker_errors.push(format!(
            "{DOC}:{}: schema marker `{name}` comes before any heading",
            line + 1
        )),
    }
}

/// Inline code spans of a piece of Markdown.
fn code_spans(s: &str) -> impl Iterator<Item = &str> {
    s.split('`').skip(1).step_by(2).map(str::trim)
}

fn is_table_row(line: &str) -> bool {
    line.trim_start().starts_with('|')
}

fn is_separator_row(line: &str) -> bool {
    line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

fn first_cell(line: &str) -> &str {
    line.trim()
        .trim_start_matches('|')
        .split('|')
        .next()
        .unwrap_or("")
}

/// A section of docs/spec.md that documents one schema definition.
struct Section<'d> {
    heading: &'d Heading,
    /// Its own lines: the section minus subsections with a marker of their own.
    lines: Vec<usize>,
}

impl Doc {
    /// The index after the last line of the section under `headings[h]`.
    fn section_end(&self, h: usize) -> usize {
        let level = self.headings[h].level;
        self.headings[h + 1..]
            .iter()
            .find(|x| x.level <= level)
            .map_or(self.lines.len(), |x| x.line)
    }

    fn sections(&self) -> BTreeMap<String, Section<'_>> {
        let mut out = BTreeMap::new();
        for (h, head) in self.headings.iter().enumerate() {
            let Some(name) = &head.schema else { continue };
            let end = self.section_end(h);
            let mut lines: Vec<usize> = (head.line..end).collect();
            for (k, sub) in self.headings.iter().enumerate().skip(h + 1) {
                if sub.line < end && sub.schema.is_some() {
                    let sub_end = self.section_end(k);
                    lines.retain(|l| *l < sub.line || *l >= sub_end);
                }
            }
            out.insert(
                name.clone(),
                Section {
                    heading: head,
                    lines,
                },
            );
        }
        out
    }

    /// Names a section documents: code spans in its headings and first table cells.
    fn field_names(&self, s: &Section<'_>) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        for &i in s.lines.iter().filter(|i| !self.fenced[**i]) {
            let line = &self.lines[i];
            let cell = if heading(line).is_some() {
                line.as_str()
            } else if is_table_row(line) {
                first_cell(line)
            } else {
                continue;
            };
            names.extend(code_spans(cell).map(str::to_string));
        }
        names
    }

    /// Every code span of a section's own text outside code blocks.
    fn all_spans(&self, s: &Section<'_>) -> BTreeSet<String> {
        s.lines
            .iter()
            .filter(|i| !self.fenced[**i])
            .flat_map(|&i| code_spans(&self.lines[i]).map(str::to_string))
            .collect()
    }
}

/// Whether a name written in the docs (`timeout`, `api.cors`) names property `prop`.
fn names_property(written: &str, prop: &str) -> bool {
    written == prop || written.rsplit('.').next() == Some(prop)
}

// ------------------------------------------------------------------------- the checks

fn where_to_add(s: &Section<'_>) -> String {
    let h = s.heading;
    format!(
        "section \"{} {}\" ({DOC}:{})",
        "#".repeat(h.level),
        h.text,
        h.line + 1
    )
}

fn missing_sections(
    walk: &SchemaWalk<'_>,
    sections: &BTreeMap<String, Section<'_>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (def, path) in &walk.objects {
        if sections.contains_key(def) {
            continue;
        }
        let props: Vec<&str> = walk
            .props
            .iter()
            .filter(|p| &p.def == def)
            .map(|p| p.name.as_str())
            .collect();
        let at = if path.is_empty() {
            "the top level"
        } else {
            path
        };
        out.push(format!(
            "schema definition `{def}` (written at `{at}`) has no section in {DOC}: put \
             `<!-- schema: {def} -->` under the heading that documents it, with a field \
             table of its properties: {}",
            props.join(", ")
        ));
    }
    for name in sections.keys() {
        if !walk.objects.contains_key(name) {
            out.push(format!(
                "{DOC} has a `<!-- schema: {name} -->` marker, but the schema has no object \
                 definition `{name}` (known: {})",
                walk.objects.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    out
}

fn undocumented(
    walk: &SchemaWalk<'_>,
    doc: &Doc,
    sections: &BTreeMap<String, Section<'_>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for p in &walk.props {
        let Some(s) = sections.get(&p.def) else {
            continue;
        };
        if !doc
            .field_names(s)
            .iter()
            .any(|w| names_property(w, &p.name))
        {
            out.push(format!(
                "property `{}` of schema definition `{}` (`{}` in a spec) is not documented: \
                 add a row \"| `{}` | ... |\" to the field table of {}",
                p.name,
                p.def,
                p.path,
                p.name,
                where_to_add(s)
            ));
        }
        let spans = doc.all_spans(s);
        for v in p.enums.iter().filter(|v| !spans.contains(*v)) {
            out.push(format!(
                "value `{v}` of `{}` (schema definition `{}`) is not documented: name it in \
                 backticks in {}",
                p.path,
                p.def,
                where_to_add(s)
            ));
        }
    }
    out
}

#[test]
fn every_schema_property_is_documented_in_the_section_of_its_definition() {
    let schema = load_schema();
    let walk = SchemaWalk::run(&schema);
    assert!(
        walk.props.len() > 50 && walk.objects.contains_key("RawFunction"),
        "the schema walk found only {} properties; is {SCHEMA} what it was?",
        walk.props.len()
    );
    let doc = load_doc();
    let sections = doc.sections();
    let mut problems = doc.marker_errors.clone();
    problems.extend(missing_sections(&walk, &sections));
    problems.extend(undocumented(&walk, &doc, &sections));
    assert!(
        problems.is_empty(),
        "{DOC} is out of step with {SCHEMA}:\n- {}",
        problems.join("\n- ")
    );
}

/// Rows of the field tables (header cell `field`) in a section's own lines.
fn field_rows<'d>(doc: &'d Doc, s: &Section<'_>) -> Vec<(usize, &'d str)> {
    let mut rows = Vec::new();
    let mut in_fields = false;
    for &i in &s.lines {
        let line = doc.lines[i].as_str();
        if doc.fenced[i] || !is_table_row(line) {
            in_fields = false;
            continue;
        }
        let cell = first_cell(line).trim();
        if !in_fields && cell.eq_ignore_ascii_case("field") {
            in_fields = true;
        } else if in_fields && !is_separator_row(line) {
            rows.push((i, cell));
        }
    }
    rows
}

#[test]
fn field_tables_document_only_fields_the_schema_has() {
    let schema = load_schema();
    let walk = SchemaWalk::run(&schema);
    let doc = load_doc();
    let mut problems = Vec::new();
    let mut rows_seen = 0;
    for (def, s) in doc.sections() {
        let props: Vec<&str> = walk
            .props
            .iter()
            .filter(|p| p.def == def)
            .map(|p| p.name.as_str())
            .collect();
        for (i, cell) in field_rows(&doc, &s) {
            rows_seen += 1;
            for w in code_spans(cell) {
                if !props.iter().any(|p| names_property(w, p)) {
                    problems.push(format!(
                        "{DOC}:{}: `{w}` is in the field table of `{def}`, which has no such \
                         property (it has: {}); remove the row, or move it to the table of the \
                         definition it belongs to",
                        i + 1,
                        props.join(", ")
                    ));
                }
            }
        }
    }
    assert!(
        rows_seen > 50,
        "only {rows_seen} field table rows found in {DOC}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ------------------------------------------------------------------------- the examples

/// Make every local `code:` directory a spec names (functions and layers), so that lint and
/// render can package it.
fn make_code_dirs(spec: &str, dir: &std::path::Path) {
    let file = fnplan::source::SourceFile::from_string("spec.yaml", spec);
    // Unparsable YAML is reported by fnplan itself below.
    let Ok(node) = fnplan::spec::node::parse(&file, fnplan::spec::InputBudget::DEFAULT) else {
        return;
    };
    let json = fnplan::spec::read::to_json(&node);
    let functions = json.get("functions").and_then(Value::as_object);
    let layers = json.get("layers").and_then(Value::as_object);
    let elements = functions.into_iter().chain(layers).flat_map(|m| m.values());
    for f in elements {
        let Some(code) = f.get("code").and_then(Value::as_str) else {
            continue;
        };
        if code.starts_with("s3://") {
            continue;
        }
        let d = dir.join(code);
        std::fs::create_dir_all(&d).expect("code dir");
        std::fs::write(
            d.join("handler.py"),
            "def handler(event, context):\n    return {}\n",
        )
        .expect("handler file");
    }
}

/// Schema errors of one spec (as the editor integration would show them).
fn schema_errors(spec: &str, validator: &jsonschema::Validator) -> Vec<String> {
    let file = fnplan::source::SourceFile::from_string("spec.yaml", spec);
    let Ok(node) = fnplan::spec::node::parse(&file, fnplan::spec::InputBudget::DEFAULT) else {
        return vec!["not YAML".into()];
    };
    let json = fnplan::spec::read::to_json(&node);
    validator
        .iter_errors(&json)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// What is wrong with one complete example spec, if anything.
fn check_example(b: &Block, validator: &jsonschema::Validator) -> Option<String> {
    let at = format!("the example spec at {DOC}:{}", b.line + 1);
    let errors = schema_errors(&b.text, validator);
    if !errors.is_empty() {
        return Some(format!(
            "{at} does not validate against {SCHEMA}: {errors:?}"
        ));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("fnplan.yaml"), &b.text).expect("write spec");
    make_code_dirs(&b.text, dir.path());
    // Examples show good practice: lint finds nothing, not even a warning.
    for args in [
        ["lint", "fnplan.yaml", "--deny", "warnings"],
        ["render", "fnplan.yaml", "--out", "out"],
    ] {
        let o = fnplan()
            .current_dir(dir.path())
            .args(args)
            .output()
            .expect("fnplan runs");
        if !o.status.success() {
            return Some(format!(
                "{at} (fnplan.yaml:1 is {DOC}:{}): `fnplan {}` exits {:?}:\n{}{}",
                b.line + 2,
                args.join(" "),
                o.status.code(),
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ));
        }
    }
    None
}

#[test]
fn complete_example_specs_in_the_docs_validate_lint_and_render() {
    let doc = load_doc();
    let examples: Vec<&Block> = doc.blocks.iter().filter(|b| b.info == SPEC_BLOCK).collect();
    assert!(
        examples.len() >= 2,
        "{DOC} has {} ```{SPEC_BLOCK} blocks; the minimal app and the full example at least",
        examples.len()
    );
    let schema = load_schema();
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let failures: Vec<String> = examples
        .iter()
        .filter_map(|b| check_example(b, &validator))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_readme_sends_users_to_the_reference_in_the_repository() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(
        readme.contains("](docs/spec.md)"),
        "README.md should link docs/spec.md"
    );
    assert!(
        !readme.contains("../shared/"),
        "README.md links outside the repository (../shared/), which a user of a release does not have"
    );
}

// ------------------------------------------------------------------------- the checker itself

#[test]
fn a_missing_field_is_reported_with_its_definition_and_section() {
    let schema = serde_json::json!({
        "properties": { "thing": { "$ref": "#/definitions/Thing" } },
        "definitions": { "Thing": { "type": "object", "properties": {
            "size": { "type": "integer" },
            "mode": { "enum": ["fast", "slow"] }
        } } }
    });
    let walk = SchemaWalk::run(&schema);
    let doc = parse_doc(
        "# Top\n<!-- schema: root -->\n| field | meaning |\n|---|---|\n| `thing` | a thing |\n\
         ## `thing`\n<!-- schema: Thing -->\n| field | meaning |\n|---|---|\n| `mode` | `fast` |\n\
         | `colour` | not in the schema |\n",
    );
    let sections = doc.sections();
    assert!(missing_sections(&walk, &sections).is_empty());
    let problems = undocumented(&walk, &doc, &sections);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].contains("property `size` of schema definition `Thing`"));
    assert!(problems[0].contains("`thing.size` in a spec"));
    assert!(problems[0].contains("section \"## `thing`\" (docs/spec.md:6)"));
    assert!(problems[1].contains("value `slow` of `thing.mode`"));
    let rows: Vec<&str> = field_rows(&doc, &sections["Thing"])
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert_eq!(rows, ["`mode`", "`colour`"]);
    // The top level's own lines stop where the marked subsection starts.
    assert!(!doc.field_names(&sections[ROOT]).contains("mode"));
}
