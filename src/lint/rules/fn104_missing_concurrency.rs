//! FN104 missing-concurrency: functions in, a finding for each one without reserved
//! concurrency whose unbounded scaling hurts something (a database, a queue backlog, an
//! external API's rate limit) out, with the reasons.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::env_secrets::{env_secret, names_a_secret};
use crate::model::{Function, Kind, Model, ResId, Trigger};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Flags functions with no `concurrency` (reserved concurrency) of their own and
    /// none in `defaults.function` when scaling without limit hurts:
    /// - the function uses a table (`uses: { table.orders: ... }`): a burst of
    ///   instances exhausts the table's capacity;
    /// - it queries a database (`uses: { database.ledger: query }`): every instance
    ///   runs statements on the Aurora cluster, and a burst exhausts its capacity
    ///   (`max_capacity` ACUs, and the connections and Data API calls they serve);
    /// - it consumes a queue without `max_concurrency` on that trigger: a backlog
    ///   scales it up to the account's whole concurrency;
    /// - it holds an external API key (a secret in `uses`, a `${secret.NAME.name}`
    ///   in its environment, or an environment variable FN203 calls a secret): a burst
    ///   runs into the provider's rate limit.
    ///
    /// A function with none of these (a plain HTTP handler) is not flagged: it scales
    /// with its callers, as it should.
    ///
    /// ## Why is this bad?
    /// Without a reservation a function can scale until it takes the whole account's
    /// concurrency (1,000 by default, shared by every function in the region). Where
    /// each instance holds a connection or spends a rate-limited quota, that burst
    /// fails downstream, throttles every other function, and a runaway loop has no
    /// ceiling on cost. Reserved concurrency caps the function (and keeps that much
    /// for it); `max_concurrency` on a queue trigger caps that queue's consumers.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   worker:
    ///     handler: w.handler
    ///     code: src
    ///     triggers: [{ queue: jobs }]
    ///     uses: { table.orders: write }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   worker:
    ///     handler: w.handler
    ///     code: src
    ///     concurrency: 10
    ///     triggers: [{ queue: jobs, max_concurrency: 10 }]
    ///     uses: { table.orders: write }
    /// ```
    pub struct MissingConcurrency => "FN104", "missing-concurrency", Warning, "function without reserved concurrency where unbounded scaling hurts";
}

/// Kinds whose resources a burst of instances can overwhelm (capacity, connections).
fn database_like(kind: Kind) -> bool {
    matches!(kind, Kind::Table | Kind::Database)
}

/// One cause of harm: where the spec shows it, a short label, and the reason in full.
struct Reason {
    span: Span,
    label: String,
    text: String,
    queue: bool,
}

/// Why unbounded scaling hurts this function, one entry per cause.
fn reasons(model: &Model, f: &Function) -> Vec<Reason> {
    let mut out = Vec::new();
    for u in f.uses.iter().filter(|u| database_like(u.target.kind)) {
        let (kind, name) = (u.target.kind.as_str(), model.name_of(u.target));
        let text = match u.target.kind {
            Kind::Database => format!(
                "it queries database `{name}`, whose capacity (ACUs, and the connections and statements they serve) a burst can exhaust"
            ),
            _ => format!("it uses {kind} `{name}`, whose capacity a burst can exhaust"),
        };
        out.push(Reason {
            span: u.span,
            label: format!("uses {kind} `{name}`"),
            text,
            queue: false,
        });
    }
    for t in &f.triggers {
        if let Trigger::Queue(q) = t
            && q.max_concurrency.is_none()
        {
            let name = model.name_of(q.queue);
            out.push(Reason {
                span: q.span,
                label: "no `max_concurrency`".into(),
                text: format!("it consumes queue `{name}` without `max_concurrency`, so a backlog scales it up"),
                queue: true,
            });
        }
    }
    let key = f
        .uses
        .iter()
        .find(|u| u.target.kind == Kind::Secret)
        .map(|u| (u.span, format!("secret `{}`", model.name_of(u.target))))
        .or_else(|| {
            f.env
                .iter()
                .find(|e| names_a_secret(e) || env_secret(e).is_some())
                .map(|e| (e.name_span, format!("`{}`", e.name)))
        });
    if let Some((span, what)) = key {
        out.push(Reason {
            span,
            label: "external API key".into(),
            text: format!(
                "it holds an external API key ({what}), whose rate limit a burst can exceed"
            ),
            queue: false,
        });
    }
    out
}

fn help(reasons: &[Reason]) -> String {
    let queue_only = reasons.iter().all(|r| r.queue);
    if queue_only {
        "add `concurrency: <N>` to the function (or `defaults.function`), or `max_concurrency: <N>` to its queue trigger".into()
    } else {
        "add `concurrency: <N>` to the function or to `defaults.function`, sized to what the resources it uses can take".into()
    }
}

impl Rule for MissingConcurrency {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, f) in cx.model.functions.iter().enumerate() {
            if f.concurrency.is_some() {
                continue;
            }
            let why = reasons(cx.model, f);
            let Some(first) = why.first() else { continue };
            let more = match why.len() {
                1 => String::new(),
                n => format!(
                    " (and {} more reason{})",
                    n - 1,
                    if n == 2 { "" } else { "s" }
                ),
            };
            let mut d = cx.report(
                &Self::META,
                f.name_span,
                format!(
                    "function `{}` has no reserved concurrency: {}{more}",
                    f.name, first.text
                ),
            );
            for r in &why {
                d = d.label(r.span, r.label.clone());
            }
            out.push(
                Owner::Res(ResId::new(Kind::Function, i)),
                d.help(help(&why)),
            );
        }
    }
}
