//! Nested stacks: a rendered template and the group of each resource in; a parent template
//! (shared resources plus one `AWS::CloudFormation::Stack` per chunk of functions) and one
//! child template per chunk out. Every reference that crosses a stack boundary becomes a
//! child parameter filled in by the parent, or a child output the parent reads.
//!
//! How resources are grouped:
//! - each function keeps its role, log group, version, alias, invoke config, triggers
//!   (mappings, subscriptions, schedules, permissions) and its routes with their
//!   integrations and permissions;
//! - an SQS queue moves in with a function when nothing outside that function refers to
//!   it (its own trigger queue and, through the queue, its dead-letter queue);
//! - the API, its stage and authorizers, tables, buckets, topics and shared queues stay in
//!   the parent, and so does any function a parent resource refers to (a Lambda
//!   authorizer, a bucket's notification target), so references only ever point from a
//!   child to the parent or to another child, never back;
//! - functions are taken in name order and cut into chunks where a function's name hashes
//!   to a boundary (1 in [`BOUNDARY_MODULUS`]), or where a chunk would pass the resource,
//!   parameter or output limits. Adding or removing a function only changes its own chunk,
//!   so the other nested stacks keep their resources;
//! - chunks that refer to each other in a circle are merged into one.

use super::{Group, Template};
use crate::model::{Model, ids};
use petgraph::graph::{DiGraph, NodeIndex};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};

/// At most this many resources go into one child stack (CloudFormation's limit is 500;
/// the rest is room for the functions in it to grow).
pub const MAX_CHILD_RESOURCES: usize = 400;
/// CloudFormation's limits on resources, parameters and outputs per template.
pub const MAX_STACK_RESOURCES: usize = 500;
pub const MAX_PARAMETERS: usize = 200;
pub const MAX_OUTPUTS: usize = 200;
/// A chunk ends after a function whose name hashes to 0 modulo this: about 8 functions
/// per nested stack, independent of the functions before and after it.
pub const BOUNDARY_MODULUS: u8 = 8;

/// A parent template and its nested stacks.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    pub parent: Template,
    pub children: Vec<Nested>,
}

/// One nested stack: its logical ID in the parent, the file its `TemplateURL` names, the
/// functions it holds and its template.
#[derive(Clone, Debug, PartialEq)]
pub struct Nested {
    pub logical_id: String,
    pub file_name: String,
    pub functions: Vec<String>,
    pub template: Template,
}

/// Where a resource ends up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Part {
    Parent,
    Child(usize),
}

/// A value a child reads from outside: a resource's `Ref` or attribute, or a parameter.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Import {
    id: String,
    attr: Option<String>,
}

impl Import {
    /// The parameter (in the consumer) and output (in the producer) name: `Id` or `IdAttr`.
    fn name(&self) -> String {
        match &self.attr {
            None => self.id.clone(),
            Some(a) => format!("{}{}", self.id, a.replace('.', "")),
        }
    }
}

/// What a reference is replaced with.
pub(crate) enum Repl {
    /// `{"Ref": name}`, `${name}` in `Fn::Sub`.
    Ref(String),
    /// `{"Fn::GetAtt": [id, attr]}`, `${id.attr}` in `Fn::Sub`.
    Att(String, String),
    /// `{"Fn::GetAtt": [stack, "Outputs.name"]}`, `${stack.Outputs.name}` in `Fn::Sub`.
    Output(String, String),
}

impl Repl {
    fn value(&self) -> Value {
        match self {
            Repl::Ref(n) => json!({ "Ref": n }),
            Repl::Att(id, a) => json!({ "Fn::GetAtt": [id, a] }),
            Repl::Output(s, o) => json!({ "Fn::GetAtt": [s, format!("Outputs.{o}")] }),
        }
    }
    fn sub_text(&self) -> String {
        match self {
            Repl::Ref(n) => n.clone(),
            Repl::Att(id, a) => format!("{id}.{a}"),
            Repl::Output(s, o) => format!("{s}.Outputs.{o}"),
        }
    }
}

/// Calls `f(id, attr)` for every `Ref`, `Fn::GetAtt` and `${...}` reference in `v`.
pub(crate) fn visit_refs(v: &Value, f: &mut dyn FnMut(&str, Option<&str>)) {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, x) = m.iter().next().expect("one entry");
            match (k.as_str(), x) {
                ("Ref", Value::String(id)) => f(id, None),
                ("Fn::GetAtt", x) => {
                    if let Some((id, attr)) = get_att_parts(x) {
                        f(id, Some(attr));
                    }
                }
                ("Fn::Sub", Value::String(s)) => sub_refs(s, &[], f),
                ("Fn::Sub", Value::Array(a)) if a.len() == 2 => {
                    let locals: Vec<&str> = a[1]
                        .as_object()
                        .map(|m| m.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    if let Some(s) = a[0].as_str() {
                        sub_refs(s, &locals, f);
                    }
                    visit_refs(&a[1], f);
                }
                _ => visit_refs(x, f),
            }
        }
        Value::Object(m) => m.values().for_each(|x| visit_refs(x, f)),
        Value::Array(a) => a.iter().for_each(|x| visit_refs(x, f)),
        _ => {}
    }
}

fn get_att_parts(x: &Value) -> Option<(&str, &str)> {
    match x {
        Value::Array(a) if a.len() == 2 => Some((a[0].as_str()?, a[1].as_str()?)),
        Value::String(s) => s.split_once('.'),
        _ => None,
    }
}

/// Byte ranges of the variable names in `Fn::Sub` text (`${Name}`, `${Id.Attr}`; `${!x}`
/// is literal text).
fn sub_names(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(p) = s[at..].find("${") {
        let start = at + p + 2;
        if s[start..].starts_with('!') {
            at = start + 1;
            continue;
        }
        match s[start..].find('}') {
            Some(len) => {
                out.push((start, start + len));
                at = start + len + 1;
            }
            None => break,
        }
    }
    out
}

fn sub_refs(s: &str, locals: &[&str], f: &mut dyn FnMut(&str, Option<&str>)) {
    for (a, b) in sub_names(s) {
        let name = &s[a..b];
        if locals.contains(&name) {
            continue;
        }
        match name.split_once('.') {
            Some((id, attr)) => f(id, Some(attr)),
            None => f(name, None),
        }
    }
}

/// Replace every reference in `v` for which `map` returns a replacement.
pub(crate) fn rewrite(v: &mut Value, map: &mut dyn FnMut(&str, Option<&str>) -> Option<Repl>) {
    let replacement = match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, x) = m.iter_mut().next().expect("one entry");
            match (k.as_str(), x) {
                ("Ref", Value::String(id)) => map(id, None).map(|r| r.value()),
                ("Fn::GetAtt", x) => get_att_parts(x)
                    .and_then(|(id, attr)| map(id, Some(attr)))
                    .map(|r| r.value()),
                ("Fn::Sub", Value::String(s)) => {
                    *s = rewrite_sub(s, &[], map);
                    None
                }
                ("Fn::Sub", Value::Array(a)) if a.len() == 2 => {
                    let locals: Vec<String> = a[1]
                        .as_object()
                        .map(|m| m.keys().cloned().collect())
                        .unwrap_or_default();
                    if let Some(s) = a[0].as_str() {
                        a[0] = Value::String(rewrite_sub(s, &locals, map));
                    }
                    rewrite(&mut a[1], map);
                    None
                }
                (_, x) => {
                    rewrite(x, map);
                    None
                }
            }
        }
        Value::Object(m) => {
            m.values_mut().for_each(|x| rewrite(x, map));
            None
        }
        Value::Array(a) => {
            a.iter_mut().for_each(|x| rewrite(x, map));
            None
        }
        _ => None,
    };
    if let Some(r) = replacement {
        *v = r;
    }
}

fn rewrite_sub(
    s: &str,
    locals: &[String],
    map: &mut dyn FnMut(&str, Option<&str>) -> Option<Repl>,
) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (a, b) in sub_names(s) {
        let name = &s[a..b];
        if locals.iter().any(|l| l == name) {
            continue;
        }
        let r = match name.split_once('.') {
            Some((id, attr)) => map(id, Some(attr)),
            None => map(name, None),
        };
        if let Some(r) = r {
            out.push_str(&s[last..a]);
            out.push_str(&r.sub_text());
            last = b;
        }
    }
    out.push_str(&s[last..]);
    out
}

/// Whether a chunk ends after the function called `name`.
fn is_boundary(name: &str) -> bool {
    Sha256::digest(name.as_bytes())[0] % BOUNDARY_MODULUS == 0
}

/// What one function's group brings to a chunk.
#[derive(Default)]
struct UnitStats {
    resources: usize,
    imports: BTreeSet<Import>,
    /// Outputs of the whole template that refer only to this group's resources.
    outputs: usize,
    /// Values of this group that other groups or the parent's outputs read.
    exports: usize,
}

/// Split `template` (rendered with `groups`, one per resource in order) into nested stacks.
pub(crate) fn split(
    model: &Model,
    template: Template,
    groups: &[Group],
    file_name: &dyn Fn(&str) -> String,
) -> Split {
    let mut doc = match template.value {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let (ids, values): (Vec<String>, Vec<Value>) = match doc.get_mut("Resources") {
        Some(Value::Object(m)) => std::mem::take(m).into_iter().unzip(),
        _ => Default::default(),
    };
    let empty = Map::new();
    let section = |k: &str| doc.get(k).and_then(Value::as_object).unwrap_or(&empty);
    let resources: Vec<(&String, &Value)> = ids.iter().zip(&values).collect();
    let params = section("Parameters");
    let outputs = section("Outputs");
    debug_assert_eq!(resources.len(), groups.len());
    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();

    // Resource-to-resource edges (references and DependsOn), both ways.
    let n = resources.len();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut rev: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, (_, v)) in resources.iter().enumerate() {
        let mut add = |id: &str| {
            if let Some(&t) = index.get(id)
                && t != i
                && !edges[i].contains(&t)
            {
                edges[i].push(t);
                rev[t].push(i);
            }
        };
        visit_refs(v, &mut |id, _| add(id));
        for d in depends_on(v) {
            add(d);
        }
    }

    // Which function each resource goes with; `None` is the parent.
    let mut group: Vec<Option<usize>> = groups
        .iter()
        .map(|g| match g {
            Group::Shared => None,
            Group::Function(f) => Some(*f),
        })
        .collect();
    group.resize(n, None);
    let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, g) in group.iter().enumerate() {
        if let Some(f) = g {
            members.entry(*f).or_default().push(i);
        }
    }
    // A parent resource that refers to a function's group pulls the whole group up.
    let mut work: Vec<usize> = (0..n).filter(|&i| group[i].is_none()).collect();
    while let Some(i) = work.pop() {
        for &t in &edges[i] {
            if let Some(f) = group[t] {
                for j in members.remove(&f).unwrap_or_default() {
                    group[j] = None;
                    work.push(j);
                }
            }
        }
    }
    // Queues only one group refers to move into it (a trigger queue, then its DLQ).
    loop {
        let mut changed = false;
        for i in 0..n {
            if group[i].is_some() || resources[i].1["Type"] != "AWS::SQS::Queue" {
                continue;
            }
            let mut owner = None;
            let mut only_one = !rev[i].is_empty();
            for &j in &rev[i] {
                match (group[j], owner) {
                    (None, _) => only_one = false,
                    (Some(f), None) => owner = Some(f),
                    (Some(f), Some(o)) if f != o => only_one = false,
                    _ => {}
                }
            }
            if let (true, Some(f)) = (only_one, owner) {
                group[i] = Some(f);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    // Outputs of the whole template: those about a single group move into its stack.
    let output_group: Vec<Option<usize>> = outputs
        .values()
        .map(|v| {
            let mut gs = BTreeSet::new();
            visit_refs(v, &mut |id, _| {
                if let Some(&t) = index.get(id) {
                    gs.insert(group[t]);
                }
            });
            match (gs.len(), gs.first()) {
                (1, Some(Some(f))) => Some(*f),
                _ => None,
            }
        })
        .collect();

    // Per-group figures for packing.
    let mut stats: HashMap<usize, UnitStats> = HashMap::new();
    let mut exported: HashMap<usize, HashSet<Import>> = HashMap::new();
    for (i, (_, v)) in resources.iter().enumerate() {
        let Some(f) = group[i] else { continue };
        let s = stats.entry(f).or_default();
        s.resources += 1;
        visit_refs(v, &mut |id, attr| {
            let import = Import {
                id: id.to_string(),
                attr: attr.map(str::to_string),
            };
            match index.get(id) {
                Some(&t) if group[t] == Some(f) => {}
                Some(&t) => {
                    if let Some(g) = group[t] {
                        exported.entry(g).or_default().insert(import.clone());
                    }
                    s.imports.insert(import);
                }
                None if params.contains_key(id) => {
                    s.imports.insert(import);
                }
                None => {}
            }
        });
    }
    for (g, v) in output_group.iter().zip(outputs.values()) {
        if let Some(f) = g {
            stats.entry(*f).or_default().outputs += 1;
        } else {
            visit_refs(v, &mut |id, attr| {
                if let Some(&t) = index.get(id)
                    && let Some(f) = group[t]
                {
                    exported.entry(f).or_default().insert(Import {
                        id: id.to_string(),
                        attr: attr.map(str::to_string),
                    });
                }
            });
        }
    }
    for (f, e) in &exported {
        stats.entry(*f).or_default().exports = e.len();
    }

    // Functions in name order, cut into chunks.
    let mut units: Vec<usize> = stats.keys().copied().collect();
    units.sort_by(|a, b| model.functions[*a].name.cmp(&model.functions[*b].name));
    let mut chunks: Vec<Vec<usize>> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    let (mut cur_res, mut cur_out) = (0, 0);
    let mut cur_imports: BTreeSet<&Import> = BTreeSet::new();
    for &f in &units {
        let s = &stats[&f];
        let outs = s.outputs + s.exports;
        if !cur.is_empty() {
            let new_imports = s
                .imports
                .iter()
                .filter(|i| !cur_imports.contains(i))
                .count();
            if cur_res + s.resources > MAX_CHILD_RESOURCES
                || cur_imports.len() + new_imports > MAX_PARAMETERS
                || cur_out + outs > MAX_OUTPUTS
            {
                chunks.push(std::mem::take(&mut cur));
                (cur_res, cur_out) = (0, 0);
                cur_imports.clear();
            }
        }
        cur.push(f);
        cur_res += s.resources;
        cur_out += outs;
        cur_imports.extend(s.imports.iter());
        if is_boundary(&model.functions[f].name) {
            chunks.push(std::mem::take(&mut cur));
            (cur_res, cur_out) = (0, 0);
            cur_imports.clear();
        }
    }
    if !cur.is_empty() {
        chunks.push(cur);
    }
    // A chunk is named after its last function, the one that ends it.
    let mut names: Vec<String> = chunks
        .iter()
        .map(|c| {
            let last = *c.last().expect("chunks are not empty");
            format!("{}Stack", ids::pascal(&model.functions[last].name))
        })
        .collect();
    let chunk_of = |chunks: &[Vec<usize>]| -> HashMap<usize, usize> {
        chunks
            .iter()
            .enumerate()
            .flat_map(|(c, fs)| fs.iter().map(move |f| (*f, c)))
            .collect()
    };

    // Chunks that depend on each other in a circle become one.
    let of = chunk_of(&chunks);
    let mut g: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..chunks.len()).map(|c| g.add_node(c)).collect();
    for i in 0..n {
        let Some(fi) = group[i] else { continue };
        for &t in &edges[i] {
            if let Some(ft) = group[t]
                && of[&fi] != of[&ft]
            {
                g.update_edge(nodes[of[&fi]], nodes[of[&ft]], ());
            }
        }
    }
    let mut merged_into: Vec<usize> = (0..chunks.len()).collect();
    for scc in petgraph::algo::tarjan_scc(&g) {
        if scc.len() > 1 {
            let keep = scc.iter().map(|n| g[*n]).min().expect("non-empty");
            for node in scc {
                merged_into[g[node]] = keep;
            }
        }
    }
    if merged_into.iter().enumerate().any(|(c, m)| c != *m) {
        let mut merged: Vec<Vec<usize>> = vec![Vec::new(); chunks.len()];
        for (c, fs) in chunks.into_iter().enumerate() {
            merged[merged_into[c]].extend(fs);
        }
        let kept: Vec<usize> = (0..merged.len())
            .filter(|c| !merged[*c].is_empty())
            .collect();
        names = kept.iter().map(|c| names[*c].clone()).collect();
        chunks = merged.into_iter().filter(|fs| !fs.is_empty()).collect();
        for fs in &mut chunks {
            fs.sort_by(|a, b| model.functions[*a].name.cmp(&model.functions[*b].name));
        }
    }
    let of = chunk_of(&chunks);
    let part: Vec<Part> = group
        .iter()
        .map(|g| match g {
            None => Part::Parent,
            Some(f) => Part::Child(of[f]),
        })
        .collect();

    drop(resources);
    Builder {
        model,
        doc: &doc,
        ids: &ids,
        index: &index,
        params,
        outputs,
        part: &part,
        output_part: output_group
            .iter()
            .map(|g| g.map_or(Part::Parent, |f| Part::Child(of[&f])))
            .collect(),
        names: &names,
        chunks: &chunks,
        file_name,
    }
    .build(values)
}

/// The `DependsOn` entries of a resource value.
pub(crate) fn depends_on(v: &Value) -> Vec<&str> {
    match v.get("DependsOn") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Writes the parent and child templates once every resource has its part.
struct Builder<'a> {
    model: &'a Model,
    doc: &'a Map<String, Value>,
    ids: &'a [String],
    index: &'a HashMap<&'a str, usize>,
    params: &'a Map<String, Value>,
    outputs: &'a Map<String, Value>,
    part: &'a [Part],
    output_part: Vec<Part>,
    names: &'a [String],
    chunks: &'a [Vec<usize>],
    file_name: &'a dyn Fn(&str) -> String,
}

/// A child template under construction.
#[derive(Default)]
struct Child {
    resources: Map<String, Value>,
    parameters: Map<String, Value>,
    /// Parameter values the parent passes in.
    passed: Map<String, Value>,
    outputs: Map<String, Value>,
    /// Parent-level logical IDs the child stack must wait for.
    depends: BTreeSet<String>,
}

impl Builder<'_> {
    fn build(self, values: Vec<Value>) -> Split {
        let k = self.chunks.len();
        let mut children: Vec<Child> = (0..k).map(|_| Child::default()).collect();
        // Outputs of the whole template that belong to one chunk go there first, so an
        // export with the same name and value reuses them.
        for ((name, v), p) in self.outputs.iter().zip(&self.output_part) {
            if let Part::Child(c) = p {
                children[*c].outputs.insert(name.clone(), v.clone());
            }
        }
        let mut parent_resources = Map::new();
        for (i, mut v) in values.into_iter().enumerate() {
            let id = &self.ids[i];
            let here = self.part[i];
            let mut depends = Vec::new();
            for d in depends_on(&v) {
                match self.index.get(d).map(|t| self.part[*t]) {
                    Some(p) if p != here => match (here, p) {
                        (Part::Child(c), Part::Parent) => {
                            children[c].depends.insert(d.to_string());
                        }
                        (Part::Child(c), Part::Child(d)) => {
                            children[c].depends.insert(self.names[d].clone());
                        }
                        (Part::Parent, Part::Child(d)) => {
                            if !depends.contains(&self.names[d]) {
                                depends.push(self.names[d].clone());
                            }
                        }
                        (Part::Parent, Part::Parent) => {}
                    },
                    _ => depends.push(d.to_string()),
                }
            }
            if let Some(m) = v.as_object_mut()
                && m.contains_key("DependsOn")
            {
                if depends.is_empty() {
                    m.shift_remove("DependsOn");
                } else {
                    m.insert("DependsOn".into(), json!(depends));
                }
            }
            self.rewrite_in(here, &mut v, &mut children);
            match here {
                Part::Parent => parent_resources.insert(id.clone(), v),
                Part::Child(c) => children[c].resources.insert(id.clone(), v),
            };
        }
        let mut parent_outputs = Map::new();
        for ((name, v), p) in self.outputs.iter().zip(&self.output_part) {
            if *p == Part::Parent {
                let mut v = v.clone();
                self.rewrite_in(Part::Parent, &mut v, &mut children);
                parent_outputs.insert(name.clone(), v);
            }
        }

        let mut nested = Vec::with_capacity(k);
        for (c, child) in children.into_iter().enumerate() {
            let logical_id = self.names[c].clone();
            let file_name = (self.file_name)(&logical_id);
            let mut props = Map::new();
            props.insert("TemplateURL".into(), json!(file_name));
            if !child.passed.is_empty() {
                props.insert("Parameters".into(), Value::Object(child.passed));
            }
            let mut stack = Map::new();
            stack.insert("Type".into(), json!("AWS::CloudFormation::Stack"));
            if !child.depends.is_empty() {
                stack.insert("DependsOn".into(), json!(child.depends));
            }
            stack.insert("Properties".into(), Value::Object(props));
            parent_resources.insert(logical_id.clone(), Value::Object(stack));

            let functions: Vec<String> = self.chunks[c]
                .iter()
                .map(|f| self.model.functions[*f].name.clone())
                .collect();
            let mut doc = Map::new();
            doc.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
            doc.insert(
                "Description".into(),
                json!(format!(
                    "fnplan app {}, stage {}: nested stack {logical_id} (functions {})",
                    self.model.app,
                    self.model.stage,
                    functions.join(", ")
                )),
            );
            if !child.parameters.is_empty() {
                doc.insert("Parameters".into(), Value::Object(child.parameters));
            }
            doc.insert("Resources".into(), Value::Object(child.resources));
            if !child.outputs.is_empty() {
                doc.insert("Outputs".into(), Value::Object(child.outputs));
            }
            nested.push(Nested {
                logical_id,
                file_name,
                functions,
                template: Template {
                    value: Value::Object(doc),
                },
            });
        }

        let mut doc = Map::new();
        for (key, v) in self.doc {
            match key.as_str() {
                "Resources" => {
                    doc.insert(
                        key.clone(),
                        Value::Object(std::mem::take(&mut parent_resources)),
                    );
                }
                "Outputs" => {
                    if !parent_outputs.is_empty() {
                        doc.insert(
                            key.clone(),
                            Value::Object(std::mem::take(&mut parent_outputs)),
                        );
                    }
                }
                _ => {
                    doc.insert(key.clone(), v.clone());
                }
            }
        }
        Split {
            parent: Template {
                value: Value::Object(doc),
            },
            children: nested,
        }
    }

    /// Rewrite the references of a value that lives in `here`: anything outside becomes a
    /// parameter (in a child) or a child's output (in the parent).
    fn rewrite_in(&self, here: Part, v: &mut Value, children: &mut [Child]) {
        rewrite(v, &mut |id, attr| {
            let import = Import {
                id: id.to_string(),
                attr: attr.map(str::to_string),
            };
            let there = match self.index.get(id) {
                Some(t) => Some(self.part[*t]),
                None if self.params.contains_key(id) => Some(Part::Parent),
                None => None, // a pseudo parameter
            }?;
            if there == here {
                return None;
            }
            match here {
                Part::Child(c) => {
                    let value = match (there, attr) {
                        (Part::Parent, None) => json!({ "Ref": id }),
                        (Part::Parent, Some(a)) => Repl::Att(id.into(), a.into()).value(),
                        (Part::Child(d), _) => {
                            let out = self.export(&mut children[d], &import);
                            Repl::Output(self.names[d].clone(), out).value()
                        }
                    };
                    Some(Repl::Ref(self.import(&mut children[c], &import, value)))
                }
                Part::Parent => {
                    let Part::Child(d) = there else { return None };
                    let out = self.export(&mut children[d], &import);
                    Some(Repl::Output(self.names[d].clone(), out))
                }
            }
        });
    }

    /// The parameter of `child` that carries `import`, declared on first use.
    fn import(&self, child: &mut Child, import: &Import, value: Value) -> String {
        let mut name = import.name();
        // `FooArn` could be both `Ref FooArn` and `Foo.Arn`: the value tells them apart.
        while child.resources.contains_key(&name)
            || child.passed.get(&name).is_some_and(|v| *v != value)
        {
            name.push_str("Param");
        }
        if !child.parameters.contains_key(&name) {
            let def = match (self.params.get(&import.id), &import.attr) {
                (Some(def), None) => def.clone(),
                _ => json!({
                    "Type": "String",
                    "Description": match &import.attr {
                        None => format!("Ref {} (passed in by the parent stack)", import.id),
                        Some(a) => format!("{}.{a} (passed in by the parent stack)", import.id),
                    }
                }),
            };
            child.parameters.insert(name.clone(), def);
            child.passed.insert(name.clone(), value);
        }
        name
    }

    /// The output of `child` that carries `import`, added on first use.
    fn export(&self, child: &mut Child, import: &Import) -> String {
        let value = match &import.attr {
            None => json!({ "Ref": import.id }),
            Some(a) => json!({ "Fn::GetAtt": [import.id, a] }),
        };
        let mut name = import.name();
        loop {
            match child.outputs.get(&name) {
                Some(existing) if existing["Value"] == value => return name,
                Some(_) => name.push_str("Export"),
                None => break,
            }
        }
        child
            .outputs
            .insert(name.clone(), json!({ "Value": value }));
        name
    }
}

impl Split {
    /// CloudFormation limits a stack of the split still breaks (a parent with over 500
    /// resources, a single function group too big for one stack), one message each.
    pub fn over_limits(&self) -> Vec<String> {
        let mut out = Vec::new();
        let all = std::iter::once(("the parent stack", &self.parent)).chain(
            self.children
                .iter()
                .map(|c| (c.logical_id.as_str(), &c.template)),
        );
        for (name, t) in all {
            let count = |k: &str| {
                t.value
                    .get(k)
                    .and_then(Value::as_object)
                    .map_or(0, Map::len)
            };
            for (what, n, max) in [
                ("resources", count("Resources"), MAX_STACK_RESOURCES),
                ("parameters", count("Parameters"), MAX_PARAMETERS),
                ("outputs", count("Outputs"), MAX_OUTPUTS),
            ] {
                if n > max {
                    out.push(format!(
                        "{name} has {n} {what}; CloudFormation allows at most {max}"
                    ));
                }
            }
        }
        out
    }

    /// Every way a reference could cross a stack boundary without a parameter or output:
    /// a name a template uses but does not define, a child parameter the parent does not
    /// pass (or passes without it being declared), an `Outputs.X` the child lacks. Empty
    /// when the split is sound.
    pub fn boundary_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let defined = |t: &Template| -> HashSet<String> {
            let mut d = HashSet::new();
            for k in ["Resources", "Parameters"] {
                if let Some(m) = t.value.get(k).and_then(Value::as_object) {
                    d.extend(m.keys().cloned());
                }
            }
            d
        };
        let mut check = |name: &str, t: &Template| {
            let d = defined(t);
            let mut seen = |id: &str| {
                if !id.starts_with("AWS::") && !d.contains(id) {
                    problems.push(format!("{name}: refers to {id}, which it does not define"));
                }
            };
            visit_refs(&t.value, &mut |id, _| seen(id));
            if let Some(rs) = t.value.get("Resources").and_then(Value::as_object) {
                for v in rs.values() {
                    depends_on(v).into_iter().for_each(&mut seen);
                }
            }
        };
        check("parent", &self.parent);
        for c in &self.children {
            check(&c.file_name, &c.template);
        }
        let parent_resources = self.parent.value["Resources"].as_object();
        for c in &self.children {
            let Some(stack) = parent_resources.and_then(|r| r.get(&c.logical_id)) else {
                problems.push(format!("parent: no resource {}", c.logical_id));
                continue;
            };
            let passed = stack["Properties"]["Parameters"].as_object();
            let declared = c.template.value["Parameters"].as_object();
            for p in declared.into_iter().flat_map(|m| m.keys()) {
                if !passed.is_some_and(|m| m.contains_key(p)) {
                    problems.push(format!("{}: parameter {p} is not passed in", c.file_name));
                }
            }
            for p in passed.into_iter().flat_map(|m| m.keys()) {
                if !declared.is_some_and(|m| m.contains_key(p)) {
                    problems.push(format!(
                        "{}: is passed {p}, which it does not declare",
                        c.file_name
                    ));
                }
            }
        }
        // Every `Outputs.X` read names an output of that child.
        let mut reads = Vec::new();
        visit_refs(&self.parent.value, &mut |id, attr| {
            if let Some(o) = attr.and_then(|a| a.strip_prefix("Outputs.")) {
                reads.push((id.to_string(), o.to_string()));
            }
        });
        for (stack, o) in reads {
            match self.children.iter().find(|c| c.logical_id == stack) {
                Some(c) if c.template.value["Outputs"].get(&o).is_some() => {}
                _ => problems.push(format!(
                    "parent: reads {stack}.Outputs.{o}, which does not exist"
                )),
            }
        }
        problems
    }
}
