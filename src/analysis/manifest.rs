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

impl ModelDir {
    /// The sha256 the manifest gives for the file at `path` as installed in this folder: a
    /// runtime library, a library beside it, or a model. None for a file it does not list.
    pub fn listed_sha256(&self, path: &Path) -> Option<String> {
        let target = std::fs::canonicalize(path).ok()?;
        let same = |p: PathBuf| std::fs::canonicalize(p).is_ok_and(|c| c == target);
        for e in self.manifest.runtime.values() {
            let lib = self.root.join(&e.file);
            if let Some(folder) = lib.parent() {
                if let Some((_, sum)) = e.companions.iter().find(|(name, _)| same(folder.join(name))) {
                    return Some(sum.clone());
                }
            }
            if same(lib) {
                return e.expected_sha256().map(str::to_string);
            }
        }
        self.manifest.model.iter().find(|e| same(self.root.join(&e.file))).and_then(|e| e.expected_sha256().map(str::to_string))
    }

    /// Check a file drape is about to load against the manifest, before ONNX Runtime maps it: a
    /// library cut short is a SIGBUS inside the loader, a damaged model runs with wrong weights.
    /// A file whose sum has matched is remembered by its size and modification time in
    /// `.cache/verified`, so a start hashes only what changed (all of it is 180 MB, 0.4 s here).
    /// Files the manifest does not list pass.
    pub fn verify(&self, path: &Path) -> std::result::Result<(), String> {
        let Some(want) = self.listed_sha256(path) else { return Ok(()) };
        let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
        let mtime = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
        let canonical = std::fs::canonicalize(path).map_err(|e| e.to_string())?;
        let line = format!("{want}\t{}\t{mtime}\t{}", meta.len(), canonical.display());
        let cache = self.root.join(".cache").join("verified");
        if std::fs::read_to_string(&cache).is_ok_and(|c| c.lines().any(|l| l == line)) {
            return Ok(());
        }
        let got = sha256_file(path).map_err(|e| e.to_string())?;
        if got != want {
            return Err(format!("its sha256 is not the manifest's ({} bytes; damaged, cut short or from another version)", meta.len()));
        }
        // Remembering is an optimisation: a folder drape cannot write only costs the hash again.
        let _ = std::fs::create_dir_all(self.root.join(".cache"));
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(&cache) {
            let _ = std::io::Write::write_all(&mut f, format!("{line}\n").as_bytes());
        }
        Ok(())
    }
}

/// Whether a shared library's own headers fit in the file: everything the loader maps (the
/// loadable segments) and the section table must lie inside it. A library cut short passes
/// `dlopen`'s first checks and is then a SIGBUS when a page past the end is touched; this says
/// so first, for any library (`--ort-lib` too), in a few microseconds.
pub fn library_is_whole(path: &Path) -> std::result::Result<(), String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let len = f.metadata().map_err(|e| e.to_string())?.len();
    let mut h = [0u8; 64];
    f.read_exact(&mut h).map_err(|_| format!("only {len} bytes: not a shared library"))?;
    if &h[..4] != b"\x7fELF" {
        return Err("not a shared library (no ELF header)".into());
    }
    if h[4] != 2 || h[5] != 1 {
        return Err("not a 64-bit little-endian library, which is what drape runs on".into());
    }
    let u16_at = |i: usize| u16::from_le_bytes([h[i], h[i + 1]]) as u64;
    let u64_at = |b: &[u8], i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
    let (phoff, shoff) = (u64_at(&h, 0x20), u64_at(&h, 0x28));
    let (phentsize, phnum, shentsize, shnum) = (u16_at(0x36), u16_at(0x38), u16_at(0x3A), u16_at(0x3C));
    let cut = |need: u64| format!("cut short: {len} bytes where its own headers need {need}");
    let mut need = phoff.saturating_add(phentsize * phnum);
    if shnum > 0 {
        need = need.max(shoff.saturating_add(shentsize * shnum));
    }
    if need > len || phentsize < 56 {
        return Err(cut(need));
    }
    let mut ph = vec![0u8; (phentsize * phnum) as usize];
    f.seek(SeekFrom::Start(phoff)).and_then(|_| f.read_exact(&mut ph)).map_err(|e| e.to_string())?;
    for p in ph.chunks_exact(phentsize as usize) {
        // PT_LOAD: p_offset at 8, p_filesz at 32.
        if u32::from_le_bytes([p[0], p[1], p[2], p[3]]) == 1 {
            let end = u64_at(p, 8).saturating_add(u64_at(p, 32));
            if end > len {
                return Err(cut(end));
            }
        }
    }
    Ok(())
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
