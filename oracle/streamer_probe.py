"""Chunks of transformers' TextStreamer for given token id sequences.

stdin: {"dir": folder, "vocab": [tokens], "cases": [{"steps": [[ids of the prompt], [ids], ...],
        "skip_prompt": bool, "skip_special_tokens": bool}]}
Writes a BERT WordPiece tokenizer made from "vocab" to "dir" (for the TypeScript side to load the same one) and
prints {"cases": [[[text, stream_end], ...], ...]}.
"""

import json
import os
import sys

import torch
from transformers import BertTokenizerFast, TextStreamer


class Collecting(TextStreamer):
    def __init__(self, tokenizer, skip_prompt, **kwargs):
        super().__init__(tokenizer, skip_prompt, **kwargs)
        self.pieces = []

    def on_finalized_text(self, text, stream_end=False):
        self.pieces.append([text, stream_end])


def main():
    request = json.load(sys.stdin)
    folder = request["dir"]
    os.makedirs(folder, exist_ok=True)
    vocab_file = os.path.join(folder, "vocab.txt")
    with open(vocab_file, "w", encoding="utf-8") as f:
        f.write("\n".join(request["vocab"]) + "\n")
    tokenizer = BertTokenizerFast(vocab={token: i for i, token in enumerate(request["vocab"])})
    tokenizer.save_pretrained(folder)
    out = []
    for case in request["cases"]:
        streamer = Collecting(
            tokenizer,
            case["skip_prompt"],
            skip_special_tokens=case["skip_special_tokens"],
            clean_up_tokenization_spaces=True,
        )
        steps = case["steps"]
        streamer.put(torch.tensor([steps[0]]))
        for step in steps[1:]:
            streamer.put(torch.tensor(step))
        streamer.end()
        out.append(streamer.pieces)
    json.dump({"cases": out}, sys.stdout)


if __name__ == "__main__":
    main()
