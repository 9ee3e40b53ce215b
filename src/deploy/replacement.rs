//! Which property changes replace a resource: a resource type, the path of a changed
//! property and both sides' `Properties` in, whether CloudFormation replaces the resource
//! out; also which types hold data and which property names their physical resource.
//!
//! Sources:
//! - The CloudFormation resource provider schemas of every type fnplan renders, vendored
//!   trimmed in `schemas/cloudformation/` (from cfn-lint's bundled copy; version, date,
//!   region and command in `source.json` there) and turned into `replacement/data.rs`
//!   (generated; a test fails when it and the JSON differ): `createOnlyProperties`, and
//!   `conditionalCreateOnlyProperties`, which the schema format defines as replaced when
//!   the change cannot be made in place: fnplan cannot tell that offline, so it predicts
//!   the replacement (CloudFormation's change set then says `Conditional`).
//! - What the resource reference documents as "Update requires: Replacement" and the
//!   schemas do not state: [`DOCUMENTED`], and the rule for DynamoDB's
//!   `AttributeDefinitions` (`attribute_definitions_replace`), each with its source.
//! - For `AWS::CloudFormation::Stack` (nested stacks, `--split`) the schema lists no
//!   create-only property, and the user guide lists every property (`TemplateURL`,
//!   `Parameters`, `Tags`, `NotificationARNs`, `TimeoutInMinutes`) as "Update requires:
//!   No interruption": a changed nested template updates the nested stack in place.
//! - Stateful types: cfn-lint's list (`AdditionalSpecs/StatefulResources.json`, vendored
//!   as `schemas/cloudformation/stateful.json`).

use serde_json::Value;

// Generated from schemas/cloudformation; see the test `generated_tables_match_the_schemas`.
mod data;

/// What a resource provider schema says about updating one resource type. JSON pointers
/// are written as property paths: `/properties/Foo/Bar` is `Foo.Bar`, and an array's
/// items (`/properties/Foo/*/Bar`) are `Foo[*].Bar`.
#[derive(Debug)]
pub struct SchemaFacts {
    pub type_name: &'static str,
    /// `createOnlyProperties`: changing one replaces the resource.
    pub create_only: &'static [&'static str],
    /// `conditionalCreateOnlyProperties`: changing one replaces the resource unless the
    /// change can be made in place.
    pub conditional_create_only: &'static [&'static str],
    /// `primaryIdentifier`, in the schema's order.
    pub primary_identifier: &'static [&'static str],
}

/// Replacements the resource reference documents that the schemas do not state.
static DOCUMENTED: &[(&str, &str)] = &[
    // CloudFormation resource specification: `UpdateType: Immutable`; user guide,
    // AWS::DynamoDB::Table: "Update requires: Replacement". The schema lists it only under
    // conditionalCreateOnlyProperties; a table's key cannot change in place.
    ("AWS::DynamoDB::Table", "KeySchema"),
    // Same sources (`UpdateType: Immutable`, "Update requires: Replacement"); the schema
    // does not list it: local secondary indexes are only made with the table.
    ("AWS::DynamoDB::Table", "LocalSecondaryIndexes"),
];

/// The property that fixes a resource's physical name, for types that have one.
/// CloudFormation cannot replace such a resource while the name stays the same.
static NAME_PROPERTY: &[(&str, &str)] = &[
    ("AWS::DynamoDB::Table", "TableName"),
    ("AWS::Events::Rule", "Name"),
    ("AWS::IAM::Role", "RoleName"),
    ("AWS::Lambda::Function", "FunctionName"),
    ("AWS::Logs::LogGroup", "LogGroupName"),
    ("AWS::S3::Bucket", "BucketName"),
    ("AWS::SNS::Topic", "TopicName"),
    ("AWS::SQS::Queue", "QueueName"),
];

/// The schema facts of `resource_type`, for the types fnplan renders.
pub fn schema(resource_type: &str) -> Option<&'static SchemaFacts> {
    data::SCHEMAS.iter().find(|s| s.type_name == resource_type)
}

/// The property paths a change under which replaces a resource of `resource_type`:
/// create-only and conditionally create-only in its schema, and the documented cases;
/// sorted (empty for types fnplan does not know). DynamoDB's `AttributeDefinitions`
/// depends on the values, see [`replaces_in`].
pub fn create_only(resource_type: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = schema(resource_type)
        .map(|s| {
            s.create_only
                .iter()
                .chain(s.conditional_create_only)
                .copied()
                .collect()
        })
        .unwrap_or_default();
    out.extend(
        DOCUMENTED
            .iter()
            .filter(|(t, _)| *t == resource_type)
            .map(|(_, p)| *p),
    );
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether fnplan knows the create-only properties of `resource_type` (otherwise it
/// cannot predict a replacement and leaves that to CloudFormation's change set).
pub fn is_known(resource_type: &str) -> bool {
    schema(resource_type).is_some()
}

/// Whether a change at `property_path` replaces a resource of `resource_type`, without
/// the values: where the answer depends on them (a whole object holding a nested
/// create-only property, DynamoDB's `AttributeDefinitions`) it assumes a replacement.
pub fn replaces(resource_type: &str, property_path: &str) -> bool {
    decide(resource_type, property_path, None)
}

/// Whether a change at `property_path` replaces a resource of `resource_type`, given its
/// `Properties` before and after (`None`: that side has none). The path is relative to
/// `Properties`, as the plan writes it: `KeySchema[0].KeyType`, `Tags[1]`, `Foo["a.b"]`;
/// the empty path is `Properties` as a whole. A change at or under a create-only
/// property replaces; so does a change above one (`Foo` for `Foo.Bar`) when the
/// create-only value differs.
pub fn replaces_in(
    resource_type: &str,
    property_path: &str,
    old: Option<&Value>,
    new: Option<&Value>,
) -> bool {
    decide(resource_type, property_path, Some((old, new)))
}

/// Both sides' `Properties`, or `None` when the caller does not have them.
type Sides<'a> = Option<(Option<&'a Value>, Option<&'a Value>)>;

fn decide(resource_type: &str, property_path: &str, sides: Sides) -> bool {
    let path = parse(property_path);
    let schema_says = create_only(resource_type)
        .iter()
        .any(|pattern| pattern_replaces(&parse(pattern), &path, sides));
    schema_says
        || (resource_type == "AWS::DynamoDB::Table" && attribute_definitions_replace(&path, sides))
}

/// Whether a change at `path` changes create-only property `pattern`.
fn pattern_replaces(pattern: &[Seg], path: &[Seg], sides: Sides) -> bool {
    let prefix = path.iter().zip(pattern).all(|(p, q)| match (p, q) {
        (Seg::Index(_), Seg::Any) => true,
        _ => p == q,
    });
    if !prefix {
        return false;
    }
    if path.len() >= pattern.len() {
        return true;
    }
    // The change is above the create-only property: compare what is at it.
    match sides {
        Some((old, new)) => resolve(old, pattern) != resolve(new, pattern),
        None => true,
    }
}

/// DynamoDB `AttributeDefinitions`. User guide, AWS::DynamoDB::Table: "Update requires:
/// Some interruptions. Replacement if you edit an existing AttributeDefinition"; the
/// schema's description of the property: "You can add an AttributeDefinition without
/// interruption. Changing the type of an existing AttributeDefinition requires replacement
/// of the table." So an attribute defined on both sides whose type changes replaces the
/// table (whichever key or index uses it); one added or removed does not, unless it is a
/// key attribute of the table (the key changes: a new table). Definitions that are not a
/// plain list (an intrinsic) cannot be compared and count as a replacement.
fn attribute_definitions_replace(path: &[Seg], sides: Sides) -> bool {
    if !matches!(path.first(), Some(Seg::Key(k)) if k == "AttributeDefinitions") {
        return false;
    }
    let Some((old, new)) = sides else {
        return true;
    };
    let (Some(old_defs), Some(new_defs)) = (definitions(old), definitions(new)) else {
        return true;
    };
    let names: Vec<&str> = match path.get(1) {
        Some(Seg::Index(i)) => [old_defs.get(*i), new_defs.get(*i)]
            .into_iter()
            .flatten()
            .map(|(n, _)| *n)
            .collect(),
        _ => old_defs.iter().chain(&new_defs).map(|(n, _)| *n).collect(),
    };
    let keys: Vec<&str> = [old, new].into_iter().flat_map(key_attributes).collect();
    names.into_iter().any(
        |name| match (type_in(&old_defs, name), type_in(&new_defs, name)) {
            (Some(a), Some(b)) => a != b,
            (a, b) => a != b && keys.contains(&name),
        },
    )
}

/// The type `defs` gives attribute `name`.
fn type_in<'a>(defs: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    defs.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// `AttributeDefinitions` as (name, type) pairs in order; absent is empty; `None` when it
/// is not a list of plain definitions.
fn definitions(props: Option<&Value>) -> Option<Vec<(&str, &str)>> {
    let Some(defs) = props.and_then(|p| p.get("AttributeDefinitions")) else {
        return Some(Vec::new());
    };
    defs.as_array()?
        .iter()
        .map(|d| {
            let name = d.get("AttributeName")?.as_str()?;
            Some((name, d.get("AttributeType")?.as_str()?))
        })
        .collect()
}

/// The attribute names in the table's `KeySchema`.
fn key_attributes(props: Option<&Value>) -> Vec<&str> {
    props
        .and_then(|p| p.get("KeySchema"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|k| k.get("AttributeName")?.as_str())
        .collect()
}

/// One step of a property path.
#[derive(Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
    /// `[*]`: every item of an array (create-only paths only).
    Any,
}

/// `A.B[0]["c.d"][*]` -> `A`, `B`, `0`, `c.d`, `*`. Lenient: text it cannot read
/// becomes a key.
fn parse(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            rest = r;
        } else if let Some(r) = rest.strip_prefix('[') {
            let (seg, after) = bracket(r);
            out.push(seg);
            rest = after;
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            out.push(Seg::Key(rest[..end].to_string()));
            rest = &rest[end..];
        }
    }
    out
}

/// The step after a `[`: `*]`, `3]` or a JSON string and `]`; and the text after it.
fn bracket(r: &str) -> (Seg, &str) {
    if r.starts_with('"') {
        let mut escaped = false;
        for (i, c) in r.char_indices().skip(1) {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    let key = serde_json::from_str(&r[..=i]).unwrap_or_else(|_| r[1..i].into());
                    let after = &r[i + 1..];
                    return (Seg::Key(key), after.strip_prefix(']').unwrap_or(after));
                }
                _ => escaped = false,
            }
        }
        return (Seg::Key(r.to_string()), "");
    }
    let end = r.find(']').unwrap_or(r.len());
    let inner = &r[..end];
    let seg = match inner {
        "*" => Seg::Any,
        _ => inner
            .parse()
            .map_or_else(|_| Seg::Key(inner.to_string()), Seg::Index),
    };
    (seg, r.get(end + 1..).unwrap_or(""))
}

/// The values at `pattern` inside `props` (every item for `[*]`).
fn resolve<'a>(props: Option<&'a Value>, pattern: &[Seg]) -> Vec<&'a Value> {
    let mut at: Vec<&Value> = props.into_iter().collect();
    for seg in pattern {
        at = at
            .into_iter()
            .flat_map(|v| match (seg, v) {
                (Seg::Key(k), Value::Object(m)) => m.get(k.as_str()).into_iter().collect(),
                (Seg::Index(i), Value::Array(a)) => a.get(*i).into_iter().collect(),
                (Seg::Any, Value::Array(a)) => a.iter().collect(),
                _ => Vec::new(),
            })
            .collect();
    }
    at
}

/// The top-level property a path starts with: `KeySchema[0].KeyType` -> `KeySchema`.
pub fn top_level(property_path: &str) -> &str {
    let end = property_path
        .find(['.', '['])
        .unwrap_or(property_path.len());
    &property_path[..end]
}

/// Resources that hold data a replacement or deletion loses, as cfn-lint lists them:
/// tables, buckets, queues (that may hold messages), log groups (their history), nested
/// stacks (the tables, buckets and queues inside go with them), databases, file systems,
/// keys, secrets, streams; and fnplan's own addition, [`ALSO_STATEFUL`].
pub fn is_stateful(resource_type: &str) -> bool {
    data::STATEFUL.contains(&resource_type) || ALSO_STATEFUL.contains(&resource_type)
}

/// Types cfn-lint does not list that still hold data: an EventBridge archive keeps the
/// events it recorded for replay, and deleting or replacing it loses them. (An event bus
/// itself holds nothing: buses are stateful only through their archives.)
const ALSO_STATEFUL: &[&str] = &["AWS::Events::Archive"];

/// The property that names the physical resource (`TableName`, `QueueName`, ...), if any.
pub fn name_property(resource_type: &str) -> Option<&'static str> {
    NAME_PROPERTY
        .iter()
        .find(|(t, _)| *t == resource_type)
        .map(|(_, p)| *p)
}

/// The resource types fnplan renders: the vendored schemas are exactly these.
#[cfg(test)]
pub(crate) const RENDERED_TYPES: &[&str] = &[
    "AWS::SQS::Queue",
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::Topic",
    "AWS::SNS::Subscription",
    "AWS::IAM::Role",
    "AWS::Logs::LogGroup",
    "AWS::Lambda::Function",
    "AWS::Lambda::LayerVersion",
    "AWS::Lambda::Version",
    "AWS::Lambda::Alias",
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::Events::Rule",
    "AWS::Events::EventBus",
    "AWS::Events::Archive",
    "AWS::SQS::QueuePolicy",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::CloudFormation::Stack",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
];

#[cfg(test)]
mod tests;
