//! models/setup.py stops `setup.sh && cargo ...` when something required is missing or wrong:
//! run on a copy of the models folder that lacks its files or holds a corrupt one.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A checkout-shaped scratch folder: co/models with setup.py and the manifest, and nothing else.
fn scratch(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("drape-setup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let models = root.join("co").join("models");
    std::fs::create_dir_all(&models).unwrap();
    for f in ["setup.py", "manifest.toml"] {
        std::fs::copy(repo().join("models").join(f), models.join(f)).unwrap();
    }
    models
}

fn check(models: &Path) -> (i32, String) {
    let out = Command::new("python3").arg(models.join("setup.py")).arg("--check").output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn setup_check_fails_when_the_runtime_is_missing() {
    let models = scratch("missing");
    let (code, text) = check(&models);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("ONNX Runtime (CPU)") && text.contains("missing"), "{text}");
}

#[test]
fn setup_check_fails_on_a_file_with_the_wrong_checksum() {
    let models = scratch("corrupt");
    // Everything in place, as links to the real files, except one that is corrupt.
    let manifest: toml::Table = toml::from_str(&std::fs::read_to_string(models.join("manifest.toml")).unwrap()).unwrap();
    let model = manifest["model"][0]["file"].as_str().unwrap().to_string();
    let ov = manifest["runtime"]["openvino"]["file"].as_str().unwrap().to_string();
    let companion = format!("{}/libopenvino.so.2541", Path::new(&ov).parent().unwrap().display());
    let mut files =
        vec![manifest["runtime"]["cpu"]["file"].as_str().unwrap().to_string(), manifest["example"]["file"].as_str().unwrap().to_string(), ov.clone()];
    let dir = Path::new(&ov).parent().unwrap();
    files.extend(manifest["runtime"]["openvino"]["companions"].as_table().unwrap().keys().map(|k| dir.join(k).display().to_string()));
    files.extend(manifest["model"].as_array().unwrap().iter().map(|m| m["file"].as_str().unwrap().to_string()));
    for f in &files {
        let (src, dest) = (repo().join("models").join(f), models.join(f));
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        assert!(src.is_file(), "{}: run `bash models/setup.sh` first", src.display());
        std::os::unix::fs::symlink(&src, &dest).unwrap();
    }
    let (code, text) = check(&models);
    assert_eq!(code, 0, "all in place: {text}");
    // A corrupt model, then a corrupt library beside a runtime (the OpenVINO build's own
    // libraries are checked too, not only the one drape loads).
    for (bad, named) in [(&model, &model), (&companion, &ov)] {
        let path = models.join(bad);
        // The link goes first: writing through it would corrupt the real file.
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, b"not a model").unwrap();
        let (code, text) = check(&models);
        assert_eq!(code, 1, "{text}");
        assert!(text.contains(named.as_str()) && text.contains("bad sha256"), "{text}");
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(repo().join("models").join(bad), &path).unwrap();
    }
    let _ = std::fs::remove_dir_all(models.parent().unwrap().parent().unwrap());
}
