//! Live mode takes a quick first look at whoever has not been analysed yet (the session's first
//! frames, someone new after a cut): their garments show within a few frames, not a full
//! analysis (a second on two cores) later. Stand-ins throughout: a source of two flat shots and
//! an analyser whose full analysis takes 600 ms (500 of them in the first stage, as U^2-Net-p
//! does) and whose quick look is immediate.

mod common;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::video::*;
use drape::analysis::Analysis;
use drape::capture::Source;
use drape::compositing::{cpu::CpuCompositor, Compositor, Params, Stage};
use drape::error::Result;
use drape::frame::{Frame, Map};
use drape::pipeline::live::run_live;
use drape::pipeline::video::{SourceOpener, VideoOptions};
use drape::pipeline::{FirstStage, FrameAnalyser};

/// The frame after which the STAND-IN source cuts to another shot.
const CUT_AFTER: u64 = 45;
const TOTAL: u64 = 100;

/// A STAND-IN source at 30 fps: dark grey up to [`CUT_AFTER`], light grey after it (a cut).
struct TwoShots {
    n: u64,
}

impl Source for TwoShots {
    fn describe(&self) -> String {
        "two shots stand-in".into()
    }
    fn rate(&self) -> Option<f64> {
        Some(30.0)
    }
    fn total_frames(&self) -> Option<u64> {
        Some(TOTAL)
    }
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        if self.n >= TOTAL {
            return Ok(None);
        }
        self.n += 1;
        let v = if self.n <= CUT_AFTER { 40 } else { 210 };
        Ok(Some(Frame::from_pixel(160, 120, image::Rgba([v, v, v, 255]))))
    }
}

/// A STAND-IN first stage: 500 ms of "saliency model".
struct SlowFirst;

impl FirstStage for SlowFirst {
    fn run(&mut self, _frame: &Frame) -> Result<Map> {
        std::thread::sleep(Duration::from_millis(500));
        Ok(Map::from_fn(8, 8, 1, |_, _, _| 1.0))
    }
}

/// A STAND-IN analyser: the full analysis is [`SlowFirst`] then 100 ms; the quick look is
/// immediate; both find the stand-in garment and record which frames (grey levels) they saw.
struct QuickAndSlow {
    first: Option<SlowFirst>,
    garment: SlowAnalyser,
    quick: Option<Arc<Mutex<Vec<u8>>>>,
    /// What the analyser was asked, in order: "forget", or the grey level of a frame analysed.
    asked: Arc<Mutex<Vec<String>>>,
}

impl FrameAnalyser for QuickAndSlow {
    fn analyse(&mut self, frame: &Frame) -> Result<Analysis> {
        self.asked.lock().unwrap().push(frame.get_pixel(0, 0).0[0].to_string());
        self.garment.analyse(frame)
    }
    fn analyse_after(&mut self, frame: &Frame, _first: Map) -> Result<Analysis> {
        self.analyse(frame)
    }
    fn forget(&mut self) {
        self.asked.lock().unwrap().push("forget".into());
    }
    fn take_first_stage(&mut self) -> Option<Box<dyn FirstStage>> {
        self.first.take().map(|f| Box::new(f) as Box<dyn FirstStage>)
    }
    fn analyse_quick(&mut self, frame: &Frame) -> Result<Option<Analysis>> {
        let Some(seen) = &self.quick else { return Ok(None) };
        seen.lock().unwrap().push(frame.get_pixel(0, 0).0[0]);
        self.asked.lock().unwrap().push(frame.get_pixel(0, 0).0[0].to_string());
        let mut immediate = SlowAnalyser { delay: Duration::ZERO, calls: Arc::new(Mutex::new(0)) };
        immediate.analyse(frame).map(Some)
    }
}

/// What a run showed and asked.
struct Run {
    /// Per source frame (1-based, in order shown): the frame its garments were analysed from.
    shown: Vec<(u64, Option<u64>)>,
    /// The grey levels the quick looks saw.
    seen: Vec<u8>,
    /// What the analyser was asked, in order.
    asked: Vec<String>,
}

fn run(quick: bool) -> Run {
    let open: SourceOpener = Box::new(|| Ok(Box::new(TwoShots { n: 0 }) as Box<dyn Source>));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let asked = Arc::new(Mutex::new(Vec::new()));
    let analyser = QuickAndSlow {
        first: Some(SlowFirst),
        garment: SlowAnalyser { delay: Duration::from_millis(100), calls: Arc::new(Mutex::new(0)) },
        quick: quick.then(|| seen.clone()),
        asked: asked.clone(),
    };
    let mut stage = Stage::new(Compositor::Cpu(CpuCompositor::default()));
    let mut shown = Vec::new();
    let report = run_live(
        open,
        Box::new(analyser),
        &mut stage,
        Vec::new(),
        Arc::new(AtomicBool::new(false)),
        &VideoOptions { params: Params::default(), ..VideoOptions::default() },
        |_, seq, made| shown.push((seq, made.analysed)),
    );
    assert!(report.error.is_none(), "{:?}", report.error);
    let seen = seen.lock().unwrap().clone();
    let asked = asked.lock().unwrap().clone();
    Run { shown, seen, asked }
}

/// Frames shown from `from` on (source numbers) before the first whose garments were analysed
/// from a frame at or after `from`.
fn waited(shown: &[(u64, Option<u64>)], from: u64) -> usize {
    shown.iter().filter(|(seq, _)| *seq >= from).take_while(|(_, a)| a.is_none_or(|a| a < from)).count()
}

#[test]
fn the_first_person_and_the_next_one_get_garments_within_a_few_frames() {
    let Run { shown, seen, .. } = run(true);
    let (start, after_cut) = (waited(&shown, 1), waited(&shown, CUT_AFTER + 1));
    eprintln!("with quick looks: {start} frames plain at the start, {after_cut} after the cut; quick looks at grey levels {seen:?}");
    // Without them (run(false)), a full analysis of 600 ms: about 18 frames plain at the start
    // and 18-36 after the cut (one in flight when it came may be of the shot before).
    assert!(start <= 8, "{start} frames shown plain before the first garment");
    assert!(after_cut <= 8, "{after_cut} frames of the new shot shown plain before its first garment");
    // One look per person, each at their own frames: the dark shot's, then the light one's.
    assert_eq!(seen.first(), Some(&40), "the first quick look is at the first shot ({seen:?})");
    assert!(seen.contains(&210), "a quick look at the new shot after the cut ({seen:?})");
    assert!(seen.len() <= 3, "quick looks only while nobody in view has been analysed ({seen:?})");
    // Nothing of the first shot is ever shown on the second.
    assert!(shown.iter().all(|(seq, a)| *seq <= CUT_AFTER || a.is_none_or(|a| a > CUT_AFTER)), "{shown:?}");
}

#[test]
fn without_a_quick_look_the_first_garment_waits_for_a_full_analysis() {
    // The yardstick for the test above: the same run with an analyser that has no quick look.
    let Run { shown, seen, .. } = run(false);
    let start = waited(&shown, 1);
    eprintln!("without quick looks: {start} frames plain at the start, {} after the cut", waited(&shown, CUT_AFTER + 1));
    assert!(seen.is_empty());
    assert!(start >= 12, "a 600 ms full analysis at 30 fps leaves about 18 frames plain ({start})");
}

#[test]
fn the_people_followed_are_forgotten_at_a_cut_before_the_new_shot_is_analysed() {
    // The garment rules hold a person the detector missed for an analysis or two; held over a
    // cut, the last person's garments were drawn on the next one.
    for quick in [true, false] {
        let Run { asked, .. } = run(quick);
        eprintln!("quick looks {quick}: asked {asked:?}");
        let first_new = asked.iter().position(|a| a == "210").expect("the new shot is analysed");
        let forgot = asked.iter().position(|a| a == "forget").expect("the analyser is told to forget at the cut");
        assert!(forgot < first_new, "forgotten only after the new shot was analysed: {asked:?}");
        assert!(asked[..forgot].iter().all(|a| a == "40"), "forgotten before the cut: {asked:?}");
        assert_eq!(asked.iter().filter(|a| *a == "forget").count(), 1, "{asked:?}");
    }
}
