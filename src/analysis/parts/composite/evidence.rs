//! PAN's say at each pixel, read for its owner: its skin moved to clothes where this person's
//! skin colour says fabric, its hair far from the head taken for black fabric. And the discs
//! that are never garment (head, feet) and the hands.

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

/// PAN's evidence at every pixel inside the gate; None outside it or without PAN.
pub(super) fn pan_evidence(
    people: &[(Person, Body)],
    own: &Ownership,
    skin: &SkinColours,
    lab: &[[f32; 3]],
    pan: Option<&Map>,
    w: u32,
    t: &Tuning,
) -> Vec<Option<Evidence>> {
    let (least, skin_t, t) = (t.gate.least, &t.skin, &t.evidence);
    let Ownership { owner, gate, .. } = own;
    let SkinColours { models, pale, pale_share, pale_near } = skin;
    let evidence_at = |i: usize| -> Option<Evidence> {
        let m = pan?;
        let (x, y) = ((i as u32 % w), (i as u32 / w));
        let p = (x as f32 + 0.5, y as f32 + 0.5);
        let owner_body = people.get(owner[i]).map(|(_, b)| b);
        let model = models.get(owner[i]).and_then(|s| s.as_ref());
        let s = m.get(x, y, 0);
        // Skin of another colour is fabric on the body only: a garment lies on the skeleton, a
        // white ball PAN calls skin, held or kicked beside a limb, does not (b1).
        let fabric = match (model, owner_body) {
            (Some(sm), Some(b)) if s > t.some_skin => {
                let by_colour = sm.fabric(lab[i]).max(pale[i] * pale_share[owner[i]] * pale_near[i]);
                // The skeleton's reach only where the colour says fabric: most skin is not.
                if by_colour > 0.0 {
                    by_colour * (1.0 - smoothstep(t.on_body.0, t.on_body.1, b.reach_any(p)))
                } else {
                    0.0
                }
            }
            _ => 0.0,
        };
        let hair_here = owner_body.map_or(1.0, |b| b.hair_reach(p));
        let hr = m.get(x, y, 2);
        Some(Evidence {
            clothes: m.get(x, y, 1).max(t.fabric_moves * s * fabric).max(hr * (1.0 - hair_here)),
            skin: s * (1.0 - t.fabric_moves * fabric),
            hair: hr * hair_here,
            // Only sure skin teaches the colours: the colour test is skipped below that.
            true_skin: if s < t.sure_skin { 0.0 } else { s * model.map_or(skin_gamut(lab[i], skin_t), |s| s.matches(lab[i])) },
        })
    };
    (0..gate.len()).map(|i| if gate[i] < least { None } else { evidence_at(i) }).collect()
}

/// The head and feet (`never`) and the hands of each pixel's owner: 0..1 per pixel.
pub(super) fn never_and_hands(people: &[(Person, Body)], own: &Ownership, w: u32, t: &Tuning) -> (Vec<f32>, Vec<f32>) {
    let Ownership { owner, gate, .. } = own;
    (0..gate.len())
        .map(|i| match people.get(owner[i]).filter(|_| gate[i] >= t.gate.least) {
            Some((_, b)) => {
                let p = ((i as u32 % w) as f32 + 0.5, (i as u32 / w) as f32 + 0.5);
                (b.never_garment(p), b.hand_at(p))
            }
            None => (0.0, 0.0),
        })
        .unzip()
}
