//! Compositing: every displayed or written frame is made here, from the full-resolution frame
//! and the analysis's low-resolution maps. The GPU path (`gpu`, WGSL in shaders/blend.wgsl) and
//! its plain-Rust twin (`cpu`) do the same arithmetic from the same [`Uniforms`]; tests hold the
//! shader to its twin, and hold the shader's struct and constants to the Rust ones (naga).
//! Without a GPU adapter the twin is the compositor.

pub mod cpu;
pub mod gpu;
pub mod stage;

pub use stage::{Composited, Fresh, Stage};

use std::sync::Arc;

use crate::analysis::parts::PartSet;
use crate::analysis::{Analysis, Stylized};
use crate::error::Result;
use crate::frame::{Frame, Map, Rect};

/// What the compositor shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// The saliency blend: restyled garments with soft edges.
    #[default]
    Result,
    /// The reference's look before saliency: selected region pasted with a hard edge.
    Hard,
    /// Hard blend left of a movable divider, saliency blend right of it.
    Split,
    /// Parts tinted over the frame (upper red, lower green, full yellow), saliency as brightness.
    Mask,
    /// RGBA where only the restyled garments are opaque (alpha = a), for streaming overlays.
    Alpha,
}

/// The view codes the shader reads (`VIEW_*` in shaders/blend.wgsl, checked by a test).
pub const VIEW_RESULT: u32 = 0;
pub const VIEW_HARD: u32 = 1;
pub const VIEW_SPLIT: u32 = 2;
pub const VIEW_MASK: u32 = 3;
pub const VIEW_ALPHA: u32 = 4;

impl View {
    pub fn code(self) -> u32 {
        match self {
            View::Result => VIEW_RESULT,
            View::Hard => VIEW_HARD,
            View::Split => VIEW_SPLIT,
            View::Mask => VIEW_MASK,
            View::Alpha => VIEW_ALPHA,
        }
    }
}

/// Temporal smoothing of the alpha: an exponential average with the previous alpha whose
/// weight rises where the new and old disagree (fast on motion, steady where nothing changed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Smoothing {
    /// Weight of the new alpha where old and new agree.
    pub base: f32,
    /// How fast the weight rises with the disagreement |new - old|.
    pub gain: f32,
}

impl Default for Smoothing {
    fn default() -> Self {
        Smoothing { base: 0.35, gain: 4.0 }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub parts: PartSet,
    pub view: View,
    /// Multiplies the alpha; see [`opacity_for_strength`].
    pub opacity: f32,
    /// Edge feather radius in frame pixels (0 = the maps' own softness).
    pub feather: f32,
    /// Divider of the split view, 0..1 across the frame.
    pub split: f32,
    /// None: every frame stands alone (photos).
    pub smoothing: Option<Smoothing>,
    /// Start the smoothing afresh (first frame, scene cut).
    pub reset: bool,
    /// Soft alpha below this is the fringe of an upsampled map, off the person: it is cut and
    /// the rest rescaled to 0..1 (see [`FRINGE_FLOOR`]).
    pub fringe_floor: f32,
}

/// Measured on the shared photos (tests/garments.rs): a 320 px saliency map upsampled onto a
/// 1280 px photo leaves a bilinear edge about 4 px wide; its faint part is what lay outside the
/// reference person masks (hurdles 1.19% of the garment alpha without the floor, 0.15% at 0.2).
pub const FRINGE_FLOOR: f32 = 0.2;

impl Default for Params {
    fn default() -> Self {
        Params { parts: PartSet::ALL, view: View::Result, opacity: 1.0, feather: 0.0, split: 0.5, smoothing: None, reset: false, fringe_floor: FRINGE_FLOOR }
    }
}

/// Below a quarter strength the restyled garments also fade out, so that strength 0 gives back
/// the frame exactly and the look still changes continuously towards it.
pub fn opacity_for_strength(strength: f32) -> f32 {
    (strength / 0.25).clamp(0.0, 1.0)
}

/// The maps a composite is made from.
#[derive(Debug, Clone, Copy)]
pub struct Layers<'a> {
    /// 4 channels: background, upper, lower, full
    pub parts: &'a Map,
    /// 1 channel
    pub saliency: &'a Map,
    pub stylized: Option<&'a Stylized>,
    /// The garments were placed on a later frame than the stylized crop was cut from (live mode
    /// carries them with the person between textures), so they may reach past its rectangle:
    /// there the crop is mirrored at its edge ([`EXTEND_REACH`]) rather than the garment cut
    /// off along a straight line. Off for a crop cut around the very garments it paints.
    pub extend: bool,
}

impl<'a> From<&'a Analysis> for Layers<'a> {
    fn from(a: &'a Analysis) -> Self {
        Layers { parts: &a.parts, saliency: &a.saliency, stylized: a.stylized.as_ref(), extend: false }
    }
}

/// Everything the per-pixel arithmetic needs, once per frame for both implementations; the GPU
/// gets its bytes as they lie in memory (`bytemuck`), which match the WGSL struct's layout (a
/// test reflects the shader with naga and compares offsets). Scale factors are computed here, on
/// the CPU, so the shader divides nothing.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Uniforms {
    pub frame: [u32; 2],
    pub parts_size: [u32; 2],
    pub saliency_size: [u32; 2],
    pub crop_size: [u32; 2],
    pub rect: [u32; 4],
    pub parts_bits: u32,
    pub view: u32,
    pub split_px: u32,
    /// `FLAG_*` bits
    pub flags: u32,
    pub opacity: f32,
    pub feather: f32,
    pub smooth_base: f32,
    pub smooth_gain: f32,
    /// map texels per frame pixel
    pub parts_scale: [f32; 2],
    pub saliency_scale: [f32; 2],
    /// crop texels per frame pixel of the rectangle
    pub crop_scale: [f32; 2],
    pub fringe_floor: f32,
    /// WGSL rounds a uniform struct up to its 16-byte alignment.
    pub _pad: f32,
}

/// A stylized crop exists.
pub const FLAG_STYLIZED: u32 = 1;
/// Temporal smoothing on.
pub const FLAG_SMOOTH: u32 = 2;
/// Start the smoothing afresh.
pub const FLAG_RESET: u32 = 4;
/// Paint garments past the stylized rectangle, with its edge mirrored ([`Layers::extend`]).
pub const FLAG_EXTEND: u32 = 8;
/// With [`FLAG_EXTEND`], how far past the rectangle garments are painted: this share of the
/// rectangle's longer side, each way. A quarter covers a person's move between two textures
/// (4-8 a second) and keeps the mirrored band short enough to read as the same painting.
pub const EXTEND_REACH: u32 = 4;

impl Uniforms {
    pub fn new(width: u32, height: u32, layers: &Layers<'_>, p: &Params) -> Uniforms {
        let (fw, fh) = (width as f32, height as f32);
        let (crop, rect) = match layers.stylized {
            Some(s) => ([s.image.width(), s.image.height()], s.rect),
            None => ([1, 1], Rect { x: 0, y: 0, width: 1, height: 1 }),
        };
        let smooth = p.smoothing.unwrap_or_default();
        let flags = layers.stylized.map_or(0, |_| FLAG_STYLIZED)
            | p.smoothing.map_or(0, |_| FLAG_SMOOTH)
            | if p.reset { FLAG_RESET } else { 0 }
            | if layers.extend && layers.stylized.is_some() { FLAG_EXTEND } else { 0 };
        Uniforms {
            frame: [width, height],
            parts_size: [layers.parts.width, layers.parts.height],
            saliency_size: [layers.saliency.width, layers.saliency.height],
            crop_size: crop,
            rect: [rect.x, rect.y, rect.width, rect.height],
            parts_bits: p.parts.bits(),
            view: p.view.code(),
            split_px: (p.split.clamp(0.0, 1.0) * fw) as u32,
            flags,
            opacity: p.opacity.clamp(0.0, 1.0),
            feather: p.feather.max(0.0),
            smooth_base: smooth.base,
            smooth_gain: smooth.gain,
            parts_scale: [layers.parts.width as f32 / fw, layers.parts.height as f32 / fh],
            saliency_scale: [layers.saliency.width as f32 / fw, layers.saliency.height as f32 / fh],
            crop_scale: [crop[0] as f32 / rect.width as f32, crop[1] as f32 / rect.height as f32],
            // Below 1 so that the rescale never divides by zero.
            fringe_floor: p.fringe_floor.clamp(0.0, 0.99),
            _pad: 0.0,
        }
    }
}

/// A scene cut: the person mask changed over most of the frame between two analyses.
pub fn is_scene_cut(previous: &Map, current: &Map) -> bool {
    let r = previous.resized(current.width, current.height);
    let diff: f32 = r.data.iter().zip(&current.data).map(|(a, b)| (a - b).abs()).sum();
    diff / current.data.len().max(1) as f32 > 0.25
}

/// Which compositor to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CompositorKind {
    /// a hardware GPU when there is one, else the CPU compositor (faster than a software adapter)
    #[default]
    Auto,
    Gpu,
    Cpu,
}

/// The compositor the pipeline uses: the GPU one, or its CPU twin where there is no adapter.
pub enum Compositor {
    Gpu(Box<gpu::GpuCompositor>),
    Cpu(cpu::CpuCompositor),
}

impl Compositor {
    pub fn new(kind: CompositorKind) -> Result<Compositor> {
        match kind {
            // No adapter is looked for when the CPU is asked for.
            CompositorKind::Cpu => Self::choose(kind, Err(crate::Error::gpu("not asked for", None))),
            _ => Self::choose(kind, gpu::GpuCompositor::new()),
        }
    }

    /// The compositor `kind` asks for, given the GPU compositor on the adapter wgpu found (or
    /// why there is none). `auto` takes the CPU compositor on a software adapter: measured on 2
    /// cores, it blends 640x480 in 8 ms against lavapipe's 25 ms, and in the mirror window
    /// (blend plus upload) it showed 17 frames per second against 9.
    pub fn choose(kind: CompositorKind, gpu: Result<gpu::GpuCompositor>) -> Result<Compositor> {
        let cpu = || Compositor::Cpu(cpu::CpuCompositor::default());
        match (kind, gpu) {
            (CompositorKind::Cpu, _) => {
                tracing::info!("compositor: CPU compositor (--compositor cpu)");
                Ok(cpu())
            }
            (CompositorKind::Gpu, g) => Ok(Compositor::Gpu(Box::new(g?))),
            (CompositorKind::Auto, Ok(g)) if g.is_software() => {
                tracing::info!(adapter = %g.adapter_name(), "compositor: CPU compositor (the only adapter is software; --compositor gpu to use it)");
                Ok(cpu())
            }
            (CompositorKind::Auto, Ok(g)) => Ok(Compositor::Gpu(Box::new(g))),
            (CompositorKind::Auto, Err(e)) => {
                tracing::warn!("no GPU compositor ({}); using the CPU compositor", e.report());
                Ok(cpu())
            }
        }
    }

    pub fn name(&self) -> String {
        match self {
            Compositor::Gpu(g) => format!("GPU ({})", g.adapter_name()),
            Compositor::Cpu(_) => "CPU compositor".into(),
        }
    }

    /// Composite one frame. With `pixels`, a GPU composite is read back too (the CPU's pixels
    /// are there anyway).
    pub fn composite(&mut self, frame: &Frame, layers: &Layers<'_>, params: &Params, pixels: bool) -> Result<Composited> {
        match self {
            Compositor::Cpu(c) => Ok(Composited { pixels: Some(Arc::new(c.composite(frame, layers, params))), texture: None, analysis: None, restyled: None }),
            Compositor::Gpu(g) => {
                g.composite(frame, layers, params)?;
                let px = if pixels { Some(Arc::new(g.read_back()?)) } else { None };
                Ok(Composited { pixels: px, texture: g.output_texture().cloned(), analysis: None, restyled: None })
            }
        }
    }
}
