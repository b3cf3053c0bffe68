//! Legwear under a dress: tights, leggings or trousers that show below a full-body garment's hem
//! are a lower garment, not part of the dress (a strapless dress over black tights had the
//! tights from the hem to the ankles restyled as the dress).

use super::*;

/// Per pixel: whether it is legwear under its owner's dress. For a person called one full-body
/// garment: their garment below the knees in a colour down both shins that the dress does not
/// have (its bodice and the top of its skirt), what joins that up the legs in colours the dress
/// does not have, and its soft rim.
/// A dress whose skirt has other colours than its bodice (c3's girl) keeps them, as the skirt
/// shows them just below the waist; tights of the dress's own colour cannot be told from it.
pub(super) fn legwear(people: &[(Person, Body)], wear: &[WearCall], maps: &PixelMaps<'_>, t: &Legs) -> Vec<bool> {
    let PixelMaps { owner, garment, lab, w, h } = *maps;
    let n = garment.len();
    let dressed = |k: usize| wear.get(k) == Some(&WearCall::Full) && people.get(k).is_some_and(|(_, b)| b.knee_row.is_some());
    if !(0..people.len()).any(dressed) {
        return vec![false; n];
    }
    let at = |i: usize| pixel_centre(i, w);
    let body = |i: usize| people.get(owner[i]).filter(|_| dressed(owner[i])).map(|(_, b)| b);
    // The dress's colours: its bodice (the torso below the chest) and its skirt from the waist
    // to `skirt` of the way to the knees, where no legwear shows under any dress.
    let mut dress: Vec<LowerColours> = people.iter().map(|_| LowerColours::default()).collect();
    for i in (0..n).filter(|&i| garment[i] > 0.5) {
        let Some(b) = body(i) else { continue };
        let p = at(i);
        let bodice = b.lower_share(p) < 0.5 && b.along(p) >= t.bodice_from;
        let skirt_top = b.lower_share(p) >= 0.5 && b.knee_row.is_some_and(|k| (p.1 - b.waist.1) / (k - b.waist.1).max(1.0) <= t.skirt);
        if bodice || skirt_top {
            dress[owner[i]].add(lab[i]);
        }
    }
    let mut out = vec![false; n];
    for (k, (_, b)) in people.iter().enumerate().filter(|&(k, _)| dressed(k) && dress[k].total >= LowerColours::FEW) {
        // Legwear runs down both shins, apart, in one colour the dress does not have: a dark
        // fold or a band of a long skirt lies across them, not down each.
        let shins: Vec<[f32; 3]> = both_shins(b, k, garment, owner, lab, (w, h), t).into_iter().filter(|&c| !dress[k].near_common(c)).collect();
        if shins.is_empty() {
            continue;
        }
        // This person's garment on the legs in colours the dress does not have.
        let mine = |i: usize| owner[i] == k && garment[i] > 0.5 && b.lower_share(at(i)) > 0.5 && !dress[k].near_common(lab[i]);
        let seeds: Vec<f32> = (0..n).map(|i| (mine(i) && b.below_knees(at(i)) && shins.iter().any(|&c| cie94(lab[i], c) < t.shin_same)) as u8 as f32).collect();
        if seeds.iter().filter(|&&s| s > 0.0).count() < t.legwear_least as usize {
            continue;
        }
        // Up the legs through colours the dress does not have, this person's only.
        let reached = flood(seeds, w, h, mine);
        // With the soft rim the class map gives any garment above 0 (as the legs stage keeps it).
        let near = blur_max(&reached, w, h, t.rim);
        for i in (0..n).filter(|&i| owner[i] == k && near[i] > 0.0 && garment[i] > 0.0 && b.lower_share(at(i)) > 0.5) {
            out[i] = reached[i] > 0.0 || !dress[k].near_common(lab[i]) || garment[i] <= 0.5;
        }
    }
    out
}
