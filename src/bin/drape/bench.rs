//! `drape bench`: the offline pipeline, the live pipeline at the clip's own rate, and the style
//! transform alone on every frame, on one clip, in one run.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use drape::analysis::flow;
use drape::analysis::manifest::ModelDir;
use drape::analysis::models::style::{StyleOptions, StyleSpec};
use drape::analysis::runtime::Runtime;
use drape::analysis::Analyser;
use drape::capture::{video, Source};
use drape::compositing::{Params, Stage, View};
use drape::output::measure::{self, MaskSink, SteadinessSink};
use drape::pipeline::live::run_live;
use drape::pipeline::stats::Summary;
use drape::pipeline::video::{run_offline, SourceOpener, VideoOptions};
use drape::pipeline::LookChange;

use crate::assemble::{analyser_config, open_stage, runtime_options, styled_analyser, video_params};
use crate::cli::{BenchArgs, Global};

/// The share of the frame a garment must cover for `first_garment_ms`: a few stray pixels of
/// alpha are no garment.
const FIRST_GARMENT_SHARE: f64 = 0.001;

/// The style the bench switches to halfway: the next built-in one, or the first for an image.
fn next_style(s: &StyleSpec) -> StyleSpec {
    match s {
        StyleSpec::Builtin(i) => StyleSpec::Builtin((i + 1) % 26),
        StyleSpec::Image(_) => StyleSpec::Builtin(0),
    }
}

const SHARED_CLIP: &str = "../shared/testdata/clips/a1_webcam_upperbody_orange_hoodie_intel_asl.mp4";

fn opener(path: &std::path::Path) -> SourceOpener {
    opener_looping(path, true)
}

fn opener_looping(path: &std::path::Path, looping: bool) -> SourceOpener {
    let p = path.to_path_buf();
    Box::new(move || Ok(Box::new(video::VideoFile::open(&p, looping)?) as Box<dyn Source>))
}

pub fn run(g: &Global, dir: &ModelDir, a: BenchArgs) -> anyhow::Result<ExitCode> {
    let input = match a.input.clone() {
        Some(p) => p,
        None => {
            let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SHARED_CLIP);
            if shared.is_file() {
                shared
            } else {
                dir.example_clip_path()
            }
        }
    };
    let info = video::probe(&input)?;
    let rt = Runtime::load(runtime_options(g, dir))?;
    let mut stage = open_stage(g)?;
    if a.steadiness {
        return steadiness(&rt, dir, &a, &input, &mut stage);
    }
    let opts = VideoOptions { params: video_params(&a.look), max_frames: Some(a.frames), ..VideoOptions::default() };
    let alpha = VideoOptions { params: Params { view: View::Alpha, ..opts.params }, ..opts.clone() };
    eprintln!("drape bench: {} ({}x{} @ {} fps), {} frames per run, compositor {}", input.display(), info.width, info.height, info.fps, a.frames, stage.name());

    // Offline, every frame fully analysed; its alpha view is the yardstick for live's garments.
    let masks = MaskSink::default();
    let offline_rt = rt.for_pipeline();
    let offline = run_offline(
        opener(&input),
        styled_analyser(&offline_rt, dir, &a.look, false)?,
        &mut stage,
        vec![Box::new(masks.clone())],
        Arc::new(AtomicBool::new(false)),
        None,
        &alpha,
    );
    if let Some(e) = offline.error {
        return Err(e.into());
    }
    // Live at the clip's own rate, as a user sees it, on the runtime `drape live` uses. Halfway
    // through, the style changes once, as `N` does in the window: how long until the output shows
    // a texture in the new look.
    let live_rt = rt.for_live();
    let switch_at = (a.frames / 2).max(1);
    let switched = VideoOptions {
        change_at: Some((switch_at, LookChange::Styles([next_style(&a.look.style), next_style(&a.look.style), next_style(&a.look.style)]))),
        ..opts.clone()
    };
    let (mut n, mut asked, mut shown_new) = (0u64, None, None);
    let live = live_run(&input, &live_rt, dir, &a, &mut stage, &switched, |_, _, made| {
        n += 1;
        if n == switch_at {
            asked = Some(Instant::now());
        }
        if shown_new.is_none() && made.restyled.is_some_and(|t| t.look >= 1) {
            shown_new = Some(Instant::now());
        }
    })?;
    let style_switch_ms = match (asked, shown_new) {
        (Some(a), Some(s)) => Some(s.saturating_duration_since(a).as_secs_f64() * 1e3),
        _ => None,
    };
    // Live again in the alpha view: each frame's garments against the offline ones of that frame.
    // Frames shown before the first analysis arrived (the models' start) are counted apart, and
    // the time from the first frame out to the first with a garment on it. Frames shown with no
    // analysis after that (after a cut, before the new person's first) are compared: they are
    // what the person in front of the mirror sees.
    let (mut live_masks, mut before_first, mut first_out, mut first_garment) = (Vec::new(), 0u64, None, None);
    live_run(&input, &live_rt, dir, &a, &mut stage, &alpha, |f, seq, made| {
        let now = Instant::now();
        first_out.get_or_insert(now);
        let mask = measure::mask_of(f);
        if first_garment.is_none() && measure::share(&mask) >= FIRST_GARMENT_SHARE {
            first_garment = Some(now);
        }
        if made.analysis.is_none() && live_masks.is_empty() {
            before_first += 1;
        } else {
            live_masks.push((seq, mask));
        }
    })?;
    let first_garment_ms = match (first_out, first_garment) {
        (Some(o), Some(g)) => Some((g - o).as_secs_f64() * 1e3),
        _ => None,
    };
    let (alpha_iou, compared) = measure::agreement(&live_masks, &masks.masks());
    let vanished = measure::vanished(&live_masks, &masks.masks());
    if let Some(out) = &a.compare {
        save_comparisons(out, &input, &live_masks, &masks.masks())?;
    }

    // The cost a style-only tool pays: the transform on every whole frame at 384 px.
    let mut analyser = Analyser::open(&rt, dir, analyser_config(&a.look)?)?;
    let style = analyser.load_style(&a.look.style)?;
    let mut source = video::VideoFile::open(&input, true)?;
    let options = StyleOptions { strength: 1.0, preserve_colour: false };
    let t = Instant::now();
    for _ in 0..a.frames {
        let Some(frame) = source.next_frame()? else { break };
        analyser.stylize_frame(&frame, &style, options, 384)?;
    }
    let style_only_fps = a.frames as f64 / t.elapsed().as_secs_f64();

    let o = &offline.summary;
    let l = &live;
    let models: f64 =
        ["u2netp", "pan", "pose_detection", "pose_landmark", "style_transform", "style_predict", "multistyle26"].iter().filter_map(|m| o.stage(m)).sum();
    let offline_ms = 1e3 / o.output_fps();
    let stages = |s: &Summary| s.stage_ms.iter().map(|(k, v)| (k.clone(), serde_json::json!((v * 100.0).round() / 100.0))).collect::<serde_json::Map<_, _>>();
    let round = |v: f64, places: i32| (v * 10f64.powi(places)).round() / 10f64.powi(places);
    if a.json {
        let report = serde_json::json!({
            "input": input.display().to_string(),
            "width": info.width,
            "height": info.height,
            "source_fps": info.fps,
            "frames": a.frames,
            "compositor": stage.name(),
            "offline": {
                "fps": round(o.output_fps(), 2),
                "ms_per_frame": round(offline_ms, 1),
                "model_ms_per_frame": round(models, 1),
                "stage_ms": stages(o),
            },
            "live": {
                "output_fps": round(l.steady_output_fps(), 2),
                "mask_updates_per_s": round(l.mask_updates_per_s(), 2),
                "full_analyses_per_s": round(l.analysis_fps(), 2),
                "mask_age_ms_p50": round(l.mask_age_ms_p50, 1),
                "mask_age_ms_p95": round(l.mask_age_ms_p95, 1),
                "mask_behind_ms_p50": round(l.mask_behind_ms_p50, 1),
                "mask_behind_ms_p95": round(l.mask_behind_ms_p95, 1),
                "alpha_iou_vs_offline": round(alpha_iou, 4),
                "alpha_frames_compared": compared,
                "vanished_frames": vanished,
                "texture_updates_per_s": round(l.texture_updates_per_s(), 2),
                "first_garment_ms": first_garment_ms.map(|v| round(v, 0)),
                "style_switch_ms": style_switch_ms.map(|v| round(v, 0)),
                "frames_before_first_analysis": before_first,
                "latency_ms": round(l.latency_ms, 1),
                "dropped": l.dropped,
                "stage_ms": stages(l),
            },
            "style_only_384_fps": round(style_only_fps, 2),
        });
        println!("{report}");
    } else {
        println!(
            "offline: {:.2} fps ({offline_ms:.1} ms/frame); models on the critical path {models:.1} ms/frame ({:+.0}% pipeline overhead)",
            o.output_fps(),
            (offline_ms / models - 1.0) * 100.0
        );
        for (k, v) in &o.stage_ms {
            println!("  {k:<24} {v:>8.1} ms");
        }
        println!(
            "live at {} fps: output {:.2} fps, mask updates {:.2}/s ({:.2} full analyses/s), mask age p50 {:.0} ms p95 {:.0} ms (behind the frame shown: p50 {:.0} ms p95 {:.0} ms), \
             garments vs offline IoU {alpha_iou:.3} over {compared} frames ({before_first} shown before the first analysis), capture-to-output latency {:.1} ms, {} frames dropped",
            info.fps,
            l.steady_output_fps(),
            l.mask_updates_per_s(),
            l.analysis_fps(),
            l.mask_age_ms_p50,
            l.mask_age_ms_p95,
            l.mask_behind_ms_p50,
            l.mask_behind_ms_p95,
            l.latency_ms,
            l.dropped
        );
        for (k, v) in &l.stage_ms {
            println!("  {k:<24} {v:>8.1} ms");
        }
        let or_never = |v: Option<f64>| v.map_or_else(|| "never".to_string(), |v| format!("{v:.0} ms"));
        println!(
            "  garments vanished in {vanished} frames; textures {:.2}/s; first garment {} after the first frame; new style shown {} after the switch",
            l.texture_updates_per_s(),
            or_never(first_garment_ms),
            or_never(style_switch_ms)
        );
        println!("style transform alone on every frame at 384 px: {style_only_fps:.2} fps");
    }
    Ok(ExitCode::SUCCESS)
}

/// `--compare DIR`: each compared frame, darkened, with white where live and offline garments
/// agree, red where only live has garment and cyan where only offline has; named
/// `NNNN_iouX.XX.png` so the worst frames are easy to find.
fn save_comparisons(out: &std::path::Path, input: &std::path::Path, live: &[(u64, Vec<bool>)], offline: &[Vec<bool>]) -> anyhow::Result<()> {
    drape::output::ensure_writable_dir(out)?;
    let mut source = video::VideoFile::open(input, true)?;
    let mut seq = 0u64;
    for (at, mask) in live {
        let Some(off) = offline.get((*at as usize).saturating_sub(1)) else { continue };
        let mut frame = None;
        while seq < *at {
            frame = source.next_frame()?;
            seq += 1;
        }
        let Some(mut frame) = frame else { continue };
        for (i, p) in frame.pixels_mut().enumerate() {
            let (l, o) = (mask.get(i).copied().unwrap_or(false), off.get(i).copied().unwrap_or(false));
            p.0 = match (l, o) {
                (true, true) => [255, 255, 255, 255],
                (true, false) => [255, 40, 40, 255],
                (false, true) => [40, 220, 255, 255],
                (false, false) => [p.0[0] / 3, p.0[1] / 3, p.0[2] / 3, 255],
            };
        }
        let iou = measure::iou(mask, off);
        frame.save(out.join(format!("{at:04}_iou{iou:.2}.png")))?;
    }
    Ok(())
}

/// One live run on the clip as `drape live` makes it (the follower unless --no-follow): its
/// figures, or its error.
fn live_run(
    input: &std::path::Path,
    rt: &Runtime,
    dir: &ModelDir,
    a: &BenchArgs,
    stage: &mut Stage,
    opts: &VideoOptions,
    on_frame: impl FnMut(&drape::frame::Frame, u64, drape::pipeline::live::Made),
) -> anyhow::Result<Summary> {
    let report = run_live(opener(input), styled_analyser(rt, dir, &a.look, !a.no_follow)?, stage, Vec::new(), Arc::new(AtomicBool::new(false)), opts, on_frame);
    match report.error {
        Some(e) => Err(e.into()),
        None => Ok(report.summary),
    }
}

/// The garment mask's steadiness on the clip: the offline pipeline (every frame analysed, the
/// alpha smoothed over time as `process` does) writes the alpha view into a sink that compares
/// consecutive masks; hard cuts, found on the source frames, are left out. And net of motion:
/// each frame's mask carried to the next along the optical flow between the source frames
/// (drape's block matcher, up to about 5% of the frame's long side a frame; faster motion still
/// counts against it), against the next frame's own; a fast mover lowers the raw figure alone.
fn steadiness(rt: &Runtime, dir: &ModelDir, a: &BenchArgs, input: &std::path::Path, stage: &mut Stage) -> anyhow::Result<ExitCode> {
    let mut params = video_params(&a.look);
    params.view = View::Alpha;
    let opts = VideoOptions { params, max_frames: Some(a.frames), ..VideoOptions::default() };
    let sink = SteadinessSink::default();
    let masks = MaskSink::default();
    let rt = rt.for_pipeline();
    // Once through the clip: a loop's wrap-around would count as motion.
    let report = run_offline(
        opener_looping(input, false),
        styled_analyser(&rt, dir, &a.look, false)?,
        stage,
        vec![Box::new(sink.clone()), Box::new(masks.clone())],
        Arc::new(AtomicBool::new(false)),
        None,
        &opts,
    );
    if let Some(e) = report.error {
        return Err(e.into());
    }
    let ious = sink.ious();
    let masks = masks.take();
    let mut source = video::VideoFile::open(input, false)?;
    let mut changes = Vec::with_capacity(ious.len());
    let mut net = Vec::with_capacity(ious.len());
    let mut previous = source.next_frame()?;
    while changes.len() < ious.len() {
        let Some(frame) = source.next_frame()? else { break };
        if let Some(p) = previous.as_ref() {
            changes.push(measure::frame_change(p, &frame));
            let k = changes.len();
            if let (Some(before), Some(now)) = (masks.get(k - 1), masks.get(k)) {
                let warp = flow::flow(&flow::Grey::of(p), &flow::Grey::of(&frame), |s, t| (s, t), |_, _| true);
                // A mask of another size than its source frame (none today) is compared unmoved.
                net.push(measure::iou(&measure::carried(before, frame.dimensions(), |s, t| warp.at(s, t)).unwrap_or_else(|| before.clone()), now));
            }
        }
        previous = Some(frame);
    }
    let cuts = measure::hard_cuts(&changes);
    let s = measure::summarise(&ious, &cuts);
    let n = measure::summarise(&net, &cuts);
    let name = input.file_name().map_or_else(|| input.display().to_string(), |n| n.to_string_lossy().into_owned());
    // No pair, no figure: "mean 1.000 over 0 pairs" read as perfectly steady.
    if s.pairs == 0 {
        anyhow::bail!(
            "{}: {} frame(s) and {} hard cut(s) leave no two consecutive frames to compare; steadiness needs a clip of 2 or more frames in one shot",
            input.display(),
            ious.len() + 1,
            s.cuts
        );
    }
    let lowest = measure::lowest(&ious, &cuts, 5);
    if a.json {
        println!(
            "{{\"input\": \"{name}\", \"frames\": {}, \"mean_iou\": {:.4}, \"min_iou\": {:.4}, \"net_of_motion_mean_iou\": {:.4}, \"net_of_motion_min_iou\": {:.4}, \"pairs\": {}, \"cuts\": {}, \"lowest\": [{}]}}",
            ious.len() + 1,
            s.mean_iou,
            s.min_iou,
            n.mean_iou,
            n.min_iou,
            s.pairs,
            s.cuts,
            lowest.iter().map(|(i, v)| format!("{{\"frames\": [{}, {}], \"iou\": {v:.4}}}", i + 1, i + 2)).collect::<Vec<_>>().join(", ")
        );
    } else {
        println!(
            "{name}: garment mask IoU between consecutive frames: mean {:.3}, least {:.3}, over {} pairs of {} frames ({} hard cuts left out)",
            s.mean_iou,
            s.min_iou,
            s.pairs,
            ious.len() + 1,
            s.cuts
        );
        println!("  net of motion (each mask carried to the next frame along the optical flow): mean {:.3}, least {:.3}", n.mean_iou, n.min_iou);
        // Where it blinks: frame numbers from 1, as `process` names its PNG frames.
        let pairs: Vec<String> = lowest.iter().map(|(i, v)| format!("{}-{} {v:.3}", i + 1, i + 2)).collect();
        println!("  lowest pairs (frames from 1): {}", pairs.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
