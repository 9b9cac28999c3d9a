"""The Python side of packages/composer/src/pretrained-minilm.interop.ts: a real pretrained checkpoint written by
transformers (sentence-transformers/all-MiniLM-L6-v2, from requirements-checkpoints.txt; see checkpoints.py).
stdin: one JSON request, or {"batch": [request, ...]}; last stdout line: the JSON answer, or {"answers": [...]}.

    {"op": "encode", "dir": D, "texts": [text or [text, pair], ...]}
        AutoTokenizer.from_pretrained(D) on each text alone (input_ids, attention_mask, token_type_ids), on the
        single texts as one padded batch and on the pairs as another, then BertModel.from_pretrained(D)'s
        last_hidden_state and pooler_output on the batch of single texts, in float32 (what a user gets) and in
        float64 (the exact answer that both float32 engines are measured against at padded positions).
    {"op": "warmstart", "dir": D, "tie": bool, "saved": S, "inputs": {...}, "decoder_input_ids": ..., "labels": ...,
     "generate": [{...}]}
        EncoderDecoderModel.from_encoder_decoder_pretrained(D, D, tie_encoder_decoder=tie): for each state-dict name,
        whether it holds the checkpoint's tensor (the name with "encoder." / "decoder.bert." taken off) or not
        (randomly initialised); which names share one tensor. Then the folder S the project saved, loaded with
        EncoderDecoderModel.from_pretrained: loading info, its special tokens, logits, loss and generate() ids.
"""

import json
import sys

import torch
import transformers
from safetensors.torch import load_file
from transformers import AutoTokenizer, BertModel, EncoderDecoderModel

from loading import load_with_report

transformers.utils.logging.disable_progress_bar()


def as_args(item):
    return (item,) if isinstance(item, str) else (item[0], item[1])


def encode(request):
    tokenizer = AutoTokenizer.from_pretrained(request["dir"])
    texts = request["texts"]
    single = []
    for item in texts:
        e = tokenizer(*as_args(item))
        single.append({k: list(e[k]) for k in ("input_ids", "attention_mask", "token_type_ids")})
    # The model runs on the single texts as one padded batch (transformers takes pairs as a batch of their own).
    batch = tokenizer([t for t in texts if isinstance(t, str)], padding=True, return_tensors="pt")
    pairs = [t for t in texts if not isinstance(t, str)]
    pair_batch = tokenizer([t[0] for t in pairs], [t[1] for t in pairs], padding=True) if pairs else None
    model = BertModel.from_pretrained(request["dir"])
    model.eval()
    with torch.inference_mode():
        out = model(**batch)
        exact = model.double()(**batch)
    return dict(
        tokenizer_class=type(tokenizer).__name__,
        single=single,
        batch={k: v.tolist() for k, v in batch.items()},
        pair_batch=None if pair_batch is None else {k: list(v) for k, v in pair_batch.items()},
        last_hidden_state=out.last_hidden_state.flatten().tolist(),
        pooler_output=out.pooler_output.flatten().tolist(),
        last_hidden_state_float64=exact.last_hidden_state.flatten().tolist(),
        pooler_output_float64=exact.pooler_output.flatten().tolist(),
        shape=list(out.last_hidden_state.shape),
    )


def run_saved(request):
    """The project's saved composition, loaded by transformers: loading info, logits, loss, generate() ids."""
    model, report = load_with_report(request["saved"])
    inputs = dict(input_ids=torch.tensor(request["inputs"]["input_ids"]), attention_mask=torch.tensor(request["inputs"]["attention_mask"]))
    out = dict(
        **report,
        config={k: getattr(model.config, k) for k in ("decoder_start_token_id", "eos_token_id", "pad_token_id", "tie_encoder_decoder")},
    )
    with torch.inference_mode():
        out["logits"] = model(**inputs, decoder_input_ids=torch.tensor(request["decoder_input_ids"])).logits.flatten().tolist()
        out["loss"] = float(model(**inputs, labels=torch.tensor(request["labels"])).loss)
        out["generate"] = []
        for kwargs in request["generate"]:
            g = model.generate(**inputs, return_dict_in_generate=True, **kwargs)
            scores = getattr(g, "sequences_scores", None)
            out["generate"].append(dict(sequences=g.sequences.tolist(), sequences_scores=None if scores is None else scores.tolist()))
    return out


def warmstart(request):
    source = load_file(f"{request['dir']}/model.safetensors")
    model = EncoderDecoderModel.from_encoder_decoder_pretrained(request["dir"], request["dir"], tie_encoder_decoder=request["tie"])
    state = model.state_dict()
    base = model.decoder.base_model_prefix
    origins, differs, shared = {}, [], {}
    for name, value in state.items():
        key = name[len("encoder."):] if name.startswith("encoder.") else name[len(f"decoder.{base}."):] if name.startswith(f"decoder.{base}.") else None
        if key is not None and key in source:
            same = torch.equal(source[key].to(value.dtype), value)
            origins[name] = "checkpoint" if same else "random"
            if not same:
                differs.append(name)
        else:
            origins[name] = "random"
        shared.setdefault(value.data_ptr(), []).append(name)
    out = dict(origins=origins, differs=differs, shared=[names for names in shared.values() if len(names) > 1])
    out.update(run_saved(request))
    return out


def answer(request):
    out = dict(encode=encode, warmstart=warmstart)[request["op"]](request)
    out["transformers"] = transformers.__version__
    return out


def main():
    request = json.load(sys.stdin)
    # {"batch": [request, ...]} answers {"answers": [...]}: one Python start (torch's import is most of it) for all.
    print(json.dumps(dict(answers=[answer(r) for r in request["batch"]]) if "batch" in request else answer(request)))


if __name__ == "__main__":
    main()
