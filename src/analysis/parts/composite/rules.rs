//! The garment rules: from the models' outputs for a frame ([`ModelMaps`]), its colours and its
//! saliency map to the garment parts, through the stages in their own files, in this order:
//!
//! 1. `people`: skeletons that are no body are dropped; `tracks`: the rest matched to the people
//!    followed so far, someone the pose model missed held where the selfie mask still shows them;
//! 2. `gate`: the person gate and each pixel's owner;
//! 3. `skin`: each person's skin colour from their face; `evidence`: PAN's say per pixel, read
//!    for its owner, and the head, feet and hands;
//! 4. `fill`: garment colours where PAN is unsure; `alpha`: the garment alpha;
//! 5. `legs`: below the knees only what joins the torso's garment; then averaged where the person
//!    holds still ([`Steady`]);
//! 6. `calls`: each person's dress-or-two-pieces call (`dress`, `hem`), held across analyses;
//! 7. `hem`: two pieces split at the top's own edge; `legwear`: tights under a dress are lower;
//!    the class map.
//!
//! The rules hold the people followed across frames; nothing here runs a model.

use super::*;

/// The garment rules and what they remember of the people across analyses.
pub struct GarmentRules {
    pub(super) tracks: Vec<Track>,
    pub(super) next_id: u32,
    /// Analyses run, for the pose detector's turns ([`Closer::Turn`]).
    analyses: u64,
    /// Garment evidence averaged where the person mask holds still.
    steady: Steady,
    pub(super) tuning: Tuning,
}

impl Default for GarmentRules {
    fn default() -> Self {
        GarmentRules::tuned(Tuning::default())
    }
}

impl GarmentRules {
    /// The rules with these thresholds.
    pub fn tuned(tuning: Tuning) -> GarmentRules {
        GarmentRules { tracks: Vec::new(), next_id: 1, analyses: 0, steady: Steady::capped(), tuning }
    }

    /// The next analysis is of a frame `frames` after the last one's ([`Steady::frames_apart`]).
    pub fn frames_apart(&mut self, frames: u64) {
        self.steady.frames_apart(frames);
    }

    /// The next frame is unrelated to the last (another photo, a cut).
    pub fn forget(&mut self) {
        self.tracks.clear();
        self.steady.forget();
    }

    /// Where the pose model should look in the next frame; call once per analysis, before
    /// [`GarmentRules::apply`].
    pub fn hints(&mut self) -> Hints {
        let tuning = &self.tuning.tracks;
        self.tracks.retain(|t| t.kept(tuning));
        let follow: Vec<Roi> = self.tracks.iter().filter_map(|t| t.next).collect();
        let closer = if self.tracks.is_empty() { Closer::All } else { Closer::Turn(self.analyses) };
        self.analyses += 1;
        // Only with no one followed (a photo, the first analysis after a cut): while people are
        // followed, someone the pose model misses is held where the selfie mask shows them
        // (`hold_missed`), and live, where analyses land a second apart, the people the look
        // found lowered the mirror's agreement with the offline analysis on c3 (issue 29:
        // `alpha_iou_vs_offline` 0.454 -> 0.388, means of 10 and 8 runs; vanished frames 27 -> 40).
        let look = self.tracks.is_empty();
        Hints { follow, closer, unexplained: self.tuning.people.unexplained, margin: self.tuning.body.extent_margin, look }
    }

    /// The garments of `frame` from its models' outputs and its saliency map.
    pub fn apply(&mut self, frame: &Frame, saliency: &Map, maps: ModelMaps) -> Segmentation {
        let ModelMaps { pan, selfie, people } = maps;
        let (w, h) = (saliency.width, saliency.height);
        let (fw, fh) = (frame.width(), frame.height());
        let (sx, sy) = (w as f32 / fw as f32, h as f32 / fh as f32);
        // Where the pose model found anyone, bodies or not (the selfie mask counts alone only there).
        let found: Vec<[f32; 4]> = people.iter().map(|q| extent(q, sx, sy, 0.0, self.tuning.body.extent_margin)).collect();
        let people = bodies(people, selfie.as_ref(), pan.as_ref(), (fw, fh), (sx, sy), &self.tuning);
        let tracks = self.track(&people, (sx, sy));
        let (people, tracks, held) = self.hold_missed(people, tracks, selfie.as_ref(), (fw, fh), (w, h), (sx, sy));
        let colours = tensor::resize(frame, None, w, h);
        let lab: Vec<[f32; 3]> = colours.pixels().map(|p| lab([p.0[0], p.0[1], p.0[2]])).collect();

        let t = &self.tuning;
        let own = person_gate(&people, &held, &found, selfie.as_ref(), (w, h), (sx, sy), t);
        let skin = skin_colours(&people, &own, &lab, pan.as_ref(), (w, h), t);
        let evidence = pan_evidence(&people, &own, &skin, &lab, pan.as_ref(), w, t);
        let (never, hands) = never_and_hands(&people, &own, w, t);
        let fill = colour_fill(&people, &own, &evidence, (&never, &hands), &lab, (w, h), t);
        let skin_coloured = own_skin(&people, &own, &evidence, &skin.models, (&never, &hands), &lab, t);
        let garment = garment_alpha(&own, &evidence, &fill, &skin_coloured, (&never, &hands), t);
        let hold = t.tracks.call_hold;
        let held = |k: usize, seen: bool| self.tracks[tracks[k]].settle_bare(seen, hold);
        let (garment, bare) = without_bare_tops(garment, &people, &own, &evidence, &skin_coloured, (w, h), &t.bare, held);

        let bodies: Vec<&Body> = people.iter().map(|(_, b)| b).collect();
        let garment = joined_below_knees(garment, &bodies, &own.owner, &lab, (w, h), &t.legs);
        let garment = sleeves_only(garment, &bodies, &own.owner, &lab, w, &t.sleeves);
        let garment = self.steady.apply(garment, &own.gate, w, h);

        let maps = PixelMaps { owner: &own.owner, garment: &garment, lab: &lab, w, h };
        let (wear, hems, calls) = self.calls(&people, &tracks, &maps, pan.as_ref(), (&skin.models, &bare), (sx, sy));
        let parts = classes(&people, &wear, &hems, &maps, &self.tuning);
        let Ownership { owner, gate, .. } = own;
        let owner = owner.iter().map(|&k| if k < people.len() { (k + 1).min(u16::MAX as usize) as u16 } else { 0 }).collect();
        Segmentation { parts, gate: Some(Map { width: w, height: h, channels: 1, data: gate }), owner: Some(owner), people: calls }
    }
}

/// The class scores (background, upper, lower, full) of each map pixel: its garment alpha
/// shared by its owner's call, two pieces split at the top's own edge where the colours show it
/// and by the skeleton elsewhere.
pub(super) fn classes(people: &[(Person, Body)], wear: &[WearCall], hems: &[Option<Hem>], maps: &PixelMaps<'_>, t: &Tuning) -> Map {
    let legwear = legwear(people, wear, maps, &t.legs);
    let t = &t.hem;
    let PixelMaps { owner, garment, w, h, .. } = *maps;
    let mut side = vec![Side::Skeleton; (w * h) as usize];
    for (k, (_, b)) in people.iter().enumerate() {
        if let (WearCall::TwoPiece, Some(hem)) = (wear[k], &hems[k]) {
            split_by_colour(b, k, maps, hem, &mut side, t);
        }
    }
    let mut out = Map::new(w, h, CLASSES);
    for y in 0..h {
        for x in 0..w {
            let i = (y * w + x) as usize;
            let g = garment[i];
            let p = (x as f32 + 0.5, y as f32 + 0.5);
            let (upper, lower, full) = match people.get(owner[i]).filter(|_| g > 0.0) {
                None => (1.0, 0.0, 0.0),
                Some((_, b)) => match wear[owner[i]] {
                    WearCall::Full if legwear[i] => (0.0, 1.0, 0.0),
                    WearCall::Full => (0.0, 0.0, 1.0),
                    WearCall::Upper => (1.0, 0.0, 0.0),
                    WearCall::TwoPiece => {
                        let l = match side[i] {
                            Side::Skeleton => b.lower_share(p),
                            Side::Upper => 0.0,
                            Side::Lower => 1.0,
                        };
                        (1.0 - l, l, 0.0)
                    }
                },
            };
            out.set(x, y, UPPER, g * upper);
            out.set(x, y, LOWER, g * lower);
            out.set(x, y, FULL, g * full);
            out.set(x, y, BACKGROUND, 1.0 - g);
        }
    }
    out
}
