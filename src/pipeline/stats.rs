//! Each stage reports its own timings; the pipeline prints them each second with --stats and
//! sums them for the final report and `drape bench`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
struct Window {
    stage_ms: BTreeMap<String, (f64, u64)>,
    composited: u64,
    presented: u64,
    analysed: u64,
    dropped: u64,
    latency_ms: (f64, u64),
    /// New garment masks the compositor took (full analyses and follower updates).
    mask_updates: u64,
    /// New restyled textures the compositor took (a crop moved about is not new).
    texture_updates: u64,
    /// At each composite, the age of the frame whose pixels placed the mask.
    mask_age_ms: Ages,
    /// At each composite, how long before the frame shown the frame that placed its mask was
    /// captured (0 where it was the frame itself or a later one): where the garments lag the person.
    mask_behind_ms: Ages,
    /// When the first and the last frame were composited.
    span: Option<(Instant, Instant)>,
}

/// Shared, cheap to clone.
#[derive(Debug, Clone)]
pub struct Stats(Arc<Mutex<(Window, Window, Instant)>>);

/// One second's figures, for --stats and the HUD.
#[derive(Debug, Clone, Default)]
pub struct Second {
    pub output_fps: f64,
    /// Frames shown in the window (0 without one).
    pub presented_fps: f64,
    pub analysis_fps: f64,
    pub latency_ms: f64,
    pub dropped: u64,
    pub mask_updates_per_s: f64,
    pub texture_updates_per_s: f64,
    /// Median age of the mask at display.
    pub mask_age_ms: f64,
    /// Median time by which the frame that placed the mask came before the frame shown.
    pub mask_behind_ms: f64,
    pub stage_ms: Vec<(String, f64)>,
}

impl std::fmt::Display for Second {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stages: Vec<String> = self.stage_ms.iter().map(|(k, v)| format!("{k} {v:.1}")).collect();
        write!(
            f,
            "output {:.1} fps, presented {:.1} fps, analysis {:.1} fps, mask updates {:.1}/s, textures {:.1}/s, mask age {:.0} ms ({:.0} ms behind the frame), latency {:.0} ms, dropped {} | ms: {}",
            self.output_fps,
            self.presented_fps,
            self.analysis_fps,
            self.mask_updates_per_s,
            self.texture_updates_per_s,
            self.mask_age_ms,
            self.mask_behind_ms,
            self.latency_ms,
            self.dropped,
            stages.join(", ")
        )
    }
}

/// Totals over a whole run.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub seconds: f64,
    pub composited: u64,
    pub presented: u64,
    pub analysed: u64,
    pub dropped: u64,
    /// mean milliseconds per stage call
    pub stage_ms: Vec<(String, f64)>,
    pub latency_ms: f64,
    pub mask_updates: u64,
    pub texture_updates: u64,
    /// Seconds from the first composited frame to the last.
    pub composite_span_s: f64,
    /// The mask's age at display: median and 95th percentile.
    pub mask_age_ms_p50: f64,
    pub mask_age_ms_p95: f64,
    /// How long before the frame shown the frame that placed its mask was captured: median and
    /// 95th percentile.
    pub mask_behind_ms_p50: f64,
    pub mask_behind_ms_p95: f64,
}

impl Summary {
    pub fn output_fps(&self) -> f64 {
        self.composited as f64 / self.seconds.max(1e-9)
    }
    pub fn analysis_fps(&self) -> f64 {
        self.analysed as f64 / self.seconds.max(1e-9)
    }
    /// Frames composited per second once the first was out: the rate a viewer sees, without
    /// the start (opening the source, the first frame's way through).
    pub fn steady_output_fps(&self) -> f64 {
        if self.composited < 2 || self.composite_span_s <= 0.0 {
            return self.output_fps();
        }
        (self.composited - 1) as f64 / self.composite_span_s
    }
    /// Over the same span as [`Summary::steady_output_fps`].
    pub fn mask_updates_per_s(&self) -> f64 {
        let span = if self.composite_span_s > 0.0 { self.composite_span_s } else { self.seconds };
        self.mask_updates as f64 / span.max(1e-9)
    }
    /// Over the same span as [`Summary::steady_output_fps`].
    pub fn texture_updates_per_s(&self) -> f64 {
        let span = if self.composite_span_s > 0.0 { self.composite_span_s } else { self.seconds };
        self.texture_updates as f64 / span.max(1e-9)
    }
    pub fn stage(&self, name: &str) -> Option<f64> {
        self.stage_ms.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

impl Default for Stats {
    fn default() -> Self {
        Stats(Arc::new(Mutex::new((Window::default(), Window::default(), Instant::now()))))
    }
}

impl Stats {
    fn with(&self, f: impl Fn(&mut Window)) {
        if let Ok(mut g) = self.0.lock() {
            f(&mut g.0);
            f(&mut g.1);
        }
    }

    pub fn stage(&self, name: &str, ms: f64) {
        self.with(|w| {
            let e = w.stage_ms.entry(name.to_string()).or_default();
            e.0 += ms;
            e.1 += 1;
        });
    }

    pub fn composited(&self, latency: Duration) {
        let now = Instant::now();
        self.with(|w| {
            w.span = Some((w.span.map_or(now, |s| s.0), now));
            w.composited += 1;
            w.latency_ms.0 += latency.as_secs_f64() * 1e3;
            w.latency_ms.1 += 1;
        });
    }

    /// A frame shown in the window.
    pub fn presented(&self) {
        self.with(|w| w.presented += 1);
    }

    /// The compositor took a new mask.
    pub fn mask_update(&self) {
        self.with(|w| w.mask_updates += 1);
    }

    /// The compositor took a newly restyled texture.
    pub fn texture_update(&self) {
        self.with(|w| w.texture_updates += 1);
    }

    /// A frame composited with a mask placed by a frame captured `age` before.
    pub fn mask_age(&self, age: Duration) {
        self.with(|w| w.mask_age_ms.push(age.as_secs_f64() * 1e3));
    }

    /// A frame composited with a mask placed by a frame captured `behind` before it (zero for
    /// the frame itself or a later one).
    pub fn mask_behind(&self, behind: Duration) {
        self.with(|w| w.mask_behind_ms.push(behind.as_secs_f64() * 1e3));
    }

    pub fn analysed(&self) {
        self.with(|w| w.analysed += 1);
    }

    pub fn dropped(&self) {
        self.with(|w| w.dropped += 1);
    }

    /// [`Stats::tick`], and the second's figures handed to `tell` (the caller's `--stats`).
    pub fn tick_telling(&self, tell: Option<fn(&Second)>) -> Option<Second> {
        let second = self.tick()?;
        if let Some(tell) = tell {
            tell(&second);
        }
        Some(second)
    }

    /// The figures of the second just past, if a second has passed; starts the next window.
    pub fn tick(&self) -> Option<Second> {
        let mut g = self.0.lock().ok()?;
        let elapsed = g.2.elapsed().as_secs_f64();
        if elapsed < 1.0 {
            return None;
        }
        let w = std::mem::take(&mut g.1);
        g.2 = Instant::now();
        Some(Second {
            output_fps: w.composited as f64 / elapsed,
            presented_fps: w.presented as f64 / elapsed,
            analysis_fps: w.analysed as f64 / elapsed,
            latency_ms: w.latency_ms.0 / w.latency_ms.1.max(1) as f64,
            dropped: w.dropped,
            mask_updates_per_s: w.mask_updates as f64 / elapsed,
            texture_updates_per_s: w.texture_updates as f64 / elapsed,
            mask_age_ms: w.mask_age_ms.percentile(0.5),
            mask_behind_ms: w.mask_behind_ms.percentile(0.5),
            stage_ms: w.stage_ms.iter().map(|(k, (ms, n))| (k.clone(), ms / *n as f64)).collect(),
        })
    }

    pub fn summary(&self, seconds: f64) -> Summary {
        let Ok(g) = self.0.lock() else { return Summary::default() };
        let w = &g.0;
        Summary {
            seconds,
            composited: w.composited,
            presented: w.presented,
            analysed: w.analysed,
            dropped: w.dropped,
            stage_ms: w.stage_ms.iter().map(|(k, (ms, n))| (k.clone(), ms / *n as f64)).collect(),
            latency_ms: w.latency_ms.0 / w.latency_ms.1.max(1) as f64,
            mask_updates: w.mask_updates,
            texture_updates: w.texture_updates,
            composite_span_s: w.span.map_or(0.0, |(a, b)| (b - a).as_secs_f64()),
            mask_age_ms_p50: w.mask_age_ms.percentile(0.5),
            mask_age_ms_p95: w.mask_age_ms.percentile(0.95),
            mask_behind_ms_p50: w.mask_behind_ms.percentile(0.5),
            mask_behind_ms_p95: w.mask_behind_ms.percentile(0.95),
        }
    }
}

/// Milliseconds counted per 0.1 ms step: a whole session's figures in bounded memory (one
/// count per distinct age, where a list would grow by 30 a second for as long as the mirror runs).
#[derive(Debug, Clone, Default)]
struct Ages(BTreeMap<u64, u64>);

impl Ages {
    fn push(&mut self, ms: f64) {
        *self.0.entry((ms.max(0.0) * 10.0).round() as u64).or_default() += 1;
    }

    /// The `q` quantile (0..1) by the nearest rank; 0 for no values.
    fn percentile(&self, q: f64) -> f64 {
        let n: u64 = self.0.values().sum();
        if n == 0 {
            return 0.0;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for (&tenths, &count) in &self.0 {
            seen += count;
            if seen >= rank {
                return tenths as f64 / 10.0;
            }
        }
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let ages = |v: &[f64]| {
            let mut a = Ages::default();
            v.iter().for_each(|&ms| a.push(ms));
            a
        };
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(ages(&v).percentile(0.5), 10.0);
        assert_eq!(ages(&v).percentile(0.95), 19.0);
        assert_eq!(ages(&[]).percentile(0.5), 0.0);
        assert_eq!(ages(&[3.0]).percentile(0.95), 3.0);
    }
}
