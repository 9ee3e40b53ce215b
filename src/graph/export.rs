//! Graph exports: an `AppGraph` and its source file in, Mermaid, Graphviz dot or JSON text out.

use super::{AppGraph, NodeKind};
use crate::source::SourceFile;
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Json,
}

const GROUP_ORDER: [NodeKind; 15] = [
    NodeKind::Api,
    NodeKind::Authorizer,
    NodeKind::Route,
    NodeKind::Schedule,
    NodeKind::Function,
    NodeKind::Queue,
    NodeKind::Dlq,
    NodeKind::Topic,
    NodeKind::Bus,
    NodeKind::Bucket,
    NodeKind::Table,
    NodeKind::Secret,
    NodeKind::Resource,
    NodeKind::Layer,
    NodeKind::Database,
];

pub fn export(g: &AppGraph, file: &SourceFile, format: GraphFormat) -> String {
    match format {
        GraphFormat::Mermaid => mermaid(g),
        GraphFormat::Dot => dot(g),
        GraphFormat::Json => to_json(g, file),
    }
}

/// Groups in drawing order, each with its nodes in spec order.
fn groups(g: &AppGraph) -> Vec<(&'static str, Vec<petgraph::graph::NodeIndex>)> {
    let mut out: Vec<(&'static str, Vec<_>)> = Vec::new();
    for k in GROUP_ORDER {
        let members: Vec<_> = g
            .nodes()
            .filter(|(_, n)| n.kind == k)
            .map(|(i, _)| i)
            .collect();
        if members.is_empty() {
            continue;
        }
        match out.iter_mut().find(|(name, _)| *name == k.group()) {
            Some((_, v)) => v.extend(members),
            None => out.push((k.group(), members)),
        }
    }
    out
}

fn mermaid_id(i: petgraph::graph::NodeIndex) -> String {
    format!("n{}", i.index())
}

/// Mermaid escapes: quotes and characters with meaning in labels as HTML entities.
fn mermaid_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' => "#quot;".to_string(),
            '#' => "#35;".to_string(),
            '<' => "#lt;".to_string(),
            '>' => "#gt;".to_string(),
            '|' => "#124;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn mermaid(g: &AppGraph) -> String {
    let mut s = String::from("flowchart LR\n");
    for (gi, (title, members)) in groups(g).iter().enumerate() {
        s.push_str(&format!("  subgraph g{gi}[\"{title}\"]\n"));
        for i in members {
            let n = &g.graph[*i];
            let label = mermaid_text(&n.name);
            let shape = match n.kind {
                NodeKind::Function => format!("[\"λ {label}\"]"),
                NodeKind::Queue | NodeKind::Dlq => format!("[(\"{label}\")]"),
                NodeKind::Table => format!("[(\"{label}\")]"),
                NodeKind::Bucket => format!("[/\"{label}\"/]"),
                NodeKind::Topic => format!("{{{{\"{label}\"}}}}"),
                NodeKind::Bus => format!("[[\"{label}\"]]"),
                NodeKind::Route | NodeKind::Api => format!("([\"{label}\"])"),
                NodeKind::Authorizer => format!("[[\"{label}\"]]"),
                NodeKind::Schedule => format!("((\"{label}\"))"),
                NodeKind::Secret => format!(">\"{label}\"]"),
                NodeKind::Resource => format!("[\"{label}\"]"),
                NodeKind::Layer => format!("[/\"{label}\"\\]"),
                NodeKind::Database => format!("[(\"{label}\")]"),
            };
            s.push_str(&format!("    {}{}\n", mermaid_id(*i), shape));
        }
        s.push_str("  end\n");
    }
    for (a, b, e) in g.edges() {
        let arrow = if e.kind == super::EdgeKind::References {
            "-.->"
        } else {
            "-->"
        };
        s.push_str(&format!(
            "  {} {}|{}| {}\n",
            mermaid_id(a),
            arrow,
            e.kind.label(),
            mermaid_id(b)
        ));
    }
    s
}

fn dot_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn dot(g: &AppGraph) -> String {
    let mut s = String::from(
        "digraph fnplan {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    for (gi, (title, members)) in groups(g).iter().enumerate() {
        s.push_str(&format!(
            "  subgraph cluster_{gi} {{\n    label={};\n    style=rounded;\n",
            dot_str(title)
        ));
        for i in members {
            let n = &g.graph[*i];
            let shape = match n.kind {
                NodeKind::Function => "box",
                NodeKind::Queue | NodeKind::Dlq => "cds",
                NodeKind::Table => "cylinder",
                NodeKind::Bucket => "folder",
                NodeKind::Topic => "hexagon",
                NodeKind::Bus => "parallelogram",
                NodeKind::Route | NodeKind::Api => "oval",
                NodeKind::Authorizer => "house",
                NodeKind::Schedule => "circle",
                NodeKind::Secret => "note",
                NodeKind::Resource => "tab",
                NodeKind::Layer => "component",
                NodeKind::Database => "cylinder",
            };
            s.push_str(&format!(
                "    {} [label={}, shape={shape}];\n",
                dot_str(&n.id),
                dot_str(&n.name)
            ));
        }
        s.push_str("  }\n");
    }
    for (a, b, e) in g.edges() {
        let style = if e.kind == super::EdgeKind::References {
            ", style=dashed"
        } else {
            ""
        };
        s.push_str(&format!(
            "  {} -> {} [label={}{style}];\n",
            dot_str(&g.graph[a].id),
            dot_str(&g.graph[b].id),
            dot_str(e.kind.label())
        ));
    }
    s.push_str("}\n");
    s
}

fn to_json(g: &AppGraph, file: &SourceFile) -> String {
    let nodes: Vec<_> = g
        .nodes()
        .map(|(_, n)| {
            let lc = file.line_col(n.span.start);
            json!({ "id": n.id, "kind": n.kind, "name": n.name, "group": n.kind.group(), "line": lc.line, "column": lc.column })
        })
        .collect();
    let edges: Vec<_> = g
        .edges()
        .map(|(a, b, e)| json!({ "from": g.graph[a].id, "to": g.graph[b].id, "kind": e.kind, "label": e.kind.label() }))
        .collect();
    let mut s = serde_json::to_string_pretty(
        &json!({ "format_version": 1, "nodes": nodes, "edges": edges }),
    )
    .expect("graph serializes");
    s.push('\n');
    s
}
