//! `composite`, the default garment segmenter, built from the models available here: the person
//! mask (U^2-Net-p saliency) minus skin and hair (PAN), split into upper and lower at each
//! person's hip line (BlazePose). A garment that runs unbroken across the hip line with one look
//! is full-body (a dress); with the hips out of frame everything below the neck is upper.

use std::path::Path;

use super::pose::{self, Person, Pose};
use super::{GarmentSegmenter, BACKGROUND, CLASSES, FULL, LOWER, UPPER};
use crate::analysis::runtime::{Contract, Input, Model, Runtime};
use crate::analysis::tensor::{self, Layout, Norm};
use crate::error::Result;
use crate::frame::{Frame, Map};

const PAN_SIZE: u32 = 512;

pub struct CompositeSegmenter {
    /// Skin / clothes / hair. Without it skin is not taken out of the garments.
    pan: Option<Model>,
    /// Without it there is no upper/lower split: every garment counts as upper.
    pose: Option<Pose>,
}

/// One person's body lines in map pixels.
#[derive(Debug, Clone, Copy)]
struct Body {
    /// The torso's centre line, from between the shoulders to between the hips (or down).
    top: (f32, f32),
    bottom: (f32, f32),
    /// x of the torso's centre line
    cx: f32,
    neck_y: f32,
    /// Where upper meets lower: a little above the hip joints, at the waistband.
    waist_y: Option<f32>,
    /// Torso length (shoulders to hips) or an estimate, for scale.
    torso: f32,
    shoulder_width: f32,
    /// Left and right hip x, for the gap between the legs.
    hips_x: Option<(f32, f32)>,
    knees: Option<(f32, f32, f32)>,
}

impl Body {
    /// Squared distance from a point to the torso's centre line.
    fn distance2(&self, x: f32, y: f32) -> f32 {
        let (dx, dy) = (self.bottom.0 - self.top.0, self.bottom.1 - self.top.1);
        let len2 = (dx * dx + dy * dy).max(1e-6);
        let t = (((x - self.top.0) * dx + (y - self.top.1) * dy) / len2).clamp(0.0, 1.0);
        let (px, py) = (self.top.0 + t * dx, self.top.1 + t * dy);
        (x - px).powi(2) + (y - py).powi(2)
    }
}

impl CompositeSegmenter {
    pub fn open(rt: &Runtime, pan: Option<&Path>, pose: Option<(&Path, &Path)>) -> Result<CompositeSegmenter> {
        let pan = match pan {
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
        let pose = match pose {
            Some((d, l)) => Some(Pose::open(rt, d, l)?),
            None => {
                tracing::warn!("pose models missing: no upper/lower split, every garment counts as upper");
                None
            }
        };
        Ok(CompositeSegmenter { pan, pose })
    }

    fn skin_hair(&mut self, frame: &Frame, w: u32, h: u32) -> Result<Option<Map>> {
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

    fn segment(&mut self, frame: &Frame, person: &Map) -> Result<Map> {
        let (w, h) = (person.width, person.height);
        let skin_hair = self.skin_hair(frame, w, h)?;
        let people = match self.pose.as_mut() {
            Some(p) => p.run(frame)?,
            None => Vec::new(),
        };
        let (sx, sy) = (w as f32 / frame.width() as f32, h as f32 / frame.height() as f32);
        let bodies: Vec<Body> = people.iter().filter_map(|p| body(p, frame.width(), frame.height(), sx, sy)).collect();
        tracing::trace!(bodies = ?bodies, "composite segmenter");

        // Garment probability: person, minus skin and hair.
        let garment = Map::from_fn(w, h, 1, |x, y, _| {
            let p = person.get(x, y, 0);
            let not_skin = skin_hair.as_ref().map_or(1.0, |m| 1.0 - m.get(x, y, 0).max(m.get(x, y, 2)));
            (p * not_skin).clamp(0.0, 1.0)
        });
        let colours = tensor::resize(frame, None, w, h);
        let dresses: Vec<bool> = bodies.iter().map(|b| is_dress(b, &garment, &colours)).collect();

        let mut out = Map::new(w, h, CLASSES);
        for y in 0..h {
            for x in 0..w {
                let g = garment.get(x, y, 0);
                let (yf, xf) = (y as f32 + 0.5, x as f32 + 0.5);
                // The nearest body's lines decide; with no body every garment is upper.
                let nearest = bodies.iter().enumerate().min_by(|a, b| a.1.distance2(xf, yf).total_cmp(&b.1.distance2(xf, yf)));
                let (upper, lower, full) = match nearest {
                    None => (1.0, 0.0, 0.0),
                    Some((i, b)) => {
                        // Soft edges so the split does not alias at map resolution.
                        // The neck cut spans head and hair; sleeves of arms raised beyond the shoulders stay garments.
                        let over_neck = 1.0 - smoothstep(0.5 * b.shoulder_width, 0.75 * b.shoulder_width, (xf - b.top.0).abs());
                        let below_neck = 1.0 - over_neck * (1.0 - smoothstep(b.neck_y - 0.03 * b.torso, b.neck_y + 0.03 * b.torso, yf));
                        match (b.waist_y, dresses[i]) {
                            (Some(_), true) => (0.0, 0.0, below_neck),
                            (Some(wy), false) => {
                                let l = smoothstep(wy - 0.04 * b.torso, wy + 0.04 * b.torso, yf);
                                (below_neck * (1.0 - l), below_neck * l, 0.0)
                            }
                            (None, _) => (below_neck, 0.0, 0.0),
                        }
                    }
                };
                out.set(x, y, UPPER, g * upper);
                out.set(x, y, LOWER, g * lower);
                out.set(x, y, FULL, g * full);
                out.set(x, y, BACKGROUND, 1.0 - g * (upper + lower + full));
            }
        }
        Ok(out)
    }
}

fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0).max(1e-6)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// A person's lines in map pixels, or None when not even the shoulders or hips are seen.
fn body(p: &Person, fw: u32, fh: u32, sx: f32, sy: f32) -> Option<Body> {
    let shoulders = p.pair(pose::L_SHOULDER, pose::R_SHOULDER, fw, fh);
    let hips = p.pair(pose::L_HIP, pose::R_HIP, fw, fh);
    let width = match (p.seen(pose::L_SHOULDER, fw, fh), p.seen(pose::R_SHOULDER, fw, fh)) {
        (Some(a), Some(b)) => ((a.x - b.x) * sx).hypot((a.y - b.y) * sy),
        _ => 0.0,
    };
    let knees = match (p.seen(pose::L_KNEE, fw, fh), p.seen(pose::R_KNEE, fw, fh)) {
        (Some(a), Some(b)) => Some((a.x.min(b.x) * sx, a.x.max(b.x) * sx, (a.y + b.y) / 2.0 * sy)),
        _ => None,
    };
    let hips_x = match (p.seen(pose::L_HIP, fw, fh), p.seen(pose::R_HIP, fw, fh)) {
        (Some(a), Some(b)) => Some((a.x.min(b.x) * sx, a.x.max(b.x) * sx)),
        _ => None,
    };
    match (shoulders, hips) {
        (Some(s), Some(hp)) => {
            let torso = ((hp.1 - s.1) * sy).abs().max(1.0);
            Some(Body {
                top: (s.0 * sx, s.1 * sy),
                bottom: (hp.0 * sx, hp.1 * sy),
                cx: (s.0 + hp.0) / 2.0 * sx,
                neck_y: s.1 * sy - 0.15 * width,
                waist_y: Some(hp.1 * sy - 0.12 * torso),
                torso,
                shoulder_width: width,
                hips_x,
                knees,
            })
        }
        (Some(s), None) => Some(Body {
            top: (s.0 * sx, s.1 * sy),
            // No hips: the centre line runs straight down out of the frame.
            bottom: (s.0 * sx, s.1 * sy + 4.0 * width),
            cx: s.0 * sx,
            neck_y: s.1 * sy - 0.15 * width,
            waist_y: None,
            torso: width.max(1.0),
            shoulder_width: width,
            hips_x: None,
            knees: None,
        }),
        _ => None,
    }
}

/// A full-body garment: unbroken across the waist line, one look above and below it, and fabric
/// between the thighs rather than a gap between two trouser legs.
fn is_dress(b: &Body, garment: &Map, colours: &Frame) -> bool {
    let Some(wy) = b.waist_y else { return false };
    let (w, h) = (garment.width as i64, garment.height as i64);
    let half = (b.shoulder_width * 0.5).max(2.0);
    let band = (0.2 * b.torso).max(2.0);
    let x0 = ((b.cx - half) as i64).clamp(0, w - 1);
    let x1 = ((b.cx + half) as i64).clamp(0, w - 1);
    let y_top = ((wy - band) as i64).clamp(0, h - 1);
    let y_bot = ((wy + band) as i64).clamp(0, h - 1);
    if x1 <= x0 || y_bot <= y_top {
        return false;
    }
    // Unbroken: in most columns of the torso, garment all the way through the band.
    let columns = (x0..=x1).filter(|&x| (y_top..=y_bot).all(|y| garment.get(x as u32, y as u32, 0) > 0.5)).count();
    let unbroken = columns as f32 / (x1 - x0 + 1) as f32 > 0.6;
    // One look: mean colour above and below the waist line close.
    let mean = |ya: i64, yb: i64| {
        let mut s = [0.0f32; 3];
        let mut n = 0.0;
        for y in ya..yb {
            for x in x0..=x1 {
                if garment.get(x as u32, y as u32, 0) > 0.5 {
                    let p = colours.get_pixel(x as u32, y as u32).0;
                    for c in 0..3 {
                        s[c] += p[c] as f32;
                    }
                    n += 1.0;
                }
            }
        }
        (n > 0.0).then(|| s.map(|v| v / n / 255.0))
    };
    let wyi = wy as i64;
    let same_look = match (mean(y_top, wyi), mean(wyi, y_bot + 1)) {
        (Some(a), Some(c)) => a.iter().zip(&c).map(|(p, q)| (p - q).abs()).fold(0.0, f32::max) < 0.1,
        _ => false,
    };
    // Between the legs, a third of the way from hips to knees: trousers leave a gap there, a
    // dress or skirt does not. Without the hips' sides or the knees there is no evidence of a dress.
    let bridged = match (b.hips_x, b.knees) {
        (Some((hx0, hx1)), Some((kx0, kx1, ky))) => {
            let y = wy + 0.12 * b.torso + (ky - wy) * 0.35;
            let (l, r) = ((hx0 + kx0) / 2.0, (hx1 + kx1) / 2.0);
            let (xa, xb) = (l + (r - l) / 3.0, r - (r - l) / 3.0);
            let yi = (y as i64).clamp(0, h - 1) as u32;
            let xs: Vec<u32> = (xa as i64..=xb as i64).filter(|&x| x >= 0 && x < w).map(|x| x as u32).collect();
            !xs.is_empty() && xs.iter().filter(|&&x| garment.get(x, yi, 0) > 0.5).count() * 4 >= xs.len() * 3
        }
        _ => false,
    };
    tracing::trace!(unbroken, same_look, bridged, "dress test");
    unbroken && same_look && bridged
}