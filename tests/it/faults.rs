//! Faults moto cannot inject: a proxy on loopback in front of it throttles, answers
//! 500/503 and drops connections on chosen CloudFormation calls. `apply` must still
//! succeed (the SDK's retries and fnplan's polling ride it out) or fail with a clear
//! message; it never hangs. And two applies at once leave a consistent stack.

use crate::moto::{Moto, moto};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SPEC: &str = r#"version: 1
app: shop
defaults:
  function: { runtime: python3.12, timeout: 10, concurrency: 5, log_retention_days: 14 }
functions:
  worker:
    handler: app.handler
    code: s3://fnplan-test-code/worker.zip
    triggers: [{ queue: jobs }]
queues:
  jobs: { visibility_timeout: 60, dlq: true }
"#;

#[derive(Clone, Copy, Debug)]
enum Fault {
    Throttle,
    Status(u16),
    Drop,
}

/// Faults to inject: (CloudFormation action, fault, how many times).
type Plan = Vec<(&'static str, Fault, usize)>;

struct Proxy {
    url: String,
    injected: Arc<AtomicUsize>,
}

fn read_request(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    loop {
        let n = s.read(&mut tmp).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = s.read(&mut tmp).ok()?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&tmp[..n]);
            }
            return Some(buf);
        }
    }
}

/// Rewrite the request to close the connection, send it to moto, relay the answer.
fn forward(req: &[u8], upstream: &str) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(req);
    let fixed = text
        .replace("Connection: keep-alive", "Connection: close")
        .replace("connection: keep-alive", "connection: close");
    let mut up = TcpStream::connect(upstream).ok()?;
    up.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    // Force `Connection: close` so read_to_end ends.
    let fixed = if fixed.to_ascii_lowercase().contains("connection: close") {
        fixed
    } else {
        fixed.replacen("\r\n", "\r\nConnection: close\r\n", 1)
    };
    up.write_all(fixed.as_bytes()).ok()?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp).ok()?;
    Some(resp)
}

fn start_proxy(moto_url: &str, plan: Plan) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let upstream = moto_url.trim_start_matches("http://").to_string();
    let plan = Arc::new(Mutex::new(plan));
    let injected = Arc::new(AtomicUsize::new(0));
    let inj = injected.clone();
    std::thread::spawn(move || {
        // Bounded: the proxy serves this one test and stops with the test process.
        for conn in listener.incoming().take(5000) {
            let Ok(mut s) = conn else { continue };
            let plan = plan.clone();
            let upstream = upstream.clone();
            let inj = inj.clone();
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
                let Some(req) = read_request(&mut s) else {
                    return;
                };
                let text = String::from_utf8_lossy(&req);
                let action = text
                    .split("Action=")
                    .nth(1)
                    .map(|a| a.split('&').next().unwrap_or("").to_string());
                let fault = action.as_deref().and_then(|a| {
                    let mut p = plan.lock().expect("plan");
                    let hit = p
                        .iter_mut()
                        .find(|(name, _, left)| *name == a && *left > 0)?;
                    hit.2 -= 1;
                    Some(hit.1)
                });
                if let Some(f) = fault {
                    inj.fetch_add(1, Ordering::SeqCst);
                    let resp = match f {
                        Fault::Drop => return, // close without a word
                        Fault::Throttle => {
                            let body = "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>x</RequestId></ErrorResponse>";
                            format!(
                                "HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                body.len()
                            )
                        }
                        Fault::Status(code) => {
                            let body = "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>injected</Message></Error></ErrorResponse>";
                            format!(
                                "HTTP/1.1 {code} Error\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                body.len()
                            )
                        }
                    };
                    let _ = s.write_all(resp.as_bytes());
                    return;
                }
                if let Some(resp) = forward(&req, &upstream) {
                    let _ = s.write_all(&resp);
                }
            });
        }
    });
    Proxy { url, injected }
}

fn run_via(m: &Moto, proxy: &Proxy, args: &[&str]) -> (i32, String, String) {
    let out = m
        .fnplan()
        .env("AWS_ENDPOINT_URL", &proxy.url)
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn apply_rides_out_throttling_server_errors_and_dropped_connections() {
    let Some(m) = moto() else { return };
    let (_d, spec) = m.app(SPEC);
    let proxy = start_proxy(
        &m.url,
        vec![
            ("DescribeStacks", Fault::Throttle, 2),
            ("CreateChangeSet", Fault::Status(503), 1),
            ("DescribeChangeSet", Fault::Drop, 1),
            ("ExecuteChangeSet", Fault::Status(500), 1),
            ("DescribeStackEvents", Fault::Throttle, 3),
        ],
    );
    let (code, out, err) = run_via(
        &m,
        &proxy,
        &["apply", &spec, "--auto-approve", "--progress", "plain"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        proxy.injected.load(Ordering::SeqCst) >= 6,
        "faults were injected"
    );
    assert_eq!(
        m.stack_status("shop-dev").as_deref(),
        Some("CREATE_COMPLETE")
    );
}

#[test]
fn persistent_failures_end_with_a_clear_message_not_a_hang() {
    let Some(m) = moto() else { return };
    let (_d, spec) = m.app(SPEC);
    let proxy = start_proxy(&m.url, vec![("DescribeStacks", Fault::Status(500), 1000)]);
    let (code, _, err) = run_via(&m, &proxy, &["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("DescribeStacks failed"), "{err}");
    let proxy = start_proxy(&m.url, vec![("CreateChangeSet", Fault::Throttle, 1000)]);
    let (code, _, err) = run_via(&m, &proxy, &["plan", &spec, "--out", "/dev/null"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("Throttling") && err.contains("Rate exceeded"),
        "{err}"
    );
}

#[test]
fn two_applies_at_once_leave_a_consistent_stack() {
    let Some(m) = moto() else { return };
    let (_d, spec) = m.app(SPEC);
    let (code, _, err) = m.run(&["apply", &spec, "--auto-approve"]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(
        &spec,
        SPEC.replace("visibility_timeout: 60", "visibility_timeout: 90"),
    )
    .expect("edit");
    let mut first = m.fnplan();
    first
        .args(["apply", &spec, "--auto-approve"])
        .timeout(Duration::from_secs(120));
    let a = std::thread::spawn(move || first.output().expect("runs"));
    let b = m
        .fnplan()
        .args(["apply", &spec, "--auto-approve"])
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    let a = a.join().expect("thread");
    let codes = [a.status.code(), b.status.code()];
    // Each either applied or refused/failed with a message; neither hung or crashed.
    for (o, c) in [(&a, codes[0]), (&b, codes[1])] {
        assert!(
            matches!(c, Some(0) | Some(1)),
            "{c:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        if c == Some(1) {
            assert!(!String::from_utf8_lossy(&o.stderr).trim().is_empty());
        }
    }
    assert!(codes.contains(&Some(0)), "at least one apply went through");
    assert_eq!(
        m.stack_status("shop-dev").as_deref(),
        Some("UPDATE_COMPLETE")
    );
    let (code, out, _) = m.run(&["plan", &spec, "--detailed-exitcode"]);
    assert_eq!(code, 0, "the stack matches the spec afterwards:\n{out}");
}
