//! `apply --hot`, and the hot-swap bookkeeping of `plan` and `apply`: the compiled stage
//! and the deployed stack in; the changed functions' code and environment updated
//! directly through Lambda (no change set) and tagged, or the reasons it needs a change
//! set out. `plan` lists the tagged functions (the stack lags); a normal `apply` untags them.

use super::compile::Deployable;
use super::stage::{Code, Session};
use super::{OpsError, Ui};
use crate::deploy::hot::{self, Decision, HotFunction, Templates};
use crate::deploy::lambda::{FunctionApi, FunctionState, HOT_TAG, SdkFunctionApi};
use crate::deploy::plan::{HotSwapped, Plan};
use crate::deploy::run::{self, PlanInput};
use crate::deploy::{DeployError, StackApi, cfn_yaml};
use crate::package::upload;
use futures_util::{StreamExt, TryStreamExt, stream};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// One function `apply --hot` updated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Swapped {
    /// The function's key in the spec.
    pub function: String,
    /// The artifact key it now runs, when its code changed.
    pub code: Option<String>,
    pub env: bool,
    /// The version published for its alias (provisioned functions).
    pub version: Option<String>,
}

/// What a successful hot swap did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HotSwap {
    pub stack: String,
    pub swapped: Vec<Swapped>,
    pub elapsed: Duration,
}

/// The work for one function, checked before anything is changed.
struct Work {
    function: String,
    physical: String,
    state: FunctionState,
    /// (bucket, key) to load, unless it already runs that key.
    code: Option<(String, String)>,
    env: Option<BTreeMap<String, String>>,
    alias: Option<String>,
    /// The artifact key the template names (the tag's value).
    key: String,
}

/// What `try_hot` found.
pub enum Hot {
    Swapped(HotSwap),
    /// Nothing differs.
    NoChanges(Box<Plan>),
    /// A change set is needed; the reasons were shown.
    FallBack,
}

/// Try a hot swap: update the functions directly when code and environment are all that
/// changed, else say which changes force a change set ([`Hot::FallBack`]).
pub async fn try_hot(
    d: &Deployable,
    aws: &crate::deploy::client::AwsOptions,
    code: &Code,
    ui: &dyn Ui,
) -> Result<Hot, OpsError> {
    let start = Instant::now();
    let fall_back = |why: &[String]| {
        ui.note("apply --hot: not hot-swappable, applying a change set instead, because:");
        for w in why {
            ui.note(&format!("  - {w}"));
        }
        Ok(Hot::FallBack)
    };
    let session = Session::open_as(d, aws, code, None).await?;
    let input = session.input(d, aws, code);
    let stack = session.api.describe_stack(input.stack_name).await?;
    let stack_id = match stack {
        Some(s) if updatable(&s.status) => s.stack_id,
        Some(s) => return fall_back(&[format!("stack {} is {}", input.stack_name, s.status)]),
        None => return fall_back(&[format!("stack {} does not exist yet", input.stack_name)]),
    };
    let opts = run::PlanOptions {
        change_set: crate::deploy::preview::ChangeSetMode::Never,
        drift: false,
        ..Default::default()
    };
    let plan = run::plan(&session.api, &input, opts).await?;
    let functions = match hot::decide(&plan, templates(&input)) {
        Decision::NotHot(why) => return fall_back(&why),
        Decision::Hot(f) if f.is_empty() => return Ok(Hot::NoChanges(Box::new(plan))),
        Decision::Hot(f) => f,
    };
    let lambda = SdkFunctionApi::new(&session.config);
    let cx = Cx {
        api: &session.api,
        lambda: &lambda,
        stack_id: &stack_id,
        input: &input,
        d,
    };
    let work = match prepare(&cx, &functions).await? {
        Ok(w) => w,
        Err(why) => return fall_back(&[why]),
    };
    if let Some(b) = code.bucket.as_deref() {
        upload::ensure(&session.config, b, &code.artifacts, &mut |l| ui.note(l)).await?;
    }
    let mut swapped = Vec::new();
    for w in work {
        swapped.push(swap(&lambda, w, ui).await?);
    }
    Ok(Hot::Swapped(HotSwap {
        stack: input.stack_name.to_string(),
        swapped,
        elapsed: start.elapsed(),
    }))
}

/// A stack a hot swap may run on: settled, and not a failed creation or a review.
fn updatable(status: &str) -> bool {
    crate::deploy::is_settled(status)
        && !status.ends_with("_FAILED")
        && !matches!(
            status,
            "REVIEW_IN_PROGRESS" | "ROLLBACK_COMPLETE" | "DELETE_COMPLETE"
        )
}

/// The new templates of `input`: the stack's and, with `--split`, the nested stacks'.
fn templates<'a>(input: &'a PlanInput<'a>) -> Templates<'a> {
    Templates {
        root: input.template.value(),
        nested: input.nested.unwrap_or_default(),
    }
}

struct Cx<'a> {
    api: &'a crate::deploy::aws::SdkStackApi,
    lambda: &'a SdkFunctionApi,
    stack_id: &'a str,
    input: &'a PlanInput<'a>,
    d: &'a Deployable,
}

/// The deployed stack and its nested stacks, each looked up once: their stack IDs and
/// deployed templates.
struct Deployed<'a, A> {
    api: &'a A,
    stack_id: &'a str,
    nested: BTreeMap<String, Option<String>>,
    templates: BTreeMap<String, Value>,
}

impl<'a, A: StackApi> Deployed<'a, A> {
    fn new(api: &'a A, stack_id: &'a str) -> Self {
        Deployed {
            api,
            stack_id,
            nested: BTreeMap::new(),
            templates: BTreeMap::new(),
        }
    }

    /// The stack ID of the stack itself (`None`) or of its nested stack `Some(id)`.
    async fn stack(&mut self, nested: Option<&str>) -> Result<Option<String>, DeployError> {
        let Some(id) = nested else {
            return Ok(Some(self.stack_id.to_string()));
        };
        if !self.nested.contains_key(id) {
            let found = self.api.physical_id(self.stack_id, id).await?;
            self.nested.insert(id.to_string(), found);
        }
        Ok(self.nested[id].clone())
    }

    /// The template deployed in stack `stack_id`.
    async fn template(&mut self, stack_id: &str) -> Result<&Value, DeployError> {
        if !self.templates.contains_key(stack_id) {
            let text = self.api.get_template(stack_id).await?;
            let t = cfn_yaml::parse(&text).map_err(DeployError::BadTemplate)?;
            self.templates.insert(stack_id.to_string(), t);
        }
        Ok(&self.templates[stack_id])
    }
}

/// The spec's name of the function with logical ID `id` (the ID itself if none matches).
fn spec_name(d: &Deployable, id: &str) -> String {
    d.compiled
        .model
        .functions
        .iter()
        .find(|f| crate::model::ids::function(&f.name) == id)
        .map_or_else(|| id.to_string(), |f| f.name.clone())
}

/// What to do for each function, read before changing anything: `Ok(Err(why))` when one
/// of them needs CloudFormation after all (an environment value it must resolve).
async fn prepare(
    cx: &Cx<'_>,
    functions: &[HotFunction],
) -> Result<Result<Vec<Work>, String>, OpsError> {
    let mut deployed = Deployed::new(cx.api, cx.stack_id);
    let mut out = Vec::new();
    for f in functions {
        match work(cx, &mut deployed, f).await? {
            Ok(Some(w)) => out.push(w),
            Ok(None) => {}
            Err(why) => return Ok(Err(format!("{}: {why}", f.logical_id))),
        }
    }
    Ok(Ok(out))
}

/// What to do for function `f` (`None`: it already runs the new code and environment),
/// or why CloudFormation must do it.
async fn work<A: StackApi>(
    cx: &Cx<'_>,
    deployed: &mut Deployed<'_, A>,
    f: &HotFunction,
) -> Result<Result<Option<Work>, String>, OpsError> {
    let id = f.logical_id.as_str();
    let missing = || {
        OpsError::Usage(format!(
            "function {id} is not in stack {}: run `fnplan apply`",
            cx.input.stack_name
        ))
    };
    let (nested, local) = hot::split_id(id);
    let stack = deployed.stack(nested).await?.ok_or_else(missing)?;
    let physical = cx
        .api
        .physical_id(&stack, local)
        .await?
        .ok_or_else(missing)?;
    let state = cx
        .lambda
        .get_function(&physical)
        .await?
        .ok_or_else(missing)?;
    let (new, _) = templates(cx.input).locate(id);
    let parameters = match nested {
        Some(s) => hot::nested_parameters(cx.input.template.value(), s, &cx.input.parameters),
        None => cx.input.parameters.clone(),
    };
    let code = match &f.code {
        Some((_, k)) if state.hot_swapped() == Some(k.as_str()) => None,
        Some((bucket, k)) => match hot::resolve_bucket(bucket, &parameters) {
            Some(b) => Some((b, k.clone())),
            None => return Ok(Err("Properties.Code.S3Bucket is not a name".into())),
        },
        None => None,
    };
    let env = if f.env {
        let before = hot::template_env(deployed.template(&stack).await?, local);
        match hot::new_env(&before, &hot::template_env(new, local), &state.env) {
            Ok(e) if e == state.env => None,
            Ok(e) => Some(e),
            Err(why) => return Ok(Err(why)),
        }
    } else {
        None
    };
    if code.is_none() && env.is_none() {
        return Ok(Ok(None));
    }
    Ok(Ok(Some(Work {
        function: spec_name(cx.d, local),
        physical,
        key: new["Resources"][local]["Properties"]["Code"]["S3Key"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        state,
        code,
        env,
        alias: f.alias.clone(),
    })))
}

/// Update one function: code, environment, version and alias, then the tag.
async fn swap(lambda: &impl FunctionApi, w: Work, ui: &dyn Ui) -> Result<Swapped, DeployError> {
    if let Some((bucket, key)) = &w.code {
        lambda.update_code(&w.physical, bucket, key).await?;
        lambda.wait_updated(&w.physical).await?;
    }
    if let Some(env) = &w.env {
        lambda.update_env(&w.physical, env).await?;
        lambda.wait_updated(&w.physical).await?;
    }
    let version = match &w.alias {
        Some(alias) => {
            let v = lambda.publish_version(&w.physical).await?;
            lambda.update_alias(&w.physical, alias, &v).await?;
            Some(v)
        }
        None => None,
    };
    lambda.tag(&w.state.arn, HOT_TAG, &w.key).await?;
    ui.note(&format!("hot-swapped {} ({})", w.function, w.physical));
    Ok(Swapped {
        function: w.function,
        code: w.code.map(|(_, k)| k),
        env: w.env.is_some(),
        version,
    })
}

/// A stack whose functions are checked for hot-swap tags: the stack itself or one of its
/// nested stacks (`--split`), with a template of it and the parameters it gets.
struct Scope<'t> {
    /// The nested stack's logical ID in the parent; `None` for the stack itself.
    nested: Option<String>,
    stack_id: String,
    template: std::borrow::Cow<'t, Value>,
    parameters: Vec<(String, String)>,
}

impl Scope<'_> {
    /// Function `local`'s ID as plans name it: `Stack/Id` inside a nested stack.
    fn id(&self, local: &str) -> String {
        match &self.nested {
            Some(s) => format!("{s}/{local}"),
            None => local.to_string(),
        }
    }
}

/// The functions of the deployed stack `stack_id` (and its nested stacks) that a hot swap
/// left ahead of it.
pub async fn lagging(
    api: &impl StackApi,
    lambda: &impl FunctionApi,
    stack_id: &str,
    d: &Deployable,
) -> Result<Vec<HotSwapped>, DeployError> {
    let scopes = deployed_scopes(api, stack_id).await?;
    let mut out = Vec::new();
    for (i, local, state) in tagged(api, lambda, &scopes).await? {
        let Some(artifact) = state.hot_swapped() else {
            continue;
        };
        let code = &scopes[i].template["Resources"][&local]["Properties"]["Code"];
        out.push(HotSwapped {
            function: spec_name(d, &local),
            logical_id: scopes[i].id(&local),
            artifact: artifact.to_string(),
            stack_artifact: code["S3Key"].as_str().map(str::to_string),
        });
    }
    Ok(out)
}

/// The deployed stack `stack_id` and the nested stacks its template names, each with the
/// template deployed in it.
async fn deployed_scopes(
    api: &impl StackApi,
    stack_id: &str,
) -> Result<Vec<Scope<'static>>, DeployError> {
    let parse = |text: String| cfn_yaml::parse(&text).map_err(DeployError::BadTemplate);
    let root = parse(api.get_template(stack_id).await?)?;
    let found: Vec<Option<Scope>> = stream::iter(nested_ids(&root))
        .map(|id| async move {
            let Some(nested_id) = api.physical_id(stack_id, &id).await? else {
                return Ok(None);
            };
            Ok::<_, DeployError>(Some(Scope {
                template: std::borrow::Cow::Owned(parse(api.get_template(&nested_id).await?)?),
                nested: Some(id),
                stack_id: nested_id,
                parameters: Vec::new(),
            }))
        })
        .buffered(8)
        .try_collect()
        .await?;
    let mut scopes = vec![Scope {
        nested: None,
        stack_id: stack_id.to_string(),
        template: std::borrow::Cow::Owned(root),
        parameters: Vec::new(),
    }];
    scopes.extend(found.into_iter().flatten());
    Ok(scopes)
}

/// The logical IDs of the nested stacks (`AWS::CloudFormation::Stack`) in `template`.
fn nested_ids(template: &Value) -> Vec<String> {
    resources_of(template, "AWS::CloudFormation::Stack")
}

/// The logical IDs of the resources of type `kind` in `template`.
fn resources_of(template: &Value, kind: &str) -> Vec<String> {
    template
        .get("Resources")
        .and_then(Value::as_object)
        .map(|r| {
            r.iter()
                .filter(|(_, v)| v["Type"] == kind)
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// The functions of each scope's template that carry the hot-swap tag: (the scope's
/// index, the function's logical ID in it, its state).
async fn tagged(
    api: &impl StackApi,
    lambda: &impl FunctionApi,
    scopes: &[Scope<'_>],
) -> Result<Vec<(usize, String, FunctionState)>, DeployError> {
    let ids: Vec<(usize, String)> = scopes
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            resources_of(&s.template, "AWS::Lambda::Function")
                .into_iter()
                .map(move |id| (i, id))
        })
        .collect();
    // One DescribeStackResource and one GetFunction per function: a few at a time, so a
    // large stack does not wait on them one by one (Lambda's read APIs allow far more).
    let states: Vec<Option<(usize, String, FunctionState)>> = stream::iter(ids)
        .map(|(i, id)| async move {
            let state = tag_of(api, lambda, &scopes[i].stack_id, &id).await?;
            Ok::<_, DeployError>(state.map(|s| (i, id, s)))
        })
        .buffered(8)
        .try_collect()
        .await?;
    Ok(states.into_iter().flatten().collect())
}

/// Function `id` of stack `stack_id` with its state, when it carries the hot-swap tag.
async fn tag_of(
    api: &impl StackApi,
    lambda: &impl FunctionApi,
    stack_id: &str,
    id: &str,
) -> Result<Option<FunctionState>, DeployError> {
    // A function the stack does not have (never created) has no tag to read; moto
    // answers DescribeStackResource for some of those with an error, not "none".
    let physical = match api.physical_id(stack_id, id).await {
        Ok(Some(p)) => p,
        Ok(None) | Err(DeployError::Aws(crate::aws_error::AwsError::Service { .. })) => {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    Ok(lambda
        .get_function(&physical)
        .await?
        .filter(|s| s.hot_swapped().is_some()))
}

/// The stack `stack_id` just deployed from `input` and its nested stacks, each with the
/// template `input` gave it.
async fn applied_scopes<'a>(
    api: &impl StackApi,
    stack_id: &str,
    input: &'a PlanInput<'a>,
) -> Result<Vec<Scope<'a>>, DeployError> {
    let root = input.template.value();
    let mut scopes = vec![Scope {
        nested: None,
        stack_id: stack_id.to_string(),
        template: std::borrow::Cow::Borrowed(root),
        parameters: input.parameters.clone(),
    }];
    for n in input.nested.unwrap_or_default() {
        if let Some(nested_id) = api.physical_id(stack_id, &n.logical_id).await? {
            scopes.push(Scope {
                nested: Some(n.logical_id.clone()),
                stack_id: nested_id,
                template: std::borrow::Cow::Borrowed(n.template.value()),
                parameters: hot::nested_parameters(root, &n.logical_id, &input.parameters),
            });
        }
    }
    Ok(scopes)
}

/// After a normal apply of `input`: the stack names each function's code again, so remove
/// the hot-swap tags. A function whose code, environment or alias version differ from what
/// the stack names (the spec went back to what the stack had, so CloudFormation changed
/// nothing) gets the stack's back first.
pub async fn clear(
    session: &Session,
    input: &PlanInput<'_>,
    ui: &dyn Ui,
) -> Result<(), DeployError> {
    let Some(info) = session.api.describe_stack(input.stack_name).await? else {
        return Ok(());
    };
    let lambda = SdkFunctionApi::new(&session.config);
    let scopes = applied_scopes(&session.api, &info.stack_id, input).await?;
    for (i, local, state) in tagged(&session.api, &lambda, &scopes).await? {
        let scope = &scopes[i];
        let cx = Back {
            lambda: &lambda,
            template: &scope.template,
            parameters: &scope.parameters,
            ui,
        };
        // A provisioned function's alias goes back to the stack's version of it.
        if put_back(&cx, &local, &state).await?
            && let Some((alias, version)) = hot::alias_version(&scope.template, &local)
            && let Some(arn) = session.api.physical_id(&scope.stack_id, &version).await?
            && let Some(number) = arn.rsplit(':').next()
        {
            lambda.update_alias(&state.arn, &alias, number).await?;
        }
        lambda.untag(&state.arn, HOT_TAG).await?;
        ui.note(&format!(
            "{}: the stack names its live code again (hot-swap tag removed)",
            scope.id(&local)
        ));
    }
    Ok(())
}

/// What [`put_back`] needs: Lambda and the deployed stack's template.
struct Back<'a, L> {
    lambda: &'a L,
    template: &'a Value,
    parameters: &'a [(String, String)],
    ui: &'a dyn Ui,
}

/// Give function `id` the code and environment the stack's template names where a hot
/// swap left others; `true` when it changed anything.
async fn put_back<L: FunctionApi>(
    cx: &Back<'_, L>,
    id: &str,
    state: &FunctionState,
) -> Result<bool, DeployError> {
    let name = state.arn.as_str();
    let code = &cx.template["Resources"][id]["Properties"]["Code"];
    let key = code["S3Key"].as_str().unwrap_or_default();
    let bucket = hot::resolve_bucket(&code["S3Bucket"], cx.parameters);
    let mut changed = false;
    if let (Some(b), false) = (bucket, state.hot_swapped() == Some(key)) {
        cx.lambda.update_code(name, &b, key).await?;
        cx.lambda.wait_updated(name).await?;
        changed = true;
    }
    match hot::stack_env(&hot::template_env(cx.template, id), &state.env) {
        Ok(env) if env != state.env => {
            cx.lambda.update_env(name, &env).await?;
            cx.lambda.wait_updated(name).await?;
            changed = true;
        }
        Ok(_) => {}
        Err(why) => cx.ui.note(&format!(
            "warning: {id}: its environment may differ from the stack's: {why}"
        )),
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Records the calls; every function exists.
    #[derive(Default)]
    struct Fake {
        calls: RefCell<Vec<String>>,
    }

    impl FunctionApi for Fake {
        async fn get_function(&self, _: &str) -> Result<Option<FunctionState>, DeployError> {
            Ok(Some(FunctionState::default()))
        }
        async fn update_code(&self, n: &str, b: &str, k: &str) -> Result<(), DeployError> {
            self.calls.borrow_mut().push(format!("code {n} {b}/{k}"));
            Ok(())
        }
        async fn update_env(
            &self,
            n: &str,
            e: &BTreeMap<String, String>,
        ) -> Result<(), DeployError> {
            self.calls.borrow_mut().push(format!("env {n} {e:?}"));
            Ok(())
        }
        async fn wait_updated(&self, _: &str) -> Result<(), DeployError> {
            Ok(())
        }
        async fn publish_version(&self, n: &str) -> Result<String, DeployError> {
            self.calls.borrow_mut().push(format!("publish {n}"));
            Ok("7".into())
        }
        async fn update_alias(&self, n: &str, a: &str, v: &str) -> Result<(), DeployError> {
            self.calls.borrow_mut().push(format!("alias {n} {a}={v}"));
            Ok(())
        }
        async fn tag(&self, arn: &str, k: &str, v: &str) -> Result<(), DeployError> {
            self.calls.borrow_mut().push(format!("tag {arn} {k}={v}"));
            Ok(())
        }
        async fn untag(&self, arn: &str, k: &str) -> Result<(), DeployError> {
            self.calls.borrow_mut().push(format!("untag {arn} {k}"));
            Ok(())
        }
    }

    struct Quiet;
    impl Ui for Quiet {
        fn note(&self, _: &str) {}
        fn preview(&self, _: super::super::Preview<'_>) -> std::io::Result<()> {
            Ok(())
        }
        fn confirm(&self, _: &str) -> Option<bool> {
            None
        }
        fn progress(&self) -> (crate::deploy::follow::Progress, bool) {
            (crate::deploy::follow::Progress::Plain, false)
        }
        fn events(&self) -> Box<dyn std::io::Write + '_> {
            Box::new(std::io::sink())
        }
    }

    #[test]
    fn a_provisioned_function_gets_a_new_version_behind_its_alias_then_the_tag() {
        let fake = Fake::default();
        let w = Work {
            function: "health".into(),
            physical: "a-dev-health".into(),
            state: FunctionState {
                arn: "arn:f".into(),
                ..FunctionState::default()
            },
            code: Some(("art".into(), "k2.zip".into())),
            env: Some(BTreeMap::from([("L".into(), "debug".into())])),
            alias: Some("live".into()),
            key: "k2.zip".into(),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let s = rt.block_on(swap(&fake, w, &Quiet)).expect("swapped");
        assert_eq!(s.version.as_deref(), Some("7"));
        assert_eq!(
            fake.calls.into_inner(),
            [
                "code a-dev-health art/k2.zip",
                "env a-dev-health {\"L\": \"debug\"}",
                "publish a-dev-health",
                "alias a-dev-health live=7",
                "tag arn:f fnplan:hot-swapped=k2.zip",
            ]
        );
    }

    /// The spec went back to the stack's code and environment after a hot swap:
    /// CloudFormation changes nothing, so fnplan puts them back itself.
    #[test]
    fn a_reverted_function_gets_the_stacks_code_and_environment_back() {
        let template = serde_json::json!({ "Resources": { "AFunction": { "Properties": {
            "Code": { "S3Bucket": "art", "S3Key": "k1.zip" },
            "Environment": { "Variables": { "L": "info", "T": { "Ref": "Table" } } },
        } } } });
        let state = |key: &str, level: &str| FunctionState {
            arn: "arn:f".into(),
            env: BTreeMap::from([("L".into(), level.into()), ("T".into(), "orders-1".into())]),
            tags: BTreeMap::from([(HOT_TAG.into(), key.into())]),
            ..FunctionState::default()
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let fake = Fake::default();
        let cx = Back {
            lambda: &fake,
            template: &template,
            parameters: &[],
            ui: &Quiet,
        };
        let changed = rt.block_on(put_back(&cx, "AFunction", &state("k2.zip", "debug")));
        assert!(changed.expect("put back"));
        assert_eq!(
            fake.calls.take(),
            [
                "code arn:f art/k1.zip",
                "env arn:f {\"L\": \"info\", \"T\": \"orders-1\"}",
            ]
        );
        // Already what the stack names (CloudFormation updated it): nothing to do.
        let changed = rt.block_on(put_back(&cx, "AFunction", &state("k1.zip", "info")));
        assert!(!changed.expect("nothing"));
        assert!(fake.calls.take().is_empty());
    }
}
