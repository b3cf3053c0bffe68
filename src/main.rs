//! The `drape` command line. Errors become one line on stderr and exit code 2.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use drape::analysis::models::ModelDir;
use drape::analysis::parts::PartSet;
use drape::analysis::runtime::{Provider, Runtime, RuntimeOptions};
use drape::analysis::style::{StyleOptions, StyleSpec};
use drape::analysis::{Analyzer, AnalyzerConfig};
use drape::capture::{self, video, Source};
use drape::compositing::{self, Compositor, Params, Smoothing, Stage, View};
use drape::output::sink::{Mp4Sink, PngSequence, RawStdout, Sink};
use drape::pipeline::video::{run_live, run_offline, SourceOpener, VideoOptions, VideoReport};
use drape::pipeline::{self, FailingAt, FrameAnalyser, PhotoJob, Report, StyledAnalyser};

mod bench;
mod choices;

use choices::{CompositorArg, ProviderArg, SegArg, ViewArg};

/// The style the bundled example is shown in.
const DEFAULT_STYLE: &str = "builtin:9";

#[derive(Parser)]
#[command(name = "drape", version, about = "Restyle the clothes of people in photos, videos and live camera feeds in the look of any painting or texture.")]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Clone)]
struct Global {
    /// Folder with the models and ONNX Runtime [default: $DRAPE_MODELS, else the checkout's models/]
    #[arg(long, global = true, value_name = "DIR")]
    models: Option<PathBuf>,
    /// The ONNX Runtime library [default: runtime/cpu (or runtime/gpu for --ep cuda/tensorrt) in the models folder]
    #[arg(long, global = true, value_name = "PATH", env = "DRAPE_ORT_LIB")]
    ort_lib: Option<PathBuf>,
    /// Where the blend runs: auto (GPU if an adapter exists, else the CPU compositor), gpu, cpu
    #[arg(long, global = true, value_enum, default_value_t = CompositorArg::Auto)]
    compositor: CompositorArg,
    /// Execution provider; cuda and tensorrt fail with an error if they cannot start
    #[arg(long, global = true, value_enum, default_value_t = ProviderArg::Cpu)]
    ep: ProviderArg,
    /// ONNX Runtime intra-op threads per model [default: ONNX Runtime's choice]
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// More log output (-v info, -vv debug, -vvv trace); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

/// How the restyled garments look: shared by every command that restyles.
#[derive(Args, Clone)]
struct Look {
    /// A style image, or builtin:0 .. builtin:25
    #[arg(long, default_value = DEFAULT_STYLE)]
    style: StyleSpec,
    /// Garments to restyle: upper, lower, full (comma-separated) or all
    #[arg(long, default_value = "upper,lower,full")]
    parts: PartSet,
    /// 0 gives back the input, 1 the full style
    #[arg(long, default_value_t = 1.0, value_parser = parse_strength)]
    strength: f32,
    /// Keep the garments' own colours, take only the style's texture and shading
    #[arg(long)]
    preserve_colour: bool,
    /// What to show: result, hard (the reference's pasted look), split (hard | soft), mask, alpha (RGBA overlay)
    #[arg(long, value_enum, default_value_t = ViewArg::Result)]
    view: ViewArg,
    /// Edge feather radius in pixels
    #[arg(long, default_value_t = 0.0)]
    feather: f32,
    /// Garment segmenter
    #[arg(long, value_enum, default_value_t = SegArg::Composite)]
    seg: SegArg,
    /// The 4-class clothing model for --seg u2net-cloth
    #[arg(long, value_name = "PATH")]
    seg_model: Option<PathBuf>,
    /// Long side, in pixels, of the crop the style network runs on (multiple of 4)
    #[arg(long, default_value_t = 384, value_parser = clap::value_parser!(u32).range(32..=4096))]
    style_size: u32,
    /// Long side, in pixels, of the saliency model's input (multiple of 32)
    #[arg(long, default_value_t = 320, value_parser = clap::value_parser!(u32).range(64..=2048))]
    saliency_size: u32,
}

/// Video pipeline settings.
#[derive(Args, Clone)]
struct Flow {
    /// Analyse every Nth frame; the frames between reuse the newest analysis
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    analyse_every: u32,
    /// Print per-stage milliseconds, analysis fps, output fps and latency each second
    #[arg(long)]
    stats: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Restyle images (files or folders of images) or a video file
    Process(ProcessArgs),
    /// The try-on mirror: a camera or a video file restyled live in a window (H for help);
    /// without a display it records (--record) or pipes (--stdout)
    Live(LiveArgs),
    /// List cameras and their formats
    Cameras,
    /// Run the video pipeline on a clip and print per-stage and end-to-end figures
    Bench(BenchArgs),
    /// Restyle the bundled example photo
    Demo {
        /// Where the result goes
        #[arg(short, long, default_value = "out")]
        output: PathBuf,
    },
    /// Show the runtime, the provider, each model's presence and checksum, and what is missing
    Doctor,
}

#[derive(Args)]
struct ProcessArgs {
    /// Images, folders of images, or one video file
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Output image (one input) or folder; for a video: FILE.mp4, a folder (PNG frames) or - (raw RGBA on stdout)
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
    #[command(flatten)]
    look: Look,
    #[command(flatten)]
    flow: Flow,
    /// Also write NAME.maps.png: frame | saliency | parts | stylized | result (images)
    #[arg(long)]
    maps: bool,
    /// Print per-stage milliseconds for each image
    #[arg(long)]
    timings: bool,
}

#[derive(Args)]
struct LiveArgs {
    /// Camera index (see `drape cameras`)
    #[arg(long, value_name = "N", conflicts_with = "input")]
    camera: Option<u32>,
    /// A video file or image(s) instead of a camera, played at their own rate
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,
    /// Play the input again from the start when it ends
    #[arg(long = "loop")]
    looping: bool,
    /// Record to an MP4 file (in the window: from the start; R toggles recording)
    #[arg(long, value_name = "FILE.mp4")]
    record: Option<PathBuf>,
    /// Raw RGBA frames on stdout (no window)
    #[arg(long)]
    stdout: bool,
    /// Never open the mirror window (record or pipe instead)
    #[arg(long)]
    no_window: bool,
    /// Window size in pixels, WxH [default: the frame fitted into 1280x720]
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    window_size: Option<(u32, u32)>,
    /// Start fullscreen (F11 toggles)
    #[arg(long)]
    fullscreen: bool,
    /// Show the picture mirrored [default: on for a camera, off for a file]
    #[arg(long, overrides_with = "no_mirror")]
    mirror: bool,
    /// Show the picture as the camera sees it
    #[arg(long)]
    no_mirror: bool,
    /// A folder of style images for the window's gallery (N/P), after the built-in styles
    #[arg(long, value_name = "DIR")]
    styles: Option<PathBuf>,
    /// Where the window's recordings (R) and snapshots (S) go
    #[arg(long, value_name = "DIR", default_value = ".")]
    save_to: PathBuf,
    /// Stop after this many frames
    #[arg(long, value_name = "N")]
    frames: Option<u64>,
    /// Camera resolution and rate asked for
    #[arg(long, default_value_t = 640)]
    width: u32,
    #[arg(long, default_value_t = 480)]
    height: u32,
    #[arg(long, default_value_t = 30)]
    fps: u32,
    #[command(flatten)]
    look: Look,
    #[command(flatten)]
    flow: Flow,
}

#[derive(Args)]
struct BenchArgs {
    /// The clip [default: ../shared's webcam clip when present, else the bundled example clip]
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,
    /// Frames per measurement
    #[arg(long, default_value_t = 90)]
    frames: u64,
    /// Print the figures as JSON
    #[arg(long)]
    json: bool,
    /// Instead: how steady the garment mask is, the mean IoU (alpha > 0.5) of consecutive
    /// frames of the offline pipeline, hard cuts left out
    #[arg(long)]
    steadiness: bool,
    #[command(flatten)]
    look: Look,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{s}`: give the size as WIDTHxHEIGHT, e.g. 1280x720");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    match (w.trim().parse::<u32>(), h.trim().parse::<u32>()) {
        (Ok(w), Ok(h)) if (64..=8192).contains(&w) && (64..=8192).contains(&h) => Ok((w, h)),
        _ => Err(bad()),
    }
}

fn parse_strength(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}`: strength is a number from 0 to 1")),
    }
}

fn main() -> ExitCode {
    quiet_mesa();
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // One line: the library's errors already name the thing and what to do.
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("drape: error: {}", chain.join(": "));
            ExitCode::from(2)
        }
    }
}

/// Mesa's Vulkan drivers complain on every start when XDG_RUNTIME_DIR is unset (containers, CI):
/// give them a private one. Runs first in main, before any thread exists.
fn quiet_mesa() {
    if std::env::var_os("XDG_RUNTIME_DIR").is_some() {
        return;
    }
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    let uid = std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("drape-runtime-{uid}"));
    let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
    if std::fs::metadata(&dir).is_ok_and(|m| m.is_dir() && m.uid() == uid) {
        std::env::set_var("XDG_RUNTIME_DIR", &dir);
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("drape={level},ort=warn,wgpu_hal=error,wgpu_core=error,naga=warn")));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}

fn runtime_options(g: &Global, dir: &ModelDir) -> RuntimeOptions {
    let gpu = g.ep != ProviderArg::Cpu;
    RuntimeOptions {
        library: g.ort_lib.clone().unwrap_or_else(|| dir.runtime_path(gpu)),
        provider: g.ep.into(),
        threads: g.threads,
        spinning: None,
        engine_cache: Some(dir.root.join(".cache").join("tensorrt")),
    }
}

/// Ctrl-C asks the pipeline to stop (recordings are finalised); a second one exits at once.
/// The handler is installed once per process; when it cannot be, the user is told that Ctrl-C
/// would end drape without finalising what it writes.
fn stop_flag() -> Arc<AtomicBool> {
    static STOP: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    STOP.get_or_init(|| {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let handler = ctrlc::set_handler(move || {
            if s.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            eprintln!("drape: stopping (Ctrl-C again to quit at once)");
        });
        if let Err(e) = handler {
            tracing::warn!("cannot catch Ctrl-C ({e}): it would end drape without finalising a recording; stop with Q or --frames instead");
        }
        stop
    })
    .clone()
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let g = cli.global;
    let dir = ModelDir::locate(g.models.clone())?;
    match cli.command {
        Some(Command::Doctor) => {
            let (text, ok) = drape::doctor::report(&dir, &runtime_options(&g, &dir));
            print!("{text}");
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Some(Command::Process(a)) => {
            if a.inputs.len() == 1 && video::is_video_path(&a.inputs[0]) {
                return process_video(&g, &dir, &a);
            }
            let job = PhotoJob {
                inputs: a.inputs,
                output: a.output,
                style: a.look.style.clone(),
                parts: a.look.parts,
                strength: a.look.strength,
                preserve_colour: a.look.preserve_colour,
                view: a.look.view.into(),
                feather: a.look.feather,
                maps: a.maps,
            };
            process_photos(&g, &dir, &a.look, &job, a.timings)
        }
        Some(Command::Live(a)) => live(&g, &dir, a),
        Some(Command::Cameras) => cameras(),
        Some(Command::Bench(a)) => bench::run(&g, &dir, a),
        Some(Command::Demo { output }) => demo(&g, &dir, output),
        None => first_run(&g, &dir),
    }
}

fn analyzer_config(look: &Look) -> anyhow::Result<AnalyzerConfig> {
    if look.seg == SegArg::U2netCloth && look.seg_model.is_none() {
        anyhow::bail!("--seg u2net-cloth needs --seg-model PATH to a 4-class U^2-Net clothing model (rembg's u2net_cloth_seg.onnx)");
    }
    Ok(AnalyzerConfig { segmenter: look.seg.into(), seg_model: look.seg_model.clone(), saliency_size: look.saliency_size, style_size: look.style_size })
}

/// Checks that cost nothing before the models load: a style image decodes.
fn check_style(look: &Look) -> anyhow::Result<()> {
    if let StyleSpec::Image(p) = &look.style {
        capture::load_image(p, "style")?;
    }
    Ok(())
}

/// `--stats`: each second's figures on stderr.
fn print_second(on: bool) -> Option<fn(&drape::pipeline::stats::Second)> {
    on.then_some(|s| eprintln!("drape: {s}"))
}

fn open_stage(g: &Global) -> anyhow::Result<Stage> {
    let c = Stage::new(Compositor::new(g.compositor.into())?);
    tracing::info!(compositor = %c.name(), "compositor");
    Ok(c)
}

/// The analyser for the video pipeline: models loaded, style predicted once.
/// DRAPE_FAULT_ANALYSIS_AT=N makes the Nth analysis and every one after fail, to see what a
/// user would.
fn styled_analyser(rt: &Runtime, dir: &ModelDir, look: &Look) -> anyhow::Result<Box<dyn FrameAnalyser>> {
    let mut analyzer = Analyzer::open(rt, dir, analyzer_config(look)?)?;
    let style = analyzer.load_style(&look.style)?;
    let options = StyleOptions { strength: look.strength, preserve_colour: look.preserve_colour };
    let analyser = StyledAnalyser::new(analyzer, style, look.parts, options);
    Ok(match std::env::var("DRAPE_FAULT_ANALYSIS_AT").ok().map(|v| v.parse::<u64>()) {
        None => Box::new(analyser),
        Some(Ok(at)) => {
            tracing::warn!("DRAPE_FAULT_ANALYSIS_AT={at}: analysis {at} and every one after will fail on purpose");
            Box::new(FailingAt::new(analyser, at, u64::MAX))
        }
        Some(Err(_)) => anyhow::bail!("DRAPE_FAULT_ANALYSIS_AT must be a frame count (1, 2, ...)"),
    })
}

/// What `process` and headless `live` share: the look, how often to analyse, `--stats`.
fn video_options(look: &Look, flow: &Flow) -> VideoOptions {
    VideoOptions { analyse_every: flow.analyse_every, params: video_params(look), each_second: print_second(flow.stats), ..VideoOptions::default() }
}

fn video_params(look: &Look) -> Params {
    Params {
        parts: look.parts,
        view: look.view.into(),
        opacity: compositing::opacity_for_strength(look.strength),
        feather: look.feather,
        smoothing: Some(Smoothing::default()),
        ..Params::default()
    }
}

fn process_photos(g: &Global, dir: &ModelDir, look: &Look, job: &PhotoJob, timings: bool) -> anyhow::Result<ExitCode> {
    let config = analyzer_config(look)?;
    let inputs = capture::list_images(&job.inputs)?;
    pipeline::plan_outputs(&inputs, &job.output)?;
    check_style(look)?;
    let rt = Runtime::load(runtime_options(g, dir))?;
    let mut analyzer = Analyzer::open(&rt, dir, config)?;
    let mut stage = open_stage(g)?;
    let report = pipeline::process_photos(&mut analyzer, &mut stage, job)?;
    print_report(&report, timings);
    Ok(if report.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

/// A sink for an output path: FILE.mp4, `-` for stdout, anything else a PNG folder.
fn sink_for(path: &Path, fps: f64, size: (u32, u32)) -> anyhow::Result<Box<dyn Sink>> {
    if path.as_os_str() == "-" {
        eprintln!("drape: {}", RawStdout::how_to_read(size.0, size.1, fps));
        return Ok(Box::new(RawStdout::new()));
    }
    if video::is_video_path(path) {
        if path.extension().is_some_and(|e| !e.eq_ignore_ascii_case("mp4")) {
            anyhow::bail!("{}: drape records MP4; name the output FILE.mp4", path.display());
        }
        return Ok(Box::new(Mp4Sink::create(path, fps)?));
    }
    Ok(Box::new(PngSequence::create(path)?))
}

fn process_video(g: &Global, dir: &ModelDir, a: &ProcessArgs) -> anyhow::Result<ExitCode> {
    let input = a.inputs[0].clone();
    let info = video::probe(&input)?;
    check_style(&a.look)?;
    let sink = sink_for(&a.output, info.fps, (info.width, info.height))?;
    let rt = Runtime::load(runtime_options(g, dir))?;
    let analyser = styled_analyser(&rt, dir, &a.look)?;
    let mut stage = open_stage(g)?;
    let opts = VideoOptions { progress: true, ..video_options(&a.look, &a.flow) };
    let path = input.clone();
    let open: SourceOpener = Box::new(move || Ok(Box::new(video::VideoFile::open(&path, false)?) as Box<dyn Source>));
    let report = run_offline(open, analyser, &mut stage, vec![sink], stop_flag(), info.frames, &opts);
    finish_video(report)
}

fn finish_video(report: VideoReport) -> anyhow::Result<ExitCode> {
    let s = &report.summary;
    for f in &report.outputs {
        match &f.path {
            Some(p) => println!("wrote {} ({})", p.display(), f.what),
            None => eprintln!("drape: {}", f.what),
        }
    }
    eprintln!("drape: {} frames in {:.1} s ({:.1} fps), {} analyses ({:.1} per second)", s.composited, s.seconds, s.output_fps(), s.analysed, s.analysis_fps());
    match report.error {
        Some(e) => Err(e.into()),
        None if report.interrupted => {
            eprintln!("drape: stopped by Ctrl-C");
            Ok(ExitCode::from(130))
        }
        None => Ok(ExitCode::SUCCESS),
    }
}

/// Whether a window can be opened here (an X11 or Wayland display is named).
fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()))
}

fn live(g: &Global, dir: &ModelDir, a: LiveArgs) -> anyhow::Result<ExitCode> {
    let window = !a.no_window && !a.stdout;
    if window && !has_display() {
        if a.record.is_none() {
            anyhow::bail!("no display for the mirror window (DISPLAY and WAYLAND_DISPLAY are unset): give --record FILE.mp4 or --stdout to run without one");
        }
        eprintln!("drape: no display; recording without the window");
    }
    check_style(&a.look)?;
    if window && has_display() {
        return mirror(g, dir, a);
    }
    let LiveSource { open, fps, size, .. } = live_source(&a, a.looping)?;
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    if let Some(r) = &a.record {
        sinks.push(sink_for(r, fps, size)?);
    }
    if a.stdout {
        sinks.push(sink_for(Path::new("-"), fps, size)?);
    }
    let rt = Runtime::load(runtime_options(g, dir))?;
    let analyser = styled_analyser(&rt, dir, &a.look)?;
    let mut stage = open_stage(g)?;
    let opts = VideoOptions { max_frames: a.frames, ..video_options(&a.look, &a.flow) };
    let report = run_live(open, analyser, &mut stage, sinks, stop_flag(), &opts, |_| {});
    let code = finish_video(report)?;
    // Ctrl-C is how a live recording ends: that is success.
    Ok(if code == ExitCode::from(130) { ExitCode::SUCCESS } else { code })
}

/// Where `drape live` takes its frames from, as the capture thread will open it.
struct LiveSource {
    open: SourceOpener,
    /// The source's rate and frame size, for the sinks and the window.
    fps: f64,
    size: (u32, u32),
    camera: bool,
}

/// The --input file or image, else the camera; a file or image repeats when `looping`.
fn live_source(a: &LiveArgs, looping: bool) -> anyhow::Result<LiveSource> {
    Ok(match &a.input {
        Some(path) if video::is_video_path(path) => {
            let info = video::probe(path)?;
            let p = path.clone();
            let open: SourceOpener = Box::new(move || Ok(Box::new(video::VideoFile::open(&p, looping)?) as Box<dyn Source>));
            LiveSource { open, fps: info.fps, size: (info.width, info.height), camera: false }
        }
        Some(path) => {
            let mut stills = capture::Stills::open(std::slice::from_ref(path), a.fps as f64, looping)?;
            let first = stills.next_frame()?.context("no image")?;
            let (p, rate) = (path.clone(), a.fps as f64);
            let open: SourceOpener = Box::new(move || Ok(Box::new(capture::Stills::open(std::slice::from_ref(&p), rate, looping)?) as Box<dyn Source>));
            LiveSource { open, fps: rate, size: first.dimensions(), camera: false }
        }
        None => {
            let (open, fps, size) = camera_opener(a.camera.unwrap_or(0), a)?;
            LiveSource { open, fps, size, camera: true }
        }
    })
}

/// The mirror window on a camera or a file (files loop: a mirror keeps running).
fn mirror(g: &Global, dir: &ModelDir, a: LiveArgs) -> anyhow::Result<ExitCode> {
    use drape::window::controls::{self, Controls};
    let LiveSource { open, fps, size, camera } = live_source(&a, true)?;
    let mut extra = Vec::new();
    if let Some(d) = &a.styles {
        extra.extend(capture::list_images(std::slice::from_ref(d))?.into_iter().map(StyleSpec::Image));
    }
    if matches!(a.look.style, StyleSpec::Image(_)) {
        extra.insert(0, a.look.style.clone());
    }
    let mirror = if a.no_mirror { false } else { a.mirror || camera };
    let ctl = Controls::new(controls::gallery(&extra), &a.look.style, a.look.parts, a.look.strength, a.look.view.into(), mirror);
    drape::output::ensure_writable_dir(&a.save_to)?;
    // The window's frames come first: ONNX Runtime's idle threads must not spin on its cores,
    // and on two cores the analysis gets one (measured: 22 -> 25 frames shown per second).
    let small = std::thread::available_parallelism().is_ok_and(|n| n.get() <= 2);
    let threads = g.threads.or(small.then_some(1));
    let rt = Runtime::load(RuntimeOptions { spinning: Some(false), threads, ..runtime_options(g, dir) })?;
    let analyser = styled_analyser(&rt, dir, &a.look)?;
    let opts = drape::window::MirrorOptions {
        open,
        analyser,
        compositor: g.compositor.into(),
        controls: ctl,
        feather: a.look.feather,
        analyse_every: a.flow.analyse_every,
        source_size: size,
        fps,
        window_size: a.window_size,
        fullscreen: a.fullscreen,
        record: a.record.clone(),
        save_dir: a.save_to.clone(),
        provider: Provider::from(g.ep).to_string(),
        each_second: print_second(a.flow.stats),
        stop: stop_flag(),
    };
    let report = drape::window::run(opts)?;
    for path in &report.saved {
        println!("saved {}", path.display());
    }
    let s = &report.summary;
    eprintln!(
        "drape: presented {} frames in {:.1} s ({:.1} fps), {} analyses ({:.1} per second)",
        s.presented,
        s.seconds,
        s.presented as f64 / s.seconds.max(1e-9),
        s.analysed,
        s.analysis_fps()
    );
    match report.error {
        Some(e) => Err(e.into()),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// What `drape` with no command does: the mirror window on the default camera, or on the bundled
/// example clip when there is no camera; with no display at all, the clip recorded to a file.
fn first_run(g: &Global, dir: &ModelDir) -> anyhow::Result<ExitCode> {
    let clip = dir.example_clip_path();
    let have_camera = cfg!(feature = "camera") && camera_count() > 0;
    if !have_camera && !clip.is_file() {
        anyhow::bail!("{}: the bundled example clip is missing; run `bash models/setup.sh`", clip.display());
    }
    if has_display() {
        let mut argv = vec!["drape".to_string()];
        if !have_camera {
            println!("No camera found; showing the bundled example clip ({}). Press H for help, Q to quit.", clip.display());
            argv.extend(["--input".to_string(), clip.display().to_string()]);
        } else {
            println!("Opening camera 0. Press H for help, Q to quit.");
        }
        return mirror(g, dir, parse_args::<LiveArgs>(&argv));
    }
    let out = PathBuf::from("out").join("astronaut_sway.drape.mp4");
    println!("No display here, so drape records the bundled example clip instead of opening the mirror window.");
    let argv = ["drape", &clip.display().to_string(), "-o", &out.display().to_string(), "--analyse-every", "2"];
    let a = parse_args::<ProcessArgs>(&argv);
    let code = process_video(g, dir, &a)?;
    if code == ExitCode::SUCCESS {
        println!("The example clip's clothes are restyled in {DEFAULT_STYLE}: {}", out.display());
        println!("On a desktop, `cargo run --release` opens the mirror window; `cargo run --release -- demo` restyles the example photo.");
    }
    Ok(code)
}

#[cfg(feature = "camera")]
fn camera_count() -> usize {
    drape::capture::camera::list().map(|l| l.len()).unwrap_or(0)
}

#[cfg(not(feature = "camera"))]
fn camera_count() -> usize {
    0
}

/// Arguments as the command line would give them.
fn parse_args<T: Args>(argv: &[impl AsRef<str>]) -> T {
    #[derive(Parser)]
    struct Only<T: Args> {
        #[command(flatten)]
        inner: T,
    }
    Only::<T>::parse_from(argv.iter().map(|s| s.as_ref().to_string())).inner
}

#[cfg(feature = "camera")]
fn camera_opener(index: u32, a: &LiveArgs) -> anyhow::Result<(SourceOpener, f64, (u32, u32))> {
    use drape::capture::camera::Camera;
    // Opened once here for its format, then again on the capture thread that keeps it.
    let (w, h, fps) = (a.width, a.height, a.fps);
    let mut probe = Camera::open(index, w, h, fps)?;
    let first = probe.next_frame()?.context("the camera sent no frame")?;
    let rate = probe.rate().unwrap_or(fps as f64);
    drop(probe);
    Ok((Box::new(move || Ok(Box::new(Camera::open(index, w, h, fps)?) as Box<dyn Source>)), rate, first.dimensions()))
}

#[cfg(not(feature = "camera"))]
fn camera_opener(_index: u32, _a: &LiveArgs) -> anyhow::Result<(SourceOpener, f64, (u32, u32))> {
    anyhow::bail!("this drape was built without the `camera` feature; give --input FILE")
}

fn cameras() -> anyhow::Result<ExitCode> {
    #[cfg(feature = "camera")]
    {
        let list = match drape::capture::camera::list() {
            Ok(l) => l,
            Err(e) => {
                println!("No cameras found ({e}). Use `drape live --input FILE` to run on a video instead.");
                return Ok(ExitCode::SUCCESS);
            }
        };
        if list.is_empty() {
            println!("No cameras found. Use `drape live --input FILE` to run on a video instead.");
        }
        for c in list {
            println!("camera {}: {}", c.index, c.name);
            for f in c.formats {
                println!("  {f}");
            }
        }
    }
    #[cfg(not(feature = "camera"))]
    println!("This drape was built without the `camera` feature; no cameras can be listed.");
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &Report, timings: bool) {
    for w in &report.written {
        match &w.maps {
            Some(m) => println!("wrote {} (maps: {})", w.result.display(), m.display()),
            None => println!("wrote {}", w.result.display()),
        }
        if timings {
            for (stage, ms) in &w.timings {
                println!("  {stage:<28} {ms:>8.1} ms");
            }
        }
    }
    for e in &report.failed {
        eprintln!("drape: error: {e}");
    }
}

fn demo(g: &Global, dir: &ModelDir, output: PathBuf) -> anyhow::Result<ExitCode> {
    let example = dir.example_path();
    if !example.is_file() {
        anyhow::bail!("{}: the bundled example is missing; run `bash models/setup.sh`", example.display());
    }
    let look = Look::parse_default();
    let job = PhotoJob {
        inputs: vec![example],
        output: output.clone(),
        style: look.style.clone(),
        parts: PartSet::ALL,
        strength: 1.0,
        preserve_colour: false,
        view: View::Result,
        feather: 0.0,
        maps: true,
    };
    let code = process_photos(g, dir, &look, &job, false).context("restyling the bundled example")?;
    if code == ExitCode::SUCCESS {
        println!("The example photo's clothes are restyled in {DEFAULT_STYLE}; open the files above to see them.");
        println!("Try your own: cargo run --release -- process PHOTO.jpg -o out/ --style STYLE.jpg --parts upper");
    }
    Ok(code)
}

impl Look {
    /// The defaults, as the command line would give them.
    fn parse_default() -> Look {
        parse_args::<Look>(&["drape"])
    }
}
