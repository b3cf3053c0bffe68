//! Outputs: a full disk, an output that is the input, drape's own names, two writers, a reader
//! that goes away, recordings that keep real time.

use super::*;

/// ffmpeg reports a failed write and exits 0 (as it does on ENOSPC): drape must not trust the exit
/// status, must not rename the file to its final name, and must say the disk is full.
#[test]
fn an_encoder_that_fails_quietly_is_an_error_and_no_final_file_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let clip = pattern_clip(dir.path(), "in.mp4", 4, (160, 120), 10, &[]);
    let shim = dir.path().join("bin");
    std::fs::create_dir(&shim).unwrap();
    // The decoder is the real ffmpeg; the encoder (libx264) swallows its input and reports a full
    // disk, exit 0, as ffmpeg 5 and 6 do.
    let path = path_with_ffmpeg(
        &shim,
        r#"case "$*" in *libx264*) for a in "$@"; do last="$a"; done; printf 'x' > "$last"; cat > /dev/null; echo "Error writing trailer of $last: No space left on device" >&2; exit 0;; esac
exec REAL_FFMPEG "$@""#,
    );
    let out = dir.path().join("out.mp4");
    let o = drape_env(&["process", s(&clip), "-o", s(&out)], &[("PATH", &path)]);
    assert_clean_failure(&o, "the disk is full");
    assert!(!out.exists(), "nothing may be left under the final name");
    assert!(dir.path().join("out.partial.mp4").exists(), "what was written is kept under the partial name");
}

/// The real thing where this machine lets a test mount a small tmpfs (root, as CI is): filled, then
/// written to by `process`.
#[test]
fn a_full_disk_during_a_video_write_is_an_error_not_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", "size=1m", "tmpfs", s(&mnt)]).stderr(Stdio::null()).status().is_ok_and(|st| st.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (not root); the quiet encoder test covers the sink");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
        }
    }
    let _guard = Unmount(&mnt);
    // Fill it to within a few kilobytes.
    let _ = Command::new("sh").args(["-c", &format!("head -c 1040000 /dev/zero > {}/fill", s(&mnt))]).status();
    let clip = pattern_clip(dir.path(), "in.mp4", 20, (320, 240), 10, &["-c:v", "libx264", "-crf", "0"]);
    let out = mnt.join("out.mp4");
    let o = drape(&["process", s(&clip), "-o", s(&out)]);
    assert_clean_failure(&o, "the disk is full");
    assert!(!out.exists(), "nothing may be left under the final name");
}

// 2. Rotated inputs (EXIF orientation is held to in capture's unit tests).

#[test]
fn an_output_that_is_the_input_is_refused_and_the_input_kept() {
    let dir = tempfile::tempdir().unwrap();
    // A photo written over itself.
    let photo_in = dir.path().join("me.jpg");
    std::fs::copy(photo("p3_portrait_suit_tfjs.jpg"), &photo_in).unwrap();
    let before = bytes(&photo_in);
    let o = drape(&["process", s(&photo_in), "-o", s(&photo_in)]);
    assert_clean_failure(&o, "would overwrite the input");
    assert_eq!(bytes(&photo_in), before);
    // A folder processed into itself.
    let o = drape(&["process", s(dir.path()), "-o", s(dir.path())]);
    assert_clean_failure(&o, "would overwrite the input");
    assert_eq!(bytes(&photo_in), before);
    // A clip written over itself, by another spelling of its path.
    let clip = pattern_clip(dir.path(), "clip.mp4", 3, (160, 120), 10, &[]);
    let before = bytes(&clip);
    let other_spelling = dir.path().join(".").join("clip.mp4");
    let o = drape(&["process", s(&clip), "-o", s(&other_spelling)]);
    assert_clean_failure(&o, "would overwrite the input");
    assert_eq!(bytes(&clip), before);
    assert!(!dir.path().join("clip.partial.mp4").exists());
    // A live recording of a file into that file.
    let o = drape(&["live", "--input", s(&clip), "--no-window", "--record", s(&clip)]);
    assert_clean_failure(&o, "would overwrite the input");
    assert_eq!(bytes(&clip), before);
}

// 12. drape's own names: the `.partial` name a file is written under and the `.maps.png`
// figure beside a photo's result are outputs too; none may land on an input or on another output.

#[test]
fn drape_s_own_names_never_land_on_an_input_or_on_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let suit = photo("p3_portrait_suit_tfjs.jpg");
    // The maps figure of x.png is x.maps.png, the input (row 1).
    let maps_in = d.join("x.maps.png");
    std::fs::copy(&suit, &maps_in).unwrap();
    let before = bytes(&maps_in);
    let o = drape(&["process", s(&maps_in), "-o", s(&d.join("x.png")), "--maps"]);
    assert_clean_failure(&o, "x.maps.png");
    assert_eq!(bytes(&maps_in), before, "the input is kept");
    // a.png is written as a.partial.png, the input (row 2).
    let partial_in = d.join("a.partial.png");
    std::fs::copy(&suit, &partial_in).unwrap();
    let before = bytes(&partial_in);
    let o = drape(&["process", s(&partial_in), "-o", s(&d.join("a.png"))]);
    assert_clean_failure(&o, "a.partial.png");
    assert_eq!(bytes(&partial_in), before, "the input is kept");
    assert!(!d.join("a.png").exists());
    // v.mp4 is encoded into v.partial.mp4 while the input is decoded (row 3), by `process` and
    // by a live recording.
    let clip = pattern_clip(d, "v.partial.mp4", 3, (160, 120), 10, &[]);
    let before = bytes(&clip);
    let o = drape(&["process", s(&clip), "-o", s(&d.join("v.mp4"))]);
    assert_clean_failure(&o, "v.partial.mp4");
    assert_eq!(bytes(&clip), before, "the clip is kept");
    let o = drape(&["live", "--input", s(&clip), "--no-window", "--record", s(&d.join("v.mp4"))]);
    assert_clean_failure(&o, "v.partial.mp4");
    assert_eq!(bytes(&clip), before, "the clip is kept");
    // Two inputs of one folder whose outputs meet: a.jpg's maps figure is a.maps.png's result
    // (row 4); b.png is written through b.partial.png, another input's result (row 5).
    for (names, needle) in [(["a.jpg", "a.maps.png"], "a.maps.png"), (["b.png", "b.partial.png"], "b.partial.png")] {
        let folder = d.join(format!("in_{}", &names[0][..1]));
        std::fs::create_dir(&folder).unwrap();
        for n in names {
            std::fs::copy(&suit, folder.join(n)).unwrap();
        }
        let out = d.join(format!("out_{}", &names[0][..1]));
        let o = drape(&["process", s(&folder), "-o", s(&out), "--maps"]);
        assert_clean_failure(&o, needle);
        assert!(!out.exists(), "nothing written: {:?}", std::fs::read_dir(&out).map(|r| r.count()));
    }
}

/// Every photo failing into a folder the run made leaves no empty folder behind (row 17).
#[test]
fn photos_that_all_fail_leave_no_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jpg");
    std::fs::write(&bad, b"not a jpeg").unwrap();
    let out = dir.path().join("new_out");
    let o = drape(&["process", s(&bad), "-o", s(&out)]);
    assert_clean_failure(&o, "bad.jpg");
    assert!(!out.exists(), "an empty folder was left behind");
}

// 13. Paths that read as ffmpeg protocols.

/// Row 10: PNG frames into a folder that holds a longer earlier run: frames past the new clip's
/// end were the old clip's, read as part of the new one. The folder now holds this run's frames
/// only, and never at the cost of an input.
#[test]
fn png_frames_replace_an_earlier_longer_run_and_never_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let long = pattern_clip(dir.path(), "long.mp4", 6, (96, 64), 10, &[]);
    let short = pattern_clip(dir.path(), "short.mp4", 3, (96, 64), 10, &[]);
    let out = dir.path().join("frames");
    let frames = || {
        let mut n: Vec<String> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        n.sort();
        n
    };
    let o = drape(&["process", s(&long), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(frames().len(), 6, "{:?}", frames());
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let o = drape(&["process", s(&short), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(frames(), ["frame_000001.png", "frame_000002.png", "frame_000003.png", "notes.txt"]);
    // A run that fails before its first frame (here a damaged model) leaves the earlier frames.
    let damaged = models_with_damaged(&dir.path().join("m"), "pan_skin_clothes_hair.onnx", |b| {
        let mid = b.len() / 2;
        b[mid] ^= 0x5a;
    });
    let o = drape(&["--models", s(&damaged), "process", s(&long), "-o", s(&out)]);
    assert_clean_failure(&o, "pan_skin_clothes_hair.onnx");
    assert_eq!(frames().len(), 4, "{:?}", frames());
    // A frame of the earlier run as the input, recorded into its own folder: refused, kept.
    let input = out.join("frame_000002.png");
    let before = bytes(&input);
    let o = drape(&["live", "--input", s(&input), "--no-window", "--frames", "2", "--record", s(&out)]);
    assert_clean_failure(&o, "frame_000002.png");
    assert_eq!(bytes(&input), before);
    assert_eq!(frames().len(), 4);
}

#[test]
fn an_output_named_like_a_file_drape_cannot_write_is_refused_not_made_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let p = photo("p3_portrait_suit_tfjs.jpg");
    let clip = pattern_clip(dir.path(), "clip.mp4", 3, (160, 120), 10, &[]);
    let cases: [(&Path, &str); 4] = [(&p, "x.webp"), (&p, "img.mp4"), (&clip, "frame.png"), (&clip, "frames.gif")];
    for (input, name) in cases {
        let out = dir.path().join(name);
        let o = drape(&["process", s(input), "-o", s(&out)]);
        assert_clean_failure(&o, name);
        assert!(!out.exists(), "{} was made", out.display());
    }
    // Two photos into one file name.
    let out = dir.path().join("both.png");
    let o = drape(&["process", s(&p), s(&photo("Two_dancers.jpg")), "-o", s(&out)]);
    assert_clean_failure(&o, "2 inputs need a folder");
    assert!(!out.exists());
    // A folder with a dot in its name that exists is a folder.
    let dotted = dir.path().join("run.v2");
    std::fs::create_dir(&dotted).unwrap();
    let o = drape(&["process", s(&p), "-o", s(&dotted)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dotted.join("p3_portrait_suit_tfjs.jpg").is_file());
}

/// Also seen in issue 33: `-o x.png/` failed after the work (the slash says folder), and `-o -`
/// for a photo made a folder named `-`.
#[test]
fn a_trailing_slash_is_a_folder_and_a_dash_is_no_photo_output() {
    let dir = tempfile::tempdir().unwrap();
    let p = photo("p3_portrait_suit_tfjs.jpg");
    let slashed = format!("{}/x.png/", dir.path().display());
    let o = drape(&["process", s(&p), "-o", &slashed]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("x.png").join("p3_portrait_suit_tfjs.jpg").is_file());
    let o = Command::new(env!("CARGO_BIN_EXE_drape")).current_dir(dir.path()).args(["process", s(&p), "-o", "-"]).output().unwrap();
    assert_clean_failure(&o, "-:");
    assert!(!dir.path().join("-").exists(), "a folder named - was made");
    assert!(o.stdout.is_empty());
}

/// Also seen in issue 33: a clip's sound was dropped without a word.
#[test]
fn a_clip_s_sound_that_is_not_carried_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("talk.mp4");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=10", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000"])
        .args(["-frames:v", "3", "-t", "0.3", "-c:a", "aac"])
        .arg(&clip)
        .status()
        .unwrap();
    assert!(made.success());
    let out = dir.path().join("out.mp4");
    let o = drape(&["process", s(&clip), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("talk.mp4 has sound"), "{}", stderr(&o));
    // A clip without sound gets no such line.
    let quiet = pattern_clip(dir.path(), "quiet.mp4", 3, (96, 64), 10, &[]);
    let o = drape(&["process", s(&quiet), "-o", s(&out)]);
    assert!(o.status.success() && !stderr(&o).contains("sound"), "{}", stderr(&o));
}

/// Row 16: a headless live recording of a 4K file, stopped with Ctrl-C: it took 41.5 s to stop
/// after 20 s of recording and the take held 21.1 s; after 6 s, 10.8 s to stop and a take of
/// 5.4 s. Each composited frame went to the encoder once per frame slot it covered (30 and more
/// copies of 33 MB at 4K), and the queue of copies held the compositor back and the stop up.
/// Frames now go with their times: the stop is prompt and the take lasts as long as the
/// recording did.
#[test]
fn a_4k_live_recording_stops_promptly_and_keeps_real_time() {
    let dir = tempfile::tempdir().unwrap();
    let clip = pattern_clip(dir.path(), "4k.mp4", 30, (3840, 2160), 30, &["-c:v", "libx264", "-preset", "ultrafast"]);
    let rec = dir.path().join("rec.mp4");
    let partial = dir.path().join("rec.partial.mp4");
    let launched = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_drape"))
        .args(["live", "--input", s(&clip), "--loop", "--no-window", "--record", s(&rec)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Under way once the encoder has written into the file (it is made before the models load).
    let mut data = None;
    for _ in 0..1200 {
        if std::fs::metadata(&partial).is_ok_and(|m| m.len() > 0) {
            data = Some(std::time::Instant::now());
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let data = data.expect("the recording started");
    std::thread::sleep(std::time::Duration::from_secs(8));
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let signalled = std::time::Instant::now();
    let status = child.wait().unwrap();
    let stopping = signalled.elapsed().as_secs_f64();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "{status:?}: {err}");
    let recorded = (signalled - data).as_secs_f64();
    let since_launch = (signalled - launched).as_secs_f64();
    let probe = Command::new("ffprobe").args(["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"]).arg(&rec).output().unwrap();
    let take: f64 = String::from_utf8_lossy(&probe.stdout).trim().parse().unwrap_or(0.0);
    // The take covers at least the time the file was known to be recording, and no more than
    // drape ran; stopping takes less than the recording did.
    assert!(take >= recorded && take <= since_launch + 1.0, "take {take:.1} s; recording for {recorded:.1} s, {since_launch:.1} s since launch; {err}");
    assert!(stopping < recorded, "{stopping:.1} s to stop after {recorded:.1} s of recording");
}

// 4. Two writers.

#[test]
fn a_second_drape_writing_the_same_output_is_refused_and_the_first_finishes_whole() {
    let dir = tempfile::tempdir().unwrap();
    let clip = pattern_clip(dir.path(), "clip.mp4", 12, (320, 240), 10, &[]);
    let out = dir.path().join("out.mp4");
    let first =
        Command::new(env!("CARGO_BIN_EXE_drape")).args(["process", s(&clip), "-o", s(&out)]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    assert!(appears(&dir.path().join("out.partial.mp4"), 60), "the first drape started writing");
    let second = drape(&["process", s(&clip), "-o", s(&out)]);
    assert_clean_failure(&second, "another drape is writing this output now");
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert_eq!(ffprobe(&out).0, 12, "the first drape's file is whole");
    // The same for a folder of PNG frames.
    let frames = dir.path().join("frames");
    let first =
        Command::new(env!("CARGO_BIN_EXE_drape")).args(["process", s(&clip), "-o", s(&frames)]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    assert!(appears(&frames.join("frame_000001.png"), 60), "the first drape started writing");
    let second = drape(&["process", s(&clip), "-o", s(&frames)]);
    assert_clean_failure(&second, "another drape is writing this output now");
    assert!(first.wait_with_output().unwrap().status.success());
    assert_eq!(std::fs::read_dir(&frames).unwrap().count(), 12);
}

/// Also seen in issue 33: two drapes writing one photo were not locked. The lock is held for the
/// run, on `NAME.partial.EXT` for one photo and on the folder for many; here the test holds it,
/// as a first drape would.
#[test]
fn a_second_drape_writing_the_same_photo_output_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = photo("p3_portrait_suit_tfjs.jpg");
    let out = dir.path().join("x.png");
    let held = std::fs::File::create(dir.path().join("x.partial.png")).unwrap();
    held.try_lock().unwrap();
    let o = drape(&["process", s(&p), "-o", s(&out)]);
    assert_clean_failure(&o, "another drape is writing this output now");
    assert!(!out.exists());
    drop(held);
    let folder = dir.path().join("many");
    std::fs::create_dir(&folder).unwrap();
    let held = std::fs::File::open(&folder).unwrap();
    held.try_lock().unwrap();
    let o = drape(&["process", s(&p), s(&photo("Two_dancers.jpg")), "-o", s(&folder)]);
    assert_clean_failure(&o, "another drape is writing this output now");
    drop(held);
    // Unlocked: written, and no lock file left beside the result.
    let o = drape(&["process", s(&p), "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.is_file() && !dir.path().join("x.partial.png").exists());
}

// 5. A reader of --stdout that goes away.

/// `drape ... --stdout | head -c 1000`: drape ends at once, quietly, with status 0.
#[test]
fn a_stdout_reader_that_goes_away_ends_drape_at_once_and_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let clip = pattern_clip(dir.path(), "clip.mp4", 30, (320, 240), 10, &[]);
    for args in [vec!["live", "--input", s(&clip), "--loop", "--no-window", "--stdout"], vec!["process", s(&clip), "-o", "-"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_drape")).args(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = vec![0u8; 1000];
        std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
        let started = std::time::Instant::now();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(started.elapsed().as_secs() < 20, "{args:?}: drape ran on for {:?} after its reader left", started.elapsed());
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("error") && !err.contains("panicked"), "{args:?}: {err}");
    }
}

/// A stdout that carries frames carries nothing else: the `wrote ...` line of a recording made
/// beside it goes to stderr (rows 6 and 7: it was appended to the raw stream, and with the reader
/// gone, printing it panicked).
#[test]
fn a_stdout_that_carries_frames_carries_only_frames() {
    let dir = tempfile::tempdir().unwrap();
    let clip = pattern_clip(dir.path(), "clip.mp4", 6, (64, 48), 10, &[]);
    let rec = dir.path().join("r.mp4");
    let o = drape(&["live", "--input", s(&clip), "--no-window", "--stdout", "--record", s(&rec), "--frames", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let frame = 64 * 48 * 4;
    assert!(!o.stdout.is_empty() && o.stdout.len().is_multiple_of(frame), "whole raw RGBA frames and nothing else: {} bytes", o.stdout.len());
    assert!(stderr(&o).contains("wrote "), "the recording is still named, on stderr: {}", stderr(&o));
    // The reader leaves while the recording goes on: the recording is finished and named.
    let rec = dir.path().join("r2.mp4");
    let mut child = Command::new(env!("CARGO_BIN_EXE_drape"))
        .args(["live", "--input", s(&clip), "--loop", "--no-window", "--stdout", "--record", s(&rec)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = vec![0u8; frame * 2];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(&format!("wrote {}", rec.display())), "{err}");
    assert!(rec.is_file());
}

// 6. Damaged video.

#[test]
fn headless_live_with_no_output_is_refused() {
    let p = photo("p3_portrait_suit_tfjs.jpg");
    let o = drape(&["live", "--input", s(&p), "--no-window"]);
    assert_clean_failure(&o, "give --record FILE.mp4 or --stdout");
}

// 11. Headless recordings keep real time.

/// A 30 fps source composited at about 10 fps (a slow machine): the recording still holds 30
/// frames per second of wall time, the composited frames repeated as the window's recordings are.
#[test]
fn a_headless_recording_keeps_the_source_clock_when_compositing_falls_behind() {
    use drape::compositing::{cpu::CpuCompositor, Compositor, Params, Stage};
    use drape::pipeline::live::run_live;
    use drape::pipeline::video::{SourceOpener, VideoOptions};
    use std::sync::atomic::AtomicBool;
    use std::sync::{Arc, Mutex};
    let collected = Arc::new(Mutex::new(Vec::new()));
    let open: SourceOpener =
        Box::new(|| Ok(Box::new(common::video::Numbered { n: 0, total: 600, rate: 30.0, size: (32, 24) }) as Box<dyn drape::capture::Source>));
    let analyser = common::video::SlowAnalyser { delay: std::time::Duration::from_millis(5), calls: Arc::new(Mutex::new(0)) };
    let mut stage = Stage::new(Compositor::Cpu(CpuCompositor::default()));
    let started = std::time::Instant::now();
    let mut first: Option<std::time::Instant> = None;
    let opts = VideoOptions { params: Params::default(), record_rate: Some(30.0), max_frames: Some(20), ..VideoOptions::default() };
    let report = run_live(
        open,
        Box::new(analyser),
        &mut stage,
        vec![Box::new(common::video::Collect(collected.clone()))],
        Arc::new(AtomicBool::new(false)),
        &opts,
        |_, _, _| {
            first.get_or_insert_with(std::time::Instant::now);
            // A slow compositor: about 10 frames a second.
            std::thread::sleep(std::time::Duration::from_millis(100));
        },
    );
    assert!(report.error.is_none(), "{:?}", report.error);
    let wall = first.map_or(0.0, |f| f.elapsed().as_secs_f64());
    let written = collected.lock().unwrap().len() as f64;
    assert!(started.elapsed().as_secs() < 30);
    // 20 composited frames over about 2 s of wall time: about 60 written, not 20. The source
    // holds 20 s, so a loaded machine that composites slower still has source frames to keep
    // time with (with 2 s of source, a run slowed to 2.6 s wrote only the 58 there were).
    assert!(written > 0.75 * wall * 30.0 && written < 1.25 * wall * 30.0 + 2.0, "{written} frames written for {wall:.2} s at 30 fps");
}
