//! Synthetic specs for benchmarks and property tests: a function count in, a valid spec
//! (YAML text) out. Each function has a route behind one JWT authorizer, its own queue
//! with a DLQ as trigger, a timeout, memory, concurrency and one env var.

use std::fmt::Write;

/// A spec with `n` functions, as described in the module docs.
pub fn spec(n: usize) -> String {
    let mut s = String::with_capacity(400 + n * 420);
    s.push_str("version: 1\napp: synth\ndefaults:\n  function:\n    runtime: python3.12\n    log_retention_days: 14\n");
    s.push_str("api:\n  authorizers:\n    users:\n      jwt: { issuer: \"https://auth.example.com/\", audience: [synth] }\n  routes:\n");
    for i in 0..n {
        let _ = writeln!(s, "    \"POST /f{i}\": {{ function: f{i}, auth: users }}");
    }
    s.push_str("functions:\n");
    for i in 0..n {
        let _ = write!(
            s,
            "  f{i}:\n    handler: app.handler\n    code: s3://synth-artifacts/f{i}.zip\n    timeout: 10\n    memory: 256\n    concurrency: 5\n    env: {{ QUEUE_URL: \"${{queue.q{i}.url}}\" }}\n    triggers:\n      - queue: q{i}\n        batch_size: 10\n"
        );
    }
    s.push_str("queues:\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "  q{i}: {{ visibility_timeout: 60, dlq: {{ max_receive_count: 5 }} }}"
        );
    }
    s
}
