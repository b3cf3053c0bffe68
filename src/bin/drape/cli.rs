//! The command line's shape: clap's arguments for every command, and their parsers.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use drape::analysis::models::style::StyleSpec;
use drape::analysis::parts::PartSet;

use crate::choices::{CompositorArg, PrecisionArg, ProviderArg, SegArg, ViewArg};

/// The style the bundled example is shown in.
pub const DEFAULT_STYLE: &str = "builtin:9";

#[derive(Parser)]
#[command(name = "drape", version, about = "Restyle the clothes of people in photos, videos and live camera feeds in the look of any painting or texture.")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Clone)]
pub struct Global {
    /// Folder with the models and ONNX Runtime [default: $DRAPE_MODELS, else the checkout's models/]
    #[arg(long, global = true, value_name = "DIR")]
    pub models: Option<PathBuf>,
    /// The ONNX Runtime library [default: in the models folder, runtime/openvino where bf16 is used, runtime/gpu for --ep cuda/tensorrt, else runtime/cpu]
    #[arg(long, global = true, value_name = "PATH", env = "DRAPE_ORT_LIB")]
    pub ort_lib: Option<PathBuf>,
    /// Where the blend runs: auto (GPU if an adapter exists, else the CPU compositor), gpu, cpu
    #[arg(long, global = true, value_enum, default_value_t = CompositorArg::Auto)]
    pub compositor: CompositorArg,
    /// Execution provider; any but cpu fails with an error if it cannot start
    #[arg(long, global = true, value_enum, default_value_t = ProviderArg::Cpu)]
    pub ep: ProviderArg,
    /// The models' arithmetic: auto (bf16 where the CPU has it and the garments hold), f32
    #[arg(long, global = true, value_enum, default_value_t = PrecisionArg::Auto, env = "DRAPE_PRECISION")]
    pub precision: PrecisionArg,
    /// ONNX Runtime intra-op threads per model, 1 to 64 [default: ONNX Runtime's choice]
    #[arg(long, global = true, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// More log output (-v info, -vv debug, -vvv trace); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// How the restyled garments look: shared by every command that restyles.
#[derive(Args, Clone)]
pub struct Look {
    /// A style image, or builtin:0 .. builtin:25
    #[arg(long, default_value = DEFAULT_STYLE)]
    pub style: StyleSpec,
    /// Garments to restyle: upper, lower, full (comma-separated) or all
    #[arg(long, default_value = "upper,lower,full")]
    pub parts: PartSet,
    /// 0 gives back the input, 1 the full style
    #[arg(long, default_value_t = 1.0, value_parser = parse_strength)]
    pub strength: f32,
    /// Keep the garments' own colours, take only the style's texture and shading
    #[arg(long)]
    pub preserve_colour: bool,
    /// What to show: result, hard (the reference's pasted look), split (hard | soft), mask, alpha (RGBA overlay)
    #[arg(long, value_enum, default_value_t = ViewArg::Result)]
    pub view: ViewArg,
    /// Edge feather radius in pixels, 0 to 64
    #[arg(long, default_value_t = 0.0, value_parser = parse_feather)]
    pub feather: f32,
    /// Garment segmenter
    #[arg(long, value_enum, default_value_t = SegArg::Composite)]
    pub seg: SegArg,
    /// The 4-class clothing model for --seg u2net-cloth
    #[arg(long, value_name = "PATH")]
    pub seg_model: Option<PathBuf>,
    /// A TOML file of garment-rule thresholds to try instead of drape's (for developers; see
    /// src/analysis/parts/composite/tuning.rs)
    #[arg(long, value_name = "FILE", env = "DRAPE_TUNING")]
    pub tuning: Option<PathBuf>,
    /// Long side, in pixels, of the crop the style network runs on: a multiple of 4 from 32 to 4096
    #[arg(long, default_value_t = 384, value_parser = parse_style_size)]
    pub style_size: u32,
    /// Long side, in pixels, of the saliency model's input: a multiple of 32 from 64 to 2048
    #[arg(long, default_value_t = 320, value_parser = parse_saliency_size)]
    pub saliency_size: u32,
}

/// Video pipeline settings.
#[derive(Args, Clone)]
pub struct Flow {
    /// Analyse every Nth frame; the frames between reuse the newest analysis
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub analyse_every: u32,
    /// Print per-stage milliseconds, analysis fps, output fps and latency each second
    #[arg(long)]
    pub stats: bool,
    /// Live: show each full analysis as it is, without the follower that carries it to the
    /// frames after it (garments then trail a moving person)
    #[arg(long)]
    pub no_follow: bool,
}

#[derive(Subcommand)]
pub enum Command {
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
pub struct ProcessArgs {
    /// Images, folders of images, or one video file
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Output image (one input) or folder; for a video: FILE.mp4, a folder (PNG frames) or - (raw RGBA on stdout)
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    #[command(flatten)]
    pub look: Look,
    #[command(flatten)]
    pub flow: Flow,
    /// Also write NAME.maps.png: frame | saliency | parts | stylized | result (images)
    #[arg(long)]
    pub maps: bool,
    /// Print per-stage milliseconds for each image
    #[arg(long)]
    pub timings: bool,
}

#[derive(Args)]
pub struct LiveArgs {
    /// Camera index (see `drape cameras`)
    #[arg(long, value_name = "N", conflicts_with = "input")]
    pub camera: Option<u32>,
    /// A video file or image(s) instead of a camera, played at their own rate
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Play the input again from the start when it ends
    #[arg(long = "loop")]
    pub looping: bool,
    /// Record to an MP4 file (in the window: from the start; R toggles recording)
    #[arg(long, value_name = "FILE.mp4")]
    pub record: Option<PathBuf>,
    /// Raw RGBA frames on stdout (no window)
    #[arg(long)]
    pub stdout: bool,
    /// Also stream the composite, low latency: udp://HOST:PORT or srt://HOST:PORT (MPEG-TS),
    /// rtmp://HOST/APP/KEY (FLV); H.264 zerolatency. A receiver that goes away is a warning
    #[arg(long, value_name = "URL")]
    pub stream: Option<String>,
    /// Also write the composite to a v4l2loopback device, which video-call apps and OBS see as a
    /// camera (see README)
    #[arg(long, value_name = "/dev/videoN")]
    pub virtual_camera: Option<PathBuf>,
    /// Never open the mirror window (record or pipe instead)
    #[arg(long)]
    pub no_window: bool,
    /// Window size in pixels, WxH, each side 64 to 8192 [default: the frame fitted into 1280x720]
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub window_size: Option<(u32, u32)>,
    /// Start fullscreen (F11 toggles)
    #[arg(long)]
    pub fullscreen: bool,
    /// Show the picture mirrored [default: on for a camera, off for a file]
    #[arg(long, overrides_with = "no_mirror")]
    pub mirror: bool,
    /// Show the picture as the camera sees it
    #[arg(long)]
    pub no_mirror: bool,
    /// A folder of style images for the window's gallery (N/P), after the built-in styles
    #[arg(long, value_name = "DIR")]
    pub styles: Option<PathBuf>,
    /// Where the window's recordings (R) and snapshots (S) go
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub save_to: PathBuf,
    /// Stop after this many frames (1 or more; in the window too)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub frames: Option<u64>,
    /// Camera resolution and rate asked for (16 to 7680 wide, 16 to 4320 high, 1 to 240 fps);
    /// --fps is also the rate an --input image is shown at
    #[arg(long, default_value_t = 640, value_parser = clap::value_parser!(u32).range(16..=7680))]
    pub width: u32,
    #[arg(long, default_value_t = 480, value_parser = clap::value_parser!(u32).range(16..=4320))]
    pub height: u32,
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=240))]
    pub fps: u32,
    #[command(flatten)]
    pub look: Look,
    #[command(flatten)]
    pub flow: Flow,
}

#[derive(Args)]
pub struct BenchArgs {
    /// The clip [default: ../shared's webcam clip when present, else the bundled example clip]
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Frames per measurement (1 or more)
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u64).range(1..))]
    pub frames: u64,
    /// Print the figures as JSON
    #[arg(long)]
    pub json: bool,
    /// Instead: how steady the garment mask is, the mean IoU (alpha > 0.5) of consecutive
    /// frames of the offline pipeline, hard cuts left out; and net of motion, each frame's mask
    /// carried to the next along the optical flow
    #[arg(long)]
    pub steadiness: bool,
    /// Live runs without the follower (as `drape live --no-follow`), for a before/after
    #[arg(long)]
    pub no_follow: bool,
    /// Also save, for each frame the live alpha is compared on, a PNG into DIR: white where live
    /// and offline garments agree, red where only live has garment, cyan where only offline has
    #[arg(long, value_name = "DIR")]
    pub compare: Option<PathBuf>,
    #[command(flatten)]
    pub look: Look,
}

pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{s}`: give the size as WIDTHxHEIGHT, each side 64 to 8192, e.g. 1280x720");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    match (w.trim().parse::<u32>(), h.trim().parse::<u32>()) {
        (Ok(w), Ok(h)) if (64..=8192).contains(&w) && (64..=8192).contains(&h) => Ok((w, h)),
        _ => Err(bad()),
    }
}

pub fn parse_strength(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}`: strength is a number from 0 to 1")),
    }
}

/// A whole number in `lo..=hi` that is a multiple of `step`, or a one-line reason.
fn whole_in(s: &str, lo: u32, hi: u32, step: u32, what: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(v) if (lo..=hi).contains(&v) && v % step == 0 => Ok(v),
        _ if step > 1 => Err(format!("`{s}`: {what} is a multiple of {step} from {lo} to {hi}")),
        _ => Err(format!("`{s}`: {what} is a whole number from {lo} to {hi}")),
    }
}

pub fn parse_threads(s: &str) -> Result<usize, String> {
    whole_in(s, 1, 64, 1, "--threads").map(|v| v as usize)
}

pub fn parse_style_size(s: &str) -> Result<u32, String> {
    whole_in(s, 32, 4096, 4, "--style-size")
}

pub fn parse_saliency_size(s: &str) -> Result<u32, String> {
    whole_in(s, 64, 2048, 32, "--saliency-size")
}

pub fn parse_feather(s: &str) -> Result<f32, String> {
    match s.trim().parse::<f32>() {
        Ok(v) if (0.0..=64.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}`: --feather is a radius in pixels from 0 to 64")),
    }
}

/// Arguments as the command line would give them.
pub fn parse_args<T: Args>(argv: &[impl AsRef<str>]) -> T {
    #[derive(Parser)]
    struct Only<T: Args> {
        #[command(flatten)]
        inner: T,
    }
    Only::<T>::parse_from(argv.iter().map(|s| s.as_ref().to_string())).inner
}

impl Look {
    /// The defaults, as the command line would give them.
    pub fn parse_default() -> Look {
        parse_args::<Look>(&["drape"])
    }
}
