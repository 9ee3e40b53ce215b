//! Aurora Serverless v2 databases as a user writes them: the spec
//! `tests/fixtures/databases/fnplan.yaml` renders a cluster (Data API, managed master
//! password, encryption, capacity, `Snapshot` policies) and one `db.serverless` instance
//! per created database, nothing for an existing one, IAM scoped to the cluster and its
//! secret, references to the ARN, secret ARN and name; it passes cfn-lint and is drawn
//! with `queries` edges. Plans treat a database as data (moto, where it can).
//! Misconfigured databases are in `tests/bad-input/databases.yaml` and
//! `tests/bad-input/database-values.yaml`; FN104 and FN116 have lint fixtures.

use crate::common::{self, run};
use crate::moto::{Moto, change, has_risk, moto, plan_json};
use serde_json::{Value, json};

const SPEC: &str = "tests/fixtures/databases/fnplan.yaml";

fn template() -> Value {
    common::rendered(SPEC)
}

fn statement(t: &Value, role: &str, sid: &str) -> Value {
    common::statements(t, role)
        .into_iter()
        .find(|s| s["Sid"] == sid)
        .unwrap_or_else(|| panic!("{role} has no statement {sid}"))
}

const DATA_API: [&str; 5] = [
    "rds-data:BatchExecuteStatement",
    "rds-data:BeginTransaction",
    "rds-data:CommitTransaction",
    "rds-data:ExecuteStatement",
    "rds-data:RollbackTransaction",
];

#[test]
fn a_database_is_a_serverless_v2_cluster_with_the_data_api_and_one_instance() {
    let t = template();
    let c = &t["Resources"]["LedgerDatabase"];
    assert_eq!(c["Type"], "AWS::RDS::DBCluster");
    assert_eq!(c["DeletionPolicy"], "Snapshot");
    assert_eq!(c["UpdateReplacePolicy"], "Snapshot");
    assert_eq!(
        c["Properties"],
        json!({
            "Engine": "aurora-postgresql",
            "DatabaseName": "ledger_main",
            "MasterUsername": "postgres",
            "ManageMasterUserPassword": true,
            "EnableHttpEndpoint": true,
            "StorageEncrypted": true,
            "CopyTagsToSnapshot": true,
            "ServerlessV2ScalingConfiguration": { "MinCapacity": 0, "MaxCapacity": 16.5 },
            "DBSubnetGroupName": "books-dev-private",
            "DeletionProtection": true,
            "Tags": [{ "Key": "fnplan:name", "Value": "books-dev-ledger" }]
        })
    );
    // No engine version: RDS's current default for the engine.
    assert!(c["Properties"].get("EngineVersion").is_none());
    assert_eq!(
        t["Resources"]["LedgerDatabaseInstance"],
        json!({
            "Type": "AWS::RDS::DBInstance",
            "Properties": {
                "Engine": "aurora-postgresql",
                "DBClusterIdentifier": { "Ref": "LedgerDatabase" },
                "DBInstanceClass": "db.serverless",
                "PubliclyAccessible": false
            }
        })
    );
}

#[test]
fn defaults_are_half_an_acu_to_four_the_default_vpc_and_no_deletion_protection() {
    let t = template();
    let p = &t["Resources"]["AuditLogDatabase"]["Properties"];
    assert_eq!(p["Engine"], "aurora-mysql");
    assert_eq!(p["MasterUsername"], "admin");
    assert_eq!(p["DatabaseName"], "auditlog");
    assert_eq!(
        p["ServerlessV2ScalingConfiguration"],
        json!({ "MinCapacity": 0.5, "MaxCapacity": 4 })
    );
    assert!(p.get("DBSubnetGroupName").is_none());
    assert!(p.get("DeletionProtection").is_none());
    assert_eq!(
        t["Resources"]["AuditLogDatabaseInstance"]["Properties"]["Engine"],
        "aurora-mysql"
    );
}

#[test]
fn an_existing_database_creates_nothing() {
    let t = template();
    let types: Vec<&str> = t["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .filter_map(|r| r["Type"].as_str())
        .filter(|ty| ty.starts_with("AWS::RDS::"))
        .collect();
    assert_eq!(types.len(), 4, "two clusters and two instances: {types:?}");
    assert!(t["Resources"].get("LegacyDatabase").is_none());
}

#[test]
fn query_grants_the_data_api_on_the_cluster_and_reading_its_secret() {
    let t = template();
    assert_eq!(
        statement(&t, "PostRole", "DatabaseLedgerQuery"),
        json!({
            "Sid": "DatabaseLedgerQuery",
            "Effect": "Allow",
            "Action": DATA_API,
            "Resource": [{ "Fn::GetAtt": ["LedgerDatabase", "DBClusterArn"] }]
        })
    );
    assert_eq!(
        statement(&t, "PostRole", "DatabaseLedgerSecret"),
        json!({
            "Sid": "DatabaseLedgerSecret",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [{ "Fn::GetAtt": ["LedgerDatabase", "MasterUserSecret.SecretArn"] }]
        })
    );
    // An existing database: the ARNs as written, region and account filled in.
    assert_eq!(
        statement(&t, "AuditRole", "DatabaseLegacyQuery")["Resource"],
        json!([{ "Fn::Sub": "arn:aws:rds:${AWS::Region}:${AWS::AccountId}:cluster:legacy-dev" }])
    );
    assert_eq!(
        statement(&t, "AuditRole", "DatabaseLegacySecret")["Resource"],
        json!([{ "Fn::Sub": "arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:rds!cluster-legacy-AbCdEf" }])
    );
    // Nothing on any other database.
    let post = serde_json::to_string(&common::statements(&t, "PostRole")).expect("json");
    assert!(
        !post.contains("AuditLog") && !post.contains("legacy"),
        "{post}"
    );
}

#[test]
fn references_resolve_to_the_cluster_arn_the_secret_arn_and_the_name() {
    let t = template();
    let env = &t["Resources"]["PostFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        env["DB_ARN"],
        json!({ "Fn::GetAtt": ["LedgerDatabase", "DBClusterArn"] })
    );
    assert_eq!(
        env["DB_SECRET"],
        json!({ "Fn::GetAtt": ["LedgerDatabase", "MasterUserSecret.SecretArn"] })
    );
    assert_eq!(env["DB_NAME"], "ledger_main");
    assert_eq!(
        env["DSN"],
        json!({ "Fn::Sub": "ledger_main@${LedgerDatabase.DBClusterArn}" })
    );
    let env = &t["Resources"]["AuditFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(env["LEGACY_DB"], "accounts");
    assert_eq!(
        env["LEGACY_ARN"],
        json!({ "Fn::Sub": "arn:aws:rds:${AWS::Region}:${AWS::AccountId}:cluster:legacy-dev" })
    );
}

#[test]
fn rendered_databases_pass_cfn_lint() {
    common::assert_spec_passes_cfn_lint(SPEC);
}

#[test]
fn the_graph_draws_databases_and_the_functions_that_query_them() {
    let (code, out, err) = run(&["graph", SPEC, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let g: Value = serde_json::from_str(&out).expect("json");
    let nodes = g["nodes"].as_array().expect("nodes");
    for name in ["ledger", "audit-log", "legacy"] {
        assert!(
            nodes
                .iter()
                .any(|n| n["id"] == format!("database:{name}") && n["group"] == "Databases"),
            "{name}: {nodes:?}"
        );
    }
    let edges = g["edges"].as_array().expect("edges");
    for (from, to) in [
        ("function:post", "database:ledger"),
        ("function:audit", "database:audit-log"),
        ("function:audit", "database:legacy"),
    ] {
        assert!(
            edges
                .iter()
                .any(|e| e["from"] == from && e["to"] == to && e["kind"] == "queries"),
            "{from} -> {to}: {edges:?}"
        );
    }
    let (code, dot, _) = run(&["graph", SPEC, "--format", "dot"]);
    assert_eq!(code, 0);
    assert!(
        dot.contains("shape=cylinder") && dot.contains("label=\"queries\""),
        "{dot}"
    );
}

// ------------------------------------------------------------------------------ moto

const APP: &str = r#"version: 1
app: books
defaults:
  function: { runtime: python3.12, timeout: 10, concurrency: 2, log_retention_days: 7 }
functions:
  report:
    handler: app.handler
    code: s3://fnplan-test-code/worker.zip
    env: { DB_ARN: "${database.ledger.arn}", DB_NAME: "${database.ledger.name}" }
    uses: { database.ledger: query }
queues:
  spare: { dlq: false, lint_ignore: [FN110] }
databases:
  ledger: { engine: aurora-postgresql, min_capacity: 0, max_capacity: 4, database_name: ledger }
"#;

/// `APP` with nothing referring to the database (moto refuses a stack whose template
/// has `Fn::GetAtt` on a cluster it cannot create).
fn bare(app: &str) -> String {
    app.replace(
        "    env: { DB_ARN: \"${database.ledger.arn}\", DB_NAME: \"${database.ledger.name}\" }\n",
        "",
    )
    .replace("    uses: { database.ledger: query }\n", "")
}

/// The clusters moto's RDS knows.
fn clusters(m: &Moto) -> String {
    m.query("rds", "Action=DescribeDBClusters&Version=2014-10-31")
}

/// What moto 5.2.5 does with a database in CloudFormation: a plan of a new stack works
/// (the change set lists the cluster and the instance), but moto's CloudFormation has no
/// `AWS::RDS::DBCluster` ("No Moto CloudFormation support": it keeps the resource in the
/// template, creates nothing, and refuses `Fn::GetAtt` on it as an undefined resource),
/// and its `AWS::RDS::DBInstance` fails for an Aurora engine without `EngineVersion` (a
/// KeyError, HTTP 500 on ExecuteChangeSet). So the deployed state is made here from the
/// rendered template of the app with nothing referring to the database, without the
/// instance, and what the plan says about changing and removing the database is checked
/// against it; `apply` runs only where the data-loss gate stops it before anything
/// executes.
#[test]
fn plans_treat_a_database_as_data_on_moto() {
    let Some(m) = moto() else { return };
    let (dir, spec) = m.app(APP);
    let plan = plan_json(&m, &spec);
    for id in ["LedgerDatabase", "LedgerDatabaseInstance"] {
        assert_eq!(change(&plan, id)["action"], "create", "{id}");
    }

    let path = dir.path().join("fnplan.yaml");
    std::fs::write(&path, bare(APP)).expect("write");
    let (code, rendered, err) = m.run(&["render", &spec]);
    assert_eq!(code, 0, "{err}");
    let mut deployed: Value = serde_json::from_str(&rendered).expect("json");
    let resources = deployed["Resources"].as_object_mut().expect("resources");
    resources.remove("LedgerDatabaseInstance");
    m.deploy("books-dev", &deployed.to_string());
    assert_eq!(
        m.stack_status("books-dev").as_deref(),
        Some("CREATE_COMPLETE")
    );
    // moto lacks this: the stack "has" the cluster, RDS has none.
    assert!(!clusters(&m).contains("<DBCluster>"), "{}", clusters(&m));

    // A new database name replaces the cluster: data loss, even with its snapshot.
    std::fs::write(
        &path,
        bare(&APP.replace("database_name: ledger", "database_name: books")),
    )
    .expect("write");
    let plan = plan_json(&m, &spec);
    let c = change(&plan, "LedgerDatabase");
    assert_eq!(c["action"], "replace", "{c:#}");
    assert_eq!(c["replacement"]["because_of"], json!(["DatabaseName"]));
    assert!(has_risk(c, "data_loss"), "{c:#}");
    assert!(c["notes"].to_string().contains("final snapshot"), "{c:#}");
    let (code, _, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--allow-data-loss"), "{err}");

    // More capacity changes it in place.
    std::fs::write(
        &path,
        bare(&APP.replace("max_capacity: 4", "max_capacity: 8")),
    )
    .expect("write");
    let plan = plan_json(&m, &spec);
    let c = change(&plan, "LedgerDatabase");
    assert_eq!(c["action"], "modify", "{c:#}");
    assert!(!has_risk(c, "data_loss"), "{c:#}");

    // Removing the database deletes the cluster: data loss, and apply refuses it.
    let without = bare(APP)
        .split("databases:")
        .next()
        .expect("head")
        .to_string();
    std::fs::write(&path, without).expect("write");
    let plan = plan_json(&m, &spec);
    let c = change(&plan, "LedgerDatabase");
    assert_eq!(c["action"], "delete", "{c:#}");
    assert!(has_risk(c, "data_loss"), "{c:#}");
    let (code, _, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--allow-data-loss"), "{err}");
}

/// With `--split`, databases stay in the parent stack and the nested stacks get the
/// cluster and secret ARNs as parameters; cfn-lint finds no error.
#[test]
fn split_stacks_pass_database_arns_as_parameters() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path().to_str().expect("utf8");
    let (code, _, err) = run(&["render", SPEC, "--split", "--out", d]);
    assert_eq!(code, 0, "{err}");
    let read = |f: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(f)).expect("file"))
            .expect("json")
    };
    let parent = read("books-dev.json");
    assert_eq!(
        parent["Resources"]["LedgerDatabase"]["Type"],
        "AWS::RDS::DBCluster"
    );
    let post = read("books-dev.PostStack.json");
    assert!(post["Parameters"]["LedgerDatabaseDBClusterArn"].is_object());
    assert!(post["Parameters"]["LedgerDatabaseMasterUserSecretSecretArn"].is_object());
    assert!(post["Resources"].get("LedgerDatabase").is_none());
    let Some(cfn_lint) = common::cfn_lint() else {
        return;
    };
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    let errors = common::cfn_lint_errors(&cfn_lint, &files);
    assert!(errors.is_empty(), "cfn-lint errors:\n{}", errors.join("\n"));
}
