//! When the person in view last changed, shared by live mode's threads, and what that change
//! makes of the work in flight: an analysis of a frame from before it is of someone who left, and
//! the new person's quick first look comes before anything else.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::pipeline::StopRun;

#[derive(Default)]
pub(super) struct PersonChange {
    /// The frame from which the person in view is no longer the one before (a cut, someone else,
    /// no one); 0 for the session's start.
    at: AtomicU64,
    /// One more than the change the quick look was last taken for (0: none yet).
    looked: AtomicU64,
    /// The analyser has no quick look: nothing waits for one.
    no_quick: AtomicBool,
    /// For each [`Run`], what stops its run and the frame it is running on (0: none): one
    /// lock each, so that a stop meant for one run never lands on the next.
    runs: [Mutex<Slot>; 2],
}

/// The two runs of live mode's analysis: the first stage (the saliency model, a frame ahead, on a
/// thread of its own) and the rest of the analysis, or the quick look.
#[derive(Debug, Clone, Copy)]
pub(super) enum Run {
    First = 0,
    Rest = 1,
}

#[derive(Default)]
struct Slot {
    stopper: Option<Arc<dyn StopRun>>,
    in_flight: u64,
    /// Whether the run in flight was stopped: its error is no failure.
    stopped: bool,
}

impl PersonChange {
    pub(super) fn at(&self) -> u64 {
        self.at.load(Ordering::SeqCst)
    }

    /// The person in view is someone else from frame `at` on. A run of either stage on an
    /// earlier frame is stopped: its analysis would not be taken, and on two cores it holds the
    /// core that the new person's quick look needs (the joined clip waited 0.4-0.5 s after each
    /// cut for the first stage, and up to 0.4 s more for the rest of an analysis of the person
    /// before).
    pub(super) fn mark(&self, at: u64) {
        self.at.fetch_max(at, Ordering::SeqCst);
        for (k, run) in self.runs.iter().enumerate() {
            if let Ok(mut run) = run.lock() {
                if let Some(s) = run.stopper.clone().filter(|_| run.in_flight != 0 && run.in_flight < at) {
                    tracing::trace!(seq = run.in_flight, at, stage = k, "analysis run stopped: the person in view changed");
                    s.stop();
                    run.stopped = true;
                }
            }
        }
    }

    /// A quick look was taken (or is not needed: a full analysis came first) for the change at `at`.
    pub(super) fn looked(&self, at: u64) {
        self.looked.fetch_max(at + 1, Ordering::SeqCst);
    }

    pub(super) fn without_quick_looks(&self) {
        self.no_quick.store(true, Ordering::SeqCst);
    }

    /// Whether the person in view waits for a quick look: the first stage holds off meanwhile.
    pub(super) fn quick_pending(&self) -> bool {
        !self.no_quick.load(Ordering::SeqCst) && self.looked.load(Ordering::SeqCst) <= self.at()
    }

    pub(super) fn set_stopper(&self, which: Run, s: Option<Arc<dyn StopRun>>) {
        if let Ok(mut run) = self.runs[which as usize].lock() {
            run.stopper = s;
        }
    }

    /// `stage` starts a run on frame `seq`: false if that frame is already from before the
    /// latest change (not worth running). The stop is cleared first, so that a change marked
    /// after this check stops the run.
    pub(super) fn start_run(&self, which: Run, seq: u64) -> bool {
        if let Ok(mut run) = self.runs[which as usize].lock() {
            run.in_flight = seq;
            run.stopped = false;
            if let Some(s) = &run.stopper {
                s.clear();
            }
        }
        if seq < self.at() {
            self.end_run(which);
            return false;
        }
        true
    }

    /// The run of `which` ended: whether it was stopped (its error, if any, is no failure). The
    /// stop is cleared here too: the analyser's other model runs between two analyses (a new
    /// style image's style vector) must not fail on a stop meant for the run that ended.
    pub(super) fn end_run(&self, which: Run) -> bool {
        let Ok(mut run) = self.runs[which as usize].lock() else { return false };
        run.in_flight = 0;
        if let Some(s) = &run.stopper {
            s.clear();
        }
        std::mem::take(&mut run.stopped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Flag(AtomicBool);
    impl StopRun for Flag {
        fn stop(&self) {
            self.0.store(true, Ordering::SeqCst)
        }
        fn clear(&self) {
            self.0.store(false, Ordering::SeqCst)
        }
    }

    #[test]
    fn a_run_on_a_frame_before_the_change_is_stopped_and_a_later_one_is_not() {
        let p = PersonChange::default();
        let flag = Arc::new(Flag::default());
        p.set_stopper(Run::First, Some(flag.clone()));
        assert!(p.start_run(Run::First, 10));
        p.mark(5);
        assert!(!flag.0.load(Ordering::SeqCst), "frame 10 is the person from frame 5 on");
        p.mark(12);
        assert!(flag.0.load(Ordering::SeqCst), "frame 10 is before the change at 12");
        assert!(p.end_run(Run::First));
        assert!(!p.start_run(Run::First, 11), "frame 11 is not worth running after the change at 12");
        assert!(p.start_run(Run::First, 12));
        assert!(!flag.0.load(Ordering::SeqCst), "a new run clears the stop");
        assert_eq!(p.at(), 12);
    }

    #[test]
    fn the_rest_of_an_analysis_of_someone_who_left_is_stopped_too() {
        // The joined clip: at the cut the first stage ran on a frame after the last change, the
        // rest of the analysis on one from before it (a second's work on someone who left).
        let p = PersonChange::default();
        let (first, rest) = (Arc::new(Flag::default()), Arc::new(Flag::default()));
        p.set_stopper(Run::First, Some(first.clone()));
        p.set_stopper(Run::Rest, Some(rest.clone()));
        assert!(p.start_run(Run::First, 95));
        assert!(p.start_run(Run::Rest, 41));
        p.mark(91);
        assert!(rest.0.load(Ordering::SeqCst), "the rest of the analysis of frame 41 is of someone who left at 91");
        assert!(!first.0.load(Ordering::SeqCst), "frame 95 is the new person");
        assert!(p.end_run(Run::Rest), "the run ended stopped: its error is no failure");
        // Between runs the analyser runs models of its own (a new style image's style vector):
        // a stop meant for the run that ended must not fail them.
        assert!(!rest.0.load(Ordering::SeqCst), "the stop is cleared when its run ends");
        assert!(p.start_run(Run::Rest, 96), "the quick look at the new person runs");
        assert!(!rest.0.load(Ordering::SeqCst), "and is not stopped by the stop meant for frame 41");
        assert!(!p.end_run(Run::Rest), "a run not stopped ends as it ran");
    }

    #[test]
    fn a_quick_look_is_pending_from_each_change_until_taken() {
        let p = PersonChange::default();
        assert!(p.quick_pending(), "the session's start waits for one");
        p.looked(0);
        assert!(!p.quick_pending());
        p.mark(40);
        assert!(p.quick_pending(), "someone new from frame 40");
        p.looked(40);
        assert!(!p.quick_pending());
        p.mark(50);
        p.without_quick_looks();
        assert!(!p.quick_pending(), "nothing waits for a look that never comes");
    }
}
