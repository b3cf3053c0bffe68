//! The library's error type. Every variant's message is one line that names the thing at fault
//! and says what to do, because the CLI prints it as is.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why something failed: the original error (kept so `source()` can walk it) or a plain message.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: no such file or folder; check the path")]
    InputMissing { path: PathBuf },

    #[error("{path}: not a readable {what} image; give a JPEG or PNG file")]
    Image { path: PathBuf, what: &'static str, source: Cause },

    #[error("{path}: not a readable video; give a video file ffmpeg can read (MP4, MKV, WebM, AVI, ...)")]
    Video { path: PathBuf, source: Cause },

    #[error("the {thread} thread stopped unexpectedly (a bug in drape); please report it with the log of `drape -vv ...`")]
    Panicked { thread: &'static str },

    #[error("{path}: model `{name}` is missing; run `bash models/setup.sh` (or give its folder with --models)")]
    ModelMissing { name: String, path: PathBuf },

    #[error("{path}: not a usable ONNX model for `{name}`; delete it and run `bash models/setup.sh`")]
    ModelInvalid { name: String, path: PathBuf, source: Cause },

    #[error("{path}: cannot load the ONNX Runtime library; run `bash models/setup.sh{setup_flag}` or pass --ort-lib PATH to a libonnxruntime.so")]
    Runtime { path: PathBuf, setup_flag: &'static str, source: Cause },

    #[error("execution provider {provider} could not start; {advice}")]
    Provider { provider: String, advice: &'static str, source: Cause },

    #[error("model `{name}` failed while running")]
    Inference { name: String, source: Cause },

    #[error("{path}: cannot write output; choose a writable folder with -o")]
    Output { path: PathBuf, source: Cause },

    #[error("{path}: the disk is full; free some space, or write to another disk with -o")]
    DiskFull { path: PathBuf, source: Cause },

    #[error("{path}: decoding stopped at frame {frame}; the frames before it were kept")]
    Decode { path: PathBuf, frame: u64, source: Cause },

    #[error("{tool} is not installed; run `bash models/setup.sh` (it installs Debian's ffmpeg)")]
    ToolMissing { tool: &'static str },

    #[error("camera: {what}")]
    Camera { what: String, source: Option<Cause> },

    #[error("GPU compositor: {what}; use --compositor cpu to composite on the CPU")]
    Gpu { what: String, source: Option<Cause> },

    #[error("window: {what}; without a display, use --no-window with --record FILE.mp4 or --stdout")]
    Window { what: String, source: Option<Cause> },

    /// The reader of stdout went away (a closed pipe): the run ends quietly, as Unix tools do.
    #[error("stdout: the reader went away")]
    ReaderGone,

    #[error("{path}: not a recording of model outputs drape can use ({why}); delete it and record it again")]
    Recording { path: PathBuf, why: String },

    #[error("{0}")]
    Usage(String),
}

/// A cause with a word of context before it ("the encoder stopped: Broken pipe").
#[derive(Debug, thiserror::Error)]
#[error("{what}")]
pub struct Because {
    what: String,
    source: Cause,
}

/// `what` happened because of `e`; both stay in the error chain.
pub(crate) fn because(what: impl Into<String>, e: impl Into<Cause>) -> Cause {
    Box::new(Because { what: what.into(), source: e.into() })
}

impl Error {
    pub(crate) fn image(path: impl Into<PathBuf>, what: &'static str, e: impl Into<Cause>) -> Self {
        Error::Image { path: path.into(), what, source: e.into() }
    }
    pub(crate) fn video(path: impl Into<PathBuf>, e: impl Into<Cause>) -> Self {
        Error::Video { path: path.into(), source: e.into() }
    }
    /// Output that could not be written; a full disk is named as such.
    pub(crate) fn output(path: impl Into<PathBuf>, e: impl Into<Cause>) -> Self {
        let source = e.into();
        if is_disk_full(source.as_ref()) {
            Error::DiskFull { path: path.into(), source }
        } else {
            Error::Output { path: path.into(), source }
        }
    }
    pub fn camera(what: impl Into<String>) -> Self {
        Error::Camera { what: what.into(), source: None }
    }
    pub(crate) fn camera_because(what: impl Into<String>, e: impl Into<Cause>) -> Self {
        Error::Camera { what: what.into(), source: Some(e.into()) }
    }
    pub(crate) fn gpu(what: impl Into<String>, e: Option<Cause>) -> Self {
        Error::Gpu { what: what.into(), source: e }
    }
    pub(crate) fn window(what: impl Into<String>, e: impl Into<Cause>) -> Self {
        Error::Window { what: what.into(), source: Some(e.into()) }
    }

    /// The message and every cause under it, on one line: what the CLI prints and the window
    /// shows.
    pub fn report(&self) -> String {
        report(self)
    }
}

/// One line for an error and its chain of causes: "message (because: cause: deeper cause)".
/// The top message names the thing and what to do; the causes say what went wrong under it.
pub fn report(e: &(dyn std::error::Error + 'static)) -> String {
    let top = one_line(e);
    let mut causes = Vec::new();
    let mut next = e.source();
    while let Some(c) = next {
        let line = one_line(c);
        // Some libraries repeat their cause in their own message; say each thing once.
        if !line.is_empty() && !causes.last().is_some_and(|l: &String| l.contains(&line)) {
            causes.push(line);
        }
        next = c.source();
    }
    if causes.is_empty() {
        top
    } else {
        format!("{top} (because: {})", causes.join(": "))
    }
}

/// Whether an error, or any cause under it, is a full disk (ENOSPC, or ffmpeg's words for it).
fn is_disk_full(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(c) = next {
        if c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::StorageFull)
            || c.to_string().contains("No space left on device")
        {
            return true;
        }
        next = c.source();
    }
    false
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_cause_stays_an_error_that_callers_can_inspect() {
        let io = std::io::Error::new(std::io::ErrorKind::StorageFull, "No space left on device");
        let e = Error::output("/full/out.mp4", because("the encoder stopped", io));
        let context = e.source().expect("the output error keeps its cause");
        assert_eq!(context.to_string(), "the encoder stopped");
        let io = context.source().and_then(|c| c.downcast_ref::<std::io::Error>()).expect("the io::Error under it");
        assert_eq!(io.kind(), std::io::ErrorKind::StorageFull);
    }

    #[test]
    fn the_report_is_one_line_with_the_advice_first_and_each_cause_once() {
        let e = Error::video("clip.mp4", "moov atom not found\n  at offset 0");
        assert_eq!(
            e.report(),
            "clip.mp4: not a readable video; give a video file ffmpeg can read (MP4, MKV, WebM, AVI, ...) (because: moov atom not found at offset 0)"
        );
        assert_eq!(Error::camera("camera 0 sends YUYV10").report(), "camera: camera 0 sends YUYV10");
    }
}
