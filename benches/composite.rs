//! One composite at 640x480, 1280x720 and 1920x1080: the GPU's upload, dispatch and read-back
//! each timed, and the CPU compositor, in the same run.
//!
//! cargo bench --bench composite

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use drape::analysis::Stylized;
use drape::compositing::cpu::CpuCompositor;
use drape::compositing::gpu::GpuCompositor;
use drape::compositing::{Layers, Params, Smoothing};
use drape::frame::{Frame, Map, Rect};

struct Scene {
    frame: Frame,
    parts: Map,
    saliency: Map,
    stylized: Stylized,
}

/// A frame with analysis maps at the sizes the analysis produces (320 px long side) and a
/// stylized crop of 384 px over the middle 60% of the frame.
fn scene(w: u32, h: u32) -> Scene {
    let frame = Frame::from_fn(w, h, |x, y| image::Rgba([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8, 255]));
    let (mw, mh) = (320, 320 * h / w);
    let parts = Map::from_fn(mw, mh, 4, |x, y, c| {
        let inside = (x as f32 / mw as f32 - 0.5).abs() < 0.3 && (y as f32 / mh as f32 - 0.5).abs() < 0.4;
        // Background outside a box; inside it, upper, lower and full in horizontal bands.
        let class = if inside { 1 + (y * 3 / mh) } else { 0 };
        if c == class {
            1.0
        } else {
            0.0
        }
    });
    let saliency = Map::from_fn(mw, mh, 1, |x, _, _| (x as f32 / mw as f32).min(1.0));
    let rect = Rect { x: w / 5, y: h / 10, width: w * 3 / 5, height: h * 4 / 5 };
    let image = Frame::from_fn(384, 384 * rect.height / rect.width, |x, y| image::Rgba([x as u8, y as u8, 128, 255]));
    Scene { frame, parts, saliency, stylized: Stylized::new(rect, image, 0) }
}

fn bench(c: &mut Criterion) {
    let mut gpu = match GpuCompositor::new() {
        Ok(g) => Some(g),
        Err(e) => {
            eprintln!("no GPU adapter, CPU compositor only: {e}");
            None
        }
    };
    if let Some(g) = &gpu {
        eprintln!("adapter: {}", g.adapter_name());
    }
    let params = Params { smoothing: Some(Smoothing::default()), ..Params::default() };
    let mut group = c.benchmark_group("composite");
    group.sample_size(20).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    for (w, h) in [(640, 480), (1280, 720), (1920, 1080)] {
        let s = scene(w, h);
        let layers = Layers { parts: &s.parts, saliency: &s.saliency, stylized: Some(&s.stylized), extend: false };
        let id = format!("{w}x{h}");
        if let Some(g) = gpu.as_mut() {
            // Each phase of the same composite, timed on its own.
            for phase in ["gpu_upload", "gpu_dispatch", "gpu_readback"] {
                group.bench_function(BenchmarkId::new(phase, &id), |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            g.composite(&s.frame, &layers, &params).expect("composite");
                            let _ = g.read_back().expect("read-back");
                            let t = g.timings;
                            let ms = match phase {
                                "gpu_upload" => t.upload_ms,
                                "gpu_dispatch" => t.dispatch_ms,
                                _ => t.readback_ms,
                            };
                            total += Duration::from_secs_f64(ms / 1e3);
                        }
                        total
                    })
                });
            }
        }
        let mut cpu = CpuCompositor::default();
        group.bench_function(BenchmarkId::new("cpu", &id), |b| b.iter(|| cpu.composite(&s.frame, &layers, &params)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
