//! The rule stages one at a time, on small synthetic maps: no models, no photos.

use super::*;

/// An upright body, shoulders 10 map pixels wide, its torso a segment.
fn a_body() -> Body {
    Body { upper: vec![((20.0, 12.0), (20.0, 26.0), 6.0)], ..super::tests::upright_body((20.0, 12.0), 16.0, 10.0) }
}

/// A person whose own (pose) mask is the square 10..30 x 10..30 of a 40x40 map.
fn a_person() -> (Person, Body) {
    let roi = Roi { cx: 20.0, cy: 20.0, size: 20.0, rotation: 0.0 };
    let n = (pose::MASK_SIZE * pose::MASK_SIZE) as usize;
    (Person::new(Vec::new(), 1.0, roi, None, vec![1.0; n]), a_body())
}

/// A 40x40 selfie mask: 1 inside the boxes (x0, y0, x1, y1), 0 elsewhere.
fn selfie_of(boxes: &[(u32, u32, u32, u32)]) -> Map {
    Map::from_fn(40, 40, 1, |x, y, _| if boxes.iter().any(|&(x0, y0, x1, y1)| x >= x0 && x < x1 && y >= y0 && y < y1) { 1.0 } else { 0.0 })
}

#[test]
fn the_gate_is_the_person_s_own_mask_widened_by_the_selfie_mask_near_them_only() {
    // The selfie mask a little looser than the pose mask, and a poster in a far corner.
    let selfie = selfie_of(&[(8, 8, 32, 32), (0, 0, 4, 4)]);
    let own = person_gate(&[a_person()], &[false], &[], Some(&selfie), (40, 40), (1.0, 1.0), &Tuning::default());
    let at = |x: u32, y: u32| (y * 40 + x) as usize;
    assert_eq!(own.owner[at(20, 20)], 0);
    assert!(own.gate[at(20, 20)] > 0.99 && own.beyond[at(20, 20)] < 1e-6, "inside their own mask: gate, not beyond");
    // Just outside the pose mask, in the selfie mask: in the gate, as what lies beyond the
    // person's own mask (counted only in the garment's colours later).
    assert!(own.gate[at(9, 20)] > 0.9 && own.beyond[at(9, 20)] > 0.9, "gate {} beyond {}", own.gate[at(9, 20)], own.beyond[at(9, 20)]);
    // The poster: the selfie mask far from anyone is out of the gate (it has the nearest
    // person as its owner, which the gate then rules out); where no mask sees anything, no owner.
    assert_eq!(own.gate[at(2, 2)], 0.0);
    assert_eq!(own.owner[at(36, 2)], usize::MAX);
    // With no one detected, the selfie mask alone is no one (a mural's face, a poster)...
    let alone = person_gate(&[], &[], &[], Some(&selfie), (40, 40), (1.0, 1.0), &Tuning::default());
    assert!(alone.gate.iter().all(|&g| g == 0.0));
    assert!(alone.owner.iter().all(|&o| o == usize::MAX));
    // ...but near a skeleton the pose model found and the rules judged no body, it is the gate,
    // and owns nothing.
    let near = person_gate(&[], &[], &[[14.0, 14.0, 18.0, 18.0]], Some(&selfie), (40, 40), (1.0, 1.0), &Tuning::default());
    assert_eq!((near.gate[at(20, 20)], near.gate[at(2, 2)]), (1.0, 0.0));
    assert!(near.owner.iter().all(|&o| o == usize::MAX));
}

fn evidence(clothes: f32, skin: f32) -> Option<Evidence> {
    Some(Evidence { clothes, skin, hair: 0.0, true_skin: if skin >= 0.6 { skin } else { 0.0 } })
}

#[test]
fn the_garment_alpha_is_clothes_against_skin_the_colour_fill_beside_the_garment_and_never_a_head() {
    // Six pixels of one person: sure clothes, sure skin, clothes under a never-garment disc,
    // unsure PAN in the garment's colour beside the garment, the same far from it, and clothes
    // outside the gate.
    let own = Ownership { owner: vec![0; 6], gate: vec![1.0, 1.0, 1.0, 1.0, 1.0, 0.0], beyond: vec![0.0; 6] };
    let ev = [evidence(0.9, 0.0), evidence(0.0, 0.9), evidence(0.9, 0.0), evidence(0.1, 0.1), evidence(0.1, 0.1), evidence(0.9, 0.0)];
    let fill = ColourFill { learnt: vec![true], dressy: vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0], beside_garment: vec![0.0, 0.0, 0.0, 1.0, 0.0, 0.0] };
    let never = [0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
    let a = garment_alpha(&own, &ev, &fill, &[0.0; 6], (&never, &[0.0; 6]), &Tuning::default());
    assert!(a[0] > 0.99, "sure clothes: {}", a[0]);
    assert!(a[1] < 0.01, "sure skin: {}", a[1]);
    assert!(a[2] < 0.01, "a head's disc: {}", a[2]);
    assert!(a[3] > 0.99, "the garment's colour beside it, PAN unsure: {}", a[3]);
    assert!(a[4] < 0.5, "the garment's colour away from it, PAN unsure: {}", a[4]);
    assert_eq!(a[5], 0.0, "outside the gate");
}

#[test]
fn the_colour_fill_learns_the_garment_s_colour_and_reaches_it_only_through_the_garment() {
    // A row band 40 wide: orange fabric PAN is sure of (x < 16), orange it is unsure of beside it
    // (16..20), bare skin it is sure of (20..30), and orange past the skin (a shoe of the
    // garment's colour past a bare shin, 30..40).
    let (w, h) = (40u32, 10u32);
    let n = (w * h) as usize;
    let (orange, skin) = (lab([240, 120, 20]), lab([200, 150, 120]));
    let x_of = |i: usize| i as u32 % w;
    let lab_map: Vec<[f32; 3]> = (0..n).map(|i| if (20..30).contains(&x_of(i)) { skin } else { orange }).collect();
    let ev: Vec<Option<Evidence>> = (0..n)
        .map(|i| match x_of(i) {
            0..16 => evidence(0.9, 0.0),
            20..30 => evidence(0.0, 0.9),
            _ => evidence(0.3, 0.3),
        })
        .collect();
    let own = Ownership { owner: vec![0; n], gate: vec![1.0; n], beyond: vec![0.0; n] };
    let zeros = vec![0.0; n];
    let fill = colour_fill(&[a_person()], &own, &ev, (&zeros, &zeros), &lab_map, (w, h), &Tuning::default());
    let at = |x: u32| (5 * w + x) as usize;
    assert_eq!(fill.learnt, vec![true]);
    assert!(fill.dressy[at(18)] > 0.5 && fill.dressy[at(25)] < 0.5, "orange {}, skin {}", fill.dressy[at(18)], fill.dressy[at(25)]);
    assert_eq!(fill.beside_garment[at(18)], 1.0, "the unsure orange beside the garment");
    assert_eq!(fill.beside_garment[at(35)], 0.0, "the orange past the bare skin");
}

/// A 40x40 person (the body of [`a_body`], arms hanging at its sides) whose PAN evidence is
/// `chest` inside the torso and `shoulders` over its shoulders' tops, and whose garment alpha
/// is 1 everywhere on them.
fn a_torso(chest: Option<Evidence>, shoulders: Option<Evidence>) -> (Vec<(Person, Body)>, Ownership, Vec<Option<Evidence>>) {
    let mut body = a_body();
    // Arms hanging straight down from the shoulder joints, outside the chest.
    body.upper.push(((15.0, 12.0), (13.0, 24.0), 2.5));
    body.upper.push(((25.0, 12.0), (27.0, 24.0), 2.5));
    // And the lower torso and legs below the waist (y 26).
    body.lower = vec![((20.0, 26.0), (20.0, 30.0), 6.0), ((17.0, 30.0), (17.0, 40.0), 3.0), ((23.0, 30.0), (23.0, 40.0), 3.0)];
    let person = (a_person().0, body);
    let own = Ownership { owner: vec![0; 1600], gate: vec![1.0; 1600], beyond: vec![0.0; 1600] };
    let ev = (0..1600).map(|i| if (i / 40) as f32 + 0.5 < 13.5 { shoulders } else { chest }).collect();
    (vec![person], own, ev)
}

#[test]
fn a_bare_torso_wears_no_top_whatever_pan_calls_patches_of_it() {
    // Skin all over the torso and the shoulders, and a patch on the chest PAN calls clothes
    // (sunlit or shaded skin): no garment on the upper body, the patch included.
    let (people, own, mut ev) = a_torso(evidence(0.1, 0.9), evidence(0.1, 0.9));
    for y in 17..19 {
        for x in 19..21 {
            ev[y * 40 + x] = evidence(0.9, 0.3);
        }
    }
    let (g, bare) = without_bare_tops(vec![1.0; 1600], &people, &own, &ev, &[0.0; 1600], (40, 40), &Tuning::default().bare, |_, seen| seen);
    assert_eq!(bare, [true]);
    assert_eq!(g[18 * 40 + 20], 0.0, "the patch PAN calls clothes");
    assert!(g[..24 * 40].iter().all(|&v| v == 0.0), "the upper body");
    // Below the waist (shorts), the lower body's garment stays.
    assert!(g[34 * 40..].iter().all(|&v| v == 1.0), "the lower body");
}

#[test]
fn a_top_under_arms_folded_over_the_chest_is_still_a_top() {
    // The chest is skin (forearms folded in front of it), the shoulders a T-shirt's: a top.
    let (people, own, ev) = a_torso(evidence(0.1, 0.9), evidence(0.9, 0.0));
    let (g, bare) = without_bare_tops(vec![1.0; 1600], &people, &own, &ev, &[0.0; 1600], (40, 40), &Tuning::default().bare, |_, seen| seen);
    assert_eq!(bare, [false]);
    assert!(g.iter().all(|&v| v == 1.0));
    // And a tank top under a forearm: bare shoulders, the chest half covered.
    let (people, own, mut ev) = a_torso(evidence(0.1, 0.9), evidence(0.1, 0.9));
    for (i, e) in ev.iter_mut().enumerate() {
        if (i / 40) >= 14 && (i % 40) >= 20 {
            *e = evidence(0.9, 0.0);
        }
    }
    let (_, bare) = without_bare_tops(vec![1.0; 1600], &people, &own, &ev, &[0.0; 1600], (40, 40), &Tuning::default().bare, |_, seen| seen);
    assert_eq!(bare, [false]);
}

#[test]
fn a_colour_of_the_person_s_own_skin_and_not_of_their_garment_is_not_garment_whatever_pan_says() {
    // Six pixels, all clothes to PAN: the person's sure skin colour (brown, learnt elsewhere)
    // and their garment's (black).
    let own = Ownership { owner: vec![0; 6], gate: vec![1.0; 6], beyond: vec![0.0; 6] };
    let ev = [evidence(0.9, 0.0); 6];
    let fill = ColourFill { learnt: vec![true], dressy: vec![1.0; 6], beside_garment: vec![1.0; 6] };
    let skin_coloured = [1.0, 1.0, 0.0, 0.0, 0.6, 0.0];
    let a = garment_alpha(&own, &ev, &fill, &skin_coloured, (&[0.0; 6], &[0.0; 6]), &Tuning::default());
    assert!(a[0] < 0.01 && a[1] < 0.01, "the skin's colour: {a:?}");
    assert!(a[2] > 0.99 && a[3] > 0.99, "the garment's colour: {a:?}");
    // And the odds that say so: learnt from the sure skin of the face's colour against the sure
    // garment, for people whose face gave that colour.
    let (brown, black) = (lab([120, 80, 60]), lab([20, 20, 22]));
    let lab_px: Vec<[f32; 3]> = (0..200).map(|i| if i < 100 { brown } else { black }).collect();
    let ev: Vec<Option<Evidence>> = (0..200).map(|i| if i < 100 { evidence(0.0, 0.9) } else { evidence(0.9, 0.0) }).collect();
    let own = Ownership { owner: vec![0; 200], gate: vec![1.0; 200], beyond: vec![0.0; 200] };
    let model = SkinModel { mean: brown, spread: [2.0; 3], radius: 12.0, t: Tuning::default().skin };
    let people = [a_person()];
    let s = own_skin(&people, &own, &ev, &[Some(model)], (&[0.0; 200], &[0.0; 200]), &lab_px, &Tuning::default());
    assert!(s[0] > 0.9 && s[150] < 0.1, "{} {}", s[0], s[150]);
    assert!(own_skin(&people, &own, &ev, &[None], (&[0.0; 200], &[0.0; 200]), &lab_px, &Tuning::default()).iter().all(|&v| v == 0.0), "no face: no say");
}

#[test]
fn a_bare_torso_is_held_like_a_call() {
    // A new track takes the reading at once; a known one keeps it against call_hold - 1
    // contrary readings (a runner's chest read near the line as they turn), then changes.
    let hold = Tuning::default().tracks.call_hold;
    let mut t = Track::new(1, (0.0, 0.0), 1.0, None);
    assert!(t.settle_bare(true, hold));
    for _ in 1..hold {
        assert!(t.settle_bare(false, hold), "held");
    }
    assert!(!t.settle_bare(false, hold), "changed after {hold} readings");
    assert!(!t.settle_bare(true, hold), "one reading back does not change it");
    assert!(!t.settle_bare(false, hold));
}

#[test]
fn a_face_disc_of_hair_teaches_no_skin_colour() {
    // The face disc of a head seen from behind: PAN calls the dark, blue-grey hair skin. The
    // same disc of brown skin teaches its colour.
    let (w, h) = (20u32, 20u32);
    let pan = Map::from_fn(w, h, 3, |_, _, c| if c == 0 { 1.0 } else { 0.0 });
    let t = Tuning::default().skin;
    let disc = ((10.0, 10.0), 6.0);
    let hair = vec![lab([38, 40, 48]); (w * h) as usize];
    assert!(SkinModel::learn(disc, &hair, Some(&pan), (w, h), &t).is_none(), "hair's colour taken for skin");
    let brown = vec![lab([110, 72, 52]); (w * h) as usize];
    assert!(SkinModel::learn(disc, &brown, Some(&pan), (w, h), &t).is_some(), "brown skin not learnt");
    // Sunlit skin as vivid as an orange (chroma 50, hue 49 degrees: Athlete-Intake's coach).
    let sunlit = vec![lab([190, 100, 60]); (w * h) as usize];
    assert!(SkinModel::learn(disc, &sunlit, Some(&pan), (w, h), &t).is_some(), "sunlit skin not learnt");
}

#[test]
fn skin_pan_takes_for_clothes_is_skin_though_it_outnumbers_the_face() {
    // One row of a person, 40 wide: the face (sure skin, brown, 6 px), black shorts (sure clothes,
    // 26 px) and a bare thigh PAN also calls clothes (brown, 8 px: more than the face).
    let (w, h) = (40u32, 10u32);
    let n = (w * h) as usize;
    let x_of = |i: usize| i as u32 % w;
    let (brown, black) = (lab([120, 80, 60]), lab([22, 22, 25]));
    let lab_map: Vec<[f32; 3]> = (0..n).map(|i| if (6..32).contains(&x_of(i)) { black } else { brown }).collect();
    let ev: Vec<Option<Evidence>> = (0..n).map(|i| if x_of(i) < 6 { evidence(0.0, 0.95) } else { evidence(0.95, 0.0) }).collect();
    let own = Ownership { owner: vec![0; n], gate: vec![1.0; n], beyond: vec![0.0; n] };
    let t = Tuning::default();
    let model = SkinModel { mean: brown, spread: [3.0, 2.0, 2.0], radius: 6.0, t: t.skin };
    let zero = vec![0.0; n];
    let skin = own_skin(&[a_person()], &own, &ev, &[Some(model)], (&zero, &zero), &lab_map, &t);
    let thigh = (0..n).filter(|&i| x_of(i) >= 32).map(|i| skin[i]).fold(1.0, f32::min);
    let shorts = (6..n).filter(|&i| (6..32).contains(&x_of(i))).map(|i| skin[i]).fold(0.0, f32::max);
    assert!(thigh > 0.7, "the bare thigh PAN calls clothes: own skin {thigh}");
    assert!(shorts < 0.1, "the shorts: own skin {shorts}");
}

/// A standing body on a 40x60 map: shoulders at y 10, hips at 26, knees at 38, ankles at 52,
/// the legs 6 map pixels apart.
fn a_standing_body() -> Body {
    let (lh, rh, lk, rk, la, ra) = ((17.0, 26.0), (23.0, 26.0), (17.0, 38.0), (23.0, 38.0), (17.0, 52.0), (23.0, 52.0));
    Body {
        upper: vec![((20.0, 10.0), (20.0, 24.0), 6.0)],
        lower: vec![((20.0, 24.0), (20.0, 28.0), 6.0), (lh, lk, 3.0), (rh, rk, 3.0), (lk, la, 2.5), (rk, ra, 2.5)],
        thighs: Some([(lh, lk), (rh, rk)]),
        knee_row: Some(38.0),
        ankle_row: Some(52.0),
        shins: vec![(lk, la), (rk, ra)],
        ..super::tests::upright_body((20.0, 10.0), 16.0, 10.0)
    }
}

/// The classes of one person called `call` whose garment is `colour_at` (None: no garment) on a
/// 40x60 map.
fn classes_of(call: WearCall, colour_at: impl Fn(u32, u32) -> Option<[f32; 3]>) -> Map {
    let (w, h) = (40u32, 60u32);
    let person = (Person::of_landmarks(&[]), a_standing_body());
    let at: Vec<Option<[f32; 3]>> = (0..w * h).map(|i| colour_at(i % w, i / w)).collect();
    let garment: Vec<f32> = at.iter().map(|c| c.map_or(0.0, |_| 1.0)).collect();
    let lab: Vec<[f32; 3]> = at.iter().map(|c| c.unwrap_or([60.0, 0.0, 0.0])).collect();
    let owner = vec![0usize; (w * h) as usize];
    let maps = PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h };
    classes(&[person], &[call], &[None], &maps, &Tuning::default())
}

#[test]
fn tights_under_a_dress_are_a_lower_garment_and_a_two_colour_dress_stays_one() {
    const RED: [f32; 3] = [45.0, 55.0, 35.0];
    const BLACK: [f32; 3] = [12.0, 1.0, -1.0];
    const GREY: [f32; 3] = [62.0, 0.0, -2.0];
    const DENIM: [f32; 3] = [45.0, 2.0, -28.0];
    let bodice = |x: u32, y: u32| (14..26).contains(&x) && (12..26).contains(&y);
    let skirt = |x: u32, y: u32| (13..27).contains(&x) && (26..34).contains(&y);
    let legs = |x: u32, y: u32| ((15..20).contains(&x) || (21..26).contains(&x)) && (34..52).contains(&y);
    let class = |m: &Map, x: u32, y: u32| [UPPER, LOWER, FULL].into_iter().max_by(|&a, &b| m.get(x, y, a).total_cmp(&m.get(x, y, b))).unwrap();

    // A red dress to mid-thigh over black tights down to the ankles: the tights, above the knees
    // and below them, are legwear; the dress is the dress.
    let m = classes_of(WearCall::Full, |x, y| {
        if bodice(x, y) || skirt(x, y) {
            Some(RED)
        } else if legs(x, y) {
            Some(BLACK)
        } else {
            None
        }
    });
    assert_eq!(class(&m, 20, 18), FULL, "the bodice");
    assert_eq!(class(&m, 20, 30), FULL, "the skirt");
    assert_eq!(class(&m, 17, 36), LOWER, "tights above the knee, below the hem");
    assert_eq!(class(&m, 17, 46), LOWER, "tights on the shin");
    assert_eq!(class(&m, 23, 46), LOWER, "tights on the other shin");

    // A grey bodice and a denim skirt to the ankles (c3's girl, in a long dress): one garment,
    // whatever its colours below the knees, since the skirt has them at the top.
    let m = classes_of(WearCall::Full, |x, y| {
        if bodice(x, y) {
            Some(GREY)
        } else if skirt(x, y) || ((13..27).contains(&x) && (34..52).contains(&y)) {
            Some(DENIM)
        } else {
            None
        }
    });
    for (x, y) in [(20, 18), (20, 30), (17, 46), (20, 46)] {
        assert_eq!(class(&m, x, y), FULL, "a long two-colour dress at ({x}, {y})");
    }

    // Called two pieces, the black below the red is the lower garment as before.
    let m = classes_of(WearCall::TwoPiece, |x, y| {
        if bodice(x, y) {
            Some(RED)
        } else if skirt(x, y) || legs(x, y) {
            Some(BLACK)
        } else {
            None
        }
    });
    assert_eq!(class(&m, 17, 46), LOWER);
}

#[test]
fn tights_on_both_shins_below_a_knee_length_dress_stay_and_a_patch_on_one_shin_does_not() {
    const RED: [f32; 3] = [45.0, 55.0, 35.0];
    const BLACK: [f32; 3] = [12.0, 1.0, -1.0];
    let (w, h) = (40u32, 60u32);
    let body = a_standing_body();
    let dress = |x: u32, y: u32| ((14..26).contains(&x) && (12..26).contains(&y)) || ((13..27).contains(&x) && (26..40).contains(&y));
    let shin = |x: u32, y: u32, left: bool| (if left { 15..20 } else { 21..26 }).contains(&x) && (40..52).contains(&y);
    let joined = |right_shin: bool| {
        let at = |i: u32| -> Option<[f32; 3]> {
            let (x, y) = (i % w, i / w);
            if dress(x, y) {
                Some(RED)
            } else if shin(x, y, true) || (right_shin && shin(x, y, false)) {
                Some(BLACK)
            } else {
                None
            }
        };
        let garment: Vec<f32> = (0..w * h).map(|i| at(i).map_or(0.0, |_| 1.0)).collect();
        let lab: Vec<[f32; 3]> = (0..w * h).map(|i| at(i).unwrap_or([60.0, 0.0, 0.0])).collect();
        joined_below_knees(garment, &[&body], &vec![0usize; (w * h) as usize], &lab, (w, h), &Tuning::default().legs)
    };
    // Tights on both shins, the dress to below the knees: nothing of them shows above the knees,
    // yet they run down both legs in one colour: legwear, kept.
    let g = joined(true);
    assert!(
        g[(46 * w + 17) as usize] > 0.5 && g[(46 * w + 23) as usize] > 0.5,
        "tights on the shins: {} {}",
        g[(46 * w + 17) as usize],
        g[(46 * w + 23) as usize]
    );
    assert!(g[(20 * w + 20) as usize] > 0.5, "the dress");
    // The same colour on one shin only (a dark ball or bag in front of it, a shadow): cut, as
    // the colours of the thighs do not have it.
    let g = joined(false);
    assert!(g[(46 * w + 17) as usize] < 0.5, "a patch on one shin: {}", g[(46 * w + 17) as usize]);
}

#[test]
fn a_ball_across_both_shins_is_not_legwear() {
    const NAVY: [f32; 3] = [25.0, 3.0, -20.0];
    const WHITE: [f32; 3] = [92.0, 0.0, 2.0];
    let (w, h) = (40u32, 60u32);
    let body = a_standing_body();
    let shin = |x: u32, y: u32| ((15..20).contains(&x) || (21..26).contains(&x)) && (40..52).contains(&y);
    let joined = |colour_at: &dyn Fn(u32, u32) -> Option<[f32; 3]>| {
        let garment: Vec<f32> = (0..w * h).map(|i| colour_at(i % w, i / w).map_or(0.0, |_| 1.0)).collect();
        let lab: Vec<[f32; 3]> = (0..w * h).map(|i| colour_at(i % w, i / w).unwrap_or([60.0, 0.0, 0.0])).collect();
        joined_below_knees(garment, &[&body], &vec![0usize; (w * h) as usize], &lab, (w, h), &Tuning::default().legs)
    };
    // Navy trousers down to the knees, and a white ball in front of both shins' middles (and
    // between them): the ball is cut.
    let ball = |x: u32, y: u32| (14..27).contains(&x) && (42..49).contains(&y);
    let g = joined(&|x, y| {
        if ball(x, y) {
            Some(WHITE)
        } else if ((14..26).contains(&x) && (12..40).contains(&y)) || shin(x, y) {
            Some(NAVY)
        } else {
            None
        }
    });
    assert!(g[(45 * w + 17) as usize] < 0.5 && g[(45 * w + 20) as usize] < 0.5, "the ball: {} {}", g[(45 * w + 17) as usize], g[(45 * w + 20) as usize]);
}

#[test]
fn a_bare_forearm_is_no_sleeve_and_a_long_sleeve_is() {
    const NAVY: [f32; 3] = [25.0, 3.0, -20.0];
    const SKIN: [f32; 3] = [55.0, 14.0, 18.0];
    let (w, h) = (40u32, 60u32);
    // Shoulder (24, 10), elbow (30, 20), wrist (32, 30): the forearm hangs beside the torso.
    let (shoulder, elbow, wrist) = ((24.0, 10.0), (30.0, 20.0), (32.0, 30.0));
    let body = Body {
        upper: vec![((20.0, 10.0), (20.0, 24.0), 6.0), (shoulder, elbow, 2.5), (elbow, wrist, 2.0)],
        forearms: vec![(elbow, wrist, 2.0)],
        ..a_standing_body()
    };
    let on = |x: u32, y: u32, seg: (P, P), r: f32| seg_dist((x as f32 + 0.5, y as f32 + 0.5), seg.0, seg.1) <= r;
    let torso = |x: u32, y: u32| (14..26).contains(&x) && (10..26).contains(&y);
    // PAN took the whole arm for clothes; `forearm` is its colour there.
    let garments = |forearm: [f32; 3]| {
        let at = |x: u32, y: u32| -> Option<[f32; 3]> {
            if torso(x, y) || on(x, y, (shoulder, elbow), 2.5) {
                Some(NAVY)
            } else if on(x, y, (elbow, wrist), 2.0) {
                Some(forearm)
            } else {
                None
            }
        };
        let garment: Vec<f32> = (0..w * h).map(|i| at(i % w, i / w).map_or(0.0, |_| 1.0)).collect();
        let lab: Vec<[f32; 3]> = (0..w * h).map(|i| at(i % w, i / w).unwrap_or([60.0, 0.0, 0.0])).collect();
        sleeves_only(garment, &[&body], &vec![0usize; (w * h) as usize], &lab, w, &Tuning::default().sleeves)
    };
    let mid_forearm = (26 * w + 31) as usize;
    // A short sleeve and a bare forearm: the forearm is cut, the sleeve and the torso stay.
    let g = garments(SKIN);
    assert!(g[mid_forearm] < 0.5, "the bare forearm: {}", g[mid_forearm]);
    assert!(g[(15 * w + 27) as usize] > 0.5 && g[(18 * w + 20) as usize] > 0.5, "the sleeve and the torso");
    // A long sleeve in the top's colour stays.
    let g = garments(NAVY);
    assert!(g[mid_forearm] > 0.5, "the long sleeve: {}", g[mid_forearm]);
}
