//! Outputs that measure instead of writing, for `drape bench`: how steady the garment mask is
//! over a clip (the IoU of the restyled area, alpha > 0.5, between consecutive output frames,
//! leaving out hard cuts; a garment that blinks on and off shows as a low IoU) and how live and
//! offline garments agree. The tests measure with the same functions.

use std::sync::{Arc, Mutex};

use crate::error::Result;
use crate::frame::Frame;
use crate::output::sink::{Finished, Sink};

/// The restyled area of an alpha-view frame (alpha channel above one half).
pub fn mask_of(alpha_view: &Frame) -> Vec<bool> {
    alpha_view.pixels().map(|p| p.0[3] > 127).collect()
}

/// Intersection over union of two masks of one size; two empty masks agree fully.
pub fn iou(a: &[bool], b: &[bool]) -> f64 {
    let (mut inter, mut union) = (0u64, 0u64);
    for (&p, &q) in a.iter().zip(b) {
        inter += (p && q) as u64;
        union += (p || q) as u64;
    }
    if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    }
}

/// How much a frame changed from the one before: the mean absolute difference of a coarse grey
/// grid (0..1).
pub fn frame_change(previous: &Frame, current: &Frame) -> f32 {
    const GW: u32 = 32;
    const GH: u32 = 24;
    let grid = |f: &Frame| -> Vec<f32> {
        let small = image::imageops::resize(f, GW, GH, image::imageops::FilterType::Triangle);
        small.pixels().map(|p| (0.299 * p.0[0] as f32 + 0.587 * p.0[1] as f32 + 0.114 * p.0[2] as f32) / 255.0).collect()
    };
    let (a, b) = (grid(previous), grid(current));
    a.iter().zip(&b).map(|(p, q)| (p - q).abs()).sum::<f32>() / a.len() as f32
}

/// Which changes between consecutive frames are hard cuts: a spike well above the changes
/// around it. A cut between two takes of one person in one room changes little of a coarse grid,
/// but far more than the motion in the frames on either side.
pub fn hard_cuts(changes: &[f32]) -> Vec<bool> {
    (0..changes.len())
        .map(|i| {
            let mut sorted: Vec<f32> = (i.saturating_sub(8)..(i + 9).min(changes.len())).filter(|&j| j != i).map(|j| changes[j]).collect();
            sorted.sort_by(|a, b| a.total_cmp(b));
            let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
            changes[i] > 0.015 && changes[i] > 5.0 * median.max(0.001)
        })
        .collect()
}

/// A mask (`w` x `h`) carried to the next frame along the motion between them: each pixel of
/// the next frame takes the mask where `from` says that pixel was in this one (normalised 0..1
/// coordinates both ways). Its IoU with the next frame's own mask is the steadiness net of motion:
/// a garment that follows a moving person loses nothing to the motion (issue 32). None when the
/// mask is not `w` x `h`.
pub fn carried(mask: &[bool], (w, h): (u32, u32), from: impl Fn(f32, f32) -> (f32, f32)) -> Option<Vec<bool>> {
    if mask.len() != (w as usize) * (h as usize) {
        return None;
    }
    let mut out = Vec::with_capacity(mask.len());
    for y in 0..h {
        for x in 0..w {
            let (s, t) = from((x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32);
            let (px, py) = ((s * w as f32).floor(), (t * h as f32).floor());
            let inside = px >= 0.0 && py >= 0.0 && px < w as f32 && py < h as f32;
            out.push(inside && mask[(py as u32 * w + px as u32) as usize]);
        }
    }
    Some(out)
}

/// A sink that takes alpha-view frames and records the mask IoU of each consecutive pair:
/// entry `i` is the pair (frame i, frame i+1).
#[derive(Clone, Default)]
pub struct SteadinessSink {
    ious: Arc<Mutex<Vec<f64>>>,
    previous: Option<Vec<bool>>,
    frames: u64,
}

impl SteadinessSink {
    /// The IoUs so far, shared with a clone of this sink that went into the pipeline.
    pub fn ious(&self) -> Vec<f64> {
        self.ious.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Sink for SteadinessSink {
    fn write(&mut self, frame: &Frame) -> Result<()> {
        let mask = mask_of(frame);
        if let Some(prev) = &self.previous {
            let v = iou(prev, &mask);
            if let Ok(mut ious) = self.ious.lock() {
                ious.push(v);
            }
        }
        self.previous = Some(mask);
        self.frames += 1;
        Ok(())
    }

    fn finish(self: Box<Self>, _complete: bool) -> Result<Finished> {
        Ok(Finished { what: "steadiness".into(), path: None, frames: self.frames })
    }
}

/// A sink that keeps the mask of every alpha-view frame it takes, in order: entry `i` is the
/// frame numbered `i + 1` of an offline run.
#[derive(Clone, Default)]
pub struct MaskSink {
    masks: Arc<Mutex<Vec<Vec<bool>>>>,
}

impl MaskSink {
    /// The masks so far, shared with a clone of this sink that went into the pipeline.
    pub fn masks(&self) -> Vec<Vec<bool>> {
        self.masks.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// The masks so far, taken out (no copy of a long clip's masks).
    pub fn take(&self) -> Vec<Vec<bool>> {
        self.masks.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default()
    }
}

impl Sink for MaskSink {
    fn write(&mut self, frame: &Frame) -> Result<()> {
        if let Ok(mut m) = self.masks.lock() {
            m.push(mask_of(frame));
        }
        Ok(())
    }

    fn finish(self: Box<Self>, _complete: bool) -> Result<Finished> {
        let frames = self.masks.lock().map(|m| m.len() as u64).unwrap_or(0);
        Ok(Finished { what: "masks".into(), path: None, frames })
    }
}

/// How close live garments are to a full analysis of the same frames: for each live frame
/// `(seq, mask)`, the IoU against the offline mask of frame `seq` (`offline[seq - 1]`); the mean
/// over the frames both have, and how many those are.
pub fn agreement(live: &[(u64, Vec<bool>)], offline: &[Vec<bool>]) -> (f64, usize) {
    let ious: Vec<f64> = live.iter().filter_map(|(seq, m)| offline.get((*seq as usize).checked_sub(1)?).map(|o| iou(m, o))).collect();
    if ious.is_empty() {
        return (0.0, 0);
    }
    (ious.iter().sum::<f64>() / ious.len() as f64, ious.len())
}

/// The share of a mask that is garment.
pub fn share(mask: &[bool]) -> f64 {
    mask.iter().filter(|&&m| m).count() as f64 / mask.len().max(1) as f64
}

/// Live frames whose garments vanished: a full analysis of the frame has garment on at least 1%
/// of it, and the live frame less than a tenth of that.
pub fn vanished(live: &[(u64, Vec<bool>)], offline: &[Vec<bool>]) -> usize {
    live.iter()
        .filter(|(seq, m)| {
            let Some(o) = (*seq as usize).checked_sub(1).and_then(|i| offline.get(i)) else { return false };
            let full = share(o);
            full >= 0.01 && share(m) < 0.1 * full
        })
        .count()
}

/// The figures of one clip.
#[derive(Debug, Clone, PartialEq)]
pub struct Steadiness {
    pub mean_iou: f64,
    pub min_iou: f64,
    /// Consecutive pairs counted.
    pub pairs: usize,
    /// Pairs left out as hard cuts.
    pub cuts: usize,
}

/// Mean and least IoU over the pairs that are not hard cuts (`cut[i]` is the pair i, i+1).
pub fn summarise(ious: &[f64], cut: &[bool]) -> Steadiness {
    let kept: Vec<f64> = not_cut(ious, cut).map(|(_, v)| v).collect();
    let cuts = ious.len() - kept.len();
    let mean_iou = if kept.is_empty() { 1.0 } else { kept.iter().sum::<f64>() / kept.len() as f64 };
    let min_iou = kept.iter().copied().fold(1.0, f64::min);
    Steadiness { mean_iou, min_iou, pairs: kept.len(), cuts }
}

/// The pairs that are not hard cuts, as (pair index, IoU).
fn not_cut<'a>(ious: &'a [f64], cut: &'a [bool]) -> impl Iterator<Item = (usize, f64)> + 'a {
    ious.iter().copied().enumerate().filter(|(i, _)| !cut.get(*i).copied().unwrap_or(false))
}

/// The `n` lowest pairs that are not hard cuts, lowest first, as (pair index, IoU): pair `i` is
/// frames `i + 1` and `i + 2` counted from 1. Where a clip blinks is where to look.
pub fn lowest(ious: &[f64], cut: &[bool], n: usize) -> Vec<(usize, f64)> {
    let mut kept: Vec<(usize, f64)> = not_cut(ious, cut).collect();
    kept.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    kept.truncate(n);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mask_carried_along_the_motion_matches_the_moved_mask() {
        // A 4-pixel-wide bar moved 2 pixels right between frames of 20 x 10.
        let bar = |x0: u32| (0..200).map(|i| (i % 20) >= x0 && (i % 20) < x0 + 4).collect::<Vec<bool>>();
        let (before, after) = (bar(5), bar(7));
        assert!(iou(&before, &after) < 0.5, "raw: {}", iou(&before, &after));
        let moved = carried(&before, (20, 10), |s, t| (s - 2.0 / 20.0, t)).unwrap();
        assert!(carried(&before, (10, 10), |s, t| (s, t)).is_none(), "a mask of another size");
        assert_eq!(iou(&moved, &after), 1.0);
    }

    #[test]
    fn iou_of_masks() {
        assert_eq!(iou(&[true, true, false, false], &[true, false, true, false]), 1.0 / 3.0);
        assert_eq!(iou(&[false, false], &[false, false]), 1.0);
    }

    #[test]
    fn a_blinking_mask_scores_low_and_cuts_are_left_out() {
        let on = Frame::from_pixel(4, 4, image::Rgba([9, 9, 9, 255]));
        let off = Frame::from_pixel(4, 4, image::Rgba([9, 9, 9, 0]));
        let mut sink = SteadinessSink::default();
        let probe = sink.clone();
        for f in [&on, &off, &on, &on] {
            sink.write(f).unwrap();
        }
        assert_eq!(probe.ious(), vec![0.0, 0.0, 1.0]);
        let s = summarise(&probe.ious(), &[false, true, false]);
        // The hard cut is no blink: the lowest pair is the first.
        assert_eq!(lowest(&probe.ious(), &[false, true, false], 5), vec![(0, 0.0), (2, 1.0)]);
        assert_eq!((s.pairs, s.cuts), (2, 1));
        assert_eq!(s.mean_iou, 0.5);
        assert_eq!(s.min_iou, 0.0);
    }

    #[test]
    fn live_frames_are_compared_with_the_offline_mask_of_the_same_frame() {
        let offline = vec![vec![true, true], vec![true, false], vec![false, false]];
        // Frame 2 matches, frame 3 has one of one pixel wrong, frame 9 was never analysed offline.
        let live = vec![(2, vec![true, false]), (3, vec![true, false]), (9, vec![true, true])];
        assert_eq!(agreement(&live, &offline), (0.5, 2));
        assert_eq!(agreement(&[], &offline), (0.0, 0));
    }

    #[test]
    fn hard_cuts_are_told_from_motion() {
        let dark = Frame::from_pixel(64, 48, image::Rgba([20, 20, 20, 255]));
        let bright = Frame::from_pixel(64, 48, image::Rgba([200, 200, 200, 255]));
        assert!(frame_change(&dark, &bright) > 0.5);
        assert_eq!(frame_change(&dark, &dark), 0.0);
        // Steady motion with one spike: only the spike is a cut.
        let mut changes = vec![0.004f32; 30];
        changes[12] = 0.03;
        changes[20] = 0.008;
        let cuts = hard_cuts(&changes);
        assert!(cuts[12]);
        assert_eq!(cuts.iter().filter(|c| **c).count(), 1);
    }
}
