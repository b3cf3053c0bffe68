//! An analysis that fails is seen: headless live stops with the error (its recording is kept and
//! named partial), the mirror's session tells the user and tries again. The failing analyser is a
//! STAND-IN (`FailingAt` around a stand-in analysis); the binary's own run is in tests/cli.rs.

mod common;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::video::*;
use drape::capture::Source;
use drape::compositing::{cpu::CpuCompositor, Compositor, Params, Stage};
use drape::pipeline::live::{run_live, LiveSession, OnAnalysisError, FOLLOW_GAP_HEADLESS};
use drape::pipeline::video::{SourceOpener, VideoOptions};

fn numbered(total: u64) -> SourceOpener {
    Box::new(move || Ok(Box::new(Numbered { n: 0, total, rate: 30.0, size: (64, 48) }) as Box<dyn Source>))
}

fn slow() -> SlowAnalyser {
    SlowAnalyser { delay: Duration::from_millis(30), calls: Arc::new(Mutex::new(0)) }
}

#[test]
fn headless_live_stops_on_a_failed_analysis_and_names_it() {
    let frames = Arc::new(Mutex::new(Vec::new()));
    let sink = Box::new(Collect(frames.clone()));
    let mut stage = Stage::new(Compositor::Cpu(CpuCompositor::default()));
    let opts = VideoOptions { params: Params::default(), ..VideoOptions::default() };
    // 10 s of source: without the stop it would run to the end.
    let t = Instant::now();
    let report = run_live(numbered(300), Box::new(FailingAt::new(slow(), 3, 1)), &mut stage, vec![sink], Arc::new(AtomicBool::new(false)), &opts, |_, _, _| {});
    let error = report.error.map(|e| e.report()).unwrap_or_default();
    assert!(error.contains("analysis 3 fails on purpose"), "the run ends with the analysis' error: {error:?}");
    assert!(t.elapsed() < Duration::from_secs(5), "stopped at the failure, not at the end of the source: {:?}", t.elapsed());
    assert!(!report.interrupted);
    // What was composited before the failure still reached the sink, which was finished.
    assert!(!frames.lock().unwrap().is_empty());
    assert_eq!(report.outputs.len(), 1, "the sink was finalised");
}

#[test]
fn the_mirror_session_reports_a_failed_analysis_and_tries_again() {
    let stop = Arc::new(AtomicBool::new(false));
    let session = LiveSession::start(numbered(100_000), Box::new(FailingAt::new(slow(), 3, 2)), stop, 1, OnAnalysisError::Retry, FOLLOW_GAP_HEADLESS);
    let (mut notices, mut seqs) = (Vec::<String>::new(), Vec::new());
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(10) && !notices.iter().any(|n| n.contains("works again")) {
        std::thread::sleep(Duration::from_millis(20));
        notices.extend(session.notices());
        if let Some(a) = session.newest() {
            seqs.push(a.seq);
        }
    }
    let failed = notices.iter().position(|n| n.contains("analysis failed") && n.contains("fails on purpose"));
    let back = notices.iter().position(|n| n.contains("analysis works again"));
    assert!(failed.is_some() && back.is_some() && failed < back, "a notice when it fails, another when it works again: {notices:?}");
    // Analyses went on after the failures: newer frames than the last good one before them.
    std::thread::sleep(Duration::from_millis(300));
    let last = session.newest().map(|a| a.seq).unwrap_or(0);
    assert!(last > seqs.first().copied().unwrap_or(0) + 3, "analysis resumed: {seqs:?} then {last}");
    assert!(!session.analysis_ended(), "the analysis thread is still running");
    assert!(session.finish().is_none(), "a failure that was retried is not the session's error");
}
