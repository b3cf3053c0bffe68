//! The library's error type. Every variant's message is one line that names the thing at fault
//! and says what to do, because the CLI prints it as is.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: no such file or folder; check the path")]
    InputMissing { path: PathBuf },

    #[error("{path}: not a readable {what} image ({reason}); give a JPEG or PNG file")]
    Image { path: PathBuf, what: &'static str, reason: String },

    #[error("{path}: not a readable video ({reason}); give a video file ffmpeg can read (MP4, MKV, WebM, AVI, ...)")]
    Video { path: PathBuf, reason: String },

    #[error("the {thread} thread stopped unexpectedly (a bug in drape); please report it with the log of `drape -vv ...`")]
    Panicked { thread: &'static str },

    #[error("{path}: model `{name}` is missing; run `bash models/setup.sh` (or give its folder with --models)")]
    ModelMissing { name: String, path: PathBuf },

    #[error("{path}: not a usable ONNX model for `{name}` ({reason}); delete it and run `bash models/setup.sh`")]
    ModelInvalid { name: String, path: PathBuf, reason: String },

    #[error(
        "{path}: cannot load the ONNX Runtime library ({reason}); run `bash models/setup.sh{setup_flag}` or pass --ort-lib PATH to libonnxruntime.so.1.31.1"
    )]
    Runtime { path: PathBuf, reason: String, setup_flag: &'static str },

    #[error("execution provider {provider} could not start ({reason}); run `bash models/setup.sh --gpu` on a machine with an NVIDIA GPU, or use --ep cpu")]
    Provider { provider: String, reason: String },

    #[error("model `{name}` failed while running ({reason})")]
    Inference { name: String, reason: String },

    #[error("{path}: cannot write output ({reason}); choose a writable folder with -o")]
    Output { path: PathBuf, reason: String },

    #[error("{path}: decoding stopped at frame {frame} ({reason}); the frames before it were kept")]
    Decode { path: PathBuf, frame: u64, reason: String },

    #[error("{tool} is not installed; run `bash models/setup.sh` (it installs Debian's ffmpeg)")]
    ToolMissing { tool: &'static str },

    #[error("camera: {0}")]
    Camera(String),

    #[error("GPU compositor: {0}; use --compositor cpu to composite on the CPU")]
    Gpu(String),

    #[error("window: {0}; without a display, use --no-window with --record FILE.mp4 or --stdout")]
    Window(String),

    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub(crate) fn image(path: impl Into<PathBuf>, what: &'static str, e: impl std::fmt::Display) -> Self {
        Error::Image { path: path.into(), what, reason: one_line(e) }
    }
    pub(crate) fn video(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> Self {
        Error::Video { path: path.into(), reason: one_line(e) }
    }
    pub(crate) fn output(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> Self {
        Error::Output { path: path.into(), reason: one_line(e) }
    }
}

/// ONNX Runtime's messages span lines; the CLI promises one line per error.
pub(crate) fn one_line(e: impl std::fmt::Display) -> String {
    let s = e.to_string();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.len() > 300 {
        format!("{}...", &s[..s.floor_char_boundary(300)])
    } else {
        s
    }
}
