"""A ~700M-parameter LLaMA-style decoder exported "with past" (external data), for `npm run bench -- --only big`.

    /usr/bin/python3 bench/make_big_decoder.py OUT_DIR [--layers 24 --hidden 1536 --inter 4096 --vocab 32000]

Reuses the module classes of test/fixtures/decoders/make_decoders.py (transformers' LlamaForCausalLM names,
rotary, grouped-query attention) at a larger size; random weights (seed 0). The defaults give
24 x (q 1536^2 + k, v 1536 x 512 + o 1536^2 + MLP 3 x 1536 x 4096) + 2 x 32000 x 1536 = 703M parameters,
2.8 GB of float32 in onnx/model.onnx_data. Written for the benchmark only, never committed.
"""
import argparse
import importlib.util
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument('out')
ap.add_argument('--layers', type=int, default=24)
ap.add_argument('--hidden', type=int, default=1536)
ap.add_argument('--inter', type=int, default=4096)
ap.add_argument('--vocab', type=int, default=32000)
args = ap.parse_args()

spec = importlib.util.spec_from_file_location('make_decoders', os.path.join(HERE, '..', 'test', 'fixtures', 'decoders', 'make_decoders.py'))
md = importlib.util.module_from_spec(spec)
sys.argv = sys.argv[:1]
spec.loader.exec_module(md)
md.VOCAB, md.HIDDEN, md.INTER, md.LAYERS = args.vocab, args.hidden, args.inter, args.layers
md.HEADS, md.KV_HEADS, md.HEAD_DIM = args.hidden // 128, max(1, args.hidden // 384), 128

torch.manual_seed(0)
with torch.no_grad():
    model = md.LlamaForCausalLM().eval()
    for p in model.parameters():
        p.mul_(0.5)
params = sum(p.numel() for p in model.parameters())
cfg = {'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', 'vocab_size': md.VOCAB, 'hidden_size': md.HIDDEN, 'intermediate_size': md.INTER,
       'num_hidden_layers': md.LAYERS, 'num_attention_heads': md.HEADS, 'num_key_value_heads': md.KV_HEADS, 'head_dim': md.HEAD_DIM,
       'max_position_embeddings': md.MAX_POS, 'rms_norm_eps': 1e-6, 'rope_theta': 10000.0, 'bos_token_id': 2, 'eos_token_id': 3, 'pad_token_id': 0,
       'tie_word_embeddings': False, 'torch_dtype': 'float32', 'use_cache': True}
tok_cfg = {'bos_token': '[BOS]', 'eos_token': '[EOS]', 'pad_token': '[PAD]', 'unk_token': '[UNK]', 'model_max_length': md.MAX_POS, 'padding_side': 'left',
           'tokenizer_class': 'PreTrainedTokenizerFast'}
md.write_folder(args.out, cfg, tok_cfg)
ids = torch.tensor([[2, 4, 5, 6], [2, 7, 8, 0]])
mask = torch.tensor([[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 0]])
pos = torch.arange(3, 7)[None].expand(2, 4)
past = tuple(torch.randn(2, md.KV_HEADS, 3, md.HEAD_DIM) for _ in range(2 * md.LAYERS))
dyn = {'input_ids': {0: 'batch_size', 1: 'sequence_length'}, 'attention_mask': {0: 'batch_size', 1: 'past_sequence_length + sequence_length'},
       'position_ids': {0: 'batch_size', 1: 'sequence_length'}, 'logits': {0: 'batch_size', 1: 'sequence_length'}}
for n in md.past_names():
    dyn[n] = {0: 'batch_size', 2: 'past_sequence_length'}
for n in md.present_names():
    dyn[n] = {0: 'batch_size', 2: 'past_sequence_length + sequence_length'}
graph = os.path.join(args.out, 'onnx', 'model.onnx')
with torch.no_grad():
    torch.onnx.export(model, (ids, mask, pos, *past), graph, opset_version=17, do_constant_folding=True,
                      input_names=['input_ids', 'attention_mask', 'position_ids'] + md.past_names(), output_names=['logits'] + md.present_names(), dynamic_axes=dyn)
# torch writes one file per weight beside the graph when the model passes 2 GB; gather them into one
# model.onnx_data as Optimum does.
import onnx
m = onnx.load(graph, load_external_data=True)
for f in os.listdir(os.path.join(args.out, 'onnx')):
    if f != 'model.onnx':
        os.remove(os.path.join(args.out, 'onnx', f))
onnx.save_model(m, graph, save_as_external_data=True, all_tensors_to_one_file=True, location='model.onnx_data', size_threshold=1024)
print(params)
