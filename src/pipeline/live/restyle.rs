//! The restyler's thread of a live session: the crop of the newest placement restyled from the
//! current frame, as often as the cores allow.

use super::*;

/// The restyler's thread: the garments of the newest placement restyled from its frame's pixels,
/// at most once per [`RESTYLE_GAP`], each change of look taken before the next texture. A texture
/// made while a change was waiting is of the old look and thrown away.
#[allow(clippy::too_many_arguments)]
pub(super) fn restyle_loop(
    mut restyler: Restyler,
    placed: Receiver<Analysed>,
    changes: Receiver<LookChange>,
    painted: Arc<Mutex<Option<Painted>>>,
    stats: Stats,
    note_tx: Sender<String>,
    analyses_done: &AtomicU64,
    stop: &AtomicBool,
) -> Result<()> {
    let mut last: Option<Instant> = None;
    // Textures made since the last full analysis finished, and how many had finished then.
    let (mut made, mut analyses_seen, mut in_vain) = (0u32, analyses_done.load(Ordering::SeqCst), false);
    // When this thread last saw the count of analyses move.
    let mut analysis_at = Instant::now();
    let mut told = false;
    let working = restyler.working();
    let take_changes = |restyler: &mut Restyler| {
        for change in changes.try_iter() {
            // The analysis thread tells the user of a change it could not take.
            if let Err(e) = restyler.apply(&change) {
                tracing::debug!("the restyler did not take {change:?}: {}", e.report());
            }
        }
    };
    loop {
        let Some(mut a) = next_until_stopped(|d| placed.recv_timeout(d), stop) else { return Ok(()) };
        take_changes(&mut restyler);
        if let Some(wait) = last.map(|at| RESTYLE_GAP.saturating_sub(at.elapsed())).filter(|d| !d.is_zero()) {
            // A change of look does not wait out the gap: its texture is what the user waits for.
            if let Ok(change) = changes.recv_timeout(wait) {
                if let Err(e) = restyler.apply(&change) {
                    tracing::debug!("the restyler did not take {change:?}: {}", e.report());
                }
                take_changes(&mut restyler);
            }
            a = placed.try_iter().last().unwrap_or(a);
        }
        // The analyses run at a lower priority (ANALYSIS_NICE) than the display, the follower and
        // this thread; with a recording or a window to feed as well they got little (b1 recorded
        // live: 3 full analyses in 10 s, 15 before the restyler). Past TEXTURES_PER_ANALYSIS
        // textures since the last one finished, and only once that is ANALYSIS_STALE old, this
        // thread waits for the next (at most ANALYSIS_WAIT): the textures follow the cloth, the
        // analyses say where the cloth is. Analyses a second or two apart are what two cores
        // give, and holding the textures to them then cost textures and bought no analyses
        // (`drape bench`, a1: 6.35 textures a second, 0.66 analyses; now 7.15, 0.65). A wait
        // that brought no analysis (a window drawn in software took the cores) is not repeated
        // until one lands: the textures are then all the mirror has.
        let waited = Instant::now();
        while made >= TEXTURES_PER_ANALYSIS && analysis_at.elapsed() >= ANALYSIS_STALE && !in_vain && analyses_done.load(Ordering::SeqCst) == analyses_seen {
            if stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            if waited.elapsed() >= ANALYSIS_WAIT {
                in_vain = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let done = analyses_done.load(Ordering::SeqCst);
        if done != analyses_seen {
            (made, analyses_seen, in_vain, analysis_at) = (0, done, false, Instant::now());
        }
        if waited.elapsed() >= Duration::from_millis(10) {
            a = placed.try_iter().last().unwrap_or(a);
            take_changes(&mut restyler);
        }
        made += 1;
        last = Some(Instant::now());
        let t = Instant::now();
        match restyler.restyle(&a.frame, &a.analysis) {
            Ok(texture) => {
                stats.stage("restyle", ms_since(t));
                if !changes.is_empty() {
                    continue;
                }
                if let Ok(mut p) = painted.lock() {
                    if texture.is_some() {
                        working.store(true, Ordering::SeqCst);
                    }
                    *p = texture.map(|t| Painted { seq: a.seq, texture: Arc::new(t) });
                }
            }
            Err(e) if !told => {
                told = true;
                // The full analyses restyle their own frames again.
                working.store(false, Ordering::SeqCst);
                let e = e.report();
                tracing::warn!("restyling the frame shown failed: {e}; showing the full analyses' restyling");
                tell(&note_tx, format!("restyling failed: {e}"));
            }
            Err(_) => working.store(false, Ordering::SeqCst),
        }
    }
}
