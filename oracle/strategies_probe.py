"""Search strategies with real transformers on checkpoints the project saved (strategies-hf.interop.ts).

Diverse (group) and constrained beam search left transformers' core after 4.56 (4.57 and 5.x load them from Hub
repos, which the offline oracle cannot reach), so `--transformers-4.56` runs on the v4 line's dependencies with
transformers 4.56.2, the last release with them in the core (oracle/requirements-v4.56.txt, installed by
oracle/setup.sh).

stdin: {"checkpoints": [{"dir", "cases": [{"name", "input_ids", "attention_mask"?, "kwargs": {...},
        "constraints"?: [{"phrasal": [ids]} | {"disjunctive": [[ids], ...]}], "with_scores"?: bool,
        "expect_beam_indices_error"?: bool}]}]}
  `constraints` become transformers' PhrasalConstraint / DisjunctiveConstraint objects (its `constraints=`);
  `force_words_ids` goes in kwargs as it is; "custom" (user logits_processor= / stopping_criteria=) as in
  generation_probe.py.
stdout (last line): {"version", "checkpoints": [{"results": {name: {"sequences", "sequences_scores"?,
        "beam_indices"?, "scores"? (with_scores: every step's [rows][vocab]), "beam_indices_error"?}}}]}
"""
import json
import os
import sys
import warnings

def use_legacy_transformers() -> None:
    """Puts lines/v4.56 (oracle/requirements-v4.56.txt, installed by oracle/setup.sh) before the v4 line."""
    lines = next(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p.endswith(os.path.join("lines", "v4")))
    target = os.path.join(os.path.dirname(lines), "v4.56")
    if not os.path.isdir(os.path.join(target, "transformers")):
        sys.exit(f"{target} is missing: run oracle/setup.sh (it installs requirements-v4.56.txt)")
    sys.path.insert(0, target)


if "--transformers-4.56" in sys.argv:
    use_legacy_transformers()

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import EncoderDecoderModel  # noqa: E402

from generation_probe import custom_lists  # noqa: E402

transformers.logging.set_verbosity_error()
warnings.simplefilter("ignore")


def build_constraints(specs: list) -> list:
    """The case's constraint specs as transformers' constraint objects."""
    from transformers import DisjunctiveConstraint, PhrasalConstraint

    def build(spec: dict):
        if "phrasal" in spec:
            return PhrasalConstraint(spec["phrasal"])
        return DisjunctiveConstraint(spec["disjunctive"])

    return [build(spec) for spec in specs]


def run_checkpoint(request: dict) -> dict:
    model = EncoderDecoderModel.from_pretrained(request["dir"])
    model.eval()
    results = {}
    for case in request["cases"]:
        inputs = {"input_ids": torch.tensor(case["input_ids"])}
        if "attention_mask" in case:
            inputs["attention_mask"] = torch.tensor(case["attention_mask"])
        kwargs = dict(case["kwargs"])
        # JSON has no float type: 1.0 arrives as 1, which transformers' diversity check rejects.
        for key in ("diversity_penalty", "length_penalty", "repetition_penalty"):
            if key in kwargs:
                kwargs[key] = float(kwargs[key])
        if "constraints" in case:
            kwargs["constraints"] = build_constraints(case["constraints"])
        kwargs.update(custom_lists(case.get("custom", {})))
        result = {}
        with torch.no_grad():
            try:
                out = model.generate(**inputs, **kwargs, return_dict_in_generate=True, output_scores=True)
            except RuntimeError as error:
                # 4.56's constrained search fails to return beam indices when a returned hypothesis other than the
                # first has none (one added without them when too few beams fulfil the constraints); without
                # output_scores it returns the sequences, the only thing left to compare.
                if not case.get("expect_beam_indices_error"):
                    raise
                result["beam_indices_error"] = str(error)
                out = model.generate(**inputs, **kwargs, return_dict_in_generate=True, output_scores=False)
        result["sequences"] = out.sequences.tolist()
        if getattr(out, "sequences_scores", None) is not None:
            result["sequences_scores"] = out.sequences_scores.tolist()
        if getattr(out, "beam_indices", None) is not None:
            result["beam_indices"] = out.beam_indices.tolist()
        if case.get("with_scores"):
            result["scores"] = [step.tolist() for step in out.scores]
        results[case["name"]] = result
    return {"results": results}


def main() -> None:
    request = json.loads(sys.stdin.read())
    checkpoints = [run_checkpoint(checkpoint) for checkpoint in request["checkpoints"]]
    print(json.dumps({"version": transformers.__version__, "checkpoints": checkpoints}))


if __name__ == "__main__":
    main()
