//! Camera pixel formats: YUYV, NV12 and MJPEG frames made with ffmpeg from a real photo,
//! converted by drape and compared with ffmpeg's own conversion of the same bytes.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use drape::capture::convert::{mjpeg_to_rgba, nv12_to_rgba, yuyv_to_rgba};

const W: u32 = 96;
const H: u32 = 64;

fn ffmpeg(args: &[&str]) -> Vec<u8> {
    let out = Command::new("ffmpeg").arg("-v").arg("error").args(args).output().expect("ffmpeg runs");
    assert!(out.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The photo as `pix_fmt` raw bytes, and ffmpeg's RGBA reading of those bytes.
fn made_by_ffmpeg(dir: &Path, pix_fmt: &str) -> (Vec<u8>, Vec<u8>) {
    let photo = photo("lionel-messi-athletes-fashion.jpg");
    let scale = format!("scale={W}:{H}");
    let raw = ffmpeg(&["-i", photo.to_str().unwrap(), "-vf", &scale, "-pix_fmt", pix_fmt, "-f", "rawvideo", "-"]);
    let file = dir.join(format!("frame.{pix_fmt}"));
    std::fs::write(&file, &raw).unwrap();
    let size = format!("{W}x{H}");
    let rgba = ffmpeg(&["-f", "rawvideo", "-pix_fmt", pix_fmt, "-s", &size, "-i", file.to_str().unwrap(), "-pix_fmt", "rgba", "-f", "rawvideo", "-"]);
    (raw, rgba)
}

/// Mean and largest per-channel difference over RGB.
fn compare(got: &[u8], want: &[u8]) -> (f64, u8) {
    assert_eq!(got.len(), want.len());
    let (mut sum, mut max, mut n) = (0u64, 0u8, 0u64);
    for (p, q) in got.chunks(4).zip(want.chunks(4)) {
        for c in 0..3 {
            let d = p[c].abs_diff(q[c]);
            sum += d as u64;
            max = max.max(d);
            n += 1;
        }
    }
    (sum as f64 / n as f64, max)
}

#[test]
fn yuyv_matches_ffmpeg() {
    let dir = tempfile::tempdir().unwrap();
    let (raw, want) = made_by_ffmpeg(dir.path(), "yuyv422");
    let (mean, max) = compare(yuyv_to_rgba(&raw, W, H).unwrap().as_raw(), &want);
    eprintln!("YUYV: mean {mean:.2}, max {max}");
    assert!(mean < 1.5 && max <= 24, "mean {mean:.2}, max {max}");
}

#[test]
fn nv12_matches_ffmpeg() {
    let dir = tempfile::tempdir().unwrap();
    let (raw, want) = made_by_ffmpeg(dir.path(), "nv12");
    let (mean, max) = compare(nv12_to_rgba(&raw, W, H).unwrap().as_raw(), &want);
    eprintln!("NV12: mean {mean:.2}, max {max}");
    // ffmpeg interpolates 4:2:0 chroma, drape repeats it: they differ at colour edges only.
    // A wrong matrix or swapped U/V puts the mean in the tens.
    assert!(mean < 3.0 && max <= 48, "mean {mean:.2}, max {max}");
}

#[test]
fn mjpeg_matches_ffmpeg() {
    let dir = tempfile::tempdir().unwrap();
    let photo = photo("lionel-messi-athletes-fashion.jpg");
    let scale = format!("scale={W}:{H}");
    // A camera-style MJPEG frame: ffmpeg's mjpeg encoder, 4:2:2.
    let jpeg = ffmpeg(&["-i", photo.to_str().unwrap(), "-vf", &scale, "-c:v", "mjpeg", "-pix_fmt", "yuvj422p", "-q:v", "3", "-f", "mjpeg", "-"]);
    let file = dir.path().join("frame.jpg");
    std::fs::write(&file, &jpeg).unwrap();
    let want = ffmpeg(&["-i", file.to_str().unwrap(), "-pix_fmt", "rgba", "-f", "rawvideo", "-"]);
    let (mean, max) = compare(mjpeg_to_rgba(&jpeg).unwrap().as_raw(), &want);
    eprintln!("MJPEG: mean {mean:.2}, max {max}");
    // Two JPEG decoders: IDCT and chroma upsampling differ at colour edges only.
    assert!(mean < 3.0 && max <= 64, "mean {mean:.2}, max {max}");
}
