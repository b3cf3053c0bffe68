//! Live mode's third rate: the garments of the frame about to be shown, restyled.
//!
//! A full analysis restyles the crop of the frame it analysed, about once a second on two cores;
//! carried to later frames, that crop shows the cloth as it was (a sleeve lowered since keeps its
//! plain look, and someone who stepped in is painted with the last person's print). The restyler
//! runs only the style transform (a tenth of an analysis) on the crop of the newest frame the
//! garments were placed on, several times a second, so the painting moves with the cloth.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::manifest::ModelDir;
use super::models::style::{Style, StyleOptions, StyleSpec, Stylizer};
use super::runtime::Runtime;
use super::{restyle_crop, selected_rect, Analysis, Stylized};
use crate::analysis::parts::PartSet;
use crate::error::Result;
use crate::frame::{Frame, Rect};
use crate::timing::Timings;

/// What the garments look like: a style per part (upper, lower, full), the parts picked, the
/// strength; `generation` counts the changes taken, and marks each texture.
#[derive(Debug, Clone)]
pub struct Look {
    pub styles: [Style; 3],
    pub parts: PartSet,
    pub options: StyleOptions,
    pub generation: u64,
}

/// A change of what the restyling produces, sent while it runs (the mirror window's controls).
#[derive(Debug, Clone, PartialEq)]
pub enum LookChange {
    Parts(PartSet),
    /// One style per part: upper, lower, full.
    Styles([StyleSpec; 3]),
    Strength(f32),
    PreserveColour(bool),
}

impl Look {
    pub fn new(style: Style, parts: PartSet, options: StyleOptions) -> Look {
        Look { styles: [style.clone(), style.clone(), style], parts, options, generation: 0 }
    }

    /// Take `change`, loading styles with `load`; an error leaves the look as it was.
    pub fn apply(&mut self, change: &LookChange, mut load: impl FnMut(&StyleSpec) -> Result<Style>) -> Result<()> {
        match change {
            LookChange::Parts(p) => self.parts = *p,
            LookChange::Styles(specs) => {
                // All three load before any is used, so a bad file changes nothing.
                let [a, b, c] = specs;
                self.styles = [load(a)?, load(b)?, load(c)?];
            }
            LookChange::Strength(s) => self.options.strength = s.clamp(0.0, 1.0),
            LookChange::PreserveColour(on) => self.options.preserve_colour = *on,
        }
        self.generation += 1;
        Ok(())
    }

    pub fn style_refs(&self) -> [&Style; 3] {
        let [u, l, f] = &self.styles;
        [u, l, f]
    }
}

/// How far (a share of the frame's long side) the garments' rectangle may move or grow before
/// the crop restyled moves with it. The style network's strokes follow the crop: a crop that
/// shifts by a pixel or two between frames makes the painting swim on a person standing still.
const RECT_SLACK: f32 = 0.04;

pub struct Restyler {
    stylizer: Stylizer,
    look: Look,
    style_size: u32,
    timings: Timings,
    /// The rectangle restyled last, kept while the garments stay within it.
    last_rect: Option<Rect>,
    /// Set while the restyler's textures are shown: the full analyses then leave the restyling
    /// to it (they would restyle a frame a second old, at a tenth of their cost).
    working: Arc<AtomicBool>,
}

impl Restyler {
    /// The style models of `dir` on `rt`, in `look`.
    pub fn open(rt: &Runtime, dir: &ModelDir, look: Look, style_size: u32) -> Result<Restyler> {
        let path = |name: &str| Some(dir.model_path(name)).filter(|p| p.is_file());
        let stylizer = Stylizer::open(rt, path("style_predict").as_deref(), path("style_transform").as_deref(), path("multistyle26").as_deref())?;
        Ok(Restyler { stylizer, look, style_size, timings: rt.timings().clone(), last_rect: None, working: Arc::new(AtomicBool::new(false)) })
    }

    /// The same restyler in `look`.
    pub fn in_look(self, look: Look) -> Restyler {
        Restyler { look, ..self }
    }

    /// Whether its textures are being shown; the live session sets it.
    pub fn working(&self) -> Arc<AtomicBool> {
        self.working.clone()
    }

    /// Take a change of look; the next texture is in it.
    pub fn apply(&mut self, change: &LookChange) -> Result<()> {
        let stylizer = &mut self.stylizer;
        self.look.apply(change, |spec| stylizer.load(spec))
    }

    /// The selected garments of `placed` (an analysis carried to `frame`) restyled from `frame`'s
    /// own pixels; None when none is in view or the strength is 0.
    pub fn restyle(&mut self, frame: &Frame, placed: &Analysis) -> Result<Option<Stylized>> {
        let look = &self.look;
        if look.options.strength <= 0.0 || look.parts.is_empty() {
            return Ok(None);
        }
        let (fw, fh) = frame.dimensions();
        let Some(rect) = selected_rect(&placed.parts, &placed.saliency, look.parts, fw, fh) else {
            self.last_rect = None;
            return Ok(None);
        };
        let rect = steady_rect(self.last_rect, rect, fw.max(fh));
        self.last_rect = Some(rect);
        let mut st = restyle_crop(&mut self.stylizer, &self.timings, frame, rect, &placed.parts, look.parts, look.style_refs(), look.options, self.style_size)?;
        st.texture.look = look.generation;
        Ok(Some(st))
    }
}

/// `new`, or `last` where `new` lies within `last` and neither edge moved by more than the slack:
/// the same crop, so the same strokes, for a person who holds still.
pub fn steady_rect(last: Option<Rect>, new: Rect, long_side: u32) -> Rect {
    let Some(l) = last else { return new };
    let slack = (RECT_SLACK * long_side as f32).ceil() as i64;
    let (lx0, ly0, lx1, ly1) = (l.x as i64, l.y as i64, (l.x + l.width) as i64, (l.y + l.height) as i64);
    let (nx0, ny0, nx1, ny1) = (new.x as i64, new.y as i64, (new.x + new.width) as i64, (new.y + new.height) as i64);
    let inside = nx0 >= lx0 && ny0 >= ly0 && nx1 <= lx1 && ny1 <= ly1;
    let close = (nx0 - lx0).abs() <= slack && (ny0 - ly0).abs() <= slack && (nx1 - lx1).abs() <= slack && (ny1 - ly1).abs() <= slack;
    if inside && close {
        l
    } else {
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_still_garment_keeps_its_crop_and_a_moved_one_takes_a_new_one() {
        let last = Rect { x: 100, y: 80, width: 200, height: 300 };
        let jitter = Rect { x: 104, y: 82, width: 193, height: 295 };
        assert_eq!(steady_rect(Some(last), jitter, 640), last, "a few pixels within: the same crop");
        let moved = Rect { x: 160, y: 80, width: 200, height: 300 };
        assert_eq!(steady_rect(Some(last), moved, 640), moved, "moved out of it: a new crop");
        let shrunk = Rect { x: 100, y: 80, width: 100, height: 300 };
        assert_eq!(steady_rect(Some(last), shrunk, 640), shrunk, "an arm lowered: the crop follows");
        assert_eq!(steady_rect(None, jitter, 640), jitter);
    }
}
