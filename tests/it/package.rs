//! Packaging: deterministic zips (bytes independent of timestamps and creation order,
//! executable bits kept, `.fnplanignore` and default excludes), size limits (the
//! unzipped one as FN305, the zipped one as an input error), `fnplan package`; and against moto: upload only what is missing, `plan`
//! naming the zips it would upload, `bootstrap` creating the bucket idempotently.

use crate::common::run;
use crate::moto::{Moto, aws_call, moto};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const BUCKET: &str = "fnplan-test-artifacts";

/// Two functions with local code; no trigger, so moto can deploy it.
const SPEC: &str = r#"version: 1
app: pk
artifacts: { bucket: fnplan-test-artifacts }
defaults:
  function: { runtime: python3.12, timeout: 10, memory: 256, concurrency: 5, log_retention_days: 14 }
functions:
  alpha: { handler: app.handler, code: fns/a, lint_ignore: [FN110] }
  beta: { handler: app.handler, code: fns/b, lint_ignore: [FN110] }
"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn set_mtime(path: &Path, t: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open")
        .set_modified(t)
        .expect("set mtime");
}

/// An app dir with SPEC and the code of `alpha` and `beta`.
fn app() -> (tempfile::TempDir, String) {
    let d = tempfile::tempdir().expect("tmp");
    write(&d.path().join("fnplan.yaml"), SPEC);
    write(
        &d.path().join("fns/a/app.py"),
        "def handler(e, c):\n    return 'a'\n",
    );
    write(
        &d.path().join("fns/b/app.py"),
        "def handler(e, c):\n    return 'b'\n",
    );
    let spec = d
        .path()
        .join("fnplan.yaml")
        .to_str()
        .expect("utf8")
        .to_string();
    (d, spec)
}

/// `fnplan package` into `out`; the zips (key, bytes) by function name, from the lines
/// it prints (`DIR/artifacts/<key>  alpha, beta (size, N file(s))`); a shared zip is
/// under each of its functions.
fn package(spec: &str, out: &Path) -> BTreeMap<String, (String, Vec<u8>)> {
    let (code, stdout, err) = run(&["package", spec, "--out", out.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{stdout}{err}");
    let mut zips = BTreeMap::new();
    let artifacts = out.join("artifacts");
    let prefix = format!("{}/", artifacts.to_str().expect("utf8"));
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix(&prefix) else {
            continue;
        };
        let (key, users) = rest.split_once("  ").expect("key  functions");
        let users = users.split(" (").next().expect("functions");
        let bytes = std::fs::read(artifacts.join(key)).expect("read zip");
        for function in users.split(", ") {
            zips.insert(function.to_string(), (key.to_string(), bytes.clone()));
        }
    }
    // Nothing else was written under artifacts/.
    assert_eq!(
        files_under(&artifacts).len(),
        zips.values()
            .map(|z| &z.0)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        "{stdout}"
    );
    zips
}

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("under dir");
                out.push(rel.to_str().expect("utf8").to_string());
            }
        }
    }
    out.sort();
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// (name, unix mode, DOS timestamp as text) of every entry.
fn entries(zip_bytes: &[u8]) -> Vec<(String, u32, String)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).expect("valid zip");
    (0..z.len())
        .map(|i| {
            let f = z.by_index(i).expect("entry");
            (
                f.name().expect("utf8 name").to_string(),
                f.unix_mode().unwrap_or(0),
                f.last_modified().map(|t| t.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn zips_are_byte_identical_whatever_the_timestamps_and_creation_order() {
    // Two code directories with the same files, created in opposite orders with
    // different modification times, and one function for each.
    let d = tempfile::tempdir().expect("tmp");
    let files = ["b.py", "a.py", "lib/z.py", "lib/deep/y.txt", "A.txt"];
    for (dir, order, t) in [
        (
            "fns/one",
            files.to_vec(),
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000),
        ),
        (
            "fns/two",
            files.iter().rev().copied().collect(),
            SystemTime::now(),
        ),
    ] {
        for f in order {
            let p = d.path().join(dir).join(f);
            write(&p, &format!("content of {f}\n"));
            set_mtime(&p, t);
        }
    }
    let spec = d.path().join("fnplan.yaml");
    write(
        &spec,
        &SPEC.replace("fns/a", "fns/one").replace("fns/b", "fns/two"),
    );
    let spec = spec.to_str().expect("utf8");
    let out1 = d.path().join("out1");
    let first = package(spec, &out1);
    let (one, two) = (&first["alpha"], &first["beta"]);
    assert_eq!(one.1, two.1, "same files, same bytes");
    // The key names the directory and the code's content fingerprint (not the zip's hash:
    // render and plan know it without zipping): the same files give the same fingerprint.
    let fingerprint = |k: &str| {
        let name = k.rsplit('/').next().unwrap_or_default();
        name.trim_end_matches(".zip")
            .rsplit('-')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let fingerprint = fingerprint(&one.0);
    assert!(
        fingerprint.len() == 64 && fingerprint.chars().all(|c| c.is_ascii_hexdigit()),
        "{}",
        one.0
    );
    assert_eq!(one.0, format!("pk/dev/code/one-{fingerprint}.zip"));
    assert_eq!(two.0, format!("pk/dev/code/two-{fingerprint}.zip"));

    // Entries sorted, no directories, fixed time and permissions.
    let e = entries(&one.1);
    let names: Vec<&str> = e.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(
        names,
        ["A.txt", "a.py", "b.py", "lib/deep/y.txt", "lib/z.py"]
    );
    for (name, mode, time) in &e {
        assert_eq!(mode & 0o777, 0o644, "{name}");
        assert_eq!(time, "1980-01-01 00:00:00", "{name}");
    }

    // A second run, after touching every file, gives the same bytes.
    for f in files {
        set_mtime(&d.path().join("fns/one").join(f), SystemTime::now());
    }
    let second = package(spec, &d.path().join("out2"));
    assert_eq!(first, second);

    // The rendered template names the same object.
    let (code, template, err) = run(&["render", spec]);
    assert_eq!(code, 0, "{err}");
    assert!(
        template.contains(&format!("\"S3Key\": \"{}\"", one.0)),
        "{template}"
    );
}

#[cfg(unix)]
#[test]
fn the_executable_bit_is_kept() {
    use std::os::unix::fs::PermissionsExt;
    let (d, spec) = app();
    let tool = d.path().join("fns/a/bin/tool");
    write(&tool, "#!/bin/sh\necho hi\n");
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let zips = package(&spec, &d.path().join("out"));
    let e = entries(&zips["alpha"].1);
    let mode = |n: &str| e.iter().find(|x| x.0 == n).map(|x| x.1 & 0o777);
    assert_eq!(mode("bin/tool"), Some(0o755));
    assert_eq!(mode("app.py"), Some(0o644));
    // Only the bit counts: other permission bits give the same zip.
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let again = package(&spec, &d.path().join("out2"));
    assert_eq!(zips["alpha"], again["alpha"]);
}

#[test]
fn fnplanignore_and_the_default_excludes_are_honoured() {
    let (d, spec) = app();
    let a = d.path().join("fns/a");
    write(
        &a.join(".fnplanignore"),
        "# comments work\n*.log\n!keep.log\nbuild/\n/tests\n",
    );
    for f in [
        "debug.log",
        "keep.log",
        "build/out.js",
        "tests/test_app.py",
        "pkg/tests/kept.py",
        "__pycache__/app.cpython-312.pyc",
        "other.pyc",
        ".git/HEAD",
        ".venv/bin/python",
        ".DS_Store",
    ] {
        write(&a.join(f), "x\n");
    }
    let zips = package(&spec, &d.path().join("out"));
    let names: Vec<String> = entries(&zips["alpha"].1).into_iter().map(|e| e.0).collect();
    assert_eq!(names, ["app.py", "keep.log", "pkg/tests/kept.py"]);

    // Excluded files do not change the zip (nor the S3 key).
    let before = zips["alpha"].clone();
    write(&a.join("debug.log"), "changed\n");
    write(&a.join("build/new.js"), "new\n");
    let after = package(&spec, &d.path().join("out2"));
    assert_eq!(before, after["alpha"]);
}

#[test]
fn code_over_lambdas_unzipped_limit_is_fn305_at_the_code_entry() {
    let (d, spec) = app();
    // Sparse files: 260 MB unzipped without using the disk (nor reading it: the sizes
    // are checked before anything is zipped).
    for (f, n) in [("big.bin", 200u64), ("data/medium.bin", 60)] {
        let p = d.path().join("fns/a").join(f);
        write(&p, "");
        std::fs::File::options()
            .write(true)
            .open(&p)
            .expect("open")
            .set_len(n * 1024 * 1024)
            .expect("set_len");
    }
    let (code, out, err) = run(&["lint", &spec, "--format", "json", "--select", "FN305"]);
    assert_eq!(code, 1, "{out}{err}");
    let diags: serde_json::Value = serde_json::from_str(&out).expect("json");
    let d0 = &diags[0];
    assert_eq!(d0["code"], "FN305", "{out}");
    assert_eq!(d0["level"], "error", "{out}");
    assert_eq!(
        (d0["line"].as_u64(), d0["column"].as_u64()),
        (Some(7), Some(40)),
        "{out}"
    );
    let msg = d0["message"].as_str().expect("message");
    assert!(
        msg.contains("`alpha`") && msg.contains("260.0 MB unzipped") && msg.contains("250.0 MB"),
        "{msg}"
    );
    let help = d0["help"].as_str().expect("help");
    assert!(
        help.contains("big.bin (200.0 MB), data/medium.bin (60.0 MB)")
            && help.contains("`fns/a/.fnplanignore`"),
        "{help}"
    );
    // Every command stops there with the same finding (one place reports the limit),
    // before anything is zipped, written or deployed.
    let (code, _, err) = run(&[
        "package",
        &spec,
        "--out",
        d.path().join("o").to_str().expect("utf8"),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error[FN305]")
            && err.contains("260.0 MB unzipped")
            && err.contains("big.bin"),
        "{err}"
    );
    assert!(!d.path().join("o").exists());
    let (code, _, err) = run(&["render", &spec]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[FN305]"), "{err}");
}

#[test]
fn the_zipped_limit_lists_the_largest_files() {
    let d = tempfile::tempdir().expect("tmp");
    // Poorly compressible content: a simple generator, no randomness needed.
    let mut x: u32 = 12345;
    let noise: String = (0..20_000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            char::from(b'!' + ((x >> 16) % 90) as u8)
        })
        .collect();
    write(&d.path().join("noise.txt"), &noise);
    write(&d.path().join("small.txt"), "small\n");
    let limits = fnplan::package::Limits {
        zipped: 4_000,
        unzipped: fnplan::package::MAX_UNZIPPED,
    };
    match fnplan::package::package_dir_with(d.path(), limits) {
        Err(e @ fnplan::package::PackageError::TooLarge { .. }) => {
            let fnplan::package::PackageError::TooLarge { what, largest, .. } = &e else {
                unreachable!()
            };
            assert_eq!(*what, "zipped");
            assert_eq!(largest[0].0, "noise.txt");
            assert!(e.to_string().contains("zipped"), "{e}");
        }
        other => panic!("expected a size error, got {other:?}"),
    }
    // Within the limits the same directory packages.
    let p = fnplan::package::package_dir(d.path()).expect("packages");
    assert_eq!(p.files, 2);
}

/// SPEC with `beta` naming `alpha`'s directory (spelled differently) and a third function
/// `gamma` with a directory of its own.
fn shared_spec(root: &Path) -> String {
    let spec = SPEC.replace("code: fns/b", "code: ./fns/a/").replace(
        "  beta:",
        "  gamma: { handler: app.handler, code: fns/b, lint_ignore: [FN110] }\n  beta:",
    );
    write(&root.join("fnplan.yaml"), &spec);
    spec
}

#[test]
fn functions_sharing_a_code_directory_share_one_zip_and_one_key() {
    let (d, spec) = app();
    shared_spec(d.path());
    let out = d.path().join("out");
    let (code, stdout, err) = run(&["package", &spec, "--out", out.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{stdout}{err}");
    // Each zip is listed once, with the functions that use it.
    let zip_lines: Vec<&str> = stdout.lines().filter(|l| l.contains(".zip")).collect();
    assert_eq!(zip_lines.len(), 2, "{stdout}");
    assert!(
        zip_lines[0].contains("/pk/dev/code/a-") && zip_lines[0].contains(".zip  alpha, beta ("),
        "{stdout}"
    );
    assert!(
        zip_lines[1].contains("/pk/dev/code/b-") && zip_lines[1].contains(".zip  gamma ("),
        "{stdout}"
    );
    let zips = package(&spec, &d.path().join("out2"));
    assert_eq!(files_under(&d.path().join("out2/artifacts")).len(), 2);
    assert_eq!(zips["alpha"], zips["beta"]);
    assert_ne!(zips["alpha"].0, zips["gamma"].0);
    // The template points both functions at the one object.
    let (code, template, err) = run(&["render", &spec]);
    assert_eq!(code, 0, "{err}");
    let t: serde_json::Value = serde_json::from_str(&template).expect("json");
    for (function, logical) in [
        ("alpha", "AlphaFunction"),
        ("beta", "BetaFunction"),
        ("gamma", "GammaFunction"),
    ] {
        let key = &t["Resources"][logical]["Properties"]["Code"]["S3Key"];
        assert_eq!(key, zips[function].0.as_str(), "{function}");
    }
    // Without its first function, the directory keeps its key.
    write(
        &d.path().join("fnplan.yaml"),
        &std::fs::read_to_string(&spec)
            .expect("spec")
            .lines()
            .filter(|l| !l.starts_with("  alpha:"))
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
    );
    let without = package(&spec, &d.path().join("out3"));
    assert_eq!(without["beta"], zips["beta"]);
}

#[test]
fn package_writes_the_zips_and_a_template_with_the_final_locations() {
    let (d, spec) = app();
    let out = d.path().join("out");
    let zips = package(&spec, &out);
    let template: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("pk-dev.json")).expect("template written"),
    )
    .expect("json");
    // The spec's bucket becomes the parameter's default: the template deploys as is.
    assert_eq!(template["Parameters"]["ArtifactBucket"]["Default"], BUCKET);
    for (function, logical) in [("alpha", "AlphaFunction"), ("beta", "BetaFunction")] {
        let code = &template["Resources"][logical]["Properties"]["Code"];
        assert_eq!(code["S3Key"], zips[function].0.as_str(), "{code}");
        assert_eq!(code["S3Bucket"]["Ref"], "ArtifactBucket", "{code}");
    }
    // --artifact-bucket wins over the spec.
    let (code, _, err) = run(&[
        "package",
        &spec,
        "--out",
        out.to_str().expect("utf8"),
        "--artifact-bucket",
        "other-bucket",
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(out.join("pk-dev.json")).expect("template");
    assert!(text.contains("\"Default\": \"other-bucket\""), "{text}");
}

#[test]
fn artifacts_bucket_is_validated_and_required_for_local_code() {
    let (d, spec) = app();
    write(
        Path::new(&spec),
        &SPEC.replace("fnplan-test-artifacts", "Bad_Bucket"),
    );
    let (code, out, _) = run(&["lint", &spec, "--format", "json"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("FN007") && out.contains("not a valid S3 bucket name"),
        "{out}"
    );
    // No bucket anywhere: apply refuses before contacting AWS.
    write(
        Path::new(&spec),
        &SPEC.replace("artifacts: { bucket: fnplan-test-artifacts }\n", ""),
    );
    let (code, _, err) = run(&["apply", &spec, "--auto-approve", "--region", "us-east-1"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--artifact-bucket") && err.contains("artifacts: { bucket"),
        "{err}"
    );
    drop(d);
}

// ---------------------------------------------------------------- against moto

fn bootstrap(m: &Moto, bucket: &str) {
    let (code, out, err) = m.run(&["bootstrap", "--artifact-bucket", bucket]);
    assert_eq!(code, 0, "{out}{err}");
}

/// Lambda's CodeSha256 (base64) of a deployed function, as hex.
fn deployed_code_sha(m: &Moto, function: &str) -> String {
    let f = m.lambda_get(&format!("/2015-03-31/functions/{function}"));
    let b64 = f["Configuration"]["CodeSha256"]
        .as_str()
        .expect("CodeSha256");
    let bytes = aws_smithy_types::base64::decode(b64).expect("base64");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn uploads(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("uploaded "))
        .map(|l| l.split(':').next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn apply_uploads_only_missing_zips_and_a_code_change_is_one_s3key() {
    let Some(m) = moto() else { return };
    bootstrap(&m, BUCKET);
    let (d, spec) = app();

    // plan: nothing uploaded, both zips named.
    let (code, _, err) = m.run(&["plan", &spec]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("2 of 2 zip(s) are not in s3://fnplan-test-artifacts"),
        "{err}"
    );
    assert!(uploads(&err).is_empty(), "{err}");

    // First apply: each zip uploaded once, and Lambda runs exactly those bytes.
    let (code, out, err) = m.run(&["apply", &spec, "--auto-approve", "--progress", "plain"]);
    assert_eq!(code, 0, "{out}{err}");
    let mut up = uploads(&err);
    up.sort();
    assert_eq!(up, ["alpha", "beta"], "{err}");
    let keys = package(&spec, &d.path().join("out"));
    for (function, (key, bytes)) in &keys {
        let (status, body) = aws_call(&m.url, "s3", "GET", &format!("/{BUCKET}/{key}"), "", "");
        assert_eq!(status, 200, "{key}: {body}");
        assert_eq!(
            deployed_code_sha(&m, &format!("pk-dev-{function}")),
            sha256_hex(bytes)
        );
    }

    // Second apply: nothing uploaded, no changes.
    let (code, out, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(uploads(&err).is_empty(), "{err}");
    assert!(err.contains("all 2 zip(s) are already in"), "{err}");
    assert!(
        out.contains("No changes") || err.contains("No changes"),
        "{out}{err}"
    );

    // One file changes: plan shows alpha's Code.S3Key and nothing else; apply uploads one zip.
    write(
        &d.path().join("fns/a/app.py"),
        "def handler(e, c):\n    return 'A'\n",
    );
    let (code, out, err) = m.run(&["plan", &spec, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let plan: serde_json::Value = serde_json::from_str(&out).expect("plan json");
    let changes = plan["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{out}");
    assert_eq!(changes[0]["logical_id"], "AlphaFunction");
    let paths: Vec<&str> = changes[0]["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .filter_map(|p| p["path"].as_str())
        .collect();
    assert_eq!(paths, ["Properties.Code.S3Key"], "{out}");
    assert_eq!(
        changes[0]["notes"][0], "code changed (a new zip); nothing else",
        "{out}"
    );
    assert!(
        err.contains("1 of 2 zip(s)") && err.contains("pk/dev/code/a-"),
        "{err}"
    );

    let (code, out, err) = m.run(&["apply", &spec, "--auto-approve", "--progress", "plain"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(uploads(&err), ["alpha"], "{err}");
    let new = package(&spec, &d.path().join("out2"));
    assert_ne!(new["alpha"].0, keys["alpha"].0);
    assert_eq!(new["beta"], keys["beta"]);
    assert_eq!(
        deployed_code_sha(&m, "pk-dev-alpha"),
        sha256_hex(&new["alpha"].1),
        "the function runs the new zip"
    );
}

/// The keys of the objects in the artifact bucket.
fn bucket_keys(m: &Moto) -> Vec<String> {
    let (status, listing) = aws_call(
        &m.url,
        "s3",
        "GET",
        &format!("/{BUCKET}?list-type=2"),
        "",
        "",
    );
    assert_eq!(status, 200, "{listing}");
    listing
        .split("<Key>")
        .skip(1)
        .filter_map(|s| s.split("</Key>").next())
        .map(str::to_string)
        .collect()
}

#[test]
fn functions_sharing_a_code_directory_upload_one_zip() {
    let Some(m) = moto() else { return };
    bootstrap(&m, BUCKET);
    let (d, spec) = app();
    shared_spec(d.path());
    let (code, _, err) = m.run(&["plan", &spec]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 of 2 zip(s) are not in"), "{err}");
    assert!(err.contains("  alpha, beta  s3://"), "{err}");

    let (code, out, err) = m.run(&["apply", &spec, "--auto-approve", "--progress", "plain"]);
    assert_eq!(code, 0, "{out}{err}");
    let mut up = uploads(&err);
    up.sort();
    assert_eq!(up, ["alpha, beta", "gamma"], "{err}");
    // Exactly one object for the shared directory, and one for gamma's.
    let zips = package(&spec, &d.path().join("out"));
    let mut keys = bucket_keys(&m);
    keys.sort();
    let mut expected = vec![zips["alpha"].0.clone(), zips["gamma"].0.clone()];
    expected.sort();
    assert_eq!(keys, expected);
    // Both functions run the one zip.
    for function in ["alpha", "beta"] {
        assert_eq!(
            deployed_code_sha(&m, &format!("pk-dev-{function}")),
            sha256_hex(&zips["alpha"].1),
            "{function}"
        );
    }
    // Again: nothing to upload.
    let (code, out, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("all 2 zip(s) are already in"), "{err}");
    assert_eq!(bucket_keys(&m).len(), 2);
}

#[test]
fn a_missing_artifact_bucket_is_explained() {
    let Some(m) = moto() else { return };
    let (_d, spec) = app();
    let (code, _, err) = m.run(&["plan", &spec]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("fnplan-test-artifacts does not exist") && err.contains("fnplan bootstrap"),
        "{err}"
    );
    let (code, _, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("fnplan bootstrap --artifact-bucket fnplan-test-artifacts"),
        "{err}"
    );
    assert_eq!(m.stack_status("pk-dev"), None, "nothing deployed");
}

#[test]
fn bootstrap_creates_the_bucket_once() {
    let Some(m) = moto() else { return };
    let (code, out, err) = m.run(&["bootstrap", "--artifact-bucket", BUCKET]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("CREATE_COMPLETE") && out.contains("is ready"),
        "{out}"
    );
    assert_eq!(
        m.stack_status("fnplan-bootstrap").as_deref(),
        Some("CREATE_COMPLETE")
    );
    let (status, body) = aws_call(&m.url, "s3", "HEAD", &format!("/{BUCKET}"), "", "");
    assert_eq!(status, 200, "{body}");
    // Encrypted (moto keeps encryption; it ignores versioning and the public access
    // block set through CloudFormation, so those are checked in the template below).
    let (status, body) = aws_call(
        &m.url,
        "s3",
        "GET",
        &format!("/{BUCKET}?encryption"),
        "",
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("AES256"), "{body}");

    // Again: nothing to do.
    let (code, out, err) = m.run(&["bootstrap", "--artifact-bucket", BUCKET]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("up to date"), "{out}");
    // From the spec's `artifacts.bucket`.
    let (_d, spec) = app();
    let (code, out, err) = m.run(&["bootstrap", &spec]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("up to date"), "{out}");

    // The stack owns one bucket: another name is refused, not swapped in.
    let (code, _, err) = m.run(&["bootstrap", "--artifact-bucket", "another-bucket-name"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--stack-name"), "{err}");
    // A bucket made outside fnplan is accepted as it is.
    m.put_object("hand-made-bucket", "x", b"x");
    let (code, out, err) = m.run(&[
        "bootstrap",
        "--artifact-bucket",
        "hand-made-bucket",
        "--stack-name",
        "other-bootstrap",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("already exists"), "{out}");
}

#[test]
fn the_bootstrap_template_asks_for_a_private_encrypted_versioned_bucket() {
    let t = fnplan::template::bootstrap::template().into_value();
    let b = &t["Resources"]["ArtifactBucket"];
    assert_eq!(b["DeletionPolicy"], "Retain");
    let p = &b["Properties"];
    assert_eq!(p["VersioningConfiguration"]["Status"], "Enabled");
    assert_eq!(
        p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
            ["SSEAlgorithm"],
        "AES256"
    );
    for k in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(p["PublicAccessBlockConfiguration"][k], true, "{k}");
    }
    // cfn-lint accepts it: no finding at all.
    let Some(cfn_lint) = crate::common::cfn_lint() else {
        return;
    };
    let d = tempfile::tempdir().expect("tmp");
    let f: PathBuf = d.path().join("bootstrap.json");
    std::fs::write(&f, serde_json::to_string_pretty(&t).expect("json")).expect("write");
    let findings = crate::common::cfn_lint_findings(&cfn_lint, &[f]);
    assert!(findings.is_empty(), "cfn-lint:\n{}", findings.join("\n"));
}
