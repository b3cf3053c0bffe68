//! Full-body (a dress) or two pieces, per person, from the evidence the `--maps` figure shows:
//! clothes unbroken across the waist, the colours below it found above it (or, in other colours,
//! a skirt below and no top's edge), no bare skin at the waist, no gap between the legs; one
//! garment that runs on off the frame's bottom edge with nothing that says two pieces is a top.
//! One analysis's call; the track holds it (see `call_hold` in [`Tuning`]).

use super::*;

/// The per-pixel maps of one frame the evidence is read from, all `w` x `h`.
pub(super) struct PixelMaps<'a> {
    /// Which person each pixel belongs to.
    pub(super) owner: &'a [usize],
    pub(super) garment: &'a [f32],
    pub(super) lab: &'a [[f32; 3]],
    pub(super) w: u32,
    pub(super) h: u32,
}

/// The evidence for one person wearing one full-body garment.
/// `hem_needed`: the share of the torso's columns a top's hem must be found in for two pieces
/// (`hem_across`, or `hem_known` for a person whose hem was seen all across a moment ago).
/// The samples are taken on a grid over the torso and down the thighs, in torso lengths along
/// the body and shoulder widths across it (below); the thresholds are [`Dress`]'s.
#[allow(clippy::too_many_arguments)]
pub(super) fn dress_evidence(
    b: &Body,
    k: usize,
    px: &PixelMaps<'_>,
    pan: Option<&Map>,
    skin: Option<&SkinModel>,
    hem: Option<&Hem>,
    hem_needed: f32,
    t: &Dress,
) -> crate::analysis::parts::DressEvidence {
    let PixelMaps { owner, garment, lab, w, h } = *px;
    let at = |p: P| -> Option<usize> {
        let (x, y) = (p.0.floor() as i64, p.1.floor() as i64);
        (x >= 0 && y >= 0 && x < w as i64 && y < h as i64).then(|| (y as u32 * w + x as u32) as usize)
    };
    let mine = |i: usize| owner[i] == k;
    let g = |p: P| at(p).filter(|&i| mine(i)).map_or(0.0, |i| garment[i]);
    // Points on the torso in (along the axis from the shoulders in torso lengths, across in
    // shoulder widths).
    let point = |t: f32, u: f32| b.point(t, u);
    let across: Vec<f32> = (0..11).map(|j| -0.3 + 0.06 * j as f32).collect();
    // Unbroken: columns of the torso that are garment all through the waist band.
    let band: Vec<f32> = (0..9).map(|j| 0.7 + 0.05 * j as f32).collect();
    let unbroken = across.iter().filter(|&&u| band.iter().all(|&t| g(point(t, u)) > 0.5)).count() as f32 / across.len() as f32;
    // Bare skin at the waist (a crop top, a shirtless runner).
    let skin_at = |p: P| {
        at(p).filter(|&i| mine(i)).map_or(0.0, |i| {
            let (x, y) = (i as u32 % w, i as u32 / w);
            pan.map_or(0.0, |m| m.get(x, y, 0)) * skin.map_or(1.0, |s| 1.0 - t.skin_unlike * s.fabric(lab[i]))
        })
    };
    let waist_pts: Vec<P> = across.iter().flat_map(|&u| (0..6).map(move |j| (0.7 + 0.06 * j as f32, u))).map(|(t, u)| point(t, u)).collect();
    let skin_at_waist = waist_pts.iter().filter(|&&p| skin_at(p) > 0.5).count() as f32 / waist_pts.len() as f32;
    // The garment's colours above and below the waist, for the one-look test below.
    let colours =
        |pts: &mut dyn Iterator<Item = P>| -> Vec<[f32; 3]> { pts.filter_map(|p| at(p).filter(|&i| mine(i) && garment[i] > 0.5)).map(|i| lab[i]).collect() };
    let above = colours(&mut across.iter().flat_map(|&u| (0..6).map(move |j| point(0.4 + 0.07 * j as f32, u))));
    // Below: down the body to well past the hips, where a dress goes on and a top has ended, and
    // down the thighs; `from` leaves out the nearer samples of each.
    let down_body = |from: usize| -> Vec<P> { across.iter().flat_map(|&u| (from..8).map(move |j| point(1.05 + 0.06 * j as f32, u))).collect() };
    let down_thighs =
        |from: usize| -> Vec<P> { b.thighs.iter().flatten().flat_map(|&(hp, kn)| (from..6).map(move |j| lerp(hp, kn, 0.1 * j as f32))).collect() };
    let mut below_pts = down_body(0);
    // How much of the body below the waist the frame holds: a webcam that ends at the hips shows
    // nothing to tell a dress from trousers, and a top's hem there is no lower garment.
    let below_seen = below_pts.iter().filter(|&&p| at(p).is_some()).count() as f32 / below_pts.len() as f32;
    // The garment at the frame's bottom edge below the torso (within `bottom_edge` of the frame's
    // height: a sliver of trousers under a long top is no end of it in view).
    let edge_rows = ((t.bottom_edge * h as f32).ceil() as u32).max(1);
    let at_bottom = |u: f32| (h.saturating_sub(edge_rows)..h).any(|y| g((point(1.0, u).0, y as f32 + 0.5)) > 0.5);
    let bottom = across.iter().filter(|&&u| at_bottom(u)).count();
    let runs_off = bottom as f32 >= t.runs_off * across.len() as f32;
    below_pts.extend(down_thighs(1));
    // The far half of those: a top that hangs past the hips (seen from above, the hip joints sit
    // well over its hem) fills the near half, and its trousers show only here.
    let far_pts: Vec<P> = down_body(4).into_iter().chain(down_thighs(3)).collect();
    let below = colours(&mut below_pts.into_iter());
    let far = colours(&mut far_pts.into_iter());
    // One look: the colours of the garment below the waist occur above it, and the other way
    // round (a print repeats, a top and trousers differ), compared by CIE94 with the textile
    // weights, which forgive the lightness changes of folds and shade.
    let enough = |c: &[[f32; 3]]| c.len() >= t.least_samples;
    let shared = (enough(&above) && enough(&below)).then(|| {
        let found =
            |from: &[[f32; 3]], to: &[[f32; 3]]| from.iter().filter(|c| to.iter().any(|d| cie94(**c, *d) < t.same_colour)).count() as f32 / from.len() as f32;
        // Where the far half has fabric enough, its colours are the ones that must be found
        // above; else (a short dress over bare legs) all of them.
        let below_found = if enough(&far) { found(&far, &above) } else { found(&below, &above) };
        found(&above, &below).min(below_found)
    });
    // Between the legs: trousers and shorts leave a gap where both legs are clothed; a skirt or
    // a dress runs across.
    let (mut gap, mut bridged) = (0u32, 0u32);
    if let Some([(lh, lk), (rh, rk)]) = b.thighs {
        for f in [0.2f32, 0.35, 0.5, 0.65, 0.8] {
            let (l, r) = (lerp(lh, lk, f), lerp(rh, rk, f));
            if len(sub(l, r)) < t.legs_apart * b.sw || g(l) < 0.5 || g(r) < 0.5 {
                continue;
            }
            let m = g(lerp(l, r, 0.5));
            if m < t.gap {
                gap += 1;
            } else if m > t.bridged {
                bridged += 1;
            }
        }
    }
    let leg_gap = (gap + bridged > 0).then_some(gap > bridged);
    // Without the legs' say, the rest must be surer.
    let same_look = shared.is_some_and(|s| s >= if leg_gap.is_some() { t.same_look_legs } else { t.same_look });
    // A top's own hem across the torso: its colours give way to others below it all the way
    // across (b1's slate shirt over navy trousers, whose dark folds match the trousers closely
    // enough that their colours count as shared). A dress has no such edge above mid-thigh, or
    // only across part of it where the skirt falls in other light (Two_dancers: 0.55).
    let hem = hem.map(|h| h.share_across(b, t.hem_half));
    // A skirt below and no top's edge: one garment in two colours (c3's girl, a grey bodice
    // and a denim skirt), while a top tucked into a skirt ends in an edge all across.
    let skirt_below = leg_gap == Some(false) && hem.is_some_and(|h| h < t.no_edge);
    let says_full = unbroken >= if leg_gap.is_some() { t.unbroken_legs } else { t.unbroken }
        && (same_look || skirt_below)
        && skin_at_waist < t.bare_waist
        && leg_gap != Some(true)
        && hem.is_none_or(|h| h < hem_needed);
    crate::analysis::parts::DressEvidence { unbroken, colours_shared: shared, skin_at_waist, leg_gap, below_seen, runs_off, hem, says_full }
}

/// The garment looks the same below the waist as above it, with no top's edge, no gap between
/// the legs and no bare waist: nothing says two pieces.
fn one_look(e: &crate::analysis::parts::DressEvidence, t: &Dress) -> bool {
    let same = if e.leg_gap.is_some() { t.same_look_legs } else { t.same_look };
    e.colours_shared.is_some_and(|s| s >= same) && e.hem.is_none_or(|h| h < t.no_edge) && e.leg_gap != Some(true) && e.skin_at_waist < t.bare_waist
}

/// What one analysis's evidence says a person wears. Without the hips, with too little of the
/// body below the waist in the frame (`below_seen` in [`Dress`]), or one garment that runs off
/// the frame with nothing to say two pieces, all that is seen is a top.
pub(super) fn call_of(evidence: Option<&crate::analysis::parts::DressEvidence>, t: &Dress) -> WearCall {
    match evidence {
        None => WearCall::Upper,
        Some(e) if e.below_seen < t.below_seen => WearCall::Upper,
        // One look on down past the waist, no top's edge, and on off the bottom of the frame with
        // nothing between the legs to see: one garment whose end is not seen is a top, whatever
        // broke the waist band (a1's hands in front of her hoodie). Fabric across the thighs (a
        // skirt) leaves it to the evidence.
        Some(e) if e.runs_off && e.leg_gap.is_none() && one_look(e, t) => WearCall::Upper,
        // One garment on to the bottom of the frame just past the hips is a long top as much as a
        // dress: a dress is called only where most of the body below the waist is in view.
        Some(e) if e.says_full && e.below_seen < t.full_needs_seen => WearCall::Upper,
        Some(e) if e.says_full => WearCall::Full,
        Some(_) => WearCall::TwoPiece,
    }
}
