//! A camera that goes away mid-run is reported (the window shows the notice) and reopened; frames
//! keep coming and a look change reaches the analysis. STAND-IN camera: no camera can exist on
//! the machines drape is built on.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::video::SlowAnalyser;
use drape::analysis::parts::PartSet;
use drape::analysis::Analysis;
use drape::capture::Source;
use drape::error::{Error, Result};
use drape::frame::Frame;
use drape::pipeline::live::{LiveSession, OnAnalysisError, FOLLOW_GAP_HEADLESS};
use drape::pipeline::video::SourceOpener;
use drape::pipeline::{FrameAnalyser, LookChange};

/// The stand-in analysis, keeping the look changes that reach it.
struct Keeping {
    inner: SlowAnalyser,
    changes: Arc<Mutex<Vec<LookChange>>>,
}

impl FrameAnalyser for Keeping {
    fn analyse(&mut self, frame: &Frame) -> Result<Analysis> {
        self.inner.analyse(frame)
    }
    fn apply(&mut self, change: &LookChange) -> Result<()> {
        self.changes.lock().unwrap().push(change.clone());
        Ok(())
    }
}

/// A live source that fails after `fail_after` frames, the way a V4L2 camera does when unplugged.
struct FlakyCamera {
    n: u32,
    fail_after: Option<u32>,
}

impl Source for FlakyCamera {
    fn describe(&self) -> String {
        "flaky stand-in camera".into()
    }
    fn rate(&self) -> Option<f64> {
        None
    }
    fn total_frames(&self) -> Option<u64> {
        None
    }
    fn is_live(&self) -> bool {
        true
    }
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        std::thread::sleep(Duration::from_millis(20));
        self.n += 1;
        if self.fail_after.is_some_and(|f| self.n > f) {
            return Err(Error::camera("device /dev/video0 disappeared"));
        }
        Ok(Some(Frame::from_pixel(32, 24, image::Rgba([self.n as u8, 0, 0, 255]))))
    }
}

#[test]
fn a_lost_camera_is_reported_and_reopened() {
    let opened = Arc::new(AtomicU32::new(0));
    let o = opened.clone();
    // The first opening fails after 10 frames; the reopened one keeps going.
    let open: SourceOpener = Box::new(move || {
        let first = o.fetch_add(1, Ordering::SeqCst) == 0;
        Ok(Box::new(FlakyCamera { n: 0, fail_after: first.then_some(10) }) as Box<dyn Source>)
    });
    let changes = Arc::new(Mutex::new(Vec::new()));
    let analyser = Keeping { inner: SlowAnalyser { delay: Duration::from_millis(10), calls: Arc::new(Mutex::new(0)) }, changes: changes.clone() };
    let stop = Arc::new(AtomicBool::new(false));
    let session = LiveSession::start(open, Box::new(analyser), stop, 1, OnAnalysisError::Stop, FOLLOW_GAP_HEADLESS);
    let upper_only = LookChange::Parts(PartSet { upper: true, lower: false, full: false });
    assert!(session.change(upper_only.clone()));
    let mut notices = Vec::new();
    let mut frames_after = 0;
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(10) && frames_after < 20 {
        if let Ok(c) = session.frames().recv_timeout(Duration::from_millis(100)) {
            if notices.iter().any(|n: &String| n.contains("camera back")) && c.frame.dimensions() == (32, 24) {
                frames_after += 1;
            }
        }
        notices.extend(session.notices());
    }
    assert!(notices.iter().any(|n| n.contains("camera lost") && n.contains("disappeared")), "{notices:?}");
    assert!(notices.iter().any(|n| n.contains("camera back")), "{notices:?}");
    assert_eq!(frames_after, 20, "frames flow again after the camera is back");
    assert_eq!(opened.load(Ordering::SeqCst), 2);
    assert!(session.newest().is_some(), "analysis kept running");
    assert_eq!(*changes.lock().unwrap(), [upper_only], "the look change reached the analysis");
    assert!(session.finish().is_none(), "a lost camera is not an error");
}
