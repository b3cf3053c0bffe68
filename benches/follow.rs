//! One step of the live follower (selfie mask, people's motions, the parts' own motion, the
//! analysis carried and its colours checked) on two shared clips: c1 (two people, each moved by
//! their own motion) and a1 (one person signing). The analysis is made once, outside the timing.
//!
//! cargo bench --bench follow   (needs `bash models/setup.sh` and ../shared beside the checkout)

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use drape::analysis::follow::Follower;
use drape::analysis::manifest::ModelDir;
use drape::analysis::models::style::{StyleOptions, StyleSpec};
use drape::analysis::parts::PartSet;
use drape::analysis::runtime::{default_library, Precision, Provider, Runtime, RuntimeOptions};
use drape::analysis::{Analyser, AnalyserConfig, Request};
use drape::capture::{video::VideoFile, Source};
use drape::frame::Frame;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn frames(clip: &Path, n: usize) -> Vec<Frame> {
    let mut v = VideoFile::open(clip, false).expect("the shared clip opens");
    (0..n).map_while(|_| v.next_frame().ok().flatten()).collect()
}

fn bench(c: &mut Criterion) {
    let dir = ModelDir::locate(Some(repo().join("models"))).expect("models/ has its manifest: run `bash models/setup.sh`");
    let library = default_library(&dir, Provider::Cpu, Precision::Auto).path;
    // The follower's selfie model runs on one thread in live mode (`Follower::open` opens it lean).
    let rt = Runtime::load(RuntimeOptions { library, threads: Some(2), ..Default::default() }).expect("ONNX Runtime loads");
    let mut analyser = Analyser::open(&rt, &dir, AnalyserConfig::default()).expect("the analyser opens");
    let style = analyser.load_style(&"builtin:9".parse::<StyleSpec>().expect("a built-in style")).expect("the style loads");
    let req = Request { parts: PartSet::ALL, style: &style, style_options: StyleOptions { strength: 1.0, preserve_colour: false } };
    let clips = repo().join("../shared/testdata/clips");
    let mut group = c.benchmark_group("follow step");
    group.sample_size(20).measurement_time(Duration::from_secs(8));
    for (name, clip) in
        [("c1, two people", "c1_two_adults_upperbody_intel_headpose_270p.mp4"), ("a1, one person", "a1_webcam_upperbody_orange_hoodie_intel_asl.mp4")]
    {
        let f = frames(&clips.join(clip), 40);
        assert!(f.len() == 40, "{clip}: 40 frames");
        analyser.forget();
        let a = Arc::new(analyser.analyse(&f[0], &req).expect("the first frame is analysed"));
        let mut follower = Follower::open(&rt, &dir).expect("the selfie model opens").expect("the selfie model is there");
        // Steps every other frame from the analysed one, as live mode takes them; after the last,
        // the analysis is taken again and the steps start over (so one timed iteration in 20
        // includes a rebase, as live mode rebases every second or so).
        let mut k = 0usize;
        let mut seq = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                if k == 0 {
                    follower.forget();
                    assert!(follower.rebase(&f[0], seq, a.clone()).expect("rebase"));
                }
                k = (k + 2) % f.len();
                seq += 1;
                follower.follow(&f[k.max(1)], seq).expect("a follower step")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
