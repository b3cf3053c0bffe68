//! Per-pixel values averaged over analyses where the person mask holds still. What the models
//! say per pixel (PAN's clothes, U^2-Net-p's saliency) flickers from frame to frame on a still
//! person; the person mask does not. So the weight of each new analysis rises with how much the
//! person mask changed around a pixel: real motion passes at once, flicker is averaged away.

use crate::pixels::blur_max;

/// Weight of a new analysis where the person has not moved, one frame after the last.
const BASE: f32 = 0.3;
/// The person mask changing by this much over a quarter of the frame is a cut: start afresh.
const CUT: f32 = 0.25;

/// One map's running average; see the module.
#[derive(Default)]
pub struct Steady {
    /// Never above the person mask (nothing is drawn where the person has left).
    capped: bool,
    previous: Option<Previous>,
    /// Frames between the next analysis and the last (0 as 1).
    apart: u64,
}

struct Previous {
    size: (u32, u32),
    values: Vec<f32>,
    gate: Vec<f32>,
}

impl Steady {
    /// A running average that never exceeds the current person mask.
    pub fn capped() -> Steady {
        Steady { capped: true, ..Steady::default() }
    }

    /// The next analysis is of a frame `frames` after the last one's. The average is over time,
    /// not over analyses: offline analyses every frame and the last few average out its flicker;
    /// live mode analyses about one frame in thirty, and the analysis of a second ago is of
    /// another pose (averaged in, a tilted head left a ghost of the upright one and the garment
    /// lost its neckline: joined clip, live against offline IoU 0.76).
    pub fn frames_apart(&mut self, frames: u64) {
        self.apart = frames;
    }

    /// The weight of a new analysis on a still person, [`BASE`] for each frame since the last.
    fn base_weight(&self) -> f32 {
        let frames = self.apart.clamp(1, 1000) as i32;
        1.0 - (1.0 - BASE).powi(frames)
    }

    /// The next frame is unrelated to the last.
    pub fn forget(&mut self) {
        self.previous = None;
    }

    /// This analysis's `values`, averaged with the last ones where `gate` (the person mask, same
    /// `w` x `h`) held still.
    pub fn apply(&mut self, values: Vec<f32>, gate: &[f32], w: u32, h: u32) -> Vec<f32> {
        let previous = self.previous.take().filter(|p| p.size == (w, h) && p.values.len() == values.len() && gate.len() == values.len());
        let out = match previous {
            None => values,
            Some(p) => {
                let change: Vec<f32> = gate.iter().zip(&p.gate).map(|(a, b)| (a - b).abs()).collect();
                if change.iter().sum::<f32>() / change.len().max(1) as f32 > CUT {
                    values
                } else {
                    let moved = blur_max(&change, w, h, 2);
                    let base = self.base_weight();
                    values
                        .iter()
                        .zip(&p.values)
                        .zip(moved.iter().zip(gate.iter().zip(&p.gate)))
                        .map(|((&new, &old), (&m, (&g, &was)))| {
                            let weight = base + 3.0 * m;
                            if self.capped {
                                (old + weight.min(1.0) * (new - old)).min(g)
                            } else {
                                // Off the people, now and before, the new value at once: the
                                // person mask cannot see motion there (a raised arm it missed
                                // stayed as a ghost in the saliency for analyses on end).
                                old + weight.max(1.0 - g.max(was)).min(1.0) * (new - old)
                            }
                        })
                        .collect()
                }
            }
        };
        self.previous = Some(Previous { size: (w, h), values: out.clone(), gate: gate.to_vec() });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_on_a_still_person_and_follows_motion() {
        let mut s = Steady::capped();
        let (w, h) = (16u32, 8u32);
        // A still person on the left half.
        let gate: Vec<f32> = (0..w * h).map(|i| if i % w < 8 { 1.0 } else { 0.0 }).collect();
        s.apply(gate.clone(), &gate, w, h);
        // One frame the evidence drops out on the still person: it barely moves.
        let out = s.apply(vec![0.0f32; (w * h) as usize], &gate, w, h);
        assert!(out[2] > 0.6, "{}", out[2]);
        // The person moves to the right half: the new place takes the new evidence at once,
        // and where they were nothing stays.
        let moved: Vec<f32> = (0..w * h).map(|i| if i % w >= 8 { 1.0 } else { 0.0 }).collect();
        let out = s.apply(moved.clone(), &moved, w, h);
        assert!(out[12] > 0.99);
        assert_eq!(out[2], 0.0);
    }

    #[test]
    fn the_average_is_over_time_so_an_analysis_a_second_later_stands_alone() {
        let (w, h) = (8u32, 4u32);
        let gate = vec![1.0f32; 32];
        for (apart, least, most) in [(1, 0.29, 0.31), (2, 0.50, 0.52), (30, 0.999, 1.0)] {
            let mut s = Steady::default();
            s.apply(vec![0.0; 32], &gate, w, h);
            s.frames_apart(apart);
            let out = s.apply(vec![1.0; 32], &gate, w, h);
            assert!((least..=most).contains(&out[9]), "{apart} frames apart: {}", out[9]);
        }
    }

    #[test]
    fn uncapped_values_are_averaged_on_the_person_only_and_forget_starts_afresh() {
        let mut s = Steady::default();
        let (w, h) = (8u32, 4u32);
        // A still person on the left half.
        let gate: Vec<f32> = (0..32).map(|i| if i % 8 < 4 { 1.0 } else { 0.0 }).collect();
        s.apply(vec![0.8; 32], &gate, w, h);
        let out = s.apply(vec![0.2; 32], &gate, w, h);
        // On the still person: averaged.
        assert!((out[0] - 0.62).abs() < 1e-5, "{}", out[0]);
        // Off the people (an arm the person mask missed, gone since): the new value, not a ghost.
        assert!((out[7] - 0.2).abs() < 1e-6, "{}", out[7]);
        // A value past the person is kept, not cut to the mask.
        assert!((s.apply(vec![0.9; 32], &gate, w, h)[7] - 0.9).abs() < 1e-6);
        s.forget();
        assert_eq!(s.apply(vec![0.2; 32], &gate, w, h)[0], 0.2);
    }
}
