//! The names of every element: the spec's named lists in (each name checked), a [`Names`]
//! index out that resolves `kind` + name to a model element and reports unknown names.
//! A queue with `dlq` lends its dead-letter queue the name `{queue}-dlq`.

use super::*;
use crate::model::refs::Lookup;
use crate::spec::raw::RawDlq;
use foldhash::{HashMap, HashMapExt};
use std::collections::BTreeMap;

/// Every element's name per kind, in spec order, with an index for lookups.
pub(super) struct Names<'r> {
    lists: BTreeMap<Kind, Vec<&'r str>>,
    /// Name -> index per kind (the first, should a name repeat): references resolve in
    /// constant time, not by a scan per reference (quadratic on big apps).
    index: BTreeMap<Kind, HashMap<&'r str, usize>>,
    /// Per queue (by index), its dead-letter queue's name, `{queue}-dlq`, when it has one.
    dlqs: Vec<Option<String>>,
    /// Whether anything named bus `default` (the account's bus, never declared): the
    /// model then lists it after the declared buses.
    default_bus_used: std::cell::Cell<bool>,
}

/// The account's default bus, which specs name without declaring it.
pub(super) const DEFAULT_BUS: &str = "default";

/// Whether a raw queue asks for a dead-letter queue.
fn has_dlq(q: &raw::RawQueue) -> bool {
    q.dlq
        .as_ref()
        .is_some_and(|d| !matches!(d.value, RawDlq::Enabled(false)))
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
        add(Kind::Layer, keys(&raw.layers));
        add(Kind::Bus, keys(&raw.buses));
        add(Kind::Database, keys(&raw.databases));
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
        let dlqs = named(&raw.queues)
            .iter()
            .map(|(n, q)| has_dlq(q).then(|| format!("{}-dlq", n.value)))
            .collect();
        let names = Names {
            lists,
            index,
            dlqs,
            default_bus_used: std::cell::Cell::new(false),
        };
        names.check_dlq_names(l, raw);
        names.check_default_bus(l, raw);
        names
    }

    /// A declared queue may not take the name of another queue's dead-letter queue: the
    /// two would have the same physical name, and `queue.NAME-dlq` would be ambiguous.
    fn check_dlq_names(&self, l: &mut Lower<'_>, raw: &RawSpec) {
        for (name, _) in named(&raw.queues) {
            let Some(base) = name.value.strip_suffix("-dlq") else {
                continue;
            };
            let owner = self.index_of(Kind::Queue, base);
            if owner.is_some_and(|i| self.dlqs.get(i).is_some_and(Option::is_some)) {
                l.err(
                    codes::INVALID_NAME,
                    name.span,
                    format!(
                        "queue `{}` has the name of queue `{base}`'s dead-letter queue",
                        name.value
                    ),
                )
                .help = Some(format!(
                    "rename this queue; to use the dead-letter queue of `{base}`, name `{}` without declaring it",
                    name.value
                ));
            }
        }
    }

    /// `default` is the account's bus: a bus of the app cannot take that name.
    fn check_default_bus(&self, l: &mut Lower<'_>, raw: &RawSpec) {
        for (name, _) in named(&raw.buses) {
            if name.value == DEFAULT_BUS {
                l.err(
                    codes::INVALID_NAME,
                    name.span,
                    "`default` is the account's default bus; it cannot be declared",
                )
                .help = Some("name the account's bus `default` in triggers and `uses` without declaring it, or give this bus another name".into());
            }
        }
    }

    /// Whether anything named the account's `default` bus.
    pub(super) fn default_bus_used(&self) -> bool {
        self.default_bus_used.get()
    }

    /// The names of one kind, in spec order; a queue's dead-letter queue follows it.
    pub(super) fn list(&self, kind: Kind) -> Vec<&str> {
        let declared = self.lists.get(&kind).map_or(&[][..], Vec::as_slice);
        if kind == Kind::Bus {
            let mut out = declared.to_vec();
            if !out.contains(&DEFAULT_BUS) {
                out.push(DEFAULT_BUS);
            }
            return out;
        }
        if kind != Kind::Queue {
            return declared.to_vec();
        }
        let mut out = Vec::with_capacity(declared.len() * 2);
        for (i, n) in declared.iter().enumerate() {
            out.push(*n);
            if let Some(Some(d)) = self.dlqs.get(i) {
                out.push(d.as_str());
            }
        }
        out
    }

    /// The model index of the declared `kind` `name`.
    pub(super) fn index_of(&self, kind: Kind, name: &str) -> Option<usize> {
        self.index.get(&kind).and_then(|m| m.get(name)).copied()
    }

    /// What `kind` `name` names: a declared element, or, for a queue name `X-dlq` that
    /// no queue has, the dead-letter queue of queue `X`.
    pub(super) fn lookup(&self, kind: Kind, name: &str) -> Lookup {
        if let Some(i) = self.index_of(kind, name) {
            return Lookup::Found(ResId::new(kind, i));
        }
        if kind == Kind::Bus && name == DEFAULT_BUS {
            self.default_bus_used.set(true);
            let declared = self.lists.get(&Kind::Bus).map_or(0, Vec::len);
            return Lookup::Found(ResId::new(Kind::Bus, declared));
        }
        let base = name.strip_suffix("-dlq").filter(|_| kind == Kind::Queue);
        match base.and_then(|b| self.index_of(Kind::Queue, b).map(|i| (b, i))) {
            Some((_, i)) if self.dlqs.get(i).is_some_and(Option::is_some) => {
                Lookup::Found(ResId::new(Kind::Dlq, i))
            }
            Some((b, _)) => Lookup::NoDlq(b.to_string()),
            None => Lookup::Unknown,
        }
    }

    /// The element `kind` `name`, or an error at `name` (with a suggestion) when there is none.
    pub(super) fn resolve(
        &self,
        l: &mut Lower<'_>,
        kind: Kind,
        name: &Sp<String>,
    ) -> Option<ResId> {
        let found = self.lookup(kind, &name.value);
        if let Lookup::Found(id) = found {
            return Some(id);
        }
        let list = self.list(kind);
        if let Some((msg, help)) = found.problem(kind, &name.value, &list) {
            l.err(codes::UNKNOWN_REFERENCE, name.span, msg).help = Some(help);
        }
        None
    }
}

fn keys<V>(list: &Option<Named<V>>) -> Vec<&Sp<String>> {
    named(list).iter().map(|(n, _)| n).collect()
}
