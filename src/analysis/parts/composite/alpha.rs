//! The garment alpha: clothes against skin and hair inside the person gate, the colour fill
//! where PAN is unsure, never the head, the feet or a hand in front of the garment.

use super::*;

/// Each pixel's garment alpha (0..1) from the gate, PAN's evidence and the colour fill.
pub(super) fn garment_alpha(own: &Ownership, evidence: &[Option<Evidence>], fill: &ColourFill, (never, hands): (&[f32], &[f32])) -> Vec<f32> {
    let Ownership { owner, gate, beyond } = own;
    let ColourFill { learnt, dressy, beside_garment } = fill;
    (0..gate.len())
        .map(|i| {
            if gate[i] < 1e-3 {
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
                    let hand = hands[i] * (1.0 - dressy * smoothstep(0.5, 0.8, e.clothes));
                    let unsure = (1.0 - smoothstep(0.5, 0.8, e.skin.max(e.hair))) * beside_garment[i];
                    let clothes = e.clothes.max(dressy * unsure);
                    // Clothes against skin and hair; where PAN says nothing, a garment only as a
                    // weak guess (bare skin PAN misses is worse than a missed garment).
                    let share = (clothes + 0.12) / (clothes + e.skin + e.hair + 0.3);
                    (smoothstep(0.35, 0.6, share), hand)
                }
            };
            (gate * cloth * (1.0 - never[i].max(hand))).clamp(0.0, 1.0)
        })
        .collect()
}
