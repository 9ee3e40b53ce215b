//! FN110 orphan: the graph in, a finding for each queue nothing consumes, topic nothing
//! subscribes to, function nothing invokes and layer no function uses out.

use crate::declare_rule;
use crate::graph::{EdgeKind, NodeKind};
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::Kind;

declare_rule! {
    /// ## What it does
    /// Flags elements that are declared but not wired to anything that would use them:
    /// - a queue with no consumer: no function is triggered by it or has
    ///   `uses: { queue.NAME: receive }`;
    /// - a topic with no subscriber: no function is triggered by it;
    /// - a function nothing invokes: no trigger, no route, not a Lambda authorizer and
    ///   no other function with `uses: { function.NAME: invoke }`;
    /// - a layer no function lists in `layers:` (nor `defaults.function.layers`).
    ///
    /// Dead-letter queues and queues named as an `on_failure` destination are meant to
    /// be read by people, not code, and are not flagged; nor is an element a raw
    /// resource of `resources:` refers to (it may subscribe to the topic or read the queue).
    ///
    /// ## Why is this bad?
    /// Messages sent to a queue nobody reads expire unseen after the retention period;
    /// a topic without subscribers drops every message; a function nothing invokes is
    /// dead code that still costs a role, a log group and a deployment; an unused layer is
    /// still zipped, uploaded and published as a new version on every change. Usually it
    /// is a typo or a trigger that was forgotten. If the consumer lives outside this app,
    /// say so with `lint_ignore: [FN110]` on the element.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   create-order: { handler: o.create, code: src, uses: { queue.order-events: send } }
    /// queues:
    ///   order-events: { dlq: true }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   process-order: { handler: o.process, code: src, triggers: [{ queue: order-events }] }
    /// ```
    pub struct Orphan => "FN110", "orphan", Warning, "queue without consumer, topic without subscriber, function nothing invokes, or unused layer";
}

impl Rule for Orphan {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let g = cx.graph;
        for (n, node) in g.nodes() {
            let Some(id) = node.res else { continue };
            // Made elsewhere: its other users are elsewhere too.
            let existing = match id.kind {
                Kind::Queue => cx.model.queue_of(id).existing,
                Kind::Topic => cx.model.topics[id.index].existing,
                Kind::Bucket => cx.model.buckets[id.index].existing,
                Kind::Table => cx.model.tables[id.index].existing,
                _ => false,
            };
            // Used by raw CloudFormation of `resources:` (a subscription, an alarm).
            let raw_user = g
                .incoming(n, &[EdgeKind::References])
                .iter()
                .any(|(from, _)| g.graph[*from].kind == NodeKind::Resource);
            if existing || raw_user {
                continue;
            }
            let (message, help) = match node.kind {
                NodeKind::Queue => {
                    let consumed = !g.outgoing(n, &[EdgeKind::Triggers]).is_empty()
                        || !g.incoming(n, &[EdgeKind::Reads]).is_empty();
                    let destination = !g.incoming(n, &[EdgeKind::OnFailure]).is_empty();
                    if consumed || destination {
                        continue;
                    }
                    (
                        format!(
                            "queue `{}` has no consumer: no function is triggered by it or receives from it",
                            node.name
                        ),
                        format!(
                            "add `triggers: [{{ queue: {} }}]` to a function, remove the queue, or add `lint_ignore: [FN110]` to it if it is read outside this app",
                            node.name
                        ),
                    )
                }
                NodeKind::Topic => {
                    if !g.outgoing(n, &[EdgeKind::Triggers]).is_empty() {
                        continue;
                    }
                    (
                        format!(
                            "topic `{}` has no subscriber: messages published to it are dropped",
                            node.name
                        ),
                        format!(
                            "add `triggers: [{{ topic: {} }}]` to a function, remove the topic, or add `lint_ignore: [FN110]` to it if it is subscribed to outside this app",
                            node.name
                        ),
                    )
                }
                NodeKind::Function => {
                    if !g
                        .incoming(n, &[EdgeKind::Triggers, EdgeKind::Invokes])
                        .is_empty()
                    {
                        continue;
                    }
                    (
                        format!(
                            "function `{}` is never invoked: it has no trigger or route, is not an authorizer, and no function invokes it",
                            node.name
                        ),
                        format!(
                            "add a trigger or route, `uses: {{ function.{}: invoke }}` on its caller, or `lint_ignore: [FN110]` if it is invoked from outside this app",
                            node.name
                        ),
                    )
                }
                NodeKind::Layer => {
                    if !g.incoming(n, &[EdgeKind::UsesLayer]).is_empty() {
                        continue;
                    }
                    (
                        format!("layer `{}` is used by no function", node.name),
                        format!(
                            "add `layers: [{}]` to a function or to `defaults.function`, or remove the layer",
                            node.name
                        ),
                    )
                }
                _ => continue,
            };
            out.push(
                Owner::Res(id),
                cx.report(&Self::META, node.span, message).help(help),
            );
        }
    }
}
