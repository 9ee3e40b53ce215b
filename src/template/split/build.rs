//! Writing the nested stacks once every resource has its part: the rendered resources
//! and outputs in; the parent template (with one `AWS::CloudFormation::Stack` per chunk)
//! and the child templates out, each reference across stacks rewritten into a parameter
//! or an output.

use super::{Import, Nested, Part, Repl, Split, depends_on, has, rewrite};
use crate::model::Model;
use crate::template::Template;
use crate::template::doc::{Doc, Key, cfn};
use foldhash::HashMap;
use std::collections::BTreeSet;

/// Writes the parent and child templates once every resource has its part.
pub(super) struct Builder<'a> {
    pub(super) model: &'a Model,
    pub(super) doc: &'a [(Key, Doc)],
    pub(super) ids: &'a [String],
    pub(super) index: &'a HashMap<&'a str, usize>,
    pub(super) params: &'a [(Key, Doc)],
    pub(super) outputs: &'a [(Key, Doc)],
    pub(super) part: &'a [Part],
    pub(super) output_part: Vec<Part>,
    pub(super) names: &'a [String],
    pub(super) chunks: &'a [Vec<usize>],
    pub(super) file_name: &'a dyn Fn(&str) -> String,
}

/// A child template under construction.
#[derive(Default)]
struct Child {
    resources: Section,
    parameters: Section,
    /// Parameter values the parent passes in.
    passed: Section,
    outputs: Section,
    /// Parent-level logical IDs the child stack must wait for.
    depends: BTreeSet<String>,
}

/// An object under construction: its entries in the order they were first inserted, found
/// by key.
#[derive(Default)]
struct Section {
    pairs: Vec<(Key, Doc)>,
    index: HashMap<String, usize>,
}

impl Section {
    /// Set `key` to `v`: in its place when present, else last.
    fn insert(&mut self, key: String, v: Doc) {
        match self.index.get(&key) {
            Some(&i) => self.pairs[i].1 = v,
            None => {
                self.index.insert(key.clone(), self.pairs.len());
                self.pairs.push((Key::Owned(key), v));
            }
        }
    }

    fn get(&self, key: &str) -> Option<&Doc> {
        self.index.get(key).map(|&i| &self.pairs[i].1)
    }

    fn contains_key(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    fn into_doc(self) -> Doc {
        Doc::object(self.pairs)
    }
}

impl Builder<'_> {
    pub(super) fn build(self, values: Vec<Doc>) -> Split {
        let k = self.chunks.len();
        let mut children: Vec<Child> = (0..k).map(|_| Child::default()).collect();
        // Outputs of the whole template that belong to one chunk go there first, so an
        // export with the same name and value reuses them.
        for ((name, v), p) in self.outputs.iter().zip(&self.output_part) {
            if let Part::Child(c) = p {
                children[*c].outputs.insert(name.to_string(), v.clone());
            }
        }
        let mut parent_resources = Section::default();
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
        let mut parent_outputs = Section::default();
        for ((name, v), p) in self.outputs.iter().zip(&self.output_part) {
            if *p == Part::Parent {
                let mut v = v.clone();
                self.rewrite_in(Part::Parent, &mut v, &mut children);
                parent_outputs.insert(name.to_string(), v);
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
    fn split_depends_on(&self, here: Part, v: &mut Doc, children: &mut [Child]) {
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
        if v.get("DependsOn").is_some() {
            let old = std::mem::replace(v, Doc::Null);
            *v = if depends.is_empty() {
                old.without("DependsOn")
            } else {
                old.with("DependsOn", Doc::from(depends))
            };
        }
    }

    /// Chunk `c`'s `AWS::CloudFormation::Stack` resource in the parent, and its template.
    fn nest(&self, c: usize, child: Child) -> (Doc, Nested) {
        let logical_id = self.names[c].clone();
        let file_name = (self.file_name)(&logical_id);
        let mut props = vec![(Key::Borrowed("TemplateURL"), Doc::from(&file_name))];
        if !child.passed.is_empty() {
            props.push((Key::Borrowed("Parameters"), child.passed.into_doc()));
        }
        let mut stack = vec![(Key::Borrowed("Type"), cfn!("AWS::CloudFormation::Stack"))];
        if !child.depends.is_empty() {
            let depends: Vec<String> = child.depends.into_iter().collect();
            stack.push((Key::Borrowed("DependsOn"), Doc::from(depends)));
        }
        stack.push((Key::Borrowed("Properties"), Doc::object(props)));

        let functions: Vec<String> = self.chunks[c]
            .iter()
            .map(|f| self.model.functions[*f].name.clone())
            .collect();
        let description = format!(
            "fnplan app {}, stage {}: nested stack {logical_id} (functions {})",
            self.model.app,
            self.model.stage,
            functions.join(", ")
        );
        let mut doc = vec![
            (
                Key::Borrowed("AWSTemplateFormatVersion"),
                cfn!("2010-09-09"),
            ),
            (Key::Borrowed("Description"), Doc::from(description)),
        ];
        if !child.parameters.is_empty() {
            doc.push((Key::Borrowed("Parameters"), child.parameters.into_doc()));
        }
        doc.push((Key::Borrowed("Resources"), child.resources.into_doc()));
        if !child.outputs.is_empty() {
            doc.push((Key::Borrowed("Outputs"), child.outputs.into_doc()));
        }
        let nested = Nested {
            logical_id,
            file_name,
            functions,
            template: Template::from_doc(Doc::object(doc)),
        };
        (Doc::object(stack), nested)
    }

    /// The parent template: the original's sections in their order, with its resources
    /// and outputs.
    fn parent(&self, resources: Section, outputs: Section) -> Template {
        let (mut resources, mut outputs) = (Some(resources), Some(outputs));
        let mut doc = Vec::with_capacity(self.doc.len());
        for (key, v) in self.doc {
            let v = match &**key {
                "Resources" => resources.take().map(Section::into_doc),
                "Outputs" => outputs
                    .take()
                    .filter(|o| !o.is_empty())
                    .map(Section::into_doc),
                _ => Some(v.clone()),
            };
            if let Some(v) = v {
                doc.push((key.clone(), v));
            }
        }
        Template::from_doc(Doc::object(doc))
    }

    /// Rewrite the references of a value that lives in `here`: anything outside becomes a
    /// parameter (in a child) or a child's output (in the parent).
    fn rewrite_in(&self, here: Part, v: &mut Doc, children: &mut [Child]) {
        rewrite(v, &mut |id, attr| {
            let import = Import {
                id: id.to_string(),
                attr: attr.map(str::to_string),
            };
            let there = match self.index.get(id) {
                Some(t) => Some(self.part[*t]),
                None if has(self.params, id) => Some(Part::Parent),
                None => None, // a pseudo parameter
            }?;
            if there == here {
                return None;
            }
            match here {
                Part::Child(c) => {
                    let value = match (there, attr) {
                        (Part::Parent, None) => cfn!({ "Ref": id }),
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
    fn import(&self, child: &mut Child, import: &Import, value: Doc) -> String {
        let mut name = import.name();
        // `FooArn` could be both `Ref FooArn` and `Foo.Arn`: the value tells them apart.
        while child.resources.contains_key(&name)
            || child.passed.get(&name).is_some_and(|v| *v != value)
        {
            name.push_str("Param");
        }
        if !child.parameters.contains_key(&name) {
            let param = self.params.iter().find(|(k, _)| *k == import.id);
            let def = match (param, &import.attr) {
                (Some((_, def)), None) => def.clone(),
                _ => cfn!({
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
            None => cfn!({ "Ref": &import.id }),
            Some(a) => cfn!({ "Fn::GetAtt": [&import.id, a] }),
        };
        let mut name = import.name();
        loop {
            match child.outputs.get(&name) {
                Some(existing) if existing.get("Value") == Some(&value) => return name,
                Some(_) => name.push_str("Export"),
                None => break,
            }
        }
        child.outputs.insert(name.clone(), cfn!({ "Value": value }));
        name
    }
}
