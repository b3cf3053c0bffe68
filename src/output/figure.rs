//! The reference method's figure: frame | saliency | parts (coloured) | stylized | result.

use image::imageops::{self, FilterType};

use crate::analysis::parts::{self, CLASSES};
use crate::analysis::Analysis;
use crate::frame::{Frame, Map};

/// Part colours: background dark, upper red, lower green, full-body yellow.
pub const PART_COLOURS: [[u8; 3]; CLASSES as usize] = [[24, 24, 24], [220, 40, 40], [40, 190, 60], [235, 210, 40]];

const PANEL_HEIGHT: u32 = 320;
const GAP: u32 = 6;

pub fn figure(frame: &Frame, analysis: &Analysis, result: &Frame) -> Frame {
    let h = PANEL_HEIGHT.min(frame.height());
    let w = ((frame.width() as f32 * h as f32 / frame.height() as f32).round() as u32).max(1);
    let saliency = map_image(&analysis.saliency, |m, x, y| {
        let v = (m.get(x, y, 0) * 255.0 + 0.5) as u8;
        [v, v, v]
    });
    let parts_img = map_image(&analysis.parts, |m, x, y| PART_COLOURS[parts::argmax(m, x, y) as usize]);
    // The stylized crop in place, over a dimmed frame, so its rectangle shows.
    let mut stylized = Frame::from_fn(frame.width(), frame.height(), |x, y| {
        let p = frame.get_pixel(x, y).0;
        image::Rgba([p[0] / 3, p[1] / 3, p[2] / 3, 255])
    });
    if let Some(s) = &analysis.stylized {
        let scaled = imageops::resize(&s.image, s.rect.width, s.rect.height, FilterType::Triangle);
        imageops::replace(&mut stylized, &scaled, s.rect.x as i64, s.rect.y as i64);
    }
    let panels = [frame.clone(), saliency, parts_img, stylized, result.clone()];
    let mut out = Frame::from_pixel(5 * w + 4 * GAP, h, image::Rgba([255, 255, 255, 255]));
    for (i, p) in panels.iter().enumerate() {
        let scaled = imageops::resize(p, w, h, FilterType::Triangle);
        imageops::replace(&mut out, &scaled, (i as u32 * (w + GAP)) as i64, 0);
    }
    out
}

fn map_image(m: &Map, f: impl Fn(&Map, u32, u32) -> [u8; 3]) -> Frame {
    Frame::from_fn(m.width, m.height, |x, y| {
        let [r, g, b] = f(m, x, y);
        image::Rgba([r, g, b, 255])
    })
}
