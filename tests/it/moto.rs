//! A moto server on loopback for deployment tests: `.ci/test` starts one and exports
//! FNPLAN_TEST_MOTO_URL; otherwise the harness starts `.venv/bin/moto_server` itself, and
//! without one the tests say they are skipped (in CI they fail).
//! Tests that use it run one at a time and start from a reset server.

#![allow(dead_code)]

use crate::common::root;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

pub struct Moto {
    pub url: String,
    pub home: tempfile::TempDir,
    _lock: MutexGuard<'static, ()>,
}

static LOCK: Mutex<()> = Mutex::new(());
/// The server's URL, or why there is none.
static URL: OnceLock<Result<String, String>> = OnceLock::new();

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A raw HTTP request to loopback (no HTTP client needed in tests).
pub fn http(url: &str, method: &str, path: &str, body: &[u8]) -> std::io::Result<(u16, String)> {
    let hostport = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(hostport)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    s.write_all(body)?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let text = String::from_utf8_lossy(&resp).into_owned();
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((code, text))
}

/// Start `.venv/bin/moto_server` on a free loopback port: its URL, or why not.
fn start_local() -> Result<String, String> {
    let bin = root().join(".venv/bin/moto_server");
    if !bin.exists() {
        return Err(
            "no moto server (FNPLAN_TEST_MOTO_URL is unset and there is no .venv/bin/moto_server)"
                .into(),
        );
    }
    let port = free_port();
    // The server lives until this test process exits (its end of the pipe closes and
    // `read` returns), and `timeout` bounds it in any case.
    let child = std::process::Command::new("sh")
        .args([
            "-c",
            "timeout 900 \"$0\" -H 127.0.0.1 -p \"$1\" </dev/null >/dev/null 2>&1 & read _; kill $! 2>/dev/null",
            &bin.to_string_lossy(),
            &port.to_string(),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start .venv/bin/moto_server: {e}"))?;
    // Kept open for the rest of the process.
    std::mem::forget(child);
    let url = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if http(&url, "GET", "/moto-api/", b"").is_ok_and(|(c, _)| c == 200) {
            return Ok(url);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        ".venv/bin/moto_server did not answer on {url} within 30 s"
    ))
}

/// A call to an AWS service API on moto (any signature is accepted; the credential
/// scope names the service).
pub fn aws_call(
    url: &str,
    service: &str,
    method: &str,
    path: &str,
    body: &str,
    content_type: &str,
) -> (u16, String) {
    let hostport = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(hostport).expect("connect moto");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: {content_type}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0\r\nX-Amz-Date: 20260101T000000Z\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).expect("read");
    let text = String::from_utf8_lossy(&resp).into_owned();
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    (code, body)
}

/// The moto server, reset; `None` when there is none: the test is skipped (it says why,
/// see `common::missing`; in CI it fails instead) and the caller returns.
pub fn moto() -> Option<Moto> {
    let url = URL
        .get_or_init(|| std::env::var("FNPLAN_TEST_MOTO_URL").or_else(|_| start_local()))
        .clone();
    let url = match url {
        Ok(url) => url,
        Err(reason) => {
            crate::common::missing(&reason);
            return None;
        }
    };
    let lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let (code, _) = http(&url, "POST", "/moto-api/reset", b"").expect("moto answers");
    assert_eq!(code, 200, "moto reset");
    Some(Moto {
        url,
        home: tempfile::tempdir().expect("tmp"),
        _lock: lock,
    })
}

impl Moto {
    /// `fnplan` pointed at moto with static test credentials and no instance metadata.
    pub fn fnplan(&self) -> assert_cmd::Command {
        let mut c = crate::common::fnplan();
        c.env("AWS_ENDPOINT_URL", &self.url)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("HOME", self.home.path())
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_DEFAULT_REGION");
        c
    }

    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.fnplan().args(args).output().expect("runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// A CloudFormation client for setting up and checking state.
    pub async fn cfn(&self) -> aws_sdk_cloudformation::Client {
        let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&self.url)
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_credential_types::Credentials::new(
                "test", "test", None, None, "static",
            ))
            .load()
            .await;
        aws_sdk_cloudformation::Client::new(&conf)
    }

    pub fn lambda_get(&self, path: &str) -> serde_json::Value {
        let (code, body) = aws_call(&self.url, "lambda", "GET", path, "", "application/json");
        assert_eq!(code, 200, "{path}: {body}");
        serde_json::from_str(body.trim_start_matches(|c: char| c != '{'))
            .unwrap_or_else(|e| panic!("{e}: {body}"))
    }

    /// A JSON-protocol call (`X-Amz-Target: {target}`, e.g. `AWSEvents.ListEventBuses`,
    /// `AmazonSSM.GetParameter`);
    /// returns the parsed body.
    pub fn json_call(&self, service: &str, target: &str, body: &str) -> serde_json::Value {
        // The target header rides on the content type's line.
        let content_type = format!("application/x-amz-json-1.1\r\nX-Amz-Target: {target}");
        let (code, text) = aws_call(&self.url, service, "POST", "/", body, &content_type);
        assert_eq!(code, 200, "{target}: {text}");
        serde_json::from_str(text.trim_start_matches(|c: char| c != '{'))
            .unwrap_or_else(|e| panic!("{target}: {e}: {text}"))
    }

    /// An SQS/IAM query-protocol call; returns the XML body.
    pub fn query(&self, service: &str, params: &str) -> String {
        let (code, body) = aws_call(
            &self.url,
            service,
            "POST",
            "/",
            params,
            "application/x-www-form-urlencoded",
        );
        assert_eq!(code, 200, "{service} {params}: {body}");
        body
    }

    /// The physical ID CloudFormation gave resource `logical_id` of stack `stack` (a queue's
    /// URL, a table's name: fnplan lets CloudFormation name them).
    pub fn physical_id(&self, stack: &str, logical_id: &str) -> String {
        let body = self.query(
            "cloudformation",
            &format!(
                "Action=DescribeStackResource&Version=2010-05-15&StackName={stack}&LogicalResourceId={logical_id}"
            ),
        );
        let start = body.find("<PhysicalResourceId>").map(|i| i + 20);
        let end = body.find("</PhysicalResourceId>");
        match (start, end) {
            (Some(s), Some(e)) if s <= e => body[s..e].to_string(),
            _ => panic!("no physical ID of {logical_id} in {body}"),
        }
    }

    /// The status of a stack, `None` when it does not exist.
    pub fn stack_status(&self, name: &str) -> Option<String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async {
            let cfn = self.cfn().await;
            match cfn.describe_stacks().stack_name(name).send().await {
                Ok(o) => o
                    .stacks()
                    .first()
                    .and_then(|s| s.stack_status())
                    .map(|s| s.as_str().to_string()),
                Err(_) => None,
            }
        })
    }

    /// The function code the test specs name (`s3://fnplan-test-code/worker.zip`): an
    /// empty zip is enough for moto's Lambda.
    pub fn put_test_code(&self) {
        self.put_object(
            "fnplan-test-code",
            "worker.zip",
            b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        );
    }

    /// The test code uploaded and `text` written as `fnplan.yaml` in a fresh directory:
    /// (the directory, kept alive by the caller, and the spec's path).
    pub fn app(&self, text: &str) -> (tempfile::TempDir, String) {
        self.put_test_code();
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("fnplan.yaml");
        std::fs::write(&p, text).expect("spec");
        let spec = p.to_str().expect("utf8").to_string();
        (dir, spec)
    }

    /// The spec file `fixture` (relative to the repository) applied to a fresh directory,
    /// and stack `stack` complete: (the directory, the spec's path, the spec's text).
    pub fn applied(&self, fixture: &str, stack: &str) -> (tempfile::TempDir, String, String) {
        let text = std::fs::read_to_string(crate::common::root().join(fixture)).expect("spec");
        let (dir, spec) = self.app(&text);
        let (code, out, err) = self.run(&["apply", &spec, "--auto-approve", "--progress", "plain"]);
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(self.stack_status(stack).as_deref(), Some("CREATE_COMPLETE"));
        (dir, spec, text)
    }

    /// Create an S3 bucket and put an object (function code for moto's Lambda).
    pub fn put_object(&self, bucket: &str, key: &str, body: &[u8]) {
        let (c, t) = http(&self.url, "PUT", &format!("/{bucket}"), b"").expect("create bucket");
        assert!(c == 200 || c == 409, "create bucket: {t}");
        let (c, t) = http(&self.url, "PUT", &format!("/{bucket}/{key}"), body).expect("put object");
        assert_eq!(c, 200, "put object: {t}");
    }

    /// Deploy `template` as stack `name` directly (the state a plan is compared with).
    pub fn deploy(&self, name: &str, template: &str) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async {
            let cfn = self.cfn().await;
            cfn.create_stack()
                .stack_name(name)
                .template_body(template)
                .capabilities(aws_sdk_cloudformation::types::Capability::CapabilityIam)
                .send()
                .await
                .expect("create_stack");
            let start = Instant::now();
            loop {
                let s = cfn
                    .describe_stacks()
                    .stack_name(name)
                    .send()
                    .await
                    .expect("describe");
                let status = s.stacks()[0]
                    .stack_status()
                    .map(|x| x.as_str().to_string())
                    .unwrap_or_default();
                if status.ends_with("_COMPLETE") || status.ends_with("_FAILED") {
                    assert_eq!(status, "CREATE_COMPLETE", "stack {name}");
                    break;
                }
                assert!(
                    start.elapsed() < Duration::from_secs(60),
                    "stack {name} stuck in {status}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
    }
}

/// The JSON plan of `spec` (the command must succeed).
pub fn plan_json(m: &Moto, spec: &str) -> serde_json::Value {
    let (code, out, err) = m.run(&["plan", spec, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("json")
}

/// The planned change of resource `id`.
pub fn change<'a>(plan: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    plan["changes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["logical_id"] == id))
        .unwrap_or_else(|| panic!("no change of {id} in {plan:#}"))
}

/// Whether a planned change carries `risk`.
pub fn has_risk(c: &serde_json::Value, risk: &str) -> bool {
    c["risks"]
        .as_array()
        .is_some_and(|r| r.iter().any(|x| x == risk))
}
