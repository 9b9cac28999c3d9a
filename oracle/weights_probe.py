"""Weight layouts of EncoderDecoderModel checkpoints with real transformers (used by
packages/composer/src/weights-hf.interop.ts).

stdin JSON {"action": "make", "dir": D, "inputs": {...}}: builds tiny BERT / RoBERTa checkpoints under D, warm-starts
BERTShare and RoBERTaShare (tie_encoder_decoder=True) and saves them as this line saves them: float32, float16,
bfloat16 and sharded (max_shard_size="50KB"), a "finetuned" Share (every decoder weight moved, as training would:
transformers 5, which does not tie, then stores two different halves), and models whose decoder has
tie_word_embeddings=False. For each folder: the logits of the model from_pretrained loads, in float32.

stdin JSON {"action": "check", "dirs": [...], "inputs": {...}}: loads folders written by the TypeScript project and
reports the loading info, transformers' log lines, whether each stored tensor equals the loaded model's, whether
encoder and decoder are tied, and the logits.

Last stdout line: the JSON result.
"""

import copy
import glob
import io
import json
import logging
import os
import sys

import torch
import transformers
from safetensors.torch import load_file
from transformers import BertConfig, BertModel, EncoderDecoderConfig, EncoderDecoderModel, RobertaConfig, RobertaModel

transformers.utils.logging.disable_progress_bar()
V5 = int(transformers.__version__.split(".")[0]) >= 5
# A wide initialisation, so that logits are O(1) and a wrong weight shows far above the tolerance.
SIZES = dict(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37, max_position_embeddings=64, initializer_range=0.3)


def sub_config(kind, **extra):
    if kind == "bert":
        return BertConfig(**SIZES, **extra)
    return RobertaConfig(**SIZES, pad_token_id=1, bos_token_id=0, eos_token_id=2, **extra)


def tiny(kind, path, seed):
    torch.manual_seed(seed)
    model = (BertModel if kind == "bert" else RobertaModel)(sub_config(kind))
    model.save_pretrained(path)


def with_tokens(model, kind):
    start, eos, pad = (2, 3, 0) if kind == "bert" else (0, 2, 1)
    model.config.decoder_start_token_id = start
    model.config.eos_token_id = eos
    model.config.pad_token_id = pad
    return model


def move(model, keep):
    """Adds noise to the parameters whose name keep() accepts (named_parameters lists a tied tensor once)."""
    generator = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if keep(name):
                param.add_(torch.randn(param.shape, generator=generator) * 0.3)


def logits_of(path, inputs):
    model = EncoderDecoderModel.from_pretrained(path).float().eval()
    with torch.no_grad():
        out = model(
            input_ids=torch.tensor(inputs["input_ids"]),
            attention_mask=torch.tensor(inputs["attention_mask"]),
            decoder_input_ids=torch.tensor(inputs["decoder_input_ids"]),
        ).logits
    return out.flatten().tolist(), list(out.shape)


def stored_keys(path):
    keys = {}
    for file in sorted(glob.glob(os.path.join(path, "*.safetensors"))):
        for key, tensor in load_file(file).items():
            keys[key] = str(tensor.dtype).replace("torch.", "")
    return keys


def make(request):
    root = request["dir"]
    inputs = request["inputs"]
    out = {}
    for kind in ("bert", "roberta"):
        part = os.path.join(root, kind)
        tiny(kind, part, 1 if kind == "bert" else 2)
        share = with_tokens(EncoderDecoderModel.from_encoder_decoder_pretrained(part, part, tie_encoder_decoder=True), kind).eval()
        # Random parts (cross-attention, LM head) made non-trivial; the warm-started halves stay equal.
        move(share, lambda n: n.startswith("decoder.") and ("crossattention" in n or ".cls." in n or "lm_head" in n or n.endswith("predictions.bias")))
        variants = {
            "fp32": lambda d, m=share: m.save_pretrained(d),
            "fp16": lambda d, m=share: copy.deepcopy(m).half().save_pretrained(d),
            "bf16": lambda d, m=share: copy.deepcopy(m).to(torch.bfloat16).save_pretrained(d),
            "sharded": lambda d, m=share: m.save_pretrained(d, max_shard_size="50KB"),
        }
        finetuned = copy.deepcopy(share)
        move(finetuned, lambda n: n.startswith("decoder."))
        variants["finetuned"] = lambda d, m=finetuned: m.save_pretrained(d)
        encoder_config = sub_config(kind)
        decoder_config = sub_config(kind, is_decoder=True, add_cross_attention=True, tie_word_embeddings=False)
        torch.manual_seed(3)
        untied = with_tokens(EncoderDecoderModel(config=EncoderDecoderConfig.from_encoder_decoder_configs(encoder_config, decoder_config)), kind).eval()
        move(untied, lambda n: n.startswith("decoder.") and ("decoder.bias" in n or "decoder.weight" in n))
        variants["untied_head"] = lambda d, m=untied: m.save_pretrained(d)
        for name, save in variants.items():
            path = os.path.join(root, f"{kind}share-{name}")
            save(path)
            values, shape = logits_of(path, inputs[kind])
            config = json.load(open(os.path.join(path, "config.json")))
            out[f"{kind}share-{name}"] = {
                "dir": path,
                "kind": kind,
                "logits": values,
                "shape": shape,
                "keys": stored_keys(path),
                "files": sorted(os.listdir(path)),
                "dtype": [config.get("dtype", config.get("torch_dtype")), config["encoder"].get("dtype"), config["decoder"].get("dtype")],
            }
    return {"version": transformers.__version__, "variants": out}


class Capture:
    def __enter__(self):
        self.buffer = io.StringIO()
        self.handler = logging.StreamHandler(self.buffer)
        self.handler.setLevel(logging.INFO)
        self.logger = logging.getLogger("transformers")
        self.logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self.handler)

    def lines(self):
        return [line for line in self.buffer.getvalue().splitlines() if line.strip()]


def check(request):
    results = {}
    for entry in request["dirs"]:
        path, kind = entry["dir"], entry["kind"]
        with Capture() as capture:
            model, info = EncoderDecoderModel.from_pretrained(path, output_loading_info=True)
        model = model.float().eval()
        state = model.state_dict()
        stored = {}
        for file in sorted(glob.glob(os.path.join(path, "*.safetensors"))):
            stored.update(load_file(file))
        differing = [k for k, v in stored.items() if k not in state or not torch.equal(state[k], v.float())]
        base = model.decoder.base_model_prefix
        enc_word = model.encoder.embeddings.word_embeddings.weight
        dec_word = getattr(model.decoder, base).embeddings.word_embeddings.weight
        head = model.decoder.get_output_embeddings().weight
        inputs = request["inputs"][kind]
        with torch.no_grad():
            logits = model(
                input_ids=torch.tensor(inputs["input_ids"]),
                attention_mask=torch.tensor(inputs["attention_mask"]),
                decoder_input_ids=torch.tensor(inputs["decoder_input_ids"]),
            ).logits
        results[path] = {
            "info": {k: sorted(map(str, v)) for k, v in info.items()},
            "log": capture.lines(),
            "stored": len(stored),
            "differing": differing,
            "tied": enc_word.data_ptr() == dec_word.data_ptr(),
            "head_tied": head.data_ptr() == dec_word.data_ptr(),
            "tie_encoder_decoder": bool(model.config.tie_encoder_decoder),
            "logits": logits.flatten().tolist(),
        }
    return {"version": transformers.__version__, "results": results}


def main():
    request = json.loads(sys.stdin.read())
    result = make(request) if request["action"] == "make" else check(request)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
