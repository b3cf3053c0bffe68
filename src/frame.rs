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
        let fx = s * self.width as f32 - 0.5;
        let fy = t * self.height as f32 - 0.5;
        let x0 = fx.floor();
        let y0 = fy.floor();
        let ax = fx - x0;
        let ay = fy - y0;
        let clampx = |v: f32| (v.max(0.0) as u32).min(self.width - 1);
        let clampy = |v: f32| (v.max(0.0) as u32).min(self.height - 1);
        let (xa, xb, ya, yb) = (clampx(x0), clampx(x0 + 1.0), clampy(y0), clampy(y0 + 1.0));
        let top = self.get(xa, ya, c) * (1.0 - ax) + self.get(xb, ya, c) * ax;
        let bottom = self.get(xa, yb, c) * (1.0 - ax) + self.get(xb, yb, c) * ax;
        top * (1.0 - ay) + bottom * ay
    }

    /// This map resampled bilinearly to another size.
    pub fn resized(&self, width: u32, height: u32) -> Map {
        if width == self.width && height == self.height {
            return self.clone();
        }
        Map::from_fn(width, height, self.channels, |x, y, c| {
            self.sample((x as f32 + 0.5) / width as f32, (y as f32 + 0.5) / height as f32, c)
        })
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

#[cfg(test)]
mod tests {
    use super::*;

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
