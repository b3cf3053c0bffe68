//! Output: writing results. A file is written under a `.partial` name and renamed when complete,
//! so an interrupted run never leaves a file that looks finished.

pub mod figure;
pub mod matroska;
pub mod measure;
pub mod sink;

use std::path::{Path, PathBuf};

use image::ImageFormat;

use crate::error::{Error, Result};
use crate::frame::Frame;

/// Make sure `dir` exists and takes files; checked before any work starts.
pub fn ensure_writable_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, e))?;
    let probe = dir.join(format!(".drape-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| Error::output(dir, e))?;
    if let Err(e) = std::fs::remove_file(&probe) {
        tracing::warn!(path = %probe.display(), "could not remove the write test: {e}");
    }
    Ok(())
}

/// Save a frame as PNG or JPEG (by extension).
pub fn save_image(frame: &Frame, path: &Path) -> Result<()> {
    let format = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("jpg") | Some("jpeg") => ImageFormat::Jpeg,
        Some("png") => ImageFormat::Png,
        _ => return Err(Error::output(path, "unknown image extension; use .png or .jpg")),
    };
    let partial = partial_path(path);
    let written = match format {
        ImageFormat::Jpeg => image::DynamicImage::ImageRgba8(frame.clone()).to_rgb8().save_with_format(&partial, format),
        _ => frame.save_with_format(&partial, format),
    };
    written.map_err(|e| {
        // Nothing may be left that looks like output; a partial that stays is named as one.
        if let Err(r) = std::fs::remove_file(&partial) {
            tracing::debug!(path = %partial.display(), "no partial to remove: {r}");
        }
        Error::output(path, e)
    })?;
    std::fs::rename(&partial, path).map_err(|e| Error::output(path, e))
}

/// The write lock on a run's photo outputs, held for the run: a second drape given the same
/// output is refused at once, as for video, instead of both writing `NAME.partial.EXT` (the
/// file the lock is on) or one folder's results. An empty lock file left is removed.
pub struct PhotoLock {
    file: std::fs::File,
    partial: Option<PathBuf>,
}

impl PhotoLock {
    /// `output` is one photo's result file when `single`, else the folder of results.
    pub fn take(output: &Path, single: bool) -> Result<PhotoLock> {
        if !single {
            return Ok(PhotoLock { file: sink::lock_for_writing(output, output)?, partial: None });
        }
        let partial = partial_path(output);
        Ok(PhotoLock { file: sink::lock_for_writing(&partial, output)?, partial: Some(partial) })
    }
}

impl Drop for PhotoLock {
    fn drop(&mut self) {
        use std::os::unix::fs::MetadataExt;
        let Some(partial) = &self.partial else { return };
        // Only this lock's own empty file: once renamed to the result, the name may be
        // another drape's lock by now.
        let (Ok(held), Ok(there)) = (self.file.metadata(), std::fs::metadata(partial)) else { return };
        if held.ino() == there.ino() && held.dev() == there.dev() && there.len() == 0 {
            if let Err(e) = std::fs::remove_file(partial) {
                tracing::debug!(path = %partial.display(), "the lock file stays: {e}");
            }
        }
    }
}

/// A path as the file it names, for comparing spellings: canonical where it exists, else its
/// nearest existing folder, canonical, joined with the rest (`p` and folders above it may not
/// exist yet: a run's outputs in a folder it will make).
fn file_key(p: &Path) -> Option<PathBuf> {
    let mut rest = Vec::new();
    let mut at = p;
    loop {
        let here = if at.as_os_str().is_empty() { Path::new(".") } else { at };
        if let Ok(c) = here.canonicalize() {
            return Some(rest.iter().rev().fold(c, |acc: PathBuf, part| acc.join(part)));
        }
        let name = at.file_name()?;
        if name == ".." {
            return None;
        }
        rest.push(name.to_os_string());
        at = at.parent()?;
    }
}

/// Whether two paths name the same file; `b` may not exist yet (then its folder decides).
pub fn same_file(a: &Path, b: &Path) -> bool {
    matches!((file_key(a), file_key(b)), (Some(x), Some(y)) if x == y)
}

/// Every file that writing `path` touches: the path and the `.partial` name it is written under.
pub fn written_through(path: &Path) -> [PathBuf; 2] {
    [path.to_path_buf(), partial_path(path)]
}

/// Refuse an output that is one of the inputs, by any spelling of its path.
pub fn refuse_overwrite<'a>(inputs: impl IntoIterator<Item = &'a Path>, out: &Path) -> Result<()> {
    refuse_collisions(inputs, [out])
}

/// Refuse outputs that would land on an input or on each other, by any spelling of their paths:
/// each output's files, its `.partial` name included, against the inputs and every other
/// output's files. (`x.maps.png` read while `x.png`'s figure is written to it; `v.partial.mp4`
/// decoded while `v.mp4` is encoded into it.)
pub fn refuse_collisions<'a, 'b>(inputs: impl IntoIterator<Item = &'a Path>, outputs: impl IntoIterator<Item = &'b Path>) -> Result<()> {
    let inputs: std::collections::HashMap<PathBuf, &Path> = inputs.into_iter().filter_map(|i| Some((file_key(i)?, i))).collect();
    let mut written: std::collections::HashMap<PathBuf, &Path> = std::collections::HashMap::new();
    for out in outputs {
        for touched in written_through(out) {
            let Some(key) = file_key(&touched) else { continue };
            let through = if touched == out { String::new() } else { format!(" (it is written as {} first)", touched.display()) };
            if let Some(i) = inputs.get(&key) {
                return Err(Error::Usage(format!(
                    "{}: the output would overwrite the input {}{through}; choose another output name",
                    out.display(),
                    i.display()
                )));
            }
            if let Some(other) = written.insert(key, out) {
                let which = if other == out { out.display().to_string() } else { format!("{} and {}", other.display(), out.display()) };
                return Err(Error::Usage(format!(
                    "{which}: two outputs of this run would both write {} (a result and a maps figure, or inputs of one name); rename an input or choose another output",
                    touched.display()
                )));
            }
        }
    }
    Ok(())
}

/// Whether a path that does not name an existing folder reads as a file name (`x.webp`,
/// `img.mp4`): such an output is never made into a folder. An extension of two to four letters
/// or digits, at least one a letter; a folder with a dot in its name can be made first.
pub fn looks_like_file(path: &Path) -> bool {
    !path.is_dir()
        && !names_a_folder(path)
        && path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| (2..=4).contains(&e.len()) && e.chars().all(|c| c.is_ascii_alphanumeric()) && e.chars().any(|c| c.is_ascii_alphabetic()))
}

/// Whether a path is written as a folder's (`out.png/`): the user said folder, whatever the name.
pub fn names_a_folder(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().ends_with(b"/")
}

/// What `--view alpha` can be written to, for the error that refuses the rest.
pub const ALPHA_FORMATS: &str =
    "MP4 and JPEG drop the alpha view's transparency; write .webm (VP9 with alpha), .mov (ProRes 4444 with alpha), PNG (frames, or a photo) or raw RGBA (-)";

/// `dir/name.png` -> `dir/name.partial.png`
pub fn partial_path(path: &Path) -> PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = path.extension().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!("{stem}.partial.{ext}"))
}
