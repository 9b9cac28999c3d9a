"""Real transformers baseline for the encoder rows of benchmarks/engine.ts: `BertModel` (bert-base-uncased's
config, random weights, `sdpa` attention) forward under `torch.inference_mode()`, exactly as a Python user runs it.

Usage: python3 hf_encoder.py '{"seqs": [128], "batch": 8, "iterations": {"128": 3}, "threads": 2}'
Prints one JSON object: per sequence length, the timed forwards (after one untimed warm-up) and tokens/s.
"""
import json
import statistics
import sys
import time

import torch
import transformers
from transformers import BertConfig, BertModel

from baseline_env import transformers_run_info

transformers.logging.set_verbosity_error()


def main():
    s = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    batch = s.get("batch", 8)
    torch.set_num_threads(s.get("threads", 2))
    torch.manual_seed(0)
    config = BertConfig()  # bert-base-uncased
    config._attn_implementation = "sdpa"
    model = BertModel(config).eval()
    g = torch.Generator().manual_seed(1)
    runs = []
    with torch.inference_mode():
        for seq in s.get("seqs", [128, 512]):
            ids = torch.randint(1000, config.vocab_size, (batch, seq), generator=g)
            mask = torch.ones(batch, seq, dtype=torch.long)
            model(input_ids=ids, attention_mask=mask)  # warm-up
            times = []
            for _ in range(int(s.get("iterations", {}).get(str(seq), 2))):
                start = time.perf_counter()
                model(input_ids=ids, attention_mask=mask).last_hidden_state.sum().item()
                times.append(time.perf_counter() - start)
            median = statistics.median(times)
            runs.append({"seq": seq, "batch": batch, "seconds": times, "secondsMedian": median,
                         "tokensPerSecond": batch * seq / median})
    print(json.dumps({
        **transformers_run_info(model),
        "runs": runs,
    }))


if __name__ == "__main__":
    main()
