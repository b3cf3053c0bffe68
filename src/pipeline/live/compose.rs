//! Compositing a live session's frames, for headless `live` and the mirror window alike.

use super::*;

/// The live compositing loop, the one that headless `live` and the mirror window share: each new
/// frame of the session composited with the newest placement of the garments (waiting, a while,
/// for the follower's step on that frame) and handed to `deliver`, until
/// `deliver` returns false, capture or analysis ends, or `stop` is set. `params` gives, per
/// frame, the compositor's parameters and whether a GPU composite must be read back.
pub fn composite_live(
    session: &LiveSession,
    stage: &mut Stage,
    stop: &AtomicBool,
    mut params: impl FnMut(&Frame) -> (Params, bool),
    mut deliver: impl FnMut(Composited, &Captured, Made) -> Result<bool>,
) -> Result<()> {
    stage.restart();
    let mut shown: Option<u64> = None;
    let mut texture = None;
    // The first frame after the latest cut.
    let mut cut_at = 0u64;
    loop {
        if session.analysis_ended() {
            // Failed (its error comes from finish), or capture ended first.
            return Ok(());
        }
        let mut c = match session.frames.recv_timeout(Duration::from_millis(100)) {
            Ok(c) => c,
            Err(RecvTimeoutError::Timeout) if !stop.load(Ordering::SeqCst) => continue,
            Err(_) => return Ok(()),
        };
        // Each frame waits for the follower's step on it (as long as the steps lately took), so
        // that the garments are placed where the person is on it rather than where they were
        // two to five frames before. Fallen behind that (a slow display), it goes on from the
        // newest frame.
        let hold = session.placements.hold();
        if c.at.elapsed() > hold + BEHIND {
            for next in session.frames.try_iter() {
                session.stats.dropped();
                c = next;
            }
        }
        let waited = Instant::now();
        session.placements.wait_for_step(c.seq, c.at + hold);
        session.stats.stage("hold", ms_since(waited));
        let t = Instant::now();
        let (params, pixels) = params(&c.frame);
        if c.shot > cut_at {
            // A cut: garments placed on a frame before it belong to someone who may be gone.
            // The follower finds out a step later; until then nothing of theirs is drawn.
            tracing::trace!(seq = c.seq, shot = c.shot, "cut");
            cut_at = c.shot;
            session.changed_person.mark(c.shot);
        }
        // Garments analysed, or a texture restyled, from a frame before the latest cut are of
        // someone who may be gone, wherever the follower has carried them since (it can take a
        // new person framed alike for the one analysed: tests/mirror.rs saw that on 39 frames).
        // A placement is never on an earlier frame than its analysis, so this covers both.
        let newest = session.newest().filter(|a| a.analysed >= cut_at);
        let painted = session.texture().filter(|p| p.seq >= cut_at);
        let fresh = newest.as_ref().map(|a| Fresh { texture: painted.as_ref().map(|p| p.texture.as_ref()), carried: true, ..a.fresh() });
        let out = stage.composite(&c.frame, fresh, &params, pixels)?;
        session.stats.stage("composite", ms_since(t));
        if let Some(a) = &newest {
            if shown != Some(a.seq) {
                shown = Some(a.seq);
                session.stats.mask_update();
            }
            session.stats.mask_age(a.placed_at.elapsed());
            session.stats.mask_behind(c.at.saturating_duration_since(a.placed_at));
        }
        if let Some(t) = out.restyled.filter(|t| Some(t.id) != texture) {
            texture = Some(t.id);
            session.stats.texture_update();
        }
        tracing::trace!(seq = c.seq, analysis = newest.as_ref().map(|a| a.seq), "composited");
        let made = Made {
            analysis: out.analysis,
            analysed: newest.as_ref().map(|a| a.analysed),
            restyled: out.restyled,
            painted: painted.as_ref().filter(|p| Some(p.texture.texture) == out.restyled).map(|p| p.seq),
        };
        if !deliver(out, &c, made)? || stop.load(Ordering::SeqCst) {
            return Ok(());
        }
    }
}

/// What an output frame of live mode was composited with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Made {
    /// The id of the analysis that placed its garments (the frame that placed them); None before
    /// the first.
    pub analysis: Option<u64>,
    /// The frame the full analysis behind those garments was made from.
    pub analysed: Option<u64>,
    /// The restyled texture on it, if any.
    pub restyled: Option<crate::analysis::Texture>,
    /// The frame the restyler restyled that texture from, when it is the restyler's.
    pub painted: Option<u64>,
}

/// Live: every source frame composited with the newest analysis. `on_frame` sees each
/// composited frame, with the number of the source frame it was made from and what it was
/// composited with, on the compositor's thread.
#[allow(clippy::too_many_arguments)]
pub fn run_live(
    open: SourceOpener,
    analyser: Box<dyn FrameAnalyser>,
    stage: &mut Stage,
    sinks: Vec<Box<dyn Sink>>,
    stop: Arc<AtomicBool>,
    opts: &VideoOptions,
    mut on_frame: impl FnMut(&Frame, u64, Made),
) -> VideoReport {
    let started = Instant::now();
    // Headless, a failed analysis ends the run: nobody is there to read a notice.
    let session = LiveSession::start(open, analyser, stop.clone(), opts.analyse_every, OnAnalysisError::Stop, FOLLOW_GAP_HEADLESS);
    let stats = session.stats.clone();
    let mut out = SinkThread::spawn(sinks, 8, Some(stats.clone()));
    if let Some(rate) = opts.record_rate {
        out = out.on_source_clock(rate);
    }
    let mut n = 0u64;
    let looped = composite_live(
        &session,
        stage,
        &stop,
        |_| (opts.params, true),
        |composited, c, made| {
            let px = composited.into_pixels()?;
            stats.composited(c.at.elapsed());
            on_frame(&px, c.seq, made);
            if !out.push(px) {
                return Ok(false);
            }
            n += 1;
            if let Some((_, change)) = opts.change_at.as_ref().filter(|(at, _)| *at == n) {
                session.change(change.clone());
            }
            stats.tick_telling(opts.each_second);
            Ok(opts.max_frames.is_none_or(|m| n < m))
        },
    );
    out.end_take();
    let interrupted = stop.load(Ordering::SeqCst);
    let first = session.finish().or(looped.err());
    // A live recording is whole when it stops on request; an error upstream leaves it partial.
    let (outputs, sink_error) = out.finish(first.is_none());
    VideoReport { summary: stats.summary(started.elapsed().as_secs_f64()), outputs, error: first.or(sink_error), interrupted }
}
