//! `composite`, the default garment segmenter, built from the models available here.
//!
//! - Only people wear garments: a person gate from BlazePose's own person masks, and MediaPipe's
//!   selfie mask near a detected person (strong on webcam close-ups, where BlazePose's ROI mask is
//!   loose). Nothing outside the gate is a garment, whatever the saliency map locks onto.
//! - Clothes are positive evidence: PAN's clothes score against its skin and hair scores. What
//!   PAN calls skin is fabric where its colour is unlike this person's face and no skin has it
//!   (an orange hoodie), or far paler than the face where much of what PAN calls this person's
//!   skin is that pale (a peach top); PAN's hair far from the head is black fabric. The face,
//!   the hands (but not the garment around them) and the feet (shoes) located from the
//!   landmarks are never garments; below the knees, only garment joined to a torso's is. Where
//!   PAN is unsure (an orange hoodie in dim light is neither clothes nor skin to it), a colour
//!   of the person's sure garment and not of their sure skin and hair is garment, beside the
//!   sure garment only.
//! - Upper vs lower by the skeleton: a garment pixel belongs to the nearest body segment (torso
//!   above the waist and the arms: upper; torso below the waist and the legs: lower), so it
//!   works bent, squatting or leaping.
//! - Full-body (a dress) vs two pieces per person, from evidence shown in the `--maps` figure:
//!   clothes unbroken across the waist, the colours below it also found above it (CIE94), no
//!   bare skin at the waist, and no gap between the legs where trousers or shorts would have one.
//! - People are tracked between analyses; a person's call changes only after it has been
//!   contradicted three analyses running, and garment evidence is averaged where the person
//!   mask holds still.

use std::path::Path;

use super::colours::{ColourOdds, LearntOdds};
use super::pose::{self, Closer, Person, Pose, Roi};
use super::selfie::Selfie;
use super::{GarmentSegmenter, PersonCall, Segmentation, WearCall, BACKGROUND, CLASSES, FULL, LOWER, UPPER};
use crate::analysis::runtime::{Contract, Input, Model, Runtime};
use crate::analysis::steady::Steady;
use crate::analysis::tensor::{self, Layout, Norm};
use crate::error::Result;
use crate::frame::{Frame, Map};
mod body;
mod dress;
mod hem;
mod legs;
mod people;
mod skin;
mod tracks;

use self::body::*;
use self::dress::*;
use self::hem::*;
use self::legs::*;
use self::people::*;
use self::skin::*;
use self::tracks::*;
use crate::pixels::{blur_max, cie94, dot, enclose, flood, lab, len, lerp, median_of_neighbours, pixel_centre, seg_dist, smoothstep, sub, P};

const PAN_SIZE: u32 = 512;
/// Analyses a new call must hold before a tracked person's call changes.
const CALL_HOLD: u32 = 3;
/// The share of the torso's columns (within 0.3 shoulder widths of its middle) in which a top's
/// hem must be found for the outfit to be two pieces whatever the colours shared.
const HEM_ACROSS: f32 = 0.8;
/// The share of the torso's columns with a hem that makes two pieces for a person whose top's
/// hem was seen all across within the last HEM_MEMORY analyses: as they turn, or their shirt's
/// tail hangs on over one side, the hem shows across less of the torso, and it is still theirs.
/// A dress seen in other light reads up to about 0.55 (Two_dancers), but never reads HEM_ACROSS.
const HEM_KNOWN: f32 = 0.5;
/// Analyses a hem seen all across is remembered for.
const HEM_MEMORY: u32 = 30;
/// Analyses a person who is not found again is still matched against.
const TRACK_KEEP: u32 = 3;
/// The share of a closer square ([`Closer`]) that must be salient and outside everyone found
/// for the pose detector to search it.
const UNEXPLAINED: f32 = 0.01;

/// Paths of the models the segmenter uses; each may be missing (it then does without).
#[derive(Debug, Clone, Copy, Default)]
pub struct CompositeModels<'a> {
    pub pan: Option<&'a Path>,
    pub pose: Option<(&'a Path, &'a Path)>,
    pub selfie: Option<&'a Path>,
    pub selfie_landscape: Option<&'a Path>,
}

pub struct CompositeSegmenter {
    /// Skin / clothes / hair. Without it skin is not taken out of the garments.
    pan: Option<Model>,
    /// Without it there is no person gate from pose, no upper/lower split: every garment is upper.
    pose: Option<Pose>,
    selfie: Option<Selfie>,
    tracks: Vec<Track>,
    next_id: u32,
    /// Analyses run, for the pose detector's turns ([`Closer::Turn`]).
    analyses: u64,
    /// Garment evidence averaged where the person mask holds still.
    steady: Steady,
}

impl CompositeSegmenter {
    pub fn open(rt: &Runtime, models: CompositeModels<'_>) -> Result<CompositeSegmenter> {
        let pan = match models.pan {
            Some(p) => {
                let c = Contract {
                    inputs: vec![vec![Some(1), Some(3), Some(PAN_SIZE as i64), Some(PAN_SIZE as i64)]],
                    outputs: vec![vec![None, Some(3), Some(PAN_SIZE as i64), Some(PAN_SIZE as i64)]],
                };
                Some(rt.open("pan", p, &c)?)
            }
            None => {
                tracing::warn!("skin/hair model missing: skin will be restyled with the clothes");
                None
            }
        };
        let pose = match models.pose {
            Some((d, l)) => Some(Pose::open(rt, d, l)?),
            None => {
                tracing::warn!("pose models missing: no person gate from pose and no upper/lower split; every garment counts as upper");
                None
            }
        };
        let selfie = Selfie::open(rt, models.selfie, models.selfie_landscape)?;
        if selfie.is_none() {
            tracing::warn!("selfie segmentation missing: the person gate relies on the pose model's mask alone");
        }
        Ok(CompositeSegmenter { pan, pose, selfie, tracks: Vec::new(), next_id: 1, analyses: 0, steady: Steady::capped() })
    }

    fn skin_clothes_hair(&mut self, frame: &Frame, w: u32, h: u32) -> Result<Option<Map>> {
        let Some(pan) = self.pan.as_mut() else { return Ok(None) };
        let small = tensor::resize(frame, None, PAN_SIZE, PAN_SIZE);
        let (shape, data) = tensor::to_tensor(&small, Norm::ImageNet, Layout::Nchw);
        let out = pan.run(&[Input { shape, data: &data }], 1)?;
        Ok(Some(tensor::planar_to_map(&out[0].data, 3, PAN_SIZE, PAN_SIZE).resized(w, h)))
    }
}

impl GarmentSegmenter for CompositeSegmenter {
    fn name(&self) -> &'static str {
        "composite"
    }

    fn forget(&mut self) {
        self.tracks.clear();
        self.steady.forget();
    }

    fn segment(&mut self, frame: &Frame, saliency: &Map) -> Result<Segmentation> {
        let (w, h) = (saliency.width, saliency.height);
        let (fw, fh) = (frame.width(), frame.height());
        let (sx, sy) = (w as f32 / fw as f32, h as f32 / fh as f32);
        // PAN straight after the saliency model, as before this segmenter tracked people: on two
        // cores it ran twice as slow after the pose models (their thread pools still spinning).
        let pan = self.skin_clothes_hair(frame, w, h)?;
        // At map size once: every map pixel below reads it.
        let selfie = match self.selfie.as_mut() {
            Some(s) => Some(s.run(frame)?.resized(w, h)),
            None => None,
        };
        self.tracks.retain(|t| t.missed < TRACK_KEEP);
        let follow: Vec<Roi> = self.tracks.iter().filter_map(|t| t.next).collect();
        let closer = if self.tracks.is_empty() { Closer::All } else { Closer::Turn(self.analyses) };
        self.analyses += 1;
        let mut people: Vec<(Person, Body)> = match self.pose.as_mut() {
            Some(p) => p
                .run(frame, &follow, closer, |found, square| unexplained(saliency, found, square, (sx, sy)) >= UNEXPLAINED)?
                .into_iter()
                .filter_map(|q| body(&q, fw, fh, sx, sy).map(|b| (q, b)))
                .collect(),
            None => Vec::new(),
        };
        // A skeleton turned far from upright whose legs would lie off the person mask is no
        // body: the detector took the back of a head for someone lying on their side (b3's
        // walkers entering from below), and their hair was restyled as a tiny person's fabric.
        if let Some(m) = selfie.as_ref() {
            people.retain(|(q, b)| !sideways_on_nobody(q, b, m));
        }
        // Nor is a skeleton whose torso is hair: the back of a head coming in from below the
        // frame, taken for a whole small person standing in it (b3 again).
        if let Some(m) = pan.as_ref() {
            for (q, b) in &people {
                tracing::trace!(rotation = q.roi.rotation.to_degrees(), head = ?head_share(b, m), score = q.score, "pose skeleton's head");
            }
            people.retain(|(_, b)| !torso_of_hair(b, m));
            people.retain(|(q, b)| !tilted_headless(q, b, m));
        }
        let mut tracks = self.track(&people, (sx, sy));
        // A person followed until the last analysis and missed in this one is held for a few
        // analyses where the selfie mask shows someone still there: a garment does not blink off
        // for one frame the pose model doubts. Held people gate only through the selfie mask, so
        // nothing is drawn where they have left.
        let mut held = vec![false; people.len()];
        if let Some(m) = selfie.as_ref() {
            for (ti, t) in self.tracks.iter().enumerate() {
                let Some(last) = t.last.as_ref().filter(|_| t.missed >= 1 && t.missed < TRACK_KEEP) else { continue };
                let (mut sum, mut count) = (0.0f32, 0u32);
                for y in (0..h).step_by(2) {
                    for x in (0..w).step_by(2) {
                        if last.mask_at((x as f32 + 0.5) / sx, (y as f32 + 0.5) / sy) > 0.5 {
                            sum += m.get(x, y, 0);
                            count += 1;
                        }
                    }
                }
                if count >= 8 && sum / count as f32 >= 0.5 {
                    if let Some(b) = body(last, fw, fh, sx, sy) {
                        people.push((last.clone(), b));
                        tracks.push(ti);
                        held.push(true);
                    }
                }
            }
        }
        for (k, (q, _)) in people.iter().enumerate() {
            if !held[k] {
                self.tracks[tracks[k]].last = Some(q.clone());
            }
        }
        let colours = tensor::resize(frame, None, w, h);
        let lab: Vec<[f32; 3]> = colours.pixels().map(|p| lab([p.0[0], p.0[1], p.0[2]])).collect();

        // Which person each map pixel belongs to (their own mask first, else the nearest
        // skeleton), and the person gate.
        let n = (w * h) as usize;
        let mut owner = vec![usize::MAX; n];
        let mut gate = vec![0.0f32; n];
        let mut held_near = vec![0.0f32; n];
        let mut selfie_at = vec![0.0f32; n];
        let mut masks = vec![0.0f32; people.len()];
        for y in 0..h {
            for x in 0..w {
                let i = (y * w + x) as usize;
                let (pf, pm) = ((x as f32 + 0.5) / sx, (y as f32 + 0.5) / sy);
                let p = (x as f32 + 0.5, y as f32 + 0.5);
                let selfie_here = selfie.as_ref().map_or(0.0, |m| m.get(x, y, 0));
                if people.is_empty() {
                    // No one detected: the selfie mask alone, a person model itself.
                    gate[i] = selfie_here;
                    continue;
                }
                for (m, (q, _)) in masks.iter_mut().zip(&people) {
                    *m = q.mask_at(pf, pm);
                }
                let mut pose_mask = 0.0f32;
                for (k, m) in masks.iter().enumerate() {
                    if held[k] {
                        held_near[i] = held_near[i].max(*m);
                    } else {
                        pose_mask = pose_mask.max(*m);
                    }
                }
                selfie_at[i] = selfie_here;
                gate[i] = pose_mask;
                // Background no person model sees: no owner, and nothing more to work out.
                if pose_mask.max(held_near[i]).max(selfie_here) < 0.01 {
                    continue;
                }
                let mut best = (f32::NEG_INFINITY, usize::MAX);
                for (k, (_, b)) in people.iter().enumerate() {
                    let score = masks[k] - 0.25 * b.reach_any(p);
                    if score > best.0 {
                        best = (score, k);
                    }
                }
                owner[i] = best.1;
            }
        }

        // The selfie mask counts near a detected person's own mask: it fills in where BlazePose's
        // coarse ROI mask is loose (webcam close-ups), and is kept off flags, posters and walls.
        // Where that mask is not even faint, the fill is `beyond`: what a person holds out of
        // their own mask (the astronaut's helmet) is in the selfie mask too, so there the fill
        // counts below only in the colours of the person's garment.
        let mut beyond = vec![0.0f32; n];
        if !people.is_empty() {
            let reach = people.iter().map(|(_, b)| b.sw).fold(0.0, f32::max).clamp(2.0, 0.2 * w.max(h) as f32) * 0.25;
            let masks: Vec<f32> = gate.iter().zip(&held_near).map(|(a, b)| a.max(*b)).collect();
            let near = blur_max(&masks, w, h, reach.ceil() as usize);
            for i in 0..n {
                let own = gate[i].max(selfie_at[i] * smoothstep(0.05, 0.3, masks[i]));
                gate[i] = gate[i].max(selfie_at[i] * smoothstep(0.05, 0.3, near[i]));
                beyond[i] = gate[i] - own;
            }
        }

        // Per person: skin colour from the face, then each garment pixel's class.
        let skin_models: Vec<Option<SkinModel>> = people.iter().map(|(_, b)| b.face.and_then(|f| SkinModel::learn(f, &lab, pan.as_ref(), w, h))).collect();
        // How far paler than its owner's face each pixel is, once: read three times below. Only
        // worked out when someone's face is big enough to read (PALE_FACE); else nothing is pale.
        let readable = skin_models.iter().flatten().any(|sm| sm.radius > PALE_FACE.0);
        let pale: Vec<f32> = if readable {
            (0..n)
                .map(|i| match skin_models.get(owner[i]).and_then(|s| s.as_ref()) {
                    Some(sm) if gate[i] >= 1e-3 => sm.pale(lab[i]),
                    _ => 0.0,
                })
                .collect()
        } else {
            vec![0.0; n]
        };
        // Pale colours are fabric only for a person much of whose PAN skin is that pale: a peach
        // top PAN calls skin is a large share of it, the shine on a sprinter's sunlit neck a
        // small one.
        let pale_counts = {
            let mut c = vec![(0.0f32, 0.0f32); people.len()];
            if let (true, Some(m)) = (readable, pan.as_ref()) {
                for i in (0..n).filter(|&i| gate[i] > 0.5 && owner[i] < people.len()) {
                    if skin_models[owner[i]].as_ref().is_some_and(|sm| sm.radius > PALE_FACE.0) && m.get(i as u32 % w, i as u32 / w, 0) > 0.5 {
                        c[owner[i]].0 += pale[i];
                        c[owner[i]].1 += 1.0;
                    }
                }
            }
            c
        };
        // A small face's colour is read through blur and the hair around it: a jumping girl's
        // (c3, face radius about 7 map pixels) read as saturated, and her bare legs as pale.
        let pale_share = pale_counts
            .iter()
            .zip(&skin_models)
            .map(|(&(p, all), sm)| {
                smoothstep(PALE_SHARE.0, PALE_SHARE.1, p / all.max(1.0)) * sm.as_ref().map_or(0.0, |sm| smoothstep(PALE_FACE.0, PALE_FACE.1, sm.radius))
            })
            .collect::<Vec<f32>>();
        // And only near a patch of them wider than a shine on skin (a streak of light down a
        // forearm): pale pixels eroded by SHINE, then widened by twice that, so the garment's own
        // outline is the pale colour's and not the filter's square.
        let pale_near = if pale_share.iter().any(|&v| v > 0.0) {
            let not_pale: Vec<f32> = (0..n).map(|i| if gate[i] > 0.5 { 1.0 - smoothstep(0.4, 0.6, pale[i]) } else { 1.0 }).collect();
            let r = people.iter().map(|(_, b)| b.sw).fold(0.0, f32::max) * SHINE;
            let core: Vec<f32> = blur_max(&not_pale, w, h, r.ceil() as usize).into_iter().map(|v| 1.0 - v).collect();
            blur_max(&core, w, h, (2.0 * r).ceil() as usize)
        } else {
            vec![0.0; n]
        };
        // PAN's scores at each pixel, its skin moved to clothes where this person's skin colour
        // says fabric, its hair far from the head taken for black fabric.
        let evidence_at = |i: usize| -> Option<Evidence> {
            let m = pan.as_ref()?;
            let (x, y) = ((i as u32 % w), (i as u32 / w));
            let p = (x as f32 + 0.5, y as f32 + 0.5);
            let owner_body = people.get(owner[i]).map(|(_, b)| b);
            let model = skin_models.get(owner[i]).and_then(|s| s.as_ref());
            let s = m.get(x, y, 0);
            // Skin of another colour is fabric on the body only: a garment lies on the skeleton,
            // a white ball PAN calls skin, held or kicked beside a limb, does not (b1).
            let fabric = match (model, owner_body) {
                (Some(sm), Some(b)) if s > 0.05 => {
                    let by_colour = sm.fabric(lab[i]).max(pale[i] * pale_share[owner[i]] * pale_near[i]);
                    // The skeleton's reach only where the colour says fabric: most skin is not.
                    if by_colour > 0.0 {
                        by_colour * (1.0 - smoothstep(ON_BODY.0, ON_BODY.1, b.reach_any(p)))
                    } else {
                        0.0
                    }
                }
                _ => 0.0,
            };
            let hair_here = owner_body.map_or(1.0, |b| b.hair_reach(p));
            let hr = m.get(x, y, 2);
            Some(Evidence {
                clothes: m.get(x, y, 1).max(0.8 * s * fabric).max(hr * (1.0 - hair_here)),
                skin: s * (1.0 - 0.8 * fabric),
                hair: hr * hair_here,
                // Only sure skin teaches the colours: the colour test is skipped below that.
                true_skin: if s < 0.6 { 0.0 } else { s * model.map_or(skin_gamut(lab[i]), |s| s.matches(lab[i])) },
            })
        };
        let evidence: Vec<Option<Evidence>> = (0..n).map(|i| if gate[i] < 1e-3 { None } else { evidence_at(i) }).collect();
        // The head and feet, and the hands, of each pixel's owner, once: read twice below.
        let (never, hands): (Vec<f32>, Vec<f32>) = (0..n)
            .map(|i| match people.get(owner[i]).filter(|_| gate[i] >= 1e-3) {
                Some((_, b)) => {
                    let p = ((i as u32 % w) as f32 + 0.5, (i as u32 / w) as f32 + 0.5);
                    (b.never_garment(p), b.hand_at(p))
                }
                None => (0.0, 0.0),
            })
            .unzip();
        // Each person's garment colours against their skin and hair, from the pixels PAN is
        // sure of, for the pixels it is not.
        let mut odds: Vec<ColourOdds> = people.iter().map(|_| ColourOdds::default()).collect();
        for i in (0..n).filter(|&i| gate[i] - beyond[i] > 0.5 && owner[i] < people.len()) {
            let Some(e) = evidence[i] else { continue };
            let sure_garment = smoothstep(0.6, 0.8, e.clothes) * (1.0 - never[i].max(hands[i]));
            let sure_other = smoothstep(0.6, 0.8, e.true_skin.max(e.hair));
            odds[owner[i]].add(lab[i], sure_garment, sure_other);
        }
        let odds: Vec<Option<LearntOdds>> = odds.into_iter().map(ColourOdds::learnt_balanced).collect();
        // How surely each pixel's colour is its owner's garment's and not their skin's or hair's.
        let dressy: Vec<f32> = (0..n)
            .map(|i| match (evidence[i], odds.get(owner[i]).and_then(|o| o.as_ref())) {
                (Some(_), Some(o)) => o.garment(lab[i]),
                _ => 0.0,
            })
            .collect();
        // Colour speaks only beside the sure garment (holes in it, its edges), not across the
        // body: a shoe of the shorts' colour, past a bare shin, stays a shoe.
        let beside_garment = if odds.iter().any(Option::is_some) {
            let sure: Vec<f32> = evidence.iter().zip(&gate).map(|(e, g)| e.map_or(0.0, |e| (e.clothes > 0.7 && *g > 0.5) as u8 as f32)).collect();
            let reach = people.iter().map(|(_, b)| b.sw).fold(0.0, f32::max).clamp(2.0, 0.2 * w.max(h) as f32) * 0.3;
            let near = blur_max(&sure, w, h, reach.ceil() as usize);
            // And on through the garment's own colours where PAN is unsure, however far: a
            // shaded trouser leg PAN fades out on below the knee (b1's kick) is still the
            // trousers. A shoe in the shorts' colour past a bare shin does not join.
            let through = |j: usize| gate[j] > 0.5 && dressy[j] > 0.5 && evidence[j].is_some_and(|e| e.skin.max(e.hair) < 0.5);
            let reached = flood(sure, w, h, through);
            near.iter().zip(&reached).map(|(a, b)| a.max(*b)).collect()
        } else {
            vec![0.0; n]
        };
        let garment: Vec<f32> = (0..n)
            .map(|i| {
                if gate[i] < 1e-3 {
                    return 0.0;
                }
                // The fill beyond the person's own mask only in their garment's colours (where
                // those are known).
                let gate = match (evidence[i], odds.get(owner[i]).and_then(|o| o.as_ref())) {
                    (Some(_), Some(_)) => gate[i] - beyond[i] * (1.0 - dressy[i]),
                    _ => gate[i],
                };
                // No evidence past the gate check above means no PAN.
                let (cloth, hand) = match evidence[i] {
                    None => (1.0, hands[i]),
                    Some(e) => {
                        // A colour of this person's sure garment and not of their skin or hair
                        // is garment where PAN is unsure; PAN's sure skin and hair stand.
                        let dressy = dressy[i];
                        // A hand's disc spares what PAN calls clothes in that colour: the shirt
                        // around the hand, not the hand in front of it.
                        let hand = hands[i] * (1.0 - dressy * smoothstep(0.5, 0.8, e.clothes));
                        let unsure = (1.0 - smoothstep(0.5, 0.8, e.skin.max(e.hair))) * beside_garment[i];
                        let clothes = e.clothes.max(dressy * unsure);
                        // Clothes against skin and hair; where PAN says nothing, a garment only
                        // as a weak guess (bare skin PAN misses is worse than a missed garment).
                        let share = (clothes + 0.12) / (clothes + e.skin + e.hair + 0.3);
                        (smoothstep(0.35, 0.6, share), hand)
                    }
                };
                (gate * cloth * (1.0 - never[i].max(hand))).clamp(0.0, 1.0)
            })
            .collect();

        let bodies: Vec<&Body> = people.iter().map(|(_, b)| b).collect();
        let garment = joined_below_knees(garment, &bodies, &owner, &lab, w, h);
        let garment = self.steady.apply(garment, &gate, w, h);

        let mut calls = Vec::with_capacity(people.len());
        let mut wear = Vec::with_capacity(people.len());
        let maps = PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h };
        let hems: Vec<Option<Hem>> = people.iter().enumerate().map(|(k, (_, b))| Hem::find(b, k, &maps)).collect();
        for (k, (_, b)) in people.iter().enumerate() {
            let needed = self.hem_needed(tracks[k]);
            let evidence = b.hips_seen.then(|| dress_evidence(b, k, &maps, pan.as_ref(), skin_models[k].as_ref(), hems[k].as_ref(), needed));
            self.saw_hem(tracks[k], evidence.and_then(|e| e.hem));
            let seen = call_of(evidence.as_ref());
            // A folded body's evidence is misread (b1's high kicks looked like a dress): it
            // does not change a known person's call.
            let call = if b.folded() { self.settle_folded(tracks[k], seen) } else { self.settle(tracks[k], seen) };
            tracing::trace!(track = self.tracks[tracks[k]].id, ?seen, ?call, ?evidence, "wear call");
            wear.push(call);
            let t = &self.tracks[tracks[k]];
            calls.push(PersonCall {
                track: t.id,
                call,
                held: call != seen,
                evidence,
                shoulder: (b.shoulder.0 / sx, b.shoulder.1 / sy),
                waist: b.hips_seen.then(|| {
                    let half = (b.normal.0 * 0.6 * b.sw, b.normal.1 * 0.6 * b.sw);
                    [((b.waist.0 - half.0) / sx, (b.waist.1 - half.1) / sy), ((b.waist.0 + half.0) / sx, (b.waist.1 + half.1) / sy)]
                }),
                bbox: [b.bbox[0] / sx, b.bbox[1] / sy, b.bbox[2] / sx, b.bbox[3] / sy],
                never: b.never.iter().map(|n| ((n.c.0 / sx, n.c.1 / sy), n.r / sx)).collect(),
            });
        }
        tracing::trace!(people = calls.len(), calls = ?calls.iter().map(|c| c.call).collect::<Vec<_>>(), "composite segmenter");

        // Two pieces split at their own edge where the colours show it, not at the waist line.
        let mut side = vec![Side::Skeleton; n];
        for (k, (_, b)) in people.iter().enumerate() {
            if let (WearCall::TwoPiece, Some(hem)) = (wear[k], &hems[k]) {
                split_by_colour(b, k, &maps, hem, &mut side);
            }
        }

        let mut out = Map::new(w, h, CLASSES);
        for y in 0..h {
            for x in 0..w {
                let i = (y * w + x) as usize;
                let g = garment[i];
                let p = (x as f32 + 0.5, y as f32 + 0.5);
                let (upper, lower, full) = match people.get(owner[i]).filter(|_| g > 0.0) {
                    None => (1.0, 0.0, 0.0),
                    Some((_, b)) => match wear[owner[i]] {
                        WearCall::Full => (0.0, 0.0, 1.0),
                        WearCall::Upper => (1.0, 0.0, 0.0),
                        WearCall::TwoPiece => {
                            let l = match side[i] {
                                Side::Skeleton => b.lower_share(p),
                                Side::Upper => 0.0,
                                Side::Lower => 1.0,
                            };
                            (1.0 - l, l, 0.0)
                        }
                    },
                };
                out.set(x, y, UPPER, g * upper);
                out.set(x, y, LOWER, g * lower);
                out.set(x, y, FULL, g * full);
                out.set(x, y, BACKGROUND, 1.0 - g);
            }
        }
        let owner = owner.iter().map(|&k| if k < people.len() { (k + 1).min(u16::MAX as usize) as u16 } else { 0 }).collect();
        Ok(Segmentation { parts: out, gate: Some(Map { width: w, height: h, channels: 1, data: gate }), owner: Some(owner), people: calls })
    }
}

/// Half the width, in shoulder widths, that a patch of pale colour needs to count as fabric: a
/// shine on skin is narrower.
const SHINE: f32 = 0.035;

/// The face radius, in map pixels, over which its colour is read well enough for the pale test.
const PALE_FACE: (f32, f32) = (10.0, 14.0);

/// The share of a person's PAN skin that must be far paler than their face before pale colours
/// count as fabric on them (rising between the two).
const PALE_SHARE: (f32, f32) = (0.18, 0.25);

/// Reach to the skeleton (in segment radii) over which PAN's skin of another colour than the
/// face's stops counting as fabric.
const ON_BODY: (f32, f32) = (1.1, 1.6);

#[cfg(test)]
mod tests;
