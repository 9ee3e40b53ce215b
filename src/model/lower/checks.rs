//! Whole-model checks: a lowered `Model` in, errors for env reference cycles and
//! logical-ID or output-name collisions out.

use super::*;
use foldhash::{HashMap, HashMapExt};

/// Functions whose env refers to each other's name or ARN make a CloudFormation
/// circular dependency; a function that refers to itself does too.
pub(super) fn check_env_cycles(l: &mut Lower<'_>, m: &Model) {
    use petgraph::graph::{DiGraph, NodeIndex};
    use petgraph::visit::EdgeRef;
    let mut g: DiGraph<(), Span> = DiGraph::new();
    let nodes: Vec<NodeIndex> = m.functions.iter().map(|_| g.add_node(())).collect();
    for (i, f) in m.functions.iter().enumerate() {
        for e in &f.env {
            for r in e.value.refs() {
                if let RefTarget::Res(ResId {
                    kind: Kind::Function,
                    index,
                }) = r.target
                {
                    g.add_edge(nodes[i], nodes[index], r.span);
                }
            }
        }
    }
    for scc in petgraph::algo::tarjan_scc(&g) {
        let cyclic = scc.len() > 1 || g.contains_edge(scc[0], scc[0]);
        if !cyclic {
            continue;
        }
        let mut members: Vec<usize> = scc.iter().map(|n| n.index()).collect();
        members.sort();
        let first = members[0];
        let span = g
            .edges(nodes[first])
            .find(|e| members.contains(&e.target().index()))
            .map_or(m.functions[first].name_span, |e| *e.weight());
        let names: Vec<String> = members
            .iter()
            .map(|i| format!("`{}`", m.functions[*i].name))
            .collect();
        let msg = if members.len() == 1 {
            format!("function {} refers to itself in `env`", names[0])
        } else {
            format!(
                "functions {} refer to each other in `env`",
                names.join(", ")
            )
        };
        l.err(codes::INVALID_VALUE, span, msg).help =
            Some("CloudFormation cannot create resources that depend on each other in a circle; pass the name through a stage variable or look it up at run time".into());
    }
}

/// Two names that map to the same logical ID (or output name) would overwrite each other.
pub(super) fn check_logical_ids(l: &mut Lower<'_>, m: &Model) {
    // About eight logical IDs per function (its own five and its triggers'), two per queue.
    let ids = 8 * m.functions.len() + 2 * m.queues.len() + m.tables.len() + 64;
    let mut c = Collisions {
        seen: HashMap::with_capacity(ids),
        outputs: HashMap::new(),
        reported: Vec::new(),
    };
    for f in &m.functions {
        function_ids(&mut c, l, m, f);
    }
    for q in &m.queues {
        let w = What::of("queue", &q.name);
        c.ids(l, [ids::queue(&q.name), ids::dlq(&q.name)], q.name_span, w);
    }
    for x in &m.layers {
        let w = What::of("layer", &x.name);
        c.ids(l, [ids::layer(&x.name)], x.name_span, w);
    }
    for t in &m.tables {
        c.ids(
            l,
            [ids::table(&t.name)],
            t.name_span,
            What::of("table", &t.name),
        );
    }
    for b in &m.buckets {
        c.ids(
            l,
            [ids::bucket(&b.name)],
            b.name_span,
            What::of("bucket", &b.name),
        );
    }
    for t in &m.topics {
        c.ids(
            l,
            [ids::topic(&t.name)],
            t.name_span,
            What::of("topic", &t.name),
        );
    }
    for b in m.buses.iter().filter(|b| !b.is_default) {
        let list = [ids::bus(&b.name), ids::bus_archive(&b.name)];
        c.ids(l, list, b.name_span, What::of("bus", &b.name));
    }
    for d in &m.databases {
        let list = [ids::database(&d.name), ids::database_instance(&d.name)];
        c.ids(l, list, d.name_span, What::of("database", &d.name));
    }
    if let Some(api) = &m.api {
        for z in &api.authorizers {
            let list = [
                ids::authorizer(&z.name),
                ids::authorizer_permission(&z.name),
            ];
            c.ids(l, list, z.name_span, What::of("authorizer", &z.name));
        }
        for r in &api.routes {
            let list = [
                ids::route(&r.key),
                ids::route_integration(&r.key),
                ids::route_permission(&r.key),
            ];
            c.ids(l, list, r.key_span, What::of("route", &r.key));
        }
    }
    // Output names must be unique too.
    for f in &m.functions {
        let id = ids::function_arn_output(&f.name);
        c.output(l, id, f.name_span, What::of("function", &f.name));
    }
    for q in &m.queues {
        let id = ids::queue_url_output(&q.name);
        c.output(l, id, q.name_span, What::of("queue", &q.name));
    }
}

/// The logical IDs of a function and of its triggers.
fn function_ids<'m>(c: &mut Collisions<'m>, l: &mut Lower<'_>, m: &Model, f: &'m Function) {
    let w = What::of("function", &f.name);
    let own = [
        ids::function(&f.name),
        ids::role(&f.name),
        ids::log_group(&f.name),
        ids::event_invoke_config(&f.name),
        ids::alias(&f.name),
    ];
    c.ids(l, own, f.name_span, w);
    for t in &f.triggers {
        match t {
            Trigger::Queue(q) => {
                let id = ids::queue_mapping(&f.name, m.name_of(q.queue));
                c.ids(l, [id], q.span, w.part("'s queue trigger"));
            }
            Trigger::Schedule(s) => {
                let list = [
                    ids::schedule_rule(&f.name, s.ordinal),
                    ids::schedule_permission(&f.name, s.ordinal),
                ];
                c.ids(l, list, s.span, w.part("'s schedule"));
            }
            Trigger::Bucket(b) => {
                let id = ids::bucket_permission(&f.name, &m.buckets[b.bucket.index].name);
                c.ids(l, [id], b.span, w.part("'s bucket trigger"));
            }
            Trigger::Topic(x) => {
                let topic = &m.topics[x.topic.index].name;
                let list = [
                    ids::topic_subscription(&f.name, topic),
                    ids::topic_permission(&f.name, topic),
                ];
                c.ids(l, list, x.span, w.part("'s topic trigger"));
            }
            Trigger::Stream(x) => {
                let id = ids::stream_mapping(&f.name, &m.tables[x.table.index].name);
                c.ids(l, [id], x.span, w.part("'s table stream trigger"));
            }
            Trigger::Bus(x) => {
                let list = [
                    ids::bus_rule(&f.name, x.ordinal),
                    ids::bus_permission(&f.name, x.ordinal),
                    ids::bus_dlq(&f.name, x.ordinal),
                    ids::bus_dlq_policy(&f.name, x.ordinal),
                ];
                c.ids(l, list, x.span, w.part("'s bus trigger"));
            }
        }
    }
}

/// What declared a group of logical IDs ("function `f`", "function `f`'s schedule"),
/// written out only when it collides with another.
#[derive(Clone, Copy)]
struct What<'m> {
    kind: &'static str,
    name: &'m str,
    part: &'static str,
}

impl<'m> What<'m> {
    fn of(kind: &'static str, name: &'m str) -> Self {
        What {
            kind,
            name,
            part: "",
        }
    }

    /// A part of it: `part` follows its name ("'s schedule").
    fn part(self, part: &'static str) -> Self {
        What { part, ..self }
    }
}

impl std::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}`{}", self.kind, self.name, self.part)
    }
}

/// The logical IDs and output names seen so far, and the collisions already reported.
struct Collisions<'m> {
    /// Logical ID -> where it was declared and what declared it.
    seen: HashMap<String, (Span, What<'m>)>,
    outputs: HashMap<String, (Span, What<'m>)>,
    /// One report per colliding pair, naming the first (main) logical ID they share.
    reported: Vec<(Span, Span)>,
}

impl<'m> Collisions<'m> {
    /// The logical IDs of `what`, declared at `span`.
    fn ids<const N: usize>(
        &mut self,
        l: &mut Lower<'_>,
        ids: [String; N],
        span: Span,
        what: What<'m>,
    ) {
        for id in ids {
            self.id(l, id, span, what);
        }
    }

    fn id(&mut self, l: &mut Lower<'_>, id: String, span: Span, what: What<'m>) {
        let Some(&(first, first_what)) = self.seen.get(&id) else {
            self.seen.insert(id, (span, what));
            return;
        };
        if self.reported.contains(&(first, span)) {
            return;
        }
        self.reported.push((first, span));
        l.diags.push(
            Diagnostic::error(
                codes::LOGICAL_ID_COLLISION,
                format!("{what} and {first_what} both become the logical ID `{id}`"),
            )
            .at(span)
            .label(first, "the other one")
            .help("rename one of them; logical IDs keep only the letters and digits of a name"),
        );
    }

    fn output(&mut self, l: &mut Lower<'_>, id: String, span: Span, what: What<'m>) {
        let Some(&(first, first_what)) = self.outputs.get(&id) else {
            self.outputs.insert(id, (span, what));
            return;
        };
        if self.reported.contains(&(first, span)) {
            return;
        }
        l.diags.push(
            Diagnostic::error(
                codes::LOGICAL_ID_COLLISION,
                format!("{what} and {first_what} both become the output `{id}`"),
            )
            .at(span)
            .label(first, "the other one"),
        );
    }
}
