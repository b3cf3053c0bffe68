"""The garment mask's IoU (alpha > 127) between each pair of consecutive frames of an alpha-view
PNG folder (`drape process CLIP -o DIR --view alpha`), lowest first: where a clip's steadiness is
lost. Needs numpy and pillow.

    python tests/measure/mask_pairs.py DIR | head
"""
import glob, sys

import numpy as np
from PIL import Image

rows, prev = [], None
for i, f in enumerate(sorted(glob.glob(sys.argv[1] + "/*.png"))):
    m = np.array(Image.open(f))[..., 3] > 127
    if prev is not None:
        u = (m | prev).sum()
        rows.append((((m & prev).sum() / u) if u else 1.0, i + 1, int(prev.sum()), int(m.sum())))
    prev = m
for iou, frame, before, now in sorted(rows):
    print(f"frame {frame}: IoU {iou:.3f} with the one before (garment pixels {before} -> {now})")
