//! The garment alpha: clothes against skin and hair inside the person gate, the colour fill
//! where PAN is unsure, never the head, the feet or a hand in front of the garment.

use super::*;

/// Each pixel's garment alpha (0..1) from the gate, PAN's evidence, the colour fill and the
/// person's own skin colours (`own_skin`).
pub(super) fn garment_alpha(
    own: &Ownership,
    evidence: &[Option<Evidence>],
    fill: &ColourFill,
    skin_coloured: &[f32],
    (never, hands): (&[f32], &[f32]),
    t: &Tuning,
) -> Vec<f32> {
    let (least, t) = (t.gate.least, &t.alpha);
    let Ownership { owner, gate, beyond } = own;
    let ColourFill { learnt, dressy, beside_garment } = fill;
    (0..gate.len())
        .map(|i| {
            if gate[i] < least {
                return 0.0;
            }
            // The fill beyond the person's own mask only in their garment's colours (where those
            // are known).
            let gate = match (evidence[i], learnt.get(owner[i]).copied().unwrap_or(false)) {
                (Some(_), true) => gate[i] - beyond[i] * (1.0 - dressy[i]),
                _ => gate[i],
            };
            // No evidence past the gate check above means no PAN.
            let (cloth, hand) = match evidence[i] {
                None => (1.0, hands[i]),
                Some(e) => {
                    // A colour of this person's sure garment and not of their skin or hair is
                    // garment where PAN is unsure; PAN's sure skin and hair stand.
                    let dressy = dressy[i];
                    // A hand's disc spares what PAN calls clothes in that colour: the shirt
                    // around the hand, not the hand in front of it.
                    let hand = hands[i] * (1.0 - dressy * smoothstep(t.hand_spares.0, t.hand_spares.1, e.clothes));
                    let unsure = (1.0 - smoothstep(t.pan_sure.0, t.pan_sure.1, e.skin.max(e.hair))) * beside_garment[i];
                    let clothes = e.clothes.max(dressy * unsure);
                    // Clothes against skin and hair; where PAN says nothing, a garment only as a
                    // weak guess (bare skin PAN misses is worse than a missed garment).
                    let share = (clothes + t.clothes_prior) / (clothes + e.skin + e.hair + t.nothing_said);
                    // This person's own skin colour, and not their garment's, is skin whatever
                    // PAN says: sunlit or shaded skin PAN takes for clothes (a shirtless
                    // runner's chest and back; see `own_skin`).
                    let skin = smoothstep(t.own_skin.0, t.own_skin.1, skin_coloured[i]);
                    (smoothstep(t.share.0, t.share.1, share) * (1.0 - skin), hand)
                }
            };
            (gate * cloth * (1.0 - never[i].max(hand))).clamp(0.0, 1.0)
        })
        .collect()
}
