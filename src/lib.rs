//! drape: restyles the clothes of people in images and video in the look of any painting or
//! texture. Stages, in the order data flows: capture -> analysis -> compositing -> output,
//! wired by the pipeline.

pub mod analysis;
pub mod canvas;
pub mod capture;
pub mod compositing;
pub mod doctor;
pub mod error;
pub mod frame;
pub mod image_file;
pub mod output;
pub mod pipeline;
pub mod pixels;
pub mod timing;
pub mod window;

pub use error::{Error, Result};
