"""Writes a small STAND-IN for the reference's 4-class U^2-Net clothing model (u2net_cloth_seg.onnx,
not obtainable on these machines): same input [1,3,768,768] and first output [1,4,768,768]
(logits for background/upper/lower/full), plus a second output as U^2-Net has side outputs.
A 1x1 convolution makes red pixels upper, green lower, blue full and grey background, so a test
can check that drape decodes the classes. `--classes N` writes a wrong-shaped variant.

usage: python standin_cloth.py OUT.onnx [--classes N]
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
classes = int(sys.argv[sys.argv.index("--classes") + 1]) if "--classes" in sys.argv else 4
# Input is (x/255-0.5)/0.5, so a pure colour channel is +1 and an absent one -1.
w = np.array([[0, 0, 0], [4, -2, -2], [-2, 4, -2], [-2, -2, 4]], dtype=np.float32)[:classes]
b = np.array([0, -2, -2, -2], dtype=np.float32)[:classes]
nodes = [
    helper.make_node("Conv", ["input", "w", "b"], ["d0"], kernel_shape=[1, 1]),
    helper.make_node("Sigmoid", ["d0"], ["d1"]),
]
graph = helper.make_graph(
    nodes,
    "u2net_cloth_standin",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 768, 768])],
    [helper.make_tensor_value_info("d0", TensorProto.FLOAT, [1, classes, 768, 768]),
     helper.make_tensor_value_info("d1", TensorProto.FLOAT, [1, classes, 768, 768])],
    [numpy_helper.from_array(w.reshape(classes, 3, 1, 1), "w"), numpy_helper.from_array(b, "b")],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, out)
