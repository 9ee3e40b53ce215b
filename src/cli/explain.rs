//! `fnplan explain CODE` and `fnplan rules`: a code (input error or lint rule) in, its
//! documentation out.

use crate::lint::{self, CodeInfo, Group};
use crate::ops::{OpsError, Outcome};

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A code fnplan prints: an input error such as FN002 or a lint rule such as FN105.
    pub code: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value = "text")]
    pub format: RulesFormat,
}

pub fn run_explain(a: ExplainArgs) -> Result<Outcome, OpsError> {
    let Some(c) = lint::find_code(&a.code) else {
        let asked = a.code.trim().to_ascii_uppercase();
        let hint = crate::suggest::hint(&asked, lint::all_codes())
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        return Err(OpsError::Usage(format!(
            "`{}` is not a code fnplan prints{hint} (`fnplan rules` lists them)",
            a.code
        )));
    };
    let kind = match c.group {
        Group::Input => "input error: the command stops with exit 2".to_string(),
        Group::Lint => format!("{} by default", c.level),
    };
    Ok(Outcome::Text(format!(
        "{} {} ({kind})\n\n{}",
        c.code,
        c.name,
        c.doc_text()
    )))
}

pub fn run_rules(a: RulesArgs) -> Result<Outcome, OpsError> {
    let codes: Vec<CodeInfo> = lint::documented_codes().collect();
    let text = match a.format {
        RulesFormat::Text => rules_text(&codes),
        RulesFormat::Json => rules_json(&codes),
    };
    Ok(Outcome::Text(text))
}

/// One aligned line per code, under a heading per group.
fn rules_text(codes: &[CodeInfo]) -> String {
    let w = codes.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let groups = [
        (
            Group::Input,
            "Input errors: the spec cannot be compiled; always errors, exit 2",
        ),
        (
            Group::Lint,
            "Lint rules: findings of `fnplan lint`, at their default level",
        ),
    ];
    let mut s = String::new();
    for (group, heading) in groups {
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(heading);
        s.push('\n');
        for c in codes.iter().filter(|c| c.group == group) {
            s.push_str(&format!(
                "{}  {:<w$}  {:<7}  {}\n",
                c.code,
                c.name,
                c.level.to_string(),
                c.summary
            ));
        }
    }
    s
}

/// `[{ "code", "name", "level", "summary", "group" }]`, input errors first.
fn rules_json(codes: &[CodeInfo]) -> String {
    let v: Vec<_> = codes
        .iter()
        .map(|c| {
            serde_json::json!({
                "code": c.code.0,
                "name": c.name,
                "level": c.level,
                "summary": c.summary,
                "group": c.group,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&v).expect("serializes");
    s.push('\n');
    s
}
