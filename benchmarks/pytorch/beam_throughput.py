"""Real transformers side of benchmarks/beam-throughput.ts: EncoderDecoderModel.generate() with beam search on the
BERT2BERT-base folder the TypeScript side saved (same random weights, same inputs, same settings), under
torch.inference_mode with sdpa attention and transformers' own key/value cache: what a Python user runs.

Usage: python beam_throughput.py REQUEST.json   (REQUEST: {"dir", "batches": {"1": [[ids...]], ...}, "settings",
       "threads", "repeats"})
Prints one JSON object: per batch size the best wall time of a generate() call and its first sequence.
"""
import json
import sys
import time

import torch
import transformers
from transformers import EncoderDecoderModel

transformers.logging.set_verbosity_error()


def main() -> None:
    request = json.loads(open(sys.argv[1]).read())
    torch.set_num_threads(request["threads"])
    model = EncoderDecoderModel.from_pretrained(request["dir"], attn_implementation="sdpa").eval()
    settings = request["settings"]
    kwargs = dict(
        num_beams=settings["numBeams"],
        max_new_tokens=settings["maxNewTokens"],
        min_length=settings["minLength"],
        early_stopping=settings["earlyStopping"],
        decoder_start_token_id=settings["decoderStartTokenId"],
        eos_token_id=settings["eosTokenId"],
        pad_token_id=settings["padTokenId"],
    )
    runs = {}
    with torch.inference_mode():
        # Warm-up: one short call (allocator, sdpa dispatch) before anything is timed.
        warm = torch.tensor(request["batches"]["1"])
        model.generate(input_ids=warm, attention_mask=torch.ones_like(warm), **{**kwargs, "max_new_tokens": 2, "min_length": 0})
        for batch, ids in request["batches"].items():
            input_ids = torch.tensor(ids)
            times = []
            for _ in range(request["repeats"][batch]):
                start = time.perf_counter()
                out = model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), **kwargs)
                times.append(time.perf_counter() - start)
            runs[batch] = {"seconds": min(times), "all_seconds": times, "first_sequence": out[0].tolist()}
    print(json.dumps({
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "threads": torch.get_num_threads(),
        "attn_implementation": model.config.encoder._attn_implementation,
        "runs": runs,
    }))


if __name__ == "__main__":
    main()
