"""Beam sampling (do_sample with num_beams > 1) with real transformers, recording every draw (beam-sample-hf.interop.ts).

PyTorch's random stream cannot be reproduced outside PyTorch, so the probe records what each step drew from:
`torch.multinomial` is wrapped during generate() to keep its input (the softmax of the running beam scores of every
input, over num_beams * vocab candidates) and the indices it drew. The project's test replays those indices through
its own sampler and checks that it was offered the same probabilities at every step and ends with the same sequences.

stdin: {"dir", "cases": [{"name", "input_ids", "attention_mask"?, "seed", "kwargs": {...}}]}
stdout (last line): {"version", "results": {name: {"sequences", "sequences_scores", "draws": [{"probs", "indices"}],
  "scores", "beam_indices"} | {"error"}}}
"""
import json
import math
import sys
import warnings

import torch
import transformers
from transformers import EncoderDecoderModel

transformers.logging.set_verbosity_error()
warnings.simplefilter("ignore")

FLOAT_KWARGS = ("length_penalty", "repetition_penalty", "temperature", "top_p", "min_p", "typical_p")


def main() -> None:
    request = json.loads(sys.stdin.read())
    model = EncoderDecoderModel.from_pretrained(request["dir"])
    model.eval()
    real_multinomial = torch.multinomial
    results = {}
    for case in request["cases"]:
        draws = []

        def recording_multinomial(probs, num_samples, *args, **kwargs):
            indices = real_multinomial(probs, num_samples, *args, **kwargs)
            draws.append({"probs": probs.tolist(), "indices": indices.tolist()})
            return indices

        inputs = {"input_ids": torch.tensor(case["input_ids"])}
        if "attention_mask" in case:
            inputs["attention_mask"] = torch.tensor(case["attention_mask"])
        kwargs = dict(case["kwargs"])
        for key in FLOAT_KWARGS:
            if key in kwargs:
                kwargs[key] = float(kwargs[key])
        torch.manual_seed(case["seed"])
        torch.multinomial = recording_multinomial
        try:
            with torch.no_grad():
                out = model.generate(**inputs, **kwargs, return_dict_in_generate=True, output_scores=True)
        except Exception as error:  # noqa: BLE001 - the test compares refusals too
            results[case["name"]] = {"error": f"{type(error).__name__}: {error}"}
            continue
        finally:
            torch.multinomial = real_multinomial
        results[case["name"]] = {
            "sequences": out.sequences.tolist(),
            "sequences_scores": out.sequences_scores.tolist(),
            "draws": draws,
            # Flattened [rows * vocab] per step; -inf (filtered by a warper) as null, which JSON cannot hold.
            "scores": [[v if math.isfinite(v) else None for v in step.reshape(-1).tolist()] for step in out.scores],
            "beam_indices": out.beam_indices.tolist(),
        }
    print(json.dumps({"version": transformers.__version__, "results": results}))


if __name__ == "__main__":
    main()
