#!/usr/bin/env python3
"""Checks ONNX files with ONNX's own checker: onnx.checker.check_model(full_check=True), which runs strict shape
inference too, then onnx.shape_inference.infer_shapes(strict_mode=True) and a comparison of the inferred output
shape with the declared one. Debian's python3-onnx is enough (no download). Prints one line per file; exit 1 on
the first failure, naming the file and the rule.

usage: python3 scripts/onnx_check.py MODEL.onnx [...]
"""
import sys

import onnx
from onnx import shape_inference


def dims(value_info):
    return [d.dim_param if d.dim_param else d.dim_value for d in value_info.type.tensor_type.shape.dim]


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    declared = {o.name: dims(o) for o in model.graph.output}
    found = {o.name: dims(o) for o in inferred.graph.output}
    if found != declared:
        raise ValueError(f"inferred output shapes {found} differ from the declared {declared}")
    opset = {o.domain or "ai.onnx": o.version for o in model.opset_import}
    meta = {p.key: p.value for p in model.metadata_props}
    print(f"ok {path}: ir {model.ir_version}, opset {opset}, {len(model.graph.node)} nodes, "
          f"input {dims(model.graph.input[0])} -> output {declared[model.graph.output[0].name]}, {len(meta)} metadata entries")


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    for path in argv[1:]:
        try:
            check(path)
        except Exception as e:  # the checker raises several types; each names its rule
            print(f"onnx_check: error: {path}: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
