//! Layers one way: a stage's source names no later stage (capture -> analysis -> compositing ->
//! output -> pipeline -> window), analysis names no capture, and the shared helpers (frames, pixels, the canvas, image
//! files, errors, timings) name no stage at all. Read from the source text, so that a new
//! import the wrong way fails here rather than in a review.

use std::path::{Path, PathBuf};

const STAGES: [&str; 6] = ["capture", "analysis", "compositing", "output", "pipeline", "window"];
/// Stages that share nothing though one comes before the other: analysis takes frames, not
/// sources.
const APART: [(&str, &str); 1] = [("analysis", "capture")];
const SHARED: [&str; 6] = ["frame.rs", "pixels.rs", "canvas.rs", "image_file.rs", "error.rs", "timing.rs"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The stages `text` names through `crate::`, in a `use` or a path.
fn named(text: &str) -> Vec<&'static str> {
    STAGES
        .iter()
        .copied()
        .filter(|s| text.contains(&format!("crate::{s}::")) || text.contains(&format!("crate::{s};")) || text.contains(&format!("crate::{{{s}")))
        .collect()
}

#[test]
fn no_stage_names_a_later_one_and_the_helpers_name_none() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (i, stage) in STAGES.iter().enumerate() {
        let mut files = Vec::new();
        rust_files(&src.join(stage), &mut files);
        assert!(!files.is_empty(), "src/{stage} has no files");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let apart = |n: &&str| APART.contains(&(*stage, *n));
            for other in named(&text).into_iter().filter(|n| STAGES.iter().position(|s| s == n) > Some(i) || apart(n)) {
                wrong.push(format!("{} names {other}", f.strip_prefix(&src).unwrap().display()));
            }
        }
    }
    for file in SHARED {
        let text = std::fs::read_to_string(src.join(file)).unwrap();
        for stage in named(&text) {
            wrong.push(format!("{file} names {stage}"));
        }
    }
    assert!(wrong.is_empty(), "imports against the flow:\n{}", wrong.join("\n"));
}
