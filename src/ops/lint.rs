//! `lint`: a spec, a rule selection and `--split` in; every stage compiled and checked;
//! a [`LintOutcome`] (the findings, deduplicated across stages and sorted) out.

use super::compile::{self, CodeNeed, split_of, stacks_of};
use super::{OpsError, SpecRef};
use crate::diagnostic::{self, Diagnostic};
use crate::lint::{self, LintContext, Selection};
use crate::source::SourceFile;
use std::collections::HashSet;

#[derive(Clone, Debug)]
pub struct LintOptions {
    pub spec: SpecRef,
    pub selection: Selection,
    /// Check stack limits on the nested stacks `render --split` writes.
    pub split: bool,
}

#[derive(Debug)]
pub struct LintOutcome {
    pub file: SourceFile,
    pub findings: Vec<Diagnostic>,
}

impl LintOutcome {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Diagnostic::is_error)
    }
    pub fn has_warnings(&self) -> bool {
        self.findings.iter().any(|d| !d.is_error())
    }
}

/// Parse `--select`/`--ignore` lists into a [`Selection`].
pub fn selection(select: Option<&str>, ignore: Option<&str>) -> Result<Selection, OpsError> {
    let mut sel = Selection::default();
    for (flag, src, dst) in [
        ("--select", select, &mut sel.select),
        ("--ignore", ignore, &mut sel.ignore),
    ] {
        if let Some(s) = src {
            *dst = Selection::parse_list(s).map_err(|e| OpsError::Usage(format!("{flag}: {e}")))?;
        }
    }
    Ok(sel)
}

/// Lint every stage (or the one asked for); a finding shared by stages is kept once.
pub fn lint(o: &LintOptions) -> Result<LintOutcome, OpsError> {
    let loaded = compile::load(&o.spec.path)?;
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut seen: HashSet<Diagnostic> = HashSet::new();
    for stage in loaded.stages(o.spec.stage.as_deref()) {
        // Sizes from file metadata only: lint opens no code file.
        let c = loaded.compile(Some(&stage), CodeNeed::Sizes)?;
        let split = o.split.then(|| split_of(&c));
        let stacks = stacks_of(&c.template, split.as_ref());
        let cx = LintContext {
            model: &c.model,
            graph: &c.graph,
            stacks: &stacks,
            code: &c.code_sizes,
            today: loaded.today,
        };
        for d in lint::lint(&cx, &o.selection) {
            if seen.insert(d.clone()) {
                all.push(d);
            }
        }
        // The process ends soon; freeing the template's many small values only costs time.
        std::mem::forget((c, split));
    }
    diagnostic::sort(&mut all);
    Ok(LintOutcome {
        file: loaded.file,
        findings: all,
    })
}
