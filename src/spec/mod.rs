//! Spec loading: YAML text in, a [`RawSpec`] mirroring the file with spans out (or every
//! problem found, as diagnostics).

pub mod codes;
pub mod node;
pub mod raw;
pub mod read;
pub mod schema;

pub use node::InputBudget;
pub use raw::RawSpec;
pub use read::{Named, Sp};

use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};
use node::ParseError;

/// Parse and read a spec file. All structural problems are reported together.
pub fn load(file: &SourceFile) -> Result<RawSpec, Vec<Diagnostic>> {
    load_with_budget(file, InputBudget::DEFAULT)
}

pub fn load_with_budget(
    file: &SourceFile,
    budget: InputBudget,
) -> Result<RawSpec, Vec<Diagnostic>> {
    let root = node::parse(file, budget).map_err(|e| vec![parse_error(file, e, budget)])?;
    let mut cx = read::Cx::default();
    let raw = raw::read_spec(&root, &mut cx);
    match raw {
        Some(r) if cx.diags.is_empty() => Ok(r),
        _ => {
            let mut d = cx.diags;
            crate::diagnostic::sort(&mut d);
            Err(d)
        }
    }
}

fn parse_error(file: &SourceFile, e: ParseError, budget: InputBudget) -> Diagnostic {
    match e {
        ParseError::TooLarge { size, limit } => Diagnostic::error(
            codes::BUDGET,
            format!("the spec is {size} bytes, over the {limit}-byte input limit"),
        )
        .at(Span::new(0, 0))
        .help("a spec this large is almost certainly not hand-written; split the app into several specs"),
        ParseError::Empty => Diagnostic::error(codes::MISSING_FIELD, "the spec file is empty")
            .at(Span::new(0, 0))
            .help("start with `version: 1` and `app: NAME`"),
        ParseError::DuplicateKey { key, span, first } => Diagnostic::error(codes::DUPLICATE, format!("duplicate key `{key}`"))
            .at(span)
            .label(first, "first defined here")
            .help("each key may appear once in a mapping; remove or rename one"),
        ParseError::Budget { message, span } => Diagnostic::error(codes::BUDGET, message).at(span).help(format!(
            "fnplan reads at most {} levels of nesting, {} YAML nodes and {} alias uses, in files up to {} MiB",
            budget.max_depth,
            budget.max_nodes,
            budget.max_aliases,
            budget.max_file_bytes / (1024 * 1024)
        )),
        ParseError::Yaml { message, span } => {
            let lower = message.to_lowercase();
            let (code, help) = if lower.contains("recursion limit") || lower.contains("nesting limit") {
                (codes::BUDGET, Some(format!("fnplan reads at most {} levels of nesting", budget.max_depth)))
            } else if lower.contains("yaml tag") {
                (codes::SYNTAX, Some("fnplan specs are plain YAML; CloudFormation short tags like `!Ref` are not needed: write `${kind.name.attr}`".to_string()))
            } else if lower.contains("anchor") {
                (codes::SYNTAX, Some("an alias `*name` repeats a node marked `&name` earlier in the file; define the anchor first".to_string()))
            } else if lower.contains("tab") {
                (codes::SYNTAX, Some("YAML indentation must use spaces, not tabs".to_string()))
            } else {
                (codes::SYNTAX, None)
            };
            let span = span.unwrap_or_else(|| {
                let end = file.len();
                Span::new(end, end)
            });
            let msg = if code == codes::SYNTAX && !lower.contains("tag") && !lower.contains("document") && !message.starts_with("`<<`") {
                format!("invalid YAML: {message}")
            } else if code == codes::BUDGET {
                "input budget exceeded: nested too deeply".to_string()
            } else {
                message
            };
            Diagnostic::error(code, msg).at(span).with_help(help)
        }
    }
}
