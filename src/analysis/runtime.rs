//! The ONNX Runtime layer: loads the library from an explicit path (ort panics when its default
//! lookup fails), registers the requested execution provider strictly (a failure is an error,
//! never a silent CPU fallback) and checks each model's inputs and outputs against its contract.

use std::path::{Path, PathBuf};

use ort::ep::{self, ExecutionProviderDispatch};
use ort::session::{builder::GraphOptimizationLevel, Session};
use ort::value::TensorRef;

use crate::error::{Error, Result};
use crate::timing::Timings;

/// Which execution provider runs the models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Provider {
    #[default]
    Cpu,
    Cuda,
    Tensorrt,
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Provider::Cpu => "CPU",
            Provider::Cuda => "CUDA",
            Provider::Tensorrt => "TensorRT",
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct RuntimeOptions {
    pub library: PathBuf,
    pub provider: Provider,
    /// Intra-op threads per session; ONNX Runtime picks when None.
    pub threads: Option<usize>,
    /// Whether idle ONNX Runtime threads spin-wait (its default, None). Off leaves the cores to
    /// the compositor when analysis shares a small machine with a live display.
    pub spinning: Option<bool>,
    /// Where TensorRT keeps its built engines between runs.
    pub engine_cache: Option<PathBuf>,
    /// Intra-op threads for the saliency model alone, where it differs from `threads`.
    pub saliency_threads: Option<usize>,
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
}

impl Runtime {
    pub fn load(options: RuntimeOptions) -> Result<Runtime> {
        let path = &options.library;
        let setup_flag = if options.provider == Provider::Cpu { "" } else { " --gpu" };
        let fail = |e: crate::error::Cause| Error::Runtime { path: path.clone(), setup_flag, source: e };
        let meta = std::fs::metadata(path).map_err(|e| fail(e.into()))?;
        if !meta.is_file() || meta.len() == 0 {
            return Err(fail("not a shared library file".into()));
        }
        if options.provider != Provider::Cpu {
            preload_cuda_libraries(path);
        }
        let env = ort::init_from(path).map_err(|e| fail(e.into()))?.with_name("drape").build().map_err(|e| fail(e.into()))?;
        tracing::info!(library = %path.display(), provider = %options.provider, "ONNX Runtime loaded");
        Ok(Runtime { env, options, timings: Timings::default() })
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

    fn with_options(&self, options: RuntimeOptions) -> Runtime {
        Runtime { env: self.env.clone(), options, timings: self.timings.clone() }
    }

    /// Where every model made from this runtime records its run times.
    pub fn timings(&self) -> &Timings {
        &self.timings
    }

    pub fn provider(&self) -> Provider {
        self.options.provider
    }

    fn execution_providers(&self) -> Vec<ExecutionProviderDispatch> {
        match self.options.provider {
            Provider::Cpu => vec![],
            Provider::Cuda => vec![ep::CUDA::default().build().error_on_failure()],
            Provider::Tensorrt => {
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
        let mut builder = Session::builder(&self.env)
            .and_then(|b| b.with_optimization_level(GraphOptimizationLevel::Level3).map_err(ort::Error::from))
            .map_err(|e| invalid(e.into()))?;
        if let Some(n) = self.options.threads {
            builder = builder.with_intra_threads(n).map_err(|e| invalid(ort::Error::<()>::from(e).into()))?;
        }
        if let Some(spin) = self.options.spinning {
            builder = builder.with_intra_op_spinning(spin).map_err(|e| invalid(ort::Error::<()>::from(e).into()))?;
        }
        let eps = self.execution_providers();
        if !eps.is_empty() {
            builder = builder
                .with_execution_providers(eps)
                .map_err(|e| Error::Provider { provider: self.options.provider.to_string(), source: ort::Error::<()>::from(e).into() })?;
        }
        let session = builder.commit_from_file(path).map_err(|e| {
            if self.options.provider != Provider::Cpu && e.to_string().to_lowercase().contains("provider") {
                Error::Provider { provider: self.options.provider.to_string(), source: e.into() }
            } else {
                invalid(e.into())
            }
        })?;
        contract.check(&session).map_err(|m| invalid(m.into()))?;
        tracing::info!(model = name, provider = %self.options.provider, "execution provider in use");
        Ok(Model { name: name.to_string(), session, timings: self.timings.clone() })
    }
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
        let outputs = self.session.run(values).map_err(|e| Error::Inference { name: name.clone(), source: e.into() })?;
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
