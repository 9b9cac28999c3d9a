"""The Python side of roundtrip.interop.ts (stdin: one JSON request, last stdout line: the JSON answer).

    {"op": "run", "dir": ..., "inputs": {...}, "decoder_input_ids": [[...]], "labels": [[...]], "generate": [{...}]}
        loads a composed checkpoint with EncoderDecoderModel.from_pretrained and reports the loading info
        (missing / unexpected / mismatched keys, what was newly initialised), logits, loss and generate() ids.
    {"op": "finetune", "dir": ..., "out": ..., "pairs": [[source_ids, target_ids], ...], "steps": N}
        fine-tunes with Seq2SeqTrainer for N steps (the way a user moves a model to a GPU cluster) and saves to out.
    {"op": "many", "requests": [...]}
        answers several requests in one process (importing torch and transformers takes seconds).
"""

import json
import sys

import torch
import transformers
from transformers import EncoderDecoderModel

from loading import load_with_report


def run(request):
    model, report = load_with_report(request["dir"])
    inputs = request["inputs"]
    input_ids = torch.tensor(inputs["input_ids"])
    attention_mask = torch.tensor(inputs["attention_mask"])
    out = dict(
        **report,
    )
    with torch.inference_mode():
        logits = model(
            input_ids=input_ids, attention_mask=attention_mask, decoder_input_ids=torch.tensor(request["decoder_input_ids"])
        ).logits
        out["logits"] = logits.flatten().tolist()
        out["loss"] = float(model(input_ids=input_ids, attention_mask=attention_mask, labels=torch.tensor(request["labels"])).loss)
        out["generate"] = []
        for kwargs in request["generate"]:
            g = model.generate(input_ids=input_ids, attention_mask=attention_mask, return_dict_in_generate=True, **kwargs)
            scores = getattr(g, "sequences_scores", None)
            out["generate"].append(dict(sequences=g.sequences.tolist(), sequences_scores=None if scores is None else scores.tolist()))
    # Both halves of a tied (Share) checkpoint: equal to each other when the file says so.
    enc = model.encoder.state_dict()
    base = model.decoder.base_model_prefix
    dec = model.decoder.state_dict()
    out["halves_equal"] = all(torch.equal(v, dec[f"{base}.{k}"]) for k, v in enc.items() if f"{base}.{k}" in dec)
    return out


def finetune(request):
    from transformers import Seq2SeqTrainer, Seq2SeqTrainingArguments

    torch.manual_seed(0)
    model = EncoderDecoderModel.from_pretrained(request["dir"])
    pad = model.config.pad_token_id

    class Pairs(torch.utils.data.Dataset):
        def __len__(self):
            return len(request["pairs"])

        def __getitem__(self, i):
            source, target = request["pairs"][i]
            return dict(input_ids=source, labels=target)

    def collate(rows):
        width = max(len(r["input_ids"]) for r in rows)
        label_width = max(len(r["labels"]) for r in rows)
        return dict(
            input_ids=torch.tensor([r["input_ids"] + [pad] * (width - len(r["input_ids"])) for r in rows]),
            attention_mask=torch.tensor([[1] * len(r["input_ids"]) + [0] * (width - len(r["input_ids"])) for r in rows]),
            labels=torch.tensor([r["labels"] + [-100] * (label_width - len(r["labels"])) for r in rows]),
        )

    args = Seq2SeqTrainingArguments(
        output_dir=request["out"] + ".trainer", max_steps=request["steps"], per_device_train_batch_size=4,
        learning_rate=1e-3, report_to=[], save_strategy="no", logging_steps=1, use_cpu=True, seed=0,
    )
    trainer = Seq2SeqTrainer(model=model, args=args, train_dataset=Pairs(), data_collator=collate)
    result = trainer.train()
    trainer.save_model(request["out"])
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    return dict(losses=losses, train_loss=result.training_loss)


def answer(request):
    if request["op"] == "many":
        return dict(answers=[answer(r) for r in request["requests"]], transformers=transformers.__version__)
    out = run(request) if request["op"] == "run" else finetune(request)
    out["transformers"] = transformers.__version__
    return out


def main():
    print(json.dumps(answer(json.load(sys.stdin))))


if __name__ == "__main__":
    main()
