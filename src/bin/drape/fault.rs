//! DRAPE_FAULT_ANALYSIS_AT: analyses that fail on purpose.

use std::sync::Arc;

use drape::analysis::follow::Follower;
use drape::analysis::restyle::Restyler;
use drape::analysis::Analysis;
use drape::error::{Error, Result};
use drape::frame::{Frame, Map};
use drape::pipeline::{FirstStage, FrameAnalyser, LookChange};

/// A fault on purpose, for seeing what a user sees when analysis fails (the tests run the
/// binary with it, on the real pipeline and window): from the `at`th analysis on, every one
/// fails. Put in only when DRAPE_FAULT_ANALYSIS_AT=N is set; the library knows nothing of it.
pub struct FailingFrom<A> {
    inner: A,
    at: u64,
    calls: u64,
}

impl<A: FrameAnalyser> FailingFrom<A> {
    pub fn new(inner: A, at: u64) -> FailingFrom<A> {
        FailingFrom { inner, at, calls: 0 }
    }

    fn next_call(&mut self) -> Result<()> {
        self.calls += 1;
        if self.calls >= self.at {
            return Err(Error::Inference {
                name: "stand-in fault".into(),
                source: format!("analysis {} fails on purpose (DRAPE_FAULT_ANALYSIS_AT)", self.calls).into(),
            });
        }
        Ok(())
    }
}

impl<A: FrameAnalyser> FrameAnalyser for FailingFrom<A> {
    fn analyse(&mut self, frame: &Frame) -> Result<Analysis> {
        self.next_call()?;
        self.inner.analyse(frame)
    }
    fn take_first_stage(&mut self) -> Option<Box<dyn FirstStage>> {
        self.inner.take_first_stage()
    }
    fn stopper(&mut self) -> Option<Arc<dyn drape::pipeline::StopRun>> {
        self.inner.stopper()
    }
    fn analyse_after(&mut self, frame: &Frame, first: Map) -> Result<Analysis> {
        self.next_call()?;
        self.inner.analyse_after(frame, first)
    }
    fn drain_timings(&mut self) -> Vec<(String, f64)> {
        self.inner.drain_timings()
    }
    fn apply(&mut self, change: &LookChange) -> Result<()> {
        self.inner.apply(change)
    }
    fn take_follower(&mut self) -> Option<Follower> {
        self.inner.take_follower()
    }
    fn take_restyler(&mut self) -> Option<Restyler> {
        self.inner.take_restyler()
    }
}
