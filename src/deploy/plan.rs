//! The plan as plain data: what `apply` would change, built from a template diff and
//! CloudFormation's change set, serialized as `fnplan plan --format json`
//! (`format_version` 1; fields are only ever added).

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const FORMAT_VERSION: u32 = 1;

/// Everything `fnplan plan` knows.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Plan {
    pub format_version: u32,
    pub app: String,
    pub stage: String,
    pub stack_name: String,
    pub region: Option<String>,
    /// The deployed stack as it was read (absent stack: `exists: false`).
    pub stack: StackState,
    /// Resources created, modified, replaced or deleted, risky ones first.
    pub changes: Vec<ResourceChange>,
    /// Resources present in both templates with no difference.
    pub unchanged: usize,
    pub outputs: Vec<OutputChange>,
    /// IAM statements and Lambda permissions added or removed (the security section).
    pub iam: Vec<IamChange>,
    /// CloudFormation's own preview, when one was made.
    pub change_set: Option<ChangeSetInfo>,
    /// Why no change set was made (`--no-change-set`, a stack that does not exist yet, an
    /// unchanged stable stack, ...); absent when one was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_set_skipped: Option<String>,
    /// A change set was made (`--change-set always`, or fnplan's diff found changes) and
    /// CloudFormation listed nothing to change: its reason, as CloudFormation gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_set_empty: Option<String>,
    /// The spec file as given on the command line (so `apply plan.json` finds it).
    #[serde(default)]
    pub spec_path: String,
    /// Deployed as nested stacks (`--split`); their changes are listed as `Stack/Id`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub split: bool,
    /// Resources `apply` moves to new logical IDs first (the spec's `renamed_from:`),
    /// through CloudFormation stack refactoring: they keep their physical resource and
    /// data. The changes above are measured from the stack as it is after the moves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moves: Vec<Moved>,
    /// sha256 of the spec file's bytes and of the rendered template (compact JSON).
    pub spec_sha256: String,
    pub template_sha256: String,
    /// Drift detection on the deployed stack (see [`DriftReport`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<DriftReport>,
    /// Functions `apply --hot` updated directly: they run code (or environment) the
    /// stack does not name yet; a normal `apply` brings the stack in line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hot_swapped: Vec<HotSwapped>,
}

/// A function whose live code was hot-swapped (`apply --hot`) past the stack's template.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct HotSwapped {
    /// The function's key in the spec (`health`).
    pub function: String,
    pub logical_id: String,
    /// The artifact key it runs (its `fnplan:hot-swapped` tag).
    pub artifact: String,
    /// The artifact key the deployed stack names.
    pub stack_artifact: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct StackState {
    pub exists: bool,
    pub stack_id: Option<String>,
    pub status: Option<String>,
    /// RFC 3339 time of the last update (or creation).
    pub last_updated: Option<String>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Modify,
    Replace,
    Delete,
}

impl Action {
    /// `+`, `~`, `±`, `-` as in terraform and rain.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Modify => "~",
            Action::Replace => "±",
            Action::Delete => "-",
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Replacing or deleting a resource that holds data (table, bucket, queue, log group,
    /// nested stack, ...: `replacement::is_stateful`) loses it.
    DataLoss,
    /// An IAM statement or permission grants more than before.
    IamBroadening,
    /// A resource is replaced (new physical ID); callers that cached the old one break.
    Replacement,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ResourceChange {
    pub logical_id: String,
    pub resource_type: String,
    pub action: Action,
    /// Property-level differences (empty for create/delete).
    pub properties: Vec<PropertyChange>,
    pub replacement: ReplacementVerdict,
    pub risks: Vec<Risk>,
    /// Removing the physical resource from the stack keeps it: `DeletionPolicy: Retain` on a
    /// delete, `UpdateReplacePolicy: Retain` on a replace (the old copy stays, orphaned).
    pub retained: bool,
    /// What a reader should know beyond the property list, one sentence each (a named
    /// resource that cannot be replaced, a retained old copy, ...).
    #[serde(default)]
    pub notes: Vec<String>,
    /// On a create: the deleted resource of the same type and shape it seems to rename
    /// (a renamed spec key). Its data is not moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// On a delete: the created resource that seems to be its new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
    /// On a delete of a retained resource: its physical ID, which stays in the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_id: Option<String>,
}

impl ResourceChange {
    /// A change with no property differences, verdicts or notes yet.
    pub fn new(logical_id: &str, resource_type: &str, action: Action) -> Self {
        ResourceChange {
            logical_id: logical_id.to_string(),
            resource_type: resource_type.to_string(),
            action,
            properties: Vec::new(),
            replacement: ReplacementVerdict::default(),
            risks: Vec::new(),
            retained: false,
            notes: Vec::new(),
            renamed_from: None,
            renamed_to: None,
            physical_id: None,
        }
    }
    pub fn has_risk(&self, r: Risk) -> bool {
        self.risks.contains(&r)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PropertyChange {
    /// JSON path from the resource's top level: `Properties.KeySchema[0].AttributeName`,
    /// `Properties.Tags[0].Value`, or an attribute such as `DependsOn` or `Type`.
    pub path: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    /// A unified diff for long strings and policy documents.
    pub diff: Option<String>,
    /// This property is create-only: changing it replaces the resource.
    pub replaces: bool,
    /// The template text is the same, but the value it resolves to changes, and why:
    /// "TranscodeJobsQueue is replaced" (the `Ref`, `Fn::GetAtt` or `${X}` target gets a
    /// new physical ID). The new value is known only after apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_after_apply: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReplacementVerdict {
    /// fnplan's offline prediction (from the createOnlyProperties table).
    pub predicted: bool,
    /// The create-only properties that changed, including those whose value changes
    /// because a resource they refer to is replaced (see `caused_by`).
    pub because_of: Vec<String>,
    /// Knock-on replacement: the replaced resources whose new `Ref`/`Fn::GetAtt` value
    /// reaches a create-only property of this one (`TranscodeJobsQueue` through
    /// `EventSourceArn`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caused_by: Vec<KnockOn>,
    /// CloudFormation's `Replacement`: `True`, `False` or `Conditional` (when it said).
    pub cloudformation: Option<String>,
    /// CloudFormation's answer differs from the prediction.
    pub disagrees: bool,
    /// The name property (`TableName`, `QueueName`, ...) that keeps its value across a
    /// predicted replacement: CloudFormation cannot replace a custom-named resource, so the
    /// update would fail.
    #[serde(default)]
    pub fixed_name: Option<String>,
}

/// A resource moved to a new logical ID (stack refactoring), not replaced.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Moved {
    pub from: String,
    pub to: String,
    pub resource_type: String,
}

/// A replacement caused by another one.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct KnockOn {
    /// The replaced resource (logical ID).
    pub resource: String,
    /// The create-only property of this resource that takes its new value.
    pub property: String,
    /// In words: "TranscodeJobsQueue is replaced" (or, in a nested stack, "the parent
    /// stack passes a new OrdersTableArn").
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OutputChange {
    pub name: String,
    pub action: Action,
    pub old: Option<Value>,
    pub new: Option<Value>,
    /// Same text, new value, and why: "OrdersTable is replaced".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_after_apply: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct IamChange {
    /// Logical ID of the role or permission.
    pub resource: String,
    pub kind: IamChangeKind,
    /// `+` added, `-` removed.
    pub added: bool,
    /// Effect, actions and resources (statements) or principal and source (permissions).
    pub summary: String,
    /// Wildcards or an added grant.
    pub broadening: bool,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IamChangeKind {
    Statement,
    Permission,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChangeSetInfo {
    pub arn: String,
    pub status: String,
    pub status_reason: Option<String>,
    /// Kept for `apply plan.json` (`--out`), otherwise deleted after the preview.
    pub kept: bool,
    /// What CloudFormation listed, per logical ID.
    pub changes: Vec<ChangeSetEntry>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChangeSetEntry {
    pub logical_id: String,
    pub resource_type: String,
    /// `Add`, `Modify`, `Remove`, ...
    pub action: String,
    /// `True`, `False`, `Conditional`, when given.
    pub replacement: Option<String>,
    /// "Properties.KeySchema (requires recreation: Always)" style details, when given.
    pub details: Vec<String>,
}

impl Plan {
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
            || !self.outputs.is_empty()
            || !self.moves.is_empty()
            || !self.hot_swapped.is_empty()
    }
    /// Whether any change carries risk `r` (for `--fail-on data-loss` style checks).
    pub fn has_risk(&self, r: Risk) -> bool {
        self.changes.iter().any(|c| c.has_risk(r))
    }
    pub fn count(&self, a: Action) -> usize {
        self.changes.iter().filter(|c| c.action == a).count()
    }
    /// One line: "2 to create, 1 to modify, 1 to replace, 0 to delete; 17 unchanged".
    pub fn headline(&self) -> String {
        if !self.has_changes() {
            return format!("No changes. {} resources are up to date.", self.unchanged);
        }
        let moves = match self.moves.len() {
            0 => String::new(),
            n => format!("{n} to move, "),
        };
        format!(
            "{moves}{} to create, {} to modify, {} to replace, {} to delete; {} unchanged",
            self.count(Action::Create),
            self.count(Action::Modify),
            self.count(Action::Replace),
            self.count(Action::Delete),
            self.unchanged
        )
    }
}

/// What drift detection found on the deployed stack: resources changed outside
/// CloudFormation since the last deployment, and what `apply` does about each. Absent with
/// `--no-drift`, for a stack that does not exist yet, and in plans saved before fnplan
/// checked drift.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct DriftReport {
    /// Drift detection ran to the end (on the stack, and on each nested stack).
    pub checked: bool,
    /// CloudFormation's stack drift status: `IN_SYNC`, `DRIFTED` or `UNKNOWN` (some resources
    /// could not be checked); `NOT_CHECKED` when detection did not run or did not finish.
    pub status: String,
    /// Why detection did not run, did not finish, or left something out (the endpoint does
    /// not support it, access denied, the deadline passed, a nested stack failed, ...).
    #[serde(default)]
    pub reason: Option<String>,
    /// The resources found modified or deleted (`Stack/Id` inside nested stacks), in the
    /// stack's order of logical IDs.
    #[serde(default)]
    pub resources: Vec<ResourceDrift>,
}

impl DriftReport {
    /// The report of a detection that did not run or did not finish.
    pub fn not_checked(reason: impl Into<String>) -> Self {
        DriftReport {
            checked: false,
            status: "NOT_CHECKED".into(),
            reason: Some(reason.into()),
            resources: Vec::new(),
        }
    }
}

/// One resource whose live configuration differs from the deployed template.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ResourceDrift {
    pub logical_id: String,
    pub resource_type: String,
    pub physical_id: Option<String>,
    pub status: DriftStatus,
    /// The properties that differ (only for `MODIFIED`), paths as in [`PropertyChange`]:
    /// `Properties.Environment.Variables.LOG_LEVEL`.
    #[serde(default)]
    pub differences: Vec<PropertyDrift>,
    /// What the plan does to this resource (`None`: nothing, so apply leaves it alone).
    #[serde(default)]
    pub planned: Option<Action>,
    /// What apply does about the drift, one sentence each.
    #[serde(default)]
    pub on_apply: Vec<String>,
}

/// CloudFormation's `StackResourceDriftStatus`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DriftStatus {
    /// One or more properties differ from the template.
    Modified,
    /// The resource was deleted outside CloudFormation.
    Deleted,
    InSync,
    NotChecked,
    /// CloudFormation could not check it (or said something fnplan does not know).
    #[serde(other)]
    Unknown,
}

/// A property whose live value differs from the deployed template's.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PropertyDrift {
    pub path: String,
    /// As the deployed template (with its parameters) sets it; JSON when CloudFormation
    /// sent JSON, else its text.
    pub expected: Option<Value>,
    /// As it is live.
    pub actual: Option<Value>,
    pub kind: DifferenceKind,
    /// The plan changes this property (or a part or a parent of it) too.
    #[serde(default)]
    pub planned: bool,
}

/// CloudFormation's `DifferenceType`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DifferenceKind {
    /// A value was added to a list.
    Add,
    /// The property was removed from the live resource.
    Remove,
    NotEqual,
}
