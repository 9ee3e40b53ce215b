//! Fuzz the whole compile pipeline: any bytes in; no panic, hang or blow-up out.
//!
//! bytes -> (UTF-8) SourceFile -> spec::load -> for up to 3 stages: model::lower ->
//! graph::build -> lint::lint -> template::render -> JSON/YAML -> template::render_split
//! (no reference across stacks without a parameter/output) -> lint --split; every diagnostic produced
//! on the way is rendered in all four formats (they must accept any span). Inputs that are
//! not UTF-8 go through `ops::compile::read` (the path the CLI takes) via a scratch file.

#![no_main]

use fnplan::diagnostic::{self, ColorChoice, Diagnostic};
use fnplan::lint::{self, LintContext, Selection};
use fnplan::ops::{OpsError, compile};
use fnplan::source::SourceFile;
use fnplan::spec::RawSpec;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Scratch directories, made once per process: `base` is where specs "live" (so relative
/// `code:` directories resolve there, never in the working directory; it holds copies of
/// the examples' function directories so the example seeds lower), `scratch` holds the
/// file non-UTF-8 inputs are written to.
struct Dirs {
    base: PathBuf,
    scratch: PathBuf,
}

fn dirs() -> &'static Dirs {
    static DIRS: OnceLock<Dirs> = OnceLock::new();
    DIRS.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("fnplan-fuzz-{}", std::process::id()));
        let base = root.join("app");
        let scratch = root.join("scratch");
        std::fs::create_dir_all(base.join("functions")).expect("scratch dir");
        std::fs::create_dir_all(&scratch).expect("scratch dir");
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        for ex in std::fs::read_dir(examples).into_iter().flatten().flatten() {
            for f in std::fs::read_dir(ex.path().join("functions"))
                .into_iter()
                .flatten()
                .flatten()
            {
                let to = base.join("functions").join(f.file_name());
                let _ = std::fs::create_dir_all(&to);
                for file in std::fs::read_dir(f.path()).into_iter().flatten().flatten() {
                    if file.path().is_file() {
                        let _ = std::fs::copy(file.path(), to.join(file.file_name()));
                    }
                }
            }
        }
        Dirs { base, scratch }
    })
}

/// Render diagnostics in every format; they must not panic whatever the spans are.
fn render_all(file: &SourceFile, diags: &[Diagnostic]) {
    let _ = diagnostic::render_human(file, diags, ColorChoice::Never);
    let _ = diagnostic::render_human(file, diags, ColorChoice::Always);
    let _ = diagnostic::render_json(file, diags);
    static RULES: OnceLock<Vec<diagnostic::SarifRule>> = OnceLock::new();
    let rules = RULES.get_or_init(lint::sarif_rules);
    let _ = diagnostic::render_sarif(file, diags, rules);
    let _ = diagnostic::render_github(file, diags);
    let _ = diagnostic::summary(diags);
}

/// Local `code:` directories are hashed from disk. Keep the fuzzer inside its scratch
/// directory: an absolute path or `..` could make it hash the whole file system.
fn code_stays_inside(raw: &RawSpec) -> bool {
    raw.functions.iter().flat_map(|f| f.iter()).all(|(_, f)| {
        let c = f.code.value.trim();
        c.starts_with("s3://") || !(Path::new(c).is_absolute() || c.contains(".."))
    })
}

fn run(file: &SourceFile) {
    let raw = match fnplan::spec::load(file) {
        Ok(raw) => raw,
        Err(diags) => {
            assert!(
                diags.iter().any(Diagnostic::is_error),
                "load failed without an error"
            );
            render_all(file, &diags);
            return;
        }
    };
    if !code_stays_inside(&raw) {
        return;
    }
    let rule_codes: Vec<&'static str> = fnplan::lint::rule_codes().collect();
    for stage in fnplan::model::stage_names(&raw).into_iter().take(3) {
        let options = fnplan::model::LowerOptions {
            stage: Some(&stage),
            rule_codes: &rule_codes,
            today: fnplan::testing::today(),
        };
        let (model, diags) = fnplan::model::lower(&raw, file, &options);
        render_all(file, &diags);
        let Some(model) = model else {
            assert!(
                diags.iter().any(Diagnostic::is_error),
                "lower failed without an error"
            );
            continue;
        };
        let graph = fnplan::graph::build(&model);
        for format in [
            fnplan::graph::export::GraphFormat::Mermaid,
            fnplan::graph::export::GraphFormat::Dot,
            fnplan::graph::export::GraphFormat::Json,
        ] {
            let _ = fnplan::graph::export::export(&graph, file, format);
        }
        // Code is fingerprinted by ops, not here; placeholder keys keep the shape.
        let keys = fnplan::template::ArtifactKeys::new(
            model.functions.iter().map(|f| (f.name.clone(), format!("{}/{}.zip", f.name, "0".repeat(64)))),
        );
        let template = fnplan::template::render(&model, &graph, &keys);
        let single = fnplan::ops::compile::stacks_of(&template, None);
        let cx = LintContext {
            model: &model,
            graph: &graph,
            stacks: &single,
            code: &[],
            today: fnplan::testing::today(),
        };
        let findings = lint::lint(&cx, &Selection::default());
        render_all(file, &findings);
        let json = template.to_json();
        let back: serde_json::Value = serde_json::from_str(&json).expect("template JSON parses");
        assert_eq!(back, template.value(), "template JSON does not round-trip");
        let _ = template.to_yaml();
        // Nested stacks: every reference across a boundary through a parameter or output,
        // and lint's stack limits on them.
        let split = fnplan::template::render_split(&model, &graph, &keys, &|id| format!("{id}.json"));
        let problems = split.boundary_problems();
        assert!(problems.is_empty(), "unsound split: {problems:?}");
        let nested = fnplan::ops::compile::stacks_of(&template, Some(&split));
        let cx = LintContext {
            stacks: &nested,
            ..cx
        };
        render_all(file, &lint::lint(&cx, &Selection::default()));
    }
}

fuzz_target!(|data: &[u8]| {
    let d = dirs();
    match std::str::from_utf8(data) {
        Ok(text) => {
            let file = SourceFile::new("fuzz.yaml", d.base.join("fuzz.yaml"), text);
            run(&file);
        }
        Err(_) => {
            // The CLI's path for bytes that are not UTF-8: an input error at the bad byte.
            let path = d.scratch.join("spec.yaml");
            std::fs::write(&path, data).expect("write scratch file");
            match compile::read(&path) {
                Err(OpsError::Input { file, diags }) => {
                    assert_eq!(diags.len(), 1);
                    render_all(&file, &diags);
                }
                Ok(_) => panic!("invalid UTF-8 was read as text"),
                Err(e) => panic!("scratch file unreadable: {e}"),
            }
        }
    }
});
