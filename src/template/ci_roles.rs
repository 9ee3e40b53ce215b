//! `fnplan bootstrap --ci`'s IAM documents: the CI repository, the account and the app in;
//! the OIDC provider, the trust and permission policies of the CI plan and apply roles and
//! of the CloudFormation service role out (pure data, also as a template for diffs).
//!
//! The CI roles may only drive CloudFormation on the app's stacks (`stack/{app}-*`), write
//! the app's objects in the artifact bucket and pass the service role to CloudFormation;
//! everything the stack creates is created by CloudFormation with the service role, whose
//! actions are those of the resource types fnplan renders ([`TYPE_ACTIONS`]).

use super::Template;
use serde_json::{Map, Value, json};

/// Where IAM keeps the roles `bootstrap --ci` creates: no app's CloudFormation-named role
/// (`{app}-{stage}-...`, always at `/`) can match a pattern on it, nor the reverse.
pub const ROLE_PATH: &str = "/fnplan/";
/// The name of each role's one inline policy.
pub const POLICY_NAME: &str = "fnplan";
/// IAM's limit on role names.
const MAX_ROLE_NAME: usize = 64;
/// Change sets fnplan creates are named `fnplan-{hash}-{time}`.
const CHANGE_SET_PREFIX: &str = "fnplan-";

/// A CI system that can trade its job's OIDC token for AWS credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CiSystem {
    GitHub,
    GitLab,
}

impl CiSystem {
    /// The token issuer's host: the provider's URL without `https://`, and the prefix of
    /// its condition keys (`host:sub`, `host:aud`).
    pub fn issuer(self) -> &'static str {
        match self {
            CiSystem::GitHub => "token.actions.githubusercontent.com",
            CiSystem::GitLab => "gitlab.com",
        }
    }
    /// The audience the job asks its token for (`aud`).
    pub fn audience(self) -> &'static str {
        match self {
            // What aws-actions/configure-aws-credentials asks for.
            CiSystem::GitHub => "sts.amazonaws.com",
            // GitLab's `id_tokens: { aud: https://gitlab.com }` (examples/ci/gitlab-ci.yml).
            CiSystem::GitLab => "https://gitlab.com",
        }
    }
    /// Certificate thumbprints of the issuer's TLS chain. IAM no longer checks them for
    /// these issuers (it trusts their public CAs) but older API versions require one.
    pub fn thumbprints(self) -> &'static [&'static str] {
        match self {
            CiSystem::GitHub => &[
                "6938fd4d98bab03faadb97b34396831e3780aea1",
                "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
            ],
            CiSystem::GitLab => &["b3dd7606d2b5a8b4a13771dbecc9ee1cecafa38a"],
        }
    }
    fn label(self) -> &'static str {
        match self {
            CiSystem::GitHub => "GitHub Actions",
            CiSystem::GitLab => "GitLab CI",
        }
    }
}

/// `github:OWNER/REPO` or `gitlab:GROUP/PROJECT` (subgroups allowed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiRepo {
    pub system: CiSystem,
    pub path: String,
}

impl CiRepo {
    pub fn parse(s: &str) -> Result<CiRepo, String> {
        let (system, path) = match s.split_once(':') {
            Some(("github", p)) => (CiSystem::GitHub, p),
            Some(("gitlab", p)) => (CiSystem::GitLab, p),
            _ => {
                return Err(format!(
                    "`{s}`: expected github:OWNER/REPO or gitlab:GROUP/PROJECT"
                ));
            }
        };
        let parts: Vec<&str> = path.split('/').collect();
        let ok_part = |p: &&str| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        let shape_ok = match system {
            CiSystem::GitHub => parts.len() == 2,
            CiSystem::GitLab => parts.len() >= 2,
        };
        if !shape_ok || !parts.iter().all(ok_part) {
            return Err(format!(
                "`{s}`: expected github:OWNER/REPO or gitlab:GROUP/PROJECT (letters, digits, `-`, `_`, `.`)"
            ));
        }
        Ok(CiRepo {
            system,
            path: path.to_string(),
        })
    }

    /// The token's `sub` pattern for jobs of this repository at `git_ref` (`None`: any).
    /// `git_ref`: `refs/heads/B`, `refs/tags/T` or (GitHub) `environment:NAME`.
    pub fn subject(&self, git_ref: Option<&str>) -> Result<String, String> {
        let p = &self.path;
        Ok(match (self.system, git_ref) {
            (CiSystem::GitHub, None) => format!("repo:{p}:*"),
            (CiSystem::GitHub, Some(r)) if r.starts_with("refs/") => format!("repo:{p}:ref:{r}"),
            (CiSystem::GitHub, Some(r)) if r.starts_with("environment:") => {
                format!("repo:{p}:{r}")
            }
            (CiSystem::GitLab, None) => format!("project_path:{p}:*"),
            (CiSystem::GitLab, Some(r)) => {
                if let Some(b) = r.strip_prefix("refs/heads/") {
                    format!("project_path:{p}:ref_type:branch:ref:{b}")
                } else if let Some(t) = r.strip_prefix("refs/tags/") {
                    format!("project_path:{p}:ref_type:tag:ref:{t}")
                } else {
                    return Err(format!(
                        "--ci-apply-ref `{r}`: GitLab tokens name a branch or a tag: refs/heads/BRANCH or refs/tags/TAG"
                    ));
                }
            }
            (CiSystem::GitHub, Some(r)) => {
                return Err(format!(
                    "--ci-apply-ref `{r}`: expected refs/heads/BRANCH, refs/tags/TAG or environment:NAME"
                ));
            }
        })
    }
}

/// What the documents are made for.
#[derive(Clone, Debug)]
pub struct CiScope<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: &'a str,
    pub account: &'a str,
    pub app: &'a str,
    /// The artifact bucket, when the app has local code or large templates.
    pub bucket: Option<&'a str>,
    pub repo: &'a CiRepo,
    /// The ref (or GitHub environment) the apply role is limited to; `None`: any.
    pub apply_ref: Option<&'a str>,
}

/// Which of the three roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleKind {
    /// Plans pull requests: change sets, no execution.
    Plan,
    /// Applies saved plans on the main branch.
    Apply,
    /// Assumed by CloudFormation to create the stack's resources.
    Service,
}

impl RoleKind {
    pub const ALL: [RoleKind; 3] = [RoleKind::Apply, RoleKind::Plan, RoleKind::Service];
    /// The role's logical ID in [`template`] (and in the diff shown before a change).
    pub fn logical_id(self) -> &'static str {
        match self {
            RoleKind::Plan => "CiPlanRole",
            RoleKind::Apply => "CiApplyRole",
            RoleKind::Service => "CloudFormationServiceRole",
        }
    }
}

/// A role as `bootstrap --ci` creates it.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleDoc {
    pub kind: RoleKind,
    pub name: String,
    pub description: String,
    pub trust: Value,
    pub policy: Value,
}

impl CiScope<'_> {
    /// The role's name: `fnplan-{app}-ci-apply`, `fnplan-{app}-ci-plan`, `fnplan-{app}-cfn`.
    pub fn role_name(&self, kind: RoleKind) -> String {
        let suffix = match kind {
            RoleKind::Plan => "ci-plan",
            RoleKind::Apply => "ci-apply",
            RoleKind::Service => "cfn",
        };
        format!("fnplan-{}-{suffix}", self.app)
    }
    pub fn role_arn(&self, kind: RoleKind) -> String {
        format!(
            "arn:{}:iam::{}:role{ROLE_PATH}{}",
            self.partition,
            self.account,
            self.role_name(kind)
        )
    }
    pub fn provider_arn(&self) -> String {
        format!(
            "arn:{}:iam::{}:oidc-provider/{}",
            self.partition,
            self.account,
            self.repo.system.issuer()
        )
    }
    fn stack_arn(&self) -> String {
        format!(
            "arn:{}:cloudformation:*:{}:stack/{}-*/*",
            self.partition, self.account, self.app
        )
    }
    fn change_set_arn(&self) -> String {
        format!(
            "arn:{}:cloudformation:*:{}:changeSet/{CHANGE_SET_PREFIX}*/*",
            self.partition, self.account
        )
    }
    /// The app's functions, `{app}-{stage}-{key}` (a `name:` outside that prefix is not
    /// covered).
    fn functions_arn(&self) -> String {
        format!(
            "arn:{}:lambda:*:{}:function:{}-*",
            self.partition, self.account, self.app
        )
    }
    /// The app's function roles, named by CloudFormation `{app}-{stage}-{LogicalId}-...`.
    fn function_roles_arn(&self) -> String {
        format!(
            "arn:{}:iam::{}:role/{}-*",
            self.partition, self.account, self.app
        )
    }
}

/// The three roles: apply, plan, service.
pub fn roles(s: &CiScope<'_>) -> Result<Vec<RoleDoc>, String> {
    let longest = s.role_name(RoleKind::Apply);
    if longest.len() > MAX_ROLE_NAME {
        return Err(format!(
            "role name `{longest}` is over IAM's {MAX_ROLE_NAME} characters: the app's name is too long for `bootstrap --ci`"
        ));
    }
    let label = s.repo.system.label();
    let repo = &s.repo.path;
    Ok(vec![
        RoleDoc {
            kind: RoleKind::Apply,
            name: s.role_name(RoleKind::Apply),
            description: format!("fnplan: {label} {repo} applies {} (plan + apply)", s.app),
            trust: ci_trust(s, s.apply_ref)?,
            policy: ci_policy(s, RoleKind::Apply),
        },
        RoleDoc {
            kind: RoleKind::Plan,
            name: s.role_name(RoleKind::Plan),
            description: format!("fnplan: {label} {repo} plans {} (no apply)", s.app),
            trust: ci_trust(s, None)?,
            policy: ci_policy(s, RoleKind::Plan),
        },
        RoleDoc {
            kind: RoleKind::Service,
            name: s.role_name(RoleKind::Service),
            description: format!(
                "fnplan: CloudFormation creates the stacks of {} with this role",
                s.app
            ),
            trust: service_trust(s),
            policy: service_policy(s),
        },
    ])
}

fn doc(statements: Vec<Value>) -> Value {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// Only this repository's jobs (at `git_ref`, if given), with the right audience.
fn ci_trust(s: &CiScope<'_>, git_ref: Option<&str>) -> Result<Value, String> {
    let host = s.repo.system.issuer();
    let sub = s.repo.subject(git_ref)?;
    let mut cond = Map::new();
    cond.insert(
        "StringEquals".into(),
        json!({ format!("{host}:aud"): s.repo.system.audience() }),
    );
    let op = if sub.contains('*') {
        "StringLike"
    } else {
        "StringEquals"
    };
    cond.entry(op)
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .map(|m| m.insert(format!("{host}:sub"), Value::String(sub)));
    Ok(doc(vec![json!({
        "Sid": "CiRepositoryOnly",
        "Effect": "Allow",
        "Principal": { "Federated": s.provider_arn() },
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": cond
    })]))
}

fn service_trust(s: &CiScope<'_>) -> Value {
    doc(vec![json!({
        "Sid": "CloudFormationOfThisAccount",
        "Effect": "Allow",
        "Principal": { "Service": "cloudformation.amazonaws.com" },
        "Action": "sts:AssumeRole",
        "Condition": { "StringEquals": { "aws:SourceAccount": s.account } }
    })])
}

/// CloudFormation calls of `fnplan plan` on the app's stacks and its change sets.
const PLAN_STACK_ACTIONS: &[&str] = &[
    "cloudformation:CreateChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStackResource",
    "cloudformation:DescribeStackResourceDrifts",
    "cloudformation:DescribeStacks",
    "cloudformation:DetectStackDrift",
    "cloudformation:GetTemplate",
];
/// What `fnplan apply` (and `destroy`, `apply --recreate`, `renamed_from:`) adds.
const APPLY_STACK_ACTIONS: &[&str] = &[
    "cloudformation:CreateStackRefactor",
    "cloudformation:DeleteStack",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:ExecuteStackRefactor",
];
/// Reads that IAM cannot scope to a resource: they take `"*"`.
const UNSCOPED_READS: &[&str] = &[
    "cloudformation:DescribeStackDriftDetectionStatus",
    "cloudformation:DescribeStackRefactor",
];

/// What `apply` (and `apply --hot`) calls on the app's functions directly.
const HOT_ACTIONS: &[&str] = &[
    "lambda:GetFunction",
    "lambda:PublishVersion",
    "lambda:TagResource",
    "lambda:UntagResource",
    "lambda:UpdateAlias",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
];

fn actions(lists: &[&[&str]]) -> Value {
    let mut v: Vec<&str> = lists.iter().flat_map(|l| l.iter().copied()).collect();
    v.sort_unstable();
    v.dedup();
    json!(v)
}

/// The plan or apply role's permissions.
fn ci_policy(s: &CiScope<'_>, kind: RoleKind) -> Value {
    let stack_actions: &[&[&str]] = if kind == RoleKind::Apply {
        &[PLAN_STACK_ACTIONS, APPLY_STACK_ACTIONS]
    } else {
        &[PLAN_STACK_ACTIONS]
    };
    let mut st = vec![
        json!({
            "Sid": "AppStacksAndChangeSets",
            "Effect": "Allow",
            "Action": actions(stack_actions),
            "Resource": [s.stack_arn(), s.change_set_arn()]
        }),
        json!({
            "Sid": "ReadsWithoutResourceLevelPermissions",
            "Effect": "Allow",
            "Action": actions(&[UNSCOPED_READS]),
            "Resource": "*"
        }),
        json!({
            "Sid": "PassServiceRoleToCloudFormation",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": s.role_arn(RoleKind::Service),
            "Condition": { "StringEquals": { "iam:PassedToService": "cloudformation.amazonaws.com" } }
        }),
    ];
    // Plan reads each function's hot-swap tag; apply clears it after a change set (and
    // puts the stack's code back when the tag names other code), and `apply --hot`
    // updates code, environment, versions and aliases directly.
    let function_actions: &[&str] = match kind {
        RoleKind::Apply => HOT_ACTIONS,
        _ => &["lambda:GetFunction"],
    };
    st.push(json!({
        "Sid": "AppFunctionsHotSwap",
        "Effect": "Allow",
        "Action": actions(&[function_actions]),
        "Resource": s.functions_arn()
    }));
    if let Some(b) = s.bucket {
        let p = s.partition;
        st.push(json!({
            "Sid": "ArtifactBucket",
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
            "Resource": format!("arn:{p}:s3:::{b}")
        }));
        // Plan checks which zips exist and uploads large or nested templates; apply
        // uploads the zips too.
        let (put, put_where) = match kind {
            RoleKind::Apply => ("s3:PutObject", format!("arn:{p}:s3:::{b}/{}/*", s.app)),
            _ => (
                "s3:PutObject",
                format!("arn:{p}:s3:::{b}/{}/*/templates/*", s.app),
            ),
        };
        st.push(json!({
            "Sid": "ArtifactObjectsRead",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": format!("arn:{p}:s3:::{b}/{}/*", s.app)
        }));
        st.push(json!({
            "Sid": "ArtifactObjectsWrite",
            "Effect": "Allow",
            "Action": put,
            "Resource": put_where
        }));
    }
    doc(st)
}

/// The API actions CloudFormation needs to create, update, read and delete each resource
/// type fnplan renders (from each type's resource provider schema `handlers`), and the
/// types other parts of fnplan render or are about to (a test in `ops::ci` checks that every type in
/// `crate::deploy::replacement::RENDERED_TYPES` is here). Types written by hand in the
/// spec's raw `resources:` are not: the user extends the service role for them.
pub const TYPE_ACTIONS: &[(&str, &[&str])] = &[
    (
        "AWS::SQS::Queue",
        &[
            "sqs:CreateQueue",
            "sqs:DeleteQueue",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:ListQueueTags",
            "sqs:SetQueueAttributes",
            "sqs:TagQueue",
            "sqs:UntagQueue",
        ],
    ),
    (
        "AWS::SQS::QueuePolicy",
        &["sqs:GetQueueAttributes", "sqs:SetQueueAttributes"],
    ),
    (
        "AWS::DynamoDB::Table",
        &[
            "dynamodb:CreateTable",
            "dynamodb:DeleteTable",
            "dynamodb:DescribeContinuousBackups",
            "dynamodb:DescribeContributorInsights",
            "dynamodb:DescribeKinesisStreamingDestination",
            "dynamodb:DescribeStream",
            "dynamodb:DescribeTable",
            "dynamodb:DescribeTimeToLive",
            "dynamodb:GetResourcePolicy",
            "dynamodb:ListStreams",
            "dynamodb:ListTagsOfResource",
            "dynamodb:TagResource",
            "dynamodb:UntagResource",
            "dynamodb:UpdateContinuousBackups",
            "dynamodb:UpdateTable",
            "dynamodb:UpdateTimeToLive",
        ],
    ),
    (
        "AWS::S3::Bucket",
        &[
            "s3:CreateBucket",
            "s3:DeleteBucket",
            "s3:GetBucket*",
            "s3:GetEncryptionConfiguration",
            "s3:GetLifecycleConfiguration",
            "s3:ListBucket",
            "s3:PutBucket*",
            "s3:PutEncryptionConfiguration",
            "s3:PutLifecycleConfiguration",
        ],
    ),
    (
        "AWS::S3::BucketPolicy",
        &[
            "s3:DeleteBucketPolicy",
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
        ],
    ),
    (
        "AWS::SNS::Topic",
        &[
            "sns:CreateTopic",
            "sns:DeleteTopic",
            "sns:GetTopicAttributes",
            "sns:ListSubscriptionsByTopic",
            "sns:ListTagsForResource",
            "sns:SetTopicAttributes",
            "sns:TagResource",
            "sns:UntagResource",
        ],
    ),
    (
        "AWS::SNS::Subscription",
        &[
            "sns:GetSubscriptionAttributes",
            "sns:SetSubscriptionAttributes",
            "sns:Subscribe",
            "sns:Unsubscribe",
        ],
    ),
    (
        "AWS::IAM::Role",
        &[
            "iam:AttachRolePolicy",
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:DeleteRolePolicy",
            "iam:DetachRolePolicy",
            "iam:GetRole",
            "iam:GetRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:ListRolePolicies",
            "iam:ListRoleTags",
            "iam:PutRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:UpdateRole",
        ],
    ),
    (
        "AWS::Logs::LogGroup",
        &[
            "logs:CreateLogGroup",
            "logs:DeleteLogGroup",
            "logs:DeleteRetentionPolicy",
            "logs:DescribeLogGroups",
            "logs:ListTagsForResource",
            "logs:PutRetentionPolicy",
            "logs:TagResource",
            "logs:UntagResource",
        ],
    ),
    (
        "AWS::Lambda::Function",
        &[
            "lambda:CreateFunction",
            "lambda:DeleteFunction",
            "lambda:DeleteFunctionConcurrency",
            "lambda:GetFunction",
            "lambda:GetFunctionCodeSigningConfig",
            "lambda:GetFunctionConfiguration",
            "lambda:GetFunctionRecursionConfig",
            "lambda:GetLayerVersion",
            "lambda:GetRuntimeManagementConfig",
            "lambda:ListTags",
            "lambda:PutFunctionConcurrency",
            "lambda:PutFunctionRecursionConfig",
            "lambda:PutRuntimeManagementConfig",
            "lambda:TagResource",
            "lambda:UntagResource",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
        ],
    ),
    (
        "AWS::Lambda::Version",
        &[
            "lambda:DeleteFunction",
            "lambda:GetFunctionConfiguration",
            "lambda:GetProvisionedConcurrencyConfig",
            "lambda:ListVersionsByFunction",
            "lambda:PublishVersion",
        ],
    ),
    (
        "AWS::Lambda::Alias",
        &[
            "lambda:CreateAlias",
            "lambda:DeleteAlias",
            "lambda:GetAlias",
            "lambda:UpdateAlias",
        ],
    ),
    (
        "AWS::Lambda::Permission",
        &[
            "lambda:AddPermission",
            "lambda:GetPolicy",
            "lambda:RemovePermission",
        ],
    ),
    (
        "AWS::Lambda::EventSourceMapping",
        &[
            "lambda:CreateEventSourceMapping",
            "lambda:DeleteEventSourceMapping",
            "lambda:GetEventSourceMapping",
            "lambda:ListEventSourceMappings",
            "lambda:TagResource",
            "lambda:UntagResource",
            "lambda:UpdateEventSourceMapping",
        ],
    ),
    (
        "AWS::Lambda::EventInvokeConfig",
        &[
            "lambda:DeleteFunctionEventInvokeConfig",
            "lambda:GetFunctionEventInvokeConfig",
            "lambda:PutFunctionEventInvokeConfig",
            "lambda:UpdateFunctionEventInvokeConfig",
        ],
    ),
    (
        "AWS::Lambda::LayerVersion",
        &[
            "lambda:DeleteLayerVersion",
            "lambda:GetLayerVersion",
            "lambda:PublishLayerVersion",
        ],
    ),
    (
        "AWS::Events::Rule",
        &[
            "events:DeleteRule",
            "events:DescribeRule",
            "events:DisableRule",
            "events:EnableRule",
            "events:ListTagsForResource",
            "events:ListTargetsByRule",
            "events:PutRule",
            "events:PutTargets",
            "events:RemoveTargets",
            "events:TagResource",
            "events:UntagResource",
        ],
    ),
    (
        "AWS::Events::EventBus",
        &[
            "events:CreateEventBus",
            "events:DeleteEventBus",
            "events:DescribeEventBus",
            "events:ListTagsForResource",
            "events:PutPermission",
            "events:RemovePermission",
            "events:TagResource",
            "events:UntagResource",
            "events:UpdateEventBus",
        ],
    ),
    (
        "AWS::Events::Archive",
        &[
            "events:CreateArchive",
            "events:DeleteArchive",
            "events:DescribeArchive",
            "events:UpdateArchive",
        ],
    ),
    (
        "AWS::RDS::DBCluster",
        &[
            "rds:AddTagsToResource",
            "rds:CreateDBCluster",
            "rds:DeleteDBCluster",
            "rds:DescribeDBClusters",
            "rds:DescribeDBSubnetGroups",
            "rds:ListTagsForResource",
            "rds:ModifyDBCluster",
            "rds:RemoveTagsFromResource",
        ],
    ),
    (
        "AWS::RDS::DBInstance",
        &[
            "rds:AddTagsToResource",
            "rds:CreateDBInstance",
            "rds:DeleteDBInstance",
            "rds:DescribeDBInstances",
            "rds:ListTagsForResource",
            "rds:ModifyDBInstance",
            "rds:RemoveTagsFromResource",
        ],
    ),
    (
        "AWS::ApiGatewayV2::Api",
        &[
            "apigateway:DELETE",
            "apigateway:GET",
            "apigateway:PATCH",
            "apigateway:POST",
            "apigateway:PUT",
        ],
    ),
    (
        "AWS::ApiGatewayV2::Stage",
        &[
            "apigateway:DELETE",
            "apigateway:GET",
            "apigateway:PATCH",
            "apigateway:POST",
        ],
    ),
    (
        "AWS::ApiGatewayV2::Integration",
        &[
            "apigateway:DELETE",
            "apigateway:GET",
            "apigateway:PATCH",
            "apigateway:POST",
        ],
    ),
    (
        "AWS::ApiGatewayV2::Route",
        &[
            "apigateway:DELETE",
            "apigateway:GET",
            "apigateway:PATCH",
            "apigateway:POST",
        ],
    ),
    (
        "AWS::ApiGatewayV2::Authorizer",
        &[
            "apigateway:DELETE",
            "apigateway:GET",
            "apigateway:PATCH",
            "apigateway:POST",
        ],
    ),
    (
        "AWS::CloudFormation::Stack",
        &[
            "cloudformation:CreateStack",
            "cloudformation:DeleteStack",
            "cloudformation:DescribeStacks",
            "cloudformation:GetTemplate",
            "cloudformation:UpdateStack",
        ],
    ),
];

/// The actions of every type whose service is `service` (`sqs`, `iam`, ...), sorted.
fn service_actions(service: &str) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = TYPE_ACTIONS
        .iter()
        .flat_map(|(_, a)| a.iter().copied())
        .filter(|a| a.split(':').next() == Some(service))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// One statement per service, in the order services first appear in [`TYPE_ACTIONS`].
fn services() -> Vec<&'static str> {
    let mut seen: Vec<&'static str> = Vec::new();
    for a in TYPE_ACTIONS.iter().flat_map(|(_, a)| a.iter()) {
        let svc = a.split(':').next().unwrap_or(a);
        if !seen.contains(&svc) {
            seen.push(svc);
        }
    }
    seen
}

/// The CloudFormation service role: the rendered types' actions; IAM roles, nested
/// stacks and function code only the app's own.
fn service_policy(s: &CiScope<'_>) -> Value {
    let p = s.partition;
    let mut st = Vec::new();
    for svc in services() {
        let resource = match svc {
            "iam" => json!(s.function_roles_arn()),
            "cloudformation" => json!(s.stack_arn()),
            _ => json!("*"),
        };
        let sid: String = format!("{}Resources", title(svc));
        st.push(json!({
            "Sid": sid,
            "Effect": "Allow",
            "Action": service_actions(svc),
            "Resource": resource
        }));
    }
    st.push(json!({
        "Sid": "PassFunctionRolesToLambda",
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": s.function_roles_arn(),
        "Condition": { "StringEquals": { "iam:PassedToService": "lambda.amazonaws.com" } }
    }));
    if let Some(b) = s.bucket {
        // Lambda reads function code, and CloudFormation nested templates, with the
        // caller's (this role's) permissions.
        st.push(json!({
            "Sid": "ReadFunctionCodeAndTemplates",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": format!("arn:{p}:s3:::{b}/{}/*", s.app)
        }));
    }
    doc(st)
}

/// `dynamodb` -> `Dynamodb`: a Sid-safe label.
fn title(svc: &str) -> String {
    let mut c = svc.chars().filter(|c| c.is_ascii_alphanumeric());
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + &c.collect::<String>(),
        None => String::new(),
    }
}

/// The provider and the roles as a CloudFormation template: what `bootstrap --ci`
/// diffs (IAM's current state is read into the same shape) and what users may deploy
/// themselves instead.
pub fn template(s: &CiScope<'_>) -> Result<Template, String> {
    let mut resources = Map::new();
    resources.insert(
        "CiOidcProvider".into(),
        json!({
            "Type": "AWS::IAM::OIDCProvider",
            "Properties": {
                "Url": format!("https://{}", s.repo.system.issuer()),
                "ClientIdList": [s.repo.system.audience()],
                "ThumbprintList": s.repo.system.thumbprints()
            }
        }),
    );
    for r in roles(s)? {
        resources.insert(r.kind.logical_id().into(), role_resource(&r));
    }
    Ok(Template::from_value(json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": format!("fnplan CI roles of {} for {}", s.app, s.repo.path),
            "Resources": resources
    })))
}

/// One role as an `AWS::IAM::Role` resource.
pub fn role_resource(r: &RoleDoc) -> Value {
    json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": r.name,
            "Path": ROLE_PATH,
            "Description": r.description,
            "AssumeRolePolicyDocument": r.trust,
            "Policies": [{ "PolicyName": POLICY_NAME, "PolicyDocument": r.policy }]
        }
    })
}

#[cfg(test)]
mod tests;
