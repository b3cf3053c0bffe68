//! The compositing stage: every frame drape writes or shows is composited here, photos, offline
//! video, headless live and the mirror window alike. It owns the compositor (GPU, or its CPU
//! twin) and what carries over between frames: which analysis was used last, so that the
//! temporal smoothing restarts on the first analysis and on a scene cut.

use std::sync::Arc;

use super::{Compositor, Layers, Params};
use crate::analysis::{Analysis, Stylized, Texture};
use crate::error::Result;
use crate::frame::Frame;

/// An analysis as the stage takes it: `id` tells a new analysis from one already used (the
/// number of the frame it was made from, from 1), `cut` whether it starts a new scene.
#[derive(Debug, Clone, Copy)]
pub struct Fresh<'a> {
    pub id: u64,
    pub analysis: &'a Analysis,
    pub cut: bool,
    /// A texture restyled from a later frame than the analysis' own crop, to paint instead of it
    /// (live mode's restyler).
    pub texture: Option<&'a Stylized>,
    /// The garments were carried to this frame after the crop was cut ([`Layers::extend`]).
    pub carried: bool,
}

/// One composited frame.
#[derive(Debug, Clone)]
pub struct Composited {
    /// The pixels: always from the CPU compositor, from the GPU one only when asked for (a
    /// read-back costs a GPU round trip).
    pub pixels: Option<Arc<Frame>>,
    /// The GPU compositor's output texture, to present without a read-back.
    pub texture: Option<wgpu::Texture>,
    /// The id of the analysis composited; None before the first.
    pub analysis: Option<u64>,
    /// The restyled texture composited, if any: which restyling, in which look.
    pub restyled: Option<Texture>,
}

impl Composited {
    /// The pixels of a composite made with `pixels` asked for, which always has them.
    pub fn into_pixels(self) -> Result<Arc<Frame>> {
        self.pixels.ok_or_else(|| crate::Error::gpu("the compositor gave no pixels to write", None))
    }
}

pub struct Stage {
    compositor: Compositor,
    /// The id of the analysis composited last; 0 before the first.
    used: u64,
    /// Composited until the first analysis arrives: the frame as it is.
    empty: Analysis,
}

impl Stage {
    pub fn new(compositor: Compositor) -> Stage {
        Stage { compositor, used: 0, empty: Analysis::empty() }
    }

    /// "GPU (adapter)" or "CPU compositor".
    pub fn name(&self) -> String {
        self.compositor.name()
    }

    /// The next frame starts a new run: the smoothing starts afresh.
    pub fn restart(&mut self) {
        self.used = 0;
    }

    /// Composite `frame` with `analysis` (None: none yet, the frame is shown as it is). With
    /// `pixels`, a GPU composite is read back too.
    pub fn composite(&mut self, frame: &Frame, analysis: Option<Fresh<'_>>, base: &Params, pixels: bool) -> Result<Composited> {
        let id = analysis.as_ref().map(|a| a.id);
        let stylized = analysis.as_ref().and_then(|a| a.texture.or(a.analysis.stylized.as_ref()));
        let restyled = stylized.map(|s| s.texture);
        let (layers, params) = match analysis {
            None => (Layers::from(&self.empty), Params { reset: true, ..*base }),
            Some(a) => {
                let new = a.id != self.used;
                let params = Params { reset: base.reset || self.used == 0 || (new && a.cut), ..*base };
                self.used = a.id;
                (Layers { stylized, extend: a.carried, ..Layers::from(a.analysis) }, params)
            }
        };
        Ok(Composited { analysis: id, restyled, ..self.compositor.composite(frame, &layers, &params, pixels)? })
    }
}
