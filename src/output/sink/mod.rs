//! Where composited frames go: an MP4 file (ffmpeg, H.264), a PNG sequence, or raw RGBA on
//! stdout for other tools. A recording is always finalised; one that did not get every frame
//! it should have keeps the `.partial` name.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use crate::error::{because, one_line, Error, Result};
use crate::frame::Frame;

/// What a sink left behind.
#[derive(Debug, Clone)]
pub struct Finished {
    pub what: String,
    pub path: Option<PathBuf>,
    pub frames: u64,
}

pub trait Sink: Send {
    fn write(&mut self, frame: &Frame) -> Result<()>;
    /// Write `frame` on a clock: shown from `at` (since the recording's start) over `slots`
    /// frame slots of the rate. A sink without times writes it once per slot; a video file
    /// writes it once with its time.
    fn write_at(&mut self, frame: &Frame, at: std::time::Duration, slots: u64) -> Result<()> {
        let _ = at;
        for _ in 0..slots {
            self.write(frame)?;
        }
        Ok(())
    }
    /// Close the sink. `complete` is false when the run stopped early (error, interrupt).
    fn finish(self: Box<Self>, complete: bool) -> Result<Finished>;
}

/// What a video file holds, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoFormat {
    /// H.264 in MP4 (yuv420p): plays everywhere; no alpha.
    Mp4,
    /// VP9 with alpha (yuva420p) in WebM: OBS, browsers, Kdenlive, Resolve read the alpha.
    WebmAlpha,
    /// ProRes 4444 with alpha in QuickTime: the editors' intermediate (Premiere, Resolve, Final Cut).
    MovProres,
}

impl VideoFormat {
    pub fn for_path(path: &Path) -> Option<VideoFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "mp4" | "m4v" => Some(VideoFormat::Mp4),
            "webm" => Some(VideoFormat::WebmAlpha),
            "mov" => Some(VideoFormat::MovProres),
            _ => None,
        }
    }

    pub fn holds_alpha(self) -> bool {
        self != VideoFormat::Mp4
    }

    fn encoder_args(self) -> &'static [&'static str] {
        match self {
            VideoFormat::Mp4 => &["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4"],
            // Realtime speed settings: a live recording must keep up. Alt-ref frames would drop
            // the alpha plane in libvpx.
            VideoFormat::WebmAlpha => &[
                "-c:v",
                "libvpx-vp9",
                "-pix_fmt",
                "yuva420p",
                "-b:v",
                "0",
                "-crf",
                "32",
                "-deadline",
                "realtime",
                "-cpu-used",
                "8",
                "-row-mt",
                "1",
                "-auto-alt-ref",
                "0",
                "-f",
                "webm",
            ],
            VideoFormat::MovProres => &["-c:v", "prores_ks", "-profile:v", "4444", "-pix_fmt", "yuva444p10le", "-vendor", "apl0", "-f", "mov"],
        }
    }
}

/// A video file (MP4, WebM or MOV, by name) through an ffmpeg child. Written as
/// NAME.partial.EXT and renamed when complete.
pub struct VideoSink {
    format: VideoFormat,
    path: PathBuf,
    partial: PathBuf,
    fps: f64,
    size: Option<(u32, u32)>,
    child: Option<(Child, ChildStdin)>,
    stderr: Option<std::thread::JoinHandle<String>>,
    frames: u64,
    /// The encoder quit mid-recording: the file is never renamed to its final name.
    failed: bool,
    /// Frames come with times ([`Sink::write_at`]), framed as Matroska: the last one's, in ms.
    timed: Option<u64>,
    /// Frame slots of the rate covered, on a clock.
    slots: u64,
    /// Held while this sink writes: a second drape given the same output is refused instead of
    /// sharing the partial file with this one.
    _lock: std::fs::File,
}

/// Take the write lock on `file` (an advisory lock, on the file itself), or say who holds it.
pub(crate) fn lock_for_writing(file: &Path, output: &Path) -> Result<std::fs::File> {
    let f = if file.is_dir() { std::fs::File::open(file) } else { std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(file) }
        .map_err(|e| Error::output(file, e))?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Usage(format!(
            "{}: another drape is writing this output now ({}); wait for it to finish, or choose another output",
            output.display(),
            file.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::output(file, because("cannot lock it for writing", e))),
    }
}

impl VideoSink {
    /// The file is made on the first frame, at that frame's size, in the format its name says.
    pub fn create(path: &Path, fps: f64) -> Result<VideoSink> {
        let format = VideoFormat::for_path(path).ok_or_else(|| {
            Error::Usage(format!("{}: drape writes video as .mp4 (H.264), .webm (VP9 with alpha) or .mov (ProRes 4444 with alpha)", path.display()))
        })?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        super::ensure_writable_dir(dir)?;
        let partial = super::partial_path(path);
        let lock = lock_for_writing(&partial, path)?;
        Ok(VideoSink {
            format,
            path: path.to_path_buf(),
            partial,
            fps,
            size: None,
            child: None,
            stderr: None,
            frames: 0,
            failed: false,
            timed: None,
            slots: 0,
            _lock: lock,
        })
    }

    fn start(&mut self, w: u32, h: u32) -> Result<()> {
        let mut cmd = Command::new("ffmpeg");
        if self.timed.is_some() {
            // Each frame once, with its time. Up to 1080p at 30 fps the encoder fills the rate's
            // slots itself (a file at the source's rate, as players and editors expect); above
            // that it could not keep up with the copies, so the file keeps the frames' own times.
            let cfr = w as f64 * h as f64 * self.fps <= 1920.0 * 1080.0 * 30.0 * 1.01;
            cmd.args(["-v", "error", "-y", "-f", "matroska", "-i", "-"]);
            if cfr {
                cmd.args(["-fps_mode", "cfr", "-r", &format!("{}", self.fps)]);
            } else {
                cmd.args(["-fps_mode", "vfr"]);
            }
        } else {
            cmd.args(["-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgba", "-s", &format!("{w}x{h}"), "-r", &format!("{}", self.fps), "-i", "-"]);
        }
        cmd.args(["-vf", &even_sides(w, h)])
            .args(self.format.encoder_args())
            .arg(crate::capture::video::file_arg(&self.partial))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let (mut child, stdin) = spawn_encoder(&mut cmd)?;
        let mut err = child.stderr.take();
        self.stderr = Some(std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(e) = err.as_mut() {
                if let Err(e) = std::io::Read::read_to_string(e, &mut s) {
                    s = format!("(its messages could not be read: {e})");
                }
            }
            s
        }));
        self.child = Some((child, stdin));
        self.size = Some((w, h));
        if self.timed.is_some() {
            self.send(&super::matroska::header(w, h))?;
        }
        Ok(())
    }

    /// Bytes to the encoder; a closed pipe is the encoder's failure, told in its own words.
    fn send(&mut self, bytes: &[u8]) -> Result<()> {
        let Some((_, stdin)) = self.child.as_mut() else { return Err(Error::output(&self.partial, "the encoder stopped earlier")) };
        if let Err(e) = stdin.write_all(bytes) {
            self.failed = true;
            return Err(match self.close() {
                Err(why) => why,
                Ok(()) => Error::output(&self.partial, because("the encoder stopped", e)),
            });
        }
        Ok(())
    }

    /// The first frame starts the encoder at its size; a later one must have it.
    fn check_size(&mut self, frame: &Frame) -> Result<()> {
        let (w, h) = frame.dimensions();
        match self.size {
            None => self.start(w, h),
            Some(s) if s != (w, h) => Err(Error::output(&self.path, format!("frame size changed from {}x{} to {w}x{h} mid-recording", s.0, s.1))),
            Some(_) => Ok(()),
        }
    }
}

/// The encoder's filter for 4:2:0, which needs even sides: an odd side gains a pixel that repeats
/// its neighbour (a black one showed as a dark line and bled into the last real column). Planar
/// RGB first: `fillborders` misreads packed RGBA.
fn even_sides(w: u32, h: u32) -> String {
    let (right, bottom) = (w % 2, h % 2);
    if right == 0 && bottom == 0 {
        return "pad=ceil(iw/2)*2:ceil(ih/2)*2".into();
    }
    format!("format=gbrap,pad={}:{}:0:0,fillborders=right={right}:bottom={bottom}:mode=smear", w + right, h + bottom)
}

impl VideoSink {
    /// Close the encoder's input and wait for it: it writes the moov atom and exits. ffmpeg exits
    /// 0 even when its writes failed ("No space left on device"), so at `-v error` any message
    /// at all means the file is not whole; it then stays under the `.partial` name.
    fn close(&mut self) -> Result<()> {
        let Some((mut child, stdin)) = self.child.take() else { return Ok(()) };
        drop(stdin);
        let status = child.wait().map_err(|e| Error::output(&self.partial, e))?;
        let messages = self.stderr.take().and_then(|h| h.join().ok()).unwrap_or_default();
        if status.success() && messages.trim().is_empty() {
            return Ok(());
        }
        let why = match one_line(&messages) {
            m if m.is_empty() => format!("ffmpeg exited with {status}"),
            m => m,
        };
        Err(Error::output(&self.partial, because("the encoder failed; what it wrote is kept under this name and may not play", why)))
    }
}

impl Sink for VideoSink {
    fn write(&mut self, frame: &Frame) -> Result<()> {
        if self.timed.is_some() {
            return Err(Error::output(&self.path, "a recording on a clock takes frames with their times"));
        }
        self.check_size(frame)?;
        // The encoder quitting (a full disk, a bad option) is told in its own words.
        self.send(frame.as_raw())?;
        self.frames += 1;
        Ok(())
    }

    fn write_at(&mut self, frame: &Frame, at: std::time::Duration, slots: u64) -> Result<()> {
        if slots == 0 {
            return Ok(());
        }
        if self.size.is_none() {
            self.timed = Some(0);
        } else if self.timed.is_none() {
            return Err(Error::output(&self.path, "a recording without a clock takes frames without times"));
        }
        self.check_size(frame)?;
        // Times only go forward, a millisecond at least (two frames in one ms are one).
        let last = self.timed.unwrap_or(0);
        let ms = (at.as_millis() as u64).max(if self.frames == 0 { 0 } else { last + 1 });
        self.send(&super::matroska::frame_prefix(ms, frame.as_raw().len()))?;
        self.send(frame.as_raw())?;
        self.timed = Some(ms);
        self.frames += 1;
        self.slots += slots;
        Ok(())
    }

    fn finish(mut self: Box<Self>, complete: bool) -> Result<Finished> {
        if self.size.is_none() {
            // The empty file the lock was taken on.
            if let Err(e) = std::fs::remove_file(&self.partial) {
                tracing::debug!(path = %self.partial.display(), "no empty partial to remove: {e}");
            }
            return Ok(Finished { what: "no frames, no recording".into(), path: None, frames: 0 });
        }
        self.close()?;
        let path = if complete && !self.failed {
            std::fs::rename(&self.partial, &self.path).map_err(|e| Error::output(&self.path, e))?;
            self.path.clone()
        } else {
            self.partial.clone()
        };
        let codec = match self.format {
            VideoFormat::Mp4 => "H.264",
            VideoFormat::WebmAlpha => "VP9 with alpha",
            VideoFormat::MovProres => "ProRes 4444 with alpha",
        };
        let frames = if self.timed.is_some() { self.slots } else { self.frames };
        Ok(Finished { what: format!("{frames} frames of {codec} at {} fps", self.fps), path: Some(path), frames })
    }
}

impl Drop for VideoSink {
    fn drop(&mut self) {
        // A sink dropped without finish (a panic elsewhere) still closes the encoder cleanly.
        if let Some((mut child, stdin)) = self.child.take() {
            drop(stdin);
            if let Err(e) = child.wait() {
                tracing::warn!("the MP4 encoder could not be waited for: {e}");
            }
        }
    }
}

/// One PNG per frame: DIR/frame_000001.png, ...
pub struct PngSequence {
    dir: PathBuf,
    frames: u64,
    /// The folder's write lock (see [`VideoSink`]).
    _lock: std::fs::File,
}

impl PngSequence {
    pub fn create(dir: &Path) -> Result<PngSequence> {
        super::ensure_writable_dir(dir)?;
        let lock = lock_for_writing(dir, dir)?;
        Ok(PngSequence { dir: dir.to_path_buf(), frames: 0, _lock: lock })
    }
}

/// `frame_000001.png`: the names a [`PngSequence`] writes.
pub fn is_frame_name(name: &str) -> bool {
    name.strip_prefix("frame_").and_then(|r| r.strip_suffix(".png")).is_some_and(|n| n.len() >= 6 && n.bytes().all(|b| b.is_ascii_digit()))
}

impl PngSequence {
    /// The folder holds this run's frames and no others: an earlier, longer run's frames past
    /// this one's end would read as part of it. Replaced, as a video file is, once this run has
    /// a frame to write (a run that fails at its start leaves the earlier frames), only the
    /// names this sink writes, and only with the folder's lock held.
    fn replace_earlier_frames(&self) -> Result<()> {
        let earlier: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map_err(|e| Error::output(&self.dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(is_frame_name))
            .collect();
        for p in &earlier {
            std::fs::remove_file(p).map_err(|e| Error::output(p, e))?;
        }
        if !earlier.is_empty() {
            tracing::warn!(folder = %self.dir.display(), "replaced the {} PNG frames of an earlier run", earlier.len());
        }
        Ok(())
    }
}

impl Sink for PngSequence {
    fn write(&mut self, frame: &Frame) -> Result<()> {
        if self.frames == 0 {
            self.replace_earlier_frames()?;
        }
        self.frames += 1;
        super::save_image(frame, &self.dir.join(format!("frame_{:06}.png", self.frames)))
    }
    fn finish(self: Box<Self>, complete: bool) -> Result<Finished> {
        let what = format!("{} PNG frames{}", self.frames, if complete { "" } else { " (stopped early)" });
        Ok(Finished { what, path: Some(self.dir.clone()), frames: self.frames })
    }
}

/// Raw RGBA frames on stdout, one after another, for ffmpeg, OBS or GStreamer.
pub struct RawStdout {
    frames: u64,
    out: std::io::Stdout,
}

impl Default for RawStdout {
    fn default() -> Self {
        RawStdout::new()
    }
}

impl RawStdout {
    pub fn new() -> RawStdout {
        RawStdout { frames: 0, out: std::io::stdout() }
    }

    /// How to read the stream, for the user (stdout carries only pixels).
    pub fn how_to_read(width: u32, height: u32, fps: f64) -> String {
        format!("raw RGBA {width}x{height} at {fps} fps on stdout (ffmpeg: -f rawvideo -pix_fmt rgba -s {width}x{height} -r {fps} -i -)")
    }
}

/// An ffmpeg encoder fed raw frames on its stdin, in a process group of its own: a terminal's
/// Ctrl-C reaches drape, which then finalises the output, instead of killing the encoder
/// mid-write.
fn spawn_encoder(cmd: &mut Command) -> Result<(Child, ChildStdin)> {
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    let mut child = cmd.spawn().map_err(|_| Error::ToolMissing { tool: "ffmpeg" })?;
    let stdin = child.stdin.take().ok_or(Error::ToolMissing { tool: "ffmpeg" })?;
    Ok((child, stdin))
}

/// A closed pipe is the reader's choice (`| head`), not a fault; anything else is.
fn stdout_error(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Error::ReaderGone
    } else {
        Error::output("stdout", e)
    }
}

impl Sink for RawStdout {
    fn write(&mut self, frame: &Frame) -> Result<()> {
        self.out.lock().write_all(frame.as_raw()).map_err(stdout_error)?;
        self.frames += 1;
        Ok(())
    }
    fn finish(self: Box<Self>, _complete: bool) -> Result<Finished> {
        // The last frames may still sit in the buffer: a reader gone now lost them.
        self.out.lock().flush().map_err(stdout_error)?;
        Ok(Finished { what: format!("{} raw frames on stdout", self.frames), path: None, frames: self.frames })
    }
}

/// Where a live output goes: a network stream (ffmpeg's URL) or a v4l2loopback device.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveTarget {
    /// `udp://`, `tcp://` or `srt://` in MPEG-TS; `rtmp://` in FLV.
    Stream(String),
    /// A v4l2loopback device, seen by video-call apps and OBS as a camera.
    VirtualCamera(PathBuf),
}

impl LiveTarget {
    /// A stream URL, checked: a protocol drape knows and this ffmpeg has.
    pub fn stream(url: &str) -> Result<LiveTarget> {
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase()).unwrap_or_default();
        if !matches!(scheme.as_str(), "udp" | "tcp" | "srt" | "rtmp" | "rtmps") {
            return Err(Error::Usage(format!("{url}: --stream takes udp://HOST:PORT, srt://HOST:PORT (where ffmpeg has SRT) or rtmp://HOST/APP/KEY")));
        }
        let protocols = Command::new("ffmpeg").args(["-hide_banner", "-protocols"]).output().map_err(|_| Error::ToolMissing { tool: "ffmpeg" })?;
        if !String::from_utf8_lossy(&protocols.stdout).lines().any(|l| l.trim() == scheme) {
            return Err(Error::Usage(format!("{url}: this ffmpeg has no {scheme} protocol; stream to udp:// or rtmp:// instead")));
        }
        Ok(LiveTarget::Stream(url.to_string()))
    }

    /// A v4l2loopback device, checked: there, a device, and a loopback (a virtual video device,
    /// not a real camera).
    pub fn virtual_camera(dev: &Path) -> Result<LiveTarget> {
        let how = "load v4l2loopback (sudo modprobe v4l2loopback exclusive_caps=1 card_label=drape) and give the /dev/videoN it made";
        let meta = std::fs::metadata(dev).map_err(|_| Error::Usage(format!("{}: no such device; {how}", dev.display())))?;
        if !std::os::unix::fs::FileTypeExt::is_char_device(&meta.file_type()) {
            return Err(Error::Usage(format!("{}: not a video device; {how}", dev.display())));
        }
        let name = dev.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let sys = Path::new("/sys/class/video4linux").join(&name).canonicalize().unwrap_or_default();
        if !sys.to_string_lossy().contains("/virtual/") {
            return Err(Error::Usage(format!("{}: not a v4l2loopback device (a real camera, or not a video device); {how}", dev.display())));
        }
        Ok(LiveTarget::VirtualCamera(dev.to_path_buf()))
    }

    fn describe(&self) -> String {
        match self {
            LiveTarget::Stream(u) => u.clone(),
            LiveTarget::VirtualCamera(d) => d.display().to_string(),
        }
    }

    fn output_args(&self) -> Vec<String> {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        match self {
            LiveTarget::Stream(url) => {
                let container = if url.to_ascii_lowercase().starts_with("rtmp") { "flv" } else { "mpegts" };
                // Low latency: no B-frames, no lookahead, a keyframe a second for late joiners.
                let mut a = v(&["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-bf", "0", "-pix_fmt", "yuv420p", "-f", container]);
                a.push(if url.starts_with("udp://") && !url.contains("pkt_size") {
                    format!("{url}{}pkt_size=1316", if url.contains('?') { '&' } else { '?' })
                } else {
                    url.clone()
                });
                a
            }
            LiveTarget::VirtualCamera(dev) => {
                let mut a = v(&["-pix_fmt", "yuv420p", "-f", "v4l2"]);
                a.push(dev.display().to_string());
                a
            }
        }
    }
}

/// A live output that never ends the session: when its receiver goes away (an RTMP server
/// closing, an ffmpeg that cannot connect), that is logged as a warning once, and the output is
/// tried again every few seconds while the window and any recording go on.
pub struct LiveSink {
    target: LiveTarget,
    fps: f64,
    child: Option<(Child, ChildStdin)>,
    retry_at: Option<std::time::Instant>,
    frames: u64,
    dropped: u64,
    /// Where its one warning also goes (the window shows it as a notice).
    notices: Option<crossbeam_channel::Sender<String>>,
}

impl LiveSink {
    pub fn new(target: LiveTarget, fps: f64) -> LiveSink {
        LiveSink { target, fps, child: None, retry_at: None, frames: 0, dropped: 0, notices: None }
    }

    /// Also tell `notices` when the receiver goes away.
    pub fn with_notices(mut self, notices: crossbeam_channel::Sender<String>) -> LiveSink {
        self.notices = Some(notices);
        self
    }

    fn start(&mut self, w: u32, h: u32) -> Result<()> {
        let mut cmd = Command::new("ffmpeg");
        cmd.args(["-v", "error", "-nostdin", "-f", "rawvideo", "-pix_fmt", "rgba", "-s", &format!("{w}x{h}"), "-r", &format!("{}", self.fps), "-i", "-"])
            .args(["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-g", &format!("{}", self.fps.round().max(1.0))])
            .args(self.target.output_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        self.child = Some(spawn_encoder(&mut cmd)?);
        Ok(())
    }

    fn drop_child(&mut self) {
        if let Some((mut child, stdin)) = self.child.take() {
            drop(stdin);
            if child.kill().is_ok() && child.wait().is_err() {
                tracing::debug!("the live output's ffmpeg could not be waited for");
            }
        }
    }
}

impl Sink for LiveSink {
    fn write(&mut self, frame: &Frame) -> Result<()> {
        if self.child.is_none() {
            if self.retry_at.is_some_and(|t| std::time::Instant::now() < t) {
                self.dropped += 1;
                return Ok(());
            }
            let (w, h) = frame.dimensions();
            self.start(w, h)?;
        }
        let Some((_, stdin)) = self.child.as_mut() else { return Ok(()) };
        match stdin.write_all(frame.as_raw()) {
            Ok(()) => self.frames += 1,
            Err(e) => {
                if self.retry_at.is_none() {
                    let text = format!("{}: the receiver went away ({e}); trying again every 3 s", self.target.describe());
                    tracing::warn!("{text}");
                    if let Some(n) = &self.notices {
                        // A window gone already has nobody to tell.
                        drop(n.send(text));
                    }
                }
                self.drop_child();
                self.dropped += 1;
                self.retry_at = Some(std::time::Instant::now() + std::time::Duration::from_secs(3));
            }
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>, _complete: bool) -> Result<Finished> {
        if let Some((mut child, stdin)) = self.child.take() {
            drop(stdin);
            if child.wait().is_err() {
                tracing::debug!("the live output's ffmpeg could not be waited for");
            }
        }
        let lost = if self.dropped > 0 { format!(" ({} not delivered while the receiver was away)", self.dropped) } else { String::new() };
        Ok(Finished { what: format!("{} frames to {}{lost}", self.frames, self.target.describe()), path: None, frames: self.frames })
    }
}

#[cfg(test)]
mod tests;
