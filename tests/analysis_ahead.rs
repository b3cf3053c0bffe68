//! Video runs the analysis' first stage (the saliency model) a frame ahead on a thread of its own:
//! both stages work at once and every analysis gets its own frame's first-stage output. Offline,
//! every frame is still analysed, in order, and the result is the one the analysis gives in one
//! piece; live, a failing first stage is told and retried like the rest of the analysis.

mod common;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::video::*;
use common::*;
use drape::analysis::models::style::{StyleOptions, StyleSpec};
use drape::analysis::parts::PartSet;
use drape::analysis::{Analyser, AnalyserConfig, Analysis};
use drape::capture::{video::VideoFile, Source};
use drape::compositing::{cpu::CpuCompositor, Compositor, Params, Stage, View};
use drape::error::{Error, Result};
use drape::frame::{Frame, Map};
use drape::output::sink::{Finished, Sink};
use drape::pipeline::live::{run_live, LiveSession, OnAnalysisError, FOLLOW_GAP_HEADLESS};
use drape::pipeline::video::{run_offline, SourceOpener, VideoOptions};
use drape::pipeline::{FirstStage, FrameAnalyser, StyledAnalyser};

type Spans = Arc<Mutex<Vec<(Instant, Instant)>>>;
/// (frame's grey level, the first stage's value given with it; None when analysed whole)
type Seen = Arc<Mutex<Vec<(u8, Option<u8>)>>>;

/// A STAND-IN first stage: 30 ms, then a 1x1 map holding the frame's grey level (its number).
/// Its runs numbered `fail.0` to `fail.0 + fail.1 - 1` fail.
struct Ahead {
    spans: Spans,
    fail: (usize, usize),
    calls: usize,
}

impl FirstStage for Ahead {
    fn run(&mut self, frame: &Frame) -> Result<Map> {
        let t = Instant::now();
        self.calls += 1;
        std::thread::sleep(Duration::from_millis(30));
        let v = frame.get_pixel(0, 0).0[0];
        self.spans.lock().unwrap().push((t, Instant::now()));
        if (self.fail.0..self.fail.0 + self.fail.1).contains(&self.calls) {
            return Err(Error::Inference { name: "stand-in first stage".into(), source: format!("fails on frame {v} on purpose").into() });
        }
        Ok(Map::from_fn(1, 1, 1, |_, _, _| v as f32))
    }
}

/// A STAND-IN two-stage analyser: the rest takes 30 ms and records which frame it was given the
/// first stage's output of.
struct TwoStage {
    ahead: Option<Ahead>,
    spans: Spans,
    seen: Seen,
}

impl TwoStage {
    fn rest(&mut self, frame: &Frame, first: Option<u8>) -> Result<Analysis> {
        let t = Instant::now();
        std::thread::sleep(Duration::from_millis(30));
        self.seen.lock().unwrap().push((frame.get_pixel(0, 0).0[0], first));
        self.spans.lock().unwrap().push((t, Instant::now()));
        Ok(Analysis::empty())
    }
}

impl FrameAnalyser for TwoStage {
    fn analyse(&mut self, frame: &Frame) -> Result<Analysis> {
        self.rest(frame, None)
    }
    fn take_first_stage(&mut self) -> Option<Box<dyn FirstStage>> {
        self.ahead.take().map(|a| Box::new(a) as Box<dyn FirstStage>)
    }
    fn analyse_after(&mut self, frame: &Frame, first: Map) -> Result<Analysis> {
        self.rest(frame, Some(first.get(0, 0, 0) as u8))
    }
}

struct Run {
    report: drape::pipeline::video::VideoReport,
    written: Vec<u8>,
    seen: Vec<(u8, Option<u8>)>,
    first_spans: Vec<(Instant, Instant)>,
    rest_spans: Vec<(Instant, Instant)>,
}

fn numbered(total: u64) -> SourceOpener {
    Box::new(move || Ok(Box::new(Numbered { n: 0, total, rate: 30.0, size: (16, 8) }) as Box<dyn Source>))
}

fn two_stage(fail: (usize, usize)) -> (TwoStage, Spans, Spans, Seen) {
    let (first_spans, rest_spans, seen) = (Spans::default(), Spans::default(), Seen::default());
    let analyser = TwoStage { ahead: Some(Ahead { spans: first_spans.clone(), fail, calls: 0 }), spans: rest_spans.clone(), seen: seen.clone() };
    (analyser, first_spans, rest_spans, seen)
}

fn run(total: u64, every: u32, ahead: bool, fail_at: Option<usize>) -> Run {
    let open = numbered(total);
    let (analyser, first_spans, rest_spans, seen) = two_stage(fail_at.map_or((0, 0), |n| (n, 1)));
    let collected = Arc::new(Mutex::new(Vec::new()));
    let mut stage = Stage::new(Compositor::Cpu(CpuCompositor::default()));
    let opts = VideoOptions { analyse_every: every, first_stage_ahead: ahead, ..VideoOptions::default() };
    let report =
        run_offline(open, Box::new(analyser), &mut stage, vec![Box::new(Collect(collected.clone()))], Arc::new(AtomicBool::new(false)), Some(total), &opts);
    let written = collected.lock().unwrap().clone();
    let seen = seen.lock().unwrap().clone();
    let (first_spans, rest_spans) = (first_spans.lock().unwrap().clone(), rest_spans.lock().unwrap().clone());
    Run { report, written, seen, first_spans, rest_spans }
}

/// How many of `rest` ran at the same time as some span of `first`.
fn overlapping(first: &[(Instant, Instant)], rest: &[(Instant, Instant)]) -> usize {
    rest.iter().filter(|(a, b)| first.iter().any(|(c, d)| c < b && a < d)).count()
}

#[test]
fn the_first_stage_runs_beside_the_rest_and_each_frame_gets_its_own() {
    let r = run(24, 1, true, None);
    assert!(r.report.error.is_none(), "{:?}", r.report.error);
    assert_eq!(r.written, (1..=24).collect::<Vec<u8>>(), "every frame written, in order");
    assert_eq!(r.seen, (1..=24).map(|v| (v, Some(v))).collect::<Vec<_>>(), "each frame analysed with its own first stage");
    let both = overlapping(&r.first_spans, &r.rest_spans);
    // One after the other, none would overlap; a frame ahead, nearly all do.
    assert!(both >= 12, "the first stage ran beside the rest for only {both} of 24 frames");

    // Switched off, the analysis runs in one piece: nothing at once.
    let whole = run(24, 1, false, None);
    assert!(whole.first_spans.is_empty());
    assert_eq!(whole.seen, (1..=24).map(|v| (v, None)).collect::<Vec<_>>());
}

#[test]
fn the_first_stage_runs_only_for_the_frames_analysed() {
    let r = run(20, 3, true, None);
    assert!(r.report.error.is_none(), "{:?}", r.report.error);
    assert_eq!(r.written, (1..=20).collect::<Vec<u8>>());
    let due: Vec<u8> = (1..=20).filter(|v| (v - 1) % 3 == 0).collect();
    assert_eq!(r.seen, due.iter().map(|&v| (v, Some(v))).collect::<Vec<_>>());
    assert_eq!(r.first_spans.len(), due.len(), "the saliency model ran on frames nobody analyses");
    assert_eq!(r.report.summary.analysed, due.len() as u64);
}

#[test]
fn a_failing_first_stage_ends_the_run_with_its_error_and_keeps_what_was_made() {
    let r = run(30, 1, true, Some(10));
    let e = r.report.error.as_ref().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("stand-in first stage"), "the run ends with the first stage's error: {e:?}");
    assert!(!r.written.is_empty() && r.written.len() < 10, "frames before the failure kept: {:?}", r.written);
    assert_eq!(r.written, (1..=r.written.len() as u8).collect::<Vec<u8>>());
    assert_eq!(r.report.outputs.len(), 1, "the sink was finalised");
}

#[test]
fn live_runs_the_first_stage_beside_the_rest_on_the_same_frame() {
    let (analyser, first_spans, rest_spans, seen) = two_stage((0, 0));
    let mut stage = Stage::new(Compositor::Cpu(CpuCompositor::default()));
    let report = run_live(numbered(90), Box::new(analyser), &mut stage, Vec::new(), Arc::new(AtomicBool::new(false)), &VideoOptions::default(), |_, _, _| {});
    assert!(report.error.is_none(), "{:?}", report.error);
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() >= 10, "only {} analyses in 3 s of 30 ms stages", seen.len());
    assert!(seen.iter().all(|(frame, first)| *first == Some(*frame)), "an analysis was given another frame's saliency: {seen:?}");
    let both = overlapping(&first_spans.lock().unwrap(), &rest_spans.lock().unwrap());
    assert!(both * 2 >= seen.len(), "the first stage ran beside the rest for only {both} of {} analyses", seen.len());
}

#[test]
fn live_tells_of_a_failing_first_stage_and_tries_again() {
    let (analyser, _, _, seen) = two_stage((3, 2));
    let session = LiveSession::start(numbered(100_000), Box::new(analyser), Arc::new(AtomicBool::new(false)), 1, OnAnalysisError::Retry, FOLLOW_GAP_HEADLESS);
    let mut notices = Vec::<String>::new();
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(10) && !notices.iter().any(|n| n.contains("works again")) {
        std::thread::sleep(Duration::from_millis(20));
        notices.extend(session.notices());
    }
    let failed = notices.iter().position(|n| n.contains("analysis failed") && n.contains("stand-in first stage"));
    let back = notices.iter().position(|n| n.contains("analysis works again"));
    assert!(failed.is_some() && back.is_some() && failed < back, "a notice when it fails, another when it works again: {notices:?}");
    let before = seen.lock().unwrap().len();
    std::thread::sleep(Duration::from_millis(300));
    assert!(seen.lock().unwrap().len() > before, "analysis went on after the failures");
    assert!(session.finish().is_none(), "a failure that was retried is not the session's error");
}

#[test]
fn headless_live_ends_on_a_failing_first_stage_and_names_it() {
    let (analyser, _, _, _) = two_stage((3, 1000));
    let mut stage = Stage::new(Compositor::Cpu(CpuCompositor::default()));
    let t = Instant::now();
    let report = run_live(numbered(300), Box::new(analyser), &mut stage, Vec::new(), Arc::new(AtomicBool::new(false)), &VideoOptions::default(), |_, _, _| {});
    let e = report.error.as_ref().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("stand-in first stage"), "the run ends with the first stage's error: {e:?}");
    assert!(t.elapsed() < Duration::from_secs(5), "stopped at the failure, not at the end of the 10 s source: {:?}", t.elapsed());
}

/// A sink that keeps every frame's pixels.
#[derive(Clone, Default)]
struct Pixels(Arc<Mutex<Vec<Vec<u8>>>>);

impl Sink for Pixels {
    fn write(&mut self, frame: &Frame) -> Result<()> {
        self.0.lock().unwrap().push(frame.as_raw().clone());
        Ok(())
    }
    fn finish(self: Box<Self>, _complete: bool) -> Result<Finished> {
        let frames = self.0.lock().unwrap().len() as u64;
        Ok(Finished { what: "frames in memory".into(), path: None, frames })
    }
}

/// The real models: with U^2-Net-p a frame ahead, each frame comes out as it does from the
/// analysis in one piece (the same models, in the same order, so the same pixels).
#[test]
fn real_models_give_the_same_frames_with_saliency_ahead() {
    let clip = testdata().join("clips").join("a1_webcam_upperbody_orange_hoodie_intel_asl.mp4");
    let mut outs = Vec::new();
    for ahead in [false, true] {
        let mut analyser = Analyser::open(runtime(), &model_dir(), AnalyserConfig::default()).unwrap();
        let style = analyser.load_style(&StyleSpec::Builtin(9)).unwrap();
        let styled = StyledAnalyser::new(analyser, style, PartSet::ALL, StyleOptions { strength: 1.0, preserve_colour: false });
        let p = clip.clone();
        let open: SourceOpener = Box::new(move || Ok(Box::new(VideoFile::open(&p, false)?) as Box<dyn Source>));
        let sink = Pixels::default();
        let mut stage = Stage::new(Compositor::Cpu(CpuCompositor::default()));
        let opts = VideoOptions {
            params: Params { view: View::Alpha, ..Params::default() },
            max_frames: Some(8),
            first_stage_ahead: ahead,
            ..VideoOptions::default()
        };
        let report = run_offline(open, Box::new(styled), &mut stage, vec![Box::new(sink.clone())], Arc::new(AtomicBool::new(false)), None, &opts);
        assert!(report.error.is_none(), "{:?}", report.error);
        outs.push(sink.0.lock().unwrap().clone());
    }
    assert_eq!(outs[0].len(), 8);
    assert_eq!(outs[1].len(), 8);
    for (i, (a, b)) in outs[0].iter().zip(&outs[1]).enumerate() {
        let differ = a.iter().zip(b).filter(|(x, y)| x.abs_diff(**y) > 1).count();
        assert!(differ * 1000 <= a.len(), "frame {}: {differ} of {} bytes differ", i + 1, a.len());
    }
}

#[test]
fn the_analysis_stops_when_told_and_runs_again_once_cleared() {
    // Live mode stops the analysis of someone who left (a cut) from another thread: every model
    // of the analysis (the garment models, the style's, the saliency until taken) answers a stop.
    let mut analyser = Analyser::open(runtime(), &model_dir(), AnalyserConfig::default()).unwrap();
    let style = analyser.load_style(&"builtin:9".parse::<StyleSpec>().unwrap()).unwrap();
    let mut styled = StyledAnalyser::new(analyser, style, PartSet::ALL, StyleOptions { strength: 1.0, preserve_colour: false });
    let stop = styled.stopper().expect("the real analysis can be stopped");
    let frame: Frame = image::open(photo("p3_portrait_suit_tfjs.jpg")).unwrap().to_rgba8();
    stop.stop();
    assert!(styled.analyse(&frame).is_err(), "a stopped analysis ends with an error");
    assert!(styled.analyse_quick(&frame).is_err(), "so does a quick look, until cleared");
    // With the saliency taken out (live mode runs it a frame ahead), the rest of the analysis
    // still stops: its own models hold the stop (the saliency's is cleared here).
    let mut first = styled.take_first_stage().expect("the saliency runs ahead");
    first.stopper().expect("the saliency can be stopped").clear();
    let stop = styled.stopper().expect("the rest can be stopped");
    stop.stop();
    assert!(styled.analyse_after(&frame, first.run(&frame).unwrap()).is_err(), "the rest of the analysis stops too");
    stop.clear();
    let a = styled.analyse_after(&frame, first.run(&frame).unwrap()).expect("cleared, it runs again");
    assert!(a.parts.data.iter().any(|&v| v > 0.5), "and finds the garments");
}
