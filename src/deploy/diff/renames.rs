//! The changes of one template diff and both templates in, renames marked out: a
//! resource that disappears while one of the same type and shape appears is most likely
//! a renamed spec key (`tables.videos` -> `tables.clips`). CloudFormation sees a delete
//! and a create: the new resource starts empty and the old one's data is not moved (or,
//! retained, stays behind outside the stack). The plan says so, and how to keep it.

use super::super::plan::{Action, ResourceChange};
use super::super::replacement;
use super::{PlanChanges, same, type_of};
use serde_json::{Map, Value};

/// How to keep a renamed table, bucket or queue with its data.
const KEEP: &str = "to keep the old resource and its data, add `renamed_from: <old key>` to the new key in the spec: `fnplan apply` then moves it to the new name (CloudFormation stack refactoring) instead of replacing it";

/// Pair each deleted resource with the one created resource of the same type and shape,
/// when exactly one on each side matches (never a guess between several).
pub(super) fn mark(out: &mut PlanChanges, old: &Map<String, Value>, new: &Map<String, Value>) {
    let ids = |a: Action| -> Vec<String> {
        out.changes
            .iter()
            .filter(|c| c.action == a)
            .map(|c| c.logical_id.clone())
            .collect()
    };
    let (deleted, created) = (ids(Action::Delete), ids(Action::Create));
    let matches = |d: &str, c: &str| match (old.get(d), new.get(c)) {
        (Some(o), Some(n)) => same_shape((d, o), (c, n)),
        _ => false,
    };
    for d in &deleted {
        let candidates: Vec<&String> = created.iter().filter(|c| matches(d, c)).collect();
        let [c] = candidates[..] else { continue };
        let rivals = deleted.iter().filter(|other| matches(other, c)).count();
        if rivals == 1 {
            annotate(out, d, c, old.get(d));
        }
    }
}

/// Same type, and the same properties once the name, the tags and the spec key inside
/// strings (`Videos` -> `Clips` in references) are set aside.
fn same_shape((old_id, old): (&str, &Value), (new_id, new): (&str, &Value)) -> bool {
    let t = type_of(old);
    if t != type_of(new) {
        return false;
    }
    let Some((old_stem, new_stem)) = stems(old_id, new_id) else {
        return false;
    };
    let strip = |r: &Value, from: &str, to: &str| -> Value {
        let mut props = r.get("Properties").cloned().unwrap_or(Value::Null);
        if let Some(m) = props.as_object_mut() {
            if let Some(name) = replacement::name_property(t) {
                m.remove(name);
            }
            m.remove("Tags");
        }
        rename_in(&mut props, from, to);
        props
    };
    same(&strip(old, &old_stem, &new_stem), &strip(new, "", ""), None)
}

/// `VideosTable`, `ClipsTable` -> (`Videos`, `Clips`): the ids less their common suffix.
fn stems(a: &str, b: &str) -> Option<(String, String)> {
    let common = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (sa, sb) = (&a[..a.len() - common], &b[..b.len() - common]);
    (!sa.is_empty() && !sb.is_empty() && sa.is_ascii() && sb.is_ascii())
        .then(|| (sa.to_string(), sb.to_string()))
}

/// Replace `from` by `to` in every string and key (references to the renamed ids).
fn rename_in(v: &mut Value, from: &str, to: &str) {
    if from.is_empty() {
        return;
    }
    match v {
        Value::String(s) if s.contains(from) => *s = s.replace(from, to),
        Value::Array(a) => a.iter_mut().for_each(|x| rename_in(x, from, to)),
        Value::Object(m) => {
            let entries: Vec<(String, Value)> = std::mem::take(m).into_iter().collect();
            for (k, mut x) in entries {
                rename_in(&mut x, from, to);
                m.insert(k.replace(from, to), x);
            }
        }
        _ => {}
    }
}

fn annotate(out: &mut PlanChanges, old_id: &str, new_id: &str, old: Option<&Value>) {
    let find = |out: &mut PlanChanges, id: &str| -> Option<usize> {
        out.changes.iter().position(|c| c.logical_id == id)
    };
    let stateful;
    if let Some(i) = find(out, old_id) {
        let c = &mut out.changes[i];
        stateful = replacement::is_stateful(&c.resource_type);
        c.renamed_to = Some(new_id.to_string());
        c.notes.push(deleted_note(c, new_id, old));
    } else {
        return;
    }
    if let Some(i) = find(out, new_id) {
        let c = &mut out.changes[i];
        c.renamed_from = Some(old_id.to_string());
        let mut text = format!("looks like a rename of {old_id}: a new, empty resource");
        if stateful {
            text.push_str(&format!("; data in {old_id} is not moved"));
        }
        c.notes.push(text);
        if stateful {
            c.notes.push(KEEP.to_string());
        }
    }
}

/// What happens to the old resource of a rename.
fn deleted_note(c: &ResourceChange, new_id: &str, old: Option<&Value>) -> String {
    let name = replacement::name_property(&c.resource_type)
        .and_then(|p| old?.get("Properties")?.get(p)?.as_str())
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    match (c.retained, replacement::is_stateful(&c.resource_type)) {
        (true, _) => format!(
            "renamed to {new_id}: {}{name} stays in the account, outside the stack, with its data",
            c.logical_id
        ),
        (false, true) => format!(
            "renamed to {new_id}: {}{name} is deleted with its data; {new_id} starts empty",
            c.logical_id
        ),
        (false, false) => format!("renamed to {new_id}: deleted and created anew"),
    }
}
