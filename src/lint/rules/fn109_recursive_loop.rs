//! FN109 recursive-loop: the graph in, a finding for each cycle of functions feeding
//! queues, topics, buckets, table streams, buses or functions that trigger them again out.

use crate::declare_rule;
use crate::graph::NodeKind;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags recursive loops: a function that sends to a queue, publishes to a topic,
    /// writes to a bucket, writes to a table whose stream triggers it, puts events on a
    /// bus whose rule triggers it, or invokes a function which (directly or through
    /// other functions) triggers the first function again. The finding names the whole
    /// cycle. A stream trigger's `filter` is not read: when it already excludes the
    /// function's own writes, silence the finding with `lint_ignore: [FN109]` on the
    /// function.
    ///
    /// Buses: fnplan cannot see the `source` a function's code puts on its events, so
    /// it reads it from the function's configuration: the literal value of an
    /// environment variable whose name ends in `SOURCE` (`EVENT_SOURCE: shop.shipping`).
    /// When a function has one and no rule on the bus lists that source (by value or
    /// `prefix`) in its pattern's `source`, its events cannot trigger anything there and
    /// no loop goes through it. Without such a variable, every rule on the bus may match
    /// its events.
    ///
    /// ## Why is this bad?
    /// Each pass through the loop creates more work for the next: the classic runaway
    /// Lambda bill. AWS's recursive loop detection only stops some SQS/SNS/S3 loops
    /// after about 16 iterations and not at all for others (DynamoDB streams among
    /// them). A function publishing to a topic that triggers *another* function is not
    /// a loop and is not flagged.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   resize:
    ///     handler: r.h
    ///     code: src
    ///     triggers: [{ bucket: images }]
    ///     uses: { bucket.images: write }
    /// ```
    ///
    /// Use instead: trigger on one key prefix and write under another, with access
    /// scoped to it (fnplan then knows no trigger fires on the output), or write to
    /// another bucket.
    /// ```yaml
    ///     triggers: [{ bucket: images, prefix: uploads/ }]
    ///     uses: { bucket.images/thumbs/: write }
    /// ```
    pub struct RecursiveLoop => "FN109", "recursive-loop", Error, "recursive loop between functions and what triggers them";
}

impl Rule for RecursiveLoop {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let g = cx.graph;
        for cycle in g.cycles(|e| e.kind.carries_work()) {
            let mut steps = Vec::new();
            for (i, n) in cycle.nodes.iter().enumerate() {
                let node = &g.graph[*n];
                steps.push(format!("{} `{}`", node.kind.as_str(), node.name));
                steps.push(cycle.edges[i].kind.label().to_string());
            }
            let first = &g.graph[cycle.nodes[0]];
            steps.push(format!("{} `{}`", first.kind.as_str(), first.name));
            // Point at the edge where a function feeds the loop (the `uses` entry or
            // on_failure), the place a user would change.
            let (at, edge) = cycle
                .nodes
                .iter()
                .zip(&cycle.edges)
                .find(|(n, _)| g.graph[**n].kind == NodeKind::Function)
                .map(|(n, e)| (*n, e))
                .unwrap_or((cycle.nodes[0], &cycle.edges[0]));
            let owner = g.graph[at].res.map_or(Owner::None, Owner::Res);
            let mut d = cx.report(
                &Self::META,
                edge.span,
                format!("recursive loop: {}", steps.join(" → ")),
            );
            for (n, e) in cycle.nodes.iter().zip(&cycle.edges) {
                if *n != at {
                    d = d.label(e.span, format!("{} here", e.kind.label()));
                }
            }
            let through_bus = cycle
                .nodes
                .iter()
                .any(|n| g.graph[*n].kind == NodeKind::Bus);
            let help = if through_bus {
                "break the cycle: put the events on another bus, or match only other sources in the rule's `pattern` and name the function's own source in an env var ending in `SOURCE` (`EVENT_SOURCE: shop.shipping`), so fnplan can see the rule cannot match it"
            } else {
                "break the cycle: write to a different queue, topic, bucket or table, scope a bucket write to a key prefix no trigger matches (`bucket.NAME/out/: write`), or filter the trigger so the function's own output does not match"
            };
            out.push(owner, d.help(help));
        }
    }
}
