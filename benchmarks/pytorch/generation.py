"""PyTorch baseline for the beam-search row of benchmarks/engine.ts: beam search (4 beams) on a BERT2BERT-base-sized encoder-decoder
with random weights, decoding with its own key/value cache (self-attention keys/values appended per step,
cross-attention keys/values computed once from the encoder output and reordered with the beams).

Usage: python3 generation.py --source-length 512 --new-tokens 128 64 [--threads 2]
Prints one JSON object: per new-token count, the total wall time of a generate call (encoder included).
benchmarks/engine.ts runs it (through pytorch-baseline.ts) with OMP_WAIT_POLICY=PASSIVE and the MALLOC_* settings of research/engine-facts.md.
"""
import argparse
import json
import math
import os
import time

import torch
from torch import nn
import torch.nn.functional as F

from baseline_env import max_rss_bytes

# bert-base-uncased
HIDDEN, LAYERS, HEADS, FFN, VOCAB, POSITIONS = 768, 12, 12, 3072, 30522, 512
HEAD = HIDDEN // HEADS
START, EOS = 101, 102


def heads(x):  # [rows, t, hidden] -> [rows, heads, t, head]
    return x.view(x.shape[0], x.shape[1], HEADS, HEAD).transpose(1, 2)


def merge(x):  # [rows, heads, t, head] -> [rows, t, hidden]
    return x.transpose(1, 2).reshape(x.shape[0], x.shape[2], HIDDEN)


def attend(q, k, v, mask=None):
    scores = q @ k.transpose(-1, -2) / math.sqrt(HEAD)
    if mask is not None:
        scores = scores + mask
    return merge(torch.softmax(scores, dim=-1) @ v)


class Block(nn.Module):
    """Post-LayerNorm attention block (BERT): dense projections, output dense, residual, LayerNorm."""

    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(HIDDEN, HIDDEN) for _ in range(4))
        self.ln = nn.LayerNorm(HIDDEN, eps=1e-12)


class Layer(nn.Module):
    def __init__(self, cross):
        super().__init__()
        self.self_attn = Block()
        self.cross = Block() if cross else None
        self.inter, self.out = nn.Linear(HIDDEN, FFN), nn.Linear(FFN, HIDDEN)
        self.ln = nn.LayerNorm(HIDDEN, eps=1e-12)

    def ffn(self, x):
        return self.ln(x + self.out(F.gelu(self.inter(x))))


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word, self.pos, self.token_type = nn.Embedding(VOCAB, HIDDEN), nn.Embedding(POSITIONS, HIDDEN), nn.Embedding(2, HIDDEN)
        self.ln = nn.LayerNorm(HIDDEN, eps=1e-12)

    def forward(self, ids, offset):
        positions = torch.arange(offset, offset + ids.shape[1]).unsqueeze(0)
        return self.ln(self.word(ids) + self.pos(positions) + self.token_type(torch.zeros_like(ids)))


class Bert2Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc_emb, self.dec_emb = Embeddings(), Embeddings()
        self.enc = nn.ModuleList(Layer(False) for _ in range(LAYERS))
        self.dec = nn.ModuleList(Layer(True) for _ in range(LAYERS))
        self.head_dense, self.head_ln = nn.Linear(HIDDEN, HIDDEN), nn.LayerNorm(HIDDEN, eps=1e-12)
        self.head_bias = nn.Parameter(torch.zeros(VOCAB))
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, 0.0, 0.02)

    def encode(self, ids):
        x = self.enc_emb(ids, 0)
        for layer in self.enc:
            a = layer.self_attn
            x = a.ln(x + a.o(attend(heads(a.q(x)), heads(a.k(x)), heads(a.v(x)))))
            x = layer.ffn(x)
        return x

    def cross_cache(self, memory):
        return [(heads(l.cross.k(memory)), heads(l.cross.v(memory))) for l in self.dec]

    def step(self, token, t, self_cache, cross_cache):
        """One decoder position for every beam: token [rows, 1] at position t; caches are per layer."""
        x = self.dec_emb(token, t)
        new_cache = []
        for layer, (pk, pv), (ck, cv) in zip(self.dec, self_cache, cross_cache):
            a = layer.self_attn
            k = torch.cat([pk, heads(a.k(x))], dim=2)
            v = torch.cat([pv, heads(a.v(x))], dim=2)
            new_cache.append((k, v))
            x = a.ln(x + a.o(attend(heads(a.q(x)), k, v)))
            c = layer.cross
            x = c.ln(x + c.o(attend(heads(c.q(x)), ck, cv)))
            x = layer.ffn(x)
        h = self.head_ln(F.gelu(self.head_dense(x[:, -1])))
        return h @ self.dec_emb.word.weight.T + self.head_bias, new_cache


@torch.inference_mode()
def beam_generate(model, source, new_tokens, beams):
    memory = model.encode(source).expand(beams, -1, -1)
    cross = model.cross_cache(memory)
    empty = torch.zeros(beams, HEADS, 0, HEAD)
    cache = [(empty, empty) for _ in range(LAYERS)]
    scores = torch.full((beams,), -1e9)
    scores[0] = 0.0
    seqs = torch.full((beams, 1), START, dtype=torch.long)
    for t in range(new_tokens):
        logits, cache = model.step(seqs[:, -1:], t, cache, cross)
        logp = torch.log_softmax(logits, dim=-1)
        logp[:, EOS] = -math.inf  # min_length = max_length: every beam runs to the end, as in the tfjs run
        total = (logp + scores[:, None]).view(-1)
        top, idx = torch.topk(total, 2 * beams)
        top, idx = top[:beams], idx[:beams]
        src = idx // VOCAB
        cache = [(k.index_select(0, src), v.index_select(0, src)) for k, v in cache]
        seqs = torch.cat([seqs.index_select(0, src), (idx % VOCAB)[:, None]], dim=1)
        scores = top
    return seqs[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-length", type=int, default=512)
    parser.add_argument("--new-tokens", type=int, nargs="+", default=[128, 64])
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = Bert2Bert().eval()
    source = torch.randint(1000, VOCAB, (1, args.source_length))
    beam_generate(model, source, 2, args.beams)  # warm-up
    runs = {}
    for n in args.new_tokens:
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            out = beam_generate(model, source, n, args.beams)
            times.append(time.perf_counter() - start)
            assert out.shape[0] == n + 1
        runs[str(n)] = {"seconds": min(times), "ms_per_token": 1000 * min(times) / n}
    print(json.dumps({
        "torch": torch.__version__,
        "maxRssBytes": max_rss_bytes(),
        "threads": torch.get_num_threads(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "runs": runs,
    }))


if __name__ == "__main__":
    main()
