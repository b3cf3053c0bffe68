//! Each person's own skin colours against their garment's: a pixel of a colour this person's
//! sure skin has and their sure garment has not is skin, whatever PAN says of it there. PAN
//! takes sunlit or shaded skin for clothes in patches (a shirtless runner's chest and back, a
//! hand resting on a knee); the person's own skin elsewhere shows its colour.

use super::*;

/// Per pixel: how surely its colour is its owner's own skin and not their garment's (0..1).
/// Learnt from the pixels PAN is sure are skin in the colour of the person's face against those
/// it is sure are garment; only for people whose face gave their skin colour (without it PAN's
/// skin on a back view is as often a pale shirt). Both sides weigh the same however many pixels
/// each has: the skin PAN takes for clothes is among the garment's pixels, and a thigh beside
/// black shorts outnumbers the face it is learnt from (by counts it was garment, 5-mental-skills'
/// right man). A skin-coloured garment stays garment: its colour is common on both sides.
pub(super) fn own_skin(
    people: &[(Person, Body)],
    own: &Ownership,
    evidence: &[Option<Evidence>],
    models: &[Option<SkinModel>],
    (never, hands): (&[f32], &[f32]),
    lab: &[[f32; 3]],
    t: &Tuning,
) -> Vec<f32> {
    let t = &t.fill;
    let Ownership { owner, gate, beyond } = own;
    let n = gate.len();
    let mut odds: Vec<ColourOdds> = people.iter().map(|_| ColourOdds::default()).collect();
    for i in (0..n).filter(|&i| gate[i] - beyond[i] > 0.5 && models.get(owner[i]).is_some_and(Option::is_some)) {
        let Some(e) = evidence[i] else { continue };
        let sure_garment = smoothstep(t.sure.0, t.sure.1, e.clothes) * (1.0 - never[i].max(hands[i]));
        odds[owner[i]].add(lab[i], sure_garment, smoothstep(t.sure.0, t.sure.1, e.true_skin));
    }
    let odds: Vec<Option<LearntOdds>> = odds.into_iter().map(ColourOdds::learnt_balanced).collect();
    (0..n)
        .map(|i| match (evidence[i], odds.get(owner[i]).and_then(|o| o.as_ref())) {
            (Some(_), Some(o)) => o.other(lab[i]),
            _ => 0.0,
        })
        .collect()
}
