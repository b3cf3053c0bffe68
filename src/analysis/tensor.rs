//! Turning frames into model input tensors and model outputs into maps.

use image::imageops::{self, FilterType};

use crate::frame::{Frame, Map, Rect};

/// How pixel values become model inputs.
#[derive(Debug, Clone, Copy)]
pub enum Norm {
    /// x / 255
    Unit,
    /// x / 127.5 - 1
    Signed,
    /// (x / 255 - mean) / std, ImageNet statistics
    ImageNet,
}

const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const STD: [f32; 3] = [0.229, 0.224, 0.225];

impl Norm {
    #[inline]
    fn apply(self, v: u8, c: usize) -> f32 {
        let x = v as f32;
        match self {
            Norm::Unit => x / 255.0,
            Norm::Signed => x / 127.5 - 1.0,
            Norm::ImageNet => (x / 255.0 - MEAN[c]) / STD[c],
        }
    }
}

/// Tensor layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Nchw,
    Nhwc,
}

/// Resize `frame` (or the part of it in `crop`) to w x h, area-averaging when shrinking.
pub fn resize(frame: &Frame, crop: Option<Rect>, w: u32, h: u32) -> Frame {
    // The whole frame is resized where it lies: a copy of it costs as much as a small model.
    let Some(r) = crop else {
        if frame.dimensions() == (w, h) {
            return frame.clone();
        }
        return imageops::resize(frame, w, h, FilterType::Triangle);
    };
    let view = imageops::crop_imm(frame, r.x, r.y, r.width, r.height).to_image();
    if view.width() == w && view.height() == h {
        return view;
    }
    imageops::resize(&view, w, h, FilterType::Triangle)
}

/// An RGB tensor [1,3,h,w] or [1,h,w,3] from an image of exactly that size.
pub fn to_tensor(img: &Frame, norm: Norm, layout: Layout) -> (Vec<i64>, Vec<f32>) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut data = vec![0.0f32; 3 * w * h];
    for (i, p) in img.pixels().enumerate() {
        for c in 0..3 {
            let v = norm.apply(p.0[c], c);
            match layout {
                Layout::Nchw => data[c * w * h + i] = v,
                Layout::Nhwc => data[i * 3 + c] = v,
            }
        }
    }
    let shape = match layout {
        Layout::Nchw => vec![1, 3, h as i64, w as i64],
        Layout::Nhwc => vec![1, h as i64, w as i64, 3],
    };
    (shape, data)
}

/// A map from planar channels ([C,h,w] data) of a model output.
pub fn planar_to_map(data: &[f32], channels: u32, w: u32, h: u32) -> Map {
    let plane = (w * h) as usize;
    Map::from_fn(w, h, channels, |x, y, c| data[c as usize * plane + (y * w + x) as usize])
}

/// An RGBA image from a 0..1 RGB tensor, planar or interleaved.
pub fn rgb_to_image(data: &[f32], w: u32, h: u32, layout: Layout) -> Frame {
    let plane = (w * h) as usize;
    let q = |v: f32| (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
    Frame::from_fn(w, h, |x, y| {
        let i = (y * w + x) as usize;
        let (r, g, b) = match layout {
            Layout::Nchw => (data[i], data[plane + i], data[2 * plane + i]),
            Layout::Nhwc => (data[3 * i], data[3 * i + 1], data[3 * i + 2]),
        };
        image::Rgba([q(r), q(g), q(b), 255])
    })
}

/// Size with the long side `long`, aspect kept, both sides rounded to multiples of `multiple`.
pub fn fit_size(w: u32, h: u32, long: u32, multiple: u32) -> (u32, u32) {
    let scale = long as f32 / w.max(h) as f32;
    let round = |v: f32| (((v / multiple as f32).round() as u32).max(1)) * multiple;
    (round(w as f32 * scale), round(h as f32 * scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_size_keeps_aspect_in_multiples() {
        assert_eq!(fit_size(640, 480, 320, 32), (320, 256));
        assert_eq!(fit_size(480, 640, 384, 4), (288, 384));
        assert_eq!(fit_size(10, 1000, 320, 32), (32, 320));
    }

    #[test]
    fn tensor_layouts_hold_the_same_values() {
        let img = Frame::from_fn(2, 1, |x, _| image::Rgba([x as u8 * 255, 0, 51, 255]));
        let (s, d) = to_tensor(&img, Norm::Unit, Layout::Nchw);
        assert_eq!(s, vec![1, 3, 1, 2]);
        assert_eq!(d, vec![0.0, 1.0, 0.0, 0.0, 0.2, 0.2]);
        let (_, d) = to_tensor(&img, Norm::Unit, Layout::Nhwc);
        assert_eq!(d, vec![0.0, 0.0, 0.2, 1.0, 0.0, 0.2]);
    }
}
