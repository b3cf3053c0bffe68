//! Garments measured on labelled areas, not points (issue 32): tests/labels.toml holds, for every
//! shared photo and for frames of the shared clips, polygons of what each area is (each person's
//! upper, lower and full-body garments, skin and hair, and the things nobody wears), drawn by
//! hand inside their regions, away from the edges between them. On the recorded model outputs
//! (no ONNX Runtime, as tests/rules.rs), per image and per person: the share of each garment
//! restyled as its own part, of the skin restyled, and of other things restyled against the
//! image's garment area.
//!
//! cargo test --release --test labelled -- --include-ignored --nocapture   (prints the table)

mod common;

use common::recorded::{alpha, clip_frame, replayed};
use common::*;
use drape::analysis::parts::PartSet;
use drape::capture::load_image;
use drape::frame::Frame;
use serde::Deserialize;

/// The least share of a garment restyled as its own part.
const GARMENT_LEAST: f64 = 0.9;
/// The most of a person's skin restyled.
const SKIN_MOST: f64 = 0.01;
/// The most of other things (hair, the labelled things nobody wears, the background away from
/// everyone) restyled, as a share of the image's garment area.
const OTHER_MOST: f64 = 0.005;
/// Background this far from everyone's labelled box (a share of the image's longer side) counts
/// as other things; nearer, only what is labelled counts.
const AWAY: f64 = 0.04;

#[derive(Deserialize)]
struct Labels {
    image: Vec<Image>,
}

type Polygon = Vec<[f64; 2]>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Image {
    file: String,
    size: [u32; 2],
    #[serde(default)]
    other: Vec<Polygon>,
    #[serde(default)]
    person: Vec<Person>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Person {
    who: String,
    wears: Vec<String>,
    #[serde(default)]
    upper: Vec<Polygon>,
    #[serde(default)]
    lower: Vec<Polygon>,
    #[serde(default)]
    full: Vec<Polygon>,
    #[serde(default)]
    skin: Vec<Polygon>,
    #[serde(default)]
    hair: Vec<Polygon>,
    /// For someone too small for any polygon: the box they are in (x0, y0, x1, y1).
    #[serde(default)]
    near: Option<[f64; 4]>,
}

impl Person {
    fn garments(&self) -> [(&'static str, &Vec<Polygon>); 3] {
        [("upper", &self.upper), ("lower", &self.lower), ("full", &self.full)]
    }

    fn all(&self) -> impl Iterator<Item = &Polygon> {
        self.upper.iter().chain(&self.lower).chain(&self.full).chain(&self.skin).chain(&self.hair)
    }
}

fn labels() -> Labels {
    let path = repo().join("tests/labels.toml");
    toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The clips by their short names, as the label file names frames ("a1-37": frame 37 of a1).
fn clip_named(stem: &str) -> String {
    let clips = std::fs::read_dir(testdata().join("clips")).unwrap();
    let names: Vec<String> = clips.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.into_iter().find(|n| n.split('_').next() == Some(stem)).unwrap_or_else(|| panic!("labels.toml: no clip {stem}"))
}

/// The image a label names: a shared photo, or a clip's frame ("a1-37").
fn load(file: &str) -> Frame {
    let photo = testdata().join("photos").join(file);
    if photo.is_file() {
        return load_image(&photo, "input").unwrap();
    }
    let (stem, n) = file.rsplit_once('-').unwrap_or_else(|| panic!("labels.toml: {file} is neither a shared photo nor CLIP-FRAME"));
    clip_frame(&clip_named(stem), n.parse().unwrap_or_else(|_| panic!("labels.toml: frame number in {file}")))
}

/// Pixels of several polygons, each once.
fn union(polys: &[Polygon], size: (u32, u32)) -> Vec<(u32, u32)> {
    let mut px: Vec<(u32, u32)> = polys.iter().flat_map(|p| inside(p, size)).collect();
    px.sort_unstable();
    px.dedup();
    px
}

fn restyled(a: &image::RgbaImage, px: &[(u32, u32)]) -> usize {
    px.iter().filter(|&&(x, y)| a.get_pixel(x, y).0[3] > 127).count()
}

#[test]
fn the_labels_cover_every_shared_photo_and_twenty_clip_frames_and_lie_in_their_images() {
    let labels = labels();
    let mut photos: Vec<String> = std::fs::read_dir(testdata().join("photos"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    photos.sort();
    for p in &photos {
        assert!(labels.image.iter().any(|i| &i.file == p), "tests/labels.toml has no labels for the shared photo {p}");
    }
    let mut names: Vec<&str> = labels.image.iter().map(|i| i.file.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "tests/labels.toml labels an image twice");
    let frames = labels.image.iter().filter(|i| !photos.contains(&i.file)).count();
    assert!(frames >= 20, "{frames} clip frames labelled, 20 wanted");
    for i in &labels.image {
        let [w, h] = i.size;
        // The size is the image's own: a photo's from its file, a frame's from its clip (which
        // must exist, and hold that frame).
        let real = if photos.contains(&i.file) {
            image::image_dimensions(testdata().join("photos").join(&i.file)).unwrap()
        } else {
            let (stem, n) = i.file.rsplit_once('-').unwrap_or_else(|| panic!("{}: neither a shared photo nor CLIP-FRAME", i.file));
            let clip = testdata().join("clips").join(clip_named(stem));
            let n: u64 = n.parse().unwrap_or_else(|_| panic!("{}: no frame number", i.file));
            let probe = std::process::Command::new("ffprobe")
                .args(["-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=width,height,nb_read_packets", "-of", "csv=p=0"])
                .arg(&clip)
                .output()
                .unwrap();
            let out = String::from_utf8_lossy(&probe.stdout);
            let v: Vec<u64> = out.trim().split(',').map(|x| x.parse().unwrap()).collect();
            assert!(n < v[2], "{}: the clip has {} frames", i.file, v[2]);
            (v[0] as u32, v[1] as u32)
        };
        assert_eq!((w, h), real, "{}: labelled at another size", i.file);
        let polys = i.other.iter().chain(i.person.iter().flat_map(|p| p.all()));
        for poly in polys {
            assert!(poly.len() >= 3, "{}: a polygon of {} points", i.file, poly.len());
            for p in poly {
                assert!(p[0] >= 0.0 && p[1] >= 0.0 && p[0] <= w as f64 && p[1] <= h as f64, "{}: point {p:?} outside {w}x{h}", i.file);
            }
        }
        // A garment too small to draw inside (a sliver at the frame's edge) is worn without a
        // polygon; a polygon of a garment not worn is a slip.
        for p in &i.person {
            for (part, polys) in p.garments() {
                assert!(polys.is_empty() || p.wears.iter().any(|x| x == part), "{}, {}: {part} polygons but wears {:?}", i.file, p.who, p.wears);
            }
            assert!(p.all().next().is_some() || p.near.is_some(), "{}, {}: no polygon and no `near` box", i.file, p.who);
        }
    }
}

#[test]
#[ignore = "issue 32: skin, hair and things nobody wears are restyled and garments missed on most labelled images (the table this prints)"]
fn garments_are_restyled_and_skin_and_other_things_are_not_on_every_labelled_image() {
    let mut failures = Vec::new();
    for image in labels().image {
        let frame = load(&image.file);
        let size = (frame.width(), frame.height());
        assert_eq!([size.0, size.1], image.size, "{}: labelled at another size", image.file);
        let analysis = replayed(&image.file, &frame);
        let all = alpha(&frame, &analysis, PartSet::ALL);
        let each: Vec<(&str, image::RgbaImage)> = ["upper", "lower", "full"].into_iter().map(|p| (p, alpha(&frame, &analysis, p.parse().unwrap()))).collect();
        let mut garment_area = 0usize;
        for (k, person) in image.person.iter().enumerate() {
            let mut line = format!("{} P{} ({}):", image.file, k + 1, person.who);
            for (part, polys) in person.garments() {
                let px = union(polys, size);
                if px.is_empty() {
                    continue;
                }
                garment_area += px.len();
                let own = &each.iter().find(|(p, _)| *p == part).unwrap().1;
                let (as_own, at_all) = (restyled(own, &px) as f64 / px.len() as f64, restyled(&all, &px) as f64 / px.len() as f64);
                line += &format!(" {part} {:.0}% as {part} ({:.0}% restyled)", 100.0 * as_own, 100.0 * at_all);
                if as_own < GARMENT_LEAST {
                    failures.push(format!(
                        "{} P{}: {part} {:.0}% restyled as {part} (at least {:.0}%)",
                        image.file,
                        k + 1,
                        100.0 * as_own,
                        100.0 * GARMENT_LEAST
                    ));
                }
            }
            let skin = union(&person.skin, size);
            if !skin.is_empty() {
                let share = restyled(&all, &skin) as f64 / skin.len() as f64;
                line += &format!(", skin {:.1}% restyled", 100.0 * share);
                if share > SKIN_MOST {
                    failures.push(format!("{} P{}: skin {:.1}% restyled (at most {:.0}%)", image.file, k + 1, 100.0 * share, 100.0 * SKIN_MOST));
                }
            }
            eprintln!("{line}");
        }
        // Other things: the hair, what is labelled as nobody's, and the background away from
        // everyone's box.
        let (w, h) = size;
        let away = AWAY * w.max(h) as f64;
        let boxes: Vec<[f64; 4]> = image
            .person
            .iter()
            .filter_map(|p| {
                let pts: Vec<[f64; 2]> = p.all().flatten().copied().chain(p.near.iter().flat_map(|b| [[b[0], b[1]], [b[2], b[3]]])).collect();
                (!pts.is_empty()).then(|| {
                    let f = |i: usize, m: fn(f64, f64) -> f64, s: f64| pts.iter().map(|q| q[i]).fold(s, m);
                    [f(0, f64::min, f64::INFINITY) - away, f(1, f64::min, f64::INFINITY) - away, f(0, f64::max, 0.0) + away, f(1, f64::max, 0.0) + away]
                })
            })
            .collect();
        let mut other: Vec<(u32, u32)> = image.other.iter().chain(image.person.iter().flat_map(|p| &p.hair)).flat_map(|p| inside(p, size)).collect();
        for y in 0..h {
            for x in 0..w {
                let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
                if !boxes.iter().any(|b| px >= b[0] && px <= b[2] && py >= b[1] && py <= b[3]) {
                    other.push((x, y));
                }
            }
        }
        other.sort_unstable();
        other.dedup();
        let wrong = restyled(&all, &other);
        let share = wrong as f64 / garment_area.max(1) as f64;
        eprintln!("{}: other things restyled {wrong} px, {:.2}% of the garment area {garment_area} px", image.file, 100.0 * share);
        if share > OTHER_MOST {
            failures.push(format!("{}: other things restyled, {:.2}% of the garment area (at most {:.1}%)", image.file, 100.0 * share, 100.0 * OTHER_MOST));
        }
        if let Some(dir) = std::env::var_os("DRAPE_LABELLED_PNG") {
            picture(&frame, &all, &image, &other).save(std::path::Path::new(&dir).join(format!("{}.labelled.png", image.file))).unwrap();
        }
    }
    assert!(failures.is_empty(), "{} failed:\n{}", failures.len(), failures.join("\n"));
}

/// For looking at (DRAPE_LABELLED_PNG=DIR): the frame dimmed; garment polygons green where
/// restyled and yellow where missed; skin and other things red where restyled, blue where not
/// (other things only where labelled, not the background away from everyone).
fn picture(frame: &Frame, all: &image::RgbaImage, image: &Image, other: &[(u32, u32)]) -> image::RgbImage {
    let size = (frame.width(), frame.height());
    let mut out = image::RgbImage::from_fn(size.0, size.1, |x, y| {
        let p = frame.get_pixel(x, y).0;
        let a = all.get_pixel(x, y).0[3] as u32;
        // Restyled pixels keep their brightness, the rest is dimmed.
        image::Rgb([0, 1, 2].map(|c| ((p[c] as u32 * (80 + a * 175 / 255)) / 255) as u8))
    });
    let mut mark = |px: &[(u32, u32)], hit: [u8; 3], miss: [u8; 3]| {
        for &(x, y) in px {
            let c = if all.get_pixel(x, y).0[3] > 127 { hit } else { miss };
            let o = out.get_pixel_mut(x, y);
            o.0 = [0, 1, 2].map(|k| ((o.0[k] as u32 + c[k] as u32 * 2) / 3) as u8);
        }
    };
    for p in &image.person {
        for (_, polys) in p.garments() {
            mark(&union(polys, size), [0, 255, 0], [255, 255, 0]);
        }
        mark(&union(&p.skin, size), [255, 0, 0], [0, 80, 255]);
    }
    let labelled: Vec<(u32, u32)> = union(&image.other, size).into_iter().chain(image.person.iter().flat_map(|p| union(&p.hair, size))).collect();
    mark(&labelled, [255, 0, 0], [0, 80, 255]);
    // The background away from everyone: red only where restyled.
    for &(x, y) in other {
        if all.get_pixel(x, y).0[3] > 127 {
            out.get_pixel_mut(x, y).0 = [255, 0, 0];
        }
    }
    out
}
