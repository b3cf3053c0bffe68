//! The output stage on a thread of its own, so that encoding never stalls compositing: offline
//! video, headless live and the window's recordings all write through a [`SinkThread`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Sender};

use super::stats::Stats;
use crate::error::Error;
use crate::frame::Frame;
use crate::output::sink::{Finished, Sink};

/// Writing on the source's clock: when frames come slower than the source's rate, a frame is
/// written as many times as are due, so that a recording keeps its real length and speed.
struct Pacing {
    fps: f64,
    written: u64,
    /// The clock starts at the first frame: the seconds before it (models loading) are no part
    /// of the recording.
    start: Option<Instant>,
}

pub struct SinkThread {
    /// Frames, with the slots of the rate each covers and, on a clock, its time.
    tx: Sender<(Arc<Frame>, u64, Option<Duration>)>,
    handle: std::thread::JoinHandle<(Vec<Finished>, Option<Error>)>,
    /// Read by the thread when its input ends: whether the output is whole.
    complete: Arc<AtomicBool>,
    /// Set by the thread when a write failed; it drains what follows.
    failed: Arc<AtomicBool>,
    pacing: Option<Pacing>,
    started: Instant,
    /// The newest frame, on a clock: it is shown until the recording stops.
    last: Option<Arc<Frame>>,
}

impl SinkThread {
    /// Start writing to `sinks`; `depth` frames may wait (a full queue holds the caller back,
    /// which is offline's back-pressure). Each write's time goes to `stats` as "encode".
    pub fn spawn(mut sinks: Vec<Box<dyn Sink>>, depth: usize, stats: Option<Stats>) -> SinkThread {
        let (tx, rx) = bounded::<(Arc<Frame>, u64, Option<Duration>)>(depth.max(1));
        let complete = Arc::new(AtomicBool::new(false));
        let failed = Arc::new(AtomicBool::new(false));
        let handle = {
            let (complete, failed) = (complete.clone(), failed.clone());
            std::thread::spawn(move || {
                let mut error = None;
                for (frame, times, at) in rx.iter() {
                    let t = Instant::now();
                    let written = sinks.iter_mut().find_map(|s| match at {
                        // On a clock: each sink writes the frame's slots its own way (a video
                        // file once, with the time).
                        Some(at) => s.write_at(&frame, at, times).err(),
                        None => (0..times).find_map(|_| s.write(&frame).err()),
                    });
                    if let Some(e) = written {
                        error = Some(e);
                        failed.store(true, Ordering::SeqCst);
                        break;
                    }
                    if let Some(s) = &stats {
                        s.stage("encode", t.elapsed().as_secs_f64() * 1e3);
                    }
                }
                // Drain, so that the compositor is never blocked on a dead encoder.
                for _ in rx.iter() {}
                // A reader of stdout that went away (`| head`) ends the run as a stop does: a
                // recording made beside it is whole.
                let complete = complete.load(Ordering::SeqCst) && error.as_ref().is_none_or(|e| matches!(e, Error::ReaderGone));
                let mut finished = Vec::new();
                for s in sinks {
                    match s.finish(complete) {
                        Ok(f) => finished.push(f),
                        Err(e) => error = error.or(Some(e)),
                    }
                }
                (finished, error)
            })
        };
        SinkThread { tx, handle, complete, failed, pacing: None, started: Instant::now(), last: None }
    }

    /// A recording of a live source at `fps`: frames are repeated to keep the source's clock.
    pub fn on_source_clock(mut self, fps: f64) -> SinkThread {
        self.pacing = Some(Pacing { fps: fps.max(1.0), written: 0, start: None });
        self
    }

    /// How long it has been writing.
    pub fn seconds(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    /// Write `frame` (on the source clock: as many times as are due, none when ahead of it).
    /// False once a write has failed: the error comes from [`SinkThread::finish`].
    pub fn push(&mut self, frame: Arc<Frame>) -> bool {
        if self.failed.load(Ordering::SeqCst) {
            return false;
        }
        let (times, at) = match &mut self.pacing {
            None => (1, None),
            Some(p) => {
                let at = p.start.get_or_insert_with(Instant::now).elapsed();
                let due = (at.as_secs_f64() * p.fps) as u64 + 1;
                let times = due.saturating_sub(p.written);
                p.written += times;
                self.last = Some(frame.clone());
                (times, Some(at))
            }
        };
        times == 0 || self.tx.send((frame, times, at)).is_ok()
    }

    /// End the input and finalise every sink: whole when `complete` and nothing failed, else
    /// kept as a partial output. Returns what each left behind and the first error.
    /// On a clock, the take ends now: the newest frame is shown up to this moment. Called as
    /// the frames stop, before the rest of the run winds down (models finishing a run would
    /// otherwise lengthen the take with a still frame); [`SinkThread::finish`] calls it too.
    pub fn end_take(&mut self) {
        if let Some(last) = self.last.take() {
            self.push(last);
        }
    }

    pub fn finish(mut self, complete: bool) -> (Vec<Finished>, Option<Error>) {
        self.end_take();
        self.complete.store(complete, Ordering::SeqCst);
        drop(self.tx);
        self.handle.join().unwrap_or((Vec::new(), Some(Error::Panicked { thread: "encoder" })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Result;
    use std::sync::Mutex;

    /// Counts what it is given; fails on the `fail_at`th write.
    struct Counting {
        written: Arc<Mutex<u64>>,
        fail_at: Option<u64>,
    }

    impl Sink for Counting {
        fn write(&mut self, _frame: &Frame) -> Result<()> {
            let mut n = self.written.lock().map_err(|_| Error::Usage("poisoned".into()))?;
            *n += 1;
            match self.fail_at {
                Some(k) if *n >= k => Err(Error::Usage("disk full".into())),
                _ => Ok(()),
            }
        }
        fn finish(self: Box<Self>, complete: bool) -> Result<Finished> {
            Ok(Finished { path: None, what: if complete { "whole".into() } else { "partial".into() }, frames: 0 })
        }
    }

    fn frame() -> Arc<Frame> {
        Arc::new(Frame::new(2, 2))
    }

    #[test]
    fn on_the_source_clock_a_slow_display_repeats_frames() {
        let written = Arc::new(Mutex::new(0));
        let mut t = SinkThread::spawn(vec![Box::new(Counting { written: written.clone(), fail_at: None })], 8, None).on_source_clock(100.0);
        // Two frames 50 ms apart at 100 fps: the second is written about five times.
        assert!(t.push(frame()));
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(t.push(frame()));
        let (finished, error) = t.finish(true);
        assert!(error.is_none());
        assert_eq!(finished[0].what, "whole");
        let n = *written.lock().unwrap();
        assert!(n >= 5, "{n} frames written for 50 ms at 100 fps");
    }

    #[test]
    fn the_source_clock_starts_at_the_first_frame() {
        let written = Arc::new(Mutex::new(0));
        let mut t = SinkThread::spawn(vec![Box::new(Counting { written: written.clone(), fail_at: None })], 8, None).on_source_clock(100.0);
        // The models take a while to load before the first frame comes.
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(t.push(frame()));
        let (_, error) = t.finish(true);
        assert!(error.is_none());
        let n = *written.lock().unwrap();
        assert!(n <= 2, "the first frame was written {n} times for the time before it");
    }

    #[test]
    fn a_failed_write_is_told_and_the_output_kept_as_partial() {
        let written = Arc::new(Mutex::new(0));
        let mut t = SinkThread::spawn(vec![Box::new(Counting { written: written.clone(), fail_at: Some(2) })], 1, None);
        let mut accepted = 0;
        for _ in 0..50 {
            if !t.push(frame()) {
                break;
            }
            accepted += 1;
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        assert!(accepted < 50, "push kept accepting frames after the write failed");
        let (finished, error) = t.finish(true);
        assert_eq!(error.map(|e| e.to_string()).as_deref(), Some(Error::Usage("disk full".into()).to_string().as_str()));
        assert_eq!(finished[0].what, "partial");
    }

    struct Panicking;

    impl Sink for Panicking {
        fn write(&mut self, _frame: &Frame) -> Result<()> {
            panic!("a sink with a bug");
        }
        fn finish(self: Box<Self>, _complete: bool) -> Result<Finished> {
            unreachable!()
        }
    }

    #[test]
    fn a_sink_that_panics_is_reported_as_a_bug_not_a_usage_error() {
        let mut t = SinkThread::spawn(vec![Box::new(Panicking)], 1, None);
        t.push(frame());
        let (_, error) = t.finish(true);
        assert!(matches!(error, Some(Error::Panicked { thread: "encoder" })), "{error:?}");
    }
}
