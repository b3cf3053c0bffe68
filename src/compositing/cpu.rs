//! The plain-Rust twin of shaders/blend.wgsl: the same arithmetic, step for step, on the
//! same [`Uniforms`]. The CPU fallback compositor and the yardstick the shader's tests use.

use super::{Layers, Uniforms, EXTEND_REACH, FLAG_EXTEND, FLAG_RESET, FLAG_SMOOTH, FLAG_STYLIZED, VIEW_ALPHA, VIEW_HARD, VIEW_MASK, VIEW_SPLIT};
use crate::analysis::parts::CLASSES;
use crate::frame::{bilinear, clamp_to, Frame};

/// Tint colours of the mask view, 0..1: upper red, lower green, full yellow.
pub const TINTS: [[f32; 3]; 3] = [[0.9, 0.15, 0.15], [0.15, 0.8, 0.25], [0.95, 0.85, 0.15]];

/// The CPU compositor: the twin plus its smoothing state.
#[derive(Debug, Default)]
pub struct CpuCompositor {
    state: Vec<f32>,
    size: (u32, u32),
}

impl CpuCompositor {
    pub fn composite(&mut self, frame: &Frame, layers: &Layers<'_>, params: &super::Params) -> Frame {
        let mut u = Uniforms::new(frame.width(), frame.height(), layers, params);
        if self.size != frame.dimensions() {
            self.size = frame.dimensions();
            self.state = vec![0.0; (frame.width() * frame.height()) as usize];
            u.flags |= FLAG_RESET;
        }
        composite(frame, layers, &u, &mut self.state)
    }
}

/// (soft, hard) selection alpha at frame position (fx, fy) (pixel centre coordinates).
#[inline]
fn select_at(l: &Layers<'_>, u: &Uniforms, fx: f32, fy: f32) -> (f32, f32) {
    let px = fx * u.parts_scale[0] - 0.5;
    let py = fy * u.parts_scale[1] - 0.5;
    let s = [0, 1, 2, 3].map(|c| l.parts.sample_texel(px, py, c));
    let mut sel = 0.0;
    let mut best = 0u32;
    for c in 1..CLASSES {
        if u.parts_bits & (1 << (c - 1)) != 0 {
            sel += s[c as usize];
        }
        if s[c as usize] > s[best as usize] {
            best = c;
        }
    }
    let sal = l.saliency.sample_texel(fx * u.saliency_scale[0] - 0.5, fy * u.saliency_scale[1] - 0.5, 0);
    let soft = sel.clamp(0.0, 1.0) * sal;
    // The fringe floor: the faint edge of the upsampled maps is cut, the rest spans 0..1 again.
    let soft = (soft - u.fringe_floor).max(0.0) / (1.0 - u.fringe_floor);
    let hard = if best > 0 && u.parts_bits & (1 << (best - 1)) != 0 { 1.0 } else { 0.0 };
    (soft, hard)
}

/// Feathered (soft, hard): the mean over a 3x3 grid of taps `feather` pixels apart.
#[inline]
fn feathered(l: &Layers<'_>, u: &Uniforms, fx: f32, fy: f32) -> (f32, f32) {
    if u.feather <= 0.0 {
        return select_at(l, u, fx, fy);
    }
    let (mut soft, mut hard) = (0.0, 0.0);
    for j in -1..=1 {
        for i in -1..=1 {
            let (s, h) = select_at(l, u, fx + i as f32 * u.feather, fy + j as f32 * u.feather);
            soft += s;
            hard += h;
        }
    }
    (soft * (1.0 / 9.0), hard * (1.0 / 9.0))
}

#[inline]
fn quantise(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

/// One composite. `state` holds the smoothed alpha per frame pixel (read and written). Bands of
/// rows run on scoped threads: every pixel is computed alone, so the result is the same as in
/// one pass (the window composites on the CPU where the GPU is Mesa's software one).
pub fn composite(frame: &Frame, l: &Layers<'_>, u: &Uniforms, state: &mut [f32]) -> Frame {
    let (w, h) = (u.frame[0], u.frame[1]);
    let n = (w * h) as usize;
    let mut scratch = Vec::new();
    let state = if state.len() >= n {
        &mut state[..n]
    } else {
        scratch.resize(n, 0.0);
        &mut scratch[..]
    };
    let mut out = vec![0u8; n * 4];
    let threads = if n < 64 * 1024 { 1 } else { std::thread::available_parallelism().map_or(1, |t| t.get()).min(4) };
    let rows = (h as usize).div_ceil(threads).max(1);
    let band = |y0: usize, out: &mut [u8], state: &mut [f32]| {
        for (i, (px, st)) in out.chunks_exact_mut(4).zip(state.iter_mut()).enumerate() {
            let (x, y) = ((i % w as usize) as u32, (y0 + i / w as usize) as u32);
            px.copy_from_slice(&pixel(frame, l, u, x, y, st));
        }
    };
    std::thread::scope(|scope| {
        for (b, (o, s)) in out.chunks_mut(rows * w as usize * 4).zip(state.chunks_mut(rows * w as usize)).enumerate() {
            if b + 1 == threads || threads == 1 {
                band(b * rows, o, s);
            } else {
                scope.spawn(move || band(b * rows, o, s));
            }
        }
    });
    Frame::from_raw(w, h, out).unwrap_or_else(|| Frame::new(w, h))
}

/// One output pixel; `state` is its smoothed alpha.
#[inline]
fn pixel(frame: &Frame, l: &Layers<'_>, u: &Uniforms, x: u32, y: u32, state: &mut f32) -> [u8; 4] {
    let [rx, ry, rw, rh] = u.rect;
    let sty = l.stylized.map(|s| &s.image);
    let fx = x as f32 + 0.5;
    let fy = y as f32 + 0.5;
    // Outside the stylized rectangle (and its reach, when extended) nothing is restyled: no
    // selection to compute there.
    let reach = if u.flags & FLAG_EXTEND != 0 { rw.max(rh) / EXTEND_REACH } else { 0 };
    let inside = u.flags & FLAG_STYLIZED != 0 && x + reach >= rx && y + reach >= ry && x < rx + rw + reach && y < ry + rh + reach;
    let (soft, hard) = if inside { feathered(l, u, fx, fy) } else { (0.0, 0.0) };
    let raw = match u.view {
        VIEW_HARD => hard,
        VIEW_SPLIT => {
            if x < u.split_px {
                hard
            } else {
                soft
            }
        }
        _ => soft,
    } * u.opacity;
    let a = if u.flags & FLAG_SMOOTH != 0 {
        let prev = *state;
        let smoothed = if u.flags & FLAG_RESET != 0 {
            raw
        } else {
            let weight = (u.smooth_base + u.smooth_gain * (raw - prev).abs()).min(1.0);
            prev + weight * (raw - prev)
        };
        *state = smoothed;
        smoothed
    } else {
        raw
    };
    let f = frame.get_pixel(x, y).0.map(|v| v as f32 / 255.0);
    let s = match (inside, sty) {
        (true, Some(img)) => {
            let cx = mirrored(fx - rx as f32, rw as f32) * u.crop_scale[0] - 0.5;
            let cy = mirrored(fy - ry as f32, rh as f32) * u.crop_scale[1] - 0.5;
            sample_rgb(img, cx, cy)
        }
        _ => [0.0; 3],
    };
    let a = if inside { a } else { 0.0 };
    let px = match u.view {
        VIEW_MASK => {
            let px = fx * u.parts_scale[0] - 0.5;
            let py = fy * u.parts_scale[1] - 0.5;
            let sal = l.saliency.sample_texel(fx * u.saliency_scale[0] - 0.5, fy * u.saliency_scale[1] - 0.5, 0);
            let mut k = 0.0;
            let mut tint = [0.0f32; 3];
            for c in 1..CLASSES {
                let score = l.parts.sample_texel(px, py, c);
                let weight = (if u.parts_bits & (1 << (c - 1)) != 0 { 0.6 } else { 0.25 }) * score;
                k += weight;
                for (t, col) in tint.iter_mut().zip(TINTS[(c - 1) as usize]) {
                    *t += weight * col;
                }
            }
            let light = 0.35 + 0.65 * sal;
            let m = |c: usize| (f[c] * (1.0 - k) + tint[c]) * light;
            [m(0), m(1), m(2), 1.0]
        }
        VIEW_ALPHA => [s[0], s[1], s[2], a],
        _ => {
            if u.view == VIEW_SPLIT && (x == u.split_px || x + 1 == u.split_px) {
                [1.0, 1.0, 1.0, 1.0]
            } else {
                let m = |c: usize| f[c] + a * (s[c] - f[c]);
                [m(0), m(1), m(2), 1.0]
            }
        }
    };
    px.map(quantise)
}

/// A position `p` along a side of length `n`, mirrored into 0..n at either end (no change inside).
#[inline]
fn mirrored(p: f32, n: f32) -> f32 {
    if p < 0.0 {
        -p
    } else if p > n {
        2.0 * n - p
    } else {
        p
    }
}

/// Bilinear RGB of an RGBA8 image at texel coordinates, clamped to the edge, 0..1.
#[inline]
fn sample_rgb(img: &Frame, px: f32, py: f32) -> [f32; 3] {
    bilinear(px, py, |x, y| {
        let (x, y) = clamp_to(img.width(), img.height(), x, y);
        let p = img.get_pixel(x, y).0;
        [p[0], p[1], p[2]].map(|v| v as f32 / 255.0)
    })
}
