//! The ONNX Runtime layer: loads the library from an explicit path (ort panics when its default
//! lookup fails), registers the requested execution provider strictly (a failure is an error,
//! never a silent CPU fallback), decides each model's precision and checks each model's inputs
//! and outputs against its contract.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ort::ep::{self, ArbitrarilyConfigurableExecutionProvider, ExecutionProvider, ExecutionProviderDispatch};
use ort::session::{builder::GraphOptimizationLevel, RunOptions, Session};
use ort::value::TensorRef;

use crate::error::{Error, Result};
use crate::timing::Timings;

/// Which execution provider runs the models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Provider {
    /// The CPU: ONNX Runtime's own provider, and OpenVINO's CPU plugin for the models whose
    /// result holds in bf16 when the precision is auto and the CPU has bf16 units.
    #[default]
    Cpu,
    Cuda,
    Tensorrt,
    /// OpenVINO on the CPU for every model (fp32 unless bf16 holds and the CPU has it).
    Openvino,
    /// OpenVINO on an Intel GPU (a laptop's integrated graphics), every model.
    IntelGpu,
}

impl Provider {
    /// Whether this provider needs the OpenVINO build of ONNX Runtime.
    pub fn is_openvino(self) -> bool {
        matches!(self, Provider::Openvino | Provider::IntelGpu)
    }

    /// What to do when it cannot start.
    fn advice(self) -> &'static str {
        match self {
            Provider::Cuda | Provider::Tensorrt => "run `bash models/setup.sh --gpu` on a machine with an NVIDIA GPU, or use --ep cpu",
            Provider::Openvino => "run `bash models/setup.sh` (it fetches the OpenVINO runtime), or use --ep cpu",
            Provider::IntelGpu => "it needs an Intel GPU with its OpenCL driver (Debian: intel-opencl-icd); or use --ep cpu",
            Provider::Cpu => "run `bash models/setup.sh`, or use --precision f32",
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Provider::Cpu => "CPU",
            Provider::Cuda => "CUDA",
            Provider::Tensorrt => "TensorRT",
            Provider::Openvino => "OpenVINO (CPU)",
            Provider::IntelGpu => "OpenVINO (Intel GPU)",
        })
    }
}

/// The arithmetic the models may use (`--precision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precision {
    /// bf16 for each model whose garments hold in it ([`BF16_MODELS`]), where the CPU has bf16
    /// units and the OpenVINO runtime is installed; fp32 otherwise.
    #[default]
    Auto,
    /// fp32 everywhere, on ONNX Runtime's own CPU provider: the path of drape before bf16.
    F32,
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Precision::Auto => "auto",
            Precision::F32 => "f32",
        })
    }
}

/// The models that run in bf16 under `--precision auto`, where the CPU has bf16 units. Decided by
/// measuring, not assumed (tests/precision.rs; README, "Precision"):
/// - U^2-Net-p, PAN and the pose models move the garment alpha in bf16 (least IoU against fp32
///   0.859, 0.877 and 0.565 on the shared photos and clip frames): fp32.
/// - The 26 fixed styles hold (the alpha does not use them; the restyled frame differs from
///   fp32's less than one grey level of input noise makes it) and run 1.6x faster: bf16.
/// - The arbitrary style networks and the selfie masks hold too, but OpenVINO compiles each
///   model as it opens: with them in bf16 `drape live` took 4.7-5.1 s to its first frame, 2.2-2.3 s
///   without them (1.7-1.9 s all fp32), to save 10 ms (transform), 47 ms once per style
///   (predict) and 0.8 ms (selfie) a run: fp32.
pub const BF16_MODELS: &[&str] = &["multistyle26"];

/// Whether `model` runs in bf16 when the precision allows it: `list` where given, else
/// `DRAPE_BF16_MODELS` (comma-separated model names, or `none`; to measure another choice),
/// else [`BF16_MODELS`].
fn in_bf16(model: &str, list: Option<&[String]>) -> bool {
    match (list, std::env::var("DRAPE_BF16_MODELS")) {
        (Some(l), _) => l.iter().any(|m| m == model),
        (None, Ok(l)) => l.split(',').any(|m| m.trim() == model),
        (None, Err(_)) => BF16_MODELS.contains(&model),
    }
}

/// Whether this CPU computes bf16 natively (AVX512-BF16); elsewhere OpenVINO would
/// emulate it, slower than fp32.
pub fn cpu_has_bf16() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        // CPUs with AMX have AVX512-BF16 too.
        std::arch::is_x86_feature_detected!("avx512bf16")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Where one model runs and in what arithmetic: what `drape doctor` and the log name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// ONNX Runtime's own CPU provider, fp32.
    OrtCpu,
    OpenvinoCpu {
        bf16: bool,
    },
    OpenvinoGpu {
        f32: bool,
    },
    Cuda,
    /// TensorRT with fp16 kernels, CUDA for the nodes it cannot take.
    Tensorrt,
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Engine::OrtCpu => "CPU provider, fp32",
            Engine::OpenvinoCpu { bf16: true } => "OpenVINO CPU, bf16",
            Engine::OpenvinoCpu { bf16: false } => "OpenVINO CPU, fp32",
            Engine::OpenvinoGpu { f32: false } => "OpenVINO Intel GPU, fp16",
            Engine::OpenvinoGpu { f32: true } => "OpenVINO Intel GPU, fp32",
            Engine::Cuda => "CUDA, fp32",
            Engine::Tensorrt => "TensorRT, fp16",
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct RuntimeOptions {
    pub library: PathBuf,
    pub provider: Provider,
    pub precision: Precision,
    /// Intra-op threads per session; ONNX Runtime picks when None.
    pub threads: Option<usize>,
    /// Whether idle ONNX Runtime threads spin-wait (its default, None). Off leaves the cores to
    /// the compositor when analysis shares a small machine with a live display.
    pub spinning: Option<bool>,
    /// Where TensorRT keeps its built engines between runs.
    pub engine_cache: Option<PathBuf>,
    /// Intra-op threads for the saliency model alone, where it differs from `threads`.
    pub saliency_threads: Option<usize>,
    /// The models to run in bf16 instead of [`BF16_MODELS`] (tests/precision.rs measures others).
    pub bf16_models: Option<Vec<String>>,
    /// The models folder whose manifest vouches for the libraries and models loaded: each is
    /// checked by its sha256 before it is mapped. None for libraries and models it does not
    /// list (the tests' stand-ins).
    pub manifest: Option<crate::analysis::manifest::ModelDir>,
}

/// The ONNX Runtime library drape loads, and why, for the log.
#[derive(Debug, Clone)]
pub struct LibraryChoice {
    pub path: PathBuf,
    pub why: &'static str,
    /// fp32 where bf16 was possible: the user is told (a warning), not left to find out.
    pub fallback: bool,
}

/// The ONNX Runtime library for a provider and precision: the GPU build for CUDA and TensorRT;
/// the OpenVINO build for OpenVINO, and for the CPU when the precision is auto, the CPU has
/// bf16 units and the build is installed; else the plain CPU build.
pub fn default_library(dir: &crate::analysis::manifest::ModelDir, provider: Provider, precision: Precision) -> LibraryChoice {
    let choice = |build: &str, why, fallback| LibraryChoice { path: dir.runtime_path(build), why, fallback };
    match provider {
        Provider::Cuda | Provider::Tensorrt => choice("gpu", "the GPU build", false),
        Provider::Openvino | Provider::IntelGpu => choice("openvino", "the OpenVINO build", false),
        Provider::Cpu if precision == Precision::F32 => choice("cpu", "fp32 asked for: the plain CPU build", false),
        Provider::Cpu if !cpu_has_bf16() => choice("cpu", "this CPU has no bf16 units: every model in fp32 on the plain CPU build", false),
        Provider::Cpu if !dir.runtime_path("openvino").is_file() => {
            choice("cpu", "the OpenVINO build of ONNX Runtime is not installed, so every model runs in fp32; `bash models/setup.sh` installs it", true)
        }
        Provider::Cpu => choice("openvino", "this CPU has bf16 units: the OpenVINO build", false),
    }
}

impl RuntimeOptions {
    /// Live mode's frames come first: idle ONNX Runtime threads must not spin on the cores the
    /// display needs, and on two cores the full analysis gets one thread (its pool's threads
    /// would otherwise run at the display's priority; measured in the mirror on 2 cores: 22 ->
    /// 25 frames shown per second). A thread count the user gave stays.
    pub fn for_live(self) -> RuntimeOptions {
        let small = std::thread::available_parallelism().is_ok_and(|n| n.get() <= 2);
        RuntimeOptions { spinning: Some(false), threads: self.threads.or(small.then_some(1)), ..self }
    }

    /// Offline video runs two models at once (the saliency a frame ahead of the rest), with idle
    /// threads asleep. The rest gets half the cores; the saliency, the slower stage, all of
    /// them, to use what the rest leaves idle. On two cores, a1's 120 frames, steady fps: 1.7-1.9
    /// in one piece with ONNX Runtime's threads; a frame ahead, 1.9 with ONNX Runtime's spinning
    /// threads (the pools fight), 2.4-2.9 with one thread each, 3.0-3.3 with two for the
    /// saliency. A thread count the user gave is used for every model.
    pub fn for_pipeline(self) -> RuntimeOptions {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let (threads, saliency) = match self.threads {
            Some(n) => (n, n),
            None => ((cores / 2).max(1), cores),
        };
        RuntimeOptions { spinning: Some(false), threads: Some(threads), saliency_threads: Some(saliency), ..self }
    }
}

/// A loaded ONNX Runtime. Keep it alive as long as any model made from it.
pub struct Runtime {
    env: ort::environment::Environment,
    options: RuntimeOptions,
    timings: Timings,
    /// Whether the loaded library has OpenVINO's execution provider.
    openvino: bool,
}

impl Runtime {
    pub fn load(options: RuntimeOptions) -> Result<Runtime> {
        let path = &options.library.clone();
        let setup_flag = if matches!(options.provider, Provider::Cuda | Provider::Tensorrt) { " --gpu" } else { "" };
        let fail = |e: crate::error::Cause| Error::Runtime { path: path.clone(), setup_flag, source: e };
        let meta = std::fs::metadata(path).map_err(|e| fail(e.into()))?;
        if !meta.is_file() || meta.len() == 0 {
            return Err(fail("not a shared library file".into()));
        }
        // Checked before the loader maps them: a file cut short is a SIGBUS inside it, no word.
        for lib in std::iter::once(path.clone()).chain(libraries_beside(path, options.manifest.as_ref())) {
            let fail = |m: String| Error::Runtime { path: lib.clone(), setup_flag, source: m.into() };
            crate::analysis::manifest::library_is_whole(&lib).map_err(fail)?;
            if let Some(dir) = &options.manifest {
                dir.verify(&lib).map_err(fail)?;
            }
        }
        if matches!(options.provider, Provider::Cuda | Provider::Tensorrt) {
            preload_cuda_libraries(path);
        }
        let env = ort::init_from(path).map_err(|e| fail(e.into()))?.with_name("drape").build().map_err(|e| fail(e.into()))?;
        let openvino = ep::OpenVINO::is_available().unwrap_or(false);
        if options.provider.is_openvino() && !openvino {
            return Err(Error::Provider {
                provider: options.provider.to_string(),
                advice: options.provider.advice(),
                source: format!("{} is not ONNX Runtime's OpenVINO build", path.display()).into(),
            });
        }
        let rt = Runtime { env, options, timings: Timings::default(), openvino };
        if rt.options.provider == Provider::Cpu && rt.options.precision == Precision::Auto {
            if !cpu_has_bf16() {
                tracing::info!("precision auto: this CPU has no bf16 units, so every model runs in fp32");
            } else if !openvino {
                // Said, not silent: the user gets fp32 where bf16 was possible.
                tracing::warn!(library = %path.display(), "precision auto: this ONNX Runtime has no OpenVINO provider, so every model runs in fp32; `bash models/setup.sh` installs it");
            }
        }
        tracing::info!(library = %path.display(), provider = %rt.options.provider, precision = %rt.options.precision, "ONNX Runtime loaded");
        Ok(rt)
    }

    /// Where the model named `name` runs, and in what arithmetic.
    pub fn engine_for(&self, name: &str) -> Engine {
        let bf16 = self.options.precision == Precision::Auto && cpu_has_bf16() && in_bf16(name, self.options.bf16_models.as_deref());
        match self.options.provider {
            Provider::Cuda => Engine::Cuda,
            Provider::Tensorrt => Engine::Tensorrt,
            Provider::Openvino => Engine::OpenvinoCpu { bf16 },
            Provider::IntelGpu => Engine::OpenvinoGpu { f32: self.options.precision == Precision::F32 },
            Provider::Cpu if bf16 && self.openvino => Engine::OpenvinoCpu { bf16: true },
            Provider::Cpu => Engine::OrtCpu,
        }
    }

    /// The same runtime with one intra-op thread that sleeps when idle, for models that run
    /// often and briefly beside other work (the live follower).
    pub fn lean(&self) -> Runtime {
        self.with_options(RuntimeOptions { threads: Some(1), spinning: Some(false), ..self.options.clone() })
    }

    /// The same runtime as live mode wants it ([`RuntimeOptions::for_live`]).
    pub fn for_live(&self) -> Runtime {
        self.with_options(self.options.clone().for_live())
    }

    /// The same runtime as the offline pipeline wants it ([`RuntimeOptions::for_pipeline`]).
    pub fn for_pipeline(&self) -> Runtime {
        self.with_options(self.options.clone().for_pipeline())
    }

    /// The same library with another precision: `F32` runs every model on ONNX Runtime's own
    /// CPU provider (what tests/precision.rs holds bf16 to, in one process).
    pub fn with_precision(&self, precision: Precision) -> Runtime {
        self.with_options(RuntimeOptions { precision, ..self.options.clone() })
    }

    /// The same library with `models` in bf16 (where the precision and the CPU allow it).
    pub fn with_bf16(&self, models: &[&str]) -> Runtime {
        self.with_options(RuntimeOptions { bf16_models: Some(models.iter().map(|m| m.to_string()).collect()), ..self.options.clone() })
    }

    fn with_options(&self, options: RuntimeOptions) -> Runtime {
        Runtime { env: self.env.clone(), options, timings: self.timings.clone(), openvino: self.openvino }
    }

    /// Where every model made from this runtime records its run times.
    pub fn timings(&self) -> &Timings {
        &self.timings
    }

    pub fn provider(&self) -> Provider {
        self.options.provider
    }

    fn execution_providers(&self, engine: Engine, threads: Option<usize>) -> Vec<ExecutionProviderDispatch> {
        match engine {
            Engine::OrtCpu => vec![],
            Engine::OpenvinoCpu { bf16 } => {
                // OpenVINO takes its CPU settings as a JSON string (`precision` refuses BF16 on
                // the CPU). Its threads are its own, so the count is passed here; unpinned, so
                // that the display's threads are not crowded off a core.
                let mut cpu =
                    vec![format!("\"INFERENCE_PRECISION_HINT\":\"{}\"", if bf16 { "bf16" } else { "f32" }), "\"ENABLE_CPU_PINNING\":\"NO\"".to_string()];
                if let Some(n) = threads {
                    cpu.push(format!("\"INFERENCE_NUM_THREADS\":\"{n}\""));
                }
                // No `cache_dir`: two drapes starting at once race on its files (seen in the
                // tests: "cannot set permissions"), and the bf16 models compile in well under a
                // second.
                let ov = ep::OpenVINO::default().with_device_type("CPU").with_arbitrary_config("load_config", format!("{{\"CPU\":{{{}}}}}", cpu.join(",")));
                vec![ov.build().error_on_failure()]
            }
            Engine::OpenvinoGpu { f32 } => {
                let mut ov = ep::OpenVINO::default().with_device_type("GPU");
                if f32 {
                    ov = ov.with_arbitrary_config("load_config", "{\"GPU\":{\"INFERENCE_PRECISION_HINT\":\"f32\"}}");
                }
                vec![ov.build().error_on_failure()]
            }
            Engine::Cuda => vec![ep::CUDA::default().build().error_on_failure()],
            Engine::Tensorrt => {
                let mut trt = ep::TensorRT::default().with_fp16(true);
                if let Some(dir) = &self.options.engine_cache {
                    trt = trt.with_engine_cache(true).with_engine_cache_path(dir.display()).with_timing_cache(true).with_timing_cache_path(dir.display());
                }
                // CUDA takes the nodes TensorRT cannot; both must start.
                vec![trt.build().error_on_failure(), ep::CUDA::default().build().error_on_failure()]
            }
        }
    }

    /// Open a model file and check it against `contract`.
    pub fn open(&self, name: &str, path: &Path, contract: &Contract) -> Result<Model> {
        let invalid = |e: crate::error::Cause| Error::ModelInvalid { name: name.into(), path: path.into(), source: e };
        let meta = std::fs::metadata(path).map_err(|_| Error::ModelMissing { name: name.into(), path: path.into() })?;
        if meta.len() == 0 {
            return Err(invalid("the file is empty".into()));
        }
        if let Some(dir) = &self.options.manifest {
            dir.verify(path).map_err(|m| invalid(m.into()))?;
        }
        let engine = self.engine_for(name);
        let provider_error = |source: crate::error::Cause| Error::Provider { provider: engine.to_string(), advice: self.options.provider.advice(), source };
        let mut builder = Session::builder(&self.env)
            .and_then(|b| b.with_optimization_level(GraphOptimizationLevel::Level3).map_err(ort::Error::from))
            .map_err(|e| invalid(e.into()))?;
        if let Some(n) = self.options.threads {
            builder = builder.with_intra_threads(n).map_err(|e| invalid(ort::Error::<()>::from(e).into()))?;
        }
        if let Some(spin) = self.options.spinning {
            builder = builder.with_intra_op_spinning(spin).map_err(|e| invalid(ort::Error::<()>::from(e).into()))?;
        }
        let eps = self.execution_providers(engine, self.options.threads);
        if !eps.is_empty() {
            builder = builder.with_execution_providers(eps).map_err(|e| provider_error(ort::Error::<()>::from(e).into()))?;
        }
        let session = builder.commit_from_file(path).map_err(|e| {
            let text = e.to_string().to_lowercase();
            if engine != Engine::OrtCpu && (text.contains("provider") || text.contains("openvino")) {
                provider_error(e.into())
            } else {
                invalid(e.into())
            }
        })?;
        contract.check(&session).map_err(|m| invalid(m.into()))?;
        tracing::info!(model = name, engine = %engine, "model opened");
        Ok(Model { name: name.to_string(), session, timings: self.timings.clone(), cancel: None })
    }
}

/// The libraries ONNX Runtime opens from its own folder: its providers, and the companions the
/// manifest lists (OpenVINO, oneTBB).
fn libraries_beside(library: &Path, manifest: Option<&crate::analysis::manifest::ModelDir>) -> Vec<PathBuf> {
    let Some(folder) = library.parent() else { return Vec::new() };
    let listed: Vec<&String> = manifest.map(|m| m.manifest.runtime.values().flat_map(|e| e.companions.keys()).collect()).unwrap_or_default();
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name.starts_with("libonnxruntime_providers_") && name.ends_with(".so")) || listed.iter().any(|l| **l == name)
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// The CUDA and cuDNN libraries that `models/setup.sh --gpu` puts in `lib/` beside the GPU
/// runtime are not on the loader's path; load them globally, in dependency order, so ONNX
/// Runtime's CUDA provider finds them. Absent files are fine (a system CUDA may serve).
fn preload_cuda_libraries(runtime: &Path) {
    let Some(dir) = runtime.parent().map(|d| d.join("lib")) else { return };
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    let order = ["libcudart", "libnvrtc", "libcublasLt", "libcublas", "libcurand", "libcufft", "libcudnn.so", "libcudnn"];
    let rank = |p: &PathBuf| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        order.iter().position(|o| name.starts_with(o)).unwrap_or(order.len())
    };
    files.sort_by_key(|p| (rank(p), p.clone()));
    for f in files {
        // SAFETY: these are NVIDIA's runtime libraries; their initialisers only register themselves.
        match unsafe { libloading::os::unix::Library::open(Some(&f), libloading::os::unix::RTLD_NOW | libloading::os::unix::RTLD_GLOBAL) } {
            // Kept loaded for the life of the process: ONNX Runtime resolves against them later.
            Ok(lib) => std::mem::forget(lib),
            Err(e) => tracing::debug!(file = %f.display(), error = %e, "could not preload"),
        }
    }
}

/// What a model must look like: for each input and the first outputs, its rank and the fixed
/// sizes drape relies on (None = any size).
#[derive(Debug, Clone)]
pub struct Contract {
    pub inputs: Vec<Vec<Option<i64>>>,
    pub outputs: Vec<Vec<Option<i64>>>,
}

impl Contract {
    fn check(&self, session: &Session) -> std::result::Result<(), String> {
        let check = |kind: &str, have: &[ort::value::Outlet], want: &[Vec<Option<i64>>]| {
            if have.len() < want.len() {
                return Err(format!("it has {} {kind}s, drape needs {}", have.len(), want.len()));
            }
            for (i, (o, w)) in have.iter().zip(want).enumerate() {
                let shape: Vec<i64> = match o.dtype().tensor_shape() {
                    Some(s) => s.iter().copied().collect(),
                    None => return Err(format!("{kind} {i} `{}` is not a tensor", o.name())),
                };
                // Rank 0 means ONNX Runtime could not infer the shape; accept and let the run tell.
                if shape.is_empty() {
                    continue;
                }
                let ok = shape.len() == w.len() && shape.iter().zip(w).all(|(&d, &e)| e.is_none() || d < 0 || Some(d) == e);
                if !ok {
                    return Err(format!("{kind} {i} `{}` has shape {shape:?}, drape needs {}", o.name(), fmt_shape(w)));
                }
            }
            Ok(())
        };
        check("input", session.inputs(), &self.inputs)?;
        check("output", session.outputs(), &self.outputs)
    }
}

fn fmt_shape(s: &[Option<i64>]) -> String {
    let parts: Vec<String> = s.iter().map(|d| d.map_or("?".into(), |v| v.to_string())).collect();
    format!("[{}]", parts.join(","))
}

/// A model ready to run.
pub struct Model {
    name: String,
    session: Session,
    timings: Timings,
    /// Where another thread can stop a run in progress ([`Model::cancel_handle`]).
    cancel: Option<Arc<RunOptions>>,
}

/// Stops a model's run in progress from another thread: live mode abandons the analysis of a
/// frame whose person has left (a cut), which would hold a core the new person's first look needs.
#[derive(Clone)]
pub struct Cancel(Arc<RunOptions>);

impl Cancel {
    /// The run in progress, if any, ends with an error; so does the next one until [`Cancel::clear`].
    pub fn stop(&self) {
        if let Err(e) = self.0.terminate() {
            tracing::debug!("could not stop a model run: {e}");
        }
    }
    /// Runs from now on go to the end again.
    pub fn clear(&self) {
        if let Err(e) = self.0.unterminate() {
            tracing::debug!("could not clear a model run's stop: {e}");
        }
    }
}

/// Stops the runs of several models at once (an analysis' models, from another thread): each
/// [`Cancel`] of them.
#[derive(Clone, Default)]
pub struct Cancels(pub Vec<Cancel>);

impl Cancels {
    pub fn stop(&self) {
        self.0.iter().for_each(Cancel::stop);
    }
    pub fn clear(&self) {
        self.0.iter().for_each(Cancel::clear);
    }
}

/// One input tensor: its shape and data.
pub struct Input<'a> {
    pub shape: Vec<i64>,
    pub data: &'a [f32],
}

/// One output tensor, copied out.
#[derive(Debug, Clone)]
pub struct Output {
    pub shape: Vec<i64>,
    pub data: Vec<f32>,
}

impl Model {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Declared input shape `i` (negative = symbolic).
    pub fn input_shape(&self, i: usize) -> Vec<i64> {
        self.session.inputs().get(i).and_then(|o| o.dtype().tensor_shape().map(|s| s.iter().copied().collect())).unwrap_or_default()
    }

    /// A handle that stops this model's runs from another thread.
    pub fn cancel_handle(&mut self) -> Result<Cancel> {
        let options = match &self.cancel {
            Some(o) => o.clone(),
            None => {
                let o = Arc::new(RunOptions::new().map_err(|e| Error::Inference { name: self.name.clone(), source: e.into() })?);
                self.cancel = Some(o.clone());
                o
            }
        };
        Ok(Cancel(options))
    }

    /// Run with inputs in the model's input order; return the first `n_out` outputs.
    pub fn run(&mut self, inputs: &[Input<'_>], n_out: usize) -> Result<Vec<Output>> {
        let fail = |e: ort::Error| Error::Inference { name: self.name.clone(), source: e.into() };
        let names: Vec<String> = self.session.inputs().iter().map(|o| o.name().to_string()).collect();
        let mut values = Vec::with_capacity(inputs.len());
        for (name, input) in names.iter().zip(inputs) {
            let t = TensorRef::from_array_view((input.shape.clone(), input.data)).map_err(fail)?;
            values.push((std::borrow::Cow::from(name.as_str()), ort::session::SessionInputValue::from(t)));
        }
        let name = self.name.clone();
        let started = std::time::Instant::now();
        let outputs = match &self.cancel {
            Some(options) => self.session.run_with_options(values, options),
            None => self.session.run(values),
        }
        .map_err(|e| Error::Inference { name: name.clone(), source: e.into() })?;
        let mut result = Vec::with_capacity(n_out);
        for i in 0..n_out.min(outputs.len()) {
            let (shape, data) = outputs[i].try_extract_tensor::<f32>().map_err(|e| Error::Inference { name: name.clone(), source: e.into() })?;
            result.push(Output { shape: shape.iter().copied().collect(), data: data.to_vec() });
        }
        self.timings.record(&name, started.elapsed().as_secs_f64() * 1e3);
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::manifest::ModelDir;

    #[test]
    fn the_library_is_the_openvino_build_only_where_bf16_can_run_and_it_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let models = ModelDir::locate(Some(dir.path().to_path_buf())).unwrap();
        let build = |p, q| default_library(&models, p, q);
        assert_eq!(build(Provider::Cpu, Precision::F32).path, models.runtime_path("cpu"));
        assert_eq!(build(Provider::Cuda, Precision::Auto).path, models.runtime_path("gpu"));
        assert_eq!(build(Provider::Openvino, Precision::F32).path, models.runtime_path("openvino"));
        // Not installed: the plain build, and the user is told where bf16 was possible.
        let missing = build(Provider::Cpu, Precision::Auto);
        assert_eq!((missing.path, missing.fallback), (models.runtime_path("cpu"), cpu_has_bf16()));
        let ov = models.runtime_path("openvino");
        std::fs::create_dir_all(ov.parent().unwrap()).unwrap();
        std::fs::write(&ov, b"").unwrap();
        let there = build(Provider::Cpu, Precision::Auto);
        let want = if cpu_has_bf16() { ov } else { models.runtime_path("cpu") };
        assert_eq!((there.path, there.fallback), (want, false));
    }

    #[test]
    fn a_given_bf16_list_wins_over_the_measured_one() {
        assert!(in_bf16("u2netp", Some(&["u2netp".to_string()])));
        assert!(!in_bf16("multistyle26", Some(&[])));
        assert!(!BF16_MODELS.contains(&"u2netp"), "U^2-Net-p in bf16 moves the garments (tests/precision.rs)");
    }

    #[test]
    fn the_pipeline_gives_the_saliency_the_cores_the_rest_half_and_a_given_count_to_all() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let p = RuntimeOptions::default().for_pipeline();
        assert_eq!(p.spinning, Some(false), "idle threads must sleep: two stages share the cores");
        assert_eq!(p.threads, Some((cores / 2).max(1)));
        assert_eq!(p.saliency_threads, Some(cores));
        let given = RuntimeOptions { threads: Some(3), ..RuntimeOptions::default() }.for_pipeline();
        assert_eq!((given.threads, given.saliency_threads), (Some(3), Some(3)));
        // Live keeps one count for every model.
        assert_eq!(RuntimeOptions::default().for_live().saliency_threads, None);
    }
}
