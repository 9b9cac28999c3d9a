"""The environment settings a PyTorch baseline ran under (engine-facts.md lists why each matters), for its results."""
import os

RECORDED = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_WAIT_POLICY",
            "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")


def recorded_env():
    return {k: os.environ.get(k) for k in RECORDED}


def max_rss_bytes():
    """This process's peak resident memory (Linux reports ru_maxrss in KiB): the memory figure of every row."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def transformers_run_info(model):
    """What every real-transformers baseline reports beside its timings: versions, threads, attention, settings, memory."""
    import torch
    import transformers

    return {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "threads": torch.get_num_threads(),
        "attention": model.config._attn_implementation,
        "env": recorded_env(),
        "maxRssBytes": max_rss_bytes(),
    }
