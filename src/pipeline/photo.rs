//! The pipeline that wires the stages for still images: capture (decode) -> analysis ->
//! compositing -> output, one image after another.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::analysis::models::style::{StyleOptions, StyleSpec};
use crate::analysis::parts::PartSet;
use crate::analysis::{Analyser, Request};
use crate::capture;
use crate::compositing::{self, Composited, Fresh, Params, Stage, View};
use crate::error::{Error, Result};
use crate::output::{self, figure};

#[derive(Debug, Clone)]
pub struct PhotoJob {
    pub inputs: Vec<PathBuf>,
    /// An image file (one input) or a folder.
    pub output: PathBuf,
    pub style: StyleSpec,
    pub parts: PartSet,
    pub strength: f32,
    pub preserve_colour: bool,
    pub view: View,
    /// Edge feather radius in frame pixels.
    pub feather: f32,
    /// Also write the figure of the intermediate maps.
    pub maps: bool,
}

/// One written result.
#[derive(Debug, Clone)]
pub struct Written {
    pub input: PathBuf,
    pub result: PathBuf,
    pub maps: Option<PathBuf>,
    /// (stage, ms) for this image
    pub timings: Vec<(String, f64)>,
}

/// What a run did: results written, and the inputs that failed with why.
#[derive(Debug, Default)]
pub struct Report {
    pub written: Vec<Written>,
    pub failed: Vec<Error>,
}

/// The maps figure written beside a photo's result (`--maps`): `dir/name.maps.png`.
pub fn maps_path(result: &Path) -> PathBuf {
    result.with_file_name(format!("{}.maps.png", result.file_stem().map_or("image".into(), |s| s.to_string_lossy().into_owned())))
}

/// Where each input's result goes: `output` itself for one input named with an image
/// extension, else `output/<stem>.<ext>`.
/// Nothing drape writes lands on an input or on another output (their `.partial` names and the
/// maps figures with `maps` included), and a name that reads as a file is never made a folder.
/// With `alpha` (the alpha view) every output is PNG: JPEG would drop the transparency.
pub fn plan_outputs(inputs: &[PathBuf], output: &Path, alpha: bool, maps: bool) -> Result<Vec<PathBuf>> {
    if output.as_os_str() == "-" {
        return Err(Error::Usage("-: raw frames on stdout are for video and live; a photo's result goes to NAME.png, NAME.jpg or a folder".into()));
    }
    let planned = if inputs.len() == 1 && capture::is_image_path(output) && !output.is_dir() && !output::names_a_folder(output) {
        if alpha && !output.extension().is_some_and(|e| e.eq_ignore_ascii_case("png")) {
            return Err(Error::Usage(format!("{}: {}", output.display(), output::ALPHA_FORMATS)));
        }
        vec![output.to_path_buf()]
    } else {
        if output::looks_like_file(output) {
            let what = if capture::is_image_path(output) {
                format!("{} inputs need a folder", inputs.len())
            } else {
                "drape writes photos as PNG or JPEG".to_string()
            };
            return Err(Error::Usage(format!(
                "{}: {what}; name one photo's output NAME.png or NAME.jpg, or give a folder (a folder with a dot in its name must exist first)",
                output.display()
            )));
        }
        inputs
            .iter()
            .map(|i| {
                let stem = i.file_stem().map_or("image".into(), |s| s.to_string_lossy().into_owned());
                let ext = match i.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
                    _ if alpha => "png",
                    Some("jpg") | Some("jpeg") => "jpg",
                    _ => "png",
                };
                output.join(format!("{stem}.{ext}"))
            })
            .collect()
    };
    let figures: Vec<PathBuf> = if maps { planned.iter().map(|p| maps_path(p)).collect() } else { Vec::new() };
    output::refuse_collisions(inputs.iter().map(PathBuf::as_path), planned.iter().chain(&figures).map(PathBuf::as_path))?;
    let dir = if planned.len() == 1 && planned[0] == output { output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")) } else { output };
    output::ensure_writable_dir(dir)?;
    Ok(planned)
}

/// Restyle each input. Every input is checked and the style loaded before the first is written;
/// a failing input is reported and the rest still run.
pub fn process_photos(analyser: &mut Analyser, stage: &mut Stage, job: &PhotoJob) -> Result<Report> {
    let inputs = capture::list_images(&job.inputs)?;
    let existed = job.output.is_dir();
    let outputs = plan_outputs(&inputs, &job.output, job.view == View::Alpha, job.maps)?;
    let single = outputs.len() == 1 && outputs[0] == job.output;
    let _lock = output::PhotoLock::take(&job.output, single)?;
    let style = analyser.load_style(&job.style)?;
    let request = Request { parts: job.parts, style: &style, style_options: StyleOptions { strength: job.strength, preserve_colour: job.preserve_colour } };
    // Each photo stands alone: no temporal smoothing.
    let params =
        Params { parts: job.parts, view: job.view, opacity: compositing::opacity_for_strength(job.strength), feather: job.feather, ..Params::default() };
    let timings = analyser.timings().clone();
    let mut report = Report::default();
    for (input, out_path) in inputs.iter().zip(&outputs) {
        timings.drain();
        let started = Instant::now();
        let one = (|| -> Result<Written> {
            let frame = timings.time("decode", || capture::load_image(input, "input"))?;
            // Each photo stands alone: no one is followed from the last.
            analyser.forget();
            let analysis = analyser.analyse(&frame, &request)?;
            // Each photo is a run of one frame: nothing is smoothed towards the last photo.
            stage.restart();
            let fresh = Fresh { id: 1, analysis: &analysis, cut: false, texture: None, carried: false };
            let result = timings.time("composite", || stage.composite(&frame, Some(fresh), &params, true).and_then(Composited::into_pixels))?;
            timings.time("encode", || output::save_image(&result, out_path))?;
            let maps = if job.maps {
                let p = maps_path(out_path);
                output::save_image(&figure::figure(&frame, &analysis, &result), &p)?;
                Some(p)
            } else {
                None
            };
            tracing::info!(input = %input.display(), output = %out_path.display(), ms = started.elapsed().as_millis() as u64, "restyled");
            Ok(Written { input: input.clone(), result: out_path.clone(), maps, timings: Vec::new() })
        })();
        match one {
            Ok(mut w) => {
                w.timings = timings.drain();
                w.timings.push(("total".into(), started.elapsed().as_secs_f64() * 1e3));
                report.written.push(w);
            }
            Err(e) => report.failed.push(e),
        }
    }
    // A folder made for outputs that all failed is not left behind empty.
    if report.written.is_empty() && !existed && job.output.is_dir() && std::fs::remove_dir(&job.output).is_err() {
        tracing::debug!(path = %job.output.display(), "the output folder is kept: not empty");
    }
    Ok(report)
}
