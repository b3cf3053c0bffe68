//! Down the forearms, only the colours the person's garments have elsewhere: a sleeve runs on in
//! its garment's colours; a bare forearm, a watch and what the hand holds do not.

use super::*;

/// Garment on a person's forearms only in a colour common on their garment off the forearms and
/// the hands (the top on the torso and the upper arms, the shorts a forearm rests on): PAN takes
/// a forearm for clothes in patches (5-mental-skills' right man, his forearm on his knee beside
/// black shorts), and a long sleeve is the top's colour. A forearm in the colour of the garment's
/// shade stays (Athlete-Intake's coach in the shade, his skin and grey shirt a bin apart).
pub(super) fn sleeves_only(mut garment: Vec<f32>, bodies: &[&Body], owner: &[usize], lab: &[[f32; 3]], w: u32, t: &Sleeves) -> Vec<f32> {
    if bodies.iter().all(|b| b.forearms.is_empty()) {
        return garment;
    }
    let at = |i: usize| pixel_centre(i, w);
    let body = |i: usize| bodies.get(owner[i]).copied();
    let on_forearm = |b: &Body, p: P| Body::reach(&b.forearms, p) <= t.reach;
    let mut elsewhere: Vec<LowerColours> = bodies.iter().map(|_| LowerColours::default()).collect();
    for i in (0..garment.len()).filter(|&i| garment[i] > 0.5) {
        if body(i).is_some_and(|b| !on_forearm(b, at(i)) && b.hand_at(at(i)) < 0.5) {
            elsewhere[owner[i]].add(lab[i]);
        }
    }
    for (i, g) in garment.iter_mut().enumerate() {
        if *g > 0.0
            && body(i).is_some_and(|b| on_forearm(b, at(i)))
            && elsewhere[owner[i]].total >= LowerColours::FEW
            && !elsewhere[owner[i]].near_common(lab[i])
        {
            *g = 0.0;
        }
    }
    garment
}
