//! Garment parts: per-pixel scores for background / upper / lower / full-body, from one of two
//! interchangeable segmenters.

pub mod cloth;
pub mod colours;
pub mod composite;

use crate::analysis::runtime::Cancel;
use crate::error::Result;
use crate::frame::{Frame, Map};

pub const BACKGROUND: u32 = 0;
pub const UPPER: u32 = 1;
pub const LOWER: u32 = 2;
pub const FULL: u32 = 3;
pub const CLASSES: u32 = 4;

/// A set of garment parts the user picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PartSet {
    pub upper: bool,
    pub lower: bool,
    pub full: bool,
}

impl PartSet {
    pub const ALL: PartSet = PartSet { upper: true, lower: true, full: true };

    pub fn contains(&self, class: u32) -> bool {
        match class {
            UPPER => self.upper,
            LOWER => self.lower,
            FULL => self.full,
            _ => false,
        }
    }

    pub fn is_empty(&self) -> bool {
        !(self.upper || self.lower || self.full)
    }

    /// Bit 0 upper, bit 1 lower, bit 2 full: the form the shader takes.
    pub fn bits(&self) -> u32 {
        self.upper as u32 | (self.lower as u32) << 1 | (self.full as u32) << 2
    }
}

impl std::str::FromStr for PartSet {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let mut p = PartSet::default();
        for part in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            match part {
                "upper" => p.upper = true,
                "lower" => p.lower = true,
                "full" => p.full = true,
                "all" => p = PartSet::ALL,
                other => return Err(format!("unknown part `{other}`; use upper, lower, full or all, comma-separated")),
            }
        }
        if p.is_empty() {
            return Err("no part given; use upper, lower, full or all, comma-separated".into());
        }
        Ok(p)
    }
}

impl std::fmt::Display for PartSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = [(self.upper, "upper"), (self.lower, "lower"), (self.full, "full")].iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
        f.write_str(&names.join(","))
    }
}

/// What a person was found to wear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WearCall {
    /// Everything below the neck is upper (the hips are out of view).
    Upper,
    /// A top and a bottom, split at the waist.
    TwoPiece,
    /// One full-body garment (a dress, a jumpsuit).
    Full,
}

/// The evidence for a full-body garment, shown in the `--maps` figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DressEvidence {
    /// Share of the torso's columns that are garment all through the waist band.
    pub unbroken: f32,
    /// Share of the garment's colours below the waist also found above it, and the other way
    /// round, whichever is less (None: too little of it seen).
    pub colours_shared: Option<f32>,
    /// Share of the waist band that is bare skin.
    pub skin_at_waist: f32,
    /// Some(true): a gap between clothed legs (trousers, shorts); Some(false): fabric across
    /// them (a skirt, a dress); None: the legs say nothing.
    pub leg_gap: Option<bool>,
    /// Share of the body's sample points from the waist to below the hips that lie inside the
    /// frame; under one half, the call is a top alone.
    pub below_seen: f32,
    /// The garment runs on off the bottom of the frame below the torso (its lower end unseen).
    pub runs_off: bool,
    /// Share of the torso's columns in which a top's own hem is found, its colours giving way to
    /// others above mid-thigh (None: no hem could be read: no top over the chest, a tilted
    /// torso, a folded leg).
    pub hem: Option<f32>,
    /// What this evidence alone says.
    pub says_full: bool,
}

/// One person's call and why, in frame pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonCall {
    /// The same number for the same person from one analysis to the next.
    pub track: u32,
    pub call: WearCall,
    /// True when the call is held from earlier analyses against this one's evidence.
    pub held: bool,
    pub evidence: Option<DressEvidence>,
    pub shoulder: (f32, f32),
    /// The waist line's two ends, when the hips are seen.
    pub waist: Option<[(f32, f32); 2]>,
    /// x0, y0, x1, y1
    pub bbox: [f32; 4],
    /// Centre and radius of each disc that is never a garment (head, hands, feet), in frame pixels.
    pub never: Vec<((f32, f32), f32)>,
}

/// A segmenter's result.
#[derive(Debug, Clone)]
pub struct Segmentation {
    /// Scores for the 4 classes, summing to 1 per pixel, at the segmenter's own resolution.
    pub parts: Map,
    /// Where a person is (0..1), when the segmenter knows: nothing outside it is a garment.
    pub gate: Option<Map>,
    /// Which person each pixel of the gate belongs to (0 for nobody, k + 1 for `people[k]`),
    /// when the segmenter knows.
    pub owner: Option<Vec<u16>>,
    pub people: Vec<PersonCall>,
}

/// One garment segmenter. `saliency` is the saliency map, which a segmenter may use.
pub trait GarmentSegmenter: Send {
    fn name(&self) -> &'static str;
    fn segment(&mut self, frame: &Frame, saliency: &Map) -> Result<Segmentation>;
    /// Like `segment`, with the models' outputs that the segmenter's rules read, for running
    /// the rules again without the models ([`composite::GarmentRules`]); None for a segmenter
    /// whose model alone decides.
    fn segment_recorded(&mut self, frame: &Frame, saliency: &Map) -> Result<(Segmentation, Option<composite::ModelMaps>)> {
        Ok((self.segment(frame, saliency)?, None))
    }
    /// Forget the people followed so far (the next frame is unrelated: another photo, a cut).
    fn forget(&mut self) {}
    /// What stops the segmenter's model runs in progress from another thread.
    fn cancel_handles(&mut self) -> Result<Vec<Cancel>> {
        Ok(Vec::new())
    }
    /// The next frame is `frames` after the last one segmented: what is averaged over time
    /// weighs the last analyses by how long ago they were.
    fn frames_apart(&mut self, frames: u64) {
        let _ = frames;
    }
}

/// Per-pixel class with the highest score.
pub fn argmax(parts: &Map, x: u32, y: u32) -> u32 {
    (0..parts.channels).fold(0, |best, c| if parts.get(x, y, c) > parts.get(x, y, best) { c } else { best })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_sets_parse_and_print() {
        let p: PartSet = "upper, full".parse().unwrap();
        assert_eq!(p, PartSet { upper: true, lower: false, full: true });
        assert_eq!(p.to_string(), "upper,full");
        assert_eq!(p.bits(), 0b101);
        assert!("hat".parse::<PartSet>().unwrap_err().contains("hat"));
        assert!("".parse::<PartSet>().is_err());
    }
}
