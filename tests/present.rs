//! The window's present pass (shaders/present.wgsl) held to its plain-Rust twin: fitting
//! with bars, mirroring, bilinear scaling up and down, transparency over the checkerboard, and
//! the overlay at zoom 1 and 2. Rendered offscreen on whatever adapter wgpu finds (lavapipe on CI).

use drape::compositing::gpu::GpuCompositor;
use drape::frame::Frame;
use drape::window::present::{cpu_twin, PresentPass, PresentUniforms};

fn frame(w: u32, h: u32, seed: u32) -> Frame {
    // Deterministic, busy pixels, with some transparency (the alpha view).
    Frame::from_fn(w, h, |x, y| {
        let v = (x * 37 + y * 91 + seed * 13) ^ (x * y + seed);
        image::Rgba([(v % 251) as u8, (v / 7 % 253) as u8, (v / 3 % 241) as u8, if (x + y) % 5 == 0 { (v % 256) as u8 } else { 255 }])
    })
}

fn overlay(w: u32, h: u32) -> Frame {
    Frame::from_fn(w, h, |x, y| match (x % 7, y % 3) {
        (0, _) => image::Rgba([240, 240, 240, 255]),
        (1, 1) => image::Rgba([10, 10, 14, 190]),
        _ => image::Rgba([0, 0, 0, 0]),
    })
}

#[test]
fn present_pass_matches_its_cpu_twin() {
    let gpu = GpuCompositor::new().expect("a wgpu adapter (run `bash models/setup.sh` for lavapipe)");
    let mut pass = PresentPass::new(gpu.device(), gpu.queue(), wgpu::TextureFormat::Rgba8Unorm);
    let cases = [
        // (frame, window, mirror, overlay zoom)
        ((640u32, 480u32), (1280u32, 720u32), false, 2u32),
        ((640, 480), (1280, 720), true, 2),
        ((3, 5), (17, 11), true, 1),
        ((1, 1), (8, 8), false, 1),
        ((641, 479), (320, 400), false, 1),
        ((1920, 1080), (643, 361), true, 2),
    ];
    for (i, (src, dst, mirror, zoom)) in cases.into_iter().enumerate() {
        let f = frame(src.0, src.1, i as u32);
        let o = overlay(dst.0.div_ceil(zoom), dst.1.div_ceil(zoom));
        pass.set_overlay(&o);
        let tex = pass.upload(&f);
        let u = PresentUniforms::new(src, dst, mirror, &o, zoom);
        let gpu_out = pass.render_offscreen(&tex, u).expect("renders");
        let cpu_out = cpu_twin(&f, &o, &u);
        let worst = gpu_out.as_raw().iter().zip(cpu_out.as_raw()).map(|(a, b)| (*a as i32 - *b as i32).abs()).max().unwrap();
        assert!(worst <= 1, "case {i}: frame {src:?} in window {dst:?}, mirror {mirror}: off by {worst}/255");
    }
}
