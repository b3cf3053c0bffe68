//! What the window draws over the picture: help, HUD, notices and the recording dot. Drawn on the
//! CPU into a small RGBA image (8x8 bitmap glyphs, shown zoomed by the present pass) and uploaded
//! only when its text changes.

pub use crate::canvas::{Canvas, GLYPH, PANEL};
use crate::frame::Frame;

pub const WHITE: [u8; 3] = [240, 240, 240];
pub const DIM: [u8; 3] = [170, 170, 180];
pub const RED: [u8; 3] = [235, 40, 40];
pub const YELLOW: [u8; 3] = [250, 215, 70];

/// Everything the overlay shows; the overlay is redrawn only when this changes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OverlayContent {
    pub hud: Option<Vec<String>>,
    pub help: Option<Vec<String>>,
    /// The recording's elapsed seconds.
    pub recording: Option<u64>,
    pub notice: Option<String>,
    pub frozen: bool,
}

/// Draw `c` on a transparent canvas of w x h overlay pixels.
pub fn draw(c: &OverlayContent, w: u32, h: u32) -> Frame {
    let mut cv = Canvas::new(w, h);
    let (w, h) = (w as i64, h as i64);
    if let Some(lines) = &c.hud {
        cv.panel(4, 4, lines, WHITE);
    }
    if let Some(secs) = c.recording {
        let label = format!("REC {:02}:{:02}", secs / 60, secs % 60);
        let width = label.len() as i64 * GLYPH as i64 + 22;
        let x = w - width - 4;
        cv.fill(x, 4, width as u32, GLYPH + 8, PANEL);
        cv.disc(x + 9, 8 + GLYPH as i64 / 2, 5, RED);
        cv.text(x + 18, 8, &label, WHITE);
    }
    if c.frozen {
        let label = "FROZEN (Space)";
        let x = w - label.len() as i64 * GLYPH as i64 - 12;
        cv.panel(x, 4 + GLYPH as i64 + 12, &[label.to_string()], YELLOW);
    }
    if let Some(lines) = &c.help {
        let (pw, ph) = Canvas::panel_size(lines);
        cv.panel(((w - pw as i64) / 2).max(0), ((h - ph as i64) / 2).max(0), lines, WHITE);
    }
    if let Some(n) = &c.notice {
        // Wrapped to the window, so that a long error is read whole rather than cut off.
        let lines = wrap(n, ((w - 16) / GLYPH as i64).max(8) as usize);
        let (pw, ph) = Canvas::panel_size(&lines);
        cv.panel(((w - pw as i64) / 2).max(0), h - ph as i64 - 6, &lines, YELLOW);
    }
    cv.img
}

/// `text` in lines of at most `width` characters, broken between words (a word longer than
/// the line is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_notice_wraps_between_words() {
        assert_eq!(wrap("analysis failed: model x failed", 16), ["analysis failed:", "model x failed"]);
        assert_eq!(wrap("abcdefghij k", 4), ["abcd", "efgh", "ij k"]);
        assert!(wrap("", 10).is_empty());
        // In the overlay: the notice's panel is taller than one line and stays inside the canvas.
        let n = draw(&OverlayContent { notice: Some("word ".repeat(40)), ..Default::default() }, 200, 100);
        let rows = (0..100).filter(|&y| (0..200).any(|x| n.get_pixel(x, y).0[3] > 0)).count();
        assert!(rows > 2 * GLYPH as usize, "{rows} rows");
    }

    #[test]
    fn empty_content_is_transparent_and_help_is_not() {
        let none = draw(&OverlayContent::default(), 200, 100);
        assert!(none.pixels().all(|p| p.0[3] == 0));
        let help = draw(&OverlayContent { help: Some(vec!["H help".into()]), ..Default::default() }, 200, 100);
        assert!(help.pixels().filter(|p| p.0[3] > 0).count() > 100);
    }
}
