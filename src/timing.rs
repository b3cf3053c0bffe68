//! Per-stage timings: each model run and each stage records its milliseconds here, so a run can
//! report where a frame's time went.

use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A shared list of (what, milliseconds), drained once per frame.
#[derive(Debug, Clone, Default)]
pub struct Timings(Arc<Mutex<Vec<(String, f64)>>>);

impl Timings {
    pub fn record(&self, what: &str, ms: f64) {
        if let Ok(mut v) = self.0.lock() {
            v.push((what.to_string(), ms));
        }
    }

    /// Time `f` under `what`.
    pub fn time<T>(&self, what: &str, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let r = f();
        self.record(what, t.elapsed().as_secs_f64() * 1e3);
        r
    }

    /// Everything recorded since the last drain, summed per name in first-seen order.
    pub fn drain(&self) -> Vec<(String, f64)> {
        let Ok(mut v) = self.0.lock() else { return Vec::new() };
        let mut out: Vec<(String, f64)> = Vec::new();
        for (k, ms) in v.drain(..) {
            match out.iter_mut().find(|(n, _)| *n == k) {
                Some(e) => e.1 += ms,
                None => out.push((k, ms)),
            }
        }
        out
    }
}
