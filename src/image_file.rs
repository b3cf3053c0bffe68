//! Image files read into frames: the inputs capture reads and the style images analysis reads,
//! checked (truncated JPEGs, decompression bombs, EXIF orientation) in one place.

use std::path::Path;

use crate::error::{Error, Result};
use crate::frame::Frame;

/// Read and decode an image file into an RGBA frame.
pub fn load_image(path: &Path, what: &'static str) -> Result<Frame> {
    if path.is_dir() {
        return Err(Error::Usage(format!("{}: a folder, not an image; the {what} is one JPEG or PNG file", path.display())));
    }
    let missing = |_| Error::InputMissing { path: path.to_path_buf() };
    let mut file = std::fs::File::open(path).map_err(missing)?;
    let len = file.metadata().map_err(missing)?.len();
    // The first bytes name the format: a file that is no image is refused before it is read
    // (a 4 GB file named .png was read whole, 12 s and 4 GB of memory, to say so).
    let mut head = [0u8; 32];
    let n = std::io::Read::read(&mut file, &mut head).map_err(missing)?;
    if n == 0 {
        return Err(Error::image(path, what, "the file is empty"));
    }
    if image::guess_format(&head[..n]).is_err() {
        return Err(Error::image(path, what, "unknown file format"));
    }
    if len > MAX_FILE_BYTES {
        return Err(Error::image(
            path,
            what,
            format!("the file is {} MB, more than an image drape takes ({} MB); scale it down first", len >> 20, MAX_FILE_BYTES >> 20),
        ));
    }
    let mut bytes = head[..n].to_vec();
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(missing)?;
    decode_image(&bytes, path, what)
}

/// The largest image file drape reads: more than a [`MAX_PIXELS`] picture takes as PNG or JPEG
/// (a 100-megapixel photo is 20-60 MB as JPEG), far less than a file can claim to be.
pub const MAX_FILE_BYTES: u64 = 512 << 20;

/// Decode image bytes. A JPEG without its end marker is refused: decoders otherwise return the
/// missing part as grey, and a restyled half-grey photo is worse than a clear error.
pub fn decode_image(bytes: &[u8], path: &Path, what: &'static str) -> Result<Frame> {
    if bytes.is_empty() {
        return Err(Error::image(path, what, "the file is empty"));
    }
    let format = image::guess_format(bytes).map_err(|_| Error::image(path, what, "unknown file format"))?;
    if format == image::ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(Error::image(path, what, "the JPEG is truncated"));
    }
    let mut decoder = image::ImageReader::with_format(std::io::Cursor::new(bytes), format).into_decoder().map_err(|e| Error::image(path, what, e))?;
    let (w, h) = image::ImageDecoder::dimensions(&decoder);
    // Checked before anything is allocated: a small file can claim a huge picture.
    if w as u64 * h as u64 > MAX_PIXELS {
        return Err(Error::image(
            path,
            what,
            format!(
                "{w}x{h} is {:.0} megapixels, more than drape takes ({} megapixels); scale it down first",
                w as f64 * h as f64 / 1e6,
                MAX_PIXELS / 1_000_000
            ),
        ));
    }
    // A phone's portrait photo is stored on its side with an EXIF orientation: turned upright
    // here, or people would be segmented lying down and the result come out sideways.
    let orientation = image::ImageDecoder::orientation(&mut decoder).unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(|e| Error::image(path, what, e))?;
    img.apply_orientation(orientation);
    if img.width() < 4 || img.height() < 4 {
        return Err(Error::image(path, what, format!("{}x{} is too small; both sides need 4 pixels", img.width(), img.height())));
    }
    Ok(img.to_rgba8())
}

/// The largest picture drape decodes: 100 megapixels (400 MB as RGBA), beyond any camera's.
pub const MAX_PIXELS: u64 = 100_000_000;

/// A complete JPEG reaches its EOI marker (FF D9) walking its segments from the start. Bytes
/// after it (zero padding, a phone's motion-photo video) are not the picture's: a look at the
/// file's last bytes called those photos truncated, and an EXIF thumbnail's own EOI inside an
/// APP1 segment is skipped by the segment's length.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
    let mut i = 2;
    loop {
        // Markers may be preceded by any number of FF fill bytes.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let marker = match (bytes.get(i), bytes.get(i + 1)) {
            (Some(&0xFF), Some(&m)) => m,
            // Stray bytes between segments: decoders (zune-jpeg, libjpeg) skip them to the
            // next marker, and so does this walk.
            (Some(_), Some(_)) => {
                i += 1;
                continue;
            }
            _ => return false,
        };
        i += 2;
        match marker {
            0xD9 => return true,
            // Markers without a length: restart markers and TEM.
            0xD0..=0xD7 | 0x01 => continue,
            _ => {}
        }
        let Some(len) = bytes.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]) as usize) else {
            return false;
        };
        if len < 2 {
            return false;
        }
        i += len;
        if marker == 0xDA {
            // Entropy-coded data follows a scan's header up to the next marker: FF 00 is a
            // data byte and FF D0-D7 a restart inside the scan.
            loop {
                match (bytes.get(i), bytes.get(i + 1)) {
                    (Some(&0xFF), Some(&(0x00 | 0xD0..=0xD7 | 0xFF))) => i += if bytes[i + 1] == 0xFF { 1 } else { 2 },
                    (Some(&0xFF), Some(_)) => break,
                    (Some(_), _) => i += 1,
                    (None, _) => return false,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG of `frame` with an EXIF orientation tag spliced in after its start marker.
    fn jpeg_with_orientation(frame: &Frame, orientation: u8) -> Vec<u8> {
        let mut j = Vec::new();
        image::DynamicImage::ImageRgba8(frame.clone()).to_rgb8().write_to(&mut std::io::Cursor::new(&mut j), image::ImageFormat::Jpeg).unwrap();
        // Exif header, big-endian TIFF header, one IFD entry: 0x0112 (orientation), SHORT, 1 value.
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0".to_vec();
        exif.extend([orientation, 0, 0, 0, 0, 0, 0]);
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend(((exif.len() + 2) as u16).to_be_bytes());
        out.extend(exif);
        out.extend(&j[2..]);
        out
    }

    #[test]
    fn an_exif_orientation_is_applied() {
        // Stored on its side: 64 wide, 32 high, red left half, blue right half.
        let stored = Frame::from_fn(64, 32, |x, _| if x < 32 { image::Rgba([255, 0, 0, 255]) } else { image::Rgba([0, 0, 255, 255]) });
        // 6: the camera was turned a quarter clockwise; shown upright it is 32 wide, 64 high,
        // and the stored left (red) is at the top.
        let f = decode_image(&jpeg_with_orientation(&stored, 6), Path::new("portrait.jpg"), "input").unwrap();
        assert_eq!(f.dimensions(), (32, 64));
        let (top, bottom) = (f.get_pixel(16, 8).0, f.get_pixel(16, 56).0);
        assert!(top[0] > 200 && top[2] < 60, "top {top:?}");
        assert!(bottom[2] > 200 && bottom[0] < 60, "bottom {bottom:?}");
        // 1: as stored.
        assert_eq!(decode_image(&jpeg_with_orientation(&stored, 1), Path::new("x.jpg"), "input").unwrap().dimensions(), (64, 32));
    }

    #[test]
    fn a_picture_too_large_to_decode_names_its_size_and_the_limit() {
        // A 12000 x 12000 PNG is a few hundred kilobytes of zeros but 576 MB decoded as RGBA.
        let mut png = Vec::new();
        let enc =
            image::codecs::png::PngEncoder::new_with_quality(&mut png, image::codecs::png::CompressionType::Fast, image::codecs::png::FilterType::NoFilter);
        let row = vec![0u8; 12_000];
        let rows: Vec<u8> = row.iter().copied().cycle().take(12_000 * 12_000).collect();
        image::ImageEncoder::write_image(enc, &rows, 12_000, 12_000, image::ExtendedColorType::L8).unwrap();
        let e = decode_image(&png, Path::new("bomb.png"), "input").unwrap_err().report();
        assert!(e.contains("bomb.png") && e.contains("12000x12000") && e.contains("144 megapixels") && e.contains("100 megapixels"), "{e}");
    }

    #[test]
    fn truncated_and_empty_images_are_refused_by_name() {
        let mut jpeg = Vec::new();
        Frame::from_pixel(16, 16, image::Rgba([10, 20, 30, 255])).write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Png).unwrap();
        let p = Path::new("x.png");
        assert!(decode_image(&jpeg, p, "input").is_ok());
        let rgb = image::DynamicImage::ImageRgba8(Frame::from_pixel(64, 64, image::Rgba([10, 20, 30, 255]))).to_rgb8();
        let mut j = Vec::new();
        rgb.write_to(&mut std::io::Cursor::new(&mut j), image::ImageFormat::Jpeg).unwrap();
        assert!(decode_image(&j, p, "input").is_ok());
        let e = decode_image(&j[..j.len() / 2], Path::new("half.jpg"), "input").unwrap_err().report();
        assert!(e.contains("half.jpg") && e.contains("truncated"), "{e}");
        assert!(decode_image(b"", p, "style").unwrap_err().report().contains("empty"));
        let bad_png = [&b"\x89PNG\r\n\x1a\n"[..], &[0u8; 40]].concat();
        let e = decode_image(&bad_png, p, "input").unwrap_err();
        let cause = std::error::Error::source(&e).expect("the decoder's error is kept as the cause");
        assert!(cause.downcast_ref::<image::ImageError>().is_some(), "{cause:?}");
        assert!(decode_image(b"hello", p, "style").unwrap_err().to_string().contains("style image"));
    }

    /// Row 13 of issue 33: bytes after the end marker are not truncation. Phones append a
    /// motion-photo video, some writers pad with zeros; a thumbnail's own EOI inside the EXIF
    /// segment must not make a cut file look whole.
    #[test]
    fn a_jpeg_with_bytes_after_its_end_is_whole_and_a_cut_one_is_not() {
        let stored = Frame::from_fn(64, 48, |x, y| image::Rgba([(x * 4) as u8, (y * 5) as u8, 90, 255]));
        let mut j = Vec::new();
        image::DynamicImage::ImageRgba8(stored.clone()).to_rgb8().write_to(&mut std::io::Cursor::new(&mut j), image::ImageFormat::Jpeg).unwrap();
        let p = Path::new("tail.jpg");
        let padded = [&j[..], &vec![0u8; 1 << 20]].concat();
        let mut motion = j.clone();
        motion.extend(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom");
        motion.extend((0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        for (name, bytes) in [("zero padding", &padded), ("motion photo", &motion)] {
            let f = decode_image(bytes, p, "input").unwrap_or_else(|e| panic!("{name}: {}", e.report()));
            assert_eq!(f.dimensions(), (64, 48), "{name}");
        }
        // A thumbnail in APP1 ends with its own EOI; the file cut inside the main picture's scan
        // is still truncated.
        let mut with_thumb = vec![0xFF, 0xD8, 0xFF, 0xE1];
        let thumb = [&b"Exif\0\0"[..], &j[..]].concat();
        with_thumb.extend(((thumb.len() + 2) as u16).to_be_bytes());
        with_thumb.extend(&thumb);
        with_thumb.extend(&j[2..]);
        assert!(decode_image(&with_thumb, p, "input").is_ok());
        let cut = &with_thumb[..with_thumb.len() - j.len() / 3];
        let e = decode_image(cut, p, "input").unwrap_err().report();
        assert!(e.contains("truncated"), "{e}");
        // Cut right after the thumbnail: its EOI sits in the last bytes, and still the
        // picture is not there.
        // Stray bytes between header segments are skipped, as decoders do.
        let mut stray = j[..2].to_vec();
        stray.extend([0x00, 0x13, 0x37]);
        stray.extend(&j[2..]);
        assert!(jpeg_is_complete(&stray));
        let after_thumb = &with_thumb[..4 + thumb.len() + 2 + 40];
        let e = decode_image(after_thumb, p, "input").unwrap_err().report();
        assert!(e.contains("truncated"), "{e}");
    }
}
