"""generate() inputs, stopping and outputs with real transformers (outputs-hf.interop.ts).

stdin: {"dir": checkpoint folder, "tokenizer": tokenizer.json path, "vocab_size": n,
        "cases": [{"name", "input_ids", "attention_mask"?, "token_type_ids"?, "kwargs": {...},
                   "prefix_mod3"?: true, "encoder_outputs"?: true}]}
  prefix_mod3: prefix_allowed_tokens_fn allowing the ids congruent to the row's last id modulo 3;
  encoder_outputs: the encoder runs first and generate() gets encoder_outputs=.
stdout (last line): {"version", "results": {name: {"sequences", "sequences_scores"?, "scores"?, "beam_indices"?,
                     "transition", "transition_normalized"}}}; -inf and nan scores are written as null.
One process for all cases: importing torch and transformers is most of the time.
"""
import json
import math
import sys
import warnings

import torch
import transformers
from transformers import EncoderDecoderModel, PreTrainedTokenizerFast

transformers.logging.set_verbosity_error()
warnings.simplefilter("ignore")


def finite_or_none(values):
    return [v if math.isfinite(v) else None for v in values]


def run_case(model, tokenizer, vocab_size, case):
    kwargs = dict(case["kwargs"])
    inputs = {"input_ids": torch.tensor(case["input_ids"])}
    if "attention_mask" in case:
        inputs["attention_mask"] = torch.tensor(case["attention_mask"])
    if "token_type_ids" in case:
        inputs["token_type_ids"] = torch.tensor(case["token_type_ids"])
    if case.get("prefix_mod3"):
        kwargs["prefix_allowed_tokens_fn"] = lambda batch_id, ids: [
            v for v in range(vocab_size) if v % 3 == int(ids[-1]) % 3
        ]
    if "stop_strings" in kwargs:
        kwargs["tokenizer"] = tokenizer
    if case.get("encoder_outputs"):
        encoder_inputs = {k: v for k, v in inputs.items()}
        with torch.no_grad():
            inputs["encoder_outputs"] = model.get_encoder()(**encoder_inputs)
        inputs.pop("token_type_ids", None)
    with torch.no_grad():
        out = model.generate(**inputs, **kwargs, return_dict_in_generate=True, output_scores=True)
    result = {"sequences": out.sequences.tolist()}
    if getattr(out, "sequences_scores", None) is not None:
        result["sequences_scores"] = out.sequences_scores.tolist()
    result["scores"] = [finite_or_none(step.reshape(-1).tolist()) for step in out.scores]
    beam_indices = getattr(out, "beam_indices", None)
    if beam_indices is not None:
        result["beam_indices"] = beam_indices.tolist()
    for key, normalize in (("transition", False), ("transition_normalized", True)):
        transition = model.compute_transition_scores(out.sequences, out.scores, beam_indices, normalize_logits=normalize)
        result[key] = [finite_or_none(row) for row in transition.tolist()]
    return result


def main() -> None:
    request = json.loads(sys.stdin.read())
    model = EncoderDecoderModel.from_pretrained(request["dir"])
    model.eval()
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=request["tokenizer"])
    results = {c["name"]: run_case(model, tokenizer, request["vocab_size"], c) for c in request["cases"]}
    print(json.dumps({"version": transformers.__version__, "results": results}))


if __name__ == "__main__":
    main()
