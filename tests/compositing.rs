//! The WGSL compositor held to the plain-Rust twin: every view, odd frame sizes, maps of
//! other sizes than the frame, and a 30-frame run with temporal smoothing. Runs on whatever
//! adapter wgpu finds: Mesa's lavapipe on CI (set-up installs it), a real GPU elsewhere.

use drape::analysis::parts::PartSet;
use drape::analysis::Stylized;
use drape::compositing::cpu::CpuCompositor;
use drape::compositing::gpu::GpuCompositor;
use drape::compositing::{Layers, Params, Smoothing, View};
use drape::frame::{Frame, Map, Rect};

/// xorshift: deterministic test data without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
    fn byte(&mut self) -> u8 {
        (self.next() * 256.0) as u8
    }
}

struct Scene {
    frame: Frame,
    parts: Map,
    saliency: Map,
    stylized: Stylized,
}

/// Random frame and maps: parts scores sum to 1, maps smaller/larger than the frame.
fn scene(rng: &mut Rng, (w, h): (u32, u32), parts: (u32, u32), sal: (u32, u32), crop: (u32, u32)) -> Scene {
    let frame = Frame::from_fn(w, h, |_, _| image::Rgba([rng.byte(), rng.byte(), rng.byte(), 255]));
    let mut p = Map::from_fn(parts.0, parts.1, 4, |_, _, _| rng.next());
    for px in p.data.chunks_mut(4) {
        let s: f32 = px.iter().sum();
        px.iter_mut().for_each(|v| *v /= s);
    }
    let saliency = Map::from_fn(sal.0, sal.1, 1, |_, _, _| rng.next());
    let rx = w / 5;
    let ry = h / 7;
    let rect = Rect { x: rx, y: ry, width: (w - rx).max(1), height: (h - ry).max(1) };
    let image = Frame::from_fn(crop.0, crop.1, |_, _| image::Rgba([rng.byte(), rng.byte(), rng.byte(), 255]));
    Scene { frame, parts: p, saliency, stylized: Stylized::new(rect, image, 0) }
}

fn gpu() -> GpuCompositor {
    GpuCompositor::new().expect("a wgpu adapter: install mesa-vulkan-drivers (bash models/setup.sh does)")
}

/// Largest per-channel difference, and where.
fn worst(a: &Frame, b: &Frame) -> (u8, u32, u32) {
    assert_eq!(a.dimensions(), b.dimensions());
    let mut w = (0, 0, 0);
    for (x, y, p) in a.enumerate_pixels() {
        let q = b.get_pixel(x, y);
        for c in 0..4 {
            let d = p.0[c].abs_diff(q.0[c]);
            if d > w.0 {
                w = (d, x, y);
            }
        }
    }
    w
}

const VIEWS: [View; 5] = [View::Result, View::Hard, View::Split, View::Mask, View::Alpha];

#[test]
fn every_view_matches_its_cpu_twin_at_odd_sizes() {
    let mut g = gpu();
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let cases = [
        ((1, 1), (3, 2), (2, 3), (1, 1)),
        ((3, 5), (4, 4), (3, 5), (2, 3)),
        ((641, 479), (320, 240), (160, 123), (384, 288)),
        ((1920, 1080), (320, 180), (320, 180), (300, 212)),
    ];
    for (size, parts, sal, crop) in cases {
        let s = scene(&mut rng, size, parts, sal, crop);
        for extend in [false, true] {
            let layers = Layers { parts: &s.parts, saliency: &s.saliency, stylized: Some(&s.stylized), extend };
            for view in VIEWS {
                for (parts, feather) in [(PartSet::ALL, 0.0), ("upper,full".parse().unwrap(), 2.5)] {
                    let p = Params { parts, view, opacity: 0.8, feather, split: 0.4, ..Params::default() };
                    g.composite(&s.frame, &layers, &p).unwrap();
                    let got = g.read_back().unwrap();
                    let want = CpuCompositor::default().composite(&s.frame, &layers, &p);
                    let (d, x, y) = worst(&got, &want);
                    assert!(d <= 1, "{view:?} {size:?} feather {feather} extend {extend}: off by {d}/255 at ({x},{y})");
                }
            }
        }
    }
}

#[test]
fn no_stylized_crop_gives_back_the_frame() {
    let mut g = gpu();
    let mut rng = Rng(7);
    let s = scene(&mut rng, (33, 17), (8, 8), (8, 8), (4, 4));
    let layers = Layers { parts: &s.parts, saliency: &s.saliency, stylized: None, extend: false };
    g.composite(&s.frame, &layers, &Params::default()).unwrap();
    assert_eq!(worst(&g.read_back().unwrap(), &s.frame).0, 0);
}

#[test]
fn thirty_smoothed_frames_match_the_cpu_twin() {
    let mut g = gpu();
    let mut cpu = CpuCompositor::default();
    let mut rng = Rng(42);
    let smoothing = Some(Smoothing::default());
    let base = scene(&mut rng, (97, 61), (24, 16), (24, 16), (40, 30));
    let mut differs_from_unsmoothed = false;
    for i in 0..30 {
        // Masks drift a little each frame; frame 15 is a scene cut.
        let s = scene(&mut rng, (97, 61), (24, 16), (24, 16), (40, 30));
        let mix = if (15..18).contains(&i) { 1.0 } else { 0.15 };
        let parts = Map { data: base.parts.data.iter().zip(&s.parts.data).map(|(a, b)| a + mix * (b - a)).collect(), ..base.parts.clone() };
        let layers = Layers { parts: &parts, saliency: &base.saliency, stylized: Some(&base.stylized), extend: false };
        let p = Params { smoothing, reset: i == 0 || i == 15, view: View::Alpha, ..Params::default() };
        g.composite(&base.frame, &layers, &p).unwrap();
        let got = g.read_back().unwrap();
        let want = cpu.composite(&base.frame, &layers, &p);
        let (d, x, y) = worst(&got, &want);
        assert!(d <= 1, "frame {i}: off by {d}/255 at ({x},{y})");
        let plain = CpuCompositor::default().composite(&base.frame, &layers, &Params { smoothing: None, ..p });
        differs_from_unsmoothed |= worst(&plain, &want).0 > 2;
    }
    assert!(differs_from_unsmoothed, "smoothing had no effect, so this test could not fail");
}

#[test]
fn smoothing_follows_large_changes_fast_and_small_ones_slowly() {
    use drape::compositing::{cpu, Uniforms};
    let frame = Frame::from_pixel(1, 1, image::Rgba([0, 0, 0, 255]));
    let stylized = Stylized::new(Rect { x: 0, y: 0, width: 1, height: 1 }, Frame::from_pixel(1, 1, image::Rgba([255, 255, 255, 255])), 0);
    let sal = Map::from_fn(1, 1, 1, |_, _, _| 1.0);
    let alpha_after = |old: f32, new: f32| {
        let mut state = vec![old];
        let parts = Map { width: 1, height: 1, channels: 4, data: vec![1.0 - new, new, 0.0, 0.0] };
        let layers = Layers { parts: &parts, saliency: &sal, stylized: Some(&stylized), extend: false };
        let p = Params { smoothing: Some(Smoothing::default()), view: View::Alpha, fringe_floor: 0.0, ..Params::default() };
        cpu::composite(&frame, &layers, &Uniforms::new(1, 1, &layers, &p), &mut state);
        state[0]
    };
    let small = alpha_after(0.5, 0.55);
    let large = alpha_after(0.0, 1.0);
    assert!(small > 0.5 && small < 0.53, "small changes are damped: {small}");
    assert!(large > 0.99, "large changes are followed at once: {large}");
}

/// Live mode paints a texture cut from an earlier frame onto garments placed since, which may
/// reach past its rectangle (she rose, and more of her hoodie came into view below). Extended,
/// the texture's edge is mirrored there, up to a quarter of its longer side, and the GPU does the
/// same; not extended (offline: the crop was cut around these very garments), nothing changes.
#[test]
fn garments_past_a_carried_texture_are_painted_with_its_edge_mirrored() {
    let (w, h) = (40, 40);
    let frame = Frame::from_pixel(w, h, image::Rgba([0, 0, 0, 255]));
    // Garment everywhere; the texture covers rows 0..20, its rows graded in red.
    let parts = Map::from_fn(4, 4, 4, |_, _, c| if c == 1 { 1.0 } else { 0.0 });
    let sal = Map::from_fn(4, 4, 1, |_, _, _| 1.0);
    let image = Frame::from_fn(20, 10, |_, y| image::Rgba([(y * 25) as u8, 200, 0, 255]));
    let stylized = Stylized::new(Rect { x: 10, y: 0, width: 20, height: 20 }, image, 0);
    let p = Params { view: View::Alpha, feather: 0.0, ..Params::default() };
    let at = |f: &Frame, x: u32, y: u32| f.get_pixel(x, y).0;
    for extend in [false, true] {
        let layers = Layers { parts: &parts, saliency: &sal, stylized: Some(&stylized), extend };
        let got = CpuCompositor::default().composite(&frame, &layers, &p);
        assert_eq!(at(&got, 20, 10)[3], 255, "inside the rectangle: painted");
        if extend {
            // Rows 20..25 are within the reach (20 / 4): painted, mirrored about row 20.
            for (y, mirror) in [(21, 18), (24, 15)] {
                assert_eq!(at(&got, 20, y)[3], 255, "row {y}: past the rectangle, within reach");
                assert!(
                    at(&got, 20, y)[0].abs_diff(at(&got, 20, mirror)[0]) <= 1,
                    "row {y} shows row {mirror}: {:?} {:?}",
                    at(&got, 20, y),
                    at(&got, 20, mirror)
                );
            }
            assert_eq!(at(&got, 20, 26)[3], 0, "past the reach: not painted");
            assert_eq!(at(&got, 7, 10)[3], 255, "left of it, within reach");
            assert_eq!(at(&got, 4, 10)[3], 0, "left of it, past the reach");
        } else {
            assert_eq!(at(&got, 20, 21)[3], 0, "not extended: nothing past the rectangle");
        }
        let mut g = gpu();
        g.composite(&frame, &layers, &p).unwrap();
        assert!(worst(&g.read_back().unwrap(), &got).0 <= 1, "the shader extends the same way (extend {extend})");
    }
}

/// The faint fringe of an upsampled saliency map lies off the person (issue 8): below the floor
/// nothing is restyled, above it the edge stays soft, and the inside keeps its full alpha.
#[test]
fn a_faint_fringe_restyles_nothing_and_the_edge_stays_soft() {
    let frame = Frame::from_pixel(3, 1, image::Rgba([0, 0, 0, 255]));
    let stylized = Stylized::new(Rect { x: 0, y: 0, width: 3, height: 1 }, Frame::from_pixel(3, 1, image::Rgba([255, 255, 255, 255])), 0);
    let parts = Map { width: 1, height: 1, channels: 4, data: vec![0.0, 1.0, 0.0, 0.0] };
    // Three pixels, three map texels: saliency faint, half, full.
    let sal = Map { width: 3, height: 1, channels: 1, data: vec![0.1, 0.6, 1.0] };
    let layers = Layers { parts: &parts, saliency: &sal, stylized: Some(&stylized), extend: false };
    let p = Params { view: View::Alpha, ..Params::default() };
    let want = CpuCompositor::default().composite(&frame, &layers, &p);
    let alpha: Vec<u8> = want.pixels().map(|p| p.0[3]).collect();
    assert_eq!(alpha[0], 0, "the faint fringe is cut: {alpha:?}");
    assert!((100..160).contains(&alpha[1]), "the edge stays soft: {alpha:?}");
    assert_eq!(alpha[2], 255, "the inside is whole: {alpha:?}");
    let mut g = gpu();
    g.composite(&frame, &layers, &p).unwrap();
    assert!(worst(&g.read_back().unwrap(), &want).0 <= 1, "the shader cuts the same fringe");
}

/// The shader's `Uniforms` struct, reflected by naga: each member's name and byte offset.
fn wgsl_uniforms(module: &naga::Module) -> (Vec<(String, u32)>, u32) {
    let ty = module.types.iter().find(|(_, t)| t.name.as_deref() == Some("Uniforms")).expect("blend.wgsl declares struct Uniforms").1;
    let naga::TypeInner::Struct { members, span } = &ty.inner else { panic!("Uniforms is not a struct") };
    (members.iter().map(|m| (m.name.clone().unwrap_or_default(), m.offset)).collect(), *span)
}

#[test]
fn the_shader_reads_the_uniforms_and_constants_rust_writes() {
    use drape::compositing::*;
    use std::mem::{offset_of, size_of};
    let module = naga::front::wgsl::parse_str(include_str!("../shaders/blend.wgsl")).expect("blend.wgsl parses");
    let (members, span) = wgsl_uniforms(&module);
    let rust = [
        ("frame", offset_of!(Uniforms, frame)),
        ("parts_size", offset_of!(Uniforms, parts_size)),
        ("saliency_size", offset_of!(Uniforms, saliency_size)),
        ("crop_size", offset_of!(Uniforms, crop_size)),
        ("rect", offset_of!(Uniforms, rect)),
        ("parts_bits", offset_of!(Uniforms, parts_bits)),
        ("view", offset_of!(Uniforms, view)),
        ("split_px", offset_of!(Uniforms, split_px)),
        ("flags", offset_of!(Uniforms, flags)),
        ("opacity", offset_of!(Uniforms, opacity)),
        ("feather", offset_of!(Uniforms, feather)),
        ("smooth_base", offset_of!(Uniforms, smooth_base)),
        ("smooth_gain", offset_of!(Uniforms, smooth_gain)),
        ("parts_scale", offset_of!(Uniforms, parts_scale)),
        ("saliency_scale", offset_of!(Uniforms, saliency_scale)),
        ("crop_scale", offset_of!(Uniforms, crop_scale)),
        ("fringe_floor", offset_of!(Uniforms, fringe_floor)),
    ];
    let rust: Vec<(String, u32)> = rust.iter().map(|(n, o)| (n.to_string(), *o as u32)).collect();
    assert_eq!(members, rust, "member names and byte offsets, WGSL vs Rust");
    assert_eq!(span as usize, size_of::<Uniforms>(), "the WGSL struct's size is the bytes Rust uploads");

    let constant = |name: &str| -> u32 {
        let (_, c) = module.constants.iter().find(|(_, c)| c.name.as_deref() == Some(name)).unwrap_or_else(|| panic!("blend.wgsl has no const {name}"));
        match module.global_expressions[c.init] {
            naga::Expression::Literal(naga::Literal::U32(v)) => v,
            ref e => panic!("const {name} is {e:?}, not a u32 literal"),
        }
    };
    let views = [(View::Result, "VIEW_RESULT"), (View::Hard, "VIEW_HARD"), (View::Split, "VIEW_SPLIT"), (View::Mask, "VIEW_MASK"), (View::Alpha, "VIEW_ALPHA")];
    for (view, name) in views {
        assert_eq!(constant(name), view.code(), "{name}");
    }
    for (value, name) in [
        (FLAG_STYLIZED, "FLAG_STYLIZED"),
        (FLAG_SMOOTH, "FLAG_SMOOTH"),
        (FLAG_RESET, "FLAG_RESET"),
        (FLAG_EXTEND, "FLAG_EXTEND"),
        (EXTEND_REACH, "EXTEND_REACH"),
    ] {
        assert_eq!(constant(name), value, "{name}");
    }
}
