//! The cheap path of live analysis: the newest full analysis carried to a later frame.
//!
//! A full analysis (saliency, PAN, pose, the style transform) takes most of a second on two CPU
//! cores, and the person moves meanwhile. The follower runs MediaPipe's selfie mask (a few ms) on
//! the frame about to be shown, finds how the person moved since the analysed frame (the shift
//! and scale that best lay the analysed frame's person mask on the current one) and, on top of
//! it, each part's own motion carried through the steps since the analysed frame (an arm lowered
//! while the torso stays: [`super::flow`]), moves the analysis' maps by them (the stylized crop by
//! the person's motion), and keeps garments only where the person is now, near
//! where the analysis found people, and where the colour under them is still the garment's (a
//! hand that passes in front of a shirt is not the shirt).

use std::sync::Arc;

use std::collections::VecDeque;

use super::flow::{flow, Field, Grey, Warp};
use super::models::ModelDir;
use super::parts::colours::{ColourOdds, LearntOdds, OddsTable};
use super::parts::selfie::Selfie;
use super::parts::{BACKGROUND, CLASSES};
use super::runtime::Runtime;
use super::{Analysis, Stylized};
use crate::error::Result;
use crate::frame::{bilinear, clamp_to, Frame, Map, Rect};
use crate::pixels::{blur_max, lab, smoothstep};

/// Long side of the grid the motion is searched on (coarse pass at half of it).
const GRID: u32 = 48;
/// Scales tried between the analysed frame and the current one (towards or away from the camera).
const SCALES: [f32; 5] = [0.9, 0.95, 1.0, 1.05, 1.1];
/// The farthest shift searched, as a share of the frame's long side.
const REACH: f32 = 0.2;

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
struct Grid {
    w: u32,
    h: u32,
    v: Vec<f32>,
}

impl Grid {
    fn from_map(m: &Map, w: u32, h: u32) -> Grid {
        Grid { w, h, v: m.resized(w, h).data }
    }

    fn half(&self) -> Grid {
        let (w, h) = ((self.w / 2).max(1), (self.h / 2).max(1));
        let m = Map { width: self.w, height: self.h, channels: 1, data: self.v.clone() };
        Grid::from_map(&m, w, h)
    }

    /// Bilinear, 0 outside.
    fn at(&self, s: f32, t: f32) -> f32 {
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
    fn cost(&self, then: &Grid, m: &Motion) -> f32 {
        self.cost_within(then, m, None)
    }

    /// [`Grid::cost`] counted only where `weight` (on the analysed frame, so it moves with the
    /// motion tried) is: the garments' neighbourhood, so that a head tilted or an arm raised
    /// outside them does not move the garments.
    fn cost_within(&self, then: &Grid, m: &Motion, weight: Option<&Grid>) -> f32 {
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
        // The garments moved out of the frame: no fit to speak of.
        if total < 1.0 {
            return f32::INFINITY;
        }
        sum / total + penalty(m)
    }

    fn mean(&self) -> f32 {
        self.v.iter().sum::<f32>() / self.v.len().max(1) as f32
    }

    fn centroid(&self) -> Option<(f32, f32)> {
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

/// What moving costs in [`Grid::cost`]: ties go to standing still.
fn penalty(m: &Motion) -> f32 {
    0.02 * (m.shift.0.hypot(m.shift.1) + (m.scale - 1.0).abs())
}

/// How badly `then`, moved by `m`, fits `now`: their mean difference over their mean mass; 0 for
/// a perfect fit, 2 for masks with nothing in common.
fn mismatch(then: &Grid, now: &Grid, m: &Motion) -> f32 {
    let mass = (then.mean() + now.mean()) / 2.0;
    if mass < 1e-3 {
        return 0.0;
    }
    (now.cost(then, m) - penalty(m)) / mass
}

/// Beyond this [`mismatch`] the person in view is not the one analysed (a cut, someone else, the
/// person gone): nothing is carried until the next full analysis.
const LOST: f32 = 0.8;

/// The motion that best lays `then` on `now` within `weight` (everywhere without it): shifts on a
/// coarse grid first, then half-cell steps and the scales around the best.
fn estimate(then: &Grid, now: &Grid, weight: Option<&Grid>) -> Motion {
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

/// The full analysis being carried, and what of its frame the follower keeps.
struct Base {
    analysis: Arc<Analysis>,
    /// The analysed frame's person mask on the search grid.
    mask: Grid,
    /// Where the garments are on it, widened by [`FILL_REACH`]: the motion found is theirs. None
    /// without garments (the person's motion is then the whole mask's).
    garments: Option<Grid>,
    /// The analysis' person gate, widened: garments stay near where it found people.
    near: Map,
    /// The analysed frame's colours at the parts map's size, 0..1.
    colours: Map,
    /// Whether the selfie mask sees the people the analysis found; when it does not (people far
    /// from the camera, whom the selfie model misses) the analysis is carried as it is.
    trusted: bool,
    /// The analysed frame's garment colours against its people's skin and hair: skin that
    /// comes in front of a garment is dropped, garment the motion brought into view is added.
    odds: Option<OddsTable>,
    /// Each garment class (upper, lower, full) widened by [`FILL_REACH`]: which part garment
    /// added near the carried garment belongs to.
    near_class: [Map; 3],
    /// The analysis' person gate (1 everywhere without one), at the parts map's size.
    then_person: Map,
    /// The analysed frame, small and grey: where the follower's flow starts.
    grey: Grey,
    /// Which rebase this is: motions found against another base are no prior for this one.
    id: u64,
    /// The share of the parts map that the analysis found garment ([`garment_share`]).
    garment: f32,
}

/// One frame the follower looked at: kept a few seconds, so that an analysis of a frame among them
/// is carried through the steps since, part by part.
struct Step {
    seq: u64,
    grey: Grey,
    mask: Grid,
    /// Where this step's cells were a step before, and what of it the whole person's motion
    /// did not tell; None for the first step.
    flow: Option<(Warp, Field)>,
    /// The motion found against base `.0`.
    motion: Option<(u64, Motion)>,
}

/// Where the person mask is over this, the parts' own motion is looked for (elsewhere nothing of
/// it is drawn).
const ON_PERSON: f32 = 0.1;

/// Steps kept: three seconds at 15 steps a second, longer than a full analysis takes.
const STEPS_KEPT: usize = 48;

/// How far from the carried garment (share of the map's long side) garment coloured pixels of
/// the person now are added: a sleeve or a hem that moved since the analysis.
const FILL_REACH: f32 = 0.08;

pub struct Follower {
    selfie: Selfie,
    base: Option<Base>,
    /// The colours (Lab) of the frame followed last, at the parts map's size, with the base it
    /// was followed from and the motion found against it: a cut to someone else changes the
    /// garments' colours from one step to the next, a person moving does not.
    before: Option<(Map, u64, Motion)>,
    /// Follower steps in a row with no one in view.
    empty_steps: u32,
    /// The steps looked at lately, oldest first. An analysis is taken only if its frame fits the
    /// newest one's person mask.
    steps: VecDeque<Step>,
    /// The parts' own motion since the analysed frame, at the newest step, and that step's seq.
    field: Option<(u64, Field)>,
    /// Rebases so far.
    rebases: u64,
}

impl Follower {
    /// The selfie models of `dir`; None without either (the full analysis is then shown as it
    /// is). Opened only for live mode: photos and offline video never follow.
    pub fn open(rt: &Runtime, dir: &ModelDir) -> Result<Option<Follower>> {
        let path = |name: &str| Some(dir.model_path(name)).filter(|p| p.is_file());
        Ok(Selfie::open_lean(rt, path("selfie").as_deref(), path("selfie_landscape").as_deref())?.map(|selfie| Follower {
            selfie,
            base: None,
            before: None,
            empty_steps: 0,
            steps: VecDeque::new(),
            field: None,
            rebases: 0,
        }))
    }

    /// Start afresh: another scene, nothing of this one carried or compared against.
    pub fn forget(&mut self) {
        self.base = None;
        self.before = None;
        self.empty_steps = 0;
        self.steps.clear();
        self.field = None;
    }

    /// Carry `analysis`, made from `frame`, from now on, as it is. (Averaging in the analysis
    /// before it, carried, halved whatever the new one found and the old did not: with analyses a
    /// second or two apart, a dark top in a dim room faded out of the live picture.)
    ///
    /// An analysis of someone no longer in view is not taken (false): its frame's person mask
    /// must fit the one of the frame followed last (analyses take a second or two; a cut to
    /// someone else may have come meanwhile).
    ///
    /// `seq` orders frames: the steps followed since `frame` carry the analysis part by part.
    pub fn rebase(&mut self, frame: &Frame, seq: u64, analysis: Arc<Analysis>) -> Result<bool> {
        let selfie = self.selfie.run(frame)?;
        let (gw, gh) = grid_size(frame);
        let now = Grid::from_map(&selfie, gw, gh);
        if let Some(last) = self.steps.back().map(|s| &s.mask).filter(|l| l.w == now.w && l.h == now.h) {
            if mismatch(&now, last, &estimate(&now, last, None)) > LOST {
                return Ok(false);
            }
        }
        let (pw, ph) = (analysis.parts.width, analysis.parts.height);
        let garment = garment_share(&analysis.parts);
        tracing::trace!(seq, garment, "rebase");
        let person = selfie.resized(pw, ph);
        // The analysis' person gate at the parts map's size, read three ways below.
        let then_person = analysis.gate.as_ref().map(|g| g.resized(pw, ph));
        let (near, trusted) = match &then_person {
            Some(g) => {
                let (mut both, mut either) = (0u32, 0u32);
                for (a, b) in g.data.iter().zip(&person.data) {
                    both += (*a > 0.5 && *b > 0.5) as u32;
                    either += (*a > 0.5 || *b > 0.5) as u32;
                }
                let agree = either > 0 && both as f32 / either as f32 >= 0.5;
                (widened(g, 0.06), agree)
            }
            None => (Map::from_fn(pw, ph, 1, |_, _, _| 1.0), person.data.iter().sum::<f32>() > 0.02 * (pw * ph) as f32),
        };
        let colours = colour_map(frame, pw, ph);
        let odds = then_person.as_ref().and_then(|g| learn_odds(&analysis, g, &colours)).map(|o| o.table());
        let near_class = [1, 2, 3].map(|c| widened(&analysis.parts.channel(c), FILL_REACH));
        let then_person = then_person.unwrap_or_else(|| Map::from_fn(pw, ph, 1, |_, _, _| 1.0));
        let garments = {
            let g = Map::from_fn(pw, ph, 1, |x, y, _| near_class.iter().map(|m| m.get(x, y, 0)).fold(0.0, f32::max));
            let g = Grid::from_map(&g, gw, gh);
            (g.mean() > 0.01).then_some(g)
        };
        self.rebases += 1;
        let base =
            Base { analysis, mask: now, garments, near, colours, trusted, odds, near_class, then_person, grey: Grey::of(frame), id: self.rebases, garment };
        self.field = self.field_since(&base, seq);
        self.base = Some(base);
        Ok(true)
    }

    /// The parts' own motion from `base`'s frame (`seq`) to the newest step: what the flow from
    /// the analysed frame to the first step after it found beyond the person's motion between
    /// them, carried through every step's flow since. None where no step came after it.
    fn field_since(&self, base: &Base, seq: u64) -> Option<(u64, Field)> {
        let k = self.steps.iter().position(|s| s.seq >= seq)?;
        let first = &self.steps[k];
        let mut field = {
            let m = if first.seq == seq { Motion::NONE } else { estimate(&base.mask, &first.mask, base.garments.as_ref()) };
            let f = if first.seq == seq {
                Warp::identity(&first.grey)
            } else {
                flow(&base.grey, &first.grey, |s, t| m.back(s, t), |s, t| first.mask.at(s, t) > ON_PERSON)
            };
            Field::of(&f, |s, t| m.back(s, t))
        };
        for step in self.steps.iter().skip(k + 1) {
            let (f, own) = step.flow.as_ref()?;
            field = field.then(f, own);
        }
        Some((self.steps.back()?.seq, field))
    }

    /// The carried analysis moved onto `frame` and gated by where the person is in it, with the
    /// motion found; Untrusted before the first [`Follower::rebase`] or where the selfie mask
    /// cannot be trusted for this scene; Lost where the person in view is not the one analysed,
    /// and then nothing is carried until the next rebase.
    pub fn follow(&mut self, frame: &Frame, seq: u64) -> Result<Followed> {
        let Some(base) = self.base.as_ref().filter(|b| b.trusted) else { return Ok(Followed::Untrusted) };
        let selfie = self.selfie.run(frame)?;
        let (gw, gh) = grid_size(frame);
        let now = Grid::from_map(&selfie, gw, gh);
        let motion = estimate(&base.mask, &now, base.garments.as_ref());
        let misfit = mismatch(&base.mask, &now, &motion);
        let fits = misfit <= LOST;
        tracing::trace!(misfit, "the person mask against the analysed one, moved");
        let no_one = now.mean() < NO_ONE;
        // The step's flow from the step before, around the change in the whole motion between
        // them, and the parts' own motion since the analysed frame.
        let grey = Grey::of(frame);
        let step_flow = self.steps.back().map(|p| {
            let before = match p.motion {
                Some((id, before)) if id == base.id => before,
                // Found against an earlier base: found again against this one.
                _ => estimate(&base.mask, &p.mask, base.garments.as_ref()),
            };
            let prior = |s: f32, t: f32| {
                let (s0, t0) = motion.back(s, t);
                before.forward(s0, t0)
            };
            let f = flow(&p.grey, &grey, prior, |s, t| now.at(s, t) > ON_PERSON);
            let own = Field::of(&f, prior);
            (f, own)
        });
        let last_seq = self.steps.back().map(|p| p.seq);
        let field = match (self.field.take(), &step_flow) {
            (Some((at, field)), Some((f, own))) if Some(at) == last_seq => field.then(f, own),
            // The first step since the analysed frame: straight from it.
            _ => Field::of(&flow(&base.grey, &grey, |s, t| motion.back(s, t), |s, t| now.at(s, t) > ON_PERSON), |s, t| motion.back(s, t)),
        };
        self.field = Some((seq, field.clone()));
        self.steps.push_back(Step { seq, grey, mask: now, flow: step_flow, motion: Some((base.id, motion)) });
        while self.steps.len() > STEPS_KEPT {
            self.steps.pop_front();
        }
        self.empty_steps = if no_one { self.empty_steps + 1 } else { 0 };
        // A mask that does not fit with someone in view is still the person analysed (a kick,
        // arms flung out, a child jumping: one shift and scale cannot lay the analysed mask on it):
        // the garments are carried as well as the parts' own motion can, kept only where the
        // person is now and the colours agree. Drawing nothing there left the juggler of b1 plain
        // for a third of a second at each kick.
        let why = if !fits && self.empty_steps >= EMPTY_STEPS {
            "no one in view"
        } else {
            let carried = carry(base, &selfie, frame, &motion, &field);
            // Unfit, the person must show it by their garments: most of them carried where the
            // colours agree. Someone else after a cut keeps little of them (and too little for
            // the colour check below to tell).
            // Not lost either: a walker turning fast, carried an analysis a second old, keeps
            // too little as well (b3), and losing them would throw away the analysis in flight.
            if !fits && garment_share(&carried.parts) < UNFIT_KEPT * base.garment {
                return Ok(Followed::Unfit);
            }
            let colours = lab_map(&colour_map(frame, carried.parts.width, carried.parts.height));
            // The frame followed before with the motion found for it against this base, or the
            // analysed one before the first step.
            let before = self.before.take().filter(|(b, id, _)| b.width == colours.width && b.height == colours.height && *id == base.id);
            let (then, then_motion) = before.map_or_else(|| (lab_map(&base.colours), Motion::NONE), |(b, _, m)| (b, m));
            let same = same_cloth(&carried.parts, &then, &colours, |s, t| {
                let (s0, t0) = motion.back(s, t);
                then_motion.forward(s0, t0)
            });
            self.before = Some((colours, base.id, motion));
            tracing::trace!(same, "share of the garment in the same colours as a step before");
            if same >= SAME_LEAST {
                return Ok(Followed::Carried(Box::new(carried), motion));
            }
            "the garments' colours changed at once (a cut, or someone else)"
        };
        // Once lost, always lost: someone who steps into the same place is someone else.
        self.base = None;
        Ok(Followed::Lost(why))
    }
}

/// Colours within this [`hue_distance`] are one cloth's; at twice it, another's. On c1, one
/// person's top four frames (a third of a second) on: 95% of its pixels within 2.7; her dark grey
/// top and the navy T-shirt of the man beside her, in the same place: 9 to 22 (0.2-0.3 apart in
/// RGB, inside the tolerance the carried garment allows for folds and shading).
const HUE_SAME: f32 = 5.0;

/// How far apart two Lab colours are as cloth: with lightness at half weight, since shading and
/// folds change lightness most.
fn hue_distance(p: [f32; 3], r: [f32; 3]) -> f32 {
    ((p[0] - r[0]) / 2.0).hypot(p[1] - r[1]).hypot(p[2] - r[2])
}

/// A colour map (RGB, 0..1) in Lab.
fn lab_map(m: &Map) -> Map {
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
const STEP_REACH: i64 = 2;

/// The share of the garment in `parts` whose colour in `now` is within [`HUE_SAME`] of a colour
/// near where it was in `before` (Lab maps at the parts map's size, frames a follower's step
/// apart; `from` takes a point of `now` to `before`, normalised, by the person's motion between
/// them); 1 where there is too little garment to tell. Compared in place, a person who moved
/// far in one step (a looped clip's restart, a quick step sideways) was taken for someone else.
fn same_cloth(parts: &Map, before: &Map, now: &Map, from: impl Fn(f32, f32) -> (f32, f32)) -> f32 {
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
                    nearest = nearest.min(hue_distance(at(before, xx, yy), c));
                }
            }
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

/// What [`Follower::follow`] made of a frame.
#[derive(Debug)]
pub enum Followed {
    /// No analysis to carry, or the selfie mask cannot be trusted for this scene: the full
    /// analyses are shown as they are.
    Untrusted,
    /// The analysis carried to the frame, and the motion found.
    Carried(Box<Analysis>, Motion),
    /// Someone is in view whose mask does not fit the analysed one and who keeps too little of
    /// its garments, carried, to be shown them: nothing is drawn on this frame, and the analysis
    /// is still carried.
    Unfit,
    /// The person in view is not the one analysed, and why.
    Lost(&'static str),
}

/// The least share of the analysed garment that a person whose mask does not fit the analysed one
/// keeps, carried, to be the person analysed. Measured: b1's kick at frame 244 keeps 1.03 of it
/// (garment-coloured limbs added; tests/follow.rs), the cut from a1 to c1's woman 0.16
/// (tests/mirror.rs).
const UNFIT_KEPT: f32 = 0.5;

/// Less of the frame than this (the selfie mask's mean) is no one in view ...
const NO_ONE: f32 = 0.01;
/// ... and for this many follower steps in a row (a third of a second or more), the person has
/// left: whoever comes next is someone else.
const EMPTY_STEPS: u32 = 5;

/// The least share of the garment carried onto the person now whose colour is the one at the same
/// place a follower's step before ([`same_cloth`]) for the person in view to be the one analysed.
/// A frame or two apart, the same cloth keeps its colour even where arms move (a1 lowering both
/// arms: a third or more of the analysed garment's place held something else a second later).
/// Measured (`RUST_LOG=drape=trace drape live`, "share of the garment" lines): cuts to someone
/// else 0.016-0.049; c3's children jumping as low as 0.13; a1, b1 and dim c1 0.5 and up.
const SAME_LEAST: f32 = 0.1;

/// How surely the parts map's pixel (x, y) is garment, of any class.
fn garment_at(parts: &Map, x: u32, y: u32) -> f32 {
    (1..CLASSES).map(|c| parts.get(x, y, c)).sum()
}

/// The share of the parts map that is garment (any class over a half).
fn garment_share(parts: &Map) -> f32 {
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
fn widened(m: &Map, reach: f32) -> Map {
    let r = (reach * m.width.max(m.height) as f32).ceil() as usize;
    Map { width: m.width, height: m.height, channels: 1, data: blur_max(&m.data, m.width, m.height, r) }
}

/// Garment colours against the skin and hair of the people in an analysed frame (`gate` and
/// `colours` at the parts map's size): garment where the analysis is sure, not garment where its
/// person gate is sure and it found none (faces, hair, hands, bare arms).
fn learn_odds(a: &Analysis, gate: &Map, colours: &Map) -> Option<LearntOdds> {
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

fn grid_size(frame: &Frame) -> (u32, u32) {
    let (w, h) = (frame.width() as f32, frame.height() as f32);
    let k = GRID as f32 / w.max(h);
    (((w * k).round() as u32).max(2), ((h * k).round() as u32).max(2))
}

/// The frame's colour (0..1) around map pixel (x, y) of a `w` x `h` map: the mean of the 2x2
/// frame pixels nearest its centre (the maps are about half the frame's size).
fn colour_at(frame: &Frame, w: u32, h: u32, x: u32, y: u32) -> [f32; 3] {
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

fn colour_map(frame: &Frame, w: u32, h: u32) -> Map {
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

/// The base analysis moved onto the current frame by the person's motion `m` and, on top of it,
/// each part's own motion (`own`; the stylized crop by `m` alone), garments kept where the person
/// is now.
fn carry(base: &Base, selfie: &Map, frame: &Frame, m: &Motion, own: &Field) -> Analysis {
    let back = |s: f32, t: f32| {
        let (s0, t0) = m.back(s, t);
        let (ds, dt) = own.at(s, t);
        (s0 + ds, t0 + dt)
    };
    let a = &base.analysis;
    let (pw, ph) = (a.parts.width, a.parts.height);
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
    for y in 0..ph {
        for x in 0..pw {
            let (s, t) = ((x as f32 + 0.5) / pw as f32, (y as f32 + 0.5) / ph as f32);
            let (s0, t0) = edge(back(s, t));
            let person_here = smoothstep(0.2, 0.6, person.get(x, y, 0));
            let here = if person_here > 0.0 { person_here * base.near.sample(s0, t0, 0) } else { 0.0 };
            gate.set(x, y, 0, here);
            if person_here <= 0.0 {
                parts.set(x, y, BACKGROUND, 1.0);
                continue;
            }
            let now = colour_at(frame, pw, ph, x, y);
            let d: f32 = (0..3).map(|c| (now[c as usize] - base.colours.sample(s0, t0, c)).powi(2)).sum::<f32>().sqrt();
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
                near = [0, 1, 2].map(|k| base.near_class[k].sample(s0, t0, 0));
                near_sum = near.iter().sum();
                if near_sum > 0.05 {
                    let changed = (1.0 - base.then_person.sample(s0, t0, 0)).max(smoothstep(0.15, 0.3, d));
                    fill = person_here * garment_colour * changed * near.iter().copied().fold(0.0, f32::max);
                }
            }
            if fill > 0.0 {
                filled.set(x, y, 0, fill);
                any_fill = true;
            }
            let mut sum = 0.0;
            for c in 1..CLASSES {
                let carried = if keep > 0.0 { a.parts.sample(s0, t0, c) * keep } else { 0.0 };
                let v = if fill > 0.0 { carried.max(fill * near[(c - 1) as usize] / near_sum.max(1e-3)) } else { carried };
                parts.set(x, y, c, v);
                sum += v;
            }
            if sum > 1.0 {
                for c in 1..CLASSES {
                    parts.set(x, y, c, parts.get(x, y, c) / sum);
                }
                sum = 1.0;
            }
            parts.set(x, y, BACKGROUND, (1.0 - sum).max(0.0));
        }
    }
    let sal = &a.saliency;
    // The saliency moved with the person; where garment was added by colour, never under the
    // person mask now: a limb the global motion does not carry keeps its soft alpha.
    let saliency = Map::from_fn(sal.width, sal.height, 1, |x, y, _| {
        let (s, t) = ((x as f32 + 0.5) / sal.width as f32, (y as f32 + 0.5) / sal.height as f32);
        let (s0, t0) = edge(back(s, t));
        let carried = sal.sample(s0, t0, 0);
        let f = if any_fill { filled.sample(s, t, 0) } else { 0.0 };
        if f > 0.0 {
            carried.max(selfie.sample(s, t, 0) * f)
        } else {
            carried
        }
    });
    let stylized = a.stylized.as_ref().and_then(|st| moved_crop(st, m, frame.dimensions()));
    Analysis { saliency, parts, stylized, gate: Some(gate), people: a.people.clone() }
}

/// The stylized crop where the motion puts it, cut to the frame; None when it left the frame.
fn moved_crop(st: &Stylized, m: &Motion, (fw, fh): (u32, u32)) -> Option<Stylized> {
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

#[cfg(test)]
mod tests {
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
}
