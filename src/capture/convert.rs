//! Camera pixel formats to RGBA. YUV is BT.601 limited range (what webcams send and ffmpeg
//! assumes), in integer arithmetic: these conversions are the measured bottleneck of camera
//! capture, so they avoid floats and per-pixel branches.

use crate::error::{Error, Result};
use crate::frame::Frame;

/// Pixel formats a camera may deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    /// packed 4:2:2, Y0 U Y1 V
    Yuyv,
    /// planar Y, then interleaved U V at half resolution
    Nv12,
    /// one JPEG per frame
    Mjpeg,
    /// packed R G B
    Rgb,
}

#[inline(always)]
fn clamp8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// One pixel: c = 298 (Y - 16), d = U - 128, e = V - 128 (fixed point, 8 fractional bits).
#[inline(always)]
fn yuv_px(c: i32, d: i32, e: i32) -> [u8; 4] {
    [clamp8((c + 409 * e + 128) >> 8), clamp8((c - 100 * d - 208 * e + 128) >> 8), clamp8((c + 516 * d + 128) >> 8), 255]
}

fn size_error(format: &str, w: u32, h: u32, need: usize, got: usize) -> Error {
    Error::camera(format!("{format} frame of {w}x{h} needs {need} bytes, got {got}"))
}

pub fn yuyv_to_rgba(data: &[u8], w: u32, h: u32) -> Result<Frame> {
    let need = (w.div_ceil(2) * 4 * h) as usize;
    if data.len() < need {
        return Err(size_error("YUYV", w, h, need, data.len()));
    }
    let row_in = (w.div_ceil(2) * 4) as usize;
    let mut out = vec![0u8; (w * h * 4) as usize];
    for (y, row) in out.chunks_exact_mut((w * 4) as usize).enumerate() {
        let src = &data[y * row_in..(y + 1) * row_in];
        for (x, px) in row.chunks_exact_mut(4).enumerate() {
            let q = &src[(x / 2) * 4..(x / 2) * 4 + 4];
            let luma = if x % 2 == 0 { q[0] } else { q[2] };
            px.copy_from_slice(&yuv_px(298 * (luma as i32 - 16), q[1] as i32 - 128, q[3] as i32 - 128));
        }
    }
    Frame::from_raw(w, h, out).ok_or_else(|| size_error("YUYV", w, h, need, data.len()))
}

pub fn nv12_to_rgba(data: &[u8], w: u32, h: u32) -> Result<Frame> {
    let (cw, ch) = (w.div_ceil(2) as usize, h.div_ceil(2) as usize);
    let luma = (w * h) as usize;
    let need = luma + cw * ch * 2;
    if data.len() < need {
        return Err(size_error("NV12", w, h, need, data.len()));
    }
    let (ys, uv) = data.split_at(luma);
    let mut out = vec![0u8; (w * h * 4) as usize];
    for (y, row) in out.chunks_exact_mut((w * 4) as usize).enumerate() {
        let yrow = &ys[y * w as usize..(y + 1) * w as usize];
        let crow = &uv[(y / 2) * cw * 2..(y / 2) * cw * 2 + cw * 2];
        for (x, px) in row.chunks_exact_mut(4).enumerate() {
            let (u, v) = (crow[(x / 2) * 2] as i32 - 128, crow[(x / 2) * 2 + 1] as i32 - 128);
            px.copy_from_slice(&yuv_px(298 * (yrow[x] as i32 - 16), u, v));
        }
    }
    Frame::from_raw(w, h, out).ok_or_else(|| size_error("NV12", w, h, need, data.len()))
}

/// Camera JPEGs often leave out the Huffman tables; the decoder fills in the standard ones.
pub fn mjpeg_to_rgba(data: &[u8]) -> Result<Frame> {
    image::load_from_memory_with_format(data, image::ImageFormat::Jpeg).map(|i| i.to_rgba8()).map_err(|e| Error::camera_because("bad MJPEG frame", e))
}

pub fn rgb_to_rgba(data: &[u8], w: u32, h: u32) -> Result<Frame> {
    let need = (w * h * 3) as usize;
    if data.len() < need {
        return Err(size_error("RGB", w, h, need, data.len()));
    }
    let out = data[..need].chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
    Frame::from_raw(w, h, out).ok_or_else(|| size_error("RGB", w, h, need, data.len()))
}

pub fn to_rgba(format: PixelFormat, data: &[u8], w: u32, h: u32) -> Result<Frame> {
    match format {
        PixelFormat::Yuyv => yuyv_to_rgba(data, w, h),
        PixelFormat::Nv12 => nv12_to_rgba(data, w, h),
        PixelFormat::Mjpeg => mjpeg_to_rgba(data),
        PixelFormat::Rgb => rgb_to_rgba(data, w, h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limited_range_extremes() {
        // Y=16 is black, Y=235 white, with neutral chroma.
        assert_eq!(yuv_px(0, 0, 0), [0, 0, 0, 255]);
        assert_eq!(yuv_px(298 * (235 - 16), 0, 0), [255, 255, 255, 255]);
        let f = yuyv_to_rgba(&[235, 128, 16, 128], 2, 1).unwrap();
        assert_eq!(f.get_pixel(0, 0).0, [255, 255, 255, 255]);
        assert_eq!(f.get_pixel(1, 0).0, [0, 0, 0, 255]);
    }

    #[test]
    fn short_buffers_are_errors_not_panics() {
        assert!(yuyv_to_rgba(&[0; 7], 2, 2).is_err());
        assert!(nv12_to_rgba(&[0; 5], 2, 2).is_err());
        assert!(mjpeg_to_rgba(&[0xFF, 0xD8]).is_err());
    }
}
