//! Where each part of the person went between two follower steps: block matching on small grey
//! images, around where the whole person's motion puts each part (the prior). One shift and scale
//! of the whole person cannot follow an arm lowered while the torso stays; the arm's edges and
//! the hands are textured enough to be found a step later. What the matches find beyond the prior
//! (a [`Field`]) is carried from step to step, from the analysed frame to the frame shown, on top
//! of the person's motion found afresh each step; the plain inside of a hoodie adds nothing.

use crate::frame::{bilinear, clamp_to, lerp2, Frame, Tap};

/// Long side of the grey images matched.
const GREY: u32 = 128;
/// One displacement per cell of this many grey pixels each way.
const CELL: u32 = 4;
/// Side of the block matched around a cell's centre (grey pixels).
const BLOCK: i32 = 8;
/// The farthest a cell is searched from where the prior puts it, per step (grey pixels: a tenth
/// of the frame's width at 128, what an arm moves in a follower's step of 60-100 ms).
const REACH: i32 = 6;
/// Below this contrast (standard deviation of the block, grey 0..1) a block cannot tell where it
/// went: the prior stands (a plain hoodie, a wall).
const FLAT: f32 = 0.03;
/// What moving a grey pixel away from the prior costs, per pixel of the block (grey 0..1): ties
/// and near ties go to the prior.
const PULL: f32 = 0.004;

/// How much better (mean grey difference) than the prior's place a match must be to be taken.
const SURE: f32 = 0.02;

/// A frame in grey (0..1), small.
#[derive(Debug, Clone)]
pub struct Grey {
    w: u32,
    h: u32,
    v: Vec<f32>,
}

impl Grey {
    /// `frame` scaled to [`GREY`] on its long side, each pixel the mean of the frame's pixels
    /// under it.
    pub fn of(frame: &Frame) -> Grey {
        let (fw, fh) = frame.dimensions();
        let k = GREY as f32 / fw.max(fh).max(1) as f32;
        let (w, h) = (((fw as f32 * k).round() as u32).max(1), ((fh as f32 * k).round() as u32).max(1));
        let mut v = vec![0.0f32; (w * h) as usize];
        let mut n = vec![0u32; (w * h) as usize];
        // Two frame pixels each way per grey pixel are plenty for its mean.
        let step = (fw.max(fh) / (2 * GREY)).max(1) as usize;
        for y in (0..fh).step_by(step) {
            let gy = (y * h / fh.max(1)).min(h - 1);
            for x in (0..fw).step_by(step) {
                let gx = (x * w / fw.max(1)).min(w - 1);
                let p = frame.get_pixel(x, y).0;
                let i = (gy * w + gx) as usize;
                v[i] += (0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32) / 255.0;
                n[i] += 1;
            }
        }
        for (v, n) in v.iter_mut().zip(&n) {
            *v /= (*n).max(1) as f32;
        }
        Grey { w, h, v }
    }

    #[cfg(test)]
    fn from_fn(w: u32, h: u32, f: impl Fn(u32, u32) -> f32) -> Grey {
        Grey { w, h, v: (0..h).flat_map(|y| (0..w).map(move |x| (x, y))).map(|(x, y)| f(x, y)).collect() }
    }

    fn at(&self, x: i32, y: i32) -> f32 {
        let (x, y) = (x.clamp(0, self.w as i32 - 1), y.clamp(0, self.h as i32 - 1));
        self.v[(y as u32 * self.w + x as u32) as usize]
    }
}

/// For each cell of a later frame, where its centre was in an earlier one (normalised 0..1
/// coordinates both ways).
#[derive(Debug, Clone)]
pub struct Warp {
    cw: u32,
    ch: u32,
    v: Vec<(f32, f32)>,
}

impl Warp {
    /// Nothing moved, on `grey`'s cells.
    pub fn identity(grey: &Grey) -> Warp {
        let (cw, ch) = cells(grey);
        Warp { cw, ch, v: (0..ch).flat_map(|y| (0..cw).map(move |x| centre(cw, ch, x, y))).collect() }
    }

    /// Where the later frame's point (s, t) was: the cells' displacements interpolated.
    pub fn at(&self, s: f32, t: f32) -> (f32, f32) {
        let (ds, dt) = on_cells(self.cw, self.ch, s, t, |x, y| {
            let (cs, ct) = centre(self.cw, self.ch, x, y);
            let (ps, pt) = self.v[(y * self.cw + x) as usize];
            (ps - cs, pt - ct)
        });
        (s + ds, t + dt)
    }
}

/// What the matches found beyond the whole person's motion, per cell of a frame, in normalised
/// coordinates of the analysed frame: an arm's own motion. Laid on top of the motion found afresh
/// at each step, so an error of one step's prior is not carried into the next.
#[derive(Debug, Clone)]
pub struct Field {
    cw: u32,
    ch: u32,
    v: Vec<(f32, f32)>,
}

/// The farthest a part is placed from where the whole person's motion puts it (share of the
/// frame): an arm's reach beyond the torso's motion; more is a chain of mismatches.
const FIELD_MOST: f32 = 0.2;

impl Field {
    /// What `f` (a step's flow) found beyond `prior` (where the whole motion put each cell).
    pub fn of(f: &Warp, prior: impl Fn(f32, f32) -> (f32, f32)) -> Field {
        let v = (0..f.ch)
            .flat_map(|y| (0..f.cw).map(move |x| (x, y)))
            .map(|(x, y)| {
                let (s, t) = centre(f.cw, f.ch, x, y);
                let (ps, pt) = prior(s, t);
                let (fs, ft) = f.v[(y * f.cw + x) as usize];
                (fs - ps, ft - pt)
            })
            .collect();
        Field { cw: f.cw, ch: f.ch, v }
    }

    /// The displacement at (s, t), interpolated.
    pub fn at(&self, s: f32, t: f32) -> (f32, f32) {
        on_cells(self.cw, self.ch, s, t, |x, y| self.v[(y * self.cw + x) as usize])
    }

    /// [`Field::at`] the centre of every pixel of a `w` x `h` map, row by row, with where each
    /// column and each row falls among the cells worked out once (the follower reads the field
    /// at every pixel of two maps each step).
    pub fn on_grid(&self, w: u32, h: u32) -> Vec<(f32, f32)> {
        let tap = |i: u32, n: u32, cells: u32| Tap::at((i as f32 + 0.5) / n as f32 * cells as f32 - 0.5, cells);
        let cols: Vec<Tap> = (0..w).map(|x| tap(x, w, self.cw)).collect();
        let mut out = Vec::with_capacity((w * h) as usize);
        let at = |x: u32, y: u32| self.v[(y * self.cw + x) as usize];
        for y in 0..h {
            let r = tap(y, h, self.ch);
            for c in &cols {
                let (p00, p10, p01, p11) = (at(c.i0, r.i0), at(c.i1, r.i0), at(c.i0, r.i1), at(c.i1, r.i1));
                out.push((lerp2(p00.0, p10.0, p01.0, p11.0, c.a, r.a), lerp2(p00.1, p10.1, p01.1, p11.1, c.a, r.a)));
            }
        }
        out
    }

    /// This field (found up to the step before) carried a step on by that step's flow `f`, with
    /// what the step found itself (`step`) added: bounded by [`FIELD_MOST`].
    pub fn then(&self, f: &Warp, step: &Field) -> Field {
        let v =
            f.v.iter()
                .zip(&step.v)
                .map(|(&(s, t), &(ds, dt))| {
                    let (es, et) = self.at(s, t);
                    let (x, y) = (es + ds, et + dt);
                    let k = FIELD_MOST / x.hypot(y).max(FIELD_MOST);
                    (x * k, y * k)
                })
                .collect();
        Field { cw: f.cw, ch: f.ch, v }
    }
}

/// A pair per cell of a `cw` x `ch` grid (`at`), interpolated at (s, t); the edge cells repeat.
fn on_cells(cw: u32, ch: u32, s: f32, t: f32, at: impl Fn(u32, u32) -> (f32, f32)) -> (f32, f32) {
    let [a, b] = bilinear(s * cw as f32 - 0.5, t * ch as f32 - 0.5, |x, y| {
        let (x, y) = clamp_to(cw, ch, x, y);
        let (a, b) = at(x, y);
        [a, b]
    });
    (a, b)
}

fn cells(g: &Grey) -> (u32, u32) {
    ((g.w / CELL).max(1), (g.h / CELL).max(1))
}

fn centre(cw: u32, ch: u32, x: u32, y: u32) -> (f32, f32) {
    ((x as f32 + 0.5) / cw as f32, (y as f32 + 0.5) / ch as f32)
}

/// Where each cell of `now` was in `before` (same size), searched around where `prior` puts it
/// for the cells `wanted` (the person now; the rest keep the prior):
/// the block around the cell's centre laid on `before` at whole-pixel offsets, the least mean
/// difference (plus [`PULL`] per pixel from the prior) refined to a fraction of a pixel, then a
/// 3x3 median over the cells against single mismatches.
pub fn flow(before: &Grey, now: &Grey, prior: impl Fn(f32, f32) -> (f32, f32), wanted: impl Fn(f32, f32) -> bool) -> Warp {
    let (cw, ch) = cells(now);
    let (w, h) = (now.w as f32, now.h as f32);
    let half = BLOCK / 2;
    let mut d = Vec::with_capacity((cw * ch) as usize);
    let mut block = Vec::with_capacity((BLOCK * BLOCK) as usize);
    for cy in 0..ch {
        for cx in 0..cw {
            let (s, t) = centre(cw, ch, cx, cy);
            let (ps, pt) = prior(s, t);
            // Where the prior puts the cell, in `before`'s pixels, less where it is in `now`'s.
            let (px, py) = (ps * w - s * w, pt * h - t * h);
            let (x0, y0) = ((s * w).round() as i32, (t * h).round() as i32);
            block.clear();
            for by in -half..half {
                for bx in -half..half {
                    block.push(now.at(x0 + bx, y0 + by));
                }
            }
            let n = block.len() as f32;
            let mean = block.iter().sum::<f32>() / n;
            let spread = (block.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n).sqrt();
            if spread < FLAT || !wanted(s, t) {
                d.push((px, py));
                continue;
            }
            let (ox, oy) = (px.round() as i32, py.round() as i32);
            let side = (2 * REACH + 1) as usize;
            let mut costs = vec![f32::INFINITY; side * side];
            let mut best = (f32::INFINITY, 0i32, 0i32);
            for j in -REACH..=REACH {
                for i in -REACH..=REACH {
                    let (dx, dy) = (ox + i, oy + j);
                    let mut sum = 0.0;
                    let mut k = 0;
                    for by in -half..half {
                        for bx in -half..half {
                            sum += (block[k] - before.at(x0 + bx + dx, y0 + by + dy)).abs();
                            k += 1;
                        }
                    }
                    let (ex, ey) = (dx as f32 - px, dy as f32 - py);
                    let c = sum / n + PULL * (ex * ex + ey * ey).sqrt();
                    costs[(j + REACH) as usize * side + (i + REACH) as usize] = c;
                    if c < best.0 {
                        best = (c, i, j);
                    }
                }
            }
            let (least, bi, bj) = best;
            let at = |i: i32, j: i32| costs[(j + REACH) as usize * side + (i + REACH) as usize];
            // Not clearly better than where the prior puts it (motion blur, a block half on a
            // moving arm and half on a still wall): the prior stands.
            if at(0, 0) - least < SURE {
                d.push((px, py));
                continue;
            }
            // A parabola through the best and its neighbours each way: the fraction of a pixel.
            let sub = |l: f32, c: f32, r: f32| {
                let k = l - 2.0 * c + r;
                if k > 1e-6 && l.is_finite() && r.is_finite() {
                    (0.5 * (l - r) / k).clamp(-0.5, 0.5)
                } else {
                    0.0
                }
            };
            let fx = if bi.abs() < REACH { sub(at(bi - 1, bj), at(bi, bj), at(bi + 1, bj)) } else { 0.0 };
            let fy = if bj.abs() < REACH { sub(at(bi, bj - 1), at(bi, bj), at(bi, bj + 1)) } else { 0.0 };
            d.push(((ox + bi) as f32 + fx, (oy + bj) as f32 + fy));
        }
    }
    let d = median3(&d, cw, ch);
    let v = (0..ch)
        .flat_map(|y| (0..cw).map(move |x| (x, y)))
        .zip(d)
        .map(|((x, y), (dx, dy))| {
            let (s, t) = centre(cw, ch, x, y);
            (s + dx / w, t + dy / h)
        })
        .collect();
    Warp { cw, ch, v }
}

/// Each displacement the median of its 3x3 neighbourhood, each way apart.
fn median3(d: &[(f32, f32)], w: u32, h: u32) -> Vec<(f32, f32)> {
    let mut out = Vec::with_capacity(d.len());
    let (mut xs, mut ys) = (Vec::with_capacity(9), Vec::with_capacity(9));
    for y in 0..h as i32 {
        for x in 0..w as i32 {
            xs.clear();
            ys.clear();
            for j in (y - 1).max(0)..=(y + 1).min(h as i32 - 1) {
                for i in (x - 1).max(0)..=(x + 1).min(w as i32 - 1) {
                    let (a, b) = d[(j as u32 * w + i as u32) as usize];
                    xs.push(a);
                    ys.push(b);
                }
            }
            xs.sort_by(f32::total_cmp);
            ys.sort_by(f32::total_cmp);
            out.push((xs[xs.len() / 2], ys[ys.len() / 2]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_on_a_grid_is_the_field_at_each_pixel() {
        let f = Field { cw: 5, ch: 4, v: (0..20).map(|i| ((i as f32 * 0.37).sin() * 0.1, (i as f32 * 0.11).cos() * 0.05)).collect() };
        let (w, h) = (13, 9);
        let grid = f.on_grid(w, h);
        for y in 0..h {
            for x in 0..w {
                let (a, b) = f.at((x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32);
                let (c, d) = grid[(y * w + x) as usize];
                assert_eq!((a.to_bits(), b.to_bits()), (c.to_bits(), d.to_bits()), "({x}, {y})");
            }
        }
    }

    /// A plain wall and a plain torso, with a textured forearm (a knit: a fixed pseudo-random
    /// pattern of 2x2 stitches) at `arm` (grey pixels, its top left corner).
    fn scene(arm: (i32, i32)) -> Grey {
        Grey::from_fn(128, 96, |x, y| {
            let (x, y) = (x as i32, y as i32);
            if (arm.0..arm.0 + 24).contains(&x) && (arm.1..arm.1 + 10).contains(&y) {
                let (i, j) = (((x - arm.0) / 2) as u32, ((y - arm.1) / 2) as u32);
                let hash = (i.wrapping_mul(73_856_093) ^ j.wrapping_mul(19_349_663)).wrapping_mul(2_654_435_761) >> 24;
                0.4 + 0.5 * hash as f32 / 255.0
            } else if (40..88).contains(&x) && (30..96).contains(&y) {
                0.6
            } else {
                0.2
            }
        })
    }

    #[test]
    fn a_textured_arm_is_followed_across_steps_and_the_plain_rest_keeps_the_prior() {
        // The arm moves 3 px right and 2 down each step, four steps; the person as a whole stays.
        let still = |s: f32, t: f32| (s, t);
        let frames: Vec<Grey> = (0..5).map(|k| scene((20 + 3 * k, 20 + 2 * k))).collect();
        let mut field = Field::of(&Warp::identity(&frames[0]), still);
        for k in 1..5 {
            let f = flow(&frames[k - 1], &frames[k], still, |_, _| true);
            field = field.then(&f, &Field::of(&f, still));
        }
        let back = |s: f32, t: f32| {
            let (ds, dt) = field.at(s, t);
            (s + ds, t + dt)
        };
        // The arm's centre now, traced back to the first frame.
        let (s, t) = ((32.0 + 12.0 + 0.5) / 128.0, (28.0 + 5.0 + 0.5) / 96.0);
        let (s0, t0) = back(s, t);
        let (ex, ey) = ((20.0 + 12.0 + 0.5) / 128.0, (20.0 + 5.0 + 0.5) / 96.0);
        assert!(
            (s0 - ex).abs() * 128.0 < 1.5 && (t0 - ey).abs() * 96.0 < 1.5,
            "arm traced to ({:.1}, {:.1}) px, was at ({:.1}, {:.1})",
            s0 * 128.0,
            t0 * 96.0,
            ex * 128.0,
            ey * 96.0
        );
        // The plain torso far from the arm stays where it was.
        let (s1, t1) = back(70.0 / 128.0, 80.0 / 96.0);
        assert!((s1 - 70.0 / 128.0).abs() < 0.5 / 128.0 && (t1 - 80.0 / 96.0).abs() < 0.5 / 96.0, "torso moved to ({s1}, {t1})");
    }

    #[test]
    fn where_nothing_can_be_told_nothing_is_added_to_the_prior() {
        // A plain frame: every cell takes the prior (a shift of 2% right per step), and what is
        // carried on top of the person's motion stays nothing.
        let plain = Grey::from_fn(128, 96, |_, _| 0.5);
        let prior = |s: f32, t: f32| (s - 0.02, t);
        let f = flow(&plain, &plain, prior, |_, _| true);
        assert!((f.at(0.5, 0.5).0 - 0.48).abs() < 1e-3);
        let field = Field::of(&f, prior).then(&f, &Field::of(&f, prior));
        let (ds, dt) = field.at(0.5, 0.5);
        assert!(ds.abs() < 1e-4 && dt.abs() < 1e-4, "({ds}, {dt})");
    }

    #[test]
    fn a_chain_of_mismatches_is_bounded() {
        // Each step finds 15% beyond the prior; three steps would be 45%.
        let g = Grey::from_fn(128, 96, |_, _| 0.5);
        let f = flow(&g, &g, |s, t| (s, t), |_, _| true);
        let own = Field::of(&f, |s, t| (s - 0.15, t));
        let field = own.then(&f, &own).then(&f, &own);
        let (ds, dt) = field.at(0.5, 0.5);
        assert!((ds.hypot(dt) - FIELD_MOST).abs() < 1e-4, "({ds}, {dt})");
    }
}
