//! Video through threads. Offline (file to file) is throughput-first: bounded queues with
//! back-pressure, every frame in order, decode / analysis / composite / encode overlapping.
//! Live is latency-first: one-slot latest-wins hand-offs, every source frame composited with the
//! newest analysis, analysis as often as it can.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError};

use super::slot::latest;
use super::stats::{Stats, Summary};
use super::FrameAnalyser;
use crate::analysis::Analysis;
use crate::capture::Source;
use crate::compositing::{reference::is_scene_cut, Compositor, Layers, Params};
use crate::error::{Error, Result};
use crate::frame::Frame;
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
}

/// An analysis, the frame it was made from, and whether it starts a new scene.
#[derive(Clone)]
pub struct Analysed {
    pub seq: u64,
    pub analysis: Arc<Analysis>,
    pub cut: bool,
}

#[derive(Debug, Clone)]
pub struct VideoOptions {
    /// Analyse every Nth frame (1 = every frame); the frames between reuse the last analysis.
    pub analyse_every: u32,
    /// Compositor parameters; smoothing and reset are managed per frame.
    pub params: Params,
    /// Print per-second stats to stderr.
    pub stats: bool,
    /// Show a progress bar (offline), where the total is known and stderr is a terminal.
    pub progress: bool,
    /// Stop after this many composited frames.
    pub max_frames: Option<u64>,
}

impl Default for VideoOptions {
    fn default() -> Self {
        VideoOptions { analyse_every: 1, params: Params::default(), stats: false, progress: false, max_frames: None }
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

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// The sinks on their own thread, fed in order; returns what each left behind.
fn spawn_sinks(mut sinks: Vec<Box<dyn Sink>>, rx: Receiver<Arc<Frame>>, stats: Stats, complete: Arc<AtomicBool>) -> std::thread::JoinHandle<(Vec<Finished>, Option<Error>)> {
    std::thread::spawn(move || {
        let mut error = None;
        for frame in rx.iter() {
            let t = Instant::now();
            if let Some(e) = sinks.iter_mut().find_map(|s| s.write(&frame).err()) {
                error = Some(e);
                break;
            }
            stats.stage("encode", ms_since(t));
        }
        // Drain so the compositor is never blocked on a dead encoder.
        for _ in rx.iter() {}
        let complete = complete.load(Ordering::SeqCst) && error.is_none();
        let mut finished = Vec::new();
        for s in sinks {
            match s.finish(complete) {
                Ok(f) => finished.push(f),
                Err(e) => error = error.or(Some(e)),
            }
        }
        (finished, error)
    })
}

/// Offline: every frame in order.
pub fn run_offline(
    mut open: SourceOpener,
    mut analyser: Box<dyn FrameAnalyser>,
    compositor: &mut Compositor,
    sinks: Vec<Box<dyn Sink>>,
    stop: Arc<AtomicBool>,
    total: Option<u64>,
    opts: &VideoOptions,
) -> VideoReport {
    let started = Instant::now();
    let stats = Stats::default();
    let complete = Arc::new(AtomicBool::new(false));
    let (frames_tx, frames_rx) = bounded::<Captured>(4);
    let (analysed_tx, analysed_rx) = bounded::<(Captured, Analysed)>(4);
    let (out_tx, out_rx) = bounded::<Arc<Frame>>(4);

    let decode = {
        let (stop, stats) = (stop.clone(), stats.clone());
        std::thread::spawn(move || -> Result<()> {
            let mut source = open()?;
            let mut seq = 0;
            while !stop.load(Ordering::SeqCst) {
                let t = Instant::now();
                let Some(frame) = source.next_frame()? else { return Ok(()) };
                stats.stage("decode", ms_since(t));
                seq += 1;
                if frames_tx.send(Captured { seq, at: Instant::now(), frame: Arc::new(frame) }).is_err() {
                    break;
                }
            }
            Ok(())
        })
    };
    let analysis = {
        let (stats, every) = (stats.clone(), opts.analyse_every.max(1) as u64);
        std::thread::spawn(move || -> Result<()> {
            let mut last: Option<Analysed> = None;
            for c in frames_rx.iter() {
                let due = last.is_none() || (c.seq - 1) % every == 0;
                if due {
                    let t = Instant::now();
                    let a = analyser.analyse(&c.frame)?;
                    stats.stage("analysis", ms_since(t));
                    for (k, ms) in analyser.drain_timings() {
                        stats.stage(&k, ms);
                    }
                    stats.analysed();
                    let cut = last.as_ref().is_some_and(|l| is_scene_cut(&l.analysis.saliency, &a.saliency));
                    last = Some(Analysed { seq: c.seq, analysis: Arc::new(a), cut });
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
    let encode = spawn_sinks(sinks, out_rx, stats.clone(), complete.clone());

    let bar = progress_bar(opts.progress, total);
    let mut error = None;
    let mut n = 0u64;
    for (c, a) in analysed_rx.iter() {
        let params = Params { reset: n == 0 || a.cut, ..opts.params };
        let t = Instant::now();
        match compositor.composite(&c.frame, &Layers::from(&*a.analysis), &params) {
            Ok(out) => {
                stats.stage("composite", ms_since(t));
                stats.composited(c.at.elapsed());
                if out_tx.send(Arc::new(out)).is_err() {
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
        if opts.stats {
            if let Some(line) = stats.tick() {
                eprintln!("drape: {line}");
            }
        }
        if opts.max_frames.is_some_and(|m| n >= m) {
            break;
        }
    }
    drop(analysed_rx);
    // Pipeline order: a decode error explains everything after it.
    let decoded = decode.join().unwrap_or_else(|_| Err(Error::Usage("the decode thread panicked".into())));
    let analysed = analysis.join().unwrap_or_else(|_| Err(Error::Usage("the analysis thread panicked".into())));
    let interrupted = stop.load(Ordering::SeqCst);
    let first = decoded.err().or(analysed.err()).or(error);
    let whole = first.is_none() && !interrupted && (opts.max_frames.is_none() || total.is_none_or(|t| n >= t));
    complete.store(whole, Ordering::SeqCst);
    // Only now may the encoder finish: it reads `complete` when its input ends.
    drop(out_tx);
    let (outputs, sink_error) = encode.join().unwrap_or_else(|_| (Vec::new(), Some(Error::Usage("the encoder thread panicked".into()))));
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

/// Live: every source frame composited with the newest analysis. `on_frame` sees each
/// composited frame on the compositor's thread (the window presents from there).
#[allow(clippy::too_many_arguments)]
pub fn run_live(
    mut open: SourceOpener,
    mut analyser: Box<dyn FrameAnalyser>,
    compositor: &mut Compositor,
    sinks: Vec<Box<dyn Sink>>,
    stop: Arc<AtomicBool>,
    opts: &VideoOptions,
    mut on_frame: impl FnMut(&Frame),
) -> VideoReport {
    let started = Instant::now();
    let stats = Stats::default();
    let complete = Arc::new(AtomicBool::new(true));
    let (to_comp, comp_rx) = latest::<Captured>();
    let (to_ana, ana_rx) = latest::<Captured>();
    let newest: Arc<Mutex<Option<Analysed>>> = Arc::new(Mutex::new(None));

    let capture = {
        let (stop, stats) = (stop.clone(), stats.clone());
        std::thread::spawn(move || -> Result<()> {
            let mut source = open()?;
            let mut seq = 0u64;
            let mut clock = Instant::now();
            let mut paced = 0u64;
            while !stop.load(Ordering::SeqCst) {
                // Files and stills play at their own rate; cameras pace themselves.
                if !source.is_live() {
                    if let Some(fps) = source.rate() {
                        let due = clock + Duration::from_secs_f64(paced as f64 / fps);
                        let now = Instant::now();
                        if due > now {
                            std::thread::sleep(due - now);
                        } else if now - due > Duration::from_secs(1) {
                            clock = now;
                            paced = 0;
                        }
                        paced += 1;
                    }
                }
                let t = Instant::now();
                let frame = match source.next_frame() {
                    Ok(Some(f)) => f,
                    Ok(None) => return Ok(()),
                    Err(e) if source.is_live() => {
                        // A lost camera is reported and reopened; the rest keeps running.
                        tracing::warn!("{e}; reopening");
                        drop(source);
                        source = loop {
                            if stop.load(Ordering::SeqCst) {
                                return Ok(());
                            }
                            std::thread::sleep(Duration::from_secs(1));
                            match open() {
                                Ok(s) => break s,
                                Err(e) => tracing::warn!("{e}; trying again"),
                            }
                        };
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                stats.stage("capture", ms_since(t));
                seq += 1;
                let c = Captured { seq, at: Instant::now(), frame: Arc::new(frame) };
                to_ana.publish(c.clone());
                if to_comp.publish(c) {
                    stats.dropped();
                }
            }
            Ok(())
        })
    };
    let analysis = {
        let (stop, stats, newest, every) = (stop.clone(), stats.clone(), newest.clone(), opts.analyse_every.max(1) as u64);
        std::thread::spawn(move || -> Result<()> {
            let mut last_seq = 0u64;
            let mut last_saliency = None;
            loop {
                let c = match ana_rx.recv_timeout(Duration::from_millis(100)) {
                    Ok(c) => c,
                    Err(RecvTimeoutError::Timeout) if !stop.load(Ordering::SeqCst) => continue,
                    Err(_) => return Ok(()),
                };
                if last_seq != 0 && c.seq < last_seq + every {
                    continue;
                }
                let t = Instant::now();
                let a = analyser.analyse(&c.frame)?;
                stats.stage("analysis", ms_since(t));
                for (k, ms) in analyser.drain_timings() {
                    stats.stage(&k, ms);
                }
                stats.analysed();
                let cut = last_saliency.as_ref().is_some_and(|s| is_scene_cut(s, &a.saliency));
                last_saliency = Some(a.saliency.clone());
                last_seq = c.seq;
                if let Ok(mut n) = newest.lock() {
                    *n = Some(Analysed { seq: c.seq, analysis: Arc::new(a), cut });
                }
            }
        })
    };
    let (out_tx, out_rx) = bounded::<Arc<Frame>>(8);
    let encode = spawn_sinks(sinks, out_rx, stats.clone(), complete.clone());

    let mut error = None;
    let mut n = 0u64;
    let mut used_seq = 0u64;
    loop {
        let c = match comp_rx.recv_timeout(Duration::from_millis(100)) {
            Ok(c) => c,
            Err(RecvTimeoutError::Timeout) if !stop.load(Ordering::SeqCst) => continue,
            Err(_) => break,
        };
        let current = newest.lock().ok().and_then(|g| g.clone());
        let t = Instant::now();
        let out = match &current {
            // Until the first analysis arrives the frame shows as it is.
            None => Ok((*c.frame).clone()),
            Some(a) => {
                let fresh = a.seq != used_seq;
                let params = Params { reset: used_seq == 0 || (fresh && a.cut), ..opts.params };
                used_seq = a.seq;
                compositor.composite(&c.frame, &Layers::from(&*a.analysis), &params)
            }
        };
        match out {
            Ok(out) => {
                stats.stage("composite", ms_since(t));
                stats.composited(c.at.elapsed());
                on_frame(&out);
                if out_tx.send(Arc::new(out)).is_err() {
                    break;
                }
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
        n += 1;
        if opts.stats {
            if let Some(line) = stats.tick() {
                eprintln!("drape: {line}");
            }
        }
        if opts.max_frames.is_some_and(|m| n >= m) || stop.load(Ordering::SeqCst) {
            break;
        }
    }
    let interrupted = stop.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    drop(comp_rx);
    let captured = capture.join().unwrap_or_else(|_| Err(Error::Usage("the capture thread panicked".into())));
    let analysed = analysis.join().unwrap_or_else(|_| Err(Error::Usage("the analysis thread panicked".into())));
    let first = captured.err().or(analysed.err()).or(error);
    // A live recording is whole when it stops on request; an error upstream leaves it partial.
    complete.store(first.is_none(), Ordering::SeqCst);
    drop(out_tx);
    let (outputs, sink_error) = encode.join().unwrap_or_else(|_| (Vec::new(), Some(Error::Usage("the encoder thread panicked".into()))));
    VideoReport { summary: stats.summary(started.elapsed().as_secs_f64()), outputs, error: first.or(sink_error), interrupted }
}
