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
use super::manifest::ModelDir;
use super::models::selfie::Selfie;
use super::parts::colours::{ColourOdds, LearntOdds, OddsTable};
use super::parts::{BACKGROUND, CLASSES};
use super::runtime::Runtime;
use super::{Analysis, Stylized};
use crate::error::Result;
use crate::frame::{bilinear, clamp_to, lerp2, Frame, Map, Rect, Tap, Taps};
use crate::pixels::{blur_max, lab, smoothstep};

mod carry;
mod colours;
mod motion;

use self::carry::*;
use self::colours::*;
pub use self::motion::Motion;
use self::motion::*;

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
    /// Where each person with garments was on the search grid ([`soft_region`]), where the
    /// analysis told two or more apart: each is moved by their own motion.
    people: Vec<Arc<Grid>>,
    /// The share of the garments' neighbourhood on the analysed frame's person mask
    /// ([`Moves::covered`]): a step whose person mask covers far less of them lost the person.
    covered: f32,
}

/// One frame the follower looked at: kept a few seconds, so that an analysis of a frame among them
/// is carried through the steps since, part by part.
struct Step {
    seq: u64,
    grey: Grey,
    mask: Grid,
    /// Where this step's cells were a step before, and what of it the people's motions
    /// did not tell; None for the first step.
    flow: Option<(Warp, Field)>,
    /// The motions found against base `.0`.
    motion: Option<(u64, Moves)>,
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
    before: Option<(Arc<Map>, u64, Moves)>,
    /// Follower steps in a row with no one in view.
    empty_steps: u32,
    /// The steps looked at lately, oldest first. An analysis is taken only if its people, tracked
    /// through them, fit one of the last [`FIT_STEPS`].
    steps: VecDeque<Step>,
    /// The parts' own motion since the analysed frame, at the newest step, and that step's seq.
    field: Option<(u64, Field)>,
    /// Rebases so far.
    rebases: u64,
    /// The analysis last carried to a frame, with that frame's colours (Lab, at the parts map's
    /// size): while the selfie mask loses someone still in view, it is shown again
    /// ([`HOLD_STEPS`]) where those colours still are ([`HELD_SAME`]).
    shown: Option<(Arc<Analysis>, Motion, Arc<Map>)>,
    /// The steps in a row `shown` has been shown again for.
    held: u32,
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
            shown: None,
            held: 0,
        }))
    }

    /// Start afresh: another scene, nothing of this one carried or compared against.
    pub fn forget(&mut self) {
        self.base = None;
        self.before = None;
        self.empty_steps = 0;
        self.steps.clear();
        self.field = None;
        self.shown = None;
        self.held = 0;
    }

    /// The person in view changed (a cut, seen by whoever looks at whole frames): the garments
    /// shown last are not shown again on whoever is there now.
    pub fn drop_shown(&mut self) {
        self.shown = None;
        self.held = 0;
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
        let people = person_regions(&analysis, garments.as_ref(), gw, gh);
        let covered = garments.as_ref().map_or(0.0, |g| Moves::one(Motion::NONE).covered(g, &now));
        tracing::trace!(people = people.len(), "people moved each by their own motion");
        self.rebases += 1;
        let base = Base {
            analysis,
            mask: now,
            garments,
            near,
            colours,
            trusted,
            odds,
            near_class,
            then_person,
            grey: Grey::of(frame),
            id: self.rebases,
            garment,
            people,
            covered,
        };
        // Tracked through the steps since the analysed frame, each searched around the step
        // before's motion: the first step after a rebase starts from where the person is now,
        // however far they went in the second the analysis took.
        // Through at most [`TRACK_HOPS`] of them, the last few always (each hop searched around
        // the one before: a second's steps one by one cost the follower a step's time).
        let since: Vec<usize> =
            (0..self.steps.len()).filter(|&k| self.steps[k].seq > seq && self.steps[k].mask.w == gw && self.steps[k].mask.h == gh).collect();
        let hop = since.len().saturating_sub(FIT_STEPS).div_ceil(TRACK_HOPS).max(1);
        let hops: Vec<usize> = since.iter().enumerate().filter(|&(i, _)| i % hop == 0 || i + FIT_STEPS >= since.len()).map(|(_, &k)| k).collect();
        let mut tracked: Vec<(usize, Moves)> = Vec::new();
        for &k in &hops {
            let m = base.moves(&self.steps[k].mask, tracked.last().map(|(_, m)| m));
            tracked.push((k, m));
        }
        // Its people, so tracked, must fit the mask of one of the last few frames followed (the
        // selfie model loses a small or blurred person in a frame now and then).
        let misfit = tracked.iter().rev().take(FIT_STEPS).map(|(k, m)| m.mismatch(&base.mask, &self.steps[*k].mask)).reduce(f32::min);
        tracing::trace!(seq, ?misfit, hops = hops.len(), "the analysed people tracked to the last frames followed");
        if misfit.is_some_and(|m| m > LOST) {
            return Ok(false);
        }
        for (k, m) in tracked {
            self.steps[k].motion = Some((base.id, m));
        }
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
            let m = if first.seq == seq { Moves::one(Motion::NONE) } else { base.moves(&first.mask, None) };
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
        // Searched around the last step's motions: the person moves on from where they were.
        let last = self.steps.back().and_then(|p| p.motion.as_ref()).filter(|(id, _)| *id == base.id).map(|(_, m)| m);
        let moves = base.moves(&now, last);
        let misfit = moves.mismatch(&base.mask, &now);
        let fits = misfit <= LOST;
        tracing::trace!(misfit, "the person mask against the analysed one, moved");
        let no_one = now.mean() < NO_ONE;
        // The selfie mask lost the person where the garments are carried to: the selfie model
        // misses small or blurred people in some frames (c3's girl mid-jump, for a third of a
        // second) while they are still there.
        let blinked = base.garments.as_ref().is_some_and(|g| moves.covered(g, &now) < BLINKED * base.covered);
        // The grid's size, for the step before's motion too (`now` moves into the steps kept).
        let grid = (now.w, now.h);
        // The step's flow from the step before, around the change in the whole motion between
        // them, and the parts' own motion since the analysed frame.
        let grey = Grey::of(frame);
        let step_flow = self.steps.back().map(|p| {
            let before = match p.motion {
                Some((id, ref before)) if id == base.id => before.clone(),
                // Found against an earlier base: found again against this one.
                _ => base.moves(&p.mask, None),
            };
            let prior = |s: f32, t: f32| {
                let (s0, t0) = moves.back(s, t);
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
            _ => Field::of(&flow(&base.grey, &grey, |s, t| moves.back(s, t), |s, t| now.at(s, t) > ON_PERSON), |s, t| moves.back(s, t)),
        };
        self.field = Some((seq, field.clone()));
        // A step whose person mask lost the person found no motion to search the next one from:
        // the step before's stands (a motion that laid the garments off the frame would walk
        // further off with each step searched around it).
        let kept = if blinked { last.cloned().unwrap_or_else(|| moves.clone()) } else { moves.clone() };
        self.steps.push_back(Step { seq, grey, mask: now, flow: step_flow, motion: Some((base.id, kept)) });
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
            let (pw, ph) = (base.analysis.parts.width, base.analysis.parts.height);
            let colours = colour_map(frame, pw, ph);
            let carried = carry(base, &selfie, frame, &colours, &moves, &field);
            // Unfit, the person must show it by their garments: most of them carried where the
            // colours agree. Someone else after a cut keeps little of them (and too little for
            // the colour check below to tell).
            // Not lost either: a walker turning fast, carried an analysis a second old, keeps
            // too little as well (b3), and losing them would throw away the analysis in flight.
            if !fits && garment_share(&carried.parts) < UNFIT_KEPT * base.garment {
                // The garments shown last stand in while their colours are still where they
                // were shown: the person is there and the selfie model lost them (c3's girl,
                // alone in view mid-jump); someone who left leaves the wall behind them.
                if blinked && self.held < HOLD_STEPS {
                    if let Some((a, m, then)) = &self.shown {
                        let still = (then.width, then.height) == (colours.width, colours.height)
                            && same_cloth(&a.parts, then, &lab_map(&colours), |s, t| (s, t)) >= HELD_SAME;
                        tracing::trace!(seq, still, "the selfie mask lost the person");
                        if still {
                            self.held += 1;
                            tracing::trace!(seq, held = self.held, "the garments shown last are shown again");
                            return Ok(Followed::Carried(a.clone(), *m));
                        }
                    }
                }
                return Ok(Followed::Unfit);
            }
            // Shared by the step after (`before`) and the hold (`shown`).
            let colours = Arc::new(lab_map(&colours));
            // The frame followed before with the motion found for it against this base, or the
            // analysed one before the first step.
            let before = self.before.take().filter(|(b, id, _)| b.width == colours.width && b.height == colours.height && *id == base.id);
            // A step's motion that leapt from the step before's (a fifth of the frame in two
            // frames) is no person's motion but two people laid on as one (c3's girl jumping
            // beside her kneeling brother, 0.23 of the frame in a step).
            let leapt = before.as_ref().is_some_and(|(_, _, m)| moves.leapt(m, STEP_LEAP));
            let (then, then_moves) = before.map_or_else(|| (Arc::new(lab_map(&base.colours)), Moves::one(Motion::NONE)), |(b, _, m)| (b, m));
            let same = same_cloth(&carried.parts, &then, &colours, |s, t| {
                let (s0, t0) = moves.back(s, t);
                then_moves.forward(s0, t0)
            });
            let motion = moves.whole;
            let shown_colours = colours.clone();
            self.before = Some((colours, base.id, moves.clone()));
            tracing::trace!(same, "share of the garment in the same colours as a step before");
            if same >= SAME_LEAST {
                // Shared with the hold, not copied (the maps and the crop, a few MB a step).
                let carried = Arc::new(carried);
                self.shown = Some((carried.clone(), motion, shown_colours));
                self.held = 0;
                return Ok(Followed::Carried(carried, motion));
            }
            // Through a motion (this step's, or the step before's) that ran to the edge of its
            // search, or leapt from the step before's, the colours are compared in the wrong
            // places (c3's girl jumping beside her kneeling brother, laid on as one): nothing is
            // carried, and the analysis is kept for the steps after.
            if leapt || moves.at_search_edge(grid) || then_moves.at_search_edge(grid) {
                tracing::trace!(?moves, ?then_moves, leapt, "the motion is no fit: not carried, not lost");
                return Ok(Followed::Unfit);
            }
            "the garments' colours changed at once (a cut, or someone else)"
        };
        // Once lost, always lost: someone who steps into the same place is someone else.
        self.base = None;
        self.shown = None;
        self.held = 0;
        Ok(Followed::Lost(why))
    }
}

impl Base {
    /// How the people analysed moved from the analysed frame to `now`'s mask.
    fn moves(&self, now: &Grid, before: Option<&Moves>) -> Moves {
        Moves::estimate(&self.mask, now, self.garments.as_ref(), &self.people, before)
    }
}

/// Where each person of `a` with garments was on a `gw` x `gh` search grid ([`soft_region`]),
/// from the analysis' owner map; none unless two or more such people are told apart.
fn person_regions(a: &Analysis, garments: Option<&Grid>, gw: u32, gh: u32) -> Vec<Arc<Grid>> {
    let (Some(gate), Some(owner)) = (&a.gate, &a.owner) else { return Vec::new() };
    if a.people.len() < 2 || owner.len() != (gate.width * gate.height) as usize {
        return Vec::new();
    }
    let regions: Vec<Arc<Grid>> = (1..=a.people.len() as u16)
        .filter_map(|k| {
            let owned = Map::from_fn(gate.width, gate.height, 1, |x, y, _| (owner[(y * gate.width + x) as usize] == k) as u8 as f32);
            let owned = Grid::from_map(&owned, gw, gh);
            let dressed: f32 = match garments {
                Some(g) => owned.v.iter().zip(&g.v).map(|(a, b)| a * b).sum(),
                None => owned.v.iter().sum(),
            };
            (dressed >= PERSON_CELLS).then(|| Arc::new(soft_region(&owned)))
        })
        .collect();
    if regions.len() < 2 {
        return Vec::new();
    }
    regions
}

/// The fewest search grid cells of garment a person needs to be moved on their own (a few cells of
/// a 48-cell grid: someone far away or at the edge is moved with the whole).
const PERSON_CELLS: f32 = 4.0;

/// What [`Follower::follow`] made of a frame.
#[derive(Debug)]
pub enum Followed {
    /// No analysis to carry, or the selfie mask cannot be trusted for this scene: the full
    /// analyses are shown as they are.
    Untrusted,
    /// The analysis carried to the frame, and the motion found.
    Carried(Arc<Analysis>, Motion),
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
/// The last steps an analysis' people, tracked, must fit one of to be taken ([`Follower::rebase`]).
const FIT_STEPS: usize = 3;
/// The most steps an analysis' people are tracked through before the last [`FIT_STEPS`], from its
/// frame to the newest ([`Follower::rebase`]).
const TRACK_HOPS: usize = 4;

/// Under this share of the analysed frame's cover of the garments ([`Base::covered`]), the person
/// mask lost the person. Measured on c3 (tests/follow.rs, every second frame): the children's
/// steps 0.13-0.41 of the garments' neighbourhood covered against 0.3-0.4 on their analysed
/// frames; the girl lost mid-jump 0.007-0.08.
const BLINKED: f32 = 0.33;
/// The least share of the garments shown last whose colours are still where they were shown
/// ([`same_cloth`], in place) for them to be shown again while the selfie mask has lost the person.
const HELD_SAME: f32 = 0.3;
/// Follower steps in a row (half a second at 15 steps a second) for which the garments shown last
/// stand in while the selfie mask has lost the person: longer, and they lag too far behind.
const HOLD_STEPS: u32 = 8;

/// The most the whole person's shift may change between two follower steps (normalised frame
/// coordinates) for the colours read through it to say anything ([`Follower::follow`]).
const STEP_LEAP: f32 = 0.15;

#[cfg(test)]
mod tests;
