//! Where PAN is unsure (an orange hoodie in dim light is neither clothes nor skin to it), a colour
//! of the person's sure garment and not of their sure skin and hair is garment, beside the sure
//! garment only.

use super::*;

/// How surely each pixel's colour is its owner's garment's, and where colour may speak.
pub(super) struct ColourFill {
    /// Per person: whether their garment and skin colours could be learnt at all.
    pub(super) learnt: Vec<bool>,
    /// Per pixel: how surely its colour is its owner's garment's and not their skin's or hair's.
    pub(super) dressy: Vec<f32>,
    /// Per pixel: beside the sure garment, or joined to it through the garment's own colours.
    pub(super) beside_garment: Vec<f32>,
}

/// Each person's garment colours against their skin and hair, learnt from the pixels PAN is sure
/// of, for the pixels it is not.
pub(super) fn colour_fill(
    people: &[(Person, Body)],
    own: &Ownership,
    evidence: &[Option<Evidence>],
    (never, hands): (&[f32], &[f32]),
    lab: &[[f32; 3]],
    (w, h): (u32, u32),
    t: &Tuning,
) -> ColourFill {
    let t = &t.fill;
    let Ownership { owner, gate, beyond } = own;
    let n = gate.len();
    let mut odds: Vec<ColourOdds> = people.iter().map(|_| ColourOdds::default()).collect();
    for i in (0..n).filter(|&i| gate[i] - beyond[i] > 0.5 && owner[i] < people.len()) {
        let Some(e) = evidence[i] else { continue };
        let sure_garment = smoothstep(t.sure.0, t.sure.1, e.clothes) * (1.0 - never[i].max(hands[i]));
        let sure_other = smoothstep(t.sure.0, t.sure.1, e.true_skin.max(e.hair));
        odds[owner[i]].add(lab[i], sure_garment, sure_other);
    }
    let odds: Vec<Option<LearntOdds>> = odds.into_iter().map(ColourOdds::learnt_balanced).collect();
    let dressy: Vec<f32> = (0..n)
        .map(|i| match (evidence[i], odds.get(owner[i]).and_then(|o| o.as_ref())) {
            (Some(_), Some(o)) => o.garment(lab[i]),
            _ => 0.0,
        })
        .collect();
    // Colour speaks only beside the sure garment (holes in it, its edges), not across the body:
    // a shoe of the shorts' colour, past a bare shin, stays a shoe.
    let beside_garment = if odds.iter().any(Option::is_some) {
        let sure: Vec<f32> = evidence.iter().zip(gate).map(|(e, g)| e.map_or(0.0, |e| (e.clothes > t.sure_garment && *g > 0.5) as u8 as f32)).collect();
        let reach = widest_shoulders(people).clamp(2.0, t.beside_most * w.max(h) as f32) * t.beside;
        let near = blur_max(&sure, w, h, reach.ceil() as usize);
        // And on through the garment's own colours where PAN is unsure, however far: a shaded
        // trouser leg PAN fades out on below the knee (b1's kick) is still the trousers. A shoe
        // in the shorts' colour past a bare shin does not join.
        let through = |j: usize| gate[j] > 0.5 && dressy[j] > 0.5 && evidence[j].is_some_and(|e| e.skin.max(e.hair) < 0.5);
        let reached = flood(sure, w, h, through);
        near.iter().zip(&reached).map(|(a, b)| a.max(*b)).collect()
    } else {
        vec![0.0; n]
    };
    ColourFill { learnt: odds.iter().map(Option::is_some).collect(), dressy, beside_garment }
}
