//! Helpers for the video tests: ffprobe, and a stand-in source and analyser for the pipeline.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drape::analysis::{Analysis, Stylized};
use drape::capture::Source;
use drape::error::Result;
use drape::frame::{Frame, Map, Rect};
use drape::output::sink::{Finished, Sink};
use drape::pipeline::FrameAnalyser;

/// (frames actually decodable, frame rate) of a video's first stream.
pub fn ffprobe(path: &Path) -> (u64, f64) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames,avg_frame_rate", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let mut it = text.split(',');
    let rate = it.next().unwrap_or("0/1");
    let frames = it.next().and_then(|v| v.parse().ok()).unwrap_or(0);
    let (n, d) = rate.split_once('/').unwrap_or((rate, "1"));
    (frames, n.parse::<f64>().unwrap_or(0.0) / d.parse::<f64>().unwrap_or(1.0))
}

/// `src` with the last third of its bytes overwritten with fixed pseudo-random noise, as `dst`:
/// a video whose index (at the front, with +faststart) is whole and whose tail is damaged.
pub fn damaged_tail(src: &Path, dst: &Path) {
    let mut bytes = std::fs::read(src).expect("the clip to damage");
    let start = bytes.len() * 2 / 3;
    let mut r = 12345u32;
    for b in &mut bytes[start..] {
        r = r.wrapping_mul(1103515245).wrapping_add(12345);
        *b = (r >> 16) as u8;
    }
    std::fs::write(dst, &bytes).expect("the damaged copy");
}

/// A STAND-IN source: frame k is a flat grey of value k (mod 256), at `rate` fps.
pub struct Numbered {
    pub n: u64,
    pub total: u64,
    pub rate: f64,
    pub size: (u32, u32),
}

impl Source for Numbered {
    fn describe(&self) -> String {
        "numbered stand-in".into()
    }
    fn rate(&self) -> Option<f64> {
        Some(self.rate)
    }
    fn total_frames(&self) -> Option<u64> {
        Some(self.total)
    }
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        if self.n >= self.total {
            return Ok(None);
        }
        self.n += 1;
        let v = (self.n % 256) as u8;
        Ok(Some(Frame::from_pixel(self.size.0, self.size.1, image::Rgba([v, v, v, 255]))))
    }
}

/// A STAND-IN analysis that takes `delay` and restyles the middle of the frame white.
pub struct SlowAnalyser {
    pub delay: Duration,
    pub calls: Arc<Mutex<u64>>,
}

impl FrameAnalyser for SlowAnalyser {
    fn analyse(&mut self, frame: &Frame) -> Result<Analysis> {
        std::thread::sleep(self.delay);
        *self.calls.lock().unwrap() += 1;
        let (w, h) = frame.dimensions();
        // Upper in the middle columns, background elsewhere.
        let parts = Map::from_fn(8, 8, 4, |x, _, c| {
            let class = if (2..6).contains(&x) { 1 } else { 0 };
            if c == class {
                1.0
            } else {
                0.0
            }
        });
        let saliency = Map::from_fn(8, 8, 1, |_, _, _| 1.0);
        let stylized = Stylized::new(Rect { x: 0, y: 0, width: w, height: h }, Frame::from_pixel(4, 4, image::Rgba([255, 255, 255, 255])), 0);
        Ok(Analysis { saliency, parts, stylized: Some(stylized), gate: None, owner: None, people: Vec::new() })
    }
}

/// A STAND-IN analysis that fails on purpose: the stand-in analysis, with its analyses number
/// `at` to `at + times - 1` failing.
pub struct FailingAt {
    pub inner: SlowAnalyser,
    pub at: u64,
    pub times: u64,
    pub calls: u64,
}

impl FailingAt {
    pub fn new(inner: SlowAnalyser, at: u64, times: u64) -> FailingAt {
        FailingAt { inner, at, times, calls: 0 }
    }
}

impl FrameAnalyser for FailingAt {
    fn analyse(&mut self, frame: &Frame) -> Result<Analysis> {
        self.calls += 1;
        if self.calls >= self.at && self.calls - self.at < self.times {
            return Err(drape::error::Error::Inference { name: "stand-in fault".into(), source: format!("analysis {} fails on purpose", self.calls).into() });
        }
        self.inner.analyse(frame)
    }
}

/// A sink that keeps the first pixel's red value of every frame.
pub struct Collect(pub Arc<Mutex<Vec<u8>>>);

impl Sink for Collect {
    fn write(&mut self, frame: &Frame) -> Result<()> {
        self.0.lock().unwrap().push(frame.get_pixel(0, 0).0[0]);
        Ok(())
    }
    fn finish(self: Box<Self>, _complete: bool) -> Result<Finished> {
        let frames = self.0.lock().unwrap().len() as u64;
        Ok(Finished { what: "collected".into(), path: None, frames })
    }
}
