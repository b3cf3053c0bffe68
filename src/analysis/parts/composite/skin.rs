//! PAN's say at a pixel, and one person's skin colour learnt from their face: a garment of a
//! skin-like colour that is not this person's skin is not taken for skin.

use super::*;

/// PAN's say at one pixel, read for its owner.
#[derive(Debug, Clone, Copy)]
pub(super) struct Evidence {
    pub(super) clothes: f32,
    pub(super) skin: f32,
    pub(super) hair: f32,
    /// Skin of this person's own skin colour (the face's), for learning what is not garment.
    pub(super) true_skin: f32,
}

/// One person's skin colour, learnt from the skin PAN finds on their face: a garment of a
/// skin-like colour that is not this person's skin is not taken for skin.
#[derive(Debug, Clone, Copy)]
pub(super) struct SkinModel {
    pub(super) mean: [f32; 3],
    pub(super) spread: [f32; 3],
    /// The face disc's radius in map pixels.
    pub(super) radius: f32,
}

impl SkinModel {
    pub(super) fn learn((c, r): (P, f32), lab: &[[f32; 3]], pan: Option<&Map>, w: u32, h: u32) -> Option<SkinModel> {
        let pan = pan?;
        let mut samples = Vec::new();
        for j in -6..=6 {
            for i in -6..=6 {
                let p = (c.0 + i as f32 * r / 6.0, c.1 + j as f32 * r / 6.0);
                let (x, y) = (p.0.floor() as i64, p.1.floor() as i64);
                if (i * i + j * j) > 36 || x < 0 || y < 0 || x >= w as i64 || y >= h as i64 {
                    continue;
                }
                if pan.get(x as u32, y as u32, 0) > 0.6 {
                    samples.push(lab[(y as u32 * w + x as u32) as usize]);
                }
            }
        }
        if samples.len() < 6 {
            return None;
        }
        let n = samples.len() as f32;
        let mean = [0, 1, 2].map(|k| samples.iter().map(|s| s[k]).sum::<f32>() / n);
        let spread = [0, 1, 2].map(|k| (samples.iter().map(|s| (s[k] - mean[k]).powi(2)).sum::<f32>() / n).sqrt());
        Some(SkinModel { mean, spread, radius: r })
    }

    /// How surely a colour PAN may call skin is fabric instead: unlike this face's skin, and either
    /// a colour no skin has or far more saturated than this person's skin. Only then: sun and
    /// shade move body skin away from the face's colour, but keep it a skin colour about as
    /// saturated as the face.
    pub(super) fn fabric(&self, c: [f32; 3]) -> f32 {
        let face_chroma = self.mean[1].hypot(self.mean[2]).max(8.0);
        let vivid = smoothstep(1.6, 2.4, c[1].hypot(c[2]) / face_chroma);
        (1.0 - self.matches(c)) * (1.0 - skin_gamut(c)).max(vivid)
    }

    /// How surely a colour is far paler than this face: a pastel of its hue (a peach top over
    /// brown skin: saturation, chroma over lightness, 0.1-0.16 against the face's 0.38) is a
    /// colour skin has, but not this person's. Sun and shade keep skin's saturation (0.88 on the
    /// sprinter's sunlit back and his shaded face alike); a shine on skin is as pale, but small.
    pub(super) fn pale(&self, c: [f32; 3]) -> f32 {
        let saturation = |c: [f32; 3]| c[1].hypot(c[2]) / c[0].max(10.0);
        1.0 - smoothstep(0.35, 0.55, saturation(c) / saturation(self.mean).max(0.05))
    }

    /// 1 for this person's skin colour, falling to 0 well away from it. Lightness varies with
    /// shading, so it weighs less than the chroma.
    pub(super) fn matches(&self, c: [f32; 3]) -> f32 {
        // Sun and shade on one person's skin move its lightness far more than its hue.
        let tol = [(2.5 * self.spread[0]).max(35.0), (2.5 * self.spread[1]).max(8.0), (2.5 * self.spread[2]).max(8.0)];
        let d = (0..3).map(|k| ((c[k] - self.mean[k]) / tol[k]).powi(2)).sum::<f32>().sqrt();
        1.0 - smoothstep(1.0, 2.0, d)
    }
}

/// 1 for colours human skin takes in any light (Lab hue between about 15 and 85 degrees, chroma
/// up to about 45), falling to 0 outside: an orange or a blue fabric is no one's skin.
pub fn skin_gamut(c: [f32; 3]) -> f32 {
    let chroma = c[1].hypot(c[2]);
    let hue = c[2].atan2(c[1]).to_degrees();
    (1.0 - smoothstep(40.0, 55.0, chroma)) * smoothstep(0.0, 15.0, hue) * (1.0 - smoothstep(85.0, 100.0, hue))
}
