"""Logits processors and warpers of real transformers (processors-hf.interop.ts).

stdin: {"dir": a checkpoint the project saved,
        "generate": [{"name", "input_ids", "attention_mask"?, "kwargs"}],
        "distributions": [{"name", "encoder_input_ids", "input_ids", "scores", "eos_token_id"?, "kwargs"}]}
stdout (last line): {"version",
                     "generate": {name: {"sequences", "sequences_scores"?} or {"error": message}},
                     "distributions": {name: {"processors": [class names], "scores": rows} or {"error": message}}}
"generate" runs model.generate(**kwargs). "distributions" builds the processor list with the model's own
`_get_logits_processor` (the order transformers uses in generate()) from GenerationConfig(**kwargs) and applies it to
the given decoder ids and float32 scores; non-finite scores travel as the strings "inf", "-inf", "nan" both ways.
One process for every case: importing torch and transformers is most of the time.
"""
import json
import math
import sys
import warnings

import torch
import transformers
from transformers import EncoderDecoderModel, GenerationConfig

transformers.logging.set_verbosity_error()
warnings.simplefilter("ignore")


def finite_or_name(value: float):
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


# JSON written by JavaScript has no 3.0, only 3, and transformers insists on floats here (a generation_config.json
# saved by Python holds 3.0).
FLOAT_SETTINGS = ("encoder_repetition_penalty", "repetition_penalty", "temperature")


def with_floats(kwargs: dict) -> dict:
    out = dict(kwargs)
    for key in FLOAT_SETTINGS:
        if isinstance(out.get(key), int):
            out[key] = float(out[key])
    if isinstance(out.get("sequence_bias"), list):
        out["sequence_bias"] = [[ids, float(bias)] for ids, bias in out["sequence_bias"]]
    if isinstance(out.get("exponential_decay_length_penalty"), list):
        start, factor = out["exponential_decay_length_penalty"]
        out["exponential_decay_length_penalty"] = (start, float(factor))
    return out


def run_generate(model, case: dict) -> dict:
    inputs = {"input_ids": torch.tensor(case["input_ids"])}
    if "attention_mask" in case:
        inputs["attention_mask"] = torch.tensor(case["attention_mask"])
    try:
        with torch.no_grad():
            out = model.generate(**inputs, **with_floats(case["kwargs"]), return_dict_in_generate=True, output_scores=True)
    except Exception as error:  # the project must refuse the same settings
        return {"error": f"{type(error).__name__}: {error}"}
    result = {"sequences": out.sequences.tolist()}
    if getattr(out, "sequences_scores", None) is not None:
        result["sequences_scores"] = out.sequences_scores.tolist()
    return result


def run_distribution(model, case: dict) -> dict:
    config = GenerationConfig(**with_floats(case["kwargs"]))
    eos = case.get("eos_token_id")
    # generate() sets this from eos_token_id before building the processors (_prepare_special_tokens).
    config._eos_token_tensor = torch.tensor(eos if isinstance(eos, list) else [eos]) if eos is not None else None
    input_ids = torch.tensor(case["input_ids"])
    try:
        processors = model._get_logits_processor(
            generation_config=config,
            input_ids_seq_length=case.get("prompt_length", 1),
            encoder_input_ids=torch.tensor(case["encoder_input_ids"]),
            logits_processor=None,
            device="cpu",
            model_kwargs={},
        )
        rows = [[float(v) for v in row] for row in case["scores"]]  # "inf", "-inf", "nan" included
        scores = processors(input_ids, torch.tensor(rows, dtype=torch.float32))
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"}
    return {
        "processors": [type(p).__name__ for p in processors],
        "scores": [[finite_or_name(v) for v in row] for row in scores.tolist()],
    }


def main() -> None:
    request = json.loads(sys.stdin.read())
    model = EncoderDecoderModel.from_pretrained(request["dir"])
    model.eval()
    result = {
        "version": transformers.__version__,
        "generate": {case["name"]: run_generate(model, case) for case in request["generate"]},
        "distributions": {case["name"]: run_distribution(model, case) for case in request["distributions"]},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
