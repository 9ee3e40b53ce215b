//! Checks of a finished split: the parent and nested templates in; the CloudFormation
//! limits they break and every reference that crosses a stack boundary without a
//! parameter or output out.

use super::Split;
use super::refs::{depends_on, visit_refs};
use crate::template::Template;
use serde_json::Value;
use std::collections::HashSet;

/// The sections of `t` past CloudFormation's per-template limits:
/// `(what, count, limit)` with `what` one of `resources`, `parameters`, `outputs`.
pub fn quota_overflows(t: &Template) -> Vec<(&'static str, usize, usize)> {
    crate::limits::stack_overflows(
        t.section_len("Resources"),
        t.section_len("Parameters"),
        t.section_len("Outputs"),
    )
}

impl Split {
    /// The parent first (named "the parent stack"), then every nested stack by logical ID.
    pub fn stacks(&self) -> impl Iterator<Item = (&str, &Template)> {
        std::iter::once(("the parent stack", &self.parent)).chain(
            self.children
                .iter()
                .map(|c| (c.logical_id.as_str(), &c.template)),
        )
    }

    /// CloudFormation limits a stack of the split still breaks (a parent with over 500
    /// resources, a single function group too big for one stack), one message each.
    pub fn over_limits(&self) -> Vec<String> {
        self.stacks()
            .flat_map(|(name, t)| {
                quota_overflows(t).into_iter().map(move |(what, n, max)| {
                    format!("{name} has {n} {what}; CloudFormation allows at most {max}")
                })
            })
            .collect()
    }

    /// Every way a reference could cross a stack boundary without a parameter or output:
    /// a name a template uses but does not define, a child parameter the parent does not
    /// pass (or passes without it being declared), an `Outputs.X` the child lacks. Empty
    /// when the split is sound.
    pub fn boundary_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let defined = |t: &Value| -> HashSet<String> {
            let mut d = HashSet::new();
            for k in ["Resources", "Parameters"] {
                if let Some(m) = t.get(k).and_then(Value::as_object) {
                    d.extend(m.keys().cloned());
                }
            }
            d
        };
        let parent = self.parent.value();
        let children: Vec<&Value> = self.children.iter().map(|c| c.template.value()).collect();
        let mut check = |name: &str, t: &Value| {
            let d = defined(t);
            let mut seen = |id: &str| {
                if !id.starts_with("AWS::") && !d.contains(id) {
                    problems.push(format!("{name}: refers to {id}, which it does not define"));
                }
            };
            visit_refs(t, &mut |id, _| seen(id));
            if let Some(rs) = t.get("Resources").and_then(Value::as_object) {
                for v in rs.values() {
                    depends_on(v).into_iter().for_each(&mut seen);
                }
            }
        };
        check("parent", parent);
        for (c, t) in self.children.iter().zip(&children) {
            check(&c.file_name, t);
        }
        let parent_resources = parent["Resources"].as_object();
        for (c, t) in self.children.iter().zip(&children) {
            let Some(stack) = parent_resources.and_then(|r| r.get(&c.logical_id)) else {
                problems.push(format!("parent: no resource {}", c.logical_id));
                continue;
            };
            let passed = stack["Properties"]["Parameters"].as_object();
            let declared = t["Parameters"].as_object();
            for p in declared.into_iter().flat_map(|m| m.keys()) {
                if !passed.is_some_and(|m| m.contains_key(p)) {
                    problems.push(format!("{}: parameter {p} is not passed in", c.file_name));
                }
            }
            for p in passed.into_iter().flat_map(|m| m.keys()) {
                if !declared.is_some_and(|m| m.contains_key(p)) {
                    problems.push(format!(
                        "{}: is passed {p}, which it does not declare",
                        c.file_name
                    ));
                }
            }
        }
        // Every `Outputs.X` read names an output of that child.
        let mut reads = Vec::new();
        visit_refs(parent, &mut |id, attr| {
            if let Some(o) = attr.and_then(|a| a.strip_prefix("Outputs.")) {
                reads.push((id.to_string(), o.to_string()));
            }
        });
        for (stack, o) in reads {
            match self.children.iter().position(|c| c.logical_id == stack) {
                Some(i) if children[i]["Outputs"].get(&o).is_some() => {}
                _ => problems.push(format!(
                    "parent: reads {stack}.Outputs.{o}, which does not exist"
                )),
            }
        }
        problems
    }
}
