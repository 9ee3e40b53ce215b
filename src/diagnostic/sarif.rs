//! SARIF renderer: diagnostics and rule metadata in, a SARIF 2.1.0 log for GitHub code scanning out.

use super::{Diagnostic, Severity};
use crate::source::SourceFile;
use serde_json::{Value, json};

/// What SARIF needs to know of a rule.
#[derive(Clone, Debug)]
pub struct SarifRule {
    pub code: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    pub help_markdown: String,
    pub default_level: Severity,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

pub fn render_sarif(file: &SourceFile, diags: &[Diagnostic], rules: &[SarifRule]) -> String {
    let rule_objs: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.summary, "markdown": r.help_markdown },
                "defaultConfiguration": { "level": level(r.default_level) },
                "properties": { "tags": [category(r.code)] }
            })
        })
        .collect();
    let uri = file.name.replace('\\', "/");
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let span = d.span.unwrap_or_default();
            let s = file.line_col(span.start);
            let e = file.line_col(span.end.max(span.start));
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let mut r = json!({
                "ruleId": d.code.0,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": {
                            "startLine": s.line, "startColumn": s.column,
                            "endLine": e.line, "endColumn": e.column.max(s.column + usize::from(e.line == s.line && e.column == s.column))
                        }
                    }
                }]
            });
            if let Some(i) = rules.iter().position(|x| x.code == d.code.0) {
                r["ruleIndex"] = json!(i);
            }
            r
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "fnplan",
                "informationUri": "https://github.com/fnplan/fnplan",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rule_objs
            }},
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).expect("sarif serializes");
    s.push('\n');
    s
}

fn category(code: &str) -> &'static str {
    match code.get(2..3) {
        Some("1") => "reliability",
        Some("2") => "security",
        Some("3") => "cost",
        _ => "input",
    }
}
