//! `u2net-cloth`: the reference method's 4-class U^2-Net clothing model, supplied by the user
//! (rembg's `u2net_cloth_seg.onnx`). Input [1,3,768,768] RGB (x/255-0.5)/0.5; first output
//! [1,4,H,W] logits for background / upper / lower / full, decoded with a softmax.

use std::path::Path;

use super::{GarmentSegmenter, Segmentation, CLASSES};
use crate::analysis::runtime::{Cancel, Contract, Input, Model, Runtime};
use crate::analysis::tensor::{self, Layout, Norm};
use crate::error::{Error, Result};
use crate::frame::{Frame, Map};

pub struct ClothSegmenter {
    model: Model,
    width: u32,
    height: u32,
}

const DEFAULT_SIZE: u32 = 768;

impl ClothSegmenter {
    pub fn open(rt: &Runtime, path: &Path) -> Result<ClothSegmenter> {
        let contract = Contract { inputs: vec![vec![Some(1), Some(3), None, None]], outputs: vec![vec![Some(1), Some(CLASSES as i64), None, None]] };
        let model = rt.open("u2net-cloth", path, &contract)?;
        // A fixed input size is honoured; a symbolic one runs at the reference's 768.
        let shape = model.input_shape(0);
        let dim = |i: usize| shape.get(i).copied().filter(|&d| d > 0).map_or(DEFAULT_SIZE, |d| d as u32);
        Ok(ClothSegmenter { width: dim(3), height: dim(2), model })
    }
}

impl GarmentSegmenter for ClothSegmenter {
    fn name(&self) -> &'static str {
        "u2net-cloth"
    }

    fn cancel_handles(&mut self) -> Result<Vec<Cancel>> {
        Ok(vec![self.model.cancel_handle()?])
    }

    fn segment(&mut self, frame: &Frame, _saliency: &Map) -> Result<Segmentation> {
        let small = tensor::resize(frame, None, self.width, self.height);
        let (shape, data) = tensor::to_tensor(&small, Norm::Signed, Layout::Nchw);
        let out = self.model.run(&[Input { shape, data: &data }], 1)?;
        let o = &out[0];
        if o.shape.len() != 4 || o.shape[1] != CLASSES as i64 {
            return Err(Error::Inference { name: "u2net-cloth".into(), source: format!("output has shape {:?}, drape needs [1,4,H,W]", o.shape).into() });
        }
        let (h, w) = (o.shape[2] as u32, o.shape[3] as u32);
        let mut map = tensor::planar_to_map(&o.data, CLASSES, w, h);
        softmax_pixels(&mut map);
        Ok(Segmentation { parts: map, gate: None, owner: None, people: Vec::new() })
    }
}

/// Softmax over the channels of every pixel.
pub fn softmax_pixels(map: &mut Map) {
    for px in map.data.chunks_mut(map.channels as usize) {
        let m = px.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for v in px.iter_mut() {
            *v = (*v - m).exp();
            sum += *v;
        }
        for v in px.iter_mut() {
            *v /= sum;
        }
    }
}
