//! A second X11 connection for presenting. Mesa's software presentation (lavapipe, llvmpipe) on
//! the window's own Xlib connection swallowed its input events: after the first present no key,
//! click or focus event reached winit under Xvfb. Presenting through a connection of its own
//! (the window is a server-side object, any connection can draw into it) keeps them apart.

use std::ffi::c_void;
use std::ptr::NonNull;

use raw_window_handle::{RawDisplayHandle, RawWindowHandle, XlibDisplayHandle};
use x11_dl::xlib::{Display, Xlib};

pub struct PresentConnection {
    xlib: Xlib,
    display: NonNull<Display>,
}

impl PresentConnection {
    /// A new connection to the display named by $DISPLAY, or None (then the window's own is used).
    pub fn open() -> Option<PresentConnection> {
        let xlib = Xlib::open().ok()?;
        // SAFETY: XOpenDisplay with a null name reads $DISPLAY; a null result is checked.
        let display = NonNull::new(unsafe { (xlib.XOpenDisplay)(std::ptr::null()) })?;
        Some(PresentConnection { xlib, display })
    }

    /// The display handle to create a surface on for the X11 window `window`, if it is one.
    pub fn handles(&self, window: RawWindowHandle) -> Option<(RawDisplayHandle, RawWindowHandle)> {
        match window {
            RawWindowHandle::Xlib(_) | RawWindowHandle::Xcb(_) => {
                // SAFETY: the display is open for as long as self lives.
                let screen = unsafe { (self.xlib.XDefaultScreen)(self.display.as_ptr()) };
                let d = XlibDisplayHandle::new(Some(self.display.cast::<c_void>()), screen);
                Some((RawDisplayHandle::Xlib(d), window))
            }
            _ => None,
        }
    }
}

// SAFETY: the connection is made on the event-loop thread and from then on used (by Mesa, through
// the surface) and closed only on the render thread that owns it; Xlib is thread-initialised by winit.
unsafe impl Send for PresentConnection {}

impl Drop for PresentConnection {
    fn drop(&mut self) {
        // SAFETY: opened in `open`, closed once; the surface using it is dropped before this
        // (field order in the window's state).
        unsafe { (self.xlib.XCloseDisplay)(self.display.as_ptr()) };
    }
}
