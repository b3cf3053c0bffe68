//! Video through threads, offline (file to file): throughput-first, bounded queues with
//! back-pressure, every frame in order, decode / analysis / composite / encode overlapping. The
//! frames and analyses both modes hand on; live mode is in [`super::live`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::bounded;

use super::shots::Shots;
use super::sinks::SinkThread;
use super::stats::{Second, Stats, Summary};
use super::{FrameAnalyser, LookChange};
use crate::analysis::{Analysis, Stylized};
use crate::capture::Source;
use crate::compositing::{is_scene_cut, Composited, Fresh, Params, Stage};
use crate::error::{Error, Result};
use crate::frame::{Frame, Map};
use crate::output::sink::{Finished, Sink};

/// Opens the source inside the capture thread (cameras belong to the thread that opened them),
/// and again after a camera is lost.
pub type SourceOpener = Box<dyn FnMut() -> Result<Box<dyn Source>> + Send>;

/// A captured frame: its number, when it was captured, the pixels.
#[derive(Clone)]
pub struct Captured {
    pub seq: u64,
    pub at: Instant,
    pub frame: Arc<Frame>,
    /// The first frame of the shot this frame is in: a cut, told from consecutive frames as they
    /// are captured, starts a new one (a looped file's restart does not).
    pub shot: u64,
}

/// An analysis, the frame it was made from, and whether it starts a new scene.
#[derive(Clone)]
pub struct Analysed {
    /// The frame whose pixels placed the garments: the analysed frame, or the later frame the
    /// follower carried the analysis to.
    pub seq: u64,
    /// When that frame was captured.
    pub placed_at: Instant,
    pub analysis: Arc<Analysis>,
    pub cut: bool,
    /// The frame whose pixels placed the garments, for the restyler.
    pub frame: Arc<Frame>,
    /// The frame the full analysis behind it was made from: `seq` itself, or the frame of the
    /// analysis the follower carried.
    pub analysed: u64,
}

impl Analysed {
    /// As the compositing stage takes it.
    pub fn fresh(&self) -> Fresh<'_> {
        Fresh { id: self.seq, analysis: &self.analysis, cut: self.cut, texture: None, carried: false }
    }
}

/// A texture the restyler made, and the frame whose garments it restyled.
#[derive(Clone)]
pub struct Painted {
    pub seq: u64,
    pub texture: Arc<Stylized>,
}

#[derive(Debug, Clone)]
pub struct VideoOptions {
    /// Analyse every Nth frame (1 = every frame); the frames between reuse the last analysis.
    pub analyse_every: u32,
    /// Compositor parameters; smoothing and reset are managed per frame.
    pub params: Params,
    /// Called with each second's figures (`--stats` prints them); the library prints nothing.
    pub each_second: Option<fn(&Second)>,
    /// Show a progress bar (offline), where the total is known and stderr is a terminal.
    pub progress: bool,
    /// Stop after this many composited frames.
    pub max_frames: Option<u64>,
    /// Live: write to the sinks on the source's clock at this rate, repeating a frame where
    /// compositing fell behind, so that a recording keeps real time (as the window's does).
    pub record_rate: Option<f64>,
    /// Offline: run the analysis' first stage (the saliency model) a frame ahead on a thread of
    /// its own, where the analyser has one.
    pub first_stage_ahead: bool,
    /// Live: change the look once, as the window's controls do, when this many frames are out
    /// (`drape bench` times how long the new style takes to show).
    pub change_at: Option<(u64, LookChange)>,
}

impl Default for VideoOptions {
    fn default() -> Self {
        VideoOptions {
            analyse_every: 1,
            params: Params::default(),
            each_second: None,
            progress: false,
            max_frames: None,
            record_rate: None,
            first_stage_ahead: true,
            change_at: None,
        }
    }
}

/// How a run ended.
#[derive(Debug)]
pub struct VideoReport {
    pub summary: Summary,
    pub outputs: Vec<Finished>,
    /// The first error, if any (the outputs are still finalised).
    pub error: Option<Error>,
    pub interrupted: bool,
}

/// A frame for the analysis, with its first stage's output where that ran ahead.
pub(super) type ToAnalyse = (Captured, Option<Map>);

/// A pipeline thread; its error, if any, when joined.
pub(super) type Worker = std::thread::JoinHandle<Result<()>>;

pub(super) fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// One analysis (the rest of it, where its first stage ran ahead), with its own and its models'
/// timings recorded.
pub(super) fn analyse_timed(analyser: &mut dyn FrameAnalyser, frame: &Frame, first: Option<Map>, stats: &Stats) -> Result<Analysis> {
    let t = Instant::now();
    let a = match first {
        Some(m) => analyser.analyse_after(frame, m)?,
        None => analyser.analyse(frame)?,
    };
    stats.stage("analysis", ms_since(t));
    for (k, ms) in analyser.drain_timings() {
        stats.stage(&k, ms);
    }
    stats.analysed();
    Ok(a)
}

/// Offline: every frame in order.
pub fn run_offline(
    mut open: SourceOpener,
    mut analyser: Box<dyn FrameAnalyser>,
    stage: &mut Stage,
    sinks: Vec<Box<dyn Sink>>,
    stop: Arc<AtomicBool>,
    total: Option<u64>,
    opts: &VideoOptions,
) -> VideoReport {
    let started = Instant::now();
    let stats = Stats::default();
    let (frames_tx, frames_rx) = bounded::<Captured>(4);
    let (analysed_tx, analysed_rx) = bounded::<(Captured, Analysed)>(4);

    let decode = {
        let (stop, stats) = (stop.clone(), stats.clone());
        std::thread::spawn(move || -> Result<()> {
            let mut source = open()?;
            let mut seq = 0;
            let mut shots = Shots::default();
            while !stop.load(Ordering::SeqCst) {
                let t = Instant::now();
                let Some(frame) = source.next_frame()? else { return Ok(()) };
                stats.stage("decode", ms_since(t));
                seq += 1;
                if frames_tx.send(Captured { seq, at: Instant::now(), shot: shots.see(seq, source.restarts(), &frame), frame: Arc::new(frame) }).is_err() {
                    break;
                }
            }
            Ok(())
        })
    };
    let every = opts.analyse_every.max(1) as u64;
    let due = move |seq: u64| (seq - 1).is_multiple_of(every);
    // The first model (U^2-Net-p, about half the analysis) runs a frame ahead on a thread of its
    // own, so both cores work: frame N's saliency beside frame N-1's parts and style.
    let first = if opts.first_stage_ahead { analyser.take_first_stage() } else { None };
    let (ahead, to_analyse): (Option<Worker>, Box<dyn Iterator<Item = ToAnalyse> + Send>) = match first {
        None => (None, Box::new(frames_rx.into_iter().map(|c| (c, None)))),
        Some(mut first) => {
            let (tx, rx) = bounded::<ToAnalyse>(2);
            let stats = stats.clone();
            let handle = std::thread::spawn(move || -> Result<()> {
                for c in frames_rx.iter() {
                    let map = if due(c.seq) {
                        let t = Instant::now();
                        let m = first.run(&c.frame)?;
                        stats.stage("analysis ahead", ms_since(t));
                        Some(m)
                    } else {
                        None
                    };
                    if tx.send((c, map)).is_err() {
                        break;
                    }
                }
                Ok(())
            });
            (Some(handle), Box::new(rx.into_iter()))
        }
    };
    let analysis = {
        let stats = stats.clone();
        std::thread::spawn(move || -> Result<()> {
            let mut last: Option<Analysed> = None;
            analyser.frames_apart(every);
            for (c, first) in to_analyse {
                let due = last.is_none() || due(c.seq);
                if due {
                    let a = analyse_timed(analyser.as_mut(), &c.frame, first, &stats)?;
                    let cut = last.as_ref().is_some_and(|l| is_scene_cut(&l.analysis.saliency, &a.saliency));
                    last = Some(Analysed { seq: c.seq, placed_at: c.at, analysis: Arc::new(a), cut, frame: c.frame.clone(), analysed: c.seq });
                }
                let Some(l) = last.clone() else { continue };
                let fresh = Analysed { cut: due && l.cut, ..l };
                if analysed_tx.send((c, fresh)).is_err() {
                    break;
                }
            }
            Ok(())
        })
    };
    let mut out = SinkThread::spawn(sinks, 4, Some(stats.clone()));

    let bar = progress_bar(opts.progress, total);
    let mut error = None;
    let mut n = 0u64;
    stage.restart();
    for (c, a) in analysed_rx.iter() {
        let t = Instant::now();
        match stage.composite(&c.frame, Some(a.fresh()), &opts.params, true).and_then(Composited::into_pixels) {
            Ok(px) => {
                stats.stage("composite", ms_since(t));
                stats.composited(c.at.elapsed());
                if !out.push(px) {
                    break;
                }
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
        n += 1;
        if let Some(b) = &bar {
            b.inc(1);
        }
        stats.tick_telling(opts.each_second);
        if opts.max_frames.is_some_and(|m| n >= m) {
            break;
        }
    }
    drop(analysed_rx);
    // Pipeline order: a decode error explains everything after it.
    let decoded = decode.join().unwrap_or(Err(Error::Panicked { thread: "decode" }));
    let ahead = ahead.map_or(Ok(()), |h| h.join().unwrap_or(Err(Error::Panicked { thread: "analysis ahead" })));
    let analysed = analysis.join().unwrap_or(Err(Error::Panicked { thread: "analysis" }));
    let interrupted = stop.load(Ordering::SeqCst);
    let first = decoded.err().or(ahead.err()).or(analysed.err()).or(error);
    let whole = first.is_none() && !interrupted && (opts.max_frames.is_none() || total.is_none_or(|t| n >= t));
    // Only now may the encoder finish: whether the output is whole is known.
    let (outputs, sink_error) = out.finish(whole);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    VideoReport { summary: stats.summary(started.elapsed().as_secs_f64()), outputs, error: first.or(sink_error), interrupted }
}

fn progress_bar(show: bool, total: Option<u64>) -> Option<indicatif::ProgressBar> {
    if !show {
        return None;
    }
    let bar = match total {
        Some(t) => indicatif::ProgressBar::new(t),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let style = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} frames  {per_sec}  ETA {eta}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}
