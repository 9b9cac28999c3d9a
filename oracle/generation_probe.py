"""Generation with real transformers on a checkpoint the project saved (generation-hf.interop.ts).

stdin: {"checkpoints": [{"dir": folder,
                         "cases": [{"name", "input_ids", "attention_mask"?, "decoder_input_ids"?, "kwargs": {...},
                                    "custom"?: {"logits_processor"?: [{"class", "kwargs"}],
                                                "stopping_criteria"?: [{"class", "kwargs"}]}}]}]}
"custom" builds the user's processors / criteria from transformers' own classes (custom-processors-hf.interop.ts).
stdout (last line): {"version", "checkpoints": [{"generation_config": the loaded model.generation_config
                     (non-default values), "results": {name: {"sequences", "sequences_scores"?}}}]}
One process for every checkpoint: importing torch and transformers is most of the time.
"""
import json
import sys
import warnings

import torch
import transformers
from transformers import EncoderDecoderModel

transformers.logging.set_verbosity_error()
warnings.simplefilter("ignore")


def custom_lists(custom: dict) -> dict:
    """generate()'s logits_processor= / stopping_criteria= from class names of transformers.generation."""
    import transformers.generation as generation

    def build(specs: list) -> list:
        return [getattr(generation, spec["class"])(**spec["kwargs"]) for spec in specs]

    lists = {}
    if "logits_processor" in custom:
        lists["logits_processor"] = generation.LogitsProcessorList(build(custom["logits_processor"]))
    if "stopping_criteria" in custom:
        lists["stopping_criteria"] = generation.StoppingCriteriaList(build(custom["stopping_criteria"]))
    return lists


def run_checkpoint(request: dict) -> dict:
    model = EncoderDecoderModel.from_pretrained(request["dir"])
    model.eval()
    loaded = {k: v for k, v in model.generation_config.to_diff_dict().items() if k != "transformers_version"}
    results = {}
    for case in request["cases"]:
        inputs = {"input_ids": torch.tensor(case["input_ids"])}
        if "attention_mask" in case:
            inputs["attention_mask"] = torch.tensor(case["attention_mask"])
        if "decoder_input_ids" in case:
            inputs["decoder_input_ids"] = torch.tensor(case["decoder_input_ids"])
        with torch.no_grad():
            out = model.generate(
                **inputs,
                **case["kwargs"],
                **custom_lists(case.get("custom", {})),
                return_dict_in_generate=True,
                output_scores=True,
            )
        result = {"sequences": out.sequences.tolist()}
        if getattr(out, "sequences_scores", None) is not None:
            result["sequences_scores"] = out.sequences_scores.tolist()
        results[case["name"]] = result
    return {"generation_config": loaded, "results": results}


def main() -> None:
    request = json.loads(sys.stdin.read())
    checkpoints = [run_checkpoint(checkpoint) for checkpoint in request["checkpoints"]]
    print(json.dumps({"version": transformers.__version__, "checkpoints": checkpoints}))


if __name__ == "__main__":
    main()
