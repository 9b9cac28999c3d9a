"""PyTorch side of the sgemm rows of benchmarks/engine.ts (plain, transposed, batched) with the strongest baseline of
research/engine-facts.md (2 threads; OMP_WAIT_POLICY and MALLOC_* come from the caller's environment). Also reports
the OpenBLAS kernel family the process runs. Prints one JSON object.
Usage: python3 sgemm.py '{"reps": 5, "threads": 2, "cases": [{"name": ..., "a": [512, 768], "b": [768, 3072],
  "transposeB": false, "flops": ...}]}'
"""
import ctypes
import ctypes.util
import json
import statistics
import sys
import time

import torch

from baseline_env import max_rss_bytes, recorded_env


def openblas_core():
    """The OpenBLAS kernel family torch's BLAS runs (Debian's torch calls libblas.so.3 → OpenBLAS)."""
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode()
        except OSError:
            continue
    return None


def timed(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    settings = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    reps = settings.get("reps", 5)
    torch.set_num_threads(settings.get("threads", 2))
    g = torch.Generator().manual_seed(0)
    rows = []
    with torch.inference_mode():
        for case in settings.get("cases", []):
            a = torch.randn(*case["a"], generator=g)
            b = torch.randn(*case["b"], generator=g)
            if case.get("transposeB"):
                fn = lambda: torch.matmul(a, b.transpose(-1, -2))
            else:
                fn = lambda: torch.matmul(a, b)
            seconds = timed(fn, reps)
            rows.append({"name": case["name"], "seconds": seconds, "gflops": case["flops"] / seconds / 1e9})
    print(json.dumps({
        "torch": torch.__version__,
        "maxRssBytes": max_rss_bytes(),
        "threads": torch.get_num_threads(),
        "openblasCore": openblas_core(),
        "env": recorded_env(),
        "rows": rows,
    }))


if __name__ == "__main__":
    main()
