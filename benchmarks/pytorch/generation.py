"""Hand-written PyTorch baseline for the generation rows of benchmarks/engine.ts: beam search (greedy with --beams 1)
on a BERT2BERT-base-sized encoder-decoder (or BERT2GPT2-base with --decoder gpt2) with random weights, decoding
with its own key/value cache (self-attention keys/values appended per step, cross-attention keys/values computed
once from the encoder output and reordered with the beams). A batch of inputs decodes as batch x beams rows.

Usage: python3 generation.py --source-length 512 --new-tokens 128 64 [--beams 4] [--batch 1] [--decoder bert|gpt2]
       [--threads 2] [--repeats 1]
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
# gpt2 (124M): the same width, depth and heads; its own vocabulary, positions and end-of-text token (start and eos)
GPT2_VOCAB, GPT2_POSITIONS, GPT2_EOS = 50257, 1024, 50256


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


def init_normal(model):
    for p in model.parameters():
        if p.dim() > 1:
            nn.init.normal_(p, 0.0, 0.02)


class Bert2Bert(nn.Module):
    vocab, start, eos = VOCAB, START, EOS

    def __init__(self):
        super().__init__()
        self.enc_emb, self.dec_emb = Embeddings(), Embeddings()
        self.enc = nn.ModuleList(Layer(False) for _ in range(LAYERS))
        self.dec = nn.ModuleList(Layer(True) for _ in range(LAYERS))
        self.head_dense, self.head_ln = nn.Linear(HIDDEN, HIDDEN), nn.LayerNorm(HIDDEN, eps=1e-12)
        self.head_bias = nn.Parameter(torch.zeros(VOCAB))
        init_normal(self)

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


class Gpt2Block(nn.Module):
    """Pre-LayerNorm GPT-2 block with cross-attention (add_cross_attention=True): fused q/k/v, then attention over
    the encoder's output, then the gelu_new MLP, each with its residual."""

    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_cross, self.ln_2 = (nn.LayerNorm(HIDDEN, eps=1e-5) for _ in range(3))
        self.c_attn, self.c_proj = nn.Linear(HIDDEN, 3 * HIDDEN), nn.Linear(HIDDEN, HIDDEN)
        self.q_cross, self.kv_cross, self.proj_cross = nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, 2 * HIDDEN), nn.Linear(HIDDEN, HIDDEN)
        self.fc, self.mlp_proj = nn.Linear(HIDDEN, FFN), nn.Linear(FFN, HIDDEN)


class Bert2Gpt2(nn.Module):
    vocab, start, eos = GPT2_VOCAB, GPT2_EOS, GPT2_EOS

    def __init__(self):
        super().__init__()
        self.enc_emb = Embeddings()
        self.enc = nn.ModuleList(Layer(False) for _ in range(LAYERS))
        self.wte, self.wpe = nn.Embedding(GPT2_VOCAB, HIDDEN), nn.Embedding(GPT2_POSITIONS, HIDDEN)
        self.dec = nn.ModuleList(Gpt2Block() for _ in range(LAYERS))
        self.ln_f = nn.LayerNorm(HIDDEN, eps=1e-5)
        init_normal(self)

    encode = Bert2Bert.encode

    def cross_cache(self, memory):
        return [tuple(heads(t) for t in b.kv_cross(memory).split(HIDDEN, dim=-1)) for b in self.dec]

    def step(self, token, t, self_cache, cross_cache):
        x = self.wte(token) + self.wpe(torch.tensor([[t]]))
        new_cache = []
        for b, (pk, pv), (ck, cv) in zip(self.dec, self_cache, cross_cache):
            q, k, v = b.c_attn(b.ln_1(x)).split(HIDDEN, dim=-1)
            k = torch.cat([pk, heads(k)], dim=2)
            v = torch.cat([pv, heads(v)], dim=2)
            new_cache.append((k, v))
            x = x + b.c_proj(attend(heads(q), k, v))
            x = x + b.proj_cross(attend(heads(b.q_cross(b.ln_cross(x))), ck, cv))
            x = x + b.mlp_proj(F.gelu(b.fc(b.ln_2(x)), approximate="tanh"))
        return self.ln_f(x[:, -1]) @ self.wte.weight.T, new_cache


@torch.inference_mode()
def beam_generate(model, source, new_tokens, beams):
    """Beam search over `beams` beams per input row of `source` ([batch, length]); beams=1 is greedy decoding."""
    batch, vocab = source.shape[0], model.vocab
    rows = batch * beams
    memory = model.encode(source).repeat_interleave(beams, dim=0)
    cross = model.cross_cache(memory)
    empty = torch.zeros(rows, HEADS, 0, HEAD)
    cache = [(empty, empty) for _ in range(LAYERS)]
    scores = torch.full((batch, beams), -1e9)
    scores[:, 0] = 0.0
    seqs = torch.full((rows, 1), model.start, dtype=torch.long)
    first_row = (torch.arange(batch) * beams)[:, None]
    for t in range(new_tokens):
        logits, cache = model.step(seqs[:, -1:], t, cache, cross)
        logp = torch.log_softmax(logits, dim=-1)
        logp[:, model.eos] = -math.inf  # min_length = max_length: every beam runs to the end, as in the tfjs run
        total = (logp.view(batch, beams, vocab) + scores[:, :, None]).view(batch, beams * vocab)
        top, idx = torch.topk(total, 2 * beams, dim=-1)
        top, idx = top[:, :beams], idx[:, :beams]
        src = (first_row + idx // vocab).view(-1)
        cache = [(k.index_select(0, src), v.index_select(0, src)) for k, v in cache]
        seqs = torch.cat([seqs.index_select(0, src), (idx % vocab).view(-1, 1)], dim=1)
        scores = top
    return seqs.view(batch, beams, -1)[:, 0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-length", type=int, default=512)
    parser.add_argument("--new-tokens", type=int, nargs="+", default=[128, 64])
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--decoder", choices=["bert", "gpt2"], default="bert")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = (Bert2Gpt2 if args.decoder == "gpt2" else Bert2Bert)().eval()
    source = torch.randint(1000, VOCAB, (args.batch, args.source_length))
    beam_generate(model, source, 2, args.beams)  # warm-up
    runs = {}
    for n in args.new_tokens:
        times = []
        for _ in range(args.repeats):
            began = time.perf_counter()
            out = beam_generate(model, source, n, args.beams)
            times.append(time.perf_counter() - began)
            assert out.shape == (args.batch, n + 1), out.shape
        runs[str(n)] = {"seconds": min(times), "ms_per_token": 1000 * min(times) / n}
    print(json.dumps({
        "torch": torch.__version__,
        "maxRssBytes": max_rss_bytes(),
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "decoder": args.decoder,
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "runs": runs,
    }))


if __name__ == "__main__":
    main()
