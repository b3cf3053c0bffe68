//! MediaPipe selfie segmentation: a fast person mask, strong on webcam framing. The general model
//! takes a square; the landscape one takes 144x256 and suits 4:3 and 16:9 frames better.

use std::path::Path;

use crate::analysis::runtime::{Cancel, Contract, Input, Model, Runtime};
use crate::analysis::tensor::{self, Layout, Norm};
use crate::error::Result;
use crate::frame::{Frame, Map};

pub struct Selfie {
    square: Option<Model>,
    landscape: Option<Model>,
}

impl Selfie {
    /// Stop the selfie models' runs in progress from another thread.
    pub fn cancel_handles(&mut self) -> Result<Vec<Cancel>> {
        [self.square.as_mut(), self.landscape.as_mut()].into_iter().flatten().map(Model::cancel_handle).collect()
    }

    /// Either model may be missing; with neither there is no selfie mask.
    pub fn open(rt: &Runtime, square: Option<&Path>, landscape: Option<&Path>) -> Result<Option<Selfie>> {
        let contract =
            |h: i64, w: i64| Contract { inputs: vec![vec![Some(1), Some(h), Some(w), Some(3)]], outputs: vec![vec![Some(1), Some(h), Some(w), Some(1)]] };
        let square = square.map(|p| rt.open("selfie", p, &contract(256, 256))).transpose()?;
        let landscape = landscape.map(|p| rt.open("selfie_landscape", p, &contract(144, 256))).transpose()?;
        Ok((square.is_some() || landscape.is_some()).then_some(Selfie { square, landscape }))
    }

    /// Like [`Selfie::open`], on one ONNX Runtime thread that sleeps when idle: for the live
    /// follower, which shares the cores with the display and the full analysis.
    pub fn open_lean(rt: &Runtime, square: Option<&Path>, landscape: Option<&Path>) -> Result<Option<Selfie>> {
        let lean = rt.lean();
        Self::open(&lean, square, landscape)
    }

    /// Person probability 0..1 over the whole frame, at the model's resolution.
    pub fn run(&mut self, frame: &Frame) -> Result<Map> {
        let wide = frame.width() as f32 > 1.2 * frame.height() as f32;
        let (model, w, h) = match (wide, self.landscape.as_mut(), self.square.as_mut()) {
            (true, Some(m), _) | (false, Some(m), None) => (m, 256, 144),
            (_, _, Some(m)) => (m, 256, 256),
            (_, None, None) => return Ok(Map::new(1, 1, 1)),
        };
        let small = tensor::resize(frame, None, w, h);
        let (shape, data) = tensor::to_tensor(&small, Norm::Unit, Layout::Nhwc);
        let out = model.run(&[Input { shape, data: &data }], 1)?;
        let mut map = tensor::planar_to_map(&out[0].data, 1, w, h);
        for v in &mut map.data {
            *v = v.clamp(0.0, 1.0);
        }
        Ok(map)
    }
}
