//! The models' outputs for a frame, kept so that the rules after them can run again without
//! ONNX Runtime: a developer changes a garment rule and sees its effect on every shared photo in
//! seconds ([`Replay`]). Written as a small binary file of little-endian numbers; f32 values go
//! through bit for bit, so a replay is the analysis it was recorded from.

use std::io::{Read, Write};
use std::path::Path;

use super::models::pose::{Landmark, Person, Roi};
use super::parts::composite::{GarmentRules, ModelMaps, Tuning};
use super::steady::Steady;
use super::{finish_saliency, Analysis};
use crate::error::{Error, Result};
use crate::frame::{Frame, Map};

/// The start of a file of recorded model outputs, with its format's version.
const MAGIC: &[u8; 8] = b"DRAPEMO1";

/// What the models said of one frame: the saliency map (before the rules narrow it to the
/// people) and what the garment segmenter's models gave (None for a segmenter with no rules).
#[derive(Debug, Clone)]
pub struct ModelOutputs {
    pub saliency: Map,
    pub parts: Option<ModelMaps>,
}

impl ModelOutputs {
    /// Write to `path` (created or replaced).
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        put_map(&mut out, &self.saliency);
        match &self.parts {
            None => out.push(0),
            Some(m) => {
                out.push(1);
                put_opt_map(&mut out, m.pan.as_ref());
                put_opt_map(&mut out, m.selfie.as_ref());
                put_u32(&mut out, m.people.len() as u32);
                for p in &m.people {
                    put_u32(&mut out, p.landmarks.len() as u32);
                    for l in &p.landmarks {
                        put_f32s(&mut out, &[l.x, l.y, l.visibility, l.presence]);
                    }
                    put_f32s(&mut out, &[p.score]);
                    put_roi(&mut out, &p.roi);
                    match &p.next {
                        None => out.push(0),
                        Some(r) => {
                            out.push(1);
                            put_roi(&mut out, r);
                        }
                    }
                    put_u32(&mut out, p.mask.len() as u32);
                    put_f32s(&mut out, &p.mask);
                }
            }
        }
        std::fs::File::create(path).and_then(|mut f| f.write_all(&out)).map_err(|e| Error::output(path, e))
    }

    /// Read what [`ModelOutputs::write`] wrote.
    pub fn read(path: &Path) -> Result<ModelOutputs> {
        let mut bytes = Vec::new();
        let bad = |why: &str| Error::Recording { path: path.to_path_buf(), why: why.to_string() };
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)).map_err(|e| bad(&e.to_string()))?;
        let mut r = Reader { bytes: &bytes, at: 0 };
        if r.take(MAGIC.len()).ok_or_else(|| bad("too short"))? != MAGIC {
            return Err(bad("another format"));
        }
        let outputs = r.outputs().ok_or_else(|| bad("cut short or damaged"))?;
        if r.at != bytes.len() {
            return Err(bad("bytes after its end"));
        }
        Ok(outputs)
    }
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_f32s(out: &mut Vec<u8>, v: &[f32]) {
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
}

fn put_map(out: &mut Vec<u8>, m: &Map) {
    for v in [m.width, m.height, m.channels] {
        put_u32(out, v);
    }
    put_f32s(out, &m.data);
}

fn put_opt_map(out: &mut Vec<u8>, m: Option<&Map>) {
    match m {
        None => out.push(0),
        Some(m) => {
            out.push(1);
            put_map(out, m);
        }
    }
}

fn put_roi(out: &mut Vec<u8>, r: &Roi) {
    put_f32s(out, &[r.cx, r.cy, r.size, r.rotation]);
}

/// Reads the format back; None where it runs out or does not add up.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len())?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Some(s)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn f32s(&mut self, n: usize) -> Option<Vec<f32>> {
        let b = self.take(n.checked_mul(4)?)?;
        Some(b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    fn map(&mut self) -> Option<Map> {
        let (width, height, channels) = (self.u32()?, self.u32()?, self.u32()?);
        let n = (width as usize).checked_mul(height as usize)?.checked_mul(channels as usize)?;
        Some(Map { width, height, channels, data: self.f32s(n)? })
    }

    fn opt_map(&mut self) -> Option<Option<Map>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.map()?)),
            _ => None,
        }
    }

    fn roi(&mut self) -> Option<Roi> {
        let v = self.f32s(4)?;
        Some(Roi { cx: v[0], cy: v[1], size: v[2], rotation: v[3] })
    }

    fn person(&mut self) -> Option<Person> {
        let n = self.u32()? as usize;
        let landmarks = (0..n).map(|_| self.f32s(4).map(|v| Landmark { x: v[0], y: v[1], visibility: v[2], presence: v[3] })).collect::<Option<Vec<_>>>()?;
        let score = self.f32s(1)?[0];
        let roi = self.roi()?;
        let next = match self.u8()? {
            0 => None,
            1 => Some(self.roi()?),
            _ => return None,
        };
        let m = self.u32()? as usize;
        let mask = self.f32s(m)?;
        Some(Person::new(landmarks, score, roi, next, mask))
    }

    fn outputs(&mut self) -> Option<ModelOutputs> {
        let saliency = self.map()?;
        let parts = match self.u8()? {
            0 => None,
            1 => {
                let (pan, selfie) = (self.opt_map()?, self.opt_map()?);
                let n = self.u32()? as usize;
                let people = (0..n).map(|_| self.person()).collect::<Option<Vec<_>>>()?;
                Some(ModelMaps { pan, selfie, people })
            }
            _ => return None,
        };
        Some(ModelOutputs { saliency, parts })
    }
}

/// The analysis of frames from their recorded model outputs: the garment rules and the
/// saliency's narrowing to the people, as [`super::Analyser`] runs them, without the models or
/// ONNX Runtime. Frames in the order recorded give the same analyses (the rules follow people
/// from frame to frame); nothing is restyled.
#[derive(Default)]
pub struct Replay {
    rules: GarmentRules,
    steady_saliency: Steady,
}

impl Replay {
    /// A replay of the rules with these thresholds ([`Tuning::load`]).
    pub fn tuned(tuning: Tuning) -> Replay {
        Replay { rules: GarmentRules::tuned(tuning), steady_saliency: Steady::default() }
    }

    /// The next frame is unrelated to the last (another photo, a cut).
    pub fn forget(&mut self) {
        self.rules.forget();
        self.steady_saliency.forget();
    }

    /// The next frame is `frames` after the last one ([`super::Analyser::frames_apart`]).
    pub fn frames_apart(&mut self, frames: u64) {
        self.rules.frames_apart(frames);
        self.steady_saliency.frames_apart(frames);
    }

    /// The analysis of `frame` from its recorded outputs; None for a recording of a segmenter
    /// without rules (not composite).
    pub fn analyse(&mut self, frame: &Frame, outputs: &ModelOutputs) -> Option<Analysis> {
        let maps = outputs.parts.clone()?;
        let mut saliency = outputs.saliency.clone();
        self.rules.hints();
        let seg = self.rules.apply(frame, &saliency, maps);
        finish_saliency(&mut saliency, &seg, &mut self.steady_saliency);
        Some(Analysis { saliency, parts: seg.parts, stylized: None, gate: seg.gate, owner: seg.owner, people: seg.people })
    }
}
