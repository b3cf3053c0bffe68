//! Pixel and geometry operations that know nothing of garments: colour spaces and differences,
//! the square max filter, floods and enclosed regions over masks, smoothstep, 2-D points. The
//! garment rules (`analysis::parts`), the follower and the steadiness filter build on them.

/// A 2-D point or vector, in pixels.
pub type P = (f32, f32);

/// The 2-D vector a - b.
pub fn sub(a: P, b: P) -> P {
    (a.0 - b.0, a.1 - b.1)
}
pub fn dot(a: P, b: P) -> f32 {
    a.0 * b.0 + a.1 * b.1
}
pub fn len(a: P) -> f32 {
    a.0.hypot(a.1)
}
pub fn lerp(a: P, b: P, t: f32) -> P {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

/// Distance from p to the segment a-b.
pub fn seg_dist(p: P, a: P, b: P) -> f32 {
    let ab = sub(b, a);
    let t = (dot(sub(p, a), ab) / dot(ab, ab).max(1e-6)).clamp(0.0, 1.0);
    len(sub(p, lerp(a, b, t)))
}

/// The centre of pixel `i` of a map `w` wide.
pub fn pixel_centre(i: usize, w: u32) -> P {
    ((i as u32 % w) as f32 + 0.5, (i as u32 / w) as f32 + 0.5)
}

/// Each value replaced by the median of those within `r` of it that are not NaN (NaN where all
/// are).
pub fn median_of_neighbours(v: &[f32], r: usize) -> Vec<f32> {
    (0..v.len())
        .map(|i| {
            let mut near: Vec<f32> = v[i.saturating_sub(r)..(i + r + 1).min(v.len())].iter().copied().filter(|x| !x.is_nan()).collect();
            if near.is_empty() {
                return f32::NAN;
            }
            near.sort_by(f32::total_cmp);
            near[near.len() / 2]
        })
        .collect()
}

/// `seeds` (1 where a flood starts, else 0) grown through the 4-neighbours for which `passes`
/// holds: 1 where the flood reached.
pub fn flood(seeds: Vec<f32>, w: u32, h: u32, passes: impl Fn(usize) -> bool) -> Vec<f32> {
    let mut reached = seeds;
    let mut todo: Vec<usize> = (0..reached.len()).filter(|&i| reached[i] > 0.0).collect();
    while let Some(i) = todo.pop() {
        for j in neighbours(i, w as usize, h as usize) {
            if reached[j] == 0.0 && passes(j) {
                reached[j] = 1.0;
                todo.push(j);
            }
        }
    }
    reached
}

/// The 4-neighbours of pixel `i` in a `w` x `h` map, for the floods: [`flood`] and [`enclose`].
pub fn neighbours(i: usize, w: usize, h: usize) -> impl Iterator<Item = usize> {
    let (x, y) = (i % w, i / w);
    [(x > 0).then(|| i - 1), (x + 1 < w).then(|| i + 1), (y > 0).then(|| i - w), (y + 1 < h).then(|| i + w)].into_iter().flatten()
}

/// Marks as joined (1) each piece of `garment` (> 0.5) not yet joined that touches nothing but
/// joined pixels: no background, no frame edge (a region enclosed by the joined one).
pub fn enclose(joined: &mut [f32], garment: &[f32], w: u32, h: u32) {
    let (w, h) = (w as usize, h as usize);
    let mut seen = vec![false; joined.len()];
    let mut piece = Vec::new();
    for start in 0..joined.len() {
        if seen[start] || joined[start] > 0.0 || garment[start] <= 0.5 {
            continue;
        }
        seen[start] = true;
        piece.clear();
        piece.push(start);
        let mut open = false;
        let mut k = 0;
        while k < piece.len() {
            let i = piece[k];
            k += 1;
            let (x, y) = (i % w, i / w);
            if x == 0 || y == 0 || x + 1 == w || y + 1 == h {
                open = true;
            }
            for j in neighbours(i, w, h) {
                if joined[j] > 0.0 || seen[j] {
                    continue;
                }
                if garment[j] <= 0.5 {
                    open = true;
                    continue;
                }
                seen[j] = true;
                piece.push(j);
            }
        }
        if !open {
            for &i in &piece {
                joined[i] = 1.0;
            }
        }
    }
}

/// CIE94 colour difference with the textile weights (kL = 2, K1 = 0.048, K2 = 0.014).
pub fn cie94(a: [f32; 3], b: [f32; 3]) -> f32 {
    let (c1, c2) = (a[1].hypot(a[2]), b[1].hypot(b[2]));
    let dl = a[0] - b[0];
    let dc = c1 - c2;
    let dh2 = ((a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2) - dc * dc).max(0.0);
    let (sc, sh) = (1.0 + 0.048 * c1, 1.0 + 0.014 * c1);
    ((dl / 2.0).powi(2) + (dc / sc).powi(2) + dh2 / (sh * sh)).sqrt()
}

/// The largest value within `r` pixels (a square): "near" a mask. Values are taken to be
/// 0 or more (masks and scores). Each pass is van Herk / Gil-Werman's: three comparisons a pixel
/// whatever `r`, so wide reaches cost no more than narrow ones.
pub fn blur_max(v: &[f32], w: u32, h: u32, r: usize) -> Vec<f32> {
    let (w, h) = (w as usize, h as usize);
    let mut rows = vec![0.0f32; v.len()];
    let mut line = Vec::new();
    let mut out_line = Vec::new();
    for y in 0..h {
        line.clear();
        line.extend_from_slice(&v[y * w..(y + 1) * w]);
        max_filter_1d(&line, r, &mut out_line);
        rows[y * w..(y + 1) * w].copy_from_slice(&out_line);
    }
    let mut out = vec![0.0f32; v.len()];
    for x in 0..w {
        line.clear();
        line.extend((0..h).map(|y| rows[y * w + x]));
        max_filter_1d(&line, r, &mut out_line);
        for (y, m) in out_line.iter().enumerate() {
            out[y * w + x] = *m;
        }
    }
    out
}

/// `out[i]` = the largest of `v[i - r ..= i + r]` (0 beyond the ends, and at least 0).
pub fn max_filter_1d(v: &[f32], r: usize, out: &mut Vec<f32>) {
    let n = v.len();
    let k = 2 * r + 1;
    // Padded with r zeros each side so every window is exactly k long, then in blocks of k:
    // `ahead[i]` is the max from the start of i's block to i, `behind[i]` from i to its end. A
    // window [a, a + k) spans at most two blocks: max(behind[a], ahead[a + k - 1]).
    let len = n + 2 * r;
    let padded = |i: usize| if i >= r && i < r + n { v[i - r].max(0.0) } else { 0.0 };
    let mut ahead = vec![0.0f32; len];
    let mut behind = vec![0.0f32; len];
    for i in 0..len {
        ahead[i] = if i % k == 0 { padded(i) } else { ahead[i - 1].max(padded(i)) };
    }
    for i in (0..len).rev() {
        behind[i] = if i % k == k - 1 || i == len - 1 { padded(i) } else { behind[i + 1].max(padded(i)) };
    }
    out.clear();
    out.extend((0..n).map(|i| behind[i].max(ahead[i + k - 1])));
}

/// 0 below `e0`, 1 above `e1`, Hermite-smooth between.
pub fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0).max(1e-6)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// sRGB to CIE Lab (D65).
pub fn lab(rgb: [u8; 3]) -> [f32; 3] {
    // The sRGB curve for each of the 256 levels, worked out once.
    static LINEAR: std::sync::OnceLock<[f32; 256]> = std::sync::OnceLock::new();
    let table = LINEAR.get_or_init(|| {
        std::array::from_fn(|v| {
            let c = v as f32 / 255.0;
            if c > 0.04045 {
                ((c + 0.055) / 1.055).powf(2.4)
            } else {
                c / 12.92
            }
        })
    });
    let (r, g, b) = (table[rgb[0] as usize], table[rgb[1] as usize], table[rgb[2] as usize]);
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.9505;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.089;
    let f = |t: f32| if t > 0.008856 { t.cbrt() } else { 7.787 * t + 16.0 / 116.0 };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wide_max_is_the_naive_one() {
        let (w, h) = (37u32, 23u32);
        let v: Vec<f32> = (0..w * h).map(|i| ((i * 7919 + 13) % 101) as f32 / 100.0 * ((i % 5 != 0) as u8 as f32)).collect();
        for r in [0usize, 1, 2, 5, 11, 30, 60] {
            let fast = blur_max(&v, w, h, r);
            for y in 0..h as usize {
                for x in 0..w as usize {
                    let mut m = 0.0f32;
                    for yy in y.saturating_sub(r)..=(y + r).min(h as usize - 1) {
                        for xx in x.saturating_sub(r)..=(x + r).min(w as usize - 1) {
                            m = m.max(v[yy * w as usize + xx]);
                        }
                    }
                    assert_eq!(fast[y * w as usize + x], m, "r {r} at ({x}, {y})");
                }
            }
        }
    }

    #[test]
    fn lab_of_white_black_and_red() {
        let w = lab([255, 255, 255]);
        assert!((w[0] - 100.0).abs() < 0.1 && w[1].abs() < 0.5 && w[2].abs() < 0.5, "{w:?}");
        assert!(lab([0, 0, 0])[0].abs() < 0.1);
        assert!(cie94([50.0, 40.0, 30.0], [50.0, 40.0, 30.0]) < 1e-6);
        // Shade on one fabric (lightness) counts for less than another hue.
        assert!(cie94([50.0, 40.0, 30.0], [40.0, 40.0, 30.0]) < cie94([50.0, 40.0, 30.0], [50.0, 30.0, 40.0]));
        let r = lab([255, 0, 0]);
        assert!((r[0] - 53.2).abs() < 0.5 && (r[1] - 80.1).abs() < 1.0 && (r[2] - 67.2).abs() < 1.0, "{r:?}");
    }
}
