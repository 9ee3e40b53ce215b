//! Template values on one line, for people: property values in CloudFormation's short
//! form (`!Ref OrdersTable`, `!GetAtt OrdersTable.Arn`), and IAM summaries as sentences
//! (`${OrdersTable.Arn}`, `Ref(ArtifactBucket)`, `Sub` text as written).

use serde_json::Value;

/// A property value on one line: strings quoted, intrinsic functions as short tags,
/// lists and mappings in flow style.
pub fn inline(v: &Value) -> String {
    let mut out = String::new();
    write_inline(&mut out, v);
    out
}

fn write_inline(out: &mut String, v: &Value) {
    if let Some((name, arg)) = intrinsic(v) {
        match (name, arg) {
            ("Ref", Value::String(s)) => out.push_str(&format!("!Ref {s}")),
            ("Fn::GetAtt", _) if getatt(v).is_some() => {
                let (r, a) = getatt(v).unwrap_or_default();
                out.push_str(&format!("!GetAtt {r}.{a}"));
            }
            _ => {
                out.push('!');
                out.push_str(name.strip_prefix("Fn::").unwrap_or(name));
                out.push(' ');
                write_inline(out, arg);
            }
        }
        return;
    }
    match v {
        Value::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_inline(out, item);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if is_plain_key(k) {
                    out.push_str(k);
                } else {
                    out.push_str(&Value::String(k.clone()).to_string());
                }
                out.push_str(": ");
                write_inline(out, item);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn is_plain_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

/// A value inside a sentence: `${A.B}` for `GetAtt`, `Ref(X)` for `Ref` (`${AWS::Region}`
/// for pseudo parameters), the text of a `Sub`, the joined parts of a `Join`; strings
/// unquoted; lists comma-separated.
pub fn summary(v: &Value) -> String {
    if let Some((r, a)) = getatt(v) {
        return format!("${{{r}.{a}}}");
    }
    if let Some((name, arg)) = intrinsic(v) {
        return match (name, arg) {
            ("Ref", Value::String(s)) if s.starts_with("AWS::") => format!("${{{s}}}"),
            ("Ref", Value::String(s)) => format!("Ref({s})"),
            ("Fn::Sub", Value::String(s)) => s.clone(),
            ("Fn::Sub", Value::Array(parts)) if matches!(parts.first(), Some(Value::String(_))) => {
                parts[0].as_str().unwrap_or_default().to_string()
            }
            ("Fn::Join", Value::Array(parts)) if parts.len() == 2 => match (&parts[0], &parts[1]) {
                (Value::String(sep), Value::Array(items)) => {
                    items.iter().map(summary).collect::<Vec<_>>().join(sep)
                }
                _ => inline(v),
            },
            ("Fn::ImportValue", arg) => format!("ImportValue({})", summary(arg)),
            _ => inline(v),
        };
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(summary).collect::<Vec<_>>().join(", "),
        Value::Object(_) => inline(v),
        other => other.to_string(),
    }
}

/// `{"Ref": ..}`, `{"Condition": ..}` or `{"Fn::X": ..}`: a mapping with one such key.
pub fn intrinsic(v: &Value) -> Option<(&str, &Value)> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    let (k, arg) = m.iter().next()?;
    (k == "Ref" || k == "Condition" || k.starts_with("Fn::")).then_some((k.as_str(), arg))
}

/// The resource and attribute of a `Fn::GetAtt`, in either of its forms (`"A.B"`, `[A, B]`).
pub fn getatt(v: &Value) -> Option<(String, String)> {
    let (name, arg) = intrinsic(v)?;
    if name != "Fn::GetAtt" {
        return None;
    }
    match arg {
        Value::String(s) => s
            .split_once('.')
            .map(|(r, a)| (r.to_string(), a.to_string())),
        Value::Array(parts) if parts.len() == 2 => {
            let r = parts[0].as_str()?;
            let a = summary(&parts[1]);
            Some((r.to_string(), a))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inline_uses_short_tags() {
        assert_eq!(inline(&json!("debug")), "\"debug\"");
        assert_eq!(inline(&json!(5)), "5");
        assert_eq!(inline(&json!({"Ref": "OrdersTable"})), "!Ref OrdersTable");
        assert_eq!(
            inline(&json!({"Fn::GetAtt": ["OrdersTable", "Arn"]})),
            "!GetAtt OrdersTable.Arn"
        );
        assert_eq!(
            inline(&json!({"Fn::Sub": "${AWS::StackName}-x"})),
            "!Sub \"${AWS::StackName}-x\""
        );
        assert_eq!(
            inline(&json!([{"Key": "team", "Value": "checkout"}])),
            "[{Key: \"team\", Value: \"checkout\"}]"
        );
        assert_eq!(
            inline(&json!({"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]})),
            "!If [\"IsProd\", 1, !Ref AWS::NoValue]"
        );
        assert_eq!(inline(&json!({"a b": 1})), "{\"a b\": 1}");
    }

    #[test]
    fn summary_reads_as_text() {
        assert_eq!(
            summary(&json!({"Fn::GetAtt": ["OrdersTable", "Arn"]})),
            "${OrdersTable.Arn}"
        );
        assert_eq!(
            summary(&json!({"Fn::GetAtt": "OrdersTable.Arn"})),
            "${OrdersTable.Arn}"
        );
        assert_eq!(
            summary(&json!({"Ref": "ArtifactBucket"})),
            "Ref(ArtifactBucket)"
        );
        assert_eq!(
            summary(&json!({"Ref": "AWS::AccountId"})),
            "${AWS::AccountId}"
        );
        assert_eq!(
            summary(&json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::b"})),
            "arn:${AWS::Partition}:s3:::b"
        );
        assert_eq!(
            summary(&json!({"Fn::Join": ["", [{"Fn::GetAtt": ["T", "Arn"]}, "/index/*"]]})),
            "${T.Arn}/index/*"
        );
        assert_eq!(summary(&json!(["a", "b"])), "a, b");
    }
}
