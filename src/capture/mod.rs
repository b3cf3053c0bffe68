//! Capture: where frames come from. Still images and folders, video files (ffmpeg), cameras
//! (nokhwa, feature `camera`), and a generated stand-in source for tests, all behind [`Source`].

#[cfg(feature = "camera")]
pub mod camera;
pub mod convert;
pub mod video;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::frame::Frame;
pub use crate::image_file::{decode_image, load_image, MAX_PIXELS};

/// Something that yields frames. Not `Send`: cameras live on the thread that opened them, so the
/// pipeline opens sources inside its capture thread.
pub trait Source {
    fn describe(&self) -> String;
    /// Frames per second, where the source has a rate of its own.
    fn rate(&self) -> Option<f64>;
    /// How many frames it will yield, where known.
    fn total_frames(&self) -> Option<u64>;
    /// Whether frames arrive in real time by themselves (a camera) rather than as fast as asked.
    fn is_live(&self) -> bool {
        false
    }
    /// The next frame; Ok(None) at the end.
    fn next_frame(&mut self) -> Result<Option<Frame>>;
    /// How many times a looped file has started again from its beginning: a jump of the picture
    /// there is the same take going on, not a cut to someone else.
    fn restarts(&self) -> u64 {
        0
    }
}

/// A still image or a folder of images, as a sequence at `rate` frames per second.
pub struct Stills {
    paths: Vec<PathBuf>,
    next: usize,
    rate: f64,
    looping: bool,
    /// A single image is decoded once and repeated.
    cached: Option<Frame>,
    /// The first still's size: a source gives frames of one size (a stream or a recording is
    /// announced at it), so a still of another size is fitted into it.
    size: Option<(u32, u32)>,
}

impl Stills {
    pub fn open(inputs: &[PathBuf], rate: f64, looping: bool) -> Result<Stills> {
        let paths = list_images(inputs)?;
        Ok(Stills { paths, next: 0, rate, looping, cached: None, size: None })
    }
}

impl Source for Stills {
    fn describe(&self) -> String {
        format!("{} image(s) at {} fps", self.paths.len(), self.rate)
    }
    fn rate(&self) -> Option<f64> {
        Some(self.rate)
    }
    fn total_frames(&self) -> Option<u64> {
        (!self.looping).then_some(self.paths.len() as u64)
    }
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        if self.next >= self.paths.len() {
            if !self.looping {
                return Ok(None);
            }
            self.next = 0;
        }
        let i = self.next;
        self.next += 1;
        if self.paths.len() == 1 {
            if self.cached.is_none() {
                self.cached = Some(load_image(&self.paths[0], "input")?);
            }
            return Ok(self.cached.clone());
        }
        let frame = load_image(&self.paths[i], "input")?;
        let size = *self.size.get_or_insert(frame.dimensions());
        if frame.dimensions() == size {
            return Ok(Some(frame));
        }
        tracing::debug!(path = %self.paths[i].display(), from = ?frame.dimensions(), to = ?size, "a still of another size, fitted into the first's");
        Ok(Some(fit_into(&frame, size)))
    }
}

/// `frame` scaled to fit inside `size` with its aspect kept, centred on black: a photo of another
/// shape is shown whole, not stretched or cut.
pub fn fit_into(frame: &Frame, (w, h): (u32, u32)) -> Frame {
    let (fw, fh) = (frame.width().max(1) as f64, frame.height().max(1) as f64);
    let scale = (w as f64 / fw).min(h as f64 / fh);
    let (sw, sh) = (((fw * scale).round() as u32).clamp(1, w), ((fh * scale).round() as u32).clamp(1, h));
    let scaled = image::imageops::resize(frame, sw, sh, image::imageops::FilterType::Triangle);
    let mut out = Frame::from_pixel(w, h, image::Rgba([0, 0, 0, 255]));
    image::imageops::replace(&mut out, &scaled, ((w - sw) / 2) as i64, ((h - sh) / 2) as i64);
    out
}

const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png"];

pub fn is_image_path(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Whether one input file is a video: by its extension, else, when it is no image by name or by
/// its first bytes, by ffprobe recognising it as a media file (`.ts`, `.wav`, no extension): a
/// video then gets the video path's words ("no video stream"), not "give a JPEG or PNG".
pub fn is_video_input(path: &Path) -> bool {
    if video::is_video_path(path) {
        return true;
    }
    if is_image_path(path) || !path.is_file() {
        return false;
    }
    let mut head = [0u8; 32];
    let n = std::fs::File::open(path).and_then(|mut f| std::io::Read::read(&mut f, &mut head)).unwrap_or(0);
    if n == 0 || image::guess_format(&head[..n]).is_ok() {
        return false;
    }
    std::process::Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=nb_streams", "-of", "csv=p=0"])
        .arg(video::file_arg(path))
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim().parse::<u32>().is_ok_and(|k| k > 0))
}

/// The image files named by `inputs`: files as given, folders expanded (sorted, not recursive).
/// Every path must exist; checked before any work starts.
pub fn list_images(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Error::image(p, "input", e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && is_image_path(f))
                .collect();
            if found.is_empty() {
                return Err(Error::Usage(format!("{}: folder holds no JPEG or PNG images; give an image or a folder of images", p.display())));
            }
            found.sort();
            out.extend(found);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(Error::InputMissing { path: p.clone() });
        }
    }
    Ok(out)
}
