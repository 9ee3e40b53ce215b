//! Moving resources to new logical IDs without replacing them (CloudFormation stack
//! refactoring): the deployed template and the spec's moves in, the template with those
//! resources renamed (and every reference to them) out; and the refactor itself run
//! through [`StackApi`]: create, wait for validation, execute, wait.

use super::plan::Moved;
use super::{DeployError, StackApi};
use crate::template::Move;
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// The deployed template with each applicable move done: `from` is in the stack and `to`
/// is not (a move already made, or one of a resource never deployed, does nothing).
pub fn rename(template: &Value, moves: &[Move]) -> (Value, Vec<Moved>) {
    let mut t = template.clone();
    let mut done = Vec::new();
    for m in moves {
        let Some(res) = t.get_mut("Resources").and_then(Value::as_object_mut) else {
            break;
        };
        if res.contains_key(&m.to) {
            continue;
        }
        let Some(r) = res.shift_remove(&m.from) else {
            continue;
        };
        let resource_type = r["Type"].as_str().unwrap_or_default().to_string();
        res.insert(m.to.clone(), r);
        done.push(Moved {
            from: m.from.clone(),
            to: m.to.clone(),
            resource_type,
        });
    }
    if !done.is_empty() {
        rename_references(&mut t, &done);
    }
    (t, done)
}

/// `Ref`, `Fn::GetAtt`, `${X}`/`${X.Attr}` in `Fn::Sub`, and `DependsOn` entries.
fn rename_references(t: &mut Value, moves: &[Moved]) {
    let new_id =
        |id: &str| -> Option<String> { moves.iter().find(|m| m.from == id).map(|m| m.to.clone()) };
    if let Some(res) = t.get_mut("Resources").and_then(Value::as_object_mut) {
        for r in res.values_mut() {
            if let Some(d) = r.get_mut("DependsOn") {
                match d {
                    Value::String(s) => rename_id(s, &new_id),
                    Value::Array(a) => a.iter_mut().for_each(|x| {
                        if let Value::String(s) = x {
                            rename_id(s, &new_id)
                        }
                    }),
                    _ => {}
                }
            }
            for key in ["Properties", "Metadata"] {
                if let Some(v) = r.get_mut(key) {
                    walk(v, &new_id);
                }
            }
        }
    }
    if let Some(v) = t.get_mut("Outputs") {
        walk(v, &new_id);
    }
}

fn rename_id(s: &mut String, new_id: &dyn Fn(&str) -> Option<String>) {
    if let Some(n) = new_id(s) {
        *s = n;
    }
}

fn walk(v: &mut Value, new_id: &dyn Fn(&str) -> Option<String>) {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m.iter_mut().next().expect("one entry");
            match (k.as_str(), arg) {
                ("Ref", Value::String(s)) => rename_id(s, new_id),
                ("Fn::GetAtt", Value::Array(a)) => {
                    if let Some(Value::String(s)) = a.first_mut() {
                        rename_id(s, new_id);
                    }
                }
                ("Fn::GetAtt", Value::String(s)) => {
                    let (id, attr) = s.split_once('.').unwrap_or((s.as_str(), ""));
                    if let Some(n) = new_id(id) {
                        *s = format!("{n}.{attr}");
                    }
                }
                ("Fn::Sub", arg) => sub(arg, new_id),
                (_, arg) => walk(arg, new_id),
            }
        }
        Value::Object(m) => m.values_mut().for_each(|x| walk(x, new_id)),
        Value::Array(a) => a.iter_mut().for_each(|x| walk(x, new_id)),
        _ => {}
    }
}

fn sub(arg: &mut Value, new_id: &dyn Fn(&str) -> Option<String>) {
    let (text, vars) = match arg {
        Value::Array(a) => {
            let n = 1.min(a.len());
            let (first, rest) = a.split_at_mut(n);
            (first.first_mut(), rest.first_mut())
        }
        other => (Some(other), None),
    };
    let locals: Map<String, Value> = vars
        .as_ref()
        .and_then(|v| v.as_object())
        .cloned()
        .unwrap_or_default();
    if let Some(Value::String(s)) = text {
        *s = sub_text(s, &|name| {
            if locals.contains_key(name) {
                None
            } else {
                new_id(name)
            }
        });
    }
    if let Some(v) = vars {
        walk(v, new_id);
    }
}

/// `${Old}` -> `${New}`, `${Old.Arn}` -> `${New.Arn}`; `${!Literal}` untouched.
fn sub_text(s: &str, new_id: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start + 2]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            rest = after;
            break;
        };
        let name = &after[..end];
        let (id, attr) = match name.split_once('.') {
            Some((i, a)) => (i, Some(a)),
            None => (name, None),
        };
        match new_id(id).filter(|_| !name.starts_with('!')) {
            Some(n) => {
                out.push_str(&n);
                if let Some(a) = attr {
                    out.push('.');
                    out.push_str(a);
                }
            }
            None => out.push_str(name),
        }
        out.push('}');
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The template a refactor gives the stack: inline, or in S3 when it is too large.
#[derive(Clone, Copy, Debug)]
pub enum TemplateRef<'a> {
    Body(&'a str),
    Url(&'a str),
}

/// How a refactor stands (`DescribeStackRefactor`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefactorState {
    /// `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `CREATE_FAILED`, ...
    pub status: String,
    /// `UNAVAILABLE`, `AVAILABLE`, `EXECUTE_IN_PROGRESS`, `EXECUTE_COMPLETE`,
    /// `EXECUTE_FAILED`, `ROLLBACK_COMPLETE`, ...
    pub execution_status: String,
    pub reason: Option<String>,
}

/// Move `moved` inside stack `stack`, whose template after the moves is `template`;
/// wait until CloudFormation has validated and executed it (at most `wait` each).
pub async fn run(
    api: &impl StackApi,
    stack: &str,
    template: TemplateRef<'_>,
    moved: &[Moved],
    wait: Duration,
) -> Result<(), DeployError> {
    let id = api.create_stack_refactor(stack, template, moved).await?;
    let s = settle(api, &id, wait, |s| !s.status.ends_with("_IN_PROGRESS")).await?;
    if s.status != "CREATE_COMPLETE" {
        return Err(DeployError::Refactor {
            id,
            status: s.status,
            reason: s.reason.unwrap_or_default(),
        });
    }
    api.execute_stack_refactor(&id).await?;
    let s = settle(api, &id, wait, |s| {
        !s.execution_status.ends_with("_IN_PROGRESS") && s.execution_status != "AVAILABLE"
    })
    .await?;
    if s.execution_status != "EXECUTE_COMPLETE" {
        return Err(DeployError::Refactor {
            id,
            status: s.execution_status,
            reason: s.reason.unwrap_or_default(),
        });
    }
    Ok(())
}

async fn settle(
    api: &impl StackApi,
    id: &str,
    wait: Duration,
    done: impl Fn(&RefactorState) -> bool,
) -> Result<RefactorState, DeployError> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(200);
    loop {
        let s = api.describe_stack_refactor(id).await?;
        if done(&s) {
            return Ok(s);
        }
        if start.elapsed() >= wait {
            return Err(DeployError::Timeout {
                arn: id.to_string(),
                waited: wait,
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mv(from: &str, to: &str) -> Move {
        Move {
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn a_move_renames_the_resource_and_every_reference() {
        let t = json!({
            "Resources": {
                "VideosTable": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "x"}},
                "Fn": {"Type": "AWS::Lambda::Function", "DependsOn": ["VideosTable", "Other"],
                    "Properties": {"Environment": {"Variables": {
                        "T": {"Ref": "VideosTable"},
                        "A": {"Fn::GetAtt": ["VideosTable", "Arn"]},
                        "S": {"Fn::GetAtt": "VideosTable.StreamArn"},
                        "U": {"Fn::Sub": "${VideosTable.Arn}/index/* ${!VideosTable} ${VideosTableX}"},
                        "V": {"Fn::Sub": ["${VideosTable}-${L}", {"L": {"Ref": "VideosTable"}}]}}}}},
                "Other": {"Type": "AWS::SQS::Queue"}
            },
            "Outputs": {"T": {"Value": {"Ref": "VideosTable"}}}
        });
        let (out, done) = rename(&t, &[mv("VideosTable", "ClipsTable")]);
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].resource_type, "AWS::DynamoDB::Table");
        let expected = json!({
            "Resources": {
                "Fn": {"Type": "AWS::Lambda::Function", "DependsOn": ["ClipsTable", "Other"],
                    "Properties": {"Environment": {"Variables": {
                        "T": {"Ref": "ClipsTable"},
                        "A": {"Fn::GetAtt": ["ClipsTable", "Arn"]},
                        "S": {"Fn::GetAtt": "ClipsTable.StreamArn"},
                        "U": {"Fn::Sub": "${ClipsTable.Arn}/index/* ${!VideosTable} ${VideosTableX}"},
                        "V": {"Fn::Sub": ["${ClipsTable}-${L}", {"L": {"Ref": "ClipsTable"}}]}}}}},
                "Other": {"Type": "AWS::SQS::Queue"},
                "ClipsTable": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "x"}}
            },
            "Outputs": {"T": {"Value": {"Ref": "ClipsTable"}}}
        });
        assert_eq!(out, expected);
    }

    #[test]
    fn moves_already_made_or_never_deployed_do_nothing() {
        let t = json!({"Resources": {"ClipsTable": {"Type": "AWS::DynamoDB::Table"}}});
        let (out, done) = rename(&t, &[mv("VideosTable", "ClipsTable"), mv("A", "B")]);
        assert!(done.is_empty());
        assert_eq!(out, t);
    }
}
