//! Raw CloudFormation: the model's `resources:` and `outputs:` in; their values with
//! fnplan's references resolved, merged into the template, and the checks only the
//! rendered template can make (logical ID collisions, names of nothing) out.

use super::intrinsics::{interp, interp_sub_text, name_value};
use super::{Group, Resources, Template};
use crate::diagnostic::Diagnostic;
use crate::model::{Model, RawValue, SubPiece};
use crate::spec::codes;
use serde_json::{Map, Value, json};

/// `v` with every parsed string replaced by its template value. A `Fn::Sub` whose text
/// has nothing left to substitute becomes the plain string.
pub(crate) fn resolve(model: &Model, v: &RawValue) -> Value {
    let mut body = v.body.clone();
    for (pointer, i) in &v.refs {
        if let Some(slot) = body.pointer_mut(pointer) {
            *slot = interp(model, i).into();
        }
    }
    for (pointer, pieces) in &v.subs {
        let text: String = pieces
            .iter()
            .map(|p| match p {
                SubPiece::Text(t) => t.clone(),
                SubPiece::Fnplan(i) => interp_sub_text(model, i),
            })
            .collect();
        let whole = pointer.strip_suffix("/Fn::Sub");
        match (whole, name_value(&text)) {
            (Some(parent), super::doc::Doc::String(plain)) => {
                if let Some(slot) = body.pointer_mut(parent) {
                    *slot = Value::String(plain.into_string());
                }
            }
            _ => {
                if let Some(slot) = body.pointer_mut(pointer) {
                    *slot = Value::String(text);
                }
            }
        }
    }
    body
}

/// Add the raw resources after fnplan's own; one whose logical ID fnplan already uses is
/// left out ([`check`] reports it).
pub(crate) fn render_resources(model: &Model, out: &mut Resources) {
    out.set_group(Group::Shared);
    for r in &model.raw_resources {
        if !out.contains(&r.logical_id) {
            out.add_value(r.logical_id.clone(), resolve(model, &r.value));
        }
    }
}

/// One `outputs:` entry as a template output.
fn output_value(model: &Model, o: &crate::model::RawOutput) -> Value {
    let mut m = Map::new();
    if let Some(d) = &o.description {
        m.insert("Description".into(), json!(d));
    }
    m.insert("Value".into(), resolve(model, &o.value));
    if let Some(e) = &o.export {
        m.insert("Export".into(), json!({ "Name": interp(model, e) }));
    }
    Value::Object(m)
}

/// Add the spec's outputs; one whose name fnplan already uses is left out.
pub(crate) fn render_outputs(model: &Model, o: &mut Map<String, Value>) {
    for out in &model.raw_outputs {
        if !o.contains_key(&out.name) {
            o.insert(out.name.clone(), output_value(model, out));
        }
    }
}

/// What only the rendered template can tell about the raw sections: a logical ID or
/// output name fnplan generates itself (FN008), and a `Ref`, `Fn::GetAtt`, `${X}` or
/// `DependsOn` naming nothing in the template (FN006).
pub fn check(model: &Model, template: &Template) -> Vec<Diagnostic> {
    let section = |name: &str| template.value().get(name).and_then(Value::as_object);
    let empty = Map::new();
    let resources = section("Resources").unwrap_or(&empty);
    let parameters = section("Parameters").unwrap_or(&empty);
    let outputs = section("Outputs").unwrap_or(&empty);
    let mut diags = Vec::new();
    for r in &model.raw_resources {
        if resources.get(&r.logical_id) != Some(&resolve(model, &r.value)) {
            let ty = resources[&r.logical_id]["Type"]
                .as_str()
                .unwrap_or("a resource");
            diags.push(
                Diagnostic::error(
                    codes::LOGICAL_ID_COLLISION,
                    format!(
                        "logical ID `{}` is one fnplan generates (its {ty})",
                        r.logical_id
                    ),
                )
                .at(r.id_span)
                .help("rename this resource; `fnplan render` shows the IDs fnplan uses"),
            );
        }
    }
    for o in &model.raw_outputs {
        if outputs.get(&o.name) != Some(&output_value(model, o)) {
            diags.push(
                Diagnostic::error(
                    codes::LOGICAL_ID_COLLISION,
                    format!("output `{}` is one fnplan generates", o.name),
                )
                .at(o.name_span)
                .help("rename this output"),
            );
        }
    }
    let values = model
        .raw_resources
        .iter()
        .map(|r| &r.value)
        .chain(model.raw_outputs.iter().map(|o| &o.value));
    for v in values {
        for (id, span) in &v.targets {
            if resources.contains_key(id) || parameters.contains_key(id) {
                continue;
            }
            let help = crate::suggest::hint(id, resources.keys().map(String::as_str))
                .unwrap_or_else(|| "name a resource of `resources:` or one fnplan renders (see `fnplan render`); fnplan's own elements are `${kind.name.attribute}`".into());
            diags.push(
                Diagnostic::error(
                    codes::UNKNOWN_REFERENCE,
                    format!("`{id}` is not a resource or parameter of the template"),
                )
                .at(*span)
                .help(help),
            );
        }
    }
    diags
}
