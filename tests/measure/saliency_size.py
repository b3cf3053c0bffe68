"""Whether a smaller U^2-Net-p input keeps the garments: for each photo, the garment alpha
(> 127) of `drape process PHOTO --view alpha --saliency-size S` against the default 320, as IoU;
the mean and least per size. A cheaper saliency is only worth taking where this stays at 0.97 or
more (the bar the live issue sets for quantized models). Needs numpy and pillow (pip).

    python tests/measure/saliency_size.py DRAPE PHOTO... [--sizes 256,192]
"""
import os, subprocess, sys, tempfile

import numpy as np
from PIL import Image

args = sys.argv[1:]
sizes = [256, 192]
if "--sizes" in args:
    i = args.index("--sizes")
    sizes = [int(s) for s in args[i + 1].split(",")]
    del args[i : i + 2]
drape, photos = args[0], args[1:]


def alpha(photo, size, out):
    subprocess.run([drape, "process", photo, "-o", out, "--view", "alpha", "--saliency-size", str(size)], check=True, capture_output=True)
    return np.array(Image.open(out).convert("RGBA"))[..., 3] > 127


with tempfile.TemporaryDirectory() as tmp:
    reference = {p: alpha(p, 320, os.path.join(tmp, "ref.png")) for p in photos}
    for size in sizes:
        ious = []
        for p in photos:
            a, b = reference[p], alpha(p, size, os.path.join(tmp, "s.png"))
            union = (a | b).sum()
            ious.append((a & b).sum() / union if union else 1.0)
            print(f"{size}  {os.path.basename(p)[:40]:40}  IoU {ious[-1]:.3f}")
        print(f"{size}  mean {np.mean(ious):.3f}  least {min(ious):.3f}")
