//! The plain-Rust twin of shaders/blend.wgsl: the same arithmetic, step for step, on the
//! same [`Uniforms`]. The CPU fallback compositor and the yardstick the shader's tests use.

use super::{Layers, Uniforms, EXTEND_REACH, FLAG_EXTEND, FLAG_RESET, FLAG_SMOOTH, FLAG_STYLIZED, VIEW_ALPHA, VIEW_HARD, VIEW_MASK, VIEW_SPLIT};
use crate::analysis::parts::CLASSES;
use crate::frame::{lerp2, Frame, Tap};

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

/// The taps of every column (or row) of the frame: the parts map and the saliency at the pixel
/// centre and, with a feather, at the taps either side of it (`[-1, 0, +1]` feathers away); the
/// crop at the centre. Worked out once per frame rather than per pixel: the same arithmetic in
/// a third of the time (`cargo bench --bench composite`), which live mode's analyses get back.
struct Axis {
    parts: [Vec<Tap>; 3],
    saliency: [Vec<Tap>; 3],
    crop: Vec<Tap>,
}

impl Axis {
    /// Along the frame's x axis (`k` 0) or y axis (`k` 1).
    fn new(l: &Layers<'_>, u: &Uniforms, k: usize) -> Axis {
        let n = u.frame[k];
        let feathered = u.feather > 0.0;
        let taps = |scale: f32, size: u32| {
            [-1i32, 0, 1].map(|i| {
                if i != 0 && !feathered {
                    return Vec::new();
                }
                (0..n).map(|x| Tap::at((x as f32 + 0.5 + i as f32 * u.feather) * scale - 0.5, size)).collect()
            })
        };
        let size = |m: &crate::frame::Map| if k == 0 { m.width } else { m.height };
        let (start, length) = (u.rect[k], u.rect[k + 2]);
        let crop = match l.stylized {
            Some(s) => {
                let side = if k == 0 { s.image.width() } else { s.image.height() };
                (0..n).map(|x| Tap::at(mirrored(x as f32 + 0.5 - start as f32, length as f32) * u.crop_scale[k] - 0.5, side)).collect()
            }
            None => Vec::new(),
        };
        Axis { parts: taps(u.parts_scale[k], size(l.parts)), saliency: taps(u.saliency_scale[k], size(l.saliency)), crop }
    }
}

/// The first `N` channels of a map, bilinearly sampled at a column's and a row's taps.
#[inline]
fn sample_map<const N: usize>(m: &crate::frame::Map, tx: Tap, ty: Tap) -> [f32; N] {
    let at = |x: u32, y: u32| m.index(x, y, 0);
    let (i00, i10, i01, i11) = (at(tx.i0, ty.i0), at(tx.i1, ty.i0), at(tx.i0, ty.i1), at(tx.i1, ty.i1));
    let d = &m.data;
    // A loop, not `array::from_fn`: that one is not inlined here and costs a call per channel.
    let mut out = [0.0; N];
    for (c, v) in out.iter_mut().enumerate() {
        *v = lerp2(d[i00 + c], d[i10 + c], d[i01 + c], d[i11 + c], tx.a, ty.a);
    }
    out
}

/// (soft, hard) selection alpha at the taps of one frame position.
#[inline]
fn select_at(l: &Layers<'_>, u: &Uniforms, parts: (Tap, Tap), saliency: (Tap, Tap)) -> (f32, f32) {
    let s: [f32; CLASSES as usize] = sample_map(l.parts, parts.0, parts.1);
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
    let [sal] = sample_map(l.saliency, saliency.0, saliency.1);
    let soft = sel.clamp(0.0, 1.0) * sal;
    // The fringe floor: the faint edge of the upsampled maps is cut, the rest spans 0..1 again.
    let soft = (soft - u.fringe_floor).max(0.0) / (1.0 - u.fringe_floor);
    let hard = if best > 0 && u.parts_bits & (1 << (best - 1)) != 0 { 1.0 } else { 0.0 };
    (soft, hard)
}

/// Feathered (soft, hard) at pixel (x, y): the mean over a 3x3 grid of taps `feather` pixels
/// apart.
#[inline]
fn feathered(l: &Layers<'_>, u: &Uniforms, (cols, rows): (&Axis, &Axis), x: usize, y: usize) -> (f32, f32) {
    if u.feather <= 0.0 {
        return select_at(l, u, (cols.parts[1][x], rows.parts[1][y]), (cols.saliency[1][x], rows.saliency[1][y]));
    }
    let (mut soft, mut hard) = (0.0, 0.0);
    for j in 0..3 {
        for i in 0..3 {
            let (s, h) = select_at(l, u, (cols.parts[i][x], rows.parts[j][y]), (cols.saliency[i][x], rows.saliency[j][y]));
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
    let cols = Axis::new(l, u, 0);
    let rows_taps = Axis::new(l, u, 1);
    let threads = if n < 64 * 1024 { 1 } else { std::thread::available_parallelism().map_or(1, |t| t.get()).min(4) };
    let rows = (h as usize).div_ceil(threads).max(1);
    let band = |y0: usize, out: &mut [u8], state: &mut [f32]| {
        for (j, (row, st)) in out.chunks_exact_mut(w as usize * 4).zip(state.chunks_exact_mut(w as usize)).enumerate() {
            let y = (y0 + j) as u32;
            for (x, (px, st)) in row.chunks_exact_mut(4).zip(st.iter_mut()).enumerate() {
                px.copy_from_slice(&pixel(frame, l, u, (x as u32, y), (&cols, &rows_taps), st));
            }
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
fn pixel(frame: &Frame, l: &Layers<'_>, u: &Uniforms, (x, y): (u32, u32), (cols, rows): (&Axis, &Axis), state: &mut f32) -> [u8; 4] {
    let [rx, ry, rw, rh] = u.rect;
    let sty = l.stylized.map(|s| &s.image);
    let (xi, yi) = (x as usize, y as usize);
    // Outside the stylized rectangle (and its reach, when extended) nothing is restyled: no
    // selection to compute there.
    let reach = if u.flags & FLAG_EXTEND != 0 { rw.max(rh) / EXTEND_REACH } else { 0 };
    let inside = u.flags & FLAG_STYLIZED != 0 && x + reach >= rx && y + reach >= ry && x < rx + rw + reach && y < ry + rh + reach;
    let (soft, hard) = if inside { feathered(l, u, (cols, rows), xi, yi) } else { (0.0, 0.0) };
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
    let a = if inside { a } else { 0.0 };
    let here = frame.get_pixel(x, y).0;
    let blend = u.view != VIEW_MASK && u.view != VIEW_ALPHA && !(u.view == VIEW_SPLIT && (x == u.split_px || x + 1 == u.split_px));
    if blend && a == 0.0 {
        // Nothing restyled here: the blend gives the frame's own bytes back (f + 0 * (s - f) is
        // f, and `quantise` undoes the division by 255: tested for every byte), so the crop is
        // not sampled. Most of a frame is such pixels.
        return [here[0], here[1], here[2], 255];
    }
    let f = here.map(|v| v as f32 / 255.0);
    let s = match (inside, sty) {
        (true, Some(img)) => sample_rgb(img, cols.crop[xi], rows.crop[yi]),
        _ => [0.0; 3],
    };
    let px = match u.view {
        VIEW_MASK => {
            let [sal] = sample_map(l.saliency, cols.saliency[1][xi], rows.saliency[1][yi]);
            let scores: [f32; CLASSES as usize] = sample_map(l.parts, cols.parts[1][xi], rows.parts[1][yi]);
            let mut k = 0.0;
            let mut tint = [0.0f32; 3];
            for c in 1..CLASSES {
                let score = scores[c as usize];
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

/// Bilinear RGB of an RGBA8 image at a column's and a row's taps, 0..1.
#[inline]
fn sample_rgb(img: &Frame, tx: Tap, ty: Tap) -> [f32; 3] {
    let texel = |x: u32, y: u32| {
        let p = img.get_pixel(x, y).0;
        [p[0], p[1], p[2]].map(|v| v as f32 / 255.0)
    };
    let (p00, p10, p01, p11) = (texel(tx.i0, ty.i0), texel(tx.i1, ty.i0), texel(tx.i0, ty.i1), texel(tx.i1, ty.i1));
    let mut out = [0.0; 3];
    for (c, v) in out.iter_mut().enumerate() {
        *v = lerp2(p00[c], p10[c], p01[c], p11[c], tx.a, ty.a);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantise_gives_back_every_byte_it_was_divided_from() {
        // The blend's shortcut where nothing is restyled rests on this.
        for v in 0..=255u8 {
            assert_eq!(quantise(v as f32 / 255.0), v);
        }
    }
}
