//! FN302 stack-budget: the rendered template in, a finding when it nears or passes
//! CloudFormation's limits on resources per stack and template size out.

use crate::declare_rule;
use crate::diagnostic::Severity;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};

use super::thousands;

/// Resources per stack (CloudFormation quotas) and the point where we start warning.
const MAX_RESOURCES: usize = 500;
const WARN_RESOURCES: usize = 400;
/// Template size passed inline (`TemplateBody`) and through S3 (`TemplateURL`), in bytes.
const MAX_INLINE_BYTES: usize = 51_200;
const MAX_S3_BYTES: usize = 1_000_000;

declare_rule! {
    /// ## What it does
    /// Checks the rendered template against CloudFormation's stack quotas: a warning
    /// above 400 resources and an error above 500; a warning when the template is
    /// larger than 51,200 bytes (it must then be uploaded to S3 and passed as
    /// `TemplateURL`) and an error above 1,000,000 bytes.
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
    /// Use instead: split the app by domain into specs of their own (one stack each),
    /// sharing queues and topics through their ARNs.
    pub struct StackBudget => "FN302", "stack-budget", Warning, "stack near or over CloudFormation's resource or template size limit";
}

const SPLIT: &str = "split the app: move a group of functions, with the queues, topics and tables only they use, into a spec of its own";

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
        if let Some((level, message)) = resources(cx.template.resource_count()) {
            let mut d = cx.report(&Self::META, span, message).help(SPLIT);
            d.severity = level;
            out.push(Owner::None, d);
        }
        if let Some((level, message, help)) = size(cx.template_bytes) {
            let mut d = cx.report(&Self::META, span, message).help(help);
            d.severity = level;
            out.push(Owner::None, d);
        }
    }
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
