//! Names in, CloudFormation logical IDs out. Logical IDs are part of the SPEC.md contract:
//! changing one replaces a live resource.

/// `create-order` -> `CreateOrder`; `worker-1` -> `Worker1`; `orders_v2` -> `OrdersV2`.
pub fn pascal(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out
}

pub fn function(name: &str) -> String {
    format!("{}Function", pascal(name))
}
pub fn role(name: &str) -> String {
    format!("{}Role", pascal(name))
}
pub fn log_group(name: &str) -> String {
    format!("{}LogGroup", pascal(name))
}
pub fn event_invoke_config(name: &str) -> String {
    format!("{}EventInvokeConfig", pascal(name))
}
/// The published version carries a hash of code and configuration.
pub fn version(name: &str, hash: &str) -> String {
    format!("{}Version{}", pascal(name), hash)
}
pub fn alias(name: &str) -> String {
    format!("{}Alias", pascal(name))
}
pub fn queue_mapping(function: &str, queue: &str) -> String {
    format!("{}{}Mapping", pascal(function), pascal(queue))
}
/// A table stream trigger's event source mapping (`Stream` keeps it apart from a queue
/// mapping when a queue and a table share a name).
pub fn stream_mapping(function: &str, table: &str) -> String {
    format!("{}{}StreamMapping", pascal(function), pascal(table))
}
pub fn schedule_rule(function: &str, ordinal: usize) -> String {
    format!("{}Schedule{}", pascal(function), ordinal)
}
pub fn schedule_permission(function: &str, ordinal: usize) -> String {
    format!("{}Schedule{}Permission", pascal(function), ordinal)
}
/// A bus trigger's rule, its permission to invoke the function, its dead-letter queue
/// and that queue's policy (`{Function}Bus{n}...`, `n` counting the function's bus
/// triggers).
pub fn bus_rule(function: &str, ordinal: usize) -> String {
    format!("{}Bus{}Rule", pascal(function), ordinal)
}
pub fn bus_permission(function: &str, ordinal: usize) -> String {
    format!("{}Bus{}Permission", pascal(function), ordinal)
}
pub fn bus_dlq(function: &str, ordinal: usize) -> String {
    format!("{}Bus{}Dlq", pascal(function), ordinal)
}
pub fn bus_dlq_policy(function: &str, ordinal: usize) -> String {
    format!("{}Bus{}DlqPolicy", pascal(function), ordinal)
}
pub fn bus(name: &str) -> String {
    format!("{}Bus", pascal(name))
}
pub fn bus_archive(name: &str) -> String {
    format!("{}BusArchive", pascal(name))
}
pub fn bucket_permission(function: &str, bucket: &str) -> String {
    format!("{}{}BucketPermission", pascal(function), pascal(bucket))
}
pub fn topic_subscription(function: &str, topic: &str) -> String {
    format!("{}{}Subscription", pascal(function), pascal(topic))
}
pub fn topic_permission(function: &str, topic: &str) -> String {
    format!("{}{}TopicPermission", pascal(function), pascal(topic))
}
pub fn queue(name: &str) -> String {
    format!("{}Queue", pascal(name))
}
pub fn dlq(name: &str) -> String {
    format!("{}Dlq", pascal(name))
}
pub fn table(name: &str) -> String {
    format!("{}Table", pascal(name))
}
pub fn bucket(name: &str) -> String {
    format!("{}Bucket", pascal(name))
}
pub fn topic(name: &str) -> String {
    format!("{}Topic", pascal(name))
}
/// An Aurora cluster (`AWS::RDS::DBCluster`).
pub fn database(name: &str) -> String {
    format!("{}Database", pascal(name))
}
/// The one Serverless v2 instance of a database's cluster.
pub fn database_instance(name: &str) -> String {
    format!("{}DatabaseInstance", pascal(name))
}
pub const HTTP_API: &str = "HttpApi";
pub const HTTP_API_STAGE: &str = "HttpApiDefaultStage";
pub fn authorizer(name: &str) -> String {
    format!("{}Authorizer", pascal(name))
}
pub fn authorizer_permission(name: &str) -> String {
    format!("{}AuthorizerPermission", pascal(name))
}

/// `GET /orders/{id}` -> `GetOrdersById`; `$default` -> `Default`; `ANY /{proxy+}` -> `AnyByProxy`.
pub fn route_base(key: &str) -> String {
    if key.trim() == "$default" {
        return "Default".to_string();
    }
    let (method, path) = key.split_once(' ').unwrap_or((key, ""));
    let mut out = pascal(&method.to_ascii_lowercase());
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(param) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            out.push_str("By");
            out.push_str(&pascal(param.trim_end_matches('+')));
        } else {
            out.push_str(&pascal(seg));
        }
    }
    if path.trim_matches('/').is_empty() && key != "$default" {
        out.push_str("Root");
    }
    out
}
pub fn route(key: &str) -> String {
    format!("{}Route", route_base(key))
}
pub fn route_integration(key: &str) -> String {
    format!("{}Integration", route_base(key))
}
pub fn route_permission(key: &str) -> String {
    format!("{}Permission", route_base(key))
}

/// Output names.
pub const API_URL_OUTPUT: &str = "ApiUrl";
pub fn queue_url_output(name: &str) -> String {
    format!("{}QueueUrl", pascal(name))
}
pub fn function_arn_output(name: &str) -> String {
    format!("{}FunctionArn", pascal(name))
}

/// A layer's `AWS::Lambda::LayerVersion`.
pub fn layer(name: &str) -> String {
    format!("{}Layer", pascal(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn ids_follow_the_contract() {
        assert_eq!(function("create-order"), "CreateOrderFunction");
        assert_eq!(role("create-order"), "CreateOrderRole");
        assert_eq!(queue("order-events"), "OrderEventsQueue");
        assert_eq!(dlq("order-events"), "OrderEventsDlq");
        assert_eq!(function("worker-1"), function("worker1"));
        assert_eq!(route("GET /orders/{id}"), "GetOrdersByIdRoute");
        assert_eq!(route("ANY /{proxy+}"), "AnyByProxyRoute");
        assert_eq!(route("GET /"), "GetRootRoute");
        assert_eq!(route("$default"), "DefaultRoute");
        assert_eq!(
            stream_mapping("sync-carts", "carts"),
            "SyncCartsCartsStreamMapping"
        );
    }
}
