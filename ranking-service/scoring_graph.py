"""Writes the ONNX graph that ScoringBenchmark.onnxTopK runs: Eq. 8 and top-k as ONNX operators.

    python3 ranking-service/scoring_graph.py OUT.onnx

Inputs: items [R, D] float32, rows [N] int64 (candidate rows, in request order), ut [D, n] float32
(the interests, transposed), k [1] int64. Outputs: the top-k scores and their positions in rows.
Gather picks the candidate rows, MatMul gives s = X U^T [N, n], Softmax(s / T) over the interests,
the weighted sum is Mul + ReduceSum, and TopK takes the best k: the same work as the Java kernel's
scoring and exact top-k, so the two can be timed on the same candidates.
"""

import sys

import onnx
from onnx import TensorProto, helper


def scoring_graph(temperature: float = 1.0) -> onnx.ModelProto:
    inputs = [
        helper.make_tensor_value_info("items", TensorProto.FLOAT, ["R", "D"]),
        helper.make_tensor_value_info("rows", TensorProto.INT64, ["N"]),
        helper.make_tensor_value_info("ut", TensorProto.FLOAT, ["D", "n"]),
        helper.make_tensor_value_info("k", TensorProto.INT64, [1]),
    ]
    outputs = [
        helper.make_tensor_value_info("top_scores", TensorProto.FLOAT, ["K"]),
        helper.make_tensor_value_info("top_positions", TensorProto.INT64, ["K"]),
    ]
    temp = helper.make_tensor("temperature", TensorProto.FLOAT, [], [temperature])
    nodes = [
        helper.make_node("Gather", ["items", "rows"], ["x"], axis=0),
        helper.make_node("MatMul", ["x", "ut"], ["s"]),
        helper.make_node("Div", ["s", "temperature"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["w"], axis=1),
        helper.make_node("Mul", ["w", "s"], ["ws"]),
        helper.make_node("ReduceSum", ["ws", "axes"], ["score"], keepdims=0),
        helper.make_node(
            "TopK", ["score", "k"], ["top_scores", "top_positions"], axis=0, largest=1, sorted=1
        ),
    ]
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
    graph = helper.make_graph(nodes, "hcn_scoring", inputs, outputs, initializer=[temp, axes])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    onnx.save(scoring_graph(), sys.argv[1])
