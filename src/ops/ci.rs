//! `bootstrap --ci`: the spec (app, artifact bucket), the CI repository and AWS options in;
//! the CI system's OIDC provider and the plan, apply and CloudFormation service roles made
//! to match `template::ci_roles` (or removed with `--remove`), after showing the IAM
//! changes and asking; a [`CiOutcome`] out.

use super::apply::Refusal;
use super::{OpsError, SpecRef, Ui};
use crate::deploy::DeployError;
use crate::deploy::client::{self, AwsOptions};
use crate::deploy::diff;
use crate::deploy::iam::{IamApi, NewRole, Provider, RoleState, SdkIamApi};
use crate::template::ci_roles::{self, CiRepo, CiScope, POLICY_NAME, ROLE_PATH, RoleDoc, RoleKind};
use serde_json::{Map, Value, json};

#[derive(Clone, Debug)]
pub struct CiOptions {
    pub spec: SpecRef,
    pub aws: AwsOptions,
    /// `github:OWNER/REPO` or `gitlab:GROUP/PROJECT`.
    pub repo: String,
    /// The ref (or GitHub `environment:NAME`) the apply role is limited to.
    pub apply_ref: Option<String>,
    pub artifact_bucket: Option<String>,
    /// Delete the roles (and the provider, when no other fnplan role trusts it).
    pub remove: bool,
    /// Do not ask (`--yes`).
    pub yes: bool,
}

/// One change `bootstrap --ci` makes, in the order it makes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    CreateProvider,
    AddAudience,
    CreateRole(RoleKind),
    UpdateTrust(RoleKind),
    UpdateDescription(RoleKind),
    PutPolicy(RoleKind),
    DeleteRole(RoleKind),
    DeleteProvider,
}

/// The roles' ARNs, for the pipeline's configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CiArns {
    pub provider: String,
    pub apply: String,
    pub plan: String,
    pub service: String,
}

#[derive(Debug)]
pub enum CiOutcome {
    /// IAM already has everything as it should be: nothing was changed.
    UpToDate(CiArns),
    /// These steps were made.
    Changed {
        steps: Vec<String>,
        arns: CiArns,
    },
    /// `--remove`: these were deleted (empty: there was nothing to delete).
    Removed {
        steps: Vec<String>,
    },
    Refused(Refusal),
}

/// The app, its stage's region and the artifact bucket, from the spec.
fn app_of(o: &CiOptions) -> Result<(String, Option<String>, Option<String>), OpsError> {
    let loaded = super::compile::load(&o.spec.path)?;
    let l = loaded.lower(o.spec.stage.as_deref())?;
    let bucket = crate::package::artifact_bucket(o.artifact_bucket.as_deref(), &l.model);
    Ok((l.model.app.clone(), l.model.region.clone(), bucket))
}

pub fn ci(o: &CiOptions, ui: &dyn Ui) -> Result<CiOutcome, OpsError> {
    let repo = CiRepo::parse(&o.repo).map_err(|e| OpsError::Usage(format!("--ci {e}")))?;
    let (app, region, bucket) = app_of(o)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let config = client::load(&o.aws, region.as_deref()).await?;
        let api = SdkIamApi::new(&config);
        let caller = api.caller().await?;
        let scope = CiScope {
            partition: &caller.partition,
            account: &caller.account,
            app: &app,
            bucket: bucket.as_deref(),
            repo: &repo,
            apply_ref: o.apply_ref.as_deref(),
        };
        if o.remove {
            remove(&api, &scope, o.yes, ui).await
        } else {
            ensure(&api, &scope, o.yes, ui).await
        }
    })
}

/// What IAM has now.
struct Current {
    provider: Option<Provider>,
    roles: Vec<(RoleKind, Option<RoleState>)>,
}

async fn current(api: &impl IamApi, s: &CiScope<'_>) -> Result<Current, DeployError> {
    let provider = api.provider(&s.provider_arn()).await?;
    let mut roles = Vec::new();
    for kind in RoleKind::ALL {
        roles.push((kind, api.role(&s.role_name(kind), POLICY_NAME).await?));
    }
    Ok(Current { provider, roles })
}

/// The steps that make `cur` match `want` (empty: nothing to do).
pub fn steps(
    want: &[RoleDoc],
    audience: &str,
    provider: Option<&Provider>,
    roles: &[(RoleKind, Option<RoleState>)],
) -> Vec<Step> {
    let mut out = Vec::new();
    match provider {
        None => out.push(Step::CreateProvider),
        Some(p) if !p.client_ids.iter().any(|c| c == audience) => out.push(Step::AddAudience),
        Some(_) => {}
    }
    for w in want {
        let have = roles
            .iter()
            .find(|(k, _)| *k == w.kind)
            .and_then(|(_, r)| r.as_ref());
        match have {
            None => {
                out.push(Step::CreateRole(w.kind));
                out.push(Step::PutPolicy(w.kind));
            }
            Some(r) => {
                if r.trust != w.trust {
                    out.push(Step::UpdateTrust(w.kind));
                }
                if r.description.as_deref() != Some(w.description.as_str()) {
                    out.push(Step::UpdateDescription(w.kind));
                }
                if r.policy.as_ref() != Some(&w.policy) {
                    out.push(Step::PutPolicy(w.kind));
                }
            }
        }
    }
    out
}

fn arns(s: &CiScope<'_>) -> CiArns {
    CiArns {
        provider: s.provider_arn(),
        apply: s.role_arn(RoleKind::Apply),
        plan: s.role_arn(RoleKind::Plan),
        service: s.role_arn(RoleKind::Service),
    }
}

async fn ensure(
    api: &impl IamApi,
    s: &CiScope<'_>,
    yes: bool,
    ui: &dyn Ui,
) -> Result<CiOutcome, OpsError> {
    let want = ci_roles::roles(s).map_err(OpsError::Usage)?;
    let cur = current(api, s).await?;
    if let Some(why) = misplaced(s, &cur) {
        return Err(OpsError::Usage(why));
    }
    let audience = s.repo.system.audience();
    let todo = steps(&want, audience, cur.provider.as_ref(), &cur.roles);
    if todo.is_empty() {
        return Ok(CiOutcome::UpToDate(arns(s)));
    }
    ui.note(&preview(s, &want, &cur, &todo));
    if let Some(r) = ask("Make these IAM changes?", yes, ui) {
        return Ok(CiOutcome::Refused(r));
    }
    let mut done = Vec::new();
    for step in &todo {
        make(api, s, &want, step).await?;
        done.push(describe(s, step));
    }
    Ok(CiOutcome::Changed {
        steps: done,
        arns: arns(s),
    })
}

/// A role of ours by name that is not under [`ROLE_PATH`] was made by someone else.
fn misplaced(s: &CiScope<'_>, cur: &Current) -> Option<String> {
    cur.roles.iter().find_map(|(k, r)| {
        let r = r.as_ref().filter(|r| r.path != ROLE_PATH)?;
        Some(format!(
            "role {} exists at path {} (fnplan's are under {ROLE_PATH}): it was not made by `fnplan bootstrap --ci`; rename or delete it ({})",
            s.role_name(*k),
            r.path,
            r.arn
        ))
    })
}

/// `None` when it may go on.
fn ask(question: &str, yes: bool, ui: &dyn Ui) -> Option<Refusal> {
    if yes {
        return None;
    }
    match ui.confirm(question) {
        Some(true) => None,
        Some(false) => Some(Refusal::Declined),
        None => Some(Refusal::NoTerminal),
    }
}

async fn make(
    api: &impl IamApi,
    s: &CiScope<'_>,
    want: &[RoleDoc],
    step: &Step,
) -> Result<(), DeployError> {
    let doc = |k: RoleKind| want.iter().find(|r| r.kind == k);
    let sys = s.repo.system;
    match step {
        Step::CreateProvider => {
            let url = format!("https://{}", sys.issuer());
            api.create_provider(&url, &[sys.audience()], sys.thumbprints())
                .await?;
        }
        Step::AddAudience => api.add_client_id(&s.provider_arn(), sys.audience()).await?,
        Step::CreateRole(k) => {
            if let Some(r) = doc(*k) {
                let new = NewRole {
                    name: &r.name,
                    path: ROLE_PATH,
                    description: &r.description,
                    trust: &r.trust,
                };
                api.create_role(&new).await?;
            }
        }
        Step::UpdateTrust(k) => {
            if let Some(r) = doc(*k) {
                api.update_trust(&r.name, &r.trust).await?;
            }
        }
        Step::UpdateDescription(k) => {
            if let Some(r) = doc(*k) {
                api.update_description(&r.name, &r.description).await?;
            }
        }
        Step::PutPolicy(k) => {
            if let Some(r) = doc(*k) {
                api.put_policy(&r.name, POLICY_NAME, &r.policy).await?;
            }
        }
        Step::DeleteRole(k) => api.delete_role(&s.role_name(*k), POLICY_NAME).await?,
        Step::DeleteProvider => api.delete_provider(&s.provider_arn()).await?,
    }
    Ok(())
}

fn describe(s: &CiScope<'_>, step: &Step) -> String {
    match step {
        Step::CreateProvider => format!("created OIDC provider {}", s.provider_arn()),
        Step::AddAudience => format!(
            "added audience {} to OIDC provider {}",
            s.repo.system.audience(),
            s.provider_arn()
        ),
        Step::CreateRole(k) => format!("created role {}", s.role_arn(*k)),
        Step::UpdateTrust(k) => format!("updated the trust policy of {}", s.role_name(*k)),
        Step::UpdateDescription(k) => format!("updated the description of {}", s.role_name(*k)),
        Step::PutPolicy(k) => format!("wrote policy `{POLICY_NAME}` of {}", s.role_name(*k)),
        Step::DeleteRole(k) => format!("deleted role {}", s.role_arn(*k)),
        Step::DeleteProvider => format!("deleted OIDC provider {}", s.provider_arn()),
    }
}

/// The roles as IAM has them, in the shape of [`ci_roles::template`], for the diff.
fn current_template(cur: &Current) -> Value {
    let mut res = Map::new();
    for (kind, state) in &cur.roles {
        let Some(r) = state else { continue };
        let mut props = json!({ "AssumeRolePolicyDocument": r.trust });
        if let Some(p) = &r.policy {
            props["Policies"] = json!([{ "PolicyName": POLICY_NAME, "PolicyDocument": p }]);
        }
        res.insert(
            kind.logical_id().into(),
            json!({ "Type": "AWS::IAM::Role", "Properties": props }),
        );
    }
    json!({ "Resources": res })
}

fn wanted_template(want: &[RoleDoc]) -> Value {
    let mut res = Map::new();
    for r in want {
        res.insert(r.kind.logical_id().into(), ci_roles::role_resource(r));
    }
    json!({ "Resources": res })
}

/// What is about to change: the steps, then the grants added and removed, as `plan`'s
/// IAM section shows them.
fn preview(s: &CiScope<'_>, want: &[RoleDoc], cur: &Current, todo: &[Step]) -> String {
    let mut text = format!(
        "IAM changes for {} ({} {}):\n",
        s.app,
        s.repo.system.issuer(),
        s.repo.path
    );
    for step in todo {
        let line = describe(s, step)
            .replacen("created", "create", 1)
            .replacen("updated", "update", 1)
            .replacen("wrote", "write", 1)
            .replacen("added", "add", 1);
        text.push_str(&format!("  {line}\n"));
    }
    let changes = diff::plan_changes(Some(&current_template(cur)), &wanted_template(want));
    let existing: Vec<&str> = cur
        .roles
        .iter()
        .filter(|(_, r)| r.is_some())
        .map(|(k, _)| k.logical_id())
        .collect();
    text.push_str(&iam_table(&changes.iam, &existing));
    text
}

/// Grants added (`+`) and removed (`-`) per role (trust policies included), the ones
/// that widen the access of a role in `existing` marked (on a new role every one would).
pub fn iam_table(changes: &[crate::deploy::plan::IamChange], existing: &[&str]) -> String {
    if changes.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nIAM changes\n");
    let mut current: Option<&str> = None;
    for c in changes {
        if current != Some(c.resource.as_str()) {
            current = Some(&c.resource);
            out.push_str(&format!("  {} (AWS::IAM::Role)\n", c.resource));
        }
        let sign = if c.added { '+' } else { '-' };
        let wider = if c.broadening && c.added && existing.contains(&c.resource.as_str()) {
            "  [widens access]"
        } else {
            ""
        };
        out.push_str(&format!("    {sign} {}{wider}\n", c.summary));
    }
    out
}

async fn remove(
    api: &impl IamApi,
    s: &CiScope<'_>,
    yes: bool,
    ui: &dyn Ui,
) -> Result<CiOutcome, OpsError> {
    let cur = current(api, s).await?;
    if let Some(why) = misplaced(s, &cur) {
        return Err(OpsError::Usage(why));
    }
    let mut todo: Vec<Step> = cur
        .roles
        .iter()
        .filter(|(_, r)| r.is_some())
        .map(|(k, _)| Step::DeleteRole(*k))
        .collect();
    if cur.provider.is_some() && !provider_in_use(api, s).await? {
        todo.push(Step::DeleteProvider);
    }
    if todo.is_empty() {
        return Ok(CiOutcome::Removed { steps: Vec::new() });
    }
    let lines: Vec<String> = todo
        .iter()
        .map(|t| format!("  {}", describe(s, t).replacen("deleted", "delete", 1)))
        .collect();
    ui.note(&format!("IAM changes:\n{}", lines.join("\n")));
    if let Some(r) = ask("Delete these?", yes, ui) {
        return Ok(CiOutcome::Refused(r));
    }
    let mut done = Vec::new();
    for step in &todo {
        make(api, s, &[], step).await?;
        done.push(describe(s, step));
    }
    Ok(CiOutcome::Removed { steps: done })
}

/// Whether a role of another app (under [`ROLE_PATH`]) still trusts the provider.
async fn provider_in_use(api: &impl IamApi, s: &CiScope<'_>) -> Result<bool, DeployError> {
    let ours: Vec<String> = RoleKind::ALL.iter().map(|k| s.role_name(*k)).collect();
    let arn = s.provider_arn();
    Ok(api
        .roles_under(ROLE_PATH)
        .await?
        .iter()
        .any(|(name, trust)| !ours.contains(name) && trust.to_string().contains(&arn)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::ci_roles::CiRepo;

    fn want() -> (CiRepo, Vec<RoleDoc>) {
        let repo = CiRepo::parse("github:acme/shop").expect("repo");
        let s = CiScope {
            partition: "aws",
            account: "123456789012",
            app: "shop",
            bucket: None,
            repo: &repo,
            apply_ref: None,
        };
        let w = ci_roles::roles(&s).expect("roles");
        (repo.clone(), w)
    }

    fn state(r: &RoleDoc) -> RoleState {
        RoleState {
            arn: String::new(),
            path: ROLE_PATH.into(),
            description: Some(r.description.clone()),
            trust: r.trust.clone(),
            policy: Some(r.policy.clone()),
        }
    }

    #[test]
    fn nothing_to_do_when_iam_matches() {
        let (_, w) = want();
        let p = Provider {
            client_ids: vec!["sts.amazonaws.com".into()],
            thumbprints: vec![],
        };
        let roles: Vec<_> = w.iter().map(|r| (r.kind, Some(state(r)))).collect();
        assert!(steps(&w, "sts.amazonaws.com", Some(&p), &roles).is_empty());
    }

    #[test]
    fn a_changed_policy_or_trust_is_rewritten_and_missing_things_created() {
        let (_, w) = want();
        let mut roles: Vec<_> = w.iter().map(|r| (r.kind, Some(state(r)))).collect();
        if let Some(r) = roles[0].1.as_mut() {
            r.policy = Some(json!({ "Version": "2012-10-17", "Statement": [] }));
            r.trust = json!({});
        }
        roles[2].1 = None;
        let got = steps(&w, "sts.amazonaws.com", None, &roles);
        assert_eq!(
            got,
            vec![
                Step::CreateProvider,
                Step::UpdateTrust(RoleKind::Apply),
                Step::PutPolicy(RoleKind::Apply),
                Step::CreateRole(RoleKind::Service),
                Step::PutPolicy(RoleKind::Service),
            ]
        );
        let p = Provider {
            client_ids: vec!["other".into()],
            thumbprints: vec![],
        };
        assert_eq!(
            steps(&w, "sts.amazonaws.com", Some(&p), &roles)[0],
            Step::AddAudience
        );
    }

    #[test]
    fn the_diff_shows_added_and_removed_grants() {
        let (_, w) = want();
        let mut cur_roles: Vec<_> = w.iter().map(|r| (r.kind, Some(state(r)))).collect();
        if let Some(r) = cur_roles[0].1.as_mut() {
            r.policy = Some(json!({ "Version": "2012-10-17", "Statement": [
                { "Sid": "Old", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" }
            ] }));
        }
        let cur = Current {
            provider: None,
            roles: cur_roles,
        };
        let changes = diff::plan_changes(Some(&current_template(&cur)), &wanted_template(&w));
        let table = iam_table(&changes.iam, &["CiApplyRole"]);
        assert!(table.contains("CiApplyRole (AWS::IAM::Role)"), "{table}");
        assert!(table.contains("    - "), "{table}");
        assert!(table.contains("    + "), "{table}");
        assert!(table.contains("  [widens access]"), "{table}");
        assert!(!table.contains("CiPlanRole"), "{table}");
    }

    #[test]
    fn the_service_role_covers_every_rendered_type() {
        for t in crate::deploy::replacement::RENDERED_TYPES {
            assert!(
                ci_roles::TYPE_ACTIONS
                    .iter()
                    .any(|(ty, a)| ty == t && !a.is_empty()),
                "{t} is rendered but the CloudFormation service role has no actions for it: add it to TYPE_ACTIONS in src/template/ci_roles.rs"
            );
        }
    }
}
