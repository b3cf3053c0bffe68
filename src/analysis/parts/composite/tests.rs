//! The garment rules on small synthetic skeletons and maps, without the models.
use super::*;

#[test]
fn skin_in_shade_and_sun_is_in_the_skin_gamut_and_orange_and_blue_are_not() {
    assert!(skin_gamut(lab([224, 172, 140]), &Skin::default()) > 0.9 && skin_gamut(lab([92, 58, 40]), &Skin::default()) > 0.9);
    assert!(skin_gamut(lab([240, 150, 20]), &Skin::default()) < 0.1 && skin_gamut(lab([40, 90, 200]), &Skin::default()) < 0.1);
}

/// The rules following one person, not yet called.
fn one_new_track() -> GarmentRules {
    let mut s = GarmentRules::default();
    s.tracks.push(Track::new(1, (0.0, 0.0), 1.0, None));
    s
}

/// The hem split as the segmenter makes it: where a hem is found.
fn split_at_hem(b: &Body, px: &PixelMaps<'_>, side: &mut [Side]) {
    if let Some(hem) = Hem::find(b, 0, px, &TopHem::default()) {
        split_by_colour(b, 0, px, &hem, side, &TopHem::default());
    }
}

/// An upright body with its hips seen, no limbs, in a 40x40 map.
pub(super) fn upright_body(shoulder: P, torso: f32, sw: f32) -> Body {
    let hip = (shoulder.0, shoulder.1 + torso);
    Body {
        shoulder,
        hips_seen: true,
        waist: lerp(shoulder, hip, 0.88),
        sw,
        torso,
        upper: vec![],
        lower: vec![],
        forearms: vec![],
        thighs: None,
        knee_row: None,
        ankle_row: None,
        shins: vec![],
        never: vec![],
        axis: (0.0, 1.0),
        normal: (-1.0, 0.0),
        face: None,
        bbox: [0.0, 0.0, 40.0, 40.0],
        shape: BodyShape::default(),
    }
}

/// Shoulders at y=10 and hips at y=36 on a 40x60 map (the waist line at y=32.9, the lower torso
/// to the crotch at y=41.2), with these thighs.
fn hips_body(thighs: Option<[(P, P); 2]>) -> Body {
    Body {
        upper: vec![((20.0, 10.0), (20.0, 32.9), 9.6)],
        lower: vec![((20.0, 32.9), (20.0, 41.2), 9.6), ((16.0, 36.0), (16.0, 55.0), 4.8), ((24.0, 36.0), (24.0, 55.0), 4.8)],
        thighs,
        ..upright_body((20.0, 10.0), 26.0, 16.0)
    }
}

/// The dress evidence of person 0 on `px`, with the default thresholds and the hem they find.
fn evidence_of(b: &Body, px: &PixelMaps<'_>) -> crate::analysis::parts::DressEvidence {
    dress_evidence(b, 0, px, None, None, Hem::find(b, 0, px, &TopHem::default()).as_ref(), Tuning::default().tracks.hem_across, &Dress::default())
}

#[test]
fn skeleton_assigns_a_raised_knee_to_the_lower_body() {
    // Shoulders at y=10, hips at y=30, a thigh raised forward to the chest's side.
    let b = Body {
        upper: vec![((20.0, 10.0), (20.0, 27.6), 6.0)],
        lower: vec![((20.0, 27.6), (20.0, 34.0), 6.0), ((22.0, 30.0), (32.0, 18.0), 3.0)],
        ..upright_body((20.0, 10.0), 20.0, 10.0)
    };
    // On the raised thigh beside the chest: lower, though it is above the waist line.
    assert!(b.lower_share((31.0, 19.0)) > 0.9);
    // The chest: upper.
    assert!(b.lower_share((20.0, 15.0)) < 0.1);
    // Above the neck between the shoulders: never a garment.
    assert!(b.never_garment((20.0, 4.0)) > 0.9);
    assert!(b.never_garment((20.0, 15.0)) < 0.1);
}

#[test]
fn a_head_in_profile_is_never_a_garment_to_its_crown() {
    // b1 frame 247: the juggler turned right and leaning forward, his landmarks as the pose
    // model gave them (1280 x 720). His head is forward of his shoulders, out of the region
    // above the neck, and the face disc (on the face's landmarks) stops short of the back of
    // his head: his hair there was restyled with his shirt.
    let points = [
        (802.0, 173.0, 1.0),
        (803.0, 159.0, 1.0),
        (803.0, 159.0, 1.0),
        (802.0, 159.0, 1.0),
        (800.0, 156.0, 1.0),
        (798.0, 153.0, 1.0),
        (795.0, 151.0, 1.0),
        (786.0, 150.0, 0.99),
        (776.0, 139.0, 1.0),
        (789.0, 179.0, 1.0),
        (786.0, 176.0, 1.0),
        (739.0, 201.0, 1.0),
        (702.0, 169.0, 1.0),
        (678.0, 285.0, 0.09),
        (638.0, 255.0, 0.98),
        (687.0, 366.0, 0.16),
        (645.0, 366.0, 0.94),
        (693.0, 389.0, 0.15),
        (639.0, 393.0, 0.9),
        (695.0, 393.0, 0.15),
        (654.0, 399.0, 0.9),
        (690.0, 384.0, 0.15),
        (656.0, 390.0, 0.86),
        (674.0, 351.0, 1.0),
        (634.0, 352.0, 1.0),
        (755.0, 436.0, 0.64),
        (653.0, 497.0, 0.97),
        (791.0, 566.0, 0.8),
        (637.0, 640.0, 0.98),
        (775.0, 590.0, 0.76),
        (622.0, 659.0, 0.9),
        (868.0, 600.0, 0.89),
        (685.0, 687.0, 0.97),
    ];
    let b = body(&pose::Person::of_landmarks(&points), 1280, 720, 1.0, 1.0, &BodyShape::default()).expect("shoulders seen");
    // The ears lie near the middle of a head seen from the side, the nose about a head's
    // radius in front of them: the crown and the back of the head are as far behind.
    let (nose, mid) = ((802.0, 173.0), (781.0, 144.5));
    for f in [0.5f32, 0.8] {
        let back = (mid.0 + f * (mid.0 - nose.0), mid.1 + f * (mid.1 - nose.1));
        assert!(b.never_garment(back) > 0.9, "{f}: {back:?} {}", b.never_garment(back));
    }
    let crown = (mid.0 - 5.0, mid.1 - 30.0);
    assert!(b.never_garment(crown) > 0.9, "crown {}", b.never_garment(crown));
    // The hair on top, where it was restyled (1.4 of the nose's distance above the ears).
    assert!(b.never_garment((790.0, 94.0)) > 0.9, "hair on top {}", b.never_garment((790.0, 94.0)));
    // His shirt's collar and shoulder stay garment.
    assert!(b.never_garment((725.0, 200.0)) < 0.1, "{}", b.never_garment((725.0, 200.0)));
}

#[test]
fn a_frame_that_ends_at_the_hips_shows_a_top_alone() {
    // A webcam framing: shoulders at y=10, hips at y=36 of a 40-pixel-high map, one colour of
    // garment all down the body to the frame's lower edge.
    let (w, h) = (40u32, 40u32);
    let b = upright_body((20.0, 10.0), 26.0, 16.0);
    let n = (w * h) as usize;
    let (owner, garment, lab) = (vec![0usize; n], vec![1.0f32; n], vec![[50.0f32, 40.0, 30.0]; n]);
    let e = dress_evidence(
        &b,
        0,
        &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h },
        None,
        None,
        None,
        Tuning::default().tracks.hem_across,
        &Dress::default(),
    );
    assert!(e.below_seen < 0.5, "{e:?}");
    assert_eq!(call_of(Some(&e), &Dress::default()), WearCall::Upper);
    // A frame that ends just past the hips (a1's hoodie): one garment to the lower edge is a
    // long top as much as a dress; a top is what is seen.
    let h = 44u32;
    let n = (w * h) as usize;
    let (owner, garment, lab) = (vec![0usize; n], vec![1.0f32; n], vec![[50.0f32, 40.0, 30.0]; n]);
    let e = dress_evidence(
        &b,
        0,
        &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h },
        None,
        None,
        None,
        Tuning::default().tracks.hem_across,
        &Dress::default(),
    );
    assert!(e.below_seen >= 0.5 && e.below_seen < 0.75 && e.says_full, "{e:?}");
    assert_eq!(call_of(Some(&e), &Dress::default()), WearCall::Upper);
    // The same body in a frame that goes on down the legs: the evidence decides.
    let h = 60u32;
    let n = (w * h) as usize;
    // The garment ends at y=54, the legs below it.
    let ends = |i: usize| if i < (54 * w) as usize { 1.0f32 } else { 0.0 };
    let (owner, garment, lab) = (vec![0usize; n], (0..n).map(ends).collect::<Vec<f32>>(), vec![[50.0f32, 40.0, 30.0]; n]);
    let e = dress_evidence(
        &b,
        0,
        &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h },
        None,
        None,
        None,
        Tuning::default().tracks.hem_across,
        &Dress::default(),
    );
    assert_eq!(e.below_seen, 1.0);
    assert!(!e.runs_off, "{e:?}");
    assert_eq!(call_of(Some(&e), &Dress::default()), WearCall::Full);
    // The same garment on off the bottom of the frame, its end unseen, with hands in front of the
    // waist (a1-220: no column garment all through the waist band): a top, not two pieces.
    let hands = |i: usize| if (28 * w as usize..36 * w as usize).contains(&i) && (i as u32 % w).is_multiple_of(2) { 0.0f32 } else { 1.0 };
    let garment: Vec<f32> = (0..n).map(hands).collect();
    let e = dress_evidence(
        &b,
        0,
        &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h },
        None,
        None,
        None,
        Tuning::default().tracks.hem_across,
        &Dress::default(),
    );
    assert!(e.runs_off && !e.says_full, "{e:?}");
    assert_eq!(call_of(Some(&e), &Dress::default()), WearCall::Upper);
}

/// Shoulders at y=10, hips at y=30, one leg: knee at y=42, ankle at y=52.
fn one_legged_body() -> Body {
    Body {
        upper: vec![((20.0, 10.0), (20.0, 27.6), 6.0)],
        lower: vec![((20.0, 27.6), (20.0, 34.0), 6.0), ((17.0, 30.0), (17.0, 42.0), 3.0), ((17.0, 42.0), (17.0, 52.0), 2.2)],
        knee_row: Some(42.0),
        ankle_row: Some(52.0),
        ..upright_body((20.0, 10.0), 20.0, 10.0)
    }
}

#[test]
fn below_the_knees_only_garment_joined_to_the_torso_along_the_legs_and_in_its_colours_stays() {
    let b = one_legged_body();
    let (w, h) = (40u32, 60u32);
    let mut garment = vec![0.0f32; (w * h) as usize];
    let mut fill = |x0: u32, x1: u32, y0: u32, y1: u32| {
        for y in y0..y1 {
            for x in x0..x1 {
                garment[(y * w + x) as usize] = 1.0;
            }
        }
    };
    fill(14, 26, 10, 34); // the shirt and the shorts' seat
    fill(15, 20, 34, 53); // a trouser leg down to the ankle
    fill(15, 32, 53, 57); // a shoe, joined at the ankle, running off the leg
    fill(30, 35, 45, 50); // a hand on the ground, apart from the garment
    fill(30, 35, 15, 20); // something held at the chest, apart too
    let owner = vec![0usize; garment.len()];
    let grey = vec![[50.0f32, 0.0, 0.0]; garment.len()];
    let out = joined_below_knees(garment.clone(), &[&b], &owner, &grey, (w, h), &Legs::default());
    // A white ball against the grey trouser leg below the knee, and a dark crease inside it.
    let mut lab = grey.clone();
    let mut with_ball = garment;
    for y in 44..50 {
        for x in 20..26 {
            with_ball[(y * w + x) as usize] = 1.0;
            lab[(y * w + x) as usize] = [95.0, 0.0, 0.0];
        }
    }
    for y in 45..47 {
        for x in 16..19 {
            lab[(y * w + x) as usize] = [20.0, 0.0, 0.0];
        }
    }
    let coloured = joined_below_knees(with_ball, &[&b], &owner, &lab, (w, h), &Legs::default());
    assert_eq!(coloured[(47 * w + 24) as usize], 0.0, "the ball");
    assert_eq!(coloured[(46 * w + 17) as usize], 1.0, "the crease");
    assert_eq!(coloured[(40 * w + 17) as usize], 1.0, "the trouser leg");
    let at = |x: u32, y: u32| out[(y * w + x) as usize];
    assert_eq!(at(20, 20), 1.0, "the shirt");
    assert_eq!(at(17, 48), 1.0, "the trouser leg");
    assert_eq!(at(17, 53), 1.0, "the hem at the ankle");
    assert_eq!(at(29, 55), 0.0, "the shoe off the leg");
    assert_eq!(at(32, 47), 0.0, "the hand on the ground");
    assert_eq!(at(32, 17), 1.0, "above the knees this rule does not judge");
    // Without a seen shin the rule stands aside.
    let unseen = Body { knee_row: None, ankle_row: None, ..b.clone() };
    let mut lone = vec![0.0f32; (w * h) as usize];
    lone[(47 * w + 32) as usize] = 1.0;
    assert_eq!(joined_below_knees(lone, &[&unseen], &owner, &grey, (w, h), &Legs::default())[(47 * w + 32) as usize], 1.0);
}

#[test]
fn a_shirt_hanging_past_the_hips_over_trousers_is_two_pieces() {
    // Shoulders at y=10, hips at y=36; the shirt, seen from above, hangs on to y=46 and the
    // trousers (another colour) go on below. Most of the body just below the waist is shirt;
    // the far half of it shows the trousers.
    let (w, h) = (40u32, 60u32);
    let b = upright_body((20.0, 10.0), 26.0, 16.0);
    let n = (w * h) as usize;
    let (owner, garment) = (vec![0usize; n], vec![1.0f32; n]);
    let lab: Vec<[f32; 3]> = (0..n).map(|i| if i < (46 * w) as usize { [60.0, 0.0, 0.0] } else { [10.0, 5.0, -20.0] }).collect();
    let e = dress_evidence(
        &b,
        0,
        &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h },
        None,
        None,
        None,
        Tuning::default().tracks.hem_across,
        &Dress::default(),
    );
    assert!(!e.says_full, "{e:?}");
    assert_eq!(call_of(Some(&e), &Dress::default()), WearCall::TwoPiece);
}

#[test]
fn a_shirt_whose_folds_are_the_trousers_colour_over_them_is_two_pieces() {
    // b1: a slate shirt hanging to y=41 over navy trousers, legs together. The shirt's folds
    // (every third column) are dark enough to match the navy closely, so the colours above
    // and below the waist count as shared; the shirt's hem, all across the torso, is what
    // tells the two apart.
    let (w, h) = (40u32, 60u32);
    let b = hips_body(Some([((16.0, 36.0), (16.0, 48.0)), ((24.0, 36.0), (24.0, 48.0))]));
    let n = (w * h) as usize;
    let (owner, garment) = (vec![0usize; n], vec![1.0f32; n]);
    let (slate, fold, navy) = ([36.0, 1.0, -15.0], [18.0, 1.0, -14.0], [9.0, 2.0, -11.0]);
    let folded = |i: usize, c: [f32; 3]| if (i as u32 % w).is_multiple_of(3) { fold } else { c };
    let lab: Vec<[f32; 3]> = (0..n).map(|i| if i < (41 * w) as usize { folded(i, slate) } else { navy }).collect();
    let px = PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h };
    let e = evidence_of(&b, &px);
    assert!(e.colours_shared.is_some_and(|s| s >= 0.7), "the folds match the trousers: {e:?}");
    assert!(e.hem.is_some_and(|h| h >= Tuning::default().tracks.hem_across), "{e:?}");
    assert!(!e.says_full, "{e:?}");
    assert_eq!(call_of(Some(&e), &Dress::default()), WearCall::TwoPiece);
    // A dress of the same slate with the same folds down to the knees is still one garment.
    let dress: Vec<[f32; 3]> = (0..n).map(|i| folded(i, slate)).collect();
    let to_shins: Vec<f32> = (0..n).map(|i| if i < (54 * w) as usize { 1.0 } else { 0.0 }).collect();
    let px = PixelMaps { owner: &owner, garment: &to_shins, lab: &dress, w, h };
    let e = evidence_of(&b, &px);
    assert!(e.hem.is_some_and(|h| h < Tuning::default().tracks.hem_across), "{e:?}");
    assert_eq!(call_of(Some(&e), &Dress::default()), WearCall::Full, "{e:?}");
    // The same dress on off the bottom of the frame: the fabric across the thighs still says
    // a dress, not a top.
    let px = PixelMaps { owner: &owner, garment: &garment, lab: &dress, w, h };
    let e = evidence_of(&b, &px);
    assert!(e.runs_off && e.leg_gap == Some(false), "{e:?}");
    assert_eq!(call_of(Some(&e), &Dress::default()), WearCall::Full, "{e:?}");
    // Turned a little, the shirt's tail hangs on over one side of the trousers: the hem is
    // seen across part of the torso only. From a stranger that is no proof of two pieces;
    // from a person whose hem was seen all across a moment ago, it is.
    let turned: Vec<[f32; 3]> = (0..n).map(|i| if i as u32 % w <= 18 && i < (50 * w) as usize { folded(i, slate) } else { lab[i] }).collect();
    let px = PixelMaps { owner: &owner, garment: &garment, lab: &turned, w, h };
    let hem = Hem::find(&b, 0, &px, &TopHem::default());
    let e = dress_evidence(&b, 0, &px, None, None, hem.as_ref(), Tuning::default().tracks.hem_across, &Dress::default());
    assert!(e.hem.is_some_and(|h| (Tuning::default().tracks.hem_known..Tuning::default().tracks.hem_across).contains(&h)), "{e:?}");
    assert_eq!(call_of(Some(&e), &Dress::default()), WearCall::Full, "{e:?}");
    let e = dress_evidence(&b, 0, &px, None, None, hem.as_ref(), Tuning::default().tracks.hem_known, &Dress::default());
    assert_eq!(call_of(Some(&e), &Dress::default()), WearCall::TwoPiece, "{e:?}");
}

#[test]
fn a_hem_seen_all_across_is_remembered_for_a_while() {
    let mut s = one_new_track();
    assert_eq!(s.hem_needed(0), Tuning::default().tracks.hem_across, "a stranger");
    s.saw_hem(0, Some(0.9));
    assert_eq!(s.hem_needed(0), Tuning::default().tracks.hem_known);
    for _ in 0..Tuning::default().tracks.hem_memory {
        s.saw_hem(0, Some(0.3));
        assert_eq!(s.hem_needed(0), Tuning::default().tracks.hem_known);
    }
    s.saw_hem(0, None);
    assert_eq!(s.hem_needed(0), Tuning::default().tracks.hem_across, "forgotten");
}

#[test]
fn a_column_s_edge_is_where_the_top_s_colours_give_way_to_others() {
    let col = |s: &str| -> Vec<(f32, i8)> {
        s.chars()
            .enumerate()
            .map(|(j, c)| {
                (
                    j as f32,
                    if c == 'T' {
                        1
                    } else if c == 'o' {
                        -1
                    } else {
                        0
                    },
                )
            })
            .collect()
    };
    // Top, a stray shade, top, then the trousers with a crease of the top's colour.
    assert_eq!(top_edge(&mut col("TTTT.TTTTTooooTooooo"), &TopHem::default()), 9.5);
    // The top all the way down, or others below that are mostly its shades: no edge.
    assert!(top_edge(&mut col("TTTTTTTTTTTT"), &TopHem::default()).is_nan());
    assert!(top_edge(&mut col("TTTTTT....o."), &TopHem::default()).is_nan());
    // None of the top in the column: it says nothing of where the top ends.
    assert!(top_edge(&mut col("oooooooo"), &TopHem::default()).is_nan());
    // Too few pixels to tell.
    assert!(top_edge(&mut col("Too"), &TopHem::default()).is_nan());
}

#[test]
fn a_top_hanging_past_the_waist_line_is_the_top_down_to_its_hem() {
    // Shoulders at y=10, hips at y=36 (the waist line at y=32.9); the shirt hangs on to y=41
    // and trousers of another colour go on below.
    let (w, h) = (40u32, 60u32);
    let b = hips_body(None);
    let n = (w * h) as usize;
    let (owner, garment) = (vec![0usize; n], vec![1.0f32; n]);
    let (shirt, trousers) = ([60.0, 0.0, 0.0], [10.0, 5.0, -20.0]);
    let split = |lab: &[[f32; 3]]| {
        let mut side = vec![Side::Skeleton; n];
        split_at_hem(&b, &PixelMaps { owner: &owner, garment: &garment, lab, w, h }, &mut side);
        side
    };
    let lab: Vec<[f32; 3]> = (0..n).map(|i| if i < (41 * w) as usize { shirt } else { trousers }).collect();
    let side = split(&lab);
    let at = |x: u32, y: u32| side[(y * w + x) as usize];
    // The shirt below the waist line, down to its hem: the top; the trousers: the lower garment.
    assert_eq!(at(20, 36), Side::Upper);
    assert_eq!(at(20, 40), Side::Upper);
    assert_eq!(at(20, 44), Side::Lower);
    // Trousers in the shirt's colour: nothing tells where the shirt ends, the skeleton decides.
    assert!(split(&vec![shirt; n]).iter().all(|s| *s == Side::Skeleton));
    // Nor on a body bent over (a crouch): the columns would cross the folded legs.
    let bent = Body { axis: (0.7, 0.71), normal: (-0.71, 0.7), ..b.clone() };
    let mut side = vec![Side::Skeleton; n];
    split_at_hem(&bent, &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h }, &mut side);
    assert!(side.iter().all(|s| *s == Side::Skeleton));
    // Nor on an upright torso over a folded leg (a crouch: one knee forward, one down): below
    // the hips is a thigh reaching forward, not a shirt's tail.
    let crouch = Body { thighs: Some([((16.0, 36.0), (14.0, 55.0)), ((24.0, 36.0), (38.0, 37.0))]), ..b.clone() };
    let mut side = vec![Side::Skeleton; n];
    split_at_hem(&crouch, &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h }, &mut side);
    assert!(side.iter().all(|s| *s == Side::Skeleton));
    // A walker's raised knee (one thigh 40 degrees forward) still lets the split be made.
    let walking = Body { thighs: Some([((16.0, 36.0), (16.0, 55.0)), ((24.0, 36.0), (36.0, 50.0))]), ..b.clone() };
    let mut side = vec![Side::Skeleton; n];
    split_at_hem(&walking, &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h }, &mut side);
    assert_eq!(side[(40 * w + 20) as usize], Side::Upper);
}

#[test]
fn trousers_under_a_top_that_fills_the_upper_thighs_keep_their_colour_below_the_knees() {
    // Seen from above (b3): the shirt (one colour) hangs over the hips and the upper thighs
    // down to y=37, the trousers (another) show from there on down past the knee (y=42).
    let b = one_legged_body();
    let (w, h) = (40u32, 60u32);
    let (shirt, trousers) = ([60.0f32, 0.0, 0.0], [10.0f32, 5.0, -20.0]);
    let mut garment = vec![0.0f32; (w * h) as usize];
    let mut lab = vec![[90.0f32, 0.0, 0.0]; garment.len()];
    for y in 10..53 {
        for x in 12..26 {
            if y < 37 || x < 24 {
                garment[(y * w + x) as usize] = 1.0;
                lab[(y * w + x) as usize] = if y < 37 { shirt } else { trousers };
            }
        }
    }
    let owner = vec![0usize; garment.len()];
    let out = joined_below_knees(garment, &[&b], &owner, &lab, (w, h), &Legs::default());
    assert_eq!(out[(48 * w + 17) as usize], 1.0, "the trouser leg below the knee");
    assert_eq!(out[(20 * w + 20) as usize], 1.0, "the shirt");
}

#[test]
fn a_hand_is_never_a_garment_and_its_cuff_is() {
    // Wrist at (20, 20), the hand to its right.
    let hand = Never {
        c: (24.0, 20.0),
        r: 6.0,
        from: Some(((20.0, 20.0), (1.0, 0.0))),
        hand: true,
        edge: BodyShape::default().disc_edge,
        behind: BodyShape::default().behind_wrist,
    };
    assert_eq!(hand.at((25.0, 21.0)), 1.0);
    assert_eq!(hand.at((20.0, 20.0)), 1.0);
    // Inside the disc, but half its radius back up the forearm: the cuff.
    assert_eq!(hand.at((17.0, 20.0)), 0.0);
    // A face has no wrist: the whole disc.
    assert_eq!(Never { from: None, ..hand }.at((19.0, 20.0)), 1.0);
}

#[test]
fn a_skeleton_whose_torso_is_hair_is_no_body() {
    // PAN's skin, clothes, hair in a 40x40 map: hair in the top half, clothes below.
    let pan = Map::from_fn(40, 40, 3, |_, y, c| match (y < 20, c) {
        (true, 2) | (false, 1) => 1.0,
        _ => 0.0,
    });
    // A small skeleton wholly inside the hair (the back of a head): no body.
    assert!(torso_of_hair(&upright_body((20.0, 4.0), 8.0, 6.0), &pan, People::default().hair_torso));
    // A body whose chest is in the clothes, its long hair over the shoulders: a body.
    assert!(!torso_of_hair(&upright_body((20.0, 16.0), 16.0, 10.0), &pan, People::default().hair_torso));
    // Its torso below the frame: nothing known, it stays.
    assert!(!torso_of_hair(&upright_body((20.0, 38.0), 16.0, 10.0), &pan, People::default().hair_torso));
}

#[test]
fn a_closer_square_is_worth_searching_where_the_salient_area_is_no_one_s() {
    // A 40x20 saliency map of an 80x40 frame: someone salient at the left (map x 4-12), and
    // something salient at the right (map x 28-34).
    let saliency =
        Map::from_fn(
            40,
            20,
            1,
            |x, y, _| if (4..12).contains(&x) && (4..16).contains(&y) || (28..34).contains(&x) && (6..12).contains(&y) { 1.0 } else { 0.0 },
        );
    let left = (0.0, 0.0, 40.0);
    let right = (40.0, 0.0, 40.0);
    // No one found: both squares hold salient area no one explains.
    assert!(unexplained(&saliency, &[], left, (0.5, 0.5), BodyShape::default().extent_margin) > 0.1);
    assert!(unexplained(&saliency, &[], right, (0.5, 0.5), BodyShape::default().extent_margin) > 0.05);
    // Someone found at the left (frame x 8-24, y 8-32): the left square is explained, the
    // right one still is not.
    let q = Person::of_landmarks(&[(10.0, 10.0, 1.0), (22.0, 30.0, 1.0)]);
    assert_eq!(unexplained(&saliency, std::slice::from_ref(&q), left, (0.5, 0.5), BodyShape::default().extent_margin), 0.0);
    assert!(unexplained(&saliency, std::slice::from_ref(&q), right, (0.5, 0.5), BodyShape::default().extent_margin) > 0.05);
}

#[test]
fn the_landmark_model_looks_where_the_selfie_mask_shows_someone_no_one_found_explains() {
    // A 40x20 selfie mask of an 80x40 frame: someone at the left (map x 4-12, y 2-18), someone at
    // the right (map x 28-34, y 4-18), and a speck (map x 20-21, y 10-11).
    let selfie = Map::from_fn(40, 20, 1, |x, y, _| {
        let on =
            (4..12).contains(&x) && (2..18).contains(&y) || (28..34).contains(&x) && (4..18).contains(&y) || (20..22).contains(&x) && (10..12).contains(&y);
        if on {
            0.9
        } else {
            0.0
        }
    });
    let margin = BodyShape::default().extent_margin;
    // No one found: both people, not the speck, each a square around their blob (frame pixels).
    let rois = unfound(&selfie, &[], (0.5, 0.5), margin);
    assert_eq!(rois.len(), 2, "{rois:?}");
    assert!((rois[0].cx - 16.0).abs() < 1.0 && (rois[0].cy - 20.0).abs() < 1.0 && rois[0].size > 32.0, "{:?}", rois[0]);
    // The one at the left found: only the one at the right is looked at.
    let q = Person::of_landmarks(&[(8.0, 4.0, 1.0), (24.0, 36.0, 1.0)]);
    let rois = unfound(&selfie, std::slice::from_ref(&q), (0.5, 0.5), margin);
    assert_eq!(rois.len(), 1, "{rois:?}");
    assert!((rois[0].cx - 62.0).abs() < 1.0, "{:?}", rois[0]);
    // Half of the one at the right inside someone's box (no margin): theirs, not looked at; a
    // sixth of it inside: someone else, looked at. (Their first landmark, the nose, above it.)
    let half = Person::of_landmarks(&[(56.0, 4.0, 1.0), (62.0, 36.0, 1.0)]);
    assert!(unfound(&selfie, &[q.clone(), half], (0.5, 0.5), 0.0).is_empty());
    let sliver = Person::of_landmarks(&[(56.0, 4.0, 1.0), (58.0, 36.0, 1.0)]);
    assert_eq!(unfound(&selfie, &[q.clone(), sliver], (0.5, 0.5), 0.0).len(), 1);
    // Someone whose box is a speck but whose nose is on it: theirs (a close-up's box ends at
    // the shoulders, the mask runs on down).
    let close = Person::of_landmarks(&[(60.0, 10.0, 1.0), (60.5, 10.5, 1.0)]);
    assert!(unfound(&selfie, &[q, close], (0.5, 0.5), 0.0).is_empty());
}

#[test]
fn a_skeleton_tilted_or_lying_with_no_head_is_no_one() {
    // PAN's skin, clothes, hair in a 40x40 map: skin (a face) in the top left corner only.
    let pan = Map::from_fn(40, 40, 3, |x, y, c| if x < 10 && y < 10 && c == 0 { 1.0 } else { 0.0 });
    let lying = |face: P| {
        let mut q = Person::of_landmarks(&[]);
        q.roi.rotation = 1.6;
        let mut b = upright_body((20.0, 20.0), 8.0, 6.0);
        b.face = Some((face, 3.0));
        (q, b)
    };
    // Its face on the bedclothes: no one.
    let (q, b) = lying((30.0, 30.0));
    assert!(tilted_headless(&q, &b, &pan, &People::default()));
    // Its face on skin: someone lying down.
    let (q, b) = lying((5.0, 5.0));
    assert!(!tilted_headless(&q, &b, &pan, &People::default()));
    // Upright, face or none: not judged so (the landmark model can put a face a head high).
    let (mut q, b) = lying((30.0, 30.0));
    q.roi.rotation = 0.2;
    assert!(!tilted_headless(&q, &b, &pan, &People::default()));
    // Tilted 38 degrees, its face on the wall between two children (c3, frames 190-193): no
    // one. With its face on skin: someone leaning.
    let (mut q, b) = lying((30.0, 30.0));
    q.roi.rotation = -38f32.to_radians();
    assert!(tilted_headless(&q, &b, &pan, &People::default()));
    let (mut q, b) = lying((5.0, 5.0));
    q.roi.rotation = -38f32.to_radians();
    assert!(!tilted_headless(&q, &b, &pan, &People::default()));
}

#[test]
fn a_track_changes_its_call_only_after_three_analyses() {
    let mut s = one_new_track();
    assert_eq!(s.settle(0, WearCall::Full), WearCall::Full);
    assert_eq!(s.settle(0, WearCall::TwoPiece), WearCall::Full);
    assert_eq!(s.settle(0, WearCall::TwoPiece), WearCall::Full);
    assert_eq!(s.settle(0, WearCall::Full), WearCall::Full);
    assert_eq!(s.settle(0, WearCall::TwoPiece), WearCall::Full);
    assert_eq!(s.settle(0, WearCall::TwoPiece), WearCall::Full);
    assert_eq!(s.settle(0, WearCall::TwoPiece), WearCall::TwoPiece);
    // b1's high kicks: with a leg folded forward the outfit's evidence is misread (the hem
    // cannot be, and the colours read below the waist are the raised thigh's); however long
    // that lasts, it does not change a known call.
    for _ in 0..6 {
        assert_eq!(s.settle_folded(0, WearCall::Full), WearCall::TwoPiece);
    }
    // Nor does it count toward a change once the body is upright again.
    assert_eq!(s.settle(0, WearCall::Full), WearCall::TwoPiece);
    // A person first seen folded takes that call at once, as any new track does.
    s.tracks[0].against = u32::MAX;
    assert_eq!(s.settle_folded(0, WearCall::Full), WearCall::Full);
}

#[test]
fn a_dress_whose_bodice_and_skirt_differ_is_one_garment_and_a_top_tucked_into_a_skirt_two() {
    // c3's girl: a grey bodice to high on the waist (y=26, 0.6 torso lengths) and a blue denim
    // skirt below it, across the legs. No top's edge lies below the chest and the legs are
    // bridged: a dress, though its colours above and below the waist differ.
    let (w, h) = (40u32, 60u32);
    let b = hips_body(Some([((14.0, 36.0), (12.0, 48.0)), ((26.0, 36.0), (28.0, 48.0))]));
    let n = (w * h) as usize;
    let (owner, garment) = (vec![0usize; n], vec![1.0f32; n]);
    let (grey, denim) = ([62.0, 0.0, -2.0], [45.0, -2.0, -25.0]);
    let call = |seam: u32| {
        let lab: Vec<[f32; 3]> = (0..n).map(|i| if i < (seam * w) as usize { grey } else { denim }).collect();
        let px = PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h };
        let e = evidence_of(&b, &px);
        assert_eq!(e.leg_gap, Some(false), "{e:?}");
        (call_of(Some(&e), &Dress::default()), e.hem)
    };
    let (bodice, edge) = call(26);
    assert_eq!(bodice, WearCall::Full, "a bodice and a skirt in one ({edge:?})");
    // The same colours with the change at the waist (y=33): a top tucked into a skirt, its own
    // edge found all across.
    let (tucked, edge) = call(33);
    assert!(edge.is_some_and(|h| h >= Dress::default().no_edge), "the tucked top's edge: {edge:?}");
    assert_eq!(tucked, WearCall::TwoPiece, "a top tucked into a skirt");
}

#[test]
#[ignore = "the edge where a dress's red gives way to black tights is taken for a top's hem (hem 1.0 across: two pieces). Tried: across legs bridged in the top's colours, an edge below the crotch counted as a skirt's hem; this passes, but b3's walker, seen from above, has his grey shirt bridging his thighs in its own colour down to mid-thigh just as a skirt does, and became one dress (tests/rules.rs' two b3 shirt tests fail; labelled table 55 -> 58 failures)"]
fn a_dress_over_tights_is_one_garment_and_a_top_over_leggings_two() {
    // A red dress from the shoulders to mid-thigh (y=44, 1.31 torso lengths, below the crotch at
    // 1.2) over black tights, the legs apart below the hem: the edge where the red gives way to
    // black lies on the bridged legs, a skirt's hem and not a top's.
    let (w, h) = (40u32, 60u32);
    let b = hips_body(Some([((14.0, 36.0), (12.0, 48.0)), ((26.0, 36.0), (28.0, 48.0))]));
    let n = (w * h) as usize;
    let owner = vec![0usize; n];
    let (red, black) = ([45.0, 55.0, 35.0], [12.0, 1.0, -1.0]);
    let on_legs = |x: u32| (8..19).contains(&x) || (21..32).contains(&x);
    let call = |hem_row: u32| {
        let garment: Vec<f32> = (0..n).map(|i| ((i as u32) < hem_row * w || on_legs(i as u32 % w)) as u8 as f32).collect();
        let lab: Vec<[f32; 3]> = (0..n).map(|i| if (i as u32) < hem_row * w { red } else { black }).collect();
        let px = PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h };
        let e = evidence_of(&b, &px);
        (call_of(Some(&e), &Dress::default()), e)
    };
    let (dress, e) = call(44);
    assert_eq!(dress, WearCall::Full, "a dress over tights: {e:?}");
    // A red top to the hips (y=36) over black leggings: the legs apart from the hips down.
    let (top, e) = call(36);
    assert_eq!(top, WearCall::TwoPiece, "a top over leggings: {e:?}");
}
