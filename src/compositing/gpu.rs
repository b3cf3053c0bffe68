//! The GPU compositor: shaders/blend.wgsl as a wgpu compute pass. Textures and buffers are made
//! once per size and reused; pixels come back only when read_back is called.

use std::time::Instant;

use super::{Layers, Params, Uniforms, FLAG_RESET};
use crate::error::{Error, Result};
use crate::frame::Frame;

const WORKGROUP: u32 = 8;

/// Sizes that decide the resources; a change rebuilds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sizes {
    frame: (u32, u32),
    parts: (u32, u32),
    saliency: (u32, u32),
    crop: (u32, u32),
}

struct Resources {
    sizes: Sizes,
    frame_tex: wgpu::Texture,
    parts_buf: wgpu::Buffer,
    saliency_buf: wgpu::Buffer,
    crop_tex: wgpu::Texture,
    out_tex: wgpu::Texture,
    readback: wgpu::Buffer,
    padded_row: u32,
    bind_group: wgpu::BindGroup,
}

/// Milliseconds of the last composite's phases.
#[derive(Debug, Clone, Copy, Default)]
pub struct GpuTimings {
    pub upload_ms: f64,
    pub dispatch_ms: f64,
    pub readback_ms: f64,
}

pub struct GpuCompositor {
    device: wgpu::Device,
    queue: wgpu::Queue,
    pipeline: wgpu::ComputePipeline,
    uniforms: wgpu::Buffer,
    info: wgpu::AdapterInfo,
    res: Option<Resources>,
    /// Reused upload staging (no per-frame allocation once sized).
    scratch: Vec<u8>,
    pub timings: GpuTimings,
    /// Wait for each composite to finish (for its timings). The window does not: its present
    /// pass follows on the same queue.
    pub wait: bool,
}

fn gpu_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::gpu(what, Some(e.to_string().into()))
}

impl GpuCompositor {
    /// The first Vulkan or GL adapter (a hardware GPU preferred; Mesa's lavapipe/llvmpipe count).
    pub fn new() -> Result<GpuCompositor> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = wgpu::Backends::VULKAN | wgpu::Backends::GL;
        let instance = wgpu::Instance::new(desc.with_env());
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            compatible_surface: None,
            ..Default::default()
        }))
        .map_err(|e| gpu_err("no GPU adapter (install mesa-vulkan-drivers for a CPU one)", e))?;
        Self::with_adapter(&adapter)
    }

    pub fn with_adapter(adapter: &wgpu::Adapter) -> Result<GpuCompositor> {
        let info = adapter.get_info();
        tracing::info!(name = %info.name, backend = ?info.backend, device_type = ?info.device_type, driver = %info.driver, "GPU adapter");
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("drape"),
            required_features: wgpu::Features::empty(),
            required_limits: wgpu::Limits::downlevel_defaults().using_resolution(adapter.limits()),
            ..Default::default()
        }))
        .map_err(|e| gpu_err("cannot open the GPU device", e))?;
        let module = device.create_shader_module(wgpu::include_wgsl!("../../shaders/blend.wgsl"));
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("blend"),
            layout: None,
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        });
        let uniforms = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("uniforms"),
            size: std::mem::size_of::<super::Uniforms>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Ok(GpuCompositor { device, queue, pipeline, uniforms, info, res: None, scratch: Vec::new(), timings: GpuTimings::default(), wait: true })
    }

    pub fn adapter_name(&self) -> String {
        format!("{}, {:?}, {:?}", self.info.name, self.info.backend, self.info.device_type)
    }

    /// A CPU implementation of the GPU API (Mesa's lavapipe or llvmpipe).
    pub fn is_software(&self) -> bool {
        self.info.device_type == wgpu::DeviceType::Cpu
    }

    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// The composited frame, for presenting without a read-back.
    pub fn output_texture(&self) -> Option<&wgpu::Texture> {
        self.res.as_ref().map(|r| &r.out_tex)
    }

    fn build(&self, s: Sizes) -> Resources {
        let d = &self.device;
        let tex = |label: &str, (w, h): (u32, u32), usage: wgpu::TextureUsages| {
            d.create_texture(&wgpu::TextureDescriptor {
                label: Some(label),
                size: wgpu::Extent3d { width: w, height: h, depth_or_array_layers: 1 },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::Rgba8Unorm,
                usage,
                view_formats: &[],
            })
        };
        let buf = |label: &str, size: u64, usage: wgpu::BufferUsages| {
            d.create_buffer(&wgpu::BufferDescriptor { label: Some(label), size: size.max(16), usage, mapped_at_creation: false })
        };
        let upload = wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST;
        let storage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
        let frame_tex = tex("frame", s.frame, upload);
        let crop_tex = tex("crop", s.crop, upload);
        let out_tex = tex("out", s.frame, wgpu::TextureUsages::STORAGE_BINDING | wgpu::TextureUsages::COPY_SRC | wgpu::TextureUsages::TEXTURE_BINDING);
        let parts_buf = buf("parts", (s.parts.0 * s.parts.1 * 16) as u64, storage);
        let saliency_buf = buf("saliency", (s.saliency.0 * s.saliency.1 * 4) as u64, storage);
        let state_buf = buf("alpha state", (s.frame.0 * s.frame.1 * 4) as u64, wgpu::BufferUsages::STORAGE);
        let padded_row = (s.frame.0 * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
        let readback = buf("readback", (padded_row * s.frame.1) as u64, wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST);
        let view = |t: &wgpu::Texture| t.create_view(&wgpu::TextureViewDescriptor::default());
        let (fv, cv, ov) = (view(&frame_tex), view(&crop_tex), view(&out_tex));
        let bind_group = d.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("blend"),
            layout: &self.pipeline.get_bind_group_layout(0),
            entries: &[
                wgpu::BindGroupEntry { binding: 0, resource: self.uniforms.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 1, resource: wgpu::BindingResource::TextureView(&fv) },
                wgpu::BindGroupEntry { binding: 2, resource: parts_buf.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 3, resource: saliency_buf.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 4, resource: wgpu::BindingResource::TextureView(&cv) },
                wgpu::BindGroupEntry { binding: 5, resource: state_buf.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 6, resource: wgpu::BindingResource::TextureView(&ov) },
            ],
        });
        Resources { sizes: s, frame_tex, parts_buf, saliency_buf, crop_tex, out_tex, readback, padded_row, bind_group }
    }

    fn write_tex(&self, tex: &wgpu::Texture, (w, h): (u32, u32), data: &[u8]) {
        self.queue.write_texture(
            wgpu::TexelCopyTextureInfo { texture: tex, mip_level: 0, origin: wgpu::Origin3d::ZERO, aspect: wgpu::TextureAspect::All },
            data,
            wgpu::TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(4 * w), rows_per_image: Some(h) },
            wgpu::Extent3d { width: w, height: h, depth_or_array_layers: 1 },
        );
    }

    /// Upload, dispatch and wait for one composite; the result stays on the GPU.
    pub fn composite(&mut self, frame: &Frame, layers: &Layers<'_>, params: &Params) -> Result<()> {
        let started = Instant::now();
        let mut u = Uniforms::new(frame.width(), frame.height(), layers, params);
        let sizes = Sizes {
            frame: frame.dimensions(),
            parts: (layers.parts.width, layers.parts.height),
            saliency: (layers.saliency.width, layers.saliency.height),
            crop: (u.crop_size[0], u.crop_size[1]),
        };
        let frame_changed = self.res.as_ref().is_none_or(|r| r.sizes.frame != sizes.frame);
        if self.res.as_ref().is_none_or(|r| r.sizes != sizes) {
            tracing::debug!(?sizes, "GPU compositor resources (re)built");
            self.res = Some(self.build(sizes));
        }
        if frame_changed {
            // A fresh state buffer holds no earlier alpha to smooth towards.
            u.flags |= FLAG_RESET;
        }
        let Some(res) = self.res.as_ref() else { return Err(gpu_err("resources", "missing")) };
        self.queue.write_buffer(&self.uniforms, 0, bytemuck::bytes_of(&u));
        self.write_tex(&res.frame_tex, sizes.frame, frame.as_raw());
        self.scratch.clear();
        self.scratch.extend(layers.parts.data.iter().flat_map(|v| v.to_le_bytes()));
        self.queue.write_buffer(&res.parts_buf, 0, &self.scratch);
        self.scratch.clear();
        self.scratch.extend(layers.saliency.data.iter().flat_map(|v| v.to_le_bytes()));
        self.queue.write_buffer(&res.saliency_buf, 0, &self.scratch);
        match layers.stylized {
            Some(s) => self.write_tex(&res.crop_tex, sizes.crop, s.image.as_raw()),
            None => self.write_tex(&res.crop_tex, (1, 1), &[0, 0, 0, 0]),
        }
        let uploaded = Instant::now();
        let mut enc = self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("blend") });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("blend"), timestamp_writes: None });
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &res.bind_group, &[]);
            pass.dispatch_workgroups(sizes.frame.0.div_ceil(WORKGROUP), sizes.frame.1.div_ceil(WORKGROUP), 1);
        }
        self.queue.submit([enc.finish()]);
        if self.wait {
            self.device.poll(wgpu::PollType::wait_indefinitely()).map_err(|e| gpu_err("waiting for the GPU", e))?;
        }
        self.timings.upload_ms = (uploaded - started).as_secs_f64() * 1e3;
        self.timings.dispatch_ms = uploaded.elapsed().as_secs_f64() * 1e3;
        tracing::trace!(upload_ms = self.timings.upload_ms, dispatch_ms = self.timings.dispatch_ms, "GPU composite");
        Ok(())
    }

    /// Copy the last composite back (rows padded to 256 bytes on the GPU side).
    pub fn read_back(&mut self) -> Result<Frame> {
        let started = Instant::now();
        let Some(res) = self.res.as_ref() else { return Err(gpu_err("read-back", "nothing composited yet")) };
        let out = read_texture(&self.device, &self.queue, &res.out_tex, &res.readback, res.padded_row)?;
        self.timings.readback_ms = started.elapsed().as_secs_f64() * 1e3;
        Ok(out)
    }
}

/// The pixels of an RGBA8 texture, through `buffer` (MAP_READ, rows padded to `padded_row`
/// bytes, a multiple of 256 as copies require).
pub fn read_texture(device: &wgpu::Device, queue: &wgpu::Queue, texture: &wgpu::Texture, buffer: &wgpu::Buffer, padded_row: u32) -> Result<Frame> {
    let (w, h) = (texture.width(), texture.height());
    let mut enc = device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("readback") });
    enc.copy_texture_to_buffer(
        wgpu::TexelCopyTextureInfo { texture, mip_level: 0, origin: wgpu::Origin3d::ZERO, aspect: wgpu::TextureAspect::All },
        wgpu::TexelCopyBufferInfo { buffer, layout: wgpu::TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(padded_row), rows_per_image: Some(h) } },
        wgpu::Extent3d { width: w, height: h, depth_or_array_layers: 1 },
    );
    queue.submit([enc.finish()]);
    let (tx, rx) = std::sync::mpsc::channel();
    buffer.map_async(wgpu::MapMode::Read, .., move |r| {
        // The receiver waits just below; it is gone only if that wait already failed.
        tx.send(r).ok();
    });
    device.poll(wgpu::PollType::wait_indefinitely()).map_err(|e| gpu_err("waiting for the read-back", e))?;
    rx.recv().map_err(|e| gpu_err("read-back", e))?.map_err(|e| gpu_err("read-back", e))?;
    let mut out = Vec::with_capacity((w * h * 4) as usize);
    {
        let view = buffer.get_mapped_range(..).map_err(|e| gpu_err("read-back", e))?;
        for row in view.chunks(padded_row as usize).take(h as usize) {
            out.extend_from_slice(&row[..(w * 4) as usize]);
        }
    }
    buffer.unmap();
    Frame::from_raw(w, h, out).ok_or_else(|| gpu_err("read-back", "size mismatch"))
}
