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
use super::{GarmentSegmenter, PersonCall, Segmentation, WearCall, BACKGROUND, CLASSES, FULL, LOWER, UPPER};
use crate::analysis::models::pose::{self, Closer, Person, Pose, Roi};
use crate::analysis::models::selfie::Selfie;
use crate::analysis::runtime::Runtime;
use crate::analysis::steady::Steady;
use crate::analysis::tensor;
use crate::error::Result;
use crate::frame::{Frame, Map};
mod alpha;
mod bare;
mod body;
mod calls;
mod dress;
mod evidence;
mod fill;
mod gate;
mod hem;
mod legs;
mod legwear;
mod models;
mod own_skin;
mod people;
mod rules;
mod skin;
mod sleeves;
mod tracks;
mod tuning;

use self::alpha::*;
use self::bare::*;
use self::body::*;
use self::dress::*;
use self::evidence::*;
use self::fill::*;
use self::gate::*;
use self::hem::*;
use self::legs::*;
use self::legwear::*;
use self::models::{extent, Models};
#[cfg(test)]
use self::models::{unexplained, unfound};
pub use self::models::{Hints, ModelMaps};
use self::own_skin::*;
use self::people::*;
#[cfg(test)]
use self::rules::classes;
pub use self::rules::GarmentRules;
use self::skin::*;
use self::sleeves::*;
use self::tracks::*;
pub use self::tuning::Tuning;
use self::tuning::{Bare, BodyShape, Dress, Legs, People, Skin, Sleeves, TopHem};
use crate::pixels::{blur_max, cie94, dot, enclose, flood, lab, len, lerp, median_of_neighbours, pixel_centre, seg_dist, smoothstep, sub, P};

/// Paths of the models the segmenter uses; each may be missing (it then does without).
#[derive(Debug, Clone, Copy, Default)]
pub struct CompositeModels<'a> {
    pub pan: Option<&'a Path>,
    pub pose: Option<(&'a Path, &'a Path)>,
    pub selfie: Option<&'a Path>,
    pub selfie_landscape: Option<&'a Path>,
}

/// The composite segmenter: its models, then its rules.
pub struct CompositeSegmenter {
    models: Models,
    rules: GarmentRules,
}

impl CompositeSegmenter {
    pub fn open(rt: &Runtime, models: CompositeModels<'_>, tuning: Tuning) -> Result<CompositeSegmenter> {
        Ok(CompositeSegmenter { models: Models::open(rt, models)?, rules: GarmentRules::tuned(tuning) })
    }
}

impl GarmentSegmenter for CompositeSegmenter {
    fn name(&self) -> &'static str {
        "composite"
    }

    fn forget(&mut self) {
        self.rules.forget();
    }

    fn cancel_handles(&mut self) -> Result<Vec<crate::analysis::runtime::Cancel>> {
        self.models.cancel_handles()
    }

    fn frames_apart(&mut self, frames: u64) {
        self.rules.frames_apart(frames);
    }

    fn segment(&mut self, frame: &Frame, saliency: &Map) -> Result<Segmentation> {
        let hints = self.rules.hints();
        let maps = self.models.run(frame, saliency, &hints)?;
        Ok(self.rules.apply(frame, saliency, maps))
    }

    fn segment_recorded(&mut self, frame: &Frame, saliency: &Map) -> Result<(Segmentation, Option<ModelMaps>)> {
        let hints = self.rules.hints();
        let maps = self.models.run(frame, saliency, &hints)?;
        Ok((self.rules.apply(frame, saliency, maps.clone()), Some(maps)))
    }
}

#[cfg(test)]
mod stage_tests;
#[cfg(test)]
mod tests;
