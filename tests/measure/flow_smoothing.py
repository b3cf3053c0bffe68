"""Whether smoothing the garment alpha over time, moved with the picture, would make a clip's
garment mask steadier: each frame's alpha (from `drape process CLIP -o DIR --view alpha`) is
blended with the running blend of the frames before it, carried to this frame by the dense optical
flow between them (Farneback), at several weights of the new frame (1.0 is no smoothing). For each
weight: the steadiness `drape bench --steadiness` measures (mean IoU of alpha > 0.5 between
consecutive frames) and how far the blend strays from each frame's own alpha (mean IoU of the two
masks). If the mask's changes are the picture's motion, smoothing cannot raise the first much
without lowering the second. Needs numpy, pillow and opencv-python-headless (pip).

    python tests/measure/flow_smoothing.py CLIP.mp4 DIR [frames]
"""
import glob, sys

import cv2
import numpy as np
from PIL import Image

WEIGHTS = (1.0, 0.8, 0.6, 0.4)
# Flow on a quarter-size grey picture: full size costs minutes per clip and moves masks no better.
SCALE = 0.25


def iou(a, b):
    union = (a | b).sum()
    return (a & b).sum() / union if union else 1.0


clip, folder = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 10**9
files = sorted(glob.glob(folder + "/*.png"))[:n]
cap = cv2.VideoCapture(clip)
blend = {w: None for w in WEIGHTS}
previous = {w: None for w in WEIGHTS}
steadiness = {w: [] for w in WEIGHTS}
fidelity = {w: [] for w in WEIGHTS}
prev_grey = None
for f in files:
    ok, frame = cap.read()
    if not ok:
        break
    grey = cv2.resize(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_AREA)
    alpha = np.array(Image.open(f))[..., 3].astype(np.float32) / 255.0
    h, w = alpha.shape
    if prev_grey is not None:
        # For each pixel of this frame, where it was in the one before.
        flow = cv2.calcOpticalFlowFarneback(grey, prev_grey, None, 0.5, 3, 9, 3, 5, 1.1, 0)
        flow = cv2.resize(flow, (w, h)) / SCALE
        xx, yy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        mx, my = xx + flow[..., 0], yy + flow[..., 1]
    own = alpha > 0.5
    for wt in WEIGHTS:
        if blend[wt] is None or prev_grey is None:
            blend[wt] = alpha
        else:
            carried = cv2.remap(blend[wt], mx, my, cv2.INTER_LINEAR)
            blend[wt] = wt * alpha + (1.0 - wt) * carried
        mask = blend[wt] > 0.5
        if previous[wt] is not None:
            steadiness[wt].append(iou(previous[wt], mask))
        fidelity[wt].append(iou(mask, own))
        previous[wt] = mask
    prev_grey = grey
for wt in WEIGHTS:
    print(
        f"new frame's weight {wt:.1f}: steadiness {np.mean(steadiness[wt]):.3f} over {len(steadiness[wt])} pairs,"
        f" IoU with each frame's own mask {np.mean(fidelity[wt]):.3f}"
    )
