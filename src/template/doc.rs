//! A rendered template's data: `serde_json::Value` trees in, a compact, read-only tree out
//! ([`Doc`]) that serializes to exactly the same JSON (and YAML) and turns back into a
//! `serde_json::Value` for code that walks templates (split, plan's diff).
//!
//! Why not keep `serde_json::Value`: with `preserve_order` every object is an `IndexMap`
//! (a hash table and a vector of 112-byte entries, keys hashed with SipHash). A
//! 2,000-function template held 56 MB of them for 5.5 MB of JSON. Here an object is a boxed
//! slice of `(key, value)` pairs in order (40 bytes a pair, no hashing): templates are
//! written and measured, not searched, and each object is small.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Number, Value};

/// One JSON value of a template.
#[derive(Clone, Debug, PartialEq)]
pub enum Doc {
    Null,
    Bool(bool),
    Number(Number),
    String(Box<str>),
    Array(Box<[Doc]>),
    /// Keys in the order they were inserted; no key twice (they come from a map).
    Object(Box<[(Box<str>, Doc)]>),
}

impl Doc {
    /// An object from its pairs, in order.
    pub fn object(pairs: Vec<(Box<str>, Doc)>) -> Self {
        Doc::Object(pairs.into_boxed_slice())
    }

    /// The value of `key` in an object (a linear search: objects are small).
    pub fn get(&self, key: &str) -> Option<&Doc> {
        match self {
            Doc::Object(pairs) => pairs.iter().find(|(k, _)| &**k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// How many entries an object has (0 for anything else).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        match self {
            Doc::Object(pairs) => pairs.len(),
            _ => 0,
        }
    }

    /// The same value as a `serde_json::Value` (a copy).
    pub fn to_value(&self) -> Value {
        match self {
            Doc::Null => Value::Null,
            Doc::Bool(b) => Value::Bool(*b),
            Doc::Number(n) => Value::Number(n.clone()),
            Doc::String(s) => Value::String(s.to_string()),
            Doc::Array(items) => Value::Array(items.iter().map(Doc::to_value).collect()),
            Doc::Object(pairs) => {
                let mut m = Map::with_capacity(pairs.len());
                for (k, v) in pairs.iter() {
                    m.insert(k.to_string(), v.to_value());
                }
                Value::Object(m)
            }
        }
    }
}

impl From<Value> for Doc {
    /// Moves the strings; the maps and vectors of `v` are freed as it goes.
    fn from(v: Value) -> Self {
        match v {
            Value::Null => Doc::Null,
            Value::Bool(b) => Doc::Bool(b),
            Value::Number(n) => Doc::Number(n),
            Value::String(s) => Doc::String(s.into_boxed_str()),
            Value::Array(items) => Doc::Array(items.into_iter().map(Doc::from).collect()),
            Value::Object(m) => Doc::Object(
                m.into_iter()
                    .map(|(k, v)| (k.into_boxed_str(), Doc::from(v)))
                    .collect(),
            ),
        }
    }
}

impl Serialize for Doc {
    /// As `serde_json::Value` serializes: the same bytes for the same value.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Doc::Null => s.serialize_unit(),
            Doc::Bool(b) => s.serialize_bool(*b),
            Doc::Number(n) => n.serialize(s),
            Doc::String(text) => s.serialize_str(text),
            Doc::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Doc::Object(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs.iter() {
                    map.serialize_entry(&**k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "Type": "AWS::SQS::Queue",
            "Properties": { "VisibilityTimeout": 60, "Ratio": 0.5, "Neg": -3, "On": true,
                            "None": null, "Tags": [{ "Key": "k", "Value": "v\"\n" }], "Empty": {} },
            "A": []
        })
    }

    #[test]
    fn writes_the_same_bytes_as_serde_json() {
        let v = sample();
        let d = Doc::from(v.clone());
        assert_eq!(
            serde_json::to_string_pretty(&d).unwrap(),
            serde_json::to_string_pretty(&v).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            serde_json::to_string(&v).unwrap()
        );
        assert_eq!(
            serde_saphyr::to_string(&d).unwrap(),
            serde_saphyr::to_string(&v).unwrap()
        );
    }

    #[test]
    fn round_trips_in_order() {
        let v = sample();
        let back = Doc::from(v.clone()).to_value();
        assert_eq!(back, v);
        let keys: Vec<&String> = back.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["Type", "Properties", "A"]);
        let d = Doc::from(v);
        assert_eq!(d.len(), 3);
        assert!(d.get("Properties").is_some_and(|p| p.len() == 7));
        assert_eq!(d.get("Nope"), None);
    }
}
