//! Test support, not part of fnplan's interface: spec text in, the model, graph and template
//! out through the stages every command uses (`ops`: load, lower, graph, fingerprint the
//! code, render); and [`Spec`], a
//! spec built as a YAML tree in code, out as YAML text. Used by unit tests, `tests/` and
//! `benches/`.
//!
//! The compile helpers panic with the spec's diagnostics (rendered as the CLI shows them)
//! when the spec does not compile: a failing test is how they report.

use crate::diagnostic::{ColorChoice, Diagnostic, render_human};
use crate::graph::AppGraph;
use crate::model::{Date, Model};
use crate::ops::compile::CodeNeed;
use crate::ops::{Loaded, OpsError};
use crate::source::SourceFile;
use crate::spec::{self, InputBudget, RawSpec};
use crate::template::{ArtifactKeys, Template};
use serde_json::{Map, Value};

/// The day tests run on, fixed so that findings about runtime dates (FN113) and runtime
/// suggestions do not change with the calendar; `tests/` passes it to the binary as
/// `FNPLAN_TODAY`.
pub const TODAY: &str = "2026-12-02";

/// [`TODAY`] as a date.
pub fn today() -> Date {
    Date::parse(TODAY).expect("TODAY is a date")
}

/// One stage of a spec, compiled.
#[derive(Debug)]
pub struct Compiled {
    pub model: Model,
    pub graph: AppGraph,
    /// Where the template says each function's local code is.
    pub keys: ArtifactKeys,
    pub template: Template,
}

/// `file` loaded to its raw spec.
///
/// # Panics
/// When the spec does not load, with its diagnostics.
#[track_caller]
pub fn load(file: &SourceFile) -> RawSpec {
    spec::load(file).unwrap_or_else(|d| fail(file, "does not load", &d))
}

/// One stage (`None`: the default one) of `file`: loaded, lowered, graphed and rendered.
///
/// # Panics
/// When the spec does not load or lower, with its diagnostics.
#[track_caller]
pub fn compile(file: &SourceFile, stage: Option<&str>) -> Compiled {
    let raw = load(file);
    let loaded = Loaded::new(file.clone(), raw, today());
    match loaded.compile(stage, CodeNeed::Fingerprints) {
        Ok(c) => Compiled {
            model: c.model,
            graph: c.graph,
            keys: c.keys,
            template: c.template,
        },
        Err(OpsError::Input { diags, .. }) => fail(file, "does not compile", &diags),
        Err(e) => panic!("spec {} does not compile: {e}", file.name),
    }
}

/// [`compile`] of spec text held in memory as `fnplan.yaml` (relative `code:` directories
/// resolve against the current directory).
#[track_caller]
pub fn compile_str(yaml: &str, stage: Option<&str>) -> Compiled {
    compile(&SourceFile::from_string("fnplan.yaml", yaml), stage)
}

#[track_caller]
fn fail(file: &SourceFile, what: &str, diags: &[Diagnostic]) -> ! {
    panic!(
        "spec {} {what}:\n{}\n--- {}:\n{}",
        file.name,
        render_human(file, diags, ColorChoice::Never),
        file.name,
        file.text
    )
}

/// A spec as a YAML tree: keys stay in the order they were first set, values are JSON
/// values (`serde_json::json!`), and [`Spec::yaml`] writes it out with serde-saphyr.
/// Paths name nested keys with dots (`"defaults.function"`, `"api.routes"`); element
/// names, which may hold anything (`"GET /orders/{id}"`), go in [`Spec::insert`]'s own
/// argument.
///
/// ```text
/// let mut s = Spec::new("shop");
/// s.set("defaults.function", json!({ "runtime": "python3.12" }));
/// s.insert("queues", "jobs", json!({ "dlq": true }));
/// let text = s.yaml();
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Spec(Map<String, Value>);

impl Spec {
    /// `version: 1` and `app: <app>`.
    pub fn new(app: &str) -> Spec {
        let mut m = Map::new();
        m.insert("version".into(), Value::from(1));
        m.insert("app".into(), Value::from(app));
        Spec(m)
    }

    /// Spec text read into a tree by fnplan's own YAML reader (aliases and merge keys
    /// expanded, comments dropped); `Err` with the reason when it is not a YAML mapping.
    pub fn parse(yaml: &str) -> Result<Spec, String> {
        let file = SourceFile::from_string("fnplan.yaml", yaml);
        let node = spec::node::parse(&file, InputBudget::DEFAULT).map_err(|e| format!("{e:?}"))?;
        match spec::read::to_json(&node) {
            Value::Object(m) => Ok(Spec(m)),
            other => Err(format!("not a mapping: {other}")),
        }
    }

    /// Set the value at `path`, creating the mappings on the way (a value that is not a
    /// mapping on the way is replaced by one).
    pub fn set(&mut self, path: &str, value: Value) -> &mut Spec {
        let (parent, key) = match path.rsplit_once('.') {
            Some((parent, key)) => (self.section(parent), key),
            None => (&mut self.0, path),
        };
        parent.insert(key.to_string(), value);
        self
    }

    /// Set element `name` of `section` (a path, such as `"functions"` or `"api.routes"`).
    pub fn insert(&mut self, section: &str, name: &str, value: Value) -> &mut Spec {
        self.section(section).insert(name.to_string(), value);
        self
    }

    /// The value at `path`, if there is one.
    pub fn get_mut(&mut self, path: &str) -> Option<&mut Value> {
        let mut keys = path.split('.');
        let first = keys.next()?;
        keys.try_fold(self.0.get_mut(first)?, |v, k| v.get_mut(k))
    }

    /// Remove the value at `path`; the value removed, if there was one.
    pub fn remove(&mut self, path: &str) -> Option<Value> {
        match path.rsplit_once('.') {
            Some((parent, key)) => self.get_mut(parent)?.as_object_mut()?.shift_remove(key),
            None => self.0.shift_remove(path),
        }
    }

    /// The tree as a JSON value.
    pub fn value(&self) -> Value {
        Value::Object(self.0.clone())
    }

    /// The spec as YAML text.
    pub fn yaml(&self) -> String {
        serde_saphyr::to_string(&self.0).unwrap_or_else(|e| format!("# not serializable: {e}\n"))
    }

    /// The mapping at `path`, created (or made a mapping) where needed.
    fn section(&mut self, path: &str) -> &mut Map<String, Value> {
        let mut m = &mut self.0;
        for k in path.split('.') {
            let v = m
                .entry(k.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !v.is_object() {
                *v = Value::Object(Map::new());
            }
            m = match v {
                Value::Object(inner) => inner,
                _ => unreachable!("made a mapping just above"),
            };
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_built_spec_reads_back_as_the_same_tree() {
        let mut s = Spec::new("shop");
        s.set(
            "defaults.function",
            json!({ "runtime": "python3.12", "timeout": 10 }),
        );
        s.insert(
            "api.routes",
            "GET /orders/{id}",
            json!({ "function": "get", "auth": "none" }),
        );
        // Strings YAML would otherwise read as something else, and text with YAML's
        // indicators in it.
        let tricky = [
            "${queue.jobs.url}",
            "x-${table.t.name}/y",
            "42",
            "0755",
            "1e3",
            "true",
            "yes",
            "null",
            "~",
            "",
            "*",
            "- a",
            "a: b",
            "#x",
            "cron(0 2 * * ? *)",
            "rate(5 minutes)",
            "s3://b/k.zip",
        ];
        let env: Map<String, Value> = tricky
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("V{i}"), json!(t)))
            .collect();
        s.insert(
            "functions",
            "get",
            json!({
                "handler": "app.handler",
                "code": "s3://b/k.zip",
                "env": env,
                "uses": { "table.t": "read" },
                "triggers": [{ "queue": "jobs", "batch_size": 5 }],
            }),
        );
        s.insert(
            "queues",
            "jobs",
            json!({ "dlq": { "max_receive_count": 4 } }),
        );
        s.insert("tables", "t", json!({ "key": "id" }));
        let text = s.yaml();
        assert_eq!(Spec::parse(&text), Ok(s.clone()), "{text}");
        let c = compile_str(&text, None);
        assert_eq!(c.model.functions.len(), 1);
    }

    #[test]
    fn paths_set_get_and_remove_nested_keys_in_order() {
        let mut s = Spec::new("a");
        s.set("defaults.function.timeout", json!(10));
        s.set("defaults.function.memory", json!(256));
        s.set("defaults.function.timeout", json!(20));
        assert_eq!(
            s.value()["defaults"],
            json!({ "function": { "timeout": 20, "memory": 256 } })
        );
        assert_eq!(s.get_mut("defaults.function.memory"), Some(&mut json!(256)));
        assert_eq!(s.remove("defaults.function.timeout"), Some(json!(20)));
        assert_eq!(s.remove("defaults.nothing"), None);
        assert_eq!(s.remove("app"), Some(json!("a")));
        assert_eq!(
            s.yaml(),
            "version: 1\ndefaults:\n  function:\n    memory: 256\n"
        );
    }

    #[test]
    fn a_spec_that_does_not_compile_fails_with_its_diagnostics() {
        let err = std::panic::catch_unwind(|| compile_str("version: 1\napp: Bad\n", None))
            .expect_err("an invalid app name");
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(msg.contains("spec fnplan.yaml does not"), "{msg}");
        assert!(msg.contains("app: Bad"), "{msg}");
    }
}
