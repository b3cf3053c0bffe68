//! Recorded model outputs for the rule tests (tests/rules.rs): the models run once per frame
//! and their outputs are kept under target/, so the garment rules run again in seconds and
//! without ONNX Runtime. A recording is keyed by the frame's pixels, the models' manifest, the
//! runtime and precision, and the source of the code that runs the models: a change to any of
//! them records again.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use drape::analysis::parts::composite::Tuning;
use drape::analysis::parts::PartSet;
use drape::analysis::recorded::{ModelOutputs, Replay};
use drape::analysis::{selected_rect, Analyser, AnalyserConfig, Analysis, Stylized};
use drape::capture::load_image;
use drape::compositing::{cpu::CpuCompositor, Layers, Params, View};
use drape::frame::Frame;
use sha2::{Digest, Sha256};

use drape::analysis::runtime::{default_library, Provider};

use super::{model_dir, precision, repo, runtime, testdata};

/// Recordings made by this test process (the models ran) and read back (they did not).
pub static RECORDED: AtomicUsize = AtomicUsize::new(0);
pub static READ: AtomicUsize = AtomicUsize::new(0);

/// The code between a frame and its recorded outputs.
pub const MODEL_CODE: [&str; 10] = [
    "src/analysis/parts/composite/models.rs",
    "src/analysis/models/pose/mod.rs",
    "src/analysis/models/selfie.rs",
    "src/analysis/models/pan.rs",
    "src/analysis/models/saliency.rs",
    "src/analysis/tensor.rs",
    "src/analysis/runtime.rs",
    "src/analysis/recorded.rs",
    "src/analysis/mod.rs",
    "src/frame.rs",
];

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("model-outputs")
}

/// What a recording of `frame` depends on besides the frame, hashed once per process.
fn setting() -> &'static [u8] {
    static SETTING: OnceLock<Vec<u8>> = OnceLock::new();
    SETTING.get_or_init(|| {
        let mut h = Sha256::new();
        h.update(std::fs::read(repo().join("models/manifest.toml")).expect("models/manifest.toml"));
        for f in MODEL_CODE {
            h.update(std::fs::read(repo().join(f)).unwrap_or_else(|e| panic!("{f}: {e}")));
        }
        h.update(format!("{:?}", precision()));
        h.update(default_library(&model_dir(), Provider::Cpu, precision()).path.to_string_lossy().as_bytes());
        h.update(format!("{:?}", AnalyserConfig::default()));
        h.finalize().to_vec()
    })
}

fn key(frame: &Frame) -> String {
    let mut h = Sha256::new();
    h.update(setting());
    h.update(frame.width().to_le_bytes());
    h.update(frame.height().to_le_bytes());
    h.update(frame.as_raw());
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The analyser that records, opened (and ONNX Runtime loaded) only when a recording is missing.
fn recorder() -> &'static Mutex<Analyser> {
    static A: OnceLock<Mutex<Analyser>> = OnceLock::new();
    A.get_or_init(|| Mutex::new(Analyser::open(runtime(), &model_dir(), AnalyserConfig::default()).expect("the analyser opens")))
}

/// The models' outputs for `frame` analysed alone (as a photo), recorded on the first call
/// under `name` and read back after.
pub fn model_outputs(name: &str, frame: &Frame) -> ModelOutputs {
    let path = folder().join(format!("{name}-{}.bin", key(frame)));
    if let Ok(o) = ModelOutputs::read(&path) {
        READ.fetch_add(1, Ordering::SeqCst);
        return o;
    }
    let outputs = {
        let mut a = recorder().lock().unwrap_or_else(|e| e.into_inner());
        a.forget();
        a.analyse_recording(frame).expect("the models run").1
    };
    std::fs::create_dir_all(folder()).unwrap();
    // Written aside and renamed: tests run side by side and may record the same frame.
    let aside = path.with_extension(format!("{}.part", std::process::id()));
    outputs.write(&aside).unwrap();
    std::fs::rename(&aside, &path).unwrap();
    RECORDED.fetch_add(1, Ordering::SeqCst);
    outputs
}

/// The analysis of `frame` alone (as `drape process` makes it for a photo) from its recorded
/// model outputs: the garment rules without ONNX Runtime.
pub fn replayed(name: &str, frame: &Frame) -> Analysis {
    let outputs = model_outputs(name, frame);
    Replay::tuned(tuning()).analyse(frame, &outputs).expect("the composite segmenter's outputs")
}

/// The rules' thresholds: drape's, or those of the file DRAPE_TUNING names (to try values on
/// the recorded outputs in seconds).
pub fn tuning() -> Tuning {
    match std::env::var_os("DRAPE_TUNING") {
        Some(path) => Tuning::load(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{}", e.report())),
        None => Tuning::default(),
    }
}

/// The alpha view of a frame's analysis with `parts` picked, as `drape process --view alpha`
/// writes it. Only the crop's rectangle matters to the alpha (nothing is restyled outside it),
/// so the crop is the frame's own pixels there: no style transform, no ONNX Runtime.
pub fn alpha(frame: &Frame, analysis: &Analysis, parts: PartSet) -> image::RgbaImage {
    let rect = selected_rect(&analysis.parts, &analysis.saliency, parts, frame.width(), frame.height());
    let crop = rect.map(|r| Stylized::new(r, image::imageops::crop_imm(frame, r.x, r.y, r.width, r.height).to_image(), 0));
    let layers = Layers { stylized: crop.as_ref(), ..Layers::from(analysis) };
    let params = Params { parts, view: View::Alpha, ..Params::default() };
    CpuCompositor::default().composite(frame, &layers, &params)
}

/// Frame `n` (from 0) of a shared clip.
pub fn clip_frame(clip: &str, n: u32) -> Frame {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("frame.png");
    let st = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(testdata().join("clips").join(clip))
        .args(["-vf", &format!("select=eq(n\\,{n})"), "-frames:v", "1"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success(), "ffmpeg: frame {n} of {clip}");
    load_image(&out, "input").unwrap()
}
