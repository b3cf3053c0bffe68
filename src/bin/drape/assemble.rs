//! The library's parts built from the command line's choices: the runtime, the analyser, the
//! compositing stage and the video options.

use drape::analysis::follow::Follower;
use drape::analysis::manifest::ModelDir;
use drape::analysis::models::style::{StyleOptions, StyleSpec};
use drape::analysis::parts::composite::Tuning;
use drape::analysis::restyle::{self, Restyler};
use drape::analysis::runtime::{self, Runtime, RuntimeOptions};
use drape::analysis::{Analyser, AnalyserConfig};
use drape::capture;
use drape::compositing::{self, Compositor, Params, Smoothing, Stage};
use drape::pipeline::video::VideoOptions;
use drape::pipeline::{FrameAnalyser, StyledAnalyser};

use crate::fault::FailingFrom;

use crate::choices::SegArg;
use crate::cli::{Flow, Global, Look};

pub fn runtime_options(g: &Global, dir: &ModelDir) -> RuntimeOptions {
    let provider = g.ep.into();
    let precision = g.precision.into();
    let library = match &g.ort_lib {
        Some(p) => p.clone(),
        None => {
            let c = runtime::default_library(dir, provider, precision);
            if c.fallback {
                tracing::warn!(library = %c.path.display(), "precision auto: {}", c.why);
            } else {
                tracing::info!(library = %c.path.display(), "ONNX Runtime: {}", c.why);
            }
            c.path
        }
    };
    RuntimeOptions {
        library,
        provider,
        precision,
        threads: g.threads,
        spinning: None,
        engine_cache: Some(dir.root.join(".cache").join("tensorrt")),
        saliency_threads: None,
        bf16_models: None,
        manifest: Some(dir.clone()),
    }
}

pub fn analyser_config(look: &Look) -> anyhow::Result<AnalyserConfig> {
    if look.seg == SegArg::U2netCloth && look.seg_model.is_none() {
        anyhow::bail!("--seg u2net-cloth needs --seg-model PATH to a 4-class U^2-Net clothing model (rembg's u2net_cloth_seg.onnx)");
    }
    let tuning = match &look.tuning {
        Some(path) => Tuning::load(path)?,
        None => Tuning::default(),
    };
    Ok(AnalyserConfig { segmenter: look.seg.into(), seg_model: look.seg_model.clone(), saliency_size: look.saliency_size, style_size: look.style_size, tuning })
}

/// Checks that cost nothing before the models load: a style image decodes.
pub fn check_style(look: &Look) -> anyhow::Result<()> {
    if let StyleSpec::Image(p) = &look.style {
        capture::load_image(p, "style")?;
    }
    Ok(())
}

/// `--stats`: each second's figures on stderr.
pub fn print_second(on: bool) -> Option<fn(&drape::pipeline::stats::Second)> {
    on.then_some(|s| eprintln!("drape: {s}"))
}

pub fn open_stage(g: &Global) -> anyhow::Result<Stage> {
    let c = Stage::new(Compositor::new(g.compositor.into())?);
    tracing::info!(compositor = %c.name(), "compositor");
    Ok(c)
}

/// The analyser for the video pipeline: models loaded, style predicted once.
/// DRAPE_FAULT_ANALYSIS_AT=N makes the Nth analysis and every one after fail, to see what a
/// user would.
pub fn styled_analyser(rt: &Runtime, dir: &ModelDir, look: &Look, follow: bool) -> anyhow::Result<Box<dyn FrameAnalyser>> {
    let mut analyser = Analyser::open(rt, dir, analyser_config(look)?)?;
    let style = analyser.load_style(&look.style)?;
    let options = StyleOptions { strength: look.strength, preserve_colour: look.preserve_colour };
    let follower = if follow { Follower::open(rt, dir)? } else { None };
    // The frame shown restyled several times a second, beside the follower.
    let restyler = match &follower {
        Some(_) => Some(Restyler::open(rt, dir, restyle::Look::new(style.clone(), look.parts, options), look.style_size)?),
        None => None,
    };
    let analyser = StyledAnalyser::new(analyser, style, look.parts, options).with_follower(follower).with_restyler(restyler);
    Ok(match std::env::var("DRAPE_FAULT_ANALYSIS_AT").ok().map(|v| v.parse::<u64>()) {
        None => Box::new(analyser),
        Some(Ok(at)) => {
            tracing::warn!("DRAPE_FAULT_ANALYSIS_AT={at}: analysis {at} and every one after will fail on purpose");
            Box::new(FailingFrom::new(analyser, at))
        }
        Some(Err(_)) => anyhow::bail!("DRAPE_FAULT_ANALYSIS_AT must be a frame count (1, 2, ...)"),
    })
}

/// What `process` and headless `live` share: the look, how often to analyse, `--stats`.
pub fn video_options(look: &Look, flow: &Flow) -> VideoOptions {
    VideoOptions { analyse_every: flow.analyse_every, params: video_params(look), each_second: print_second(flow.stats), ..VideoOptions::default() }
}

pub fn video_params(look: &Look) -> Params {
    Params {
        parts: look.parts,
        view: look.view.into(),
        opacity: compositing::opacity_for_strength(look.strength),
        feather: look.feather,
        smoothing: Some(Smoothing::default()),
        ..Params::default()
    }
}
