//! Layers one way: a stage's source names no later stage (capture -> analysis -> compositing ->
//! output -> pipeline -> window), analysis names no capture, and the shared helpers (frames, pixels, the canvas, image
//! files, errors, timings) name no stage at all. Read from the source text, so that a new
//! import the wrong way fails here rather than in a review.

use std::path::{Path, PathBuf};

const STAGES: [&str; 6] = ["capture", "analysis", "compositing", "output", "pipeline", "window"];
/// Stages that share nothing though one comes before the other: analysis takes frames, not
/// sources.
const APART: [(&str, &str); 1] = [("analysis", "capture")];
const SHARED: [&str; 6] = ["frame.rs", "pixels.rs", "canvas.rs", "image_file.rs", "error.rs", "timing.rs"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The stages `text` names through `crate::`, in a `use` or a path.
fn named(text: &str) -> Vec<&'static str> {
    STAGES
        .iter()
        .copied()
        .filter(|s| text.contains(&format!("crate::{s}::")) || text.contains(&format!("crate::{s};")) || text.contains(&format!("crate::{{{s}")))
        .collect()
}

#[test]
fn no_stage_names_a_later_one_and_the_helpers_name_none() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (i, stage) in STAGES.iter().enumerate() {
        let mut files = Vec::new();
        rust_files(&src.join(stage), &mut files);
        assert!(!files.is_empty(), "src/{stage} has no files");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let apart = |n: &&str| APART.contains(&(*stage, *n));
            for other in named(&text).into_iter().filter(|n| STAGES.iter().position(|s| s == n) > Some(i) || apart(n)) {
                wrong.push(format!("{} names {other}", f.strip_prefix(&src).unwrap().display()));
            }
        }
    }
    for file in SHARED {
        let text = std::fs::read_to_string(src.join(file)).unwrap();
        for stage in named(&text) {
            wrong.push(format!("{file} names {stage}"));
        }
    }
    assert!(wrong.is_empty(), "imports against the flow:\n{}", wrong.join("\n"));
}

/// The module path (from the crate root) of a source file: src/a/b.rs and src/a/b/mod.rs are
/// `a::b`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

/// Every path `text` names from the crate root: `use` trees expanded (`a::{b, c::d}`),
/// `self::` and `super::` resolved against `module`, and inline `crate::` paths.
fn paths_named(text: &str, module: &[String]) -> Vec<Vec<String>> {
    fn expand(tree: &str, prefix: &str, out: &mut Vec<String>) {
        let tree = tree.trim();
        match tree.find('{') {
            None => out.push(format!("{prefix}{tree}")),
            Some(open) => {
                let head = &tree[..open];
                let body = &tree[open + 1..tree.rfind('}').filter(|&c| c > open).unwrap_or(tree.len())];
                let (mut depth, mut start) = (0, 0);
                for (i, c) in body.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            expand(&body[start..i], &format!("{prefix}{head}"), out);
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
                if !body[start..].trim().is_empty() {
                    expand(&body[start..], &format!("{prefix}{head}"), out);
                }
            }
        }
    }
    let code: String = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let mut raw = Vec::new();
    for stmt in code.split(';') {
        let stmt = stmt.trim();
        let body = stmt
            .strip_prefix("pub use ")
            .or_else(|| stmt.strip_prefix("pub(crate) use "))
            .or_else(|| stmt.strip_prefix("pub(super) use "))
            .or_else(|| stmt.strip_prefix("use "));
        if let Some(body) = body {
            expand(&body.replace(['\n', ' '], ""), "", &mut raw);
        }
    }
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        let tail: String = rest[i..].chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
        raw.push(tail);
        rest = &rest[i + 7..];
    }
    raw.into_iter()
        .filter_map(|p| {
            let segs: Vec<&str> = p.split("::").filter(|s| !s.is_empty()).collect();
            let (mut base, rest): (Vec<String>, &[&str]) = match segs.first() {
                Some(&"crate") => (Vec::new(), &segs[1..]),
                Some(&"self") => (module.to_vec(), &segs[1..]),
                Some(&"super") => {
                    let mut b = module.to_vec();
                    let mut k = 0;
                    while segs.get(k) == Some(&"super") {
                        b.pop();
                        k += 1;
                    }
                    (b, &segs[k..])
                }
                _ => return None,
            };
            base.extend(rest.iter().map(|s| s.to_string()));
            Some(base)
        })
        .collect()
}

/// Within each folder, the files and subfolders beside one another import in one direction
/// only: no circle (a pixel helper that imports from the rules file that imports it). A module
/// naming its parent (`super::`) or its own children is not counted: that is the module tree.
#[test]
fn no_modules_beside_one_another_import_in_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut modules: Vec<Vec<String>> = files.iter().map(|f| module_of(&src, f)).collect();
    modules.sort();
    // (folder, from child, to child) for every import between two children of one folder.
    let mut edges: std::collections::BTreeSet<(Vec<String>, String, String)> = Default::default();
    for f in &files {
        let from = module_of(&src, f);
        if f.starts_with(src.join("bin")) {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for path in paths_named(&text, &from) {
            // The deepest module the path reaches (the rest names items in it).
            let Some(to) = modules.iter().filter(|m| path.starts_with(m)).max_by_key(|m| m.len()) else { continue };
            let common = from.iter().zip(to.iter()).take_while(|(a, b)| a == b).count();
            if common < from.len() && common < to.len() {
                edges.insert((from[..common].to_vec(), from[common].clone(), to[common].clone()));
            }
        }
    }
    let mut circles = Vec::new();
    for (folder, a, b) in &edges {
        // a -> b and, through any chain of children of the same folder, b -> a.
        let mut seen = vec![b.clone()];
        let mut k = 0;
        while k < seen.len() {
            let at = seen[k].clone();
            for (f2, x, y) in &edges {
                if f2 == folder && *x == at && !seen.contains(y) {
                    seen.push(y.clone());
                }
            }
            k += 1;
        }
        if seen.contains(a) {
            circles.push(format!("{}: {a} -> {b} -> ... -> {a}", if folder.is_empty() { "src".into() } else { folder.join("/") }));
        }
    }
    assert!(circles.is_empty(), "imports in a circle:\n{}", circles.join("\n"));
}
