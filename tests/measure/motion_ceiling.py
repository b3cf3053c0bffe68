"""The steadiness a perfect garment mask would score on a clip if it only moved with the picture:
each frame's garment mask (alpha > 127, from `drape process CLIP -o DIR --view alpha`) carried to
the next frame by the dense optical flow between them (Farneback), against itself; the mean and
least IoU. `drape bench --steadiness` cannot go above this without the mask lagging real motion.
Flow errors at the edges lower it somewhat, so it is an estimate; the same with each piece of the
mask moved as one by the median flow inside it is blind to those errors (and to bending, which
only lowers the figure further). Needs numpy, pillow and
opencv-python-headless (pip).

    python tests/measure/motion_ceiling.py CLIP.mp4 DIR [frames]
"""
import glob, sys

import cv2
import numpy as np
from PIL import Image

clip, folder = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 150
cap = cv2.VideoCapture(clip)
ious, net, rigid, prev_grey, prev_mask = [], [], [], None, None
for f in sorted(glob.glob(folder + "/*.png"))[:n]:
    ok, frame = cap.read()
    if not ok:
        break
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    mask = np.array(Image.open(f))[..., 3] > 127
    if prev_grey is not None and prev_mask.any():
        # For each pixel of this frame, where it was in the one before.
        flow = cv2.calcOpticalFlowFarneback(grey, prev_grey, None, 0.5, 4, 21, 3, 5, 1.1, 0)
        h, w = grey.shape
        xx, yy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        moved = cv2.remap(prev_mask.astype(np.float32), xx + flow[..., 0], yy + flow[..., 1], cv2.INTER_LINEAR) > 0.5
        union = (moved | prev_mask).sum()
        ious.append((moved & prev_mask).sum() / union if union else 1.0)
        # Each piece of the mask moved as one by the median flow inside it: blind to the flow's
        # errors at blurred edges, and to a body's own bending (which would only lower it).
        ahead = cv2.calcOpticalFlowFarneback(prev_grey, grey, None, 0.5, 4, 21, 3, 5, 1.1, 0)
        count, pieces = cv2.connectedComponents(cv2.dilate(prev_mask.astype(np.uint8), np.ones((15, 15), np.uint8)))
        shifted = np.zeros_like(prev_mask)
        for k in range(1, count):
            piece = (pieces == k) & prev_mask
            if piece.any():
                dx, dy = np.median(ahead[..., 0][piece]), np.median(ahead[..., 1][piece])
                shifted |= cv2.warpAffine(piece.astype(np.uint8), np.float32([[1, 0, dx], [0, 1, dy]]), (w, h)) > 0
        both = (shifted | prev_mask).sum()
        rigid.append((shifted & prev_mask).sum() / both if both else 1.0)
        either = (moved | mask).sum()
        net.append((moved & mask).sum() / either if either else 1.0)
    prev_grey, prev_mask = grey, mask
print(f"motion-only IoU over {len(ious)} pairs: mean {np.mean(ious):.3f}, least {np.min(ious):.3f}")
print(f"each piece moved as one (median flow): mean {np.mean(rigid):.3f}, least {np.min(rigid):.3f}")
print(f"IoU net of motion (carried mask against the next): mean {np.mean(net):.3f}, least {np.min(net):.3f}")
