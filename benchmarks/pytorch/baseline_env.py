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
