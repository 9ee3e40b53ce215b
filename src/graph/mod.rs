//! The dependency graph: a `Model` in, an [`AppGraph`] (petgraph) out, with the cycle
//! and reachability queries the linter needs. Exports live in [`export`].

pub mod export;

use crate::model::{
    Access, Api, AuthorizerKind, DlqSetting, Function, Kind, Model, RefTarget, ResId, RouteAuth,
    Trigger,
};
use crate::source::Span;
use foldhash::{HashMap, HashMapExt};
use petgraph::Direction;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::Serialize;

/// What a node of the graph stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    Route,
    Authorizer,
    Schedule,
    Function,
    Queue,
    Dlq,
    Table,
    Bucket,
    Topic,
    Secret,
    Layer,
    Api,
    /// A raw CloudFormation resource of `resources:`.
    Resource,
    Bus,
    Database,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Route => "route",
            NodeKind::Authorizer => "authorizer",
            NodeKind::Schedule => "schedule",
            NodeKind::Function => "function",
            NodeKind::Queue => "queue",
            NodeKind::Dlq => "dlq",
            NodeKind::Table => "table",
            NodeKind::Bucket => "bucket",
            NodeKind::Topic => "topic",
            NodeKind::Secret => "secret",
            NodeKind::Layer => "layer",
            NodeKind::Api => "api",
            NodeKind::Resource => "resource",
            NodeKind::Bus => "bus",
            NodeKind::Database => "database",
        }
    }
    /// Heading of the group this kind is drawn in.
    pub fn group(self) -> &'static str {
        match self {
            NodeKind::Route | NodeKind::Authorizer | NodeKind::Api => "HTTP API",
            NodeKind::Schedule => "Schedules",
            NodeKind::Function => "Functions",
            NodeKind::Queue | NodeKind::Dlq => "Queues",
            NodeKind::Table => "Tables",
            NodeKind::Bucket => "Buckets",
            NodeKind::Topic => "Topics",
            NodeKind::Secret => "Secrets",
            NodeKind::Resource => "CloudFormation resources",
            NodeKind::Layer => "Layers",
            NodeKind::Bus => "Buses",
            NodeKind::Database => "Databases",
        }
    }
}

/// How one node depends on or feeds another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    Invokes,
    Triggers,
    Sends,
    Reads,
    Writes,
    /// Writes to a bucket under a key prefix no trigger of that bucket matches
    /// (`uses: { bucket.media/thumbs/: write }`, triggers on `uploads/`): no work follows.
    WritesUntriggered,
    Publishes,
    RedrivesTo,
    OnFailure,
    Authorizes,
    References,
    /// A function runs with a layer of the app (`layers: [NAME]`).
    UsesLayer,
    /// Puts events on a bus (`uses: { bus.NAME: put }`).
    Puts,
    /// Puts events on a bus whose rules cannot match them: the function's event source
    /// (see [`function_source`]) is not in the `source` of any rule on that bus.
    PutsUnmatched,
    /// A function runs statements on a database (`database.NAME: query`): no work
    /// follows from it, since a database triggers nothing.
    Queries,
}

impl EdgeKind {
    pub fn label(self) -> &'static str {
        match self {
            EdgeKind::Invokes => "invokes",
            EdgeKind::Triggers => "triggers",
            EdgeKind::Sends => "sends",
            EdgeKind::Reads => "reads",
            EdgeKind::Writes => "writes",
            EdgeKind::WritesUntriggered => "writes (no trigger matches its prefix)",
            EdgeKind::Publishes => "publishes",
            EdgeKind::RedrivesTo => "redrives to",
            EdgeKind::OnFailure => "on failure",
            EdgeKind::Authorizes => "authorizes",
            EdgeKind::References => "references",
            EdgeKind::UsesLayer => "uses layer",
            EdgeKind::Puts => "puts events on",
            EdgeKind::PutsUnmatched => "puts events (no rule matches their source) on",
            EdgeKind::Queries => "queries",
        }
    }
    /// Edges along which work flows on at run time (a message, event, object or call):
    /// a cycle of these is a recursive loop.
    pub fn carries_work(self) -> bool {
        matches!(
            self,
            EdgeKind::Invokes
                | EdgeKind::Triggers
                | EdgeKind::Sends
                | EdgeKind::Writes
                | EdgeKind::Publishes
                | EdgeKind::OnFailure
                | EdgeKind::Puts
        )
    }
}

#[derive(Clone, Debug)]
pub struct GraphNode {
    pub kind: NodeKind,
    /// The element's name (route key for routes, expression for schedules).
    pub name: String,
    /// The model element, for functions, queues and their DLQs, tables, buckets, topics,
    /// secrets.
    pub res: Option<ResId>,
    /// Where the element is declared in the spec.
    pub span: Span,
    /// Stable, unique id used by the exports (`function:create-order`).
    pub id: String,
}

#[derive(Clone, Debug)]
pub struct GraphEdge {
    pub kind: EdgeKind,
    /// The spec text that creates this edge (a trigger, a `uses` entry, a reference).
    pub span: Span,
}

/// Whether a write under key prefix `prefix` of bucket `bucket` can fire one of the
/// app's bucket triggers: a trigger without a prefix, or one whose prefix and `prefix`
/// overlap (one starts with the other).
fn triggered_under(model: &Model, bucket: ResId, prefix: &str) -> bool {
    model
        .functions
        .iter()
        .flat_map(|f| &f.triggers)
        .any(|t| match t {
            Trigger::Bucket(b) if b.bucket == bucket => b
                .prefix
                .as_deref()
                .is_none_or(|tp| tp.starts_with(prefix) || prefix.starts_with(tp)),
            _ => false,
        })
}

/// The `source` a function's events carry, when its configuration says: the literal
/// value of an environment variable whose name ends in `SOURCE` (`EVENT_SOURCE:
/// shop.shipping`). fnplan cannot read code, so this is the one place it looks; a
/// function without such a variable may put events of any source.
pub fn function_source(f: &Function) -> Option<String> {
    f.env
        .iter()
        .filter(|e| e.name.to_ascii_uppercase().ends_with("SOURCE"))
        .find_map(|e| e.value.as_literal())
}

/// Whether events of function `f` put on `bus` can match a rule on that bus: always,
/// unless the function's source is known and no rule's pattern can match it.
fn rule_may_match(model: &Model, bus: ResId, f: &Function) -> bool {
    let Some(source) = function_source(f) else {
        return true;
    };
    model
        .functions
        .iter()
        .flat_map(|g| &g.triggers)
        .any(|t| match t {
            Trigger::Bus(b) if b.bus == bus => b.may_match_source(&source),
            _ => false,
        })
}

/// The app as a directed graph; node and edge order follow the spec, so exports are deterministic.
#[derive(Debug, Default)]
pub struct AppGraph {
    pub graph: DiGraph<GraphNode, GraphEdge>,
    by_res: HashMap<ResId, NodeIndex>,
    dlqs: HashMap<usize, NodeIndex>,
}

impl AppGraph {
    /// The node of a model element.
    pub fn node(&self, id: ResId) -> Option<NodeIndex> {
        self.by_res.get(&id).copied()
    }
    /// The DLQ node of queue `index`, if it has one.
    pub fn dlq(&self, queue_index: usize) -> Option<NodeIndex> {
        self.dlqs.get(&queue_index).copied()
    }
    pub fn nodes(&self) -> impl Iterator<Item = (NodeIndex, &GraphNode)> {
        self.graph.node_indices().map(move |i| (i, &self.graph[i]))
    }
    pub fn edges(&self) -> impl Iterator<Item = (NodeIndex, NodeIndex, &GraphEdge)> {
        self.graph
            .edge_references()
            .map(|e| (e.source(), e.target(), e.weight()))
    }
    /// Edges into `n` of the given kinds.
    pub fn incoming(&self, n: NodeIndex, kinds: &[EdgeKind]) -> Vec<(NodeIndex, &GraphEdge)> {
        self.graph
            .edges_directed(n, Direction::Incoming)
            .filter(|e| kinds.contains(&e.weight().kind))
            .map(|e| (e.source(), e.weight()))
            .collect()
    }
    /// Edges out of `n` of the given kinds.
    pub fn outgoing(&self, n: NodeIndex, kinds: &[EdgeKind]) -> Vec<(NodeIndex, &GraphEdge)> {
        self.graph
            .edges_directed(n, Direction::Outgoing)
            .filter(|e| kinds.contains(&e.weight().kind))
            .map(|e| (e.target(), e.weight()))
            .collect()
    }

    /// Cycles along edges accepted by `keep`, each as its nodes in walk order starting at
    /// the first node in spec order, plus the edges that close it. Deterministic.
    pub fn cycles(&self, keep: impl Fn(&GraphEdge) -> bool) -> Vec<Cycle> {
        let filtered = self
            .graph
            .filter_map(|_, n| Some(n.clone()), |_, e| keep(e).then(|| e.clone()));
        let mut out = Vec::new();
        for scc in petgraph::algo::tarjan_scc(&filtered) {
            let self_loop = scc.len() == 1 && filtered.contains_edge(scc[0], scc[0]);
            if scc.len() < 2 && !self_loop {
                continue;
            }
            let mut members = scc.clone();
            members.sort();
            // The shortest cycle through the first member (breadth-first, neighbours in
            // index order): a simple cycle that is easy to read in a message.
            let start = members[0];
            let mut prev: HashMap<NodeIndex, (NodeIndex, EdgeIndex)> = HashMap::new();
            let mut queue = std::collections::VecDeque::from([start]);
            let mut closing: Option<(NodeIndex, EdgeIndex)> = None;
            'bfs: while let Some(cur) = queue.pop_front() {
                let mut next: Vec<_> = filtered
                    .edges_directed(cur, Direction::Outgoing)
                    .filter(|e| members.contains(&e.target()))
                    .map(|e| (e.target(), e.id()))
                    .collect();
                next.sort();
                for (t, e) in next {
                    if t == start {
                        closing = Some((cur, e));
                        break 'bfs;
                    }
                    if let std::collections::hash_map::Entry::Vacant(v) = prev.entry(t) {
                        v.insert((cur, e));
                        queue.push_back(t);
                    }
                }
            }
            let Some((last, close)) = closing else {
                continue;
            };
            let mut path = vec![last];
            let mut edges = vec![close];
            let mut cur = last;
            while cur != start {
                let (p, e) = prev[&cur];
                path.push(p);
                edges.push(e);
                cur = p;
            }
            path.reverse();
            // edges were collected from the closing edge backwards: closing edge last.
            let close = edges.remove(0);
            edges.reverse();
            edges.push(close);
            let edge_info = edges.iter().map(|e| filtered[*e].clone()).collect();
            out.push(Cycle {
                nodes: path,
                edges: edge_info,
            });
        }
        out.sort_by_key(|c| c.nodes[0]);
        out
    }

    /// Nodes that nothing points at through edges of `kinds` (orphans, unreachable code).
    pub fn without_incoming(&self, kind: NodeKind, kinds: &[EdgeKind]) -> Vec<NodeIndex> {
        self.nodes()
            .filter(|(i, n)| n.kind == kind && self.incoming(*i, kinds).is_empty())
            .map(|(i, _)| i)
            .collect()
    }
}

/// A cycle found by [`AppGraph::cycles`].
#[derive(Clone, Debug)]
pub struct Cycle {
    pub nodes: Vec<NodeIndex>,
    /// `edges[i]` leads from `nodes[i]` to `nodes[i + 1]` (the last one back to `nodes[0]`).
    pub edges: Vec<GraphEdge>,
}

/// Build the graph of `model`: every trigger, route, authorizer, redrive, `uses` entry,
/// on-failure destination and `${...}` reference becomes an edge.
pub fn build(model: &Model) -> AppGraph {
    let mut g = AppGraph::default();
    // The API itself is a node only when something refers to it (`${api.url}`); its
    // routes are drawn in its group either way.
    let refers_to_api = model.functions.iter().any(|f| {
        f.env
            .iter()
            .any(|e| e.value.refs().any(|r| r.target == RefTarget::Api))
    }) || model
        .raw_resources
        .iter()
        .any(|r| r.value.references().any(|x| x.target == RefTarget::Api));
    let api_node = match &model.api {
        Some(api) if refers_to_api => Some(g.add(NodeKind::Api, "http-api", None, api.span)),
        _ => None,
    };
    g.add_resources(model);
    // Redrives.
    for i in 0..model.queues.len() {
        if let (Some(q), Some(d)) = (g.node(ResId::new(Kind::Queue, i)), g.dlq(i)) {
            let span = g.graph[d].span;
            g.edge(q, d, EdgeKind::RedrivesTo, span);
        }
    }
    for (i, f) in model.functions.iter().enumerate() {
        if let Some(fnode) = g.node(ResId::new(Kind::Function, i)) {
            g.add_function_edges(model, f, (fnode, api_node));
        }
    }
    if let Some(api) = &model.api {
        g.add_api(api);
    }
    g.add_raw_resources(model, api_node);
    g
}

/// The logical ID fnplan gives an element's main resource (`JobsQueue`), if it makes one.
fn element_logical_id(model: &Model, id: ResId) -> Option<String> {
    let name = model.name_of(id);
    Some(match id.kind {
        Kind::Function => crate::model::ids::function(name),
        Kind::Queue | Kind::Dlq => model.queue_logical_id(id),
        Kind::Table => crate::model::ids::table(name),
        Kind::Bucket => crate::model::ids::bucket(name),
        Kind::Topic => crate::model::ids::topic(name),
        _ => return None,
    })
}

impl AppGraph {
    fn add(&mut self, kind: NodeKind, name: &str, res: Option<ResId>, span: Span) -> NodeIndex {
        let id = [kind.as_str(), ":", name].concat();
        let ix = self.graph.add_node(GraphNode {
            kind,
            name: name.to_string(),
            res,
            span,
            id,
        });
        if let Some(r) = res {
            self.by_res.insert(r, ix);
        }
        ix
    }

    /// A node per raw resource, with a `references` edge to each fnplan element it names,
    /// as `${kind.name.attr}` or by the logical ID fnplan gives it (`!GetAtt JobsQueue.Arn`).
    fn add_raw_resources(&mut self, model: &Model, api_node: Option<NodeIndex>) {
        if model.raw_resources.is_empty() {
            return;
        }
        let by_id: HashMap<String, NodeIndex> = self
            .by_res
            .iter()
            .filter_map(|(id, ix)| Some((element_logical_id(model, *id)?, *ix)))
            .collect();
        for r in &model.raw_resources {
            let ix = self.add(NodeKind::Resource, &r.logical_id, None, r.id_span);
            let mut to: Vec<NodeIndex> = r
                .value
                .references()
                .filter_map(|x| match x.target {
                    RefTarget::Api => api_node,
                    RefTarget::Res(id) => self.node(id),
                })
                .collect();
            to.extend(
                r.value
                    .targets
                    .iter()
                    .filter_map(|(t, _)| by_id.get(t).copied()),
            );
            to.sort();
            to.dedup();
            for t in to {
                self.edge(ix, t, EdgeKind::References, r.id_span);
            }
        }
    }

    fn edge(&mut self, a: NodeIndex, b: NodeIndex, kind: EdgeKind, span: Span) {
        self.graph.add_edge(a, b, GraphEdge { kind, span });
    }

    /// A node per function, queue (and its DLQ), table, bucket, topic, secret, layer, bus
    /// and database, in that order.
    fn add_resources(&mut self, model: &Model) {
        let fns = model
            .functions
            .iter()
            .map(|f| (f.name.as_str(), f.name_span));
        self.add_all(Kind::Function, NodeKind::Function, fns);
        for (i, q) in model.queues.iter().enumerate() {
            self.add(
                NodeKind::Queue,
                &q.name,
                Some(ResId::new(Kind::Queue, i)),
                q.name_span,
            );
            if let DlqSetting::Enabled(d) = &q.dlq {
                let ix = self.add(
                    NodeKind::Dlq,
                    &d.name,
                    Some(ResId::new(Kind::Dlq, i)),
                    d.span,
                );
                self.dlqs.insert(i, ix);
            }
        }
        let tables = model.tables.iter().map(|t| (t.name.as_str(), t.name_span));
        self.add_all(Kind::Table, NodeKind::Table, tables);
        let buckets = model.buckets.iter().map(|b| (b.name.as_str(), b.name_span));
        self.add_all(Kind::Bucket, NodeKind::Bucket, buckets);
        let topics = model.topics.iter().map(|t| (t.name.as_str(), t.name_span));
        self.add_all(Kind::Topic, NodeKind::Topic, topics);
        let secrets = model.secrets.iter().map(|s| (s.name.as_str(), s.name_span));
        self.add_all(Kind::Secret, NodeKind::Secret, secrets);
        let layers = model.layers.iter().map(|x| (x.name.as_str(), x.name_span));
        self.add_all(Kind::Layer, NodeKind::Layer, layers);
        let buses = model.buses.iter().map(|b| (b.name.as_str(), b.name_span));
        self.add_all(Kind::Bus, NodeKind::Bus, buses);
        let dbs = model
            .databases
            .iter()
            .map(|d| (d.name.as_str(), d.name_span));
        self.add_all(Kind::Database, NodeKind::Database, dbs);
    }

    /// A node per element of one kind (`(name, span)` in model order).
    fn add_all<'m>(
        &mut self,
        kind: Kind,
        node: NodeKind,
        items: impl Iterator<Item = (&'m str, Span)>,
    ) {
        for (i, (name, span)) in items.enumerate() {
            self.add(node, name, Some(ResId::new(kind, i)), span);
        }
    }

    /// A function's triggers, `uses`, on-failure queue and `${...}` references.
    fn add_function_edges(
        &mut self,
        model: &Model,
        f: &Function,
        (fnode, api_node): (NodeIndex, Option<NodeIndex>),
    ) {
        for t in &f.triggers {
            let src = match t {
                Trigger::Queue(q) => self.node(q.queue),
                Trigger::Bucket(b) => self.node(b.bucket),
                Trigger::Topic(x) => self.node(x.topic),
                Trigger::Stream(x) => self.node(x.table),
                Trigger::Bus(x) => self.node(x.bus),
                Trigger::Schedule(s) => {
                    let name = format!("{} #{}", f.name, s.ordinal);
                    let ix = self.add(NodeKind::Schedule, &name, None, s.span);
                    self.graph[ix].name = s.expression.clone();
                    Some(ix)
                }
            };
            if let Some(src) = src {
                self.edge(src, fnode, EdgeKind::Triggers, t.span());
            }
        }
        for u in &f.uses {
            let kinds: &[EdgeKind] = match u.access {
                Access::Read | Access::Receive => &[EdgeKind::Reads],
                Access::Write => &[EdgeKind::Writes],
                Access::ReadWrite => &[EdgeKind::Reads, EdgeKind::Writes],
                Access::Send => &[EdgeKind::Sends],
                Access::Publish => &[EdgeKind::Publishes],
                Access::Invoke => &[EdgeKind::Invokes],
                Access::Put if rule_may_match(model, u.target, f) => &[EdgeKind::Puts],
                Access::Put => &[EdgeKind::PutsUnmatched],
                Access::Query => &[EdgeKind::Queries],
            };
            if let Some(target) = self.node(u.target) {
                for k in kinds {
                    let k = match (k, &u.prefix) {
                        (EdgeKind::Writes, Some(p)) if !triggered_under(model, u.target, p) => {
                            EdgeKind::WritesUntriggered
                        }
                        _ => *k,
                    };
                    self.edge(fnode, target, k, u.span);
                }
            }
        }
        if let Some((q, span)) = f.on_failure
            && let Some(qn) = self.node(q)
        {
            self.edge(fnode, qn, EdgeKind::OnFailure, span);
        }
        for u in &f.layers {
            if let crate::model::LayerRef::App(id) = u.layer
                && let Some(target) = self.node(id)
            {
                self.edge(fnode, target, EdgeKind::UsesLayer, u.span);
            }
        }
        for r in f.env.iter().flat_map(|e| e.value.refs()) {
            let target = match r.target {
                RefTarget::Res(id) => self.node(id),
                RefTarget::Api => api_node,
            };
            if let Some(target) = target {
                self.edge(fnode, target, EdgeKind::References, r.span);
            }
        }
    }

    /// The API's authorizers and routes, with the functions they invoke.
    fn add_api(&mut self, api: &Api) {
        let mut auth_nodes = Vec::new();
        for z in &api.authorizers {
            let ix = self.add(NodeKind::Authorizer, &z.name, None, z.name_span);
            if let AuthorizerKind::Lambda {
                function,
                function_span,
                ..
            } = &z.kind
                && let Some(f) = self.node(*function)
            {
                self.edge(ix, f, EdgeKind::Invokes, *function_span);
            }
            auth_nodes.push(ix);
        }
        for r in &api.routes {
            let ix = self.add(NodeKind::Route, &r.key, None, r.key_span);
            if let Some(f) = self.node(r.function) {
                self.edge(ix, f, EdgeKind::Invokes, r.function_span);
            }
            if let RouteAuth::Authorizer(i, span) = r.auth
                && let Some(&a) = auth_nodes.get(i)
            {
                self.edge(a, ix, EdgeKind::Authorizes, span);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph_of(yaml: &str) -> (Model, AppGraph) {
        let c = crate::testing::compile_str(yaml, None);
        (c.model, c.graph)
    }

    const LOOP: &str = r#"
version: 1
app: loopy
defaults: { function: { runtime: python3.12 } }
functions:
  a:
    handler: a.h
    code: s3://b/a.zip
    triggers: [{ queue: q1 }]
    uses: { topic.t: publish }
  b:
    handler: b.h
    code: s3://b/b.zip
    triggers: [{ topic: t }]
    uses: { queue.q1: send }
  c:
    handler: c.h
    code: s3://b/c.zip
    triggers: [{ topic: t }]
queues: { q1: { dlq: true } }
topics: { t: {} }
"#;

    #[test]
    fn finds_a_loop_through_two_functions() {
        let (_, g) = graph_of(LOOP);
        let cycles = g.cycles(|e| e.kind.carries_work());
        assert_eq!(cycles.len(), 1);
        let names: Vec<&str> = cycles[0]
            .nodes
            .iter()
            .map(|n| g.graph[*n].name.as_str())
            .collect();
        assert_eq!(names, ["a", "t", "b", "q1"]);
        assert_eq!(cycles[0].edges.len(), 4);
    }

    #[test]
    fn publishing_to_a_topic_that_triggers_another_function_is_not_a_loop() {
        let src = LOOP.replace("uses: { queue.q1: send }", "uses: {}");
        let (_, g) = graph_of(&src);
        assert!(g.cycles(|e| e.kind.carries_work()).is_empty());
    }

    #[test]
    fn every_reference_and_use_is_an_edge() {
        let src = LOOP.replace(
            "triggers: [{ topic: t }]\n",
            "triggers: [{ topic: t }]\n    env: { Q: \"${queue.q1.url}\" }\n",
        );
        let (m, g) = graph_of(&src);
        let b = g.node(m.find(Kind::Function, "b").unwrap()).unwrap();
        let q = g.node(m.find(Kind::Queue, "q1").unwrap()).unwrap();
        let kinds: Vec<EdgeKind> = g
            .outgoing(b, &[EdgeKind::References, EdgeKind::Sends])
            .iter()
            .map(|(t, e)| {
                assert_eq!(*t, q);
                e.kind
            })
            .collect();
        assert!(kinds.contains(&EdgeKind::References) && kinds.contains(&EdgeKind::Sends));
        let dlq = g.dlq(0).unwrap();
        assert_eq!(g.incoming(dlq, &[EdgeKind::RedrivesTo]).len(), 1);
    }
}
