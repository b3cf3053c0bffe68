//! The pipeline wires the stages: capture -> analysis -> compositing -> output.
//! Photos run one after another (`photo`); video runs on threads joined by crossbeam channels
//! (`video`): offline with bounded queues and back-pressure, live with latest-wins hand-offs.

pub mod photo;
pub mod slot;
pub mod stats;
pub mod video;

pub use photo::{plan_outputs, process_photos, PhotoJob, Report, Written};

use crate::analysis::parts::PartSet;
use crate::analysis::style::{Style, StyleOptions};
use crate::analysis::{Analysis, Analyzer, Request};
use crate::error::Result;
use crate::frame::Frame;
use crate::timing::Timings;

/// The analysis stage as the video pipeline sees it. The real one is [`StyledAnalyser`]; tests
/// put in a deliberately slow one.
pub trait FrameAnalyser: Send {
    fn analyse(&mut self, frame: &Frame) -> Result<Analysis>;
    /// Per-model milliseconds recorded since the last call.
    fn drain_timings(&mut self) -> Vec<(String, f64)> {
        Vec::new()
    }
}

/// The analyzer with the style and parts the user chose.
pub struct StyledAnalyser {
    pub analyzer: Analyzer,
    pub style: Style,
    pub parts: PartSet,
    pub options: StyleOptions,
    timings: Timings,
}

impl StyledAnalyser {
    pub fn new(analyzer: Analyzer, style: Style, parts: PartSet, options: StyleOptions) -> StyledAnalyser {
        let timings = analyzer.timings().clone();
        StyledAnalyser { analyzer, style, parts, options, timings }
    }
}

impl FrameAnalyser for StyledAnalyser {
    fn analyse(&mut self, frame: &Frame) -> Result<Analysis> {
        let req = Request { parts: self.parts, style: &self.style, style_options: self.options };
        self.analyzer.analyse(frame, &req)
    }
    fn drain_timings(&mut self) -> Vec<(String, f64)> {
        self.timings.drain()
    }
}
