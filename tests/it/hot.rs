//! `fnplan apply --hot` against moto: only the changed function's code is updated, without
//! a change set; `plan` then says the stack lags (exit 2 with --detailed-exitcode); a
//! normal apply syncs it (putting back an environment the spec reverted); anything but
//! code and environment falls back to a change set; protected stages refuse `--hot`;
//! functions in nested stacks (`--split`) are hot-swapped through their stack.
//!
//! Not covered on moto: provisioned functions (moto's CloudFormation does not create
//! `AWS::Lambda::Alias`, so there is no alias to move; MOTO.md), and the `InProgress`
//! update status real Lambda reports (moto's updates finish at once).

use crate::moto::{Moto, moto};
use std::path::Path;

const BUCKET: &str = "fnplan-test-artifacts";

/// Two functions with local code; no trigger, so moto can deploy it.
const SPEC: &str = r#"version: 1
app: hot
artifacts: { bucket: fnplan-test-artifacts }
defaults:
  function: { runtime: python3.12, timeout: 10, memory: 256, log_retention_days: 14 }
functions:
  alpha: { handler: app.handler, code: fns/a, env: { LEVEL: info }, lint_ignore: [FN110] }
  beta: { handler: app.handler, code: fns/b, lint_ignore: [FN110] }
"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// Bootstrap the bucket, write the app and apply it: (the directory, the spec's path).
fn deployed(m: &Moto, spec: &str) -> (tempfile::TempDir, String) {
    deployed_with(m, spec, &[])
}

/// [`deployed`], applied with `extra` flags (`--split`).
fn deployed_with(m: &Moto, spec: &str, extra: &[&str]) -> (tempfile::TempDir, String) {
    let (code, out, err) = m.run(&["bootstrap", "--artifact-bucket", BUCKET]);
    assert_eq!(code, 0, "{out}{err}");
    let d = tempfile::tempdir().expect("tmp");
    write(&d.path().join("fnplan.yaml"), spec);
    write(
        &d.path().join("fns/a/app.py"),
        "def handler(e, c):\n    return 'a'\n",
    );
    write(
        &d.path().join("fns/b/app.py"),
        "def handler(e, c):\n    return 'b'\n",
    );
    let path = d
        .path()
        .join("fnplan.yaml")
        .to_str()
        .expect("utf8")
        .to_string();
    let mut args = vec!["apply", &path, "--auto-approve"];
    args.extend_from_slice(extra);
    let (code, out, err) = m.run(&args);
    assert_eq!(code, 0, "{out}{err}");
    (d, path)
}

/// (CodeSha256, LastModified, tags) of a deployed function.
fn state(m: &Moto, function: &str) -> (String, String, serde_json::Value) {
    let f = m.lambda_get(&format!("/2015-03-31/functions/{function}"));
    let c = &f["Configuration"];
    (
        c["CodeSha256"].as_str().unwrap_or_default().to_string(),
        c["LastModified"].as_str().unwrap_or_default().to_string(),
        f["Tags"].clone(),
    )
}

fn change_sets(m: &Moto) -> usize {
    let text = m.query(
        "cloudformation",
        "Action=ListChangeSets&StackName=hot-dev&Version=2010-05-15",
    );
    text.matches("<ChangeSetId>").count()
}

#[test]
fn hot_swaps_only_the_changed_function_then_plan_says_the_stack_lags_until_apply() {
    let Some(m) = moto() else { return };
    let (d, spec) = deployed(&m, SPEC);
    let (a0, _, _) = state(&m, "hot-dev-alpha");
    let (b0, b_mod0, _) = state(&m, "hot-dev-beta");
    let sets = change_sets(&m);

    write(
        &d.path().join("fns/a/app.py"),
        "def handler(e, c):\n    return 'a2'\n",
    );
    let (code, out, err) = m.run(&["apply", &spec, "--hot", "--auto-approve"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("hot-swapped 1 function(s)"), "{out}{err}");
    assert!(out.contains("alpha: code "), "{out}");
    assert!(!err.contains("Applying change set"), "{err}");
    assert_eq!(change_sets(&m), sets, "apply --hot made a change set");
    let (a1, _, tags) = state(&m, "hot-dev-alpha");
    assert_ne!(a1, a0, "alpha's code did not change");
    assert!(tags["fnplan:hot-swapped"].is_string(), "{tags}");
    let (b1, b_mod1, _) = state(&m, "hot-dev-beta");
    assert_eq!((b1, b_mod1), (b0, b_mod0), "beta was touched");

    // Again: alpha already runs that code, so nothing is touched.
    let (_, a_mod1, _) = state(&m, "hot-dev-alpha");
    let (code, out, err) = m.run(&["apply", &spec, "--hot", "--auto-approve"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("nothing to hot-swap"), "{out}{err}");
    assert_eq!(
        state(&m, "hot-dev-alpha").1,
        a_mod1,
        "alpha was touched again"
    );

    // The stack lags: plan says so, in words and in the exit code.
    let (code, out, err) = m.run(&["plan", &spec, "--detailed-exitcode"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains("code of alpha was hot-swapped")
            && out.contains("the stack still names the old artifact")
            && out.contains("`fnplan apply` brings the stack in line"),
        "{out}"
    );

    // A normal apply brings the stack in line and removes the tag.
    let (code, out, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("hot-swap tag removed"), "{err}");
    let (a2, _, tags) = state(&m, "hot-dev-alpha");
    assert_eq!(a2, a1);
    assert!(tags.get("fnplan:hot-swapped").is_none(), "{tags}");
    let (code, out, err) = m.run(&["plan", &spec, "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("No changes"), "{out}");
}

#[test]
fn an_environment_change_is_hot_swapped_too() {
    let Some(m) = moto() else { return };
    let (_d, spec) = deployed(&m, SPEC);
    write(
        Path::new(&spec),
        &SPEC.replace("LEVEL: info", "LEVEL: debug"),
    );
    let (code, out, err) = m.run(&["apply", &spec, "--hot", "--auto-approve"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("alpha: environment"), "{out}");
    let f = m.lambda_get("/2015-03-31/functions/hot-dev-alpha");
    assert_eq!(
        f["Configuration"]["Environment"]["Variables"]["LEVEL"],
        "debug"
    );
    let (code, out, _) = m.run(&["plan", &spec, "--detailed-exitcode"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("environment of alpha was hot-swapped"),
        "{out}"
    );

    // The spec goes back: the stack's template is unchanged, so CloudFormation does
    // nothing, and apply puts the stack's environment back itself.
    write(Path::new(&spec), SPEC);
    let (code, out, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("hot-swap tag removed"), "{err}");
    let f = m.lambda_get("/2015-03-31/functions/hot-dev-alpha");
    assert_eq!(
        f["Configuration"]["Environment"]["Variables"]["LEVEL"],
        "info"
    );
    assert!(f["Tags"].get("fnplan:hot-swapped").is_none(), "{f}");
    let (code, out, _) = m.run(&["plan", &spec, "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");
}

/// `--split`: both functions live in a nested stack. The function is found through it,
/// the nested stack's new `TemplateURL` does not force a change set, and plan and a
/// normal apply see the tag inside the nested stack.
#[test]
fn functions_in_nested_stacks_are_hot_swapped() {
    let Some(m) = moto() else { return };
    let (d, spec) = deployed_with(&m, SPEC, &["--split"]);
    assert!(m.lambda_get("/2015-03-31/functions/hot-dev-alpha")["Configuration"].is_object());
    let (b0, b_mod0, _) = state(&m, "hot-dev-beta");
    let (a0, _, _) = state(&m, "hot-dev-alpha");
    let sets = change_sets(&m);
    write(
        &d.path().join("fns/a/app.py"),
        "def handler(e, c):\n    return 'a2'\n",
    );
    write(
        Path::new(&spec),
        &SPEC.replace("LEVEL: info", "LEVEL: debug"),
    );
    let apply = |extra: &[&str]| {
        let mut args = vec!["apply", spec.as_str(), "--split", "--auto-approve"];
        args.extend_from_slice(extra);
        m.run(&args)
    };
    let (code, out, err) = apply(&["--hot"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("hot-swapped 1 function(s)"), "{out}{err}");
    assert!(!err.contains("Applying change set"), "{err}");
    assert_eq!(change_sets(&m), sets, "apply --hot made a change set");
    let (a1, _, tags) = state(&m, "hot-dev-alpha");
    assert_ne!(a1, a0, "alpha's code did not change");
    assert!(tags["fnplan:hot-swapped"].is_string(), "{tags}");
    let f = m.lambda_get("/2015-03-31/functions/hot-dev-alpha");
    assert_eq!(
        f["Configuration"]["Environment"]["Variables"]["LEVEL"],
        "debug"
    );
    assert_eq!(state(&m, "hot-dev-beta").0, b0, "beta was touched");

    let (code, out, err) = m.run(&["plan", &spec, "--split", "--detailed-exitcode"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("code of alpha was hot-swapped"), "{out}");

    // The spec goes back to the stack's code and environment: the nested stack's template
    // is the deployed one, so CloudFormation changes nothing and apply puts the stack's
    // code and environment back itself, through the nested stack. (moto updates a nested
    // stack by deleting and re-creating it, functions and all, so the path where
    // CloudFormation moves the code forward is the root-stack test above.)
    write(
        &d.path().join("fns/a/app.py"),
        "def handler(e, c):\n    return 'a'\n",
    );
    write(Path::new(&spec), SPEC);
    let (code, out, err) = apply(&["--progress", "plain"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("Stack/AlphaFunction: the stack names its live code again"),
        "{err}"
    );
    let f = m.lambda_get("/2015-03-31/functions/hot-dev-alpha");
    assert_eq!(
        f["Configuration"]["Environment"]["Variables"]["LEVEL"],
        "info"
    );
    assert_eq!(f["Configuration"]["CodeSha256"], a0.as_str());
    assert!(f["Tags"].get("fnplan:hot-swapped").is_none(), "{f}");
    let (b1, b_mod1, _) = state(&m, "hot-dev-beta");
    assert_eq!((b1, b_mod1), (b0, b_mod0), "beta was touched");
    let (code, out, err) = m.run(&["plan", &spec, "--split", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn a_memory_change_falls_back_to_a_change_set_and_says_why() {
    let Some(m) = moto() else { return };
    let (d, spec) = deployed(&m, SPEC);
    write(
        Path::new(&spec),
        &SPEC.replace(
            "alpha: { handler: app.handler,",
            "alpha: { handler: app.handler, memory: 512,",
        ),
    );
    write(
        &d.path().join("fns/a/app.py"),
        "def handler(e, c):\n    return 'a3'\n",
    );
    let (code, out, err) = m.run(&["apply", &spec, "--hot", "--auto-approve"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("not hot-swappable") && err.contains("AlphaFunction: Properties.MemorySize"),
        "{err}"
    );
    assert!(err.contains("Applying change set"), "{err}");
    let f = m.lambda_get("/2015-03-31/functions/hot-dev-alpha");
    assert_eq!(f["Configuration"]["MemorySize"], 512);
    let (code, out, err) = m.run(&["plan", &spec, "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn hot_is_refused_on_a_protected_stage() {
    let Some(m) = moto() else { return };
    let d = tempfile::tempdir().expect("tmp");
    let spec = d.path().join("fnplan.yaml");
    write(
        &spec,
        &format!("{SPEC}stages:\n  dev: {{}}\n  prod: {{}}\n  qa: {{ hot: false }}\n"),
    );
    write(&d.path().join("fns/a/app.py"), "def handler(e, c): pass\n");
    write(&d.path().join("fns/b/app.py"), "def handler(e, c): pass\n");
    let spec = spec.to_str().expect("utf8");
    for stage in ["prod", "qa"] {
        let (code, out, err) = m.run(&["apply", spec, "-s", stage, "--hot", "--auto-approve"]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(
            err.contains(&format!("refusing `apply --hot` on stage {stage}"))
                && err.contains("Nothing was changed"),
            "{err}"
        );
    }
    assert_eq!(m.stack_status("hot-prod"), None);
}
