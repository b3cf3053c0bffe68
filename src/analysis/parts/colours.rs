//! Garment or not, by colour: odds learnt from one frame's surest pixels, for the pixels the
//! models are unsure of.
//!
//! PAN leaves holes in garments it does not recognise (an orange hoodie in dim light is neither
//! clothes nor skin to it), and the live follower meets garment pixels no analysis has seen (a
//! sleeve raised since). Both are settled the same way: a colour found on this frame's sure
//! garment and not on its sure skin and hair is garment.

use crate::pixels::{lab, smoothstep};

/// Histogram bins: lightness, and each of a and b (Lab).
const L_BINS: usize = 8;
const AB_BINS: usize = 16;
/// a and b beyond this are put in the outermost bins; clothes in indoor light seldom go further.
const AB_RANGE: f32 = 64.0;
/// Weight a side needs before its histogram says anything.
const LEAST: f32 = 20.0;

fn bin(c: [f32; 3]) -> usize {
    let l = ((c[0] / 100.0 * L_BINS as f32) as isize).clamp(0, L_BINS as isize - 1) as usize;
    let ab = |v: f32| (((v + AB_RANGE) / (2.0 * AB_RANGE) * AB_BINS as f32) as isize).clamp(0, AB_BINS as isize - 1) as usize;
    (l * AB_BINS + ab(c[1])) * AB_BINS + ab(c[2])
}

/// Colour histograms of sure garment and sure not-garment (skin, hair) pixels.
#[derive(Debug, Clone)]
pub struct ColourOdds {
    garment: Vec<f32>,
    other: Vec<f32>,
}

impl Default for ColourOdds {
    fn default() -> ColourOdds {
        ColourOdds { garment: vec![0.0; L_BINS * AB_BINS * AB_BINS], other: vec![0.0; L_BINS * AB_BINS * AB_BINS] }
    }
}

impl ColourOdds {
    /// Counts a pixel of Lab colour `c`, `garment` and `other` being how surely it is each.
    pub fn add(&mut self, c: [f32; 3], garment: f32, other: f32) {
        let b = bin(c);
        self.garment[b] += garment.max(0.0);
        self.other[b] += other.max(0.0);
    }

    /// The learnt odds by counts: a colour is garment by how often it was garment in this frame
    /// (dark trousers outnumber the dark hair above them). None when either side saw too little
    /// to tell colours apart.
    pub fn learnt(self) -> Option<LearntOdds> {
        self.learn(false)
    }

    /// The learnt odds with both sides weighing the same, however many pixels each had: for
    /// a few sure face and hair pixels against a whole garment, where a colour as common on the
    /// face as on the garment must stay undecided.
    pub fn learnt_balanced(self) -> Option<LearntOdds> {
        self.learn(true)
    }

    fn learn(self, balanced: bool) -> Option<LearntOdds> {
        let (g, o) = (self.garment.iter().sum::<f32>(), self.other.iter().sum::<f32>());
        if g < LEAST || o < LEAST {
            return None;
        }
        // Spread each bin to its neighbours: one shade of a colour stands for the shades beside
        // it (folds, shadow).
        let (mut garment, mut other) = (spread(&self.garment), spread(&self.other));
        if balanced {
            let (gs, os) = (garment.iter().sum::<f32>(), other.iter().sum::<f32>());
            garment.iter_mut().for_each(|v| *v /= gs);
            other.iter_mut().for_each(|v| *v /= os);
        }
        // The whole count spread evenly over the bins: a colour seen no more often than that is
        // no evidence either way.
        let unseen = (garment.iter().sum::<f32>() + other.iter().sum::<f32>()) / (2 * garment.len()) as f32;
        Some(LearntOdds { garment, other, unseen })
    }
}

/// A 3x3x3 box over the histogram.
fn spread(h: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0; h.len()];
    for l in 0..L_BINS {
        for a in 0..AB_BINS {
            for b in 0..AB_BINS {
                let v = h[(l * AB_BINS + a) * AB_BINS + b];
                if v == 0.0 {
                    continue;
                }
                for dl in l.saturating_sub(1)..=(l + 1).min(L_BINS - 1) {
                    for da in a.saturating_sub(1)..=(a + 1).min(AB_BINS - 1) {
                        for db in b.saturating_sub(1)..=(b + 1).min(AB_BINS - 1) {
                            out[(dl * AB_BINS + da) * AB_BINS + db] += v;
                        }
                    }
                }
            }
        }
    }
    out
}

#[derive(Debug, Clone)]
pub struct LearntOdds {
    garment: Vec<f32>,
    other: Vec<f32>,
    unseen: f32,
}

impl LearntOdds {
    /// How surely colour `c` is garment: 1 where it is common on the sure garment and rare on the
    /// sure skin and hair, 0 where the other way round or where neither had it (a colour never
    /// seen is no evidence).
    pub fn garment(&self, c: [f32; 3]) -> f32 {
        self.both(c).0
    }

    /// How surely colour `c` is skin or hair: [`LearntOdds::garment`] the other way round.
    pub fn other(&self, c: [f32; 3]) -> f32 {
        self.both(c).1
    }

    /// (garment, skin or hair).
    fn both(&self, c: [f32; 3]) -> (f32, f32) {
        let b = bin(c);
        let (g, o) = (self.garment[b], self.other[b]);
        let sure = |v: f32| smoothstep(0.55, 0.85, v / (g + o + self.unseen));
        (sure(g), sure(o))
    }

    /// Both odds for every sRGB colour at 5 bits a channel, for per-frame use: no Lab on the
    /// way.
    pub fn table(&self) -> OddsTable {
        let mut t = Vec::with_capacity(32 * 32 * 32);
        for r in 0..32u32 {
            for g in 0..32u32 {
                for b in 0..32u32 {
                    let c = lab([(r * 8 + 4) as u8, (g * 8 + 4) as u8, (b * 8 + 4) as u8]);
                    t.push(self.both(c));
                }
            }
        }
        OddsTable { t }
    }
}

/// [`LearntOdds`] looked up by sRGB.
#[derive(Debug, Clone)]
pub struct OddsTable {
    t: Vec<(f32, f32)>,
}

impl OddsTable {
    /// (garment, skin or hair) odds of an sRGB colour.
    pub fn at(&self, rgb: [u8; 3]) -> (f32, f32) {
        let i = ((rgb[0] as usize >> 3) << 10) | ((rgb[1] as usize >> 3) << 5) | (rgb[2] as usize >> 3);
        self.t[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colour_on_the_garment_and_not_the_skin_is_garment() {
        let orange = lab([200, 110, 20]);
        let skin = lab([205, 160, 140]);
        let hair = lab([40, 30, 25]);
        let mut odds = ColourOdds::default();
        for _ in 0..50 {
            odds.add(orange, 1.0, 0.0);
            odds.add(skin, 0.0, 1.0);
            odds.add(hair, 0.0, 1.0);
        }
        let o = odds.clone().learnt().expect("both sides seen");
        let b = odds.learnt_balanced().expect("both sides seen");
        assert!(b.garment(orange) > 0.9 && b.garment(skin) < 0.1 && b.other(hair) > 0.9);
        assert!(o.garment(orange) > 0.9, "{}", o.garment(orange));
        assert!(o.garment(lab([190, 100, 25])) > 0.9, "a shade of the garment");
        assert!(o.garment(skin) < 0.1);
        assert!(o.garment(hair) < 0.1);
        assert!(o.garment(lab([20, 60, 200])) < 0.1, "a blue never seen is no evidence");
        assert!(o.other(skin) > 0.9 && o.other(orange) < 0.1 && o.other(lab([20, 60, 200])) < 0.1);
        let t = o.table();
        assert!(t.at([200, 110, 20]).0 > 0.9 && t.at([205, 160, 140]).1 > 0.9, "the table says the same");
    }

    #[test]
    fn too_few_pixels_on_either_side_teach_nothing() {
        let mut odds = ColourOdds::default();
        for _ in 0..50 {
            odds.add(lab([200, 110, 20]), 1.0, 0.0);
        }
        odds.add(lab([205, 160, 140]), 0.0, 5.0);
        assert!(odds.learnt().is_none());
    }
}
