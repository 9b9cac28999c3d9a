"""The Python side of packages/tensors/src/pytorch/pytorch-bin.interop.ts and of the committed .bin fixtures.

    {"op": "models", "dir": ...}
        real torch / transformers write tiny BERT, RoBERTa, GPT-2 and a composed BERT2BERT twice each under dir:
        <name>/st (safetensors) and <name>/bin (pytorch_model.bin: save_pretrained(safe_serialization=False) in
        transformers 4, config.json + torch.save(state_dict) in 5, which writes only safetensors),
        plus bert-sharded/bin (pytorch_model.bin.index.json shards) and bert-fp16/{st,bin} (model.half()).
        Answers the folder names and, for each model, Python's float32 logits on the probe inputs.
    {"op": "fixtures", "dir": ...}
        writes the small fixtures committed in packages/tensors/fixtures/pytorch-bin/ (see its README.md).
"""

import collections
import json
import os
import sys

import torch
import transformers
from transformers import (
    BertConfig,
    BertLMHeadModel,
    BertModel,
    EncoderDecoderModel,
    GPT2Config,
    GPT2LMHeadModel,
    RobertaConfig,
    RobertaModel,
)

IDS = [[2, 5, 6, 7, 3], [2, 8, 9, 3, 0]]
MASK = [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]]
DEC = [[2, 11, 12, 13], [2, 14, 15, 3]]


def bert_config(**extra):
    return BertConfig(vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32, max_position_embeddings=32, **extra)


def save_bin(model, folder, shards=1):
    """save_pretrained(safe_serialization=False) where the line still writes .bin (transformers 4); transformers 5
    always writes safetensors, so there the folder gets what older versions wrote: config.json and torch.save of
    the state dict (tied weights share a storage), split into HF-named shards with an index when shards > 1."""
    if transformers.__version__.startswith("4."):
        kwargs = {} if shards == 1 else {"max_shard_size": "20KB"}
        model.save_pretrained(folder, safe_serialization=False, **kwargs)
        return
    os.makedirs(folder, exist_ok=True)
    model.config.save_pretrained(folder)
    state = model.state_dict()
    if shards == 1:
        torch.save(state, os.path.join(folder, "pytorch_model.bin"))
        return
    names = list(state)
    weight_map = {}
    for i in range(shards):
        shard = f"pytorch_model-{i + 1:05d}-of-{shards:05d}.bin"
        part = {k: state[k] for k in names[i::shards]}
        torch.save(part, os.path.join(folder, shard))
        weight_map.update({k: shard for k in part})
    total = sum(v.numel() * v.element_size() for v in state.values())
    with open(os.path.join(folder, "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


def save_twice(model, root, name):
    model.eval()
    model.save_pretrained(os.path.join(root, name, "st"))
    save_bin(model, os.path.join(root, name, "bin"))


def models(request):
    root = request["dir"]
    torch.manual_seed(0)
    out = {}
    ids, mask, dec = torch.tensor(IDS), torch.tensor(MASK), torch.tensor(DEC)
    with torch.inference_mode():
        bert = BertModel(bert_config())
        save_twice(bert, root, "bert")
        out["bert"] = bert(input_ids=ids, attention_mask=mask).last_hidden_state.flatten().tolist()
        save_bin(bert, os.path.join(root, "bert-sharded", "bin"), shards=3)
        half = BertModel(bert_config()).half()
        save_twice(half, root, "bert-fp16")
        out["bert-fp16"] = half.float()(input_ids=ids, attention_mask=mask).last_hidden_state.flatten().tolist()
        roberta = RobertaModel(RobertaConfig(vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32, max_position_embeddings=40, pad_token_id=1))
        save_twice(roberta, root, "roberta")
        out["roberta"] = roberta(input_ids=ids, attention_mask=mask).last_hidden_state.flatten().tolist()
        gpt2 = GPT2LMHeadModel(GPT2Config(vocab_size=40, n_embd=16, n_layer=2, n_head=2, n_positions=32))
        save_twice(gpt2, root, "gpt2")
        out["gpt2"] = gpt2(input_ids=ids, attention_mask=mask).logits.flatten().tolist()
        encoder = BertModel(bert_config())
        decoder = BertLMHeadModel(bert_config(is_decoder=True, add_cross_attention=True))
        composed = EncoderDecoderModel(encoder=encoder, decoder=decoder)
        composed.config.decoder_start_token_id = 2
        composed.config.pad_token_id = 0
        save_twice(composed, root, "bert2bert")
        out["bert2bert"] = composed(input_ids=ids, attention_mask=mask, decoder_input_ids=dec).logits.flatten().tolist()
    files = {name: sorted(os.listdir(os.path.join(root, name, "bin"))) for name in out}
    files["bert-sharded"] = sorted(os.listdir(os.path.join(root, "bert-sharded", "bin")))
    return dict(transformers=transformers.__version__, torch=torch.__version__, outputs=out, files=files, inputs=dict(input_ids=IDS, attention_mask=MASK, decoder_input_ids=DEC))


def fixtures(request):
    root = request["dir"]
    os.makedirs(root, exist_ok=True)
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 4 - 1
    sd = collections.OrderedDict()
    sd["plain"] = base
    sd["transposed"] = base.t()  # a non-contiguous view of the same storage
    sd["slice"] = base[1:, 2:]  # a view with a storage offset
    sd["row"] = base[2]
    sd["half"] = torch.tensor([[1.5, -2.0, 65504.0], [0.0009765625, -0.0, 3.140625]], dtype=torch.float16)
    sd["bfloat"] = torch.tensor([1.5, -2.0, 3.0e38, 0.0078125], dtype=torch.bfloat16)
    sd["long"] = torch.tensor([[0, 1, -5], [2**31 - 1, -(2**31), 7]], dtype=torch.int64)
    sd["scalar"] = torch.tensor(0.25)
    sd["empty"] = torch.zeros(0, 3)
    sd["param"] = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    torch.save(sd, os.path.join(root, "views.bin"))
    expected = {k: dict(shape=list(v.shape), dtype=str(v.dtype), values=v.detach().float().flatten().tolist() if v.is_floating_point() else v.flatten().tolist()) for k, v in sd.items()}
    with open(os.path.join(root, "views.json"), "w") as f:
        json.dump(expected, f, indent=1)
    torch.save(collections.OrderedDict(w=torch.ones(2)), os.path.join(root, "legacy.bin"), _use_new_zipfile_serialization=False)
    return dict(files=sorted(os.listdir(root)), torch=torch.__version__)


def main():
    request = json.loads(sys.stdin.read())
    answer = {"models": models, "fixtures": fixtures}[request["op"]](request)
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
