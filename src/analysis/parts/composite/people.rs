//! Skeletons that are no one: turned sideways over an empty person mask, tilted with no head,
//! a torso of hair.

use super::*;

/// Whether a skeleton turned far from upright (`sideways` in [`People`]) is no body: where its
/// legs would be (`legs_at` torso lengths from the shoulders, along its axis) the person mask is
/// empty, while straight down the image from its shoulders the person goes on. That is the back of a
/// head the detector took for someone lying on their side (b3's walkers entering from below),
/// whose hair was restyled as a tiny person's fabric. Someone really lying down has the mask
/// along their legs; where those points are outside the frame nothing is known and it stays.
pub(super) fn sideways_on_nobody(q: &Person, b: &Body, selfie: &Map, t: &People) -> bool {
    if q.roi.rotation.abs() < t.sideways.to_radians() || !b.hips_seen {
        return false;
    }
    let at = |p: P| (p.0 >= 0.0 && p.1 >= 0.0 && p.0 < selfie.width as f32 && p.1 < selfie.height as f32).then(|| selfie.get(p.0 as u32, p.1 as u32, 0));
    let (mut along, mut down, mut n) = (0.0f32, 0.0f32, 0u32);
    for k in t.legs_at {
        let legs = (b.shoulder.0 + b.axis.0 * k * b.torso, b.shoulder.1 + b.axis.1 * k * b.torso);
        let below = (b.shoulder.0, b.shoulder.1 + k * b.torso);
        if let (Some(a), Some(d)) = (at(legs), at(below)) {
            along += a;
            down += d;
            n += 1;
        }
    }
    n > 0 && along / (n as f32) < t.legs_empty && down / (n as f32) > t.goes_on
}

/// Whether a skeleton tilted `tilted` degrees or more from upright has no skin or hair where its
/// face is (`headless` in [`People`]): no one. Searched closer, the detector finds shapes on a bed or among pillows (c3: head
/// shares under 0.05, where the children's heads read 0.8-1.0, hair from behind included), and
/// the landmark model strings a skeleton from the wall between two children down to one's legs
/// (c3, frames 190-193, tilted 33-39 degrees, head share under 0.01: the blanket under it was
/// restyled). Upright skeletons are not judged so, as the landmark model can put a real person's
/// face a head too high (p2's seated man, 0.00, tilted 1 degree; b3's walker leaving the frame,
/// 0.00, 8-25 degrees); the children leaning 30-52 degrees in c3 read 1.0.
pub(super) fn tilted_headless(q: &Person, b: &Body, pan: &Map, t: &People) -> bool {
    q.roi.rotation.abs() >= t.tilted.to_radians() && head_share(b, pan).is_some_and(|s| s < t.headless)
}

/// How much of the face disc PAN reads as skin or hair (0..1), or None without a face disc or
/// samples in the frame.
pub(super) fn head_share(b: &Body, pan: &Map) -> Option<f32> {
    let (c, r) = b.face?;
    let (mut sum, mut n) = (0.0f32, 0u32);
    for j in -3..=3 {
        for i in -3..=3 {
            let (u, v) = (i as f32 / 3.0, j as f32 / 3.0);
            if u * u + v * v > 1.0 {
                continue;
            }
            let p = (c.0 + u * r, c.1 + v * r);
            if p.0 >= 0.0 && p.1 >= 0.0 && p.0 < pan.width as f32 && p.1 < pan.height as f32 {
                let (x, y) = (p.0 as u32, p.1 as u32);
                sum += pan.get(x, y, 0).max(pan.get(x, y, 2));
                n += 1;
            }
        }
    }
    (n >= 8).then(|| sum / n as f32)
}

/// Whether PAN calls a skeleton's lower chest and belly hair (over `hair_torso`). On a real body
/// that is fabric or skin; hair long enough to cover it from behind is rare. Points outside the
/// map say nothing.
pub(super) fn torso_of_hair(b: &Body, pan: &Map, least: f32) -> bool {
    let (mut hair, mut n) = (0.0f32, 0u32);
    for t in [0.9f32, 1.05, 1.2, 1.35] {
        for u in [-0.25f32, -0.125, 0.0, 0.125, 0.25] {
            let p = (b.shoulder.0 + (b.axis.0 * t + b.normal.0 * u) * b.sw, b.shoulder.1 + (b.axis.1 * t + b.normal.1 * u) * b.sw);
            if p.0 >= 0.0 && p.1 >= 0.0 && p.0 < pan.width as f32 && p.1 < pan.height as f32 {
                hair += pan.get(p.0 as u32, p.1 as u32, 2);
                n += 1;
            }
        }
    }
    n >= 8 && hair / n as f32 > least
}

/// The bodies of the skeletons the pose model found, without those that are no one.
pub(super) fn bodies(
    found: Vec<Person>,
    selfie: Option<&Map>,
    pan: Option<&Map>,
    (fw, fh): (u32, u32),
    (sx, sy): (f32, f32),
    t: &Tuning,
) -> Vec<(Person, Body)> {
    let mut people: Vec<(Person, Body)> = found.into_iter().filter_map(|q| body(&q, fw, fh, sx, sy, &t.body).map(|b| (q, b))).collect();
    let t = &t.people;
    // A skeleton turned far from upright whose legs would lie off the person mask is no body:
    // the detector took the back of a head for someone lying on their side (b3's walkers
    // entering from below), and their hair was restyled as a tiny person's fabric.
    if let Some(m) = selfie {
        people.retain(|(q, b)| !sideways_on_nobody(q, b, m, t));
    }
    // Nor is a skeleton whose torso is hair: the back of a head coming in from below the frame,
    // taken for a whole small person standing in it (b3 again).
    if let Some(m) = pan {
        for (q, b) in &people {
            tracing::trace!(rotation = q.roi.rotation.to_degrees(), head = ?head_share(b, m), score = q.score, "pose skeleton's head");
        }
        people.retain(|(_, b)| !torso_of_hair(b, m, t.hair_torso));
        people.retain(|(q, b)| !tilted_headless(q, b, m, t));
    }
    people
}
