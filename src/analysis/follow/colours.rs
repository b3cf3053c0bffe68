//! Colour checks of the follower: whether the colour under a carried garment is still the
//! garment's, and the small colour and garment maps they read.

use super::*;

/// Colours within this distance ([`hue_distance_sq`]'s root) are one cloth's; at twice it, another's. On c1, one
/// person's top four frames (a third of a second) on: 95% of its pixels within 2.7; her dark grey
/// top and the navy T-shirt of the man beside her, in the same place: 9 to 22 (0.2-0.3 apart in
/// RGB, inside the tolerance the carried garment allows for folds and shading).
pub(super) const HUE_SAME: f32 = 5.0;

/// How far apart two Lab colours are as cloth, squared: with lightness at half weight, since
/// shading and folds change lightness most. Squared, so that the nearest of many is found without
/// a square root each (`hypot` was a tenth of the follower's time).
pub(super) fn hue_distance_sq(p: [f32; 3], r: [f32; 3]) -> f32 {
    let (l, a, b) = ((p[0] - r[0]) / 2.0, p[1] - r[1], p[2] - r[2]);
    l * l + a * a + b * b
}

/// A colour map (RGB, 0..1) in Lab.
pub(super) fn lab_map(m: &Map) -> Map {
    let mut out = Map::new(m.width, m.height, 3);
    for y in 0..m.height {
        for x in 0..m.width {
            let c = lab([0, 1, 2].map(|k| (m.get(x, y, k) * 255.0).round().clamp(0.0, 255.0) as u8));
            for (k, v) in c.into_iter().enumerate() {
                out.set(x, y, k as u32, v);
            }
        }
    }
    out
}

/// How far (map pixels) the cloth may have moved between two follower steps.
pub(super) const STEP_REACH: i64 = 2;

/// The share of the garment in `parts` whose colour in `now` is within [`HUE_SAME`] of a colour
/// near where it was in `before` (Lab maps at the parts map's size, frames a follower's step
/// apart; `from` takes a point of `now` to `before`, normalised, by the person's motion between
/// them); 1 where there is too little garment to tell. Compared in place, a person who moved
/// far in one step (a looped clip's restart, a quick step sideways) was taken for someone else.
pub(super) fn same_cloth(parts: &Map, before: &Map, now: &Map, from: impl Fn(f32, f32) -> (f32, f32)) -> f32 {
    let (w, h) = (parts.width as i64, parts.height as i64);
    let (mut onto, mut agreed) = (0.0f32, 0.0f32);
    for y in 0..h {
        for x in 0..w {
            let g = garment_at(parts, x as u32, y as u32);
            if g <= 0.1 {
                continue;
            }
            let at = |m: &Map, x: i64, y: i64| [0, 1, 2].map(|k| m.get(x as u32, y as u32, k));
            let c = at(now, x, y);
            let (s, t) = from((x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32);
            let (bx, by) = (((s * w as f32).floor() as i64).clamp(0, w - 1), ((t * h as f32).floor() as i64).clamp(0, h - 1));
            let mut nearest = f32::INFINITY;
            for yy in (by - STEP_REACH).max(0)..=(by + STEP_REACH).min(h - 1) {
                for xx in (bx - STEP_REACH).max(0)..=(bx + STEP_REACH).min(w - 1) {
                    nearest = nearest.min(hue_distance_sq(at(before, xx, yy), c));
                }
            }
            let nearest = nearest.sqrt();
            onto += g;
            agreed += g * (1.0 - smoothstep(HUE_SAME, 2.0 * HUE_SAME, nearest));
        }
    }
    if onto < 0.002 * (parts.width * parts.height) as f32 {
        1.0
    } else {
        agreed / onto
    }
}

/// How surely the parts map's pixel (x, y) is garment, of any class.
pub(super) fn garment_at(parts: &Map, x: u32, y: u32) -> f32 {
    (1..CLASSES).map(|c| parts.get(x, y, c)).sum()
}

/// The share of the parts map that is garment (any class over a half).
pub(super) fn garment_share(parts: &Map) -> f32 {
    let (w, h) = (parts.width, parts.height);
    let mut n = 0u32;
    for y in 0..h {
        for x in 0..w {
            n += (garment_at(parts, x, y) > 0.5) as u32;
        }
    }
    n as f32 / (w * h).max(1) as f32
}

/// A one-channel map's largest value within `reach` (a share of its long side), for "near".
pub(super) fn widened(m: &Map, reach: f32) -> Map {
    let r = (reach * m.width.max(m.height) as f32).ceil() as usize;
    Map { width: m.width, height: m.height, channels: 1, data: blur_max(&m.data, m.width, m.height, r) }
}

/// Garment colours against the skin and hair of the people in an analysed frame (`gate` and
/// `colours` at the parts map's size): garment where the analysis is sure, not garment where its
/// person gate is sure and it found none (faces, hair, hands, bare arms).
pub(super) fn learn_odds(a: &Analysis, gate: &Map, colours: &Map) -> Option<LearntOdds> {
    let (pw, ph) = (a.parts.width, a.parts.height);
    let mut odds = ColourOdds::default();
    // Every other pixel each way is plenty for a colour histogram, at a quarter of the cost.
    for y in (0..ph).step_by(2) {
        for x in (0..pw).step_by(2) {
            let g = gate.get(x, y, 0);
            if g < 0.5 {
                continue;
            }
            let garment = garment_at(&a.parts, x, y);
            let c = [0, 1, 2].map(|k| (colours.get(x, y, k) * 255.0).round().clamp(0.0, 255.0) as u8);
            odds.add(lab(c), smoothstep(0.5, 0.8, garment), 1.0 - smoothstep(0.05, 0.2, garment));
        }
    }
    odds.learnt()
}

pub(super) fn grid_size(frame: &Frame) -> (u32, u32) {
    let (w, h) = (frame.width() as f32, frame.height() as f32);
    let k = GRID as f32 / w.max(h);
    (((w * k).round() as u32).max(2), ((h * k).round() as u32).max(2))
}

/// The frame's colour (0..1) around map pixel (x, y) of a `w` x `h` map: the mean of the 2x2
/// frame pixels nearest its centre (the maps are about half the frame's size).
pub(super) fn colour_at(frame: &Frame, w: u32, h: u32, x: u32, y: u32) -> [f32; 3] {
    let (fw, fh) = (frame.width(), frame.height());
    let cx = ((x as f32 + 0.5) * fw as f32 / w as f32) as u32;
    let cy = ((y as f32 + 0.5) * fh as f32 / h as f32) as u32;
    let (x0, y0) = (cx.saturating_sub(1).min(fw - 1), cy.saturating_sub(1).min(fh - 1));
    let (x1, y1) = (cx.min(fw - 1), cy.min(fh - 1));
    let mut sum = [0.0f32; 3];
    for (px, py) in [(x0, y0), (x1, y0), (x0, y1), (x1, y1)] {
        let p = frame.get_pixel(px, py).0;
        for c in 0..3 {
            sum[c] += p[c] as f32;
        }
    }
    sum.map(|v| v / (4.0 * 255.0))
}

pub(super) fn colour_map(frame: &Frame, w: u32, h: u32) -> Map {
    let mut m = Map::new(w, h, 3);
    for y in 0..h {
        for x in 0..w {
            let c = colour_at(frame, w, h, x, y);
            for (k, v) in c.into_iter().enumerate() {
                m.set(x, y, k as u32, v);
            }
        }
    }
    m
}
