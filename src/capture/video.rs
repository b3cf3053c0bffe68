//! Video files through ffmpeg: frames arrive as raw RGBA on a pipe. ffmpeg runs with -xerror
//! and one decoder thread, so a damaged stretch ends the decode with an error that names the
//! frame, after the good frames before it (all but those the decoder held for B-frame order).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use super::Source;
use crate::error::{one_line, Error, Result};
use crate::frame::Frame;

pub const VIDEO_EXTENSIONS: &[&str] = &["mp4", "mov", "mkv", "avi", "webm", "m4v"];

/// `path` as ffmpeg and ffprobe must take it: always a file. A relative name with a colon
/// (`2024-01-01T12:30:00.mp4`, `pipe:1.mp4`, `md5:out.mp4`) otherwise reads as a protocol:
/// "Protocol not found", or the bytes written to stdout or hashed.
pub fn file_arg(path: &Path) -> std::ffi::OsString {
    let mut arg = std::ffi::OsString::from("file:");
    arg.push(path);
    arg
}

pub fn is_video_path(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| VIDEO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// What ffprobe says about a file's first video stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VideoInfo {
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    pub frames: Option<u64>,
    /// Stored with non-square pixels (anamorphic, a sample aspect ratio other than 1:1): the
    /// decoder scales each frame to `width` x `height`, its shown size.
    pub anamorphic: bool,
}

pub fn probe(path: &Path) -> Result<VideoInfo> {
    if !path.is_file() {
        return Err(Error::InputMissing { path: path.to_path_buf() });
    }
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,sample_aspect_ratio:stream_side_data=rotation",
            "-of",
            "default=noprint_wrappers=1",
        ])
        .arg(file_arg(path))
        .output()
        .map_err(|_| Error::ToolMissing { tool: "ffprobe" })?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |k: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{k}="))).map(str::trim);
    let rate = |s: Option<&str>| {
        s.and_then(|s| {
            let (n, d) = s.split_once('/').unwrap_or((s, "1"));
            let (n, d) = (n.parse::<f64>().ok()?, d.parse::<f64>().ok()?);
            (d > 0.0 && n > 0.0).then_some(n / d)
        })
    };
    let (Some(width), Some(height)) = (field("width").and_then(|v| v.parse().ok()), field("height").and_then(|v| v.parse().ok())) else {
        let why = one_line(String::from_utf8_lossy(&out.stderr));
        return Err(Error::video(path, if why.is_empty() { "it holds no video stream (audio only, or empty)".into() } else { why }));
    };
    // A phone's portrait clip is stored on its side with a rotation; ffmpeg turns the frames
    // upright as it decodes, so they come out with the sides swapped.
    let quarter_turned = field("rotation").and_then(|r| r.parse::<f64>().ok()).is_some_and(|r| (r.round() as i64).rem_euclid(180) == 90);
    // Non-square pixels (SAR 2:1, an anamorphic camera or DVD): shown wider than stored. The
    // frames are scaled to the shown size as they are decoded, or people come out squeezed.
    let sar = field("sample_aspect_ratio").and_then(|r| {
        let (n, d) = r.split_once(':')?;
        let (n, d) = (n.parse::<f64>().ok()?, d.parse::<f64>().ok()?);
        (n > 0.0 && d > 0.0).then_some(n / d)
    });
    let anamorphic = sar.is_some_and(|s| (s - 1.0).abs() > 1e-3);
    let width: u32 = match sar {
        // Even, for the 4:2:0 encoders; never more than 4 times the stored width.
        Some(s) if anamorphic => ((width as f64 * s.clamp(0.25, 4.0) / 2.0).round() as u32 * 2).max(2),
        _ => width,
    };
    let (width, height) = if quarter_turned { (height, width) } else { (width, height) };
    let fps = rate(field("avg_frame_rate")).or_else(|| rate(field("r_frame_rate"))).unwrap_or(30.0);
    Ok(VideoInfo { width, height, fps, frames: field("nb_frames").and_then(|v| v.parse().ok()), anamorphic })
}

/// Whether a file has a sound track: drape writes the picture only, and says so.
pub fn has_audio(path: &Path) -> bool {
    Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "a", "-show_entries", "stream=index", "-of", "csv=p=0"])
        .arg(file_arg(path))
        .output()
        .is_ok_and(|o| !String::from_utf8_lossy(&o.stdout).trim().is_empty())
}

pub struct VideoFile {
    path: PathBuf,
    info: VideoInfo,
    looping: bool,
    child: Option<(Child, ChildStdout)>,
    stderr: Option<std::thread::JoinHandle<String>>,
    /// Frames handed out from the current pass.
    decoded: u64,
    /// Passes started after the first (looping).
    restarts: u64,
}

impl VideoFile {
    pub fn open(path: &Path, looping: bool) -> Result<VideoFile> {
        let info = probe(path)?;
        let mut v = VideoFile { path: path.to_path_buf(), info, looping, child: None, stderr: None, decoded: 0, restarts: 0 };
        v.spawn()?;
        Ok(v)
    }

    pub fn info(&self) -> VideoInfo {
        self.info
    }

    /// Start ffmpeg decoding the file to raw RGBA on its stdout, with a thread collecting its
    /// messages. One decoder thread: frame threading holds a frame per thread back, and -xerror
    /// lost them all at a damaged stretch (3 of 29 good frames on 2 cores, more on more cores).
    fn spawn(&mut self) -> Result<()> {
        let mut cmd = Command::new("ffmpeg");
        cmd.args(["-v", "error", "-xerror", "-nostdin", "-threads", "1", "-i"])
            .arg(file_arg(&self.path))
            .args(["-map", "0:v:0", "-fps_mode", "passthrough"])
            .args(if self.info.anamorphic { vec!["-vf".to_string(), format!("scale={}:{},setsar=1", self.info.width, self.info.height)] } else { Vec::new() })
            .args(["-f", "rawvideo", "-pix_fmt", "rgba", "-"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // A group of its own: a terminal's Ctrl-C goes to the whole foreground group, and a
        // decoder killed under drape turned a clean stop into "decoding stopped", exit 2.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd.spawn().map_err(|_| Error::ToolMissing { tool: "ffmpeg" })?;
        let stdout = child.stdout.take().ok_or(Error::ToolMissing { tool: "ffmpeg" })?;
        let mut stderr = child.stderr.take();
        self.stderr = Some(std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(e) = stderr.as_mut() {
                if let Err(e) = e.read_to_string(&mut s) {
                    s = format!("(its messages could not be read: {e})");
                }
            }
            s
        }));
        self.child = Some((child, stdout));
        self.decoded = 0;
        Ok(())
    }

    /// The decoder finished: Ok if it ended cleanly, else an error naming the frame it stopped at.
    fn finish(&mut self, mid_frame: bool) -> Result<()> {
        let Some((mut child, _)) = self.child.take() else { return Ok(()) };
        let status = child.wait().map_err(|e| Error::video(&self.path, e))?;
        let messages = self.stderr.take().and_then(|h| h.join().ok()).unwrap_or_default();
        if status.success() && !mid_frame && messages.trim().is_empty() {
            return Ok(());
        }
        // ffmpeg's own words (codec internals, addresses) go to the log; the line says what.
        tracing::info!(path = %self.path.display(), frame = self.decoded + 1, "the decoder stopped: {}", one_line(&messages));
        let reason = if messages.trim().is_empty() { format!("ffmpeg exited with {status}") } else { "the data there is damaged".to_string() };
        Err(Error::Decode { path: self.path.clone(), frame: self.decoded + 1, source: reason.into() })
    }
}

impl Source for VideoFile {
    fn describe(&self) -> String {
        format!("{} ({}x{} @ {:.2} fps)", self.path.display(), self.info.width, self.info.height, self.info.fps)
    }

    fn rate(&self) -> Option<f64> {
        Some(self.info.fps)
    }

    fn total_frames(&self) -> Option<u64> {
        if self.looping {
            None
        } else {
            self.info.frames
        }
    }

    fn restarts(&self) -> u64 {
        self.restarts
    }

    fn next_frame(&mut self) -> Result<Option<Frame>> {
        loop {
            let Some((_, stdout)) = self.child.as_mut() else { return Ok(None) };
            let (w, h) = (self.info.width, self.info.height);
            let mut buf = vec![0u8; (w * h * 4) as usize];
            let mut filled = 0;
            while filled < buf.len() {
                match stdout.read(&mut buf[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(Error::Decode { path: self.path.clone(), frame: self.decoded + 1, source: e.into() }),
                }
            }
            if filled == buf.len() {
                self.decoded += 1;
                return Ok(Frame::from_raw(w, h, buf));
            }
            self.finish(filled > 0)?;
            if !self.looping || self.decoded == 0 {
                return Ok(None);
            }
            self.spawn()?;
            self.restarts += 1;
        }
    }
}

impl Drop for VideoFile {
    fn drop(&mut self) {
        if let Some((mut child, _)) = self.child.take() {
            // The decoder may have ended on its own already: then kill fails, harmlessly.
            if child.kill().is_ok() && child.wait().is_err() {
                tracing::debug!("the video decoder could not be waited for");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The process group of a process, from /proc (field 5 of its stat line).
    fn pgid(pid: u32) -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit(") ").next()?.split_whitespace().nth(2)?.parse().ok()
    }

    #[test]
    fn the_decoder_is_out_of_reach_of_a_terminal_s_ctrl_c() {
        let clip = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/examples/astronaut_sway.mp4");
        if !clip.is_file() || Command::new("ffmpeg").arg("-version").output().is_err() {
            eprintln!("skipped: no example clip or no ffmpeg (run `bash models/setup.sh`)");
            return;
        }
        let mut v = VideoFile::open(&clip, false).unwrap();
        assert!(v.next_frame().unwrap().is_some());
        let child = v.child.as_ref().map(|(c, _)| c.id()).expect("the decoder runs");
        assert_ne!(pgid(child), pgid(std::process::id()), "the decoder has a process group of its own");
    }
}
