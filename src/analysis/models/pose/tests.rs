use super::*;

#[test]
fn anchor_count_matches_the_model() {
    let a = anchors();
    assert_eq!(a.len(), 2254);
    assert_eq!(a[0], (0.5 / 28.0, 0.5 / 28.0));
    assert_eq!(a[2253], (6.5 / 7.0, 6.5 / 7.0));
}

#[test]
fn upright_rotation_is_zero() {
    // Scale point straight above the hip centre: no rotation.
    let r = roi_from((100.0, 200.0), (100.0, 100.0));
    assert!(r.rotation.abs() < 1e-6);
    assert!((r.size - 250.0).abs() < 1e-3);
    // Lying to the right (scale point to the right of the hips): a quarter turn.
    let r = roi_from((100.0, 200.0), (200.0, 200.0));
    assert!((r.rotation.abs() - std::f32::consts::FRAC_PI_2).abs() < 1e-5);
}

#[test]
fn a_long_frame_is_also_searched_in_the_squares_at_its_ends() {
    // 16:9: both squares together, or one per turn, alternating.
    assert_eq!(closer_squares(960.0, 540.0, Closer::All), vec![(0.0, 0.0, 540.0), (420.0, 0.0, 540.0)]);
    assert_eq!(closer_squares(960.0, 540.0, Closer::Turn(0)), vec![(0.0, 0.0, 540.0)]);
    assert_eq!(closer_squares(960.0, 540.0, Closer::Turn(7)), vec![(420.0, 0.0, 540.0)]);
    // Portrait: top and bottom.
    assert_eq!(closer_squares(720.0, 1280.0, Closer::All), vec![(0.0, 0.0, 720.0), (0.0, 560.0, 720.0)]);
    // Near square (5:4): the letterboxed frame is nearly as close.
    assert!(closer_squares(1280.0, 1024.0, Closer::All).is_empty());
}

#[test]
fn a_find_a_square_cuts_inside_the_frame_is_not_trusted() {
    // In frame pixels; the ROI is 2.5 times the hip-to-scale-point distance across.
    let at = |x: f32, half: f32| Detection { score: 0.5, cx: x, cy: 270.0, w: 40.0, h: 40.0, kp: [(x, 300.0), (x, 300.0 - half / 1.25)] };
    let left = (0.0, 0.0, 540.0);
    // A child well inside the left square: kept.
    assert!(!cut_by_square(&at(250.0, 200.0), left, 960.0, 540.0));
    // Someone standing across the square's right side (inside the frame): cut.
    assert!(cut_by_square(&at(480.0, 300.0), left, 960.0, 540.0));
    // Past the frame's own left edge: that side is the frame's, nothing more to see there.
    assert!(!cut_by_square(&at(60.0, 200.0), left, 960.0, 540.0));
}

#[test]
fn nms_merges_overlaps_and_keeps_separate_people() {
    let d = |score, cx| Detection { score, cx, cy: 0.5, w: 0.2, h: 0.4, kp: [(cx, 0.6), (cx, 0.3)] };
    let out = nms(vec![d(0.9, 0.3), d(0.8, 0.31), d(0.7, 0.8)]);
    assert_eq!(out.len(), 2);
    // Side by side, boxes overlapping by more than the threshold: two people.
    let side = |score, cx| Detection { score, cx, cy: 0.5, w: 0.3, h: 0.6, kp: [(cx, 0.6), (cx, 0.45)] };
    assert_eq!(nms(vec![side(0.9, 0.4), side(0.8, 0.5)]).len(), 2);
    // Overlapping detections of one person merge between the two, nearer the stronger one.
    let cx = out[0].cx;
    assert!(cx > 0.3 && cx < 0.305, "merged centre {cx} between 0.30 (score 0.9) and 0.31 (score 0.8), nearer 0.30");
}

#[test]
fn nms_ends_on_boxes_that_do_not_overlap_themselves() {
    // A detector whose outputs are NaN, or a box of no size, overlaps nothing, not even
    // itself: it was never taken off the list, and nms ran forever (memory growing 2 MB/s).
    let d = |score, cx, w| Detection { score, cx, cy: 0.5, w, h: 0.4, kp: [(cx, 0.6), (cx, 0.3)] };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let nan = Detection { cy: f32::NAN, ..d(0.9, f32::NAN, f32::NAN) };
        tx.send(nms(vec![nan, d(0.8, 0.3, 0.0), d(0.7, 0.6, 0.2)])).ok();
    });
    let out = rx.recv_timeout(std::time::Duration::from_secs(10)).expect("nms ends");
    assert_eq!(out.len(), 1, "only the real box is a person: {out:?}");
    assert!((out[0].cx - 0.6).abs() < 1e-6);
}
