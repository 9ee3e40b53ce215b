//! Tests of `render --split`: specs in, nested-stack templates out; checks that the split is
//! sound (every reference across stacks goes through a parameter or output), that putting
//! the stacks back together gives the unsplit template, and how resources are grouped.

use super::{keys, model, render_model};
use crate::model::Model;
use crate::source::SourceFile;
use crate::template::doc::Doc;
use crate::template::split::{Repl, Split, depends_on, rewrite};
use crate::template::{Template, render_split};
use crate::testing::{Spec, compile};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

fn split_model(m: &Model) -> Split {
    let s = render_split(m, &crate::graph::build(m), &keys(m), &|id| {
        format!("t.{id}.json")
    });
    let problems = s.boundary_problems();
    assert!(problems.is_empty(), "unsound split: {problems:#?}");
    s
}

fn synth(n: usize) -> Model {
    model(&crate::synth::spec(n))
}

fn section<'a>(t: &'a Template, k: &str) -> &'a Map<String, Value> {
    static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
    t.value()
        .get(k)
        .and_then(Value::as_object)
        .unwrap_or(&EMPTY)
}

/// The child holding resource `id`.
fn holder<'a>(s: &'a Split, id: &str) -> Option<&'a str> {
    s.children
        .iter()
        .find(|c| section(&c.template, "Resources").contains_key(id))
        .map(|c| c.logical_id.as_str())
}

/// Put the nested stacks back into one template's resources: each parameter replaced by
/// what the parent passes, each `Outputs.X` read by the child output's value. `DependsOn`
/// is dropped (the parent's stack-level `DependsOn` stands for it and is checked apart).
fn join(s: &Split) -> Map<String, Value> {
    let parent = section(&s.parent, "Resources");
    let outputs: HashMap<&str, &Map<String, Value>> = s
        .children
        .iter()
        .map(|c| (c.logical_id.as_str(), section(&c.template, "Outputs")))
        .collect();
    // A value the parent passes, as a reference in the joined template.
    let resolve = |v: &Value| -> Repl {
        if let Some(id) = v.get("Ref").and_then(Value::as_str) {
            return Repl::Ref(id.to_string());
        }
        let att = v["Fn::GetAtt"].as_array().expect("Ref or GetAtt");
        let (id, attr) = (att[0].as_str().unwrap(), att[1].as_str().unwrap());
        let out = match attr.strip_prefix("Outputs.") {
            None => return Repl::Att(id.into(), attr.into()),
            Some(o) => &outputs[id][o]["Value"],
        };
        match out.get("Ref") {
            Some(r) => Repl::Ref(r.as_str().unwrap().into()),
            None => {
                let a = out["Fn::GetAtt"].as_array().unwrap();
                Repl::Att(a[0].as_str().unwrap().into(), a[1].as_str().unwrap().into())
            }
        }
    };
    let mut all = Map::new();
    for (id, v) in parent {
        if v["Type"] != "AWS::CloudFormation::Stack" {
            let mut v = v.clone();
            v.as_object_mut().unwrap().shift_remove("DependsOn");
            all.insert(id.clone(), v);
        }
    }
    for c in &s.children {
        let passed = parent[&c.logical_id]["Properties"]["Parameters"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (id, v) in section(&c.template, "Resources") {
            let mut v = v.clone();
            v.as_object_mut().unwrap().shift_remove("DependsOn");
            let mut d = Doc::from(v);
            rewrite(&mut d, &mut |name, attr| match (passed.get(name), attr) {
                (Some(p), None) => Some(resolve(p)),
                _ => None,
            });
            let v = Value::from(d);
            assert!(all.insert(id.clone(), v).is_none(), "{id} is in two stacks");
        }
    }
    all
}

/// The unsplit template's resources without `DependsOn`.
fn flat(t: &Template) -> Map<String, Value> {
    section(t, "Resources")
        .iter()
        .map(|(id, v)| {
            let mut v = v.clone();
            v.as_object_mut().unwrap().shift_remove("DependsOn");
            (id.clone(), v)
        })
        .collect()
}

fn assert_joins_back(m: &Model, s: &Split) {
    let whole = render_model(m);
    let joined = join(s);
    assert_eq!(joined.len(), section(&whole, "Resources").len());
    for (id, v) in flat(&whole) {
        assert_eq!(
            joined.get(&id),
            Some(&v),
            "{id} differs after the round trip"
        );
    }
}

/// Every `DependsOn` of the unsplit template still holds after the split: inside a stack
/// as it was, across stacks as a `DependsOn` between the stacks (or the parent resource).
fn assert_order_kept(m: &Model, s: &Split) {
    let whole = render_model(m);
    let stack_of = |id: &str| holder(s, id).map(str::to_string);
    let parent = section(&s.parent, "Resources");
    for (id, v) in section(&whole, "Resources") {
        for d in depends_on(v) {
            let (a, b) = (stack_of(id), stack_of(d));
            let ok = match (&a, &b) {
                _ if a == b => {
                    let here = match &a {
                        None => &s.parent,
                        Some(c) => {
                            &s.children
                                .iter()
                                .find(|n| &n.logical_id == c)
                                .unwrap()
                                .template
                        }
                    };
                    depends_on(&section(here, "Resources")[id]).contains(&d)
                }
                (Some(c), None) => depends_on(&parent[c]).contains(&d),
                (Some(c), Some(e)) => depends_on(&parent[c]).contains(&e.as_str()),
                (None, Some(e)) => depends_on(&parent[id]).contains(&e.as_str()),
                (None, None) => unreachable!("equal parts are handled above"),
            };
            assert!(ok, "{id} DependsOn {d} is lost ({a:?} -> {b:?})");
        }
    }
}

fn orders() -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/orders/fnplan.yaml");
    let text = std::fs::read_to_string(&path).expect("examples/orders");
    compile(&SourceFile::new("fnplan.yaml", &path, &text), Some("prod")).model
}

#[test]
fn orders_splits_soundly_and_joins_back() {
    let m = orders();
    let s = split_model(&m);
    assert!(!s.children.is_empty());
    assert_joins_back(&m, &s);
    assert_order_kept(&m, &s);
}

#[test]
fn functions_keep_their_role_log_group_routes_and_own_queues() {
    let m = synth(40);
    let s = split_model(&m);
    for i in [0, 7, 39] {
        let home = holder(&s, &format!("F{i}Function")).expect("function in a child");
        for id in [
            format!("F{i}Role"),
            format!("F{i}LogGroup"),
            format!("F{i}Q{i}Mapping"),
            format!("Q{i}Queue"),
            format!("Q{i}Dlq"),
            format!("PostF{i}Route"),
            format!("PostF{i}Integration"),
            format!("PostF{i}Permission"),
        ] {
            assert_eq!(holder(&s, &id), Some(home), "{id} is not with F{i}Function");
        }
        // The child reads the shared API and authorizer through parameters.
        let child = s.children.iter().find(|c| c.logical_id == home).unwrap();
        let params = section(&child.template, "Parameters");
        assert!(params.contains_key("HttpApi") && params.contains_key("UsersAuthorizer"));
    }
    let parent = section(&s.parent, "Resources");
    for id in ["HttpApi", "HttpApiDefaultStage", "UsersAuthorizer"] {
        assert!(parent.contains_key(id), "{id} should stay in the parent");
    }
    // Outputs about one function live in its nested stack; the API URL stays on top.
    assert_eq!(
        section(&s.parent, "Outputs").keys().collect::<Vec<_>>(),
        ["ApiUrl"]
    );
}

#[test]
fn shared_queues_data_and_functions_the_parent_refers_to_stay_in_the_parent() {
    let m = orders();
    let s = split_model(&m);
    let parent = section(&s.parent, "Resources");
    // Queues used by two functions, tables, buckets and topics are shared.
    for id in [
        "OrderEventsQueue",
        "OrderEventsDlq",
        "OrdersTable",
        "UploadsBucket",
        "OrderShippedTopic",
    ] {
        assert!(parent.contains_key(id), "{id} should stay in the parent");
    }
    // A Lambda authorizer's function and a bucket's notification target are referred to
    // by parent resources, so they (and their groups) stay up there too.
    for id in [
        "CheckPartnerFunction",
        "CheckPartnerRole",
        "NightlyReportFunction",
        "NightlyReportSchedule1",
    ] {
        assert!(parent.contains_key(id), "{id} should stay in the parent");
    }
    assert!(holder(&s, "ProcessOrderFunction").is_some());
    assert!(holder(&s, "PostOrdersRoute").is_some());
}

#[test]
fn a_large_app_fits_every_stack_within_cloudformation_limits() {
    let m = synth(500);
    let whole = render_model(&m);
    assert!(whole.resource_count() > 4000);
    let s = split_model(&m);
    assert!(s.parent.resource_count() <= 500);
    for t in std::iter::once(&s.parent).chain(s.children.iter().map(|c| &c.template)) {
        assert!(t.resource_count() <= 500);
        assert!(section(t, "Parameters").len() <= 200);
        assert!(section(t, "Outputs").len() <= 200);
        assert!(t.compact_len() <= 1_000_000);
    }
    assert_joins_back(&m, &s);
    assert_order_kept(&m, &s);
}

#[test]
fn split_is_deterministic_and_independent_of_spec_order() {
    let a = split_model(&synth(60));
    assert_eq!(a, split_model(&synth(60)));
    // The same functions listed in reverse order split the same way.
    let mut spec = Spec::parse(&crate::synth::spec(60)).expect("synth spec reads");
    let functions = spec
        .get_mut("functions")
        .and_then(Value::as_object_mut)
        .expect("functions");
    *functions = std::mem::take(functions).into_iter().rev().collect();
    let b = split_model(&model(&spec.yaml()));
    let names = |s: &Split| {
        s.children
            .iter()
            .map(|c| (c.logical_id.clone(), c.functions.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&a), names(&b));
}

#[test]
fn adding_a_function_leaves_the_other_nested_stacks_alone() {
    let before = split_model(&synth(80));
    let after = split_model(&synth(81));
    let changed: Vec<&str> = after
        .children
        .iter()
        .filter(|c| !before.children.iter().any(|b| b == *c))
        .map(|c| c.logical_id.as_str())
        .collect();
    assert_eq!(
        changed.len(),
        1,
        "only the new function's stack changes: {changed:?}"
    );
    let home = holder(&after, "F80Function").unwrap();
    assert_eq!(changed, [home]);
}

#[test]
fn stacks_that_refer_to_each_other_in_a_circle_are_merged() {
    // f0 -> f20 -> f1, f2 -> f22 -> f3, ...: no cycle between functions, but the
    // nested stacks holding f0..f19 and f20..f39 would each wait for the other.
    let ring = |linked: bool| {
        let mut spec = Spec::new("ring");
        for i in 0..40 {
            let mut f = json!({ "runtime": "python3.12", "handler": "app.handler", "code": "s3://b/k.zip" });
            if linked && i % 2 == 0 {
                let next = if i < 20 { i + 20 } else { i - 19 };
                f["env"] = json!({ "NEXT": format!("${{function.f{next}.name}}") });
            }
            spec.insert("functions", &format!("f{i}"), f);
        }
        model(&spec.yaml())
    };
    let apart = split_model(&ring(false));
    assert!(apart.children.len() > 1);
    let m = ring(true);
    let s = split_model(&m);
    assert!(
        s.children.len() < apart.children.len(),
        "no stacks were merged"
    );
    // Stack-level DependsOn between children must not form a cycle: check via the
    // parameters each child takes from another child's outputs.
    let parent = section(&s.parent, "Resources");
    let mut edges: Vec<(String, String)> = Vec::new();
    for c in &s.children {
        let mut from = |id: &str, attr: Option<&str>| {
            if attr.is_some_and(|a| a.starts_with("Outputs.")) {
                edges.push((c.logical_id.clone(), id.to_string()));
            }
        };
        crate::template::split::visit_refs(&parent[&c.logical_id], &mut from);
    }
    let mut g = petgraph::graph::DiGraph::<(), ()>::new();
    let mut node = HashMap::new();
    for (a, b) in &edges {
        let mut at = |k: &str| *node.entry(k.to_string()).or_insert_with(|| g.add_node(()));
        let (x, y) = (at(a), at(b));
        g.add_edge(x, y, ());
    }
    assert!(
        !petgraph::algo::is_cyclic_directed(&g),
        "stacks wait on each other: {edges:?}"
    );
    assert_joins_back(&m, &s);
}

#[test]
fn a_single_stack_keeps_at_most_200_outputs() {
    // 1 + 66 queues + 66 functions = 133 outputs: all of them.
    let small = render_model(&synth(66));
    assert_eq!(section(&small, "Outputs").len(), 133);
    // 1 + 100 + 100 = 201: past CloudFormation's limit, only the API URL stays...
    let big = render_model(&synth(100));
    assert_eq!(
        section(&big, "Outputs").keys().collect::<Vec<_>>(),
        ["ApiUrl"]
    );
    // ...while the split spreads every output over the nested stacks.
    let s = split_model(&synth(100));
    let spread: usize = s
        .children
        .iter()
        .map(|c| {
            section(&c.template, "Outputs")
                .keys()
                .filter(|k| k.ends_with("Url") || k.ends_with("FunctionArn"))
                .count()
        })
        .sum();
    assert_eq!(spread + section(&s.parent, "Outputs").len(), 201);
}

#[test]
fn layers_stay_in_the_parent_and_reach_functions_through_parameters() {
    let m = model(
        r#"
version: 1
app: shop
defaults: { function: { runtime: python3.13, layers: [imaging] } }
layers: { imaging: { code: examples/resizer/layers/imaging } }
functions:
  a: { handler: a.h, code: s3://b/a.zip }
  b: { handler: b.h, code: s3://b/b.zip }
"#,
    );
    let s = split_model(&m);
    assert!(section(&s.parent, "Resources").contains_key("ImagingLayer"));
    assert_eq!(holder(&s, "ImagingLayer"), None);
    assert!(holder(&s, "AFunction").is_some());
    assert_joins_back(&m, &s);
}
