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
        self.cost_weighed(then, m, weight.map(Weight::of).as_ref())
    }

    /// [`Grid::cost_within`] with the weight's sum worked out beforehand: the motion search tries
    /// about 250 motions against the same weight a follower step, and summing it for each was
    /// as much work again as the fit.
    fn cost_weighed(&self, then: &Grid, m: &Motion, weight: Option<&Weight>) -> f32 {
        // `m.back` moves s and t each on its own, so where each column and each row lands in
        // `then` (and the weight) is worked out once per column and row: the same samples as
        // [`Grid::at`] at every cell, at a fraction of the cost.
        let same = weight.is_none_or(|g| g.grid.w == then.w && g.grid.h == then.h);
        if !same {
            return self.cost_within_each(then, m, weight);
        }
        let cols: Vec<Option<Tap>> = (0..self.w).map(|x| axis_tap(m.back((x as f32 + 0.5) / self.w as f32, 0.5).0, then.w)).collect();
        let rows: Vec<Option<Tap>> = (0..self.h).map(|y| axis_tap(m.back(0.5, (y as f32 + 0.5) / self.h as f32).1, then.h)).collect();
        let (mut sum, mut total) = (0.0, 0.0);
        for (y, row) in rows.iter().enumerate() {
            for (x, col) in cols.iter().enumerate() {
                let (w, there) = match (col, row) {
                    (Some(c), Some(r)) => (weight.map_or(1.0, |g| grid_at(g.grid, c, r)), grid_at(then, c, r)),
                    _ => (weight.map_or(1.0, |_| 0.0), 0.0),
                };
                sum += w * (self.v[y * self.w as usize + x] - there).abs();
                total += w;
            }
        }
        self.weighed(sum, total, weight, m)
    }

    /// The mean difference `sum` over `total` weight in view, the weight the motion took out of
    /// the frame counted as [`OUT_OF_VIEW`] (without it, a motion that takes most of the garments
    /// out of the frame and lays the few cells left on anything fitted best: c3's children, at
    /// the edge of the search).
    fn weighed(&self, sum: f32, total: f32, weight: Option<&Weight>, m: &Motion) -> f32 {
        // The garments moved out of the frame: no fit to speak of.
        if total < 1.0 {
            return f32::INFINITY;
        }
        let out = weight.map_or(0.0, |g| {
            let all = g.sum * m.scale * m.scale * (self.w * self.h) as f32 / (g.grid.w * g.grid.h) as f32;
            (all - total).max(0.0)
        });
        (sum + OUT_OF_VIEW * out) / (total + out) + penalty(m)
    }

    /// [`Grid::cost_within`] a cell at a time, for a weight on a grid of another size.
    fn cost_within_each(&self, then: &Grid, m: &Motion, weight: Option<&Weight>) -> f32 {
        let (mut sum, mut total) = (0.0, 0.0);
        for y in 0..self.h {
            for x in 0..self.w {
                let (s, t) = ((x as f32 + 0.5) / self.w as f32, (y as f32 + 0.5) / self.h as f32);
                let (s0, t0) = m.back(s, t);
                let w = weight.map_or(1.0, |g| g.grid.at(s0, t0));
                sum += w * (self.v[(y * self.w + x) as usize] - then.at(s0, t0)).abs();
                total += w;
            }
        }
        self.weighed(sum, total, weight, m)
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

/// A weight grid of [`Grid::cost_within`] and its sum.
struct Weight<'a> {
    grid: &'a Grid,
    sum: f32,
}

impl Weight<'_> {
    fn of(grid: &Grid) -> Weight<'_> {
        Weight { grid, sum: grid.v.iter().sum() }
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

/// What each cell of weight a motion takes out of the frame costs in [`Grid::cost_within`]: half
/// a mismatch (people do lean out of a webcam's view, but a fit should not hide in it).
const OUT_OF_VIEW: f32 = 0.5;

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

/// Whether `m`, found by [`estimate_from`] around `from` on a grid of `(w, h)`, ran to the edge of the shifts
/// searched: the best of them is no fit (two people moving apart, one jumping, laid on as one),
/// and what is read through it says nothing.
pub(super) fn at_search_edge(m: &Motion, from: (f32, f32), (w, h): (u32, u32)) -> bool {
    // The coarse pass's grid, as `estimate` halves it.
    let (w, h) = ((w / 2).max(1), (h / 2).max(1));
    let cells = (REACH * w.max(h) as f32).ceil();
    let edge = |shift: f32, n: u32| shift.abs() >= (cells - 0.5) / n as f32;
    edge(m.shift.0 - from.0, w) || edge(m.shift.1 - from.1, h)
}

/// The motion that best lays `then` on `now` within `weight` (everywhere without it): shifts on a
/// coarse grid first, then half-cell steps and the scales around the best.
#[cfg(test)]
pub(super) fn estimate(then: &Grid, now: &Grid, weight: Option<&Grid>) -> Motion {
    estimate_from(then, now, weight, (0.0, 0.0))
}

/// [`estimate`], the shifts searched around `from` (the motion found a step before: a camera
/// panning or a person crossing the room goes further in the second an analysis takes than the
/// search reaches from standing still).
pub(super) fn estimate_from(then: &Grid, now: &Grid, weight: Option<&Grid>, from: (f32, f32)) -> Motion {
    let Some(centre) = then.centroid() else { return Motion::NONE };
    let (then_c, now_c) = (then.half(), now.half());
    let weight_c = weight.map(Grid::half);
    let (weight, weight_c) = (weight.map(Weight::of), weight_c.as_ref().map(Weight::of));
    let cells = (REACH * now_c.w.max(now_c.h) as f32).ceil() as i32;
    let (cw, ch) = (1.0 / now_c.w as f32, 1.0 / now_c.h as f32);
    let mut best = (f32::INFINITY, Motion { centre, shift: from, ..Motion::NONE });
    for dy in -cells..=cells {
        for dx in -cells..=cells {
            let m = Motion { centre, scale: 1.0, shift: (from.0 + dx as f32 * cw, from.1 + dy as f32 * ch) };
            let c = now_c.cost_weighed(&then_c, &m, weight_c.as_ref());
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
                let c = now.cost_weighed(then, &m, weight.as_ref());
                if c < best.0 {
                    best = (c, m);
                }
            }
        }
    }
    best.1
}

/// How the people moved from the analysed frame to the current one: the whole mask's motion and,
/// where the analysis told two or more people apart, each one's own (a girl jumping beside her
/// kneeling brother: no one shift and scale lays both on their mask).
#[derive(Debug, Clone)]
pub(super) struct Moves {
    pub(super) whole: Motion,
    /// Each person's motion and where they were on the analysed frame ([`Grid`], soft beyond
    /// their own cells: [`soft_region`]).
    pub(super) people: Vec<(Motion, Arc<Grid>)>,
    /// The shifts each was searched around, the whole's first.
    from: Vec<(f32, f32)>,
}

impl Moves {
    pub(super) fn one(whole: Motion) -> Moves {
        Moves { whole, people: Vec::new(), from: Vec::new() }
    }

    /// The motions of the people of `regions` (on the analysed frame), each fitted where its
    /// person was (within `weight` too, where given), and the whole's; each searched around the
    /// same one's motion in `before` (found against the same analysis a step before).
    pub(super) fn estimate(then: &Grid, now: &Grid, weight: Option<&Grid>, regions: &[Arc<Grid>], before: Option<&Moves>) -> Moves {
        let whole_from = before.map_or((0.0, 0.0), |b| b.whole.shift);
        let whole = estimate_from(then, now, weight, whole_from);
        let mut from = vec![whole_from];
        let people = regions
            .iter()
            .enumerate()
            .map(|(k, r)| {
                let w = match weight {
                    Some(g) if g.w == r.w && g.h == r.h => Grid { w: r.w, h: r.h, v: r.v.iter().zip(&g.v).map(|(a, b)| a * b).collect() },
                    _ => (**r).clone(),
                };
                let f = before.and_then(|b| b.people.get(k)).map_or(whole_from, |(m, _)| m.shift);
                from.push(f);
                (estimate_from(then, now, Some(&w), f), r.clone())
            })
            .collect();
        Moves { whole, people, from }
    }

    /// Where a point of the current frame was in the analysed one: by the motion of the person
    /// it lands most surely on, the whole's where it lands on no one.
    pub(super) fn back(&self, s: f32, t: f32) -> (f32, f32) {
        self.back_left(s, t).0
    }

    /// [`Moves::back`] at the centre of every pixel of a `w` x `h` map, row by row. A motion
    /// moves s and t each on its own, so where each column and row lands, and where it reads
    /// each person's region, is worked out once (the carried maps' pixels are too many to work
    /// every motion out at each).
    pub(super) fn back_map(&self, w: u32, h: u32) -> Vec<(f32, f32)> {
        let axes = |m: &Motion, g: Option<&Grid>| {
            let col = |x: u32| m.back((x as f32 + 0.5) / w as f32, 0.5).0;
            let row = |y: u32| m.back(0.5, (y as f32 + 0.5) / h as f32).1;
            let cols: Vec<(f32, Option<Tap>)> = (0..w).map(|x| (col(x), g.and_then(|g| axis_tap(col(x), g.w)))).collect();
            let rows: Vec<(f32, Option<Tap>)> = (0..h).map(|y| (row(y), g.and_then(|g| axis_tap(row(y), g.h)))).collect();
            (cols, rows)
        };
        let whole = axes(&self.whole, None);
        let people: Vec<_> = self.people.iter().map(|(m, g)| (axes(m, Some(g)), g)).collect();
        let mut out = Vec::with_capacity((w * h) as usize);
        for y in 0..h as usize {
            for x in 0..w as usize {
                let mut best = (0.0, (whole.0[x].0, whole.1[y].0));
                for ((cols, rows), g) in &people {
                    let (c, r) = (&cols[x], &rows[y]);
                    if let (Some(ct), Some(rt)) = (&c.1, &r.1) {
                        let v = grid_at(g, ct, rt);
                        if v > best.0 {
                            best = (v, (c.0, r.0));
                        }
                    }
                }
                out.push(best.1);
            }
        }
        out
    }

    /// [`Moves::back`], and whether the point landed on no one and was carried by the whole's
    /// motion onto someone who has moved away from it: what was there then left.
    fn back_left(&self, s: f32, t: f32) -> ((f32, f32), bool) {
        let mut best = (0.0, self.whole.back(s, t));
        for (m, region) in &self.people {
            let p = m.back(s, t);
            let v = region.at(p.0, p.1);
            if v > best.0 {
                best = (v, p);
            }
        }
        let left = best.0 <= 0.0 && self.people.iter().any(|(_, r)| r.at(best.1 .0, best.1 .1) >= 0.5);
        (best.1, left)
    }

    /// Where a point of the analysed frame is in the current one: by the motion of the person it
    /// was on.
    pub(super) fn forward(&self, s: f32, t: f32) -> (f32, f32) {
        let mut best = (0.0, self.whole.forward(s, t));
        for (m, region) in &self.people {
            let v = region.at(s, t);
            if v > best.0 {
                best = (v, m.forward(s, t));
            }
        }
        best.1
    }

    /// How badly `then`, moved by these motions, fits `now` ([`mismatch`]).
    pub(super) fn mismatch(&self, then: &Grid, now: &Grid) -> f32 {
        if self.people.is_empty() {
            return mismatch(then, now, &self.whole);
        }
        let mass = (then.mean() + now.mean()) / 2.0;
        if mass < 1e-3 {
            return 0.0;
        }
        let mut sum = 0.0;
        for y in 0..now.h {
            for x in 0..now.w {
                let ((s0, t0), left) = self.back_left((x as f32 + 0.5) / now.w as f32, (y as f32 + 0.5) / now.h as f32);
                let there = if left { 0.0 } else { then.at(s0, t0) };
                sum += (now.v[(y * now.w + x) as usize] - there).abs();
            }
        }
        sum / (now.w * now.h).max(1) as f32 / mass
    }

    /// The share of `garments` (on the analysed frame), moved by these motions, that lies on the
    /// person of `now`: low where the selfie mask lost the person it still saw a step before.
    pub(super) fn covered(&self, garments: &Grid, now: &Grid) -> f32 {
        let (mut on, mut all) = (0.0, 0.0);
        for y in 0..now.h {
            for x in 0..now.w {
                let (s0, t0) = self.back((x as f32 + 0.5) / now.w as f32, (y as f32 + 0.5) / now.h as f32);
                let g = garments.at(s0, t0);
                on += g * now.v[(y * now.w + x) as usize];
                all += g;
            }
        }
        if all < 1.0 {
            0.0
        } else {
            on / all
        }
    }

    /// Whether any of the motions ran to the edge of the shifts searched ([`at_search_edge`]).
    pub(super) fn at_search_edge(&self, grid: (u32, u32)) -> bool {
        let from = |k: usize| self.from.get(k).copied().unwrap_or((0.0, 0.0));
        at_search_edge(&self.whole, from(0), grid) || self.people.iter().enumerate().any(|(k, (m, _))| at_search_edge(m, from(k + 1), grid))
    }

    /// Whether any motion's shift changed by more than `most` from `before`'s (the same people,
    /// found against the same analysis).
    pub(super) fn leapt(&self, before: &Moves, most: f32) -> bool {
        let leap = |a: &Motion, b: &Motion| (a.shift.0 - b.shift.0).hypot(a.shift.1 - b.shift.1) > most;
        leap(&self.whole, &before.whole) || self.people.iter().zip(&before.people).any(|((a, _), (b, _))| leap(a, b))
    }
}

/// Where the person of `owned` (1 on their cells of the search grid) was, softened outwards
/// (halving a cell at a time for a few cells): a point just off them after their motion is still
/// theirs rather than the whole's.
pub(super) fn soft_region(owned: &Grid) -> Grid {
    let mut g = owned.clone();
    for _ in 0..3 {
        let before = g.v.clone();
        for y in 0..g.h as i64 {
            for x in 0..g.w as i64 {
                let mut v = before[(y * g.w as i64 + x) as usize];
                for (dx, dy) in [(-1i64, 0i64), (1, 0), (0, -1), (0, 1)] {
                    let (nx, ny) = (x + dx, y + dy);
                    if nx >= 0 && ny >= 0 && nx < g.w as i64 && ny < g.h as i64 {
                        v = v.max(0.5 * before[(ny * g.w as i64 + nx) as usize]);
                    }
                }
                g.v[(y * g.w as i64 + x) as usize] = v;
            }
        }
    }
    g
}
