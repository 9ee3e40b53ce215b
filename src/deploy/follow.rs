//! Following a stack: a stack id and a start time in, progress lines (plain or JSON)
//! while it changes and the final status with the events that explain a failure out.

use super::{DeployError, StackApi, StackEvent, is_settled};
use crate::aws_error::AwsError;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Progress {
    /// A live view on a terminal (events scroll above a status line), plain lines otherwise.
    Auto,
    /// One line per resource event, no control codes.
    Plain,
    /// One JSON object per event.
    Json,
    /// The live terminal view (what `Auto` becomes on a terminal).
    #[value(skip)]
    Live,
}

/// CloudFormation's own limit for most stack operations is far shorter; past this we
/// stop following (the stack keeps changing) rather than hang a CI job.
const MAX_FOLLOW: Duration = Duration::from_secs(3 * 3600);

/// How following ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followed {
    pub status: String,
    pub status_reason: Option<String>,
    /// Failed resource events, oldest first (the root cause comes first).
    pub failures: Vec<StackEvent>,
    pub elapsed: Duration,
    pub outputs: Vec<(String, String)>,
}

impl Followed {
    pub fn succeeded(&self) -> bool {
        matches!(
            self.status.as_str(),
            "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "DELETE_COMPLETE" | "IMPORT_COMPLETE"
        )
    }
}

#[derive(Serialize)]
struct JsonEvent<'a> {
    elapsed_s: f64,
    logical_id: &'a str,
    resource_type: &'a str,
    status: &'a str,
    reason: Option<&'a str>,
    resource_elapsed_s: Option<f64>,
}

/// The one progress renderer of stack events: a live view on a terminal (events scroll
/// above a status line), plain lines, or one JSON object per event.
struct Renderer<'a> {
    progress: Progress,
    color: bool,
    out: &'a mut dyn Write,
    live: Option<indicatif::ProgressBar>,
}

impl<'a> Renderer<'a> {
    fn new(progress: Progress, color: bool, out: &'a mut dyn Write, stack_id: &str) -> Self {
        let live = (progress == Progress::Live).then(|| {
            let pb = indicatif::ProgressBar::new_spinner();
            pb.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            pb.enable_steady_tick(Duration::from_millis(120));
            pb.set_message(format!("following {stack_id}"));
            pb
        });
        Renderer {
            progress,
            color,
            out,
            live,
        }
    }

    /// Show one event, `elapsed` into the operation; `res` is how long its resource took.
    fn event(&mut self, e: &StackEvent, elapsed: Duration, res: Option<Duration>, t: &Tracker) {
        if let Some(pb) = &self.live {
            pb.println(line(e, elapsed, res, self.color));
            let busy = t.started.keys().filter(|k| !t.done.contains(*k)).count();
            pb.set_message(format!(
                "{} resource(s) done, {busy} in progress",
                t.done.len()
            ));
            return;
        }
        let _ = match self.progress {
            Progress::Json => {
                let j = JsonEvent {
                    elapsed_s: round(elapsed),
                    logical_id: &e.logical_id,
                    resource_type: &e.resource_type,
                    status: &e.status,
                    reason: e.reason.as_deref(),
                    resource_elapsed_s: res.map(round),
                };
                let text = serde_json::to_string(&j).unwrap_or_default();
                writeln!(self.out, "{text}")
            }
            _ => writeln!(self.out, "{}", line(e, elapsed, res, self.color)),
        };
    }

    fn finish(&self) {
        if let Some(pb) = &self.live {
            pb.finish_and_clear();
        }
    }
}

/// What following has seen: events already shown, when each resource started and
/// finished, and the failures that explain a rollback.
struct Tracker {
    seen: HashSet<String>,
    started: HashMap<String, Instant>,
    done: HashSet<String>,
    failures: Vec<StackEvent>,
}

impl Tracker {
    /// Record `e`: `None` when it was seen before, else how long its resource took
    /// (`Some(None)` while it is still in progress or its start was not seen).
    fn observe(&mut self, e: &StackEvent) -> Option<Option<Duration>> {
        if !self.seen.insert(e.event_id.clone()) {
            return None;
        }
        let now = Instant::now();
        let in_progress = e.status.ends_with("_IN_PROGRESS");
        let took = if in_progress {
            self.started.entry(e.logical_id.clone()).or_insert(now);
            None
        } else {
            self.done.insert(e.logical_id.clone());
            self.started
                .get(&e.logical_id)
                .map(|t| now.duration_since(*t))
        };
        let cancelled = e.reason.as_deref().is_some_and(|r| r.contains("cancelled"));
        if e.is_failure() && e.reason.is_some() && !cancelled {
            self.failures.push(e.clone());
        }
        Some(took)
    }
}

/// A read-only poll's result: transient failures (throttles, dropped connections) that
/// outlast the SDK's own retries are retried here a few times (`Ok(None)`: poll again).
fn tolerate<T>(r: Result<T, DeployError>, transient: &mut u32) -> Result<Option<T>, DeployError> {
    match r {
        Ok(v) => {
            *transient = 0;
            Ok(Some(v))
        }
        Err(e) if *transient < 5 && is_transient(&e) => {
            *transient += 1;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Print stack events as they arrive until the stack settles. Events that existed
/// before `seen` was taken are not printed again.
pub async fn follow(
    api: &impl StackApi,
    stack_id: &str,
    seen: HashSet<String>,
    progress: Progress,
    color: bool,
    out: &mut dyn Write,
) -> Result<Followed, DeployError> {
    let start = Instant::now();
    let mut shown = Renderer::new(progress, color, out, stack_id);
    let mut t = Tracker {
        seen,
        started: HashMap::new(),
        done: HashSet::new(),
        failures: Vec::new(),
    };
    // First look within a fraction of a second, then back off to 3 s.
    let mut delay = Duration::from_millis(250);
    let mut transient = 0;
    loop {
        tokio::time::sleep(delay).await;
        delay = (delay.mul_f32(1.5)).min(Duration::from_secs(3));
        let Some(mut events) = tolerate(api.stack_events(stack_id).await, &mut transient)? else {
            continue;
        };
        events.reverse(); // oldest first
        for e in events {
            if let Some(took) = t.observe(&e) {
                shown.event(&e, start.elapsed(), took, &t);
            }
        }
        let Some(s) = tolerate(api.describe_stack(stack_id).await, &mut transient)? else {
            continue;
        };
        if let Some(end) = ended(stack_id, s, start, &mut t)? {
            shown.finish();
            return Ok(end);
        }
    }
}

/// How following ends once the stack settled, `None` while it is still changing, or an
/// error when it is stuck.
fn ended(
    stack_id: &str,
    s: Option<super::StackInfo>,
    start: Instant,
    t: &mut Tracker,
) -> Result<Option<Followed>, DeployError> {
    let mut failures = || std::mem::take(&mut t.failures);
    let Some(s) = s else {
        // A deleted stack is no longer listed under its name; by id it reads DELETE_COMPLETE.
        return Ok(Some(Followed {
            status: "DELETE_COMPLETE".into(),
            status_reason: None,
            failures: failures(),
            elapsed: start.elapsed(),
            outputs: Vec::new(),
        }));
    };
    if s.status == "REVIEW_IN_PROGRESS" && start.elapsed() > Duration::from_secs(60) {
        return Err(AwsError::Transport {
            operation: "ExecuteChangeSet",
            message: format!(
                "stack {stack_id} is still REVIEW_IN_PROGRESS a minute after its change set was executed"
            ),
        }
        .into());
    }
    if start.elapsed() > MAX_FOLLOW {
        return Err(AwsError::Transport {
            operation: "following the stack",
            message: format!(
                "stack {stack_id} is still {} after {} minutes; watch it with `fnplan status`",
                s.status,
                MAX_FOLLOW.as_secs() / 60
            ),
        }
        .into());
    }
    if !is_settled(&s.status) || s.status == "REVIEW_IN_PROGRESS" {
        return Ok(None);
    }
    Ok(Some(Followed {
        status: s.status,
        status_reason: s.status_reason,
        failures: failures(),
        elapsed: start.elapsed(),
        outputs: s.outputs,
    }))
}

/// Errors worth another poll: throttling, server errors, connection trouble.
fn is_transient(e: &DeployError) -> bool {
    match e {
        DeployError::Aws(AwsError::Transport { .. }) => true,
        DeployError::Aws(AwsError::Service { code, .. }) => {
            matches!(
                code.as_str(),
                "Throttling"
                    | "ThrottlingException"
                    | "RequestLimitExceeded"
                    | "InternalFailure"
                    | "ServiceUnavailable"
                    | "Unknown"
            )
        }
        _ => false,
    }
}

fn round(d: Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

/// `  12.3s  UPDATE_COMPLETE       WorkerFunction (AWS::Lambda::Function)  4.1s`
pub fn line(e: &StackEvent, elapsed: Duration, res: Option<Duration>, color: bool) -> String {
    let status = if color {
        let code = if e.is_failure() {
            "31"
        } else if e.status.ends_with("_COMPLETE") && !e.status.contains("ROLLBACK") {
            "32"
        } else {
            "33"
        };
        format!("\x1b[{code}m{:<28}\x1b[0m", e.status)
    } else {
        format!("{:<28}", e.status)
    };
    let mut s = format!(
        "{:>7.1}s  {status}  {} ({})",
        elapsed.as_secs_f64(),
        e.logical_id,
        e.resource_type
    );
    if let Some(r) = res {
        s.push_str(&format!("  {:.1}s", r.as_secs_f64()));
    }
    if let Some(reason) = e.reason.as_deref().filter(|r| !r.is_empty()) {
        s.push_str(&format!("\n          {reason}"));
    }
    s
}

/// Ids of the events a stack already has (so following prints only new ones).
pub async fn existing_event_ids(
    api: &impl StackApi,
    stack_id: &str,
) -> Result<HashSet<String>, DeployError> {
    Ok(api
        .stack_events(stack_id)
        .await?
        .into_iter()
        .map(|e| e.event_id)
        .collect())
}

/// Wait for a stack that is changing (another deployment) to settle.
pub async fn wait_settled(
    api: &impl StackApi,
    stack: &str,
    limit: Duration,
) -> Result<Option<super::StackInfo>, DeployError> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(500);
    loop {
        let s = api.describe_stack(stack).await?;
        match &s {
            Some(info) if !is_settled(&info.status) => {}
            _ => return Ok(s),
        }
        if start.elapsed() > limit {
            return Ok(s);
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}
