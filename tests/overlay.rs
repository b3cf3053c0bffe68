//! Overlays (issue 12): the alpha view's transparency survives into the files that can hold it
//! (WebM VP9, MOV ProRes 4444, PNG) and is refused, by name, for those that cannot (MP4, JPEG).

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The alpha plane of a video's frames as ffmpeg decodes it (libvpx for VP9: the native decoder
/// drops the alpha).
fn alpha_planes(path: &Path, (w, h): (u32, u32)) -> Vec<Vec<u8>> {
    let mut c = Command::new("ffmpeg");
    c.args(["-v", "error"]);
    if path.extension().is_some_and(|e| e == "webm") {
        c.args(["-c:v", "libvpx-vp9"]);
    }
    let out = c.args(["-i", s(path), "-f", "rawvideo", "-pix_fmt", "rgba", "-"]).output().unwrap();
    out.stdout.chunks((w * h * 4) as usize).filter(|f| f.len() == (w * h * 4) as usize).map(|f| f.chunks(4).map(|p| p[3]).collect()).collect()
}

#[test]
fn alpha_view_to_webm_and_mov_keeps_the_transparency() {
    let dir = tempfile::tempdir().unwrap();
    // Six frames of the bundled astronaut clip (640x480): a suit to restyle, a background not to.
    let clip = dir.path().join("clip.mp4");
    let example = repo().join("models/examples/astronaut_sway.mp4");
    assert!(Command::new("ffmpeg").args(["-v", "error", "-i", s(&example), "-frames:v", "6", s(&clip)]).status().unwrap().success());
    // The reference: the same alpha view as PNG frames.
    let frames = dir.path().join("frames");
    let o = drape(&["process", s(&clip), "-o", s(&frames), "--view", "alpha"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let reference: Vec<Vec<u8>> =
        (1..=6).map(|k| image::open(frames.join(format!("frame_{k:06}.png"))).unwrap().to_rgba8().pixels().map(|p| p.0[3]).collect()).collect();
    let opaque = reference[0].iter().filter(|&&a| a > 200).count() as f64 / reference[0].len() as f64;
    let clear = reference[0].iter().filter(|&&a| a < 10).count() as f64 / reference[0].len() as f64;
    assert!(opaque > 0.1 && clear > 0.3, "the reference has garments ({opaque:.2}) and clear background ({clear:.2})");
    for name in ["out.webm", "out.mov"] {
        let out = dir.path().join(name);
        let o = drape(&["process", s(&clip), "-o", s(&out), "--view", "alpha"]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let planes = alpha_planes(&out, (640, 480));
        assert_eq!(planes.len(), 6, "{name}: every frame");
        for (k, (got, want)) in planes.iter().zip(&reference).enumerate() {
            // Opaque on the garments, transparent off them: the same pixels as the PNG frames'.
            let (mut inter, mut union) = (0u32, 0u32);
            for (a, b) in got.iter().zip(want) {
                inter += (*a > 127 && *b > 127) as u32;
                union += (*a > 127 || *b > 127) as u32;
            }
            let iou = inter as f64 / union.max(1) as f64;
            assert!(iou > 0.95, "{name} frame {}: alpha IoU {iou:.3} with the PNG frames", k + 1);
            // Lossy VP9 rings a little at the edges: nearly every clear pixel stays clear.
            let (clear_ref, clear_got) = got.iter().zip(want).filter(|(_, b)| **b < 10).fold((0u32, 0u32), |(n, c), (a, _)| (n + 1, c + (*a < 40) as u32));
            let share = clear_got as f64 / clear_ref.max(1) as f64;
            assert!(share > 0.99, "{name} frame {}: {share:.4} of the clear background stays clear", k + 1);
        }
    }
}

#[test]
fn alpha_view_to_a_format_without_alpha_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let p = photo("p3_portrait_suit_tfjs.jpg");
    let example = repo().join("models/examples/astronaut_sway.mp4");
    for (args, out) in [
        (vec!["process", s(&example)], "out.mp4"),
        (vec!["process", s(&p)], "out.jpg"),
        (vec!["live", "--input", s(&example), "--no-window", "--record"], "rec.mp4"),
    ] {
        let out = dir.path().join(out);
        let mut a = args.clone();
        if a[0] == "process" {
            a.push("-o");
        }
        a.extend([s(&out), "--view", "alpha"]);
        let o = drape(&a);
        assert_clean_failure(&o, ".webm (VP9 with alpha), .mov (ProRes 4444 with alpha), PNG");
        assert!(!out.exists());
    }
    // Photos into a folder in the alpha view are PNG, whatever the input was.
    let folder = dir.path().join("out");
    let o = drape(&["process", s(&p), "-o", s(&folder), "--view", "alpha"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let written = image::open(folder.join("p3_portrait_suit_tfjs.png")).unwrap().to_rgba8();
    assert!(written.pixels().any(|px| px.0[3] == 0) && written.pixels().any(|px| px.0[3] == 255), "transparent and opaque pixels");
}

/// A free UDP port on loopback.
fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).map(|a| a.port()).unwrap_or(23456)
}

/// `live --stream udp://...` is received by an ffmpeg on loopback: it counts the frames.
#[test]
fn a_live_stream_is_received_on_loopback() {
    let port = free_port();
    let url = format!("udp://127.0.0.1:{port}");
    // The receiver first; it ends 8 s after the last packet (and waits as long for the first:
    // drape loads its models first, 2.2 s here with the OpenVINO build, more on a busy machine).
    let receiver = Command::new("ffmpeg")
        .args(["-v", "error", "-timeout", "8000000", "-i", &format!("{url}?timeout=8000000"), "-f", "framecrc", "-"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let example = repo().join("models/examples/astronaut_sway.mp4");
    let o = drape(&["live", "--input", s(&example), "--loop", "--no-window", "--stream", &url, "--frames", "90", "--analyse-every", "8"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = receiver.wait_with_output().unwrap();
    let frames = String::from_utf8_lossy(&got.stdout).lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).count();
    assert!(frames >= 30, "{frames} frames received: {}", String::from_utf8_lossy(&got.stderr));
}

#[test]
fn a_bad_stream_url_or_virtual_camera_is_one_line() {
    let example = repo().join("models/examples/astronaut_sway.mp4");
    let o = drape(&["live", "--input", s(&example), "--no-window", "--stream", "http://example.com/x"]);
    assert_clean_failure(&o, "--stream takes udp://HOST:PORT");
    let o = drape(&["live", "--input", s(&example), "--no-window", "--virtual-camera", "/dev/video77"]);
    assert_clean_failure(&o, "/dev/video77: no such device; load v4l2loopback");
    // A device that is no v4l2loopback: /dev/null is a character device, not a video one.
    let o = drape(&["live", "--input", s(&example), "--no-window", "--virtual-camera", "/dev/null"]);
    assert_clean_failure(&o, "/dev/null: not a v4l2loopback device");
    let dir = tempfile::tempdir().unwrap();
    let o = drape(&["live", "--input", s(&example), "--no-window", "--virtual-camera", s(dir.path())]);
    assert_clean_failure(&o, "not a video device");
}
