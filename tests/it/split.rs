//! `fnplan render --split` and `fnplan lint --split` through the binary: a spec in, a
//! directory of parent and nested-stack templates (and their checks) out.

use crate::common::{fnplan, run};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn synth_spec(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join("synth.yaml");
    std::fs::write(&path, fnplan::synth::spec(n)).expect("write spec");
    path
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    v.sort();
    v
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
}

fn split_into(spec: &str, dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["render", spec, "--split", "--out", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn a_large_app_renders_as_nested_stacks_that_pass_cfn_lint() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = synth_spec(tmp.path(), 120);
    let spec = spec.to_str().unwrap();
    let out = tmp.path().join("out");
    // Orders too: Lambda authorizer, bucket notifications, provisioned alias, shared queues.
    let (code, _, stderr) = split_into(spec, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = split_into("examples/orders/fnplan.yaml", &out, &["--stage", "prod"]);
    assert_eq!(code, 0, "{stderr}");

    let files = files_in(&out);
    let parent = json(&out.join("synth-dev.json"));
    let stacks: Vec<(&String, &Value)> = parent["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::CloudFormation::Stack")
        .collect();
    assert!(
        stacks.len() >= 10,
        "120 functions make about 15 nested stacks"
    );
    assert!(parent["Resources"].as_object().unwrap().len() <= 500);
    // Each nested stack's TemplateURL names a file written next to the parent.
    for (id, r) in &stacks {
        let url = r["Properties"]["TemplateURL"].as_str().unwrap();
        assert_eq!(url, format!("synth-dev.{id}.json"));
        let child = json(&out.join(url));
        let n = child["Resources"].as_object().unwrap().len();
        assert!(n <= 400, "{id} has {n} resources");
    }
    assert_eq!(files.len(), 1 + stacks.len() + 1 + 2, "{files:?}");

    let Some(cfn_lint) = crate::common::cfn_lint() else {
        return;
    };
    // Zero errors, and no warnings but W3002 ("may only work with the package command"):
    // a local TemplateURL is exactly what `aws cloudformation package` expects.
    let findings: Vec<String> = crate::common::cfn_lint_findings(&cfn_lint, &files)
        .into_iter()
        .filter(|l| !l.contains(":W3002:"))
        .collect();
    assert!(findings.is_empty(), "cfn-lint:\n{}", findings.join("\n"));
}

#[test]
fn split_output_is_byte_identical_and_check_catches_drift_and_stale_stacks() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = synth_spec(tmp.path(), 60);
    let spec = spec.to_str().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert_eq!(split_into(spec, &a, &[]).0, 0);
    assert_eq!(split_into(spec, &b, &[]).0, 0);
    let (fa, fb) = (files_in(&a), files_in(&b));
    assert_eq!(fa.len(), fb.len());
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(x.file_name(), y.file_name());
        assert_eq!(
            std::fs::read(x).unwrap(),
            std::fs::read(y).unwrap(),
            "{x:?}"
        );
    }

    let check = |dir: &Path| run(&["render", spec, "--split", "--check", dir.to_str().unwrap()]);
    let (code, _, stderr) = check(&a);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("up to date"), "{stderr}");

    // A nested stack that is no longer rendered is reported, and --out removes it.
    let stale = a.join("synth-dev.GoneStack.json");
    std::fs::write(&stale, "{}").unwrap();
    let (code, _, stderr) = check(&a);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("synth-dev.GoneStack.json is a nested stack the spec no longer renders"),
        "{stderr}"
    );
    let (code, _, stderr) = split_into(spec, &a, &[]);
    assert_eq!(code, 0);
    assert!(stderr.contains("removed") && !stale.exists(), "{stderr}");

    // A changed nested stack shows up as a diff of that file.
    let child = fa
        .iter()
        .find(|p| p.to_str().unwrap().ends_with("Stack.json"))
        .unwrap();
    let name = child.file_name().unwrap().to_str().unwrap().to_string();
    let text = std::fs::read_to_string(a.join(&name)).unwrap();
    std::fs::write(
        a.join(&name),
        text.replace("\"Timeout\": 10", "\"Timeout\": 11"),
    )
    .unwrap();
    let (code, stdout, _) = check(&a);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(&format!("--- {}", a.join(&name).display())),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with('-') && l.contains("\"Timeout\": 11")),
        "{stdout}"
    );
}

#[test]
fn split_needs_a_directory() {
    let (code, stdout, stderr) = run(&["render", "examples/orders/fnplan.yaml", "--split"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("--split writes several templates"),
        "{stderr}"
    );
    fnplan()
        .args([
            "render",
            "examples/orders/fnplan.yaml",
            "--split",
            "-o",
            "x.json",
        ])
        .assert()
        .code(2);
}

#[test]
fn lint_split_checks_the_nested_stacks_instead_of_one_stack() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = synth_spec(tmp.path(), 120);
    let spec = spec.to_str().unwrap();
    let (code, stdout, _) = run(&["lint", spec, "--select", "FN302"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("the stack has 1083 resources"), "{stdout}");
    assert!(stdout.contains("fnplan render --split"), "{stdout}");
    let (code, stdout, stderr) = run(&["lint", spec, "--select", "FN302", "--split"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // The parent alone is still over the inline size: a warning, not an error.
    assert!(!stdout.contains("error["), "{stdout}");
}

/// The nested stacks deploy on a real CloudFormation implementation (moto): children
/// uploaded to S3 the way `aws cloudformation package` does, the parent created with
/// their URLs. Every function ends up with its own role, its own queue as trigger and
/// that queue's URL in its environment: parameters and outputs resolve across stacks.
///
/// moto accepts API Gateway v2 resources without creating them (a `Ref` to the API
/// resolves to nothing), so this app has no HTTP API; the grouping of routes is covered
/// by the unit tests and cfn-lint.
#[test]
fn nested_stacks_deploy_on_moto() {
    let Some(m) = crate::moto::moto() else { return };
    let n = 30;
    let (tmp, spec) = moto_app(&m, n);
    let out = tmp.path().join("out");
    let (code, _, stderr) = split_into(&spec, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let mut parent = json(&out.join("synth-dev.json"));
    let mut children = 0;
    for (_, r) in parent["Resources"].as_object_mut().unwrap() {
        if r["Type"] == "AWS::CloudFormation::Stack" {
            let file = r["Properties"]["TemplateURL"].as_str().unwrap().to_string();
            let body = std::fs::read(out.join(&file)).unwrap();
            m.put_object("split-templates", &file, &body);
            r["Properties"]["TemplateURL"] =
                Value::String(format!("https://s3.amazonaws.com/split-templates/{file}"));
            children += 1;
        }
    }
    assert!(children >= 2, "{children} nested stacks");
    m.deploy("synth-dev", &parent.to_string());

    for i in [0, n / 2, n - 1] {
        let f = m.lambda_get(&format!("/2015-03-31/functions/synth-dev-f{i}"));
        let conf = &f["Configuration"];
        assert!(conf["Role"].as_str().unwrap().contains(":role/"), "{conf}");
        // The queue (in the nested stack) filled in the function's environment.
        let url = conf["Environment"]["Variables"]["QUEUE_URL"]
            .as_str()
            .unwrap_or_default();
        // CloudFormation named the queue after its stack and logical ID.
        assert!(url.contains(&format!("-Q{i}Queue-")), "{conf}");
        // Its trigger queue, adopted into the same nested stack, is mapped to it.
        let maps = m.lambda_get("/2015-03-31/event-source-mappings/");
        let found = maps["EventSourceMappings"].as_array().is_some_and(|a| {
            a.iter().any(|x| {
                x["FunctionArn"]
                    .as_str()
                    .is_some_and(|f| f.ends_with(&format!(":synth-dev-f{i}")))
                    && x["EventSourceArn"]
                        .as_str()
                        .is_some_and(|q| q.contains(&format!("-Q{i}Queue-")))
            })
        });
        assert!(found, "no mapping f{i} <- q{i}: {maps}");
    }
}

/// A synth app without the HTTP API (moto does not create API Gateway v2 resources), with
/// its code uploaded to moto: (temp dir, spec path).
fn moto_app(m: &crate::moto::Moto, n: usize) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut spec = fnplan::testing::Spec::parse(&fnplan::synth::spec(n)).expect("synth spec");
    spec.remove("api").expect("the synth spec has an API");
    let path = tmp.path().join("fnplan.yaml");
    std::fs::write(&path, spec.yaml()).unwrap();
    for i in 0..n {
        m.put_object(
            "synth-artifacts",
            &format!("f{i}.zip"),
            b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        );
    }
    let spec = path.to_str().unwrap().to_string();
    (tmp, spec)
}

/// Set one function's timeout in the spec file at `path`.
fn set_timeout(path: &str, function: &str, seconds: u64) {
    let text = std::fs::read_to_string(path).expect("spec");
    let mut spec = fnplan::testing::Spec::parse(&text).expect("spec reads");
    let timeout = spec
        .get_mut(&format!("functions.{function}.timeout"))
        .expect("the function has a timeout");
    assert_ne!(*timeout, Value::from(seconds), "already {seconds}");
    *timeout = Value::from(seconds);
    std::fs::write(path, spec.yaml()).expect("edit spec");
}

/// `plan --split` / `apply --split`: nested stacks from the artifact bucket, changes inside
/// them listed as `Stack/Id`, nothing to do on a second plan, an edit inside one nested
/// stack shown and applied.
#[test]
fn plan_and_apply_deploy_nested_stacks_on_moto() {
    let Some(m) = crate::moto::moto() else { return };
    let (_tmp, spec) = moto_app(&m, 24);
    m.put_object("split-templates", "README", b"templates of nested stacks");
    let bucket = ["--artifact-bucket", "split-templates"];

    // Without a bucket, --split stops before anything is touched.
    let (code, _, err) = m.run(&["plan", &spec, "--split"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--split deploys nested stacks"), "{err}");
    assert_eq!(m.stack_status("synth-dev"), None);

    let (code, out, err) = m.run(&["plan", &spec, "--split", bucket[0], bucket[1]]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("AWS::CloudFormation::Stack"), "{out}");
    assert!(out.contains("Stack/F3Function"), "{out}");

    let (code, out, err) = m.run(&[
        "apply",
        &spec,
        "--split",
        bucket[0],
        bucket[1],
        "--auto-approve",
        "--progress",
        "plain",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        m.stack_status("synth-dev").as_deref(),
        Some("CREATE_COMPLETE")
    );
    let f = m.lambda_get("/2015-03-31/functions/synth-dev-f3");
    assert_eq!(f["Configuration"]["Timeout"], 10);

    // Deployed as planned: nothing to do, inside the nested stacks either.
    let (code, out, err) = m.run(&[
        "plan",
        &spec,
        "--split",
        bucket[0],
        bucket[1],
        "--detailed-exitcode",
    ]);
    assert_eq!(code, 0, "{out}{err}");

    // One function's timeout: its nested stack changes, and the change inside it is named.
    set_timeout(&spec, "f3", 20);
    let (code, out, err) = m.run(&[
        "plan",
        &spec,
        "--split",
        bucket[0],
        bucket[1],
        "--detailed-exitcode",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2, "{out}{err}");
    let plan: Value = serde_json::from_str(&out).expect("json plan");
    let ids: Vec<&str> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["logical_id"].as_str().unwrap())
        .collect();
    let inner: Vec<&&str> = ids
        .iter()
        .filter(|id| id.ends_with("/F3Function"))
        .collect();
    assert_eq!(inner.len(), 1, "{ids:?}");
    let stack = inner[0].split('/').next().unwrap();
    assert_eq!(
        ids.len(),
        2,
        "the nested stack and the function inside it: {ids:?}"
    );
    assert!(ids.contains(&stack), "{ids:?}");
    assert_eq!(plan["split"], true);

    let (code, out, err) = m.run(&[
        "apply",
        &spec,
        "--split",
        bucket[0],
        bucket[1],
        "--auto-approve",
        "--progress",
        "plain",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let f = m.lambda_get("/2015-03-31/functions/synth-dev-f3");
    assert_eq!(f["Configuration"]["Timeout"], 20);

    // A plan saved with --split is applied as nested stacks without the flag.
    set_timeout(&spec, "f3", 30);
    let saved = std::path::Path::new(&spec).with_file_name("plan.json");
    let saved = saved.to_str().unwrap();
    let (code, out, err) = m.run(&[
        "plan", &spec, "--split", bucket[0], bucket[1], "--out", saved,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = m.run(&[
        "apply",
        saved,
        bucket[0],
        bucket[1],
        "--auto-approve",
        "--progress",
        "plain",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let f = m.lambda_get("/2015-03-31/functions/synth-dev-f3");
    assert_eq!(f["Configuration"]["Timeout"], 30);

    // Destroying the parent takes the nested stacks and their functions with it.
    let (code, out, err) = m.run(&["destroy", &spec, "--auto-approve", "--progress", "plain"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(matches!(
        m.stack_status("synth-dev").as_deref(),
        None | Some("DELETE_COMPLETE")
    ));
    let (code, body) = crate::moto::aws_call(
        &m.url,
        "lambda",
        "GET",
        "/2015-03-31/functions/synth-dev-f3",
        "",
        "application/json",
    );
    assert_eq!(code, 404, "{body}");
}
