//! Each person's call, a dress or two pieces (or a top alone), from this analysis's evidence
//! (`dress`, `hem`) and held across analyses (`tracks`), with what the `--maps` figure shows of it.

use super::*;

impl GarmentRules {
    /// Each person's call, the hem found in their colours, and the calls as the analysis reports
    /// them (in frame pixels). `tracks`: each person's track index; `bare`: who wears no top
    /// (`bare.rs`), whose garment is all on the lower body and never one full-body piece.
    pub(super) fn calls(
        &mut self,
        people: &[(Person, Body)],
        tracks: &[usize],
        maps: &PixelMaps<'_>,
        pan: Option<&Map>,
        (skin_models, bare): (&[Option<SkinModel>], &[bool]),
        (sx, sy): (f32, f32),
    ) -> (Vec<WearCall>, Vec<Option<Hem>>, Vec<PersonCall>) {
        let mut calls = Vec::with_capacity(people.len());
        let mut wear = Vec::with_capacity(people.len());
        let hems: Vec<Option<Hem>> = people.iter().enumerate().map(|(k, (_, b))| Hem::find(b, k, maps, &self.tuning.hem)).collect();
        for (k, (_, b)) in people.iter().enumerate() {
            let needed = self.hem_needed(tracks[k]);
            let dress = &self.tuning.dress;
            let evidence = b.hips_seen.then(|| dress_evidence(b, k, maps, pan, skin_models[k].as_ref(), hems[k].as_ref(), needed, dress));
            self.saw_hem(tracks[k], evidence.and_then(|e| e.hem));
            let seen = match call_of(evidence.as_ref(), &self.tuning.dress) {
                // What is left of a bare-chested person's garments is below the waist.
                _ if bare[k] && b.hips_seen => WearCall::TwoPiece,
                seen => seen,
            };
            // A folded body's evidence is misread (b1's high kicks looked like a dress): it does
            // not change a known person's call.
            let call = if b.folded() { self.settle_folded(tracks[k], seen) } else { self.settle(tracks[k], seen) };
            tracing::trace!(track = self.tracks[tracks[k]].id, ?seen, ?call, ?evidence, "wear call");
            wear.push(call);
            let t = &self.tracks[tracks[k]];
            calls.push(PersonCall {
                track: t.id,
                call,
                held: call != seen,
                evidence,
                shoulder: (b.shoulder.0 / sx, b.shoulder.1 / sy),
                waist: b.hips_seen.then(|| {
                    // The torso's width at the waist.
                    let r = b.shape.torso_radius;
                    let half = (b.normal.0 * r * b.sw, b.normal.1 * r * b.sw);
                    [((b.waist.0 - half.0) / sx, (b.waist.1 - half.1) / sy), ((b.waist.0 + half.0) / sx, (b.waist.1 + half.1) / sy)]
                }),
                bbox: [b.bbox[0] / sx, b.bbox[1] / sy, b.bbox[2] / sx, b.bbox[3] / sy],
                never: b.never.iter().map(|n| ((n.c.0 / sx, n.c.1 / sy), n.r / sx)).collect(),
            });
        }
        tracing::trace!(people = calls.len(), calls = ?calls.iter().map(|c| c.call).collect::<Vec<_>>(), "composite segmenter");
        (wear, hems, calls)
    }
}
