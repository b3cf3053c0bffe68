//! BlazePose: the detector finds each person's hip centre and a scale point, the landmark model
//! then runs on a rotated square around it (MediaPipe's pipeline; see models/manifest.toml).
//! drape uses the body lines (shoulders, hips, knees) to split upper from lower garments, the
//! face, hands and feet to keep them out of the garments, and the landmark model's own person
//! mask (on the same ROI) as a person-specific mask.

use std::path::Path;

use crate::analysis::runtime::{Cancel, Contract, Input, Model, Runtime};
use crate::analysis::tensor::{self, Layout, Norm};
use crate::error::Result;
use crate::frame::{bilinear, clamp_to, Frame, Rect};

const DET_SIZE: u32 = 224;
const LM_SIZE: u32 = 256;
const MAX_PEOPLE: usize = 6;
/// The detection score given to someone the landmark model found where no detection was
/// ([`Pose::look_in`]): a weak find's.
pub const UNDETECTED_SCORE: f32 = 0.4;
// Low enough for people in a crowded group photo; the landmark model's presence score and the
// duplicate check below reject what is not a separate person.
const DET_THRESHOLD: f32 = 0.35;
const NMS_IOU: f32 = 0.3;
/// A frame this much wider than tall (or taller than wide) is also searched in two squares at
/// its ends: letterboxed whole, a child crouching in a 16:9 bedroom is 9 detector pixels of face
/// and goes unfound (c3: found at 0.46-0.48 in a square, 0.18 letterboxed).
const CLOSER_ASPECT: f32 = 1.3;

pub const L_SHOULDER: usize = 11;
pub const R_SHOULDER: usize = 12;
pub const L_ELBOW: usize = 13;
pub const R_ELBOW: usize = 14;
pub const L_WRIST: usize = 15;
pub const R_WRIST: usize = 16;
pub const L_HIP: usize = 23;
pub const R_HIP: usize = 24;
pub const L_KNEE: usize = 25;
pub const R_KNEE: usize = 26;
pub const L_ANKLE: usize = 27;
pub const R_ANKLE: usize = 28;
/// Nose, eyes, ears, mouth: 0..=10.
pub const FACE: std::ops::RangeInclusive<usize> = 0..=10;
pub const NOSE: usize = 0;
pub const L_EAR: usize = 7;
pub const R_EAR: usize = 8;
/// Wrist, pinky, index, thumb of the left and the right hand.
pub const HANDS: [[usize; 4]; 2] = [[L_WRIST, 17, 19, 21], [R_WRIST, 18, 20, 22]];
/// Ankle, heel, foot index of the left and the right foot.
pub const FEET: [[usize; 3]; 2] = [[L_ANKLE, 29, 31], [R_ANKLE, 30, 32]];
/// Side of the landmark model's person mask.
pub const MASK_SIZE: u32 = 256;

/// Which of the squares at a long frame's ends the detector looks at as well as the whole frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closer {
    /// Both: nobody is followed yet (a photo, a clip's first analysis), so all must be found now.
    All,
    /// One, taking turns by this count: people already found are followed without the
    /// detector, so a newcomer waits at most one more analysis, for half the cost. Both when a
    /// followed person is lost.
    Turn(u64),
}

/// The squares (left, top, side in frame pixels) the detector also runs on: the two ends of a
/// long frame, which together cover it at the short side's scale.
fn closer_squares(w: f32, h: f32, closer: Closer) -> Vec<(f32, f32, f32)> {
    let (long, short) = (w.max(h), w.min(h));
    if long < CLOSER_ASPECT * short {
        return Vec::new();
    }
    let ends = if w >= h { [(0.0, 0.0, h), (w - h, 0.0, h)] } else { [(0.0, 0.0, w), (0.0, h - w, w)] };
    match closer {
        Closer::All => ends.to_vec(),
        Closer::Turn(n) => vec![ends[(n % 2) as usize]],
    }
}

/// One landmark in frame pixels with its visibility (0..1).
#[derive(Debug, Clone, Copy, Default)]
pub struct Landmark {
    pub x: f32,
    pub y: f32,
    pub visibility: f32,
    /// Probability that the point is inside the image at all.
    pub presence: f32,
}

/// The rotated square the landmark model ran on, in frame pixels.
#[derive(Debug, Clone, Copy, Default)]
pub struct Roi {
    pub cx: f32,
    pub cy: f32,
    pub size: f32,
    pub rotation: f32,
}

/// One person's 33 BlazePose landmarks and mask.
#[derive(Debug, Clone)]
pub struct Person {
    pub landmarks: Vec<Landmark>,
    pub score: f32,
    pub roi: Roi,
    /// Where to look for this person in the next frame.
    pub next: Option<Roi>,
    /// The landmark model's person probability on the ROI, MASK_SIZE x MASK_SIZE, row-major.
    pub mask: Vec<f32>,
    /// cos and sin of the ROI's rotation, for `mask_at`, which runs for every map pixel.
    turn: (f32, f32),
}

impl Person {
    /// A person of these landmarks (x, y, visibility; all present) and no mask, for tests of
    /// what is built from the landmarks.
    #[cfg(test)]
    pub fn of_landmarks(points: &[(f32, f32, f32)]) -> Person {
        let landmarks = points.iter().map(|&(x, y, visibility)| Landmark { x, y, visibility, presence: 1.0 }).collect();
        Person { landmarks, score: 1.0, roi: Roi::default(), next: None, mask: Vec::new(), turn: (1.0, 0.0) }
    }

    /// A person as the landmark model gives one (a recorded one read back).
    pub fn new(landmarks: Vec<Landmark>, score: f32, roi: Roi, next: Option<Roi>, mask: Vec<f32>) -> Person {
        let turn = (roi.rotation.cos(), roi.rotation.sin());
        Person { landmarks, score, roi, next, mask, turn }
    }

    /// The person mask at frame pixel (x, y), bilinear; 0 outside the ROI.
    pub fn mask_at(&self, x: f32, y: f32) -> f32 {
        let n = MASK_SIZE as usize;
        if self.mask.len() != n * n || self.roi.size <= 0.0 {
            return 0.0;
        }
        let (c, s) = self.turn;
        let (dx, dy) = (x - self.roi.cx, y - self.roi.cy);
        // Into the ROI's own axes (the inverse of the rotation the crop was sampled with).
        let (lx, ly) = (c * dx + s * dy, -s * dx + c * dy);
        let u = (lx / self.roi.size + 0.5) * n as f32 - 0.5;
        let v = (ly / self.roi.size + 0.5) * n as f32 - 0.5;
        if u < -0.5 || v < -0.5 || u > n as f32 - 0.5 || v > n as f32 - 0.5 {
            return 0.0;
        }
        let [m] = bilinear(u, v, |i, j| {
            let (i, j) = clamp_to(n as u32, n as u32, i, j);
            [self.mask[j as usize * n + i as usize]]
        });
        m
    }

    /// A landmark the model places in the image (present), wherever it is, or None.
    pub fn present(&self, i: usize) -> Option<Landmark> {
        self.landmarks.get(i).copied().filter(|l| l.presence > 0.5)
    }

    /// A landmark that is visible, present and inside a frame of this size (not on its last 3%,
    /// where the model places points it guesses beyond the edge), or None.
    pub fn seen(&self, i: usize, w: u32, h: u32) -> Option<Landmark> {
        let l = *self.landmarks.get(i)?;
        let inside = l.x >= 0.0 && l.y >= 0.0 && l.x < w as f32 && l.y < 0.97 * h as f32;
        (l.visibility > 0.5 && l.presence > 0.5 && inside).then_some(l)
    }

    /// Whether a detection's hip centre lies where this person's ROI is centred (as
    /// [`same_person`] judges two detections): the detector found this person again.
    fn roi_holds(&self, d: &Detection) -> bool {
        (self.roi.cx - d.kp[0].0).hypot(self.roi.cy - d.kp[0].1) < 0.2 * self.roi.size
    }

    /// Mean of two landmarks when both are seen.
    pub fn pair(&self, a: usize, b: usize, w: u32, h: u32) -> Option<(f32, f32)> {
        let (p, q) = (self.seen(a, w, h)?, self.seen(b, w, h)?);
        Some(((p.x + q.x) / 2.0, (p.y + q.y) / 2.0))
    }
}

#[derive(Debug, Clone, Copy)]
struct Detection {
    score: f32,
    /// box centre and size: normalised to the detector's square as decoded, in frame pixels
    /// once [`Pose::detect`] returns it
    cx: f32,
    cy: f32,
    w: f32,
    h: f32,
    /// keypoint 0 (hip centre) and 1 (scale/rotation point), as the box
    kp: [(f32, f32); 2],
}

pub struct Pose {
    detector: Model,
    landmarks: Model,
    anchors: Vec<(f32, f32)>,
}

impl Pose {
    /// Stop the detector's and the landmark model's runs in progress from another thread.
    pub fn cancel_handles(&mut self) -> Result<Vec<Cancel>> {
        Ok(vec![self.detector.cancel_handle()?, self.landmarks.cancel_handle()?])
    }

    pub fn open(rt: &Runtime, detector: &Path, landmarks: &Path) -> Result<Pose> {
        let det = Contract {
            inputs: vec![vec![Some(1), Some(DET_SIZE as i64), Some(DET_SIZE as i64), Some(3)]],
            outputs: vec![vec![Some(1), Some(2254), Some(12)], vec![Some(1), Some(2254), Some(1)]],
        };
        let lm = Contract {
            inputs: vec![vec![Some(1), Some(LM_SIZE as i64), Some(LM_SIZE as i64), Some(3)]],
            outputs: vec![vec![Some(1), Some(195)], vec![Some(1), Some(1)], vec![Some(1), Some(MASK_SIZE as i64), Some(MASK_SIZE as i64), Some(1)]],
        };
        Ok(Pose { detector: rt.open("pose_detection", detector, &det)?, landmarks: rt.open("pose_landmark", landmarks, &lm)?, anchors: anchors() })
    }

    /// Everyone in the frame, with landmarks in frame pixels. `follow` holds the ROIs the people
    /// of the previous frame give for this one (MediaPipe's tracking): each is tried first, and
    /// the detector's finds are used only for people not followed already. `closer` says which
    /// squares of a long frame the detector may also search at a closer scale, and `worth` which
    /// of those, given the people found so far, hold something they do not explain.
    pub fn run(&mut self, frame: &Frame, follow: &[Roi], closer: Closer, worth: impl Fn(&[Person], (f32, f32, f32)) -> bool) -> Result<Vec<Person>> {
        let mut people = Vec::new();
        for roi in follow {
            // Someone seen in the last frame: the model's doubt (a tilted head, a turn) weighs
            // less than for a new find.
            if let Some(p) = self.landmarks_on(frame, *roi, 1.0, 0.1)? {
                people.push(p);
            }
        }
        let followed = people.len();
        // Someone followed and lost here is looked for in both squares at once, not in turn: a
        // garment that blinks off for a frame is what following them was for.
        let closer = if followed < follow.len() { Closer::All } else { closer };
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        let side = w.max(h);
        // The whole frame letterboxed to a square first.
        let whole = self.detect(frame, (w - side) / 2.0, (h - side) / 2.0, side)?;
        tracing::trace!(detections = whole.len(), followed, "pose");
        let mut turned_down = Vec::new();
        for d in whole.into_iter().take(MAX_PEOPLE) {
            if !self.try_find(frame, &mut people, followed, &d)? {
                turned_down.push(d);
            }
        }
        // Then the closer squares that hold something no one found explains. A person the
        // whole frame found keeps the skeleton they have; one whose ROI the landmark model turned
        // down is tried again on the closer find (c1's woman, tilting her head: 0.37-0.42
        // letterboxed, each ROI rejected at presence 0.09-0.27); someone new only where the
        // square shows them whole.
        let squares: Vec<(f32, f32, f32)> = closer_squares(w, h, closer).into_iter().filter(|&q| worth(&people, q)).collect();
        let mut finds = Vec::new();
        for square in squares {
            for d in self.detect(frame, square.0, square.1, square.2)? {
                let again = turned_down.iter().any(|t| same_person(t, &d));
                let found = !again && people.iter().any(|p| p.roi_holds(&d));
                if again || (!found && !cut_by_square(&d, square, w, h)) {
                    finds.push(d);
                }
            }
        }
        let finds = nms(finds);
        tracing::trace!(closer = finds.len(), "pose");
        for d in finds {
            if people.len() >= MAX_PEOPLE {
                break;
            }
            self.try_find(frame, &mut people, followed, &d)?;
        }
        // Two finds of one person give two skeletons on the same shoulders: keep the first.
        let mut kept: Vec<Person> = Vec::with_capacity(people.len());
        for p in people {
            if kept.iter().any(|k| same_shoulders(k, &p)) {
                tracing::trace!(score = p.score, "pose skeleton on someone else's shoulders dropped");
            } else {
                kept.push(p);
            }
        }
        tracing::trace!(people = kept.len(), "pose");
        Ok(kept.into_iter().take(MAX_PEOPLE).collect())
    }

    /// The landmark model on squares where another model shows someone that no one found
    /// explains (the selfie mask: a boy in profile against a bright window, whom the detector
    /// misses close up and letterboxed alike, c3), adding whom it finds there with as much
    /// presence as a weak detection needs, unless they stand on someone's shoulders already.
    pub fn look_in(&mut self, frame: &Frame, rois: &[Roi], people: &mut Vec<Person>) -> Result<()> {
        for &roi in rois {
            if people.len() >= MAX_PEOPLE {
                break;
            }
            if let Some(mut p) = self.landmarks_on(frame, roi, UNDETECTED_SCORE, 0.5)? {
                // Not followed from its own alignment points: next time the detector, or this
                // look again, finds them. Followed, the detector's find of the same person with
                // its shoulders placed apart made two of them (c1's woman tilting her head).
                p.next = None;
                if people.iter().any(|k| same_shoulders(k, &p)) {
                    tracing::trace!(?roi, "pose skeleton found outside the detections is someone found");
                } else {
                    tracing::trace!(?roi, "pose person found outside the detections");
                    people.push(p);
                }
            }
        }
        Ok(())
    }

    /// The landmark model on a detection's ROI, adding the person it finds; false when it turns
    /// the ROI down. Someone followed already is not found again (true).
    fn try_find(&mut self, frame: &Frame, people: &mut Vec<Person>, followed: usize, d: &Detection) -> Result<bool> {
        let roi = roi_from(d.kp[0], d.kp[1]);
        // Someone followed already: their tracked ROI is the better one. (Tight: the ROIs of
        // upper-body framing are far larger than the space between two people; the shoulder
        // check in `run` catches what this lets through.)
        if people[..followed].iter().any(|p| (p.roi.cx - roi.cx).hypot(p.roi.cy - roi.cy) < 0.08 * p.roi.size.max(roi.size)) {
            tracing::trace!(score = d.score, cx = roi.cx, cy = roi.cy, "pose detection is someone followed");
            return Ok(true);
        }
        // A strong detection in a tight group (neighbours fill its ROI) leaves the landmark model
        // less sure; the duplicate check in `run` catches a skeleton placed on a neighbour.
        let least = if d.score >= 0.7 { 0.2 } else { 0.5 };
        match self.landmarks_on(frame, roi, d.score, least)? {
            Some(p) => {
                people.push(p);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The detector on the square of this side whose top left corner is (left, top) in frame
    /// pixels (outside the frame is black), its finds merged ([`nms`]) and then in frame pixels.
    fn detect(&mut self, frame: &Frame, left: f32, top: f32, side: f32) -> Result<Vec<Detection>> {
        let (fw, fh) = (frame.width() as f32, frame.height() as f32);
        let input = if side < fw.max(fh) && left >= 0.0 && top >= 0.0 && left + side <= fw && top + side <= fh {
            // A closer square, inside the frame: that crop alone, resized, is the input.
            let r = Rect { x: left as u32, y: top as u32, width: side as u32, height: side as u32 };
            tensor::to_tensor(&tensor::resize(frame, Some(r), DET_SIZE, DET_SIZE), Norm::Signed, Layout::Nhwc).1
        } else {
            // A crop of the square at 224, from a copy shrunk by area averaging first (point
            // samples of a large frame alias and cost detections).
            let (small, k) = shrunk(frame, DET_SIZE as f32 / side);
            sample_rotated(&small, (left + side / 2.0) * k.0, (top + side / 2.0) * k.1, side * k.0, 0.0, DET_SIZE, |v| v / 127.5 - 1.0)
        };
        let out = self.detector.run(&[Input { shape: vec![1, DET_SIZE as i64, DET_SIZE as i64, 3], data: &input }], 2)?;
        let to_px = |(x, y): (f32, f32)| (left + x * side, top + y * side);
        Ok(nms(decode(&out[0].data, &out[1].data, &self.anchors))
            .into_iter()
            .map(|d| {
                let (cx, cy) = to_px((d.cx, d.cy));
                Detection { score: d.score, cx, cy, w: d.w * side, h: d.h * side, kp: [to_px(d.kp[0]), to_px(d.kp[1])] }
            })
            .collect())
    }

    /// The landmark model on one ROI; None when its presence score is below `least`.
    fn landmarks_on(&mut self, frame: &Frame, roi: Roi, score: f32, least: f32) -> Result<Option<Person>> {
        let Roi { cx, cy, size, rotation } = roi;
        if size < 8.0 {
            return Ok(None);
        }
        let (src, k) = shrunk(frame, LM_SIZE as f32 / size);
        let crop = sample_rotated(&src, cx * k.0, cy * k.1, size * k.0, rotation, LM_SIZE, |v| v / 255.0);
        let out = self.landmarks.run(&[Input { shape: vec![1, LM_SIZE as i64, LM_SIZE as i64, 3], data: &crop }], 3)?;
        let presence = out[1].data.first().copied().unwrap_or(0.0);
        // The presence flag comes as a probability or as a logit depending on the conversion.
        let presence = if (0.0..=1.0).contains(&presence) { presence } else { sigmoid(presence) };
        if presence < least {
            tracing::trace!(presence, score, "pose landmark model rejected a region");
            return Ok(None);
        }
        let (c, s) = (rotation.cos(), rotation.sin());
        let to_frame = |v: &[f32]| {
            let lx = (v[0] / LM_SIZE as f32 - 0.5) * size;
            let ly = (v[1] / LM_SIZE as f32 - 0.5) * size;
            (cx + c * lx - s * ly, cy + s * lx + c * ly)
        };
        let points: Vec<&[f32]> = out[0].data.chunks(5).collect();
        let landmarks: Vec<Landmark> = points
            .iter()
            .take(33)
            .map(|v| {
                let (x, y) = to_frame(v);
                Landmark { x, y, visibility: sigmoid(v[3]), presence: sigmoid(v[4]) }
            })
            .collect();
        // Points 33 and 34 are the alignment points for the next frame's ROI (hip centre and
        // the scale point, as the detector's two keypoints).
        let next = match (points.get(33), points.get(34)) {
            (Some(a), Some(b)) => Some(roi_from(to_frame(a), to_frame(b))),
            _ => None,
        };
        let mask: Vec<f32> = out.get(2).map(|o| o.data.iter().map(|&v| sigmoid(v.clamp(-30.0, 30.0))).collect()).unwrap_or_default();
        // The points as (x, y, visibility) in frame pixels, for drawing a skeleton over a frame;
        // worked out only when TRACE is on.
        tracing::trace!(
            score,
            presence,
            ?roi,
            ?next,
            mask_mean = mask.iter().sum::<f32>() / mask.len().max(1) as f32,
            points = ?landmarks.iter().map(|l| (l.x.round() as i32, l.y.round() as i32, (l.visibility * 100.0).round() / 100.0)).collect::<Vec<_>>(),
            "pose person"
        );
        Ok(Some(Person { landmarks, score, roi, next, mask, turn: (c, s) }))
    }
}

/// The landmark ROI from a hip centre and a scale point: a square of twice their distance times
/// 1.25, rotated so the scale point is straight up.
fn roi_from(k0: (f32, f32), k1: (f32, f32)) -> Roi {
    let size = 2.0 * (k1.0 - k0.0).hypot(k1.1 - k0.1) * 1.25;
    let rotation = normalise_angle(std::f32::consts::FRAC_PI_2 - (-(k1.1 - k0.1)).atan2(k1.0 - k0.0));
    Roi { cx: k0.0, cy: k0.1, size, rotation }
}

/// Whether two skeletons stand on the same shoulders (closer than a third of a shoulder width).
fn same_shoulders(a: &Person, b: &Person) -> bool {
    let mid = |p: &Person| -> Option<(f32, f32, f32)> {
        let (l, r) = (p.landmarks.get(L_SHOULDER)?, p.landmarks.get(R_SHOULDER)?);
        Some(((l.x + r.x) / 2.0, (l.y + r.y) / 2.0, (l.x - r.x).hypot(l.y - r.y)))
    };
    match (mid(a), mid(b)) {
        (Some(p), Some(q)) => (p.0 - q.0).hypot(p.1 - q.1) < p.2.max(q.2) / 3.0,
        _ => false,
    }
}

/// The frame shrunk by `scale` with area averaging (as is when that would not shrink it), and the
/// x and y factors from frame to copy.
fn shrunk(frame: &Frame, scale: f32) -> (std::borrow::Cow<'_, Frame>, (f32, f32)) {
    if scale >= 0.8 {
        return (std::borrow::Cow::Borrowed(frame), (1.0, 1.0));
    }
    let (w, h) = (((frame.width() as f32 * scale).round() as u32).max(1), ((frame.height() as f32 * scale).round() as u32).max(1));
    let small = crate::analysis::tensor::resize(frame, None, w, h);
    (std::borrow::Cow::Owned(small), (w as f32 / frame.width() as f32, h as f32 / frame.height() as f32))
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fn normalise_angle(a: f32) -> f32 {
    let two_pi = 2.0 * std::f32::consts::PI;
    a - two_pi * ((a + std::f32::consts::PI) / two_pi).floor()
}

/// A size x size RGB (NHWC) crop of the square of side `side` centred on (cx, cy), rotated by
/// `rotation` (radians, image coordinates), sampled bilinearly; outside the frame is black.
fn sample_rotated(frame: &Frame, cx: f32, cy: f32, side: f32, rotation: f32, size: u32, norm: impl Fn(f32) -> f32) -> Vec<f32> {
    let (c, s) = (rotation.cos(), rotation.sin());
    let (w, h) = (frame.width() as i64, frame.height() as i64);
    let mut out = Vec::with_capacity((size * size * 3) as usize);
    let black_border = |x: i64, y: i64| -> [f32; 3] {
        if x < 0 || y < 0 || x >= w || y >= h {
            [0.0; 3]
        } else {
            let p = frame.get_pixel(x as u32, y as u32).0;
            [p[0] as f32, p[1] as f32, p[2] as f32]
        }
    };
    for v in 0..size {
        for u in 0..size {
            let lx = ((u as f32 + 0.5) / size as f32 - 0.5) * side;
            let ly = ((v as f32 + 0.5) / size as f32 - 0.5) * side;
            let x = cx + c * lx - s * ly - 0.5;
            let y = cy + s * lx + c * ly - 0.5;
            out.extend(bilinear(x, y, black_border).map(&norm));
        }
    }
    out
}

/// MediaPipe's SSD anchors for the pose detector: strides 8, 16, 32, 32, 32 on a 224 input,
/// two anchors per cell and layer, fixed size (only centres matter).
fn anchors() -> Vec<(f32, f32)> {
    let strides = [8u32, 16, 32, 32, 32];
    let mut out = Vec::with_capacity(2254);
    let mut layer = 0;
    while layer < strides.len() {
        let mut last = layer;
        let mut per_cell = 0;
        while last < strides.len() && strides[last] == strides[layer] {
            per_cell += 2;
            last += 1;
        }
        let cells = DET_SIZE.div_ceil(strides[layer]);
        for y in 0..cells {
            for x in 0..cells {
                for _ in 0..per_cell {
                    out.push(((x as f32 + 0.5) / cells as f32, (y as f32 + 0.5) / cells as f32));
                }
            }
        }
        layer = last;
    }
    out
}

fn decode(boxes: &[f32], scores: &[f32], anchors: &[(f32, f32)]) -> Vec<Detection> {
    let s = DET_SIZE as f32;
    let mut out = Vec::new();
    for (i, &(ax, ay)) in anchors.iter().enumerate() {
        let score = sigmoid(scores[i].clamp(-100.0, 100.0));
        if score < DET_THRESHOLD {
            continue;
        }
        let r = &boxes[i * 12..i * 12 + 12];
        out.push(Detection {
            score,
            cx: r[0] / s + ax,
            cy: r[1] / s + ay,
            w: r[2] / s,
            h: r[3] / s,
            kp: [(r[4] / s + ax, r[5] / s + ay), (r[6] / s + ax, r[7] / s + ay)],
        });
    }
    out
}

fn iou(a: &Detection, b: &Detection) -> f32 {
    let ix = ((a.cx + a.w / 2.0).min(b.cx + b.w / 2.0) - (a.cx - a.w / 2.0).max(b.cx - b.w / 2.0)).max(0.0);
    let iy = ((a.cy + a.h / 2.0).min(b.cy + b.h / 2.0) - (a.cy - a.h / 2.0).max(b.cy - b.h / 2.0)).max(0.0);
    let inter = ix * iy;
    inter / (a.w * a.h + b.w * b.h - inter).max(1e-6)
}

/// Whether a find in a closer square reaches past one of its sides inside the frame: the square
/// shows part of that person, the detector guesses the rest (b1's juggler, standing across both
/// squares, got a second skeleton a hip lower), and the whole frame sees them whole. The reach is
/// the landmark ROI's, less a tenth of it (the ROI has room around the body).
fn cut_by_square(d: &Detection, (left, top, side): (f32, f32, f32), w: f32, h: f32) -> bool {
    let roi = roi_from(d.kp[0], d.kp[1]);
    let reach = 0.4 * roi.size;
    let cut = |lo: f32, hi: f32, c: f32, frame_end: f32| (lo > 0.0 && c - reach < lo) || (hi < frame_end && c + reach > hi);
    cut(left, left + side, roi.cx, w) || cut(top, top + side, roi.cy, h)
}

/// Whether a detection is of the same person as a stronger one. Boxes of people standing side by
/// side overlap a lot (group photos); only boxes whose hip centres also coincide are one person.
fn same_person(top: &Detection, d: &Detection) -> bool {
    let scale = (top.kp[1].0 - top.kp[0].0).hypot(top.kp[1].1 - top.kp[0].1).max(1e-3);
    iou(top, d) > NMS_IOU && (d.kp[0].0 - top.kp[0].0).hypot(d.kp[0].1 - top.kp[0].1) < 0.5 * scale
}

/// MediaPipe's weighted non-maximum suppression: overlapping detections are averaged by score.
/// A box that is no person: a value that is not finite (a model gone wrong), or no size.
fn is_box(d: &Detection) -> bool {
    let values = [d.score, d.cx, d.cy, d.w, d.h, d.kp[0].0, d.kp[0].1, d.kp[1].0, d.kp[1].1];
    values.iter().all(|v| v.is_finite()) && d.w > 0.0 && d.h > 0.0
}

fn nms(mut dets: Vec<Detection>) -> Vec<Detection> {
    dets.retain(is_box);
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    while let Some(top) = dets.first().copied() {
        // The top always leaves with its group, whatever it overlaps: nothing stays forever.
        let (mut group, mut rest) = (vec![top], Vec::new());
        for d in dets.into_iter().skip(1) {
            if same_person(&top, &d) {
                group.push(d);
            } else {
                rest.push(d);
            }
        }
        dets = rest;
        let total: f32 = group.iter().map(|d| d.score).sum();
        let avg = |f: &dyn Fn(&Detection) -> f32| group.iter().map(|d| f(d) * d.score).sum::<f32>() / total;
        out.push(Detection {
            score: top.score,
            cx: avg(&|d| d.cx),
            cy: avg(&|d| d.cy),
            w: avg(&|d| d.w),
            h: avg(&|d| d.h),
            kp: [(avg(&|d| d.kp[0].0), avg(&|d| d.kp[0].1)), (avg(&|d| d.kp[1].0), avg(&|d| d.kp[1].1))],
        });
    }
    out
}

#[cfg(test)]
mod tests;
