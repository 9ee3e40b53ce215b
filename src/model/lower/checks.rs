//! Whole-model checks: a lowered `Model` in, errors for env reference cycles and
//! logical-ID or output-name collisions out.

use super::*;

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

/// Two names that map to the same logical ID would overwrite each other.
pub(super) fn check_logical_ids(l: &mut Lower<'_>, m: &Model) {
    let mut seen: BTreeMap<String, (Span, String)> = BTreeMap::new();
    // One report per colliding pair, naming the first (main) logical ID they share.
    let mut reported: Vec<(Span, Span)> = Vec::new();
    let mut add = |l: &mut Lower<'_>, id: String, span: Span, what: String| {
        if let Some((first, first_what)) = seen.get(&id) {
            let (first, first_what) = (*first, first_what.clone());
            if reported.contains(&(first, span)) {
                return;
            }
            reported.push((first, span));
            l.diags.push(
                Diagnostic::error(
                    codes::LOGICAL_ID_COLLISION,
                    format!("{what} and {first_what} both become the logical ID `{id}`"),
                )
                .at(span)
                .label(first, "the other one")
                .help("rename one of them; logical IDs keep only the letters and digits of a name"),
            );
        } else {
            seen.insert(id, (span, what));
        }
    };
    for f in &m.functions {
        let w = format!("function `{}`", f.name);
        add(l, ids::function(&f.name), f.name_span, w.clone());
        add(l, ids::role(&f.name), f.name_span, w.clone());
        add(l, ids::log_group(&f.name), f.name_span, w.clone());
        add(l, ids::event_invoke_config(&f.name), f.name_span, w.clone());
        add(l, ids::alias(&f.name), f.name_span, w.clone());
        for t in &f.triggers {
            match t {
                Trigger::Queue(q) => add(
                    l,
                    ids::queue_mapping(&f.name, &m.queues[q.queue.index].name),
                    q.span,
                    format!("{w}'s queue trigger"),
                ),
                Trigger::Schedule(s) => {
                    add(
                        l,
                        ids::schedule_rule(&f.name, s.ordinal),
                        s.span,
                        format!("{w}'s schedule"),
                    );
                    add(
                        l,
                        ids::schedule_permission(&f.name, s.ordinal),
                        s.span,
                        format!("{w}'s schedule"),
                    );
                }
                Trigger::Bucket(b) => add(
                    l,
                    ids::bucket_permission(&f.name, &m.buckets[b.bucket.index].name),
                    b.span,
                    format!("{w}'s bucket trigger"),
                ),
                Trigger::Topic(x) => {
                    add(
                        l,
                        ids::topic_subscription(&f.name, &m.topics[x.topic.index].name),
                        x.span,
                        format!("{w}'s topic trigger"),
                    );
                    add(
                        l,
                        ids::topic_permission(&f.name, &m.topics[x.topic.index].name),
                        x.span,
                        format!("{w}'s topic trigger"),
                    );
                }
            }
        }
    }
    for q in &m.queues {
        add(
            l,
            ids::queue(&q.name),
            q.name_span,
            format!("queue `{}`", q.name),
        );
        add(
            l,
            ids::dlq(&q.name),
            q.name_span,
            format!("queue `{}`", q.name),
        );
    }
    for t in &m.tables {
        add(
            l,
            ids::table(&t.name),
            t.name_span,
            format!("table `{}`", t.name),
        );
    }
    for b in &m.buckets {
        add(
            l,
            ids::bucket(&b.name),
            b.name_span,
            format!("bucket `{}`", b.name),
        );
    }
    for t in &m.topics {
        add(
            l,
            ids::topic(&t.name),
            t.name_span,
            format!("topic `{}`", t.name),
        );
    }
    if let Some(api) = &m.api {
        for z in &api.authorizers {
            add(
                l,
                ids::authorizer(&z.name),
                z.name_span,
                format!("authorizer `{}`", z.name),
            );
            add(
                l,
                ids::authorizer_permission(&z.name),
                z.name_span,
                format!("authorizer `{}`", z.name),
            );
        }
        for r in &api.routes {
            let w = format!("route `{}`", r.key);
            add(l, ids::route(&r.key), r.key_span, w.clone());
            add(l, ids::route_integration(&r.key), r.key_span, w.clone());
            add(l, ids::route_permission(&r.key), r.key_span, w);
        }
    }
    // Output names must be unique too.
    let mut outs: BTreeMap<String, (Span, String)> = BTreeMap::new();
    let mut add_out = |l: &mut Lower<'_>, id: String, span: Span, what: String| {
        if let Some((first, fw)) = outs.get(&id) {
            let (first, fw) = (*first, fw.clone());
            if reported.contains(&(first, span)) {
                return;
            }
            l.diags.push(
                Diagnostic::error(
                    codes::LOGICAL_ID_COLLISION,
                    format!("{what} and {fw} both become the output `{id}`"),
                )
                .at(span)
                .label(first, "the other one"),
            );
        } else {
            outs.insert(id, (span, what));
        }
    };
    for f in &m.functions {
        add_out(
            l,
            ids::function_arn_output(&f.name),
            f.name_span,
            format!("function `{}`", f.name),
        );
    }
    for q in &m.queues {
        add_out(
            l,
            ids::queue_url_output(&q.name),
            q.name_span,
            format!("queue `{}`", q.name),
        );
    }
}
