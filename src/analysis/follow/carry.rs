//! The analysis moved to the current frame: its maps by the person's and each part's motion,
//! its garments kept where the person is now and the colour is still theirs.

use super::*;

/// The base analysis moved onto the current frame by the people's motions `m` and, on top of
/// them, each part's own motion (`own`; the stylized crop by the whole's motion alone), garments
/// kept where the person is now. `colours` is the frame's [`colour_map`] at the parts map's size.
pub(super) fn carry(base: &Base, selfie: &Map, frame: &Frame, colours: &Map, m: &Moves, own: &Field) -> Analysis {
    // Where each pixel of a w x h map was in the analysed frame (normalised both ways).
    let back = |w: u32, h: u32| {
        let own = own.on_grid(w, h);
        let moved = m.back_map(w, h);
        move |x: u32, y: u32| {
            let i = (y * w + x) as usize;
            let ((s0, t0), (ds, dt)) = (moved[i], own[i]);
            (s0 + ds, t0 + dt)
        }
    };
    let a = &base.analysis;
    let (pw, ph) = (a.parts.width, a.parts.height);
    let parts_back = back(pw, ph);
    let person = selfie.resized(pw, ph);
    // What came into view over the frame's edge is read from the edge it came over: cloth
    // runs on past the edge (a webcam always cuts the torso at the bottom), and the person mask
    // and colour checks below still decide whether it is the garment there now.
    let edge = |(s, t): (f32, f32)| (s.clamp(0.0, 1.0), t.clamp(0.0, 1.0));
    let mut parts = Map::new(pw, ph, CLASSES);
    let mut gate = Map::new(pw, ph, 1);
    // Where garment was added by colour: there the saliency, which moved with the whole person,
    // may have lost the limb, and the person mask now stands in for it.
    let mut filled = Map::new(pw, ph, 1);
    let mut any_fill = false;
    // Garment coloured person where what is there changed since, however far from the carried
    // garment: garment grows into it from the garment next to it (below).
    let mut open = vec![0.0f32; (pw * ph) as usize];
    for y in 0..ph {
        for x in 0..pw {
            let (s0, t0) = edge(parts_back(x, y));
            let person_here = smoothstep(0.2, 0.6, person.get(x, y, 0));
            // Every map read below is at the parts map's size: one set of taps for all.
            let taps = Taps::at(pw, ph, s0, t0);
            let here = if person_here > 0.0 { person_here * base.near.sample_at(&taps, 0) } else { 0.0 };
            gate.set(x, y, 0, here);
            if person_here <= 0.0 {
                parts.set(x, y, BACKGROUND, 1.0);
                continue;
            }
            let now = [0, 1, 2].map(|c| colours.get(x, y, c));
            let d: f32 = (0..3).map(|c| (now[c as usize] - base.colours.sample_at(&taps, c)).powi(2)).sum::<f32>().sqrt();
            let (garment_colour, skin_colour) = base.odds.as_ref().map_or((0.0, 0.0), |o| o.at(now.map(|v| (v * 255.0).round() as u8)));
            // Loose enough for folds and shading (tighter cost agreement with full analyses on
            // the shared clips: tests/follow.rs), tight enough for skin in front of a garment;
            // a colour of these people's skin or hair is no garment.
            let same_colour = 1.0 - smoothstep(0.3, 0.5, d);
            let keep = here * same_colour * (1.0 - skin_colour);
            // Garment coloured person near a carried garment: what the motion brought into view,
            // only where the analysis could not have decided: outside its people then, or where
            // what is there changed since (a hand moved off the shirt). A face, a hand or a shoe
            // it left out and that is still there stays out.
            let (mut near, mut near_sum, mut fill) = ([0.0f32; 3], 0.0f32, 0.0f32);
            if garment_colour > 0.0 {
                near = [0, 1, 2].map(|k| base.near_class[k].sample_at(&taps, 0));
                near_sum = near.iter().sum();
                let changed = (1.0 - base.then_person.sample_at(&taps, 0)).max(smoothstep(0.15, 0.3, d));
                open[(y * pw + x) as usize] = person_here * garment_colour * changed;
                if near_sum > 0.05 {
                    fill = person_here * garment_colour * changed * near.iter().copied().fold(0.0, f32::max);
                }
            }
            if fill > 0.0 {
                filled.set(x, y, 0, fill);
                any_fill = true;
            }
            for c in 1..CLASSES {
                let carried = if keep > 0.0 { a.parts.sample_at(&taps, c) * keep } else { 0.0 };
                let v = if fill > 0.0 { carried.max(fill * near[(c - 1) as usize] / near_sum.max(1e-3)) } else { carried };
                parts.set(x, y, c, v);
            }
            settle(&mut parts, x, y);
        }
    }
    any_fill |= grow_into(&mut parts, &mut filled, &open);
    let sal = &a.saliency;
    // The saliency moved with the person; where garment was added by colour, never under the
    // person mask now: a limb the global motion does not carry keeps its soft alpha.
    let saliency_back = back(sal.width, sal.height);
    let saliency = Map::from_fn(sal.width, sal.height, 1, |x, y, _| {
        let (s, t) = ((x as f32 + 0.5) / sal.width as f32, (y as f32 + 0.5) / sal.height as f32);
        let (s0, t0) = edge(saliency_back(x, y));
        let carried = sal.sample(s0, t0, 0);
        let f = if any_fill { filled.sample(s, t, 0) } else { 0.0 };
        if f > 0.0 {
            carried.max(selfie.sample(s, t, 0) * f)
        } else {
            carried
        }
    });
    let stylized = a.stylized.as_ref().and_then(|st| moved_crop(st, &m.whole, frame.dimensions()));
    Analysis { saliency, parts, stylized, gate: Some(gate), owner: None, people: a.people.clone() }
}

/// The stylized crop where the motion puts it, cut to the frame; None when it left the frame.
pub(super) fn moved_crop(st: &Stylized, m: &Motion, (fw, fh): (u32, u32)) -> Option<Stylized> {
    let (fwf, fhf) = (fw as f32, fh as f32);
    let r = st.rect;
    let (x0, y0) = m.forward(r.x as f32 / fwf, r.y as f32 / fhf);
    let (x1, y1) = m.forward((r.x + r.width) as f32 / fwf, (r.y + r.height) as f32 / fhf);
    let (x0, y0, x1, y1) = (x0 * fwf, y0 * fhf, x1 * fwf, y1 * fhf);
    let (cx0, cy0) = (x0.max(0.0).round(), y0.max(0.0).round());
    let (cx1, cy1) = (x1.min(fwf).round(), y1.min(fhf).round());
    if cx1 - cx0 < 2.0 || cy1 - cy0 < 2.0 {
        return None;
    }
    // The part of the crop image still in the frame.
    let (iw, ih) = (st.image.width() as f32, st.image.height() as f32);
    let (kx, ky) = (iw / (x1 - x0), ih / (y1 - y0));
    let ix0 = ((cx0 - x0) * kx).floor().clamp(0.0, iw - 1.0) as u32;
    let iy0 = ((cy0 - y0) * ky).floor().clamp(0.0, ih - 1.0) as u32;
    let ix1 = ((cx1 - x0) * kx).ceil().clamp(ix0 as f32 + 1.0, iw) as u32;
    let iy1 = ((cy1 - y0) * ky).ceil().clamp(iy0 as f32 + 1.0, ih) as u32;
    let image = if (ix0, iy0, ix1, iy1) == (0, 0, st.image.width(), st.image.height()) {
        st.image.clone()
    } else {
        image::imageops::crop_imm(&st.image, ix0, iy0, ix1 - ix0, iy1 - iy0).to_image()
    };
    Some(Stylized { rect: Rect { x: cx0 as u32, y: cy0 as u32, width: (cx1 - cx0) as u32, height: (cy1 - cy0) as u32 }, image, texture: st.texture })
}

/// Garment grown from the garment beside it into `open` (how surely each pixel may be garment
/// now), each grown pixel taking its neighbour's part: a raised arm takes its sleeve along, and a
/// hand moved off the chest gives the shirt back, where both lie beyond [`FILL_REACH`] of the
/// garment carried (a1: the raised sleeve plain, the chest patches the hands had covered plain).
/// Marks what it grew in `filled`; whether it grew anything.
pub(super) fn grow_into(parts: &mut Map, filled: &mut Map, open: &[f32]) -> bool {
    let (w, h) = (parts.width as usize, parts.height as usize);
    if !open.iter().any(|&o| o > GROW_LEAST) {
        return false;
    }
    let garment = |parts: &Map, i: usize| garment_at(parts, (i % w) as u32, (i / w) as u32);
    let mut strength: Vec<f32> = (0..w * h).map(|i| garment(parts, i)).collect();
    // Where each pixel's part mix comes from: itself, or the garment pixel it grew from.
    let mut from: Vec<usize> = (0..w * h).collect();
    let mut grew = false;
    // Raster sweeps both ways until nothing grows (a few suffice; a spiral would take more).
    for _ in 0..GROW_SWEEPS {
        let mut changed = false;
        for pass in 0..2 {
            for k in 0..w * h {
                let i = if pass == 0 { k } else { w * h - 1 - k };
                let o = open[i];
                if o <= GROW_LEAST || strength[i] >= o {
                    continue;
                }
                let (x, y) = (i % w, i / w);
                let mut best: Option<(f32, usize)> = None;
                for (dx, dy) in [(-1i64, 0i64), (1, 0), (0, -1), (0, 1)] {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let n = ny as usize * w + nx as usize;
                    if strength[n] > GROW_LEAST && best.is_none_or(|(b, _)| strength[n] > b) {
                        best = Some((strength[n], n));
                    }
                }
                if let Some((b, n)) = best {
                    let v = b.min(o);
                    if v > strength[i] + 1e-3 {
                        strength[i] = v;
                        from[i] = from[n];
                        changed = true;
                        grew = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    if !grew {
        return false;
    }
    let c = CLASSES as usize;
    // Sources are read as they were: a source that grew itself is rewritten below.
    let before = Map { data: parts.data.clone(), ..*parts };
    for i in 0..w * h {
        let src = from[i];
        if src == i {
            continue;
        }
        let total = garment(&before, src).max(1e-3);
        let mix: [f32; 3] = [1, 2, 3].map(|k| before.data[src * c + k] / total);
        for (k, m) in mix.iter().enumerate() {
            parts.data[i * c + k + 1] = parts.data[i * c + k + 1].max(strength[i] * m);
        }
        settle(parts, (i % w) as u32, (i / w) as u32);
        filled.data[i] = filled.data[i].max(strength[i]);
    }
    true
}

/// The parts map's pixel (x, y) made a distribution: garment classes that sum past 1 scaled to
/// 1, the background the rest.
fn settle(parts: &mut Map, x: u32, y: u32) {
    let sum = garment_at(parts, x, y);
    if sum > 1.0 {
        for c in 1..CLASSES {
            parts.set(x, y, c, parts.get(x, y, c) / sum);
        }
    }
    parts.set(x, y, BACKGROUND, (1.0 - sum.min(1.0)).max(0.0));
}

/// Below this, a pixel is no garment to grow from or into.
const GROW_LEAST: f32 = 0.3;
/// Raster sweep pairs at most: each pair grows garment along any path that turns a few times.
const GROW_SWEEPS: usize = 4;
