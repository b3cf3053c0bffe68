//! Presenting: shaders/present.wgsl draws the composited frame into the window (aspect kept,
//! mirrored if asked) with the overlay on top. The frame is the GPU compositor's output texture
//! itself, so the display path has no read-back. `cpu_twin` is the same arithmetic in plain
//! Rust; tests hold the shader to it.

use crate::error::Result;
use crate::frame::{bilinear, clamp_to, Frame};

/// Where the frame sits in the window: fitted with its aspect kept, centred.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    pub origin: [f32; 2],
    pub extent: [f32; 2],
    /// frame pixels per window pixel
    pub scale: [f32; 2],
}

impl Viewport {
    pub fn fit(src: (u32, u32), dst: (u32, u32)) -> Viewport {
        let (sw, sh) = (src.0.max(1) as f32, src.1.max(1) as f32);
        let (dw, dh) = (dst.0.max(1) as f32, dst.1.max(1) as f32);
        let k = (dw / sw).min(dh / sh);
        let (ew, eh) = ((sw * k).round().max(1.0), (sh * k).round().max(1.0));
        let origin = [((dw - ew) / 2.0).floor(), ((dh - eh) / 2.0).floor()];
        Viewport { origin, extent: [ew, eh], scale: [sw / ew, sh / eh] }
    }

    /// The frame position (pixel units) under window position (x, y), or None on the bars.
    pub fn to_frame(&self, src: (u32, u32), x: f32, y: f32, mirror: bool) -> Option<(f32, f32)> {
        let (qx, qy) = (x - self.origin[0], y - self.origin[1]);
        if qx < 0.0 || qy < 0.0 || qx >= self.extent[0] || qy >= self.extent[1] {
            return None;
        }
        let fx = qx * self.scale[0];
        Some((if mirror { src.0 as f32 - fx } else { fx }, qy * self.scale[1]))
    }

    /// The window x of frame x (the split divider under the pointer).
    pub fn frame_x_to_window(&self, src_w: u32, fx: f32, mirror: bool) -> f32 {
        let fx = if mirror { src_w as f32 - fx } else { fx };
        self.origin[0] + fx / self.scale[0]
    }
}

/// What the shader's `Uniforms` holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PresentUniforms {
    pub src_size: [u32; 2],
    pub dst_size: [u32; 2],
    pub view: Viewport,
    pub mirror: bool,
    /// Window pixels per overlay pixel (the overlay's text is drawn at this zoom).
    pub overlay_scale: u32,
    pub overlay_size: [u32; 2],
    pub srgb_out: bool,
}

impl PresentUniforms {
    pub fn new(src: (u32, u32), dst: (u32, u32), mirror: bool, overlay: &Frame, overlay_scale: u32) -> PresentUniforms {
        PresentUniforms {
            src_size: [src.0, src.1],
            dst_size: [dst.0, dst.1],
            view: Viewport::fit(src, dst),
            mirror,
            overlay_scale: overlay_scale.max(1),
            overlay_size: [overlay.width().max(1), overlay.height().max(1)],
            srgb_out: false,
        }
    }

    fn to_bytes(self) -> [u8; 64] {
        let mut b = [0u8; 64];
        let words: [u32; 16] = [
            self.src_size[0],
            self.src_size[1],
            self.dst_size[0],
            self.dst_size[1],
            self.view.origin[0].to_bits(),
            self.view.origin[1].to_bits(),
            self.view.extent[0].to_bits(),
            self.view.extent[1].to_bits(),
            self.view.scale[0].to_bits(),
            self.view.scale[1].to_bits(),
            self.mirror as u32,
            self.overlay_scale,
            self.overlay_size[0],
            self.overlay_size[1],
            self.srgb_out as u32,
            0,
        ];
        for (i, w) in words.iter().enumerate() {
            b[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
        }
        b
    }
}

const BAR: f32 = 0.06;

fn quantise(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// The present pass in plain Rust: the window's pixels for `frame` and `overlay` (non-sRGB).
pub fn cpu_twin(frame: &Frame, overlay: &Frame, u: &PresentUniforms) -> Frame {
    let (sw, sh) = (u.src_size[0], u.src_size[1]);
    let load = |x: u32, y: u32| frame.get_pixel(x, y).0.map(|c| c as f32 / 255.0);
    let sample = |px: f32, py: f32| -> [f32; 4] {
        bilinear(px, py, |x, y| {
            let (x, y) = clamp_to(sw, sh, x, y);
            load(x, y)
        })
    };
    Frame::from_fn(u.dst_size[0], u.dst_size[1], |wx, wy| {
        let (px, py) = (wx as f32 + 0.5, wy as f32 + 0.5);
        let mut col = [BAR; 3];
        let (qx, qy) = (px - u.view.origin[0], py - u.view.origin[1]);
        if qx >= 0.0 && qy >= 0.0 && qx < u.view.extent[0] && qy < u.view.extent[1] {
            let mut fx = qx * u.view.scale[0];
            let fy = qy * u.view.scale[1];
            if u.mirror {
                fx = sw as f32 - fx;
            }
            let s = sample(fx - 0.5, fy - 0.5);
            let check = if ((wx / 16) + (wy / 16)) % 2 == 1 { 0.38 } else { 0.62 };
            col = std::array::from_fn(|c| s[c] * s[3] + check * (1.0 - s[3]));
        }
        let ox = (wx / u.overlay_scale).min(u.overlay_size[0] - 1);
        let oy = (wy / u.overlay_scale).min(u.overlay_size[1] - 1);
        let o = overlay.get_pixel(ox, oy).0.map(|c| c as f32 / 255.0);
        col = std::array::from_fn(|c| col[c] * (1.0 - o[3]) + o[c] * o[3]);
        image::Rgba([quantise(col[0]), quantise(col[1]), quantise(col[2]), 255])
    })
}

fn texture(device: &wgpu::Device, label: &str, (w, h): (u32, u32), usage: wgpu::TextureUsages) -> wgpu::Texture {
    device.create_texture(&wgpu::TextureDescriptor {
        label: Some(label),
        size: wgpu::Extent3d { width: w.max(1), height: h.max(1), depth_or_array_layers: 1 },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: wgpu::TextureFormat::Rgba8Unorm,
        usage,
        view_formats: &[],
    })
}

/// Upload RGBA pixels into a texture of the same size.
pub fn write_pixels(queue: &wgpu::Queue, tex: &wgpu::Texture, img: &Frame) {
    queue.write_texture(
        wgpu::TexelCopyTextureInfo { texture: tex, mip_level: 0, origin: wgpu::Origin3d::ZERO, aspect: wgpu::TextureAspect::All },
        img.as_raw(),
        wgpu::TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(4 * img.width()), rows_per_image: Some(img.height()) },
        wgpu::Extent3d { width: img.width(), height: img.height(), depth_or_array_layers: 1 },
    );
}

/// The present pipeline, for any colour target (the window's surface, or a texture in tests).
pub struct PresentPass {
    device: wgpu::Device,
    queue: wgpu::Queue,
    pipeline: wgpu::RenderPipeline,
    uniforms: wgpu::Buffer,
    overlay: wgpu::Texture,
    /// For frames that come as pixels (the CPU compositor).
    upload: Option<wgpu::Texture>,
    srgb_out: bool,
}

impl PresentPass {
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue, format: wgpu::TextureFormat) -> PresentPass {
        let module = device.create_shader_module(wgpu::include_wgsl!("../../shaders/present.wgsl"));
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("present"),
            layout: None,
            vertex: wgpu::VertexState { module: &module, entry_point: Some("vs_main"), compilation_options: Default::default(), buffers: &[] },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState { format, blend: None, write_mask: wgpu::ColorWrites::ALL })],
            }),
            multiview_mask: None,
            cache: None,
        });
        let uniforms = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("present uniforms"),
            size: 64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let overlay = texture(device, "overlay", (1, 1), wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST);
        PresentPass { device: device.clone(), queue: queue.clone(), pipeline, uniforms, overlay, upload: None, srgb_out: format.is_srgb() }
    }

    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// Replace the overlay's pixels (only when they changed).
    pub fn set_overlay(&mut self, img: &Frame) {
        let size = self.overlay.size();
        if (size.width, size.height) != img.dimensions() {
            self.overlay = texture(&self.device, "overlay", img.dimensions(), wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST);
        }
        write_pixels(&self.queue, &self.overlay, img);
    }

    /// A texture holding `img`, for frames composited on the CPU.
    pub fn upload(&mut self, img: &Frame) -> wgpu::Texture {
        let fits = self.upload.as_ref().is_some_and(|t| (t.width(), t.height()) == img.dimensions());
        if !fits {
            self.upload = Some(texture(&self.device, "frame", img.dimensions(), wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST));
        }
        let tex = self
            .upload
            .clone()
            .unwrap_or_else(|| texture(&self.device, "frame", img.dimensions(), wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST));
        write_pixels(&self.queue, &tex, img);
        tex
    }

    /// Draw `frame` (and the overlay) into `target` and submit.
    pub fn render(&self, frame: &wgpu::Texture, target: &wgpu::TextureView, mut u: PresentUniforms) {
        u.srgb_out = self.srgb_out;
        self.queue.write_buffer(&self.uniforms, 0, &u.to_bytes());
        let view = |t: &wgpu::Texture| t.create_view(&wgpu::TextureViewDescriptor::default());
        let (fv, ov) = (view(frame), view(&self.overlay));
        // Made per frame: the compositor rebuilds its output texture when sizes change.
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("present"),
            layout: &self.pipeline.get_bind_group_layout(0),
            entries: &[
                wgpu::BindGroupEntry { binding: 0, resource: self.uniforms.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 1, resource: wgpu::BindingResource::TextureView(&fv) },
                wgpu::BindGroupEntry { binding: 2, resource: wgpu::BindingResource::TextureView(&ov) },
            ],
        });
        let mut enc = self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("present") });
        {
            let mut pass = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("present"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: target,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations { load: wgpu::LoadOp::Clear(wgpu::Color::BLACK), store: wgpu::StoreOp::Store },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.draw(0..3, 0..1);
        }
        self.queue.submit([enc.finish()]);
    }

    /// Render into an offscreen texture and read it back: what tests compare with `cpu_twin`.
    pub fn render_offscreen(&self, frame: &wgpu::Texture, u: PresentUniforms) -> Result<Frame> {
        let (w, h) = (u.dst_size[0], u.dst_size[1]);
        let target = texture(&self.device, "offscreen", (w, h), wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC);
        self.render(frame, &target.create_view(&wgpu::TextureViewDescriptor::default()), u);
        let padded = (w * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
        let buf = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("offscreen read-back"),
            size: (padded * h) as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        crate::compositing::gpu::read_texture(&self.device, &self.queue, &target, &buf, padded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_the_aspect_and_centres() {
        let v = Viewport::fit((640, 480), (1280, 720));
        assert_eq!(v.extent, [960.0, 720.0]);
        assert_eq!(v.origin, [160.0, 0.0]);
        assert_eq!(v.to_frame((640, 480), 100.0, 10.0, false), None, "on the bar");
        // 1.5 window pixels into the picture is 1 frame pixel at 1.5x.
        let (fx, fy) = v.to_frame((640, 480), 161.5, 1.5, false).unwrap();
        assert!((fx - 1.0).abs() < 1e-4 && (fy - 1.0).abs() < 1e-4, "{fx} {fy}");
        let (mx, _) = v.to_frame((640, 480), 161.5, 1.5, true).unwrap();
        assert!((mx - 639.0).abs() < 1e-4, "mirrored: the left edge of the window is the frame's right edge");
        assert!((v.frame_x_to_window(640, 320.0, false) - 640.0).abs() < 1e-4);
    }
}
