//! Video end to end: real clips through the offline pipeline (counted with ffprobe), a clip with
//! a corrupt tail, Ctrl-C during a live recording, and frames kept in order.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::video::*;
use common::*;
use drape::capture::Source;
use drape::compositing::{cpu::CpuCompositor, Compositor, Params, Stage};
use drape::pipeline::video::{run_offline, SourceOpener, VideoOptions};

fn clip(name: &str) -> PathBuf {
    testdata().join("clips").join(name)
}

const C1: &str = "c1_two_adults_upperbody_intel_headpose_270p.mp4";
const A1: &str = "a1_webcam_upperbody_orange_hoodie_intel_asl.mp4";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Frames of a video as RGBA at w x h, through ffmpeg.
fn frames(path: &Path, w: u32, h: u32) -> Vec<Vec<u8>> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-vf", &format!("scale={w}:{h}"), "-f", "rawvideo", "-pix_fmt", "rgba", "-"])
        .output()
        .unwrap();
    out.stdout.chunks((w * h * 4) as usize).map(|c| c.to_vec()).collect()
}

#[test]
fn offline_clip_keeps_every_frame_at_its_rate_and_restyles_only_the_people() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.mp4");
    let o = drape(&["process", s(&clip(C1)), "-o", s(&out), "--analyse-every", "3", "--compositor", "cpu", "--style", "builtin:5"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (n_in, fps_in) = ffprobe(&clip(C1));
    let (n_out, fps_out) = ffprobe(&out);
    assert_eq!(n_out, n_in, "every frame written");
    assert!((fps_out - fps_in).abs() < 1e-6, "{fps_out} vs {fps_in}");
    // Restyled pixels lie on the people: the two figures stand in the middle 80% of the width
    // and the lower 85% of the height; the wall above and beside them stays as it was.
    let (w, h) = (120, 68);
    let (a, b) = (frames(&clip(C1), w, h), frames(&out, w, h));
    let (mut changed, mut changed_outside) = (0, 0);
    for (fa, fb) in a.iter().zip(&b) {
        for y in 0..h {
            for x in 0..w {
                let i = ((y * w + x) * 4) as usize;
                let d = (0..3).map(|c| fa[i + c].abs_diff(fb[i + c])).max().unwrap();
                if d > 40 {
                    changed += 1;
                    let near_people = y as f32 > 0.4 * h as f32;
                    changed_outside += !near_people as u32;
                }
            }
        }
    }
    assert!(changed > 500, "little was restyled: {changed}");
    assert!(changed_outside * 100 < changed, "{changed_outside} of {changed} changed pixels are on the wall");
}

#[test]
fn a_file_that_is_no_video_is_called_a_video_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("notes.mp4");
    std::fs::write(&bad, "not a video").unwrap();
    let o = drape(&["process", s(&bad), "-o", s(&dir.path().join("out.mp4"))]);
    assert_clean_failure(&o, "notes.mp4");
    let err = stderr(&o);
    assert!(err.contains("not a readable video"), "{err}");
    assert!(!err.contains("JPEG or PNG"), "a video is not asked to be an image: {err}");
}

#[test]
fn corrupt_tail_keeps_the_good_frames_and_names_the_frame() {
    let dir = tempfile::tempdir().unwrap();
    // Index at the front, then the last third of the bytes overwritten with noise.
    let fixed = dir.path().join("faststart.mp4");
    let st = Command::new("ffmpeg").args(["-v", "error", "-i"]).arg(clip(C1)).args(["-c", "copy", "-movflags", "+faststart"]).arg(&fixed).status().unwrap();
    assert!(st.success());
    let broken = dir.path().join("broken.mp4");
    damaged_tail(&fixed, &broken);
    let out = dir.path().join("out.mp4");
    let o = drape(&["process", s(&broken), "-o", s(&out), "--analyse-every", "4", "--compositor", "cpu"]);
    assert_clean_failure(&o, "broken.mp4");
    let err = stderr(&o);
    assert!(err.contains("at frame"), "{err}");
    let partial = dir.path().join("out.partial.mp4");
    assert!(!out.exists() && partial.is_file(), "the good frames are kept, named partial");
    let (n, _) = ffprobe(&partial);
    let (total, _) = ffprobe(&clip(C1));
    assert!(n > 10 && n < total, "{n} good frames of {total}");
}

/// `drape live` recording `clip` (looped) into `dir/rec.mp4`, in a process group of its own as
/// a terminal's job is, returned once the recording has run for 2 s.
fn live_recording(dir: &Path, clip: &Path) -> std::process::Child {
    use std::os::unix::process::CommandExt;
    let rec = dir.join("rec.mp4");
    let child = Command::new(env!("CARGO_BIN_EXE_drape"))
        .args(["live", "--input", s(clip), "--loop", "--record", s(&rec), "--compositor", "cpu", "--analyse-every", "4"])
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let partial = dir.join("rec.partial.mp4");
    // The partial file is made (and locked) before the models load: the recording is under way
    // once the encoder has written into it.
    for _ in 0..300 {
        if std::fs::metadata(&partial).is_ok_and(|m| m.len() > 0) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    child
}

#[test]
fn sigint_during_a_live_recording_leaves_a_playable_mp4() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = live_recording(dir.path(), &clip(C1));
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert!(status.success(), "Ctrl-C ends a live recording normally: {status:?}");
    let (n, fps) = ffprobe(&dir.path().join("rec.mp4"));
    assert!(n > 5, "{n} frames");
    let (_, source_fps) = ffprobe(&clip(C1));
    assert_eq!(fps, source_fps, "recorded at the source's rate");
}

/// SIGTERM (a service manager) and SIGKILL (the OOM killer): the file left is playable, under
/// its final name or as `rec.partial.mp4` (the encoder, in a group of its own, finalises what it
/// was given when drape's end of the pipe closes).
#[test]
fn sigterm_and_sigkill_during_a_live_recording_leave_a_playable_file() {
    for signal in ["-TERM", "-KILL"] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = live_recording(dir.path(), &clip(C1));
        assert!(Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap().success());
        child.wait().unwrap();
        let (whole, partial) = (dir.path().join("rec.mp4"), dir.path().join("rec.partial.mp4"));
        // The encoder may still be writing the index for a moment after drape is gone.
        for _ in 0..50 {
            if ffprobe(&whole).0 > 0 || ffprobe(&partial).0 > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let n = ffprobe(&whole).0.max(ffprobe(&partial).0);
        assert!(n > 5, "{signal}: {n} playable frames");
    }
}

/// A terminal's Ctrl-C goes to the whole foreground process group: drape's ffmpeg children get
/// it too. The decoder must not die under drape (it did: "decoding stopped at frame 1", exit 2).
#[test]
fn ctrl_c_from_a_terminal_ends_a_live_recording_normally() {
    let dir = tempfile::tempdir().unwrap();
    let child = live_recording(dir.path(), &clip(A1));
    // The group, as the terminal does it: -PGID.
    assert!(Command::new("kill").args(["-INT", "--", &format!("-{}", child.id())]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "Ctrl-C ends a live recording normally: {:?}\n{err}", out.status);
    assert!(!err.contains("decoding stopped"), "{err}");
    assert!(dir.path().join("rec.mp4").is_file() && !dir.path().join("rec.partial.mp4").exists(), "the recording is finalised: {err}");
}

#[test]
fn offline_frames_stay_in_order() {
    let collected = Arc::new(Mutex::new(Vec::new()));
    let open: SourceOpener = Box::new(|| Ok(Box::new(Numbered { n: 0, total: 60, rate: 30.0, size: (16, 8) }) as Box<dyn Source>));
    let analyser = SlowAnalyser { delay: Duration::from_millis(1), calls: Arc::new(Mutex::new(0)) };
    let mut stage = Stage::new(Compositor::Cpu(CpuCompositor::default()));
    // Parts select nothing at (0,0), so the first pixel passes through unchanged.
    let opts = VideoOptions { analyse_every: 7, params: Params::default(), ..VideoOptions::default() };
    let report =
        run_offline(open, Box::new(analyser), &mut stage, vec![Box::new(Collect(collected.clone()))], Arc::new(AtomicBool::new(false)), Some(60), &opts);
    assert!(report.error.is_none(), "{:?}", report.error);
    let got = collected.lock().unwrap().clone();
    assert_eq!(got, (1..=60).map(|v| v as u8).collect::<Vec<_>>());
    assert_eq!(report.summary.analysed, 9, "every 7th of 60 frames");
}

#[test]
fn cameras_without_a_camera_is_a_clear_message() {
    let cameras = std::fs::read_dir("/dev").map(|d| d.flatten().filter(|e| e.file_name().to_string_lossy().starts_with("video")).count()).unwrap_or(0);
    if cameras > 0 {
        eprintln!("skipped: this machine has {cameras} video device(s)");
        return;
    }
    let o = drape(&["cameras"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    // The message for no camera, with what to do instead (not just the word "camera").
    assert!(out.contains("No cameras found") && out.contains("drape live --input FILE"), "{out}");
}

#[test]
fn bench_reports_offline_live_and_style_only_figures() {
    let o = drape(&["bench", "--input", s(&clip(C1)), "--frames", "8", "--json", "--compositor", "cpu"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    assert!(v["offline"]["fps"].as_f64().is_some_and(|f| f > 0.0), "{out}");
    assert!(v["offline"]["stage_ms"]["u2netp"].as_f64().is_some(), "{out}");
    assert!(v["style_only_384_fps"].as_f64().is_some_and(|f| f > 0.0), "{out}");
    let live = &v["live"];
    for key in [
        "output_fps",
        "mask_updates_per_s",
        "full_analyses_per_s",
        "mask_age_ms_p50",
        "mask_age_ms_p95",
        "mask_behind_ms_p50",
        "mask_behind_ms_p95",
        "alpha_iou_vs_offline",
        "latency_ms",
    ] {
        assert!(live[key].as_f64().is_some_and(|f| f >= 0.0), "live.{key} missing: {out}");
    }
    let iou = live["alpha_iou_vs_offline"].as_f64().unwrap_or(-1.0);
    assert!((0.0..=1.0).contains(&iou), "an IoU lies in 0..1: {out}");
    assert!(live["mask_age_ms_p95"].as_f64() >= live["mask_age_ms_p50"].as_f64(), "p95 is not below p50: {out}");
}
