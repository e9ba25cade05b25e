#!/usr/bin/env python3
"""ViT-B/16 at 224 px in PyTorch eager, for `npm run bench -- --only big` (optional; not part of the tests).

  torch_vit_b16.py export DIR      torchvision vit_b_16 with random weights (seed 0) exported to
                                   DIR/onnx/model.onnx (opset 14, input pixel_values, output logits),
                                   plus DIR/preprocessor_config.json and DIR/config.json
  torch_vit_b16.py bench N BATCH THREADS
                                   items/s of the same model (seed 0) over N random 224 px images in
                                   batches of BATCH on THREADS threads, keeping the CLS token of the
                                   embedding output and of every block (what `extract --layers all
                                   --pool cls` keeps); prints one JSON line

Needs torch and torchvision (Debian: python3-torch, python3-torchvision).
"""
import json
import os
import sys
import time

import torch
import torchvision


def model():
    torch.manual_seed(0)
    m = torchvision.models.vit_b_16(weights=None)
    m.eval()
    return m


def export(out):
    m = model()
    os.makedirs(os.path.join(out, 'onnx'), exist_ok=True)
    x = torch.randn(1, 3, 224, 224)
    torch.onnx.export(m, x, os.path.join(out, 'onnx', 'model.onnx'), opset_version=14, input_names=['pixel_values'], output_names=['logits'],
                      dynamic_axes={'pixel_values': {0: 'batch_size'}, 'logits': {0: 'batch_size'}})
    with open(os.path.join(out, 'preprocessor_config.json'), 'w') as f:
        json.dump({'image_processor_type': 'ViTImageProcessor', 'do_resize': True, 'size': {'height': 224, 'width': 224}, 'resample': 2,
                   'do_rescale': True, 'rescale_factor': 1 / 255, 'do_normalize': True, 'image_mean': [0.485, 0.456, 0.406], 'image_std': [0.229, 0.224, 0.225]}, f)
    with open(os.path.join(out, 'config.json'), 'w') as f:
        json.dump({'model_type': 'vit', 'hidden_size': 768, 'num_hidden_layers': 12, 'image_size': 224, 'patch_size': 16}, f)


def bench(n, batch, threads):
    torch.set_num_threads(threads)
    m = model()
    kept = []
    # The residual stream: the encoder's input (patch + position embedding) and each block's output.
    m.encoder.dropout.register_forward_hook(lambda _m, _i, o: kept.append(o[:, 0].clone()))
    for blk in m.encoder.layers:
        blk.register_forward_hook(lambda _m, _i, o: kept.append(o[:, 0].clone()))
    g = torch.Generator().manual_seed(1)
    xs = torch.randn(n, 3, 224, 224, generator=g)
    with torch.no_grad():
        m(xs[:batch])  # warm-up
        kept.clear()
        t0 = time.perf_counter()
        for s in range(0, n, batch):
            m(xs[s:s + batch])
        dt = time.perf_counter() - t0
    print(json.dumps({'items': n, 'batch': batch, 'threads': threads, 'seconds': dt, 'items_per_s': n / dt, 'layers': len(kept) * batch // n}))


if __name__ == '__main__':
    if sys.argv[1] == 'export':
        export(sys.argv[2])
    else:
        bench(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
