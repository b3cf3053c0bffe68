//! Each person's skin colour learnt from their face, and how far paler than it each pixel is: a
//! garment of a skin-like colour that is not this person's skin is not taken for skin.

use super::*;

/// One person's skin colour, learnt from the skin PAN finds on their face: a garment of a
/// skin-like colour that is not this person's skin is not taken for skin.
#[derive(Debug, Clone, Copy)]
pub(super) struct SkinModel {
    pub(super) mean: [f32; 3],
    pub(super) spread: [f32; 3],
    /// The face disc's radius in map pixels.
    pub(super) radius: f32,
    /// The thresholds it was learnt with.
    pub(super) t: Skin,
}

impl SkinModel {
    pub(super) fn learn((c, r): (P, f32), lab: &[[f32; 3]], pan: Option<&Map>, (w, h): (u32, u32), t: &Skin) -> Option<SkinModel> {
        let pan = pan?;
        let mut samples = Vec::new();
        // A grid of 13 x 13 points over the face disc's square, those within the disc.
        const STEPS: i32 = 6;
        for j in -STEPS..=STEPS {
            for i in -STEPS..=STEPS {
                let p = (c.0 + i as f32 * r / STEPS as f32, c.1 + j as f32 * r / STEPS as f32);
                let (x, y) = (p.0.floor() as i64, p.1.floor() as i64);
                if (i * i + j * j) > STEPS * STEPS || x < 0 || y < 0 || x >= w as i64 || y >= h as i64 {
                    continue;
                }
                if pan.get(x as u32, y as u32, 0) > t.face_sure {
                    samples.push(lab[(y as u32 * w + x as u32) as usize]);
                }
            }
        }
        if samples.len() < t.face_samples {
            return None;
        }
        let n = samples.len() as f32;
        let mean = [0, 1, 2].map(|k| samples.iter().map(|s| s[k]).sum::<f32>() / n);
        let spread = [0, 1, 2].map(|k| (samples.iter().map(|s| (s[k] - mean[k]).powi(2)).sum::<f32>() / n).sqrt());
        // A disc whose "skin" is of no skin's hue saw hair, a hat or a hood: the back of a head,
        // where PAN calls the hair skin (b3's man walking away: a blue-grey mean, hue -30 to 6
        // degrees). It teaches nothing. Hue only: sunlit skin is as vivid as an orange (the
        // crouching coach in Athlete-Intake, chroma 50).
        if skin_hue(mean, t) < 0.5 {
            return None;
        }
        Some(SkinModel { mean, spread, radius: r, t: *t })
    }

    /// How surely a colour PAN may call skin is fabric instead: unlike this face's skin, and either
    /// a colour no skin has or far more saturated than this person's skin. Only then: sun and
    /// shade move body skin away from the face's colour, but keep it a skin colour about as
    /// saturated as the face.
    pub(super) fn fabric(&self, c: [f32; 3]) -> f32 {
        let t = &self.t;
        let face_chroma = self.mean[1].hypot(self.mean[2]).max(t.face_chroma_least);
        let vivid = smoothstep(t.vivid.0, t.vivid.1, c[1].hypot(c[2]) / face_chroma);
        (1.0 - self.matches(c)) * (1.0 - skin_gamut(c, t)).max(vivid)
    }

    /// How surely a colour is far paler than this face: a pastel of its hue (a peach top over
    /// brown skin: saturation, chroma over lightness, 0.1-0.16 against the face's 0.38) is a
    /// colour skin has, but not this person's. Sun and shade keep skin's saturation (0.88 on the
    /// sprinter's sunlit back and his shaded face alike); a shine on skin is as pale, but small.
    pub(super) fn pale(&self, c: [f32; 3]) -> f32 {
        let t = &self.t;
        let saturation = |c: [f32; 3]| c[1].hypot(c[2]) / c[0].max(t.pale_lightness_least);
        1.0 - smoothstep(t.paler.0, t.paler.1, saturation(c) / saturation(self.mean).max(t.pale_face_least))
    }

    /// 1 for this person's skin colour, falling to 0 well away from it. Lightness varies with
    /// shading, so it weighs less than the chroma.
    pub(super) fn matches(&self, c: [f32; 3]) -> f32 {
        // Sun and shade on one person's skin move its lightness far more than its hue.
        let t = &self.t;
        let tol = [0, 1, 2].map(|k| (t.spreads * self.spread[k]).max(t.tolerance_least[k]));
        let d = (0..3).map(|k| ((c[k] - self.mean[k]) / tol[k]).powi(2)).sum::<f32>().sqrt();
        1.0 - smoothstep(t.matches.0, t.matches.1, d)
    }
}

/// 1 for colours human skin takes in any light (Lab hue between about 15 and 85 degrees, chroma
/// up to about 45, as `t` gives them), falling to 0 outside: an orange or a blue fabric is no
/// one's skin.
pub fn skin_gamut(c: [f32; 3], t: &Skin) -> f32 {
    (1.0 - smoothstep(t.gamut_chroma.0, t.gamut_chroma.1, c[1].hypot(c[2]))) * skin_hue(c, t)
}

/// 1 for the hues human skin takes (Lab hue between about 15 and 85 degrees), falling to 0
/// outside, whatever the chroma.
fn skin_hue(c: [f32; 3], t: &Skin) -> f32 {
    let hue = c[2].atan2(c[1]).to_degrees();
    smoothstep(t.gamut_hue_from.0, t.gamut_hue_from.1, hue) * (1.0 - smoothstep(t.gamut_hue_to.0, t.gamut_hue_to.1, hue))
}

/// Each person's skin colour and what is pale against it.
pub(super) struct SkinColours {
    /// Per person, learnt from their face where PAN is sure of skin.
    pub(super) models: Vec<Option<SkinModel>>,
    /// Per pixel: how far paler than its owner's face ([`SkinModel::pale`]).
    pub(super) pale: Vec<f32>,
    /// Per person: how far pale colours count as fabric on them at all.
    pub(super) pale_share: Vec<f32>,
    /// Per pixel: near a patch of pale colour wider than a shine on skin.
    pub(super) pale_near: Vec<f32>,
}

/// Each person's skin colour from their face, and the pale test against it.
pub(super) fn skin_colours(people: &[(Person, Body)], own: &Ownership, lab: &[[f32; 3]], pan: Option<&Map>, (w, h): (u32, u32), t: &Tuning) -> SkinColours {
    let (least, t) = (t.gate.least, &t.skin);
    let Ownership { owner, gate, .. } = own;
    let n = (w * h) as usize;
    let models: Vec<Option<SkinModel>> = people.iter().map(|(_, b)| b.face.and_then(|f| SkinModel::learn(f, lab, pan, (w, h), t))).collect();
    // How far paler than its owner's face each pixel is, once: read three times below. Only
    // worked out when someone's face is big enough to read (`pale_face`); else nothing is pale.
    let readable = models.iter().flatten().any(|sm| sm.radius > t.pale_face.0);
    let pale: Vec<f32> = if readable {
        (0..n)
            .map(|i| match models.get(owner[i]).and_then(|s| s.as_ref()) {
                Some(sm) if gate[i] >= least => sm.pale(lab[i]),
                _ => 0.0,
            })
            .collect()
    } else {
        vec![0.0; n]
    };
    // Pale colours are fabric only for a person much of whose PAN skin is that pale: a peach
    // top PAN calls skin is a large share of it, the shine on a sprinter's sunlit neck a small
    // one.
    let pale_counts = {
        let mut c = vec![(0.0f32, 0.0f32); people.len()];
        if let (true, Some(m)) = (readable, pan) {
            for i in (0..n).filter(|&i| gate[i] > 0.5 && owner[i] < people.len()) {
                if models[owner[i]].as_ref().is_some_and(|sm| sm.radius > t.pale_face.0) && m.get(i as u32 % w, i as u32 / w, 0) > 0.5 {
                    c[owner[i]].0 += pale[i];
                    c[owner[i]].1 += 1.0;
                }
            }
        }
        c
    };
    // A small face's colour is read through blur and the hair around it: a jumping girl's (c3,
    // face radius about 7 map pixels) read as saturated, and her bare legs as pale.
    let pale_share = pale_counts
        .iter()
        .zip(&models)
        .map(|(&(p, all), sm)| {
            smoothstep(t.pale_share.0, t.pale_share.1, p / all.max(1.0)) * sm.as_ref().map_or(0.0, |sm| smoothstep(t.pale_face.0, t.pale_face.1, sm.radius))
        })
        .collect::<Vec<f32>>();
    // And only near a patch of them wider than a shine on skin (a streak of light down a
    // forearm): pale pixels eroded by `shine`, then widened by twice that, so the garment's own
    // outline is the pale colour's and not the filter's square.
    let pale_near = if pale_share.iter().any(|&v| v > 0.0) {
        let not_pale: Vec<f32> = (0..n).map(|i| if gate[i] > 0.5 { 1.0 - smoothstep(t.pale.0, t.pale.1, pale[i]) } else { 1.0 }).collect();
        let r = widest_shoulders(people) * t.shine;
        let core: Vec<f32> = blur_max(&not_pale, w, h, r.ceil() as usize).into_iter().map(|v| 1.0 - v).collect();
        blur_max(&core, w, h, (2.0 * r).ceil() as usize)
    } else {
        vec![0.0; n]
    };
    SkinColours { models, pale, pale_share, pale_near }
}
