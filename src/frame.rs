//! Frames and the low-resolution maps the analysis hands to the compositor.

pub use image::RgbaImage as Frame;

/// A float map in row-major, channel-interleaved order (H x W x C), at analysis resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    pub width: u32,
    pub height: u32,
    pub channels: u32,
    pub data: Vec<f32>,
}

impl Map {
    pub fn new(width: u32, height: u32, channels: u32) -> Self {
        Map { width, height, channels, data: vec![0.0; (width * height * channels) as usize] }
    }

    pub fn from_fn(width: u32, height: u32, channels: u32, mut f: impl FnMut(u32, u32, u32) -> f32) -> Self {
        let mut m = Map::new(width, height, channels);
        for y in 0..height {
            for x in 0..width {
                for c in 0..channels {
                    let i = m.index(x, y, c);
                    m.data[i] = f(x, y, c);
                }
            }
        }
        m
    }

    #[inline]
    pub fn index(&self, x: u32, y: u32, c: u32) -> usize {
        ((y * self.width + x) * self.channels + c) as usize
    }

    #[inline]
    pub fn get(&self, x: u32, y: u32, c: u32) -> f32 {
        self.data[self.index(x, y, c)]
    }

    #[inline]
    pub fn set(&mut self, x: u32, y: u32, c: u32, v: f32) {
        let i = self.index(x, y, c);
        self.data[i] = v;
    }

    /// Bilinear sample at normalised coordinates (0..1 across the map, texel centres at
    /// (i+0.5)/n), clamped to the edge: the same rule as a GPU sampler with linear filtering.
    #[inline]
    pub fn sample(&self, s: f32, t: f32, c: u32) -> f32 {
        self.sample_texel(s * self.width as f32 - 0.5, t * self.height as f32 - 0.5, c)
    }

    /// Bilinear sample at texel coordinates (texel centres at integers), clamped to the edge.
    #[inline]
    pub fn sample_texel(&self, px: f32, py: f32, c: u32) -> f32 {
        let [v] = bilinear(px, py, |x, y| {
            let (x, y) = clamp_to(self.width, self.height, x, y);
            [self.get(x, y, c)]
        });
        v
    }

    /// Bilinear sample of channel `c` where `taps` read (see [`Taps`]); a map of another size
    /// than the taps were made for is sampled afresh at their point.
    #[inline]
    pub fn sample_at(&self, taps: &Taps, c: u32) -> f32 {
        if (self.width, self.height) != taps.size {
            return self.sample(taps.point.0, taps.point.1, c);
        }
        let (x, y) = (taps.x, taps.y);
        lerp2(self.get(x.i0, y.i0, c), self.get(x.i1, y.i0, c), self.get(x.i0, y.i1, c), self.get(x.i1, y.i1, c), x.a, y.a)
    }

    /// This map resampled bilinearly to another size.
    pub fn resized(&self, width: u32, height: u32) -> Map {
        if width == self.width && height == self.height {
            return self.clone();
        }
        Map::from_fn(width, height, self.channels, |x, y, c| self.sample((x as f32 + 0.5) / width as f32, (y as f32 + 0.5) / height as f32, c))
    }

    /// One channel as its own map.
    pub fn channel(&self, c: u32) -> Map {
        Map::from_fn(self.width, self.height, 1, |x, y, _| self.get(x, y, c))
    }
}

/// An axis-aligned rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    pub fn contains(&self, x: u32, y: u32) -> bool {
        x >= self.x && y >= self.y && x < self.x + self.width && y < self.y + self.height
    }
}

/// Bilinear interpolation at texel coordinates (texel centres at integers): the one sampling
/// rule on the Rust side; the shaders sample by hand with the same arithmetic. `texel` fetches
/// an integer position, which may lie outside the image: the caller decides the border
/// ([`clamp_to`] repeats the edge).
#[inline]
pub fn bilinear<const N: usize>(px: f32, py: f32, texel: impl Fn(i64, i64) -> [f32; N]) -> [f32; N] {
    let (x0f, y0f) = (px.floor(), py.floor());
    let (ax, ay) = (px - x0f, py - y0f);
    let (x0, y0) = (x0f as i64, y0f as i64);
    let (p00, p10, p01, p11) = (texel(x0, y0), texel(x0 + 1, y0), texel(x0, y0 + 1), texel(x0 + 1, y0 + 1));
    std::array::from_fn(|c| {
        let top = p00[c] * (1.0 - ax) + p10[c] * ax;
        let bottom = p01[c] * (1.0 - ax) + p11[c] * ax;
        top * (1.0 - ay) + bottom * ay
    })
}

/// Where a position `p` in texel coordinates (texel centres at integers) falls along an axis of
/// `n` texels: the texels either side, clamped to the edge, and the second one's weight, as
/// [`bilinear`] finds them. Worked out once for a row, a column or a point that several maps are
/// read at (the compositor, the follower).
#[derive(Debug, Clone, Copy)]
pub struct Tap {
    pub i0: u32,
    pub i1: u32,
    pub a: f32,
}

impl Tap {
    #[inline]
    pub fn at(p: f32, n: u32) -> Tap {
        let f = p.floor();
        let (i0, i1) = clamp_to(n, n, f as i64, f as i64 + 1);
        Tap { i0, i1, a: p - f }
    }
}

/// [`bilinear`]'s arithmetic on four texels, `ax` and `ay` the weights of the second column and
/// row.
#[inline]
pub fn lerp2(p00: f32, p10: f32, p01: f32, p11: f32, ax: f32, ay: f32) -> f32 {
    let top = p00 * (1.0 - ax) + p10 * ax;
    let bottom = p01 * (1.0 - ax) + p11 * ax;
    top * (1.0 - ay) + bottom * ay
}

/// Where [`Map::sample`] at one point reads maps of one size: a [`Tap`] each way, found once for
/// the several maps of that size read there (the follower reads six at each pixel).
#[derive(Debug, Clone, Copy)]
pub struct Taps {
    size: (u32, u32),
    point: (f32, f32),
    x: Tap,
    y: Tap,
}

impl Taps {
    /// For maps of `width` x `height`, at normalised (s, t), as [`Map::sample`] reads them.
    #[inline]
    pub fn at(width: u32, height: u32, s: f32, t: f32) -> Taps {
        Taps { size: (width, height), point: (s, t), x: Tap::at(s * width as f32 - 0.5, width), y: Tap::at(t * height as f32 - 0.5, height) }
    }
}

/// A texel position clamped into a `width` x `height` image: the edge repeats.
#[inline]
pub fn clamp_to(width: u32, height: u32, x: i64, y: i64) -> (u32, u32) {
    (x.clamp(0, width.max(1) as i64 - 1) as u32, y.clamp(0, height.max(1) as i64 - 1) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taps_read_as_sample_does() {
        let m = Map::from_fn(7, 5, 2, |x, y, c| (x * 13 + y * 7 + c * 3) as f32 * 0.37 - 2.0);
        let other = Map::from_fn(3, 4, 1, |x, y, _| (x + 2 * y) as f32);
        for (s, t) in [(0.0, 0.0), (0.31, 0.77), (-0.2, 1.3), (0.999, 0.5), (0.5, 0.01)] {
            let taps = Taps::at(7, 5, s, t);
            for c in 0..2 {
                assert_eq!(m.sample_at(&taps, c).to_bits(), m.sample(s, t, c).to_bits(), "({s}, {t}) channel {c}");
            }
            assert_eq!(other.sample_at(&taps, 0), other.sample(s, t, 0), "a map of another size");
        }
    }

    #[test]
    fn sample_hits_texel_centres_and_clamps() {
        let m = Map::from_fn(2, 1, 1, |x, _, _| x as f32);
        assert_eq!(m.sample(0.25, 0.5, 0), 0.0);
        assert_eq!(m.sample(0.75, 0.5, 0), 1.0);
        assert_eq!(m.sample(0.5, 0.5, 0), 0.5);
        assert_eq!(m.sample(0.0, 0.5, 0), 0.0);
        assert_eq!(m.sample(1.0, 0.5, 0), 1.0);
    }

    #[test]
    fn resize_keeps_constant_maps_constant() {
        let m = Map::from_fn(3, 5, 2, |_, _, c| c as f32 + 0.25);
        let r = m.resized(7, 2);
        assert!(r.data.chunks(2).all(|p| p == [0.25, 1.25]));
    }
}
