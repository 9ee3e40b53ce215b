//! Rendering: a `Model` and its `AppGraph` in, a deterministic CloudFormation template out.
//!
//! Templates are built as data, walking the model's vectors in order: each resource as a
//! compact [`doc::Doc`] of ordered pairs (written with `cfn!`; raw CloudFormation and the
//! outputs come in as `serde_json::Value` with `preserve_order` and are converted). Nothing
//! iterates a hash map, and an app rendered on two threads is joined in the same order, so
//! the same model always renders to the same bytes.

mod api;
pub mod bootstrap;
pub mod ci_roles;
mod databases;
mod doc;
mod functions;
mod iam;
mod intrinsics;
mod layers;
mod moves;
mod raw_cfn;
mod resources;
pub mod split;
pub use moves::{Move, moves};
pub use raw_cfn::check as check_raw;
mod triggers;

#[cfg(test)]
mod tests;

use crate::graph::AppGraph;
use crate::model::{CodeSource, Model, ids};
use doc::Doc;
use serde_json::{Map, Value, json};

/// A rendered CloudFormation template document. What fnplan renders is kept as a
/// compact [`Doc`] (written and measured), with a `serde_json::Value` view made on first
/// use (for code that walks or compares templates: plan's diff, tests); a template made
/// from a `Value` (nested stacks, bootstrap) keeps it as it is.
#[derive(Clone, Debug)]
pub struct Template {
    body: Body,
    /// The `Value` view of a [`Body::Doc`], once asked for.
    view: std::sync::OnceLock<Value>,
}

#[derive(Clone, Debug)]
enum Body {
    Doc(Doc),
    Value(Value),
}

impl PartialEq for Template {
    fn eq(&self, other: &Self) -> bool {
        match (&self.body, &other.body) {
            (Body::Doc(a), Body::Doc(b)) => a == b,
            _ => self.value() == other.value(),
        }
    }
}

impl serde::Serialize for Template {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.body {
            Body::Doc(d) => d.serialize(s),
            Body::Value(v) => v.serialize(s),
        }
    }
}

impl Template {
    /// A template from its JSON value.
    pub fn from_value(value: Value) -> Self {
        Template::with(Body::Value(value))
    }

    fn with(body: Body) -> Self {
        Template {
            body,
            view: std::sync::OnceLock::new(),
        }
    }

    /// The template as a `serde_json::Value` (made on first use, then kept).
    pub fn value(&self) -> &Value {
        match &self.body {
            Body::Value(v) => v,
            Body::Doc(d) => self.view.get_or_init(|| d.to_value()),
        }
    }

    /// A template made of a [`Doc`] (nested stacks' templates).
    pub(crate) fn from_doc(doc: Doc) -> Self {
        Template::with(Body::Doc(doc))
    }

    /// The template as a [`Doc`], owned.
    pub(crate) fn into_doc(self) -> Doc {
        match self.body {
            Body::Doc(d) => d,
            Body::Value(v) => Doc::from(v),
        }
    }

    /// The template as a `serde_json::Value`, owned.
    pub fn into_value(mut self) -> Value {
        match self.body {
            Body::Value(v) => v,
            Body::Doc(d) => self.view.take().unwrap_or_else(|| doc::into_value(d)),
        }
    }

    /// Pretty-printed JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut buf = Vec::new();
        match &self.body {
            Body::Doc(d) => {
                // Room for a big template's text up front: growing a buffer of megabytes
                // copies it each time, while room never written costs no memory (its
                // pages are never touched).
                let n = d.get("Resources").map_or(0, Doc::len);
                if n >= doc::PARALLEL_FROM {
                    buf.reserve(64 * 1024 + 1024 * n);
                }
                doc::write_pretty(&mut buf, d);
            }
            Body::Value(v) => doc::write_at(&mut buf, v, 0),
        }
        buf.push(b'\n');
        String::from_utf8(buf).expect("serde_json writes UTF-8")
    }

    /// [`Template::to_json`]'s bytes written to `w` as they are made, a chunk at a time.
    pub fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        match &self.body {
            Body::Doc(d) => doc::stream_pretty(w, d)?,
            Body::Value(v) => {
                let mut buf = Vec::new();
                doc::write_at(&mut buf, v, 0);
                w.write_all(&buf)?;
            }
        }
        w.write_all(b"\n")
    }

    /// YAML; intrinsics keep their long form (`Fn::GetAtt:`), which CloudFormation accepts.
    pub fn to_yaml(&self) -> String {
        serde_saphyr::to_string(self).expect("a JSON value always serializes to YAML")
    }

    /// Compact JSON, as `plan` and `apply` send the template to CloudFormation.
    pub fn to_compact_json(&self) -> String {
        serde_json::to_string(self).expect("a JSON value always serializes")
    }

    /// Size in bytes of the template as sent to CloudFormation (compact JSON).
    pub fn compact_len(&self) -> usize {
        match &self.body {
            Body::Doc(d) => doc::compact_len(d),
            Body::Value(v) => doc::json_len(v),
        }
    }

    /// How many entries `Resources` has.
    pub fn resource_count(&self) -> usize {
        self.section_len("Resources")
    }

    /// How many entries a top-level section (`Resources`, `Parameters`, `Outputs`) has.
    pub fn section_len(&self, section: &str) -> usize {
        match &self.body {
            Body::Doc(d) => d.get(section).map_or(0, Doc::len),
            Body::Value(v) => v
                .get(section)
                .and_then(Value::as_object)
                .map_or(0, Map::len),
        }
    }
}

/// The template parameter that names the bucket holding locally built code zips.
pub const ARTIFACT_BUCKET_PARAM: &str = "ArtifactBucket";

/// Where each function's and layer's locally built code lies in the artifact bucket:
/// function name -> S3 key, layer name -> S3 key. Packaging computes the keys (from code
/// fingerprints); rendering only places them. Functions whose code is already in S3 are
/// not in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArtifactKeys {
    keys: std::collections::HashMap<String, String>,
    layers: std::collections::HashMap<String, String>,
}

impl ArtifactKeys {
    pub fn new(keys: impl IntoIterator<Item = (String, String)>) -> Self {
        ArtifactKeys {
            keys: keys.into_iter().collect(),
            layers: Default::default(),
        }
    }

    /// These keys and the layers' (layer name -> key).
    pub fn with_layers(mut self, layers: impl IntoIterator<Item = (String, String)>) -> Self {
        self.layers = layers.into_iter().collect();
        self
    }

    /// The key of function `name`'s zip.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.keys.get(name).map(String::as_str)
    }

    /// The key of layer `name`'s zip.
    pub fn layer(&self, name: &str) -> Option<&str> {
        self.layers.get(name).map(String::as_str)
    }
}

/// Render `model` as a CloudFormation template, its local code at `keys`. Infallible: the
/// model is already checked.
pub fn render(model: &Model, graph: &AppGraph, keys: &ArtifactKeys) -> Template {
    render_grouped(model, graph, keys, false).0
}

/// Render `model` as nested stacks: a parent template with the shared resources and one
/// child template per group of functions (see [`split`]). `file_name` turns a child's
/// logical ID into the file (relative to the parent's) its `TemplateURL` names.
pub fn render_split(
    model: &Model,
    graph: &AppGraph,
    keys: &ArtifactKeys,
    file_name: &dyn Fn(&str) -> String,
) -> split::Split {
    let (template, groups) = render_grouped(model, graph, keys, true);
    split::split(model, template, &groups, file_name)
}

/// The template and, for each of its resources in order, the group it belongs to.
/// `all_outputs`: every output, even past CloudFormation's 200 (the split spreads them).
fn render_grouped(
    model: &Model,
    _graph: &AppGraph,
    keys: &ArtifactKeys,
    all_outputs: bool,
) -> (Template, Vec<Group>) {
    let has_api = api::has_api(model);
    let mut out = render_resources(model, keys, has_api);
    raw_cfn::render_resources(model, &mut out);

    let mut doc = Map::new();
    doc.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    doc.insert(
        "Description".into(),
        json!(format!("fnplan app {}, stage {}", model.app, model.stage)),
    );
    let needs_artifacts = !model.layers.is_empty()
        || model
            .functions
            .iter()
            .any(|f| matches!(f.code, CodeSource::Local { .. }));
    if needs_artifacts {
        doc.insert(
            "Parameters".into(),
            json!({
                ARTIFACT_BUCKET_PARAM: {
                    "Type": "String",
                    "Description": "S3 bucket holding function code zips (fnplan package/apply fills this in)"
                }
            }),
        );
    }
    let outputs = Doc::from(Value::Object(outputs(model, has_api, all_outputs)));
    let mut pairs: Vec<(doc::Key, Doc)> = doc
        .into_iter()
        .map(|(k, v)| (doc::Key::Owned(k), Doc::from(v)))
        .collect();
    let (resources, groups) = out.finish();
    pairs.push(("Resources".into(), resources));
    pairs.push(("Outputs".into(), outputs));
    let template = Template::with(Body::Doc(Doc::object(pairs)));
    (template, groups)
}

/// Apps with at least this many functions render on two threads.
const PARALLEL_FUNCTIONS: usize = 64;

/// fnplan's own resources, in their fixed order: layers, data stores, queues, topics,
/// buses, databases, each function with its role, log group and triggers, then the API.
/// A big app renders in two halves at once (the first: the shared resources and the first
/// 60% of the functions; the second: the rest and the API, about as much work), joined in
/// that order, so the result is the same as on one thread.
fn render_resources(model: &Model, keys: &ArtifactKeys, has_api: bool) -> Resources {
    let n = model.functions.len();
    let first_half = |until: usize| {
        let mut out = Resources::default();
        layers::render_layers(model, keys, &mut out);
        resources::render_queues(model, &mut out);
        resources::render_tables(model, &mut out);
        resources::render_buckets(model, &mut out);
        resources::render_topics(model, &mut out);
        resources::render_buses(model, &mut out);
        databases::render_databases(model, &mut out);
        render_functions(model, keys, 0..until, &mut out);
        out
    };
    let second_half = |from: usize| {
        let mut out = Resources::default();
        render_functions(model, keys, from..n, &mut out);
        out.set_group(Group::Shared);
        if has_api {
            api::render_api(model, &mut out);
        }
        out
    };
    if n < PARALLEL_FUNCTIONS {
        let mut out = first_half(n);
        out.append(second_half(n));
        return out;
    }
    let split = n * 3 / 5;
    let (mut out, rest) = doc::join(|| first_half(split), || second_half(split));
    out.append(rest);
    out
}

/// Functions `range` and their resources, each in its own group.
fn render_functions(
    model: &Model,
    keys: &ArtifactKeys,
    range: std::ops::Range<usize>,
    out: &mut Resources,
) {
    for index in range {
        out.set_group(Group::Function(index));
        functions::render_function(model, index, keys, out);
    }
}

/// The stack's outputs: the API URL, each queue's URL and each function's ARN. A stack has
/// at most 200 outputs, so a bigger app (unless `all`) gets only the API URL: the rest are
/// conveniences, and a stack CloudFormation rejects is not.
fn outputs(model: &Model, has_api: bool, all: bool) -> Map<String, Value> {
    let mut o = Map::new();
    let count =
        usize::from(has_api) + model.queues.len() + model.functions.len() + model.raw_outputs.len();
    let per_resource = all || count <= split::MAX_OUTPUTS;
    // The spec's own outputs first: they are kept whatever the count.
    raw_cfn::render_outputs(model, &mut o);
    if has_api {
        o.insert(
            ids::API_URL_OUTPUT.into(),
            json!({
                "Description": "Invoke URL of the HTTP API",
                "Value": intrinsics::api_url().value()
            }),
        );
    }
    if !per_resource {
        return o;
    }
    for q in model.queues.iter().filter(|q| !q.existing) {
        o.insert(
            ids::queue_url_output(&q.name),
            json!({
                "Description": format!("URL of queue {}", q.name),
                "Value": { "Ref": ids::queue(&q.name) }
            }),
        );
    }
    for f in &model.functions {
        o.insert(
            ids::function_arn_output(&f.name),
            json!({
                "Description": format!("ARN of function {}", f.name),
                "Value": { "Fn::GetAtt": [ids::function(&f.name), "Arn"] }
            }),
        );
    }
    o
}

/// The template's `Resources` section under construction, and which part of the app each
/// resource belongs to (read by `split`).
#[derive(Default)]
pub(crate) struct Resources {
    /// Each resource in template form, as soon as it is added.
    list: Vec<(doc::Key, Doc)>,
    group: Group,
    groups: Vec<Group>,
}

/// What a resource belongs to: a function (with its role, log group, triggers, routes)
/// or the app as a whole (API, authorizers, data stores, queues, topics).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum Group {
    #[default]
    Shared,
    /// `model.functions[index]`.
    Function(usize),
}

impl Resources {
    pub(crate) fn add(&mut self, logical_id: String, r: Res) {
        self.list.push((doc::Key::Owned(logical_id), r.into_doc()));
        self.groups.push(self.group);
    }

    /// A resource already in template form (raw CloudFormation).
    pub(crate) fn add_value(&mut self, logical_id: String, value: Value) {
        self.list
            .push((doc::Key::Owned(logical_id), Doc::from(value)));
        self.groups.push(self.group);
    }

    /// Add `other`'s resources after these.
    fn append(&mut self, other: Resources) {
        self.list.extend(other.list);
        self.groups.extend(other.groups);
        self.group = other.group;
    }

    /// Whether a resource named `logical_id` was added (a linear search: only raw
    /// resources ask).
    pub(crate) fn contains(&self, logical_id: &str) -> bool {
        self.list.iter().any(|(id, _)| &**id == logical_id)
    }

    /// The `Resources` section, in the order added, and each resource's group.
    fn finish(self) -> (Doc, Vec<Group>) {
        #[cfg(debug_assertions)]
        {
            let mut ids: Vec<&str> = self.list.iter().map(|(id, _)| &**id).collect();
            ids.sort_unstable();
            if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
                panic!("logical ID {} rendered twice", w[0]);
            }
        }
        (Doc::object(self.list), self.groups)
    }

    /// Resources added from now on belong to `group`.
    pub(crate) fn set_group(&mut self, group: Group) {
        self.group = group;
    }
}

/// One resource: its type, attributes and properties, written in a fixed key order
/// (`Type`, `DependsOn`, `DeletionPolicy`, `UpdateReplacePolicy`, `Properties`).
pub(crate) struct Res {
    ty: &'static str,
    depends_on: Vec<String>,
    /// `DeletionPolicy` and `UpdateReplacePolicy` (`Retain`, `Delete`, `Snapshot`), or
    /// `None`: no policy attributes.
    policy: Option<&'static str>,
    /// Properties in the order first set, already in template form.
    props: Vec<(doc::Key, Doc)>,
}

impl Res {
    pub(crate) fn new(ty: &'static str) -> Self {
        Res {
            ty,
            depends_on: Vec::new(),
            policy: None,
            props: Vec::new(),
        }
    }
    /// Set property `key` (a second value for a key replaces the first, in its place).
    pub(crate) fn prop(mut self, key: &'static str, value: impl Into<Doc>) -> Self {
        let value = value.into();
        match self.props.iter_mut().find(|(k, _)| &**k == key) {
            Some((_, v)) => *v = value,
            None => self.props.push((key.into(), value)),
        }
        self
    }
    pub(crate) fn opt(self, key: &'static str, value: Option<impl Into<Doc>>) -> Self {
        match value {
            Some(v) => self.prop(key, v),
            None => self,
        }
    }
    pub(crate) fn depends_on(mut self, logical_id: impl Into<String>) -> Self {
        let id = logical_id.into();
        if !self.depends_on.contains(&id) {
            self.depends_on.push(id);
        }
        self
    }
    pub(crate) fn retain(mut self, retain: bool) -> Self {
        self.policy = Some(if retain { "Retain" } else { "Delete" });
        self
    }
    /// Deleting or replacing the resource first takes a final snapshot of it.
    pub(crate) fn snapshot(mut self) -> Self {
        self.policy = Some("Snapshot");
        self
    }
    /// The properties as a JSON object (a copy).
    pub(crate) fn props(&self) -> Map<String, Value> {
        self.props
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_value()))
            .collect()
    }
    /// The resource in template form, built directly (no map per resource).
    fn into_doc(self) -> Doc {
        let text = |s: &str| Doc::String(s.into());
        let mut m: Vec<(doc::Key, Doc)> = Vec::with_capacity(5);
        m.push(("Type".into(), text(self.ty)));
        if !self.depends_on.is_empty() {
            let ids = self.depends_on.into_iter().map(|id| Doc::String(id.into()));
            m.push(("DependsOn".into(), Doc::Array(ids.collect())));
        }
        if let Some(policy) = self.policy {
            m.push(("DeletionPolicy".into(), text(policy)));
            m.push(("UpdateReplacePolicy".into(), text(policy)));
        }
        if !self.props.is_empty() {
            m.push(("Properties".into(), Doc::object(self.props)));
        }
        Doc::object(m)
    }
}
