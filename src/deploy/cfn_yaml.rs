//! A deployed template as GetTemplate returns it (JSON, or YAML with CloudFormation's
//! short tags such as `!Ref` and `!GetAtt`) in, a JSON value in long form out, so the
//! diff compares like with like.

use granit_parser::{Event, Parser, ScalarStyle, Tag};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;

/// Nesting and alias limits: a template is far below both, a hostile document is not.
const MAX_DEPTH: usize = 256;
const MAX_NODES: usize = 2_000_000;

/// Parse a template body. JSON is tried first when the text looks like JSON; anything
/// else is read as YAML with CloudFormation short tags mapped to their long form
/// (`!Ref X` -> `{"Ref": "X"}`, `!GetAtt A.B` -> `{"Fn::GetAtt": ["A", "B"]}`, ...).
///
/// The error says what is wrong and, for YAML, at which line and column.
pub fn parse(text: &str) -> Result<Value, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err("the template is empty".into());
    }
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| format!("invalid JSON template: {e}"));
    }
    parse_yaml(text)
}

fn parse_yaml(text: &str) -> Result<Value, String> {
    let mut b = Builder::default();
    let mut parser = Parser::new_from_str(text);
    while let Some(ev) = parser.next_event() {
        let (event, span) = ev.map_err(|e| {
            let m = e.marker();
            format!(
                "invalid YAML template at line {}, column {}: {}",
                m.line(),
                m.col() + 1,
                e.info()
            )
        })?;
        let at = || {
            format!(
                "line {}, column {}",
                span.start.line(),
                span.start.col() + 1
            )
        };
        match b.event(event) {
            Ok(true) => break,
            Ok(false) => {}
            Err(message) => return Err(format!("invalid template at {}: {message}", at())),
        }
    }
    b.root.ok_or_else(|| "the template is empty".to_string())
}

/// A collection being built, with the short tag it carried (`!If [..]`, `!Sub [..]`).
enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        tag: Option<&'static str>,
    },
    Map {
        entries: Map<String, Value>,
        key: Option<String>,
        anchor: usize,
        tag: Option<&'static str>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Value>,
    nodes: usize,
    documents: usize,
    root: Option<Value>,
}

impl Builder {
    /// Handle one event; `Ok(true)` once the (first) document is complete.
    fn event(&mut self, event: Event<'_>) -> Result<bool, String> {
        match event {
            Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => return Ok(true),
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(
                        "a template is a single YAML document (a `---` starts another)".into(),
                    );
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1)?;
                let value = match tag.as_deref() {
                    Some(t) => tagged_scalar(&text, t)?,
                    None => plain_scalar(&text, style),
                };
                self.complete(value, anchor)?;
            }
            Event::Alias(id) => {
                let value = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| "alias to an unknown anchor".to_string())?;
                self.count(size(&value))?;
                self.complete(value, 0)?;
            }
            Event::SequenceStart(_, anchor, tag) => {
                let tag = collection_tag(tag.as_deref(), "seq")?;
                self.open(Frame::Seq {
                    items: Vec::new(),
                    anchor,
                    tag,
                })?;
            }
            Event::MappingStart(_, anchor, tag) => {
                let tag = collection_tag(tag.as_deref(), "map")?;
                self.open(Frame::Map {
                    entries: Map::new(),
                    key: None,
                    anchor,
                    tag,
                })?;
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq { items, anchor, tag }) = self.stack.pop() {
                    self.complete(wrap(tag, Value::Array(items))?, anchor)?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    entries,
                    anchor,
                    tag,
                    ..
                }) = self.stack.pop()
                {
                    self.complete(wrap(tag, Value::Object(entries))?, anchor)?;
                }
            }
            _ => {}
        }
        Ok(false)
    }

    fn count(&mut self, n: usize) -> Result<(), String> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(format!(
                "more than {MAX_NODES} YAML nodes (aliases count every copy)"
            ));
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        self.count(1)?;
        self.stack.push(frame);
        Ok(())
    }

    /// A value is complete: remember it if anchored, then attach it to its parent.
    fn complete(&mut self, value: Value, anchor: usize) -> Result<(), String> {
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(key_text(value)?),
                Some(k) => {
                    if entries.contains_key(&k) {
                        return Err(format!("duplicate key `{k}`"));
                    }
                    entries.insert(k, value);
                }
            },
        }
        Ok(())
    }
}

fn size(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(size).sum(),
        Value::Object(m) => m.values().map(size).sum(),
        _ => 0,
    }
}

/// Mapping keys are strings in a template; scalars other than strings are written as text.
fn key_text(v: Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s),
        Value::Null => Ok(String::new()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err("a mapping key must be a plain value, not a list or mapping".into()),
    }
}

/// `!Ref`, `!Sub`, ... on a local (`!`) tag; `None` for core tags (`!!str`) and absent tags.
fn short_tag(tag: &Tag) -> Result<Option<&'static str>, String> {
    if tag.is_yaml_core_schema() {
        return Ok(None);
    }
    if tag.handle() == "!"
        && let Some(long) = crate::spec::node::cfn_long_form(tag.suffix())
    {
        return Ok(Some(long));
    }
    Err(format!(
        "unknown YAML tag `{}{}` (CloudFormation short tags are !Ref, !GetAtt, !Sub, !Join, ...)",
        tag.handle(),
        tag.suffix()
    ))
}

fn collection_tag(tag: Option<&Tag>, core: &str) -> Result<Option<&'static str>, String> {
    let Some(t) = tag else { return Ok(None) };
    if t.is_yaml_core_schema() {
        return if t.is_yaml_core_schema_tag(core) {
            Ok(None)
        } else {
            Err(format!("YAML tag `!!{}` does not fit a {core}", t.suffix()))
        };
    }
    short_tag(t)
}

/// Wrap a collection that carried a short tag: `!GetAtt [A, B]` -> `{"Fn::GetAtt": [A, B]}`.
fn wrap(tag: Option<&'static str>, value: Value) -> Result<Value, String> {
    Ok(match tag {
        None => value,
        Some(long) => single(long, value),
    })
}

fn single(key: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_string(), value);
    Value::Object(m)
}

fn tagged_scalar(text: &str, tag: &Tag) -> Result<Value, String> {
    if tag.is_yaml_core_schema() {
        let bad = |what: &str| format!("`{text}` is not a valid {what}");
        return match tag.suffix() {
            "str" => Ok(Value::String(text.to_string())),
            "int" => match crate::spec::node::resolve_plain(text) {
                crate::spec::node::Value::Int(i) => Ok(Value::from(i)),
                _ => Err(bad("integer")),
            },
            "float" => match crate::spec::node::resolve_plain(text) {
                crate::spec::node::Value::Float(f) => Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| bad("number")),
                crate::spec::node::Value::Int(i) => Ok(Value::from(i as f64)),
                _ => Err(bad("number")),
            },
            "bool" => match crate::spec::node::resolve_plain(text) {
                crate::spec::node::Value::Bool(b) => Ok(Value::Bool(b)),
                _ => Err(bad("boolean")),
            },
            "null" => Ok(Value::Null),
            other => Err(format!("YAML tag `!!{other}` does not fit a scalar")),
        };
    }
    let long = short_tag(tag)?.unwrap_or("Ref");
    // The scalar under a short tag is text, never resolved: `!Ref 123` names a parameter.
    let arg = Value::String(text.to_string());
    Ok(match long {
        "Fn::GetAtt" => {
            let (resource, attr) = text
                .split_once('.')
                .ok_or_else(|| format!("`!GetAtt {text}` needs the form `Resource.Attribute`"))?;
            single(long, Value::Array(vec![resource.into(), attr.into()]))
        }
        _ => single(long, arg),
    })
}

/// Resolve a plain scalar: null, booleans and numbers as YAML's core schema reads them;
/// everything else (including dates like `2012-10-17`) stays text. Quoted scalars are text.
fn plain_scalar(text: &str, style: ScalarStyle) -> Value {
    use crate::spec::node::Value as N;
    if !matches!(style, ScalarStyle::Plain) {
        return Value::String(text.to_string());
    }
    match crate::spec::node::resolve_plain(text) {
        N::Null => Value::Null,
        N::Bool(b) => Value::Bool(b),
        N::Int(i) => Value::from(i),
        N::Float(f) => {
            Number::from_f64(f).map_or_else(|| Value::String(text.to_string()), Value::Number)
        }
        _ => Value::String(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Description: orders service
Parameters:
  ArtifactBucket:
    Type: String
Conditions:
  IsProd: !Equals [!Ref "AWS::AccountId", "123456789012"]
Resources:
  OrdersTable:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    Properties:
      TableName: !Sub "${AWS::StackName}-orders"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - {AttributeName: id, KeyType: HASH}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: fnplan
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: [dynamodb:GetItem]
                Resource:
                  - !GetAtt OrdersTable.Arn
                  - !GetAtt [OrdersTable, StreamArn]
                  - !Join ["", [!GetAtt OrdersTable.Arn, "/index/*"]]
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
      Timeout: 10
      MemorySize: 0x100
      ReservedConcurrentExecutions: !If [IsProd, 20, !Ref "AWS::NoValue"]
      Code:
        S3Bucket: !Ref ArtifactBucket
        ZipFile: |
          def handler(event, context):
              return 1
      Environment:
        Variables:
          RATIO: 0.5
          ACCOUNT: 0123456789
          ENABLED: yes
          EMPTY:
          B64: !Base64 aGk=
          AZ: !Select [0, !GetAZs ""]
Outputs:
  TableArn:
    Value: !GetAtt OrdersTable.Arn
    Export:
      Name: !Sub "${AWS::StackName}-TableArn"
"#;

    #[test]
    fn yaml_short_tags_become_long_form() {
        let v = parse(TEMPLATE).unwrap();
        let r = &v["Resources"];
        assert_eq!(
            r["OrdersTable"]["Properties"]["TableName"],
            json!({"Fn::Sub": "${AWS::StackName}-orders"})
        );
        assert_eq!(
            r["OrdersTable"]["Properties"]["KeySchema"],
            json!([{"AttributeName": "id", "KeyType": "HASH"}])
        );
        assert_eq!(
            v["Conditions"]["IsProd"],
            json!({"Fn::Equals": [{"Ref": "AWS::AccountId"}, "123456789012"]})
        );
        let policy = &r["Role"]["Properties"]["Policies"][0]["PolicyDocument"];
        assert_eq!(
            policy["Statement"][0]["Resource"],
            json!([
                {"Fn::GetAtt": ["OrdersTable", "Arn"]},
                {"Fn::GetAtt": ["OrdersTable", "StreamArn"]},
                {"Fn::Join": ["", [{"Fn::GetAtt": ["OrdersTable", "Arn"]}, "/index/*"]]}
            ])
        );
        let f = &r["Fn"]["Properties"];
        assert_eq!(f["Role"], json!({"Fn::GetAtt": ["Role", "Arn"]}));
        assert_eq!(
            f["ReservedConcurrentExecutions"],
            json!({"Fn::If": ["IsProd", 20, {"Ref": "AWS::NoValue"}]})
        );
        assert_eq!(f["Code"]["S3Bucket"], json!({"Ref": "ArtifactBucket"}));
        assert_eq!(
            f["Code"]["ZipFile"],
            json!("def handler(event, context):\n    return 1\n")
        );
        let env = &f["Environment"]["Variables"];
        assert_eq!(env["B64"], json!({"Fn::Base64": "aGk="}));
        assert_eq!(env["AZ"], json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]}));
        assert_eq!(
            v["Outputs"]["TableArn"]["Export"]["Name"],
            json!({"Fn::Sub": "${AWS::StackName}-TableArn"})
        );
    }

    #[test]
    fn plain_scalars_resolve_like_cloudformation_reads_them() {
        let v = parse(TEMPLATE).unwrap();
        let f = &v["Resources"]["Fn"]["Properties"];
        assert_eq!(f["Timeout"], json!(10));
        assert_eq!(f["MemorySize"], json!(256));
        let env = &f["Environment"]["Variables"];
        assert_eq!(env["RATIO"], json!(0.5));
        assert_eq!(env["ACCOUNT"], json!("0123456789"));
        assert_eq!(env["ENABLED"], json!("yes"));
        assert_eq!(env["EMPTY"], Value::Null);
        // Dates stay text, quoted or not.
        let role = &v["Resources"]["Role"]["Properties"];
        assert_eq!(
            role["AssumeRolePolicyDocument"]["Version"],
            json!("2012-10-17")
        );
        assert_eq!(v["AWSTemplateFormatVersion"], json!("2010-09-09"));
        assert_eq!(
            role["AssumeRolePolicyDocument"]["Statement"][0]["Action"],
            json!("sts:AssumeRole")
        );
        let table = &v["Resources"]["OrdersTable"];
        assert_eq!(table["DeletionPolicy"], json!("Retain"));
    }

    #[test]
    fn key_order_is_kept() {
        let v = parse(TEMPLATE).unwrap();
        let keys: Vec<&String> = v["Resources"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["OrdersTable", "Role", "Fn"]);
    }

    #[test]
    fn json_templates_parse_as_json() {
        let text = include_str!("../../snapshots/orders-dev.json");
        let v = parse(text).unwrap();
        assert_eq!(v, serde_json::from_str::<Value>(text).unwrap());
    }

    #[test]
    fn yaml_and_json_of_the_same_template_agree() {
        let yaml = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${AWS::StackName}-q'\n      VisibilityTimeout: 30\n";
        let json_text = r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${AWS::StackName}-q"}, "VisibilityTimeout": 30}}}}"#;
        assert_eq!(parse(yaml).unwrap(), parse(json_text).unwrap());
    }

    #[test]
    fn anchors_and_aliases_are_expanded() {
        let v = parse("a: &tags [{Key: team, Value: x}]\nb: *tags\n").unwrap();
        assert_eq!(v["a"], v["b"]);
    }

    #[test]
    fn errors_say_what_and_where() {
        let err = parse("Resources:\n  Q: !Bogus x\n").unwrap_err();
        assert!(err.contains("unknown YAML tag `!Bogus`"), "{err}");
        assert!(err.contains("line 2"), "{err}");

        let err = parse("Resources:\n  Q: 1\n  Q: 2\n").unwrap_err();
        assert!(err.contains("duplicate key `Q`"), "{err}");

        let err = parse("a: !GetAtt NoDot\n").unwrap_err();
        assert!(err.contains("Resource.Attribute"), "{err}");

        let err = parse("a: [1, 2\n").unwrap_err();
        assert!(err.starts_with("invalid YAML template at line"), "{err}");

        assert!(
            parse("{\"a\": }")
                .unwrap_err()
                .starts_with("invalid JSON template")
        );
        assert_eq!(parse("  \n").unwrap_err(), "the template is empty");
    }
}
