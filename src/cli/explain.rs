//! `fnplan explain CODE` and `fnplan rules`: a rule code in, its documentation out.

use crate::lint;
use crate::ops::{OpsError, Outcome};

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A rule code such as FN105.
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
    let Some(rule) = lint::find_rule(a.code.trim()) else {
        let hint = crate::suggest::hint(&a.code.to_ascii_uppercase(), lint::rule_codes())
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        return Err(OpsError::Usage(format!(
            "`{}` is not a rule code{hint} (`fnplan rules` lists them)",
            a.code
        )));
    };
    let m = rule.meta();
    Ok(Outcome::Text(format!(
        "{} {} ({} by default)\n\n{}",
        m.code,
        m.name,
        m.level,
        m.doc_text()
    )))
}

pub fn run_rules(a: RulesArgs) -> Result<Outcome, OpsError> {
    let rules: Vec<&lint::RuleMeta> = lint::rules::ALL.iter().map(|r| r.meta()).collect();
    let text = match a.format {
        RulesFormat::Text => {
            let w = rules.iter().map(|m| m.name.len()).max().unwrap_or(0);
            let mut s = String::new();
            for m in &rules {
                s.push_str(&format!(
                    "{}  {:<w$}  {:<7}  {}\n",
                    m.code,
                    m.name,
                    m.level.to_string(),
                    m.summary
                ));
            }
            s
        }
        RulesFormat::Json => {
            let v: Vec<_> = rules
                .iter()
                .map(|m| serde_json::json!({ "code": m.code.0, "name": m.name, "level": m.level, "summary": m.summary }))
                .collect();
            let mut s = serde_json::to_string_pretty(&v).expect("serializes");
            s.push('\n');
            s
        }
    };
    Ok(Outcome::Text(text))
}
