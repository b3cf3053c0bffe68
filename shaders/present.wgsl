// The mirror window's present pass: the composited frame, fitted into the window with its
// aspect kept (bars around it), mirrored if asked, sampled bilinearly by hand (textureLoad, as
// blend.wgsl does, so the result does not depend on a GPU's filtering), shown over a checkerboard
// where it is transparent (the alpha view), with the help/HUD overlay on top. The same
// arithmetic, step for step, is `cpu_twin` in src/window/present.rs, which tests hold this to.

struct Uniforms {
    src_size: vec2<u32>,
    dst_size: vec2<u32>,
    // Where the frame sits in the window, in window pixels.
    origin: vec2<f32>,
    extent: vec2<f32>,
    // Frame pixels per window pixel.
    scale: vec2<f32>,
    mirror: u32,
    overlay_scale: u32,
    overlay_size: vec2<u32>,
    // 1 when the surface is sRGB: output linear values, the hardware encodes them again.
    srgb_out: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> u: Uniforms;
@group(0) @binding(1) var frame_tex: texture_2d<f32>;
@group(0) @binding(2) var overlay_tex: texture_2d<f32>;

const BAR: f32 = 0.06;

@vertex
fn vs_main(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {
    // One triangle that covers the whole target.
    let x = f32(i32(i & 1u) * 4 - 1);
    let y = f32(i32(i >> 1u) * 4 - 1);
    return vec4<f32>(x, y, 0.0, 1.0);
}

fn cl(v: f32, n: u32) -> u32 {
    return u32(clamp(v, 0.0, f32(n - 1u)));
}

fn load(x: u32, y: u32) -> vec4<f32> {
    return textureLoad(frame_tex, vec2<u32>(x, y), 0);
}

fn bilinear(px: f32, py: f32) -> vec4<f32> {
    let x0f = floor(px);
    let y0f = floor(py);
    let ax = px - x0f;
    let ay = py - y0f;
    let xa = cl(x0f, u.src_size.x);
    let xb = cl(x0f + 1.0, u.src_size.x);
    let ya = cl(y0f, u.src_size.y);
    let yb = cl(y0f + 1.0, u.src_size.y);
    let top = load(xa, ya) * (1.0 - ax) + load(xb, ya) * ax;
    let bottom = load(xa, yb) * (1.0 - ax) + load(xb, yb) * ax;
    return top * (1.0 - ay) + bottom * ay;
}

fn to_linear(c: vec3<f32>) -> vec3<f32> {
    return select(pow((c + 0.055) / 1.055, vec3<f32>(2.4)), c / 12.92, c <= vec3<f32>(0.04045));
}

@fragment
fn fs_main(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    let wx = u32(pos.x);
    let wy = u32(pos.y);
    // Window pixel centre.
    let px = f32(wx) + 0.5;
    let py = f32(wy) + 0.5;
    var col = vec3<f32>(BAR, BAR, BAR);
    let qx = px - u.origin.x;
    let qy = py - u.origin.y;
    if (qx >= 0.0 && qy >= 0.0 && qx < u.extent.x && qy < u.extent.y) {
        var fx = qx * u.scale.x;
        let fy = qy * u.scale.y;
        if (u.mirror != 0u) {
            fx = f32(u.src_size.x) - fx;
        }
        let s = bilinear(fx - 0.5, fy - 0.5);
        // Transparent parts (alpha view) over a checkerboard.
        let check = select(0.62, 0.38, ((wx / 16u) + (wy / 16u)) % 2u == 1u);
        col = s.rgb * s.a + vec3<f32>(check, check, check) * (1.0 - s.a);
    }
    let ox = min(wx / u.overlay_scale, u.overlay_size.x - 1u);
    let oy = min(wy / u.overlay_scale, u.overlay_size.y - 1u);
    let o = textureLoad(overlay_tex, vec2<u32>(ox, oy), 0);
    col = col * (1.0 - o.a) + o.rgb * o.a;
    if (u.srgb_out != 0u) {
        col = to_linear(col);
    }
    return vec4<f32>(col, 1.0);
}
