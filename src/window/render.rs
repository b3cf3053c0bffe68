//! The render thread: composites each new frame with the newest analysis, records it when asked
//! and presents it with the overlay. It runs apart from the event loop, which must stay idle to
//! answer keys and clicks at once (composite and present on the event-loop thread delayed X11
//! input by up to seconds under Xvfb).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, select, Receiver, RecvTimeoutError, Sender};
use winit::window::Window;

use super::controls::{view_name, Controls, HELP};
use super::overlay::{self, OverlayContent};
use super::present::{PresentPass, PresentUniforms, Viewport};
use super::{window_err, x11, NOTICE};
use crate::compositing::{opacity_for_strength, cpu::CpuCompositor, Compositor, Params, Smoothing};
use crate::error::{Error, Result};
use crate::frame::Frame;
use crate::output::sink::{Finished, Mp4Sink, Sink};
use crate::pipeline::stats::Second;
use crate::pipeline::slot::latest;
use crate::pipeline::video::{Captured, LiveCompositing, LiveSession};

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

/// An MP4 recording on its own thread, so encoding never stalls the display. Frames are written
/// on the source's clock: when the display runs slower than the source, a frame is repeated so
/// that the recording keeps its real length and speed.
pub struct Recorder {
    tx: Sender<(Arc<Frame>, u64)>,
    handle: std::thread::JoinHandle<(Option<Finished>, Option<Error>)>,
    started: Instant,
    fps: f64,
    written: u64,
}

impl Recorder {
    fn start(path: &Path, fps: f64) -> Result<Recorder> {
        let mut sink = Mp4Sink::create(path, fps)?;
        // Deep enough to ride out an encoder hiccup; a full queue slows the display rather
        // than dropping frames.
        let (tx, rx) = bounded::<(Arc<Frame>, u64)>(32);
        let handle = std::thread::spawn(move || {
            let mut error = None;
            'frames: for (f, times) in rx.iter() {
                for _ in 0..times {
                    if let Err(e) = sink.write(&f) {
                        error = Some(e);
                        break 'frames;
                    }
                }
            }
            match Box::new(sink).finish(error.is_none()) {
                Ok(f) => (Some(f), error),
                Err(e) => (None, error.or(Some(e))),
            }
        });
        Ok(Recorder { tx, handle, started: Instant::now(), fps: fps.max(1.0), written: 0 })
    }

    /// Record `frame` as many times as the source clock says are due (0 when ahead of it).
    fn push(&mut self, frame: Arc<Frame>) -> bool {
        let due = (self.started.elapsed().as_secs_f64() * self.fps) as u64 + 1;
        let times = due.saturating_sub(self.written);
        if times == 0 {
            return true;
        }
        self.written += times;
        self.tx.send((frame, times)).is_ok()
    }

    fn stop(self) -> (Option<Finished>, Option<Error>) {
        drop(self.tx);
        self.handle.join().unwrap_or_else(|_| (None, Some(Error::Usage("the recording thread panicked".into()))))
    }
}

/// Field order matters: the surface goes before the connection it presents on and the window.
pub struct Renderer {
    pub surface: wgpu::Surface<'static>,
    /// Held, not read: the surface presents through it, so it must outlive the surface.
    #[allow(dead_code)]
    pub present_connection: Option<x11::PresentConnection>,
    pub window: Arc<Window>,
    pub config: wgpu::SurfaceConfiguration,
    pub device: wgpu::Device,
    pub pass: PresentPass,
    pub compositor: Compositor,
    pub session: Arc<LiveSession>,
    pub shared: Arc<Mutex<Shared>>,
    pub feather: f32,
    pub fps: f64,
    pub save_dir: PathBuf,
    pub provider: String,
    pub print_stats: bool,
    pub live: LiveCompositing,
    pub composited: bool,
    /// The last frame blended on the CPU (the blend thread's output).
    pub pixels: Option<Arc<Frame>>,
    pub recorder: Option<(Recorder, PathBuf)>,
    pub saved: Vec<PathBuf>,
    pub overlay_shown: Option<(OverlayContent, (u32, u32))>,
    pub second: Second,
}

impl Renderer {
    /// Run until the event loop hangs up (or capture ends); finalises any recording. Returns the
    /// files written and the first error.
    pub fn run(mut self, commands: Receiver<Command>, stop: Arc<AtomicBool>, ended: impl Fn()) -> (Vec<PathBuf>, Option<Error>) {
        // The CPU blend runs on a thread of its own, so that it overlaps the present of the
        // frame before (measured on 2 cores, 640x480 at 30 fps: 25.7 -> 29.6 frames shown per second).
        let done = Arc::new(AtomicBool::new(false));
        let (frames, blended, blend) = match self.compositor {
            Compositor::Cpu(_) => {
                let (rx, handle) = self.spawn_blend(done.clone());
                (crossbeam_channel::never(), rx, Some(handle))
            }
            Compositor::Gpu(_) => (self.session.frames().clone(), crossbeam_channel::never(), None),
        };
        let mut error = None;
        while !stop.load(Ordering::SeqCst) {
            let step = select! {
                recv(frames) -> c => match c {
                    Ok(c) => self.on_frame(c),
                    // Capture ended: files loop in the window, so this is an error or a camera gone.
                    Err(_) => break,
                },
                recv(blended) -> b => match b {
                    Ok((px, at)) => self.on_pixels(px, at),
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
            let notes: Vec<String> = self.session.notices().collect();
            for n in notes {
                self.notice(n);
            }
            if let Some(s) = self.session.stats.tick() {
                if self.print_stats {
                    eprintln!("drape: {s}");
                }
                self.second = s;
            }
        }
        self.stop_recording();
        done.store(true, Ordering::SeqCst);
        if let Some(h) = blend {
            let blended = h.join().unwrap_or_else(|_| Err(Error::Usage("the blend thread panicked".into())));
            error = error.or(blended.err());
        }
        ended();
        (std::mem::take(&mut self.saved), error)
    }

    /// The CPU blend on its own thread: each new frame composited with the newest analysis and
    /// handed to the render loop through a latest-wins slot.
    fn spawn_blend(&self, done: Arc<AtomicBool>) -> (Receiver<(Arc<Frame>, Instant)>, std::thread::JoinHandle<Result<()>>) {
        let (session, shared, feather) = (self.session.clone(), self.shared.clone(), self.feather);
        let (tx, rx) = latest::<(Arc<Frame>, Instant)>();
        let handle = std::thread::spawn(move || -> Result<()> {
            let mut compositor = Compositor::Cpu(CpuCompositor::default());
            let mut live = LiveCompositing::default();
            while !done.load(Ordering::SeqCst) {
                let c = match session.frames().recv_timeout(Duration::from_millis(100)) {
                    Ok(c) => c,
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => break,
                };
                let t = Instant::now();
                let params = {
                    let mut sh = lock(&shared);
                    sh.source_size = c.frame.dimensions();
                    Renderer::params(&sh.controls, feather)
                };
                live.composite(&mut compositor, &c.frame, session.newest().as_ref(), &params)?;
                let px = compositor.read_back()?;
                session.stats.stage("composite", t.elapsed().as_secs_f64() * 1e3);
                tx.publish((Arc::new(px), c.at));
            }
            Ok(())
        });
        (rx, handle)
    }

    /// A frame blended on the CPU: record it, show it.
    fn on_pixels(&mut self, px: Arc<Frame>, at: Instant) -> Result<()> {
        self.pixels = Some(px.clone());
        self.composited = true;
        self.record(px);
        self.present()?;
        self.session.stats.composited(at.elapsed());
        Ok(())
    }

    fn record(&mut self, frame: Arc<Frame>) {
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
            Command::Snapshot => self.snapshot(),
            Command::ToggleRecording => {
                if self.recorder.is_some() {
                    self.stop_recording();
                } else {
                    self.start_recording(stamped(&self.save_dir, "mp4"));
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

    fn params(c: &Controls, feather: f32) -> Params {
        Params {
            parts: c.parts,
            view: c.view,
            opacity: opacity_for_strength(c.strength),
            feather,
            split: c.split,
            smoothing: Some(Smoothing::default()),
            reset: false,
            fringe_floor: crate::compositing::FRINGE_FLOOR,
        }
    }

    /// A new frame from capture: composite it with the newest analysis, record it, show it.
    fn on_frame(&mut self, c: Captured) -> Result<()> {
        let t = Instant::now();
        let params = {
            let mut sh = lock(&self.shared);
            sh.source_size = c.frame.dimensions();
            Self::params(&sh.controls, self.feather)
        };
        self.live.composite(&mut self.compositor, &c.frame, self.session.newest().as_ref(), &params)?;
        self.composited = true;
        self.session.stats.stage("composite", t.elapsed().as_secs_f64() * 1e3);
        if self.recorder.is_some() {
            let frame = Arc::new(self.compositor.read_back()?);
            self.record(frame);
        }
        self.present()?;
        self.session.stats.composited(c.at.elapsed());
        Ok(())
    }

    fn overlay_content(&self, sh: &Shared) -> OverlayContent {
        let c = &sh.controls;
        let hud = c.hud.then(|| {
            let s = &self.second;
            vec![
                if s.presented_fps > 0.0 {
                    format!("{:.1} fps shown  analysis {:.1} fps  latency {:.0} ms", s.presented_fps, s.analysis_fps, s.latency_ms)
                } else {
                    "measuring ...".to_string()
                },
                format!("{}  {}  strength {:.2}{}", self.provider, c.style_label(), c.strength, if c.preserve_colour { "  colours kept" } else { "" }),
                format!("parts: {}  view: {}{}", c.parts_label(), view_name(c.view), if c.mirror { "  mirrored" } else { "" }),
            ]
        });
        let now = Instant::now();
        OverlayContent {
            hud,
            help: c.help.then(|| HELP.iter().map(|s| s.to_string()).collect()),
            recording: self.recorder.as_ref().map(|(r, _)| r.started.elapsed().as_secs()),
            notice: sh.notices.iter().rev().find(|(_, at)| now.duration_since(*at) < NOTICE).map(|(n, _)| n.clone()),
            frozen: c.frozen,
        }
    }

    fn present(&mut self) -> Result<()> {
        let (content, mirror, size) = {
            let sh = lock(&self.shared);
            (self.overlay_content(&sh), sh.controls.mirror, sh.window_size)
        };
        if size != (self.config.width, self.config.height) && size.0 > 0 && size.1 > 0 {
            self.config.width = size.0;
            self.config.height = size.1;
            self.surface.configure(&self.device, &self.config);
        }
        let scale = if self.config.width >= 1000 { 2 } else { 1 };
        let osize = (self.config.width.div_ceil(scale), self.config.height.div_ceil(scale));
        // Drawn and uploaded only when its content or size changed.
        if self.overlay_shown.as_ref() != Some(&(content.clone(), osize)) {
            self.pass.set_overlay(&overlay::draw(&content, osize.0, osize.1));
            self.overlay_shown = Some((content, osize));
        }
        if !self.composited {
            return Ok(());
        }
        let frame_tex = match &mut self.compositor {
            Compositor::Gpu(g) => g.output_texture().cloned(),
            Compositor::Cpu(_) => self.pixels.clone().map(|px| self.pass.upload(&px)),
        };
        let Some(frame_tex) = frame_tex else { return Ok(()) };
        let target = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(t) | wgpu::CurrentSurfaceTexture::Suboptimal(t) => t,
            wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => return Ok(()),
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                self.surface.configure(&self.device, &self.config);
                return Ok(());
            }
            other => return Err(window_err("the window's surface", format!("{other:?}"))),
        };
        let t = Instant::now();
        let src = (frame_tex.width(), frame_tex.height());
        let u = PresentUniforms {
            src_size: [src.0, src.1],
            dst_size: [self.config.width, self.config.height],
            view: Viewport::fit(src, (self.config.width, self.config.height)),
            mirror,
            overlay_scale: scale,
            overlay_size: [osize.0, osize.1],
            srgb_out: false,
        };
        let view = target.texture.create_view(&wgpu::TextureViewDescriptor::default());
        self.pass.render(&frame_tex, &view, u);
        self.window.pre_present_notify();
        self.pass.queue().present(target);
        self.session.stats.stage("present", t.elapsed().as_secs_f64() * 1e3);
        self.session.stats.presented();
        Ok(())
    }

    fn snapshot(&mut self) -> Result<()> {
        if !self.composited {
            self.notice("nothing to save yet".into());
            return Ok(());
        }
        let frame = match (&self.compositor, &self.pixels) {
            (Compositor::Cpu(_), Some(px)) => (**px).clone(),
            _ => self.compositor.read_back()?,
        };
        let path = stamped(&self.save_dir, "png");
        match crate::output::save_image(&frame, &path) {
            Ok(()) => {
                println!("saved {}", path.display());
                self.notice(format!("saved {}", path.display()));
                self.saved.push(path);
            }
            Err(e) => self.notice(e.to_string()),
        }
        Ok(())
    }

    fn start_recording(&mut self, path: PathBuf) {
        match Recorder::start(&path, self.fps) {
            Ok(r) => {
                println!("recording to {}", path.display());
                self.notice(format!("recording to {}", path.display()));
                self.recorder = Some((r, path));
            }
            // A folder that cannot be written is a notice, not the end of the session.
            Err(e) => self.notice(e.to_string()),
        }
    }

    fn stop_recording(&mut self) {
        let Some((rec, _)) = self.recorder.take() else { return };
        let (finished, error) = rec.stop();
        if let Some(f) = finished {
            if let Some(p) = f.path {
                println!("saved {} ({})", p.display(), f.what);
                self.notice(format!("saved {}", p.display()));
                self.saved.push(p);
            }
        }
        if let Some(e) = error {
            self.notice(e.to_string());
        }
    }
}
