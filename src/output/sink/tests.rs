use super::*;

/// A receiver that is not there (nothing listens on the TCP port): every write still
/// succeeds for the session, the warning comes once, and what was not delivered is counted.
#[test]
fn a_stream_whose_receiver_is_gone_is_one_notice_not_an_error() {
    if Command::new("ffmpeg").arg("-version").output().is_err() {
        eprintln!("skipped: no ffmpeg (run `bash models/setup.sh`)");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(1);
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut sink = LiveSink::new(LiveTarget::Stream(format!("tcp://127.0.0.1:{port}")), 10.0).with_notices(tx);
    let frame = Frame::new(320, 240);
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(2) {
        assert!(sink.write(&frame).is_ok());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let notices: Vec<String> = rx.try_iter().collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("the receiver went away"), "{notices:?}");
    let done = Box::new(sink).finish(true).unwrap();
    assert!(done.what.contains("not delivered"), "{}", done.what);
}
