//! A bare torso: a person whose torso shows their own skin wears no top, and nothing on their
//! upper body is a garment (a shirtless runner's chest and back, which PAN takes for clothes in
//! sunlit or shaded patches).

use super::*;

/// The garment without the upper body of everyone whose torso is bare, and who that is. `held`
/// turns each person's reading (person, bare) into the verdict held across analyses.
#[allow(clippy::too_many_arguments)]
pub(super) fn without_bare_tops(
    mut garment: Vec<f32>,
    people: &[(Person, Body)],
    own: &Ownership,
    evidence: &[Option<Evidence>],
    skin_coloured: &[f32],
    (w, h): (u32, u32),
    t: &Bare,
    mut held: impl FnMut(usize, bool) -> bool,
) -> (Vec<f32>, Vec<bool>) {
    let Ownership { owner, gate, .. } = own;
    let bare: Vec<bool> = people
        .iter()
        .enumerate()
        .map(|(k, (_, b))| {
            let maps = SkinMaps { owner, gate, evidence, skin_coloured, own_skin: t.own_skin, w, h };
            let (chest, shoulders) = (chest_skin(b, k, &maps, t.least_samples), shoulder_skin(b, k, &maps, t.least_shoulder_samples));
            tracing::trace!(person = k, ?chest, ?shoulders, "bare torso");
            held(k, chest.is_some_and(|s| s >= t.chest_skin) && shoulders.is_some_and(|s| s >= t.shoulder_skin))
        })
        .collect();
    if bare.iter().any(|&b| b) {
        for (i, g) in garment.iter_mut().enumerate() {
            if let Some((_, b)) = people.get(owner[i]).filter(|_| bare[owner[i]]) {
                if b.lower_share(pixel_centre(i, w)) < 0.5 {
                    *g = 0.0;
                }
            }
        }
    }
    (garment, bare)
}

/// The maps a person's skin is read from, all `w` x `h`.
struct SkinMaps<'a> {
    owner: &'a [usize],
    gate: &'a [f32],
    evidence: &'a [Option<Evidence>],
    skin_coloured: &'a [f32],
    /// How surely a colour is the person's own skin ([`own_skin`]) for it to count as skin.
    own_skin: f32,
    w: u32,
    h: u32,
}

impl SkinMaps<'_> {
    /// Whether `p` is person `k`'s skin (PAN's skin, or their own skin's colour), or None off
    /// the frame or off the person.
    fn skin(&self, k: usize, p: P) -> Option<bool> {
        if p.0 < 0.0 || p.1 < 0.0 || p.0 >= self.w as f32 || p.1 >= self.h as f32 {
            return None;
        }
        let i = (p.1 as u32 * self.w + p.0 as u32) as usize;
        let e = self.evidence[i].filter(|_| self.owner[i] == k && self.gate[i] > 0.5)?;
        Some(e.skin > e.clothes.max(e.hair) || self.skin_coloured[i] > self.own_skin)
    }
}

/// How much of a person's chest is skin (0..1) on a grid (a fifth to half of the way from the
/// shoulders to the hips, to 0.45 shoulder widths either side of the middle; arms and hands in
/// front of it left out): a crop top covers it and leaves the belly bare. None where fewer than
/// `least` samples lie on the person in the frame.
fn chest_skin(b: &Body, k: usize, maps: &SkinMaps<'_>, least: u32) -> Option<f32> {
    let arms = b.upper.get(1..).unwrap_or(&[]);
    let (mut skin, mut n) = (0u32, 0u32);
    for j in 0..6 {
        for u in [-0.45f32, -0.3, -0.15, 0.0, 0.15, 0.3, 0.45] {
            let p = b.point(0.2 + 0.06 * j as f32, u);
            // An arm or a hand held in front of the chest (a hand at the mouth over a tank top)
            // says nothing of a top.
            if Body::reach(arms, p) <= 1.0 || b.hand_at(p) > 0.5 {
                continue;
            }
            if let Some(s) = maps.skin(k, p) {
                skin += s as u32;
                n += 1;
            }
        }
    }
    tracing::trace!(person = k, skin, samples = n, "chest samples");
    (n >= least).then(|| skin as f32 / n as f32)
}

/// How much of the tops of a person's shoulders is skin (0..1), from the neck's side to the
/// shoulder joints, where a T-shirt's seams lie whatever the arms do in front of the chest
/// (folded arms cover the chest, not the shoulders). None with fewer than `least` samples.
fn shoulder_skin(b: &Body, k: usize, maps: &SkinMaps<'_>, least: u32) -> Option<f32> {
    let (mut skin, mut n) = (0u32, 0u32);
    for along in [0.0f32, 0.05, 0.1] {
        for u in [-0.45f32, -0.35, -0.25, 0.25, 0.35, 0.45] {
            let p = b.point(along, u);
            if b.hand_at(p) > 0.5 {
                continue;
            }
            if let Some(s) = maps.skin(k, p) {
                skin += s as u32;
                n += 1;
            }
        }
    }
    (n >= least).then(|| skin as f32 / n as f32)
}
