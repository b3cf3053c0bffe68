//! `drape doctor`: what is installed, whether it checks out, and what to do about what is not.

use std::fmt::Write;

use crate::analysis::manifest::{FileState, ModelDir};
use crate::analysis::runtime::{cpu_has_bf16, Provider, Runtime, RuntimeOptions};

/// The report, and whether everything needed is present.
pub fn report(dir: &ModelDir, runtime: &RuntimeOptions) -> (String, bool) {
    let mut s = String::new();
    let mut ok = true;
    let _ = writeln!(s, "models folder   {}", dir.root.display());
    let _ = writeln!(s, "ONNX Runtime    {}", runtime.library.display());
    let mut loaded = None;
    let state = if runtime.library.is_file() {
        match Runtime::load(runtime.clone()) {
            Ok(rt) => {
                loaded = Some(rt);
                "loads".to_string()
            }
            Err(e) => {
                ok = false;
                format!("FAILS: {}", e.report())
            }
        }
    } else {
        ok = false;
        "MISSING: run `bash models/setup.sh`".into()
    };
    let _ = writeln!(s, "                {state}");
    let provider = match runtime.provider {
        Provider::Cpu => "CPU".to_string(),
        p => format!("{p} (checked when a model opens; failure is an error, not a CPU fallback)"),
    };
    let _ = writeln!(s, "provider        {provider}");
    let bf16 = if cpu_has_bf16() { "this CPU has bf16 units" } else { "this CPU has no bf16 units: fp32" };
    let _ = writeln!(s, "precision       {} ({bf16})", runtime.precision);
    for (build, entry) in &dir.manifest.runtime {
        // The GPU build is optional (`setup.sh --gpu`); said only when installed or asked for.
        if build == "gpu" && !dir.root.join(&entry.file).is_file() && !matches!(runtime.provider, Provider::Cuda | Provider::Tensorrt) {
            continue;
        }
        let state = match dir.check(entry) {
            FileState::Ok => "ok".to_string(),
            FileState::Missing => "MISSING: run `bash models/setup.sh`".into(),
            FileState::Unreadable(e) => format!("UNREADABLE ({e})"),
            FileState::Mismatch { .. } => "BAD SHA: run `bash models/setup.sh`".into(),
        };
        // Set-up installs both CPU builds; the GPU build only on request.
        ok &= state == "ok" || build == "gpu";
        let _ = writeln!(s, "runtime {build:<8} {state:<9} {}", entry.file);
    }
    let _ = writeln!(s, "\n{:<16} {:<9} {:<12} {:<28} {:<20} role", "model", "state", "licence", "file", "runs on");
    let entries = dir.manifest.model.iter().chain(std::iter::once(&dir.manifest.example));
    for e in entries {
        let name = if e.name.is_empty() { "example photo" } else { e.name.as_str() };
        let state = match dir.check(e) {
            FileState::Ok => "ok".to_string(),
            FileState::Missing => {
                ok = false;
                "MISSING".into()
            }
            FileState::Unreadable(e) => {
                ok = false;
                format!("UNREADABLE ({e})")
            }
            FileState::Mismatch { .. } => {
                ok = false;
                "BAD SHA".into()
            }
        };
        let role = if e.role.is_empty() { "the bundled example" } else { e.role.as_str() };
        let runs_on = match &loaded {
            Some(rt) if !e.name.is_empty() => rt.engine_for(&e.name).to_string(),
            _ => "-".to_string(),
        };
        let _ = writeln!(s, "{name:<16} {state:<9} {:<12} {:<28} {runs_on:<20} {role}", e.licence, e.file);
    }
    if !ok {
        let _ = writeln!(
            s,
            "\nSomething is missing or does not match its checksum: run `bash models/setup.sh` \
             (models not on PyPI come from ../shared/models or DRAPE_MODELS_FROM=DIR)."
        );
    } else {
        let _ = writeln!(s, "\nEverything is in place.");
    }
    (s, ok)
}
