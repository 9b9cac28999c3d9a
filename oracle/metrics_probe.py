"""The reference metrics for packages/evaluation/src/metrics-live.interop.ts.

Reads one JSON object on stdin and prints one JSON object (the last stdout line):

  {"rouge": [case...], "bleu": [case...]}

rouge case: {"name", "predictions", "references" (str or list of str per example), "rouge_types",
  "use_stemmer", "bootstrap": null | {"n_samples", "confidence_interval", "seed"}}
  -> {"name", "per_example": [{type: [p, r, f]}], "aggregate": {type: {low|mid|high: [p, r, f]}},
      "aggregate_numpy": the same with numpy's own generator (np.random.seed(seed))}
  The per-example scores are rouge_score's RougeScorer.score / score_multi, as Hugging Face's `rouge` calls
  them. "aggregate" is rouge_score's BootstrapAggregator with np.random.choice replaced by the resampling
  indices the TypeScript package draws (xoshiro128** seeded through splitmix32, rejection-sampled), written
  here again in Python from its documentation: so the means and percentiles are rouge_score's own code.

bleu case: {"name", "hypotheses", "references" (list of reference lists per example, variable length),
  "kwargs" (sacrebleu.corpus_bleu / sentence_bleu keyword arguments), "sentence": bool}
  -> corpus: {"name", "score", "counts", "totals", "precisions", "bp", "sys_len", "ref_len", "signature"}
     sentence: {"name", "sentences": [the same per hypothesis]} or {"name", "error": str}
"""

import json
import logging
import sys

import numpy as np
import sacrebleu
from rouge_score import rouge_scorer, scoring

M32 = 0xFFFFFFFF


def _imul(a, b):
    return (a * b) & M32


class Xoshiro128:
    """packages/evaluation/src/bootstrap.ts's generator, re-implemented from its description."""

    def __init__(self, seed):
        state = seed & M32
        words = []
        for _ in range(4):
            state = (state + 0x9E3779B9) & M32
            z = state
            z = _imul(z ^ (z >> 16), 0x85EBCA6B)
            z = _imul(z ^ (z >> 13), 0xC2B2AE35)
            words.append((z ^ (z >> 16)) & M32)
        self.s = words
        if not any(words):
            self.s[0] = 1

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (32 - k))) & M32

    def next_uint32(self):
        s0, s1, s2, s3 = self.s
        result = _imul(self._rotl(_imul(s1, 5), 7), 9)
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self._rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def below(self, n, count):
        limit = (0x100000000 // n) * n
        out = np.empty(count, dtype=np.int64)
        for i in range(count):
            x = self.next_uint32()
            while x >= limit:
                x = self.next_uint32()
            out[i] = x % n
        return out


def _triple(score):
    return [float(score.precision), float(score.recall), float(score.fmeasure)]


def _aggregate(per_example, types, boot, draw):
    aggregator = scoring.BootstrapAggregator(
        confidence_interval=boot["confidence_interval"], n_samples=boot["n_samples"]
    )
    for scores in per_example:
        aggregator.add_scores(scores)
    original = np.random.choice
    if draw is not None:
        np.random.choice = lambda a, size: np.asarray(a)[draw(len(a), size)]
    try:
        result = aggregator.aggregate()
    finally:
        np.random.choice = original
    return {
        t: {"low": _triple(result[t].low), "mid": _triple(result[t].mid), "high": _triple(result[t].high)}
        for t in types
    }


def rouge_case(case):
    types = case["rouge_types"]
    scorer = rouge_scorer.RougeScorer(types, use_stemmer=case["use_stemmer"])
    per_example = []
    for prediction, reference in zip(case["predictions"], case["references"]):
        if isinstance(reference, list):
            per_example.append(scorer.score_multi(reference, prediction))
        else:
            per_example.append(scorer.score(reference, prediction))
    out = {
        "name": case["name"],
        "per_example": [{t: _triple(s[t]) for t in types} for s in per_example],
    }
    boot = case.get("bootstrap")
    if boot:
        rng = Xoshiro128(boot["seed"])
        out["aggregate"] = _aggregate(per_example, types, boot, rng.below)
        np.random.seed(boot["seed"])
        out["aggregate_numpy"] = _aggregate(per_example, types, boot, None)
    return out


def _bleu_fields(result):
    return {
        "score": float(result.score),
        "counts": [float(c) for c in result.counts],
        "totals": [float(t) for t in result.totals],
        "precisions": [float(p) for p in result.precisions],
        "bp": float(result.bp),
        "sys_len": int(result.sys_len),
        "ref_len": int(result.ref_len),
    }


def bleu_case(case):
    kwargs = dict(case.get("kwargs") or {})
    refs = case["references"]
    try:
        if case.get("sentence"):
            kwargs.setdefault("use_effective_order", True)
            sentences = []
            for hyp, hyp_refs in zip(case["hypotheses"], refs):
                sentences.append(_bleu_fields(sacrebleu.sentence_bleu(hyp, hyp_refs, **kwargs)))
            return {"name": case["name"], "sentences": sentences}
        # sacreBLEU takes reference streams; a missing reference of an example is None.
        width = max(len(r) for r in refs)
        streams = [[r[k] if k < len(r) else None for r in refs] for k in range(width)]
        effective = kwargs.pop("use_effective_order", False)
        metric = sacrebleu.BLEU(effective_order=effective, **kwargs)
        result = metric.corpus_score(case["hypotheses"], streams)
        out = {"name": case["name"], **_bleu_fields(result)}
        signature = metric.get_signature().format()
        out["signature"] = "|".join(f for f in signature.split("|") if not f.startswith("version:"))
        return out
    except Exception as error:  # noqa: BLE001 - the test compares "raises" too
        return {"name": case["name"], "error": f"{type(error).__name__}: {error}"}


def main():
    # sacreBLEU warns about tokenized-looking input and sentence BLEU without effective order; not needed here.
    logging.getLogger("sacrebleu").setLevel(logging.ERROR)
    request = json.load(sys.stdin)
    response = {
        "versions": {"sacrebleu": sacrebleu.__version__, "numpy": np.__version__},
        "rouge": [rouge_case(c) for c in request.get("rouge", [])],
        "bleu": [bleu_case(c) for c in request.get("bleu", [])],
    }
    sys.stdout.write("\n" + json.dumps(response) + "\n")


if __name__ == "__main__":
    main()
