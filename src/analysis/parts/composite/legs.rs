//! Below the knees, only garment joined to the torso's along the legs, in the colours it has
//! above them.

use super::*;

/// Garment below a person's knees only where it joins the garment on a torso: shoes past bare
/// shins, a hand on the ground and the shadows under them are cut off, as the landmarks of a
/// crouch place the foot and hand discs too far off to cover them (Athlete-Intake). Trousers
/// and skirts run on down from the hips and stay, in the colours they have above the knees.
pub(super) fn joined_below_knees(mut garment: Vec<f32>, bodies: &[&Body], owner: &[usize], lab: &[[f32; 3]], (w, h): (u32, u32), t: &Legs) -> Vec<f32> {
    if bodies.iter().all(|b| b.knee_row.is_none()) {
        return garment;
    }
    let at = |i: usize| ((i as u32 % w) as f32 + 0.5, (i as u32 / w) as f32 + 0.5);
    let body = |i: usize| bodies.get(owner[i]).copied();
    // Each person's lower garment colours on the upper thighs, from the waist to `thighs` of the
    // way down to the knees: a ball juggled at the knees (b1) is not taken for the trousers'
    // colour. A top that hangs past the hips (b3's walker, seen from above) can fill that band,
    // and the trousers show only further down; see below.
    let empty = || -> Vec<LowerColours> { bodies.iter().map(|_| LowerColours::default()).collect() };
    let mut top = empty();
    for i in (0..garment.len()).filter(|&i| garment[i] > 0.5) {
        if body(i).is_some_and(|b| at(i).1 < b.waist.1 && b.lower_share(at(i)) < 0.5) {
            top[owner[i]].add(lab[i]);
        }
    }
    let (mut upper_thighs, mut not_top, mut to_knees) = (empty(), empty(), empty());
    for i in (0..garment.len()).filter(|&i| garment[i] > 0.5) {
        let Some(b) = body(i) else { continue };
        let Some(k) = b.knee_row.filter(|_| b.lower_share(at(i)) > 0.5) else { continue };
        let down = (at(i).1 - b.waist.1) / (k - b.waist.1).max(1.0);
        if down > 1.0 {
            continue;
        }
        let own = !top[owner[i]].common(lab[i]);
        if down <= t.thighs {
            upper_thighs[owner[i]].add(lab[i]);
            if own {
                not_top[owner[i]].add(lab[i]);
            }
        }
        if own {
            to_knees[owner[i]].add(lab[i]);
        }
    }
    let above: Vec<LowerColours> = upper_thighs
        .into_iter()
        .zip(not_top.into_iter().zip(to_knees))
        .map(|(all, (not_top, to_knees))| {
            let enough = |c: &LowerColours| c.total >= LowerColours::FEW;
            // Mostly the top's colours on the upper thighs, and other colours coming in further
            // down (the trousers): those. Where nothing new comes in, the top and the trousers
            // are alike in colour (b1's slate shirt and navy trousers) and the band stays.
            if enough(&all) && (not_top.total as f32) < t.top_fills * all.total as f32 && enough(&to_knees) && to_knees.total >= t.comes_in * not_top.total {
                to_knees.widened()
            } else {
                all.widened()
            }
        })
        .collect();
    // Legwear on both shins in one colour, whatever the thighs show (tights under a knee-length
    // dress): a ball, a bag or a shadow covers one shin at most.
    let shins: Vec<Vec<[f32; 3]>> = bodies.iter().enumerate().map(|(k, b)| both_shins(b, k, &garment, owner, lab, (w, h), t)).collect();
    let on_shins = |j: usize, b: &Body| {
        Body::reach(&b.lower[1.min(b.lower.len())..], at(j)) <= b.shape.leg_reach && shins[owner[j]].iter().any(|&c| cie94(lab[j], c) < t.shin_same)
    };
    // Past the ankles the garment does not run on (a sock's shade joins a shoe to the shorts
    // behind a bent knee), nor below the knees in a colour the lower garment does not have above
    // them (a white ball PAN calls clothes in front of navy trousers, b1) and not on both shins.
    let passes = |j: usize| {
        garment[j] > 0.5 && body(j).is_none_or(|b| !b.past_ankles(at(j)) && (!b.below_knees(at(j)) || above[owner[j]].has(lab[j]) || on_shins(j, b)))
    };
    let on_torso = (0..garment.len()).map(|i| (garment[i] > 0.5 && bodies.iter().any(|b| b.on_torso(at(i)))) as u8 as f32).collect();
    let mut joined = flood(on_torso, w, h, passes);
    // Garment the joined garment encloses stays too: a crease in jeans darker than they are
    // above the knees.
    enclose(&mut joined, &garment, w, h);
    // The joined garment's soft rim stays with it.
    let near = blur_max(&joined, w, h, t.rim);
    for (i, g) in garment.iter_mut().enumerate() {
        if near[i] < 0.5 && body(i).is_some_and(|b| b.below_knees(at(i))) {
            *g = 0.0;
        }
    }
    garment
}

/// The garment colours person `k` wears down both shins: samples along each shin the model sees
/// (a tenth to nine tenths of the way from knee to ankle), kept where the same colour (within
/// `shin_same`) makes up `shin_colour` of the samples on each shin. Empty unless both shins are
/// covered by garment at `shin_covered` of their samples and stand apart, with no garment of
/// theirs between them at mid-shin: bare shins, a sock on one, a ball or a long skirt across
/// both.
pub(super) fn both_shins(b: &Body, k: usize, garment: &[f32], owner: &[usize], lab: &[[f32; 3]], (w, h): (u32, u32), t: &Legs) -> Vec<[f32; 3]> {
    let [l, r] = match b.shins.as_slice() {
        [l, r] => [*l, *r],
        _ => return Vec::new(),
    };
    let index = |p: P| (p.0 >= 0.0 && p.1 >= 0.0 && p.0 < w as f32 && p.1 < h as f32).then(|| (p.1 as u32 * w + p.0 as u32) as usize);
    // Two shins over one another (crossed, one in front of the other, placed on one leg, or seen
    // side-on) are one shin's say, and a ball in front of them fills both (b1, frame 107).
    let (ml, mr) = (lerp(l.0, l.1, 0.5), lerp(r.0, r.1, 0.5));
    let shin = 0.5 * (len(sub(l.1, l.0)) + len(sub(r.1, r.0)));
    if len(sub(ml, mr)) < t.shins_apart * shin {
        return Vec::new();
    }
    // Legwear leaves the gap between the legs; a ball held between them or a long skirt fills it.
    if index(lerp(ml, mr, 0.5)).is_some_and(|i| owner[i] == k && garment[i] > 0.5) {
        return Vec::new();
    }
    let samples = |(knee, ankle): (P, P)| -> (usize, Vec<[f32; 3]>) {
        let n = 9;
        let got = (1..=n)
            .filter_map(|j| index(lerp(knee, ankle, j as f32 / (n + 1) as f32)))
            .filter(|&i| owner[i] == k && garment[i] > 0.5)
            .map(|i| lab[i])
            .collect();
        (n, got)
    };
    let ((nl, left), (nr, right)) = (samples(l), samples(r));
    if (left.len() as f32) < t.shin_covered * nl as f32 || (right.len() as f32) < t.shin_covered * nr as f32 {
        return Vec::new();
    }
    // A colour of most of each shin's samples: a ball in front of both shins covers a few.
    let share = |c: &[f32; 3], of: &[[f32; 3]], n: usize| of.iter().filter(|d| cie94(*c, **d) < t.shin_same).count() as f32 / n as f32;
    let both = |c: &&[f32; 3]| share(c, &left, nl) >= t.shin_colour && share(c, &right, nr) >= t.shin_colour;
    left.iter().chain(&right).filter(both).copied().collect()
}
