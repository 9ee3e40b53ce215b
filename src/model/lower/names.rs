//! The names of every element: the spec's named lists in (each name checked), a [`Names`]
//! index out that resolves `kind` + name to a model index and reports unknown names.

use super::*;
use std::collections::{BTreeMap, HashMap};

/// Every element's name per kind, in spec order, with an index for lookups.
pub(super) struct Names<'r> {
    lists: BTreeMap<Kind, Vec<&'r str>>,
    /// Name -> index per kind (the first, should a name repeat): references resolve in
    /// constant time, not by a scan per reference (quadratic on big apps).
    index: BTreeMap<Kind, HashMap<&'r str, usize>>,
}

impl<'r> Names<'r> {
    /// Check every name of `raw` and index them.
    pub(super) fn new(l: &mut Lower<'_>, raw: &'r RawSpec) -> Self {
        let mut lists = BTreeMap::new();
        let mut add = |kind: Kind, names: Vec<&'r Sp<String>>| {
            let list: Vec<&'r str> = names
                .into_iter()
                .map(|n| {
                    l.name(n, kind.as_str());
                    n.value.as_str()
                })
                .collect();
            lists.insert(kind, list);
        };
        add(Kind::Function, keys(&raw.functions));
        add(Kind::Queue, keys(&raw.queues));
        add(Kind::Table, keys(&raw.tables));
        add(Kind::Bucket, keys(&raw.buckets));
        add(Kind::Topic, keys(&raw.topics));
        add(Kind::Secret, keys(&raw.secrets));
        let index = lists
            .iter()
            .map(|(k, names)| {
                let mut m = HashMap::with_capacity(names.len());
                for (i, n) in names.iter().enumerate() {
                    m.entry(*n).or_insert(i);
                }
                (*k, m)
            })
            .collect();
        Names { lists, index }
    }

    /// The names of one kind, in spec order.
    pub(super) fn list(&self, kind: Kind) -> Vec<&'r str> {
        self.lists.get(&kind).cloned().unwrap_or_default()
    }

    /// The model index of `kind` `name`.
    pub(super) fn index_of(&self, kind: Kind, name: &str) -> Option<usize> {
        self.index.get(&kind).and_then(|m| m.get(name)).copied()
    }

    /// The element `kind` `name`, or an error at `name` (with a suggestion) when there is none.
    pub(super) fn resolve(
        &self,
        l: &mut Lower<'_>,
        kind: Kind,
        name: &Sp<String>,
    ) -> Option<ResId> {
        let found = self
            .index_of(kind, &name.value)
            .map(|i| ResId::new(kind, i));
        if found.is_none() {
            let list = self.lists.get(&kind).map_or(&[][..], Vec::as_slice);
            let help = suggest::hint(&name.value, list.iter().copied())
                .or(Some(format!("declare it under `{}s:`", kind.as_str())));
            l.err(
                codes::UNKNOWN_REFERENCE,
                name.span,
                format!("no {} named `{}`", kind.as_str(), name.value),
            )
            .help = help;
        }
        found
    }
}

fn keys<V>(list: &Option<Named<V>>) -> Vec<&Sp<String>> {
    named(list).iter().map(|(n, _)| n).collect()
}
