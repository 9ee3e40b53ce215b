//! Tests on the SPEC.md complete example: its text in, with code directories in a temporary
//! directory, assertions on the rendered template out.

use super::*;
use crate::source::SourceFile;

// ------------------------------------------------------------------ the SPEC.md example

const COMPLETE: &str = r#"version: 1
app: orders                      # ^[a-z][a-z0-9-]{0,39}$ ; stack name is "{app}-{stage}"
stages:                          # optional; without it there is one stage, "dev"
  dev:
    vars: { log_level: debug }
  prod:
    region: eu-west-1            # optional per-stage region
    vars: { log_level: info }
defaults:
  function:
    runtime: python3.12
    timeout: 10                  # seconds; "10s", "2m" also accepted
    memory: 256                  # MB, 128..10240
    concurrency: 20              # reserved concurrency
    log_retention_days: 14
    architecture: arm64          # or x86_64 (the default)
tags: { team: checkout }

api:                             # one HTTP API (API Gateway v2) per app
  cors: { origins: ["https://shop.example.com"] }
  authorizers:
    users:
      jwt: { issuer: "https://auth.example.com/", audience: [orders-web] }
    partners:
      function: check-partner    # a Lambda authorizer
      identity: $request.header.X-Partner-Key
  routes:
    "GET /orders/{id}":  { function: get-order, auth: users }
    "POST /orders":      { function: create-order, auth: users }
    "POST /partner/orders": { function: create-order, auth: partners }
    "GET /health":       { function: health, auth: none }   # public only when said

functions:
  create-order:
    handler: orders.create.handler
    code: functions/create-order          # a local directory, or s3://bucket/key.zip
    timeout: 5
    env:
      LOG_LEVEL: ${var.log_level}
      TABLE_NAME: ${table.orders.name}
      EVENTS_URL: ${queue.order-events.url}
    uses:                                  # least-privilege IAM is derived from this
      table.orders: write
      queue.order-events: send
      secret.stripe-key: read
  process-order:
    handler: orders.process.handler
    code: functions/process-order
    timeout: 30
    concurrency: 5
    triggers:
      - queue: order-events
        batch_size: 10
    env: { SHIPPED_TOPIC: "${topic.order-shipped.arn}" }
    uses: { table.orders: write, topic.order-shipped: publish }
  notify-customer:
    handler: orders.notify.handler
    code: functions/notify-customer
    triggers:
      - topic: order-shipped
    on_failure: failed-events
  nightly-report:
    handler: reports.nightly
    code: s3://orders-artifacts/reports.zip
    timeout: 300
    triggers:
      - schedule: cron(0 2 * * ? *)
      - bucket: uploads
        events: [created]
        prefix: incoming/
    on_failure: failed-events              # async failures go to this queue
    retries: 1                             # async retries, 0..2
  get-order:
    handler: orders.get.handler
    code: functions/get-order
    uses: { table.orders: read }
    provisioned: 2                         # warm instances against cold starts
  health:       { handler: health.handler, code: functions/health }
  check-partner: { handler: auth.partner, code: functions/auth }

queues:
  order-events:
    visibility_timeout: 180                # seconds
    dlq: { max_receive_count: 5 }          # creates queue "order-events-dlq"
  failed-events: { dlq: false }            # explicit opt-out, not an omission

tables:
  orders: { key: id }                      # or { key: { name: id, type: S }, sort_key: ... }
buckets:
  uploads: {}
topics:
  order-shipped: {}
secrets:
  stripe-key: { ssm: /orders/stripe-key }  # or { secretsmanager: orders/stripe }
"#;

/// The complete example, with its code directories created in a temporary directory.
fn complete(stage: Option<&str>) -> (Model, Template) {
    let dir = tempfile::tempdir().expect("tempdir");
    for d in [
        "create-order",
        "process-order",
        "notify-customer",
        "get-order",
        "health",
        "auth",
    ] {
        let p = dir.path().join("functions").join(d);
        std::fs::create_dir_all(&p).expect("mkdir");
        std::fs::write(p.join("handler.py"), format!("# {d}\n")).expect("write");
    }
    let path = dir.path().join("fnplan.yaml");
    let file = SourceFile::new("fnplan.yaml", &path, COMPLETE);
    let c = crate::testing::compile(&file, stage);
    (c.model, c.template)
}

#[test]
fn the_complete_example_renders_soundly() {
    for stage in [None, Some("prod")] {
        let (m, t) = complete(stage);
        assert_sound(&m, &t);
    }
    let (_, t) = complete(None);
    assert_eq!(t.value()["AWSTemplateFormatVersion"], "2010-09-09");
    assert_eq!(t.value()["Description"], "fnplan app orders, stage dev");
    // Local code needs the artifact bucket parameter.
    assert_eq!(t.value()["Parameters"]["ArtifactBucket"]["Type"], "String");
    let code = &props(&t, "CreateOrderFunction")["Code"];
    assert_eq!(code["S3Bucket"], json!({ "Ref": "ArtifactBucket" }));
    assert!(
        code["S3Key"]
            .as_str()
            .unwrap()
            .starts_with("orders/dev/code/create-order-")
    );
    assert_eq!(
        props(&t, "NightlyReportFunction")["Code"],
        json!({ "S3Bucket": "orders-artifacts", "S3Key": "reports.zip" })
    );

    let f = props(&t, "CreateOrderFunction");
    assert_eq!(f["FunctionName"], "orders-dev-create-order");
    assert_eq!(f["Architectures"], json!(["arm64"]));
    assert_eq!(f["Timeout"], 5);
    assert_eq!(f["MemorySize"], 256);
    assert_eq!(f["ReservedConcurrentExecutions"], 20);
    assert_eq!(
        f["Environment"]["Variables"],
        json!({
            "LOG_LEVEL": "debug",
            "TABLE_NAME": { "Ref": "OrdersTable" },
            "EVENTS_URL": { "Ref": "OrderEventsQueue" }
        })
    );
    assert_eq!(f["Tags"], json!([{ "Key": "team", "Value": "checkout" }]));
    assert_eq!(
        res(&t, "CreateOrderFunction")["DependsOn"],
        json!(["CreateOrderLogGroup"])
    );
    assert_eq!(props(&t, "CreateOrderLogGroup")["RetentionInDays"], 14);

    // IAM, in order: logs, uses in spec order.
    let sids: Vec<&str> = statements(&t, "CreateOrderRole")
        .iter()
        .map(|s| s["Sid"].as_str().unwrap())
        .collect();
    assert_eq!(
        sids,
        [
            "Logs",
            "TableOrdersWrite",
            "QueueOrderEventsSend",
            "SecretStripeKeyRead"
        ]
    );
    assert_eq!(
        statement(&t, "CreateOrderRole", "SecretStripeKeyRead")["Resource"],
        json!([{ "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/orders/stripe-key" }])
    );
    assert_eq!(
        statement(&t, "CreateOrderRole", "Logs")["Resource"],
        json!([{ "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/orders-dev-create-order:*" }])
    );
    // A queue trigger implies receive.
    let sids: Vec<&str> = statements(&t, "ProcessOrderRole")
        .iter()
        .map(|s| s["Sid"].as_str().unwrap())
        .collect();
    assert_eq!(
        sids,
        [
            "Logs",
            "TableOrdersWrite",
            "TopicOrderShippedPublish",
            "QueueOrderEventsReceive"
        ]
    );
    // on_failure needs SendMessage on the destination.
    assert_eq!(
        statement(&t, "NotifyCustomerRole", "QueueFailedEventsOnFailure")["Action"],
        json!(["sqs:SendMessage"])
    );

    // Queues and DLQ.
    let q = props(&t, "OrderEventsQueue");
    assert_eq!(q["VisibilityTimeout"], 180);
    assert_eq!(q["MessageRetentionPeriod"], 345_600);
    assert_eq!(
        q["RedrivePolicy"],
        json!({ "deadLetterTargetArn": { "Fn::GetAtt": ["OrderEventsDlq", "Arn"] }, "maxReceiveCount": 5 })
    );
    let dlq = props(&t, "OrderEventsDlq");
    // Named by CloudFormation, readable through its tag.
    assert!(dlq.get("QueueName").is_none());
    assert!(
        dlq["Tags"]
            .as_array()
            .unwrap()
            .contains(&json!({ "Key": "fnplan:name", "Value": "orders-dev-order-events-dlq" }))
    );
    assert_eq!(dlq["MessageRetentionPeriod"], 1_209_600);
    assert!(!resources(&t).contains_key("FailedEventsDlq"));

    // Data is kept by default.
    for id in ["OrdersTable", "UploadsBucket"] {
        assert_eq!(res(&t, id)["DeletionPolicy"], "Retain");
        assert_eq!(res(&t, id)["UpdateReplacePolicy"], "Retain");
    }
    assert_eq!(
        props(&t, "OrdersTable")["KeySchema"],
        json!([{ "AttributeName": "id", "KeyType": "HASH" }])
    );

    // Async triggers and on_failure.
    let eic = props(&t, "NightlyReportEventInvokeConfig");
    assert_eq!(eic["Qualifier"], "$LATEST");
    assert_eq!(eic["MaximumRetryAttempts"], 1);
    assert_eq!(
        eic["DestinationConfig"]["OnFailure"]["Destination"],
        json!({ "Fn::GetAtt": ["FailedEventsQueue", "Arn"] })
    );
    assert_eq!(
        props(&t, "NightlyReportSchedule1")["ScheduleExpression"],
        "cron(0 2 * * ? *)"
    );
    assert_eq!(
        props(&t, "NightlyReportSchedule1Permission")["SourceArn"],
        json!({ "Fn::GetAtt": ["NightlyReportSchedule1", "Arn"] })
    );
    assert!(!resources(&t).contains_key("HealthEventInvokeConfig"));

    // Mapping.
    let map = res(&t, "ProcessOrderOrderEventsMapping");
    assert_eq!(map["DependsOn"], json!(["ProcessOrderRole"]));
    assert_eq!(map["Properties"]["BatchSize"], 10);
    assert_eq!(
        map["Properties"]["FunctionResponseTypes"],
        json!(["ReportBatchItemFailures"])
    );

    // Topic subscription.
    assert_eq!(
        props(&t, "NotifyCustomerOrderShippedSubscription")["TopicArn"],
        json!({ "Ref": "OrderShippedTopic" })
    );
    assert_eq!(
        props(&t, "NotifyCustomerOrderShippedTopicPermission")["Principal"],
        "sns.amazonaws.com"
    );

    // API.
    let api = props(&t, "HttpApi");
    assert_eq!(api["Name"], "orders-dev");
    assert_eq!(api["Tags"], json!({ "team": "checkout" }));
    assert_eq!(
        api["CorsConfiguration"]["AllowOrigins"],
        json!(["https://shop.example.com"])
    );
    assert_eq!(props(&t, "HttpApiDefaultStage")["StageName"], "$default");
    assert_eq!(props(&t, "UsersAuthorizer")["AuthorizerType"], "JWT");
    assert_eq!(props(&t, "PartnersAuthorizer")["AuthorizerType"], "REQUEST");
    assert_eq!(
        props(&t, "PartnersAuthorizer")["IdentitySource"],
        json!(["$request.header.X-Partner-Key"])
    );
    assert_eq!(
        props(&t, "PartnersAuthorizerPermission")["SourceArn"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/authorizers/${PartnersAuthorizer}" })
    );
    let route = props(&t, "GetOrdersByIdRoute");
    assert_eq!(route["RouteKey"], "GET /orders/{id}");
    assert_eq!(route["AuthorizationType"], "JWT");
    assert_eq!(route["AuthorizerId"], json!({ "Ref": "UsersAuthorizer" }));
    assert_eq!(
        route["Target"],
        json!({ "Fn::Sub": "integrations/${GetOrdersByIdIntegration}" })
    );
    assert_eq!(
        props(&t, "PostPartnerOrdersRoute")["AuthorizationType"],
        "CUSTOM"
    );
    assert_eq!(props(&t, "GetHealthRoute")["AuthorizationType"], "NONE");
    assert_eq!(
        props(&t, "GetOrdersByIdPermission")["SourceArn"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/GET/orders/*" })
    );

    // Outputs.
    let outputs = t.value()["Outputs"].as_object().unwrap();
    assert_eq!(
        outputs["ApiUrl"]["Value"],
        json!({ "Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}" })
    );
    assert_eq!(
        outputs["OrderEventsQueueUrl"]["Value"],
        json!({ "Ref": "OrderEventsQueue" })
    );
    assert_eq!(
        outputs["CreateOrderFunctionArn"]["Value"],
        json!({ "Fn::GetAtt": ["CreateOrderFunction", "Arn"] })
    );
    assert!(outputs.values().all(|o| o["Description"].is_string()));
}

#[test]
fn provisioned_functions_are_invoked_through_the_alias() {
    let (_, t) = complete(None);
    let version_id = resources(&t)
        .keys()
        .find(|k| k.starts_with("GetOrderVersion"))
        .expect("a version")
        .clone();
    let hash = version_id.trim_start_matches("GetOrderVersion");
    assert_eq!(hash.len(), 10);
    assert!(
        hash.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    let alias = props(&t, "GetOrderAlias");
    assert_eq!(alias["Name"], "live");
    assert_eq!(
        alias["FunctionVersion"],
        json!({ "Fn::GetAtt": [version_id, "Version"] })
    );
    assert_eq!(
        alias["ProvisionedConcurrencyConfig"],
        json!({ "ProvisionedConcurrentExecutions": 2 })
    );
    assert_eq!(
        props(&t, "GetOrdersByIdIntegration")["IntegrationUri"],
        json!({ "Ref": "GetOrderAlias" })
    );
    assert_eq!(
        props(&t, "GetOrdersByIdPermission")["FunctionName"],
        json!({ "Ref": "GetOrderAlias" })
    );
    // Non-provisioned functions are invoked by ARN.
    assert_eq!(
        props(&t, "GetHealthIntegration")["IntegrationUri"],
        json!({ "Fn::GetAtt": ["HealthFunction", "Arn"] })
    );
}

#[test]
fn bucket_permissions_never_refer_to_their_bucket() {
    let (_, t) = complete(None);
    let bucket = res(&t, "UploadsBucket");
    assert_eq!(
        bucket["DependsOn"],
        json!(["NightlyReportUploadsBucketPermission"])
    );
    let perm = props(&t, "NightlyReportUploadsBucketPermission");
    let mut refs = BTreeSet::new();
    refs_in(perm, &mut refs);
    assert!(!refs.contains("UploadsBucket"), "{refs:?}");
    assert_eq!(
        perm["SourceArn"],
        json!({ "Fn::Sub": "arn:${AWS::Partition}:s3:::orders-dev-uploads-${AWS::AccountId}-${AWS::Region}" })
    );
    assert_eq!(perm["SourceAccount"], json!({ "Ref": "AWS::AccountId" }));
    assert_eq!(
        props(&t, "UploadsBucket")["BucketName"],
        json!({ "Fn::Sub": "orders-dev-uploads-${AWS::AccountId}-${AWS::Region}" })
    );
    let c = &props(&t, "UploadsBucket")["NotificationConfiguration"]["LambdaConfigurations"][0];
    assert_eq!(
        c["Filter"]["S3Key"]["Rules"],
        json!([{ "Name": "prefix", "Value": "incoming/" }])
    );
}
