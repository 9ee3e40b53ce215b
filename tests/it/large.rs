//! Templates over CloudFormation's 51,200-byte inline limit go to the artifact bucket and
//! are passed as a TemplateURL (moto reads them from its S3); without a bucket that is a
//! clear error before anything is created.

use crate::moto::moto;
use fnplan::testing::Spec;
use serde_json::json;

/// 40 queue workers: about 240 resources, well over 51,200 bytes of compact JSON.
fn big_spec() -> String {
    let mut s = Spec::new("big");
    s.set(
        "defaults.function",
        json!({ "runtime": "python3.12", "timeout": 10, "concurrency": 2, "log_retention_days": 14 }),
    );
    for i in 0..40 {
        s.insert(
            "functions",
            &format!("worker-{i}"),
            json!({
                "handler": "app.handler",
                "code": "s3://fnplan-test-code/worker.zip",
                "env": { "QUEUE": format!("${{queue.jobs-{i}.url}}"), "MODE": "batch" },
                "triggers": [{ "queue": format!("jobs-{i}") }],
            }),
        );
    }
    for i in 0..40 {
        s.insert(
            "queues",
            &format!("jobs-{i}"),
            json!({ "visibility_timeout": 60, "dlq": true }),
        );
    }
    s.yaml()
}

#[test]
fn a_template_over_the_inline_limit_is_deployed_through_s3() {
    let Some(m) = moto() else { return };
    m.put_test_code();
    let dir = tempfile::tempdir().expect("tmp");
    let spec = dir.path().join("fnplan.yaml");
    std::fs::write(&spec, big_spec()).expect("spec");
    let spec = spec.to_str().expect("utf8");

    let (code, out, _) = m.run(&["render", spec]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let compact = serde_json::to_string(&v).expect("json").len();
    assert!(
        compact > 51_200,
        "the test template is only {compact} bytes"
    );

    // No bucket: refused with the reason, nothing created.
    let (code, _, err) = m.run(&["apply", spec, "--auto-approve"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("51,200") && err.contains("--artifact-bucket"),
        "{err}"
    );
    assert!(m.stack_status("big-dev").is_none());

    let (code, _, err) = m.run(&[
        "bootstrap",
        spec,
        "--artifact-bucket",
        "fnplan-big-artifacts",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = m.run(&[
        "apply",
        spec,
        "--auto-approve",
        "--artifact-bucket",
        "fnplan-big-artifacts",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        m.stack_status("big-dev").as_deref(),
        Some("CREATE_COMPLETE")
    );
    let (code, listing) = crate::moto::http(
        &m.url,
        "GET",
        "/fnplan-big-artifacts?list-type=2&prefix=big/dev/templates/",
        b"",
    )
    .expect("list");
    assert_eq!(code, 200);
    assert!(
        listing.contains("big/dev/templates/") && listing.contains(".json"),
        "{listing}"
    );
    // And the next plan, through the same URL, finds nothing to change.
    let (code, out, err) = m.run(&[
        "plan",
        spec,
        "--artifact-bucket",
        "fnplan-big-artifacts",
        "--detailed-exitcode",
    ]);
    assert_eq!(code, 0, "{out}{err}");
}
