//! Plan orchestration: the rendered template, the spec's bytes and a [`StackApi`] in, a
//! [`Plan`] out: read the stack, diff the templates, ask CloudFormation for a change set
//! and merge its verdict with fnplan's prediction.

use super::plan::{ChangeSetInfo, Plan, StackState};
use super::preview::{self, ChangeSetMode, Decision};
use super::timings::Timings;
use super::{
    ChangeSetRequest, ChangeSetType, Created, DeployError, StackApi, cfn_yaml, diff, drift,
};
use crate::template::Template;
use crate::template::split::{Nested, Split};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

pub struct PlanInput<'a> {
    pub app: &'a str,
    pub stage: &'a str,
    pub stack_name: &'a str,
    pub region: Option<String>,
    pub template: &'a Template,
    pub spec_bytes: &'a [u8],
    /// The spec's path as given (recorded in saved plans).
    pub spec_path: String,
    /// Template parameters (ArtifactBucket, ...).
    pub parameters: Vec<(String, String)>,
    /// The template's S3 URL when it is over CloudFormation's inline limit
    /// (see [`crate::limits::INLINE_TEMPLATE_BYTES`]).
    pub template_url: Option<String>,
    /// Stack tags (the spec's `tags`).
    pub tags: Vec<(String, String)>,
    /// With `--split`: the nested stacks whose `AWS::CloudFormation::Stack` resources are
    /// in `template` (with their S3 URLs); their contents are diffed too.
    pub nested: Option<&'a [Nested]>,
    /// The spec's `renamed_from:` moves ([`crate::template::moves`]).
    pub moves: Vec<crate::template::Move>,
}

impl<'a> PlanInput<'a> {
    /// Deploy `parent` (with its `TemplateURL`s filled in) and the nested stacks of `split`.
    pub fn nest(&mut self, parent: &'a Template, split: &'a Split) {
        self.template = parent;
        self.nested = Some(&split.children);
    }
}

#[derive(Clone, Copy, Debug)]
pub struct PlanOptions {
    /// When to ask CloudFormation for a change set (`--change-set`; see [`preview::decide`]).
    pub change_set: ChangeSetMode,
    /// Keep it for a later `apply plan.json`.
    pub keep_change_set: bool,
    /// How long to wait for the change set.
    pub wait: Duration,
    /// Detect drift on a deployed stack (default on; `--no-drift` turns it off).
    pub drift: bool,
    /// How long to wait for drift detection, counted from its start; a detection still
    /// running then is reported as not checked.
    pub drift_wait: Duration,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            change_set: ChangeSetMode::Auto,
            keep_change_set: false,
            wait: Duration::from_secs(300),
            drift: true,
            drift_wait: Duration::from_secs(120),
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where a template over CloudFormation's inline limit goes before a change set is made
/// of it. Asked only when a change set is made: a plan that skips it stages nothing.
#[allow(async_fn_in_trait)]
pub trait Stager {
    /// The S3 URL of template `body`, or `None` to send it inline.
    async fn template_url(&self, body: &str) -> Result<Option<String>, DeployError>;
}

/// No staging: the template goes inline, or by the `template_url` already in the input.
pub struct Inline;

impl Stager for Inline {
    async fn template_url(&self, _body: &str) -> Result<Option<String>, DeployError> {
        Ok(None)
    }
}

/// Build the plan of `input` against the stack `input.stack_name`.
pub async fn plan(
    api: &impl StackApi,
    input: &PlanInput<'_>,
    opts: PlanOptions,
) -> Result<Plan, DeployError> {
    plan_timed(api, input, &Inline, opts, &Timings::default()).await
}

/// [`plan`], staging the template with `stager` when a change set is made, and recording
/// each step's wall time in `t`. Independent calls run concurrently: the stack and its
/// template are read together (by stack name), and drift detection runs while
/// CloudFormation makes the change set.
pub async fn plan_timed(
    api: &impl StackApi,
    input: &PlanInput<'_>,
    stager: &impl Stager,
    opts: PlanOptions,
    t: &Timings,
) -> Result<Plan, DeployError> {
    let body = t.time_sync("serialize template", || input.template.to_compact_json());
    let mut plan = new_plan(input, &body);
    if opts.change_set != ChangeSetMode::Never {
        check_parameters(input)?;
    }
    let (stack, prefetched) = read_stack(api, input.stack_name, t).await?;
    // A stack left in REVIEW_IN_PROGRESS by a change set that never ran holds nothing.
    let live = stack.as_ref().filter(|s| s.status != "REVIEW_IN_PROGRESS");
    plan.stack = stack_state(stack.as_ref(), live.is_some());
    let old = deployed(api, live, input, prefetched, &mut plan, t).await?;
    let mut changes = t.time_sync("diff", || {
        diff::plan_changes(old.as_ref(), input.template.value())
    });
    let nested = input.nested.unwrap_or_default();
    let nested_ids = t
        .time(
            "nested stacks",
            nested_changes(api, live, old.as_ref(), nested, &mut changes),
        )
        .await?;
    if let Some(s) = live {
        let retained = left_behind(api, &s.stack_id, &mut changes.changes);
        t.time("retained physical ids", retained).await?;
    }
    set_changes(&mut plan, changes);
    let decision = preview::decide(&preview::Situation {
        mode: opts.change_set,
        live,
        keep: opts.keep_change_set,
        moves: !plan.moves.is_empty(),
        has_changes: plan.has_changes(),
        parameters: &input.parameters,
        tags: &input.tags,
    });
    let make = decision == Decision::Make;
    if let Decision::Skip(why) = decision {
        plan.change_set_skipped = Some(why);
    }
    // Drift detection starts while CloudFormation makes the change set, and is collected
    // once the change set is read.
    let drifted = async {
        match live {
            Some(s) if opts.drift => Some(
                t.time("drift start", drift::start(api, s, &nested_ids))
                    .await,
            ),
            _ => None,
        }
    };
    let previewed = async {
        if !make {
            return Ok(None);
        }
        let mut req = change_set_request(input, &plan, live.is_some(), body);
        if req.template_url.is_none() {
            let staged = stager.template_url(&req.template_body);
            req.template_url = t.time("stage template", staged).await?;
        }
        change_set(api, &req, &stack, live.is_some(), opts, t)
            .await
            .map(Some)
    };
    let (drift, cs) = tokio::join!(drifted, previewed);
    match cs? {
        Some(Previewed::Listed(cs)) => plan.change_set = Some(cs),
        Some(Previewed::Empty(why)) => plan.change_set_empty = Some(why),
        None => {}
    }
    if let Some(cs) = plan.change_set.clone() {
        merge_verdicts(&mut plan, &cs);
    }
    if let Some(pending) = drift {
        let finish = drift::finish(api, pending, opts.drift_wait, &plan);
        plan.drift = Some(t.time("drift wait", finish).await);
    }
    Ok(plan)
}

/// Put the diff's findings in the plan, secrets masked (plans end up in CI logs and PR
/// comments).
fn set_changes(plan: &mut Plan, changes: diff::PlanChanges) {
    plan.changes = changes.changes;
    plan.unchanged = changes.unchanged;
    plan.outputs = changes.outputs;
    plan.iam = changes.iam;
    super::mask::mask_plan(plan);
}

/// The stack and, read at the same time by the stack's name, its template (`None` when
/// that read failed: no stack, or one in review; [`deployed`] then reads it by ID if
/// the stack is live after all).
async fn read_stack(
    api: &impl StackApi,
    name: &str,
    t: &Timings,
) -> Result<(Option<super::StackInfo>, Option<String>), DeployError> {
    let (stack, template) = tokio::join!(
        t.time("describe stack", api.describe_stack(name)),
        t.time("get template", api.get_template(name)),
    );
    Ok((stack?, template.ok()))
}

/// The plan's header: what is planned, from which spec and template.
fn new_plan(input: &PlanInput<'_>, body: &str) -> Plan {
    Plan {
        format_version: super::plan::FORMAT_VERSION,
        app: input.app.to_string(),
        stage: input.stage.to_string(),
        stack_name: input.stack_name.to_string(),
        region: input.region.clone(),
        spec_sha256: sha256_hex(input.spec_bytes),
        spec_path: input.spec_path.clone(),
        template_sha256: sha256_hex(body.as_bytes()),
        split: input.nested.is_some(),
        ..Plan::default()
    }
}

fn stack_state(stack: Option<&super::StackInfo>, live: bool) -> StackState {
    match stack {
        Some(s) => StackState {
            exists: live,
            stack_id: Some(s.stack_id.clone()),
            status: Some(s.status.clone()),
            last_updated: s.last_updated.clone(),
        },
        None => StackState::default(),
    }
}

/// CloudFormation's own verdict: the change set of `req`. A stack in review (left by an
/// earlier, unexecuted change set) is removed first so that a new stack is created by
/// name; a change set on a stack that did not exist, when not kept, takes the empty
/// stack it made with it.
async fn change_set(
    api: &impl StackApi,
    req: &ChangeSetRequest,
    stack: &Option<super::StackInfo>,
    live: bool,
    opts: PlanOptions,
    t: &Timings,
) -> Result<Previewed, DeployError> {
    if let (false, Some(review)) = (live, stack) {
        discard_review_stack(api, &review.stack_id).await?;
    }
    let cs = preview(api, req, opts, t).await?;
    let kept = matches!(&cs, Previewed::Listed(c) if c.kept);
    if !live
        && !kept
        && let Some(s) = api.describe_stack(&req.stack).await?
        && s.status == "REVIEW_IN_PROGRESS"
    {
        discard_review_stack(api, &s.stack_id).await?;
    }
    Ok(cs)
}

/// The deployed template as `apply` will find it: after the stack refactor of the spec's
/// `renamed_from:` moves (recorded in `plan.moves`); `None` without a live stack.
/// `prefetched` is the template read by stack name alongside the stack itself.
async fn deployed(
    api: &impl StackApi,
    live: Option<&super::StackInfo>,
    input: &PlanInput<'_>,
    prefetched: Option<String>,
    plan: &mut Plan,
    t: &Timings,
) -> Result<Option<serde_json::Value>, DeployError> {
    let Some(s) = live else { return Ok(None) };
    let text = match prefetched {
        Some(text) => text,
        None => {
            t.time("get template (by id)", api.get_template(&s.stack_id))
                .await?
        }
    };
    let parsed = t.time_sync("parse template", || cfn_yaml::parse(&text));
    let t = parsed.map_err(DeployError::BadTemplate)?;
    let (moved, done) = super::refactor::rename(&t, &input.moves);
    plan.moves = done;
    Ok(Some(moved))
}

/// The physical IDs of retained resources the plan deletes from the top-level stack:
/// they stay in the account, and the plan names them.
async fn left_behind(
    api: &impl StackApi,
    stack_id: &str,
    changes: &mut [super::plan::ResourceChange],
) -> Result<(), DeployError> {
    let kept = |c: &super::plan::ResourceChange| {
        c.action == super::plan::Action::Delete && c.retained && !c.logical_id.contains('/')
    };
    for c in changes.iter_mut().filter(|c| kept(c)) {
        c.physical_id = api.physical_id(stack_id, &c.logical_id).await?;
    }
    Ok(())
}

/// Parameters without a default need a value before CloudFormation will preview.
fn check_parameters(input: &PlanInput<'_>) -> Result<(), DeployError> {
    let value = input.template.value();
    let params = value.get("Parameters").and_then(|p| p.as_object());
    for (name, def) in params.into_iter().flatten() {
        let given = input.parameters.iter().any(|(k, _)| k == name);
        if def.get("Default").is_none() && !given {
            return Err(DeployError::MissingParameter(name.clone()));
        }
    }
    Ok(())
}

/// The change set that previews `plan`: an update of a live stack, else a create.
fn change_set_request(
    input: &PlanInput<'_>,
    plan: &Plan,
    live: bool,
    body: String,
) -> ChangeSetRequest {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    ChangeSetRequest {
        // By name: CloudFormation accepts it for both types (moto only accepts names);
        // the change set itself is then always addressed by its ARN.
        stack: input.stack_name.to_string(),
        // Unique per plan: the template's hash and the time.
        name: format!("fnplan-{}-{now}", &plan.template_sha256[..12]),
        kind: if live {
            ChangeSetType::Update
        } else {
            ChangeSetType::Create
        },
        template_body: body,
        template_url: input.template_url.clone(),
        parameters: input.parameters.clone(),
        tags: input.tags.clone(),
        description: format!("fnplan plan of {} ({})", input.app, input.stage),
    }
}

/// Add to `changes` what changes inside each nested stack, against the template deployed
/// in it, and everything inside a nested stack the parent no longer has. Returns the
/// deployed nested stacks as `(logical ID, stack ID)`.
async fn nested_changes(
    api: &impl StackApi,
    live: Option<&super::StackInfo>,
    old: Option<&serde_json::Value>,
    nested: &[Nested],
    changes: &mut diff::PlanChanges,
) -> Result<Vec<(String, String)>, DeployError> {
    let old_stacks: Vec<&str> = old
        .and_then(|t| t.get("Resources"))
        .and_then(serde_json::Value::as_object)
        .map(|r| {
            r.iter()
                .filter(|(_, v)| v["Type"] == "AWS::CloudFormation::Stack")
                .map(|(k, _)| k.as_str())
                .collect()
        })
        .unwrap_or_default();
    let empty = serde_json::json!({ "Resources": {} });
    let news = nested
        .iter()
        .map(|n| (n.logical_id.as_str(), n.template.value()));
    let gone = old_stacks
        .iter()
        .filter(|id| !nested.iter().any(|n| n.logical_id == **id))
        .map(|id| (*id, &empty));
    let mut ids = Vec::new();
    for (id, new) in news.chain(gone) {
        let deployed = match live {
            Some(s) if old_stacks.contains(&id) => match api.physical_id(&s.stack_id, id).await? {
                Some(nested_id) => {
                    let text = api.get_template(&nested_id).await?;
                    ids.push((id.to_string(), nested_id));
                    Some(cfn_yaml::parse(&text).map_err(DeployError::BadTemplate)?)
                }
                None => None,
            },
            _ => None,
        };
        let inputs = changed_parameters(changes, id);
        let nested = diff::plan_changes_with(deployed.as_ref(), new, &inputs);
        diff::merge_nested(changes, id, nested);
    }
    Ok(ids)
}

/// The parameters the parent passes nested stack `id` with a new value: changed text,
/// or the same `Ref`/`Fn::GetAtt` of a resource that is replaced.
fn changed_parameters(changes: &diff::PlanChanges, id: &str) -> Vec<diff::Input> {
    let Some(stack) = changes.changes.iter().find(|c| c.logical_id == id) else {
        return Vec::new();
    };
    let mut out: Vec<diff::Input> = Vec::new();
    for p in &stack.properties {
        let Some(rest) = p.path.strip_prefix("Properties.Parameters.") else {
            continue;
        };
        let parameter = rest.split(['.', '[']).next().unwrap_or(rest).to_string();
        let reason = match &p.known_after_apply {
            Some(why) => why.clone(),
            None => format!("the parent stack passes a new {parameter}"),
        };
        if !out.iter().any(|i| i.parameter == parameter) {
            out.push(diff::Input { parameter, reason });
        }
    }
    out
}

/// Delete an empty stack in REVIEW_IN_PROGRESS (created by a change set that was never
/// executed) and wait until it is gone.
pub async fn discard_review_stack(api: &impl StackApi, stack_id: &str) -> Result<(), DeployError> {
    api.delete_stack(stack_id).await?;
    let start = Instant::now();
    let mut delay = Duration::from_millis(100);
    while start.elapsed() < Duration::from_secs(60) {
        match api.describe_stack(stack_id).await? {
            None => return Ok(()),
            Some(s) if s.status == "DELETE_COMPLETE" => return Ok(()),
            Some(_) => {}
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(2));
    }
    Ok(())
}

/// Throw away a change set that will not be executed; for a stack that did not exist,
/// also the empty stack CloudFormation created to hold it.
pub async fn discard(api: &impl StackApi, plan: &super::plan::Plan) -> Result<(), DeployError> {
    let Some(cs) = &plan.change_set else {
        return Ok(());
    };
    api.delete_change_set(&cs.arn).await?;
    if !plan.stack.exists
        && let Some(s) = api.describe_stack(&plan.stack_name).await?
        && s.status == "REVIEW_IN_PROGRESS"
    {
        discard_review_stack(api, &s.stack_id).await?;
    }
    Ok(())
}

/// What CloudFormation's change set said.
enum Previewed {
    Listed(ChangeSetInfo),
    /// It found nothing to change (the reason as CloudFormation gave it).
    Empty(String),
}

/// Create the change set, wait for it, read it, and delete it unless it is kept.
async fn preview(
    api: &impl StackApi,
    req: &ChangeSetRequest,
    opts: PlanOptions,
    t: &Timings,
) -> Result<Previewed, DeployError> {
    let created = t
        .time("change set create", api.create_change_set(req))
        .await?;
    let arn = match created {
        Created::ChangeSet { arn, .. } => arn,
        Created::NoChanges => return Ok(Previewed::Empty(NO_UPDATES.to_string())),
    };
    let desc = t
        .time("change set wait", wait_for(api, &arn, opts.wait))
        .await?;
    let empty = desc.is_empty_failure();
    let keep = opts.keep_change_set && !empty && desc.status == "CREATE_COMPLETE";
    if !keep {
        t.time("change set delete", api.delete_change_set(&arn))
            .await?;
    }
    if empty {
        let why = desc.status_reason.unwrap_or_else(|| NO_UPDATES.to_string());
        return Ok(Previewed::Empty(why));
    }
    Ok(Previewed::Listed(ChangeSetInfo {
        arn: desc.arn,
        status: desc.status,
        status_reason: desc.status_reason,
        kept: keep,
        changes: desc.changes,
    }))
}

/// CloudFormation's words when it refuses a change set that changes nothing.
const NO_UPDATES: &str = "No updates are to be performed.";

/// Poll a change set until it is final: first after 100 ms, backing off to 2 s.
pub async fn wait_for(
    api: &impl StackApi,
    arn: &str,
    limit: Duration,
) -> Result<super::ChangeSetDescription, DeployError> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(100);
    loop {
        tokio::time::sleep(delay).await;
        let d = api.describe_change_set(arn).await?;
        if d.is_final() {
            return Ok(d);
        }
        if start.elapsed() > limit {
            return Err(DeployError::Timeout {
                arn: arn.to_string(),
                waited: start.elapsed(),
            });
        }
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}

/// Put CloudFormation's `Replacement` next to fnplan's prediction.
fn merge_verdicts(plan: &mut Plan, cs: &ChangeSetInfo) {
    for c in &mut plan.changes {
        let Some(e) = cs.changes.iter().find(|e| e.logical_id == c.logical_id) else {
            continue;
        };
        if let Some(r) = &e.replacement {
            c.replacement.cloudformation = Some(r.clone());
            let cfn_replaces = r == "True";
            c.replacement.disagrees =
                (r == "True" || r == "False") && cfn_replaces != c.replacement.predicted;
        }
    }
}
