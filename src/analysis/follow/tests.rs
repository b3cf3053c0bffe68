use super::*;

fn disc(w: u32, h: u32, cx: f32, cy: f32, r: f32) -> Grid {
    let v = (0..h)
        .flat_map(|y| (0..w).map(move |x| if ((x as f32 + 0.5) / w as f32 - cx).hypot((y as f32 + 0.5) / h as f32 - cy) < r { 1.0 } else { 0.0 }))
        .collect();
    Grid { w, h, v }
}

#[test]
fn the_motion_found_is_the_shift_and_scale_of_the_person() {
    let then = disc(48, 36, 0.4, 0.5, 0.15);
    let still = estimate(&then, &then, None);
    assert!(still.shift.0.abs() < 0.01 && still.shift.1.abs() < 0.01 && (still.scale - 1.0).abs() < 0.01, "{still:?}");
    let moved = estimate(&then, &disc(48, 36, 0.5, 0.45, 0.15), None);
    let (s, t) = moved.forward(0.4, 0.5);
    assert!((s - 0.5).abs() < 0.02 && (t - 0.45).abs() < 0.02, "centre carried to ({s}, {t}): {moved:?}");
    let nearer = estimate(&then, &disc(48, 36, 0.4, 0.5, 0.165), None);
    assert!((nearer.scale - 1.1).abs() < 0.06, "{nearer:?}");
}

fn union(a: &Grid, b: &Grid) -> Grid {
    Grid { w: a.w, h: a.h, v: a.v.iter().zip(&b.v).map(|(p, q)| p.max(*q)).collect() }
}

#[test]
fn a_head_tilted_beside_the_garments_does_not_move_them() {
    // A torso with a head above it; the head tilts far to one side (dimmed c1: the whole
    // mask's best shift moved her top down and aside by 5-8% of the frame).
    let torso = disc(48, 36, 0.5, 0.8, 0.14);
    let then = union(&torso, &disc(48, 36, 0.5, 0.45, 0.17));
    let now = union(&torso, &disc(48, 36, 0.36, 0.52, 0.17));
    let garments = torso.clone();
    let m = estimate(&then, &now, Some(&garments));
    assert!(m.shift.0.abs() < 0.015 && m.shift.1.abs() < 0.015 && (m.scale - 1.0).abs() < 0.01, "the torso did not move: {m:?}");
    let whole = estimate(&then, &now, None);
    assert!(whole.shift.0.abs() + whole.shift.1.abs() > 0.02, "the whole mask's fit would have moved it: {whole:?}");
}

#[test]
fn two_people_moving_apart_each_keep_their_own_motion() {
    // A child jumps (up a sixth of the frame) beside another who stays: one shift and scale lays neither on
    // their mask; each person's own does, and carries a point of each back to where it was.
    let (girl, boy) = (disc(48, 36, 0.35, 0.5, 0.1), disc(48, 36, 0.65, 0.6, 0.1));
    let then = union(&girl, &boy);
    let now = union(&disc(48, 36, 0.35, 0.5 - 1.0 / 6.0, 0.1), &boy);
    let regions = [Arc::new(soft_region(&girl)), Arc::new(soft_region(&boy))];
    let moves = Moves::estimate(&then, &now, None, &regions, None);
    let whole = Moves::one(estimate(&then, &now, None));
    let found: Vec<Motion> = moves.people.iter().map(|(m, _)| *m).collect();
    let (each, one) = (moves.mismatch(&then, &now), whole.mismatch(&then, &now));
    assert!(each < 0.2, "each person's motion does not fit ({each}): {found:?}");
    assert!(one > 2.0 * each, "one motion for both fits as well ({one} against {each}): {:?}", whole.whole);
    for ((s, t), (s0, t0)) in [((0.35, 0.5 - 1.0 / 6.0), (0.35, 0.5)), ((0.65, 0.6), (0.65, 0.6))] {
        let (bs, bt) = moves.back(s, t);
        assert!((bs - s0).abs() < 0.02 && (bt - t0).abs() < 0.02, "({s}, {t}) carried back to ({bs}, {bt}), not ({s0}, {t0}): {found:?}");
        let (fs, ft) = moves.forward(s0, t0);
        assert!((fs - s).abs() < 0.02 && (ft - t).abs() < 0.02, "({s0}, {t0}) carried on to ({fs}, {ft}), not ({s}, {t})");
    }
}

#[test]
fn each_pixel_is_carried_back_as_by_the_person_it_lands_on() {
    // back_map works each motion out per column and row: the same points as back, pixel by pixel.
    let (girl, boy) = (disc(48, 36, 0.35, 0.5, 0.1), disc(48, 36, 0.65, 0.6, 0.1));
    let now = union(&disc(48, 36, 0.4, 0.4, 0.1), &boy);
    let moves = Moves::estimate(&union(&girl, &boy), &now, None, &[Arc::new(soft_region(&girl)), Arc::new(soft_region(&boy))], None);
    let (w, h) = (97, 61);
    let map = moves.back_map(w, h);
    for y in 0..h {
        for x in 0..w {
            let (a, b) = (map[(y * w + x) as usize], moves.back((x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32));
            assert!((a.0 - b.0).abs() < 1e-4 && (a.1 - b.1).abs() < 1e-4, "pixel ({x}, {y}): {a:?} against {b:?}");
        }
    }
}

#[test]
fn a_pan_beyond_the_search_is_followed_from_the_step_before() {
    // The camera pans 0.3 of the frame in the second an analysis takes: out of reach from
    // standing still, within it from the step before's motion.
    let then = disc(48, 27, 0.3, 0.5, 0.12);
    let now = disc(48, 27, 0.6, 0.5, 0.12);
    let before = Moves::one(Motion { shift: (0.25, 0.0), ..estimate(&then, &then, None) });
    let m = Moves::estimate(&then, &now, None, &[], Some(&before));
    assert!((m.whole.shift.0 - 0.3).abs() < 0.02 && m.whole.shift.1.abs() < 0.02, "{m:?}");
    assert!(!m.at_search_edge((48, 27)), "{m:?}");
    let cold = estimate(&then, &now, None);
    assert!(cold.shift.0 < 0.25, "the search from standing still reached it: {cold:?}");
}

#[test]
fn a_motion_that_takes_the_garments_out_of_the_frame_is_no_fit() {
    // A person still in view, garments on their middle: shifting the garments off the frame's
    // edge leaves a cell or two in view that may match anything, and should not win.
    let then = disc(48, 27, 0.5, 0.6, 0.2);
    let garments = disc(48, 27, 0.5, 0.75, 0.12);
    let m = estimate(&then, &then, Some(&garments));
    assert!(m.shift.0.abs() < 0.01 && m.shift.1.abs() < 0.01, "{m:?}");
    let off = Motion { shift: (0.0, 0.4), ..m };
    assert!(then.cost_within(&then, &off, Some(&garments)) > then.cost_within(&then, &m, Some(&garments)) + 0.2, "taking the garments out of view fits");
}

#[test]
fn someone_else_in_view_is_no_fit() {
    let then = disc(48, 36, 0.25, 0.5, 0.12);
    let moved = disc(48, 36, 0.3, 0.5, 0.12);
    assert!(mismatch(&then, &moved, &estimate(&then, &moved, None)) < 0.3, "the same person a step on");
    let elsewhere = disc(48, 36, 0.8, 0.4, 0.08);
    assert!(mismatch(&then, &elsewhere, &estimate(&then, &elsewhere, None)) > LOST, "out of reach and another size");
    let gone = Grid { w: 48, h: 36, v: vec![0.0; 48 * 36] };
    assert!(mismatch(&then, &gone, &estimate(&then, &gone, None)) > LOST, "no one there");
}

/// A Lab map with `cloth` over columns `x0..x1` and grey elsewhere.
fn cloth_at(w: u32, h: u32, x0: u32, x1: u32, cloth: [f32; 3]) -> Map {
    Map::from_fn(w, h, 3, |x, _, k| if (x0..x1).contains(&x) { cloth[k as usize] } else { [50.0, 0.0, 0.0][k as usize] })
}

#[test]
fn the_same_cloth_is_told_where_the_person_moved_to() {
    // Orange cloth at columns 8..16 a step ago, at 28..36 now: the person moved a quarter of
    // the frame (a looped clip's restart). Carried parts lie where the cloth is now.
    let (w, h) = (48, 36);
    let orange = [60.0, 40.0, 60.0];
    let before = cloth_at(w, h, 8, 16, orange);
    let now = cloth_at(w, h, 28, 36, orange);
    let mut parts = Map::new(w, h, 4);
    for y in 0..h {
        for x in 28..36 {
            parts.set(x, y, 1, 1.0);
        }
    }
    let moved = |s: f32, t: f32| (s - 20.0 / w as f32, t);
    assert!(same_cloth(&parts, &before, &now, moved) > 0.95, "the person's own cloth, moved");
    assert!(same_cloth(&parts, &before, &now, |s, t| (s, t)) < 0.05, "compared in place, it is wall");
    let someone_else = cloth_at(w, h, 28, 36, [40.0, -20.0, -30.0]);
    assert!(same_cloth(&parts, &before, &someone_else, moved) < 0.05, "someone else's cloth where the person moved to");
}

#[test]
fn back_undoes_forward() {
    let m = Motion { centre: (0.3, 0.6), scale: 1.07, shift: (0.05, -0.02) };
    let (s, t) = m.forward(0.42, 0.33);
    let (s0, t0) = m.back(s, t);
    assert!((s0 - 0.42).abs() < 1e-5 && (t0 - 0.33).abs() < 1e-5);
}

#[test]
fn a_crop_moved_past_the_edge_is_cut_to_the_frame() {
    let image = Frame::from_fn(100, 100, |x, _| image::Rgba([x as u8, 0, 0, 255]));
    let st = Stylized::new(Rect { x: 100, y: 100, width: 100, height: 100 }, image, 0);
    let m = Motion { centre: (0.5, 0.5), scale: 1.0, shift: (-0.375, 0.0) };
    let out = moved_crop(&st, &m, (400, 400)).expect("half of it is still in the frame");
    assert_eq!((out.rect.x, out.rect.width), (0, 50));
    assert_eq!(out.image.width(), 50);
    assert_eq!(out.image.get_pixel(0, 0).0[0], 50, "the right half of the crop is the part kept");
    assert!(moved_crop(&st, &Motion { shift: (-1.0, 0.0), ..m }, (400, 400)).is_none());
}

#[test]
fn garment_grows_along_garment_coloured_person_from_the_garment_beside_it() {
    // A torso of upper garment in columns 2..6; an arm of garment colour that changed since the
    // analysis runs from it along row 1 to the far edge (a raised sleeve, far past FILL_REACH);
    // a garment-coloured patch touching nothing garment (rows 6-7, columns 10-11) stays out.
    let (w, h) = (12u32, 8u32);
    let mut parts = Map::from_fn(w, h, CLASSES, |x, y, c| {
        let upper = (2..6).contains(&x) && y >= 2;
        match c {
            1 => upper as u32 as f32,
            0 => (!upper) as u32 as f32,
            _ => 0.0,
        }
    });
    let open: Vec<f32> = (0..w * h).map(|i| if (i / w == 1 && i % w >= 3) || (i / w >= 6 && i % w >= 10) { 0.8 } else { 0.0 }).collect();
    let mut filled = Map::new(w, h, 1);
    assert!(grow_into(&mut parts, &mut filled, &open));
    for x in 3..w {
        assert!((parts.get(x, 1, 1) - 0.8).abs() < 1e-4, "the sleeve at column {x}: {}", parts.get(x, 1, 1));
        assert!(parts.get(x, 1, 2) == 0.0 && parts.get(x, 1, 3) == 0.0, "the torso's part only");
        assert!(filled.get(x, 1, 0) > 0.7);
    }
    assert_eq!(parts.get(10, 7, 1), 0.0, "a patch touching no garment");
    assert_eq!(parts.get(1, 1, 1), 0.0, "nothing where it may not be");
    // Nothing open: nothing grows.
    let mut f2 = Map::new(w, h, 1);
    assert!(!grow_into(&mut parts.clone(), &mut f2, &vec![0.0; (w * h) as usize]));
}
