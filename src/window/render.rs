//! The window's presenter: the compose thread runs the live compositing loop that headless
//! `live` runs too (`composite_live`), and the render thread presents each composited frame with
//! the overlay, records it when asked and saves snapshots. Both run apart from the event loop,
//! which must stay idle to answer keys and clicks at once (composite and present on the
//! event-loop thread delayed X11 input by up to seconds under Xvfb).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver};
use winit::window::Window;

use super::controls::{view_name, Controls, HELP};
use super::overlay::{self, OverlayContent};
use super::present::{PresentPass, PresentUniforms, Viewport};
use super::{window_err, x11, NOTICE};
use crate::compositing::{opacity_for_strength, Composited, Params, Smoothing, Stage, View, FRINGE_FLOOR};
use crate::error::{Error, Result};
use crate::output::sink::{LiveSink, LiveTarget, Sink, VideoSink};
use crate::pipeline::live::{composite_live, LiveSession};
use crate::pipeline::sinks::SinkThread;
use crate::pipeline::slot::latest;
use crate::pipeline::stats::Second;

/// What the event loop decides and the render thread draws from.
pub struct Shared {
    pub controls: Controls,
    pub notices: Vec<(String, Instant)>,
    /// The window's inner size; the surface follows it.
    pub window_size: (u32, u32),
    /// The frames' size, set by the render thread.
    pub source_size: (u32, u32),
}

impl Shared {
    pub fn notice(&mut self, text: String) {
        tracing::info!("notice: {text}");
        self.notices.push((text, Instant::now()));
    }
}

/// Lock the shared state; a poisoned lock (a panic elsewhere) still gives the data.
pub fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

/// Asked of the render thread by the event loop.
pub enum Command {
    Snapshot,
    ToggleRecording,
    Record(PathBuf),
    Redraw,
}

/// A time-stamped file name in `dir`: drape-YYYYMMDD-HHMMSS.EXT, numbered if taken.
pub fn stamped(dir: &Path, ext: &str) -> PathBuf {
    let stem = chrono::Local::now().format("drape-%Y%m%d-%H%M%S").to_string();
    let mut p = dir.join(format!("{stem}.{ext}"));
    let mut n = 2;
    while p.exists() {
        p = dir.join(format!("{stem}-{n}.{ext}"));
        n += 1;
    }
    p
}

/// The compositor's parameters from the controls.
fn params(c: &Controls, feather: f32) -> Params {
    Params {
        parts: c.parts,
        view: c.view,
        opacity: opacity_for_strength(c.strength),
        feather,
        split: c.split,
        smoothing: Some(Smoothing::default()),
        reset: false,
        fringe_floor: FRINGE_FLOOR,
    }
}

/// A composited frame and when its source frame was captured.
type Shown = (Composited, Instant);

/// Start the compose thread: the live compositing loop on `stage`, each composite handed to the
/// render thread through a latest-wins slot. It composites on its own thread so that the blend
/// of a frame overlaps the present of the one before (measured on 2 cores with the CPU
/// compositor, 640x480 at 30 fps: 25.7 -> 29.6 frames shown per second). A GPU composite is
/// read back only while `pixels` is set (recording, or a snapshot waiting).
pub fn spawn_compose(
    session: Arc<LiveSession>,
    mut stage: Stage,
    shared: Arc<Mutex<Shared>>,
    feather: f32,
    pixels: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
) -> Result<(Receiver<Shown>, std::thread::JoinHandle<Result<()>>)> {
    let (tx, rx) = latest::<Shown>();
    let handle = std::thread::Builder::new()
        .name("compose".into())
        .spawn(move || {
            composite_live(
                &session,
                &mut stage,
                &done,
                |frame| {
                    let mut sh = lock(&shared);
                    sh.source_size = frame.dimensions();
                    (params(&sh.controls, feather), pixels.load(Ordering::SeqCst))
                },
                |out, c, _| {
                    tx.publish((out, c.at));
                    Ok(true)
                },
            )
        })
        .map_err(|e| window_err("cannot start the compose thread", e))?;
    Ok((rx, handle))
}

/// The render thread's state. `out` goes first: its surface must be dropped before the
/// connection it presents on and the window (see [`Surface`]).
pub struct Renderer {
    out: Surface,
    how: Presenting,
    session: Arc<LiveSession>,
    shared: Arc<Mutex<Shared>>,
    /// Asks the compose thread for pixels (recording, or a snapshot waiting).
    pixels_wanted: Arc<AtomicBool>,
    /// The last composite shown.
    shown: Option<Composited>,
    snapshot_waiting: bool,
    recorder: Option<(SinkThread, PathBuf)>,
    saved: Vec<PathBuf>,
    overlay_shown: Option<(OverlayContent, (u32, u32))>,
    second: Second,
    /// Frames shown so far, for `--frames`.
    frames_shown: u64,
    /// The streams and virtual cameras, on the source's clock (they never fail the session),
    /// and what they have to tell.
    live_outs: Option<(SinkThread, Receiver<String>)>,
}

/// Where the render thread presents. Field order matters: the surface goes before the
/// connection it presents on and the window.
pub struct Surface {
    pub surface: wgpu::Surface<'static>,
    /// Held, not read: the surface presents through it, so it must outlive the surface.
    #[allow(dead_code)]
    pub present_connection: Option<x11::PresentConnection>,
    pub window: Arc<Window>,
    pub config: wgpu::SurfaceConfiguration,
    pub device: wgpu::Device,
    pub pass: PresentPass,
}

/// Where the render thread saves and what its HUD and stats say.
pub struct Presenting {
    pub fps: f64,
    pub save_dir: PathBuf,
    pub provider: String,
    /// Called with each second's figures.
    pub each_second: Option<fn(&Second)>,
    /// Close after this many frames shown (`--frames`).
    pub max_frames: Option<u64>,
    /// Streams and virtual cameras, written for the whole session.
    pub live_outs: Vec<LiveTarget>,
}

impl Renderer {
    pub fn new(out: Surface, session: Arc<LiveSession>, shared: Arc<Mutex<Shared>>, how: Presenting, pixels_wanted: Arc<AtomicBool>) -> Renderer {
        Renderer {
            out,
            how,
            session,
            shared,
            pixels_wanted,
            shown: None,
            snapshot_waiting: false,
            recorder: None,
            saved: Vec::new(),
            overlay_shown: None,
            second: Second::default(),
            frames_shown: 0,
            live_outs: None,
        }
    }

    /// Run until the event loop hangs up or the compose thread ends (capture ended, an error);
    /// finalises any recording. Returns the files written and the first error.
    pub fn run(mut self, composed: Receiver<Shown>, commands: Receiver<Command>, stop: Arc<AtomicBool>, ended: impl Fn()) -> (Vec<PathBuf>, Option<Error>) {
        let mut error = None;
        let (tell, told) = crossbeam_channel::unbounded();
        let outs: Vec<Box<dyn Sink>> = std::mem::take(&mut self.how.live_outs)
            .into_iter()
            .map(|t| Box::new(LiveSink::new(t, self.how.fps).with_notices(tell.clone())) as Box<dyn Sink>)
            .collect();
        if !outs.is_empty() {
            self.live_outs = Some((SinkThread::spawn(outs, 8, None).on_source_clock(self.how.fps), told));
            self.want_pixels();
        }
        while !stop.load(Ordering::SeqCst) {
            let step = select! {
                recv(composed) -> m => match m {
                    Ok((out, at)) => self.show(out, at),
                    // The compose thread ended: files loop in the window, so this is an error or a camera gone.
                    Err(_) => break,
                },
                recv(commands) -> cmd => match cmd {
                    Ok(cmd) => self.command(cmd),
                    Err(_) => break,
                },
                default(Duration::from_millis(100)) => Ok(()),
            };
            if let Err(e) = step {
                error = Some(e);
                break;
            }
            if self.how.max_frames.is_some_and(|n| self.frames_shown >= n) {
                break;
            }
            let mut notes: Vec<String> = self.session.notices().collect();
            notes.extend(self.live_outs.as_ref().map(|(_, told)| told.try_iter().collect::<Vec<_>>()).unwrap_or_default());
            for n in notes {
                self.notice(n);
            }
            if let Some(s) = self.session.stats.tick_telling(self.how.each_second) {
                self.second = s;
            }
        }
        self.stop_recording();
        if let Some((t, _)) = self.live_outs.take() {
            let (_, e) = t.finish(true);
            if let Some(e) = e {
                tracing::warn!("{}", e.report());
            }
        }
        ended();
        (std::mem::take(&mut self.saved), error)
    }

    /// A composited frame: record it, save a waiting snapshot, show it.
    fn show(&mut self, out: Composited, at: Instant) -> Result<()> {
        if let Some(px) = &out.pixels {
            if let Some((t, _)) = self.live_outs.as_mut() {
                t.push(px.clone());
            }
            self.record(px.clone());
            if std::mem::take(&mut self.snapshot_waiting) {
                self.save_snapshot(px);
                self.want_pixels();
            }
        }
        self.shown = Some(out);
        self.frames_shown += 1;
        self.present()?;
        self.session.stats.composited(at.elapsed());
        Ok(())
    }

    /// Tell the compose thread whether a GPU composite must come back as pixels.
    fn want_pixels(&self) {
        self.pixels_wanted.store(self.recorder.is_some() || self.snapshot_waiting || self.live_outs.is_some(), Ordering::SeqCst);
    }

    fn record(&mut self, frame: Arc<crate::frame::Frame>) {
        if let Some((rec, path)) = &mut self.recorder {
            if !rec.push(frame) {
                let path = path.clone();
                self.notice(format!("recording to {} stopped: the encoder quit", path.display()));
                self.stop_recording();
            }
        }
    }

    fn notice(&self, text: String) {
        lock(&self.shared).notice(text);
    }

    fn command(&mut self, cmd: Command) -> Result<()> {
        match cmd {
            Command::Snapshot => {
                self.snapshot();
                Ok(())
            }
            Command::ToggleRecording => {
                if self.recorder.is_some() {
                    self.stop_recording();
                } else {
                    // The alpha view is recorded where its transparency survives.
                    let ext = if lock(&self.shared).controls.view == View::Alpha { "webm" } else { "mp4" };
                    self.start_recording(stamped(&self.how.save_dir, ext));
                }
                Ok(())
            }
            Command::Record(path) => {
                self.start_recording(path);
                Ok(())
            }
            Command::Redraw => self.present(),
        }
    }

    fn overlay_content(&self, sh: &Shared) -> OverlayContent {
        let c = &sh.controls;
        let hud = c.hud.then(|| {
            let s = &self.second;
            let mut lines = if s.presented_fps > 0.0 {
                vec![
                    format!("{:.1} fps shown  latency {:.0} ms", s.presented_fps, s.latency_ms),
                    format!("masks {:.1}/s, {:.0} ms behind  textures {:.1}/s", s.mask_updates_per_s, s.mask_behind_ms, s.texture_updates_per_s),
                    format!("full analyses {:.1}/s", s.analysis_fps),
                ]
            } else {
                vec!["measuring ...".to_string()]
            };
            lines.extend([
                format!("{}  {}  strength {:.2}{}", self.how.provider, c.style_label(), c.strength, if c.preserve_colour { "  colours kept" } else { "" }),
                format!("parts: {}  view: {}{}", c.parts_label(), view_name(c.view), if c.mirror { "  mirrored" } else { "" }),
            ]);
            lines
        });
        let now = Instant::now();
        OverlayContent {
            hud,
            help: c.help.then(|| HELP.iter().map(|s| s.to_string()).collect()),
            recording: self.recorder.as_ref().map(|(r, _)| r.seconds()),
            notice: sh.notices.iter().rev().find(|(_, at)| now.duration_since(*at) < NOTICE).map(|(n, _)| n.clone()),
            frozen: c.frozen,
        }
    }

    fn present(&mut self) -> Result<()> {
        let (content, mirror, size) = {
            let sh = lock(&self.shared);
            (self.overlay_content(&sh), sh.controls.mirror, sh.window_size)
        };
        if size != (self.out.config.width, self.out.config.height) && size.0 > 0 && size.1 > 0 {
            self.out.config.width = size.0;
            self.out.config.height = size.1;
            self.out.surface.configure(&self.out.device, &self.out.config);
        }
        let scale = if self.out.config.width >= 1000 { 2 } else { 1 };
        let osize = (self.out.config.width.div_ceil(scale), self.out.config.height.div_ceil(scale));
        // Drawn and uploaded only when its content or size changed.
        if self.overlay_shown.as_ref() != Some(&(content.clone(), osize)) {
            self.out.pass.set_overlay(&overlay::draw(&content, osize.0, osize.1));
            self.overlay_shown = Some((content, osize));
        }
        let frame_tex = match &self.shown {
            Some(Composited { texture: Some(t), .. }) => t.clone(),
            Some(Composited { pixels: Some(px), .. }) => self.out.pass.upload(px),
            _ => return Ok(()),
        };
        let target = match self.out.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(t) | wgpu::CurrentSurfaceTexture::Suboptimal(t) => t,
            wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => return Ok(()),
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                self.out.surface.configure(&self.out.device, &self.out.config);
                return Ok(());
            }
            other => return Err(window_err("the window's surface", format!("{other:?}"))),
        };
        let t = Instant::now();
        let src = (frame_tex.width(), frame_tex.height());
        let u = PresentUniforms {
            src_size: [src.0, src.1],
            dst_size: [self.out.config.width, self.out.config.height],
            view: Viewport::fit(src, (self.out.config.width, self.out.config.height)),
            mirror,
            overlay_scale: scale,
            overlay_size: [osize.0, osize.1],
            srgb_out: false,
        };
        let view = target.texture.create_view(&wgpu::TextureViewDescriptor::default());
        self.out.pass.render(&frame_tex, &view, u);
        self.out.window.pre_present_notify();
        self.out.pass.queue().present(target);
        self.session.stats.stage("present", t.elapsed().as_secs_f64() * 1e3);
        self.session.stats.presented();
        Ok(())
    }

    /// Save the frame shown; a GPU composite is saved from the next frame read back.
    fn snapshot(&mut self) {
        match self.shown.as_ref().map(|s| s.pixels.clone()) {
            None => self.notice("nothing to save yet".into()),
            Some(Some(px)) => self.save_snapshot(&px),
            Some(None) => {
                self.snapshot_waiting = true;
                self.want_pixels();
            }
        }
    }

    fn save_snapshot(&mut self, frame: &crate::frame::Frame) {
        let path = stamped(&self.how.save_dir, "png");
        match crate::output::save_image(frame, &path) {
            Ok(()) => {
                tracing::info!(path = %path.display(), "snapshot saved");
                self.notice(format!("saved {}", path.display()));
                self.saved.push(path);
            }
            Err(e) => self.notice(e.report()),
        }
    }

    fn start_recording(&mut self, path: PathBuf) {
        match VideoSink::create(&path, self.how.fps) {
            Ok(sink) => {
                tracing::info!(path = %path.display(), "recording");
                self.notice(format!("recording to {}", path.display()));
                // Deep enough to ride out an encoder hiccup; a full queue slows the display
                // rather than dropping frames.
                let thread = SinkThread::spawn(vec![Box::new(sink)], 32, None).on_source_clock(self.how.fps);
                self.recorder = Some((thread, path));
                self.want_pixels();
            }
            // A folder that cannot be written is a notice, not the end of the session.
            Err(e) => self.notice(e.report()),
        }
    }

    fn stop_recording(&mut self) {
        let Some((rec, _)) = self.recorder.take() else { return };
        self.want_pixels();
        let (finished, error) = rec.finish(true);
        for f in finished {
            if let Some(p) = f.path {
                tracing::info!(path = %p.display(), what = %f.what, "recording saved");
                self.notice(format!("saved {}", p.display()));
                self.saved.push(p);
            }
        }
        if let Some(e) = error {
            self.notice(e.report());
        }
    }
}
