//! Live mode with a deliberately slow analysis: the compositor goes on while it runs and memory
//! stays flat. Alone in its file so the memory reading is its own. The live rate itself is a
//! figure for `drape bench`, not an assertion here: on a shared two-core machine a stall drops
//! frames.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::video::*;
use drape::analysis::Analysis;
use drape::capture::Source;
use drape::compositing::{cpu::CpuCompositor, Compositor, Params, Stage};
use drape::error::Result;
use drape::frame::Frame;
use drape::pipeline::live::run_live;
use drape::pipeline::video::{SourceOpener, VideoOptions};
use drape::pipeline::FrameAnalyser;

/// Marks the time an analysis is running, so the test can count the frames composited meanwhile.
struct Busy {
    inner: SlowAnalyser,
    running: Arc<AtomicBool>,
}

impl FrameAnalyser for Busy {
    fn analyse(&mut self, frame: &Frame) -> Result<Analysis> {
        self.running.store(true, Ordering::SeqCst);
        let out = self.inner.analyse(frame);
        self.running.store(false, Ordering::SeqCst);
        out
    }
}

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap()
}

#[test]
fn slow_analysis_does_not_slow_the_compositor_and_memory_stays_flat() {
    let calls = Arc::new(Mutex::new(0));
    let open: SourceOpener = Box::new(|| Ok(Box::new(Numbered { n: 0, total: 150, rate: 30.0, size: (320, 240) }) as Box<dyn Source>));
    let running = Arc::new(AtomicBool::new(false));
    let analyser = Busy { inner: SlowAnalyser { delay: Duration::from_millis(250), calls: calls.clone() }, running: running.clone() };
    let meanwhile = AtomicU64::new(0);
    let mut stage = Stage::new(Compositor::Cpu(CpuCompositor::default()));
    let mut rss = Vec::new();
    let mut n = 0;
    let report = run_live(
        open,
        Box::new(analyser),
        &mut stage,
        Vec::new(),
        Arc::new(AtomicBool::new(false)),
        &VideoOptions { params: Params::default(), ..VideoOptions::default() },
        |_, _, _| {
            n += 1;
            if running.load(Ordering::SeqCst) {
                meanwhile.fetch_add(1, Ordering::Relaxed);
            }
            // At frame 30, and the last tenth frame from 100 on: a stall under load that drops
            // frames must not leave the memory check without its second reading.
            if n == 30 {
                rss.push(rss_kib());
            } else if n >= 100 && n % 10 == 0 {
                rss.truncate(1);
                rss.push(rss_kib());
            }
        },
    );
    assert!(report.error.is_none(), "{:?}", report.error);
    let s = &report.summary;
    let analysed = *calls.lock().unwrap();
    let meanwhile = meanwhile.into_inner();
    eprintln!("composited {} ({meanwhile} during an analysis), analysed {analysed}, dropped {}, {:.1} s, rss {rss:?} KiB", s.composited, s.dropped, s.seconds);
    // Every source frame is either composited or counted as dropped.
    assert!(s.composited + s.dropped >= 150, "composited {} and dropped {} of 150", s.composited, s.dropped);
    // One analysis at a time, each at least 250 ms: no queue of analyses behind the frames.
    assert!(analysed as f64 <= s.seconds / 0.25 + 1.0, "analysis ran {analysed} times in {:.1} s", s.seconds);
    // A compositor that waited for analysis would composite nothing while one runs and about one
    // frame per analysis; 250 ms of a 30 fps source is 7 frames.
    assert!(meanwhile >= 2 * analysed, "only {meanwhile} frames composited while an analysis ran ({analysed} analyses)");
    assert!(s.composited >= 3 * analysed, "the compositor waits for analysis: {} vs {analysed}", s.composited);
    assert_eq!(rss.len(), 2, "fewer than 100 of 150 frames composited");
    assert!(rss[1] < rss[0] + 20 * 1024, "memory grew from {} to {} KiB", rss[0], rss[1]);
}
