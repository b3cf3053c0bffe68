//! Shared test helpers: where the repository's models and ../shared's test data are.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use drape::analysis::manifest::ModelDir;
use drape::analysis::runtime::{default_library, Precision, Provider, Runtime, RuntimeOptions};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// ../shared/testdata beside the checkout (tests may read it; the program must not need it).
pub fn testdata() -> PathBuf {
    let p = repo().join("..").join("shared").join("testdata");
    assert!(p.is_dir(), "{}: test data missing; tests need ../shared beside the checkout", p.display());
    p
}

pub fn photo(name: &str) -> PathBuf {
    testdata().join("photos").join(name)
}

pub fn style(name: &str) -> PathBuf {
    testdata().join("styles").join(name)
}

pub fn model_dir() -> ModelDir {
    let d = ModelDir::locate(Some(repo().join("models"))).expect("manifest");
    assert!(d.runtime_path("cpu").is_file(), "run `bash models/setup.sh` before the tests");
    d
}

/// The precision the tests run the models in: drape's default (auto), or DRAPE_PRECISION=f32 to
/// hold the garments to the same tests in fp32.
pub fn precision() -> Precision {
    match std::env::var("DRAPE_PRECISION").as_deref() {
        Ok("f32") => Precision::F32,
        Ok("auto") | Err(_) => Precision::Auto,
        Ok(other) => panic!("DRAPE_PRECISION={other}: use auto or f32"),
    }
}

/// One ONNX Runtime per test process (the library is loaded once per process), chosen as the
/// program chooses it.
pub fn runtime() -> &'static Runtime {
    static RT: std::sync::OnceLock<Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        let d = model_dir();
        let library = default_library(&d, Provider::Cpu, precision()).path;
        Runtime::load(RuntimeOptions { library, precision: precision(), threads: Some(2), ..Default::default() }).expect("ONNX Runtime loads")
    })
}

/// Write the stand-in 4-class clothing model with the set-up's Python environment.
pub fn standin_cloth(dir: &Path, classes: u32) -> PathBuf {
    let out = dir.join(format!("standin_cloth_{classes}.onnx"));
    let python = repo().join("models/.venv/bin/python");
    let status = Command::new(&python)
        .arg(repo().join("tests/standin_cloth.py"))
        .arg(&out)
        .args(["--classes", &classes.to_string()])
        .status()
        .unwrap_or_else(|e| panic!("{}: {e}; run `bash models/setup.sh`", python.display()));
    assert!(status.success());
    out
}

pub fn drape(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drape")).args(args).output().expect("drape runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit code 2, one line on stderr naming `needle`, no panic.
pub fn assert_clean_failure(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "exit code; stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("drape: error")).collect();
    assert_eq!(lines.len(), 1, "one error line expected: {err}");
    assert!(lines[0].contains(needle), "error should name {needle}: {err}");
}

pub mod recorded;
pub mod video;

/// The pixels (x, y) whose centres lie inside a polygon (even-odd rule).
pub fn inside(poly: &[[f64; 2]], (w, h): (u32, u32)) -> Vec<(u32, u32)> {
    let xs = poly.iter().map(|p| p[0]);
    let ys = poly.iter().map(|p| p[1]);
    let (x0, x1) = (xs.clone().fold(f64::INFINITY, f64::min).max(0.0), xs.fold(0.0, f64::max).min(w as f64 - 1.0));
    let (y0, y1) = (ys.clone().fold(f64::INFINITY, f64::min).max(0.0), ys.fold(0.0, f64::max).min(h as f64 - 1.0));
    let mut out = Vec::new();
    for y in y0 as u32..=y1 as u32 {
        for x in x0 as u32..=x1 as u32 {
            let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
            let mut odd = false;
            for (a, b) in poly.iter().zip(poly.iter().cycle().skip(1)) {
                if (a[1] > py) != (b[1] > py) && px < a[0] + (py - a[1]) / (b[1] - a[1]) * (b[0] - a[0]) {
                    odd = !odd;
                }
            }
            if odd {
                out.push((x, y));
            }
        }
    }
    out
}
