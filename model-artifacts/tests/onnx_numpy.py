"""A tiny numpy interpreter for the ONNX ops the exported user tower uses (no onnxruntime here), so
tests can check that the .onnx file itself computes the golden interests."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

DTYPES = {1: np.float32, 6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64}


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _reshape(x, shape):
    shape = [x.shape[i] if s == 0 else int(s) for i, s in enumerate(shape)]
    return x.reshape(shape)


def _reduce_sum(x, axes=None, keepdims=1):
    axes = None if axes is None or len(axes) == 0 else tuple(int(a) for a in axes)
    return x.sum(axis=axes, keepdims=bool(keepdims)).astype(x.dtype)


def _layer_norm(x, scale, bias, axis, eps):
    axes = tuple(range(axis % x.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    out = (x - mean) / np.sqrt(var + eps) * scale
    return (out if bias is None else out + bias).astype(x.dtype)  # B is optional in ONNX


OPS = {
    "Add": lambda a, i: i[0] + i[1],
    "Mul": lambda a, i: i[0] * i[1],
    "Sub": lambda a, i: i[0] - i[1],
    "Div": lambda a, i: (i[0] / i[1]).astype(i[0].dtype) if i[0].dtype.kind == "f" else i[0] // i[1],
    "MatMul": lambda a, i: np.matmul(i[0], i[1]),
    "Gather": lambda a, i: np.take(i[0], i[1], axis=a.get("axis", 0)),
    "Reshape": lambda a, i: _reshape(i[0], i[1]),
    "Transpose": lambda a, i: np.transpose(i[0], a.get("perm")),
    "Unsqueeze": lambda a, i: np.expand_dims(i[0], tuple(int(x) % (i[0].ndim + len(i[1])) for x in i[1])),
    "Squeeze": lambda a, i: np.squeeze(i[0], tuple(int(x) for x in i[1])) if len(i) > 1 else np.squeeze(i[0]),
    "Concat": lambda a, i: np.concatenate(i, axis=a["axis"]),
    "Shape": lambda a, i: np.array(i[0].shape, dtype=np.int64),
    "Cast": lambda a, i: i[0].astype(DTYPES[a["to"]]),
    "Where": lambda a, i: np.where(i[0], i[1], i[2]),
    "ConstantOfShape": lambda a, i: np.full(
        tuple(i[0]),
        numpy_helper.to_array(a["value"])[0] if "value" in a else 0.0,
        dtype=numpy_helper.to_array(a["value"]).dtype if "value" in a else np.float32,
    ),
    "Expand": lambda a, i: i[0] * np.ones(tuple(i[1]), dtype=i[0].dtype),
    "ReduceSum": lambda a, i: _reduce_sum(i[0], i[1] if len(i) > 1 else None, a.get("keepdims", 1)),
    "Greater": lambda a, i: i[0] > i[1],
    "Equal": lambda a, i: i[0] == i[1],
    "Not": lambda a, i: np.logical_not(i[0]),
    "Softmax": lambda a, i: _softmax(i[0], a.get("axis", -1)),
    "Sqrt": lambda a, i: np.sqrt(i[0]),
    "Identity": lambda a, i: i[0],
    "Neg": lambda a, i: -i[0],
    "Relu": lambda a, i: np.maximum(i[0], 0).astype(i[0].dtype),
    "LayerNormalization": lambda a, i: _layer_norm(
        i[0], i[1], i[2], a.get("axis", -1), a.get("epsilon", 1e-5)
    ),
}


def run(path, feeds: dict, macs: list | None = None) -> list:
    """Runs the graph on feeds; with `macs`, appends the multiply-adds of every MatMul it ran."""
    model = onnx.load(str(path))
    env = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env.update(feeds)
    for node in model.graph.node:
        a = _attrs(node)
        if node.op_type == "Constant":
            out = [numpy_helper.to_array(a["value"])]
        elif node.op_type in OPS:
            out = [OPS[node.op_type](a, [env[x] if x else None for x in node.input])]
            if macs is not None and node.op_type == "MatMul":
                x, y = env[node.input[0]], env[node.input[1]]
                macs.append(int(np.prod(out[0].shape)) * x.shape[-1])
        else:
            raise NotImplementedError(node.op_type)
        for name, value in zip(node.output, out):
            env[name] = np.asarray(value)
    return [env[o.name] for o in model.graph.output]
