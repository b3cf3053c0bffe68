//! Where frames come from and go to, as the command line names them: files, images, cameras,
//! MP4, PNG folders and stdout.

use std::path::Path;

use anyhow::Context;

use drape::capture::{self, video, Source};
use drape::output;
use drape::output::sink::{PngSequence, RawStdout, Sink, VideoFormat, VideoSink};
use drape::pipeline::video::SourceOpener;

use crate::cli::LiveArgs;

/// Set once frames go to stdout: from then on drape's own lines go to stderr.
static FRAMES_ON_STDOUT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A line for the user (`wrote out.mp4`): on stdout, unless stdout carries frames (then on
/// stderr, so the stream stays whole), and never a panic when stdout is closed (`| head`).
pub fn say(text: impl std::fmt::Display) {
    use std::io::Write;
    if FRAMES_ON_STDOUT.load(std::sync::atomic::Ordering::SeqCst) {
        eprintln!("drape: {text}");
    } else if writeln!(std::io::stdout().lock(), "{text}").is_err() {
        tracing::debug!("stdout is closed; not said: {text}");
    }
}

/// A sink for an output path: a video file (.mp4, or .webm/.mov with alpha), `-` for raw RGBA
/// on stdout, a folder for PNG frames. Never the `input` itself, never a folder made from a
/// file's name (`frame.png`, `x.webp`), and never a format that drops the alpha view's alpha.
pub fn sink_for(path: &Path, fps: f64, size: (u32, u32), input: Option<&Path>, alpha: bool) -> anyhow::Result<Box<dyn Sink>> {
    if path.as_os_str() == "-" {
        FRAMES_ON_STDOUT.store(true, std::sync::atomic::Ordering::SeqCst);
        eprintln!("drape: {}", RawStdout::how_to_read(size.0, size.1, fps));
        return Ok(Box::new(RawStdout::new()));
    }
    check_video_output(path, input, alpha)?;
    match VideoFormat::for_path(path) {
        Some(_) => Ok(Box::new(VideoSink::create(path, fps)?)),
        None if video::is_video_path(path) || output::looks_like_file(path) => anyhow::bail!(
            "{}: video goes to FILE.mp4, FILE.webm or FILE.mov (both with alpha), or a folder of PNG frames (a folder with a dot in its name must exist first)",
            path.display()
        ),
        None => Ok(Box::new(PngSequence::create(path)?)),
    }
}

/// A video output that is not the `input` and, in the alpha view, keeps the alpha: checked
/// before anything starts, for every sink and for the window's `--record`.
pub fn check_video_output(path: &Path, input: Option<&Path>, alpha: bool) -> anyhow::Result<()> {
    output::refuse_overwrite(input, path)?;
    // A folder of PNG frames starts by replacing its earlier frames: never the input's.
    if let Some(i) = input.filter(|_| VideoFormat::for_path(path).is_none()) {
        let frame = i.file_name().and_then(|n| n.to_str()).is_some_and(drape::output::sink::is_frame_name);
        let folder = |p: &Path| std::fs::canonicalize(p).ok();
        if frame && folder(path).is_some_and(|d| i.parent().map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p }).and_then(folder) == Some(d)) {
            anyhow::bail!(
                "{}: the input {} is one of the PNG frames this folder's earlier run left, which a new run replaces; choose another output folder",
                path.display(),
                i.display()
            );
        }
    }
    if alpha && VideoFormat::for_path(path).is_some_and(|f| !f.holds_alpha()) {
        anyhow::bail!("{}: {}", path.display(), output::ALPHA_FORMATS);
    }
    Ok(())
}

/// Where `drape live` takes its frames from, as the capture thread will open it.
pub struct LiveSource {
    pub open: SourceOpener,
    /// The source's rate and frame size, for the sinks and the window.
    pub fps: f64,
    pub size: (u32, u32),
    pub camera: bool,
}

/// The --input file or image, else the camera; a file or image repeats when `looping`.
pub fn live_source(a: &LiveArgs, looping: bool) -> anyhow::Result<LiveSource> {
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

/// Whether a window can be opened here (an X11 or Wayland display is named).
pub fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()))
}

#[cfg(feature = "camera")]
pub fn camera_count() -> usize {
    drape::capture::camera::list().map(|l| l.len()).unwrap_or(0)
}

#[cfg(not(feature = "camera"))]
pub fn camera_count() -> usize {
    0
}

#[cfg(feature = "camera")]
pub fn camera_opener(index: u32, a: &LiveArgs) -> anyhow::Result<(SourceOpener, f64, (u32, u32))> {
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
pub fn camera_opener(_index: u32, _a: &LiveArgs) -> anyhow::Result<(SourceOpener, f64, (u32, u32))> {
    anyhow::bail!("this drape was built without the `camera` feature; give --input FILE")
}
