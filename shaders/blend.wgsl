// drape's compositor: one invocation per frame pixel. The same arithmetic, step for step, as
// src/compositing/cpu.rs, which tests hold this shader to. Maps are sampled bilinearly
// by hand (textureLoad / buffer reads) rather than by a sampler, so filtering precision does
// not depend on the GPU. The CPU packs every scale factor: nothing here divides.

struct Uniforms {
    frame: vec2<u32>,
    parts_size: vec2<u32>,
    saliency_size: vec2<u32>,
    crop_size: vec2<u32>,
    rect: vec4<u32>,
    parts_bits: u32,
    view: u32,
    split_px: u32,
    flags: u32,
    opacity: f32,
    feather: f32,
    smooth_base: f32,
    smooth_gain: f32,
    parts_scale: vec2<f32>,
    saliency_scale: vec2<f32>,
    crop_scale: vec2<f32>,
    fringe_floor: f32,
}

// The same values as the Rust constants of src/compositing/mod.rs (a test compares them).
const FLAG_STYLIZED: u32 = 1u;
const FLAG_SMOOTH: u32 = 2u;
const FLAG_RESET: u32 = 4u;
const FLAG_EXTEND: u32 = 8u;
const EXTEND_REACH: u32 = 4u;
const VIEW_RESULT: u32 = 0u;
const VIEW_HARD: u32 = 1u;
const VIEW_SPLIT: u32 = 2u;
const VIEW_MASK: u32 = 3u;
const VIEW_ALPHA: u32 = 4u;

@group(0) @binding(0) var<uniform> u: Uniforms;
@group(0) @binding(1) var frame_tex: texture_2d<f32>;
@group(0) @binding(2) var<storage, read> parts: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> saliency: array<f32>;
@group(0) @binding(4) var crop_tex: texture_2d<f32>;
@group(0) @binding(5) var<storage, read_write> state: array<f32>;
@group(0) @binding(6) var out_tex: texture_storage_2d<rgba8unorm, write>;

fn cl(v: f32, n: u32) -> u32 {
    return u32(clamp(v, 0.0, f32(n - 1u)));
}

fn parts_at(px: f32, py: f32) -> vec4<f32> {
    let x0f = floor(px);
    let y0f = floor(py);
    let ax = px - x0f;
    let ay = py - y0f;
    let w = u.parts_size.x;
    let xa = cl(x0f, w);
    let xb = cl(x0f + 1.0, w);
    let ya = cl(y0f, u.parts_size.y);
    let yb = cl(y0f + 1.0, u.parts_size.y);
    let top = parts[ya * w + xa] * (1.0 - ax) + parts[ya * w + xb] * ax;
    let bottom = parts[yb * w + xa] * (1.0 - ax) + parts[yb * w + xb] * ax;
    return top * (1.0 - ay) + bottom * ay;
}

fn saliency_at(px: f32, py: f32) -> f32 {
    let x0f = floor(px);
    let y0f = floor(py);
    let ax = px - x0f;
    let ay = py - y0f;
    let w = u.saliency_size.x;
    let xa = cl(x0f, w);
    let xb = cl(x0f + 1.0, w);
    let ya = cl(y0f, u.saliency_size.y);
    let yb = cl(y0f + 1.0, u.saliency_size.y);
    let top = saliency[ya * w + xa] * (1.0 - ax) + saliency[ya * w + xb] * ax;
    let bottom = saliency[yb * w + xa] * (1.0 - ax) + saliency[yb * w + xb] * ax;
    return top * (1.0 - ay) + bottom * ay;
}

fn crop_at(px: f32, py: f32) -> vec3<f32> {
    let x0f = floor(px);
    let y0f = floor(py);
    let ax = px - x0f;
    let ay = py - y0f;
    let xa = i32(cl(x0f, u.crop_size.x));
    let xb = i32(cl(x0f + 1.0, u.crop_size.x));
    let ya = i32(cl(y0f, u.crop_size.y));
    let yb = i32(cl(y0f + 1.0, u.crop_size.y));
    let top = textureLoad(crop_tex, vec2<i32>(xa, ya), 0).rgb * (1.0 - ax) + textureLoad(crop_tex, vec2<i32>(xb, ya), 0).rgb * ax;
    let bottom = textureLoad(crop_tex, vec2<i32>(xa, yb), 0).rgb * (1.0 - ax) + textureLoad(crop_tex, vec2<i32>(xb, yb), 0).rgb * ax;
    return top * (1.0 - ay) + bottom * ay;
}

fn selected(c: u32) -> bool {
    return (u.parts_bits & (1u << (c - 1u))) != 0u;
}

// (soft, hard) selection alpha at frame position (fx, fy).
fn select_at(fx: f32, fy: f32) -> vec2<f32> {
    let s = parts_at(fx * u.parts_scale.x - 0.5, fy * u.parts_scale.y - 0.5);
    var sel = 0.0;
    var best = 0u;
    for (var c = 1u; c < 4u; c++) {
        if selected(c) {
            sel += s[c];
        }
        if s[c] > s[best] {
            best = c;
        }
    }
    let sal = saliency_at(fx * u.saliency_scale.x - 0.5, fy * u.saliency_scale.y - 0.5);
    // The fringe floor: the faint edge of the upsampled maps is cut, the rest spans 0..1 again.
    let soft = max(clamp(sel, 0.0, 1.0) * sal - u.fringe_floor, 0.0) / (1.0 - u.fringe_floor);
    var hard = 0.0;
    if best > 0u && selected(best) {
        hard = 1.0;
    }
    return vec2<f32>(soft, hard);
}

fn feathered(fx: f32, fy: f32) -> vec2<f32> {
    if u.feather <= 0.0 {
        return select_at(fx, fy);
    }
    var soft = 0.0;
    var hard = 0.0;
    for (var j = -1; j <= 1; j++) {
        for (var i = -1; i <= 1; i++) {
            let s = select_at(fx + f32(i) * u.feather, fy + f32(j) * u.feather);
            soft += s.x;
            hard += s.y;
        }
    }
    return vec2<f32>(soft * (1.0 / 9.0), hard * (1.0 / 9.0));
}

// A position along a side of length n, mirrored into 0..n at either end (no change inside).
fn mirrored(p: f32, n: f32) -> f32 {
    if p < 0.0 {
        return -p;
    }
    if p > n {
        return 2.0 * n - p;
    }
    return p;
}

const TINTS = array<vec3<f32>, 3>(vec3<f32>(0.9, 0.15, 0.15), vec3<f32>(0.15, 0.8, 0.25), vec3<f32>(0.95, 0.85, 0.15));

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let x = id.x;
    let y = id.y;
    if x >= u.frame.x || y >= u.frame.y {
        return;
    }
    let fx = f32(x) + 0.5;
    let fy = f32(y) + 0.5;
    let r = u.rect;
    // Outside the stylized rectangle (and its reach, when extended) nothing is restyled: no
    // selection to compute there.
    var reach = 0u;
    if (u.flags & FLAG_EXTEND) != 0u {
        reach = max(r.z, r.w) / EXTEND_REACH;
    }
    let inside = (u.flags & FLAG_STYLIZED) != 0u && x + reach >= r.x && y + reach >= r.y && x < r.x + r.z + reach && y < r.y + r.w + reach;
    var sh = vec2<f32>(0.0);
    if inside {
        sh = feathered(fx, fy);
    }
    var raw = sh.x;
    if u.view == VIEW_HARD || (u.view == VIEW_SPLIT && x < u.split_px) {
        raw = sh.y;
    }
    raw = raw * u.opacity;
    let i = y * u.frame.x + x;
    var a = raw;
    if (u.flags & FLAG_SMOOTH) != 0u {
        let prev = state[i];
        var smoothed = raw;
        if (u.flags & FLAG_RESET) == 0u {
            let weight = min(u.smooth_base + u.smooth_gain * abs(raw - prev), 1.0);
            smoothed = prev + weight * (raw - prev);
        }
        state[i] = smoothed;
        a = smoothed;
    }
    let f = textureLoad(frame_tex, vec2<i32>(i32(x), i32(y)), 0);
    var s = vec3<f32>(0.0);
    if inside {
        s = crop_at(mirrored(fx - f32(r.x), f32(r.z)) * u.crop_scale.x - 0.5, mirrored(fy - f32(r.y), f32(r.w)) * u.crop_scale.y - 0.5);
    } else {
        a = 0.0;
    }
    var px: vec4<f32>;
    if u.view == VIEW_MASK {
        let p = parts_at(fx * u.parts_scale.x - 0.5, fy * u.parts_scale.y - 0.5);
        let sal = saliency_at(fx * u.saliency_scale.x - 0.5, fy * u.saliency_scale.y - 0.5);
        var k = 0.0;
        var tint = vec3<f32>(0.0);
        for (var c = 1u; c < 4u; c++) {
            var weight = 0.25;
            if selected(c) {
                weight = 0.6;
            }
            weight = weight * p[c];
            k += weight;
            tint += weight * TINTS[c - 1u];
        }
        let light = 0.35 + 0.65 * sal;
        px = vec4<f32>((f.rgb * (1.0 - k) + tint) * light, 1.0);
    } else if u.view == VIEW_ALPHA {
        px = vec4<f32>(s, a);
    } else if u.view == VIEW_SPLIT && (x == u.split_px || x + 1u == u.split_px) {
        px = vec4<f32>(1.0);
    } else {
        px = vec4<f32>(f.rgb + a * (s - f.rgb), 1.0);
    }
    textureStore(out_tex, vec2<i32>(i32(x), i32(y)), clamp(px, vec4<f32>(0.0), vec4<f32>(1.0)));
}
