//! The pipeline wires the stages: capture -> analysis -> compositing -> output.
//! Photos run one after another (`photo`); video runs on threads joined by crossbeam channels
//! (`video`): offline with bounded queues and back-pressure, live with latest-wins hand-offs.

pub mod live;
pub mod photo;
pub mod shots;
pub mod sinks;
pub mod slot;
pub mod stats;
pub mod video;

pub use photo::{plan_outputs, process_photos, PhotoJob, Report, Written};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::analysis::follow::Follower;
use crate::analysis::models::saliency::Saliency;
use crate::analysis::models::style::{Style, StyleOptions};
use crate::analysis::parts::PartSet;
use crate::analysis::restyle::{Look, Restyler};
use crate::analysis::runtime::{Cancel, Cancels};
use crate::analysis::Analyser;
use crate::analysis::Analysis;
use crate::error::Result;
use crate::frame::{Frame, Map};
use crate::timing::Timings;

/// The analysis stage as the video pipeline sees it. The real one is [`StyledAnalyser`]; tests
/// put in a deliberately slow one.
pub trait FrameAnalyser: Send {
    fn analyse(&mut self, frame: &Frame) -> Result<Analysis>;
    /// Per-model milliseconds recorded since the last call.
    fn drain_timings(&mut self) -> Vec<(String, f64)> {
        Vec::new()
    }
    /// Take a change of look made while running (the mirror window's controls). An error leaves
    /// the look as it was.
    fn apply(&mut self, _change: &LookChange) -> Result<()> {
        Ok(())
    }
    /// The cheap follower that carries each analysis to the frames after it, for live mode's
    /// second rate; None where there is none (live then shows each analysis as it is).
    fn take_follower(&mut self) -> Option<Follower> {
        None
    }
    /// The restyler that restyles the garments of each frame the follower placed them on, for
    /// live mode's third rate; None where there is none (the full analyses' crops are shown).
    fn take_restyler(&mut self) -> Option<Restyler> {
        None
    }
    /// The first model, for the offline pipeline to run on a thread of its own a frame ahead of
    /// the rest; None where the analysis is one piece. Once taken, frames come through
    /// `analyse_after`.
    fn take_first_stage(&mut self) -> Option<Box<dyn FirstStage>> {
        None
    }
    /// The analysis of a frame given the first stage's output for it.
    fn analyse_after(&mut self, frame: &Frame, first: Map) -> Result<Analysis> {
        let _ = first;
        self.analyse(frame)
    }
    /// The frames from now on are of someone else (a cut, the person gone): forget the people
    /// followed so far, or a person held over from before (when the detector misses them for an
    /// analysis or two) is drawn on whoever came next.
    fn forget(&mut self) {}
    /// The next frame analysed is `frames` after the last one (live mode analyses one frame in
    /// many): what the analysis averages over time weighs the last analyses by their age.
    fn frames_apart(&mut self, frames: u64) {
        let _ = frames;
    }
    /// A quick first look at a frame, for live mode while nobody in view has been analysed (the
    /// first frames, someone new after a cut): cheaper and rougher than [`FrameAnalyser::analyse`];
    /// None where the analyser has no such look.
    fn analyse_quick(&mut self, frame: &Frame) -> Result<Option<Analysis>> {
        let _ = frame;
        Ok(None)
    }
    /// What stops this analyser's runs in progress (`analyse`, `analyse_after`, `analyse_quick`)
    /// from another thread: live mode abandons the analysis of someone who has left. None where
    /// runs cannot be stopped.
    fn stopper(&mut self) -> Option<Arc<dyn StopRun>> {
        None
    }
}

/// The part of the analysis that can run ahead, on its own thread.
pub trait FirstStage: Send {
    fn run(&mut self, frame: &Frame) -> Result<Map>;
    /// What stops a run in progress from another thread (live mode abandons the analysis of a
    /// frame whose person has left); None where runs cannot be stopped.
    fn stopper(&mut self) -> Option<Arc<dyn StopRun>> {
        None
    }
}

/// Stops a [`FirstStage`]'s run in progress: the run ends with an error, and so does every run
/// after it until [`StopRun::clear`].
pub trait StopRun: Send + Sync {
    fn stop(&self);
    fn clear(&self);
}

impl StopRun for Cancels {
    fn stop(&self) {
        Cancels::stop(self)
    }
    fn clear(&self) {
        Cancels::clear(self)
    }
}

impl StopRun for Cancel {
    fn stop(&self) {
        Cancel::stop(self)
    }
    fn clear(&self) {
        Cancel::clear(self)
    }
}

impl FirstStage for Saliency {
    fn run(&mut self, frame: &Frame) -> Result<Map> {
        Saliency::run(self, frame)
    }
    fn stopper(&mut self) -> Option<Arc<dyn StopRun>> {
        match self.cancel_handle() {
            Ok(c) => Some(Arc::new(c)),
            Err(e) => {
                tracing::debug!("the saliency model's runs cannot be stopped: {}", e.report());
                None
            }
        }
    }
}

pub use crate::analysis::restyle::LookChange;

/// The analyser with the style and parts the user chose.
pub struct StyledAnalyser {
    pub analyser: Analyser,
    pub look: Look,
    timings: Timings,
    /// Live mode's follower, when the caller gave one.
    follower: Option<Follower>,
    /// Live mode's restyler, when the caller gave one.
    restyler: Option<Restyler>,
    /// Once the restyler is taken: whether its textures are shown, so that the full analyses need
    /// not restyle.
    restyled_elsewhere: Option<Arc<AtomicBool>>,
}

impl StyledAnalyser {
    pub fn new(analyser: Analyser, style: Style, parts: PartSet, options: StyleOptions) -> StyledAnalyser {
        let timings = analyser.timings().clone();
        StyledAnalyser { analyser, look: Look::new(style, parts, options), timings, follower: None, restyler: None, restyled_elsewhere: None }
    }

    /// With the follower that live mode runs beside this analyser.
    pub fn with_follower(self, follower: Option<Follower>) -> StyledAnalyser {
        StyledAnalyser { follower, ..self }
    }

    /// With the restyler that live mode runs beside this analyser, taking this analyser's look.
    pub fn with_restyler(self, restyler: Option<Restyler>) -> StyledAnalyser {
        let restyler = restyler.map(|r| r.in_look(self.look.clone()));
        StyledAnalyser { restyler, ..self }
    }

    fn analyse_given(&mut self, frame: &Frame, first: Option<Map>) -> Result<Analysis> {
        let look = &self.look;
        // The maps are the same either way; only the style transform is left out.
        let elsewhere = self.restyled_elsewhere.as_ref().is_some_and(|w| w.load(Ordering::SeqCst));
        let selected = if elsewhere { PartSet::default() } else { look.parts };
        tracing::trace!(elsewhere, "full analysis; restyled by the restyler");
        let mut a = match first {
            Some(m) => self.analyser.analyse_styles_given(frame, m, selected, look.style_refs(), look.options)?,
            None => self.analyser.analyse_styles(frame, selected, look.style_refs(), look.options)?,
        };
        if let Some(s) = a.stylized.as_mut() {
            s.texture.look = look.generation;
        }
        Ok(a)
    }
}

impl FrameAnalyser for StyledAnalyser {
    fn analyse(&mut self, frame: &Frame) -> Result<Analysis> {
        self.analyse_given(frame, None)
    }
    fn stopper(&mut self) -> Option<Arc<dyn StopRun>> {
        match self.analyser.cancel_handles() {
            Ok(c) => Some(Arc::new(c)),
            Err(e) => {
                tracing::debug!("the analysis' model runs cannot be stopped: {}", e.report());
                None
            }
        }
    }
    fn take_first_stage(&mut self) -> Option<Box<dyn FirstStage>> {
        self.analyser.take_saliency().map(|s| Box::new(s) as Box<dyn FirstStage>)
    }
    fn analyse_after(&mut self, frame: &Frame, first: Map) -> Result<Analysis> {
        self.analyse_given(frame, Some(first))
    }
    fn forget(&mut self) {
        self.analyser.forget();
    }
    fn frames_apart(&mut self, frames: u64) {
        self.analyser.frames_apart(frames);
    }
    fn analyse_quick(&mut self, frame: &Frame) -> Result<Option<Analysis>> {
        let look = &self.look;
        // Restyled here even beside the restyler: its next texture is a step behind, and the
        // quick look is there to show the new person's garments at once.
        let mut a = self.analyser.analyse_quick(frame, look.parts, look.style_refs(), look.options)?;
        if let Some(s) = a.stylized.as_mut() {
            s.texture.look = look.generation;
        }
        Ok(Some(a))
    }
    fn apply(&mut self, change: &LookChange) -> Result<()> {
        let analyser = &mut self.analyser;
        self.look.apply(change, |spec| analyser.load_style(spec))
    }
    fn drain_timings(&mut self) -> Vec<(String, f64)> {
        self.timings.drain()
    }
    fn take_follower(&mut self) -> Option<Follower> {
        self.follower.take()
    }
    fn take_restyler(&mut self) -> Option<Restyler> {
        let r = self.restyler.take()?;
        self.restyled_elsewhere = Some(r.working());
        Some(r)
    }
}
