//! Saliency / person mask: U^2-Net-p, min-max normalised as the reference method does.

use std::path::Path;

use crate::analysis::runtime::{Cancel, Contract, Input, Model, Runtime};
use crate::analysis::tensor::{self, Layout, Norm};
use crate::error::Result;
use crate::frame::{Frame, Map};

pub struct Saliency {
    model: Model,
    /// Long side of the model input; the short side keeps the frame's aspect (multiples of 32).
    long_side: u32,
}

impl Saliency {
    pub fn open(rt: &Runtime, path: &Path, long_side: u32) -> Result<Saliency> {
        let contract = Contract { inputs: vec![vec![Some(1), Some(3), None, None]], outputs: vec![vec![Some(1), Some(1), None, None]] };
        Ok(Saliency { model: rt.open("u2netp", path, &contract)?, long_side: long_side.max(32) })
    }

    /// Stops a run of this model in progress from another thread.
    pub fn cancel_handle(&mut self) -> Result<Cancel> {
        self.model.cancel_handle()
    }

    /// The saliency map, 0..1, at model resolution.
    pub fn run(&mut self, frame: &Frame) -> Result<Map> {
        let (w, h) = map_size(self.long_side, frame);
        let small = tensor::resize(frame, None, w, h);
        let (shape, data) = tensor::to_tensor(&small, Norm::ImageNet, Layout::Nchw);
        let out = self.model.run(&[Input { shape, data: &data }], 1)?;
        let mut map = tensor::planar_to_map(&out[0].data, 1, w, h);
        normalise(&mut map.data);
        Ok(map)
    }
}

/// The size of the map [`Saliency::run`] gives for `frame` at `long_side`.
pub fn map_size(long_side: u32, frame: &Frame) -> (u32, u32) {
    tensor::fit_size(frame.width(), frame.height(), run_side(long_side.max(32), frame), 32)
}

/// The long side the model runs at: the one asked for, but never past the frame's own (up to
/// the next multiple of 32) where that is over the default 320: an upscaled frame holds nothing
/// more, and the model's memory grows with the square of the side (`--saliency-size 2048` on a
/// 480x270 clip took 9.7 GB).
fn run_side(asked: u32, frame: &Frame) -> u32 {
    let long = frame.width().max(frame.height()).div_ceil(32) * 32;
    asked.min(long.max(320))
}

/// (x - min) / (max - min); a flat map becomes all zeros (nothing salient).
pub fn normalise(v: &mut [f32]) {
    let (lo, hi) = v.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    let range = hi - lo;
    for x in v.iter_mut() {
        *x = if range > 1e-6 { (*x - lo) / range } else { 0.0 };
    }
}

/// Scale the saliency so that it reaches 1 on the people. The model's map is min-max normalised
/// over the whole frame, so a salient wall or poster lowers it on the person and the garments
/// fade from one frame to the next; taking its 90th percentile inside the person gate as full
/// keeps the soft edge and the method's alpha while making the garments' level steady.
///
/// `owner` (at the gate's size: 0 for nobody, k + 1 for person k) scales each person by their
/// own percentile: of two children on a bed, U^2-Net-p may see one at 0.2 and the other at 1.0
/// from one frame to the next (c3), and one scale for both put all of the faint one under the
/// fringe floor.
pub fn normalise_within(saliency: &mut Map, gate: &Map, owner: Option<&[u16]>) {
    let same_size = gate.width == saliency.width && gate.height == saliency.height;
    let owner = owner.filter(|o| same_size && o.len() == saliency.data.len());
    let gate = gate.resized(saliency.width, saliency.height);
    // The saliency inside the gate, by owner (0: nobody's), in one pass.
    let people = owner.map_or(0, |o| o.iter().copied().max().unwrap_or(0) as usize);
    let mut inside: Vec<Vec<f32>> = vec![Vec::new(); people + 1];
    for (i, (s, g)) in saliency.data.iter().zip(&gate.data).enumerate() {
        if *g > 0.5 {
            inside[owner.map_or(0, |o| o[i] as usize)].push(*s);
        }
    }
    let Some(everyone) = full_of(&mut inside.concat()) else { return };
    let each: Vec<f32> = inside.iter_mut().map(|v| full_of(v).unwrap_or(everyone)).collect();
    for (i, (v, g)) in saliency.data.iter_mut().zip(&gate.data).enumerate() {
        let full = match owner.map(|o| o[i] as usize) {
            Some(k) if k > 0 => each[k],
            _ => everyone,
        };
        // Lifted only as far as the gate reaches: the soft fringe outside the person stays as
        // faint as the model made it.
        let lifted = (*v / full).min(1.0);
        *v += g * (lifted - *v);
        // The faintest third of the fringe mostly lies off the person (on small people it was
        // three quarters of the garment alpha off them); the edge stays soft above it.
        *v = ((*v - FRINGE_FLOOR) / (1.0 - FRINGE_FLOOR)).max(0.0);
    }
}

/// What counts as full saliency among `values`: their 90th percentile, None for under 16 values.
fn full_of(values: &mut [f32]) -> Option<f32> {
    if values.len() < 16 {
        return None;
    }
    let k = ((values.len() as f32 * 0.9) as usize).min(values.len() - 1);
    let (_, p90, _) = values.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
    // A person the model barely sees stays faint rather than having noise blown up.
    Some(p90.max(0.25))
}

/// Saliency below this (after scaling) is taken as off the person when someone is in view.
pub const FRINGE_FLOOR: f32 = 0.35;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_saliency_side_never_passes_the_frame_s_beyond_the_default() {
        let frame = |w, h| Frame::new(w, h);
        assert_eq!(run_side(2048, &frame(480, 270)), 480);
        assert_eq!(run_side(2048, &frame(3840, 2160)), 2048);
        assert_eq!(run_side(320, &frame(96, 64)), 320, "the default is kept for small frames");
        assert_eq!(run_side(640, &frame(100, 470)), 480);
        assert_eq!(run_side(256, &frame(1920, 1080)), 256);
    }

    #[test]
    fn saliency_reaches_one_on_the_people() {
        // A faint person (0.4) on the left, a bright wall (1.0) on the right.
        let mut s = Map::from_fn(8, 8, 1, |x, _, _| if x < 4 { 0.4 } else { 1.0 });
        let gate = Map::from_fn(8, 8, 1, |x, _, _| if x < 4 { 1.0 } else { 0.0 });
        normalise_within(&mut s, &gate, None);
        assert!((s.get(0, 0, 0) - 1.0).abs() < 1e-6);
        // The faint fringe beside a person is cut, the edge above it stays soft.
        let mut f = Map::from_fn(8, 4, 1, |x, _, _| [1.0, 1.0, 1.0, 1.0, 0.675, 0.3, 0.0, 0.0][x as usize]);
        normalise_within(&mut f, &Map::from_fn(8, 4, 1, |x, _, _| if x < 6 { 1.0 } else { 0.0 }), None);
        assert_eq!(f.get(5, 0, 0), 0.0);
        assert!((f.get(4, 0, 0) - 0.5).abs() < 1e-6);
        // Two people, one the model sees faintly (0.3) and one brightly (1.0): each is scaled by
        // their own level, so the faint one's garment is not cut at the fringe floor.
        let mut two = Map::from_fn(8, 8, 1, |x, _, _| if x < 4 { 0.3 } else { 1.0 });
        let owner: Vec<u16> = (0..64).map(|i| if i % 8 < 4 { 1 } else { 2 }).collect();
        normalise_within(&mut two, &Map::from_fn(8, 8, 1, |_, _, _| 1.0), Some(&owner));
        assert!((two.get(0, 0, 0) - 1.0).abs() < 1e-6, "{}", two.get(0, 0, 0));
        assert!((two.get(7, 0, 0) - 1.0).abs() < 1e-6);
        // Nobody in view: unchanged.
        let mut t = Map::from_fn(8, 8, 1, |_, _, _| 0.3);
        normalise_within(&mut t, &Map::new(8, 8, 1), None);
        assert_eq!(t.get(0, 0, 0), 0.3);
    }
}
