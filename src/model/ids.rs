//! Names in, CloudFormation logical IDs out. Logical IDs are part of the SPEC.md contract:
//! changing one replaces a live resource.

/// `create-order` -> `CreateOrder`; `worker-1` -> `Worker1`; `orders_v2` -> `OrdersV2`.
pub fn pascal(name: &str) -> String {
    Pascal(name).to_string()
}

/// [`pascal`] written straight into a `format!` (logical IDs are made by the thousand:
/// no string of its own).
pub struct Pascal<'a>(pub &'a str);

impl std::fmt::Display for Pascal<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        // Parts hold ASCII letters and digits only: byte 0 is a whole character.
        for part in self.0.split(|c: char| !c.is_ascii_alphanumeric()) {
            if let Some(first) = part.bytes().next() {
                f.write_char(char::from(first.to_ascii_uppercase()))?;
                f.write_str(&part[1..])?;
            }
        }
        Ok(())
    }
}

pub fn function(name: &str) -> String {
    format!("{}Function", Pascal(name))
}
pub fn role(name: &str) -> String {
    format!("{}Role", Pascal(name))
}
pub fn log_group(name: &str) -> String {
    format!("{}LogGroup", Pascal(name))
}
pub fn event_invoke_config(name: &str) -> String {
    format!("{}EventInvokeConfig", Pascal(name))
}
/// The published version carries a hash of code and configuration.
pub fn version(name: &str, hash: &str) -> String {
    format!("{}Version{}", Pascal(name), hash)
}
pub fn alias(name: &str) -> String {
    format!("{}Alias", Pascal(name))
}
pub fn queue_mapping(function: &str, queue: &str) -> String {
    format!("{}{}Mapping", Pascal(function), Pascal(queue))
}
/// A table stream trigger's event source mapping (`Stream` keeps it apart from a queue
/// mapping when a queue and a table share a name).
pub fn stream_mapping(function: &str, table: &str) -> String {
    format!("{}{}StreamMapping", Pascal(function), Pascal(table))
}
pub fn schedule_rule(function: &str, ordinal: usize) -> String {
    format!("{}Schedule{}", Pascal(function), ordinal)
}
pub fn schedule_permission(function: &str, ordinal: usize) -> String {
    format!("{}Schedule{}Permission", Pascal(function), ordinal)
}
/// A bus trigger's rule, its permission to invoke the function, its dead-letter queue
/// and that queue's policy (`{Function}Bus{n}...`, `n` counting the function's bus
/// triggers).
pub fn bus_rule(function: &str, ordinal: usize) -> String {
    format!("{}Bus{}Rule", Pascal(function), ordinal)
}
pub fn bus_permission(function: &str, ordinal: usize) -> String {
    format!("{}Bus{}Permission", Pascal(function), ordinal)
}
pub fn bus_dlq(function: &str, ordinal: usize) -> String {
    format!("{}Bus{}Dlq", Pascal(function), ordinal)
}
pub fn bus_dlq_policy(function: &str, ordinal: usize) -> String {
    format!("{}Bus{}DlqPolicy", Pascal(function), ordinal)
}
pub fn bus(name: &str) -> String {
    format!("{}Bus", Pascal(name))
}
pub fn bus_archive(name: &str) -> String {
    format!("{}BusArchive", Pascal(name))
}
pub fn bucket_permission(function: &str, bucket: &str) -> String {
    format!("{}{}BucketPermission", Pascal(function), Pascal(bucket))
}
pub fn topic_subscription(function: &str, topic: &str) -> String {
    format!("{}{}Subscription", Pascal(function), Pascal(topic))
}
pub fn topic_permission(function: &str, topic: &str) -> String {
    format!("{}{}TopicPermission", Pascal(function), Pascal(topic))
}
pub fn queue(name: &str) -> String {
    format!("{}Queue", Pascal(name))
}
pub fn dlq(name: &str) -> String {
    format!("{}Dlq", Pascal(name))
}
pub fn table(name: &str) -> String {
    format!("{}Table", Pascal(name))
}
pub fn bucket(name: &str) -> String {
    format!("{}Bucket", Pascal(name))
}
pub fn topic(name: &str) -> String {
    format!("{}Topic", Pascal(name))
}
/// An Aurora cluster (`AWS::RDS::DBCluster`).
pub fn database(name: &str) -> String {
    format!("{}Database", Pascal(name))
}
/// The one Serverless v2 instance of a database's cluster.
pub fn database_instance(name: &str) -> String {
    format!("{}DatabaseInstance", Pascal(name))
}
pub const HTTP_API: &str = "HttpApi";
pub const HTTP_API_STAGE: &str = "HttpApiDefaultStage";
pub fn authorizer(name: &str) -> String {
    format!("{}Authorizer", Pascal(name))
}
pub fn authorizer_permission(name: &str) -> String {
    format!("{}AuthorizerPermission", Pascal(name))
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
    format!("{}QueueUrl", Pascal(name))
}
pub fn function_arn_output(name: &str) -> String {
    format!("{}FunctionArn", Pascal(name))
}

/// A layer's `AWS::Lambda::LayerVersion`.
pub fn layer(name: &str) -> String {
    format!("{}Layer", Pascal(name))
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
