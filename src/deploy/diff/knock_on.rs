//! The changes of one template diff and both templates in, the changes replacements
//! cause out: a resource whose create-only property takes a replaced resource's `Ref`,
//! `Fn::GetAtt` or `${X}` (in `Fn::Sub`) is replaced too, transitively; one that takes it
//! through an updatable property is modified; an output that shows it changes. The
//! template text of those consumers is the same, so a text diff alone misses them, but
//! CloudFormation carries the new physical ID into every one of them.

use super::super::format::value::{getatt, intrinsic};
use super::super::plan::{Action, KnockOn, OutputChange, PropertyChange, ResourceChange, Risk};
use super::super::replacement;
use super::{PlanChanges, child, replace_notes, type_of, unknown_type_note};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Both templates' `Resources` and `Outputs`.
pub(super) struct Sides<'a> {
    pub old: &'a Map<String, Value>,
    pub new: &'a Map<String, Value>,
    pub old_outputs: &'a Map<String, Value>,
    pub new_outputs: &'a Map<String, Value>,
}

/// Add the consequences of every replacement in `out` (and of the template parameters
/// in `inputs`, whose values change: a nested stack's inputs from its parent) until
/// nothing more changes.
pub(super) fn spread(out: &mut PlanChanges, t: &Sides, inputs: &[Input]) {
    // What changes value, and why, in words.
    let mut changing: BTreeMap<String, String> = inputs
        .iter()
        .map(|i| (i.parameter.clone(), i.reason.clone()))
        .collect();
    for c in out.changes.iter().filter(|c| c.action == Action::Replace) {
        changing.insert(
            c.logical_id.clone(),
            format!("{} is replaced", c.logical_id),
        );
    }
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut grew = !changing.is_empty();
    while grew {
        grew = false;
        for (id, new_r) in t.new {
            let Some(old_r) = t.old.get(id) else { continue };
            for hit in references(new_r.get("Properties"), "Properties") {
                let Some(reason) = changing.get(&hit.target) else {
                    continue;
                };
                if hit.target == *id || !seen.insert((id.clone(), hit.path.clone())) {
                    continue;
                }
                if consume(out, id, (old_r, new_r), &hit, reason.clone()) {
                    changing.insert(id.clone(), format!("{id} is replaced"));
                    grew = true;
                }
            }
        }
    }
    outputs(out, t, &changing);
}

/// A template parameter whose value changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub parameter: String,
    /// Why, as the plan says it: "OrdersTable is replaced".
    pub reason: String,
}

/// One place a template value refers to another resource (or parameter).
struct Hit<'a> {
    /// Where, from the resource's top level: `Properties.EventSourceArn`.
    path: String,
    target: String,
    value: &'a Value,
}

/// Resource `id` takes `hit.target`'s new value at `hit.path`: record it. True when this
/// makes `id` a replacement it was not before.
fn consume(
    out: &mut PlanChanges,
    id: &str,
    (old, new): (&Value, &Value),
    hit: &Hit,
    reason: String,
) -> bool {
    let i = match out.changes.iter().position(|c| c.logical_id == id) {
        Some(i) => i,
        None => {
            let mut c = ResourceChange::new(id, type_of(new), Action::Modify);
            unknown_type_note(&mut c);
            out.changes.push(c);
            out.unchanged = out.unchanged.saturating_sub(1);
            out.changes.len() - 1
        }
    };
    let c = &mut out.changes[i];
    let covered = c
        .properties
        .iter()
        .any(|p| hit.path == p.path || hit.path.starts_with(&format!("{}.", p.path)));
    if covered {
        // The text changed here anyway; that change was already judged.
        return false;
    }
    let rel = hit.path.strip_prefix("Properties.").unwrap_or(&hit.path);
    let create_only = replacement::replaces(&c.resource_type, rel);
    c.properties.push(PropertyChange {
        path: hit.path.clone(),
        old: Some(hit.value.clone()),
        new: Some(hit.value.clone()),
        diff: None,
        replaces: create_only,
        known_after_apply: Some(reason.clone()),
    });
    if !create_only {
        return false;
    }
    let property = replacement::top_level(rel).to_string();
    if !c.replacement.because_of.contains(&property) {
        c.replacement.because_of.push(property.clone());
    }
    c.replacement.caused_by.push(KnockOn {
        resource: hit.target.clone(),
        property,
        reason,
    });
    if c.action == Action::Replace {
        return false;
    }
    c.action = Action::Replace;
    c.replacement.predicted = true;
    c.risks.push(Risk::Replacement);
    replace_notes(c, old, new);
    c.risks.sort();
    c.risks.dedup();
    true
}

/// Outputs that show a changing resource's value.
fn outputs(out: &mut PlanChanges, t: &Sides, changing: &BTreeMap<String, String>) {
    for (name, new) in t.new_outputs {
        let Some(old) = t.old_outputs.get(name) else {
            continue;
        };
        if out.outputs.iter().any(|o| o.name == *name) {
            continue;
        }
        let reason = references(new.get("Value"), "Value")
            .into_iter()
            .find_map(|h| changing.get(&h.target));
        if let Some(reason) = reason {
            out.outputs.push(OutputChange {
                name: name.clone(),
                action: Action::Modify,
                old: Some(old.clone()),
                new: Some(new.clone()),
                known_after_apply: Some(reason.clone()),
            });
        }
    }
}

/// Every `Ref`, `Fn::GetAtt` and `${X}`/`${X.Attr}` under `v`, with its path.
fn references<'a>(v: Option<&'a Value>, path: &str) -> Vec<Hit<'a>> {
    let mut out = Vec::new();
    if let Some(v) = v {
        collect(&mut out, v, path);
    }
    out
}

fn collect<'a>(out: &mut Vec<Hit<'a>>, v: &'a Value, path: &str) {
    if let Some((r, _)) = getatt(v) {
        push(out, path, &r, v);
        return;
    }
    match intrinsic(v) {
        Some(("Ref", Value::String(s))) => push(out, path, s, v),
        Some(("Fn::Sub", arg)) => {
            let (text, vars) = match arg {
                Value::Array(a) => (a.first(), a.get(1).and_then(Value::as_object)),
                other => (Some(other), None),
            };
            let text = text.and_then(Value::as_str).unwrap_or("");
            for name in sub_names(text) {
                if !vars.is_some_and(|m| m.contains_key(name)) {
                    push(out, path, name.split('.').next().unwrap_or(name), v);
                }
            }
            for var in vars.into_iter().flat_map(|m| m.values()) {
                collect(out, var, path);
            }
        }
        Some((_, arg)) => collect(out, arg, path),
        None => match v {
            Value::Object(m) => {
                for (k, x) in m {
                    collect(out, x, &child(path, k));
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    collect(out, x, &format!("{path}[{i}]"));
                }
            }
            _ => {}
        },
    }
}

fn push<'a>(out: &mut Vec<Hit<'a>>, path: &str, target: &str, value: &'a Value) {
    if !target.starts_with("AWS::") {
        out.push(Hit {
            path: path.to_string(),
            target: target.to_string(),
            value,
        });
    }
}

/// The `${...}` names in a `Fn::Sub` string (`${!Literal}` is text, not a name).
fn sub_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = after[..end].trim();
        if !name.starts_with('!') && !name.is_empty() {
            names.push(name);
        }
        rest = &after[end + 1..];
    }
    names
}

#[cfg(test)]
pub(super) mod tests_support {
    use serde_json::Value;

    /// The targets `v` refers to, in order.
    pub fn targets(v: &Value) -> Vec<String> {
        super::references(Some(v), "Properties.X")
            .into_iter()
            .map(|h| h.target)
            .collect()
    }
}
