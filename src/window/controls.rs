//! The mirror's controls as plain state: keys, clicks and dropped files in, changes of look and
//! commands out. No window here, so every binding is tested directly.

use std::path::Path;

use crate::analysis::models::style::{StyleSpec, BUILTIN_STYLES};
use crate::analysis::parts::{PartSet, FULL, LOWER, UPPER};
use crate::compositing::View;
use crate::pipeline::LookChange;

/// A key, as the window hands it over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Left,
    Right,
    Escape,
    Space,
    F1,
    F11,
}

/// What a control asks for besides the state it changed.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Look(LookChange),
    Notice(String),
    Quit,
    ToggleRecording,
    Snapshot,
    ToggleFullscreen,
    Freeze(bool),
}

/// The views `V` cycles through.
pub const VIEW_CYCLE: [View; 4] = [View::Result, View::Split, View::Mask, View::Alpha];

pub const HELP: &[&str] = &[
    "drape - controls",
    "",
    "click a garment   restyle it / leave it as it is",
    "1 2 3             upper / lower / full-body on-off",
    "A                 all parts",
    "N P  or  -> <-    next / previous style",
    "Shift+N Shift+P   change only the part under the pointer",
    "drop an image     use it as the style",
    "+ -               strength",
    "C                 keep the garments' colours",
    "V                 view: result, split, mask, alpha",
    "drag              move the split divider",
    "M                 mirror on/off",
    "R                 record on/off (MP4)",
    "S                 save a snapshot (PNG)",
    "Space             freeze the frame",
    "F1                figures (HUD)",
    "F11 or F          fullscreen",
    "H or ?            this help",
    "Esc or Q          quit",
];

#[derive(Debug, Clone)]
pub struct Controls {
    pub parts: PartSet,
    pub gallery: Vec<StyleSpec>,
    /// Gallery index of the style of each part: upper, lower, full.
    pub styles: [usize; 3],
    pub strength: f32,
    pub preserve_colour: bool,
    pub view: View,
    /// Split divider, 0..1 across the frame.
    pub split: f32,
    pub mirror: bool,
    pub help: bool,
    pub hud: bool,
    pub frozen: bool,
}

pub fn part_name(class: u32) -> &'static str {
    match class {
        UPPER => "upper",
        LOWER => "lower",
        FULL => "full-body",
        _ => "background",
    }
}

pub fn style_name(s: &StyleSpec) -> String {
    match s {
        StyleSpec::Builtin(i) => format!("builtin:{i}"),
        StyleSpec::Image(p) => p.file_stem().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned()),
    }
}

/// The built-in styles, then the given style images (in order, without repeats).
pub fn gallery(extra: &[StyleSpec]) -> Vec<StyleSpec> {
    let mut g: Vec<StyleSpec> = (0..BUILTIN_STYLES).map(StyleSpec::Builtin).collect();
    for s in extra {
        if !g.contains(s) {
            g.push(s.clone());
        }
    }
    g
}

impl Controls {
    /// `start` is put in the gallery if it is not there, and used for every part.
    pub fn new(mut gallery: Vec<StyleSpec>, start: &StyleSpec, parts: PartSet, strength: f32, view: View, mirror: bool) -> Controls {
        let i = match gallery.iter().position(|s| s == start) {
            Some(i) => i,
            None => {
                gallery.push(start.clone());
                gallery.len() - 1
            }
        };
        Controls { parts, gallery, styles: [i; 3], strength, preserve_colour: false, view, split: 0.5, mirror, help: false, hud: true, frozen: false }
    }

    pub fn style_specs(&self) -> [StyleSpec; 3] {
        self.styles.map(|i| self.gallery[i].clone())
    }

    /// The styles' names for the HUD: one name, or each part's.
    pub fn style_label(&self) -> String {
        let [u, l, f] = self.styles;
        if u == l && l == f {
            style_name(&self.gallery[u])
        } else {
            format!("upper {} / lower {} / full {}", style_name(&self.gallery[u]), style_name(&self.gallery[l]), style_name(&self.gallery[f]))
        }
    }

    pub fn parts_label(&self) -> String {
        let names: Vec<&str> = [UPPER, LOWER, FULL].into_iter().filter(|&c| self.parts.contains(c)).map(part_name).collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(" ")
        }
    }

    fn set_part(&mut self, class: u32, on: bool) {
        match class {
            UPPER => self.parts.upper = on,
            LOWER => self.parts.lower = on,
            FULL => self.parts.full = on,
            _ => {}
        }
    }

    fn toggle_part(&mut self, class: u32) -> Vec<Effect> {
        let on = !self.parts.contains(class);
        self.set_part(class, on);
        vec![Effect::Look(LookChange::Parts(self.parts)), Effect::Notice(format!("{} {}", part_name(class), if on { "restyled" } else { "as it is" }))]
    }

    fn step_style(&mut self, by: isize, only: Option<u32>) -> Vec<Effect> {
        let n = self.gallery.len() as isize;
        let slots: Vec<usize> = match only {
            Some(class) => vec![(class - 1) as usize],
            None => vec![0, 1, 2],
        };
        // Every part moves to the style after the one the first of them shows.
        let next = (self.styles[slots[0]] as isize + by).rem_euclid(n) as usize;
        for s in &slots {
            self.styles[*s] = next;
        }
        let who = only.map_or(String::new(), |c| format!("{}: ", part_name(c)));
        vec![
            Effect::Look(LookChange::Styles(self.style_specs())),
            Effect::Notice(format!("{who}style {} ({}/{})", style_name(&self.gallery[next]), next + 1, n)),
        ]
    }

    fn strength_by(&mut self, d: f32) -> Vec<Effect> {
        self.strength = ((self.strength + d) * 20.0).round().clamp(0.0, 20.0) / 20.0;
        vec![Effect::Look(LookChange::Strength(self.strength)), Effect::Notice(format!("strength {:.2}", self.strength))]
    }

    /// A key press. `under_pointer` is the class under the mouse pointer, for Shift+N / Shift+P.
    pub fn key(&mut self, key: Key, shift: bool, under_pointer: Option<u32>) -> Vec<Effect> {
        let garment = under_pointer.filter(|&c| (UPPER..=FULL).contains(&c));
        match key {
            Key::Escape => vec![Effect::Quit],
            Key::Space => {
                self.frozen = !self.frozen;
                vec![Effect::Freeze(self.frozen)]
            }
            Key::F1 => {
                self.hud = !self.hud;
                Vec::new()
            }
            Key::F11 => vec![Effect::ToggleFullscreen],
            Key::Right => self.step_style(1, None),
            Key::Left => self.step_style(-1, None),
            Key::Char(c) => {
                let lower = c.to_ascii_lowercase();
                let shifted = shift || c.is_ascii_uppercase();
                match lower {
                    'q' => vec![Effect::Quit],
                    'h' | '?' => {
                        self.help = !self.help;
                        Vec::new()
                    }
                    '1' => self.toggle_part(UPPER),
                    '2' => self.toggle_part(LOWER),
                    '3' => self.toggle_part(FULL),
                    'a' => {
                        self.parts = PartSet::ALL;
                        vec![Effect::Look(LookChange::Parts(self.parts)), Effect::Notice("all parts restyled".into())]
                    }
                    'n' | 'p' => {
                        let by = if lower == 'n' { 1 } else { -1 };
                        match (shifted, garment) {
                            (false, _) => self.step_style(by, None),
                            (true, Some(c)) => self.step_style(by, Some(c)),
                            (true, None) => vec![Effect::Notice("point at a garment, then Shift+N or Shift+P".into())],
                        }
                    }
                    '+' | '=' => self.strength_by(0.1),
                    '-' | '_' => self.strength_by(-0.1),
                    'c' => {
                        self.preserve_colour = !self.preserve_colour;
                        vec![
                            Effect::Look(LookChange::PreserveColour(self.preserve_colour)),
                            Effect::Notice(if self.preserve_colour { "keeping the garments' colours" } else { "colours from the style" }.into()),
                        ]
                    }
                    'v' => {
                        let i = VIEW_CYCLE.iter().position(|v| *v == self.view).map_or(0, |i| (i + 1) % VIEW_CYCLE.len());
                        self.view = VIEW_CYCLE[i];
                        vec![Effect::Notice(format!("view: {}", view_name(self.view)))]
                    }
                    'm' => {
                        self.mirror = !self.mirror;
                        vec![Effect::Notice(if self.mirror { "mirrored" } else { "not mirrored" }.into())]
                    }
                    'r' => vec![Effect::ToggleRecording],
                    's' => vec![Effect::Snapshot],
                    'f' => vec![Effect::ToggleFullscreen],
                    _ => Vec::new(),
                }
            }
        }
    }

    /// A click (press and release without a drag) on the class `under_pointer`.
    pub fn click(&mut self, under_pointer: Option<u32>) -> Vec<Effect> {
        match under_pointer {
            Some(c) if (UPPER..=FULL).contains(&c) => self.toggle_part(c),
            Some(_) => vec![Effect::Notice("no garment there; click on clothes".into())],
            None => Vec::new(),
        }
    }

    /// Dragging in the split view moves the divider to `x` (0..1 across the frame).
    pub fn drag(&mut self, x: f32) -> bool {
        if self.view != View::Split {
            return false;
        }
        self.split = x.clamp(0.0, 1.0);
        true
    }

    /// A file dropped on the window: `check` says whether it reads as an image.
    pub fn dropped(&mut self, path: &Path, check: Result<(), String>) -> Vec<Effect> {
        match check {
            Err(e) => vec![Effect::Notice(e)],
            Ok(()) => {
                let spec = StyleSpec::Image(path.to_path_buf());
                let i = match self.gallery.iter().position(|s| *s == spec) {
                    Some(i) => i,
                    None => {
                        self.gallery.push(spec);
                        self.gallery.len() - 1
                    }
                };
                self.styles = [i; 3];
                vec![Effect::Look(LookChange::Styles(self.style_specs())), Effect::Notice(format!("style {}", style_name(&self.gallery[i])))]
            }
        }
    }
}

pub fn view_name(v: View) -> &'static str {
    match v {
        View::Result => "result",
        View::Hard => "hard",
        View::Split => "split compare (hard | soft)",
        View::Mask => "mask overlay",
        View::Alpha => "alpha overlay",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn controls() -> Controls {
        Controls::new(gallery(&[]), &StyleSpec::Builtin(9), PartSet { upper: true, lower: false, full: false }, 1.0, View::Result, true)
    }

    #[test]
    fn number_keys_and_clicks_toggle_parts() {
        let mut c = controls();
        let e = c.key(Key::Char('2'), false, None);
        assert!(c.parts.lower && c.parts.upper);
        assert_eq!(e[0], Effect::Look(LookChange::Parts(c.parts)));
        c.click(Some(UPPER));
        assert!(!c.parts.upper, "a click on the upper garment deselects it");
        assert!(matches!(c.click(Some(0))[..], [Effect::Notice(_)]), "background: a notice, no change");
        assert!(c.parts.lower && !c.parts.upper);
        c.key(Key::Char('a'), false, None);
        assert_eq!(c.parts, PartSet::ALL);
    }

    #[test]
    fn styles_step_for_all_parts_or_only_the_one_under_the_pointer() {
        let mut c = controls();
        c.key(Key::Char('n'), false, None);
        assert_eq!(c.styles, [10, 10, 10]);
        c.key(Key::Left, false, None);
        assert_eq!(c.styles, [9, 9, 9]);
        c.key(Key::Char('N'), true, Some(LOWER));
        assert_eq!(c.styles, [9, 10, 9]);
        assert!(c.style_label().contains("lower builtin:10"));
        let e = c.key(Key::Char('N'), true, Some(0));
        assert!(matches!(e[..], [Effect::Notice(_)]), "Shift+N off a garment changes nothing");
        assert_eq!(c.styles, [9, 10, 9]);
        c.styles = [0; 3];
        c.key(Key::Char('p'), false, None);
        assert_eq!(c.styles, [25; 3], "previous wraps around");
    }

    #[test]
    fn views_cycle_and_strength_stays_in_range() {
        let mut c = controls();
        let seen: Vec<View> = (0..4)
            .map(|_| {
                c.key(Key::Char('v'), false, None);
                c.view
            })
            .collect();
        assert_eq!(seen, vec![View::Split, View::Mask, View::Alpha, View::Result]);
        for _ in 0..15 {
            c.key(Key::Char('-'), false, None);
        }
        assert_eq!(c.strength, 0.0);
        c.key(Key::Char('+'), false, None);
        assert!((c.strength - 0.1).abs() < 1e-6);
        assert!(!c.drag(0.2), "no divider outside the split view");
        c.view = View::Split;
        assert!(c.drag(1.7) && c.split == 1.0);
    }

    #[test]
    fn commands_and_dropped_files() {
        let mut c = controls();
        assert_eq!(c.key(Key::Char('q'), false, None), vec![Effect::Quit]);
        assert_eq!(c.key(Key::Escape, false, None), vec![Effect::Quit]);
        assert_eq!(c.key(Key::Char('r'), false, None), vec![Effect::ToggleRecording]);
        assert_eq!(c.key(Key::Space, false, None), vec![Effect::Freeze(true)]);
        c.key(Key::Char('?'), true, None);
        assert!(c.help);
        let bad = c.dropped(Path::new("notes.txt"), Err("notes.txt: not a readable style image".into()));
        assert!(matches!(&bad[..], [Effect::Notice(m)] if m.contains("notes.txt")));
        assert_eq!(c.styles, [9; 3], "a bad file changes nothing");
        c.dropped(Path::new("/tmp/paint.jpg"), Ok(()));
        assert_eq!(c.gallery.len(), 27);
        assert_eq!(c.styles, [26; 3]);
        assert_eq!(c.style_label(), "paint");
    }
}
