#!/usr/bin/env bash
# drape set-up: system packages, a small Python helper environment (the `onnx` package, used to
# make model input sizes symbolic and by the tests to build a stand-in model), the ONNX Runtime
# library and the models. Safe to run again: every step is skipped when its result is present
# and checks out. Options are passed to models/setup.py (--gpu, --models-from DIR, --check).
set -euo pipefail
models="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Debian packages the build and the tests need, each with a command that shows it is present.
declare -A apt_for=(
  [python3]="python3"
  [ffmpeg]="ffmpeg"
  [ffprobe]="ffmpeg"
  # The mirror window's end-to-end test: a virtual display, synthetic input, screenshots.
  [Xvfb]="xvfb"
  [xdotool]="xdotool"
  [import]="imagemagick"
)
missing=()
for cmd in "${!apt_for[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${apt_for[$cmd]}"); done
mapfile -t missing < <(printf "%s\n" "${missing[@]}" | sort -u | sed "/^$/d")
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv python3-pip)
# The compositor's shader runs on Mesa's lavapipe (Vulkan on the CPU) where there is no GPU.
ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 ' || missing+=(libvulkan1)
# The X11 libraries winit loads at run time for the window.
for lib in libX11-xcb.so.1 libXcursor.so.1 libXi.so.6 libXrandr.so.2 libxkbcommon-x11.so.0; do
  ldconfig -p 2>/dev/null | grep -q "$lib " || missing+=("$(case $lib in
    libX11-xcb*) echo libx11-xcb1;; libXcursor*) echo libxcursor1;; libXi.*) echo libxi6;;
    libXrandr*) echo libxrandr2;; libxkbcommon-x11*) echo libxkbcommon-x11-0;; esac)")
done
# nokhwa's V4L2 bindings are generated with libclang at build time.
dpkg -s libclang-dev >/dev/null 2>&1 || missing+=(libclang-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "drape set-up: installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ -n "$sudo" ] && ! command -v sudo >/dev/null; then
    echo "drape set-up: need root to install ${missing[*]}; install them and run this again" >&2; exit 1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Pinned so that the files set-up derives are byte-identical to the manifest's checksums.
venv="$models/.venv"
if ! "$venv/bin/python" -c 'import onnx, numpy; assert onnx.__version__ == "1.23.2"' >/dev/null 2>&1; then
  echo "drape set-up: creating the Python helper environment in models/.venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check onnx==1.23.2 protobuf==7.36.2 numpy==2.4.6 ml_dtypes==0.6.0
fi
exec "$venv/bin/python" "$models/setup.py" "$@"
