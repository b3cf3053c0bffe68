//! The photo path on real models and real photos from ../shared/testdata.

mod common;

use common::*;
use drape::analysis::models::saliency::Saliency;
use drape::analysis::models::style::{StyleOptions, StyleSpec};
use drape::analysis::parts::cloth::ClothSegmenter;
use drape::analysis::parts::{self, GarmentSegmenter, PartSet};
use drape::analysis::{Analyser, AnalyserConfig, Request};
use drape::capture::load_image;
use drape::compositing::{self, cpu::CpuCompositor, Layers, Params};
use drape::frame::{Frame, Map};

fn ref_mask(name: &str) -> image::GrayImage {
    image::open(testdata().join("photos/ref_masks").join(format!("{name}.png"))).unwrap().to_luma8()
}

fn photo_for_mask(stem: &str) -> Frame {
    let dir = testdata().join("photos");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_file() && p.file_stem().is_some_and(|s| s == stem))
        .unwrap_or_else(|| panic!("no photo for mask {stem}"));
    load_image(&file, "input").unwrap()
}

#[test]
fn person_mask_matches_reference_masks() {
    let d = model_dir();
    let mut sal = Saliency::open(runtime(), &d.model_path("u2netp"), 320).unwrap();
    let mut ious = Vec::new();
    for entry in std::fs::read_dir(testdata().join("photos/ref_masks")).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let frame = photo_for_mask(&stem);
        let reference = ref_mask(&stem);
        assert_eq!(reference.dimensions(), frame.dimensions());
        let map = sal.run(&frame).unwrap();
        let (w, h) = frame.dimensions();
        let (mut inter, mut union) = (0u64, 0u64);
        for y in 0..h {
            for x in 0..w {
                let mine = map.sample((x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32, 0) > 0.5;
                let theirs = reference.get_pixel(x, y).0[0] > 127;
                inter += (mine && theirs) as u64;
                union += (mine || theirs) as u64;
            }
        }
        let iou = inter as f64 / union as f64;
        eprintln!("{stem}: IoU {iou:.3}");
        ious.push(iou);
    }
    assert!(ious.len() >= 5);
    let mean = ious.iter().sum::<f64>() / ious.len() as f64;
    eprintln!("mean IoU {mean:.3} over {}", ious.len());
    assert!(mean >= 0.90, "mean IoU {mean:.3} < 0.90");
}

fn analyser() -> Analyser {
    Analyser::open(runtime(), &model_dir(), AnalyserConfig::default()).unwrap()
}

fn restyle(a: &mut Analyser, frame: &Frame, parts: PartSet, style: &str, strength: f32) -> Frame {
    let style = a.load_style(&style.parse::<StyleSpec>().unwrap()).unwrap();
    let req = Request { parts, style: &style, style_options: StyleOptions { strength, preserve_colour: false } };
    let analysis = a.analyse(frame, &req).unwrap();
    let p = Params { parts, opacity: compositing::opacity_for_strength(strength), ..Params::default() };
    CpuCompositor::default().composite(frame, &Layers::from(&analysis), &p)
}

/// The reference mask grown by `r` pixels (a square neighbourhood), for the soft edge.
fn dilate(mask: &image::GrayImage, r: i64) -> Vec<bool> {
    let (w, h) = (mask.width() as i64, mask.height() as i64);
    // Separable max: rows, then columns.
    let on: Vec<bool> = mask.pixels().map(|p| p.0[0] > 127).collect();
    let mut rows = vec![false; on.len()];
    for y in 0..h {
        for x in 0..w {
            rows[(y * w + x) as usize] = (x - r..=x + r).any(|xx| xx >= 0 && xx < w && on[(y * w + xx) as usize]);
        }
    }
    let mut out = vec![false; on.len()];
    for y in 0..h {
        for x in 0..w {
            out[(y * w + x) as usize] = (y - r..=y + r).any(|yy| yy >= 0 && yy < h && rows[(yy * w + x) as usize]);
        }
    }
    out
}

#[test]
fn restyling_upper_changes_pixels_only_where_the_person_is() {
    let mut a = analyser();
    let style = style("kandinsky_seed.jpg");
    for stem in ["lionel-messi-athletes-fashion", "2019-LADIES-NIGHT-2ND-GOMES", "5-mental-skills-of-successful-athletes-image"] {
        let frame = photo_for_mask(stem);
        let out = restyle(&mut a, &frame, "upper".parse().unwrap(), style.to_str().unwrap(), 1.0);
        let grown = dilate(&ref_mask(stem), (frame.width().max(frame.height()) / 100) as i64);
        let (mut changed, mut outside) = (0usize, 0usize);
        for (i, (p, q)) in frame.pixels().zip(out.pixels()).enumerate() {
            if p.0.iter().zip(q.0.iter()).any(|(a, b)| a.abs_diff(*b) > 2) {
                changed += 1;
                outside += !grown[i] as usize;
            }
        }
        let total = (frame.width() * frame.height()) as usize;
        eprintln!("{stem}: changed {changed} of {total}, outside the person {outside}");
        assert!(changed * 100 > total, "{stem}: almost nothing was restyled ({changed} px)");
        assert!(outside * 200 <= changed, "{stem}: {outside} of {changed} changed pixels lie outside the person");
    }
}

#[test]
fn strength_zero_returns_the_input() {
    let mut a = analyser();
    let frame = photo_for_mask("lionel-messi-athletes-fashion");
    let out = restyle(&mut a, &frame, PartSet::ALL, "builtin:3", 0.0);
    let worst = frame.pixels().zip(out.pixels()).flat_map(|(p, q)| (0..4).map(move |c| p.0[c].abs_diff(q.0[c]))).max();
    assert!(worst.unwrap() <= 1, "max difference {worst:?}");
    // And a little strength does change it: the check above can fail.
    let out = restyle(&mut a, &frame, PartSet::ALL, "builtin:3", 0.5);
    assert!(frame.pixels().zip(out.pixels()).any(|(p, q)| p != q));
}

fn classes(parts: &Map) -> [usize; 4] {
    let mut n = [0usize; 4];
    for y in 0..parts.height {
        for x in 0..parts.width {
            n[parts::argmax(parts, x, y) as usize] += 1;
        }
    }
    n
}

fn segment(a: &mut Analyser, frame: &Frame) -> Map {
    let style = a.load_style(&StyleSpec::Builtin(0)).unwrap();
    let req = Request { parts: PartSet::ALL, style: &style, style_options: StyleOptions { strength: 0.0, preserve_colour: false } };
    // Each photo stands alone: no one followed from the last.
    a.forget();
    a.analyse(frame, &req).unwrap().parts
}

#[test]
fn hips_out_of_frame_give_no_lower_part() {
    let mut a = analyser();
    // Head and shoulders: a T-shirt, hips far below the frame.
    let n = classes(&segment(&mut a, &photo_for_mask("photo-1552374196-c4e7ffc6e126")));
    eprintln!("head-and-shoulders classes {n:?}");
    assert!(n[parts::UPPER as usize] > 1000, "the T-shirt should be upper: {n:?}");
    assert_eq!(n[parts::LOWER as usize] + n[parts::FULL as usize], 0, "{n:?}");
    // Control: people seen whole do get a lower part.
    let n = classes(&segment(&mut a, &photo_for_mask("2019-LADIES-NIGHT-2ND-GOMES")));
    eprintln!("full-body classes {n:?}");
    assert!(n[parts::LOWER as usize] * 5 > n[parts::UPPER as usize], "trousers should be lower: {n:?}");
}

fn quadrants() -> Frame {
    // red | green over blue | grey
    Frame::from_fn(200, 160, |x, y| {
        let c = match (x < 100, y < 80) {
            (true, true) => [255, 0, 0],
            (false, true) => [0, 255, 0],
            (true, false) => [0, 0, 255],
            (false, false) => [128, 128, 128],
        };
        image::Rgba([c[0], c[1], c[2], 255])
    })
}

#[test]
fn standin_cloth_model_decodes_to_the_right_classes() {
    let dir = tempfile::tempdir().unwrap();
    let model = standin_cloth(dir.path(), 4);
    let mut seg = ClothSegmenter::open(runtime(), &model).unwrap();
    let frame = quadrants();
    let out = seg.segment(&frame, &Map::new(1, 1, 1)).unwrap().parts;
    assert_eq!((out.width, out.height, out.channels), (768, 768, 4));
    let at = |s: f32, t: f32| parts::argmax(&out, (s * 768.0) as u32, (t * 768.0) as u32);
    assert_eq!(at(0.25, 0.25), parts::UPPER);
    assert_eq!(at(0.75, 0.25), parts::LOWER);
    assert_eq!(at(0.25, 0.75), parts::FULL);
    assert_eq!(at(0.75, 0.75), parts::BACKGROUND);
    let px = &out.data[..4];
    assert!((px.iter().sum::<f32>() - 1.0).abs() < 1e-4, "softmax scores sum to 1: {px:?}");
}

#[test]
fn wrong_shaped_cloth_model_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let model = standin_cloth(dir.path(), 3);
    let err = ClothSegmenter::open(runtime(), &model).err().expect("3 classes must be refused").report();
    assert!(err.contains("standin_cloth_3.onnx") && err.contains("shape"), "{err}");
}
