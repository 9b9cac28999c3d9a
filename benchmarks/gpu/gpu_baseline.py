"""PyTorch CUDA baseline for benchmarks/gpu/check.ts, same configs, same run: BERT-base encoder forward (b8, s128
and s512, tokens/s) and BERT2BERT-base beam search (4 beams, 512-token input, ms per new token), reusing the CPU
baselines' models (benchmarks/pytorch/encoder_forward.py and generation.py) on the GPU in float32.

Usage: python3 gpu_baseline.py <folder holding encoder_forward.py and generation.py> <result.json>
Without CUDA it runs on the CPU (a dry run of this script, not a baseline).
"""
import json
import sys
import time

import torch

sys.path.insert(0, sys.argv[1])
import encoder_forward  # noqa: E402
import generation  # noqa: E402

BATCH, SEQS, TIMED, NEW_TOKENS = 8, (128, 512), 3, (4, 32)
DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


def synchronize():
    if DEVICE == "cuda":
        torch.cuda.synchronize()


def to_device(tree):
    if isinstance(tree, torch.Tensor):
        return tree.to(DEVICE)
    if isinstance(tree, dict):
        return {k: to_device(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(to_device(v) for v in tree)
    return tree


def timed(fn):
    synchronize()
    start = time.perf_counter()
    fn()
    synchronize()
    return time.perf_counter() - start


@torch.inference_mode()
def encoder():
    weights = to_device(encoder_forward.build(0))
    runs = {}
    for seq in SEQS:
        ids = torch.randint(1000, encoder_forward.VOCAB, (BATCH, seq)).to(DEVICE)
        mask = torch.ones(BATCH, seq, device=DEVICE)
        first = timed(lambda: encoder_forward.forward(weights, ids, mask))
        seconds = sorted(timed(lambda: encoder_forward.forward(weights, ids, mask)) for _ in range(TIMED))
        runs[str(seq)] = {"batch": BATCH, "firstSeconds": first, "seconds": seconds,
                          "tokensPerSecond": BATCH * seq / seconds[len(seconds) // 2]}
    return {"runs": runs}


def beam_search():
    # generation.py makes its tensors without naming a device.
    if DEVICE == "cuda":
        torch.set_default_device("cuda")
    torch.manual_seed(0)
    model = generation.Bert2Bert().eval()
    source = torch.randint(1000, generation.VOCAB, (1, 512))
    generation.beam_generate(model, source, 2, 4)  # warm-up
    runs = {}
    for n in NEW_TOKENS:
        seconds = timed(lambda: generation.beam_generate(model, source, n, 4))
        runs[str(n)] = {"seconds": seconds, "msPerToken": 1000 * seconds / n}
    return {"beams": 4, "sourceLength": 512, "runs": runs}


def main():
    result = {"torch": torch.__version__, "cuda": torch.version.cuda,
              "device": torch.cuda.get_device_name(0) if DEVICE == "cuda" else "cpu (dry run, not a baseline)",
              "tf32": torch.backends.cuda.matmul.allow_tf32}
    for name, run in (("encoderForward", encoder), ("beamSearch", beam_search)):
        try:
            result[name] = run()
        except Exception as error:  # noqa: BLE001 - one failed step must not hide the other's numbers
            result[name] = {"error": repr(error)}
        print(name, json.dumps(result[name])[:300], file=sys.stderr)
    with open(sys.argv[2], "w") as out:
        json.dump(result, out, indent=2)


if __name__ == "__main__":
    main()
