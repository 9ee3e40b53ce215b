//! Packaging: the model's local code directories in (each once, whichever functions share
//! it: [`code_dirs`]), one [`Artifact`] per directory out, keyed by its content fingerprint
//! ([`fingerprint`]: size and content hash, without zipping); a deterministic zip of a
//! directory ([`archive`]); and the artifact bucket: which zips it lacks, uploading them
//! ([`upload`]).

pub mod archive;
pub mod fingerprint;
pub mod upload;

pub use archive::{
    CACHE_DIR, DEFAULT_EXCLUDES, IGNORE_FILE, Limits, MAX_UNZIPPED, MAX_ZIPPED, Package,
    PackageError, mb, package_dir, package_dir_with,
};
pub use fingerprint::{
    CodeFile, Fingerprint, FingerprintCache, Measure, code_files, default_cache_path, fingerprint,
    fingerprint_with, measure, measure_with,
};

use crate::model::{CodeSource, LayerRef, Model};
use std::path::{Path, PathBuf};

/// What a zip is packaged for (where an error about its directory points).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeOwner {
    /// Function code: the first function naming the directory (`model.functions`).
    Function(usize),
    /// A layer (`model.layers`).
    Layer(usize),
}

/// One code directory's zip and where it goes in the artifact bucket: every function whose
/// `code:` resolves to that directory shares its fingerprint, its zip and its key. A
/// layer's directory is an artifact of its own.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// The function (the first naming the directory) or layer it is packaged for.
    pub owner: CodeOwner,
    /// The functions that use this code, in spec order (at least one; none for a layer).
    pub functions: Vec<String>,
    /// The layer it is, when it is one.
    pub layer: Option<String>,
    /// `<app>/<stage>/code/<dir name>-<fingerprint>.zip`, or for a layer
    /// `<app>/<stage>/layers/<dir name>-<fingerprint>.zip`.
    pub key: String,
    /// The code directory, zipped when the zip is needed (`package`, an upload).
    pub dir: PathBuf,
    /// Its files and unzipped size.
    pub measure: Measure,
}

impl Artifact {
    /// The functions that use it, for people: `api, worker` (`layer shared` for a layer).
    pub fn users(&self) -> String {
        match &self.layer {
            Some(l) => format!("layer {l}"),
            None => self.functions.join(", "),
        }
    }
}

/// At most this many characters of a directory's name go into its artifact key.
const MAX_LABEL: usize = 64;

/// Where a code directory's zip goes in the artifact bucket: named by the directory (for
/// people) and the fingerprint of its code, not by a function, so unchanged code keeps its
/// key whichever functions use it, and is not uploaded again.
pub fn artifact_key(model: &Model, label: &str, fingerprint: &str) -> String {
    format!(
        "{}/{}/code/{label}-{fingerprint}.zip",
        model.app, model.stage
    )
}

/// Where a layer directory's zip goes in the artifact bucket: like [`artifact_key`], under
/// `layers/`.
pub fn layer_key(model: &Model, label: &str, fingerprint: &str) -> String {
    format!(
        "{}/{}/layers/{label}-{fingerprint}.zip",
        model.app, model.stage
    )
}

/// A directory's name as it goes into an artifact key: ASCII letters, digits, `-`, `_`
/// and `.` kept, anything else `-`, at most [`MAX_LABEL`] characters; `code` when nothing
/// is left (a root directory, a name of other scripts).
pub fn dir_label(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(MAX_LABEL)
        .collect();
    let trimmed = clean.trim_matches(|c| c == '-' || c == '.');
    if trimmed.is_empty() {
        "code".to_string()
    } else {
        trimmed.to_string()
    }
}

/// One local code directory and the functions that name it.
#[derive(Clone, Debug)]
pub struct CodeDir {
    /// The directory as the first function's `code:` resolved it.
    pub dir: PathBuf,
    /// Its name for the artifact key (see [`dir_label`]), from its canonical path.
    pub label: String,
    /// The functions whose `code:` resolves to it: indices in `model.functions`, in spec
    /// order (at least one).
    pub functions: Vec<usize>,
}

/// The model's local code directories, each once, in the spec order of the first function
/// naming it: functions whose `code:` resolves to the same canonical path (`src`, `./src`,
/// a symbolic link to it) share one. Reads metadata only (path resolution).
pub fn code_dirs(model: &Model) -> Vec<CodeDir> {
    let mut out: Vec<CodeDir> = Vec::new();
    let mut seen: std::collections::HashMap<PathBuf, usize> = std::collections::HashMap::new();
    for (i, f) in model.functions.iter().enumerate() {
        let CodeSource::Local { dir, .. } = &f.code else {
            continue;
        };
        // A directory that cannot be resolved is taken as written (and fails later, where
        // it is read, with the reason).
        let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
        match seen.get(&canonical) {
            Some(&at) => out[at].functions.push(i),
            None => {
                seen.insert(canonical.clone(), out.len());
                out.push(CodeDir {
                    dir: dir.clone(),
                    label: dir_label(&canonical),
                    functions: vec![i],
                });
            }
        }
    }
    out
}

/// Fingerprint each local code directory once (files unchanged since `cache` saw them are
/// not read again): one artifact per directory, in the spec order of its first function,
/// or every failing directory (its first function's index in `model.functions`) with the
/// reason. Two directories with the same name and the same files give the same key: they
/// are one artifact too, so keys are unique.
pub fn artifacts(
    model: &Model,
    cache: &mut FingerprintCache,
) -> Result<Vec<Artifact>, Vec<(CodeOwner, PackageError)>> {
    let mut out: Vec<Artifact> = Vec::new();
    let mut errors = Vec::new();
    for d in code_dirs(model) {
        let owner = CodeOwner::Function(d.functions.first().copied().unwrap_or_default());
        let names = d.functions.iter().map(|&i| model.functions[i].name.clone());
        match fingerprint(&d.dir, cache) {
            Ok(fp) => {
                let key = artifact_key(model, &d.label, &fp.sha256);
                match out.iter_mut().find(|a| a.key == key) {
                    Some(same) => same.functions.extend(names),
                    None => out.push(Artifact {
                        owner,
                        functions: names.collect(),
                        layer: None,
                        key,
                        dir: d.dir,
                        measure: fp.measure,
                    }),
                }
            }
            Err(e) => errors.push((owner, e)),
        }
    }
    for (i, x) in model.layers.iter().enumerate() {
        match fingerprint(&x.dir, cache) {
            Ok(fp) => out.push(Artifact {
                owner: CodeOwner::Layer(i),
                functions: Vec::new(),
                layer: Some(x.name.clone()),
                key: layer_key(model, &layer_label(&x.dir), &fp.sha256),
                dir: x.dir.clone(),
                measure: fp.measure,
            }),
            Err(e) => errors.push((CodeOwner::Layer(i), e)),
        }
    }
    if errors.is_empty() {
        errors = with_layers_too_large(model, &|dir| {
            out.iter().find(|a| a.dir == dir).map(|a| a.measure.clone())
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Code that cannot be packaged or measured: each directory's owner with the reason.
pub type CodeErrors = Vec<(CodeOwner, PackageError)>;

/// The local code measured from file metadata alone (no code file is opened) and without
/// a size limit: lint judges the sizes (FN305).
#[derive(Debug)]
pub struct Sizes {
    /// Each function code directory with its measure.
    pub dirs: Vec<(CodeDir, Measure)>,
    /// Each layer's directory measure, in `model.layers` order.
    pub layers: Vec<Measure>,
}

/// Measure every local code and layer directory; or every one that cannot be listed,
/// with the reason.
pub fn sizes(model: &Model) -> Result<Sizes, CodeErrors> {
    let unlimited = Limits {
        zipped: u64::MAX,
        unzipped: u64::MAX,
    };
    let mut out = Sizes {
        dirs: Vec::new(),
        layers: Vec::new(),
    };
    let mut errors = Vec::new();
    for d in code_dirs(model) {
        let owner = CodeOwner::Function(d.functions.first().copied().unwrap_or_default());
        match measure_with(&d.dir, unlimited) {
            Ok(m) => out.dirs.push((d, m)),
            Err(e) => errors.push((owner, e)),
        }
    }
    for (i, x) in model.layers.iter().enumerate() {
        match measure_with(&x.dir, unlimited) {
            Ok(m) => out.layers.push(m),
            Err(e) => errors.push((CodeOwner::Layer(i), e)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A layer directory's label (see [`dir_label`]), from its canonical path.
fn layer_label(dir: &Path) -> String {
    dir_label(&std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()))
}

/// Lambda counts a function's code and all its layers, unzipped, against one 250 MB
/// limit: each local function over it with its layers (`measured` gives a directory's
/// size; layer version ARNs cannot be measured and count as nothing).
fn with_layers_too_large(
    model: &Model,
    measured: &dyn Fn(&Path) -> Option<Measure>,
) -> Vec<(CodeOwner, PackageError)> {
    let mut out = Vec::new();
    for (i, f) in model.functions.iter().enumerate() {
        let CodeSource::Local { dir, .. } = &f.code else {
            continue;
        };
        let parts: Vec<Measure> = std::iter::once(dir.as_path())
            .chain(f.layers.iter().filter_map(|u| match u.layer {
                LayerRef::App(id) => Some(model.layers[id.index].dir.as_path()),
                LayerRef::Arn(_) => None,
            }))
            .filter_map(measured)
            .collect();
        if parts.len() < 2 {
            continue;
        }
        let size = parts.iter().fold(0u64, |n, m| n.saturating_add(m.unzipped));
        if size > MAX_UNZIPPED {
            let mut largest: Vec<(String, u64)> =
                parts.iter().flat_map(|m| m.largest.clone()).collect();
            largest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            largest.truncate(5);
            out.push((
                CodeOwner::Function(i),
                PackageError::TooLarge {
                    what: "unzipped with its layers",
                    size,
                    limit: MAX_UNZIPPED,
                    largest,
                },
            ));
        }
    }
    out
}

/// Function name -> artifact key for every local function, with `fingerprint` standing in
/// for each directory's fingerprint: keys of the real length for templates that are only
/// measured (`lint`).
pub fn placeholder_keys(model: &Model, fingerprint: &str) -> Vec<(String, String)> {
    placeholder_function_keys(model, fingerprint)
}

/// Layer name -> artifact key, with `fingerprint` standing in (see [`placeholder_keys`]).
pub fn placeholder_layer_keys(model: &Model, fingerprint: &str) -> Vec<(String, String)> {
    model
        .layers
        .iter()
        .map(|x| {
            (
                x.name.clone(),
                layer_key(model, &layer_label(&x.dir), fingerprint),
            )
        })
        .collect()
}

fn placeholder_function_keys(model: &Model, fingerprint: &str) -> Vec<(String, String)> {
    code_dirs(model)
        .into_iter()
        .flat_map(|d| {
            let key = artifact_key(model, &d.label, fingerprint);
            d.functions
                .into_iter()
                .map(move |i| (model.functions[i].name.clone(), key.clone()))
        })
        .collect()
}

/// The artifact bucket: `--artifact-bucket`, else the spec's `artifacts.bucket`.
pub fn artifact_bucket(flag: Option<&str>, model: &Model) -> Option<String> {
    flag.map(str::to_string)
        .or_else(|| model.artifact_bucket.as_ref().map(|(b, _)| b.clone()))
}

/// Bytes for people: KB below a megabyte, else MB.
pub fn size(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        mb(bytes)
    }
}

/// Why a command that needs the artifact bucket cannot go on without one.
pub const NO_BUCKET: &str = "functions with local code need an artifact bucket: pass --artifact-bucket NAME or set `artifacts: { bucket: NAME }` in the spec (`fnplan bootstrap --artifact-bucket NAME` creates one)";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::testing::{Compiled, compile};

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// The spec `functions` (one `name: code-dir` a line) in `root`, compiled.
    fn app(root: &Path, functions: &[(&str, &str)]) -> Compiled {
        let mut yaml = String::from(
            "version: 1\napp: shop\ndefaults: { function: { runtime: python3.12 } }\nfunctions:\n",
        );
        for (name, code) in functions {
            yaml.push_str(&format!(
                "  {name}: {{ handler: app.handler, code: {code} }}\n"
            ));
        }
        let path = root.join("fnplan.yaml");
        compile(&SourceFile::new("fnplan.yaml", &path, yaml), None)
    }

    fn arts(c: &Compiled) -> Vec<Artifact> {
        artifacts(&c.model, &mut FingerprintCache::default()).expect("artifacts")
    }

    fn fp_of(key: &str) -> &str {
        let name = key.rsplit('/').next().unwrap_or_default();
        let stem = name.strip_suffix(".zip").unwrap_or_default();
        stem.rsplit('-').next().unwrap_or_default()
    }

    #[test]
    fn functions_sharing_a_directory_share_one_artifact_and_one_key() {
        let d = tempfile::tempdir().expect("tmp");
        write(d.path(), "src/app.py", "def handler(e, c):\n    return 1\n");
        write(
            d.path(),
            "jobs/app.py",
            "def handler(e, c):\n    return 2\n",
        );
        // Two spellings of one directory, and another directory.
        let c = app(
            d.path(),
            &[("api", "src"), ("jobs", "jobs"), ("worker", "./src/")],
        );
        let mut cache = FingerprintCache::default();
        let a = artifacts(&c.model, &mut cache).expect("artifacts");
        assert_eq!(a.len(), 2, "{a:?}");
        assert_eq!(a[0].functions, ["api", "worker"]);
        assert_eq!(
            (a[0].owner, a[1].owner),
            (CodeOwner::Function(0), CodeOwner::Function(1))
        );
        assert_eq!(a[1].functions, ["jobs"]);
        let fp = fp_of(&a[0].key);
        assert_eq!(a[0].key, format!("shop/dev/code/src-{fp}.zip"));
        assert_eq!(fp.len(), 64);
        assert!(a[1].key.starts_with("shop/dev/code/jobs-"), "{}", a[1].key);
        assert_ne!(fp, fp_of(&a[1].key));
        // The shared directory was read once (its file is too new to be cached, so a
        // second fingerprint would have read it again).
        assert_eq!(cache.hashed_files(), 2);
        // The template names the shared key for both functions.
        assert_eq!(c.keys.get("api"), Some(a[0].key.as_str()));
        assert_eq!(c.keys.get("worker"), Some(a[0].key.as_str()));
        assert_eq!(c.keys.get("jobs"), Some(a[1].key.as_str()));
    }

    #[test]
    fn removing_the_first_function_keeps_the_others_key() {
        let d = tempfile::tempdir().expect("tmp");
        write(d.path(), "src/app.py", "x = 1\n");
        let both = arts(&app(d.path(), &[("api", "src"), ("worker", "src")]));
        let alone = arts(&app(d.path(), &[("worker", "src")]));
        assert_eq!(both.len(), 1);
        assert_eq!(alone[0].key, both[0].key);
        assert_eq!(alone[0].functions, ["worker"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_to_the_directory_is_the_same_directory() {
        let d = tempfile::tempdir().expect("tmp");
        write(d.path(), "build/app.py", "x = 1\n");
        std::os::unix::fs::symlink("build", d.path().join("current")).expect("symlink");
        let a = arts(&app(d.path(), &[("api", "build"), ("worker", "current")]));
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(a[0].functions, ["api", "worker"]);
        assert!(a[0].key.starts_with("shop/dev/code/build-"), "{}", a[0].key);
    }

    #[test]
    fn directories_of_one_name_share_a_key_only_with_the_same_files() {
        let d = tempfile::tempdir().expect("tmp");
        for dir in ["a/src", "b/src", "c/src"] {
            write(d.path(), &format!("{dir}/app.py"), "x = 1\n");
        }
        write(d.path(), "c/src/more.py", "y = 2\n");
        let a = arts(&app(
            d.path(),
            &[("one", "a/src"), ("two", "b/src"), ("three", "c/src")],
        ));
        // a/src and b/src hold the same files: one zip, one key (keys are unique).
        assert_eq!(a.len(), 2, "{a:?}");
        assert_eq!(a[0].functions, ["one", "two"]);
        assert_eq!(a[1].functions, ["three"]);
        assert_ne!(a[0].key, a[1].key);
    }

    #[test]
    fn an_oversized_shared_directory_is_one_error_at_its_first_function() {
        let d = tempfile::tempdir().expect("tmp");
        write(d.path(), "other/app.py", "x = 1\n");
        write(d.path(), "src/app.py", "x = 1\n");
        let c = app(
            d.path(),
            &[("small", "other"), ("api", "src"), ("worker", "src")],
        );
        // Sparse: over 250 MB without using the disk.
        std::fs::File::options()
            .write(true)
            .open(d.path().join("src/app.py"))
            .and_then(|f| f.set_len(MAX_UNZIPPED + 1))
            .expect("set_len");
        // Measured without a limit (lint judges it), once for the shared directory.
        let sizes = sizes(&c.model).expect("listed");
        assert_eq!(sizes.dirs.len(), 2, "{sizes:?}");
        assert_eq!(sizes.dirs[1].0.functions, [1, 2]);
        assert_eq!(sizes.dirs[1].1.unzipped, MAX_UNZIPPED + 1);
        let errors = artifacts(&c.model, &mut FingerprintCache::default()).expect_err("too big");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, CodeOwner::Function(1));
    }

    /// A spec in `root` with function `api` (code `src`) using layer `deps` (code `deps`).
    fn with_layer(root: &Path) -> Compiled {
        write(root, "src/app.py", "x = 1\n");
        write(root, "deps/python/lib.py", "y = 2\n");
        let yaml = "version: 1\napp: shop\nlayers: { deps: { code: deps } }\nfunctions:\n  api: { handler: app.handler, code: src, runtime: python3.13, layers: [deps] }\n";
        compile(
            &SourceFile::new("fnplan.yaml", root.join("fnplan.yaml"), yaml.to_string()),
            None,
        )
    }

    #[test]
    fn a_layer_is_an_artifact_of_its_own_under_layers() {
        let d = tempfile::tempdir().expect("tmp");
        let c = with_layer(d.path());
        let a = arts(&c);
        assert_eq!(a.len(), 2, "{a:?}");
        assert_eq!(a[1].owner, CodeOwner::Layer(0));
        assert_eq!(a[1].layer.as_deref(), Some("deps"));
        assert!(a[1].functions.is_empty());
        assert_eq!(a[1].users(), "layer deps");
        assert_eq!(
            a[1].key,
            format!("shop/dev/layers/deps-{}.zip", fp_of(&a[1].key))
        );
        assert_eq!(c.keys.layer("deps"), Some(a[1].key.as_str()));
        let placeholders = placeholder_layer_keys(&c.model, &"0".repeat(64));
        assert_eq!(placeholders[0].1.len(), a[1].key.len());
    }

    #[test]
    fn a_function_and_its_layers_share_the_unzipped_limit() {
        let d = tempfile::tempdir().expect("tmp");
        let c = with_layer(d.path());
        // Each under 250 MB (sparse files), together over it.
        for f in ["src/app.py", "deps/python/lib.py"] {
            std::fs::File::options()
                .write(true)
                .open(d.path().join(f))
                .and_then(|x| x.set_len(MAX_UNZIPPED / 2 + 1))
                .expect("set_len");
        }
        // Packaging refuses it; lint's FN305 sees it in the measured sizes.
        let sizes = artifacts(&c.model, &mut FingerprintCache::default()).expect_err("too large");
        assert_eq!(sizes.len(), 1, "{sizes:?}");
        assert_eq!(sizes[0].0, CodeOwner::Function(0));
        let PackageError::TooLarge { what, largest, .. } = &sizes[0].1 else {
            panic!("{:?}", sizes[0].1);
        };
        assert_eq!(*what, "unzipped with its layers");
        assert_eq!(largest.len(), 2);
    }

    #[test]
    fn placeholder_keys_are_shared_and_as_long_as_the_real_ones() {
        let d = tempfile::tempdir().expect("tmp");
        write(d.path(), "src/app.py", "x = 1\n");
        let c = app(d.path(), &[("api", "src"), ("worker", "src")]);
        let real = arts(&c);
        let placeholders = placeholder_keys(&c.model, &"0".repeat(64));
        assert_eq!(placeholders.len(), 2);
        for (f, key) in &placeholders {
            assert_eq!(key, &placeholders[0].1, "{f}");
            assert_eq!(key.len(), real[0].key.len(), "{key}");
        }
    }

    #[test]
    fn directory_labels_are_readable_and_safe() {
        for (dir, label) in [
            ("/app/functions/list-notes", "list-notes"),
            ("/app/src_v2.1", "src_v2.1"),
            ("/app/my code (old)", "my-code--old"),
            ("/app/函数", "code"),
            ("/app/..hidden", "hidden"),
            ("/", "code"),
        ] {
            assert_eq!(dir_label(Path::new(dir)), label, "{dir}");
        }
        assert_eq!(dir_label(Path::new(&"x".repeat(300))).len(), MAX_LABEL);
    }
}
