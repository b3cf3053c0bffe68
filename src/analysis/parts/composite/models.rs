//! The models of the composite segmenter, run in one place before the rules: PAN (skin,
//! clothes, hair), the selfie mask and BlazePose. Their outputs for a frame are a [`ModelMaps`],
//! all that the rules read besides the frame's colours and the saliency map, so the rules can run
//! again on recorded outputs without ONNX Runtime ([`crate::analysis::recorded`]). What decides
//! where the pose detector looks closer (`unexplained`, a person's `extent`) lives here too: it
//! shapes what the models output, and the tests' recordings are keyed on this file.

use super::*;
use crate::analysis::models::pan::Pan;
use crate::analysis::runtime::Cancel;

/// What the segmenter's models say of one frame.
#[derive(Debug, Clone)]
pub struct ModelMaps {
    /// PAN's skin, clothes and hair scores (3 channels), at the saliency map's size.
    pub pan: Option<Map>,
    /// The selfie mask at the saliency map's size.
    pub selfie: Option<Map>,
    /// Everyone BlazePose found, before the rules judge their skeletons.
    pub people: Vec<Person>,
}

/// Where the pose model looks, from the people followed so far ([`GarmentRules::hints`]).
#[derive(Debug, Clone)]
pub struct Hints {
    pub follow: Vec<Roi>,
    pub closer: Closer,
    /// `unexplained` and the extent's margin from [`Tuning`]: when the detector searches closer.
    pub unexplained: f32,
    pub margin: f32,
    /// Whether the landmark model also looks where the selfie mask shows someone no one found
    /// explains ([`unfound`]).
    pub look: bool,
}

pub(super) struct Models {
    /// Skin / clothes / hair. Without it skin is not taken out of the garments.
    pan: Option<Pan>,
    /// Without it there is no person gate from pose, no upper/lower split: every garment is upper.
    pose: Option<Pose>,
    selfie: Option<Selfie>,
}

impl Models {
    /// Stop the models' runs in progress from another thread.
    pub(super) fn cancel_handles(&mut self) -> Result<Vec<Cancel>> {
        let mut all = Vec::new();
        if let Some(p) = self.pan.as_mut() {
            all.extend(p.cancel_handles()?);
        }
        if let Some(p) = self.pose.as_mut() {
            all.extend(p.cancel_handles()?);
        }
        if let Some(s) = self.selfie.as_mut() {
            all.extend(s.cancel_handles()?);
        }
        Ok(all)
    }

    pub(super) fn open(rt: &Runtime, models: CompositeModels<'_>) -> Result<Models> {
        let pan = match models.pan {
            Some(p) => Some(Pan::open(rt, p)?),
            None => {
                tracing::warn!("skin/hair model missing: skin will be restyled with the clothes");
                None
            }
        };
        let pose = match models.pose {
            Some((d, l)) => Some(Pose::open(rt, d, l)?),
            None => {
                tracing::warn!("pose models missing: no person is found, so nothing is restyled (only people wear garments); get them with `DRAPE_MODELS_FROM=FOLDER bash models/setup.sh`");
                None
            }
        };
        let selfie = Selfie::open(rt, models.selfie, models.selfie_landscape)?;
        if selfie.is_none() {
            tracing::warn!("selfie segmentation missing: the person gate relies on the pose model's mask alone");
        }
        Ok(Models { pan, pose, selfie })
    }

    pub(super) fn run(&mut self, frame: &Frame, saliency: &Map, hints: &Hints) -> Result<ModelMaps> {
        let (w, h) = (saliency.width, saliency.height);
        let (sx, sy) = (w as f32 / frame.width() as f32, h as f32 / frame.height() as f32);
        // PAN straight after the saliency model, as before this segmenter tracked people: on two
        // cores it ran twice as slow after the pose models (their thread pools still spinning).
        let pan = match self.pan.as_mut() {
            Some(pan) => Some(pan.run(frame)?.resized(w, h)),
            None => None,
        };
        // At map size once: every map pixel of the rules reads it.
        let selfie = match self.selfie.as_mut() {
            Some(s) => Some(s.run(frame)?.resized(w, h)),
            None => None,
        };
        let people = match self.pose.as_mut() {
            Some(p) => {
                let mut people = p.run(frame, &hints.follow, hints.closer, |found, square| {
                    unexplained(saliency, found, square, (sx, sy), hints.margin) >= hints.unexplained
                })?;
                if let Some(s) = selfie.as_ref().filter(|_| hints.look) {
                    p.look_in(frame, &unfound(s, &people, (sx, sy), hints.margin), &mut people)?;
                }
                people
            }
            None => Vec::new(),
        };
        Ok(ModelMaps { pan, selfie, people })
    }
}

/// The share of a square (frame pixels) that is salient (> 0.5) and outside every found person's
/// extent ([`extent`], widened by `margin`).
pub(super) fn unexplained(saliency: &Map, found: &[Person], (left, top, side): (f32, f32, f32), (sx, sy): (f32, f32), margin: f32) -> f32 {
    // With no landmark present the box is inside out and holds nothing.
    let boxes: Vec<[f32; 4]> = found.iter().map(|q| extent(q, sx, sy, 0.0, margin)).collect();
    let (x0, y0) = ((left * sx).max(0.0) as u32, (top * sy).max(0.0) as u32);
    let (x1, y1) = ((((left + side) * sx) as u32).min(saliency.width), (((top + side) * sy) as u32).min(saliency.height));
    let (mut salient, mut n) = (0u32, 0u32);
    for y in (y0..y1).step_by(2) {
        for x in (x0..x1).step_by(2) {
            n += 1;
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            if saliency.get(x, y, 0) > 0.5 && !inside_any(&boxes, (px, py)) {
                salient += 1;
            }
        }
    }
    let share = salient as f32 / n.max(1) as f32;
    tracing::trace!(share, left, "unexplained saliency");
    share
}

/// Whether `p` lies in any of the boxes (x0, y0, x1, y1), edges included.
fn inside_any(boxes: &[[f32; 4]], p: (f32, f32)) -> bool {
    boxes.iter().any(|b| p.0 >= b[0] && p.0 <= b[2] && p.1 >= b[1] && p.1 <= b[3])
}

/// Squares (frame pixels) around the person-sized blobs of the selfie mask (`selfie`, map size)
/// that lie mostly outside everyone found ([`extent`], widened by `margin`): someone the pose
/// detector missed, for the landmark model to look at. The square is the blob's box, widened as
/// the detector's ROIs are around a body, centred on it.
pub(super) fn unfound(selfie: &Map, found: &[Person], (sx, sy): (f32, f32), margin: f32) -> Vec<Roi> {
    let (w, h) = (selfie.width, selfie.height);
    let n = (w * h) as usize;
    let boxes: Vec<[f32; 4]> = found.iter().map(|q| extent(q, sx, sy, 0.0, margin)).collect();
    // Where everyone found has their nose and shoulders: a blob holding one is theirs, however
    // far it runs past their box (a webcam close-up's box ends at the shoulders the model sees,
    // the selfie mask runs on down the torso).
    let heads: Vec<usize> = found
        .iter()
        .flat_map(|q| [pose::NOSE, pose::L_SHOULDER, pose::R_SHOULDER].into_iter().filter_map(|k| q.present(k)))
        .map(|l| (l.x * sx, l.y * sy))
        .filter(|&(x, y)| x >= 0.0 && y >= 0.0 && x < w as f32 && y < h as f32)
        .map(|(x, y)| (y as u32 * w + x as u32) as usize)
        .collect();
    let mut seen = vec![false; n];
    let mut out = Vec::new();
    for start in 0..n {
        if seen[start] || selfie.data[start] <= BLOB_MASK {
            continue;
        }
        // One blob, 4-connected.
        let (mut stack, mut area, mut outside, mut holds) = (vec![start], 0usize, 0usize, false);
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0u32, 0u32);
        seen[start] = true;
        while let Some(i) = stack.pop() {
            let (x, y) = ((i as u32) % w, (i as u32) / w);
            area += 1;
            outside += !inside_any(&boxes, crate::pixels::pixel_centre(i, w)) as usize;
            holds |= heads.contains(&i);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            for j in crate::pixels::neighbours(i, w as usize, h as usize) {
                if !seen[j] && selfie.data[j] > BLOB_MASK {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        if holds || (area as f32) < BLOB_LEAST * n as f32 || (outside as f32) < BLOB_UNFOUND * area as f32 {
            continue;
        }
        let (bw, bh) = ((x1 + 1 - x0) as f32 / sx, (y1 + 1 - y0) as f32 / sy);
        let (cx, cy) = ((x0 + x1 + 1) as f32 / 2.0 / sx, (y0 + y1 + 1) as f32 / 2.0 / sy);
        let roi = Roi { cx, cy, size: BLOB_ROI * bw.max(bh), rotation: 0.0 };
        tracing::trace!(area, outside, ?roi, "a person-sized blob of the selfie mask no one found explains");
        out.push((area, roi));
    }
    // The biggest few: each costs a run of the landmark model, every analysis they stay.
    out.sort_by_key(|b| std::cmp::Reverse(b.0));
    out.into_iter().take(BLOB_MOST).map(|(_, roi)| roi).collect()
}

/// The selfie mask's blobs: over this...
const BLOB_MASK: f32 = 0.5;
/// ...at least this share of the map (c3's boy standing in profile is 4%)...
const BLOB_LEAST: f32 = 0.01;
/// ...and this share of it outside everyone found.
const BLOB_UNFOUND: f32 = 0.6;
/// The most blobs looked at per analysis, the biggest first.
const BLOB_MOST: usize = 2;
/// The landmark model's square around a blob, in the blob's longer side (the detector's ROIs
/// leave a margin around the body).
const BLOB_ROI: f32 = 1.3;

/// The box (x0, y0, x1, y1, map pixels) of a person's present landmarks, widened each way by
/// `margin` of its longer side, or of `least` where that is more.
pub(super) fn extent(p: &Person, sx: f32, sy: f32, least: f32, margin: f32) -> [f32; 4] {
    let (mut x0, mut y0, mut x1, mut y1) = (f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY);
    for l in p.landmarks.iter().filter(|l| l.presence > 0.5) {
        let q = (l.x * sx, l.y * sy);
        x0 = x0.min(q.0);
        y0 = y0.min(q.1);
        x1 = x1.max(q.0);
        y1 = y1.max(q.1);
    }
    let m = margin * (x1 - x0).max(y1 - y0).max(least);
    [x0 - m, y0 - m, x1 + m, y1 + m]
}
