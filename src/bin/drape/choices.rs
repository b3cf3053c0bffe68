//! The command line's choices: clap value enums on the binary's side that turn into the
//! library's plain enums, so that the library knows nothing of the command line. The doc
//! comments are what `--help` shows for each value.

use drape::analysis::runtime::{Precision, Provider};
use drape::analysis::SegmenterKind;
use drape::compositing::{CompositorKind, View};

/// What the compositor shows (`--view`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ViewArg {
    /// The saliency blend: restyled garments with soft edges.
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

impl From<ViewArg> for View {
    fn from(v: ViewArg) -> View {
        match v {
            ViewArg::Result => View::Result,
            ViewArg::Hard => View::Hard,
            ViewArg::Split => View::Split,
            ViewArg::Mask => View::Mask,
            ViewArg::Alpha => View::Alpha,
        }
    }
}

/// Where the blend runs (`--compositor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompositorArg {
    /// a hardware GPU when there is one, else the CPU compositor (faster than a software adapter)
    Auto,
    Gpu,
    Cpu,
}

impl From<CompositorArg> for CompositorKind {
    fn from(c: CompositorArg) -> CompositorKind {
        match c {
            CompositorArg::Auto => CompositorKind::Auto,
            CompositorArg::Gpu => CompositorKind::Gpu,
            CompositorArg::Cpu => CompositorKind::Cpu,
        }
    }
}

/// Which garment segmenter runs (`--seg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SegArg {
    /// person mask + skin/hair + pose (the models available here)
    Composite,
    /// a user-supplied 4-class U^2-Net clothing model (--seg-model)
    U2netCloth,
}

impl From<SegArg> for SegmenterKind {
    fn from(s: SegArg) -> SegmenterKind {
        match s {
            SegArg::Composite => SegmenterKind::Composite,
            SegArg::U2netCloth => SegmenterKind::U2netCloth,
        }
    }
}

/// Which execution provider runs the models (`--ep`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProviderArg {
    Cpu,
    Cuda,
    Tensorrt,
    /// OpenVINO on the CPU for every model
    Openvino,
    /// OpenVINO on an Intel GPU (integrated graphics)
    IntelGpu,
}

impl From<ProviderArg> for Provider {
    fn from(p: ProviderArg) -> Provider {
        match p {
            ProviderArg::Cpu => Provider::Cpu,
            ProviderArg::Cuda => Provider::Cuda,
            ProviderArg::Tensorrt => Provider::Tensorrt,
            ProviderArg::Openvino => Provider::Openvino,
            ProviderArg::IntelGpu => Provider::IntelGpu,
        }
    }
}

/// The models' arithmetic (`--precision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PrecisionArg {
    /// bf16 for the models whose garments hold in it, where the CPU has bf16 units
    Auto,
    /// fp32 everywhere, on ONNX Runtime's own CPU provider
    F32,
}

impl From<PrecisionArg> for Precision {
    fn from(p: PrecisionArg) -> Precision {
        match p {
            PrecisionArg::Auto => Precision::Auto,
            PrecisionArg::F32 => Precision::F32,
        }
    }
}
