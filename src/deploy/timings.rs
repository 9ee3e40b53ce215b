//! Phase timings: named steps of a command (a `plan`'s AWS calls) in, each step's start
//! (from the command's start) and wall time out, for `plan --timings`. Steps that run
//! concurrently overlap; the clock is the only thing shared.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One step's wall time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    pub name: String,
    /// From the start of the [`Timings`].
    pub start: Duration,
    pub took: Duration,
}

/// The steps measured so far (shared by concurrent steps).
#[derive(Debug)]
pub struct Timings {
    origin: Instant,
    phases: Mutex<Vec<Phase>>,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            origin: Instant::now(),
            phases: Mutex::new(Vec::new()),
        }
    }
}

impl Timings {
    /// Record `name` as running from `since` until now.
    pub fn record(&self, name: &str, since: Instant) {
        let phase = Phase {
            name: name.to_string(),
            start: since.saturating_duration_since(self.origin),
            took: since.elapsed(),
        };
        if let Ok(mut p) = self.phases.lock() {
            p.push(phase);
        }
    }

    /// Run `f`, recording its wall time as `name`.
    pub async fn time<F: Future>(&self, name: &str, f: F) -> F::Output {
        let since = Instant::now();
        let out = f.await;
        self.record(name, since);
        out
    }

    /// Run `f` (not async), recording its wall time as `name`.
    pub fn time_sync<T>(&self, name: &str, f: impl FnOnce() -> T) -> T {
        let since = Instant::now();
        let out = f();
        self.record(name, since);
        out
    }

    /// The steps in the order they started, then a `total` from the origin until now.
    pub fn phases(&self) -> Vec<Phase> {
        let mut out = self.phases.lock().map(|p| p.clone()).unwrap_or_default();
        out.sort_by_key(|p| p.start);
        out.push(Phase {
            name: "total".into(),
            start: Duration::ZERO,
            took: self.origin.elapsed(),
        });
        out
    }
}

/// `timing: NAME  START ms  TOOK ms` lines, names padded to one width.
pub fn lines(phases: &[Phase]) -> Vec<String> {
    let width = phases.iter().map(|p| p.name.len()).max().unwrap_or(0);
    phases
        .iter()
        .map(|p| {
            format!(
                "timing: {:width$}  at {:>6} ms  {:>6} ms",
                p.name,
                p.start.as_millis(),
                p.took.as_millis()
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_ordered_by_start_and_end_with_the_total() {
        let t = Timings::default();
        let early = Instant::now();
        t.time_sync("second", || std::thread::sleep(Duration::from_millis(2)));
        t.record("first", early);
        let names: Vec<String> = t.phases().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["first", "second", "total"]);
    }

    #[test]
    fn lines_align_the_names() {
        let p = |name: &str, ms| Phase {
            name: name.into(),
            start: Duration::from_millis(ms),
            took: Duration::from_millis(ms),
        };
        let l = lines(&[p("a", 1), p("long name", 20)]);
        assert_eq!(l[0], "timing: a          at      1 ms       1 ms");
        assert_eq!(l[1], "timing: long name  at     20 ms      20 ms");
    }
}
