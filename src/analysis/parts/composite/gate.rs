//! The person gate: where a person is, and whose each map pixel is. Nothing outside the gate is a
//! garment, whatever the saliency map locks onto.

use super::*;

/// Which person each map pixel belongs to, and how surely it is anyone's.
pub(super) struct Ownership {
    /// The index into the people of the pixel's owner; `usize::MAX` for no one.
    pub(super) owner: Vec<usize>,
    /// 0..1: a person here.
    pub(super) gate: Vec<f32>,
    /// The part of `gate` that the selfie mask adds away from anyone's own mask (what a person
    /// holds out of it); counted only in the colours of the person's garment.
    pub(super) beyond: Vec<f32>,
}

/// Each map pixel's owner (their own mask first, else the nearest skeleton) and the person gate,
/// from the people found (`held`: kept from earlier analyses, gated through the selfie mask
/// alone) and the selfie mask. `found`: the boxes (map pixels) of every skeleton the pose model
/// found, those the rules judged no body included. `scale`: map pixels per frame pixel.
pub(super) fn person_gate(
    people: &[(Person, Body)],
    held: &[bool],
    found: &[[f32; 4]],
    selfie: Option<&Map>,
    (w, h): (u32, u32),
    (sx, sy): (f32, f32),
    t: &Tuning,
) -> Ownership {
    let t = &t.gate;
    let n = (w * h) as usize;
    let mut owner = vec![usize::MAX; n];
    let mut gate = vec![0.0f32; n];
    let mut held_near = vec![0.0f32; n];
    let mut selfie_at = vec![0.0f32; n];
    let mut masks = vec![0.0f32; people.len()];
    for y in 0..h {
        for x in 0..w {
            let i = (y * w + x) as usize;
            let (pf, pm) = ((x as f32 + 0.5) / sx, (y as f32 + 0.5) / sy);
            let p = (x as f32 + 0.5, y as f32 + 0.5);
            let selfie_here = selfie.map_or(0.0, |m| m.get(x, y, 0));
            if people.is_empty() {
                // No body: the selfie mask alone, only where the pose model found something (a
                // skeleton it strung on the back of a head coming in from below: his shirt is the
                // selfie mask's person). Where it found nothing, no one: the selfie mask alone
                // takes a painting, a poster or a statue for a person (a watercolour's red clouds:
                // 10% of it restyled). Someone missed for a moment is held by their track.
                let near = |b: &[f32; 4]| {
                    let r = t.unkept_reach * (b[2] - b[0]).max(b[3] - b[1]);
                    p.0 >= b[0] - r && p.0 <= b[2] + r && p.1 >= b[1] - r && p.1 <= b[3] + r
                };
                if found.iter().any(near) {
                    gate[i] = selfie_here;
                }
                continue;
            }
            for (m, (q, _)) in masks.iter_mut().zip(people) {
                *m = q.mask_at(pf, pm);
            }
            let mut pose_mask = 0.0f32;
            for (k, m) in masks.iter().enumerate() {
                if held[k] {
                    held_near[i] = held_near[i].max(*m);
                } else {
                    pose_mask = pose_mask.max(*m);
                }
            }
            selfie_at[i] = selfie_here;
            gate[i] = pose_mask;
            // Background no person model sees: no owner, and nothing more to work out.
            if pose_mask.max(held_near[i]).max(selfie_here) < t.seen {
                continue;
            }
            let mut best = (f32::NEG_INFINITY, usize::MAX);
            for (k, (_, b)) in people.iter().enumerate() {
                let score = masks[k] - t.reach_cost * b.reach_any(p);
                if score > best.0 {
                    best = (score, k);
                }
            }
            owner[i] = best.1;
        }
    }

    // The selfie mask counts near a detected person's own mask: it fills in where BlazePose's
    // coarse ROI mask is loose (webcam close-ups), and is kept off flags, posters and walls.
    // Where that mask is not even faint, the fill is `beyond`: what a person holds out of their
    // own mask (the astronaut's helmet) is in the selfie mask too, so there the fill counts only
    // in the colours of the person's garment.
    let mut beyond = vec![0.0f32; n];
    if !people.is_empty() {
        let reach = widest_shoulders(people).clamp(2.0, t.selfie_reach_most * w.max(h) as f32) * t.selfie_reach;
        let masks: Vec<f32> = gate.iter().zip(&held_near).map(|(a, b)| a.max(*b)).collect();
        let near = blur_max(&masks, w, h, reach.ceil() as usize);
        for i in 0..n {
            let (a, b) = t.selfie_counts;
            let own = gate[i].max(selfie_at[i] * smoothstep(a, b, masks[i]));
            gate[i] = gate[i].max(selfie_at[i] * smoothstep(a, b, near[i]));
            beyond[i] = gate[i] - own;
        }
    }
    Ownership { owner, gate, beyond }
}

/// The widest shoulders among the people, in map pixels: the scale of reaches around them.
pub(super) fn widest_shoulders(people: &[(Person, Body)]) -> f32 {
    people.iter().map(|(_, b)| b.sw).fold(0.0, f32::max)
}
