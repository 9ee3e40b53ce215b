//! Lowering a database: one raw `databases:` entry and the stage in, a model
//! [`Database`] out: a created Aurora Serverless v2 cluster with its capacity checked
//! (0..256 ACUs in steps of 0.5, max 1 or more and not below min), or an `existing`
//! cluster whose ARNs are checked for shape.

use super::fixed_names::{NameCx, arn_text};
use super::*;
use crate::spec::raw::{RawDatabase, RawExistingDatabase};

/// Default capacity in ACUs, as halves: 0.5 (the lowest that never pauses) and 4.
pub const DEFAULT_MIN_CAPACITY: Capacity = Capacity(1);
pub const DEFAULT_MAX_CAPACITY: Capacity = Capacity(8);

pub(super) fn lower_database(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    name: &Sp<String>,
    d: &RawDatabase,
) -> Database {
    let lint_ignore = l.lint_ignore(&d.lint_ignore);
    let (source, database_name) = match &d.existing {
        Some(e) => {
            refuse_settings(l, name, d);
            existing(l, cx, &e.value)
        }
        None => created(l, cx, name, d),
    };
    Database {
        name: name.value.clone(),
        name_span: name.span,
        source,
        database_name,
        lint_ignore,
    }
}

/// Every setting of a cluster fnplan creates is an error beside `existing`.
fn refuse_settings(l: &mut Lower<'_>, name: &Sp<String>, d: &RawDatabase) {
    let set = [
        ("engine", d.engine.as_ref().map(|v| v.span)),
        ("min_capacity", d.min_capacity.as_ref().map(|v| v.span)),
        ("max_capacity", d.max_capacity.as_ref().map(|v| v.span)),
        ("database_name", d.database_name.as_ref().map(|v| v.span)),
        ("subnet_group", d.subnet_group.as_ref().map(|v| v.span)),
        (
            "deletion_protection",
            d.deletion_protection.as_ref().map(|v| v.span),
        ),
    ];
    for (field, span) in set {
        let Some(span) = span else { continue };
        let help = if field == "database_name" {
            "write it inside `existing: { cluster_arn, secret_arn, database_name }`".to_string()
        } else {
            format!(
                "an existing database is used as it is: remove `{field}`, or remove `existing` to let fnplan create it"
            )
        };
        l.err(
            codes::INVALID_VALUE,
            span,
            format!(
                "`{field}` configures a database fnplan creates; database `{}` is `existing`",
                name.value
            ),
        )
        .help = Some(help);
    }
}

fn existing(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    e: &RawExistingDatabase,
) -> (DatabaseSource, Option<String>) {
    let cluster = arn_text(l, cx, &e.cluster_arn, "a cluster ARN").unwrap_or_default();
    let secret = arn_text(l, cx, &e.secret_arn, "a secret ARN").unwrap_or_default();
    check_arn(l, &e.cluster_arn, &cluster, ArnShape::CLUSTER);
    check_arn(l, &e.secret_arn, &secret, ArnShape::SECRET);
    let database_name = e.database_name.as_ref().map(|n| {
        check_database_name(l, n, None);
        n.value.clone()
    });
    (
        DatabaseSource::Existing {
            cluster_arn: cluster,
            secret_arn: secret,
        },
        database_name,
    )
}

fn created(
    l: &mut Lower<'_>,
    cx: &NameCx<'_>,
    name: &Sp<String>,
    d: &RawDatabase,
) -> (DatabaseSource, Option<String>) {
    let engine = match &d.engine {
        Some(e) => e.value,
        None => {
            l.err(
                codes::MISSING_FIELD,
                name.span,
                format!("database `{}` needs `engine`", name.value),
            )
            .help = Some("write `engine: aurora-postgresql` or `engine: aurora-mysql`".into());
            Engine::AuroraPostgresql
        }
    };
    let (min_capacity, max_capacity) = capacity(l, d);
    let database_name = match &d.database_name {
        Some(n) => {
            check_database_name(l, n, Some(engine));
            n.value.clone()
        }
        None => default_database_name(&name.value, engine),
    };
    let subnet_group = d
        .subnet_group
        .as_ref()
        .and_then(|s| arn_text(l, cx, s, "a DB subnet group name"));
    let deletion_protection = match &d.deletion_protection {
        Some(p) => Setting::written(p.value, p.span),
        None => Setting::default(false),
    };
    let cluster = Cluster {
        engine,
        min_capacity,
        max_capacity,
        subnet_group,
        deletion_protection,
    };
    (DatabaseSource::Created(cluster), Some(database_name))
}

/// `min_capacity` 0..256 and `max_capacity` 1..256 ACUs, max not below min.
fn capacity(l: &mut Lower<'_>, d: &RawDatabase) -> (Setting<Capacity>, Setting<Capacity>) {
    let min = match &d.min_capacity {
        Some(v) => l.range(v, Capacity(0), Capacity(512), "min_capacity", " ACUs"),
        None => Setting::default(DEFAULT_MIN_CAPACITY),
    };
    let max = match &d.max_capacity {
        Some(v) => l.range(v, Capacity(2), Capacity(512), "max_capacity", " ACUs"),
        None => Setting::default(DEFAULT_MAX_CAPACITY),
    };
    if max.value < min.value {
        let span = max.span.or(min.span).unwrap_or_default();
        l.err(
            codes::OUT_OF_RANGE,
            span,
            format!(
                "max_capacity {} ACUs is below min_capacity {} ACUs",
                max.value, min.value
            ),
        )
        .help = Some(format!(
            "raise `max_capacity` to {} or more, or lower `min_capacity`",
            min.value
        ));
    }
    (min, max)
}

/// The key as a database name: PostgreSQL's may have `_` (`audit-log` -> `audit_log`),
/// MySQL's letters and digits only (`auditlog`).
fn default_database_name(key: &str, engine: Engine) -> String {
    match engine {
        Engine::AuroraPostgresql => key.replace('-', "_"),
        Engine::AuroraMysql => key.replace('-', ""),
    }
}

/// A database name (RDS `DBName`): a letter, then letters and digits, and for PostgreSQL
/// `_`; 63 characters for PostgreSQL, 64 for MySQL. An existing cluster's engine is not
/// known: its name may have `_`, up to 64 characters.
fn check_database_name(l: &mut Lower<'_>, n: &Sp<String>, engine: Option<Engine>) {
    let (max, underscore, rule) = match engine {
        Some(Engine::AuroraMysql) => (64, false, "up to 64 letters and digits (MySQL)"),
        Some(Engine::AuroraPostgresql) => (63, true, "up to 63 letters, digits and `_`"),
        None => (64, true, "up to 64 letters, digits and `_`"),
    };
    let v = &n.value;
    let ok = v.len() <= max
        && v.starts_with(|c: char| c.is_ascii_alphabetic())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || (underscore && c == '_'));
    if !ok {
        l.err(
            codes::INVALID_NAME,
            n.span,
            format!("`{v}` is not a database name"),
        )
        .help = Some(format!(
            "a database name starts with a letter and has {rule}"
        ));
    }
}

/// The parts an ARN must have: service, resource type and what the type's name allows.
struct ArnShape {
    what: &'static str,
    service: &'static str,
    resource: &'static str,
    example: &'static str,
}

impl ArnShape {
    const CLUSTER: ArnShape = ArnShape {
        what: "an Aurora cluster ARN",
        service: "rds",
        resource: "cluster",
        example: "arn:aws:rds:us-east-1:123456789012:cluster:legacy",
    };
    const SECRET: ArnShape = ArnShape {
        what: "a Secrets Manager secret ARN",
        service: "secretsmanager",
        resource: "secret",
        example: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-abc-AbCdEf",
    };
}

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE:NAME`, with `${AWS::Region}` and
/// `${AWS::AccountId}` standing for a region and an account.
fn check_arn(l: &mut Lower<'_>, raw: &Sp<String>, text: &str, shape: ArnShape) {
    if text.is_empty() {
        return; // reported by `arn_text`
    }
    let t = text
        .replace("${AWS::Region}", "us-east-1")
        .replace("${AWS::AccountId}", "123456789012");
    let parts: Vec<&str> = t.splitn(7, ':').collect();
    let ok = match parts.as_slice() {
        ["arn", partition, service, region, account, resource, name] => {
            partition.starts_with("aws")
                && *service == shape.service
                && !region.is_empty()
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && *resource == shape.resource
                && !name.is_empty()
                && !name.contains(char::is_whitespace)
        }
        _ => false,
    };
    if !ok {
        l.err(
            codes::INVALID_VALUE,
            raw.span,
            format!("`{}` is not {}", raw.value, shape.what),
        )
        .help = Some(format!("write it as `{}`", shape.example));
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Capacity, DatabaseSource, Engine};
    use crate::testing::compile_str;

    const SPEC: &str = r#"version: 1
app: books
databases:
  ledger: { engine: aurora-postgresql, min_capacity: 0, max_capacity: 2.5 }
  audit-log: { engine: aurora-mysql, deletion_protection: true }
  legacy:
    existing:
      cluster_arn: "arn:aws:rds:${region}:${account}:cluster:legacy-${stage}"
      secret_arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-AbCdEf"
"#;

    #[test]
    fn settings_defaults_and_existing_arns() {
        let m = compile_str(SPEC, None).model;
        let ledger = m.databases[0].created().expect("created");
        assert_eq!(ledger.engine, Engine::AuroraPostgresql);
        assert_eq!(
            (ledger.min_capacity.value, ledger.max_capacity.value),
            (Capacity(0), Capacity(5))
        );
        assert!(!ledger.deletion_protection.value);
        assert_eq!(m.databases[0].database_name.as_deref(), Some("ledger"));

        let audit = &m.databases[1];
        let c = audit.created().expect("created");
        assert_eq!(
            (c.min_capacity.value, c.max_capacity.value),
            (super::DEFAULT_MIN_CAPACITY, super::DEFAULT_MAX_CAPACITY)
        );
        assert!(c.min_capacity.span.is_none() && c.deletion_protection.value);
        assert_eq!(audit.database_name.as_deref(), Some("auditlog"));

        let legacy = &m.databases[2];
        assert!(legacy.created().is_none() && legacy.database_name.is_none());
        match &legacy.source {
            DatabaseSource::Existing { cluster_arn, .. } => assert_eq!(
                cluster_arn,
                "arn:aws:rds:${AWS::Region}:${AWS::AccountId}:cluster:legacy-dev"
            ),
            DatabaseSource::Created(_) => panic!("legacy is existing"),
        }
    }

    #[test]
    fn capacity_reads_and_prints_in_halves() {
        assert_eq!(Capacity(5).to_string(), "2.5");
        assert_eq!(Capacity(8).to_string(), "4");
        assert_eq!(Capacity(1).acus(), 0.5);
    }
}
