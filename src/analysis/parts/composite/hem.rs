//! A two-piece outfit's split where the skeleton does not decide it: the top's own hem, found
//! column by column from the colours of the top and of the lower garment, and remembered while
//! it is hidden.

use super::*;

/// Which garment a pixel of a two-piece outfit is, where the skeleton does not decide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Skeleton,
    Upper,
    Lower,
}

/// Where the top and the lower garment differ in colour, the split follows the top's own edge
/// rather than the waist line: a top hanging past it (a football shirt over shorts, a sweater
/// over leggings, b3's shirt seen from above, over the hip joints) is the top down to its hem, and
/// trousers or a skirt worn above it are the lower garment up to their waistband. The top's
/// colours are read on the chest. Down each column across the body, from the lower chest to the
/// ankles, the edge is where the top's colours above give way to others below, found where the
/// most pixels agree; a column changes only where the colours below are mostly not the top's, so
/// where the two share colours (b1's slate shirt and navy trousers) the skeleton decides, as
/// before. The edge is smoothed over the columns beside it. Arms are left out: only pixels the
/// skeleton gives the lower body some share of are counted or moved.
pub(super) fn split_by_colour(b: &Body, k: usize, px: &PixelMaps<'_>, hem: &Hem, side: &mut [Side], t: &TopHem) {
    let PixelMaps { owner, garment, lab, w, .. } = *px;
    let mine = |i: usize| owner[i] == k && garment[i] > 0.5;
    for i in (0..garment.len()).filter(|&i| mine(i)) {
        let p = pixel_centre(i, w);
        let (along, c, l) = (b.along(p), b.hem_column(p), b.lower_share(p));
        let Some(&e) = hem.edge.get(c).filter(|e| !e.is_nan()) else { continue };
        if !b.in_hem_zone(p, along) || l <= t.lower_share {
            continue;
        }
        // The edge decides the shades between; a colour the top lacks above it, or the top's own
        // below it, is left to the skeleton (an edge a little off, or trousers in the top's
        // colour).
        side[i] = match (along < e, hem.label(lab[i])) {
            (true, -1) | (false, 1) => Side::Skeleton,
            (true, _) => Side::Upper,
            (false, _) => Side::Lower,
        };
    }
}

/// A top's own hem, column by column across an upright body (see [`split_by_colour`]).
pub(super) struct Hem {
    /// The top's colours, read on the chest.
    pub(super) top: LowerColours,
    /// Per column, 1 map pixel wide from two shoulder widths left of the shoulders' centre to two
    /// right, the edge in torso lengths from the shoulders; NaN where the column has none.
    pub(super) edge: Vec<f32>,
}

impl Hem {
    /// The hem of person `k`'s top, or None where it cannot be read: no hips, a folded body
    /// ([`Body::folded`]), or no top over the chest.
    pub(super) fn find(b: &Body, k: usize, px: &PixelMaps<'_>, t: &TopHem) -> Option<Hem> {
        let PixelMaps { owner, garment, lab, .. } = *px;
        if !b.hips_seen || b.lower.is_empty() {
            return None;
        }
        let mine = |i: usize| owner[i] == k && garment[i] > 0.5;
        let torso = &b.upper[..1];
        // Not on a folded body (a crouch; Athlete-Intake's left man, one knee forward and one
        // down; b1's high kicks).
        if b.folded() {
            return None;
        }
        let mut hem = Hem { top: LowerColours::default(), edge: Vec::new() };
        let mut chest = 0u32;
        for i in (0..garment.len()).filter(|&i| owner[i] == k) {
            let p = pixel_centre(i, px.w);
            if (t.chest.0..=t.chest.1).contains(&b.along(p)) && Body::reach(torso, p) <= 1.0 && b.lower_share(p) < 0.5 {
                chest += 1;
                if mine(i) {
                    hem.top.add(lab[i]);
                }
            }
        }
        tracing::trace!(person = k, top = hem.top.total, chest, "split by colour: the top's colours");
        // A top that covers the chest: on a bare chest the few pixels PAN calls clothes (sunlit
        // skin) are no top's colours.
        if hem.top.total < LowerColours::FEW || (hem.top.total as f32) < t.covers_chest * chest as f32 {
            return None;
        }
        let columns = (4.0 * b.sw).ceil() as usize + 1;
        // Per column, (along, label).
        let mut cols: Vec<Vec<(f32, i8)>> = vec![Vec::new(); columns];
        for i in (0..garment.len()).filter(|&i| mine(i)) {
            let p = pixel_centre(i, px.w);
            let (along, c) = (b.along(p), b.hem_column(p));
            if c >= columns || !b.in_hem_zone(p, along) || b.lower_share(p) <= t.lower_share {
                continue;
            }
            cols[c].push((along, hem.label(lab[i])));
        }
        // A top that runs on past `tunic` torso lengths (mid-thigh) is a tunic or, far likelier, the
        // lower garment in one of the top's colours (black leggings under a sweater with a black
        // and white scarf): no edge.
        let edge: Vec<f32> = cols.iter_mut().map(|c| top_edge(c, t)).map(|e| if e > t.tunic { f32::NAN } else { e }).collect();
        hem.edge = median_of_neighbours(&edge, t.smooth);
        tracing::trace!(person = k, columns = hem.edge.iter().filter(|e| !e.is_nan()).count(), "split by colour: columns with an edge");
        Some(hem)
    }

    /// +1 the top's colour, -1 none of its colours, 0 one of its rarer ones.
    pub(super) fn label(&self, c: [f32; 3]) -> i8 {
        if self.top.common(c) {
            1
        } else if self.top.seen(c) {
            0
        } else {
            -1
        }
    }

    /// The share of the torso's own columns (within `half` shoulder widths of its middle) where
    /// the top ends in an edge.
    pub(super) fn share_across(&self, b: &Body, half: f32) -> f32 {
        let (from, to) = (((2.0 - half) * b.sw).floor().max(0.0) as usize, ((2.0 + half) * b.sw).ceil() as usize);
        let cols = &self.edge[from.min(self.edge.len())..(to + 1).min(self.edge.len())];
        if cols.is_empty() {
            return 0.0;
        }
        cols.iter().filter(|e| !e.is_nan()).count() as f32 / cols.len() as f32
    }
}

/// Where, down one column of (along, label) pixels, the top's colours (+1) above give way to
/// others (-1) below: the place most pixels agree with, or NaN where the column has no such
/// edge (too few pixels, or below it mostly the top's colours or shades near them).
pub(super) fn top_edge(col: &mut [(f32, i8)], t: &TopHem) -> f32 {
    if col.len() < t.least_pixels {
        return f32::NAN;
    }
    col.sort_by(|a, b| a.0.total_cmp(&b.0));
    let others_total = col.iter().filter(|c| c.1 < 0).count();
    // Pixels above the edge that are the top's, below it that are not.
    let (mut best, mut best_at, mut tops_above) = (others_total, 0usize, 0usize);
    for j in 1..=col.len() {
        tops_above += (col[j - 1].1 > 0) as usize;
        let others_below = col[j..].iter().filter(|c| c.1 < 0).count();
        if tops_above + others_below > best {
            best = tops_above + others_below;
            best_at = j;
        }
    }
    let below = &col[best_at..];
    let others_below = below.iter().filter(|c| c.1 < 0).count();
    if below.len() < t.least_pixels / 2 || (others_below as f32) < t.others_below * below.len() as f32 {
        return f32::NAN;
    }
    // A column that shows none of the top says nothing of where it ends.
    match best_at {
        0 => f32::NAN,
        j => (col[j - 1].0 + col[j].0) / 2.0,
    }
}

/// The colours of a person's lower garment above the knees, as coarse Lab bins (lightness in
/// steps of 12.5, a and b in steps of 8): shade moves a colour a bin or so, a white ball in front
/// of navy trousers is several away.
#[derive(Default)]
pub(super) struct LowerColours {
    pub(super) bins: Vec<u32>,
    pub(super) total: u32,
}

impl LowerColours {
    /// Lightness bins (0..100 in steps of 12.5), and a and b bins (-64..64 in steps of 8; the
    /// few colours past that share the end bins).
    const L: usize = 8;
    const L_STEP: f32 = 12.5;
    const AB: usize = 16;
    const AB_FROM: f32 = -64.0;
    const AB_STEP: f32 = 8.0;
    /// Under this many pixels there are too few colours to tell.
    pub(super) const FEW: u32 = 50;
    /// A bin is one of the colours with one in `WIDENED_SHARE` of them (0.2%), and common with one
    /// in `COMMON_SHARE` (1%); at least `LEAST` either way.
    const WIDENED_SHARE: u32 = 500;
    const COMMON_SHARE: u32 = 100;
    const LEAST: u32 = 3;

    pub(super) fn bin(c: [f32; 3]) -> [usize; 3] {
        let l = ((c[0] / Self::L_STEP) as usize).min(Self::L - 1);
        let ab = |v: f32| (((v - Self::AB_FROM) / Self::AB_STEP).max(0.0) as usize).min(Self::AB - 1);
        [l, ab(c[1]), ab(c[2])]
    }

    pub(super) fn index([l, a, b]: [usize; 3]) -> usize {
        (l * Self::AB + a) * Self::AB + b
    }

    pub(super) fn add(&mut self, c: [f32; 3]) {
        if self.bins.is_empty() {
            self.bins = vec![0; Self::L * Self::AB * Self::AB];
        }
        self.bins[Self::index(Self::bin(c))] += 1;
        self.total += 1;
    }

    /// Bins with a share of the colours (0.2% of them, 3 at least), each widened by one bin
    /// every way. With too few colours to tell (under 50), every colour passes.
    pub(super) fn widened(self) -> LowerColours {
        if self.total < Self::FEW {
            return LowerColours::default();
        }
        let least = (self.total / Self::WIDENED_SHARE).max(Self::LEAST);
        let mut out = vec![0u32; self.bins.len()];
        for l in 0..Self::L {
            for a in 0..Self::AB {
                for b in 0..Self::AB {
                    if self.bins[Self::index([l, a, b])] < least {
                        continue;
                    }
                    for nl in l.saturating_sub(1)..=(l + 1).min(Self::L - 1) {
                        for na in a.saturating_sub(1)..=(a + 1).min(Self::AB - 1) {
                            for nb in b.saturating_sub(1)..=(b + 1).min(Self::AB - 1) {
                                out[Self::index([nl, na, nb])] = 1;
                            }
                        }
                    }
                }
            }
        }
        LowerColours { bins: out, total: self.total }
    }

    /// Whether the (widened) colours have `c`; with none learnt, every colour passes.
    pub(super) fn has(&self, c: [f32; 3]) -> bool {
        self.bins.is_empty() || self.bins[Self::index(Self::bin(c))] > 0
    }

    /// Whether `c`'s bin holds any of the colours added, not widened.
    pub(super) fn seen(&self, c: [f32; 3]) -> bool {
        self.bins.get(Self::index(Self::bin(c))).is_some_and(|&n| n > 0)
    }

    /// Whether `c`'s bin or one next to it holds a real share (1%) of the colours added: the
    /// garment's colour, its folds and shade a step lighter or darker.
    pub(super) fn near_common(&self, c: [f32; 3]) -> bool {
        if self.bins.is_empty() {
            return false;
        }
        let least = (self.total / Self::COMMON_SHARE).max(Self::LEAST);
        let [l, a, b] = Self::bin(c);
        (l.saturating_sub(1)..=(l + 1).min(Self::L - 1)).any(|nl| {
            (a.saturating_sub(1)..=(a + 1).min(Self::AB - 1))
                .any(|na| (b.saturating_sub(1)..=(b + 1).min(Self::AB - 1)).any(|nb| self.bins[Self::index([nl, na, nb])] >= least))
        })
    }

    /// Whether `c`'s bin holds a real share (1%) of the colours added, not widened: the shade
    /// in a grey shirt's folds is not its colour.
    pub(super) fn common(&self, c: [f32; 3]) -> bool {
        self.bins.get(Self::index(Self::bin(c))).is_some_and(|&n| n >= (self.total / Self::COMMON_SHARE).max(Self::LEAST))
    }
}
