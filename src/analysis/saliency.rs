//! Saliency / person mask: U^2-Net-p, min-max normalised as the reference method does.

use std::path::Path;

use super::runtime::{Contract, Input, Model, Runtime};
use super::tensor::{self, Layout, Norm};
use crate::error::Result;
use crate::frame::{Frame, Map};

pub struct Saliency {
    model: Model,
    /// Long side of the model input; the short side keeps the frame's aspect (multiples of 32).
    long_side: u32,
}

impl Saliency {
    pub fn open(rt: &Runtime, path: &Path, long_side: u32) -> Result<Saliency> {
        let contract = Contract {
            inputs: vec![vec![Some(1), Some(3), None, None]],
            outputs: vec![vec![Some(1), Some(1), None, None]],
        };
        Ok(Saliency { model: rt.open("u2netp", path, &contract)?, long_side: long_side.max(32) })
    }

    /// The saliency map, 0..1, at model resolution.
    pub fn run(&mut self, frame: &Frame) -> Result<Map> {
        let (w, h) = tensor::fit_size(frame.width(), frame.height(), self.long_side, 32);
        let small = tensor::resize(frame, None, w, h);
        let (shape, data) = tensor::to_tensor(&small, Norm::ImageNet, Layout::Nchw);
        let out = self.model.run(&[Input { shape, data: &data }], 1)?;
        let mut map = tensor::planar_to_map(&out[0].data, 1, w, h);
        normalise(&mut map.data);
        Ok(map)
    }
}

/// (x - min) / (max - min); a flat map becomes all zeros (nothing salient).
pub fn normalise(v: &mut [f32]) {
    let (lo, hi) = v.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    let range = hi - lo;
    for x in v.iter_mut() {
        *x = if range > 1e-6 { (*x - lo) / range } else { 0.0 };
    }
}
