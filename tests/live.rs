//! Live mode with a deliberately slow analysis: the compositor keeps to the source's rate and
//! memory stays flat. Alone in its file so the memory reading is its own.

mod common;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::video::*;
use drape::capture::Source;
use drape::compositing::{cpu::CpuCompositor, Compositor, Params, Stage};
use drape::pipeline::video::{run_live, SourceOpener, VideoOptions};

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap()
}

#[test]
fn slow_analysis_does_not_slow_the_compositor_and_memory_stays_flat() {
    let calls = Arc::new(Mutex::new(0));
    let open: SourceOpener = Box::new(|| Ok(Box::new(Numbered { n: 0, total: 150, rate: 30.0, size: (320, 240) }) as Box<dyn Source>));
    let analyser = SlowAnalyser { delay: Duration::from_millis(250), calls: calls.clone() };
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
            if n == 30 || n == 140 {
                rss.push(rss_kib());
            }
        },
    );
    assert!(report.error.is_none(), "{:?}", report.error);
    let s = &report.summary;
    let analysed = *calls.lock().unwrap();
    eprintln!("composited {}, analysed {analysed}, dropped {}, {:.1} s, rss {rss:?} KiB", s.composited, s.dropped, s.seconds);
    // 150 frames at 30 fps is 5 s: about 20 analyses of 250 ms fit, every frame is composited.
    assert!(s.composited + s.dropped >= 150 && s.composited >= 140, "composited {} of 150", s.composited);
    assert!(analysed <= 25, "analysis ran {analysed} times");
    assert!(s.composited >= 5 * analysed, "the compositor waits for analysis: {} vs {analysed}", s.composited);
    assert_eq!(rss.len(), 2);
    assert!(rss[1] < rss[0] + 20 * 1024, "memory grew from {} to {} KiB", rss[0], rss[1]);
}
