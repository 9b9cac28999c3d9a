"""Real transformers baseline for the train-step rows of benchmarks/engine.ts: a BERT2BERT `EncoderDecoderModel`
(`sdpa` attention) trained as a Python user's loop does it — forward with labels (transformers' own loss),
backward, `clip_grad_norm_` at 1.0, `torch.optim.AdamW` — the same work per step as @warmstart/training's Trainer.

The model is either random with the given shape, or warm-started from a BERT folder on both sides
(`from_encoder_decoder_pretrained(dir, dir)`, as the demo does from its bundled checkpoint).

Usage: python3 hf_training.py '{"hidden": 128, "layers": 2, "heads": 2, "ffn": 512, "vocab": 8000, "batch": 32,
  "source": 64, "target": 32, "steps": 5, "lr": 5e-5, "threads": 2}'   (or "checkpoint": DIR instead of the shape)
Prints one JSON object: the timed steps (after one untimed warm-up), their median and the losses.
"""
import json
import statistics
import sys
import time

import torch
import transformers
from transformers import BertConfig, EncoderDecoderConfig, EncoderDecoderModel

from baseline_env import transformers_run_info

transformers.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()


def build(s):
    if "checkpoint" in s:
        # float32 as on the project's side: transformers 5 would otherwise keep the checkpoint's float16 on the
        # CPU (dtype "auto"), where training is slow and overflows at the demo's learning rate.
        return EncoderDecoderModel.from_encoder_decoder_pretrained(
            s["checkpoint"], s["checkpoint"], encoder_dtype=torch.float32, decoder_dtype=torch.float32)
    shape = dict(vocab_size=s["vocab"], hidden_size=s["hidden"], num_hidden_layers=s["layers"],
                 num_attention_heads=s["heads"], intermediate_size=s["ffn"],
                 # Dropout off, as on the project's side of the row.
                 hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    config = EncoderDecoderConfig.from_encoder_decoder_configs(
        BertConfig(**shape), BertConfig(is_decoder=True, add_cross_attention=True, **shape))
    return EncoderDecoderModel(config=config)


def main():
    s = json.loads(sys.argv[1])
    torch.set_num_threads(s.get("threads", 2))
    torch.manual_seed(0)
    model = build(s)
    model.config.decoder_start_token_id, model.config.pad_token_id = 101, 0
    model.config._attn_implementation = "sdpa"
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=s.get("lr", 5e-5), weight_decay=0.0)
    vocab = model.config.decoder.vocab_size
    g = torch.Generator().manual_seed(1)
    source = torch.randint(1000, vocab, (s["batch"], s["source"]), generator=g)
    labels = torch.randint(1000, vocab, (s["batch"], s["target"]), generator=g)
    mask = torch.ones_like(source)

    def step():
        optimizer.zero_grad()
        # transformers shifts the labels right into decoder_input_ids (decoder_start_token_id first).
        loss = model(input_ids=source, attention_mask=mask, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss.item()

    losses = [step()]  # warm-up
    seconds = []
    for _ in range(s["steps"]):
        start = time.perf_counter()
        losses.append(step())
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    print(json.dumps({
        **transformers_run_info(model),
        "parameters": sum(p.numel() for p in model.parameters()),
        "seconds": seconds,
        "secondsPerStepMedian": median,
        "losses": losses,
    }))


if __name__ == "__main__":
    main()
