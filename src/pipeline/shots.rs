//! Cuts told from consecutive frames as they are captured: a coarse grey grid of each frame,
//! compared with the frame before. Compared where frames are shown instead, a display that
//! skipped frames (a busy machine; the burst after a looped file's decoder restarts) saw a quick
//! sway eight frames apart as a cut.

use crate::frame::Frame;

/// A change of [`grid_change`] between two consecutive frames beyond which the second starts a new
/// shot. A joined clip of a1 and c1's two people: 0.13 and 0.19 at its cuts; within a shot 0.002
/// typically, and at most 0.06 three frames apart (c3's handheld camera and jumping children).
const CUT_CHANGE: f32 = 0.1;

/// The shots of a stream of frames, seen in order.
#[derive(Default)]
pub struct Shots {
    /// The frame seen last: its source pass and grey grid.
    last: Option<(u64, Vec<f32>)>,
    /// The first frame of the current shot (0: the stream's first).
    from: u64,
}

impl Shots {
    /// Frame `seq`, from pass `pass` of its source (a looped file's restarts): the first frame of
    /// the shot it is in. A looped file's restart jumps, but it is the same take: the follower
    /// carries its person across, or finds them gone.
    pub fn see(&mut self, seq: u64, pass: u64, frame: &Frame) -> u64 {
        let grid = grey_grid(frame);
        if self.last.as_ref().is_some_and(|(p, g)| *p == pass && grid_change(g, &grid) > CUT_CHANGE) {
            self.from = seq;
        }
        self.last = Some((pass, grid));
        self.from
    }
}

/// A 32x24 grid of a frame's grey levels (0..1), each cell the mean of 4 pixels of it: cheap
/// enough for every frame captured.
fn grey_grid(f: &Frame) -> Vec<f32> {
    const GW: u32 = 32;
    const GH: u32 = 24;
    let (w, h) = f.dimensions();
    let mut out = Vec::with_capacity((GW * GH) as usize);
    for gy in 0..GH {
        for gx in 0..GW {
            let mut sum = 0.0;
            for (dx, dy) in [(1, 1), (3, 1), (1, 3), (3, 3)] {
                let x = ((gx * 4 + dx) * w / (GW * 4)).min(w.saturating_sub(1));
                let y = ((gy * 4 + dy) * h / (GH * 4)).min(h.saturating_sub(1));
                let p = f.get_pixel(x, y).0;
                sum += 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32;
            }
            out.push(sum / (4.0 * 255.0));
        }
    }
    out
}

/// The mean absolute difference of two grey grids.
fn grid_change(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(p, q)| (p - q).abs()).sum::<f32>() / a.len().max(1) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bright square on a dark frame, its left edge at `x`.
    fn square_at(x: u32) -> Frame {
        Frame::from_fn(128, 96, |px, py| {
            let v = if (x..x + 48).contains(&px) && (24..72).contains(&py) { 220 } else { 30 };
            image::Rgba([v, v, v, 255])
        })
    }

    #[test]
    fn a_quick_sweep_is_one_shot_and_a_jump_starts_the_next() {
        let mut shots = Shots::default();
        // Two pixels a frame: each step small, though the square crosses half the frame.
        for (seq, x) in (1..=30).zip((0..60).step_by(2)) {
            assert_eq!(shots.see(seq, 0, &square_at(x)), 0, "frame {seq}");
        }
        // Back to the start at once: a cut.
        assert_eq!(shots.see(31, 0, &square_at(0)), 31);
        assert_eq!(shots.see(32, 0, &square_at(2)), 31);
        // The same jump at a looped file's restart is the same take.
        assert_eq!(shots.see(33, 1, &square_at(70)), 31);
    }
}
