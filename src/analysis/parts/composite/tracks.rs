//! People followed from one analysis to the next: matched by their shoulders, held while the
//! pose model misses them, and their call (dress or two pieces) changed only after it has been
//! contradicted `call_hold` analyses running, their hem remembered for `hem_memory` ([`Tuning`]).

use super::*;

/// A person followed from one analysis to the next.
#[derive(Debug, Clone)]
pub(super) struct Track {
    pub(super) id: u32,
    /// Shoulder centre and shoulder width in frame pixels, for matching.
    pub(super) centre: (f32, f32),
    pub(super) scale: f32,
    pub(super) call: WearCall,
    /// Analyses running in which the evidence said the other call.
    pub(super) against: u32,
    pub(super) missed: u32,
    /// Whether, missed, the selfie mask last showed them plainly still there (`held_sure`): they
    /// are held up to `keep_sure` analyses, not `keep`.
    pub(super) sure: bool,
    /// Where the landmark model looks for this person next.
    pub(super) next: Option<Roi>,
    /// The person as last found, held while the pose model misses them.
    pub(super) last: Option<Person>,
    /// Analyses since their top's hem was seen all across the torso (`hem_across`), while under
    /// `hem_memory`.
    pub(super) hem_seen: Option<u32>,
    /// Whether they wear no top (`bare.rs`), once known, and the analyses running that said
    /// otherwise: held like the call, so a runner whose chest reads near the line does not
    /// blink.
    pub(super) bare: Option<(bool, u32)>,
}

impl Track {
    /// Whether the track is still matched against and may be held: missed fewer than `keep`
    /// analyses running, or than `keep_sure` while the selfie mask plainly shows them.
    pub(super) fn kept(&self, t: &tuning::Tracks) -> bool {
        self.missed < t.keep || (self.sure && self.missed < t.keep_sure)
    }

    /// A person found for the first time: not yet called, nothing remembered.
    pub(super) fn new(id: u32, centre: (f32, f32), scale: f32, next: Option<Roi>) -> Track {
        Track { id, centre, scale, call: WearCall::Upper, against: u32::MAX, missed: 0, sure: false, next, last: None, hem_seen: None, bare: None }
    }

    /// Whether the track wears no top, given this analysis's reading: a new track takes it at
    /// once, a known one only after `hold` analyses running said the other.
    pub(super) fn settle_bare(&mut self, seen: bool, hold: u32) -> bool {
        let (bare, against) = match self.bare {
            None => (seen, 0),
            Some((b, _)) if b == seen => (b, 0),
            Some((b, n)) if n + 1 < hold => (b, n + 1),
            Some(_) => (seen, 0),
        };
        self.bare = Some((bare, against));
        bare
    }
}

impl GarmentRules {
    /// Match this analysis's people to the tracks; returns each person's track index.
    pub(super) fn track(&mut self, people: &[(Person, Body)], scale: (f32, f32)) -> Vec<usize> {
        let mut taken = vec![false; self.tracks.len()];
        let mut out = Vec::with_capacity(people.len());
        for (q, b) in people {
            let c = (b.shoulder.0 / scale.0, b.shoulder.1 / scale.1);
            let s = b.sw / scale.0;
            let best = self
                .tracks
                .iter()
                .enumerate()
                .filter(|(i, _)| !taken[*i])
                .map(|(i, t)| (i, len(sub(t.centre, c)) / t.scale.max(s).max(1.0)))
                .filter(|&(_, d)| d < 1.0)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            let i = match best {
                Some((i, _)) => {
                    let t = &mut self.tracks[i];
                    t.centre = c;
                    t.scale = s;
                    t.missed = 0;
                    t.sure = false;
                    t.next = q.next;
                    i
                }
                None => {
                    self.tracks.push(Track::new(self.next_id, c, s, q.next));
                    taken.push(false);
                    self.next_id += 1;
                    self.tracks.len() - 1
                }
            };
            taken[i] = true;
            out.push(i);
        }
        for (i, t) in self.tracks.iter_mut().enumerate() {
            if !taken[i] {
                t.missed += 1;
                // Its region was tried and the person was not there: only the detector finds
                // them again.
                t.next = None;
            }
        }
        out
    }

    /// A person followed until the last analysis and missed in this one is held for a few
    /// analyses where the selfie mask shows someone still there: a garment does not blink off for
    /// one frame the pose model doubts. Held people gate only through the selfie mask, so nothing
    /// is drawn where they have left. Returns the people with those held added, each one's track
    /// index, and which are held; the tracks remember the people found.
    pub(super) fn hold_missed(
        &mut self,
        mut people: Vec<(Person, Body)>,
        mut tracks: Vec<usize>,
        selfie: Option<&Map>,
        (fw, fh): (u32, u32),
        (w, h): (u32, u32),
        (sx, sy): (f32, f32),
    ) -> (Vec<(Person, Body)>, Vec<usize>, Vec<bool>) {
        let mut held = vec![false; people.len()];
        if let Some(m) = selfie {
            let tuning = &self.tuning.tracks;
            for (ti, t) in self.tracks.iter_mut().enumerate() {
                let Some(last) = t.last.as_ref().filter(|_| t.missed >= 1 && t.kept(tuning)) else { continue };
                let (mut sum, mut count) = (0.0f32, 0u32);
                for y in (0..h).step_by(2) {
                    for x in (0..w).step_by(2) {
                        if last.mask_at((x as f32 + 0.5) / sx, (y as f32 + 0.5) / sy) > 0.5 {
                            sum += m.get(x, y, 0);
                            count += 1;
                        }
                    }
                }
                let shown = if count >= tuning.held_points { sum / count as f32 } else { 0.0 };
                t.sure = shown >= tuning.held_sure;
                // Past `keep`, only while the selfie mask plainly shows them now.
                if shown >= tuning.held_selfie && t.kept(tuning) {
                    if let Some(b) = body(last, fw, fh, sx, sy, &self.tuning.body) {
                        people.push((last.clone(), b));
                        tracks.push(ti);
                        held.push(true);
                    }
                }
            }
        }
        for (k, (q, _)) in people.iter().enumerate() {
            if !held[k] {
                self.tracks[tracks[k]].last = Some(q.clone());
            }
        }
        (people, tracks, held)
    }

    /// The hem share that makes this track's outfit two pieces (`hem_known` or `hem_across`).
    pub(super) fn hem_needed(&self, track: usize) -> f32 {
        if self.tracks[track].hem_seen.is_some() {
            self.tuning.tracks.hem_known
        } else {
            self.tuning.tracks.hem_across
        }
    }

    /// Notes this analysis's hem share for the track.
    pub(super) fn saw_hem(&mut self, track: usize, hem: Option<f32>) {
        let (across, memory) = (self.tuning.tracks.hem_across, self.tuning.tracks.hem_memory);
        let t = &mut self.tracks[track];
        t.hem_seen = if hem.is_some_and(|h| h >= across) { Some(0) } else { t.hem_seen.map(|n| n + 1).filter(|&n| n <= memory) };
    }

    /// The call a track makes given evidence read in a folded pose ([`Body::folded`]): a known
    /// track keeps its call and counts nothing toward a change.
    pub(super) fn settle_folded(&mut self, track: usize, evidence: WearCall) -> WearCall {
        let t = &self.tracks[track];
        if t.against == u32::MAX {
            return self.settle(track, evidence);
        }
        t.call
    }

    /// The call a track makes given this analysis's evidence: a new track takes it at once, a
    /// known one only after it has held `call_hold` analyses running.
    pub(super) fn settle(&mut self, track: usize, evidence: WearCall) -> WearCall {
        let t = &mut self.tracks[track];
        if t.against == u32::MAX || evidence == t.call {
            t.call = evidence;
            t.against = 0;
        } else {
            t.against += 1;
            if t.against >= self.tuning.tracks.call_hold {
                t.call = evidence;
                t.against = 0;
            }
        }
        t.call
    }
}
