//! Garment parts: per-pixel scores for background / upper / lower / full-body, from one of two
//! interchangeable segmenters.

pub mod cloth;
pub mod composite;
pub mod pose;

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
        let names: Vec<&str> = [(self.upper, "upper"), (self.lower, "lower"), (self.full, "full")]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| *n)
            .collect();
        f.write_str(&names.join(","))
    }
}

/// One garment segmenter. `person` is the saliency map, which a segmenter may use.
pub trait GarmentSegmenter: Send {
    fn name(&self) -> &'static str;
    /// Scores for the 4 classes, summing to 1 per pixel, at the segmenter's own resolution.
    fn segment(&mut self, frame: &Frame, person: &Map) -> Result<Map>;
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
