//! Names in, CloudFormation logical IDs out. Logical IDs are part of the SPEC.md contract:
//! changing one replaces a live resource.

/// `create-order` -> `CreateOrder`; `worker-1` -> `Worker1`; `orders_v2` -> `OrdersV2`.
pub fn pascal(name: &str) -> String {
    Pascal(name).to_string()
}

/// [`pascal`] written straight into a `format!` (logical IDs are made by the thousand:
/// no string of its own).
pub struct Pascal<'a>(pub &'a str);

/// Bytes known to be ASCII as text.
fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

impl std::fmt::Display for Pascal<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The bytes are gathered on the stack and handed on in one piece: writing a part
        // at a time cost more than the rest of the `format!`.
        let mut buf = [0u8; 64];
        let mut n = 0;
        for b in pascal_bytes(self.0, false) {
            if n == buf.len() {
                f.write_str(ascii(&buf))?;
                n = 0;
            }
            buf[n] = b;
            n += 1;
        }
        f.write_str(ascii(&buf[..n]))
    }
}

/// The bytes of [`pascal`]`(name)`: only ASCII letters and digits are kept, each part's
/// first one upper-cased; any other byte (a UTF-8 byte of a non-ASCII character too)
/// separates parts. With `lower_rest`, the letters after each part's first are
/// lower-cased (`POST` -> `Post`).
fn pascal_bytes(name: &str, lower_rest: bool) -> impl Iterator<Item = u8> + '_ {
    let mut start = true;
    name.bytes().filter_map(move |b| {
        if !b.is_ascii_alphanumeric() {
            start = true;
            return None;
        }
        let b = match (std::mem::replace(&mut start, false), lower_rest) {
            (true, _) => b.to_ascii_uppercase(),
            (false, true) => b.to_ascii_lowercase(),
            (false, false) => b,
        };
        Some(b)
    })
}

/// `format!` into a string with room for the result up front (`format!` sizes its string
/// from the literal text and grows it as the names are written); `room` counts the names'
/// bytes, and the words and numbers fit in the rest.
macro_rules! id {
    ($room:expr, $($arg:tt)+) => {{
        let mut out = String::with_capacity($room + 24);
        let _ = std::fmt::Write::write_fmt(&mut out, format_args!($($arg)+));
        out
    }};
}

/// `name` in PascalCase followed by `suffix`, in a string allocated once at its size
/// (`format!` guesses the size from the literal text and grows the string as it writes).
fn suffixed(name: &str, suffix: &str) -> String {
    let mut out = String::with_capacity(name.len() + suffix.len());
    push_pascal(&mut out, name, false);
    out.push_str(suffix);
    out
}

/// Append [`pascal_bytes`] to `out` (no `fmt` machinery: this runs for every logical ID,
/// twice).
fn push_pascal(out: &mut String, name: &str, lower_rest: bool) {
    out.extend(pascal_bytes(name, lower_rest).map(char::from));
}

pub fn function(name: &str) -> String {
    suffixed(name, "Function")
}
pub fn role(name: &str) -> String {
    suffixed(name, "Role")
}
pub fn log_group(name: &str) -> String {
    suffixed(name, "LogGroup")
}
pub fn event_invoke_config(name: &str) -> String {
    suffixed(name, "EventInvokeConfig")
}
/// The published version carries a hash of code and configuration.
pub fn version(name: &str, hash: &str) -> String {
    id!(name.len() + hash.len(), "{}Version{}", Pascal(name), hash)
}
pub fn alias(name: &str) -> String {
    suffixed(name, "Alias")
}
pub fn queue_mapping(function: &str, queue: &str) -> String {
    id!(
        function.len() + queue.len(),
        "{}{}Mapping",
        Pascal(function),
        Pascal(queue)
    )
}
/// A table stream trigger's event source mapping (`Stream` keeps it apart from a queue
/// mapping when a queue and a table share a name).
pub fn stream_mapping(function: &str, table: &str) -> String {
    id!(
        function.len() + table.len(),
        "{}{}StreamMapping",
        Pascal(function),
        Pascal(table)
    )
}
pub fn schedule_rule(function: &str, ordinal: usize) -> String {
    id!(function.len(), "{}Schedule{}", Pascal(function), ordinal)
}
pub fn schedule_permission(function: &str, ordinal: usize) -> String {
    id!(
        function.len(),
        "{}Schedule{}Permission",
        Pascal(function),
        ordinal
    )
}
/// A bus trigger's rule, its permission to invoke the function, its dead-letter queue
/// and that queue's policy (`{Function}Bus{n}...`, `n` counting the function's bus
/// triggers).
pub fn bus_rule(function: &str, ordinal: usize) -> String {
    id!(function.len(), "{}Bus{}Rule", Pascal(function), ordinal)
}
pub fn bus_permission(function: &str, ordinal: usize) -> String {
    id!(
        function.len(),
        "{}Bus{}Permission",
        Pascal(function),
        ordinal
    )
}
pub fn bus_dlq(function: &str, ordinal: usize) -> String {
    id!(function.len(), "{}Bus{}Dlq", Pascal(function), ordinal)
}
pub fn bus_dlq_policy(function: &str, ordinal: usize) -> String {
    id!(
        function.len(),
        "{}Bus{}DlqPolicy",
        Pascal(function),
        ordinal
    )
}
pub fn bus(name: &str) -> String {
    suffixed(name, "Bus")
}
pub fn bus_archive(name: &str) -> String {
    suffixed(name, "BusArchive")
}
pub fn bucket_permission(function: &str, bucket: &str) -> String {
    id!(
        function.len() + bucket.len(),
        "{}{}BucketPermission",
        Pascal(function),
        Pascal(bucket)
    )
}
pub fn topic_subscription(function: &str, topic: &str) -> String {
    id!(
        function.len() + topic.len(),
        "{}{}Subscription",
        Pascal(function),
        Pascal(topic)
    )
}
pub fn topic_permission(function: &str, topic: &str) -> String {
    id!(
        function.len() + topic.len(),
        "{}{}TopicPermission",
        Pascal(function),
        Pascal(topic)
    )
}
pub fn queue(name: &str) -> String {
    suffixed(name, "Queue")
}
pub fn dlq(name: &str) -> String {
    suffixed(name, "Dlq")
}
pub fn table(name: &str) -> String {
    suffixed(name, "Table")
}
pub fn bucket(name: &str) -> String {
    suffixed(name, "Bucket")
}
pub fn topic(name: &str) -> String {
    suffixed(name, "Topic")
}
/// An Aurora cluster (`AWS::RDS::DBCluster`).
pub fn database(name: &str) -> String {
    suffixed(name, "Database")
}
/// The one Serverless v2 instance of a database's cluster.
pub fn database_instance(name: &str) -> String {
    suffixed(name, "DatabaseInstance")
}
pub const HTTP_API: &str = "HttpApi";
pub const HTTP_API_STAGE: &str = "HttpApiDefaultStage";
pub fn authorizer(name: &str) -> String {
    suffixed(name, "Authorizer")
}
pub fn authorizer_permission(name: &str) -> String {
    suffixed(name, "AuthorizerPermission")
}

/// `GET /orders/{id}` -> `GetOrdersById`; `$default` -> `Default`; `ANY /{proxy+}` -> `AnyByProxy`.
pub fn route_base(key: &str) -> String {
    route_id(key, "")
}

/// [`route_base`] followed by `suffix`, written into one string.
fn route_id(key: &str, suffix: &str) -> String {
    let mut out = String::with_capacity(key.len() + suffix.len() + 8);
    if key.trim() == "$default" {
        out.push_str("Default");
        out.push_str(suffix);
        return out;
    }
    let (method, path) = key.split_once(' ').unwrap_or((key, ""));
    push_pascal(&mut out, method, true);
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => {
                out.push_str("By");
                push_pascal(&mut out, param.trim_end_matches('+'), false);
            }
            None => push_pascal(&mut out, seg, false),
        }
    }
    if path.trim_matches('/').is_empty() {
        out.push_str("Root");
    }
    out.push_str(suffix);
    out
}
pub fn route(key: &str) -> String {
    route_id(key, "Route")
}
pub fn route_integration(key: &str) -> String {
    route_id(key, "Integration")
}
pub fn route_permission(key: &str) -> String {
    route_id(key, "Permission")
}

/// Output names.
pub const API_URL_OUTPUT: &str = "ApiUrl";
pub fn queue_url_output(name: &str) -> String {
    suffixed(name, "QueueUrl")
}
pub fn function_arn_output(name: &str) -> String {
    suffixed(name, "FunctionArn")
}

/// A layer's `AWS::Lambda::LayerVersion`.
pub fn layer(name: &str) -> String {
    suffixed(name, "Layer")
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

    /// The byte loop keeps what splitting on anything but ASCII letters and digits keeps,
    /// for long and non-ASCII names too.
    #[test]
    fn pascal_matches_splitting_into_parts() {
        let by_parts = |name: &str| -> String {
            name.split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|p| !p.is_empty())
                .map(|p| p[..1].to_ascii_uppercase() + &p[1..])
                .collect()
        };
        let long = "segment-".repeat(20);
        for name in [
            "",
            "a",
            "-",
            "create-order",
            "a_b.c d",
            "x1-2y",
            "é-tage",
            "grüße-über",
            "日本-x",
            "--lead",
            "trail--",
            &long,
            "ABC-def",
        ] {
            assert_eq!(Pascal(name).to_string(), by_parts(name), "{name:?}");
            let (mut direct, mut lowered) = (String::new(), String::new());
            push_pascal(&mut direct, name, false);
            push_pascal(&mut lowered, name, true);
            assert_eq!(direct, by_parts(name), "{name:?}");
            assert_eq!(lowered, by_parts(&name.to_ascii_lowercase()), "{name:?}");
        }
    }
}
