//! The reference method's figure: frame | saliency | parts (coloured) | stylized | result, with
//! an evidence panel after the parts when the segmenter explains itself: where it found people
//! (the gate, tinted), each person's box, waist line and call, and the evidence for the call.

use image::imageops::{self, FilterType};

use crate::analysis::parts::{self, WearCall, CLASSES};
use crate::analysis::Analysis;
use crate::canvas::Canvas;
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
    let mut panels = vec![frame.clone(), saliency, parts_img];
    if analysis.gate.is_some() || !analysis.people.is_empty() {
        panels.push(evidence(frame, analysis, w, h));
    }
    panels.extend([stylized, result.clone()]);
    let n = panels.len() as u32;
    let mut out = Frame::from_pixel(n * w + (n - 1) * GAP, h, image::Rgba([255, 255, 255, 255]));
    for (i, p) in panels.iter().enumerate() {
        let scaled = imageops::resize(p, w, h, FilterType::Triangle);
        imageops::replace(&mut out, &scaled, (i as u32 * (w + GAP)) as i64, 0);
    }
    out
}

/// The segmenter's evidence at panel size: the frame dimmed, the person gate tinted blue, and
/// per person their box, waist line, call and the figures behind it.
fn evidence(frame: &Frame, analysis: &Analysis, w: u32, h: u32) -> Frame {
    let small = imageops::resize(frame, w, h, FilterType::Triangle);
    let mut c = Canvas::new(w, h);
    for (x, y, p) in small.enumerate_pixels() {
        let g = analysis.gate.as_ref().map_or(0.0, |m| m.sample((x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32, 0));
        let v = |k: usize, tint: f32| ((p.0[k] as f32 * 0.4) * (1.0 - 0.6 * g) + tint * 0.6 * g) as u8;
        c.img.put_pixel(x, y, image::Rgba([v(0, 40.0), v(1, 120.0), v(2, 255.0), 255]));
    }
    let (sx, sy) = (w as f32 / frame.width() as f32, h as f32 / frame.height() as f32);
    for person in &analysis.people {
        let colour = match person.call {
            WearCall::Full => PART_COLOURS[parts::FULL as usize],
            WearCall::TwoPiece => [255, 255, 255],
            WearCall::Upper => PART_COLOURS[parts::UPPER as usize],
        };
        let [x0, y0, x1, y1] = person.bbox.map(|v| v.max(0.0));
        let (x0, y0, x1, y1) = ((x0 * sx) as i64, (y0 * sy) as i64, (x1 * sx).min(w as f32 - 1.0) as i64, (y1 * sy).min(h as f32 - 1.0) as i64);
        for (ax, ay, bw, bh) in [
            (x0, y0, (x1 - x0).max(1) as u32, 1),
            (x0, y1, (x1 - x0).max(1) as u32, 1),
            (x0, y0, 1, (y1 - y0).max(1) as u32),
            (x1, y0, 1, (y1 - y0).max(1) as u32),
        ] {
            c.fill(ax, ay, bw, bh, [colour[0], colour[1], colour[2], 200]);
        }
        if let Some([a, b]) = person.waist {
            let steps = 40;
            for i in 0..=steps {
                let t = i as f32 / steps as f32;
                let (x, y) = ((a.0 + (b.0 - a.0) * t) * sx, (a.1 + (b.1 - a.1) * t) * sy);
                c.fill(x as i64 - 1, y as i64 - 1, 3, 3, [255, 60, 220, 255]);
            }
        }
        // The never-garment discs (head, hands, feet) as rings.
        for &((cx, cy), r) in &person.never {
            let steps = ((r * sx) as usize).clamp(12, 90);
            for i in 0..steps {
                let t = i as f32 / steps as f32 * std::f32::consts::TAU;
                c.fill(((cx + r * t.cos()) * sx) as i64, ((cy + r * t.sin()) * sy) as i64, 1, 1, [255, 220, 40, 255]);
            }
        }
        c.disc((person.shoulder.0 * sx) as i64, (person.shoulder.1 * sy) as i64, 2, [255, 255, 255]);
        let mut lines = vec![format!("#{} {}{}", person.track, call_name(person.call), if person.held { " (held)" } else { "" })];
        if let Some(e) = &person.evidence {
            lines.push(format!("unbroken {:.2}", e.unbroken));
            lines.push(e.colours_shared.map_or("colours shared ?".into(), |d| format!("colours shared {d:.2}")));
            lines.push(format!("skin@waist {:.2}", e.skin_at_waist));
            lines.push(format!("below waist in view {:.2}{}", e.below_seen, if e.runs_off { ", runs off" } else { "" }));
            lines.push(e.hem.map_or("top's hem ?".into(), |h| format!("top's hem across {h:.2}")));
            lines.push(format!(
                "legs {}",
                match e.leg_gap {
                    Some(true) => "gap",
                    Some(false) => "joined",
                    None => "?",
                }
            ));
        } else {
            lines.push("hips unseen".into());
        }
        c.panel(x0.max(0), y0.max(0), &lines, colour);
    }
    c.img
}

pub fn call_name(c: WearCall) -> &'static str {
    match c {
        WearCall::Full => "FULL",
        WearCall::TwoPiece => "TOP+BOTTOM",
        WearCall::Upper => "UPPER",
    }
}

fn map_image(m: &Map, f: impl Fn(&Map, u32, u32) -> [u8; 3]) -> Frame {
    Frame::from_fn(m.width, m.height, |x, y| {
        let [r, g, b] = f(m, x, y);
        image::Rgba([r, g, b, 255])
    })
}
