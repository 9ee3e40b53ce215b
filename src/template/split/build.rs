//! Writing the nested stacks once every resource has its part: the rendered resources
//! and outputs in; the parent template (with one `AWS::CloudFormation::Stack` per chunk)
//! and the child templates out, each reference across stacks rewritten into a parameter
//! or an output.

use super::{Import, Nested, Part, Repl, Split, depends_on, rewrite};
use crate::model::Model;
use crate::template::Template;
use serde_json::{Map, Value, json};
use foldhash::HashMap;
use std::collections::BTreeSet;

/// Writes the parent and child templates once every resource has its part.
pub(super) struct Builder<'a> {
    pub(super) model: &'a Model,
    pub(super) doc: &'a Map<String, Value>,
    pub(super) ids: &'a [String],
    pub(super) index: &'a HashMap<&'a str, usize>,
    pub(super) params: &'a Map<String, Value>,
    pub(super) outputs: &'a Map<String, Value>,
    pub(super) part: &'a [Part],
    pub(super) output_part: Vec<Part>,
    pub(super) names: &'a [String],
    pub(super) chunks: &'a [Vec<usize>],
    pub(super) file_name: &'a dyn Fn(&str) -> String,
}

/// A child template under construction.
#[derive(Default)]
struct Child {
    resources: Map<String, Value>,
    parameters: Map<String, Value>,
    /// Parameter values the parent passes in.
    passed: Map<String, Value>,
    outputs: Map<String, Value>,
    /// Parent-level logical IDs the child stack must wait for.
    depends: BTreeSet<String>,
}

impl Builder<'_> {
    pub(super) fn build(self, values: Vec<Value>) -> Split {
        let k = self.chunks.len();
        let mut children: Vec<Child> = (0..k).map(|_| Child::default()).collect();
        // Outputs of the whole template that belong to one chunk go there first, so an
        // export with the same name and value reuses them.
        for ((name, v), p) in self.outputs.iter().zip(&self.output_part) {
            if let Part::Child(c) = p {
                children[*c].outputs.insert(name.clone(), v.clone());
            }
        }
        let mut parent_resources = Map::new();
        for (i, mut v) in values.into_iter().enumerate() {
            let here = self.part[i];
            self.split_depends_on(here, &mut v, &mut children);
            self.rewrite_in(here, &mut v, &mut children);
            let id = self.ids[i].clone();
            match here {
                Part::Parent => parent_resources.insert(id, v),
                Part::Child(c) => children[c].resources.insert(id, v),
            };
        }
        let mut parent_outputs = Map::new();
        for ((name, v), p) in self.outputs.iter().zip(&self.output_part) {
            if *p == Part::Parent {
                let mut v = v.clone();
                self.rewrite_in(Part::Parent, &mut v, &mut children);
                parent_outputs.insert(name.clone(), v);
            }
        }
        let mut nested = Vec::with_capacity(k);
        for (c, child) in children.into_iter().enumerate() {
            let (stack, n) = self.nest(c, child);
            parent_resources.insert(n.logical_id.clone(), stack);
            nested.push(n);
        }
        Split {
            parent: self.parent(parent_resources, parent_outputs),
            children: nested,
        }
    }

    /// Keep the `DependsOn` entries of a resource in `here` that stay in `here`: one on
    /// another stack becomes a dependency of the child stack, or of the parent resource
    /// on the child stack.
    fn split_depends_on(&self, here: Part, v: &mut Value, children: &mut [Child]) {
        let mut depends = Vec::new();
        for d in depends_on(v) {
            match self.index.get(d).map(|t| self.part[*t]) {
                Some(p) if p != here => match (here, p) {
                    (Part::Child(c), Part::Parent) => {
                        children[c].depends.insert(d.to_string());
                    }
                    (Part::Child(c), Part::Child(d)) => {
                        children[c].depends.insert(self.names[d].clone());
                    }
                    (Part::Parent, Part::Child(d)) => {
                        if !depends.contains(&self.names[d]) {
                            depends.push(self.names[d].clone());
                        }
                    }
                    (Part::Parent, Part::Parent) => {}
                },
                _ => depends.push(d.to_string()),
            }
        }
        if let Some(m) = v.as_object_mut()
            && m.contains_key("DependsOn")
        {
            if depends.is_empty() {
                m.shift_remove("DependsOn");
            } else {
                m.insert("DependsOn".into(), json!(depends));
            }
        }
    }

    /// Chunk `c`'s `AWS::CloudFormation::Stack` resource in the parent, and its template.
    fn nest(&self, c: usize, child: Child) -> (Value, Nested) {
        let logical_id = self.names[c].clone();
        let file_name = (self.file_name)(&logical_id);
        let mut props = Map::new();
        props.insert("TemplateURL".into(), json!(file_name));
        if !child.passed.is_empty() {
            props.insert("Parameters".into(), Value::Object(child.passed));
        }
        let mut stack = Map::new();
        stack.insert("Type".into(), json!("AWS::CloudFormation::Stack"));
        if !child.depends.is_empty() {
            stack.insert("DependsOn".into(), json!(child.depends));
        }
        stack.insert("Properties".into(), Value::Object(props));

        let functions: Vec<String> = self.chunks[c]
            .iter()
            .map(|f| self.model.functions[*f].name.clone())
            .collect();
        let mut doc = Map::new();
        doc.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        doc.insert(
            "Description".into(),
            json!(format!(
                "fnplan app {}, stage {}: nested stack {logical_id} (functions {})",
                self.model.app,
                self.model.stage,
                functions.join(", ")
            )),
        );
        if !child.parameters.is_empty() {
            doc.insert("Parameters".into(), Value::Object(child.parameters));
        }
        doc.insert("Resources".into(), Value::Object(child.resources));
        if !child.outputs.is_empty() {
            doc.insert("Outputs".into(), Value::Object(child.outputs));
        }
        let nested = Nested {
            logical_id,
            file_name,
            functions,
            template: Template::from_value(Value::Object(doc)),
        };
        (Value::Object(stack), nested)
    }

    /// The parent template: the original's sections in their order, with its resources
    /// and outputs.
    fn parent(&self, resources: Map<String, Value>, outputs: Map<String, Value>) -> Template {
        let (mut resources, mut outputs) = (Some(resources), Some(outputs));
        let mut doc = Map::new();
        for (key, v) in self.doc {
            let v = match key.as_str() {
                "Resources" => resources.take().map(Value::Object),
                "Outputs" => outputs.take().filter(|o| !o.is_empty()).map(Value::Object),
                _ => Some(v.clone()),
            };
            if let Some(v) = v {
                doc.insert(key.clone(), v);
            }
        }
        Template::from_value(Value::Object(doc))
    }

    /// Rewrite the references of a value that lives in `here`: anything outside becomes a
    /// parameter (in a child) or a child's output (in the parent).
    fn rewrite_in(&self, here: Part, v: &mut Value, children: &mut [Child]) {
        rewrite(v, &mut |id, attr| {
            let import = Import {
                id: id.to_string(),
                attr: attr.map(str::to_string),
            };
            let there = match self.index.get(id) {
                Some(t) => Some(self.part[*t]),
                None if self.params.contains_key(id) => Some(Part::Parent),
                None => None, // a pseudo parameter
            }?;
            if there == here {
                return None;
            }
            match here {
                Part::Child(c) => {
                    let value = match (there, attr) {
                        (Part::Parent, None) => json!({ "Ref": id }),
                        (Part::Parent, Some(a)) => Repl::Att(id.into(), a.into()).value(),
                        (Part::Child(d), _) => {
                            let out = self.export(&mut children[d], &import);
                            Repl::Output(self.names[d].clone(), out).value()
                        }
                    };
                    Some(Repl::Ref(self.import(&mut children[c], &import, value)))
                }
                Part::Parent => {
                    let Part::Child(d) = there else { return None };
                    let out = self.export(&mut children[d], &import);
                    Some(Repl::Output(self.names[d].clone(), out))
                }
            }
        });
    }

    /// The parameter of `child` that carries `import`, declared on first use.
    fn import(&self, child: &mut Child, import: &Import, value: Value) -> String {
        let mut name = import.name();
        // `FooArn` could be both `Ref FooArn` and `Foo.Arn`: the value tells them apart.
        while child.resources.contains_key(&name)
            || child.passed.get(&name).is_some_and(|v| *v != value)
        {
            name.push_str("Param");
        }
        if !child.parameters.contains_key(&name) {
            let def = match (self.params.get(&import.id), &import.attr) {
                (Some(def), None) => def.clone(),
                _ => json!({
                    "Type": "String",
                    "Description": match &import.attr {
                        None => format!("Ref {} (passed in by the parent stack)", import.id),
                        Some(a) => format!("{}.{a} (passed in by the parent stack)", import.id),
                    }
                }),
            };
            child.parameters.insert(name.clone(), def);
            child.passed.insert(name.clone(), value);
        }
        name
    }

    /// The output of `child` that carries `import`, added on first use.
    fn export(&self, child: &mut Child, import: &Import) -> String {
        let value = match &import.attr {
            None => json!({ "Ref": import.id }),
            Some(a) => json!({ "Fn::GetAtt": [import.id, a] }),
        };
        let mut name = import.name();
        loop {
            match child.outputs.get(&name) {
                Some(existing) if existing["Value"] == value => return name,
                Some(_) => name.push_str("Export"),
                None => break,
            }
        }
        child
            .outputs
            .insert(name.clone(), json!({ "Value": value }));
        name
    }
}
