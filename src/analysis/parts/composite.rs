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
use crate::pixels::{blur_max, cie94, dot, enclose, flood, lab, len, lerp, median_of_neighbours, pixel_centre, seg_dist, smoothstep, sub, P};

const PAN_SIZE: u32 = 512;
/// Analyses a new call must hold before a tracked person's call changes.
const CALL_HOLD: u32 = 3;
/// How far from a leg's segments, in their radii, garment below the knees still counts as the
/// leg's: trouser legs are wider than the segments, and the landmarks of a crouch are off.
const LEG_REACH: f32 = 1.0;
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

/// A person followed from one analysis to the next.
#[derive(Debug, Clone)]
struct Track {
    id: u32,
    /// Shoulder centre and shoulder width in frame pixels, for matching.
    centre: (f32, f32),
    scale: f32,
    call: WearCall,
    /// Analyses running in which the evidence said the other call.
    against: u32,
    missed: u32,
    /// Where the landmark model looks for this person next.
    next: Option<Roi>,
    /// The person as last found, held while the pose model misses them.
    last: Option<Person>,
    /// Analyses since their top's hem was seen all across the torso (HEM_ACROSS), while under
    /// HEM_MEMORY.
    hem_seen: Option<u32>,
}

/// The visibility a hand's landmarks need for its disc.
const HAND_SEEN: f32 = 0.5;

/// A disc that is never a garment (head, hand, foot), in map pixels.
#[derive(Debug, Clone, Copy)]
struct Never {
    c: P,
    r: f32,
    /// For a hand: the wrist and the unit direction into the hand. The disc stops a little
    /// behind the wrist, so the sleeve's cuff stays a garment.
    from: Option<(P, P)>,
    /// A hand's disc, which reaches past the hand: a garment seen around the hand within it
    /// is still the garment.
    hand: bool,
}

impl Never {
    /// How surely p is inside (0..1).
    fn at(&self, p: P) -> f32 {
        let disc = 1.0 - smoothstep(0.85 * self.r, 1.15 * self.r, len(sub(p, self.c)));
        match self.from {
            Some((wrist, dir)) if disc > 0.0 => disc * smoothstep(-0.3 * self.r, -0.05 * self.r, dot(sub(p, wrist), dir)),
            _ => disc,
        }
    }
}

/// One person's body in map pixels.
#[derive(Debug, Clone)]
struct Body {
    shoulder: P,
    hips_seen: bool,
    /// Where upper meets lower on the torso: a little above the hip joints, at the waistband.
    waist: P,
    sw: f32,
    torso: f32,
    /// (from, to, radius) segments of the upper and lower body.
    upper: Vec<(P, P, f32)>,
    lower: Vec<(P, P, f32)>,
    /// Left and right thighs (hip, knee), when seen.
    thighs: Option<[(P, P); 2]>,
    /// The image row of the higher seen knee: the ground is down the image, whichever way the
    /// body leans (a sprinter bent forward has his torso's axis near level).
    knee_row: Option<f32>,
    /// The image row of the lower seen ankle.
    ankle_row: Option<f32>,
    /// Discs that are never garments: head, hands, feet.
    never: Vec<Never>,
    /// Axis from shoulders to hips (unit) and its normal, for the neck cut.
    axis: P,
    normal: P,
    /// Face disc for the skin colour model.
    face: Option<(P, f32)>,
    bbox: [f32; 4],
}

impl Body {
    /// Whether the body is folded: its torso more than 30 degrees from upright (bent over, a
    /// crouch), or a thigh more than 45 degrees off the torso's axis (a high kick, seated, one
    /// knee forward). Down such a body the columns below the hips cross a leg, not a shirt's
    /// tail, and the colours read below the waist are a raised thigh's: the outfit cannot be
    /// read. A walker's raised knee (under 45 degrees) is not folded.
    fn folded(&self) -> bool {
        let down = |(hip, knee): (P, P)| dot(sub(knee, hip), self.axis) >= 0.7 * len(sub(knee, hip));
        self.axis.1 < 0.87 || self.thighs.is_some_and(|[l, r]| !down(l) || !down(r))
    }

    /// Down the body from the shoulders, in torso lengths.
    fn along(&self, p: P) -> f32 {
        dot(sub(p, self.shoulder), self.axis) / self.torso
    }

    /// The hem's column `p` lies in: 1 map pixel wide, from two shoulder widths left of the
    /// shoulders' centre.
    fn hem_column(&self, p: P) -> usize {
        (dot(sub(p, self.shoulder), self.normal) + 2.0 * self.sw).floor().max(0.0) as usize
    }

    /// Where a top's hem is looked for, `t` torso lengths down: from the lower chest down to the
    /// ankles (mid-stride a knee is raised above a shirt's hem).
    fn in_hem_zone(&self, p: P, t: f32) -> bool {
        t >= 0.6 && self.ankle_row.is_none_or(|r| p.1 <= r)
    }

    /// The least distance to a segment of `segs`, in units of that segment's radius.
    fn reach(segs: &[(P, P, f32)], p: P) -> f32 {
        segs.iter().map(|&(a, b, r)| seg_dist(p, a, b) / r.max(1e-3)).fold(f32::INFINITY, f32::min)
    }

    /// How much a point belongs to the lower body (0..1), from its reach to either group.
    fn lower_share(&self, p: P) -> f32 {
        if self.lower.is_empty() {
            return 0.0;
        }
        let (u, l) = (Body::reach(&self.upper, p), Body::reach(&self.lower, p));
        smoothstep(-0.15, 0.15, u - l)
    }

    /// 1 on the head (above the neck, between the shoulders) and on face and feet: the hands
    /// are [`Body::hand_at`].
    fn never_garment(&self, p: P) -> f32 {
        let d = sub(p, self.shoulder);
        let along = dot(d, self.axis);
        let across = dot(d, self.normal).abs();
        // Above the neck and within the head's width: the head, hair, a helmet. Sleeves of
        // arms raised beyond the shoulders stay garments.
        let neck = -0.15 * self.sw;
        let over_neck =
            (1.0 - smoothstep(0.45 * self.sw, 0.7 * self.sw, across)) * (1.0 - smoothstep(neck - 0.03 * self.torso, neck + 0.03 * self.torso, along));
        let discs = self.never.iter().filter(|n| !n.hand).map(|n| n.at(p)).fold(0.0, f32::max);
        over_neck.max(discs)
    }

    /// How surely p is on a hand's disc (0..1).
    fn hand_at(&self, p: P) -> f32 {
        self.never.iter().filter(|n| n.hand).map(|n| n.at(p)).fold(0.0, f32::max)
    }

    /// How plausible hair is at p: 1 around the head and down to the chest (long hair), fading
    /// to a fifth further away; 1 everywhere when the face is not seen (a back view).
    fn hair_reach(&self, p: P) -> f32 {
        match self.face {
            None => 1.0,
            Some((c, r)) => {
                // r is 0.6 of the head's radius; long hair reaches some four head radii down.
                let d = len(sub(p, c)) / (r / 0.6).max(1e-3);
                1.0 - 0.8 * smoothstep(3.0, 5.0, d)
            }
        }
    }

    /// On the torso: the capsule from the shoulders to the waist, and on to the crotch.
    fn on_torso(&self, p: P) -> bool {
        let torso = |segs: &[(P, P, f32)]| segs.first().is_some_and(|s| Body::reach(std::slice::from_ref(s), p) <= 1.0);
        torso(&self.upper) || (self.hips_seen && torso(&self.lower))
    }

    /// Lower in the image than the higher of the knees it sees.
    fn below_knees(&self, p: P) -> bool {
        self.knee_row.is_some_and(|k| p.1 > k)
    }

    /// Lower in the image than the lower of its ankles, and off the legs (further than LEG_REACH
    /// of their segments' radii): where a shoe is, and not a trouser leg.
    fn past_ankles(&self, p: P) -> bool {
        self.ankle_row.is_some_and(|a| p.1 > a) && Body::reach(&self.lower, p) > LEG_REACH
    }

    /// Reach to the whole skeleton, for telling people apart where their masks do not.
    fn reach_any(&self, p: P) -> f32 {
        Body::reach(&self.upper, p).min(Body::reach(&self.lower, p))
    }
}

/// The mean of the landmarks in `ids` that the model places in the image, in map pixels.
fn mean_of(p: &Person, ids: impl Iterator<Item = usize>, sx: f32, sy: f32) -> Option<(P, Vec<P>)> {
    let pts: Vec<P> = ids.filter_map(|i| p.present(i)).map(|l| (l.x * sx, l.y * sy)).collect();
    if pts.is_empty() {
        return None;
    }
    let n = pts.len() as f32;
    Some(((pts.iter().map(|q| q.0).sum::<f32>() / n, pts.iter().map(|q| q.1).sum::<f32>() / n), pts))
}

/// A person's body in map pixels, or None when not even the shoulders are seen.
fn body(p: &Person, fw: u32, fh: u32, sx: f32, sy: f32) -> Option<Body> {
    let at = |i: usize| p.seen(i, fw, fh).map(|l| (l.x * sx, l.y * sy));
    // Limbs: a joint the model places, even partly hidden, still marks where the limb is.
    let joint = |i: usize| p.landmarks.get(i).filter(|l| l.presence > 0.5 && l.visibility > 0.3).map(|l| (l.x * sx, l.y * sy));
    let (ls, rs) = (at(pose::L_SHOULDER)?, at(pose::R_SHOULDER)?);
    let shoulder = lerp(ls, rs, 0.5);
    let sw = len(sub(ls, rs)).max(2.0);
    let hips = match (at(pose::L_HIP), at(pose::R_HIP)) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    let hip = hips.map_or((shoulder.0, shoulder.1 + 4.0 * sw), |(a, b)| lerp(a, b, 0.5));
    let torso = len(sub(hip, shoulder)).max(1.0);
    let axis = {
        let d = sub(hip, shoulder);
        (d.0 / torso, d.1 / torso)
    };
    let normal = (-axis.1, axis.0);
    let waist = lerp(shoulder, hip, 0.88);
    let mut upper = Vec::new();
    let mut lower = Vec::new();
    upper.push((shoulder, if hips.is_some() { waist } else { hip }, 0.6 * sw));
    for (s, e, w) in [(pose::L_SHOULDER, pose::L_ELBOW, pose::L_WRIST), (pose::R_SHOULDER, pose::R_ELBOW, pose::R_WRIST)] {
        if let (Some(a), Some(b)) = (joint(s), joint(e)) {
            upper.push((a, b, 0.25 * sw));
            if let Some(c) = joint(w) {
                upper.push((b, c, 0.2 * sw));
            }
        }
    }
    let mut thighs = None;
    let mut knee_row: Option<f32> = None;
    let mut ankle_row: Option<f32> = None;
    if let Some((lh, rh)) = hips {
        // The lower torso runs on past the hip joints to the crotch.
        lower.push((waist, lerp(shoulder, hip, 1.2), 0.6 * sw));
        let mut legs = Vec::new();
        for (k, a, hp) in [(pose::L_KNEE, pose::L_ANKLE, lh), (pose::R_KNEE, pose::R_ANKLE, rh)] {
            if let Some(kn) = joint(k) {
                lower.push((hp, kn, 0.3 * sw));
                legs.push((hp, kn));
                if let Some(an) = joint(a) {
                    lower.push((kn, an, 0.22 * sw));
                }
            } else {
                // Knee unseen: the thigh runs down along the body's axis.
                lower.push((hp, (hp.0 + axis.0 * 0.6 * torso, hp.1 + axis.1 * 0.6 * torso), 0.3 * sw));
            }
        }
        if legs.len() == 2 {
            thighs = Some([legs[0], legs[1]]);
        }
        // The rows of the knees and the ankles, from shins the model sees standing on their feet
        // only: a frame that ends at the hips gets knees guessed on the arms (julia+trotti_17).
        for (k, a) in [(pose::L_KNEE, pose::L_ANKLE), (pose::R_KNEE, pose::R_ANKLE)] {
            if let (Some(kn), Some(an)) = (at(k), at(a)) {
                if an.1 > kn.1 {
                    knee_row = Some(knee_row.map_or(kn.1, |r| r.min(kn.1)));
                    ankle_row = Some(ankle_row.map_or(an.1, |r| r.max(an.1)));
                }
            }
        }
    }
    let mut never = Vec::new();
    let face = mean_of(p, pose::FACE, sx, sy).map(|(c, pts)| {
        let ears = match (joint(pose::L_EAR), joint(pose::R_EAR)) {
            (Some(a), Some(b)) => len(sub(a, b)),
            _ => 0.0,
        };
        let spread = pts.iter().map(|q| len(sub(*q, c))).fold(0.0, f32::max);
        let r = (0.75 * ears).max(1.3 * spread).max(0.3 * sw);
        (c, r)
    });
    if let Some((c, r)) = face {
        never.push(Never { c, r, from: None, hand: false });
    }
    // The whole head, seen from the side: the ears lie near its middle and the nose about a
    // head's radius in front of them. The face disc covers the face, and a head bent forward
    // leaves the region above the neck: b1's juggler, turned and leaning, had the back and the
    // top of his head restyled with his shirt. The disc is moved half that radius away from the
    // shoulders, over the hair on top, so that it reaches no nearer the collar than the radius.
    // Facing the camera the nose is near the ears' middle and this disc is small. At most a
    // third of the torso, against a stray landmark.
    let ears: Vec<P> = [pose::L_EAR, pose::R_EAR].into_iter().filter_map(joint).collect();
    if let (Some(nose), false) = (joint(pose::NOSE), ears.is_empty()) {
        let mid = lerp(ears[0], ears[ears.len() - 1], 0.5);
        let radius = len(sub(nose, mid)).min(0.25 * torso);
        let up = sub(mid, shoulder);
        let up = if len(up) > 1e-3 { (up.0 / len(up), up.1 / len(up)) } else { (-axis.0, -axis.1) };
        let c = (mid.0 + 0.5 * radius * up.0, mid.1 + 0.5 * radius * up.1);
        never.push(Never { c, r: 1.4 * radius, from: None, hand: false });
    }
    for (hand, elbow) in pose::HANDS.into_iter().zip([pose::L_ELBOW, pose::R_ELBOW]) {
        // Only a hand the model sees: one it guesses behind the body or out of view would cut a
        // disc out of the shirt in front of it.
        let seen = hand.iter().copied().filter(|&i| p.landmarks.get(i).is_some_and(|l| l.visibility > HAND_SEEN));
        if let Some((c, pts)) = mean_of(p, seen, sx, sy) {
            if pts.len() >= 3 {
                let spread = pts.iter().map(|q| len(sub(*q, c))).fold(0.0, f32::max);
                // The disc reaches back past the wrist over the cuff; the hand lies beyond the
                // wrist, towards its fingers (else along the forearm).
                let from = joint(hand[0]).and_then(|wr| {
                    let d = [Some(sub(c, wr)), joint(elbow).map(|e| sub(wr, e))].into_iter().flatten().find(|d| len(*d) > 1.0)?;
                    Some((wr, (d.0 / len(d), d.1 / len(d))))
                });
                never.push(Never { c, r: (1.5 * spread).max(0.12 * sw), from, hand: true });
            }
        }
    }
    for [ankle, heel, toe] in pose::FEET {
        // Only feet the model sees: a guessed foot would cut into the trousers.
        let (a, he, t) = (joint(ankle), joint(heel), joint(toe));
        let foot = match (he, t) {
            (Some(h), Some(t)) => Some(lerp(h, t, 0.5)),
            (Some(q), None) | (None, Some(q)) => Some(q),
            (None, None) => None,
        };
        if let Some(f) = foot {
            // Centred on the foot, nudged towards the ankle: the shoe, not the trouser hem.
            let c = a.map_or(f, |a| lerp(f, a, 0.2));
            let r = match (he, t) {
                (Some(h), Some(t)) => 0.6 * len(sub(h, t)),
                _ => 0.0,
            }
            .max(0.15 * sw);
            never.push(Never { c, r, from: None, hand: false });
        }
    }
    let bbox = extent(p, sx, sy, sw);
    Some(Body {
        shoulder,
        hips_seen: hips.is_some(),
        waist,
        sw,
        torso,
        upper,
        lower,
        thighs,
        knee_row,
        ankle_row,
        never,
        axis,
        normal,
        face: face.map(|(c, r)| (c, 0.6 * r)),
        bbox,
    })
}

/// The box (x0, y0, x1, y1, map pixels) of a person's present landmarks, widened each way by a
/// fifth of its longer side, or of `least` where that is more.
fn extent(p: &Person, sx: f32, sy: f32, least: f32) -> [f32; 4] {
    let (mut x0, mut y0, mut x1, mut y1) = (f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY);
    for l in p.landmarks.iter().filter(|l| l.presence > 0.5) {
        let q = (l.x * sx, l.y * sy);
        x0 = x0.min(q.0);
        y0 = y0.min(q.1);
        x1 = x1.max(q.0);
        y1 = y1.max(q.1);
    }
    let m = 0.2 * (x1 - x0).max(y1 - y0).max(least);
    [x0 - m, y0 - m, x1 + m, y1 + m]
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

    /// Match this analysis's people to the tracks; returns each person's track index.
    fn track(&mut self, people: &[(Person, Body)], scale: (f32, f32)) -> Vec<usize> {
        let mut taken = vec![false; self.tracks.len()];
        let mut out = Vec::with_capacity(people.len());
        for (q, b) in people {
            let c = (b.shoulder.0 / scale.0, b.shoulder.1 / scale.1);
            let s = b.sw / scale.0;
            let best = self
                .tracks
                .iter()
                .enumerate()
                .filter(|(i, _)| !taken[*i])
                .map(|(i, t)| (i, len(sub(t.centre, c)) / t.scale.max(s).max(1.0)))
                .filter(|&(_, d)| d < 1.0)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            let i = match best {
                Some((i, _)) => {
                    let t = &mut self.tracks[i];
                    t.centre = c;
                    t.scale = s;
                    t.missed = 0;
                    t.next = q.next;
                    i
                }
                None => {
                    self.tracks.push(Track {
                        id: self.next_id,
                        centre: c,
                        scale: s,
                        call: WearCall::Upper,
                        against: u32::MAX,
                        missed: 0,
                        next: q.next,
                        last: None,
                        hem_seen: None,
                    });
                    taken.push(false);
                    self.next_id += 1;
                    self.tracks.len() - 1
                }
            };
            taken[i] = true;
            out.push(i);
        }
        for (i, t) in self.tracks.iter_mut().enumerate() {
            if !taken[i] {
                t.missed += 1;
                // Its region was tried and the person was not there: only the detector finds
                // them again.
                t.next = None;
            }
        }
        out
    }

    /// The hem share that makes this track's outfit two pieces ([`HEM_KNOWN`]).
    fn hem_needed(&self, track: usize) -> f32 {
        if self.tracks[track].hem_seen.is_some() {
            HEM_KNOWN
        } else {
            HEM_ACROSS
        }
    }

    /// Notes this analysis's hem share for the track.
    fn saw_hem(&mut self, track: usize, hem: Option<f32>) {
        let t = &mut self.tracks[track];
        t.hem_seen = if hem.is_some_and(|h| h >= HEM_ACROSS) { Some(0) } else { t.hem_seen.map(|n| n + 1).filter(|&n| n <= HEM_MEMORY) };
    }

    /// The call a track makes given evidence read in a folded pose ([`Body::folded`]): a known
    /// track keeps its call and counts nothing toward a change.
    fn settle_folded(&mut self, track: usize, evidence: WearCall) -> WearCall {
        let t = &self.tracks[track];
        if t.against == u32::MAX {
            return self.settle(track, evidence);
        }
        t.call
    }

    /// The call a track makes given this analysis's evidence: a new track takes it at once, a
    /// known one only after it has held CALL_HOLD analyses running.
    fn settle(&mut self, track: usize, evidence: WearCall) -> WearCall {
        let t = &mut self.tracks[track];
        if t.against == u32::MAX || evidence == t.call {
            t.call = evidence;
            t.against = 0;
        } else {
            t.against += 1;
            if t.against >= CALL_HOLD {
                t.call = evidence;
                t.against = 0;
            }
        }
        t.call
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

/// Garment below a person's knees only where it joins the garment on a torso: shoes past bare
/// shins, a hand on the ground and the shadows under them are cut off, as the landmarks of a
/// crouch place the foot and hand discs too far off to cover them (Athlete-Intake). Trousers
/// and skirts run on down from the hips and stay, in the colours they have above the knees.
fn joined_below_knees(mut garment: Vec<f32>, bodies: &[&Body], owner: &[usize], lab: &[[f32; 3]], w: u32, h: u32) -> Vec<f32> {
    if bodies.iter().all(|b| b.knee_row.is_none()) {
        return garment;
    }
    let at = |i: usize| ((i as u32 % w) as f32 + 0.5, (i as u32 / w) as f32 + 0.5);
    let body = |i: usize| bodies.get(owner[i]).copied();
    // Each person's lower garment colours on the upper thighs, from the waist to six tenths of
    // the way down to the knees: a ball juggled at the knees (b1) is not taken for the trousers'
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
        if down <= 0.6 {
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
            if enough(&all) && 2 * not_top.total < all.total && enough(&to_knees) && to_knees.total >= 3 * not_top.total {
                to_knees.widened()
            } else {
                all.widened()
            }
        })
        .collect();
    // Past the ankles the garment does not run on (a sock's shade joins a shoe to the shorts
    // behind a bent knee), nor below the knees in a colour the lower garment does not have above
    // them (a white ball PAN calls clothes in front of navy trousers, b1).
    let passes = |j: usize| garment[j] > 0.5 && body(j).is_none_or(|b| !b.past_ankles(at(j)) && (!b.below_knees(at(j)) || above[owner[j]].has(lab[j])));
    let on_torso = (0..garment.len()).map(|i| (garment[i] > 0.5 && bodies.iter().any(|b| b.on_torso(at(i)))) as u8 as f32).collect();
    let mut joined = flood(on_torso, w, h, passes);
    // Garment the joined garment encloses stays too: a crease in jeans darker than they are
    // above the knees.
    enclose(&mut joined, &garment, w, h);
    // The joined garment's soft rim stays with it.
    let near = blur_max(&joined, w, h, 2);
    for (i, g) in garment.iter_mut().enumerate() {
        if near[i] < 0.5 && body(i).is_some_and(|b| b.below_knees(at(i))) {
            *g = 0.0;
        }
    }
    garment
}

/// Which garment a pixel of a two-piece outfit is, where the skeleton does not decide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Skeleton,
    Upper,
    Lower,
}

/// Where the top and the lower garment differ in colour, the split follows the top's own edge
/// rather than the waist line: a top hanging past it (a football shirt over shorts, a sweater
/// over leggings, b3's shirt seen from above, over the hip joints) is the top down to its hem, and
/// trousers or a skirt worn above it are the lower garment up to their waistband. The top's
/// colours are read on the chest. Down each column across the body, from the lower chest to the
/// ankles, the edge is where the top's colours above give way to others below, found where the
/// most pixels agree; a column changes only where the colours below are mostly not the top's, so
/// where the two share colours (b1's slate shirt and navy trousers) the skeleton decides, as
/// before. The edge is smoothed over the columns beside it. Arms are left out: only pixels the
/// skeleton gives the lower body some share of are counted or moved.
fn split_by_colour(b: &Body, k: usize, px: &PixelMaps<'_>, hem: &Hem, side: &mut [Side]) {
    let PixelMaps { owner, garment, lab, w, .. } = *px;
    let mine = |i: usize| owner[i] == k && garment[i] > 0.5;
    for i in (0..garment.len()).filter(|&i| mine(i)) {
        let p = pixel_centre(i, w);
        let (t, c, l) = (b.along(p), b.hem_column(p), b.lower_share(p));
        let Some(&e) = hem.edge.get(c).filter(|e| !e.is_nan()) else { continue };
        if !b.in_hem_zone(p, t) || l <= 0.05 {
            continue;
        }
        // The edge decides the shades between; a colour the top lacks above it, or the top's own
        // below it, is left to the skeleton (an edge a little off, or trousers in the top's
        // colour).
        side[i] = match (t < e, hem.label(lab[i])) {
            (true, -1) | (false, 1) => Side::Skeleton,
            (true, _) => Side::Upper,
            (false, _) => Side::Lower,
        };
    }
}

/// A top's own hem, column by column across an upright body (see [`split_by_colour`]).
struct Hem {
    /// The top's colours, read on the chest.
    top: LowerColours,
    /// Per column, 1 map pixel wide from two shoulder widths left of the shoulders' centre to two
    /// right, the edge in torso lengths from the shoulders; NaN where the column has none.
    edge: Vec<f32>,
}

impl Hem {
    /// The hem of person `k`'s top, or None where it cannot be read: no hips, a torso tilted more
    /// than 30 degrees, a folded leg, or no top over the chest.
    fn find(b: &Body, k: usize, px: &PixelMaps<'_>) -> Option<Hem> {
        let PixelMaps { owner, garment, lab, .. } = *px;
        if !b.hips_seen || b.lower.is_empty() {
            return None;
        }
        let mine = |i: usize| owner[i] == k && garment[i] > 0.5;
        let torso = &b.upper[..1];
        // Not on a folded body (a crouch; Athlete-Intake's left man, one knee forward and one
        // down; b1's high kicks).
        if b.folded() {
            return None;
        }
        let mut hem = Hem { top: LowerColours::default(), edge: Vec::new() };
        let mut chest = 0u32;
        for i in (0..garment.len()).filter(|&i| owner[i] == k) {
            let p = pixel_centre(i, px.w);
            if (0.35..=0.75).contains(&b.along(p)) && Body::reach(torso, p) <= 1.0 && b.lower_share(p) < 0.5 {
                chest += 1;
                if mine(i) {
                    hem.top.add(lab[i]);
                }
            }
        }
        tracing::trace!(person = k, top = hem.top.total, chest, "split by colour: the top's colours");
        // A top that covers the chest: on a bare chest the few pixels PAN calls clothes (sunlit
        // skin) are no top's colours.
        if hem.top.total < LowerColours::FEW || 10 * hem.top.total < 7 * chest {
            return None;
        }
        let columns = (4.0 * b.sw).ceil() as usize + 1;
        // Per column, (along, label).
        let mut cols: Vec<Vec<(f32, i8)>> = vec![Vec::new(); columns];
        for i in (0..garment.len()).filter(|&i| mine(i)) {
            let p = pixel_centre(i, px.w);
            let (t, c) = (b.along(p), b.hem_column(p));
            if c >= columns || !b.in_hem_zone(p, t) || b.lower_share(p) <= 0.05 {
                continue;
            }
            cols[c].push((t, hem.label(lab[i])));
        }
        // A top that runs on past 1.4 torso lengths (mid-thigh) is a tunic or, far likelier, the
        // lower garment in one of the top's colours (black leggings under a sweater with a black
        // and white scarf): no edge.
        let edge: Vec<f32> = cols.iter_mut().map(|c| top_edge(c)).map(|e| if e > 1.4 { f32::NAN } else { e }).collect();
        hem.edge = median_of_neighbours(&edge, 2);
        tracing::trace!(person = k, columns = hem.edge.iter().filter(|e| !e.is_nan()).count(), "split by colour: columns with an edge");
        Some(hem)
    }

    /// +1 the top's colour, -1 none of its colours, 0 one of its rarer ones.
    fn label(&self, c: [f32; 3]) -> i8 {
        if self.top.common(c) {
            1
        } else if self.top.seen(c) {
            0
        } else {
            -1
        }
    }

    /// The share of the torso's own columns (within `half` shoulder widths of its middle) where
    /// the top ends in an edge.
    fn share_across(&self, b: &Body, half: f32) -> f32 {
        let (from, to) = (((2.0 - half) * b.sw).floor().max(0.0) as usize, ((2.0 + half) * b.sw).ceil() as usize);
        let cols = &self.edge[from.min(self.edge.len())..(to + 1).min(self.edge.len())];
        if cols.is_empty() {
            return 0.0;
        }
        cols.iter().filter(|e| !e.is_nan()).count() as f32 / cols.len() as f32
    }
}

/// Where, down one column of (along, label) pixels, the top's colours (+1) above give way to
/// others (-1) below: the place most pixels agree with, or NaN where the column has no such
/// edge (too few pixels, or below it mostly the top's colours or shades near them).
fn top_edge(col: &mut [(f32, i8)]) -> f32 {
    const LEAST: usize = 6;
    if col.len() < LEAST {
        return f32::NAN;
    }
    col.sort_by(|a, b| a.0.total_cmp(&b.0));
    let others_total = col.iter().filter(|c| c.1 < 0).count();
    // Pixels above the edge that are the top's, below it that are not.
    let (mut best, mut best_at, mut tops_above) = (others_total, 0usize, 0usize);
    for j in 1..=col.len() {
        tops_above += (col[j - 1].1 > 0) as usize;
        let others_below = col[j..].iter().filter(|c| c.1 < 0).count();
        if tops_above + others_below > best {
            best = tops_above + others_below;
            best_at = j;
        }
    }
    let below = &col[best_at..];
    let others_below = below.iter().filter(|c| c.1 < 0).count();
    if below.len() < LEAST / 2 || 10 * others_below < 7 * below.len() {
        return f32::NAN;
    }
    // A column that shows none of the top says nothing of where it ends.
    match best_at {
        0 => f32::NAN,
        j => (col[j - 1].0 + col[j].0) / 2.0,
    }
}

/// The colours of a person's lower garment above the knees, as coarse Lab bins (lightness in
/// steps of 12.5, a and b in steps of 8): shade moves a colour a bin or so, a white ball in front
/// of navy trousers is several away.
#[derive(Default)]
struct LowerColours {
    bins: Vec<u32>,
    total: u32,
}

impl LowerColours {
    const L: usize = 8;
    const AB: usize = 16;
    /// Under this many pixels there are too few colours to tell.
    const FEW: u32 = 50;

    fn bin(c: [f32; 3]) -> [usize; 3] {
        let l = ((c[0] / 12.5) as usize).min(Self::L - 1);
        let ab = |v: f32| (((v + 64.0) / 8.0).max(0.0) as usize).min(Self::AB - 1);
        [l, ab(c[1]), ab(c[2])]
    }

    fn index([l, a, b]: [usize; 3]) -> usize {
        (l * Self::AB + a) * Self::AB + b
    }

    fn add(&mut self, c: [f32; 3]) {
        if self.bins.is_empty() {
            self.bins = vec![0; Self::L * Self::AB * Self::AB];
        }
        self.bins[Self::index(Self::bin(c))] += 1;
        self.total += 1;
    }

    /// Bins with a share of the colours (0.2% of them, 3 at least), each widened by one bin
    /// every way. With too few colours to tell (under 50), every colour passes.
    fn widened(self) -> LowerColours {
        if self.total < Self::FEW {
            return LowerColours::default();
        }
        let least = (self.total / 500).max(3);
        let mut out = vec![0u32; self.bins.len()];
        for l in 0..Self::L {
            for a in 0..Self::AB {
                for b in 0..Self::AB {
                    if self.bins[Self::index([l, a, b])] < least {
                        continue;
                    }
                    for nl in l.saturating_sub(1)..=(l + 1).min(Self::L - 1) {
                        for na in a.saturating_sub(1)..=(a + 1).min(Self::AB - 1) {
                            for nb in b.saturating_sub(1)..=(b + 1).min(Self::AB - 1) {
                                out[Self::index([nl, na, nb])] = 1;
                            }
                        }
                    }
                }
            }
        }
        LowerColours { bins: out, total: self.total }
    }

    /// Whether the (widened) colours have `c`; with none learnt, every colour passes.
    fn has(&self, c: [f32; 3]) -> bool {
        self.bins.is_empty() || self.bins[Self::index(Self::bin(c))] > 0
    }

    /// Whether `c`'s bin holds any of the colours added, not widened.
    fn seen(&self, c: [f32; 3]) -> bool {
        self.bins.get(Self::index(Self::bin(c))).is_some_and(|&n| n > 0)
    }

    /// Whether `c`'s bin holds a real share (1%) of the colours added, not widened: the shade
    /// in a grey shirt's folds is not its colour.
    fn common(&self, c: [f32; 3]) -> bool {
        self.bins.get(Self::index(Self::bin(c))).is_some_and(|&n| n >= (self.total / 100).max(3))
    }
}

/// The per-pixel maps of one frame the evidence is read from, all `w` x `h`.
struct PixelMaps<'a> {
    /// Which person each pixel belongs to.
    owner: &'a [usize],
    garment: &'a [f32],
    lab: &'a [[f32; 3]],
    w: u32,
    h: u32,
}

/// The evidence for one person wearing one full-body garment.
/// `hem_needed`: the share of the torso's columns a top's hem must be found in for two pieces
/// ([`HEM_ACROSS`], or [`HEM_KNOWN`] for a person whose hem was seen all across a moment ago).
fn dress_evidence(
    b: &Body,
    k: usize,
    px: &PixelMaps<'_>,
    pan: Option<&Map>,
    skin: Option<&SkinModel>,
    hem: Option<&Hem>,
    hem_needed: f32,
) -> super::DressEvidence {
    let PixelMaps { owner, garment, lab, w, h } = *px;
    let at = |p: P| -> Option<usize> {
        let (x, y) = (p.0.floor() as i64, p.1.floor() as i64);
        (x >= 0 && y >= 0 && x < w as i64 && y < h as i64).then(|| (y as u32 * w + x as u32) as usize)
    };
    let mine = |i: usize| owner[i] == k;
    let g = |p: P| at(p).filter(|&i| mine(i)).map_or(0.0, |i| garment[i]);
    // Points on the torso in (along the axis from the shoulders in torso lengths, across in
    // shoulder widths).
    let point = |t: f32, u: f32| (b.shoulder.0 + b.axis.0 * t * b.torso + b.normal.0 * u * b.sw, b.shoulder.1 + b.axis.1 * t * b.torso + b.normal.1 * u * b.sw);
    let across: Vec<f32> = (0..11).map(|j| -0.3 + 0.06 * j as f32).collect();
    // Unbroken: columns of the torso that are garment all through the waist band.
    let band: Vec<f32> = (0..9).map(|j| 0.7 + 0.05 * j as f32).collect();
    let unbroken = across.iter().filter(|&&u| band.iter().all(|&t| g(point(t, u)) > 0.5)).count() as f32 / across.len() as f32;
    // Bare skin at the waist (a crop top, a shirtless runner).
    let skin_at = |p: P| {
        at(p).filter(|&i| mine(i)).map_or(0.0, |i| {
            let (x, y) = (i as u32 % w, i as u32 / w);
            pan.map_or(0.0, |m| m.get(x, y, 0)) * skin.map_or(1.0, |s| 1.0 - 0.8 * s.fabric(lab[i]))
        })
    };
    let waist_pts: Vec<P> = across.iter().flat_map(|&u| (0..6).map(move |j| (0.7 + 0.06 * j as f32, u))).map(|(t, u)| point(t, u)).collect();
    let skin_at_waist = waist_pts.iter().filter(|&&p| skin_at(p) > 0.5).count() as f32 / waist_pts.len() as f32;
    // The garment's colours above and below the waist, for the one-look test below.
    let colours =
        |pts: &mut dyn Iterator<Item = P>| -> Vec<[f32; 3]> { pts.filter_map(|p| at(p).filter(|&i| mine(i) && garment[i] > 0.5)).map(|i| lab[i]).collect() };
    let above = colours(&mut across.iter().flat_map(|&u| (0..6).map(move |j| point(0.4 + 0.07 * j as f32, u))));
    // Below: down the body to well past the hips, where a dress goes on and a top has ended, and
    // down the thighs; `from` leaves out the nearer samples of each.
    let down_body = |from: usize| -> Vec<P> { across.iter().flat_map(|&u| (from..8).map(move |j| point(1.05 + 0.06 * j as f32, u))).collect() };
    let down_thighs =
        |from: usize| -> Vec<P> { b.thighs.iter().flatten().flat_map(|&(hp, kn)| (from..6).map(move |j| lerp(hp, kn, 0.1 * j as f32))).collect() };
    let mut below_pts = down_body(0);
    // How much of the body below the waist the frame holds: a webcam that ends at the hips shows
    // nothing to tell a dress from trousers, and a top's hem there is no lower garment.
    let below_seen = below_pts.iter().filter(|&&p| at(p).is_some()).count() as f32 / below_pts.len() as f32;
    below_pts.extend(down_thighs(1));
    // The far half of those: a top that hangs past the hips (seen from above, the hip joints sit
    // well over its hem) fills the near half, and its trousers show only here.
    let far_pts: Vec<P> = down_body(4).into_iter().chain(down_thighs(3)).collect();
    let below = colours(&mut below_pts.into_iter());
    let far = colours(&mut far_pts.into_iter());
    // One look: the colours of the garment below the waist occur above it, and the other way
    // round (a print repeats, a top and trousers differ), compared by CIE94 with the textile
    // weights, which forgive the lightness changes of folds and shade.
    let shared = (above.len() >= 6 && below.len() >= 6).then(|| {
        let found = |from: &[[f32; 3]], to: &[[f32; 3]]| from.iter().filter(|c| to.iter().any(|d| cie94(**c, *d) < 8.0)).count() as f32 / from.len() as f32;
        // Where the far half has fabric enough, its colours are the ones that must be found
        // above; else (a short dress over bare legs) all of them.
        let below_found = if far.len() >= 6 { found(&far, &above) } else { found(&below, &above) };
        found(&above, &below).min(below_found)
    });
    // Between the legs: trousers and shorts leave a gap where both legs are clothed; a skirt or
    // a dress runs across.
    let (mut gap, mut bridged) = (0u32, 0u32);
    if let Some([(lh, lk), (rh, rk)]) = b.thighs {
        for f in [0.2f32, 0.35, 0.5, 0.65, 0.8] {
            let (l, r) = (lerp(lh, lk, f), lerp(rh, rk, f));
            if len(sub(l, r)) < 0.2 * b.sw || g(l) < 0.5 || g(r) < 0.5 {
                continue;
            }
            let m = g(lerp(l, r, 0.5));
            if m < 0.3 {
                gap += 1;
            } else if m > 0.5 {
                bridged += 1;
            }
        }
    }
    let leg_gap = (gap + bridged > 0).then_some(gap > bridged);
    // Without the legs' say, the rest must be surer.
    let same_look = shared.is_some_and(|s| s >= if leg_gap.is_some() { 0.7 } else { 0.75 });
    // A top's own hem across the torso: its colours give way to others below it all the way
    // across (b1's slate shirt over navy trousers, whose dark folds match the trousers closely
    // enough that their colours count as shared). A dress has no such edge above mid-thigh, or
    // only across part of it where the skirt falls in other light (Two_dancers: 0.55).
    let hem = hem.map(|h| h.share_across(b, 0.3));
    let says_full = unbroken >= if leg_gap.is_some() { 0.6 } else { 0.8 }
        && same_look
        && skin_at_waist < 0.15
        && leg_gap != Some(true)
        && hem.is_none_or(|h| h < hem_needed);
    super::DressEvidence { unbroken, colours_shared: shared, skin_at_waist, leg_gap, below_seen, hem, says_full }
}

/// Whether a skeleton turned more than 60 degrees from upright is no body: where its legs would
/// be (2.5 and 3 torso lengths from the shoulders, along its axis) the person mask is empty,
/// while straight down the image from its shoulders the person goes on. That is the back of a
/// head the detector took for someone lying on their side (b3's walkers entering from below),
/// whose hair was restyled as a tiny person's fabric. Someone really lying down has the mask
/// along their legs; where those points are outside the frame nothing is known and it stays.
fn sideways_on_nobody(q: &Person, b: &Body, selfie: &Map) -> bool {
    if q.roi.rotation.abs() < 60f32.to_radians() || !b.hips_seen {
        return false;
    }
    let at = |p: P| (p.0 >= 0.0 && p.1 >= 0.0 && p.0 < selfie.width as f32 && p.1 < selfie.height as f32).then(|| selfie.get(p.0 as u32, p.1 as u32, 0));
    let (mut along, mut down, mut n) = (0.0f32, 0.0f32, 0u32);
    for k in [2.5f32, 3.0] {
        let legs = (b.shoulder.0 + b.axis.0 * k * b.torso, b.shoulder.1 + b.axis.1 * k * b.torso);
        let below = (b.shoulder.0, b.shoulder.1 + k * b.torso);
        if let (Some(a), Some(d)) = (at(legs), at(below)) {
            along += a;
            down += d;
            n += 1;
        }
    }
    n > 0 && along / (n as f32) < 0.3 && down / (n as f32) > 0.5
}

/// Whether a skeleton tilted [`TILTED`] or more from upright has no skin or hair where its face
/// is: no one. Searched closer, the detector finds shapes on a bed or among pillows (c3: head
/// shares under 0.05, where the children's heads read 0.8-1.0, hair from behind included), and
/// the landmark model strings a skeleton from the wall between two children down to one's legs
/// (c3, frames 190-193, tilted 33-39 degrees, head share under 0.01: the blanket under it was
/// restyled). Upright skeletons are not judged so, as the landmark model can put a real person's
/// face a head too high (p2's seated man, 0.00, tilted 1 degree; b3's walker leaving the frame,
/// 0.00, 8-25 degrees); the children leaning 30-52 degrees in c3 read 1.0.
fn tilted_headless(q: &Person, b: &Body, pan: &Map) -> bool {
    q.roi.rotation.abs() >= TILTED.to_radians() && head_share(b, pan).is_some_and(|s| s < 0.1)
}

/// Degrees from upright past which a skeleton with no head is no one ([`tilted_headless`]).
const TILTED: f32 = 30.0;

/// The share of a square (frame pixels) that is salient (> 0.5) and outside every found person's
/// extent ([`extent`]).
fn unexplained(saliency: &Map, found: &[Person], (left, top, side): (f32, f32, f32), (sx, sy): (f32, f32)) -> f32 {
    // With no landmark present the box is inside out and holds nothing.
    let boxes: Vec<[f32; 4]> = found.iter().map(|q| extent(q, sx, sy, 0.0)).collect();
    let (x0, y0) = ((left * sx).max(0.0) as u32, (top * sy).max(0.0) as u32);
    let (x1, y1) = ((((left + side) * sx) as u32).min(saliency.width), (((top + side) * sy) as u32).min(saliency.height));
    let (mut salient, mut n) = (0u32, 0u32);
    for y in (y0..y1).step_by(2) {
        for x in (x0..x1).step_by(2) {
            n += 1;
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            if saliency.get(x, y, 0) > 0.5 && !boxes.iter().any(|b| px >= b[0] && px <= b[2] && py >= b[1] && py <= b[3]) {
                salient += 1;
            }
        }
    }
    let share = salient as f32 / n.max(1) as f32;
    tracing::trace!(share, left, "unexplained saliency");
    share
}

/// How much of the face disc PAN reads as skin or hair (0..1), or None without a face disc or
/// samples in the frame.
fn head_share(b: &Body, pan: &Map) -> Option<f32> {
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

/// Whether PAN calls a skeleton's lower chest and belly hair. On a real body that is fabric or
/// skin; hair long enough to cover it from behind is rare. Points outside the map say nothing.
fn torso_of_hair(b: &Body, pan: &Map) -> bool {
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
    n >= 8 && hair / n as f32 > 0.5
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

/// The share of the body below the waist a full-body call needs in view.
const FULL_NEEDS_SEEN: f32 = 0.75;

/// What one analysis's evidence says a person wears. Without the hips, or with too little of the
/// body below the waist in the frame (under half of it), all that is seen is a top.
fn call_of(evidence: Option<&super::DressEvidence>) -> WearCall {
    match evidence {
        None => WearCall::Upper,
        Some(e) if e.below_seen < 0.5 => WearCall::Upper,
        // One garment on to the bottom of the frame just past the hips is a long top as much as a
        // dress: a dress is called only where most of the body below the waist is in view.
        Some(e) if e.says_full && e.below_seen < FULL_NEEDS_SEEN => WearCall::Upper,
        Some(e) if e.says_full => WearCall::Full,
        Some(_) => WearCall::TwoPiece,
    }
}

/// PAN's say at one pixel, read for its owner.
#[derive(Debug, Clone, Copy)]
struct Evidence {
    clothes: f32,
    skin: f32,
    hair: f32,
    /// Skin of this person's own skin colour (the face's), for learning what is not garment.
    true_skin: f32,
}

/// One person's skin colour, learnt from the skin PAN finds on their face: a garment of a
/// skin-like colour that is not this person's skin is not taken for skin.
#[derive(Debug, Clone, Copy)]
struct SkinModel {
    mean: [f32; 3],
    spread: [f32; 3],
    /// The face disc's radius in map pixels.
    radius: f32,
}

impl SkinModel {
    fn learn((c, r): (P, f32), lab: &[[f32; 3]], pan: Option<&Map>, w: u32, h: u32) -> Option<SkinModel> {
        let pan = pan?;
        let mut samples = Vec::new();
        for j in -6..=6 {
            for i in -6..=6 {
                let p = (c.0 + i as f32 * r / 6.0, c.1 + j as f32 * r / 6.0);
                let (x, y) = (p.0.floor() as i64, p.1.floor() as i64);
                if (i * i + j * j) > 36 || x < 0 || y < 0 || x >= w as i64 || y >= h as i64 {
                    continue;
                }
                if pan.get(x as u32, y as u32, 0) > 0.6 {
                    samples.push(lab[(y as u32 * w + x as u32) as usize]);
                }
            }
        }
        if samples.len() < 6 {
            return None;
        }
        let n = samples.len() as f32;
        let mean = [0, 1, 2].map(|k| samples.iter().map(|s| s[k]).sum::<f32>() / n);
        let spread = [0, 1, 2].map(|k| (samples.iter().map(|s| (s[k] - mean[k]).powi(2)).sum::<f32>() / n).sqrt());
        Some(SkinModel { mean, spread, radius: r })
    }

    /// How surely a colour PAN may call skin is fabric instead: unlike this face's skin, and either
    /// a colour no skin has or far more saturated than this person's skin. Only then: sun and
    /// shade move body skin away from the face's colour, but keep it a skin colour about as
    /// saturated as the face.
    fn fabric(&self, c: [f32; 3]) -> f32 {
        let face_chroma = self.mean[1].hypot(self.mean[2]).max(8.0);
        let vivid = smoothstep(1.6, 2.4, c[1].hypot(c[2]) / face_chroma);
        (1.0 - self.matches(c)) * (1.0 - skin_gamut(c)).max(vivid)
    }

    /// How surely a colour is far paler than this face: a pastel of its hue (a peach top over
    /// brown skin: saturation, chroma over lightness, 0.1-0.16 against the face's 0.38) is a
    /// colour skin has, but not this person's. Sun and shade keep skin's saturation (0.88 on the
    /// sprinter's sunlit back and his shaded face alike); a shine on skin is as pale, but small.
    fn pale(&self, c: [f32; 3]) -> f32 {
        let saturation = |c: [f32; 3]| c[1].hypot(c[2]) / c[0].max(10.0);
        1.0 - smoothstep(0.35, 0.55, saturation(c) / saturation(self.mean).max(0.05))
    }

    /// 1 for this person's skin colour, falling to 0 well away from it. Lightness varies with
    /// shading, so it weighs less than the chroma.
    fn matches(&self, c: [f32; 3]) -> f32 {
        // Sun and shade on one person's skin move its lightness far more than its hue.
        let tol = [(2.5 * self.spread[0]).max(35.0), (2.5 * self.spread[1]).max(8.0), (2.5 * self.spread[2]).max(8.0)];
        let d = (0..3).map(|k| ((c[k] - self.mean[k]) / tol[k]).powi(2)).sum::<f32>().sqrt();
        1.0 - smoothstep(1.0, 2.0, d)
    }
}

/// 1 for colours human skin takes in any light (Lab hue between about 15 and 85 degrees, chroma
/// up to about 45), falling to 0 outside: an orange or a blue fabric is no one's skin.
pub fn skin_gamut(c: [f32; 3]) -> f32 {
    let chroma = c[1].hypot(c[2]);
    let hue = c[2].atan2(c[1]).to_degrees();
    (1.0 - smoothstep(40.0, 55.0, chroma)) * smoothstep(0.0, 15.0, hue) * (1.0 - smoothstep(85.0, 100.0, hue))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A segmenter without models that follows one person, not yet called.
    #[test]
    fn skin_in_shade_and_sun_is_in_the_skin_gamut_and_orange_and_blue_are_not() {
        assert!(skin_gamut(lab([224, 172, 140])) > 0.9 && skin_gamut(lab([92, 58, 40])) > 0.9);
        assert!(skin_gamut(lab([240, 150, 20])) < 0.1 && skin_gamut(lab([40, 90, 200])) < 0.1);
    }

    fn one_new_track() -> CompositeSegmenter {
        let mut s = CompositeSegmenter { pan: None, pose: None, selfie: None, tracks: Vec::new(), next_id: 1, analyses: 0, steady: Steady::capped() };
        s.tracks.push(Track {
            id: 1,
            centre: (0.0, 0.0),
            scale: 1.0,
            call: WearCall::Upper,
            against: u32::MAX,
            missed: 0,
            next: None,
            last: None,
            hem_seen: None,
        });
        s
    }

    /// The hem split as the segmenter makes it: where a hem is found.
    fn split_at_hem(b: &Body, px: &PixelMaps<'_>, side: &mut [Side]) {
        if let Some(hem) = Hem::find(b, 0, px) {
            split_by_colour(b, 0, px, &hem, side);
        }
    }

    /// An upright body with its hips seen, no limbs, in a 40x40 map.
    fn upright_body(shoulder: P, torso: f32, sw: f32) -> Body {
        let hip = (shoulder.0, shoulder.1 + torso);
        Body {
            shoulder,
            hips_seen: true,
            waist: lerp(shoulder, hip, 0.88),
            sw,
            torso,
            upper: vec![],
            lower: vec![],
            thighs: None,
            knee_row: None,
            ankle_row: None,
            never: vec![],
            axis: (0.0, 1.0),
            normal: (-1.0, 0.0),
            face: None,
            bbox: [0.0, 0.0, 40.0, 40.0],
        }
    }

    #[test]
    fn skeleton_assigns_a_raised_knee_to_the_lower_body() {
        // Shoulders at y=10, hips at y=30, a thigh raised forward to the chest's side.
        let b = Body {
            upper: vec![((20.0, 10.0), (20.0, 27.6), 6.0)],
            lower: vec![((20.0, 27.6), (20.0, 34.0), 6.0), ((22.0, 30.0), (32.0, 18.0), 3.0)],
            ..upright_body((20.0, 10.0), 20.0, 10.0)
        };
        // On the raised thigh beside the chest: lower, though it is above the waist line.
        assert!(b.lower_share((31.0, 19.0)) > 0.9);
        // The chest: upper.
        assert!(b.lower_share((20.0, 15.0)) < 0.1);
        // Above the neck between the shoulders: never a garment.
        assert!(b.never_garment((20.0, 4.0)) > 0.9);
        assert!(b.never_garment((20.0, 15.0)) < 0.1);
    }

    #[test]
    fn a_head_in_profile_is_never_a_garment_to_its_crown() {
        // b1 frame 247: the juggler turned right and leaning forward, his landmarks as the pose
        // model gave them (1280 x 720). His head is forward of his shoulders, out of the region
        // above the neck, and the face disc (on the face's landmarks) stops short of the back of
        // his head: his hair there was restyled with his shirt.
        let points = [
            (802.0, 173.0, 1.0),
            (803.0, 159.0, 1.0),
            (803.0, 159.0, 1.0),
            (802.0, 159.0, 1.0),
            (800.0, 156.0, 1.0),
            (798.0, 153.0, 1.0),
            (795.0, 151.0, 1.0),
            (786.0, 150.0, 0.99),
            (776.0, 139.0, 1.0),
            (789.0, 179.0, 1.0),
            (786.0, 176.0, 1.0),
            (739.0, 201.0, 1.0),
            (702.0, 169.0, 1.0),
            (678.0, 285.0, 0.09),
            (638.0, 255.0, 0.98),
            (687.0, 366.0, 0.16),
            (645.0, 366.0, 0.94),
            (693.0, 389.0, 0.15),
            (639.0, 393.0, 0.9),
            (695.0, 393.0, 0.15),
            (654.0, 399.0, 0.9),
            (690.0, 384.0, 0.15),
            (656.0, 390.0, 0.86),
            (674.0, 351.0, 1.0),
            (634.0, 352.0, 1.0),
            (755.0, 436.0, 0.64),
            (653.0, 497.0, 0.97),
            (791.0, 566.0, 0.8),
            (637.0, 640.0, 0.98),
            (775.0, 590.0, 0.76),
            (622.0, 659.0, 0.9),
            (868.0, 600.0, 0.89),
            (685.0, 687.0, 0.97),
        ];
        let b = body(&pose::Person::of_landmarks(&points), 1280, 720, 1.0, 1.0).expect("shoulders seen");
        // The ears lie near the middle of a head seen from the side, the nose about a head's
        // radius in front of them: the crown and the back of the head are as far behind.
        let (nose, mid) = ((802.0, 173.0), (781.0, 144.5));
        for f in [0.5f32, 0.8] {
            let back = (mid.0 + f * (mid.0 - nose.0), mid.1 + f * (mid.1 - nose.1));
            assert!(b.never_garment(back) > 0.9, "{f}: {back:?} {}", b.never_garment(back));
        }
        let crown = (mid.0 - 5.0, mid.1 - 30.0);
        assert!(b.never_garment(crown) > 0.9, "crown {}", b.never_garment(crown));
        // The hair on top, where it was restyled (1.4 of the nose's distance above the ears).
        assert!(b.never_garment((790.0, 94.0)) > 0.9, "hair on top {}", b.never_garment((790.0, 94.0)));
        // His shirt's collar and shoulder stay garment.
        assert!(b.never_garment((725.0, 200.0)) < 0.1, "{}", b.never_garment((725.0, 200.0)));
    }

    #[test]
    fn a_frame_that_ends_at_the_hips_shows_a_top_alone() {
        // A webcam framing: shoulders at y=10, hips at y=36 of a 40-pixel-high map, one colour of
        // garment all down the body to the frame's lower edge.
        let (w, h) = (40u32, 40u32);
        let b = upright_body((20.0, 10.0), 26.0, 16.0);
        let n = (w * h) as usize;
        let (owner, garment, lab) = (vec![0usize; n], vec![1.0f32; n], vec![[50.0f32, 40.0, 30.0]; n]);
        let e = dress_evidence(&b, 0, &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h }, None, None, None, HEM_ACROSS);
        assert!(e.below_seen < 0.5, "{e:?}");
        assert_eq!(call_of(Some(&e)), WearCall::Upper);
        // A frame that ends just past the hips (a1's hoodie): one garment to the lower edge is a
        // long top as much as a dress; a top is what is seen.
        let h = 44u32;
        let n = (w * h) as usize;
        let (owner, garment, lab) = (vec![0usize; n], vec![1.0f32; n], vec![[50.0f32, 40.0, 30.0]; n]);
        let e = dress_evidence(&b, 0, &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h }, None, None, None, HEM_ACROSS);
        assert!(e.below_seen >= 0.5 && e.below_seen < 0.75 && e.says_full, "{e:?}");
        assert_eq!(call_of(Some(&e)), WearCall::Upper);
        // The same body in a frame that goes on down the legs: the evidence decides.
        let h = 60u32;
        let n = (w * h) as usize;
        let (owner, garment, lab) = (vec![0usize; n], vec![1.0f32; n], vec![[50.0f32, 40.0, 30.0]; n]);
        let e = dress_evidence(&b, 0, &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h }, None, None, None, HEM_ACROSS);
        assert_eq!(e.below_seen, 1.0);
        assert_eq!(call_of(Some(&e)), WearCall::Full);
    }

    /// Shoulders at y=10, hips at y=30, one leg: knee at y=42, ankle at y=52.
    fn one_legged_body() -> Body {
        Body {
            upper: vec![((20.0, 10.0), (20.0, 27.6), 6.0)],
            lower: vec![((20.0, 27.6), (20.0, 34.0), 6.0), ((17.0, 30.0), (17.0, 42.0), 3.0), ((17.0, 42.0), (17.0, 52.0), 2.2)],
            knee_row: Some(42.0),
            ankle_row: Some(52.0),
            ..upright_body((20.0, 10.0), 20.0, 10.0)
        }
    }

    #[test]
    fn below_the_knees_only_garment_joined_to_the_torso_along_the_legs_and_in_its_colours_stays() {
        let b = one_legged_body();
        let (w, h) = (40u32, 60u32);
        let mut garment = vec![0.0f32; (w * h) as usize];
        let mut fill = |x0: u32, x1: u32, y0: u32, y1: u32| {
            for y in y0..y1 {
                for x in x0..x1 {
                    garment[(y * w + x) as usize] = 1.0;
                }
            }
        };
        fill(14, 26, 10, 34); // the shirt and the shorts' seat
        fill(15, 20, 34, 53); // a trouser leg down to the ankle
        fill(15, 32, 53, 57); // a shoe, joined at the ankle, running off the leg
        fill(30, 35, 45, 50); // a hand on the ground, apart from the garment
        fill(30, 35, 15, 20); // something held at the chest, apart too
        let owner = vec![0usize; garment.len()];
        let grey = vec![[50.0f32, 0.0, 0.0]; garment.len()];
        let out = joined_below_knees(garment.clone(), &[&b], &owner, &grey, w, h);
        // A white ball against the grey trouser leg below the knee, and a dark crease inside it.
        let mut lab = grey.clone();
        let mut with_ball = garment;
        for y in 44..50 {
            for x in 20..26 {
                with_ball[(y * w + x) as usize] = 1.0;
                lab[(y * w + x) as usize] = [95.0, 0.0, 0.0];
            }
        }
        for y in 45..47 {
            for x in 16..19 {
                lab[(y * w + x) as usize] = [20.0, 0.0, 0.0];
            }
        }
        let coloured = joined_below_knees(with_ball, &[&b], &owner, &lab, w, h);
        assert_eq!(coloured[(47 * w + 24) as usize], 0.0, "the ball");
        assert_eq!(coloured[(46 * w + 17) as usize], 1.0, "the crease");
        assert_eq!(coloured[(40 * w + 17) as usize], 1.0, "the trouser leg");
        let at = |x: u32, y: u32| out[(y * w + x) as usize];
        assert_eq!(at(20, 20), 1.0, "the shirt");
        assert_eq!(at(17, 48), 1.0, "the trouser leg");
        assert_eq!(at(17, 53), 1.0, "the hem at the ankle");
        assert_eq!(at(29, 55), 0.0, "the shoe off the leg");
        assert_eq!(at(32, 47), 0.0, "the hand on the ground");
        assert_eq!(at(32, 17), 1.0, "above the knees this rule does not judge");
        // Without a seen shin the rule stands aside.
        let unseen = Body { knee_row: None, ankle_row: None, ..b.clone() };
        let mut lone = vec![0.0f32; (w * h) as usize];
        lone[(47 * w + 32) as usize] = 1.0;
        assert_eq!(joined_below_knees(lone, &[&unseen], &owner, &grey, w, h)[(47 * w + 32) as usize], 1.0);
    }

    #[test]
    fn a_shirt_hanging_past_the_hips_over_trousers_is_two_pieces() {
        // Shoulders at y=10, hips at y=36; the shirt, seen from above, hangs on to y=46 and the
        // trousers (another colour) go on below. Most of the body just below the waist is shirt;
        // the far half of it shows the trousers.
        let (w, h) = (40u32, 60u32);
        let b = upright_body((20.0, 10.0), 26.0, 16.0);
        let n = (w * h) as usize;
        let (owner, garment) = (vec![0usize; n], vec![1.0f32; n]);
        let lab: Vec<[f32; 3]> = (0..n).map(|i| if i < (46 * w) as usize { [60.0, 0.0, 0.0] } else { [10.0, 5.0, -20.0] }).collect();
        let e = dress_evidence(&b, 0, &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h }, None, None, None, HEM_ACROSS);
        assert!(!e.says_full, "{e:?}");
        assert_eq!(call_of(Some(&e)), WearCall::TwoPiece);
    }

    #[test]
    fn a_shirt_whose_folds_are_the_trousers_colour_over_them_is_two_pieces() {
        // b1: a slate shirt hanging to y=41 over navy trousers, legs together. The shirt's folds
        // (every third column) are dark enough to match the navy closely, so the colours above
        // and below the waist count as shared; the shirt's hem, all across the torso, is what
        // tells the two apart.
        let (w, h) = (40u32, 60u32);
        let b = Body {
            upper: vec![((20.0, 10.0), (20.0, 32.9), 9.6)],
            lower: vec![((20.0, 32.9), (20.0, 41.2), 9.6), ((16.0, 36.0), (16.0, 55.0), 4.8), ((24.0, 36.0), (24.0, 55.0), 4.8)],
            thighs: Some([((16.0, 36.0), (16.0, 48.0)), ((24.0, 36.0), (24.0, 48.0))]),
            ..upright_body((20.0, 10.0), 26.0, 16.0)
        };
        let n = (w * h) as usize;
        let (owner, garment) = (vec![0usize; n], vec![1.0f32; n]);
        let (slate, fold, navy) = ([36.0, 1.0, -15.0], [18.0, 1.0, -14.0], [9.0, 2.0, -11.0]);
        let folded = |i: usize, c: [f32; 3]| if (i as u32 % w).is_multiple_of(3) { fold } else { c };
        let lab: Vec<[f32; 3]> = (0..n).map(|i| if i < (41 * w) as usize { folded(i, slate) } else { navy }).collect();
        let px = PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h };
        let e = dress_evidence(&b, 0, &px, None, None, Hem::find(&b, 0, &px).as_ref(), HEM_ACROSS);
        assert!(e.colours_shared.is_some_and(|s| s >= 0.7), "the folds match the trousers: {e:?}");
        assert!(e.hem.is_some_and(|h| h >= HEM_ACROSS), "{e:?}");
        assert!(!e.says_full, "{e:?}");
        assert_eq!(call_of(Some(&e)), WearCall::TwoPiece);
        // A dress of the same slate with the same folds down to the knees is still one garment.
        let dress: Vec<[f32; 3]> = (0..n).map(|i| folded(i, slate)).collect();
        let px = PixelMaps { owner: &owner, garment: &garment, lab: &dress, w, h };
        let e = dress_evidence(&b, 0, &px, None, None, Hem::find(&b, 0, &px).as_ref(), HEM_ACROSS);
        assert!(e.hem.is_some_and(|h| h < HEM_ACROSS), "{e:?}");
        assert_eq!(call_of(Some(&e)), WearCall::Full, "{e:?}");
        // Turned a little, the shirt's tail hangs on over one side of the trousers: the hem is
        // seen across part of the torso only. From a stranger that is no proof of two pieces;
        // from a person whose hem was seen all across a moment ago, it is.
        let turned: Vec<[f32; 3]> = (0..n).map(|i| if i as u32 % w <= 18 && i < (50 * w) as usize { folded(i, slate) } else { lab[i] }).collect();
        let px = PixelMaps { owner: &owner, garment: &garment, lab: &turned, w, h };
        let hem = Hem::find(&b, 0, &px);
        let e = dress_evidence(&b, 0, &px, None, None, hem.as_ref(), HEM_ACROSS);
        assert!(e.hem.is_some_and(|h| (HEM_KNOWN..HEM_ACROSS).contains(&h)), "{e:?}");
        assert_eq!(call_of(Some(&e)), WearCall::Full, "{e:?}");
        let e = dress_evidence(&b, 0, &px, None, None, hem.as_ref(), HEM_KNOWN);
        assert_eq!(call_of(Some(&e)), WearCall::TwoPiece, "{e:?}");
    }

    #[test]
    fn a_hem_seen_all_across_is_remembered_for_a_while() {
        let mut s = one_new_track();
        assert_eq!(s.hem_needed(0), HEM_ACROSS, "a stranger");
        s.saw_hem(0, Some(0.9));
        assert_eq!(s.hem_needed(0), HEM_KNOWN);
        for _ in 0..HEM_MEMORY {
            s.saw_hem(0, Some(0.3));
            assert_eq!(s.hem_needed(0), HEM_KNOWN);
        }
        s.saw_hem(0, None);
        assert_eq!(s.hem_needed(0), HEM_ACROSS, "forgotten");
    }

    #[test]
    fn a_column_s_edge_is_where_the_top_s_colours_give_way_to_others() {
        let col = |s: &str| -> Vec<(f32, i8)> {
            s.chars()
                .enumerate()
                .map(|(j, c)| {
                    (
                        j as f32,
                        if c == 'T' {
                            1
                        } else if c == 'o' {
                            -1
                        } else {
                            0
                        },
                    )
                })
                .collect()
        };
        // Top, a stray shade, top, then the trousers with a crease of the top's colour.
        assert_eq!(top_edge(&mut col("TTTT.TTTTTooooTooooo")), 9.5);
        // The top all the way down, or others below that are mostly its shades: no edge.
        assert!(top_edge(&mut col("TTTTTTTTTTTT")).is_nan());
        assert!(top_edge(&mut col("TTTTTT....o.")).is_nan());
        // None of the top in the column: it says nothing of where the top ends.
        assert!(top_edge(&mut col("oooooooo")).is_nan());
        // Too few pixels to tell.
        assert!(top_edge(&mut col("Too")).is_nan());
    }

    #[test]
    fn a_top_hanging_past_the_waist_line_is_the_top_down_to_its_hem() {
        // Shoulders at y=10, hips at y=36 (the waist line at y=32.9); the shirt hangs on to y=41
        // and trousers of another colour go on below.
        let (w, h) = (40u32, 60u32);
        let b = Body {
            upper: vec![((20.0, 10.0), (20.0, 32.9), 9.6)],
            lower: vec![((20.0, 32.9), (20.0, 41.2), 9.6), ((16.0, 36.0), (16.0, 55.0), 4.8), ((24.0, 36.0), (24.0, 55.0), 4.8)],
            ..upright_body((20.0, 10.0), 26.0, 16.0)
        };
        let n = (w * h) as usize;
        let (owner, garment) = (vec![0usize; n], vec![1.0f32; n]);
        let (shirt, trousers) = ([60.0, 0.0, 0.0], [10.0, 5.0, -20.0]);
        let split = |lab: &[[f32; 3]]| {
            let mut side = vec![Side::Skeleton; n];
            split_at_hem(&b, &PixelMaps { owner: &owner, garment: &garment, lab, w, h }, &mut side);
            side
        };
        let lab: Vec<[f32; 3]> = (0..n).map(|i| if i < (41 * w) as usize { shirt } else { trousers }).collect();
        let side = split(&lab);
        let at = |x: u32, y: u32| side[(y * w + x) as usize];
        // The shirt below the waist line, down to its hem: the top; the trousers: the lower garment.
        assert_eq!(at(20, 36), Side::Upper);
        assert_eq!(at(20, 40), Side::Upper);
        assert_eq!(at(20, 44), Side::Lower);
        // Trousers in the shirt's colour: nothing tells where the shirt ends, the skeleton decides.
        assert!(split(&vec![shirt; n]).iter().all(|s| *s == Side::Skeleton));
        // Nor on a body bent over (a crouch): the columns would cross the folded legs.
        let bent = Body { axis: (0.7, 0.71), normal: (-0.71, 0.7), ..b.clone() };
        let mut side = vec![Side::Skeleton; n];
        split_at_hem(&bent, &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h }, &mut side);
        assert!(side.iter().all(|s| *s == Side::Skeleton));
        // Nor on an upright torso over a folded leg (a crouch: one knee forward, one down): below
        // the hips is a thigh reaching forward, not a shirt's tail.
        let crouch = Body { thighs: Some([((16.0, 36.0), (14.0, 55.0)), ((24.0, 36.0), (38.0, 37.0))]), ..b.clone() };
        let mut side = vec![Side::Skeleton; n];
        split_at_hem(&crouch, &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h }, &mut side);
        assert!(side.iter().all(|s| *s == Side::Skeleton));
        // A walker's raised knee (one thigh 40 degrees forward) still lets the split be made.
        let walking = Body { thighs: Some([((16.0, 36.0), (16.0, 55.0)), ((24.0, 36.0), (36.0, 50.0))]), ..b.clone() };
        let mut side = vec![Side::Skeleton; n];
        split_at_hem(&walking, &PixelMaps { owner: &owner, garment: &garment, lab: &lab, w, h }, &mut side);
        assert_eq!(side[(40 * w + 20) as usize], Side::Upper);
    }

    #[test]
    fn trousers_under_a_top_that_fills_the_upper_thighs_keep_their_colour_below_the_knees() {
        // Seen from above (b3): the shirt (one colour) hangs over the hips and the upper thighs
        // down to y=37, the trousers (another) show from there on down past the knee (y=42).
        let b = one_legged_body();
        let (w, h) = (40u32, 60u32);
        let (shirt, trousers) = ([60.0f32, 0.0, 0.0], [10.0f32, 5.0, -20.0]);
        let mut garment = vec![0.0f32; (w * h) as usize];
        let mut lab = vec![[90.0f32, 0.0, 0.0]; garment.len()];
        for y in 10..53 {
            for x in 12..26 {
                if y < 37 || x < 24 {
                    garment[(y * w + x) as usize] = 1.0;
                    lab[(y * w + x) as usize] = if y < 37 { shirt } else { trousers };
                }
            }
        }
        let owner = vec![0usize; garment.len()];
        let out = joined_below_knees(garment, &[&b], &owner, &lab, w, h);
        assert_eq!(out[(48 * w + 17) as usize], 1.0, "the trouser leg below the knee");
        assert_eq!(out[(20 * w + 20) as usize], 1.0, "the shirt");
    }

    #[test]
    fn a_hand_is_never_a_garment_and_its_cuff_is() {
        // Wrist at (20, 20), the hand to its right.
        let hand = Never { c: (24.0, 20.0), r: 6.0, from: Some(((20.0, 20.0), (1.0, 0.0))), hand: true };
        assert_eq!(hand.at((25.0, 21.0)), 1.0);
        assert_eq!(hand.at((20.0, 20.0)), 1.0);
        // Inside the disc, but half its radius back up the forearm: the cuff.
        assert_eq!(hand.at((17.0, 20.0)), 0.0);
        // A face has no wrist: the whole disc.
        assert_eq!(Never { from: None, ..hand }.at((19.0, 20.0)), 1.0);
    }

    #[test]
    fn a_skeleton_whose_torso_is_hair_is_no_body() {
        // PAN's skin, clothes, hair in a 40x40 map: hair in the top half, clothes below.
        let pan = Map::from_fn(40, 40, 3, |_, y, c| match (y < 20, c) {
            (true, 2) | (false, 1) => 1.0,
            _ => 0.0,
        });
        // A small skeleton wholly inside the hair (the back of a head): no body.
        assert!(torso_of_hair(&upright_body((20.0, 4.0), 8.0, 6.0), &pan));
        // A body whose chest is in the clothes, its long hair over the shoulders: a body.
        assert!(!torso_of_hair(&upright_body((20.0, 16.0), 16.0, 10.0), &pan));
        // Its torso below the frame: nothing known, it stays.
        assert!(!torso_of_hair(&upright_body((20.0, 38.0), 16.0, 10.0), &pan));
    }

    #[test]
    fn a_closer_square_is_worth_searching_where_the_salient_area_is_no_one_s() {
        // A 40x20 saliency map of an 80x40 frame: someone salient at the left (map x 4-12), and
        // something salient at the right (map x 28-34).
        let saliency =
            Map::from_fn(
                40,
                20,
                1,
                |x, y, _| if (4..12).contains(&x) && (4..16).contains(&y) || (28..34).contains(&x) && (6..12).contains(&y) { 1.0 } else { 0.0 },
            );
        let left = (0.0, 0.0, 40.0);
        let right = (40.0, 0.0, 40.0);
        // No one found: both squares hold salient area no one explains.
        assert!(unexplained(&saliency, &[], left, (0.5, 0.5)) > 0.1);
        assert!(unexplained(&saliency, &[], right, (0.5, 0.5)) > 0.05);
        // Someone found at the left (frame x 8-24, y 8-32): the left square is explained, the
        // right one still is not.
        let q = Person::of_landmarks(&[(10.0, 10.0, 1.0), (22.0, 30.0, 1.0)]);
        assert_eq!(unexplained(&saliency, std::slice::from_ref(&q), left, (0.5, 0.5)), 0.0);
        assert!(unexplained(&saliency, std::slice::from_ref(&q), right, (0.5, 0.5)) > 0.05);
    }

    #[test]
    fn a_skeleton_tilted_or_lying_with_no_head_is_no_one() {
        // PAN's skin, clothes, hair in a 40x40 map: skin (a face) in the top left corner only.
        let pan = Map::from_fn(40, 40, 3, |x, y, c| if x < 10 && y < 10 && c == 0 { 1.0 } else { 0.0 });
        let lying = |face: P| {
            let mut q = Person::of_landmarks(&[]);
            q.roi.rotation = 1.6;
            let mut b = upright_body((20.0, 20.0), 8.0, 6.0);
            b.face = Some((face, 3.0));
            (q, b)
        };
        // Its face on the bedclothes: no one.
        let (q, b) = lying((30.0, 30.0));
        assert!(tilted_headless(&q, &b, &pan));
        // Its face on skin: someone lying down.
        let (q, b) = lying((5.0, 5.0));
        assert!(!tilted_headless(&q, &b, &pan));
        // Upright, face or none: not judged so (the landmark model can put a face a head high).
        let (mut q, b) = lying((30.0, 30.0));
        q.roi.rotation = 0.2;
        assert!(!tilted_headless(&q, &b, &pan));
        // Tilted 38 degrees, its face on the wall between two children (c3, frames 190-193): no
        // one. With its face on skin: someone leaning.
        let (mut q, b) = lying((30.0, 30.0));
        q.roi.rotation = -38f32.to_radians();
        assert!(tilted_headless(&q, &b, &pan));
        let (mut q, b) = lying((5.0, 5.0));
        q.roi.rotation = -38f32.to_radians();
        assert!(!tilted_headless(&q, &b, &pan));
    }

    #[test]
    fn a_track_changes_its_call_only_after_three_analyses() {
        let mut s = one_new_track();
        assert_eq!(s.settle(0, WearCall::Full), WearCall::Full);
        assert_eq!(s.settle(0, WearCall::TwoPiece), WearCall::Full);
        assert_eq!(s.settle(0, WearCall::TwoPiece), WearCall::Full);
        assert_eq!(s.settle(0, WearCall::Full), WearCall::Full);
        assert_eq!(s.settle(0, WearCall::TwoPiece), WearCall::Full);
        assert_eq!(s.settle(0, WearCall::TwoPiece), WearCall::Full);
        assert_eq!(s.settle(0, WearCall::TwoPiece), WearCall::TwoPiece);
        // b1's high kicks: with a leg folded forward the outfit's evidence is misread (the hem
        // cannot be, and the colours read below the waist are the raised thigh's); however long
        // that lasts, it does not change a known call.
        for _ in 0..6 {
            assert_eq!(s.settle_folded(0, WearCall::Full), WearCall::TwoPiece);
        }
        // Nor does it count toward a change once the body is upright again.
        assert_eq!(s.settle(0, WearCall::Full), WearCall::TwoPiece);
        // A person first seen folded takes that call at once, as any new track does.
        s.tracks[0].against = u32::MAX;
        assert_eq!(s.settle_folded(0, WearCall::Full), WearCall::Full);
    }
}
