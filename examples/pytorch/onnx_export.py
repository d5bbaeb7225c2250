"""torch.onnx.export settings shared by train_resnet.py and export_resnet18.py."""
import collections

import onnx
import torch

OPSET = 13


def export_bn_kept(model, path, input_shape=(1, 1, 28, 28)):
    """Eval-mode export that keeps every BatchNorm as a BatchNormalization node (no conv folding).

    training=PRESERVE skips the exporter's conv+BN fusion (it only runs for TrainingMode.EVAL), and
    do_constant_folding=False keeps the BN parameters as initializers of their own node. The model is put in
    eval mode first, so the nodes use the running statistics (inference-mode BatchNormalization).
    """
    model.eval()
    dummy = torch.zeros(*input_shape)
    torch.onnx.export(
        model, dummy, path,
        training=torch.onnx.TrainingMode.PRESERVE,
        do_constant_folding=False,
        input_names=['image'], output_names=['logits'],
        dynamic_axes={'image': {0: 'batch'}, 'logits': {0: 'batch'}},
        opset_version=OPSET,
    )


def export_folded(model, path, input_shape=(1, 1, 28, 28)):
    """Eval-mode export with constant folding: BN is folded into the preceding convs (deployment only)."""
    model.eval()
    dummy = torch.zeros(*input_shape)
    torch.onnx.export(
        model, dummy, path,
        training=torch.onnx.TrainingMode.EVAL,
        do_constant_folding=True,
        input_names=['image'], output_names=['logits'],
        dynamic_axes={'image': {0: 'batch'}, 'logits': {0: 'batch'}},
        opset_version=OPSET,
    )


def describe(path):
    """Check the file with onnx.checker and return a summary (node type counts, input/output shapes, opset)."""
    m = onnx.load(path)
    onnx.checker.check_model(m)
    counts = collections.Counter(n.op_type for n in m.graph.node)

    def shape(v):
        return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]

    return {
        'path': path,
        'opset': max(o.version for o in m.opset_import if o.domain in ('', 'ai.onnx')),
        'inputs': {v.name: shape(v) for v in m.graph.input},
        'outputs': {v.name: shape(v) for v in m.graph.output},
        'nodes': dict(sorted(counts.items())),
        'initializers': len(m.graph.initializer),
    }


def print_description(path):
    d = describe(path)
    print(f"{d['path']}: opset {d['opset']}, inputs {d['inputs']}, outputs {d['outputs']}, "
          f"{d['initializers']} initializers")
    print('  node types: ' + ', '.join(f'{k} x{v}' for k, v in d['nodes'].items()))
    return d
