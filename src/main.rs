//! The `drape` command line. Errors become one line on stderr and exit code 2.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use drape::analysis::models::ModelDir;
use drape::analysis::parts::PartSet;
use drape::analysis::runtime::{Provider, Runtime, RuntimeOptions};
use drape::analysis::style::StyleSpec;
use drape::analysis::{Analyzer, AnalyzerConfig, SegmenterKind};
use drape::compositing::{Compositor, CompositorKind, View};
use drape::pipeline::{self, PhotoJob, Report};

/// The style the bundled example is shown in.
const DEFAULT_STYLE: &str = "builtin:9";

#[derive(Parser)]
#[command(name = "drape", version, about = "Restyle the clothes of people in photos in the look of any painting or texture.")]
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
    /// Where the blend runs: auto (GPU if an adapter exists, else the CPU reference), gpu, cpu
    #[arg(long, global = true, value_enum, default_value_t = CompositorKind::Auto)]
    compositor: CompositorKind,
    /// Execution provider; cuda and tensorrt fail with an error if they cannot start
    #[arg(long, global = true, value_enum, default_value_t = Provider::Cpu)]
    ep: Provider,
    /// ONNX Runtime intra-op threads per model [default: ONNX Runtime's choice]
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// More log output (-v info, -vv debug, -vvv trace); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Subcommand)]
enum Command {
    /// Restyle images (files or folders of images)
    Process(ProcessArgs),
    /// Restyle the bundled example photo (what `drape` with no command does)
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
    /// Images or folders of images
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Output image (one input) or folder
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
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
    /// What to write: result, hard (the reference's pasted look), split (hard | soft), mask, alpha (RGBA overlay)
    #[arg(long, value_enum, default_value_t = View::Result)]
    view: View,
    /// Edge feather radius in pixels
    #[arg(long, default_value_t = 0.0)]
    feather: f32,
    /// Garment segmenter
    #[arg(long, value_enum, default_value_t = SegmenterKind::Composite)]
    seg: SegmenterKind,
    /// The 4-class clothing model for --seg u2net-cloth
    #[arg(long, value_name = "PATH")]
    seg_model: Option<PathBuf>,
    /// Long side, in pixels, of the crop the style network runs on (multiple of 4)
    #[arg(long, default_value_t = 384, value_parser = clap::value_parser!(u32).range(32..=4096))]
    style_size: u32,
    /// Long side, in pixels, of the saliency model's input (multiple of 32)
    #[arg(long, default_value_t = 320, value_parser = clap::value_parser!(u32).range(64..=2048))]
    saliency_size: u32,
    /// Also write NAME.maps.png: frame | saliency | parts | stylized | result
    #[arg(long)]
    maps: bool,
    /// Print per-stage milliseconds for each image
    #[arg(long)]
    timings: bool,
}

fn parse_strength(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}`: strength is a number from 0 to 1")),
    }
}

fn main() -> ExitCode {
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

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("drape={level},ort=warn")));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}

fn runtime_options(g: &Global, dir: &ModelDir) -> RuntimeOptions {
    let gpu = g.ep != Provider::Cpu;
    RuntimeOptions {
        library: g.ort_lib.clone().unwrap_or_else(|| dir.runtime_path(gpu)),
        provider: g.ep,
        threads: g.threads,
        engine_cache: Some(dir.root.join(".cache").join("tensorrt")),
    }
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
            if a.seg == SegmenterKind::U2netCloth && a.seg_model.is_none() {
                anyhow::bail!("--seg u2net-cloth needs --seg-model PATH to a 4-class U^2-Net clothing model (rembg's u2net_cloth_seg.onnx)");
            }
            let config = AnalyzerConfig {
                segmenter: a.seg,
                seg_model: a.seg_model.clone(),
                saliency_size: a.saliency_size,
                style_size: a.style_size,
            };
            let job = PhotoJob {
                inputs: a.inputs,
                output: a.output,
                style: a.style,
                parts: a.parts,
                strength: a.strength,
                preserve_colour: a.preserve_colour,
                view: a.view,
                feather: a.feather,
                maps: a.maps,
            };
            process(&g, &dir, config, &job, a.timings)
        }
        Some(Command::Demo { output }) => demo(&g, &dir, output),
        None => demo(&g, &dir, PathBuf::from("out")),
    }
}

fn process(g: &Global, dir: &ModelDir, config: AnalyzerConfig, job: &PhotoJob, timings: bool) -> anyhow::Result<ExitCode> {
    // Cheap checks before the models load: inputs exist, the output takes files.
    let inputs = drape::capture::list_images(&job.inputs)?;
    pipeline::plan_outputs(&inputs, &job.output)?;
    if let StyleSpec::Image(p) = &job.style {
        drape::capture::load_image(p, "style")?;
    }
    let rt = Runtime::load(runtime_options(g, dir))?;
    let mut analyzer = Analyzer::open(&rt, dir, config)?;
    let mut compositor = Compositor::new(g.compositor)?;
    tracing::info!(compositor = %compositor.name(), "compositor");
    let report = pipeline::process_photos(&mut analyzer, &mut compositor, job)?;
    print_report(&report, timings);
    Ok(if report.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) })
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
    let job = PhotoJob {
        inputs: vec![example],
        output: output.clone(),
        style: DEFAULT_STYLE.parse().map_err(anyhow::Error::msg)?,
        parts: PartSet::ALL,
        strength: 1.0,
        preserve_colour: false,
        view: View::Result,
        feather: 0.0,
        maps: true,
    };
    let code = process(g, dir, AnalyzerConfig::default(), &job, false).context("restyling the bundled example")?;
    if code == ExitCode::SUCCESS {
        println!("The example photo's clothes are restyled in {DEFAULT_STYLE}; open the files above to see them.");
        println!("Try your own: cargo run --release -- process PHOTO.jpg -o out/ --style STYLE.jpg --parts upper");
    }
    Ok(code)
}
