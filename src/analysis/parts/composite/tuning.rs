//! The thresholds of the garment rules, each named once with its reason, one table per stage.
//! The defaults are drape's; a developer tries other values without recompiling by giving a TOML
//! file with only the values to change (`drape --tuning FILE ...`, or `DRAPE_TUNING=FILE`; the
//! rule tests read `DRAPE_TUNING` too, and run on recorded model outputs in seconds):
//!
//! ```toml
//! [alpha]
//! share = [0.3, 0.6]
//! [tracks]
//! call_hold = 4
//! ```
//!
//! Pairs are the two ends of a smooth step: nothing below the first, everything above the second.
//! Still inline, for a later stop: the body's geometry (`body.rs`), the hem and dress evidence
//! (`hem.rs`, `dress.rs`), the skeletons that are no one (`people.rs`), below the knees
//! (`legs.rs`) and a person's skin colour model (`skin.rs`, `SkinModel`).

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// Every table of the rules' thresholds.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tuning {
    pub tracks: Tracks,
    pub gate: Gate,
    pub skin: Skin,
    pub evidence: Evidence,
    pub fill: Fill,
    pub alpha: Alpha,
}

impl Tuning {
    /// The defaults with the values a TOML file gives changed; an unknown name is an error that
    /// names it (a misspelt value must not be silently the default).
    pub fn load(path: &Path) -> Result<Tuning> {
        let bad = |why: String| Error::Usage(format!("{}: not a tuning file drape can use: {why}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        toml::from_str(&text).map_err(|e| bad(e.to_string().trim().replace('\n', " ")))
    }
}

/// People followed across analyses (`tracks.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tracks {
    /// Analyses a new call (dress or two pieces) must hold before a tracked person's call
    /// changes: one analysis's evidence flickers on a turn or a folded arm.
    pub call_hold: u32,
    /// Analyses a person who is not found again is still matched against, and held where the
    /// selfie mask still shows them.
    pub keep: u32,
    /// The least mean selfie mask, under where a missed person's own mask was, for them to be
    /// held: a garment does not blink off for one frame the pose model doubts.
    pub held_selfie: f32,
    /// The least number of sample points (every second map pixel) that person's own mask must
    /// cover for that mean to count.
    pub held_points: u32,
    /// The share of the torso's columns (within 0.3 shoulder widths of its middle) in which a
    /// top's hem must be found for the outfit to be two pieces whatever the colours shared.
    pub hem_across: f32,
    /// The share that makes two pieces for a person whose top's hem was seen all across within
    /// the last `hem_memory` analyses: as they turn, or their shirt's tail hangs on over one
    /// side, the hem shows across less of the torso, and it is still theirs. A dress seen in
    /// other light reads up to about 0.55 (Two_dancers), but never reads `hem_across`.
    pub hem_known: f32,
    /// Analyses a hem seen all across is remembered for.
    pub hem_memory: u32,
}

impl Default for Tracks {
    fn default() -> Self {
        Tracks { call_hold: 3, keep: 3, held_selfie: 0.5, held_points: 8, hem_across: 0.8, hem_known: 0.5, hem_memory: 30 }
    }
}

/// The person gate and each pixel's owner (`gate.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Gate {
    /// Below this no person model sees anyone: no owner, nothing more worked out there.
    pub seen: f32,
    /// A gate under this is no one's: the later stages work nothing out there.
    pub least: f32,
    /// A pixel's owner is the person whose own mask is highest there, less this much per
    /// segment radius of reach to their skeleton: the nearest skeleton where masks overlap.
    pub reach_cost: f32,
    /// How near a person's own mask, in shoulder widths, the selfie mask still counts: it fills
    /// in where BlazePose's coarse ROI mask is loose (webcam close-ups), and is kept off flags,
    /// posters and walls.
    pub selfie_reach: f32,
    /// That reach at most, as a share of the map's long side (a close-up's shoulders span it).
    pub selfie_reach_most: f32,
    /// The person's own mask (or its nearness) over which the selfie mask comes to count.
    pub selfie_counts: (f32, f32),
}

impl Default for Gate {
    fn default() -> Self {
        Gate { seen: 0.01, least: 0.001, reach_cost: 0.25, selfie_reach: 0.25, selfie_reach_most: 0.2, selfie_counts: (0.05, 0.3) }
    }
}

/// What is pale against a person's face (`skin.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Skin {
    /// The half width, in shoulder widths, that a patch of pale colour needs to count as
    /// fabric: a shine on skin (a streak of light down a forearm) is narrower.
    pub shine: f32,
    /// The face radius, in map pixels, over which its colour is read well enough for the pale
    /// test: a small face's colour is read through blur and the hair around it (c3's jumping
    /// girl, radius about 7, read as saturated, and her bare legs as pale).
    pub pale_face: (f32, f32),
    /// The share of a person's PAN skin that must be far paler than their face before pale
    /// colours count as fabric on them: a peach top PAN calls skin is a large share of it, the
    /// shine on a sprinter's sunlit neck a small one.
    pub pale_share: (f32, f32),
    /// How pale ([`super::SkinModel::pale`]) a pixel must be to count as pale.
    pub pale: (f32, f32),
}

impl Default for Skin {
    fn default() -> Self {
        Skin { shine: 0.035, pale_face: (10.0, 14.0), pale_share: (0.18, 0.25), pale: (0.4, 0.6) }
    }
}

/// PAN's say read for a pixel's owner (`evidence.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Evidence {
    /// Reach to the skeleton, in segment radii, over which PAN's skin of another colour than
    /// the face's stops counting as fabric: a garment lies on the skeleton, a white ball PAN
    /// calls skin, held or kicked beside a limb, does not (b1).
    pub on_body: (f32, f32),
    /// PAN's skin score under which its colour is not read at all.
    pub some_skin: f32,
    /// How much of PAN's skin moves to clothes where the colour says fabric: PAN is still
    /// partly right about a skin-coloured garment.
    pub fabric_moves: f32,
    /// PAN's skin score from which skin is sure enough to teach the person's colours.
    pub sure_skin: f32,
}

impl Default for Evidence {
    fn default() -> Self {
        Evidence { on_body: (1.1, 1.6), some_skin: 0.05, fabric_moves: 0.8, sure_skin: 0.6 }
    }
}

/// Garment colours where PAN is unsure (`fill.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fill {
    /// PAN's clothes (or skin and hair) score over which a pixel teaches the person's garment
    /// (or skin and hair) colours.
    pub sure: (f32, f32),
    /// PAN's clothes score from which a pixel is the sure garment that colour may reach from.
    pub sure_garment: f32,
    /// How far, in shoulder widths, colour speaks beside the sure garment (its holes and
    /// edges), not across the body: a shoe of the shorts' colour past a bare shin stays a shoe.
    pub beside: f32,
    /// That reach at most, as a share of the map's long side.
    pub beside_most: f32,
}

impl Default for Fill {
    fn default() -> Self {
        Fill { sure: (0.6, 0.8), sure_garment: 0.7, beside: 0.3, beside_most: 0.2 }
    }
}

/// The garment alpha (`alpha.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Alpha {
    /// PAN's clothes score over which a hand's disc spares the garment in its colour: the shirt
    /// around the hand, not the hand in front of it.
    pub hand_spares: (f32, f32),
    /// PAN's skin or hair score over which PAN is sure and the colour fill does not speak.
    pub pan_sure: (f32, f32),
    /// Clothes' head start in the share of clothes against skin and hair, and the weight of
    /// nothing said: where PAN says nothing, a garment only as a weak guess (bare skin PAN
    /// misses is worse than a missed garment).
    pub clothes_prior: f32,
    pub nothing_said: f32,
    /// The share of clothes over which a pixel is garment.
    pub share: (f32, f32),
}

impl Default for Alpha {
    fn default() -> Self {
        Alpha { hand_spares: (0.5, 0.8), pan_sure: (0.5, 0.8), clothes_prior: 0.12, nothing_said: 0.3, share: (0.35, 0.6) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_changes_only_the_values_it_names_and_a_misspelt_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.toml");
        std::fs::write(&file, "[alpha]\nshare = [0.3, 0.7]\n[tracks]\ncall_hold = 5\n").unwrap();
        let t = Tuning::load(&file).unwrap();
        assert_eq!(t.alpha.share, (0.3, 0.7));
        assert_eq!(t.tracks.call_hold, 5);
        assert_eq!((t.alpha.clothes_prior, t.tracks.keep, t.gate), (Alpha::default().clothes_prior, Tracks::default().keep, Gate::default()));
        std::fs::write(&file, "[alpha]\nshares = [0.3, 0.7]\n").unwrap();
        let e = Tuning::load(&file).unwrap_err().to_string();
        assert!(e.contains("t.toml") && e.contains("shares"), "{e}");
    }
}
