//! PAN (a human-parsing network): per pixel, how surely skin, clothes and hair.

use std::path::Path;

use crate::analysis::runtime::{Cancel, Contract, Input, Model, Runtime};
use crate::analysis::tensor::{self, Layout, Norm};
use crate::error::Result;
use crate::frame::{Frame, Map};

const PAN_SIZE: u32 = 512;

pub struct Pan {
    model: Model,
}

impl Pan {
    /// Stops a run of this model in progress from another thread.
    pub fn cancel_handles(&mut self) -> Result<Vec<Cancel>> {
        Ok(vec![self.model.cancel_handle()?])
    }

    pub fn open(rt: &Runtime, path: &Path) -> Result<Pan> {
        let c = Contract {
            inputs: vec![vec![Some(1), Some(3), Some(PAN_SIZE as i64), Some(PAN_SIZE as i64)]],
            outputs: vec![vec![None, Some(3), Some(PAN_SIZE as i64), Some(PAN_SIZE as i64)]],
        };
        Ok(Pan { model: rt.open("pan", path, &c)? })
    }

    /// Skin, clothes and hair scores (3 channels) over the whole frame, at the model's
    /// resolution.
    pub fn run(&mut self, frame: &Frame) -> Result<Map> {
        let small = tensor::resize(frame, None, PAN_SIZE, PAN_SIZE);
        let (shape, data) = tensor::to_tensor(&small, Norm::ImageNet, Layout::Nchw);
        let out = self.model.run(&[Input { shape, data: &data }], 1)?;
        Ok(tensor::planar_to_map(&out[0].data, 3, PAN_SIZE, PAN_SIZE))
    }
}
