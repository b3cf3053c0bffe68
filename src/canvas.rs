//! A small RGBA canvas with 8x8 bitmap text: the window's overlay and the `--maps` figure draw
//! their labels on it.

use font8x8::UnicodeFonts;

use crate::frame::Frame;

pub const GLYPH: u32 = 8;
/// The dark, mostly opaque panel behind text.
pub const PANEL: [u8; 4] = [10, 10, 14, 190];

pub struct Canvas {
    pub img: Frame,
}

impl Canvas {
    pub fn new(w: u32, h: u32) -> Canvas {
        Canvas { img: Frame::new(w.max(1), h.max(1)) }
    }

    /// Alpha-blend a rectangle of `rgba` (clipped to the canvas).
    pub fn fill(&mut self, x: i64, y: i64, w: u32, h: u32, rgba: [u8; 4]) {
        let (cw, ch) = (self.img.width() as i64, self.img.height() as i64);
        for yy in y.max(0)..(y + h as i64).min(ch) {
            for xx in x.max(0)..(x + w as i64).min(cw) {
                // "Over", unpremultiplied: the present pass blends the result the same way.
                let p = self.img.get_pixel_mut(xx as u32, yy as u32);
                let (a, da) = (rgba[3] as f32 / 255.0, p.0[3] as f32 / 255.0);
                let out_a = a + da * (1.0 - a);
                if out_a > 0.0 {
                    for (c, &v) in rgba.iter().enumerate().take(3) {
                        p.0[c] = ((v as f32 * a + p.0[c] as f32 * da * (1.0 - a)) / out_a).round() as u8;
                    }
                }
                p.0[3] = (out_a * 255.0).round() as u8;
            }
        }
    }

    /// One line of text; returns its width in pixels. Characters without a glyph show as '?'.
    pub fn text(&mut self, x: i64, y: i64, s: &str, rgb: [u8; 3]) -> u32 {
        let mut cx = x;
        for ch in s.chars() {
            let glyph = font8x8::BASIC_FONTS.get(ch).or_else(|| font8x8::BASIC_FONTS.get('?')).unwrap_or([0; 8]);
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..8 {
                    if bits & (1 << col) != 0 {
                        self.fill(cx + col, y + row as i64, 1, 1, [rgb[0], rgb[1], rgb[2], 255]);
                    }
                }
            }
            cx += GLYPH as i64;
        }
        (cx - x) as u32
    }

    /// The size of `panel` for these lines, to place it before drawing it.
    pub fn panel_size(lines: &[String]) -> (u32, u32) {
        (lines.iter().map(|l| l.chars().count() as u32).max().unwrap_or(0) * GLYPH + 8, lines.len() as u32 * (GLYPH + 2) + 6)
    }

    /// Lines on a dark panel with a margin; returns the panel's size.
    pub fn panel(&mut self, x: i64, y: i64, lines: &[String], rgb: [u8; 3]) -> (u32, u32) {
        let (w, h) = Canvas::panel_size(lines);
        self.fill(x, y, w, h, PANEL);
        for (i, l) in lines.iter().enumerate() {
            self.text(x + 4, y + 4 + i as i64 * (GLYPH as i64 + 2), l, rgb);
        }
        (w, h)
    }

    pub fn disc(&mut self, cx: i64, cy: i64, r: i64, rgb: [u8; 3]) {
        for y in -r..=r {
            for x in -r..=r {
                if x * x + y * y <= r * r {
                    self.fill(cx + x, cy + y, 1, 1, [rgb[0], rgb[1], rgb[2], 255]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lands_on_the_canvas_and_clips() {
        let mut cv = Canvas::new(40, 10);
        let w = cv.text(0, 0, "AB", [240, 240, 240]);
        assert_eq!(w, 16);
        let lit = cv.img.pixels().filter(|p| p.0[3] == 255).count();
        assert!(lit > 10, "glyph pixels drawn: {lit}");
        cv.text(36, 5, "W", [240, 240, 240]); // half off the canvas: no panic
    }
}
