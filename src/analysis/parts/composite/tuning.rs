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
//! Left in the code, as layout rather than thresholds: where the dress, hem and bare-torso
//! evidence take their samples on the body (`dress.rs`, `people.rs`, `bare.rs`), and the bins of
//! the colour histograms (`hem.rs`, `LowerColours`), each named there.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// Every table of the rules' thresholds.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tuning {
    pub body: BodyShape,
    pub people: People,
    pub tracks: Tracks,
    pub gate: Gate,
    pub skin: Skin,
    pub evidence: Evidence,
    pub fill: Fill,
    pub alpha: Alpha,
    pub bare: Bare,
    pub legs: Legs,
    pub sleeves: Sleeves,
    pub dress: Dress,
    pub hem: TopHem,
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

/// The body a skeleton gives (`body.rs`): its proportions, in shoulder widths or torso lengths
/// (shoulders to hips), and the discs that are never garments. A [`super::Body`] keeps a copy.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BodyShape {
    /// The visibility from which a limb's joint counts, even partly hidden: it still marks where
    /// the limb is.
    pub joint_seen: f32,
    /// The visibility a hand's landmarks need for its disc: a hand guessed behind the body or out
    /// of view would cut a disc out of the shirt in front of it.
    pub hand_seen: f32,
    /// Where unseen hips are guessed, in shoulder widths below the shoulders.
    pub hips_unseen: f32,
    /// Where upper meets lower on the torso, in torso lengths: a little above the hip joints, at
    /// the waistband.
    pub waist: f32,
    /// Where the lower torso ends, past the hip joints, at the crotch.
    pub crotch: f32,
    /// The segments' radii in shoulder widths: the torso, upper arm, forearm, thigh and shin.
    pub torso_radius: f32,
    pub upper_arm: f32,
    pub forearm: f32,
    pub thigh: f32,
    pub shin: f32,
    /// How far a thigh whose knee is unseen runs down the body's axis, in torso lengths.
    pub thigh_unseen: f32,
    /// How far from a leg's segments, in their radii, garment below the knees still counts as
    /// the leg's: trouser legs are wider than the segments, and the landmarks of a crouch are off.
    pub leg_reach: f32,
    /// The least cosine of the torso's axis with the image's vertical (30 degrees) and of a
    /// thigh with the torso's axis (about 45 degrees) for the body not to be folded: a walker's
    /// raised knee is not folded, a crouch, a high kick or a seated body is.
    pub upright: f32,
    pub thigh_down: f32,
    /// Where a top's hem is looked for from, in torso lengths: the lower chest.
    pub hem_from: f32,
    /// The difference of reach (upper minus lower, in segment radii) over which a point goes
    /// from the upper body to the lower.
    pub lower_edge: (f32, f32),
    /// The neck, in shoulder widths above the shoulders' centre, and its soft edge in torso
    /// lengths: above it, within the head's width, is the head, hair or a helmet.
    pub neck: f32,
    pub neck_soft: f32,
    /// The head's half width, in shoulder widths: sleeves of arms raised beyond it stay garments.
    pub head_half_width: (f32, f32),
    /// A never-garment disc's soft edge, in its radii.
    pub disc_edge: (f32, f32),
    /// Where a hand's disc starts behind the wrist, in its radii: the sleeve's cuff stays a
    /// garment.
    pub behind_wrist: (f32, f32),
    /// The face disc's radius: the ears' distance apart times the first, the landmarks' spread
    /// times the second, at least the third in shoulder widths.
    pub face_by_ears: f32,
    pub face_by_spread: f32,
    pub face_least: f32,
    /// The face disc's share of the head's radius.
    pub face_of_head: f32,
    /// Hair is plausible to this many head radii from the face (long hair reaches some four
    /// down), and beyond it `hair_far` less so.
    pub hair_reach: (f32, f32),
    pub hair_far: f32,
    /// The whole head seen from the side: its radius at most this share of the torso (against a
    /// stray landmark), its disc moved this share of the radius over the hair on top, and its
    /// disc this many radii wide.
    pub side_head_most: f32,
    pub side_head_lift: f32,
    pub side_head_disc: f32,
    /// A hand's disc: at least this many landmarks seen, this many times their spread, at least
    /// `hand_least` shoulder widths.
    pub hand_points: usize,
    pub hand_spread: f32,
    pub hand_least: f32,
    /// A foot's disc: nudged this share towards the ankle (the shoe, not the trouser hem), the
    /// heel-to-toe length times `foot_length`, at least `foot_least` shoulder widths.
    pub foot_to_ankle: f32,
    pub foot_length: f32,
    pub foot_least: f32,
    /// A person's box is their landmarks' widened each way by this share of its longer side.
    pub extent_margin: f32,
}

impl Default for BodyShape {
    fn default() -> Self {
        BodyShape {
            joint_seen: 0.3,
            hand_seen: 0.5,
            hips_unseen: 4.0,
            waist: 0.88,
            crotch: 1.2,
            torso_radius: 0.6,
            upper_arm: 0.25,
            forearm: 0.2,
            thigh: 0.3,
            shin: 0.22,
            thigh_unseen: 0.6,
            leg_reach: 1.0,
            upright: 0.87,
            thigh_down: 0.7,
            hem_from: 0.6,
            lower_edge: (-0.15, 0.15),
            neck: 0.15,
            neck_soft: 0.03,
            head_half_width: (0.45, 0.7),
            disc_edge: (0.85, 1.15),
            behind_wrist: (-0.3, -0.05),
            face_by_ears: 0.75,
            face_by_spread: 1.3,
            face_least: 0.3,
            face_of_head: 0.6,
            hair_reach: (3.0, 5.0),
            hair_far: 0.8,
            side_head_most: 0.25,
            side_head_lift: 0.5,
            side_head_disc: 1.4,
            hand_points: 3,
            hand_spread: 1.5,
            hand_least: 0.12,
            foot_to_ankle: 0.2,
            foot_length: 0.6,
            foot_least: 0.15,
            extent_margin: 0.2,
        }
    }
}

/// Skeletons that are no one (`people.rs`), and when the pose detector looks closer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct People {
    /// Degrees from upright past which a skeleton is no body when its legs lie off the person
    /// mask: the back of a head taken for someone lying on their side (b3).
    pub sideways: f32,
    /// Where its legs would be, in torso lengths along its axis from the shoulders.
    pub legs_at: [f32; 2],
    /// The selfie mask there under which the legs are missing, and straight down the image from
    /// the shoulders over which the person goes on.
    pub legs_empty: f32,
    pub goes_on: f32,
    /// Degrees from upright from which a skeleton with no skin or hair on its face is no one
    /// (c3's shapes among pillows); upright ones are not judged so, as the landmark model can put a
    /// real face a head too high.
    pub tilted: f32,
    /// The share of its face disc PAN reads as skin or hair under which it has no head (c3's
    /// children read 0.8-1.0, the shapes on the bed under 0.05).
    pub headless: f32,
    /// PAN's mean hair score on the lower chest and belly over which a torso is hair.
    pub hair_torso: f32,
    /// The share of a closer square that must be salient and outside everyone found for the pose
    /// detector to search it.
    pub unexplained: f32,
}

impl Default for People {
    fn default() -> Self {
        People { sideways: 60.0, legs_at: [2.5, 3.0], legs_empty: 0.3, goes_on: 0.5, tilted: 30.0, headless: 0.1, hair_torso: 0.5, unexplained: 0.01 }
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
    /// `keep` for a missed person the selfie mask, under where their own mask was, shows at
    /// least `held_sure`: plainly still there, the pose model doubting them for a few seconds
    /// (a head tilted in a dim room) does not take their garments off. (As `keep` = 3 holds
    /// two analyses, this holds `keep_sure` - 1.)
    pub keep_sure: u32,
    /// The least mean selfie mask, as `held_selfie`, that keeps a missed person `keep_sure`.
    pub held_sure: f32,
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
        Tracks { call_hold: 3, keep: 3, held_selfie: 0.5, held_points: 8, keep_sure: 8, held_sure: 0.8, hem_across: 0.8, hem_known: 0.5, hem_memory: 30 }
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
    /// With no body kept, the selfie mask counts within this many of its longer side around a
    /// skeleton the pose model found (and the rules judged no body); nowhere else.
    pub unkept_reach: f32,
}

impl Default for Gate {
    fn default() -> Self {
        Gate { seen: 0.01, least: 0.001, reach_cost: 0.25, selfie_reach: 0.25, selfie_reach_most: 0.2, selfie_counts: (0.05, 0.3), unkept_reach: 2.0 }
    }
}

/// A person's skin colour and what is pale against it (`skin.rs`). A [`super::SkinModel`]
/// keeps a copy.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
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
    /// PAN's skin score over which a pixel of the face disc teaches the person's skin colour,
    /// and the least such pixels.
    pub face_sure: f32,
    pub face_samples: usize,
    /// The skin colour's tolerance per Lab channel: this many of the face's spreads, at least
    /// `tolerance_least` (lightness widest: sun and shade move it far more than the hue).
    pub spreads: f32,
    pub tolerance_least: [f32; 3],
    /// Distances, in tolerances, over which a colour goes from this person's skin to not.
    pub matches: (f32, f32),
    /// A colour this many times as saturated (chroma) as the face is vivid, fabric; the face's
    /// chroma taken as at least `face_chroma_least`.
    pub vivid: (f32, f32),
    pub face_chroma_least: f32,
    /// A colour with this share of the face's saturation (chroma over lightness) is far paler
    /// than it: sun and shade keep skin's saturation (0.88 of the face's on a sprinter's sunlit
    /// back), a peach top over brown skin reads 0.26-0.42. Lightness and the face's saturation
    /// taken as at least `pale_lightness_least` and `pale_face_least`.
    pub paler: (f32, f32),
    pub pale_lightness_least: f32,
    pub pale_face_least: f32,
    /// The colours human skin takes in any light: chroma up to the first pair, Lab hue from the
    /// second to the third pair, in degrees. An orange or a blue fabric is no one's skin.
    pub gamut_chroma: (f32, f32),
    pub gamut_hue_from: (f32, f32),
    pub gamut_hue_to: (f32, f32),
}

impl Default for Skin {
    fn default() -> Self {
        Skin {
            shine: 0.035,
            pale_face: (10.0, 14.0),
            pale_share: (0.18, 0.25),
            pale: (0.4, 0.6),
            face_sure: 0.6,
            face_samples: 6,
            spreads: 2.5,
            tolerance_least: [35.0, 8.0, 8.0],
            matches: (1.0, 2.0),
            vivid: (1.6, 2.4),
            face_chroma_least: 8.0,
            paler: (0.35, 0.55),
            pale_lightness_least: 10.0,
            pale_face_least: 0.05,
            gamut_chroma: (40.0, 55.0),
            gamut_hue_from: (0.0, 15.0),
            gamut_hue_to: (85.0, 100.0),
        }
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
    /// How surely a colour is the person's own skin and not their garment's (`own_skin.rs`)
    /// over which it is not garment.
    pub own_skin: (f32, f32),
}

impl Default for Alpha {
    fn default() -> Self {
        Alpha { hand_spares: (0.5, 0.8), pan_sure: (0.5, 0.8), clothes_prior: 0.12, nothing_said: 0.3, share: (0.35, 0.6), own_skin: (0.5, 0.9) }
    }
}

/// A bare torso (`bare.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bare {
    /// The share of the chest that must be skin for the person to wear no top: a low neckline
    /// or arms folded over a shirt show less (a forearm across a tank top, 0.64).
    pub chest_skin: f32,
    /// The share of the shoulders' tops that must be skin too: a T-shirt's shoulders under arms
    /// folded over its chest (0.33) keep it a top.
    pub shoulder_skin: f32,
    /// The least samples of the chest's grid (42) that must lie on the person, off their arms,
    /// and of the shoulders' (18).
    pub least_samples: u32,
    pub least_shoulder_samples: u32,
    /// How surely a colour is the person's own skin (`own_skin.rs`) for it to count as skin.
    pub own_skin: f32,
}

impl Default for Bare {
    fn default() -> Self {
        Bare { chest_skin: 0.75, shoulder_skin: 0.75, least_samples: 6, least_shoulder_samples: 4, own_skin: 0.5 }
    }
}

/// Below the knees, only garment joined to the torso's (`legs.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Legs {
    /// The share of the way from the waist to the knees over which the lower garment's colours
    /// are read: a ball juggled at the knees (b1) is not taken for the trousers' colour.
    pub thighs: f32,
    /// A lower garment is only the colours that come in further down where the top's colours are
    /// more than this share of the upper thighs (a top hanging past the hips)...
    pub top_fills: f32,
    /// ...and there are this many times as many new colours down to the knees as on the upper
    /// thighs.
    pub comes_in: u32,
    /// The rim, in map pixels, that stays with the joined garment.
    pub rim: usize,
    /// Legwear under a dress (`legwear.rs`): the dress's colours are read on the torso from
    /// `bodice_from` torso lengths below the shoulders, and on the skirt from the waist to
    /// `skirt` of the way to the knees...
    pub bodice_from: f32,
    pub skirt: f32,
    /// ...and legwear needs this many map pixels below the knees in other colours.
    pub legwear_least: u32,
    /// Below the knees, legwear on both shins stays whatever the thighs show (tights under a
    /// knee-length dress): both shins covered by garment at `shin_covered` of their samples, a
    /// colour (within `shin_same` CIE94) on `shin_colour` of each shin's samples, and the
    /// shins' middles at least `shins_apart` shin lengths apart.
    pub shin_covered: f32,
    pub shin_same: f32,
    pub shin_colour: f32,
    pub shins_apart: f32,
}

impl Default for Legs {
    fn default() -> Self {
        Legs {
            thighs: 0.6,
            top_fills: 0.5,
            comes_in: 3,
            rim: 2,
            bodice_from: 0.3,
            skirt: 0.25,
            legwear_least: 8,
            shin_covered: 0.6,
            shin_same: 8.0,
            shin_colour: 0.75,
            shins_apart: 0.25,
        }
    }
}

/// Down the forearms, only the garment's colours from elsewhere (`sleeves.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sleeves {
    /// How far from a forearm's segment, in its radii, a pixel is on the forearm.
    pub reach: f32,
}

impl Default for Sleeves {
    fn default() -> Self {
        Sleeves { reach: 1.0 }
    }
}

/// The evidence for one full-body garment (`dress.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Dress {
    /// The share of the torso's columns that must be garment all through the waist band, with
    /// the legs' say and without it.
    pub unbroken_legs: f32,
    pub unbroken: f32,
    /// The least share of each side's colours found on the other (one look), with the legs' say
    /// and without it: without it the rest must be surer.
    pub same_look_legs: f32,
    pub same_look: f32,
    /// A top's own edge found across at most this share of the torso is none. Then colours that
    /// differ above and below the waist still make one garment where the legs are bridged (a
    /// bodice and a skirt sewn together high on the waist; a top tucked into a skirt ends in an
    /// edge all across), and one garment that runs off the frame is a top.
    pub no_edge: f32,
    /// CIE94 distance (textile weights) under which two colours are the same: it forgives the
    /// lightness changes of folds and shade.
    pub same_colour: f32,
    /// The least garment samples above and below the waist for their colours to be compared.
    pub least_samples: usize,
    /// The share of the waist's samples that may be bare skin (a crop top, a shirtless runner).
    pub bare_waist: f32,
    /// How much a colour unlike this person's skin takes off PAN's skin there.
    pub skin_unlike: f32,
    /// Thighs closer than this, in shoulder widths, say nothing of a gap between them.
    pub legs_apart: f32,
    /// The garment between the thighs under which there is a gap, and over which it is bridged.
    pub gap: f32,
    pub bridged: f32,
    /// The torso's own columns, within this many shoulder widths of its middle, where a top's hem
    /// is counted.
    pub hem_half: f32,
    /// The share of the body below the waist that must be in the frame for anything but a top
    /// to be called, and for a dress to be called: one garment on to the bottom of the frame
    /// just past the hips is a long top as much as a dress.
    pub below_seen: f32,
    pub full_needs_seen: f32,
    /// The share of the torso's columns (at the hips) whose garment reaches the frame's bottom
    /// edge for it to run on off the frame, and how near the edge (a share of the frame's
    /// height) counts as reaching it.
    pub runs_off: f32,
    pub bottom_edge: f32,
}

impl Default for Dress {
    fn default() -> Self {
        Dress {
            unbroken_legs: 0.6,
            unbroken: 0.8,
            same_look_legs: 0.7,
            same_look: 0.75,
            no_edge: 0.2,
            same_colour: 8.0,
            least_samples: 6,
            bare_waist: 0.15,
            skin_unlike: 0.8,
            legs_apart: 0.2,
            gap: 0.3,
            bridged: 0.5,
            hem_half: 0.3,
            below_seen: 0.5,
            full_needs_seen: 0.75,
            runs_off: 0.5,
            bottom_edge: 0.04,
        }
    }
}

/// A top's own hem, column by column (`hem.rs`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopHem {
    /// Where the top's colours are read, in torso lengths from the shoulders: the chest.
    pub chest: (f32, f32),
    /// The share of the chest the top must cover: on a bare chest the few pixels PAN calls
    /// clothes (sunlit skin) are no top's colours.
    pub covers_chest: f32,
    /// The skeleton's least lower-body share for a pixel to count for the hem (arms left out).
    pub lower_share: f32,
    /// An edge past this many torso lengths (mid-thigh) is a tunic or, far likelier, the lower
    /// garment in one of the top's colours: no edge.
    pub tunic: f32,
    /// The edge is the median of this many columns either side.
    pub smooth: usize,
    /// The least pixels down a column for an edge, and the share of those below it that must be
    /// none of the top's colours.
    pub least_pixels: usize,
    pub others_below: f32,
}

impl Default for TopHem {
    fn default() -> Self {
        TopHem { chest: (0.35, 0.75), covers_chest: 0.7, lower_share: 0.05, tunic: 1.4, smooth: 2, least_pixels: 6, others_below: 0.7 }
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
