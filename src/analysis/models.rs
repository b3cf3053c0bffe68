//! Where drape's models and ONNX Runtime live, read from the committed manifest
//! (models/manifest.toml, compiled in) so the program and the set-up agree on one list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

const MANIFEST: &str = include_str!("../../models/manifest.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub runtime: BTreeMap<String, Entry>,
    pub model: Vec<Entry>,
    pub example: Entry,
    pub example_clip: Entry,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
    pub file: String,
    pub sha256: Option<String>,
    pub installed_sha256: Option<String>,
    pub licence: String,
    #[serde(default)]
    pub origin: String,
    #[serde(default)]
    pub contract: String,
    /// Libraries a runtime loads from its own folder: file name -> sha256.
    #[serde(default)]
    pub companions: BTreeMap<String, String>,
}

impl Entry {
    /// The checksum of the file as drape loads it.
    pub fn expected_sha256(&self) -> Option<&str> {
        self.installed_sha256.as_deref().or(self.sha256.as_deref())
    }
}

/// The state of one installed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    Ok,
    Missing,
    /// There, but it cannot be read (permissions, a folder in its place, an I/O error).
    Unreadable(String),
    Mismatch {
        actual: String,
    },
}

/// The folder holding models, the runtime and the example, with the manifest that lists them.
#[derive(Debug, Clone)]
pub struct ModelDir {
    pub root: PathBuf,
    pub manifest: Manifest,
}

impl ModelDir {
    /// `explicit`, else $DRAPE_MODELS, else the checkout's models/ folder.
    pub fn locate(explicit: Option<PathBuf>) -> Result<ModelDir> {
        let given = match explicit {
            Some(p) => Some((p, "--models")),
            None => std::env::var_os("DRAPE_MODELS").map(|p| (PathBuf::from(p), "DRAPE_MODELS")),
        };
        // A folder the user named and that is not there is named itself, not the first file
        // looked for in it.
        if let Some((p, from)) = given.as_ref().filter(|(p, _)| !p.is_dir()) {
            return Err(Error::Usage(format!(
                "{}: no such models folder (from {from}); give the folder `bash models/setup.sh` filled, or leave {from} out to use the checkout's models/",
                p.display()
            )));
        }
        let root = given.map(|(p, _)| p).unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/models")));
        let manifest: Manifest = toml::from_str(MANIFEST).map_err(|e| Error::Usage(format!("models/manifest.toml is malformed: {e}")))?;
        Ok(ModelDir { root, manifest })
    }

    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.manifest.model.iter().find(|m| m.name == name)
    }

    /// Path of a model by its manifest name.
    pub fn model_path(&self, name: &str) -> PathBuf {
        match self.entry(name) {
            Some(e) => self.root.join(&e.file),
            None => self.root.join(format!("{name}.onnx")),
        }
    }

    /// The ONNX Runtime library of one build: `cpu`, `gpu` or `openvino` (the manifest's keys).
    pub fn runtime_path(&self, build: &str) -> PathBuf {
        match self.manifest.runtime.get(build) {
            Some(e) => self.root.join(&e.file),
            None => self.root.join("runtime").join(build).join("libonnxruntime.so"),
        }
    }

    pub fn example_path(&self) -> PathBuf {
        self.root.join(&self.manifest.example.file)
    }

    /// The stand-in clip set-up makes from the example photo.
    pub fn example_clip_path(&self) -> PathBuf {
        self.root.join(&self.manifest.example_clip.file)
    }

    pub fn exists(&self, name: &str) -> bool {
        self.model_path(name).is_file()
    }

    /// Check one file, and the libraries beside it, against the manifest's checksums.
    pub fn check(&self, entry: &Entry) -> FileState {
        let path = self.root.join(&entry.file);
        let one = |path: &Path, want: Option<&str>| match sha256_file(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileState::Missing,
            Err(e) => FileState::Unreadable(e.to_string()),
            Ok(actual) => match want {
                Some(want) if want != actual => FileState::Mismatch { actual },
                _ => FileState::Ok,
            },
        };
        let beside = path.parent().map(Path::to_path_buf).unwrap_or_default();
        std::iter::once(one(&path, entry.expected_sha256()))
            .chain(entry.companions.iter().map(|(name, want)| one(&beside.join(name), Some(want))))
            .find(|s| *s != FileState::Ok)
            .unwrap_or(FileState::Ok)
    }
}

pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_lists_every_model_with_licence_and_checksum() {
        let empty = std::env::temp_dir().join(format!("drape-empty-models-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let dir = ModelDir::locate(Some(empty.clone())).unwrap();
        for name in ["u2netp", "style_predict", "style_transform", "multistyle26", "pan", "pose_detection", "pose_landmark"] {
            let e = dir.entry(name).unwrap_or_else(|| panic!("{name} not in manifest"));
            assert!(!e.licence.is_empty());
            assert_eq!(e.expected_sha256().unwrap().len(), 64);
        }
        assert_eq!(dir.check(dir.entry("pan").unwrap()), FileState::Missing);
        let _ = std::fs::remove_dir(&empty);
        // A folder the user names that is not there is named in the error.
        let e = ModelDir::locate(Some("/nowhere".into())).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("/nowhere") && e.contains("no such models folder"), "{e}");
    }

    #[test]
    fn an_unreadable_model_is_not_called_missing() {
        // A folder where the model file should be: there, but not readable as a file.
        let root = std::env::temp_dir().join(format!("drape-unreadable-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        let dir = ModelDir::locate(Some(root.clone())).unwrap();
        let entry = dir.entry("pan").unwrap();
        std::fs::create_dir_all(root.join(&entry.file)).unwrap();
        let state = dir.check(entry);
        let _ = std::fs::remove_dir_all(&root);
        assert!(matches!(state, FileState::Unreadable(_)), "{state:?}");
    }
}
