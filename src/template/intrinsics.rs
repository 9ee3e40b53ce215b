//! Intrinsic functions: model references, strings with `${...}` parts and resource ARNs in,
//! CloudFormation `Ref` / `Fn::GetAtt` / `Fn::Sub` values out.

use super::doc::{Doc, Key, cfn};
use crate::model::{
    Attr, Bucket, DatabaseSource, Function, Interp, Kind, Model, Part, Pseudo, RefTarget,
    Reference, Secret, SecretSource, ids,
};
use serde_json::Value;

/// One CloudFormation expression, usable on its own or spliced into a larger `Fn::Sub`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expr {
    /// `{"Ref": id}` (a resource, parameter or pseudo parameter).
    Ref(String),
    /// `{"Fn::GetAtt": [id, attr]}`.
    GetAtt(String, &'static str),
    /// `{"Fn::Sub": text}`; `text` is already valid Sub syntax.
    Sub(String),
    /// A value known when rendering (a secret's name): a plain string.
    Lit(String),
}

impl Expr {
    pub(crate) fn get_att(id: impl Into<String>, attr: &'static str) -> Self {
        Expr::GetAtt(id.into(), attr)
    }

    pub(crate) fn value(&self) -> Doc {
        Doc::from(self.clone())
    }

    /// The expression as `Fn::Sub` text: `${Id}`, `${Id.Attr}` or the Sub text itself.
    pub(crate) fn sub_text(&self) -> String {
        match self {
            Expr::Ref(id) => format!("${{{id}}}"),
            Expr::GetAtt(id, attr) => format!("${{{id}.{attr}}}"),
            Expr::Sub(text) => text.clone(),
            Expr::Lit(text) => escape(text),
        }
    }
}

impl From<Expr> for Value {
    fn from(e: Expr) -> Value {
        Doc::from(e).into()
    }
}

impl From<Expr> for Doc {
    /// Built directly (no map): expressions are most of a template's objects.
    fn from(e: Expr) -> Doc {
        match e {
            Expr::Ref(id) => cfn!({ "Ref": id }),
            Expr::GetAtt(id, attr) => cfn!({ "Fn::GetAtt": [id, attr] }),
            Expr::Sub(text) => cfn!({ "Fn::Sub": text }),
            Expr::Lit(text) => Doc::from(text),
        }
    }
}

pub(crate) fn sub(text: impl Into<String>) -> Doc {
    cfn!({ "Fn::Sub": text.into() })
}

pub(crate) fn ref_(id: impl Into<String>) -> Doc {
    cfn!({ "Ref": id.into() })
}

/// A name held as `Fn::Sub` text (see `model::Function::physical_name`): the plain
/// string when it has no `${...}` of its own (escapes undone), else `Fn::Sub`.
pub(crate) fn name_value(text: &str) -> Doc {
    let substitutes = text
        .match_indices("${")
        .any(|(i, _)| !text[i + 2..].starts_with('!'));
    if substitutes {
        sub(text)
    } else {
        Doc::from(text.replace("${!", "${"))
    }
}

/// Literal text made safe inside `Fn::Sub`: `${` becomes `${!`.
pub(crate) fn escape(lit: &str) -> String {
    lit.replace("${", "${!")
}

/// `arn:${AWS::Partition}:s3:::<bucket name pattern>` (Sub text).
pub(crate) fn bucket_arn_text(b: &Bucket) -> String {
    format!("arn:${{AWS::Partition}}:s3:::{}", b.physical_name_pattern)
}

/// The ARN of a secret (Sub text). Secrets Manager appends a random 6-character suffix.
pub(crate) fn secret_arn_text(s: &Secret) -> String {
    match &s.source {
        SecretSource::Ssm(name) => format!(
            "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{}",
            escape(name.trim_start_matches('/'))
        ),
        SecretSource::SecretsManager(name) => format!(
            "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{}-??????",
            escape(name)
        ),
    }
}

/// A function's ARN built from its physical name (Sub text), for IAM statements: unlike
/// `Fn::GetAtt` it adds no dependency, so two functions may invoke each other.
pub(crate) fn function_arn_text(f: &Function) -> String {
    format!(
        "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{}",
        f.physical_name
    )
}

/// What invokes `model.functions[index]` should target: the `live` alias when the function
/// has provisioned concurrency (`Ref` of an alias is its ARN), the function ARN otherwise.
pub(crate) fn invoke_target(model: &Model, index: usize) -> Expr {
    let f = &model.functions[index];
    if f.provisioned.is_some() {
        Expr::Ref(ids::alias(&f.name))
    } else {
        Expr::get_att(ids::function(&f.name), "Arn")
    }
}

/// The HTTP API's invoke URL, `https://{api-id}.execute-api.{region}.{suffix}` (what
/// `GetAtt ApiEndpoint` returns; written as Sub so that emulators without API Gateway v2
/// attributes can still describe the stack).
pub(crate) fn api_url() -> Expr {
    Expr::Sub(format!(
        "https://${{{}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}",
        ids::HTTP_API
    ))
}

/// One `${kind.name.attr}` / `${api.url}` reference as an expression.
pub(crate) fn reference(model: &Model, r: &Reference) -> Expr {
    let id = match r.target {
        RefTarget::Api => return api_url(),
        RefTarget::Res(id) => id,
    };
    let i = id.index;
    match (id.kind, r.attr) {
        (Kind::Function, Attr::Arn) => {
            Expr::get_att(ids::function(&model.functions[i].name), "Arn")
        }
        (Kind::Function, _) => Expr::Ref(ids::function(&model.functions[i].name)),
        (Kind::Queue | Kind::Dlq, attr) => queue_expr(model, id, attr),
        (Kind::Table, attr) => table_expr(model, i, attr),
        (Kind::Bucket, Attr::Arn) => Expr::Sub(bucket_arn_text(&model.buckets[i])),
        (Kind::Bucket, _) => name_expr(&model.buckets[i].physical_name_pattern),
        (Kind::Topic, attr) => topic_expr(model, i, attr),
        // `Ref` of a layer version is its ARN.
        (Kind::Layer, _) => Expr::Ref(ids::layer(&model.layers[i].name)),
        (Kind::Bus, attr) => bus_expr(model, i, attr),
        (Kind::Secret, Attr::Arn) => Expr::Sub(secret_arn_text(&model.secrets[i])),
        // A secret's name is known now: the parameter or secret name itself.
        (Kind::Secret, _) => Expr::Lit(match &model.secrets[i].source {
            SecretSource::Ssm(n) | SecretSource::SecretsManager(n) => n.clone(),
        }),
        (Kind::Database, attr) => database_expr(model, i, attr),
    }
}

/// A database's cluster ARN, master secret ARN or database name: from the stack
/// (`DBClusterArn`, `MasterUserSecret.SecretArn`), or the ARNs of an `existing` one.
pub(crate) fn database_expr(model: &Model, i: usize, attr: Attr) -> Expr {
    let d = &model.databases[i];
    match (&d.source, attr) {
        (_, Attr::Name) => Expr::Lit(d.database_name.clone().unwrap_or_default()),
        (DatabaseSource::Existing { secret_arn, .. }, Attr::SecretArn) => name_expr(secret_arn),
        (DatabaseSource::Existing { cluster_arn, .. }, _) => name_expr(cluster_arn),
        (DatabaseSource::Created(_), Attr::SecretArn) => {
            Expr::get_att(ids::database(&d.name), "MasterUserSecret.SecretArn")
        }
        (DatabaseSource::Created(_), _) => Expr::get_att(ids::database(&d.name), "DBClusterArn"),
    }
}

/// A name held as `Fn::Sub` text, as an expression (see [`name_value`]).
fn name_expr(text: &str) -> Expr {
    match name_value(text) {
        Doc::String(s) => Expr::Lit(s.into_string()),
        _ => Expr::Sub(text.to_string()),
    }
}

/// `arn:${AWS::Partition}:{service}:${AWS::Region}:${AWS::AccountId}:{rest}` (Sub text).
fn arn_text(service: &str, rest: &str) -> String {
    format!("arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{rest}")
}

/// A queue's (or dead-letter queue's) name, URL (`Url`, the default) or ARN: from the
/// stack, or spelled out from the name of an `existing` one.
pub(crate) fn queue_expr(model: &Model, id: crate::model::ResId, attr: Attr) -> Expr {
    let q = model.queue_of(id);
    if let (true, Some(name)) = (q.existing && id.kind == Kind::Queue, &q.physical_name) {
        return match attr {
            Attr::Name => name_expr(name),
            Attr::Arn => Expr::Sub(arn_text("sqs", name)),
            _ => Expr::Sub(format!(
                "https://sqs.${{AWS::Region}}.${{AWS::URLSuffix}}/${{AWS::AccountId}}/{name}"
            )),
        };
    }
    match attr {
        Attr::Name => Expr::get_att(model.queue_logical_id(id), "QueueName"),
        Attr::Arn => Expr::get_att(model.queue_logical_id(id), "Arn"),
        _ => Expr::Ref(model.queue_logical_id(id)),
    }
}

/// A table's name (the default), ARN or stream ARN; an `existing` one's from its name
/// (its stream ARN is not known: lowering refuses a stream on an existing table).
pub(crate) fn table_expr(model: &Model, i: usize, attr: Attr) -> Expr {
    let t = &model.tables[i];
    if let (true, Some(name)) = (t.existing, &t.physical_name) {
        return match attr {
            Attr::Arn | Attr::StreamArn => {
                Expr::Sub(arn_text("dynamodb", &format!("table/{name}")))
            }
            _ => name_expr(name),
        };
    }
    let id = ids::table(&t.name);
    match attr {
        Attr::Arn => Expr::get_att(id, "Arn"),
        Attr::StreamArn => Expr::get_att(id, "StreamArn"),
        _ => Expr::Ref(id),
    }
}

/// A bus's name or ARN (the default). The name is fixed, `{app}-{stage}-{key}`, so it is
/// written out rather than `Ref` (which some emulators cannot resolve for a bus); the
/// account's `default` bus has its ARN spelled out too.
pub(crate) fn bus_expr(model: &Model, i: usize, attr: Attr) -> Expr {
    let b = &model.buses[i];
    match (b.is_default, attr) {
        (_, Attr::Name) => Expr::Lit(b.physical_name.clone()),
        (true, _) => Expr::Sub(bus_arn_text(b)),
        (false, _) => Expr::get_att(ids::bus(&b.name), "Arn"),
    }
}

/// A bus's ARN spelled out from its name (`Fn::Sub` text).
pub(crate) fn bus_arn_text(b: &crate::model::Bus) -> String {
    arn_text("events", &format!("event-bus/{}", b.physical_name))
}

/// A topic's ARN (the default) or name.
pub(crate) fn topic_expr(model: &Model, i: usize, attr: Attr) -> Expr {
    let t = &model.topics[i];
    if let (true, Some(name)) = (t.existing, &t.physical_name) {
        return match attr {
            Attr::Name => name_expr(name),
            _ => Expr::Sub(arn_text("sns", name)),
        };
    }
    match attr {
        Attr::Name => Expr::get_att(ids::topic(&t.name), "TopicName"),
        _ => Expr::Ref(ids::topic(&t.name)),
    }
}

fn pseudo_id(p: Pseudo) -> &'static str {
    match p {
        Pseudo::Region => "AWS::Region",
        Pseudo::Account => "AWS::AccountId",
        Pseudo::Partition => "AWS::Partition",
        Pseudo::UrlSuffix => "AWS::URLSuffix",
    }
}

/// A string with references as a template value: a plain string when it is all literal,
/// the bare `Ref` / `Fn::GetAtt` when it is one reference, `Fn::Sub` otherwise.
pub(crate) fn interp(model: &Model, s: &Interp) -> Doc {
    if let Some(lit) = s.as_literal() {
        return Doc::from(lit);
    }
    match s.parts.as_slice() {
        [Part::Ref(r)] => return reference(model, r).value(),
        [Part::Pseudo(p)] => return ref_(pseudo_id(*p)),
        _ => {}
    }
    sub(interp_sub_text(model, s))
}

/// A string with references as `Fn::Sub` text (literal parts escaped).
pub(crate) fn interp_sub_text(model: &Model, s: &Interp) -> String {
    let mut text = String::new();
    for p in &s.parts {
        match p {
            Part::Lit(l) => text.push_str(&escape(l)),
            Part::Pseudo(p) => {
                text.push_str("${");
                text.push_str(pseudo_id(*p));
                text.push('}');
            }
            Part::Ref(r) => text.push_str(&reference(model, r).sub_text()),
        }
    }
    text
}

/// The app's tags and `fnplan:name` = `{app}-{stage}-{key}`: a readable name for a
/// resource whose physical name CloudFormation generates.
pub(crate) fn named_tags(model: &Model, key: &str) -> Doc {
    let name = format!("{}-{}-{key}", model.app, model.stage);
    let tags = model
        .tags
        .iter()
        .map(|(k, v)| cfn!({ "Key": k, "Value": v }))
        .chain(std::iter::once(
            cfn!({ "Key": "fnplan:name", "Value": name }),
        ));
    Doc::Array(tags.collect())
}

/// `[{Key, Value}]` from the model's tags, or `None` when there are none.
pub(crate) fn tags_list(model: &Model) -> Option<Doc> {
    if model.tags.is_empty() {
        return None;
    }
    Some(Doc::Array(
        model
            .tags
            .iter()
            .map(|(k, v)| cfn!({ "Key": k, "Value": v }))
            .collect(),
    ))
}

/// `{key: value}` from the model's tags (API Gateway v2 form), or `None` when there are none.
pub(crate) fn tags_map(model: &Model) -> Option<Doc> {
    if model.tags.is_empty() {
        return None;
    }
    let pairs = model
        .tags
        .iter()
        .map(|(k, v)| (Key::Owned(k.clone()), Doc::from(v)));
    Some(Doc::Object(pairs.collect()))
}
