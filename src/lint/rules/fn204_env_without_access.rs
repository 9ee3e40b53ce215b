//! FN204 env-without-access: environment references in, a finding for each resource a
//! function is told about but given no access to out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Access, Attr, Function, Kind, RefTarget, ResId, Trigger};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Flags environment variables that reference a function, queue, table, bucket,
    /// topic or secret (`${table.orders.name}`, `${queue.jobs.url}`, ...) when the
    /// function has no `uses` entry for it.
    ///
    /// `${api.url}` needs no access and a queue the function is triggered by can be
    /// received from; neither is flagged. A bucket or topic trigger grants nothing on
    /// the bucket or topic: reading the uploaded object needs `uses: { bucket.NAME: read }`.
    ///
    /// ## Why is this bad?
    /// The only reason to hand a function a resource's name, URL or ARN is to call it,
    /// and fnplan grants IAM access only through `uses`. The deployment succeeds and
    /// the first request fails with AccessDenied at run time.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   create-order:
    ///     handler: o.create
    ///     code: src
    ///     env: { TABLE_NAME: "${table.orders.name}" }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     env: { TABLE_NAME: "${table.orders.name}" }
    ///     uses: { table.orders: write }
    /// ```
    pub struct EnvWithoutAccess => "FN204", "env-without-access", Warning, "environment references a resource the function has no access to";
}

fn attr_str(a: Attr) -> &'static str {
    match a {
        Attr::Name => "name",
        Attr::Arn => "arn",
        Attr::Url => "url",
        Attr::StreamArn => "stream_arn",
        Attr::SecretArn => "secret_arn",
    }
}

/// Whether `f` may call `target`: a `uses` entry, or a queue trigger (which implies
/// receive). Bucket and topic triggers grant nothing on the bucket or topic.
fn has_access(f: &Function, target: ResId) -> bool {
    f.uses.iter().any(|u| u.target == target)
        || f.triggers
            .iter()
            .any(|t| matches!(t, Trigger::Queue(q) if q.queue == target))
}

impl Rule for EnvWithoutAccess {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let m = cx.model;
        for (i, f) in m.functions.iter().enumerate() {
            let me = ResId::new(Kind::Function, i);
            for e in &f.env {
                let mut found: Vec<(ResId, String, Span)> = Vec::new();
                for r in e.value.refs() {
                    if let RefTarget::Res(id) = r.target {
                        found.push((
                            id,
                            format!(
                                "${{{}.{}.{}}}",
                                id.kind.as_str(),
                                m.name_of(id),
                                attr_str(r.attr)
                            ),
                            r.span,
                        ));
                    }
                }
                for (id, text, span) in found {
                    if has_access(f, id) {
                        continue;
                    }
                    let kind = id.kind.as_str();
                    let name = m.name_of(id);
                    let levels = Access::levels_for(id.kind);
                    let others = if levels.len() > 1 {
                        let rest: Vec<String> = levels[1..]
                            .iter()
                            .map(|a| format!("`{}`", a.as_str()))
                            .collect();
                        format!(" (or {})", rest.join(", "))
                    } else {
                        String::new()
                    };
                    out.push(
                        Owner::Res(me),
                        cx.report(
                            &Self::META,
                            span,
                            format!(
                                "function `{}` gets `{text}` in `{}` but has no access to {kind} `{name}`; calls to it will fail with AccessDenied",
                                f.name, e.name
                            ),
                        )
                        .help(format!(
                            "add `uses: {{ {kind}.{name}: {} }}`{others} to function `{}`, or remove the variable",
                            levels[0].as_str(),
                            f.name
                        )),
                    );
                }
            }
        }
    }
}
