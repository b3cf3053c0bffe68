//! The mirror window end to end under Xvfb (Mesa's lavapipe draws): keys and a click sent with
//! xdotool, screenshots taken with ImageMagick's `import`, and assertions on their pixels.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::video::ffprobe;
use common::*;
use image::RgbImage;

const CLIP: &str = "clips/a1_webcam_upperbody_orange_hoodie_intel_asl.mp4";

/// One window test at a time: side by side they would pick the same free display (and send
/// each other's drape a Q), and two drapes on 2 cores starve the analysis they wait for.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner())
}

/// An Xvfb server on a free display number, stopped on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        let n = (90..200).find(|&n| display_free(n)).expect("a free display number");
        let child = Command::new("Xvfb")
            .args([&format!(":{n}"), "-screen", "0", "1280x720x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb runs; run `bash models/setup.sh` (it installs xvfb, xdotool and imagemagick)");
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let t = Instant::now();
        while !socket.exists() {
            assert!(t.elapsed() < Duration::from_secs(10), "Xvfb did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Xvfb { child, display: format!(":{n}") }
    }

    fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("DISPLAY", &self.display);
        c
    }

    fn xdotool(&self, args: &[&str]) {
        let out = self.cmd("xdotool").args(args).output().expect("xdotool runs");
        assert!(out.status.success(), "xdotool {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn key(&self, key: &str) {
        self.xdotool(&["key", key]);
        std::thread::sleep(Duration::from_millis(300));
    }

    /// `drape live` on the test clip in a 1280x720 window on this display, saving into `dir`
    /// and logging to `log`.
    fn drape_live(&self, dir: &Path, log: &Path) -> Command {
        let mut c = self.cmd(env!("CARGO_BIN_EXE_drape"));
        c.args(["live", "--input"]).arg(testdata().join(CLIP)).args(["--window-size", "1280x720", "--save-to"]).arg(dir);
        c.env("XDG_RUNTIME_DIR", dir).stderr(std::fs::File::create(log).unwrap());
        c
    }

    /// Q, and the exit status it ends with (within 30 s).
    fn quit(&self, drape: &mut Child) -> std::process::ExitStatus {
        self.key("q");
        let t = Instant::now();
        loop {
            if let Some(s) = drape.try_wait().unwrap() {
                return s;
            }
            assert!(t.elapsed() < Duration::from_secs(30), "drape did not quit on Q");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, dir: &Path, name: &str) -> RgbImage {
        let path = dir.join(format!("{name}.png"));
        let out = self.cmd("import").args(["-window", "root"]).arg(&path).output().expect("import runs");
        assert!(out.status.success(), "import: {}", String::from_utf8_lossy(&out.stderr));
        // DRAPE_KEEP_SCREENSHOTS=DIR keeps them to look at.
        if let Ok(keep) = std::env::var("DRAPE_KEEP_SCREENSHOTS") {
            let _ = std::fs::copy(&path, Path::new(&keep).join(format!("{name}.png")));
        }
        image::open(&path).expect("screenshot").to_rgb8()
    }
}

/// No X server holds display `n`: no lock file, or one whose process is gone (a server killed
/// outright leaves its lock behind, and Xvfb itself takes over such a display).
fn display_free(n: u32) -> bool {
    match std::fs::read_to_string(format!("/tmp/.X{n}-lock")) {
        Err(_) => true,
        Ok(pid) => pid.trim().parse::<i32>().is_ok_and(|pid| pid > 0 && unsafe { libc::kill(pid, 0) } != 0),
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        // SIGTERM, so that Xvfb removes its lock and socket; SIGKILL left one lock per test
        // behind, and after enough runs no display from 90 to 199 looked free.
        let terminated = i32::try_from(self.child.id()).is_ok_and(|pid| unsafe { libc::kill(pid, libc::SIGTERM) } == 0);
        if !terminated {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Fraction of pixels in the box (x0, y0, x1, y1) whose largest channel difference exceeds 40.
fn changed(a: &RgbImage, b: &RgbImage, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> f64 {
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let (p, q) = (a.get_pixel(x, y).0, b.get_pixel(x, y).0);
            if (0..3).any(|c| (p[c] as i32 - q[c] as i32).abs() > 40) {
                n += 1;
            }
        }
    }
    n as f64 / ((x1 - x0) * (y1 - y0)) as f64
}

/// The mask view's red tint of a selected upper garment (the hoodie's own orange has more green).
fn is_upper_tint(p: [u8; 3]) -> bool {
    p[0] > 150 && p[1] < 100 && p[2] < 100
}

#[test]
fn the_mirror_window_answers_keys_and_clicks() {
    let _serial = one_at_a_time();
    let x = Xvfb::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("drape.log");
    let stdout_path = dir.path().join("drape.out");
    let mut drape = x
        .drape_live(dir.path(), &log)
        .args(["--parts", "upper", "--stats", "-v"])
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .spawn()
        .expect("drape starts");
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();

    // Wait for the window, then for analyses to arrive (the --stats lines count them).
    let t = Instant::now();
    loop {
        let l = read_log();
        let analysed = l.lines().any(|line| line.contains("analysis ") && !line.contains("analysis 0.0 fps"));
        if analysed {
            break;
        }
        if let Ok(Some(status)) = drape.try_wait() {
            panic!("drape exited early ({status}): {l}");
        }
        assert!(t.elapsed() < Duration::from_secs(120), "no analysis within 2 minutes: {l}");
        std::thread::sleep(Duration::from_millis(250));
    }
    // No window manager gives focus under Xvfb: take it, so xdotool's keys reach the window.
    x.xdotool(&["search", "--sync", "--name", "^drape", "windowfocus", "--sync"]);
    // Hold the frame so every difference below comes from the controls; analysis goes on, on
    // the held frame, and the smoothing settles.
    x.key("space");
    std::thread::sleep(Duration::from_secs(4));
    let frame_box = (160, 0, 1120, 720); // 640x480 fitted into 1280x720
    let result = x.screenshot(dir.path(), "1_result");

    // V: split compare, with its white divider down the middle of the frame.
    x.key("v");
    std::thread::sleep(Duration::from_millis(700));
    let split = x.screenshot(dir.path(), "2_split");
    let divider = (100..700).filter(|&y| split.get_pixel(640, y).0.iter().all(|&c| c > 235) || split.get_pixel(639, y).0.iter().all(|&c| c > 235)).count();
    assert!(divider > 500, "split view: a white divider at x=640 in {divider} of 600 rows");

    // V again: the mask overlay darkens the background and tints the garments.
    x.key("v");
    std::thread::sleep(Duration::from_millis(700));
    let mask = x.screenshot(dir.path(), "3_mask");
    let c = changed(&result, &mask, frame_box);
    assert!(c > 0.3, "mask view changes most of the frame: {c:.2}");
    let tinted: Vec<(u32, u32)> = (0..720).flat_map(|y| (160..1120).map(move |x| (x, y))).filter(|&(x, y)| is_upper_tint(mask.get_pixel(x, y).0)).collect();
    assert!(tinted.len() > 5000, "the upper garment is tinted red: {} pixels", tinted.len());

    // Back to the result view (alpha, then result), and a click on the garment deselects it.
    x.key("v");
    x.key("v");
    std::thread::sleep(Duration::from_millis(700));
    let before = x.screenshot(dir.path(), "4_before_click");
    // Click deep inside the tinted garment: the grid point with the most tinted pixels around it.
    let tint = |x: u32, y: u32| is_upper_tint(mask.get_pixel(x, y).0);
    let (cx, cy) = (180..1100)
        .step_by(10)
        .flat_map(|x| (20..700).step_by(10).map(move |y| (x, y)))
        .filter(|&(x, y)| tint(x, y))
        .max_by_key(|&(x, y)| {
            (x - 20..x + 20).step_by(4).flat_map(|xx| (y - 20..y + 20).step_by(4).map(move |yy| (xx, yy))).filter(|&(xx, yy)| tint(xx, yy)).count()
        })
        .unwrap();
    x.xdotool(&["mousemove", &cx.to_string(), &cy.to_string()]);
    std::thread::sleep(Duration::from_millis(200));
    x.xdotool(&["click", "1"]);
    std::thread::sleep(Duration::from_millis(1500));
    let after = x.screenshot(dir.path(), "5_after_click");
    let garment = tinted.iter().filter(|&&(x, y)| {
        let (p, q) = (before.get_pixel(x, y).0, after.get_pixel(x, y).0);
        (0..3).any(|c| (p[c] as i32 - q[c] as i32).abs() > 40)
    });
    let share = garment.count() as f64 / tinted.len() as f64;
    assert!(share > 0.3, "clicking the restyled garment at ({cx}, {cy}) gives it back its own look: {share:.2} of it changed");
    assert!(read_log().contains("upper as it is"), "the click's notice is logged");

    // H: the help panel over the middle of the window.
    x.key("h");
    std::thread::sleep(Duration::from_millis(700));
    let help = x.screenshot(dir.path(), "6_help");
    let middle = (340, 200, 940, 520);
    let c = changed(&after, &help, middle);
    assert!(c > 0.3, "help overlay covers the middle: {c:.2}");
    x.key("h");

    // R, three seconds, R: a playable MP4 about three seconds long.
    x.key("r");
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(3));
    x.key("r");
    let wall = started.elapsed().as_secs_f64();
    let t = Instant::now();
    let saved = loop {
        let l = read_log();
        if let Some(p) = l.lines().find_map(|l| l.split("notice: saved ").nth(1).filter(|p| p.trim_end().ends_with(".mp4"))) {
            break PathBuf::from(p.trim_end());
        }
        assert!(t.elapsed() < Duration::from_secs(30), "no recording saved: {l}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let (frames, fps) = ffprobe(&saved);
    let seconds = frames as f64 / fps;
    eprintln!("recording: {frames} frames at {fps} fps = {seconds:.2} s for {wall:.2} s of wall time");
    assert!((fps - 30.0).abs() < 0.01, "recorded at the clip's rate: {fps}");
    assert!((seconds - wall).abs() < 1.0, "recording length {seconds:.2} s for {wall:.2} s between the two R presses");

    // Q: a clean exit.
    let status = x.quit(&mut drape);
    let l = read_log();
    assert_eq!(status.code(), Some(0), "exit status; log: {l}");
    assert!(!l.contains("panicked"), "{l}");
    let out = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    assert!(out.lines().any(|l| l == format!("saved {}", saved.display())), "the files saved are listed on stdout at the end: {out}");
}

#[test]
fn the_mirror_window_shows_a_failed_analysis_and_keeps_going() {
    let _serial = one_at_a_time();
    let x = Xvfb::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("drape.log");
    // STAND-IN fault: from the second analysis on, every analysis fails.
    let mut drape = x.drape_live(dir.path(), &log).env("DRAPE_FAULT_ANALYSIS_AT", "2").spawn().expect("drape starts");
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    let t = Instant::now();
    while read_log().matches("trying again").count() < 2 {
        if let Ok(Some(status)) = drape.try_wait() {
            panic!("drape exited ({status}) instead of going on: {}", read_log());
        }
        assert!(t.elapsed() < Duration::from_secs(120), "no failed analysis within 2 minutes: {}", read_log());
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(500));
    let shot = x.screenshot(dir.path(), "analysis_failed");
    // The notice: yellow text at the bottom, wrapped over several lines because it says what failed.
    let yellow = |p: [u8; 3]| p[0] > 200 && p[1] > 170 && p[2] < 120;
    let rows: Vec<u32> = (480..720).filter(|&y| (0..1280).any(|x| yellow(shot.get_pixel(x, y).0))).collect();
    let extent = rows.last().zip(rows.first()).map_or(0, |(b, a)| b - a);
    assert!(extent > 40, "a notice of several lines at the bottom of the window (yellow rows {rows:?})");
    // Still running, still showing frames, and it has tried again.
    assert!(drape.try_wait().unwrap().is_none(), "drape keeps running: {}", read_log());
    x.xdotool(&["search", "--sync", "--name", "^drape", "windowfocus", "--sync"]);
    let status = x.quit(&mut drape);
    assert_eq!(status.code(), Some(0), "a retried failure is not the session's error; log: {}", read_log());
}

/// `--frames N` in the window: it closes by itself after N frames shown, exit 0.
#[test]
fn the_mirror_window_closes_after_frames() {
    let _serial = one_at_a_time();
    let x = Xvfb::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("drape.log");
    let mut drape = x.drape_live(dir.path(), &log).args(["--frames", "45"]).spawn().expect("drape starts");
    let t = Instant::now();
    let status = loop {
        if let Some(s) = drape.try_wait().unwrap() {
            break s;
        }
        if t.elapsed() > Duration::from_secs(90) {
            let _ = drape.kill();
            panic!("the window did not close after 45 frames: {}", std::fs::read_to_string(&log).unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(text.contains("presented 45 frames"), "{text}");
}

/// In the alpha view, R records WebM with its alpha (MP4 would drop it).
#[test]
fn the_mirror_window_records_the_alpha_view_as_webm_with_alpha() {
    let _serial = one_at_a_time();
    let x = Xvfb::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("drape.log");
    let mut drape = x.drape_live(dir.path(), &log).args(["--view", "alpha", "--stats", "-v"]).spawn().expect("drape starts");
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    x.xdotool(&["search", "--sync", "--name", "^drape", "windowfocus", "--sync"]);
    // Wait for garments to be placed, so the alpha has something opaque in it.
    let t = Instant::now();
    while !read_log().lines().any(|l| l.contains("analysis ") && !l.contains("analysis 0.0 fps")) {
        assert!(t.elapsed() < Duration::from_secs(120), "no analysis within 2 minutes: {}", read_log());
        std::thread::sleep(Duration::from_millis(250));
    }
    std::thread::sleep(Duration::from_secs(3));
    x.key("r");
    std::thread::sleep(Duration::from_secs(3));
    x.key("r");
    let t = Instant::now();
    let saved = loop {
        let l = read_log();
        if let Some(p) = l.lines().find_map(|l| l.split("notice: saved ").nth(1).map(str::trim_end).filter(|p| p.ends_with(".webm") || p.ends_with(".mp4"))) {
            break PathBuf::from(p);
        }
        assert!(t.elapsed() < Duration::from_secs(30), "no recording saved: {l}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(saved.extension().and_then(|e| e.to_str()), Some("webm"), "{}", saved.display());
    // Decoded with libvpx (ffmpeg's own VP9 decoder drops the alpha): transparent and opaque pixels.
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-c:v", "libvpx-vp9", "-i"])
        .arg(&saved)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgba", "-"])
        .output()
        .unwrap();
    let alpha: Vec<u8> = out.stdout.chunks(4).map(|p| p[3]).collect();
    assert!(!alpha.is_empty());
    let clear = alpha.iter().filter(|&&a| a < 10).count() as f64 / alpha.len() as f64;
    let opaque = alpha.iter().filter(|&&a| a > 200).count() as f64 / alpha.len() as f64;
    assert!(clear > 0.3 && opaque > 0.02, "alpha kept: {clear:.2} clear, {opaque:.2} opaque");
    let status = x.quit(&mut drape);
    assert_eq!(status.code(), Some(0), "{}", read_log());
}
