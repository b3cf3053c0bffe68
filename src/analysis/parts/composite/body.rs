//! The body a skeleton gives: its segments, its face, hands and feet (never garments), its
//! box, read from BlazePose's landmarks in map pixels. Upper vs lower by the nearest segment.

use super::*;

/// A disc that is never a garment (head, hand, foot), in map pixels.
#[derive(Debug, Clone, Copy)]
pub(super) struct Never {
    pub(super) c: P,
    pub(super) r: f32,
    /// For a hand: the wrist and the unit direction into the hand. The disc stops a little
    /// behind the wrist, so the sleeve's cuff stays a garment.
    pub(super) from: Option<(P, P)>,
    /// A hand's disc, which reaches past the hand: a garment seen around the hand within it
    /// is still the garment.
    pub(super) hand: bool,
    /// Its soft edge, and for a hand where it starts behind the wrist, in its radii
    /// ([`BodyShape`]'s `disc_edge`, `behind_wrist`).
    pub(super) edge: (f32, f32),
    pub(super) behind: (f32, f32),
}

impl Never {
    /// How surely p is inside (0..1).
    pub(super) fn at(&self, p: P) -> f32 {
        let disc = 1.0 - smoothstep(self.edge.0 * self.r, self.edge.1 * self.r, len(sub(p, self.c)));
        match self.from {
            Some((wrist, dir)) if disc > 0.0 => disc * smoothstep(self.behind.0 * self.r, self.behind.1 * self.r, dot(sub(p, wrist), dir)),
            _ => disc,
        }
    }
}

/// One person's body in map pixels.
#[derive(Debug, Clone)]
pub(super) struct Body {
    pub(super) shoulder: P,
    pub(super) hips_seen: bool,
    /// Where upper meets lower on the torso: a little above the hip joints, at the waistband.
    pub(super) waist: P,
    pub(super) sw: f32,
    pub(super) torso: f32,
    /// (from, to, radius) segments of the upper and lower body.
    pub(super) upper: Vec<(P, P, f32)>,
    pub(super) lower: Vec<(P, P, f32)>,
    /// The forearms (elbow, wrist, radius), also among `upper`: a sleeve runs down them in the
    /// garment's colours, skin and what is held do not (`sleeves.rs`).
    pub(super) forearms: Vec<(P, P, f32)>,
    /// Left and right thighs (hip, knee), when seen.
    pub(super) thighs: Option<[(P, P); 2]>,
    /// The image row of the higher seen knee: the ground is down the image, whichever way the
    /// body leans (a sprinter bent forward has his torso's axis near level).
    pub(super) knee_row: Option<f32>,
    /// The image row of the lower seen ankle.
    pub(super) ankle_row: Option<f32>,
    /// The shins the model sees (knee, ankle), for legwear below the knees (`legs.rs`).
    pub(super) shins: Vec<(P, P)>,
    /// Discs that are never garments: head, hands, feet.
    pub(super) never: Vec<Never>,
    /// Axis from shoulders to hips (unit) and its normal, for the neck cut.
    pub(super) axis: P,
    pub(super) normal: P,
    /// Face disc for the skin colour model.
    pub(super) face: Option<(P, f32)>,
    pub(super) bbox: [f32; 4],
    /// The proportions it was made with.
    pub(super) shape: BodyShape,
}

impl Body {
    /// Whether the body is folded: its torso far from upright (bent over, a crouch), or a thigh
    /// far off the torso's axis (a high kick, seated, one knee forward; see `upright` and
    /// `thigh_down` in [`BodyShape`]). Down such a body the columns below the hips cross a leg,
    /// not a shirt's tail, and the colours read below the waist are a raised thigh's: the outfit
    /// cannot be read. A walker's raised knee is not folded.
    pub(super) fn folded(&self) -> bool {
        let down = |(hip, knee): (P, P)| dot(sub(knee, hip), self.axis) >= self.shape.thigh_down * len(sub(knee, hip));
        self.axis.1 < self.shape.upright || self.thighs.is_some_and(|[l, r]| !down(l) || !down(r))
    }

    /// The point `along` torso lengths down the body's axis from the shoulders' centre and
    /// `across` shoulder widths along its normal.
    pub(super) fn point(&self, along: f32, across: f32) -> P {
        (
            self.shoulder.0 + self.axis.0 * along * self.torso + self.normal.0 * across * self.sw,
            self.shoulder.1 + self.axis.1 * along * self.torso + self.normal.1 * across * self.sw,
        )
    }

    /// Down the body from the shoulders, in torso lengths.
    pub(super) fn along(&self, p: P) -> f32 {
        dot(sub(p, self.shoulder), self.axis) / self.torso
    }

    /// The hem's column `p` lies in: 1 map pixel wide, from two shoulder widths left of the
    /// shoulders' centre.
    pub(super) fn hem_column(&self, p: P) -> usize {
        (dot(sub(p, self.shoulder), self.normal) + 2.0 * self.sw).floor().max(0.0) as usize
    }

    /// Where a top's hem is looked for, `t` torso lengths down: from the lower chest down to the
    /// ankles (mid-stride a knee is raised above a shirt's hem).
    pub(super) fn in_hem_zone(&self, p: P, t: f32) -> bool {
        t >= self.shape.hem_from && self.ankle_row.is_none_or(|r| p.1 <= r)
    }

    /// The least distance to a segment of `segs`, in units of that segment's radius.
    pub(super) fn reach(segs: &[(P, P, f32)], p: P) -> f32 {
        segs.iter().map(|&(a, b, r)| seg_dist(p, a, b) / r.max(1e-3)).fold(f32::INFINITY, f32::min)
    }

    /// How much a point belongs to the lower body (0..1), from its reach to either group.
    pub(super) fn lower_share(&self, p: P) -> f32 {
        if self.lower.is_empty() {
            return 0.0;
        }
        let (u, l) = (Body::reach(&self.upper, p), Body::reach(&self.lower, p));
        smoothstep(self.shape.lower_edge.0, self.shape.lower_edge.1, u - l)
    }

    /// 1 on the head (above the neck, between the shoulders) and on face and feet: the hands
    /// are [`Body::hand_at`].
    pub(super) fn never_garment(&self, p: P) -> f32 {
        let d = sub(p, self.shoulder);
        let along = dot(d, self.axis);
        let across = dot(d, self.normal).abs();
        // Above the neck and within the head's width: the head, hair, a helmet. Sleeves of
        // arms raised beyond the shoulders stay garments.
        let s = &self.shape;
        let neck = -s.neck * self.sw;
        let over_neck = (1.0 - smoothstep(s.head_half_width.0 * self.sw, s.head_half_width.1 * self.sw, across))
            * (1.0 - smoothstep(neck - s.neck_soft * self.torso, neck + s.neck_soft * self.torso, along));
        let discs = self.never.iter().filter(|n| !n.hand).map(|n| n.at(p)).fold(0.0, f32::max);
        over_neck.max(discs)
    }

    /// How surely p is on a hand's disc (0..1).
    pub(super) fn hand_at(&self, p: P) -> f32 {
        self.never.iter().filter(|n| n.hand).map(|n| n.at(p)).fold(0.0, f32::max)
    }

    /// How plausible hair is at p: 1 around the head and down to the chest (long hair), fading
    /// to a fifth further away; 1 everywhere when the face is not seen (a back view).
    pub(super) fn hair_reach(&self, p: P) -> f32 {
        match self.face {
            None => 1.0,
            Some((c, r)) => {
                // r is the face's share of the head's radius.
                let s = &self.shape;
                let d = len(sub(p, c)) / (r / s.face_of_head).max(1e-3);
                1.0 - s.hair_far * smoothstep(s.hair_reach.0, s.hair_reach.1, d)
            }
        }
    }

    /// On the torso: the capsule from the shoulders to the waist, and on to the crotch.
    pub(super) fn on_torso(&self, p: P) -> bool {
        let torso = |segs: &[(P, P, f32)]| segs.first().is_some_and(|s| Body::reach(std::slice::from_ref(s), p) <= 1.0);
        torso(&self.upper) || (self.hips_seen && torso(&self.lower))
    }

    /// Lower in the image than the higher of the knees it sees.
    pub(super) fn below_knees(&self, p: P) -> bool {
        self.knee_row.is_some_and(|k| p.1 > k)
    }

    /// Lower in the image than the lower of its ankles, and off the legs (further than
    /// `leg_reach` of their segments' radii): where a shoe is, and not a trouser leg.
    pub(super) fn past_ankles(&self, p: P) -> bool {
        self.ankle_row.is_some_and(|a| p.1 > a) && Body::reach(&self.lower, p) > self.shape.leg_reach
    }

    /// Reach to the whole skeleton, for telling people apart where their masks do not.
    pub(super) fn reach_any(&self, p: P) -> f32 {
        Body::reach(&self.upper, p).min(Body::reach(&self.lower, p))
    }
}

/// The mean of the landmarks in `ids` that the model places in the image, in map pixels.
pub(super) fn mean_of(p: &Person, ids: impl Iterator<Item = usize>, sx: f32, sy: f32) -> Option<(P, Vec<P>)> {
    let pts: Vec<P> = ids.filter_map(|i| p.present(i)).map(|l| (l.x * sx, l.y * sy)).collect();
    if pts.is_empty() {
        return None;
    }
    let n = pts.len() as f32;
    Some(((pts.iter().map(|q| q.0).sum::<f32>() / n, pts.iter().map(|q| q.1).sum::<f32>() / n), pts))
}

/// A person's body in map pixels, or None when not even the shoulders are seen.
pub(super) fn body(p: &Person, fw: u32, fh: u32, sx: f32, sy: f32, s: &BodyShape) -> Option<Body> {
    let at = |i: usize| p.seen(i, fw, fh).map(|l| (l.x * sx, l.y * sy));
    // Limbs: a joint the model places, even partly hidden, still marks where the limb is.
    let joint = |i: usize| p.landmarks.get(i).filter(|l| l.presence > 0.5 && l.visibility > s.joint_seen).map(|l| (l.x * sx, l.y * sy));
    let (ls, rs) = (at(pose::L_SHOULDER)?, at(pose::R_SHOULDER)?);
    let shoulder = lerp(ls, rs, 0.5);
    let sw = len(sub(ls, rs)).max(2.0);
    let hips = match (at(pose::L_HIP), at(pose::R_HIP)) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    let hip = hips.map_or((shoulder.0, shoulder.1 + s.hips_unseen * sw), |(a, b)| lerp(a, b, 0.5));
    let torso = len(sub(hip, shoulder)).max(1.0);
    let axis = {
        let d = sub(hip, shoulder);
        (d.0 / torso, d.1 / torso)
    };
    let normal = (-axis.1, axis.0);
    let waist = lerp(shoulder, hip, s.waist);
    let mut upper = Vec::new();
    let mut lower = Vec::new();
    let mut forearms = Vec::new();
    upper.push((shoulder, if hips.is_some() { waist } else { hip }, s.torso_radius * sw));
    for (sh, e, w) in [(pose::L_SHOULDER, pose::L_ELBOW, pose::L_WRIST), (pose::R_SHOULDER, pose::R_ELBOW, pose::R_WRIST)] {
        if let (Some(a), Some(b)) = (joint(sh), joint(e)) {
            upper.push((a, b, s.upper_arm * sw));
            if let Some(c) = joint(w) {
                upper.push((b, c, s.forearm * sw));
                // Only a forearm the model sees: one guessed behind the back or beyond the body
                // in profile lies over the shirt, whose rarer colours it would cut.
                if at(e).is_some() && at(w).is_some() {
                    forearms.push((b, c, s.forearm * sw));
                }
            }
        }
    }
    let mut thighs = None;
    let mut shins = Vec::new();
    let mut knee_row: Option<f32> = None;
    let mut ankle_row: Option<f32> = None;
    if let Some((lh, rh)) = hips {
        // The lower torso runs on past the hip joints to the crotch.
        lower.push((waist, lerp(shoulder, hip, s.crotch), s.torso_radius * sw));
        let mut legs = Vec::new();
        for (k, a, hp) in [(pose::L_KNEE, pose::L_ANKLE, lh), (pose::R_KNEE, pose::R_ANKLE, rh)] {
            if let Some(kn) = joint(k) {
                lower.push((hp, kn, s.thigh * sw));
                legs.push((hp, kn));
                if let Some(an) = joint(a) {
                    lower.push((kn, an, s.shin * sw));
                    shins.push((kn, an));
                }
            } else {
                // Knee unseen: the thigh runs down along the body's axis.
                lower.push((hp, (hp.0 + axis.0 * s.thigh_unseen * torso, hp.1 + axis.1 * s.thigh_unseen * torso), s.thigh * sw));
            }
        }
        if legs.len() == 2 {
            thighs = Some([legs[0], legs[1]]);
        }
        // The rows of the knees and the ankles, from shins the model sees standing on their feet
        // only: a frame that ends at the hips gets knees guessed on the arms (julia+trotti_17).
        for (k, a) in [(pose::L_KNEE, pose::L_ANKLE), (pose::R_KNEE, pose::R_ANKLE)] {
            if let (Some(kn), Some(an)) = (at(k), at(a)) {
                if an.1 > kn.1 {
                    knee_row = Some(knee_row.map_or(kn.1, |r| r.min(kn.1)));
                    ankle_row = Some(ankle_row.map_or(an.1, |r| r.max(an.1)));
                }
            }
        }
    }
    let mut never = Vec::new();
    let face = mean_of(p, pose::FACE, sx, sy).map(|(c, pts)| {
        let ears = match (joint(pose::L_EAR), joint(pose::R_EAR)) {
            (Some(a), Some(b)) => len(sub(a, b)),
            _ => 0.0,
        };
        let spread = pts.iter().map(|q| len(sub(*q, c))).fold(0.0, f32::max);
        let r = (s.face_by_ears * ears).max(s.face_by_spread * spread).max(s.face_least * sw);
        (c, r)
    });
    let disc = |c: P, r: f32, from: Option<(P, P)>, hand: bool| Never { c, r, from, hand, edge: s.disc_edge, behind: s.behind_wrist };
    if let Some((c, r)) = face {
        never.push(disc(c, r, None, false));
    }
    // The whole head, seen from the side: the ears lie near its middle and the nose about a
    // head's radius in front of them. The face disc covers the face, and a head bent forward
    // leaves the region above the neck: b1's juggler, turned and leaning, had the back and the
    // top of his head restyled with his shirt. The disc is moved half that radius away from the
    // shoulders, over the hair on top, so that it reaches no nearer the collar than the radius.
    // Facing the camera the nose is near the ears' middle and this disc is small. At most
    // `side_head_most` of the torso, against a stray landmark.
    let ears: Vec<P> = [pose::L_EAR, pose::R_EAR].into_iter().filter_map(joint).collect();
    if let (Some(nose), false) = (joint(pose::NOSE), ears.is_empty()) {
        let mid = lerp(ears[0], ears[ears.len() - 1], 0.5);
        let radius = len(sub(nose, mid)).min(s.side_head_most * torso);
        let up = sub(mid, shoulder);
        let up = if len(up) > 1e-3 { (up.0 / len(up), up.1 / len(up)) } else { (-axis.0, -axis.1) };
        let c = (mid.0 + s.side_head_lift * radius * up.0, mid.1 + s.side_head_lift * radius * up.1);
        never.push(disc(c, s.side_head_disc * radius, None, false));
    }
    for (hand, elbow) in pose::HANDS.into_iter().zip([pose::L_ELBOW, pose::R_ELBOW]) {
        // Only a hand the model sees: one it guesses behind the body or out of view would cut a
        // disc out of the shirt in front of it.
        let seen = hand.iter().copied().filter(|&i| p.landmarks.get(i).is_some_and(|l| l.visibility > s.hand_seen));
        if let Some((c, pts)) = mean_of(p, seen, sx, sy) {
            if pts.len() >= s.hand_points {
                let spread = pts.iter().map(|q| len(sub(*q, c))).fold(0.0, f32::max);
                // The disc reaches back past the wrist over the cuff; the hand lies beyond the
                // wrist, towards its fingers (else along the forearm).
                let from = joint(hand[0]).and_then(|wr| {
                    let d = [Some(sub(c, wr)), joint(elbow).map(|e| sub(wr, e))].into_iter().flatten().find(|d| len(*d) > 1.0)?;
                    Some((wr, (d.0 / len(d), d.1 / len(d))))
                });
                never.push(disc(c, (s.hand_spread * spread).max(s.hand_least * sw), from, true));
            }
        }
    }
    for [ankle, heel, toe] in pose::FEET {
        // Only feet the model sees: a guessed foot would cut into the trousers.
        let (a, he, t) = (joint(ankle), joint(heel), joint(toe));
        let foot = match (he, t) {
            (Some(h), Some(t)) => Some(lerp(h, t, 0.5)),
            (Some(q), None) | (None, Some(q)) => Some(q),
            (None, None) => None,
        };
        if let Some(f) = foot {
            // Centred on the foot, nudged towards the ankle: the shoe, not the trouser hem.
            let c = a.map_or(f, |a| lerp(f, a, s.foot_to_ankle));
            let r = match (he, t) {
                (Some(h), Some(t)) => s.foot_length * len(sub(h, t)),
                _ => 0.0,
            }
            .max(s.foot_least * sw);
            never.push(disc(c, r, None, false));
        }
    }
    let bbox = extent(p, sx, sy, sw, s.extent_margin);
    Some(Body {
        shoulder,
        hips_seen: hips.is_some(),
        waist,
        sw,
        torso,
        upper,
        lower,
        forearms,
        thighs,
        knee_row,
        ankle_row,
        shins,
        never,
        axis,
        normal,
        face: face.map(|(c, r)| (c, s.face_of_head * r)),
        bbox,
        shape: *s,
    })
}
