//! The mirror window: the live pipeline's frames, composited and presented through a wgpu surface
//! in a winit window, with the controls of `controls` and the overlay of `overlay`. Capture and
//! analysis run on the live session's threads, compositing, recording and presenting on the
//! render thread (`render`); the event loop here only turns input into controls.

pub mod controls;
pub mod overlay;
pub mod present;
mod render;
mod x11;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{unbounded, Sender};
use winit::application::ApplicationHandler;
use winit::event::{ElementState, MouseButton, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::keyboard::{Key as WKey, ModifiersState, NamedKey};
use winit::window::{Fullscreen, Window, WindowId};

use self::controls::{Controls, Effect, Key};
use self::present::{PresentPass, Viewport};
use self::render::{lock, spawn_compose, Command, Presenting, Renderer, Shared, Surface};
use crate::compositing::{gpu::GpuCompositor, Compositor, CompositorKind, Stage};
use crate::error::{Error, Result};
use crate::pipeline::live::{LiveSession, OnAnalysisError, FOLLOW_GAP_WINDOW};
use crate::pipeline::stats::{Second, Summary};
use crate::pipeline::video::SourceOpener;
use crate::pipeline::{FrameAnalyser, LookChange};

pub use self::render::stamped;

/// How long a notice stays on screen.
const NOTICE: Duration = Duration::from_secs(4);

pub struct MirrorOptions {
    pub open: SourceOpener,
    pub analyser: Box<dyn FrameAnalyser>,
    pub compositor: CompositorKind,
    pub controls: Controls,
    pub feather: f32,
    pub analyse_every: u32,
    /// The source's frame size and rate.
    pub source_size: (u32, u32),
    pub fps: f64,
    /// Inner size in pixels [default: the frame fitted into 1280x720].
    pub window_size: Option<(u32, u32)>,
    pub fullscreen: bool,
    /// Start recording at once, to this file.
    pub record: Option<PathBuf>,
    /// Where R and S put their files.
    pub save_dir: PathBuf,
    /// The execution provider the models run on, for the HUD.
    pub provider: String,
    /// Called with each second's figures (`--stats` prints them).
    pub each_second: Option<fn(&Second)>,
    /// Set by Ctrl-C.
    pub stop: Arc<AtomicBool>,
    /// Close after this many frames shown (`--frames`).
    pub max_frames: Option<u64>,
    /// Streams and virtual cameras written beside the window (`--stream`, `--virtual-camera`).
    pub live_outs: Vec<crate::output::sink::LiveTarget>,
}

/// How a mirror session ended.
#[derive(Debug)]
pub struct MirrorReport {
    pub summary: Summary,
    /// Recordings and snapshots written.
    pub saved: Vec<PathBuf>,
    pub error: Option<Error>,
}

/// Open the window and run until the user quits (Q, Esc, closing it) or Ctrl-C.
pub fn run(opts: MirrorOptions) -> Result<MirrorReport> {
    let event_loop = EventLoop::new().map_err(|e| {
        // winit's message leads with its own source path; the reason is after the last colon.
        let msg = e.to_string();
        let reason = msg.rsplit(": ").next().unwrap_or(&msg).to_string();
        let name = std::env::var("DISPLAY").or_else(|_| std::env::var("WAYLAND_DISPLAY")).unwrap_or_default();
        window_err(&format!("cannot open the display `{name}`"), reason)
    })?;
    let proxy = event_loop.create_proxy();
    let started = Instant::now();
    let mut app = App { setup: Some(opts), running: None, error: None, proxy };
    event_loop.run_app(&mut app).map_err(|e| window_err("the event loop failed", e))?;
    let mut error = app.error.take();
    let mut summary = Summary::default();
    let mut saved = Vec::new();
    if let Some(r) = app.running.take() {
        let (files, e) = r.close();
        saved = files;
        summary = e.1;
        error = error.or(e.0);
        summary.seconds = started.elapsed().as_secs_f64();
    }
    Ok(MirrorReport { summary, saved, error })
}

fn window_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::window(what, e.to_string())
}

struct App {
    setup: Option<MirrorOptions>,
    running: Option<Running>,
    error: Option<Error>,
    proxy: EventLoopProxy<()>,
}

/// The event loop's side: input state, and handles on the session and the render thread.
struct Running {
    window: Arc<Window>,
    session: Arc<LiveSession>,
    shared: Arc<Mutex<Shared>>,
    commands: Sender<Command>,
    render: std::thread::JoinHandle<(Vec<PathBuf>, Option<Error>)>,
    compose: std::thread::JoinHandle<Result<()>>,
    /// Ends the compose thread.
    done: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    cursor: (f32, f32),
    press: Option<(f32, f32)>,
    dragging: bool,
    modifiers: ModifiersState,
}

impl App {
    fn fail(&mut self, event_loop: &ActiveEventLoop, e: Error) {
        tracing::error!("{}", e.report());
        self.error.get_or_insert(e);
        event_loop.exit();
    }
}

impl ApplicationHandler for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        let Some(opts) = self.setup.take() else { return };
        let proxy = self.proxy.clone();
        match Running::open(event_loop, opts, proxy) {
            Ok(r) => self.running = Some(r),
            Err(e) => self.fail(event_loop, e),
        }
    }

    /// The render thread has stopped (capture ended, an error, Ctrl-C).
    fn user_event(&mut self, event_loop: &ActiveEventLoop, (): ()) {
        event_loop.exit();
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        let Some(r) = self.running.as_mut() else { return };
        tracing::trace!(?event, "window event");
        match event {
            WindowEvent::CloseRequested => event_loop.exit(),
            WindowEvent::Resized(size) => {
                lock(&r.shared).window_size = (size.width, size.height);
                r.ask(Command::Redraw);
            }
            WindowEvent::RedrawRequested => {
                r.ask(Command::Redraw);
            }
            WindowEvent::ModifiersChanged(m) => r.modifiers = m.state(),
            WindowEvent::KeyboardInput { event, .. } if event.state == ElementState::Pressed => {
                tracing::debug!(key = ?event.logical_key, "key");
                if let Some(k) = key_of(&event.logical_key) {
                    let under = r.part_under_pointer();
                    let shift = r.modifiers.shift_key();
                    let effects = lock(&r.shared).controls.key(k, shift, under);
                    r.apply(event_loop, effects);
                }
            }
            WindowEvent::CursorMoved { position, .. } => {
                r.cursor = (position.x as f32, position.y as f32);
                if let Some((px, py)) = r.press {
                    if (r.cursor.0 - px).abs() + (r.cursor.1 - py).abs() > 6.0 {
                        r.dragging = true;
                    }
                    if r.dragging {
                        if let Some((x, _)) = r.pointer_normalised() {
                            lock(&r.shared).controls.drag(x);
                        }
                    }
                }
            }
            WindowEvent::MouseInput { state, button: MouseButton::Left, .. } => match state {
                ElementState::Pressed => {
                    r.press = Some(r.cursor);
                    r.dragging = false;
                }
                ElementState::Released => {
                    let was_drag = r.dragging;
                    r.press = None;
                    r.dragging = false;
                    if !was_drag {
                        let under = r.part_under_pointer();
                        tracing::debug!(cursor = ?r.cursor, at = ?r.pointer_normalised(), ?under, "click");
                        let effects = lock(&r.shared).controls.click(under);
                        r.apply(event_loop, effects);
                    }
                }
            },
            WindowEvent::DroppedFile(path) => {
                let check = crate::capture::load_image(&path, "style").map(|_| ()).map_err(|e| e.report());
                let effects = lock(&r.shared).controls.dropped(&path, check);
                r.apply(event_loop, effects);
            }
            _ => {}
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        let Some(r) = self.running.as_ref() else { return };
        if r.stop.load(Ordering::SeqCst) || r.render.is_finished() {
            event_loop.exit();
            return;
        }
        event_loop.set_control_flow(ControlFlow::WaitUntil(Instant::now() + Duration::from_millis(250)));
    }
}

/// The instance and the window's surface: on X11 through a connection of its own (see `x11`),
/// elsewhere (Wayland, or if that fails) through the window's.
fn surface_for(event_loop: &ActiveEventLoop, window: &Arc<Window>) -> Result<(wgpu::Instance, wgpu::Surface<'static>, Option<x11::PresentConnection>)> {
    use raw_window_handle::HasWindowHandle;
    let fail = |e: &dyn std::fmt::Display| window_err("cannot draw into the window", e);
    let raw_window = window.window_handle().map_err(|e| fail(&e))?.as_raw();
    if let Some(conn) = x11::PresentConnection::open() {
        if let Some((display, win)) = conn.handles(raw_window) {
            // Vulkan only: a GL instance must be made with the window's own display.
            let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
            desc.backends = wgpu::Backends::VULKAN;
            let instance = wgpu::Instance::new(desc.with_env());
            // SAFETY: the connection and the window outlive the surface (Running's field order).
            let surface =
                unsafe { instance.create_surface_unsafe(wgpu::SurfaceTargetUnsafe::RawHandle { raw_display_handle: Some(display), raw_window_handle: win }) };
            match surface {
                Ok(s) => return Ok((instance, s, Some(conn))),
                Err(e) => tracing::warn!("presenting on a second X11 connection failed ({e}); using the window's"),
            }
        }
    }
    let mut desc = wgpu::InstanceDescriptor::new_with_display_handle(Box::new(event_loop.owned_display_handle()));
    desc.backends = wgpu::Backends::VULKAN | wgpu::Backends::GL;
    let instance = wgpu::Instance::new(desc.with_env());
    let surface = instance.create_surface(window.clone()).map_err(|e| fail(&e))?;
    Ok((instance, surface, None))
}

fn key_of(k: &WKey) -> Option<Key> {
    match k {
        WKey::Named(NamedKey::Escape) => Some(Key::Escape),
        WKey::Named(NamedKey::Space) => Some(Key::Space),
        WKey::Named(NamedKey::ArrowLeft) => Some(Key::Left),
        WKey::Named(NamedKey::ArrowRight) => Some(Key::Right),
        WKey::Named(NamedKey::F1) => Some(Key::F1),
        WKey::Named(NamedKey::F11) => Some(Key::F11),
        WKey::Character(s) => s.chars().next().map(Key::Char),
        _ => None,
    }
}

impl Running {
    /// Ask the render thread; when it has stopped the event loop is told and closes, so a
    /// request after that has nowhere to go.
    fn ask(&self, cmd: Command) {
        if self.commands.send(cmd).is_err() {
            tracing::debug!("the render thread has stopped; request dropped");
        }
    }

    fn open(event_loop: &ActiveEventLoop, opts: MirrorOptions, proxy: EventLoopProxy<()>) -> Result<Running> {
        let (sw, sh) = opts.source_size;
        let (ww, wh) = opts.window_size.unwrap_or_else(|| {
            let v = Viewport::fit((sw, sh), (1280, 720));
            (v.extent[0] as u32, v.extent[1] as u32)
        });
        let attrs = Window::default_attributes()
            .with_title(format!("drape - {}", opts.controls.style_label()))
            .with_inner_size(winit::dpi::PhysicalSize::new(ww, wh))
            .with_resizable(true)
            .with_fullscreen(opts.fullscreen.then_some(Fullscreen::Borderless(None)));
        let window = Arc::new(event_loop.create_window(attrs).map_err(|e| window_err("cannot open a window", e))?);
        let (instance, surface, present_connection) = surface_for(event_loop, &window)?;
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            compatible_surface: Some(&surface),
            ..Default::default()
        }))
        .map_err(|e| window_err("no GPU adapter can draw into the window (install mesa-vulkan-drivers for a CPU one)", e))?;
        // Its device presents, whichever compositor blends.
        let gpu = GpuCompositor::with_adapter(&adapter)?;
        let (device, queue) = (gpu.device().clone(), gpu.queue().clone());
        let mut compositor = Compositor::choose(opts.compositor, Ok(gpu))?;
        if let Compositor::Gpu(g) = &mut compositor {
            // The present pass follows on the same queue: no need to wait for the blend.
            g.wait = false;
        }
        let size = window.inner_size();
        let mut config = surface
            .get_default_config(&adapter, size.width.max(1), size.height.max(1))
            .ok_or_else(|| window_err("the window's surface", "not supported by the adapter"))?;
        // A plain (non-sRGB) format passes the frame's bytes through unchanged.
        let caps = surface.get_capabilities(&adapter);
        if let Some(f) = caps.formats.iter().copied().find(|f| !f.is_srgb()) {
            config.format = f;
        }
        config.present_mode = wgpu::PresentMode::AutoVsync;
        surface.configure(&device, &config);
        let pass = PresentPass::new(&device, &queue, config.format);
        tracing::info!(format = ?config.format, width = config.width, height = config.height, "window surface");

        // A failed analysis is a notice in the window and is tried again.
        let session = Arc::new(LiveSession::start(opts.open, opts.analyser, opts.stop.clone(), opts.analyse_every, OnAnalysisError::Retry, FOLLOW_GAP_WINDOW));
        let mut state = Shared { controls: opts.controls, notices: Vec::new(), window_size: (config.width, config.height), source_size: opts.source_size };
        state.notice("H or ? for help".into());
        let shared = Arc::new(Mutex::new(state));
        let (commands, command_rx) = unbounded();
        if let Some(path) = opts.record {
            // Cannot fail: the receiver is held until the render thread takes it below.
            commands.send(Command::Record(path)).map_err(|e| window_err("cannot start the recording", e))?;
        }
        // The compose thread runs the live loop headless `live` runs too; the render thread only
        // presents, records and saves.
        let pixels_wanted = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicBool::new(false));
        let (composed, compose) = spawn_compose(session.clone(), Stage::new(compositor), shared.clone(), opts.feather, pixels_wanted.clone(), done.clone())?;
        let renderer = Renderer::new(
            Surface { surface, present_connection, window: window.clone(), config, device, pass },
            session.clone(),
            shared.clone(),
            Presenting {
                fps: opts.fps,
                save_dir: opts.save_dir,
                provider: opts.provider,
                each_second: opts.each_second,
                max_frames: opts.max_frames,
                live_outs: opts.live_outs,
            },
            pixels_wanted,
        );
        let stop = opts.stop.clone();
        let render = std::thread::Builder::new()
            .name("render".into())
            .spawn(move || {
                renderer.run(composed, command_rx, stop, move || {
                    // The event loop is already closing when it is gone.
                    if proxy.send_event(()).is_err() {
                        tracing::debug!("render thread ended after the event loop");
                    }
                })
            })
            .map_err(|e| window_err("cannot start the render thread", e))?;
        Ok(Running {
            window,
            session,
            shared,
            commands,
            render,
            compose,
            done,
            stop: opts.stop,
            cursor: (0.0, 0.0),
            press: None,
            dragging: false,
            modifiers: ModifiersState::default(),
        })
    }

    /// The frame position under the pointer, 0..1 across the frame.
    fn pointer_normalised(&self) -> Option<(f32, f32)> {
        let sh = lock(&self.shared);
        let v = Viewport::fit(sh.source_size, sh.window_size);
        let (fx, fy) = v.to_frame(sh.source_size, self.cursor.0, self.cursor.1, sh.controls.mirror)?;
        Some((fx / sh.source_size.0 as f32, fy / sh.source_size.1 as f32))
    }

    /// The most likely garment class under the pointer, in the newest analysis.
    fn part_under_pointer(&self) -> Option<u32> {
        let (s, t) = self.pointer_normalised()?;
        self.session.newest()?.analysis.part_at(s, t)
    }

    fn apply(&mut self, event_loop: &ActiveEventLoop, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Look(change) => {
                    if let LookChange::Styles(_) = &change {
                        let label = lock(&self.shared).controls.style_label();
                        self.window.set_title(&format!("drape - {label}"));
                    }
                    if !self.session.change(change) {
                        lock(&self.shared).notice("analysis has stopped; the look cannot change".into());
                    }
                }
                Effect::Notice(n) => lock(&self.shared).notice(n),
                Effect::Quit => event_loop.exit(),
                Effect::Freeze(on) => self.session.set_frozen(on),
                Effect::ToggleFullscreen => {
                    let full = self.window.fullscreen().is_some();
                    self.window.set_fullscreen((!full).then_some(Fullscreen::Borderless(None)));
                }
                Effect::Snapshot => {
                    self.ask(Command::Snapshot);
                }
                Effect::ToggleRecording => {
                    self.ask(Command::ToggleRecording);
                }
            }
        }
    }

    /// Stop the render thread (it finalises any recording), the compose thread, then the
    /// session's threads.
    fn close(self) -> (Vec<PathBuf>, (Option<Error>, Summary)) {
        let Running { session, commands, render, compose, done, stop, window, .. } = self;
        stop.store(true, Ordering::SeqCst);
        drop(commands);
        let (saved, render_error) = render.join().unwrap_or((Vec::new(), Some(Error::Panicked { thread: "render" })));
        done.store(true, Ordering::SeqCst);
        let compose_error = compose.join().unwrap_or(Err(Error::Panicked { thread: "compose" })).err();
        let render_error = compose_error.or(render_error);
        drop(window);
        let summary = session.stats.summary(0.0);
        let session_error = match Arc::try_unwrap(session) {
            Ok(s) => s.finish(),
            Err(_) => Some(Error::Usage("the live session is still in use".into())),
        };
        (saved, (session_error.or(render_error), summary))
    }
}
