//! IAM actions that take no resource ARN: an action as written in a policy in, whether
//! `Resource: "*"` is the only resource it can be granted on out. The list is the AWS
//! Service Authorization Reference's actions with an empty "Resource types" column,
//! vendored as `schemas/iam/no-resource-actions.txt` (source and version in
//! `schemas/iam/source.json`, see `schemas/iam/SOURCE.md`): one `service:Action` a line,
//! sorted with ASCII case ignored, searched as it is.

use std::cmp::Ordering;
use std::sync::LazyLock;

/// The vendored list, one action a line.
const VENDORED: &str = include_str!("../../schemas/iam/no-resource-actions.txt");

/// The vendored lines (split once, on first use: a few thousand slices of the text).
static NO_RESOURCE: LazyLock<Vec<&'static str>> = LazyLock::new(|| VENDORED.lines().collect());

/// `a` and `b` compared as IAM compares action names: ASCII case ignored.
fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Whether `action` (`service:Action`, any case) supports no resource-level permissions,
/// so that `Resource: "*"` is the only way to grant it. A pattern (`s3:Get*`) or an
/// action the reference does not list is not: it may reach resources an ARN could name.
pub fn takes_no_resource(action: &str) -> bool {
    if action.contains(['*', '?']) {
        return false;
    }
    NO_RESOURCE
        .binary_search_by(|probe| cmp_ignore_case(probe, action))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn source_json() -> Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/iam/source.json");
        let text = std::fs::read_to_string(path).expect("schemas/iam/source.json");
        serde_json::from_str(&text).expect("source.json is JSON")
    }

    #[test]
    fn the_vendored_list_is_sorted_unique_and_the_one_source_json_describes() {
        let lines: Vec<&str> = VENDORED.lines().collect();
        assert!(VENDORED.ends_with('\n'));
        for pair in lines.windows(2) {
            assert_eq!(
                cmp_ignore_case(pair[0], pair[1]),
                Ordering::Less,
                "out of order or repeated (the binary search needs the order): {pair:?}"
            );
        }
        for l in &lines {
            let (service, action) = l
                .split_once(':')
                .unwrap_or_else(|| panic!("`{l}` is not service:Action"));
            assert!(
                !service.is_empty() && !action.is_empty() && !action.contains([':', '*', '?', ' ']),
                "{l}"
            );
        }
        let source = source_json();
        for key in [
            "source",
            "repository",
            "commit",
            "package_version",
            "data_updated",
            "actions_tree",
            "command",
        ] {
            assert!(
                source[key].as_str().is_some_and(|s| !s.is_empty()),
                "source.json has no `{key}`"
            );
        }
        assert_eq!(
            source["no_resource_actions"].as_u64(),
            Some(lines.len() as u64)
        );
    }

    #[test]
    fn every_vendored_action_is_found_in_any_case() {
        for a in VENDORED.lines() {
            assert!(takes_no_resource(a), "{a}");
            assert!(takes_no_resource(&a.to_ascii_uppercase()), "{a}");
            assert!(takes_no_resource(&a.to_ascii_lowercase()), "{a}");
        }
    }

    #[test]
    fn actions_on_resources_and_patterns_are_not_exempt() {
        for a in [
            "iam:ListAccountAliases",
            "s3:ListAllMyBuckets",
            "sts:GetCallerIdentity",
            "xray:PutTraceSegments",
            "ec2:DescribeInstances",
        ] {
            assert!(takes_no_resource(a), "{a} takes no resource ARN");
        }
        // Actions on resources; since 2025 ce:GetCostAndUsage takes a billing view ARN.
        for a in [
            "s3:GetObject",
            "dynamodb:Query",
            "ssm:GetParameter",
            "ce:GetCostAndUsage",
            "iam:GetRole",
        ] {
            assert!(!takes_no_resource(a), "{a} takes a resource ARN");
        }
        // Patterns, and names the reference does not have.
        for a in [
            "iam:List*",
            "s3:ListAllMyBucket?",
            "*",
            "iam:NoSuchAction",
            "ListAccountAliases",
            "",
            "iam:ListAccountAliases ",
        ] {
            assert!(!takes_no_resource(a), "{a:?}");
        }
    }
}
