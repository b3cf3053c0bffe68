//! Analysis of one frame: saliency (person mask), garment parts, and the stylized crop that holds
//! the selected garments. Runs at model resolution; the compositor samples the maps.

pub mod flow;
pub mod follow;
pub mod manifest;
pub mod models;
pub mod parts;
pub mod recorded;
pub mod restyle;
pub mod runtime;
pub mod steady;
pub mod tensor;

use std::path::PathBuf;

use self::manifest::ModelDir;
use self::models::saliency::{self, Saliency};
use self::models::style::{Style, StyleOptions, StyleSpec, Stylizer};
use self::parts::composite::{CompositeModels, CompositeSegmenter, Tuning};
use self::parts::{cloth::ClothSegmenter, GarmentSegmenter, PartSet, PersonCall, Segmentation};
use self::recorded::ModelOutputs;
use self::runtime::{Cancels, Runtime};
use self::steady::Steady;
use crate::error::{Error, Result};
use crate::frame::{Frame, Map, Rect};
use crate::timing::Timings;

/// Which garment segmenter runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SegmenterKind {
    /// person mask + skin/hair + pose (the models available here)
    #[default]
    Composite,
    /// a user-supplied 4-class U^2-Net clothing model (--seg-model)
    U2netCloth,
}

#[derive(Debug, Clone)]
pub struct AnalyserConfig {
    pub segmenter: SegmenterKind,
    pub seg_model: Option<PathBuf>,
    /// Long side of the saliency model's input.
    pub saliency_size: u32,
    /// Long side of the crop the style transform runs on (multiples of 4).
    pub style_size: u32,
    /// The garment rules' thresholds.
    pub tuning: Tuning,
}

impl Default for AnalyserConfig {
    fn default() -> Self {
        AnalyserConfig { segmenter: SegmenterKind::Composite, seg_model: None, saliency_size: 320, style_size: 384, tuning: Tuning::default() }
    }
}

/// What to produce for a frame.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub parts: PartSet,
    pub style: &'a Style,
    pub style_options: StyleOptions,
}

/// The stylized crop and where it sits in the frame.
#[derive(Debug, Clone)]
pub struct Stylized {
    pub rect: Rect,
    pub image: Frame,
    /// Which restyling made this texture and in which look: a crop moved about keeps it, so the
    /// compositor can count new textures and tell a texture of an older look.
    pub texture: Texture,
}

/// One restyling's mark: a number of its own, and the look (style, parts, strength) it was made
/// in, counted from 0 by every change of look the analysis took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Texture {
    pub id: u64,
    pub look: u64,
}

impl Stylized {
    /// A texture newly restyled, in look `look`.
    pub fn new(rect: Rect, image: Frame, look: u64) -> Stylized {
        static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Stylized { rect, image, texture: Texture { id, look } }
    }
}

/// One frame's analysis.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// 1 channel, 0..1
    pub saliency: Map,
    /// 4 channels: background, upper, lower, full
    pub parts: Map,
    /// None when nothing is selected, nothing selected is in view, or strength is 0.
    pub stylized: Option<Stylized>,
    /// Where people are (1 channel, 0..1), when the segmenter knows; garments lie inside it.
    pub gate: Option<Map>,
    /// Which person each pixel of `gate` belongs to (0 for nobody, k + 1 for `people[k]`), when
    /// the segmenter knows: the live follower moves each person by their own motion.
    pub owner: Option<Vec<u16>>,
    /// Each person's garment call and its evidence, for the `--maps` figure.
    pub people: Vec<PersonCall>,
}

impl Analysis {
    /// Nothing found: all background, no saliency, nothing stylized. What the live compositor
    /// uses until the first analysis arrives, so the frame shows as it is.
    pub fn empty() -> Analysis {
        let mut parts = Map::new(1, 1, parts::CLASSES);
        parts.set(0, 0, parts::BACKGROUND, 1.0);
        Analysis { saliency: Map::new(1, 1, 1), parts, stylized: None, gate: None, owner: None, people: Vec::new() }
    }

    /// The garment class (upper, lower, full) under normalised frame position (s, t): the most
    /// likely of the three where it scores at least `GARMENT_AT`, else background (0); None
    /// outside the frame. Background alone is no guide: the soft person mask leaves it the
    /// largest score on much of a garment.
    pub fn part_at(&self, s: f32, t: f32) -> Option<u32> {
        if !(0.0..=1.0).contains(&s) || !(0.0..=1.0).contains(&t) {
            return None;
        }
        let score = |c: u32| self.parts.sample(s, t, c);
        let best = (parts::UPPER..parts::CLASSES).max_by(|&a, &b| score(a).total_cmp(&score(b)))?;
        Some(if score(best) >= GARMENT_AT { best } else { parts::BACKGROUND })
    }
}

/// The least score that counts as a garment under the pointer.
pub const GARMENT_AT: f32 = 0.1;

pub struct Analyser {
    /// None once taken to run on a thread of its own ([`Analyser::take_saliency`]).
    saliency: Option<Saliency>,
    parts: Box<dyn GarmentSegmenter>,
    stylizer: Stylizer,
    config: AnalyserConfig,
    timings: Timings,
    /// The saliency averaged over analyses where the person mask holds still: U^2-Net-p's map
    /// of one still child came and went between 0.9 and 0.4 frame to frame (c3), and the
    /// garment with it.
    steady_saliency: Steady,
}

impl Analyser {
    pub fn open(rt: &Runtime, dir: &ModelDir, config: AnalyserConfig) -> Result<Analyser> {
        let path = |name: &str| dir.model_path(name);
        let optional = |name: &str| {
            let p = path(name);
            if p.is_file() {
                Some(p)
            } else {
                tracing::warn!(model = name, path = %p.display(), "model missing; run `bash models/setup.sh`");
                None
            }
        };
        let saliency = Saliency::open(rt, &path("u2netp"), config.saliency_size)?;
        let parts: Box<dyn GarmentSegmenter> = match config.segmenter {
            SegmenterKind::Composite => {
                let pan = optional("pan");
                let pose = match (optional("pose_detection"), optional("pose_landmark")) {
                    (Some(d), Some(l)) => Some((d, l)),
                    _ => None,
                };
                let (selfie, landscape) = (optional("selfie"), optional("selfie_landscape"));
                let models = CompositeModels {
                    pan: pan.as_deref(),
                    pose: pose.as_ref().map(|(d, l)| (d.as_path(), l.as_path())),
                    selfie: selfie.as_deref(),
                    selfie_landscape: landscape.as_deref(),
                };
                Box::new(CompositeSegmenter::open(rt, models, config.tuning.clone())?)
            }
            SegmenterKind::U2netCloth => {
                let p = config.seg_model.clone().ok_or_else(|| {
                    Error::Usage("--seg u2net-cloth needs --seg-model PATH to a 4-class U^2-Net clothing model (rembg's u2net_cloth_seg.onnx)".into())
                })?;
                Box::new(ClothSegmenter::open(rt, &p)?)
            }
        };
        tracing::info!(segmenter = parts.name(), "garment segmenter");
        let stylizer = Stylizer::open(rt, optional("style_predict").as_deref(), optional("style_transform").as_deref(), optional("multistyle26").as_deref())?;
        Ok(Analyser { saliency: Some(saliency), parts, stylizer, config, timings: rt.timings().clone(), steady_saliency: Steady::default() })
    }

    pub fn load_style(&mut self, spec: &StyleSpec) -> Result<Style> {
        self.stylizer.load(spec)
    }

    pub fn timings(&self) -> &Timings {
        &self.timings
    }

    /// The next frame is unrelated to the last (another photo, a cut): forget the people
    /// followed so far.
    pub fn forget(&mut self) {
        self.parts.forget();
        self.steady_saliency.forget();
    }

    /// The next frame analysed is `frames` after the last one: the saliency and the garment
    /// evidence are averaged over time, not over analyses ([`steady::Steady::frames_apart`]).
    pub fn frames_apart(&mut self, frames: u64) {
        self.parts.frames_apart(frames);
        self.steady_saliency.frames_apart(frames);
    }

    /// The whole frame restyled at `long_side` (what a style-only tool does), for comparison.
    pub fn stylize_frame(&mut self, frame: &Frame, style: &Style, options: StyleOptions, long_side: u32) -> Result<Frame> {
        let (w, h) = tensor::fit_size(frame.width(), frame.height(), long_side, 4);
        let small = tensor::resize(frame, None, w, h);
        self.stylizer.stylize(&small, style, options)
    }

    pub fn analyse(&mut self, frame: &Frame, req: &Request<'_>) -> Result<Analysis> {
        self.analyse_styles(frame, req.parts, [req.style; 3], req.style_options)
    }

    /// The saliency model, for a thread of its own that runs it a frame ahead of the rest
    /// (offline throughput: U^2-Net-p costs about as much as everything else together). After
    /// this the analyser needs each frame's saliency given ([`Analyser::analyse_styles_given`]).
    pub fn take_saliency(&mut self) -> Option<Saliency> {
        self.saliency.take()
    }

    /// What stops this analyser's model runs in progress from another thread (the saliency's
    /// too, unless taken): live mode stops the analysis of someone who has left.
    pub fn cancel_handles(&mut self) -> Result<Cancels> {
        let mut all = self.parts.cancel_handles()?;
        all.extend(self.stylizer.cancel_handles()?);
        if let Some(s) = self.saliency.as_mut() {
            all.push(s.cancel_handle()?);
        }
        Ok(Cancels(all))
    }

    /// Like `analyse`, with a style per part (upper, lower, full): the crop is restyled once per
    /// distinct style and each crop pixel taken from the style of its most likely part.
    pub fn analyse_styles(&mut self, frame: &Frame, selected: PartSet, styles: [&Style; 3], options: StyleOptions) -> Result<Analysis> {
        let saliency = match self.saliency.as_mut() {
            Some(s) => self.timings.time("saliency (total)", || s.run(frame))?,
            None => return Err(Error::Inference { name: "u2netp".into(), source: "the saliency model was taken to a thread of its own".into() }),
        };
        self.analyse_styles_given(frame, saliency, selected, styles, options)
    }

    /// The garments of `frame` (nothing restyled) and the models' outputs they were made from,
    /// for a [`recorded::Replay`] of the rules without the models.
    pub fn analyse_recording(&mut self, frame: &Frame) -> Result<(Analysis, ModelOutputs)> {
        let mut saliency = match self.saliency.as_mut() {
            Some(s) => s.run(frame)?,
            None => return Err(Error::Inference { name: "u2netp".into(), source: "the saliency model was taken to a thread of its own".into() }),
        };
        let raw = saliency.clone();
        let (seg, maps) = self.parts.segment_recorded(frame, &saliency)?;
        finish_saliency(&mut saliency, &seg, &mut self.steady_saliency);
        let analysis = Analysis { saliency, parts: seg.parts, stylized: None, gate: seg.gate, owner: seg.owner, people: seg.people };
        Ok((analysis, ModelOutputs { saliency: raw, parts: maps }))
    }

    /// Everything after the saliency model, given its map of this frame ([`Saliency::run`]).
    pub fn analyse_styles_given(
        &mut self,
        frame: &Frame,
        mut saliency: Map,
        selected: PartSet,
        styles: [&Style; 3],
        options: StyleOptions,
    ) -> Result<Analysis> {
        let t = self.timings.clone();
        let seg = t.time("parts (total)", || self.parts.segment(frame, &saliency))?;
        finish_saliency(&mut saliency, &seg, &mut self.steady_saliency);
        self.restyled(frame, seg, saliency, selected, styles, options)
    }

    /// The analysis of `frame` from its garments and soft alpha: the selected garments' crop
    /// restyled, unless nothing is selected or the strength is 0.
    fn restyled(&mut self, frame: &Frame, seg: Segmentation, saliency: Map, selected: PartSet, styles: [&Style; 3], options: StyleOptions) -> Result<Analysis> {
        let parts = seg.parts;
        let rect =
            if options.strength <= 0.0 || selected.is_empty() { None } else { selected_rect(&parts, &saliency, selected, frame.width(), frame.height()) };
        let stylized = match rect {
            None => None,
            Some(rect) => Some(restyle_crop(&mut self.stylizer, &self.timings, frame, rect, &parts, selected, styles, options, self.config.style_size)?),
        };
        Ok(Analysis { saliency, parts, stylized, gate: seg.gate, owner: seg.owner, people: seg.people })
    }

    /// A quick first look at `frame`, without the saliency model (U^2-Net-p costs about as much as
    /// everything else together): the garments as a full analysis finds them, with the person
    /// mask (the selfie model's, run with the rest) standing in for the saliency as the soft
    /// alpha. For live mode, where nobody has been analysed yet (the first frames, someone new
    /// after a cut) and the full analysis takes a second; the saliency's average over still
    /// frames is left as it was.
    pub fn analyse_quick(&mut self, frame: &Frame, selected: PartSet, styles: [&Style; 3], options: StyleOptions) -> Result<Analysis> {
        let (w, h) = saliency::map_size(self.config.saliency_size, frame);
        // Salient everywhere: wherever the people found so far do not explain it, the pose
        // detector looks closer (with nothing salient it never did, and a large tilted head
        // cropped close went without a skeleton: neck and hair restyled).
        let everywhere = Map::from_fn(w, h, 1, |_, _, _| 1.0);
        let t = self.timings.clone();
        let (seg, maps) = t.time("parts (quick)", || self.parts.segment_recorded(frame, &everywhere))?;
        let saliency = maps.and_then(|m| m.selfie).filter(|m| (m.width, m.height) == (w, h)).unwrap_or(everywhere);
        self.restyled(frame, seg, saliency, selected, styles, options)
    }
}

/// The saliency map narrowed to the people the segmenter found, each to their own range, and
/// averaged where they hold still: the soft alpha of the method.
fn finish_saliency(saliency: &mut Map, seg: &Segmentation, steady: &mut Steady) {
    if let Some(gate) = &seg.gate {
        saliency::normalise_within(saliency, gate, seg.owner.as_deref());
        let gate = gate.resized(saliency.width, saliency.height);
        saliency.data = steady.apply(std::mem::take(&mut saliency.data), &gate.data, saliency.width, saliency.height);
    }
}

/// The least side of a crop given to the style transform: its reflect padding (4 pixels at
/// full size, 1 after two halvings) needs more than that on every side at every scale.
const MIN_STYLE_SIDE: u32 = 32;

/// The frame's `rect` restyled at `style_size` (its long side), each selected part in its own
/// style (upper, lower, full): one transform per distinct style, each crop pixel from the style
/// of its most likely part in `parts`.
#[allow(clippy::too_many_arguments)]
pub fn restyle_crop(
    stylizer: &mut Stylizer,
    t: &Timings,
    frame: &Frame,
    rect: Rect,
    parts: &Map,
    selected: PartSet,
    styles: [&Style; 3],
    options: StyleOptions,
    style_size: u32,
) -> Result<Stylized> {
    t.time("style (total)", || -> Result<Stylized> {
        let long = style_size.min(rect.width.max(rect.height).next_multiple_of(4)).max(4);
        let (w, h) = tensor::fit_size(rect.width, rect.height, long, 4);
        // Never thinner than the network's padding allows (a person a few pixels tall: OpenVINO
        // refused a 4x4 crop's reflect padding); a small crop is stretched, and drawn back at
        // its rectangle's size.
        let (w, h) = (w.max(MIN_STYLE_SIDE), h.max(MIN_STYLE_SIDE));
        let crop = t.time("style crop resize", || tensor::resize(frame, Some(rect), w, h));
        let mut done: Vec<(String, Frame)> = Vec::new();
        for (i, style) in styles.iter().enumerate() {
            if selected.contains(i as u32 + 1) && !done.iter().any(|(n, _)| *n == style.name) {
                done.push((style.name.clone(), stylizer.stylize(&crop, style, options)?));
            }
        }
        let image = if done.len() <= 1 {
            done.pop().map(|(_, img)| img).unwrap_or(crop)
        } else {
            merge_by_part(&done, &styles, parts, selected, rect, frame.dimensions())
        };
        Ok(Stylized::new(rect, image, 0))
    })
}

/// Each crop pixel from the stylized image of its most likely selected part's style.
fn merge_by_part(done: &[(String, Frame)], styles: &[&Style; 3], parts: &Map, selected: PartSet, rect: Rect, (fw, fh): (u32, u32)) -> Frame {
    let (cw, ch) = done[0].1.dimensions();
    Frame::from_fn(cw, ch, |x, y| {
        let fx = rect.x as f32 + (x as f32 + 0.5) * rect.width as f32 / cw as f32;
        let fy = rect.y as f32 + (y as f32 + 0.5) * rect.height as f32 / ch as f32;
        let (s, t) = (fx / fw as f32, fy / fh as f32);
        let best = (1..parts.channels).filter(|&c| selected.contains(c)).max_by(|&a, &b| parts.sample(s, t, a).total_cmp(&parts.sample(s, t, b))).unwrap_or(1);
        let name = &styles[(best - 1) as usize].name;
        let img = done.iter().find(|(n, _)| n == name).map_or(&done[0].1, |(_, i)| i);
        *img.get_pixel(x, y)
    })
}

/// The frame rectangle that holds the selected garments, with a margin so the style transform
/// sees context and the soft edge has stylized pixels under it. None if nothing is selected.
pub fn selected_rect(parts: &Map, saliency: &Map, selected: PartSet, fw: u32, fh: u32) -> Option<Rect> {
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for y in 0..parts.height {
        for x in 0..parts.width {
            let s: f32 = (1..parts.channels).filter(|&c| selected.contains(c)).map(|c| parts.get(x, y, c)).sum();
            let sal = saliency.sample((x as f32 + 0.5) / parts.width as f32, (y as f32 + 0.5) / parts.height as f32, 0);
            if s * sal > 0.05 {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x + 1);
                y1 = y1.max(y + 1);
            }
        }
    }
    if x1 == 0 {
        return None;
    }
    let (sx, sy) = (fw as f32 / parts.width as f32, fh as f32 / parts.height as f32);
    let margin = 0.03 * fw.max(fh) as f32;
    let fx0 = ((x0 as f32 * sx - margin).floor().max(0.0)) as u32;
    let fy0 = ((y0 as f32 * sy - margin).floor().max(0.0)) as u32;
    let fx1 = ((x1 as f32 * sx + margin).ceil() as u32).min(fw);
    let fy1 = ((y1 as f32 * sy + margin).ceil() as u32).min(fh);
    Some(Rect { x: fx0, y: fy0, width: (fx1 - fx0).max(1), height: (fy1 - fy0).max(1) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_at_finds_a_garment_even_where_background_scores_higher() {
        // Left half: upper at 0.4, background 0.6 (a soft person mask); right half: background.
        let parts = Map::from_fn(4, 2, 4, |x, _, c| match (x < 2, c) {
            (true, 0) => 0.6,
            (true, 1) => 0.4,
            (false, 0) => 1.0,
            _ => 0.0,
        });
        let a = Analysis { saliency: Map::new(4, 2, 1), parts, stylized: None, gate: None, owner: None, people: Vec::new() };
        assert_eq!(a.part_at(0.1, 0.5), Some(parts::UPPER));
        assert_eq!(a.part_at(0.9, 0.5), Some(parts::BACKGROUND));
        assert_eq!(a.part_at(1.5, 0.5), None);
        assert_eq!(Analysis::empty().part_at(0.5, 0.5), Some(parts::BACKGROUND));
    }
}
