"""PyTorch baseline for the train-step rows of benchmarks/engine.ts: training steps of a BERT2BERT (HF
EncoderDecoderModel semantics: post-LayerNorm BERT encoder; BERT decoder with causal self-attention and
cross-attention; MLM-style head tied to the decoder word embeddings; labels shifted right into decoder inputs)
with torch.optim.AdamW and clipping at 1.0 — the same work per step as @warmstart/training's Trainer.

Usage: python3 training_throughput.py '{"hidden": 128, "layers": 2, "heads": 2, "ffn": 512, "vocab": 8000,
  "batch": 32, "source": 64, "target": 32, "steps": 10, "threads": 2}'
Prints one JSON object. Installs nothing (Debian: python3-torch with libopenblas0-pthread).
"""
import json
import math
import statistics
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

from baseline_env import max_rss_bytes


def main():
    s = json.loads(sys.argv[1])
    torch.set_num_threads(s["threads"])
    torch.manual_seed(0)
    hidden, heads, ffn, vocab = s["hidden"], s["heads"], s["ffn"], s["vocab"]
    head = hidden // heads

    def split(x):  # [B, T, H] -> [B, heads, T, head]
        return x.view(x.shape[0], x.shape[1], heads, head).transpose(1, 2)

    def merge(x):  # [B, heads, T, head] -> [B, T, H]
        return x.transpose(1, 2).reshape(x.shape[0], x.shape[2], hidden)

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.q, self.k, self.v, self.o = (nn.Linear(hidden, hidden) for _ in range(4))
            self.ln = nn.LayerNorm(hidden, eps=1e-12)

        def forward(self, x, memory, mask):
            scores = split(self.q(x)) @ split(self.k(memory)).transpose(-1, -2) / math.sqrt(head)
            if mask is not None:
                scores = scores + mask
            return self.ln(x + self.o(merge(torch.softmax(scores, dim=-1) @ split(self.v(memory)))))

    class Layer(nn.Module):
        def __init__(self, cross):
            super().__init__()
            self.self_attn = Attention()
            self.cross = Attention() if cross else None
            self.inter, self.out = nn.Linear(hidden, ffn), nn.Linear(ffn, hidden)
            self.ln = nn.LayerNorm(hidden, eps=1e-12)

        def forward(self, x, mask, memory=None):
            x = self.self_attn(x, x, mask)
            if self.cross is not None:
                x = self.cross(x, memory, None)
            return self.ln(x + self.out(F.gelu(self.inter(x))))

    class Embeddings(nn.Module):
        def __init__(self):
            super().__init__()
            self.word, self.pos, self.token_type = nn.Embedding(vocab, hidden), nn.Embedding(512, hidden), nn.Embedding(2, hidden)
            self.ln = nn.LayerNorm(hidden, eps=1e-12)

        def forward(self, ids):
            positions = torch.arange(ids.shape[1]).unsqueeze(0)
            return self.ln(self.word(ids) + self.pos(positions) + self.token_type(torch.zeros_like(ids)))

    class Bert2Bert(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc_emb, self.dec_emb = Embeddings(), Embeddings()
            self.enc = nn.ModuleList(Layer(False) for _ in range(s["layers"]))
            self.dec = nn.ModuleList(Layer(True) for _ in range(s["layers"]))
            self.head_dense, self.head_ln = nn.Linear(hidden, hidden), nn.LayerNorm(hidden, eps=1e-12)
            self.head_bias = nn.Parameter(torch.zeros(vocab))

        def forward(self, source, decoder_inputs, labels):
            x = self.enc_emb(source)
            for layer in self.enc:
                x = layer(x, None)
            t = decoder_inputs.shape[1]
            causal = torch.full((t, t), float("-inf")).triu(1)
            y = self.dec_emb(decoder_inputs)
            for layer in self.dec:
                y = layer(y, causal, x)
            h = self.head_ln(F.gelu(self.head_dense(y)))
            logits = h @ self.dec_emb.word.weight.T + self.head_bias
            return F.cross_entropy(logits.reshape(-1, vocab), labels.reshape(-1))

    model = Bert2Bert()
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01)
    g = torch.Generator().manual_seed(1)
    source = torch.randint(1000, vocab, (s["batch"], s["source"]), generator=g)
    labels = torch.randint(1000, vocab, (s["batch"], s["target"]), generator=g)
    decoder_inputs = torch.cat([torch.full((s["batch"], 1), 101), labels[:, :-1]], dim=1)

    def step():
        optimizer.zero_grad()
        loss = model(source, decoder_inputs, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss.item()

    step()  # warm-up
    seconds = []
    for _ in range(s["steps"]):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    print(json.dumps({
        "torch": torch.__version__,
        "maxRssBytes": max_rss_bytes(),
        "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in model.parameters()),
        "seconds": seconds,
        "secondsPerStepMedian": median,
        "targetTokensPerSecond": s["batch"] * s["target"] / median,
    }))


if __name__ == "__main__":
    main()
