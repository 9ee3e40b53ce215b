//! FN302 stack-budget: the rendered template (or, with `lint --split`, the nested stacks)
//! in, a finding when one nears or passes CloudFormation's limits on resources, template
//! size, parameters or outputs out.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta, StackSize, Stacks};

use super::thousands;
use crate::limits::{STACK_RESOURCES as MAX_RESOURCES, stack_overflows};

/// The point where we start warning about resources per stack.
const WARN_RESOURCES: usize = 400;
use crate::limits::{INLINE_TEMPLATE_BYTES as MAX_INLINE_BYTES, S3_TEMPLATE_BYTES as MAX_S3_BYTES};

declare_rule! {
    /// ## What it does
    /// Checks the rendered template against CloudFormation's stack quotas: a warning
    /// above 400 resources and an error above 500; a warning when the template is
    /// larger than 51,200 bytes (it must then be uploaded to S3 and passed as
    /// `TemplateURL`) and an error above 1,000,000 bytes.
    ///
    /// With `fnplan lint --split` the app is checked as `fnplan render --split` writes
    /// it: the parent stack and every nested stack, each against the same limits and
    /// against 200 parameters and 200 outputs. (A single stack never gets more than 200
    /// outputs: past that fnplan keeps only the API URL.)
    ///
    /// ## Why is this bad?
    /// A stack holds at most 500 resources and a template is at most 51,200 bytes
    /// inline or 1 MB from S3 ("Understand CloudFormation quotas"). Every function
    /// brings a role, a log group and one resource per trigger or route, so an app
    /// reaches the limit sooner than its spec suggests, and then a deployment fails on
    /// the one change that crosses it. Splitting a large app is easier planned than
    /// done in a hurry.
    ///
    /// ## Example
    /// One spec with 140 functions, each with a queue trigger and a route.
    ///
    /// Use instead: `fnplan render --split` (and `fnplan lint --split`), which deploys
    /// the app as nested stacks: each function with its role, log group, triggers,
    /// routes and own queues in a nested stack of about eight functions, the API and
    /// shared resources in the parent. Or split the app by domain into specs of their
    /// own (one stack each), sharing queues and topics through their ARNs.
    pub struct StackBudget => "FN302", "stack-budget", Warning, "stack near or over CloudFormation's resource or template size limit";
}

const SPLIT: &str = "render nested stacks with `fnplan render --split` (check them with `fnplan lint --split`), or move a group of functions, with the queues, topics and tables only they use, into a spec of its own";
/// When even the nested stacks are too big.
const SPLIT_SPEC: &str = "move a group of functions, with the queues, topics and tables only they use, into a spec of its own";

/// The finding for `count` resources, if any.
fn resources(count: usize) -> Option<(Severity, String)> {
    if count > MAX_RESOURCES {
        Some((
            Severity::Error,
            format!(
                "the stack has {count} resources; CloudFormation allows at most {MAX_RESOURCES} per stack and will reject it"
            ),
        ))
    } else if count > WARN_RESOURCES {
        Some((
            Severity::Warning,
            format!(
                "the stack has {count} resources, close to CloudFormation's limit of {MAX_RESOURCES} per stack"
            ),
        ))
    } else {
        None
    }
}

/// The finding for a template of `bytes`, if any.
fn size(bytes: usize) -> Option<(Severity, String, &'static str)> {
    if bytes > MAX_S3_BYTES {
        Some((
            Severity::Error,
            format!(
                "the template is {} bytes; CloudFormation accepts at most {} bytes, even from S3",
                thousands(bytes),
                thousands(MAX_S3_BYTES)
            ),
            SPLIT,
        ))
    } else if bytes > MAX_INLINE_BYTES {
        Some((
            Severity::Warning,
            format!(
                "the template is {} bytes, over the {} bytes CloudFormation accepts inline; it needs an artifact bucket (TemplateURL)",
                thousands(bytes),
                thousands(MAX_INLINE_BYTES)
            ),
            "deploy through an S3 artifact bucket and pass the template as `TemplateURL` (up to 1 MB), or split the app into smaller specs",
        ))
    } else {
        None
    }
}

impl Rule for StackBudget {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        // The whole stack is at fault: point at the app's name.
        let span = cx.model.app_span;
        let mut emit = |level: Severity, message: String, help: &str| {
            let mut d = cx.report(&Self::META, span, message).help(help);
            d.severity = level;
            out.push(Owner::None, d);
        };
        let stacks = match cx.stacks {
            Stacks::Single(t) => {
                if let Some((level, message)) = resources(t.resources) {
                    emit(level, message, SPLIT);
                }
                if let Some((level, message, help)) = size(t.bytes) {
                    emit(level, message, help);
                }
                return;
            }
            Stacks::Split(stacks) => stacks,
        };
        for (i, t) in stacks.iter().enumerate() {
            for (level, message, help) in split_findings(t, i == 0) {
                emit(level, format!("{}: {message}", t.name), help);
            }
        }
    }
}

/// The findings for one stack of a split; `parent` is the only one sent inline.
fn split_findings(t: &StackSize, parent: bool) -> Vec<(Severity, String, &'static str)> {
    let mut out = Vec::new();
    if let Some((level, message)) = resources(t.resources) {
        out.push((level, message, SPLIT_SPEC));
    }
    // Nested stacks always come from S3, so only the parent has the inline limit.
    if let Some((level, message, help)) = size(t.bytes)
        && (parent || level == Severity::Error)
    {
        let help = if level == Severity::Error {
            SPLIT_SPEC
        } else {
            help
        };
        out.push((level, message, help));
    }
    // Resources have their own tiers above.
    for (what, n, max) in stack_overflows(t.resources, t.parameters, t.outputs)
        .into_iter()
        .filter(|o| o.0 != "resources")
    {
        let message = format!("{n} {what}; CloudFormation allows at most {max}");
        out.push((Severity::Error, message, SPLIT_SPEC));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_tiers() {
        assert_eq!(resources(400), None);
        assert_eq!(resources(401).map(|f| f.0), Some(Severity::Warning));
        assert_eq!(resources(500).map(|f| f.0), Some(Severity::Warning));
        assert_eq!(resources(501).map(|f| f.0), Some(Severity::Error));
    }

    #[test]
    fn size_tiers() {
        assert!(size(51_200).is_none());
        assert_eq!(size(51_201).map(|f| f.0), Some(Severity::Warning));
        assert_eq!(size(1_000_000).map(|f| f.0), Some(Severity::Warning));
        assert_eq!(size(1_000_001).map(|f| f.0), Some(Severity::Error));
    }
}
