"""PyTorch baseline for the encoder rows of benchmarks/engine.ts: a BERT-base encoder forward (post-LayerNorm, erf gelu,
random weights) with the same shapes and arithmetic as @warmstart/encoders' BertModel, timed in the same way.

Usage: python3 encoder_forward.py '{"seqs": [128, 512], "batch": 8, "iterations": {"128": 2, "512": 1}, "threads": 2}'
Prints one JSON object. Installs nothing: run it with an interpreter that has torch (Debian: python3-torch with
libopenblas0-pthread, otherwise matrix products fall back to the reference BLAS).
"""
import json
import math
import statistics
import sys
import time

import torch

from baseline_env import max_rss_bytes, recorded_env
import torch.nn.functional as F

HIDDEN, LAYERS, HEADS, INTERMEDIATE, VOCAB, POSITIONS, TYPES, EPS = 768, 12, 12, 3072, 30522, 512, 2, 1e-12


def linear(rows, cols, g):
    return torch.randn(rows, cols, generator=g) * 0.02, torch.zeros(rows)


def build(seed):
    g = torch.Generator().manual_seed(seed)
    layers = []
    for _ in range(LAYERS):
        layers.append({
            "q": linear(HIDDEN, HIDDEN, g), "k": linear(HIDDEN, HIDDEN, g), "v": linear(HIDDEN, HIDDEN, g),
            "o": linear(HIDDEN, HIDDEN, g), "ln1": (torch.ones(HIDDEN), torch.zeros(HIDDEN)),
            "i": linear(INTERMEDIATE, HIDDEN, g), "out": linear(HIDDEN, INTERMEDIATE, g),
            "ln2": (torch.ones(HIDDEN), torch.zeros(HIDDEN)),
        })
    return {
        "word": torch.randn(VOCAB, HIDDEN, generator=g) * 0.02,
        "pos": torch.randn(POSITIONS, HIDDEN, generator=g) * 0.02,
        "type": torch.randn(TYPES, HIDDEN, generator=g) * 0.02,
        "ln": (torch.ones(HIDDEN), torch.zeros(HIDDEN)),
        "layers": layers,
    }


def forward(w, ids, mask):
    b, t = ids.shape
    x = w["word"][ids] + w["pos"][torch.arange(t)][None] + w["type"][torch.zeros_like(ids)]
    x = F.layer_norm(x, (HIDDEN,), *w["ln"], EPS)
    additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    d = HIDDEN // HEADS
    for layer in w["layers"]:
        split = lambda y: y.view(b, t, HEADS, d).transpose(1, 2)
        q, k, v = (split(F.linear(x, *layer[n])) for n in ("q", "k", "v"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + additive
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, HIDDEN)
        x = F.layer_norm(F.linear(ctx, *layer["o"]) + x, (HIDDEN,), *layer["ln1"], EPS)
        h = F.gelu(F.linear(x, *layer["i"]))
        x = F.layer_norm(F.linear(h, *layer["out"]) + x, (HIDDEN,), *layer["ln2"], EPS)
    return x


def loaded_blas():
    """The BLAS shared objects actually mapped (Debian's torch calls whatever libblas.so.3 points at)."""
    with open("/proc/self/maps") as maps:
        return sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})


def main():
    settings = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    seqs = settings.get("seqs", [128, 512])
    batch = settings.get("batch", 8)
    iterations = settings.get("iterations", {})
    torch.set_num_threads(settings.get("threads", 2))
    weights = build(0)
    g = torch.Generator().manual_seed(1)
    runs = []
    with torch.inference_mode():
        for seq in seqs:
            ids = torch.randint(1000, VOCAB, (batch, seq), generator=g)
            mask = torch.ones(batch, seq, dtype=torch.long)
            forward(weights, ids, mask)  # warm-up
            times = []
            for _ in range(int(iterations.get(str(seq), 2))):
                start = time.perf_counter()
                forward(weights, ids, mask)
                times.append(time.perf_counter() - start)
            median = statistics.median(times)
            runs.append({"seq": seq, "batch": batch, "iterations": len(times), "seconds": times,
                         "secondsMedian": median, "tokensPerSecond": batch * seq / median})
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blasLibraries": loaded_blas(),
        "env": recorded_env(),
        "maxRssBytes": max_rss_bytes(),
        "runs": runs,
    }))


if __name__ == "__main__":
    main()
