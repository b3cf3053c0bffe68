//! Live video: latency-first, latest-wins hand-offs, every source frame composited with the
//! newest placement of the garments (after a wait, bounded, for the follower's step on that
//! frame), analysis as often as it can. [`LiveSession`] runs capture, the full
//! analysis, the follower and the restyler on threads of their own; [`composite_live`] is the
//! one live compositing loop (headless and the window).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{unbounded, Receiver, RecvTimeoutError, Sender};

use super::shots::Shots;
use super::sinks::SinkThread;
use super::slot::{latest, latest_few, LatestTx};
use super::stats::Stats;
use super::video::{analyse_timed, ms_since, Analysed, Captured, Painted, SourceOpener, ToAnalyse, VideoOptions, VideoReport, Worker};
use super::{FrameAnalyser, LookChange};
use crate::analysis::follow::Followed;
use crate::analysis::restyle::Restyler;
use crate::analysis::Analysis;
use crate::compositing::{is_scene_cut, Composited, Fresh, Params, Stage};
use crate::error::{Error, Result};
use crate::frame::Frame;
use crate::output::sink::Sink;

mod compose;
mod person;
mod restyle;

pub use self::compose::{composite_live, run_live, Made};
use self::person::{PersonChange, Run};
use self::restyle::restyle_loop;

/// What live mode does when an analysis fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnAnalysisError {
    /// End the session with the error: headless, nobody would see a notice, and going on with a
    /// stale analysis would record the wrong garments.
    Stop,
    /// Tell the user (a notice, repeated while it keeps failing) and try again on a later frame,
    /// keeping the last good analysis meanwhile: the mirror window.
    Retry,
}

/// How long a failing analysis waits before it tries again, and how often it says so.
const RETRY_AFTER: Duration = Duration::from_millis(500);
// Under the window's 4 s notice, so that the notice stays up while analysis keeps failing.
const RETELL_AFTER: Duration = Duration::from_secs(3);

/// The capture and analysis threads of live mode, for whoever composites: [`run_live`] and the
/// mirror window. Capture publishes every frame to latest-wins slots; analysis takes the newest
/// frame when it is free and leaves its result where the compositor picks it up.
pub struct LiveSession {
    frames: Receiver<Captured>,
    /// The newest placement of the garments, which each frame waits a little for.
    placements: Arc<Placements>,
    /// The restyler's newest texture.
    painted: Arc<Mutex<Option<Painted>>>,
    /// The frame from which the person in view is no longer the one before (a cut, someone else,
    /// no one): no texture made before it is painted on them.
    changed_person: Arc<PersonChange>,
    notices: Receiver<String>,
    changes: Sender<LookChange>,
    /// The restyler's copy of each change of look.
    restyle_changes: Option<Sender<LookChange>>,
    stop: Arc<AtomicBool>,
    freeze: Arc<AtomicBool>,
    pub stats: Stats,
    capture: Worker,
    /// The analysis' first stage, a frame ahead, where the analyser has one.
    ahead: Option<Worker>,
    analysis: Worker,
    follow: Option<Worker>,
    restyle: Option<Worker>,
}

/// The least time between two follower updates, which leaves the full analysis a share of two
/// cores. Headless: every other frame of a 30 fps source (15 a second). The window's own work
/// (composite and present, about 1.6 cores at 1280x720 on Mesa's software GPU) leaves less:
/// every third frame. Measured in the mirror on 2 cores, a1 clip, median of 21 s: at 45 ms 16
/// updates and 24 frames shown a second, full analyses starved to 0.2 a second; at 80 ms 9.9
/// updates, 25.5 frames shown, 0.4 analyses a second.
pub const FOLLOW_GAP_HEADLESS: Duration = Duration::from_millis(60);
pub const FOLLOW_GAP_WINDOW: Duration = Duration::from_millis(80);

/// A frame is not followed when the next is due sooner than it came (a 30 fps camera's frame
/// 27 ms old at the step, the next due in 6), and within `NEXT_FRAME_WAIT`: its placement would
/// come after it was shown, and the next frame's wait for its own would be the longer. A frame
/// that came more recently than the next is due is followed (24 fps: 18 ms old, the next in 23):
/// waiting would cost a step in two for little.
const NEXT_FRAME_WAIT: Duration = Duration::from_millis(40);
/// What the next frame is waited for beyond when it is due (capture's own jitter).
const DUE_SLACK: Duration = Duration::from_millis(10);

/// The least time between two textures of the restyler: the style transform costs 60-100 ms
/// a crop on one of two cores, and the full analysis needs a share of them. Measured headless on
/// 2 cores (`drape bench`, see README).
pub const RESTYLE_GAP: Duration = Duration::from_millis(110);

/// The longest the first stage holds off for a quick look at someone new: one takes 0.2-0.5 s
/// on two cores; past this, something is wrong with it, and the full analysis goes on.
const QUICK_LOOK_FIRST: Duration = Duration::from_millis(1500);

/// Textures the restyler makes per full analysis before it waits for the next one, once the last
/// is `ANALYSIS_STALE` old, and the longest it waits: analyses a second or two apart (two busy
/// cores) hold nothing up; starved of them, a second's wait per analysis, and none after a wait
/// that brought none.
const TEXTURES_PER_ANALYSIS: u32 = 8;
const ANALYSIS_STALE: Duration = Duration::from_millis(2500);
const ANALYSIS_WAIT: Duration = Duration::from_secs(1);

/// The most a frame waits for the follower's step on it before it is shown with the placement
/// before. The wait is what the follower's steps have lately taken from capture to placement
/// (30-60 ms on two cores), with a margin: what the mirror adds to the camera's own latency so
/// that the garments are drawn where the person is.
const MAX_HOLD: Duration = Duration::from_millis(100);
const HOLD_MARGIN: Duration = Duration::from_millis(5);
/// The follower's steps whose delays set the hold.
const HOLD_STEPS: usize = 8;
/// No follower step for this long (nobody followed): frames are shown as they come.
const HOLD_IDLE: Duration = Duration::from_millis(500);
/// Frames the compositor's input keeps: MAX_HOLD and BEHIND of a 60 fps camera.
const HELD_FRAMES: usize = 9;
/// A frame this much older than the hold has not been shown in time: the compositor (a slow
/// display) has fallen behind, and it goes on from the newest frame rather than showing each
/// frame late. About a frame of a 30 fps camera.
const BEHIND: Duration = Duration::from_millis(35);

/// The newest placement of the garments, and the follower's last steps: the compositor waits on
/// it for the step on its frame.
#[derive(Default)]
struct Placements {
    state: Mutex<Placed>,
    arrived: Condvar,
}

#[derive(Default)]
struct Placed {
    newest: Option<Analysed>,
    /// The newest frame the follower has stepped on, whatever it found.
    stepped: u64,
    /// The follower's last few delays from capture to placement, and when it last stepped.
    delays: VecDeque<Duration>,
    last_step: Option<Instant>,
}

impl Placements {
    /// Make `a` the newest analysis unless one placed by a later frame is there already (the
    /// follower's updates are newer than the full analysis they carry), and hand it to the
    /// restyler. An analysis that starts a new scene (a cut, someone new) takes the place of
    /// anything carried from an analysis before it, however late that was placed: that is
    /// someone else's.
    fn publish_newer(&self, a: Analysed, restyle: Option<&LatestTx<Analysed>>) {
        if let Ok(mut p) = self.state.lock() {
            if p.newest.as_ref().is_none_or(|n| n.seq < a.seq || (a.cut && n.analysed < a.analysed)) {
                if let Some(r) = restyle {
                    r.publish(a.clone());
                }
                p.newest = Some(a);
                self.arrived.notify_all();
            }
        }
    }

    /// The follower has stepped on frame `seq`, captured at `at` (placed or not).
    fn stepped(&self, seq: u64, at: Instant) {
        if let Ok(mut p) = self.state.lock() {
            p.stepped = p.stepped.max(seq);
            if p.delays.len() == HOLD_STEPS {
                p.delays.pop_front();
            }
            p.delays.push_back(at.elapsed());
            p.last_step = Some(Instant::now());
            self.arrived.notify_all();
        }
    }

    /// The follower stopped stepping (the person it followed is gone): frames are not held
    /// for steps that will not come.
    fn idle(&self) {
        if let Ok(mut p) = self.state.lock() {
            p.delays.clear();
            p.last_step = None;
            self.arrived.notify_all();
        }
    }

    fn newest(&self) -> Option<Analysed> {
        self.state.lock().ok().and_then(|p| p.newest.clone())
    }

    /// How long after its capture a frame waits for the follower's step on it: the longest of
    /// the follower's last steps, while it is stepping.
    fn hold(&self) -> Duration {
        let Ok(p) = self.state.lock() else { return Duration::ZERO };
        if p.last_step.is_none_or(|t| t.elapsed() > HOLD_IDLE) {
            return Duration::ZERO;
        }
        p.delays.iter().max().map_or(Duration::ZERO, |d| (*d + HOLD_MARGIN).min(MAX_HOLD))
    }

    /// Wait until the follower has stepped on frame `seq` or a later one, or until `deadline`.
    fn wait_for_step(&self, seq: u64, deadline: Instant) {
        let Ok(mut p) = self.state.lock() else { return };
        while p.stepped < seq {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            match self.arrived.wait_timeout(p, deadline - now) {
                Ok((g, _)) => p = g,
                Err(_) => return,
            }
        }
    }
}

impl LiveSession {
    pub fn start(
        mut open: SourceOpener,
        mut analyser: Box<dyn FrameAnalyser>,
        stop: Arc<AtomicBool>,
        analyse_every: u32,
        on_error: OnAnalysisError,
        follow_gap: Duration,
    ) -> LiveSession {
        let stats = Stats::default();
        // A few frames: each waits for the follower's step on it, and the next come meanwhile.
        let (to_comp, frames) = latest_few::<Captured>(HELD_FRAMES);
        let (to_ana, ana_rx) = latest::<Captured>();
        let (to_follow, follow_rx) = latest::<Captured>();
        let (to_base, base_rx) = latest::<(Captured, Analysed)>();
        // The newest frame for a quick first look ([`FrameAnalyser::analyse_quick`]).
        let (to_quick, quick_rx) = latest::<Captured>();
        let follower = analyser.take_follower();
        let following = follower.is_some();
        // Only beside a follower: without one the placements are the full analyses, which
        // restyle their own frame.
        let restyler = if following { analyser.take_restyler() } else { None };
        let (to_restyle, restyle_rx) = latest::<Analysed>();
        let to_restyle = restyler.is_some().then_some(to_restyle);
        let (restyle_changes, restyle_changes_rx) = unbounded::<LookChange>();
        let restyle_changes = restyler.is_some().then_some(restyle_changes);
        let painted: Arc<Mutex<Option<Painted>>> = Arc::new(Mutex::new(None));
        let changed_person = Arc::new(PersonChange::default());
        let (note_tx, notices) = unbounded::<String>();
        let (changes, changes_rx) = unbounded::<LookChange>();
        let placements = Arc::new(Placements::default());
        let freeze = Arc::new(AtomicBool::new(false));

        let capture = {
            let (stop, stats, freeze, note_tx) = (stop.clone(), stats.clone(), freeze.clone(), note_tx.clone());
            std::thread::spawn(move || -> Result<()> {
                let mut source = open()?;
                let mut seq = 0u64;
                let mut shots = Shots::default();
                let mut clock = Instant::now();
                let mut paced = 0u64;
                let mut held: Option<Arc<Frame>> = None;
                while !stop.load(Ordering::SeqCst) {
                    // Files and stills play at their own rate; cameras pace themselves.
                    let rate = if source.is_live() { None } else { source.rate() };
                    let frozen = freeze.load(Ordering::SeqCst) && held.is_some();
                    if let Some(fps) = rate.or(frozen.then_some(30.0)) {
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
                    let t = Instant::now();
                    let frame = if frozen && !source.is_live() {
                        // A frozen file stays where it is.
                        None
                    } else {
                        match source.next_frame() {
                            Ok(Some(f)) => Some(f),
                            Ok(None) => return Ok(()),
                            Err(e) if source.is_live() => {
                                // A lost camera is reported and reopened; the rest keeps running.
                                let e = e.report();
                                tracing::warn!("{e}; reopening");
                                tell(&note_tx, format!("camera lost ({e}); reopening"));
                                drop(source);
                                source = loop {
                                    if stop.load(Ordering::SeqCst) {
                                        return Ok(());
                                    }
                                    std::thread::sleep(Duration::from_secs(1));
                                    match open() {
                                        Ok(s) => break s,
                                        Err(e) => tracing::warn!("{}; trying again", e.report()),
                                    }
                                };
                                tell(&note_tx, "camera back".to_string());
                                continue;
                            }
                            Err(e) => return Err(e),
                        }
                    };
                    // Frozen: the held frame again (a camera is still read, so it stays current).
                    let frame = match (frozen, frame, &held) {
                        (false, Some(f), _) => Arc::new(f),
                        (_, _, Some(h)) => h.clone(),
                        (true, Some(f), None) => Arc::new(f),
                        (_, None, None) => continue,
                    };
                    held = Some(frame.clone());
                    stats.stage("capture", ms_since(t));
                    seq += 1;
                    let c = Captured { seq, at: Instant::now(), shot: shots.see(seq, source.restarts(), &frame), frame };
                    to_ana.publish(c.clone());
                    to_quick.publish(c.clone());
                    if following {
                        to_follow.publish(c.clone());
                    }
                    if to_comp.publish(c) {
                        stats.dropped();
                    }
                }
                Ok(())
            })
        };
        let every = analyse_every.max(1) as u64;
        // The first model (U^2-Net-p) on a thread of its own, a frame ahead of the rest: on two
        // cores the analysis gets what the display leaves of both.
        type Next = Box<dyn FnMut(Duration) -> std::result::Result<ToAnalyse, RecvTimeoutError> + Send>;
        let (ahead, mut next): (Option<Worker>, Next) = match analyser.take_first_stage() {
            None => (None, Box::new(move |d| ana_rx.recv_timeout(d).map(|c| (c, None)))),
            Some(mut first) => {
                let (tx, rx) = latest::<ToAnalyse>();
                let (stop, stats, note_tx, person) = (stop.clone(), stats.clone(), note_tx.clone(), changed_person.clone());
                person.set_stopper(Run::First, first.stopper());
                let handle = std::thread::spawn(move || -> Result<()> {
                    lower_priority();
                    let mut last_seq = 0u64;
                    let mut trouble = Trouble::default();
                    loop {
                        let Some(c) = next_until_stopped(|d| ana_rx.recv_timeout(d), &stop) else { return Ok(()) };
                        if last_seq != 0 && c.seq < last_seq + every {
                            continue;
                        }
                        // Someone new waits for a quick look: it has the cores first (on two, a
                        // saliency run beside it doubled its time), then the newest frame is run.
                        let c = if person.quick_pending() {
                            let since = Instant::now();
                            while person.quick_pending() && since.elapsed() < QUICK_LOOK_FIRST && !stop.load(Ordering::SeqCst) {
                                std::thread::sleep(Duration::from_millis(5));
                            }
                            ana_rx.try_iter().last().unwrap_or(c)
                        } else {
                            c
                        };
                        if !person.start_run(Run::First, c.seq) {
                            continue;
                        }
                        let t = Instant::now();
                        let ran = first.run(&c.frame);
                        let stopped = person.end_run(Run::First);
                        match ran {
                            Ok(m) => {
                                stats.stage("analysis ahead", ms_since(t));
                                trouble.ok(&note_tx);
                                last_seq = c.seq;
                                tx.publish((c, Some(m)));
                            }
                            // Stopped: the person in view changed while it ran.
                            Err(_) if stopped => tracing::trace!(seq = c.seq, "first stage abandoned: the person in view changed"),
                            Err(e) => trouble.failed(e, c.seq, on_error, &note_tx)?,
                        }
                    }
                });
                (Some(handle), Box::new(move |d| rx.recv_timeout(d)))
            }
        };
        // Full analyses finished so far: the restyler leaves them the cores when they fall behind.
        let analyses_done = Arc::new(AtomicU64::new(0));
        let analysis = {
            let (stop, stats, placements, note_tx) = (stop.clone(), stats.clone(), placements.clone(), note_tx.clone());
            let analyses_done = analyses_done.clone();
            let (to_restyle, changed_person) = (to_restyle.clone(), changed_person.clone());
            std::thread::spawn(move || -> Result<()> {
                lower_priority();
                changed_person.set_stopper(Run::Rest, analyser.stopper());
                let mut last_seq = 0u64;
                let mut last_saliency = None;
                let mut trouble = Trouble::default();
                // The person change the analyser last forgot the people it followed for.
                let mut forgot_for = 0u64;
                let mut changed = false;
                // The frame analysed last, quick look or full: what the analysis averages over
                // time is told how far back that was.
                let mut looked_at = 0u64;
                loop {
                    // Nobody in view analysed yet (the first frames, someone new after a cut),
                    // and the full analysis a second away: a quick look at the newest frame first,
                    // so that their garments show within a few frames (issue 29).
                    let person = changed_person.at();
                    if !(changed_person.quick_pending() && (last_seq == 0 || last_seq < person)) {
                        // Taken, not to be had, or a full analysis of the new person came first.
                        changed_person.looked(person);
                    } else {
                        changed |= apply_changes(analyser.as_mut(), &changes_rx, &note_tx);
                        match quick_rx.recv_timeout(Duration::from_millis(20)) {
                            Ok(c) if c.seq >= person => {
                                forget_once(analyser.as_mut(), &mut forgot_for, person);
                                tell_apart(analyser.as_mut(), looked_at, c.seq);
                                let t = Instant::now();
                                // Registered as the rest's run: that clears a stop meant for the
                                // analysis abandoned at the change, and a later change stops it.
                                if !changed_person.start_run(Run::Rest, c.seq) {
                                    // Someone else again since: their look is still to come.
                                    continue;
                                }
                                let looked = analyser.analyse_quick(&c.frame);
                                let stopped = changed_person.end_run(Run::Rest);
                                changed_person.looked(person);
                                match looked {
                                    Ok(None) => changed_person.without_quick_looks(),
                                    Ok(Some(a)) => {
                                        looked_at = looked_at.max(c.seq);
                                        stats.stage("analysis (quick)", ms_since(t));
                                        tracing::trace!(seq = c.seq, "quick look");
                                        let done =
                                            Analysed { seq: c.seq, placed_at: c.at, analysis: Arc::new(a), cut: true, frame: c.frame.clone(), analysed: c.seq };
                                        if following {
                                            to_base.publish((c, done.clone()));
                                        }
                                        placements.publish_newer(done, to_restyle.as_ref());
                                        analyses_done.fetch_add(1, Ordering::SeqCst);
                                    }
                                    Err(_) if stopped => tracing::trace!(seq = c.seq, "quick look abandoned: the person in view changed"),
                                    // The full analysis will tell, and be told of, the same fault.
                                    Err(e) => tracing::debug!("quick look at frame {} failed: {}", c.seq, e.report()),
                                }
                            }
                            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
                            Err(RecvTimeoutError::Disconnected) => return Ok(()),
                        }
                        if stop.load(Ordering::SeqCst) {
                            return Ok(());
                        }
                        continue;
                    }
                    let (c, first) = match next(Duration::from_millis(20)) {
                        Ok(v) => v,
                        Err(RecvTimeoutError::Timeout) if !stop.load(Ordering::SeqCst) => continue,
                        Err(_) => return Ok(()),
                    };
                    changed |= apply_changes(analyser.as_mut(), &changes_rx, &note_tx);
                    if !std::mem::take(&mut changed) && last_seq != 0 && c.seq < last_seq + every {
                        continue;
                    }
                    // A frame from before the person in view changed (a cut, someone else): its
                    // analysis would not be taken; the next frame's is what the new person waits for.
                    if c.seq < changed_person.at() {
                        tracing::trace!(seq = c.seq, "not analysed: the person in view changed since");
                        continue;
                    }
                    // The first analysis of someone new: nobody followed before is held over.
                    let person = changed_person.at();
                    if c.seq >= person {
                        forget_once(analyser.as_mut(), &mut forgot_for, person);
                    }
                    tell_apart(analyser.as_mut(), looked_at, c.seq);
                    if !changed_person.start_run(Run::Rest, c.seq) {
                        continue;
                    }
                    let ran = analyse_timed(analyser.as_mut(), &c.frame, first, &stats);
                    let stopped = changed_person.end_run(Run::Rest);
                    let a = match ran {
                        Ok(a) => {
                            looked_at = looked_at.max(c.seq);
                            trouble.ok(&note_tx);
                            a
                        }
                        // Stopped: the person in view changed while it ran (the new person's
                        // quick look takes the cores).
                        Err(_) if stopped => {
                            tracing::trace!(seq = c.seq, "analysis abandoned: the person in view changed");
                            continue;
                        }
                        Err(e) => {
                            trouble.failed(e, c.seq, on_error, &note_tx)?;
                            continue;
                        }
                    };
                    tracing::trace!(seq = c.seq, "analysed");
                    // Not within a shot: a looped file's restart is the same take.
                    let cut = last_saliency.as_ref().is_some_and(|(shot, s)| *shot != c.shot && is_scene_cut(s, &a.saliency));
                    last_saliency = Some((c.shot, a.saliency.clone()));
                    last_seq = c.seq;
                    if cut {
                        changed_person.mark(c.seq);
                    }
                    let done = Analysed { seq: c.seq, placed_at: c.at, analysis: Arc::new(a), cut, frame: c.frame.clone(), analysed: c.seq };
                    if following {
                        to_base.publish((c, done.clone()));
                    }
                    placements.publish_newer(done, to_restyle.as_ref());
                    analyses_done.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        let follow = follower.map(|mut follower| {
            let (stop, stats, placements, note_tx) = (stop.clone(), stats.clone(), placements.clone(), note_tx.clone());
            let (to_restyle, changed_person) = (to_restyle.clone(), changed_person.clone());
            std::thread::spawn(move || -> Result<()> {
                let mut based = false;
                let mut cut = false;
                let mut last: Option<(u64, Instant)> = None;
                let mut told = false;
                // The frame at which the person analysed was last lost: an analysis of a frame
                // before it is of someone no longer there.
                let mut lost_at = 0u64;
                let mut base_seq = 0u64;
                // The source's frame interval, from the last frame followed and the one before.
                let mut interval: Option<Duration> = None;
                let mut seen: Option<(u64, Instant)> = None;
                loop {
                    let Some(c) = next_until_stopped(|d| follow_rx.recv_timeout(d), &stop) else { return Ok(()) };
                    if let Some((frame, a)) = base_rx.try_iter().last().filter(|(_, a)| a.seq > lost_at) {
                        let t = Instant::now();
                        match follower.rebase(&frame.frame, a.seq, a.analysis) {
                            Ok(false) => tracing::trace!(seq = a.seq, "analysis not taken: its person is no longer in view"),
                            Ok(true) => {
                                based = true;
                                base_seq = a.seq;
                                cut |= a.cut;
                                stats.stage("follow rebase", ms_since(t));
                            }
                            Err(e) => tracing::warn!("the follower could not take analysis {}: {}", a.seq, e.report()),
                        }
                    }
                    // The person analysed left (a cut, marked by whoever saw it): nothing of theirs
                    // is drawn, so carrying it further only takes the cores from the new
                    // person's first look.
                    let since = changed_person.at();
                    if based && since > base_seq && c.seq >= since {
                        tracing::trace!(seq = c.seq, since, "not followed: the person in view changed since the analysis");
                        based = false;
                        lost_at = since - 1;
                        // Nothing of the last person is kept to stand in for the next one.
                        follower.drop_shown();
                        placements.idle();
                    }
                    if !based || last.is_some_and(|(seq, _)| c.seq <= seq) {
                        continue;
                    }
                    // Too soon after the last update: wait out the gap, then take the newest frame.
                    let c = match last.map(|(_, at)| follow_gap.saturating_sub(at.elapsed())).filter(|d| !d.is_zero()) {
                        Some(wait) => {
                            std::thread::sleep(wait);
                            follow_rx.try_iter().last().unwrap_or(c)
                        }
                        None => c,
                    };
                    // A frame that came a while ago is shown before this step could place it;
                    // the next, when it is due soon, waits for it (the compositor's hold).
                    let due = interval.map(|i| (c.at + i).saturating_duration_since(Instant::now()));
                    let c = match due.filter(|d| *d < c.at.elapsed() && *d <= NEXT_FRAME_WAIT) {
                        Some(d) => follow_rx.recv_timeout(d + DUE_SLACK).unwrap_or(c),
                        None => c,
                    };
                    if let Some((seq, at)) = seen.filter(|(seq, _)| *seq < c.seq) {
                        interval = Some(c.at.saturating_duration_since(at) / u32::try_from(c.seq - seq).unwrap_or(u32::MAX));
                    }
                    seen = Some((c.seq, c.at));
                    let t = Instant::now();
                    last = Some((c.seq, t));
                    match follower.follow(&c.frame, c.seq) {
                        Ok(Followed::Carried(a, motion)) => {
                            stats.stage("follow", ms_since(t));
                            tracing::trace!(seq = c.seq, ?motion, "followed");
                            let cut = std::mem::take(&mut cut);
                            let placed = Analysed { seq: c.seq, placed_at: c.at, analysis: a, cut, frame: c.frame.clone(), analysed: base_seq };
                            placements.publish_newer(placed, to_restyle.as_ref());
                        }
                        Ok(Followed::Lost(why)) => {
                            // Garments are not drawn where the analysed person no longer is, and
                            // nothing analysed before they left is carried again. A cut since the
                            // analysed frame tells when that was: the quick look at the new
                            // person, taken as soon as the cut was seen, is of a frame after it.
                            let since = changed_person.at();
                            let at = if since > base_seq && since <= c.seq { since } else { c.seq };
                            tracing::trace!(seq = c.seq, at, why, "the person analysed is lost");
                            lost_at = at - 1;
                            based = false;
                            changed_person.mark(at);
                            let none = Analysed {
                                seq: c.seq,
                                placed_at: c.at,
                                analysis: Arc::new(Analysis::empty()),
                                cut: true,
                                frame: c.frame.clone(),
                                analysed: at - 1,
                            };
                            placements.publish_newer(none, to_restyle.as_ref());
                        }
                        Ok(Followed::Unfit) => {
                            let none = Analysed {
                                seq: c.seq,
                                placed_at: c.at,
                                analysis: Arc::new(Analysis::empty()),
                                cut: false,
                                frame: c.frame.clone(),
                                analysed: base_seq,
                            };
                            placements.publish_newer(none, to_restyle.as_ref());
                        }
                        Ok(Followed::Untrusted) => {}
                        // The full analysis is still shown; the garments only trail the person.
                        Err(e) if !told => {
                            told = true;
                            let e = e.report();
                            tracing::warn!("following the person failed: {e}; showing each full analysis as it is");
                            tell(&note_tx, format!("following the person failed: {e}"));
                        }
                        Err(_) => {}
                    }
                    placements.stepped(c.seq, c.at);
                    if !based {
                        // Lost: no steps until the next analysis is taken.
                        placements.idle();
                    }
                }
            })
        });
        let restyle = restyler.map(|restyler| {
            let (stop, stats, painted, note_tx) = (stop.clone(), stats.clone(), painted.clone(), note_tx.clone());
            std::thread::spawn(move || restyle_loop(restyler, restyle_rx, restyle_changes_rx, painted, stats, note_tx, &analyses_done, &stop))
        });
        LiveSession {
            frames,
            placements,
            painted,
            changed_person,
            notices,
            changes,
            restyle_changes,
            stop,
            freeze,
            stats,
            capture,
            ahead,
            analysis,
            follow,
            restyle,
        }
    }

    /// The newest captured frames, a few kept in order (the oldest goes out when the reader is behind).
    pub fn frames(&self) -> &Receiver<Captured> {
        &self.frames
    }

    /// The newest analysis, if one has been made.
    pub fn newest(&self) -> Option<Analysed> {
        self.placements.newest()
    }

    /// The restyler's newest texture, where it restyled the person now in view (a texture made
    /// before a cut or before the person was lost is never painted on whoever came after).
    pub fn texture(&self) -> Option<Painted> {
        let p = self.painted.lock().ok().and_then(|g| g.clone())?;
        (p.seq >= self.changed_person.at()).then_some(p)
    }

    /// Messages for the user from capture and analysis (a lost camera, a style that failed).
    pub fn notices(&self) -> impl Iterator<Item = String> + '_ {
        self.notices.try_iter()
    }

    /// Change the look; the analysis takes it before its next frame. False when the analysis
    /// has stopped (its error comes from [`LiveSession::finish`]).
    pub fn change(&self, change: LookChange) -> bool {
        if let Some(r) = &self.restyle_changes {
            // The restyler takes it at once: the next texture is in the new look.
            if r.send(change.clone()).is_err() {
                tracing::debug!("look change after the restyler stopped");
            }
        }
        self.changes.send(change).is_ok()
    }

    /// Hold the current frame (analysis goes on, on that frame) or let frames flow again.
    pub fn set_frozen(&self, frozen: bool) {
        self.freeze.store(frozen, Ordering::SeqCst);
    }

    pub fn is_frozen(&self) -> bool {
        self.freeze.load(Ordering::SeqCst)
    }

    /// Whether capture has ended (a file without --loop, or an error).
    pub fn capture_ended(&self) -> bool {
        self.capture.is_finished()
    }

    /// Whether analysis has ended: after capture, or on an error with [`OnAnalysisError::Stop`].
    pub fn analysis_ended(&self) -> bool {
        self.analysis.is_finished()
    }

    /// Stop the threads and join them; the first error, in pipeline order.
    pub fn finish(self) -> Option<Error> {
        self.stop.store(true, Ordering::SeqCst);
        // Capture may be waiting to hand over a frame, analysis on its next one.
        drop(self.frames);
        let captured = self.capture.join().unwrap_or(Err(Error::Panicked { thread: "capture" }));
        let ahead = self.ahead.map_or(Ok(()), |h| h.join().unwrap_or(Err(Error::Panicked { thread: "analysis ahead" })));
        let analysed = self.analysis.join().unwrap_or(Err(Error::Panicked { thread: "analysis" }));
        let followed = self.follow.map_or(Ok(()), |f| f.join().unwrap_or(Err(Error::Panicked { thread: "follow" })));
        let restyled = self.restyle.map_or(Ok(()), |f| f.join().unwrap_or(Err(Error::Panicked { thread: "restyle" })));
        captured.err().or(ahead.err()).or(analysed.err()).or(followed.err()).or(restyled.err())
    }
}

/// Tell the analyser to forget the people it followed, once per person change (`person`, the
/// frame it came at; `forgot_for`, the change it last forgot for).
fn forget_once(analyser: &mut dyn FrameAnalyser, forgot_for: &mut u64, person: u64) {
    if person > *forgot_for {
        *forgot_for = person;
        analyser.forget();
    }
}

/// Tell the analyser how many frames frame `seq` is after `looked_at`, the last it analysed
/// (0: none yet, nothing to tell).
fn tell_apart(analyser: &mut dyn FrameAnalyser, looked_at: u64, seq: u64) {
    if looked_at != 0 {
        analyser.frames_apart(seq.saturating_sub(looked_at));
    }
}

/// Take the changes of look made since the last call; whether there were any.
fn apply_changes(analyser: &mut dyn FrameAnalyser, changes: &Receiver<LookChange>, note_tx: &Sender<String>) -> bool {
    let mut changed = false;
    for change in changes.try_iter() {
        changed = true;
        if let Err(e) = analyser.apply(&change) {
            let e = e.report();
            tracing::warn!("look change {change:?} not taken: {e}");
            tell(note_tx, e);
        }
    }
    changed
}

/// The next value from `recv`, waited for in 100 ms steps; None once its sender is gone or
/// `stop` is set.
fn next_until_stopped<T>(mut recv: impl FnMut(Duration) -> std::result::Result<T, RecvTimeoutError>, stop: &AtomicBool) -> Option<T> {
    loop {
        match recv(Duration::from_millis(100)) {
            Ok(v) => return Some(v),
            Err(RecvTimeoutError::Timeout) if !stop.load(Ordering::SeqCst) => continue,
            Err(_) => return None,
        }
    }
}

/// A live analysis thread's failures: told to the user and retried, or the end of the session.
#[derive(Default)]
struct Trouble {
    /// Since when the user was last told that analysis fails, while it does.
    failing: Option<Instant>,
}

impl Trouble {
    fn ok(&mut self, note_tx: &Sender<String>) {
        if self.failing.take().is_some() {
            tell(note_tx, "analysis works again".to_string());
        }
    }

    /// Ok after a pause when the failure is to be retried; the error when it ends the session.
    fn failed(&mut self, e: Error, seq: u64, on_error: OnAnalysisError, note_tx: &Sender<String>) -> Result<()> {
        if on_error != OnAnalysisError::Retry {
            tracing::error!("analysis of frame {seq} failed: {}", e.report());
            return Err(e);
        }
        let e = e.report();
        tracing::warn!("analysis of frame {seq} failed: {e}; trying again");
        if self.failing.is_none_or(|told: Instant| told.elapsed() >= RETELL_AFTER) {
            tell(note_tx, format!("analysis failed: {e}; the garments shown are from before; trying again"));
            self.failing = Some(Instant::now());
        }
        std::thread::sleep(RETRY_AFTER);
        Ok(())
    }
}

/// A notice for the user; the receiver is gone only when the session is closing.
fn tell(notes: &Sender<String>, text: String) {
    if notes.send(text).is_err() {
        tracing::debug!("notice after the session closed");
    }
}

/// The analysis threads' niceness. They yield to the display, but not wholly: at SCHED_IDLE
/// (before) any other work on the machine took everything, and with two busy processes beside
/// it the mirror made no full analysis in 12 s, so it never showed a garment; at nice 5, 3 (the
/// first 4.3 s after start); at nice 0, 8, but 224 frames shown against 301 (a1 recorded live,
/// 2 cores; the README's live figures). On Linux it belongs to the calling thread alone.
const ANALYSIS_NICE: i32 = 5;

fn lower_priority() {
    // SAFETY: only reads its arguments; lowering one's own priority needs no privilege.
    if unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, ANALYSIS_NICE) } != 0 {
        tracing::debug!("could not lower the analysis thread's priority");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_wait_for_the_follower_only_while_it_steps() {
        let p = Placements::default();
        assert_eq!(p.hold(), Duration::ZERO, "no steps yet: nothing to wait for");
        let captured = Instant::now() - Duration::from_millis(40);
        p.stepped(3, captured);
        let hold = p.hold();
        assert!(hold >= Duration::from_millis(40) + HOLD_MARGIN && hold <= MAX_HOLD, "{hold:?}");
        // A step on a later frame ends the wait for an earlier one at once.
        let t = Instant::now();
        p.wait_for_step(2, t + Duration::from_secs(5));
        assert!(t.elapsed() < Duration::from_secs(1));
        // The person followed is lost: no step will come, and frames are not held for one.
        p.idle();
        assert_eq!(p.hold(), Duration::ZERO);
    }

    #[test]
    fn the_analysis_threads_yield_to_the_display_but_are_not_starved_by_other_work() {
        std::thread::spawn(|| {
            lower_priority();
            // SAFETY: both only read the calling thread's scheduling.
            let (policy, nice) = unsafe { (libc::sched_getscheduler(0), libc::getpriority(libc::PRIO_PROCESS, 0)) };
            assert_eq!(policy, libc::SCHED_OTHER, "SCHED_IDLE lets any other process on the machine starve the analyses");
            assert_eq!(nice, ANALYSIS_NICE);
        })
        .join()
        .unwrap();
    }
}
