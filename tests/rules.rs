//! The garment rules on recorded model outputs, without ONNX Runtime (issue 31): the committed
//! table of expected parts (tests/expected_parts.toml), the reference person masks of
//! ../shared, and single frames of the shared clips where a rule was once wrong. The models run
//! once per frame and their outputs are kept under target/ (tests/common/recorded.rs); after
//! that this file runs in seconds. tests/garments.rs holds the model tests of clips, frame
//! after frame, and that a replay is the analysis it was recorded from.

mod common;

use common::recorded::{alpha, clip_frame, replayed};
use common::*;
use drape::analysis::parts::{self, PartSet};
use drape::analysis::Analysis;
use drape::capture::load_image;
use serde::Deserialize;

#[derive(Deserialize)]
struct Table {
    photo: Vec<Photo>,
}

#[derive(Deserialize)]
struct Photo {
    file: String,
    #[serde(default)]
    never: Vec<Point>,
    #[serde(default)]
    person: Vec<Person>,
}

#[derive(Deserialize)]
struct Person {
    who: String,
    #[serde(default)]
    wears: Vec<Point>,
    #[serde(default)]
    never: Vec<Point>,
}

#[derive(Deserialize)]
struct Point {
    at: [f32; 2],
    what: String,
    #[serde(default)]
    part: Option<String>,
    /// A known failure and why: reported, not asserted.
    #[serde(default)]
    miss: Option<String>,
}

fn table() -> Table {
    toml::from_str(&std::fs::read_to_string(repo().join("tests/expected_parts.toml")).unwrap()).unwrap()
}

fn photo_path(file: &str) -> std::path::PathBuf {
    let shared = testdata().join("photos").join(file);
    if shared.is_file() {
        shared
    } else {
        model_dir().example_path().with_file_name(file)
    }
}

/// The restyling alpha with every part picked (selected parts x saliency, as the compositor
/// takes it) and the most likely garment class, averaged over 3x3 taps 1% of the frame apart.
fn alpha_and_class(a: &Analysis, s: f32, t: f32) -> (f32, u32) {
    let mut scores = [0.0f32; 4];
    let mut alpha = 0.0;
    for j in -1..=1 {
        for i in -1..=1 {
            let (u, v) = ((s + 0.01 * i as f32).clamp(0.0, 1.0), (t + 0.01 * j as f32).clamp(0.0, 1.0));
            let sal = a.saliency.sample(u, v, 0);
            let mut sel = 0.0;
            for c in 1..parts::CLASSES {
                let p = a.parts.sample(u, v, c);
                scores[c as usize] += p;
                sel += p;
            }
            alpha += sel.min(1.0) * sal;
        }
    }
    let class = (1..parts::CLASSES).max_by(|&x, &y| scores[x as usize].total_cmp(&scores[y as usize])).unwrap_or(0);
    (alpha / 9.0, class)
}

fn part_code(name: &str) -> u32 {
    match name {
        "upper" => parts::UPPER,
        "lower" => parts::LOWER,
        "full" => parts::FULL,
        other => panic!("expected_parts.toml: unknown part {other}"),
    }
}

#[test]
fn every_shared_photo_matches_its_expected_parts() {
    let (mut checked, mut failed, mut known) = (0, Vec::new(), Vec::new());
    let mut fixed = Vec::new();
    for photo in table().photo {
        let frame = load_image(&photo_path(&photo.file), "input").unwrap();
        let analysis = replayed(&photo.file, &frame);
        let everyone = photo.person.iter().flat_map(|p| p.wears.iter().chain(&p.never).map(move |pt| (p.who.as_str(), pt)));
        for (who, pt) in photo.never.iter().map(|pt| ("around", pt)).chain(everyone) {
            let (alpha, class) = alpha_and_class(&analysis, pt.at[0], pt.at[1]);
            let (u, v) = (pt.at[0], pt.at[1]);
            let garment: f32 = (1..parts::CLASSES).map(|c| analysis.parts.sample(u, v, c)).sum();
            let why = format!(
                " [garment {garment:.2}, saliency {:.2}, person gate {}]",
                analysis.saliency.sample(u, v, 0),
                analysis.gate.as_ref().map_or("-".into(), |g| format!("{:.2}", g.sample(u, v, 0)))
            );
            let (ok, saw) = match &pt.part {
                // Restyled, and as the right part.
                Some(part) => (alpha >= 0.5 && class == part_code(part), format!("alpha {alpha:.2}, class {class}, want {part}")),
                // Never restyled.
                None => (alpha < 0.2, format!("alpha {alpha:.2}, want < 0.2")),
            };
            checked += 1;
            let line = format!("{} / {who} / {} at {:?}: {saw}{why}", photo.file, pt.what, pt.at);
            match (&pt.miss, ok) {
                (None, true) => {}
                (None, false) => failed.push(line),
                (Some(why), false) => known.push(format!("{line} (known: {why})")),
                (Some(_), true) => fixed.push(line),
            }
        }
    }
    eprintln!("{checked} checks, {} failed, {} known misses", failed.len(), known.len());
    for l in &known {
        eprintln!("  known miss: {l}");
    }
    for l in &fixed {
        eprintln!("  now right, take its `miss` away: {l}");
    }
    assert!(failed.is_empty(), "{} of {checked} checks failed:\n{}", failed.len(), failed.join("\n"));
}

/// The share of a photo's garment alpha that may lie outside its reference person mask.
const BUDGET: f64 = 0.01;

#[test]
fn garment_alpha_stays_on_the_reference_person() {
    let mut worst = (0.0f64, String::new());
    for entry in std::fs::read_dir(testdata().join("photos/ref_masks")).unwrap() {
        let mask_path = entry.unwrap().path();
        let stem = mask_path.file_stem().unwrap().to_string_lossy().into_owned();
        let file = table().photo.into_iter().map(|p| p.file).find(|f| f.starts_with(&format!("{stem}."))).unwrap();
        let frame = load_image(&photo_path(&file), "input").unwrap();
        let reference = image::open(&mask_path).unwrap().to_luma8();
        let analysis = replayed(&file, &frame);
        let out = alpha(&frame, &analysis, PartSet::ALL);
        let (mut total, mut outside) = (0.0f64, 0.0f64);
        for (p, r) in out.pixels().zip(reference.pixels()) {
            let alpha = p.0[3] as f64 / 255.0;
            total += alpha;
            if r.0[0] <= 127 {
                outside += alpha;
            }
        }
        let share = if total > 0.0 { outside / total } else { 0.0 };
        eprintln!("{stem}: garment alpha outside the reference person {:.2}% of {:.0} px", 100.0 * share, total);
        assert!(total > 0.0, "{stem}: nothing restyled");
        if share - BUDGET > worst.0 {
            worst = (
                share - BUDGET,
                format!("{stem}: {:.2}% of the garment alpha lies outside the reference person mask (at most {:.1}%)", 100.0 * share, 100.0 * BUDGET),
            );
        }
    }
    assert!(worst.0 <= 0.0, "{}", worst.1);
}

/// b3, frame 15: a man walking away enters from the bottom; BlazePose's detector takes the back
/// of his head for someone lying on their side and the landmarks make a tiny sideways body on it.
/// That is no body: his hair must not be restyled, and his shirt (the selfie mask's person) is.
#[test]
fn the_back_of_a_head_is_not_taken_for_a_body_lying_down() {
    let a = alpha_of_clip_frame("b3_fullbody_rear_walk_intel_onebyone_t122.5-136.5.mp4", 14);
    assert_eq!(a.dimensions(), (768, 432));
    let (hair, shirt) = (alpha_share(&a, (300, 200, 380, 300)), alpha_share(&a, (250, 330, 450, 432)));
    assert!(hair < 0.05, "the back of his head is restyled: {hair:.2}");
    assert!(shirt > 0.4, "his shirt is not restyled: {shirt:.2}");
}

/// b3, frame 13: one frame earlier only his head and a strip of shoulder are in view, and the
/// landmarks make a whole small person standing upright on his hair (0.62 of it restyled). A
/// torso that PAN calls hair is no body.
#[test]
fn the_back_of_a_head_is_not_taken_for_a_small_person_standing() {
    let a = alpha_of_clip_frame("b3_fullbody_rear_walk_intel_onebyone_t122.5-136.5.mp4", 13);
    let hair = alpha_share(&a, (300, 270, 375, 375));
    assert!(hair < 0.05, "the back of his head is restyled: {hair:.2}");
}

/// c3, frame 80: the jumping girl's face is small and blurred, and read through its blur her bare
/// legs and arms were far paler than it: taken for a pale garment, like julia's peach top, 12%
/// of a box on her legs was restyled. The pale test needs a face big enough to read.
#[test]
fn a_small_blurred_face_does_not_make_bare_legs_a_pale_garment() {
    let a = alpha_of_clip_frame("c3_two_children_fullbody_bedroom_sam2.mp4", 80);
    let legs = alpha_share(&a, (210, 330, 300, 445));
    assert!(legs < 0.03, "her bare legs are restyled: {legs:.3}");
}

/// a1, frame 50: an orange hoodie in dim light, much of which PAN calls neither clothes nor skin
/// (its lower half and its side in shadow). Those holes were left unrestyled; a colour of the
/// hoodie's sure part, unlike her face and hair, fills them.
#[test]
fn holes_the_skin_model_leaves_in_a_garment_are_filled_by_its_colour() {
    let a = alpha_of_clip_frame("a1_webcam_upperbody_orange_hoodie_intel_asl.mp4", 49);
    assert_eq!(a.dimensions(), (640, 480));
    let (body, side) = (alpha_share(&a, (240, 300, 380, 460)), alpha_share(&a, (350, 220, 400, 420)));
    assert!(body > 0.9, "the hoodie below her hands is {:.0}% restyled", 100.0 * body);
    assert!(side > 0.8, "the hoodie's side in shadow is {:.0}% restyled", 100.0 * side);
    // Her face stays her own.
    assert!(alpha_share(&a, (270, 90, 330, 160)) < 0.05, "her face is restyled");
}

/// a1, frame 37: her hands held together in front of the orange hoodie. The hands' discs from
/// the landmarks reached past them onto the hoodie, which was left unrestyled around her hands
/// (12% and 36% of a box each side restyled). Inside a hand's disc, what PAN calls clothes in
/// the colour of her sure garment is the hoodie; her hands stay her own.
#[test]
fn the_hoodie_beside_hands_held_in_front_of_it_is_restyled() {
    let a = alpha_of_clip_frame("a1_webcam_upperbody_orange_hoodie_intel_asl.mp4", 37);
    let (left, right) = (alpha_share(&a, (235, 215, 270, 255)), alpha_share(&a, (335, 215, 355, 250)));
    assert!(left > 0.8 && right > 0.8, "the hoodie beside her hands is {:.0}% / {:.0}% restyled", 100.0 * left, 100.0 * right);
    let hands = alpha_share(&a, (285, 175, 320, 235));
    assert!(hands < 0.1, "her hands are {:.0}% restyled", 100.0 * hands);
}

/// b1, frame 72: a white ball bounced off his shins, in front of his navy trousers. PAN calls it
/// clothes and it joins the trousers, so 87% of a box on it was restyled. Below the knees the
/// garment runs on only in colours the lower garment has above them.
#[test]
fn a_ball_in_front_of_the_shins_is_not_part_of_the_trousers() {
    let a = alpha_of_clip_frame("b1_fullbody_front_juggle_sam2.mp4", 72);
    assert_eq!(a.dimensions(), (1280, 720));
    let (ball, trousers) = (alpha_share(&a, (720, 550, 780, 610)), alpha_share(&a, (720, 400, 780, 500)));
    assert!(ball < 0.2, "the ball is {:.0}% restyled", 100.0 * ball);
    assert!(trousers > 0.9, "his trousers are {:.0}% restyled", 100.0 * trousers);
}

/// b1, frame 213: he kicks the ball up behind his arm. Below the knee PAN fades out on his
/// shaded standing shin (neither clothes nor skin), so 35% of a box on it was restyled there and
/// all of it a frame later: his trousers blinked. The garment's own colours now carry on from
/// the sure garment through what PAN is unsure of, however far; his shoe stays his own.
#[test]
fn a_trouser_leg_pan_fades_on_below_the_knee_is_restyled() {
    let a = alpha_of_clip_frame("b1_fullbody_front_juggle_sam2.mp4", 213);
    let (shin, shoe) = (alpha_share(&a, (730, 520, 760, 590)), alpha_share(&a, (710, 630, 790, 690)));
    assert!(shin > 0.9, "his shaded shin is {:.0}% restyled", 100.0 * shin);
    assert!(shoe < 0.05, "his shoe is {:.0}% restyled", 100.0 * shoe);
}

/// b1, frame 107: he juggles the ball at his knees, the kicking shoe under it. The top of the
/// ball lay above the knee row, so its white was learnt as a colour of his trousers, and the
/// ball (95% of a box on it) and the shoe (56%) were restyled through it. The trousers' colours
/// are now learnt on the upper thighs only.
#[test]
fn a_ball_juggled_at_the_knees_and_the_shoe_under_it_are_not_the_trousers() {
    let a = alpha_of_clip_frame("b1_fullbody_front_juggle_sam2.mp4", 107);
    let (ball, shoe, thigh) = (alpha_share(&a, (770, 480, 845, 535)), alpha_share(&a, (795, 550, 830, 600)), alpha_share(&a, (730, 380, 770, 420)));
    assert!(ball < 0.1, "the ball is {:.0}% restyled", 100.0 * ball);
    assert!(shoe < 0.1, "his kicking shoe is {:.0}% restyled", 100.0 * shoe);
    assert!(thigh > 0.9, "his thigh is {:.0}% restyled", 100.0 * thigh);
}

/// b3, frame 127: a man in a grey shirt and navy trousers walks across, seen from above. His
/// shirt hangs well past the hip joints, so the body below the waist showed mostly shirt: he was
/// called one full-body garment, the trousers' colours were learnt on the shirt's hem, and his
/// trousers were cut at the knees and dropped (none of them restyled as `lower`, 30% at all).
/// The trousers show further down the legs; there they decide both.
#[test]
fn trousers_under_a_shirt_hanging_past_the_hips_are_the_lower_garment() {
    let a = alpha_of_clip_frame_parts("b3_fullbody_rear_walk_intel_onebyone_t122.5-136.5.mp4", 127, "lower");
    let (thigh, shin, chest) = (alpha_share(&a, (600, 250, 650, 300)), alpha_share(&a, (560, 300, 600, 340)), alpha_share(&a, (660, 100, 720, 180)));
    assert!(thigh > 0.6 && shin > 0.6, "his trousers are {:.0}% / {:.0}% restyled as lower", 100.0 * thigh, 100.0 * shin);
    assert!(chest < 0.05, "his shirt is {:.0}% restyled as lower", 100.0 * chest);
}

/// b3, frame 60: the walker, seen from behind and above, wears a grey shirt that hangs well
/// past his hip joints over jeans. The split at the waist line gave the shirt's lower part, down
/// to its hem, to `lower`: with `--parts upper` a band of his shirt kept its own look, and with
/// `--parts lower` it was restyled with the jeans. The split now follows the shirt's hem.
#[test]
fn a_shirt_hanging_past_the_hips_is_the_top_down_to_its_hem() {
    let (hem, jeans) = ((405, 228, 465, 253), (410, 275, 440, 290));
    for (part, want_hem, want_jeans) in [("upper", true, false), ("lower", false, true)] {
        let a = alpha_of_clip_frame_parts("b3_fullbody_rear_walk_intel_onebyone_t122.5-136.5.mp4", 60, part);
        for (what, bx, want) in [("the shirt above its hem", hem, want_hem), ("the jeans", jeans, want_jeans)] {
            let share = alpha_share(&a, bx);
            assert!(if want { share > 0.8 } else { share < 0.05 }, "--parts {part}: {what} is {:.0}% restyled", 100.0 * share);
        }
    }
}

/// c3, frame 0: a boy kneels on the bed at the left of a 16:9 bedroom. Letterboxed whole into
/// the pose detector's 224 pixels his face is a few pixels across: the detector scored him 0.18,
/// under its threshold, and his T-shirt was not restyled at all (0% of a box on it). The two
/// squares at the ends of a long frame are now searched as well, closer (0.48 there).
#[test]
fn a_child_at_the_side_of_a_wide_frame_is_found() {
    let a = alpha_of_clip_frame("c3_two_children_fullbody_bedroom_sam2.mp4", 0);
    assert_eq!(a.dimensions(), (960, 540));
    let (shirt, face) = (alpha_share(&a, (200, 230, 260, 290)), alpha_share(&a, (235, 150, 285, 195)));
    assert!(shirt > 0.8, "his T-shirt is {:.0}% restyled", 100.0 * shirt);
    assert!(face < 0.05, "his face is {:.0}% restyled", 100.0 * face);
}

/// c3, frame 190: the boy stands in profile against the bright window. The pose detector does not
/// find him, letterboxed or closer (its one find in the left square is the girl), and nothing of
/// him was restyled. The selfie mask shows him, mostly outside everyone found: the landmark model
/// is now run on a square around that, and finds him. His navy sleeves and shoulders are
/// restyled; PAN takes his white T-shirt against the window for skin (issue 32: 29% of it).
#[test]
fn a_child_the_pose_detector_misses_is_found_where_the_selfie_mask_shows_him() {
    let frame = clip_frame("c3_two_children_fullbody_bedroom_sam2.mp4", 190);
    let analysis = replayed("c3-190", &frame);
    assert_eq!(analysis.people.len(), 2, "the girl and the boy: {:?}", analysis.people.iter().map(|p| p.bbox).collect::<Vec<_>>());
    let a = alpha(&frame, &analysis, PartSet::ALL);
    let (shoulders, face) = (alpha_share(&a, (130, 196, 180, 260)), alpha_share(&a, (172, 132, 198, 165)));
    assert!(shoulders > 0.5, "his shoulders and sleeves are {:.0}% restyled", 100.0 * shoulders);
    assert!(face < 0.02, "his face is {:.0}% restyled", 100.0 * face);
}

/// The bundled astronaut holds her helmet out of BlazePose's own person mask, but in the selfie
/// mask, which was let in within a quarter shoulder width of that mask: PAN calls the helmet
/// clothes, so 46% of a box on its white shell was restyled. Beyond the person's own mask the
/// selfie mask now counts only in the colours of their garment (her suit is orange).
#[test]
fn the_helmet_held_beside_her_is_not_her_suit() {
    let frame = load_image(&photo_path("astronaut.png"), "input").unwrap();
    let a = alpha(&frame, &replayed("astronaut.png", &frame), PartSet::ALL);
    assert_eq!(a.dimensions(), (512, 512));
    let (shell, suit) = (alpha_share(&a, (400, 350, 490, 420)), alpha_share(&a, (40, 300, 140, 420)));
    assert!(shell < 0.1, "the helmet's white shell is {:.0}% restyled", 100.0 * shell);
    assert!(suit > 0.9, "her suit is {:.0}% restyled", 100.0 * suit);
}

/// Frame `n` of a shared clip analysed alone, as `drape process --view alpha --parts PARTS`.
fn alpha_of_clip_frame_parts(clip: &str, n: u32, parts: &str) -> image::RgbaImage {
    let frame = clip_frame(clip, n);
    let stem = clip.split('_').next().unwrap_or(clip);
    alpha(&frame, &replayed(&format!("{stem}-{n}"), &frame), parts.parse().unwrap())
}

fn alpha_of_clip_frame(clip: &str, n: u32) -> image::RgbaImage {
    alpha_of_clip_frame_parts(clip, n, "all")
}

/// The share of a box (x0, y0, x1, y1) whose alpha is over one half.
fn alpha_share(a: &image::RgbaImage, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> f64 {
    let n = (x1 - x0) * (y1 - y0);
    (y0..y1).flat_map(|y| (x0..x1).map(move |x| (x, y))).filter(|&(x, y)| a.get_pixel(x, y).0[3] > 127).count() as f64 / n as f64
}

/// Athlete-Intake: a shirtless runner crouched at the start. PAN takes patches of his sunlit
/// back and of his shaded chest for clothes (0.9 against skin 0.5 on the back), and they were
/// restyled as a top. His chest and shoulders are his own skin: he wears no top.
#[test]
fn a_shirtless_runner_s_chest_and_back_are_not_restyled() {
    let frame = load_image(&photo("Athlete-Intake.jpg"), "input").unwrap();
    let a = alpha(&frame, &replayed("Athlete-Intake.jpg", &frame), PartSet::ALL);
    let (chest, back, shorts) = (alpha_share(&a, (745, 185, 825, 275)), alpha_share(&a, (850, 130, 960, 250)), alpha_share(&a, (960, 330, 1040, 420)));
    assert!(chest < 0.02 && back < 0.02, "his chest {:.0}% and back {:.0}% restyled", 100.0 * chest, 100.0 * back);
    assert!(shorts > 0.8, "his shorts {:.0}% restyled", 100.0 * shorts);
}

/// Pictures with no one in them: the selfie mask alone took a watercolour's red clouds (10% of
/// it restyled) and a painted portrait's face and shoulders (0.4%) for a person. With no body the
/// pose model finds, the selfie mask alone counts only near a skeleton it found and judged no
/// body (the back of a head coming in from below, above): nowhere in these.
#[test]
fn a_painting_with_no_one_in_it_is_not_restyled() {
    for name in ["clouds-over-bor-1940_sq.jpg", "Camille_Mauclair.jpg"] {
        let frame = load_image(&style(name), "input").unwrap();
        let a = alpha(&frame, &replayed(&format!("style-{name}"), &frame), PartSet::ALL);
        let share = alpha_share(&a, (0, 0, a.width(), a.height()));
        assert!(share < 0.001, "{name}: {:.1}% restyled", 100.0 * share);
    }
}

/// Garment pixels (alpha over half) of an alpha view.
fn garment(a: &image::RgbaImage) -> Vec<bool> {
    a.pixels().map(|p| p.0[3] > 127).collect()
}

fn iou(a: &[bool], b: &[bool]) -> f64 {
    let both = a.iter().zip(b).filter(|(a, b)| **a && **b).count();
    let either = a.iter().zip(b).filter(|(a, b)| **a || **b).count();
    both as f64 / either.max(1) as f64
}

#[test]
fn an_analysis_a_second_after_the_last_is_not_averaged_with_the_last_pose() {
    // Live mode analyses about once a second on two cores (c1 runs at 12 fps: one frame in
    // twelve). c1's people move their heads
    // between such analyses; averaged in as if they were a frame apart, the last pose's saliency
    // and garment evidence stayed as a ghost (the joined clip's woman lost her neckline: live
    // against offline IoU 0.76). A second apart, the frame's own analysis holds.
    let clip = "c1_two_adults_upperbody_intel_headpose_270p.mp4";
    let frames: Vec<_> = [0u32, 12, 24].iter().map(|&n| (n, clip_frame(clip, n))).collect();
    let (n, last) = frames.last().unwrap();
    let alone = garment(&alpha(last, &replayed(&format!("c1-{n}"), last), PartSet::ALL));
    let sequence = |apart: u64| {
        let mut replay = drape::analysis::recorded::Replay::tuned(common::recorded::tuning());
        let mut analysis = None;
        for (i, (n, f)) in frames.iter().enumerate() {
            if i > 0 {
                replay.frames_apart(apart);
            }
            analysis = replay.analyse(f, &common::recorded::model_outputs(&format!("c1-{n}"), f));
        }
        iou(&garment(&alpha(last, &analysis.unwrap(), PartSet::ALL)), &alone)
    };
    let (second, frame) = (sequence(12), sequence(1));
    eprintln!("frame 24 after 0 and 12 against alone: a second apart {second:.3}, as if a frame apart {frame:.3}");
    assert!(second >= 0.97, "{second:.3}");
}

/// A made case of tights under a dress: `name`'s frame with its `legs` (polygons, frame pixels)
/// turned to black tights, the frame's pixels darkened and PAN's reading there made clothes, as
/// it reads tights; the skeleton, the selfie mask and the rest are the models' own. Returns the
/// share of the `dress` polygon restyled with the dress picked, and of the tights with the dress
/// and with the lower garment picked.
fn tights_made(name: &str, mut frame: drape::frame::Frame, legs: &[&[[f64; 2]]], dress: &[[f64; 2]]) -> (f32, f32, f32) {
    let mut outputs = common::recorded::model_outputs(name, &frame);
    let (fw, fh) = frame.dimensions();
    let tights: Vec<(u32, u32)> = legs.iter().flat_map(|leg| inside(leg, (fw, fh))).collect();
    for &(x, y) in &tights {
        let p = frame.get_pixel_mut(x, y);
        // Black nylon: a tenth of the skin's light, a little of its shading kept.
        for c in 0..3 {
            p.0[c] = 18 + p.0[c] / 10;
        }
    }
    let maps = outputs.parts.as_mut().expect("the composite segmenter's outputs");
    let pan = maps.pan.as_mut().expect("PAN's map");
    let (sx, sy) = (pan.width as f64 / fw as f64, pan.height as f64 / fh as f64);
    let size = (pan.width, pan.height);
    for leg in legs {
        let scaled: Vec<[f64; 2]> = leg.iter().map(|&[x, y]| [x * sx, y * sy]).collect();
        for (x, y) in inside(&scaled, size) {
            pan.set(x, y, 0, 0.02);
            pan.set(x, y, 1, 0.95);
            pan.set(x, y, 2, 0.01);
        }
    }
    let analysis = drape::analysis::recorded::Replay::tuned(common::recorded::tuning()).analyse(&frame, &outputs).unwrap();
    if let Some(dir) = std::env::var_os("DRAPE_KEEP_TIGHTS") {
        let dir = std::path::Path::new(&dir);
        alpha(&frame, &analysis, "lower".parse().unwrap()).save(dir.join(format!("{name}-tights-lower.png"))).unwrap();
        alpha(&frame, &analysis, "full".parse().unwrap()).save(dir.join(format!("{name}-tights-full.png"))).unwrap();
        frame.save(dir.join(format!("{name}-tights.png"))).unwrap();
    }
    let share = |parts: &str, px: &[(u32, u32)]| {
        let a = alpha(&frame, &analysis, parts.parse().unwrap());
        px.iter().filter(|&&(x, y)| a.get_pixel(x, y).0[3] > 127).count() as f32 / px.len() as f32
    };
    let dress = inside(dress, (fw, fh));
    let shares = (share("full", &dress), share("full", &tights), share("lower", &tights));
    eprintln!("{name}: dress restyled as the dress {:.2}; tights as the dress {:.2}, as legwear {:.2}", shares.0, shares.1, shares.2);
    shares
}

#[test]
#[ignore = "with black legs she is called two pieces, not a dress: the colours below her waist are now the tights' (shared with the bodice 0.5, a dress needs more), and her grey bodice giving way to the denim and black below reads as a top's hem all across (1.0; 0.56 with bare legs); her legs stay bridged (no gap). So the dress is restyled as a top (0% as the dress) and 21% of the tights as the lower garment. A short dress over tights and a tunic over leggings differ in length only: the call needs the skirt's hem told from a top's"]
fn black_tights_under_a_jumping_girl_s_dress_are_legwear_not_the_dress() {
    // c3, frame 0: the girl jumping in her grey-and-denim dress, her bare legs from the hem down
    // turned to black tights. With the dress picked the tights stay plain; with the lower
    // garment picked they are restyled.
    let legs: [&[[f64; 2]]; 2] = [
        &[
            [372.0, 268.0],
            [405.0, 268.0],
            [400.0, 300.0],
            [394.0, 330.0],
            [386.0, 360.0],
            [382.0, 392.0],
            [362.0, 392.0],
            [364.0, 360.0],
            [366.0, 330.0],
            [368.0, 300.0],
        ],
        &[
            [408.0, 266.0],
            [448.0, 264.0],
            [456.0, 288.0],
            [446.0, 310.0],
            [430.0, 335.0],
            [420.0, 358.0],
            [418.0, 372.0],
            [398.0, 372.0],
            [402.0, 350.0],
            [414.0, 325.0],
            [428.0, 300.0],
            [416.0, 285.0],
        ],
    ];
    let dress =
        [[370.0, 130.0], [428.0, 130.0], [428.0, 178.0], [434.0, 230.0], [437.0, 250.0], [395.0, 265.0], [362.0, 265.0], [357.0, 215.0], [368.0, 183.0]];
    let (dress_full, tights_full, tights_lower) = tights_made("c3-0", clip_frame("c3_two_children_fullbody_bedroom_sam2.mp4", 0), &legs, &dress);
    assert!(dress_full >= 0.9, "the dress: {dress_full:.2}");
    assert!(tights_full <= 0.05, "tights restyled as the dress: {tights_full:.2}");
    assert!(tights_lower >= 0.8, "tights restyled as legwear: {tights_lower:.2}");
}

#[test]
#[ignore = "the models do not give her legs to her: her standing shin lies outside every person gate (the landmark model's own mask leaves it out, owner none at 8 of 9 samples down it), and the landmark model puts her raised shin between the two dancers; so no tights are found on both shins: 32% of them restyled as the dress (the part under the hem), 0% as legwear"]
fn black_tights_under_a_leaping_dancer_s_dress_are_legwear_not_the_dress() {
    // Two_dancers: the leaping woman's red knee-length dress, her legs from the hem to the
    // ankles turned to black tights.
    let file = "Two_dancers.jpg";
    let legs: [&[[f64; 2]]; 2] = [
        // Standing, from the hem to the ankle.
        &[
            [374.0, 418.0],
            [385.0, 460.0],
            [418.0, 500.0],
            [440.0, 540.0],
            [452.0, 585.0],
            [478.0, 585.0],
            [462.0, 540.0],
            [447.0, 500.0],
            [432.0, 460.0],
            [410.0, 418.0],
        ],
        // Raised behind her, from under the skirt to the ankle.
        &[
            [412.0, 375.0],
            [430.0, 365.0],
            [455.0, 352.0],
            [480.0, 338.0],
            [500.0, 331.0],
            [505.0, 345.0],
            [490.0, 352.0],
            [470.0, 366.0],
            [440.0, 386.0],
            [412.0, 399.0],
        ],
    ];
    let dress = [
        [332.0, 212.0],
        [372.0, 214.0],
        [378.0, 234.0],
        [370.0, 258.0],
        [366.0, 282.0],
        [384.0, 320.0],
        [396.0, 362.0],
        [392.0, 398.0],
        [332.0, 384.0],
        [313.0, 350.0],
        [320.0, 290.0],
    ];
    let (dress_full, tights_full, tights_lower) = tights_made(file, load_image(&photo_path(file), "input").unwrap(), &legs, &dress);
    assert!(dress_full >= 0.9, "the dress: {dress_full:.2}");
    assert!(tights_full <= 0.05, "tights restyled as the dress: {tights_full:.2}");
    assert!(tights_lower >= 0.8, "tights restyled as legwear: {tights_lower:.2}");
}

#[test]
fn recordings_are_keyed_on_the_code_that_decides_where_the_pose_model_looks() {
    // The pose detector searches closer squares where the saliency is unexplained by the people
    // found (`unexplained`, with their `extent`): what it finds is recorded, so a change to
    // either must make new recordings, or the rules are tested on stale model outputs.
    let keyed: String = common::recorded::MODEL_CODE.iter().map(|f| std::fs::read_to_string(repo().join(f)).unwrap()).collect();
    for item in ["fn unexplained(", "fn extent("] {
        assert!(keyed.contains(item), "{item} lies outside the files recordings are keyed on");
    }
}
