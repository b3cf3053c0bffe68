//! bf16 holds the garments: the garment alpha (alpha > 0.5) of every model as `--precision auto`
//! runs it against every model in fp32 on ONNX Runtime's own CPU provider, in the same library,
//! on every shared photo and on frames of every shared clip. The least IoU is held to 0.97, not
//! the mean: one photo whose garments move is a photo restyled wrongly.
//! DRAPE_KEEP_PRECISION=DIR keeps each image's two alphas side by side (auto | f32), to look at.

mod common;

use common::*;
use drape::analysis::models::style::{StyleOptions, StyleSpec};
use drape::analysis::parts::PartSet;
use drape::analysis::runtime::{cpu_has_bf16, Engine, Precision, Runtime, BF16_MODELS};
use drape::analysis::{Analyser, AnalyserConfig, Analysis, Request};
use drape::capture::{load_image, video::VideoFile, Source};
use drape::compositing::{cpu::CpuCompositor, Layers, Params, View};
use drape::frame::Frame;
use drape::output::measure::{iou, mask_of};

const LEAST_IOU: f64 = 0.97;
/// A restyled frame in bf16 may differ from fp32's by at most this times what one grey level of
/// noise on the input makes fp32's differ, plus a grey level: the style networks draw their
/// strokes anew for any change of the input, so their own noise is the scale.
const STYLE_DIFFERENCE_VS_NOISE: f64 = 1.5;
/// The clip frames looked at: a second apart, from the first.
const CLIP_FRAMES: [usize; 4] = [0, 30, 60, 90];

fn alpha(frame: &Frame, a: &Analysis) -> Frame {
    let params = Params { view: View::Alpha, smoothing: None, ..Params::default() };
    CpuCompositor::default().composite(frame, &Layers::from(a), &params)
}

fn images() -> Vec<(String, Frame)> {
    let mut out = Vec::new();
    let mut photos: Vec<_> = std::fs::read_dir(testdata().join("photos")).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    photos.sort();
    for p in photos.into_iter().filter(|p| p.is_file()) {
        out.push((p.file_name().unwrap().to_string_lossy().into_owned(), load_image(&p, "photo").unwrap()));
    }
    let mut clips: Vec<_> = std::fs::read_dir(testdata().join("clips")).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    clips.sort();
    if clips.is_empty() {
        // Without ../shared: the bundled example and its stand-in clip.
        out.push(("example".into(), load_image(&model_dir().example_path(), "photo").unwrap()));
        clips.push(model_dir().example_clip_path());
    }
    for c in clips {
        let mut v = VideoFile::open(&c, false).unwrap();
        let name = c.file_name().unwrap().to_string_lossy().into_owned();
        for i in 0..=CLIP_FRAMES[CLIP_FRAMES.len() - 1] {
            let Some(f) = v.next_frame().unwrap() else { break };
            if CLIP_FRAMES.contains(&i) {
                out.push((format!("{name} frame {i}"), f));
            }
        }
    }
    out
}

/// `frame` with one grey level added to every other pixel: a change no one can see.
fn with_a_grey_level_of_noise(frame: &Frame) -> Frame {
    let mut noisy = frame.clone();
    for (px, py, p) in noisy.enumerate_pixels_mut() {
        if (px + py) % 2 == 0 {
            p.0[..3].iter_mut().for_each(|c| *c = c.saturating_add(1));
        }
    }
    noisy
}

/// The least garment IoU of `x` against `y` over every image, and where; `noise` adds one grey
/// level to every other pixel of the image `y` sees (a change no one can see).
fn least_iou(x: &Runtime, y: &Runtime, noise: bool) -> (f64, String) {
    let mut a = Analyser::open(x, &model_dir(), AnalyserConfig::default()).unwrap();
    let mut b = Analyser::open(y, &model_dir(), AnalyserConfig::default()).unwrap();
    let keep = std::env::var_os("DRAPE_KEEP_PRECISION").map(std::path::PathBuf::from);
    let mut least = (1.0f64, String::new());
    for (name, frame) in images() {
        let run = |an: &mut Analyser, frame: &Frame| {
            let style = an.load_style(&"builtin:9".parse::<StyleSpec>().unwrap()).unwrap();
            let req = Request { parts: PartSet::ALL, style: &style, style_options: StyleOptions { strength: 1.0, preserve_colour: false } };
            an.forget();
            alpha(frame, &an.analyse(frame, &req).unwrap())
        };
        let seen = if noise { with_a_grey_level_of_noise(&frame) } else { frame.clone() };
        let (p, q) = (run(&mut a, &frame), run(&mut b, &seen));
        let v = iou(&mask_of(&p), &mask_of(&q));
        eprintln!("{name}: garment IoU {v:.4}");
        if v < least.0 {
            least = (v, name.clone());
        }
        if let Some(dir) = &keep {
            std::fs::create_dir_all(dir).unwrap();
            let (w, h) = p.dimensions();
            let mut side = image::RgbaImage::new(2 * w, h);
            for (i, img) in [&p, &q].into_iter().enumerate() {
                for (px, py, c) in img.enumerate_pixels() {
                    side.put_pixel(px + i as u32 * w, py, image::Rgba([c.0[3], c.0[3], c.0[3], 255]));
                }
            }
            side.save(dir.join(format!("{}.png", name.replace([' ', '/'], "_")))).unwrap();
        }
    }
    eprintln!("least garment IoU: {:.4} ({})", least.0, least.1);
    least
}

#[test]
fn bf16_keeps_the_garments_of_every_shared_photo_and_clip() {
    let auto = runtime().with_precision(Precision::Auto);
    let bf16: Vec<&str> = BF16_MODELS.iter().copied().filter(|m| auto.engine_for(m) != Engine::OrtCpu).collect();
    eprintln!("models in bf16 under auto: {bf16:?}");
    let (least, at) = least_iou(&auto, &runtime().with_precision(Precision::F32), false);
    assert!(least >= LEAST_IOU, "bf16 moves the garments of {at}: IoU {least:.4} < {LEAST_IOU}");
}

/// U^2-Net-p, PAN and the pose models would make the analysis about twice as fast in bf16.
#[test]
#[ignore = "bf16 in U^2-Net-p, PAN or the pose models moves the garments (least IoU 0.551, c3 frame 0; each alone 0.859, 0.877, 0.565), so they run in fp32; the garment rules flip on a single grey level too (see the test below)"]
fn the_analysis_models_in_bf16_keep_the_garments() {
    let all = runtime().with_precision(Precision::Auto).with_bf16(&["u2netp", "pan", "pose_detection", "pose_landmark", "selfie", "selfie_landscape"]);
    if !cpu_has_bf16() {
        return eprintln!("this CPU has no bf16 units: nothing to measure");
    }
    let (least, at) = least_iou(&all, &runtime().with_precision(Precision::F32), false);
    assert!(least >= LEAST_IOU, "bf16 moves the garments of {at}: IoU {least:.4} < {LEAST_IOU}");
}

/// The bar bf16 is held to is one the fp32 analysis does not meet against itself: the garment
/// rules' thresholds (the pose detector's, the person gate's, the dress call's) flip on one grey
/// level added to every other pixel. Making them steady is issues 31 and 32's work.
#[test]
#[ignore = "the garments move with a change no one can see: fp32 against itself with one grey level of noise, least IoU 0.918 (c3 frame 0), 5 of 30 images under 0.97"]
fn the_garments_do_not_move_with_a_grey_level_of_noise() {
    let f32 = runtime().with_precision(Precision::F32);
    let (least, at) = least_iou(&f32, &f32, true);
    assert!(least >= LEAST_IOU, "one grey level moves the garments of {at}: IoU {least:.4} < {LEAST_IOU}");
}

/// Mean absolute difference of two images of one size, in grey levels, after shrinking both by
/// `by` (the tone of areas, leaving out where single strokes fall).
fn mean_difference(p: &Frame, q: &Frame, by: u32) -> f64 {
    let (w, h) = p.dimensions();
    let shrink = |f: &Frame| image::imageops::resize(f, (w / by).max(1), (h / by).max(1), image::imageops::FilterType::Triangle);
    let (p, q) = (shrink(p), shrink(q));
    p.pixels().zip(q.pixels()).map(|(x, y)| (0..3).map(|c| (x.0[c] as f64 - y.0[c] as f64).abs()).sum::<f64>()).sum::<f64>() / (3 * p.pixels().len()) as f64
}

/// The style networks in bf16 paint the same picture: the restyled frame's mean difference from
/// fp32's, in grey levels, on every shared photo and a frame of each clip, with a built-in style
/// and a style image, is of the size one grey level of noise on the input makes in fp32 (the
/// arbitrary style's strokes move with any change: 5.6-8.5 grey levels for that noise).
#[test]
fn bf16_keeps_the_look_of_the_restyled_garments() {
    let auto = runtime().with_precision(Precision::Auto);
    let f32 = runtime().with_precision(Precision::F32);
    let mut a = Analyser::open(&auto, &model_dir(), AnalyserConfig::default()).unwrap();
    let mut b = Analyser::open(&f32, &model_dir(), AnalyserConfig::default()).unwrap();
    let mut styles = vec!["builtin:9".to_string()];
    let style_dir = style("");
    if let Some(first) = std::fs::read_dir(&style_dir).ok().and_then(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).min()) {
        styles.push(first.display().to_string());
    }
    let mut worst = (f64::NEG_INFINITY, String::new());
    for spec in &styles {
        let spec: StyleSpec = spec.parse().unwrap();
        let (sa, sb) = (a.load_style(&spec).unwrap(), b.load_style(&spec).unwrap());
        for (name, frame) in images().into_iter().filter(|(n, _)| !n.contains(" frame ") || n.ends_with(" frame 0")) {
            let o = StyleOptions { strength: 1.0, preserve_colour: false };
            let (p, q) = (a.stylize_frame(&frame, &sa, o, 384).unwrap(), b.stylize_frame(&frame, &sb, o, 384).unwrap());
            assert_eq!(p.dimensions(), q.dimensions());
            if let Some(dir) = std::env::var_os("DRAPE_KEEP_PRECISION").map(std::path::PathBuf::from) {
                std::fs::create_dir_all(&dir).unwrap();
                let (w, h) = p.dimensions();
                let mut side = image::RgbaImage::new(2 * w, h);
                image::imageops::replace(&mut side, &p, 0, 0);
                image::imageops::replace(&mut side, &q, w as i64, 0);
                let tag = if matches!(spec, StyleSpec::Image(_)) { "image" } else { "builtin" };
                side.save(dir.join(format!("look_{tag}_{}.png", name.replace([' ', '/'], "_")))).unwrap();
            }
            let r = b.stylize_frame(&with_a_grey_level_of_noise(&frame), &sb, o, 384).unwrap();
            let (diff, coarse, noise) = (mean_difference(&p, &q, 1), mean_difference(&p, &q, 8), mean_difference(&r, &q, 1));
            eprintln!("{name}, {spec:?}: mean difference {diff:.2} grey levels, at 1/8 scale {coarse:.2}; fp32 with one grey level of noise {noise:.2}");
            let excess = diff - (STYLE_DIFFERENCE_VS_NOISE * noise + 1.0);
            if excess > worst.0 {
                worst = (excess, format!("{name}, {spec:?}: {diff:.2} grey levels against {noise:.2} for noise"));
            }
        }
    }
    assert!(worst.0 <= 0.0, "bf16 changes the restyled look of {} (more than {STYLE_DIFFERENCE_VS_NOISE} times, plus one)", worst.1);
}
