"""How steady the best person mask is on a clip: U^2-Net-p saliency (> 0.5 after scaling to 0..1)
IoU between consecutive frames, the mean and median over the first N frames (cuts not removed).
A garment mask, smaller than the person, is no steadier than this without lagging the motion: the
ceiling for `drape bench --steadiness` (issue 8). Needs numpy and onnxruntime (pip).

    python tests/measure/person_mask_steadiness.py models/u2netp.onnx CLIP.mp4 150
"""
import subprocess, sys

import numpy as np
import onnxruntime as ort

model, clip, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
so = ort.SessionOptions()
so.intra_op_num_threads = 2
s = ort.InferenceSession(model, so)
inp = s.get_inputs()[0].name
W = H = 320
raw = subprocess.run(["ffmpeg", "-v", "error", "-i", clip, "-frames:v", str(n), "-vf", f"scale={W}:{H}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                     capture_output=True).stdout
frames = np.frombuffer(raw, np.uint8).reshape(-1, H, W, 3)
mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
prev, ious = None, []
for f in frames:
    x = ((f / 255.0 - mean) / std).transpose(2, 0, 1)[None].astype(np.float32)
    m = s.run(None, {inp: x})[0][0, 0]
    m = (m - m.min()) / (m.max() - m.min() + 1e-8) > 0.5
    if prev is not None:
        u = (m | prev).sum()
        ious.append((m & prev).sum() / u if u else 1.0)
    prev = m
ious = np.array(ious)
print(f"{clip.split('/')[-1]}: {len(frames)} frames, person mask IoU between consecutive frames: mean {ious.mean():.3f}, median {np.median(ious):.3f}")
