//! Linting: a `Model` and its `AppGraph` in, findings (diagnostics with stable codes) out.

use crate::diagnostic::Code;

/// Every lint rule code (kept in sync with the registry by a test).
const CODES: &[&str] = &[
    "FN101", "FN102", "FN103", "FN104", "FN105", "FN106", "FN107", "FN108", "FN109", "FN110",
    "FN201", "FN202", "FN203", "FN204", "FN301", "FN302", "FN303",
];

pub fn code_for(s: &str) -> Option<Code> {
    CODES.iter().find(|c| c.eq_ignore_ascii_case(s)).map(|c| Code(c))
}

pub fn rule_codes() -> impl Iterator<Item = &'static str> + Clone {
    CODES.iter().copied()
}
