//! The library's dependency direction: every `crate::` path in `src/` in, a failure for
//! each module that reaches a layer at or above its own out (siblings included), so that
//! spec -> model -> graph -> {lint, template, package} -> deploy -> ops -> exit -> cli
//! stays true.

use crate::common::root;
use std::collections::BTreeSet;
use std::path::Path;

/// Layers from the bottom; a module may use only modules of lower layers.
const LAYERS: &[&[&str]] = &[
    &[
        "source",
        "suggest",
        "limits",
        "aws_error",
        "synth",
        "test_support",
    ],
    &["diagnostic"],
    &["spec"],
    &["model"],
    &["graph"],
    // Siblings: lint never renders, the template never lints, packaging is beside both.
    &["lint", "template", "package"],
    &["deploy"],
    &["ops"],
    &["exit", "testing"],
    &["cli"],
];

/// Macros exported at the crate root, and the module that defines them.
const MACROS: &[(&str, &str)] = &[("declare_rule", "lint")];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level module a file under `src/` belongs to (`None` for lib.rs and main.rs).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// Every `crate::NAME` a file names outside comments and outside its `#[cfg(test)]`
/// module (tests may use the test helpers of `crate::testing`; files under a `tests/`
/// directory are skipped by the caller).
fn uses(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let before = &rest[..i];
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `$crate::` in macros resolves to the same crate; count it too.
            let ident_before = before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            if !ident_before && !name.is_empty() {
                out.insert(name);
            }
            rest = after;
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn lower_layers_never_import_higher_ones() {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).expect("under src");
        let Some(module) = module_of(rel) else {
            continue;
        };
        if rel.components().any(|c| c.as_os_str() == "tests") {
            continue;
        }
        let Some(mine) = layer(&module) else {
            problems.push(format!(
                "src/{}: module `{module}` has no layer in tests/it/layers.rs",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(f).expect("readable");
        for used in uses(&text) {
            let used = MACROS
                .iter()
                .find(|(m, _)| *m == used)
                .map_or(used.clone(), |(_, owner)| owner.to_string());
            if used == module {
                continue;
            }
            match layer(&used) {
                Some(theirs) if theirs < mine => {}
                Some(_) => problems.push(format!(
                    "src/{}: `{module}` uses `crate::{used}`, which is not below it",
                    rel.display()
                )),
                None => problems.push(format!(
                    "src/{}: `crate::{used}` is not a module with a layer",
                    rel.display()
                )),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "dependencies must point down (spec -> model -> graph -> lint|template|package -> deploy -> ops -> exit -> cli):\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_check_sees_paths_and_ignores_comments() {
    let text = "use crate::model::Model;\n// crate::cli is only named here\nlet x = crate::graph::build(&m); $crate::lint::X\n#[cfg(test)]\nmod tests {\n    use crate::ops::Loaded;\n}\n";
    let got: Vec<String> = uses(text).into_iter().collect();
    assert_eq!(got, ["graph", "lint", "model"]);
}
