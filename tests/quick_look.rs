//! Live mode takes a quick first look at whoever has not been analysed yet (the session's first
//! frames, someone new after a cut): their garments show within a few frames, not a full
//! analysis (a second on two cores) later. Stand-ins throughout: a source of two flat shots and
//! an analyser whose full analysis takes 600 ms (500 of them in the first stage, as U^2-Net-p
//! does) and whose quick look is immediate, or 30 ms on a stand-in core that the first stage
//! holds while it runs (two real cores are shared alike: a saliency run beside the quick look
//! doubled its time).

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
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
use drape::pipeline::{FirstStage, FrameAnalyser, StopRun};

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

/// A STAND-IN first stage: 500 ms of "saliency model", on the stand-in core when there is one,
/// and stopped from another thread when it can be.
struct SlowFirst {
    core: Option<Arc<Mutex<()>>>,
    stop: Option<Arc<Flag>>,
}

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

impl FirstStage for SlowFirst {
    fn run(&mut self, _frame: &Frame) -> Result<Map> {
        let _core = self.core.as_ref().map(|c| c.lock().unwrap());
        let began = std::time::Instant::now();
        while began.elapsed() < Duration::from_millis(500) {
            if self.stop.as_ref().is_some_and(|s| s.0.load(Ordering::SeqCst)) {
                return Err(drape::error::Error::Inference { name: "stand-in first stage".into(), source: "stopped".into() });
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(Map::from_fn(8, 8, 1, |_, _, _| 1.0))
    }
    fn stopper(&mut self) -> Option<Arc<dyn StopRun>> {
        self.stop.clone().map(|s| s as Arc<dyn StopRun>)
    }
}

/// A STAND-IN analyser: the full analysis is [`SlowFirst`] then 100 ms; the quick look is
/// immediate; both find the stand-in garment and record which frames (grey levels) they saw.
struct QuickAndSlow {
    first: Option<SlowFirst>,
    garment: SlowAnalyser,
    quick: Option<Arc<Mutex<Vec<u8>>>>,
    /// The stand-in core the quick look needs for 30 ms, if any.
    core: Option<Arc<Mutex<()>>>,
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
    fn frames_apart(&mut self, frames: u64) {
        self.asked.lock().unwrap().push(format!("apart {frames}"));
    }
    fn take_first_stage(&mut self) -> Option<Box<dyn FirstStage>> {
        self.first.take().map(|f| Box::new(f) as Box<dyn FirstStage>)
    }
    fn analyse_quick(&mut self, frame: &Frame) -> Result<Option<Analysis>> {
        let Some(seen) = &self.quick else { return Ok(None) };
        seen.lock().unwrap().push(frame.get_pixel(0, 0).0[0]);
        self.asked.lock().unwrap().push(frame.get_pixel(0, 0).0[0].to_string());
        if let Some(core) = &self.core {
            let _core = core.lock().unwrap();
            std::thread::sleep(Duration::from_millis(30));
        }
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
    run_on(quick, None)
}

/// [`run`] with the first stage and the quick look on one stand-in core; `stoppable`: the first
/// stage can be stopped.
fn run_on_one_core(stoppable: bool) -> Run {
    run_on(true, Some(stoppable))
}

fn run_on(quick: bool, one_core: Option<bool>) -> Run {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let asked = Arc::new(Mutex::new(Vec::new()));
    let core = one_core.map(|_| Arc::new(Mutex::new(())));
    let analyser = QuickAndSlow {
        first: Some(SlowFirst { core: core.clone(), stop: one_core.filter(|&s| s).map(|_| Arc::new(Flag::default())) }),
        garment: SlowAnalyser { delay: Duration::from_millis(100), calls: Arc::new(Mutex::new(0)) },
        quick: quick.then(|| seen.clone()),
        core,
        asked: asked.clone(),
    };
    let shown = shown_live(Box::new(analyser));
    let seen = seen.lock().unwrap().clone();
    let asked = asked.lock().unwrap().clone();
    Run { shown, seen, asked }
}

/// `analyser` run live on the [`TwoShots`] source to its end, without an error: per source frame
/// shown (1-based, in order), the frame its garments were analysed from.
fn shown_live(analyser: Box<dyn FrameAnalyser>) -> Vec<(u64, Option<u64>)> {
    let open: SourceOpener = Box::new(|| Ok(Box::new(TwoShots { n: 0 }) as Box<dyn Source>));
    let mut stage = Stage::new(Compositor::Cpu(CpuCompositor::default()));
    let mut shown = Vec::new();
    let report = run_live(
        open,
        analyser,
        &mut stage,
        Vec::new(),
        Arc::new(AtomicBool::new(false)),
        &VideoOptions { params: Params::default(), ..VideoOptions::default() },
        |_, seq, made| shown.push((seq, made.analysed)),
    );
    assert!(report.error.is_none(), "{:?}", report.error);
    shown
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
        let asked: Vec<String> = asked.into_iter().filter(|a| !a.starts_with("apart")).collect();
        let first_new = asked.iter().position(|a| a == "210").expect("the new shot is analysed");
        let forgot = asked.iter().position(|a| a == "forget").expect("the analyser is told to forget at the cut");
        assert!(forgot < first_new, "forgotten only after the new shot was analysed: {asked:?}");
        assert!(asked[..forgot].iter().all(|a| a == "40"), "forgotten before the cut: {asked:?}");
        assert_eq!(asked.iter().filter(|a| *a == "forget").count(), 1, "{asked:?}");
    }
}

#[test]
fn the_quick_look_at_someone_new_does_not_wait_for_an_analysis_of_the_one_before() {
    // One stand-in core for the first stage and the quick look, as two real ones are shared: a
    // saliency run of the last shot's frame, in flight when the cut came, is stopped, and the
    // next one holds off until the new shot has had its look.
    let Run { shown, seen, .. } = run_on_one_core(true);
    let (start, after_cut) = (waited(&shown, 1), waited(&shown, CUT_AFTER + 1));
    eprintln!("one core, stoppable: {start} frames plain at the start, {after_cut} after the cut; looks at {seen:?}");
    // Waiting out a 500 ms run in flight is up to 15 frames at 30 fps.
    // The analysis thread may be in its 100 ms of full analysis when the cut comes.
    assert!(start <= 8, "{start} frames plain at the start");
    assert!(after_cut <= 8, "{after_cut} frames of the new shot plain before its first garment");
    assert!(shown.iter().all(|(seq, a)| *seq <= CUT_AFTER || a.is_none_or(|a| a > CUT_AFTER)), "{shown:?}");
}

#[test]
fn a_first_stage_that_cannot_be_stopped_still_lets_the_quick_look_go_first() {
    // Without a stopper the run in flight is waited out, but no new one starts before the look.
    let Run { shown, .. } = run_on_one_core(false);
    let (start, after_cut) = (waited(&shown, 1), waited(&shown, CUT_AFTER + 1));
    eprintln!("one core, not stoppable: {start} frames plain at the start, {after_cut} after the cut");
    assert!(start <= 8, "{start} frames plain at the start");
    // One 500 ms run in flight (15 frames), the look and the display: about 17; two runs 32.
    assert!(after_cut <= 22, "{after_cut} frames of the new shot plain: more than one run in flight was waited for");
}

#[test]
fn each_analysis_is_told_how_many_frames_after_the_last_it_is() {
    // What the analysis averages over time (the saliency, the garment evidence) weighs the last
    // analysis by its age: live mode analyses one frame in many, and averaging an analysis of a
    // second ago as if it were the frame before left a ghost of the last pose.
    let Run { asked, .. } = run(true);
    let mut apart: Vec<u64> = asked.iter().filter_map(|a| a.strip_prefix("apart ")?.parse().ok()).collect();
    eprintln!("frames apart: {apart:?}");
    assert!(apart.len() >= 3, "told before each analysis after the first: {asked:?}");
    apart.sort_unstable();
    // Full analyses of 600 ms at 30 fps: about 18 frames apart.
    assert!(apart[apart.len() / 2] >= 10, "{apart:?}");
}

/// A STAND-IN analyser in one piece (no first stage) on the stand-in core: its full analysis
/// takes 700 ms (back to back from the first look, the one in flight at the cut, 1.5 s in, has
/// about 0.6 s to go) and ends with an error once stopped from another thread, when `stop` is given;
/// its quick look takes 30 ms of the core.
struct SlowWhole {
    core: Arc<Mutex<()>>,
    stop: Option<Arc<Flag>>,
}

impl FrameAnalyser for SlowWhole {
    fn analyse(&mut self, frame: &Frame) -> Result<Analysis> {
        let _core = self.core.lock().unwrap();
        let began = std::time::Instant::now();
        while began.elapsed() < Duration::from_millis(700) {
            if self.stop.as_ref().is_some_and(|s| s.0.load(Ordering::SeqCst)) {
                return Err(drape::error::Error::Inference { name: "stand-in analysis".into(), source: "stopped".into() });
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        SlowAnalyser { delay: Duration::ZERO, calls: Arc::new(Mutex::new(0)) }.analyse(frame)
    }
    fn analyse_quick(&mut self, frame: &Frame) -> Result<Option<Analysis>> {
        let _core = self.core.lock().unwrap();
        std::thread::sleep(Duration::from_millis(30));
        SlowAnalyser { delay: Duration::ZERO, calls: Arc::new(Mutex::new(0)) }.analyse(frame).map(Some)
    }
    fn stopper(&mut self) -> Option<Arc<dyn StopRun>> {
        self.stop.clone().map(|s| s as Arc<dyn StopRun>)
    }
}

/// Frames of the new shot shown plain after the cut, with [`SlowWhole`] stoppable or not.
fn plain_after_cut_with_a_slow_whole_analysis(stoppable: bool) -> usize {
    let analyser = SlowWhole { core: Arc::new(Mutex::new(())), stop: stoppable.then(|| Arc::new(Flag::default())) };
    // A stopped analysis is no failure: the run ends without an error.
    let shown = shown_live(Box::new(analyser));
    assert!(shown.iter().all(|(seq, a)| *seq <= CUT_AFTER || a.is_none_or(|a| a > CUT_AFTER)), "{shown:?}");
    waited(&shown, CUT_AFTER + 1)
}

#[test]
fn an_analysis_of_someone_who_left_is_stopped_for_the_new_persons_quick_look() {
    // The joined clip: at each cut the analysis thread was still busy with a full analysis of the
    // person before (0.2-0.4 s on two cores), thrown away when done; the new person's quick look
    // waited for it. Now the run is stopped at the cut, as the first stage's is.
    let stopped = plain_after_cut_with_a_slow_whole_analysis(true);
    let waited_out = plain_after_cut_with_a_slow_whole_analysis(false);
    eprintln!("frames of the new shot plain: {stopped} with the analysis in flight stopped, {waited_out} with it waited out");
    // The look (30 ms) and the display: a frame or three; the run in flight waited out, about 18.
    assert!(waited_out >= 10, "the yardstick: a run was in flight at the cut ({waited_out} frames plain waiting it out)");
    assert!(stopped <= 6, "{stopped} frames of the new shot plain before its first garment");
}
