//! FN114 bus-target-without-dlq: functions' bus triggers in, a finding for each rule
//! target with `dlq: false` out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Kind, ResId, Trigger};

declare_rule! {
    /// ## What it does
    /// Flags bus triggers written with `dlq: false`: an EventBridge rule whose target
    /// (the function) has no dead-letter queue. Bus triggers get one by default.
    ///
    /// ## Why is this bad?
    /// When EventBridge cannot deliver an event to the function (the function is
    /// throttled past the retry policy, was deleted, or lost its invoke permission), it
    /// retries for up to 24 hours (`retries`, `max_event_age`) and then drops the event
    /// without a trace. A dead-letter queue on the target keeps those events, with the
    /// error that stopped them, for inspection and replay. (Errors *inside* the
    /// function are Lambda's asynchronous retries and `on_failure`'s business: FN102.)
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   ship:
    ///     handler: ship.handler
    ///     code: src
    ///     triggers:
    ///       - bus: orders
    ///         pattern: { source: [shop.orders] }
    ///         dlq: false
    /// ```
    ///
    /// Use instead: leave `dlq` out (or write `dlq: true`): fnplan adds the queue and
    /// the queue policy that lets only this rule send to it.
    /// ```yaml
    ///     triggers:
    ///       - bus: orders
    ///         pattern: { source: [shop.orders] }
    /// ```
    pub struct BusTargetWithoutDlq => "FN114", "bus-target-without-dlq", Warning, "EventBridge rule target without a dead-letter queue";
}

impl Rule for BusTargetWithoutDlq {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (i, f) in cx.model.functions.iter().enumerate() {
            for t in &f.triggers {
                let Trigger::Bus(b) = t else { continue };
                let Some(at) = b.dlq.span.filter(|_| !b.dlq.value) else {
                    continue;
                };
                let bus = cx.model.name_of(b.bus);
                out.push(
                    Owner::Res(ResId::new(Kind::Function, i)),
                    cx.report(
                        &Self::META,
                        at,
                        format!("the rule of function `{}`'s trigger on bus `{bus}` has no dead-letter queue: events it cannot deliver are dropped", f.name),
                    )
                    .label(b.span, "bus trigger here")
                    .help("remove `dlq: false` (bus triggers get a dead-letter queue by default)"),
                );
            }
        }
    }
}
