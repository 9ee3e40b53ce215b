//! `existing: { name }` on a queue, table, bucket or topic: the raw entry in, the
//! resource's name as `Fn::Sub` text out, with an error for every setting that only a
//! resource fnplan creates can have.

use super::fixed_names::{BUCKET, NameCx, QUEUE, Rule, TABLE, TOPIC, fixed_name};
use super::*;
use crate::spec::raw::RawExisting;

/// Which kind of resource, for the name's rules and messages.
pub(super) enum Of {
    Queue,
    Table,
    Bucket,
    Topic,
}

impl Of {
    fn rule(&self) -> &'static Rule {
        match self {
            Of::Queue => &QUEUE,
            Of::Table => &TABLE,
            Of::Bucket => &BUCKET,
            Of::Topic => &TOPIC,
        }
    }
    fn noun(&self) -> &'static str {
        match self {
            Of::Queue => "queue",
            Of::Table => "table",
            Of::Bucket => "bucket",
            Of::Topic => "topic",
        }
    }
}

/// The existing resource's name, or `None` when the entry has no `existing:` (or its
/// name is invalid, reported). `set` lists the fields written beside it with their
/// spans; each is an error, since fnplan does not create or change the resource.
pub(super) fn existing_name(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    (key, of): (&Sp<String>, Of),
    e: Option<&Sp<RawExisting>>,
    set: &[(&str, Option<Span>)],
) -> Option<String> {
    let e = e?;
    for (field, span) in set {
        if let Some(span) = span {
            l.err(
                codes::INVALID_VALUE,
                *span,
                format!(
                    "`{field}` configures a {} fnplan creates; {} `{}` is `existing`",
                    of.noun(),
                    of.noun(),
                    key.value
                ),
            )
            .help = Some(format!(
                "an existing {} is used as it is: remove `{field}`, or remove `existing` to let fnplan create it",
                of.noun()
            ));
        }
    }
    fixed_name(l, cx, Some(&e.value.name), of.rule())
}
