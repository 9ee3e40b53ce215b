//! The model in, the logical-ID moves its `renamed_from:` fields ask for out: a table,
//! bucket or queue (with its DLQ) that had another spec key keeps its physical resource
//! by moving from the old logical ID to the new one before the update.

use crate::model::{DlqSetting, Model, ids};

/// One logical ID that should become another in the deployed stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    pub from: String,
    pub to: String,
}

/// Every move the spec asks for, tables, then buckets, then queues (each queue before
/// its DLQ); in spec order within each.
pub fn moves(model: &Model) -> Vec<Move> {
    let mut out = Vec::new();
    let mut add = |from: String, to: String| out.push(Move { from, to });
    for t in &model.tables {
        if let Some((old, _)) = &t.renamed_from {
            add(ids::table(old), ids::table(&t.name));
        }
    }
    for b in &model.buckets {
        if let Some((old, _)) = &b.renamed_from {
            add(ids::bucket(old), ids::bucket(&b.name));
        }
    }
    for q in &model.queues {
        if let Some((old, _)) = &q.renamed_from {
            add(ids::queue(old), ids::queue(&q.name));
            if matches!(q.dlq, DlqSetting::Enabled(_)) {
                add(ids::dlq(old), ids::dlq(&q.name));
            }
        }
    }
    out
}
