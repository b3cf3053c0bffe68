//! Raw RGBA frames with their times, framed as Matroska for the encoder's stdin. A recording on
//! the source's clock used to write a frame once per frame slot it covered: at 4K on two cores
//! each composited frame went down the pipe and through the encoder 30 times or more, the queue
//! behind it took 41 s to drain after Ctrl-C, and the time it held back was lost from the take.
//! With a time on each frame the encoder gets each frame once.
//!
//! Only what ffmpeg's Matroska reader needs: an EBML header, a segment of unknown size, the
//! time scale (1 ms), one uncompressed video track (fourcc RGBA), then one cluster per frame.

/// An EBML size in eight bytes (a marker byte, then seven of length): any frame fits.
fn size(n: u64) -> [u8; 8] {
    let mut b = n.to_be_bytes();
    b[0] = 0x01;
    b
}

fn element(id: &[u8], data: &[u8]) -> Vec<u8> {
    let mut e = id.to_vec();
    e.extend(size(data.len() as u64));
    e.extend(data);
    e
}

fn uint(id: &[u8], v: u64) -> Vec<u8> {
    element(id, &v.to_be_bytes())
}

/// The stream's start: everything before the first frame, for frames of `w` x `h`.
pub fn header(w: u32, h: u32) -> Vec<u8> {
    let ebml = [element(&[0x42, 0x82], b"matroska"), uint(&[0x42, 0x87], 4), uint(&[0x42, 0x85], 2)].concat();
    let mut out = element(&[0x1A, 0x45, 0xDF, 0xA3], &ebml);
    // The segment's size is unknown: frames follow until the pipe closes.
    out.extend([0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
    let info = [uint(&[0x2A, 0xD7, 0xB1], 1_000_000), element(&[0x4D, 0x80], b"drape"), element(&[0x57, 0x41], b"drape")].concat();
    out.extend(element(&[0x15, 0x49, 0xA9, 0x66], &info));
    let video = [uint(&[0xB0], w as u64), uint(&[0xBA], h as u64), element(&[0x2E, 0xB5, 0x24], b"RGBA")].concat();
    let track = [uint(&[0xD7], 1), uint(&[0x73, 0xC5], 1), uint(&[0x83], 1), element(&[0x86], b"V_UNCOMPRESSED"), element(&[0xE0], &video)].concat();
    out.extend(element(&[0x16, 0x54, 0xAE, 0x6B], &element(&[0xAE], &track)));
    out
}

/// What goes before a frame of `len` bytes shown at `at_ms`: a cluster at that time holding one
/// key frame. The frame's bytes follow it as they are.
pub fn frame_prefix(at_ms: u64, len: usize) -> Vec<u8> {
    let timecode = uint(&[0xE7], at_ms);
    // Track 1, no offset from the cluster's time, a key frame.
    let block_head = [0x81, 0x00, 0x00, 0x80];
    let block_len = (block_head.len() + len) as u64;
    let mut out = vec![0x1F, 0x43, 0xB6, 0x75];
    out.extend(size(timecode.len() as u64 + 1 + 8 + block_len));
    out.extend(timecode);
    out.push(0xA3);
    out.extend(size(block_len));
    out.extend(block_head);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_eight_byte_ebml_lengths() {
        assert_eq!(size(5), [0x01, 0, 0, 0, 0, 0, 0, 5]);
        assert_eq!(size(3840 * 2160 * 4 + 4), [0x01, 0, 0, 0, 0x01, 0xFA, 0x40, 0x04]);
    }

    #[test]
    fn a_frame_s_cluster_counts_the_frame_s_bytes() {
        let p = frame_prefix(1234, 16);
        // Cluster id, size, timecode element (1 + 8 + 8), block id, block size, block head.
        assert_eq!(p.len(), 4 + 8 + 17 + 1 + 8 + 4);
        let cluster = u64::from_be_bytes(p[4..12].try_into().unwrap()) & 0x00FF_FFFF_FFFF_FFFF;
        assert_eq!(cluster as usize, p.len() - 12 + 16);
        assert_eq!(u64::from_be_bytes(p[21..29].try_into().unwrap()), 1234);
    }
}
