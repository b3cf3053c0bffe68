//! What each command does, from parsed arguments to an exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use drape::analysis::manifest::ModelDir;
use drape::analysis::models::style::StyleSpec;
use drape::analysis::parts::PartSet;
use drape::analysis::runtime::{Provider, Runtime};
use drape::analysis::Analyser;
use drape::capture::{self, video, Source};
use drape::compositing::View;
use drape::output::sink::{LiveSink, LiveTarget, Sink};
use drape::pipeline::live::run_live;
use drape::pipeline::video::{run_offline, SourceOpener, VideoOptions, VideoReport};
use drape::pipeline::{self, PhotoJob, Report};

use crate::assemble::{analyser_config, check_style, open_stage, print_second, runtime_options, styled_analyser, video_options};
use crate::choices::ViewArg;
use crate::cli::{parse_args, Global, LiveArgs, Look, ProcessArgs, DEFAULT_STYLE};
use crate::ends::{camera_count, check_video_output, has_display, live_source, say, sink_for, LiveSource};
use crate::stop_flag;

pub fn process_photos(g: &Global, dir: &ModelDir, look: &Look, job: &PhotoJob, timings: bool) -> anyhow::Result<ExitCode> {
    let config = analyser_config(look)?;
    let inputs = capture::list_images(&job.inputs)?;
    let existed = job.output.exists();
    let run = || -> anyhow::Result<ExitCode> {
        pipeline::plan_outputs(&inputs, &job.output, job.view == View::Alpha, job.maps)?;
        check_style(look)?;
        let rt = Runtime::load(runtime_options(g, dir))?;
        let mut analyser = Analyser::open(&rt, dir, config)?;
        let mut stage = open_stage(g)?;
        let report = pipeline::process_photos(&mut analyser, &mut stage, job)?;
        print_report(&report, timings);
        Ok(if report.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) })
    };
    let done = run();
    // The folder made for the outputs is not left behind empty (every photo failed, or the run
    // stopped before the first): only an empty one is removed.
    if !existed && job.output.is_dir() && std::fs::remove_dir(&job.output).is_err() {
        tracing::debug!(path = %job.output.display(), "the output folder is kept: it holds results");
    }
    done
}

pub fn process_video(g: &Global, dir: &ModelDir, a: &ProcessArgs) -> anyhow::Result<ExitCode> {
    let input = a.inputs[0].clone();
    let info = video::probe(&input)?;
    check_style(&a.look)?;
    let sink = sink_for(&a.output, info.fps, (info.width, info.height), Some(&input), matches!(a.look.view, ViewArg::Alpha))?;
    let rt = Runtime::load(runtime_options(g, dir).for_pipeline())?;
    let analyser = styled_analyser(&rt, dir, &a.look, false)?;
    let mut stage = open_stage(g)?;
    let opts = VideoOptions { progress: true, ..video_options(&a.look, &a.flow) };
    let path = input.clone();
    let open: SourceOpener = Box::new(move || Ok(Box::new(video::VideoFile::open(&path, false)?) as Box<dyn Source>));
    let report = run_offline(open, analyser, &mut stage, vec![sink], stop_flag(), info.frames, &opts);
    // Said, not silent: the result is the picture alone.
    if a.output.as_os_str() != "-" && video::has_audio(&input) {
        eprintln!(
            "drape: {} has sound, which drape does not carry: the result is the picture only (to add it back: ffmpeg -i RESULT.mp4 -i {} -map 0:v -map 1:a -c:v copy WITH_SOUND.mp4)",
            input.display(),
            input.display()
        );
    }
    finish_video(report)
}

pub fn finish_video(report: VideoReport) -> anyhow::Result<ExitCode> {
    // The reader of --stdout went away (`| head`): done, quietly, as other Unix tools are; a
    // recording made beside it is still named.
    let reader_gone = matches!(report.error, Some(drape::error::Error::ReaderGone));
    let s = &report.summary;
    for f in &report.outputs {
        match &f.path {
            Some(p) => say(format!("wrote {} ({})", p.display(), f.what)),
            None if !reader_gone => eprintln!("drape: {}", f.what),
            None => {}
        }
    }
    if reader_gone {
        tracing::info!("the reader of stdout went away; stopping");
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("drape: {} frames in {:.1} s ({:.1} fps), {} analyses ({:.1} per second)", s.composited, s.seconds, s.output_fps(), s.analysed, s.analysis_fps());
    match report.error {
        Some(e) => Err(e.into()),
        None if report.interrupted => {
            eprintln!("drape: stopped by Ctrl-C");
            Ok(ExitCode::from(130))
        }
        None => Ok(ExitCode::SUCCESS),
    }
}

pub fn live(g: &Global, dir: &ModelDir, a: LiveArgs) -> anyhow::Result<ExitCode> {
    // Checked before anything starts, for the window too, which records through its own sink
    // (the headless sink_for below repeats the check; it is two path lookups).
    if let Some(r) = &a.record {
        check_video_output(r, a.input.as_deref(), matches!(a.look.view, ViewArg::Alpha))?;
    }
    // Checked before anything starts: a bad URL or device is the user's to fix now.
    let mut live_outs = Vec::new();
    if let Some(u) = &a.stream {
        live_outs.push(LiveTarget::stream(u)?);
    }
    if let Some(d) = &a.virtual_camera {
        live_outs.push(LiveTarget::virtual_camera(d)?);
    }
    let headless_output = a.record.is_some() || a.stdout || !live_outs.is_empty();
    if a.no_window && !headless_output {
        anyhow::bail!("live --no-window writes nothing without an output: give --record FILE.mp4 or --stdout");
    }
    let window = !a.no_window && !a.stdout;
    if window && !has_display() {
        if !headless_output {
            anyhow::bail!("no display for the mirror window (DISPLAY and WAYLAND_DISPLAY are unset): give --record FILE.mp4 or --stdout to run without one");
        }
        eprintln!("drape: no display; running without the window");
    }
    check_style(&a.look)?;
    if window && has_display() {
        return mirror(g, dir, a, live_outs);
    }
    let LiveSource { open, fps, size, .. } = live_source(&a, a.looping)?;
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    if let Some(r) = &a.record {
        sinks.push(sink_for(r, fps, size, a.input.as_deref(), matches!(a.look.view, ViewArg::Alpha))?);
    }
    if a.stdout {
        sinks.push(sink_for(Path::new("-"), fps, size, None, true)?);
    }
    for t in live_outs {
        sinks.push(Box::new(LiveSink::new(t, fps)));
    }
    let rt = Runtime::load(runtime_options(g, dir).for_live())?;
    let analyser = styled_analyser(&rt, dir, &a.look, !a.flow.no_follow)?;
    let mut stage = open_stage(g)?;
    let opts = VideoOptions { max_frames: a.frames, record_rate: Some(fps), ..video_options(&a.look, &a.flow) };
    let report = run_live(open, analyser, &mut stage, sinks, stop_flag(), &opts, |_, _, _| {});
    let code = finish_video(report)?;
    // Ctrl-C is how a live recording ends: that is success.
    Ok(if code == ExitCode::from(130) { ExitCode::SUCCESS } else { code })
}

/// The mirror window on a camera or a file (files loop: a mirror keeps running).
pub fn mirror(g: &Global, dir: &ModelDir, a: LiveArgs, live_outs: Vec<LiveTarget>) -> anyhow::Result<ExitCode> {
    use drape::window::controls::{self, Controls};
    let LiveSource { open, fps, size, camera } = live_source(&a, true)?;
    let mut extra = Vec::new();
    if let Some(d) = &a.styles {
        extra.extend(capture::list_images(std::slice::from_ref(d))?.into_iter().map(StyleSpec::Image));
    }
    if matches!(a.look.style, StyleSpec::Image(_)) {
        extra.insert(0, a.look.style.clone());
    }
    let mirror = if a.no_mirror { false } else { a.mirror || camera };
    let ctl = Controls::new(controls::gallery(&extra), &a.look.style, a.look.parts, a.look.strength, a.look.view.into(), mirror);
    drape::output::ensure_writable_dir(&a.save_to)?;
    let rt = Runtime::load(runtime_options(g, dir).for_live())?;
    let analyser = styled_analyser(&rt, dir, &a.look, !a.flow.no_follow)?;
    let opts = drape::window::MirrorOptions {
        open,
        analyser,
        compositor: g.compositor.into(),
        controls: ctl,
        feather: a.look.feather,
        analyse_every: a.flow.analyse_every,
        source_size: size,
        fps,
        window_size: a.window_size,
        fullscreen: a.fullscreen,
        record: a.record.clone(),
        save_dir: a.save_to.clone(),
        provider: Provider::from(g.ep).to_string(),
        each_second: print_second(a.flow.stats),
        stop: stop_flag(),
        max_frames: a.frames,
        live_outs,
    };
    let report = drape::window::run(opts)?;
    for path in &report.saved {
        say(format!("saved {}", path.display()));
    }
    let s = &report.summary;
    eprintln!(
        "drape: presented {} frames in {:.1} s ({:.1} fps), {} analyses ({:.1} per second)",
        s.presented,
        s.seconds,
        s.presented as f64 / s.seconds.max(1e-9),
        s.analysed,
        s.analysis_fps()
    );
    match report.error {
        Some(e) => Err(e.into()),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// What `drape` with no command does: the mirror window on the default camera, or on the bundled
/// example clip when there is no camera; with no display at all, the clip recorded to a file.
pub fn first_run(g: &Global, dir: &ModelDir) -> anyhow::Result<ExitCode> {
    let clip = dir.example_clip_path();
    let have_camera = cfg!(feature = "camera") && camera_count() > 0;
    if !have_camera && !clip.is_file() {
        anyhow::bail!("{}: the bundled example clip is missing; run `bash models/setup.sh`", clip.display());
    }
    if has_display() {
        if let Some(why) = finds_no_one(dir) {
            say(why);
        }
        let mut argv = vec!["drape".to_string()];
        if !have_camera {
            say(format!("No camera found; showing the bundled example clip ({}). Press H for help, Q to quit.", clip.display()));
            argv.extend(["--input".to_string(), clip.display().to_string()]);
        } else {
            say("Opening camera 0. Press H for help, Q to quit.");
        }
        return mirror(g, dir, parse_args::<LiveArgs>(&argv), Vec::new());
    }
    let out = PathBuf::from("out").join("astronaut_sway.drape.mp4");
    say("No display here, so drape records the bundled example clip instead of opening the mirror window.");
    let argv = ["drape", &clip.display().to_string(), "-o", &out.display().to_string(), "--analyse-every", "2"];
    let a = parse_args::<ProcessArgs>(&argv);
    let no_one = finds_no_one(dir);
    if let Some(why) = &no_one {
        say(why);
    }
    let code = process_video(g, dir, &a)?;
    if code == ExitCode::SUCCESS {
        if no_one.is_some() {
            say(format!("The example clip is recorded with nothing restyled (no pose models): {}", out.display()));
        } else {
            say(format!("The example clip's clothes are restyled in {DEFAULT_STYLE}: {}", out.display()));
            say("On a desktop, `cargo run --release` opens the mirror window; `cargo run --release -- demo` restyles the example photo.");
        }
    }
    Ok(code)
}

/// Why nothing will be restyled, where the pose models are missing: the garment rules find people
/// by them (only people wear garments), and a checkout with no ../shared beside it has none.
fn finds_no_one(dir: &ModelDir) -> Option<String> {
    let missing: Vec<String> = ["pose_detection", "pose_landmark"]
        .into_iter()
        .filter(|m| !dir.exists(m))
        .map(|m| dir.model_path(m))
        .map(|p| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned()))
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "drape finds people with the pose models, and {} {} not in {}: nothing is restyled. Put the models in a folder and run `DRAPE_MODELS_FROM=FOLDER bash models/setup.sh` (set-up takes them from ../shared/models when there is one).",
            missing.join(" and "),
            if missing.len() > 1 { "are" } else { "is" },
            dir.root.display()
        )
    })
}

pub fn cameras() -> anyhow::Result<ExitCode> {
    #[cfg(feature = "camera")]
    {
        let list = match drape::capture::camera::list() {
            Ok(l) => l,
            Err(e) => {
                say(format!("No cameras found ({}). Use `drape live --input FILE` to run on a video instead.", e.report()));
                return Ok(ExitCode::SUCCESS);
            }
        };
        if list.is_empty() {
            say("No cameras found. Use `drape live --input FILE` to run on a video instead.");
        }
        for c in list {
            say(format!("camera {}: {}", c.index, c.name));
            for f in c.formats {
                say(format!("  {f}"));
            }
        }
    }
    #[cfg(not(feature = "camera"))]
    say("This drape was built without the `camera` feature; no cameras can be listed.");
    Ok(ExitCode::SUCCESS)
}

pub fn print_report(report: &Report, timings: bool) {
    for w in &report.written {
        match &w.maps {
            Some(m) => say(format!("wrote {} (maps: {})", w.result.display(), m.display())),
            None => say(format!("wrote {}", w.result.display())),
        }
        if timings {
            for (stage, ms) in &w.timings {
                say(format!("  {stage:<28} {ms:>8.1} ms"));
            }
        }
    }
    for e in &report.failed {
        eprintln!("drape: error: {}", e.report());
    }
}

pub fn demo(g: &Global, dir: &ModelDir, output: PathBuf) -> anyhow::Result<ExitCode> {
    let example = dir.example_path();
    if !example.is_file() {
        anyhow::bail!("{}: the bundled example is missing; run `bash models/setup.sh`", example.display());
    }
    let look = Look::parse_default();
    let job = PhotoJob {
        inputs: vec![example],
        output: output.clone(),
        style: look.style.clone(),
        parts: PartSet::ALL,
        strength: 1.0,
        preserve_colour: false,
        view: View::Result,
        feather: 0.0,
        maps: true,
    };
    let no_one = finds_no_one(dir);
    if let Some(why) = &no_one {
        say(why);
    }
    let code = process_photos(g, dir, &look, &job, false).context("restyling the bundled example")?;
    if code == ExitCode::SUCCESS {
        if no_one.is_some() {
            say("The example photo is written with nothing restyled (no pose models).");
        } else {
            say(format!("The example photo's clothes are restyled in {DEFAULT_STYLE}; open the files above to see them."));
            say("Try your own: cargo run --release -- process PHOTO.jpg -o out/ --style STYLE.jpg --parts upper");
        }
    }
    Ok(code)
}
