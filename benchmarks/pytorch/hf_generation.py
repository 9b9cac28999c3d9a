"""Real transformers baseline for the beam-search row of benchmarks/engine.ts: `EncoderDecoderModel.generate()` on a
BERT2BERT-base (bert-base-uncased's config, random weights, `sdpa` attention) exactly as a Python user runs it —
its own cache, beam search and logits processors — under `torch.inference_mode()`.

Usage: python3 hf_generation.py --source-length 512 --beams 4 --new-tokens 24 8 [--batch 1] [--decoder bert|gpt2]
       [--threads 2] [--repeats 2]
--decoder gpt2 is BERT2GPT2-base (GPT-2 124M with cross-attention; start, eos and pad 50256).
Prints one JSON object: per new-token count, the best wall time of a generate call (encoder included).
eos is banned (min_length above the new tokens), so every call generates exactly that many tokens, as on the tfjs side.
"""
import argparse
import json
import time

import torch
import transformers
from transformers import BertConfig, EncoderDecoderConfig, EncoderDecoderModel, GPT2Config

from baseline_env import transformers_run_info

# Decoder start, eos and pad per decoder (bert-base-uncased's [CLS] / [SEP] / [PAD], GPT-2's end of text).
SPECIAL = {"bert": (101, 102, 0), "gpt2": (50256, 50256, 50256)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-length", type=int, default=512)
    parser.add_argument("--new-tokens", type=int, nargs="+", default=[24, 8])
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--decoder", choices=sorted(SPECIAL), default="bert")
    args = parser.parse_args()
    decoder_start, eos, pad = SPECIAL[args.decoder]
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    bert = BertConfig()  # bert-base-uncased
    if args.decoder == "gpt2":
        decoder = GPT2Config(is_decoder=True, add_cross_attention=True)  # gpt2 (124M)
    else:
        decoder = BertConfig(is_decoder=True, add_cross_attention=True)
    config = EncoderDecoderConfig.from_encoder_decoder_configs(bert, decoder)
    config.decoder_start_token_id, config.eos_token_id, config.pad_token_id = decoder_start, eos, pad
    model = EncoderDecoderModel(config=config).eval()
    model.config._attn_implementation = "sdpa"
    source = torch.randint(1000, bert.vocab_size, (args.batch, args.source_length))
    mask = torch.ones_like(source)

    def generate(n):
        with torch.inference_mode():
            return model.generate(
                input_ids=source,
                attention_mask=mask,
                num_beams=args.beams,
                max_new_tokens=n,
                min_length=n + 2,
                **({"early_stopping": True} if args.beams > 1 else {}),
                decoder_start_token_id=decoder_start,
                eos_token_id=eos,
                pad_token_id=pad,
            )

    generate(2)  # warm-up
    runs = {}
    for n in args.new_tokens:
        times = []
        for _ in range(args.repeats):
            began = time.perf_counter()
            out = generate(n)
            times.append(time.perf_counter() - began)
            assert out.shape[1] == n + 1, out.shape
        runs[str(n)] = {"seconds": min(times)}
    print(json.dumps({
        **transformers_run_info(model),
        "batch": args.batch,
        "decoder": args.decoder,
        "runs": runs,
    }))


if __name__ == "__main__":
    main()
