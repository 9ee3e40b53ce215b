//! `apply --hot`, and the hot-swap bookkeeping of `plan` and `apply`: the compiled stage
//! and the deployed stack in; the changed functions' code and environment updated
//! directly through Lambda (no change set) and tagged, or the reasons it needs a change
//! set out. `plan` lists the tagged functions (the stack lags); a normal `apply` untags them.

use super::compile::Deployable;
use super::stage::{Code, Session};
use super::{OpsError, Ui};
use crate::deploy::hot::{self, Decision, HotFunction};
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
    if d.split.is_some() {
        return fall_back(&["--split stacks are not hot-swapped".into()]);
    }
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
    let functions = match hot::decide(&plan, input.template.value()) {
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

struct Cx<'a> {
    api: &'a crate::deploy::aws::SdkStackApi,
    lambda: &'a SdkFunctionApi,
    stack_id: &'a str,
    input: &'a PlanInput<'a>,
    d: &'a Deployable,
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
    let new = cx.input.template.value();
    let mut old: Option<Value> = None;
    let mut out = Vec::new();
    for f in functions {
        let id = &f.logical_id;
        let missing = || {
            OpsError::Usage(format!(
                "function {id} is not in stack {}: run `fnplan apply`",
                cx.input.stack_name
            ))
        };
        let physical = cx
            .api
            .physical_id(cx.stack_id, id)
            .await?
            .ok_or_else(missing)?;
        let state = cx
            .lambda
            .get_function(&physical)
            .await?
            .ok_or_else(missing)?;
        let key = new["Resources"][id]["Properties"]["Code"]["S3Key"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let code = match &f.code {
            Some((_, k)) if state.hot_swapped() == Some(k.as_str()) => None,
            Some((bucket, k)) => match hot::resolve_bucket(bucket, &cx.input.parameters) {
                Some(b) => Some((b, k.clone())),
                None => return Ok(Err(format!("{id}: Properties.Code.S3Bucket is not a name"))),
            },
            None => None,
        };
        let env = if f.env {
            if old.is_none() {
                let text = cx.api.get_template(cx.stack_id).await?;
                old = Some(cfn_yaml::parse(&text).map_err(DeployError::BadTemplate)?);
            }
            let before = hot::template_env(old.as_ref().unwrap_or(&Value::Null), id);
            match hot::new_env(&before, &hot::template_env(new, id), &state.env) {
                Ok(e) if e == state.env => None,
                Ok(e) => Some(e),
                Err(why) => return Ok(Err(format!("{id}: {why}"))),
            }
        } else {
            None
        };
        if code.is_none() && env.is_none() {
            continue;
        }
        out.push(Work {
            function: spec_name(cx.d, id),
            physical,
            state,
            code,
            env,
            alias: f.alias.clone(),
            key,
        });
    }
    Ok(Ok(out))
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

/// The functions of the deployed stack `stack_id` that a hot swap left ahead of it.
pub async fn lagging(
    api: &impl StackApi,
    lambda: &impl FunctionApi,
    stack_id: &str,
    d: &Deployable,
) -> Result<Vec<HotSwapped>, DeployError> {
    let text = api.get_template(stack_id).await?;
    let deployed = cfn_yaml::parse(&text).map_err(DeployError::BadTemplate)?;
    let mut out = Vec::new();
    for (id, state) in tagged(api, lambda, stack_id, &deployed).await? {
        let Some(artifact) = state.hot_swapped() else {
            continue;
        };
        out.push(HotSwapped {
            function: spec_name(d, &id),
            logical_id: id.clone(),
            artifact: artifact.to_string(),
            stack_artifact: deployed["Resources"][&id]["Properties"]["Code"]["S3Key"]
                .as_str()
                .map(str::to_string),
        });
    }
    Ok(out)
}

/// The functions of `template` in stack `stack_id` that carry the hot-swap tag, with
/// their state and physical name.
async fn tagged(
    api: &impl StackApi,
    lambda: &impl FunctionApi,
    stack_id: &str,
    template: &Value,
) -> Result<Vec<(String, FunctionState)>, DeployError> {
    let ids: Vec<&String> = template
        .get("Resources")
        .and_then(Value::as_object)
        .map(|r| {
            r.iter()
                .filter(|(_, v)| v["Type"] == "AWS::Lambda::Function")
                .map(|(k, _)| k)
                .collect()
        })
        .unwrap_or_default();
    // One DescribeStackResource and one GetFunction per function: a few at a time, so a
    // large stack does not wait on them one by one (Lambda's read APIs allow far more).
    let states: Vec<Option<(String, FunctionState)>> = stream::iter(ids)
        .map(|id| tag_of(api, lambda, stack_id, id))
        .buffered(8)
        .try_collect()
        .await?;
    let out = states.into_iter().flatten().collect();
    Ok(out)
}

/// Function `id` of the stack with its state, when it carries the hot-swap tag.
async fn tag_of(
    api: &impl StackApi,
    lambda: &impl FunctionApi,
    stack_id: &str,
    id: &str,
) -> Result<Option<(String, FunctionState)>, DeployError> {
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
        .filter(|s| s.hot_swapped().is_some())
        .map(|s| (id.to_string(), s)))
}

/// After a normal apply: the stack names each function's code again, so remove the
/// hot-swap tags. A function whose code, environment or alias version differ from what
/// the stack names (the spec went back to what the stack had, so CloudFormation changed
/// nothing) gets the stack's back first.
pub async fn clear(
    session: &Session,
    stack: &str,
    template: &Value,
    parameters: &[(String, String)],
    ui: &dyn Ui,
) -> Result<(), DeployError> {
    let Some(info) = session.api.describe_stack(stack).await? else {
        return Ok(());
    };
    let lambda = SdkFunctionApi::new(&session.config);
    let cx = Back {
        lambda: &lambda,
        template,
        parameters,
        ui,
    };
    for (id, state) in tagged(&session.api, &lambda, &info.stack_id, template).await? {
        // A provisioned function's alias goes back to the stack's version of it.
        if put_back(&cx, &id, &state).await?
            && let Some((alias, version)) = hot::alias_version(template, &id)
            && let Some(arn) = session.api.physical_id(&info.stack_id, &version).await?
            && let Some(number) = arn.rsplit(':').next()
        {
            lambda.update_alias(&state.arn, &alias, number).await?;
        }
        lambda.untag(&state.arn, HOT_TAG).await?;
        ui.note(&format!(
            "{id}: the stack names its live code again (hot-swap tag removed)"
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
