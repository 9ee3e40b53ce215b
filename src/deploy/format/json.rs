//! `--format json`: the plan as data (see [`crate::deploy::plan`] for the fields).

use crate::deploy::plan::Plan;

/// The plan as pretty JSON with a trailing newline.
pub fn json(plan: &Plan) -> String {
    let mut s = serde_json::to_string_pretty(plan).expect("a plan serializes to JSON");
    s.push('\n');
    s
}
