//! BlazePose: the detector finds each person's hip centre and a scale point, the landmark model
//! then runs on a rotated square around it (MediaPipe's pipeline; see models/manifest.toml).
//! drape needs only shoulders, hips and knees, to split upper from lower garments.

use std::path::Path;

use crate::analysis::runtime::{Contract, Input, Model, Runtime};
use crate::error::Result;
use crate::frame::Frame;

const DET_SIZE: u32 = 224;
const LM_SIZE: u32 = 256;
const MAX_PEOPLE: usize = 4;
const DET_THRESHOLD: f32 = 0.5;
const NMS_IOU: f32 = 0.3;

pub const L_SHOULDER: usize = 11;
pub const R_SHOULDER: usize = 12;
pub const L_HIP: usize = 23;
pub const R_HIP: usize = 24;
pub const L_KNEE: usize = 25;
pub const R_KNEE: usize = 26;

/// One landmark in frame pixels with its visibility (0..1).
#[derive(Debug, Clone, Copy, Default)]
pub struct Landmark {
    pub x: f32,
    pub y: f32,
    pub visibility: f32,
    /// Probability that the point is inside the image at all.
    pub presence: f32,
}

/// One person's 33 BlazePose landmarks.
#[derive(Debug, Clone)]
pub struct Person {
    pub landmarks: Vec<Landmark>,
    pub score: f32,
}

impl Person {
    /// A landmark that is visible, present and inside a frame of this size (not on its last 3%,
    /// where the model places points it guesses beyond the edge), or None.
    pub fn seen(&self, i: usize, w: u32, h: u32) -> Option<Landmark> {
        let l = *self.landmarks.get(i)?;
        let inside = l.x >= 0.0 && l.y >= 0.0 && l.x < w as f32 && l.y < 0.97 * h as f32;
        (l.visibility > 0.5 && l.presence > 0.5 && inside).then_some(l)
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
    /// box centre and size, normalised to the letterboxed square
    cx: f32,
    cy: f32,
    w: f32,
    h: f32,
    /// keypoint 0 (hip centre) and 1 (scale/rotation point), normalised
    kp: [(f32, f32); 2],
}

pub struct Pose {
    detector: Model,
    landmarks: Model,
    anchors: Vec<(f32, f32)>,
}

impl Pose {
    pub fn open(rt: &Runtime, detector: &Path, landmarks: &Path) -> Result<Pose> {
        let det = Contract {
            inputs: vec![vec![Some(1), Some(DET_SIZE as i64), Some(DET_SIZE as i64), Some(3)]],
            outputs: vec![vec![Some(1), Some(2254), Some(12)], vec![Some(1), Some(2254), Some(1)]],
        };
        let lm = Contract {
            inputs: vec![vec![Some(1), Some(LM_SIZE as i64), Some(LM_SIZE as i64), Some(3)]],
            outputs: vec![vec![Some(1), Some(195)], vec![Some(1), Some(1)]],
        };
        Ok(Pose {
            detector: rt.open("pose_detection", detector, &det)?,
            landmarks: rt.open("pose_landmark", landmarks, &lm)?,
            anchors: anchors(),
        })
    }

    /// Everyone the detector finds, with landmarks in frame pixels.
    pub fn run(&mut self, frame: &Frame) -> Result<Vec<Person>> {
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        let side = w.max(h);
        let (pad_x, pad_y) = ((side - w) / 2.0, (side - h) / 2.0);
        // Letterbox to a square: a rotated crop of the whole padded square at 224.
        let input = sample_rotated(frame, side / 2.0 - pad_x, side / 2.0 - pad_y, side, 0.0, DET_SIZE, |v| v / 127.5 - 1.0);
        let out = self.detector.run(&[Input { shape: vec![1, DET_SIZE as i64, DET_SIZE as i64, 3], data: &input }], 2)?;
        let detections = nms(decode(&out[0].data, &out[1].data, &self.anchors));
        let mut people = Vec::new();
        for d in detections.into_iter().take(MAX_PEOPLE) {
            // Keypoints to frame pixels.
            let to_px = |(x, y): (f32, f32)| (x * side - pad_x, y * side - pad_y);
            let (k0, k1) = (to_px(d.kp[0]), to_px(d.kp[1]));
            let size = 2.0 * ((k1.0 - k0.0).hypot(k1.1 - k0.1)) * 1.25;
            if size < 8.0 {
                continue;
            }
            let rotation = normalise_angle(std::f32::consts::FRAC_PI_2 - (-(k1.1 - k0.1)).atan2(k1.0 - k0.0));
            let crop = sample_rotated(frame, k0.0, k0.1, size, rotation, LM_SIZE, |v| v / 255.0);
            let out = self
                .landmarks
                .run(&[Input { shape: vec![1, LM_SIZE as i64, LM_SIZE as i64, 3], data: &crop }], 2)?;
            let presence = out[1].data.first().copied().unwrap_or(0.0);
            // The presence flag comes as a probability or as a logit depending on the conversion.
            let presence = if (0.0..=1.0).contains(&presence) { presence } else { sigmoid(presence) };
            if presence < 0.5 {
                tracing::trace!(presence, "pose landmark model rejected a detection");
                continue;
            }
            let (c, s) = (rotation.cos(), rotation.sin());
            let landmarks = out[0]
                .data
                .chunks(5)
                .take(33)
                .map(|v| {
                    let lx = (v[0] / LM_SIZE as f32 - 0.5) * size;
                    let ly = (v[1] / LM_SIZE as f32 - 0.5) * size;
                    Landmark { x: k0.0 + c * lx - s * ly, y: k0.1 + s * lx + c * ly, visibility: sigmoid(v[3]), presence: sigmoid(v[4]) }
                })
                .collect();
            people.push(Person { landmarks, score: d.score });
        }
        tracing::trace!(people = people.len(), "pose");
        Ok(people)
    }
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
    let px = |x: i64, y: i64| -> [f32; 3] {
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
            let (x0, y0) = (x.floor(), y.floor());
            let (ax, ay) = (x - x0, y - y0);
            let (xi, yi) = (x0 as i64, y0 as i64);
            let (p00, p10, p01, p11) = (px(xi, yi), px(xi + 1, yi), px(xi, yi + 1), px(xi + 1, yi + 1));
            for k in 0..3 {
                let top = p00[k] * (1.0 - ax) + p10[k] * ax;
                let bottom = p01[k] * (1.0 - ax) + p11[k] * ax;
                out.push(norm(top * (1.0 - ay) + bottom * ay));
            }
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

/// MediaPipe's weighted non-maximum suppression: overlapping detections are averaged by score.
fn nms(mut dets: Vec<Detection>) -> Vec<Detection> {
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    while let Some(top) = dets.first().copied() {
        let (group, rest): (Vec<Detection>, Vec<Detection>) = dets.into_iter().partition(|d| iou(&top, d) > NMS_IOU);
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
mod tests {
    use super::*;

    #[test]
    fn anchor_count_matches_the_model() {
        let a = anchors();
        assert_eq!(a.len(), 2254);
        assert_eq!(a[0], (0.5 / 28.0, 0.5 / 28.0));
        assert_eq!(a[2253], (6.5 / 7.0, 6.5 / 7.0));
    }

    #[test]
    fn upright_rotation_is_zero() {
        // Scale point straight above the hip centre: no rotation.
        let (k0, k1) = ((100.0f32, 200.0f32), (100.0f32, 100.0f32));
        let r = normalise_angle(std::f32::consts::FRAC_PI_2 - (-(k1.1 - k0.1)).atan2(k1.0 - k0.0));
        assert!(r.abs() < 1e-6);
    }

    #[test]
    fn nms_merges_overlaps_and_keeps_separate_people() {
        let d = |score, cx| Detection { score, cx, cy: 0.5, w: 0.2, h: 0.4, kp: [(cx, 0.6), (cx, 0.3)] };
        let out = nms(vec![d(0.9, 0.3), d(0.8, 0.31), d(0.7, 0.8)]);
        assert_eq!(out.len(), 2);
        assert!((out[0].cx - (0.9 * 0.3 + 0.8 * 0.31) / 1.7).abs() < 1e-6);
    }
}
