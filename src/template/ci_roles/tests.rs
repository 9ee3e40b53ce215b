//! The CI roles' documents: snapshots, and the properties the issue asks for (no `*`
//! action, CloudFormation only on the app's stacks, PassRole never on `*`, every rendered
//! type covered by the service role: that one is in `ops::ci`, which may see both).

use super::*;

fn repo(s: &str) -> CiRepo {
    CiRepo::parse(s).expect("valid repo")
}

fn scope<'a>(r: &'a CiRepo, apply_ref: Option<&'a str>) -> CiScope<'a> {
    CiScope {
        partition: "aws",
        account: "123456789012",
        app: "shop",
        bucket: Some("fnplan-artifacts-123456789012"),
        repo: r,
        apply_ref,
    }
}

fn statements(doc: &Value) -> Vec<&Value> {
    doc["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .collect()
}

fn list(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn github_roles_snapshot() {
    let r = repo("github:acme/shop");
    let t = template(&scope(&r, Some("refs/heads/main"))).expect("template");
    insta::assert_snapshot!(t.to_json());
}

#[test]
fn gitlab_roles_snapshot() {
    let r = repo("gitlab:acme/platform/shop");
    let t = template(&scope(&r, None)).expect("template");
    insta::assert_snapshot!(t.to_json());
}

#[test]
fn no_statement_allows_every_action_or_a_whole_service() {
    let r = repo("github:acme/shop");
    for role in roles(&scope(&r, None)).expect("roles") {
        for st in statements(&role.policy) {
            for a in list(&st["Action"]) {
                assert!(a != "*" && !a.ends_with(":*"), "{}: {a} in {st}", role.name);
            }
            assert!(st.get("NotAction").is_none() && st.get("NotResource").is_none());
        }
    }
}

#[test]
fn ci_roles_reach_only_the_apps_stacks_and_pass_only_the_service_role() {
    let r = repo("github:acme/shop");
    let s = scope(&r, None);
    for role in roles(&s).expect("roles") {
        for st in statements(&role.policy) {
            let actions = list(&st["Action"]);
            let resources = list(&st["Resource"]);
            if actions.contains(&"iam:PassRole") {
                assert!(!resources.contains(&"*"), "{}: {st}", role.name);
                assert!(st["Condition"]["StringEquals"]["iam:PassedToService"].is_string());
            }
            if role.kind == RoleKind::Service {
                continue;
            }
            if resources.contains(&"*") {
                assert_eq!(st["Sid"], "ReadsWithoutResourceLevelPermissions");
                assert!(
                    actions
                        .iter()
                        .all(|a| a.starts_with("cloudformation:Describe"))
                );
                continue;
            }
            for a in actions.iter().filter(|a| a.starts_with("cloudformation:")) {
                assert!(
                    resources.iter().all(|r| r.contains(":stack/shop-*/")
                        || r.contains(":changeSet/fnplan-*/")),
                    "{a}: {resources:?}"
                );
            }
        }
    }
}

#[test]
fn the_plan_role_cannot_execute_change_sets_or_delete_stacks() {
    let r = repo("github:acme/shop");
    let roles = roles(&scope(&r, None)).expect("roles");
    let plan = roles
        .iter()
        .find(|r| r.kind == RoleKind::Plan)
        .expect("plan");
    let text = plan.policy.to_string();
    for a in APPLY_STACK_ACTIONS {
        assert!(!text.contains(a), "{a}");
    }
}

#[test]
fn trust_names_only_the_repository_and_its_ref() {
    let r = repo("github:acme/shop");
    let roles = roles(&scope(&r, Some("refs/heads/main"))).expect("roles");
    let apply = &roles[0].trust["Statement"][0];
    assert_eq!(
        apply["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"],
        "repo:acme/shop:ref:refs/heads/main"
    );
    assert_eq!(
        apply["Condition"]["StringEquals"]["token.actions.githubusercontent.com:aud"],
        "sts.amazonaws.com"
    );
    let plan = &roles[1].trust["Statement"][0];
    assert_eq!(
        plan["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"],
        "repo:acme/shop:*"
    );
    let env = repo("github:acme/shop").subject(Some("environment:prod"));
    assert_eq!(env.as_deref(), Ok("repo:acme/shop:environment:prod"));
    let gl = repo("gitlab:g/p").subject(Some("refs/tags/v1"));
    assert_eq!(gl.as_deref(), Ok("project_path:g/p:ref_type:tag:ref:v1"));
    assert!(repo("gitlab:g/p").subject(Some("environment:x")).is_err());
    assert!(repo("github:a/b").subject(Some("main")).is_err());
}

#[test]
fn repositories_parse_or_say_what_is_expected() {
    assert_eq!(repo("github:a/b").system, CiSystem::GitHub);
    assert_eq!(repo("gitlab:g/sub/p").path, "g/sub/p");
    for bad in [
        "a/b",
        "github:a",
        "github:a/b/c",
        "bitbucket:a/b",
        "github:a/b c",
        "gitlab:/p",
    ] {
        let e = CiRepo::parse(bad).expect_err(bad);
        assert!(e.contains("expected"), "{e}");
    }
}

#[test]
fn the_service_role_grants_each_types_actions() {
    let r = repo("github:acme/shop");
    let roles = roles(&scope(&r, None)).expect("roles");
    let service = roles
        .iter()
        .find(|r| r.kind == RoleKind::Service)
        .expect("service");
    let granted: Vec<&str> = statements(&service.policy)
        .into_iter()
        .flat_map(|st| list(&st["Action"]))
        .collect();
    for (ty, actions) in TYPE_ACTIONS {
        for a in *actions {
            assert!(granted.contains(a), "{ty}: {a}");
        }
    }
}

#[test]
fn an_app_name_too_long_for_a_role_name_is_an_error() {
    let r = repo("github:acme/shop");
    let long = "a".repeat(49);
    let s = CiScope {
        app: &long,
        ..scope(&r, None)
    };
    let e = roles(&s).expect_err("too long");
    assert!(e.contains("64 characters"), "{e}");
    let ok = "a".repeat(48);
    assert!(
        roles(&CiScope {
            app: &ok,
            ..scope(&r, None)
        })
        .is_ok()
    );
}
