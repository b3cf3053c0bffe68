//! The faults a hostile or careless user finds, one test per kind (README: "Faults"): a full disk,
//! rotated inputs, an output that is the input, two writers, a reader that goes away, damaged
//! video, nonsense numbers, the words of each error, outputs named like files, and recordings that
//! keep real time.

#[path = "../common/mod.rs"]
mod common;
mod inputs;
mod outputs;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::video::{damaged_tail, ffprobe};
use common::*;

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A small generated test-pattern clip (ffmpeg's testsrc2): `frames` frames of w x h at `fps`.
pub fn pattern_clip(dir: &Path, name: &str, frames: u32, (w, h): (u32, u32), fps: u32, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", &format!("testsrc2=size={w}x{h}:rate={fps}"), "-frames:v", &frames.to_string()])
        .args(extra)
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made {}", out.display());
    out
}

/// drape with extra environment.
pub fn drape_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_drape"));
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("drape runs")
}

/// A PATH whose `ffmpeg` is a script in `dir` (the rest of PATH after it).
pub fn path_with_ffmpeg(dir: &Path, script: &str) -> String {
    let real = Command::new("sh").args(["-c", "command -v ffmpeg"]).output().expect("sh");
    let real = String::from_utf8_lossy(&real.stdout).trim().to_string();
    let body = script.replace("REAL_FFMPEG", &real);
    let f = dir.join("ffmpeg");
    std::fs::write(&f, format!("#!/bin/sh\n{body}\n")).expect("write shim");
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default())
}

// 1. A full disk.

pub fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_default()
}

/// A models folder of links to the checkout's, with `damaged` (a path inside it) a copy changed
/// by `change`.
pub fn models_with_damaged(root: &Path, damaged: &str, change: impl Fn(&mut Vec<u8>)) -> PathBuf {
    fn link_tree(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_name() == ".cache" {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                link_tree(&e.path(), &to.join(e.file_name()));
            } else {
                std::os::unix::fs::symlink(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    let dir = root.join("models");
    link_tree(&repo().join("models"), &dir);
    let target = dir.join(damaged);
    let mut bytes = std::fs::read(&target).unwrap();
    change(&mut bytes);
    std::fs::remove_file(&target).unwrap();
    std::fs::write(&target, bytes).unwrap();
    dir
}

/// Waits for `path` to appear, up to `secs`.
pub fn appears(path: &Path, secs: u64) -> bool {
    let t = std::time::Instant::now();
    while t.elapsed().as_secs() < secs {
        if path.exists() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

/// Raw RGBA frames of a video as ffmpeg decodes it, going on past errors.
pub fn decoded_frames(path: &Path) -> Vec<Vec<u8>> {
    let out = Command::new("ffmpeg").args(["-v", "quiet", "-i", s(path), "-f", "rawvideo", "-pix_fmt", "rgba", "-"]).output().unwrap();
    out.stdout.chunks(320 * 240 * 4).filter(|c| c.len() == 320 * 240 * 4).map(|c| c.to_vec()).collect()
}
