//! How the person moved between the analysed frame and the current one: the shift and scale
//! that best lay the analysed frame's person mask on the current one, searched on a coarse grid.

use super::*;

/// Long side of the grid the motion is searched on (coarse pass at half of it).
pub(super) const GRID: u32 = 48;
/// Scales tried between the analysed frame and the current one (towards or away from the camera).
pub(super) const SCALES: [f32; 5] = [0.9, 0.95, 1.0, 1.05, 1.1];
/// The farthest shift searched, as a share of the frame's long side.
pub(super) const REACH: f32 = 0.2;

/// How the person moved from the analysed frame to the current one, in normalised frame
/// coordinates (0..1 both ways): `now = centre + scale * (then - centre) + shift`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Motion {
    pub centre: (f32, f32),
    pub scale: f32,
    pub shift: (f32, f32),
}

impl Motion {
    pub const NONE: Motion = Motion { centre: (0.5, 0.5), scale: 1.0, shift: (0.0, 0.0) };

    /// Where a point of the current frame was in the analysed one.
    pub fn back(&self, s: f32, t: f32) -> (f32, f32) {
        let (cx, cy) = self.centre;
        (cx + (s - self.shift.0 - cx) / self.scale, cy + (t - self.shift.1 - cy) / self.scale)
    }

    /// Where a point of the analysed frame is in the current one.
    pub fn forward(&self, s: f32, t: f32) -> (f32, f32) {
        let (cx, cy) = self.centre;
        (cx + self.scale * (s - cx) + self.shift.0, cy + self.scale * (t - cy) + self.shift.1)
    }
}

/// A person mask on the motion search grid.
#[derive(Debug, Clone)]
pub(super) struct Grid {
    pub(super) w: u32,
    pub(super) h: u32,
    pub(super) v: Vec<f32>,
}

impl Grid {
    pub(super) fn from_map(m: &Map, w: u32, h: u32) -> Grid {
        Grid { w, h, v: m.resized(w, h).data }
    }

    pub(super) fn half(&self) -> Grid {
        let (w, h) = ((self.w / 2).max(1), (self.h / 2).max(1));
        let m = Map { width: self.w, height: self.h, channels: 1, data: self.v.clone() };
        Grid::from_map(&m, w, h)
    }

    /// Bilinear, 0 outside.
    pub(super) fn at(&self, s: f32, t: f32) -> f32 {
        if !(0.0..=1.0).contains(&s) || !(0.0..=1.0).contains(&t) {
            return 0.0;
        }
        let [v] = bilinear(s * self.w as f32 - 0.5, t * self.h as f32 - 0.5, |x, y| {
            let (x, y) = clamp_to(self.w, self.h, x, y);
            [self.v[(y * self.w + x) as usize]]
        });
        v
    }

    /// Mean absolute difference between this mask and `then` carried by `m`, with a small
    /// penalty on moving so that a still person stays still when shifts tie.
    pub(super) fn cost(&self, then: &Grid, m: &Motion) -> f32 {
        self.cost_within(then, m, None)
    }

    /// [`Grid::cost`] counted only where `weight` (on the analysed frame, so it moves with the
    /// motion tried) is: the garments' neighbourhood, so that a head tilted or an arm raised
    /// outside them does not move the garments.
    pub(super) fn cost_within(&self, then: &Grid, m: &Motion, weight: Option<&Grid>) -> f32 {
        // `m.back` moves s and t each on its own, so where each column and each row lands in
        // `then` (and the weight) is worked out once per column and row: the same samples as
        // [`Grid::at`] at every cell, at a fraction of the cost (the motion search tries about
        // 250 motions a follower step).
        let same = weight.is_none_or(|g| g.w == then.w && g.h == then.h);
        if !same {
            return self.cost_within_each(then, m, weight);
        }
        let cols: Vec<Option<Tap>> = (0..self.w).map(|x| axis_tap(m.back((x as f32 + 0.5) / self.w as f32, 0.5).0, then.w)).collect();
        let rows: Vec<Option<Tap>> = (0..self.h).map(|y| axis_tap(m.back(0.5, (y as f32 + 0.5) / self.h as f32).1, then.h)).collect();
        let (mut sum, mut total) = (0.0, 0.0);
        for (y, row) in rows.iter().enumerate() {
            for (x, col) in cols.iter().enumerate() {
                let (w, there) = match (col, row) {
                    (Some(c), Some(r)) => (weight.map_or(1.0, |g| grid_at(g, c, r)), grid_at(then, c, r)),
                    _ => (weight.map_or(1.0, |_| 0.0), 0.0),
                };
                sum += w * (self.v[y * self.w as usize + x] - there).abs();
                total += w;
            }
        }
        // The garments moved out of the frame: no fit to speak of.
        if total < 1.0 {
            return f32::INFINITY;
        }
        sum / total + penalty(m)
    }

    /// [`Grid::cost_within`] a cell at a time, for a weight on a grid of another size.
    fn cost_within_each(&self, then: &Grid, m: &Motion, weight: Option<&Grid>) -> f32 {
        let (mut sum, mut total) = (0.0, 0.0);
        for y in 0..self.h {
            for x in 0..self.w {
                let (s, t) = ((x as f32 + 0.5) / self.w as f32, (y as f32 + 0.5) / self.h as f32);
                let (s0, t0) = m.back(s, t);
                let w = weight.map_or(1.0, |g| g.at(s0, t0));
                sum += w * (self.v[(y * self.w + x) as usize] - then.at(s0, t0)).abs();
                total += w;
            }
        }
        if total < 1.0 {
            return f32::INFINITY;
        }
        sum / total + penalty(m)
    }

    pub(super) fn mean(&self) -> f32 {
        self.v.iter().sum::<f32>() / self.v.len().max(1) as f32
    }

    pub(super) fn centroid(&self) -> Option<(f32, f32)> {
        let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
        for y in 0..self.h {
            for x in 0..self.w {
                let v = self.v[(y * self.w + x) as usize];
                sx += v * (x as f32 + 0.5) / self.w as f32;
                sy += v * (y as f32 + 0.5) / self.h as f32;
                n += v;
            }
        }
        (n > 1.0).then(|| (sx / n, sy / n))
    }
}

/// Where a grid's column (or row) at `p` (0..1) samples it bilinearly, as [`Grid::at`] does;
/// None outside 0..1, where [`Grid::at`] reads 0.
fn axis_tap(p: f32, n: u32) -> Option<Tap> {
    (0.0..=1.0).contains(&p).then(|| Tap::at(p * n as f32 - 0.5, n))
}

/// `g` sampled at column tap `x` and row tap `y`, as [`Grid::at`] samples it.
#[inline]
fn grid_at(g: &Grid, x: &Tap, y: &Tap) -> f32 {
    let at = |i: u32, j: u32| g.v[(j * g.w + i) as usize];
    lerp2(at(x.i0, y.i0), at(x.i1, y.i0), at(x.i0, y.i1), at(x.i1, y.i1), x.a, y.a)
}

/// What moving costs in [`Grid::cost`]: ties go to standing still.
pub(super) fn penalty(m: &Motion) -> f32 {
    0.02 * (m.shift.0.hypot(m.shift.1) + (m.scale - 1.0).abs())
}

/// How badly `then`, moved by `m`, fits `now`: their mean difference over their mean mass; 0 for
/// a perfect fit, 2 for masks with nothing in common.
pub(super) fn mismatch(then: &Grid, now: &Grid, m: &Motion) -> f32 {
    let mass = (then.mean() + now.mean()) / 2.0;
    if mass < 1e-3 {
        return 0.0;
    }
    (now.cost(then, m) - penalty(m)) / mass
}

/// Beyond this [`mismatch`] the person in view is not the one analysed (a cut, someone else, the
/// person gone): nothing is carried until the next full analysis.
pub(super) const LOST: f32 = 0.8;

/// Whether `m`, found by [`estimate`] on a grid of `(w, h)`, ran to the edge of the shifts
/// searched: the best of them is no fit (two people moving apart, one jumping, laid on as one),
/// and what is read through it says nothing.
pub(super) fn at_search_edge(m: &Motion, (w, h): (u32, u32)) -> bool {
    // The coarse pass's grid, as `estimate` halves it.
    let (w, h) = ((w / 2).max(1), (h / 2).max(1));
    let cells = (REACH * w.max(h) as f32).ceil();
    let edge = |shift: f32, n: u32| shift.abs() >= (cells - 0.5) / n as f32;
    edge(m.shift.0, w) || edge(m.shift.1, h)
}

/// The motion that best lays `then` on `now` within `weight` (everywhere without it): shifts on a
/// coarse grid first, then half-cell steps and the scales around the best.
pub(super) fn estimate(then: &Grid, now: &Grid, weight: Option<&Grid>) -> Motion {
    let Some(centre) = then.centroid() else { return Motion::NONE };
    let (then_c, now_c) = (then.half(), now.half());
    let weight_c = weight.map(Grid::half);
    let cells = (REACH * now_c.w.max(now_c.h) as f32).ceil() as i32;
    let (cw, ch) = (1.0 / now_c.w as f32, 1.0 / now_c.h as f32);
    let mut best = (f32::INFINITY, Motion { centre, ..Motion::NONE });
    for dy in -cells..=cells {
        for dx in -cells..=cells {
            let m = Motion { centre, scale: 1.0, shift: (dx as f32 * cw, dy as f32 * ch) };
            let c = now_c.cost_within(&then_c, &m, weight_c.as_ref());
            if c < best.0 {
                best = (c, m);
            }
        }
    }
    let (fw, fh) = (0.5 / now.w as f32, 0.5 / now.h as f32);
    let coarse = best.1;
    for scale in SCALES {
        for j in -2..=2 {
            for i in -2..=2 {
                let m = Motion { centre, scale, shift: (coarse.shift.0 + i as f32 * fw, coarse.shift.1 + j as f32 * fh) };
                let c = now.cost_within(then, &m, weight);
                if c < best.0 {
                    best = (c, m);
                }
            }
        }
    }
    best.1
}
