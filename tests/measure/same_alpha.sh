#!/usr/bin/env bash
# Are two drape binaries' garments byte-identical? `--view alpha` of every shared photo, the
# bundled example and the first 20 frames of each shared clip, written by each binary and
# compared file by file. For restructurings that must not change behaviour (issue 31).
#
#   tests/measure/same_alpha.sh OLD_DRAPE NEW_DRAPE [WORK_DIR]
#
# Exits 0 when every output is identical, 1 naming each that differs or is missing.
set -euo pipefail
old="$1"; new="$2"; work="${3:-$(mktemp -d)}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shared="$repo/../shared/testdata"
# Fresh outputs each run: a file left from an earlier run must not stand in for a missing one.
rm -rf "$work/old" "$work/new"
mkdir -p "$work/in"
inputs=()
for p in "$shared"/photos/*.jpg "$shared"/photos/*.jpeg "$shared"/photos/*.png "$repo/models/examples/astronaut.png"; do
  [ -f "$p" ] && inputs+=("$p")
done
for c in "$shared"/clips/*.mp4; do
  [ -f "$c" ] || continue
  cut="$work/in/$(basename "${c%.*}").mkv"
  # Lossless, so both binaries read the same pixels.
  [ -f "$cut" ] || ffmpeg -v error -y -i "$c" -frames:v 20 -c:v ffv1 "$cut"
  inputs+=("$cut")
done
for side in old new; do
  bin="$old"; [ "$side" = new ] && bin="$new"
  for i in "${inputs[@]}"; do
    name="$(basename "${i%.*}")"
    if [[ "$i" == *.mkv ]]; then
      "$bin" --precision f32 process "$i" -o "$work/$side/$name/" --view alpha >/dev/null 2>&1
    else
      "$bin" --precision f32 process "$i" -o "$work/$side/$name.png" --view alpha >/dev/null 2>&1
    fi
  done
done
status=0; files=0
while IFS= read -r f; do
  files=$((files + 1))
  rel="${f#"$work/old/"}"
  if ! cmp -s "$f" "$work/new/$rel"; then echo "differs: $rel"; status=1; fi
done < <(find "$work/old" -type f | sort)
extra=$(cd "$work/new" && find . -type f | wc -l)
[ "$extra" -eq "$files" ] || { echo "file counts differ: $files old, $extra new"; status=1; }
echo "$files outputs compared in $work: $([ $status -eq 0 ] && echo all identical || echo SOME DIFFER)"
exit $status
