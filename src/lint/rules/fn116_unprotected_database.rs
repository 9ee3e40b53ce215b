//! FN116 unprotected-database: the databases fnplan creates in, a finding for each one
//! without `deletion_protection: true` on a stage named `prod` out.

use crate::declare_rule;
use crate::lint::{Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Kind, ResId};

/// The stage whose databases hold the data that matters.
const PROD: &str = "prod";

declare_rule! {
    /// ## What it does
    /// Flags a database fnplan creates on a stage named `prod` that has no
    /// `deletion_protection: true`. Existing databases (made elsewhere) and other
    /// stages are not flagged.
    ///
    /// ## Why is this bad?
    /// Without deletion protection, removing the database from the spec, deleting the
    /// stack, or a change CloudFormation can only make by replacing the cluster deletes
    /// it. fnplan renders `DeletionPolicy: Snapshot`, so a final snapshot is kept, but
    /// restoring it is a new cluster with a new ARN and secret, and every write since
    /// the snapshot is lost. `DeletionProtection` makes RDS refuse the delete until
    /// someone turns it off on purpose.
    ///
    /// ## Example
    /// ```yaml
    /// databases:
    ///   ledger: { engine: aurora-postgresql, max_capacity: 4 }
    /// stages:
    ///   prod: {}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// databases:
    ///   ledger: { engine: aurora-postgresql, max_capacity: 4, deletion_protection: true }
    /// stages:
    ///   prod: {}
    /// ```
    pub struct UnprotectedDatabase => "FN116", "unprotected-database", Warning, "database on the prod stage without deletion protection";
}

impl Rule for UnprotectedDatabase {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        if cx.model.stage != PROD {
            return;
        }
        for (i, d) in cx.model.databases.iter().enumerate() {
            let Some(c) = d.created() else { continue };
            if c.deletion_protection.value {
                continue;
            }
            let span = c.deletion_protection.span.unwrap_or(d.name_span);
            let d = cx
                .report(
                    &Self::META,
                    span,
                    format!(
                        "database `{}` on stage `{PROD}` has no deletion protection: removing it from the spec, deleting the stack or a replacement deletes the cluster, keeping only a final snapshot",
                        d.name
                    ),
                )
                .help("add `deletion_protection: true` to the database");
            out.push(Owner::Res(ResId::new(Kind::Database, i)), d);
        }
    }
}
