//! Cameras through nokhwa's native backend (V4L2 on Linux). drape asks for MJPEG, YUYV or NV12
//! and converts with its own integer code (capture/convert.rs) rather than nokhwa's decoders.

use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType, Resolution};
use nokhwa::Camera as NokhwaCamera;

use super::convert::{self, PixelFormat};
use super::Source;
use crate::error::{Error, Result};
use crate::frame::Frame;

/// A camera on this machine and the formats it offers.
#[derive(Debug, Clone)]
pub struct CameraDescription {
    pub index: u32,
    pub name: String,
    pub formats: Vec<String>,
}

/// Every camera the native backend sees; an empty list where there is none.
pub fn list() -> Result<Vec<CameraDescription>> {
    let infos = nokhwa::query(ApiBackend::Auto).map_err(|e| Error::camera_because("the cameras cannot be listed", e.to_string()))?;
    let mut out = Vec::new();
    for info in infos {
        let index = match info.index() {
            CameraIndex::Index(i) => *i,
            CameraIndex::String(_) => continue,
        };
        let formats = NokhwaCamera::new(info.index().clone(), RequestedFormat::new::<RgbFormat>(RequestedFormatType::None))
            .and_then(|mut c| c.compatible_camera_formats())
            .map(|fs| fs.iter().map(|f| format!("{} {}x{} @ {} fps", f.format(), f.width(), f.height(), f.frame_rate())).collect())
            .unwrap_or_else(|e| vec![format!("(formats unreadable: {e})")]);
        out.push(CameraDescription { index, name: info.human_name(), formats });
    }
    Ok(out)
}

pub struct Camera {
    cam: NokhwaCamera,
    index: u32,
    format: CameraFormat,
}

impl Camera {
    /// Open camera `index` closest to width x height at `fps`, preferring MJPEG, then YUYV, NV12.
    pub fn open(index: u32, width: u32, height: u32, fps: u32) -> Result<Camera> {
        let mut last = String::from("no format offered");
        for ff in [FrameFormat::MJPEG, FrameFormat::YUYV, FrameFormat::NV12] {
            let want = CameraFormat::new(Resolution::new(width, height), ff, fps);
            let req = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(want));
            match NokhwaCamera::new(CameraIndex::Index(index), req) {
                Ok(mut cam) => {
                    if let Err(e) = cam.open_stream() {
                        last = e.to_string();
                        continue;
                    }
                    let format = cam.camera_format();
                    tracing::info!(index, format = %format, "camera opened");
                    return Ok(Camera { cam, index, format });
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(Error::camera_because(format!("camera {index} cannot be opened; `drape cameras` lists the cameras"), last))
    }
}

impl Source for Camera {
    fn describe(&self) -> String {
        format!("camera {} ({})", self.index, self.format)
    }
    fn rate(&self) -> Option<f64> {
        Some(self.format.frame_rate() as f64)
    }
    fn total_frames(&self) -> Option<u64> {
        None
    }
    fn is_live(&self) -> bool {
        true
    }
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        let buf = self.cam.frame().map_err(|e| Error::camera_because(format!("camera {} lost", self.index), e.to_string()))?;
        let res = buf.resolution();
        let format = match buf.source_frame_format() {
            FrameFormat::MJPEG => PixelFormat::Mjpeg,
            FrameFormat::YUYV => PixelFormat::Yuyv,
            FrameFormat::NV12 => PixelFormat::Nv12,
            FrameFormat::RAWRGB => PixelFormat::Rgb,
            other => return Err(Error::camera(format!("camera {} sends {other}, which drape does not read", self.index))),
        };
        convert::to_rgba(format, buf.buffer(), res.width(), res.height()).map(Some)
    }
}

impl Drop for Camera {
    fn drop(&mut self) {
        // A camera that will not stop is released by the driver when the process ends.
        if let Err(e) = self.cam.stop_stream() {
            tracing::debug!("camera {}: stopping its stream: {e}", self.index);
        }
    }
}
