//! Style: Magenta's arbitrary stylization (predict a 100-d style vector from a style image once,
//! then run the transform network per frame) and the 26 fixed styles (`builtin:N`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::analysis::runtime::{Cancel, Contract, Input, Model, Runtime};
use crate::analysis::tensor::{self, Layout, Norm};
use crate::error::{Error, Result};
use crate::frame::Frame;

pub const BUILTIN_STYLES: u32 = 26;
const STYLE_SIZE: u32 = 256;
const VECTOR_LEN: usize = 100;

/// What the user asked for as a style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StyleSpec {
    Image(PathBuf),
    Builtin(u32),
}

impl std::str::FromStr for StyleSpec {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.strip_prefix("builtin:") {
            Some(n) => match n.parse::<u32>() {
                Ok(i) if i < BUILTIN_STYLES => Ok(StyleSpec::Builtin(i)),
                _ => Err(format!("`{s}`: built-in styles are builtin:0 to builtin:{}", BUILTIN_STYLES - 1)),
            },
            None => Ok(StyleSpec::Image(PathBuf::from(s))),
        }
    }
}

/// A style ready to apply.
#[derive(Debug, Clone)]
pub struct Style {
    pub name: String,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Vector(Vec<f32>),
    Builtin(u32),
}

#[derive(Debug, Clone, Copy)]
pub struct StyleOptions {
    /// 0..1: image styles mix the style vector with the content's own (the Magenta paper's
    /// interpolation); built-in styles mix pixels.
    pub strength: f32,
    /// Keep the stylized luminance, take colour from the original.
    pub preserve_colour: bool,
}

pub struct Stylizer {
    predict: Option<Model>,
    transform: Option<Model>,
    builtin: Option<Model>,
    /// Style vectors by the sha256 of the style image's bytes: predicted once per content.
    cache: HashMap<[u8; 32], Vec<f32>>,
}

impl Stylizer {
    /// Stop the style models' runs in progress from another thread.
    pub fn cancel_handles(&mut self) -> Result<Vec<Cancel>> {
        [self.predict.as_mut(), self.transform.as_mut(), self.builtin.as_mut()].into_iter().flatten().map(Model::cancel_handle).collect()
    }

    /// Each model is optional: a missing one disables only the styles that need it.
    pub fn open(rt: &Runtime, predict: Option<&Path>, transform: Option<&Path>, builtin: Option<&Path>) -> Result<Stylizer> {
        let predict = predict
            .map(|p| {
                let c = Contract {
                    inputs: vec![vec![Some(1), Some(STYLE_SIZE as i64), Some(STYLE_SIZE as i64), Some(3)]],
                    outputs: vec![vec![Some(1), Some(1), Some(1), Some(VECTOR_LEN as i64)]],
                };
                rt.open("style_predict", p, &c)
            })
            .transpose()?;
        let transform = transform
            .map(|p| {
                let c = Contract {
                    inputs: vec![vec![Some(1), None, None, Some(3)], vec![Some(1), Some(1), Some(1), Some(VECTOR_LEN as i64)]],
                    outputs: vec![vec![Some(1), None, None, Some(3)]],
                };
                rt.open("style_transform", p, &c)
            })
            .transpose()?;
        let builtin = builtin
            .map(|p| {
                let c = Contract {
                    inputs: vec![vec![Some(1), Some(3), None, None], vec![Some(BUILTIN_STYLES as i64)]],
                    outputs: vec![vec![None, Some(3), None, None]],
                };
                rt.open("multistyle26", p, &c)
            })
            .transpose()?;
        Ok(Stylizer { predict, transform, builtin, cache: HashMap::new() })
    }

    /// Load a style: image styles are read and their vector predicted (or taken from the cache).
    pub fn load(&mut self, spec: &StyleSpec) -> Result<Style> {
        match spec {
            StyleSpec::Builtin(i) => {
                if self.builtin.is_none() {
                    return Err(Error::ModelMissing { name: "multistyle26".into(), path: "multistyle26.onnx".into() });
                }
                Ok(Style { name: format!("builtin:{i}"), kind: Kind::Builtin(*i) })
            }
            StyleSpec::Image(path) => {
                let bytes = std::fs::read(path).map_err(|_| Error::InputMissing { path: path.clone() })?;
                let key: [u8; 32] = Sha256::digest(&bytes).into();
                let vector = match self.cache.get(&key) {
                    Some(v) => v.clone(),
                    None => {
                        let img = crate::image_file::decode_image(&bytes, path, "style")?;
                        let v = self.vector_of(&img)?;
                        self.cache.insert(key, v.clone());
                        v
                    }
                };
                let name = path.file_stem().map_or("style".into(), |s| s.to_string_lossy().into_owned());
                Ok(Style { name, kind: Kind::Vector(vector) })
            }
        }
    }

    /// The style vector of an image: centre square, 256x256, 0..1.
    pub fn vector_of(&mut self, img: &Frame) -> Result<Vec<f32>> {
        let Some(predict) = self.predict.as_mut() else {
            return Err(Error::ModelMissing { name: "style_predict".into(), path: "arbitrary_predict.onnx".into() });
        };
        let side = img.width().min(img.height());
        let crop = crate::frame::Rect { x: (img.width() - side) / 2, y: (img.height() - side) / 2, width: side, height: side };
        let small = tensor::resize(img, Some(crop), STYLE_SIZE, STYLE_SIZE);
        let (shape, data) = tensor::to_tensor(&small, Norm::Unit, Layout::Nhwc);
        let out = predict.run(&[Input { shape, data: &data }], 1)?;
        Ok(out[0].data.clone())
    }

    /// Restyle `content` (both sides multiples of 4).
    pub fn stylize(&mut self, content: &Frame, style: &Style, opts: StyleOptions) -> Result<Frame> {
        let s = opts.strength.clamp(0.0, 1.0);
        let (w, h) = (content.width(), content.height());
        let mut out = match &style.kind {
            Kind::Vector(v) => {
                let vector = if s < 1.0 {
                    let own = self.vector_of(content)?;
                    v.iter().zip(&own).map(|(a, b)| s * a + (1.0 - s) * b).collect()
                } else {
                    v.clone()
                };
                let Some(transform) = self.transform.as_mut() else {
                    return Err(Error::ModelMissing { name: "style_transform".into(), path: "arbitrary_transform.onnx".into() });
                };
                let (shape, data) = tensor::to_tensor(content, Norm::Unit, Layout::Nhwc);
                let out = transform.run(&[Input { shape, data: &data }, Input { shape: vec![1, 1, 1, VECTOR_LEN as i64], data: &vector }], 1)?;
                tensor::rgb_to_image(&out[0].data, w, h, Layout::Nhwc)
            }
            Kind::Builtin(i) => {
                let Some(model) = self.builtin.as_mut() else {
                    return Err(Error::ModelMissing { name: "multistyle26".into(), path: "multistyle26.onnx".into() });
                };
                let mut weights = vec![0.0f32; BUILTIN_STYLES as usize];
                weights[*i as usize] = 1.0;
                let (shape, data) = tensor::to_tensor(content, Norm::Unit, Layout::Nchw);
                let out = model.run(&[Input { shape, data: &data }, Input { shape: vec![BUILTIN_STYLES as i64], data: &weights }], 1)?;
                let styled = tensor::rgb_to_image(&out[0].data, w, h, Layout::Nchw);
                mix(content, &styled, s)
            }
        };
        if opts.preserve_colour {
            out = keep_colour(&out, content);
        }
        Ok(out)
    }
}

/// s * b + (1 - s) * a per channel.
fn mix(a: &Frame, b: &Frame, s: f32) -> Frame {
    if s >= 1.0 {
        return b.clone();
    }
    Frame::from_fn(a.width(), a.height(), |x, y| {
        let (p, q) = (a.get_pixel(x, y).0, b.get_pixel(x, y).0);
        let m = |i: usize| (s * q[i] as f32 + (1.0 - s) * p[i] as f32 + 0.5) as u8;
        image::Rgba([m(0), m(1), m(2), 255])
    })
}

/// Luminance of `styled`, chroma of `original` (BT.601, full range).
pub fn keep_colour(styled: &Frame, original: &Frame) -> Frame {
    Frame::from_fn(styled.width(), styled.height(), |x, y| {
        let s = styled.get_pixel(x, y).0.map(|v| v as f32);
        let o = original.get_pixel(x, y).0.map(|v| v as f32);
        let luma = 0.299 * s[0] + 0.587 * s[1] + 0.114 * s[2];
        let cb = -0.168736 * o[0] - 0.331264 * o[1] + 0.5 * o[2];
        let cr = 0.5 * o[0] - 0.418688 * o[1] - 0.081312 * o[2];
        let q = |v: f32| (v + 0.5).clamp(0.0, 255.0) as u8;
        image::Rgba([q(luma + 1.402 * cr), q(luma - 0.344136 * cb - 0.714136 * cr), q(luma + 1.772 * cb), 255])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        assert_eq!("builtin:3".parse::<StyleSpec>().unwrap(), StyleSpec::Builtin(3));
        assert!("builtin:26".parse::<StyleSpec>().is_err());
        assert_eq!("a.jpg".parse::<StyleSpec>().unwrap(), StyleSpec::Image("a.jpg".into()));
    }

    #[test]
    fn keep_colour_of_a_grey_original_is_grey() {
        let styled = Frame::from_pixel(2, 2, image::Rgba([200, 40, 90, 255]));
        let grey = Frame::from_pixel(2, 2, image::Rgba([128, 128, 128, 255]));
        let p = keep_colour(&styled, &grey).get_pixel(0, 0).0;
        assert!(p[0] == p[1] && p[1] == p[2]);
    }
}
