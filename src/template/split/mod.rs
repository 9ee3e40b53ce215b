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
//! - the API, its stage and authorizers, tables, buckets, topics, layers and shared queues
//!   stay in the parent, and so does any function a parent resource refers to (a Lambda
//!   authorizer, a bucket's notification target), so references only ever point from a
//!   child to the parent or to another child, never back;
//! - functions are taken in name order and cut into chunks where a function's name hashes
//!   to a boundary (1 in [`BOUNDARY_MODULUS`]), or where a chunk would pass the resource,
//!   parameter or output limits. Adding or removing a function only changes its own chunk,
//!   so the other nested stacks keep their resources;
//! - chunks that refer to each other in a circle are merged into one.

mod build;
mod check;

pub use check::quota_overflows;
mod refs;

pub(crate) use refs::{Repl, depends_on, rewrite, visit_refs};

use super::doc::{Doc, Key};
use super::{Group, Template};
use crate::model::{Model, ids};
use build::Builder;
use foldhash::{HashMap, HashMapExt, HashSet};
use petgraph::graph::{DiGraph, NodeIndex};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// At most this many resources go into one child stack (CloudFormation's limit is 500;
/// the rest is room for the functions in it to grow).
pub const MAX_CHILD_RESOURCES: usize = 400;
/// CloudFormation's limits on resources, parameters and outputs per template.
pub use crate::limits::{
    STACK_OUTPUTS as MAX_OUTPUTS, STACK_PARAMETERS as MAX_PARAMETERS,
    STACK_RESOURCES as MAX_STACK_RESOURCES,
};
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

/// The entries of section `name` of a template's top-level pairs (none when absent).
fn section<'a>(doc: &'a [(Key, Doc)], name: &str) -> &'a [(Key, Doc)] {
    match doc.iter().find(|(k, _)| k == name) {
        Some((_, Doc::Object(m))) => m,
        _ => &[],
    }
}

/// Whether `pairs` (a small section: the template's parameters) has `key`.
fn has(pairs: &[(Key, Doc)], key: &str) -> bool {
    pairs.iter().any(|(k, _)| k == key)
}

/// Whether resource `v` is of CloudFormation type `t`.
fn is_type(v: &Doc, t: &str) -> bool {
    matches!(v.get("Type"), Some(Doc::String(s)) if &**s == t)
}

/// Split `template` (rendered with `groups`, one per resource in order) into nested stacks.
pub(crate) fn split(
    model: &Model,
    template: Template,
    groups: &[Group],
    file_name: &dyn Fn(&str) -> String,
) -> Split {
    let mut doc = match template.into_doc() {
        Doc::Object(m) => m.into_vec(),
        _ => Vec::new(),
    };
    let (ids, values): (Vec<String>, Vec<Doc>) =
        match doc.iter_mut().find(|(k, _)| k == "Resources") {
            Some((_, Doc::Object(m))) => std::mem::take(m)
                .into_vec()
                .into_iter()
                .map(|(k, v)| (k.into_owned(), v))
                .unzip(),
            _ => Default::default(),
        };
    let (params, outputs) = (section(&doc, "Parameters"), section(&doc, "Outputs"));
    debug_assert_eq!(ids.len(), groups.len());
    let r = Refs::new(&ids, &values);
    let group = place(groups, &values, &r);

    // Outputs of the whole template: those about a single group move into its stack.
    let output_group: Vec<Option<usize>> = outputs
        .iter()
        .map(|(_, v)| {
            let mut gs = BTreeSet::new();
            visit_refs(v, &mut |id, _| {
                if let Some(&t) = r.index.get(id) {
                    gs.insert(group[t]);
                }
            });
            match (gs.len(), gs.first()) {
                (1, Some(Some(f))) => Some(*f),
                _ => None,
            }
        })
        .collect();
    let stats = unit_stats(&values, &r, params, outputs, &group, &output_group);
    let (chunks, names) = chunk(model, &stats);
    let (chunks, names) = merge_circles(model, chunks, names, &group, &r);
    let of = chunk_of(&chunks);
    let part: Vec<Part> = group
        .iter()
        .map(|g| g.map_or(Part::Parent, |f| Part::Child(of[&f])))
        .collect();
    let output_part = output_group
        .iter()
        .map(|g| g.map_or(Part::Parent, |f| Part::Child(of[&f])))
        .collect();
    let index = r.index;
    Builder {
        model,
        doc: &doc,
        ids: &ids,
        index: &index,
        params,
        outputs,
        part: &part,
        output_part,
        names: &names,
        chunks: &chunks,
        file_name,
    }
    .build(values)
}

/// The resources' names and their references to each other (`Ref`, `Fn::GetAtt`,
/// `${...}`, `DependsOn`), both ways.
struct Refs<'a> {
    index: HashMap<&'a str, usize>,
    edges: Vec<Vec<usize>>,
    rev: Vec<Vec<usize>>,
}

impl<'a> Refs<'a> {
    fn new(ids: &'a [String], values: &[Doc]) -> Self {
        let index: HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let n = values.len();
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut rev: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, v) in values.iter().enumerate() {
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
        Refs { index, edges, rev }
    }
}

/// Which function each resource goes with (`None`: the parent): the renderer's groups,
/// then every group a parent resource refers to pulled up, then queues only one group
/// refers to moved into it.
fn place(groups: &[Group], values: &[Doc], r: &Refs<'_>) -> Vec<Option<usize>> {
    let n = values.len();
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
        for &t in &r.edges[i] {
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
            if group[i].is_some() || !is_type(&values[i], "AWS::SQS::Queue") {
                continue;
            }
            let mut owner = None;
            let mut only_one = !r.rev[i].is_empty();
            for &j in &r.rev[i] {
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
            return group;
        }
    }
}

/// What each function's group brings to a chunk: resources, the values it reads from
/// outside, and the outputs it gets (its own and those others read from it).
fn unit_stats(
    values: &[Doc],
    r: &Refs<'_>,
    params: &[(Key, Doc)],
    outputs: &[(Key, Doc)],
    group: &[Option<usize>],
    output_group: &[Option<usize>],
) -> HashMap<usize, UnitStats> {
    let mut stats: HashMap<usize, UnitStats> = HashMap::new();
    let mut exported: HashMap<usize, HashSet<Import>> = HashMap::new();
    for (i, v) in values.iter().enumerate() {
        let Some(f) = group[i] else { continue };
        let s = stats.entry(f).or_default();
        s.resources += 1;
        visit_refs(v, &mut |id, attr| {
            let import = Import {
                id: id.to_string(),
                attr: attr.map(str::to_string),
            };
            match r.index.get(id) {
                Some(&t) if group[t] == Some(f) => {}
                Some(&t) => {
                    if let Some(g) = group[t] {
                        exported.entry(g).or_default().insert(import.clone());
                    }
                    s.imports.insert(import);
                }
                None if has(params, id) => {
                    s.imports.insert(import);
                }
                None => {}
            }
        });
    }
    for (g, (_, v)) in output_group.iter().zip(outputs) {
        if let Some(f) = g {
            stats.entry(*f).or_default().outputs += 1;
        } else {
            visit_refs(v, &mut |id, attr| {
                if let Some(&t) = r.index.get(id)
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
    stats
}

/// Functions in name order, cut into chunks (see the module docs); each chunk is named
/// after its last function, the one that ends it.
fn chunk(model: &Model, stats: &HashMap<usize, UnitStats>) -> (Vec<Vec<usize>>, Vec<String>) {
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
    let names = chunks
        .iter()
        .map(|c| {
            let last = *c.last().expect("chunks are not empty");
            format!("{}Stack", ids::pascal(&model.functions[last].name))
        })
        .collect();
    (chunks, names)
}

/// Function index -> chunk index.
fn chunk_of(chunks: &[Vec<usize>]) -> HashMap<usize, usize> {
    chunks
        .iter()
        .enumerate()
        .flat_map(|(c, fs)| fs.iter().map(move |f| (*f, c)))
        .collect()
}

/// Chunks that depend on each other in a circle become one (named after the first).
fn merge_circles(
    model: &Model,
    chunks: Vec<Vec<usize>>,
    names: Vec<String>,
    group: &[Option<usize>],
    r: &Refs<'_>,
) -> (Vec<Vec<usize>>, Vec<String>) {
    let of = chunk_of(&chunks);
    let mut g: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..chunks.len()).map(|c| g.add_node(c)).collect();
    for (i, targets) in r.edges.iter().enumerate() {
        let Some(fi) = group[i] else { continue };
        for &t in targets {
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
    if merged_into.iter().enumerate().all(|(c, m)| c == *m) {
        return (chunks, names);
    }
    let mut merged: Vec<Vec<usize>> = vec![Vec::new(); chunks.len()];
    for (c, fs) in chunks.into_iter().enumerate() {
        merged[merged_into[c]].extend(fs);
    }
    let names = (0..merged.len())
        .filter(|c| !merged[*c].is_empty())
        .map(|c| names[c].clone())
        .collect();
    let mut chunks: Vec<Vec<usize>> = merged.into_iter().filter(|fs| !fs.is_empty()).collect();
    for fs in &mut chunks {
        fs.sort_by(|a, b| model.functions[*a].name.cmp(&model.functions[*b].name));
    }
    (chunks, names)
}
