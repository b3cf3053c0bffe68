//! Compositing: the blend `out = a * stylized + (1 - a) * frame` with `a = selected(parts) *
//! saliency`, in plain Rust. This is the reference arithmetic the GPU shader is held to.

use crate::analysis::parts::{PartSet, CLASSES};
use crate::analysis::{Analysis, Stylized};
use crate::frame::{Frame, Map};

/// How the alpha is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BlendMode {
    /// a = selected part score x saliency: the soft edge.
    #[default]
    Saliency,
    /// a = 1 where the most likely class is selected: the reference's pasted look.
    Hard,
}

#[derive(Debug, Clone, Copy)]
pub struct BlendParams {
    pub parts: PartSet,
    pub mode: BlendMode,
    /// Multiplies the alpha; see [`opacity_for_strength`].
    pub opacity: f32,
}

/// Below a quarter strength the restyled garments also fade out, so that strength 0 gives back
/// the frame exactly and the look still changes continuously towards it.
pub fn opacity_for_strength(strength: f32) -> f32 {
    (strength / 0.25).clamp(0.0, 1.0)
}

/// The stylized crop as a 0..1 RGB map the blend samples.
pub fn stylized_map(s: &Stylized) -> Map {
    Map::from_fn(s.image.width(), s.image.height(), 3, |x, y, c| s.image.get_pixel(x, y).0[c as usize] as f32 / 255.0)
}

/// The alpha at frame pixel (x, y) of a w x h frame.
#[inline]
pub fn alpha_at(analysis: &Analysis, p: &BlendParams, x: u32, y: u32, w: u32, h: u32) -> f32 {
    let (s, t) = ((x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32);
    let parts = &analysis.parts;
    let a = match p.mode {
        BlendMode::Saliency => {
            let sel: f32 = (1..CLASSES).filter(|&c| p.parts.contains(c)).map(|c| parts.sample(s, t, c)).sum();
            sel.clamp(0.0, 1.0) * analysis.saliency.sample(s, t, 0)
        }
        BlendMode::Hard => {
            let scores: Vec<f32> = (0..CLASSES).map(|c| parts.sample(s, t, c)).collect();
            let best = (0..CLASSES).fold(0, |b, c| if scores[c as usize] > scores[b as usize] { c } else { b });
            if p.parts.contains(best) { 1.0 } else { 0.0 }
        }
    };
    a * p.opacity
}

/// The reference blend: every frame pixel, sampling the low-resolution maps bilinearly.
pub fn blend(frame: &Frame, analysis: &Analysis, p: &BlendParams) -> Frame {
    let Some(stylized) = analysis.stylized.as_ref() else { return frame.clone() };
    let sty = stylized_map(stylized);
    let r = stylized.rect;
    let (w, h) = (frame.width(), frame.height());
    let mut out = frame.clone();
    for y in r.y..(r.y + r.height).min(h) {
        for x in r.x..(r.x + r.width).min(w) {
            let a = alpha_at(analysis, p, x, y, w, h);
            if a <= 0.0 {
                continue;
            }
            let s = ((x - r.x) as f32 + 0.5) / r.width as f32;
            let t = ((y - r.y) as f32 + 0.5) / r.height as f32;
            let px = out.get_pixel_mut(x, y);
            for c in 0..3 {
                let f = px.0[c] as f32 / 255.0;
                let v = a * sty.sample(s, t, c as u32) + (1.0 - a) * f;
                px.0[c] = (v * 255.0 + 0.5).clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}
