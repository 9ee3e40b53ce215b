//! Databases: the model's created Aurora Serverless v2 clusters in, for each an
//! `AWS::RDS::DBCluster` (Data API on, master password in Secrets Manager, encrypted,
//! snapshot on delete or replace) and its one `db.serverless` `AWS::RDS::DBInstance` out.
//! An `existing` database renders nothing.

use super::intrinsics::{name_value, named_tags, ref_, tags_list};
use super::{Res, Resources};
use crate::model::{Capacity, Cluster, Database, Engine, Model, ids};
use serde_json::{Value, json};

/// The master user the cluster is created with; RDS keeps its password in Secrets
/// Manager (`ManageMasterUserPassword`), which the Data API signs in with.
fn master_username(engine: Engine) -> &'static str {
    match engine {
        Engine::AuroraPostgresql => "postgres",
        Engine::AuroraMysql => "admin",
    }
}

/// ACUs as a JSON number: whole ones as integers (`4`), halves as `0.5`.
fn acus(c: Capacity) -> Value {
    if c.0.is_multiple_of(2) {
        json!(c.0 / 2)
    } else {
        json!(c.acus())
    }
}

pub(crate) fn render_databases(model: &Model, out: &mut Resources) {
    for d in &model.databases {
        let Some(c) = d.created() else { continue };
        out.add(ids::database(&d.name), cluster(model, d, c));
        out.add(ids::database_instance(&d.name), instance(model, d, c));
    }
}

/// The cluster. `EngineVersion` is left to RDS: it creates the engine's current default
/// version, which has the Data API and scales to 0 ACUs, and upgrades minor versions
/// itself (a pinned version would fall behind them and go stale).
fn cluster(model: &Model, d: &Database, c: &Cluster) -> Res {
    let mut r = Res::new("AWS::RDS::DBCluster")
        .snapshot()
        .prop("Engine", c.engine.as_str())
        .opt("DatabaseName", d.database_name.clone())
        .prop("MasterUsername", master_username(c.engine))
        .prop("ManageMasterUserPassword", true)
        .prop("EnableHttpEndpoint", true)
        .prop("StorageEncrypted", true)
        .prop("CopyTagsToSnapshot", true)
        .prop(
            "ServerlessV2ScalingConfiguration",
            json!({
                "MinCapacity": acus(c.min_capacity.value),
                "MaxCapacity": acus(c.max_capacity.value),
            }),
        )
        .opt(
            "DBSubnetGroupName",
            c.subnet_group.as_deref().map(name_value),
        );
    if c.deletion_protection.value {
        r = r.prop("DeletionProtection", true);
    }
    r.prop("Tags", named_tags(model, &d.name))
}

/// The cluster's one Serverless v2 instance: it serves the Data API's statements. Not
/// publicly accessible (in the default VPC an instance otherwise would be).
fn instance(model: &Model, d: &Database, c: &Cluster) -> Res {
    Res::new("AWS::RDS::DBInstance")
        .prop("Engine", c.engine.as_str())
        .prop("DBClusterIdentifier", ref_(ids::database(&d.name)))
        .prop("DBInstanceClass", "db.serverless")
        .prop("PubliclyAccessible", false)
        .opt("Tags", tags_list(model))
}
