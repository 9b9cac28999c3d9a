"""EncoderDecoderModel.forward and Seq2SeqTrainingArguments defaults, as real transformers computes them.

stdin: {"forward": [{"model": DIR, "inputs": {input_ids, attention_mask?, token_type_ids?, labels?,
                     decoder_input_ids?, decoder_attention_mask?}}, ...],
        "decay": [DIR, ...],          # parameter names and the ones Trainer decays
        "training_args": true}        # the defaults the project's trainer mirrors
stdout (last line): {"version", "forward": [{"logits", "loss"}], "decay": [{"all", "decay"}], "training_args": {...}}
Checkpoints are loaded with transformers' default attention implementation; dropout is off (eval mode).
"""
import json
import sys
import tempfile
import warnings

import torch
import transformers
from transformers import EncoderDecoderModel, Seq2SeqTrainingArguments, Trainer
from transformers.trainer_pt_utils import get_parameter_names

warnings.filterwarnings("ignore")

TENSOR_INPUTS = ["input_ids", "attention_mask", "token_type_ids", "labels", "decoder_input_ids", "decoder_attention_mask"]

TRAINING_FIELDS = [
    "learning_rate", "weight_decay", "adam_beta1", "adam_beta2", "adam_epsilon", "max_grad_norm",
    "num_train_epochs", "max_steps", "lr_scheduler_type", "warmup_steps", "logging_steps", "save_steps",
    "save_strategy", "save_total_limit", "seed", "gradient_accumulation_steps", "label_smoothing_factor",
    "eval_strategy", "predict_with_generate", "metric_for_best_model", "greater_is_better",
    "group_by_length", "train_sampling_strategy",
]

models = {}


def load(path):
    if path not in models:
        model = EncoderDecoderModel.from_pretrained(path)
        model.eval()
        models[path] = model
    return models[path]


def run_forward(case):
    model = load(case["model"])
    kwargs = {k: torch.tensor(v, dtype=torch.long) for k, v in case["inputs"].items() if k in TENSOR_INPUTS}
    with torch.no_grad():
        out = model(**kwargs)
    return {"logits": out.logits.tolist(), "loss": None if out.loss is None else out.loss.item()}


def run_decay(path):
    model = load(path)
    # get_decay_parameter_names reads nothing of the trainer: called unbound on the model alone.
    decay = Trainer.get_decay_parameter_names(None, model)
    return {"all": get_parameter_names(model, []), "decay": list(decay)}


def training_args():
    with tempfile.TemporaryDirectory() as out:
        args = Seq2SeqTrainingArguments(output_dir=out)
    result = {}
    for field in TRAINING_FIELDS:
        if hasattr(args, field):
            value = getattr(args, field)
            result[field] = value if isinstance(value, (bool, int, float, str, type(None))) else str(value)
    return result


request = json.load(sys.stdin)
answer = {"version": transformers.__version__}
if "forward" in request:
    answer["forward"] = [run_forward(case) for case in request["forward"]]
if "decay" in request:
    answer["decay"] = [run_decay(path) for path in request["decay"]]
if request.get("training_args"):
    answer["training_args"] = training_args()
print(json.dumps(answer))
