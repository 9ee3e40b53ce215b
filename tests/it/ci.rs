//! `fnplan bootstrap --ci` against moto (IAM, STS, CloudFormation, S3): the OIDC provider
//! and the roles exist and trust only the repository, no statement allows `*` actions,
//! CloudFormation access is limited to the app's stacks, PassRole is never on `*`, a second
//! run changes nothing, a changed policy is shown before it is rewritten, `--remove`; then
//! `plan` and `apply` with the credentials of the assumed CI roles.
//!
//! What moto cannot show: it accepts any web identity token (no signature, `aud` or `sub`
//! check) and evaluates no IAM policy, so that the roles *deny* what they do not allow is
//! checked on the documents here (and in `template::ci_roles`' unit tests), not by moto.

use crate::moto::{Moto, moto};
use serde_json::Value;

const SPEC: &str = r#"version: 1
app: shop
artifacts: { bucket: fnplan-ci-artifacts }
functions:
  worker:
    handler: app.handler
    runtime: python3.12
    code: s3://fnplan-test-code/worker.zip
"#;
const REPO: &str = "github:acme/shop";
const ACCOUNT: &str = "123456789012";
const PROVIDER: &str =
    "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const APPLY_ROLE: &str = "arn:aws:iam::123456789012:role/fnplan/fnplan-shop-ci-apply";
const PLAN_ROLE: &str = "arn:aws:iam::123456789012:role/fnplan/fnplan-shop-ci-plan";
const SERVICE_ROLE: &str = "arn:aws:iam::123456789012:role/fnplan/fnplan-shop-cfn";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
}

async fn iam(m: &Moto) -> aws_sdk_iam::Client {
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&m.url)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test", "test", None, None, "static",
        ))
        .load()
        .await;
    aws_sdk_iam::Client::new(&conf)
}

fn decode(doc: &str) -> Value {
    fnplan::deploy::iam::policy_document(doc).expect("a policy document")
}

/// A role's trust policy and its inline policy `fnplan`, as IAM has them.
fn role(m: &Moto, name: &str) -> Option<(Value, Value)> {
    rt().block_on(async {
        let c = iam(m).await;
        let r = c.get_role().role_name(name).send().await.ok()?.role?;
        let trust = decode(r.assume_role_policy_document().unwrap_or("{}"));
        let p = c
            .get_role_policy()
            .role_name(name)
            .policy_name("fnplan")
            .send()
            .await
            .expect("policy fnplan");
        Some((trust, decode(p.policy_document())))
    })
}

fn provider_audiences(m: &Moto) -> Option<Vec<String>> {
    rt().block_on(async {
        let c = iam(m).await;
        let p = c
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(PROVIDER)
            .send()
            .await
            .ok()?;
        Some(p.client_id_list().to_vec())
    })
}

fn list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn bootstrap(m: &Moto, spec: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["bootstrap", spec, "--ci", REPO];
    args.extend_from_slice(extra);
    m.run(&args)
}

/// The statements of a policy: no `*` action anywhere, PassRole never on `*`, and (CI
/// roles) CloudFormation only on the app's stacks and change sets.
fn check_policy(name: &str, policy: &Value, ci_role: bool) {
    for st in policy["Statement"].as_array().expect("statements") {
        let actions = list(&st["Action"]);
        let resources = list(&st["Resource"]);
        assert!(
            actions.iter().all(|a| a != "*" && !a.ends_with(":*")),
            "{name}: {st}"
        );
        if actions.iter().any(|a| a == "iam:PassRole") {
            assert!(!resources.iter().any(|r| r == "*"), "{name}: {st}");
        }
        if !ci_role {
            continue;
        }
        if resources.iter().any(|r| r == "*") {
            // Only reads IAM cannot scope, and marked as such.
            assert_eq!(st["Sid"], "ReadsWithoutResourceLevelPermissions", "{name}");
            assert!(
                actions
                    .iter()
                    .all(|a| a.starts_with("cloudformation:Describe"))
            );
            continue;
        }
        for a in actions.iter().filter(|a| a.starts_with("cloudformation:")) {
            assert!(
                resources
                    .iter()
                    .all(|r| r.ends_with(":stack/shop-*/*") || r.ends_with(":changeSet/fnplan-*/*")),
                "{name}: {a} on {resources:?}"
            );
        }
        for r in resources.iter().filter(|r| r.starts_with("arn:aws:s3:::")) {
            assert!(
                r == "arn:aws:s3:::fnplan-ci-artifacts"
                    || r.starts_with("arn:aws:s3:::fnplan-ci-artifacts/shop/"),
                "{name}: {r}"
            );
        }
    }
}

#[test]
fn bootstrap_ci_creates_roles_that_trust_only_the_repository_and_a_second_run_is_a_no_op() {
    let Some(m) = moto() else { return };
    let (_d, spec) = m.app(SPEC);
    let (code, out, err) = bootstrap(&m, &spec, &["--ci-apply-ref", "refs/heads/main", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Made 7 IAM change(s)"), "{out}");
    assert!(out.contains(SERVICE_ROLE), "{out}");
    // The diff was shown before the changes were made.
    assert!(err.contains("+ AppStacksAndChangeSets"), "{err}");

    assert_eq!(
        provider_audiences(&m),
        Some(vec!["sts.amazonaws.com".to_string()])
    );
    let (trust, policy) = role(&m, "fnplan-shop-ci-apply").expect("apply role");
    let st = &trust["Statement"][0];
    assert_eq!(st["Principal"]["Federated"], PROVIDER);
    assert_eq!(st["Action"], "sts:AssumeRoleWithWebIdentity");
    let eq = &st["Condition"]["StringEquals"];
    assert_eq!(
        eq["token.actions.githubusercontent.com:sub"],
        "repo:acme/shop:ref:refs/heads/main"
    );
    assert_eq!(
        eq["token.actions.githubusercontent.com:aud"],
        "sts.amazonaws.com"
    );
    check_policy("apply", &policy, true);
    assert!(
        policy
            .to_string()
            .contains("cloudformation:ExecuteChangeSet")
    );

    let (trust, policy) = role(&m, "fnplan-shop-ci-plan").expect("plan role");
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"],
        "repo:acme/shop:*"
    );
    check_policy("plan", &policy, true);
    assert!(!policy.to_string().contains("ExecuteChangeSet"), "{policy}");

    let (trust, policy) = role(&m, "fnplan-shop-cfn").expect("service role");
    let st = &trust["Statement"][0];
    assert_eq!(st["Principal"]["Service"], "cloudformation.amazonaws.com");
    assert_eq!(
        st["Condition"]["StringEquals"]["aws:SourceAccount"],
        ACCOUNT
    );
    check_policy("service", &policy, false);

    // A second run: nothing to change, and it says so.
    let (code, out, err) = bootstrap(&m, &spec, &["--ci-apply-ref", "refs/heads/main", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("No changes: the CI provider and roles are up to date"),
        "{out}"
    );
    assert!(!err.contains("IAM changes"), "{err}");
}

#[test]
fn a_changed_policy_is_shown_as_a_diff_and_needs_confirmation() {
    let Some(m) = moto() else { return };
    let (_d, spec) = m.app(SPEC);
    let (code, out, err) = bootstrap(&m, &spec, &["--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    // Someone widened the plan role by hand.
    rt().block_on(async {
        iam(&m)
            .await
            .put_role_policy()
            .role_name("fnplan-shop-ci-plan")
            .policy_name("fnplan")
            .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Sid":"Everything","Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
            .send()
            .await
            .expect("put_role_policy");
    });
    // No terminal and no --yes: the diff, then a refusal; nothing changed.
    let (code, out, err) = bootstrap(&m, &spec, &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("write policy `fnplan` of fnplan-shop-ci-plan"),
        "{err}"
    );
    assert!(err.contains("CiPlanRole (AWS::IAM::Role)"), "{err}");
    assert!(err.contains("- Everything: Allow s3:* on *"), "{err}");
    assert!(err.contains("+ AppStacksAndChangeSets"), "{err}");
    assert!(!err.contains("CiApplyRole"), "only the changed role: {err}");
    assert!(err.contains("pass --yes"), "{err}");
    let (_, policy) = role(&m, "fnplan-shop-ci-plan").expect("plan role");
    assert!(policy.to_string().contains("Everything"));
    // --yes puts it back.
    let (code, out, err) = bootstrap(&m, &spec, &["--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Made 1 IAM change(s)"), "{out}");
    let (_, policy) = role(&m, "fnplan-shop-ci-plan").expect("plan role");
    check_policy("plan", &policy, true);
}

#[test]
fn remove_deletes_the_roles_and_the_provider_no_other_app_uses() {
    let Some(m) = moto() else { return };
    let (_d, spec) = m.app(SPEC);
    let other = tempfile::tempdir().expect("tmp");
    let other_spec = other.path().join("fnplan.yaml");
    std::fs::write(&other_spec, SPEC.replace("app: shop", "app: cart")).expect("spec");
    let other_spec = other_spec.to_str().expect("utf8");
    for s in [spec.as_str(), other_spec] {
        let (code, out, err) = bootstrap(&m, s, &["--yes"]);
        assert_eq!(code, 0, "{out}{err}");
    }
    // The provider is shared: removing shop's roles keeps it for cart's.
    let (code, out, err) = bootstrap(&m, &spec, &["--remove", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("deleted role {APPLY_ROLE}")), "{out}");
    assert!(out.contains(&format!("deleted role {PLAN_ROLE}")), "{out}");
    assert!(!out.contains("deleted OIDC provider"), "{out}");
    assert!(role(&m, "fnplan-shop-ci-apply").is_none());
    assert!(role(&m, "fnplan-cart-ci-apply").is_some());
    assert!(provider_audiences(&m).is_some());
    // The last app's removal takes the provider too; once more, there is nothing left.
    let (code, out, err) = bootstrap(&m, other_spec, &["--remove", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("deleted OIDC provider"), "{out}");
    assert!(provider_audiences(&m).is_none());
    let (code, out, err) = bootstrap(&m, other_spec, &["--remove", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Nothing to remove"), "{out}");
}

#[test]
fn gitlab_projects_get_their_own_provider_and_subject() {
    let Some(m) = moto() else { return };
    let (_d, spec) = m.app(SPEC);
    let (code, out, err) = m.run(&[
        "bootstrap",
        &spec,
        "--ci",
        "gitlab:acme/platform/shop",
        "--ci-apply-ref",
        "refs/heads/main",
        "--yes",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("oidc-provider/gitlab.com"), "{out}");
    let (trust, _) = role(&m, "fnplan-shop-ci-apply").expect("apply role");
    let eq = &trust["Statement"][0]["Condition"]["StringEquals"];
    assert_eq!(
        eq["gitlab.com:sub"],
        "project_path:acme/platform/shop:ref_type:branch:ref:main"
    );
    assert_eq!(eq["gitlab.com:aud"], "https://gitlab.com");
    // A GitHub environment is no GitLab ref: a usage error, nothing created.
    let (code, _, err) = m.run(&[
        "bootstrap",
        &spec,
        "--ci",
        "gitlab:acme/shop",
        "--ci-apply-ref",
        "environment:prod",
        "--yes",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("refs/heads/BRANCH"), "{err}");
}

/// `fnplan` with the credentials a CI job gets: a web identity token file and the role
/// to assume (what aws-actions/configure-aws-credentials and GitLab's `id_tokens` set up),
/// no static keys.
fn as_ci_job(m: &Moto, role_arn: &str, token: &std::path::Path) -> assert_cmd::Command {
    let mut c = m.fnplan();
    c.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_ROLE_ARN", role_arn)
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", token)
        .env("AWS_ROLE_SESSION_NAME", "fnplan-ci-test");
    c
}

/// An STS query call to moto signed with access key `key` (moto tells callers apart by it).
fn sts_call(m: &Moto, key: &str, params: &str) -> String {
    use std::io::{Read, Write};
    let hostport = m.url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(hostport).expect("connect moto");
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0\r\nX-Amz-Date: 20260101T000000Z\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{params}",
        params.len()
    )
    .expect("write");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    resp
}

fn xml_value<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = xml.find(&open).map(|i| i + open.len()).unwrap_or(0);
    let end = xml[start..].find('<').map_or(start, |i| start + i);
    &xml[start..end]
}

/// Who a CI job is after trading its token for credentials of `role_arn`
/// (AssumeRoleWithWebIdentity, then GetCallerIdentity with the keys it returned).
fn assumed_identity(m: &Moto, role_arn: &str, token: &str) -> String {
    let resp = sts_call(
        m,
        "test",
        &format!(
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn={role_arn}&RoleSessionName=fnplan-ci-test&WebIdentityToken={token}"
        ),
    );
    let key = xml_value(&resp, "AccessKeyId").to_string();
    assert!(!key.is_empty(), "{resp}");
    let who = sts_call(m, &key, "Action=GetCallerIdentity&Version=2011-06-15");
    xml_value(&who, "Arn").to_string()
}

#[test]
fn plan_and_apply_run_with_the_assumed_ci_roles_and_the_service_role() {
    let Some(m) = moto() else { return };
    let (dir, spec) = m.app(SPEC);
    m.put_object("fnplan-ci-artifacts", "shop/.keep", b"");
    let (code, out, err) = bootstrap(&m, &spec, &["--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    // An unsigned JWT: moto does not verify it (AWS checks its signature, `aud` and `sub`).
    let jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJyZXBvOmFjbWUvc2hvcDpwdWxsX3JlcXVlc3QifQ.";
    let token = dir.path().join("token");
    std::fs::write(&token, jwt).expect("token");
    let who = assumed_identity(&m, PLAN_ROLE, jwt);
    assert!(who.contains(":assumed-role/fnplan-shop-ci-plan/"), "{who}");
    // The jobs below have no static keys: fnplan's credential chain must trade the token
    // (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN) with STS at AWS_ENDPOINT_URL, or fail.

    // Pull request: plan with the plan role, saved.
    let plan = dir.path().join("plan.json");
    let plan = plan.to_str().expect("utf8");
    let out = as_ci_job(&m, PLAN_ROLE, &token)
        .args([
            "plan",
            &spec,
            "--role-arn",
            SERVICE_ROLE,
            "--out",
            plan,
            "--no-drift",
        ])
        .args(["--format", "markdown", "--detailed-exitcode"])
        .output()
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "changes: {text}");
    assert!(text.contains("WorkerFunction"), "{text}");

    // Merge: apply exactly that plan with the apply role.
    let out = as_ci_job(&m, APPLY_ROLE, &token)
        .args(["apply", plan, "--auto-approve", "--progress", "plain"])
        .output()
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("CREATE_COMPLETE"), "{text}");
    // CloudFormation made the stack with the service role the change set named.
    let role_arn = rt().block_on(async {
        let d = m
            .cfn()
            .await
            .describe_stacks()
            .stack_name("shop-dev")
            .send()
            .await;
        d.expect("describe").stacks()[0]
            .role_arn()
            .map(str::to_string)
    });
    assert_eq!(role_arn.as_deref(), Some(SERVICE_ROLE));
}

#[test]
fn the_roles_template_passes_cfn_lint() {
    let Some(cfn_lint) = crate::common::cfn_lint() else {
        return;
    };
    use fnplan::template::ci_roles::{CiRepo, CiScope, template};
    let dir = tempfile::tempdir().expect("tmp");
    let mut files = Vec::new();
    for (i, repo) in ["github:acme/shop", "gitlab:acme/platform/shop"]
        .iter()
        .enumerate()
    {
        let repo = CiRepo::parse(repo).expect("repo");
        let s = CiScope {
            partition: "aws",
            account: ACCOUNT,
            app: "shop",
            bucket: Some("fnplan-ci-artifacts"),
            repo: &repo,
            apply_ref: Some("refs/heads/main"),
        };
        let p = dir.path().join(format!("ci-{i}.json"));
        std::fs::write(&p, template(&s).expect("template").to_json()).expect("write");
        files.push(p);
    }
    let errors = crate::common::cfn_lint_errors(&cfn_lint, &files);
    assert!(errors.is_empty(), "cfn-lint errors:\n{}", errors.join("\n"));
}

#[test]
fn the_example_pipelines_plan_with_the_plan_role_and_apply_the_saved_plan() {
    let root = crate::common::root().join("examples/ci");
    for f in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = std::fs::read_to_string(root.join(f)).expect(f);
        for needle in [
            "--format markdown",
            "--detailed-exitcode",
            "--out plan.json",
            "apply plan.json",
            "--role-arn",
            "--auto-approve",
            "fnplan-shop-ci-plan",
            "fnplan-shop-ci-apply",
        ] {
            assert!(text.contains(needle), "{f} lacks `{needle}`");
        }
    }
}

#[test]
fn a_role_of_the_same_name_elsewhere_is_not_taken_over() {
    let Some(m) = moto() else { return };
    let (_d, spec) = m.app(SPEC);
    rt().block_on(async {
        iam(&m)
            .await
            .create_role()
            .role_name("fnplan-shop-ci-plan")
            .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
            .send()
            .await
            .expect("create_role");
    });
    for extra in [&["--yes"][..], &["--remove", "--yes"][..]] {
        let (code, out, err) = bootstrap(&m, &spec, extra);
        assert_eq!(code, 2, "{out}{err}");
        assert!(
            err.contains("was not made by `fnplan bootstrap --ci`"),
            "{err}"
        );
    }
    assert!(role(&m, "fnplan-shop-ci-apply").is_none());
}
