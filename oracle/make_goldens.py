"""Goldens made by real Hugging Face transformers: tiny checkpoints and the nine compositions of Rothe et al. (2020).

    oracle/run v5 oracle/make_goldens.py OUT parts      # tiny BERT, RoBERTa, GPT-2 (from_config + save_pretrained)
    oracle/run v5 oracle/make_goldens.py OUT compose    # OUT/v5/<composition>/: checkpoint + goldens.json
    oracle/run v4 oracle/make_goldens.py OUT compose    # OUT/v4/<composition>/: the same with transformers 4.x

The parts are made once and shared by both lines; each line composes them with
`EncoderDecoderModel.from_encoder_decoder_pretrained` (Share compositions with tie_encoder_decoder=True), saves
the composition with its own `save_pretrained` (so each line's file layout is what is committed) and records,
with the model it just saved reloaded by `from_pretrained`, logits, the loss of labels with -100 and `generate()`
for greedy and beam-search settings. `pnpm oracle:goldens` re-creates everything (oracle/make-goldens.sh).
"""

import json
import os
import sys

import torch
import transformers
from transformers import (
    BertConfig,
    BertModel,
    EncoderDecoderModel,
    GPT2Config,
    GPT2LMHeadModel,
    RobertaConfig,
    RobertaModel,
)

VOCAB = 96
# Weights drawn wider than the default 0.02 so that the random models' logits are peaked: greedy and beam
# decisions then have margins far above float32 rounding and the ids are a stable golden.
INIT_RANGE = 0.4
SMALL = dict(hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=24, initializer_range=INIT_RANGE)

# Special tokens: BERT [PAD] 0 [UNK] 1 [CLS] 2 [SEP] 3 [MASK] 4; RoBERTa <s> 0 <pad> 1 </s> 2 <unk> 3;
# GPT-2 <|endoftext|> 95 (bos = eos, no pad).
BERT = dict(pad=0, cls=2, sep=3)
ROBERTA = dict(bos=0, pad=1, eos=2)
GPT2_EOS = VOCAB - 1


def make_parts(out):
    torch.manual_seed(0)
    bert = BertConfig(vocab_size=VOCAB, max_position_embeddings=40, pad_token_id=BERT["pad"], **SMALL)
    BertModel(bert).save_pretrained(f"{out}/parts/bert")
    roberta = RobertaConfig(
        vocab_size=VOCAB, max_position_embeddings=42, pad_token_id=ROBERTA["pad"], bos_token_id=ROBERTA["bos"],
        eos_token_id=ROBERTA["eos"], type_vocab_size=1, **SMALL,
    )
    RobertaModel(roberta).save_pretrained(f"{out}/parts/roberta")
    gpt2 = GPT2Config(
        vocab_size=VOCAB, n_positions=40, n_embd=16, n_layer=2, n_head=2, n_inner=24, bos_token_id=GPT2_EOS,
        eos_token_id=GPT2_EOS, initializer_range=INIT_RANGE,
    )
    GPT2LMHeadModel(gpt2).save_pretrained(f"{out}/parts/gpt2")
    # The Rnd parts: a BERT config, no weights (the paper's random parts share BERT's architecture).
    bert.save_pretrained(f"{out}/parts/rnd")


# name, encoder part, decoder part, tie_encoder_decoder
COMPOSITIONS = [
    ("Rnd2Rnd", "rnd", "rnd", False),
    ("Rnd2BERT", "rnd", "bert", False),
    ("BERT2Rnd", "bert", "rnd", False),
    ("Rnd2GPT2", "rnd", "gpt2", False),
    ("BERT2BERT", "bert", "bert", False),
    ("BERTShare", "bert", "bert", True),
    ("RoBERTaShare", "roberta", "roberta", True),
    ("BERT2GPT2", "bert", "gpt2", False),
    ("RoBERTa2GPT2", "roberta", "gpt2", False),
]


def part_model(out, part, as_decoder):
    """A random part is built from the BERT config (no weights); a pretrained one loads its folder."""
    if part != "rnd":
        return f"{out}/parts/{part}"
    config = BertConfig.from_pretrained(f"{out}/parts/rnd")
    if as_decoder:
        from transformers import BertLMHeadModel

        config.is_decoder = True
        config.add_cross_attention = True
        return BertLMHeadModel(config)
    return BertModel(config)


def special_tokens(encoder, decoder):
    """The paper's recipe (as in Hugging Face's warm-starting guide): start with the encoder's CLS / BOS, end with
    the decoder's SEP / EOS, pad with the decoder's pad (GPT-2 has none: its eos)."""
    if decoder == "gpt2":
        return dict(decoder_start_token_id=GPT2_EOS, eos_token_id=GPT2_EOS, pad_token_id=GPT2_EOS)
    if decoder == "roberta":
        return dict(decoder_start_token_id=ROBERTA["bos"], eos_token_id=ROBERTA["eos"], pad_token_id=ROBERTA["pad"])
    return dict(decoder_start_token_id=BERT["cls"], eos_token_id=BERT["sep"], pad_token_id=BERT["pad"])


def compose(out, line, name, encoder, decoder, tie):
    torch.manual_seed(1)
    args = dict(tie_encoder_decoder=True) if tie else {}
    enc = part_model(out, encoder, as_decoder=False)
    dec = part_model(out, decoder, as_decoder=True)
    if isinstance(enc, str) and isinstance(dec, str):
        model = EncoderDecoderModel.from_encoder_decoder_pretrained(enc, dec, **args)
    else:
        # from_encoder_decoder_pretrained takes folders; random parts are passed as built models.
        from transformers import AutoConfig, AutoModel, AutoModelForCausalLM

        if isinstance(enc, str):
            enc = AutoModel.from_pretrained(enc)
        if isinstance(dec, str):
            config = AutoConfig.from_pretrained(dec)
            config.is_decoder = True
            config.add_cross_attention = True
            dec = AutoModelForCausalLM.from_pretrained(dec, config=config)
        model = EncoderDecoderModel(encoder=enc, decoder=dec)
    tokens = special_tokens(encoder, decoder)
    for key, value in tokens.items():
        setattr(model.config, key, value)
        setattr(model.generation_config, key, value)
    folder = f"{out}/{line}/{name}"
    model.save_pretrained(folder)
    return folder, tokens


def inputs_for(encoder):
    """Two sources, the second right-padded, in the encoder's vocabulary (first/last ids its CLS/SEP or <s>/</s>)."""
    if encoder == "roberta":
        first, last, pad = ROBERTA["bos"], ROBERTA["eos"], ROBERTA["pad"]
    else:
        first, last, pad = BERT["cls"], BERT["sep"], BERT["pad"]
    rows = [[first, 17, 41, 8, 63, 29, 88, 50, last], [first, 12, 77, 35, last]]
    width = max(len(r) for r in rows)
    ids = [r + [pad] * (width - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (width - len(r)) for r in rows]
    return ids, mask


# generate() settings: HF's keyword arguments verbatim (decoder special tokens come from the checkpoint).
GENERATION_CASES = [
    ("greedy_default_length", dict()),
    ("greedy_max_new_tokens", dict(max_new_tokens=7)),
    ("greedy_min_length", dict(min_length=9, max_length=14)),
    ("greedy_repetition_penalty", dict(repetition_penalty=1.7, max_length=14)),
    ("greedy_no_repeat_ngram", dict(no_repeat_ngram_size=2, max_length=16)),
    ("greedy_bad_words", dict(bad_words_ids=[[10], [20, 21]], max_length=12)),
    ("beam4_default", dict(num_beams=4)),
    ("beam4_return3_lp2_early", dict(num_beams=4, num_return_sequences=3, length_penalty=2.0, early_stopping=True, max_length=14)),
    ("beam3_lp05_not_early", dict(num_beams=3, num_return_sequences=2, length_penalty=0.5, early_stopping=False, max_length=12)),
    ("beam3_never", dict(num_beams=3, num_return_sequences=3, early_stopping="never", max_length=12)),
    ("beam4_min_length_ngram", dict(num_beams=4, min_length=6, no_repeat_ngram_size=2, max_length=13)),
    ("beam2_min_new_tokens", dict(num_beams=2, min_new_tokens=5, max_new_tokens=9)),
    ("beam3_repetition_bad_words", dict(num_beams=3, repetition_penalty=1.3, bad_words_ids=[[11], [30, 31]], max_length=12)),
]


def tolist(tensor):
    return tensor.detach().to(torch.float32).tolist()


def goldens(folder, encoder, tokens):
    model = EncoderDecoderModel.from_pretrained(folder).eval()
    ids, mask = inputs_for(encoder)
    input_ids, attention_mask = torch.tensor(ids), torch.tensor(mask)
    start, pad = tokens["decoder_start_token_id"], tokens["pad_token_id"]
    decoder_input_ids = torch.tensor([[start, 40, 7, 66, 21, 9], [start, 33, 5, 70, pad, pad]])
    labels = torch.tensor([[40, 7, 66, 21, 9, tokens["eos_token_id"]], [33, 5, 70, tokens["eos_token_id"], -100, -100]])
    out = {}
    with torch.inference_mode():
        logits = model(input_ids=input_ids, attention_mask=attention_mask, decoder_input_ids=decoder_input_ids).logits
        out["logits"] = dict(decoder_input_ids=decoder_input_ids.tolist(), shape=list(logits.shape), data=tolist(logits.flatten()))
        step = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels)
        out["loss"] = dict(labels=labels.tolist(), loss=float(step.loss), logits=tolist(step.logits.flatten()))
        encoded = model.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        out["encoder_last_hidden_state"] = dict(shape=list(encoded.shape), data=tolist(encoded.flatten()))
        cases = []
        for case, kwargs in GENERATION_CASES:
            generated = model.generate(
                input_ids=input_ids, attention_mask=attention_mask, return_dict_in_generate=True, output_scores=True,
                **kwargs,
            )
            record = dict(name=case, kwargs=kwargs, sequences=generated.sequences.tolist())
            if getattr(generated, "sequences_scores", None) is not None:
                record["sequences_scores"] = tolist(generated.sequences_scores)
            # The smallest gap between the best and second-best processed score over every step and row: how far
            # the golden's decisions are from a tie (ids are only a stable golden when this is well above 1e-5).
            gaps = [float((s.topk(2, dim=-1).values[:, 0] - s.topk(2, dim=-1).values[:, 1]).min()) for s in generated.scores]
            record["min_decision_gap"] = min([g for g in gaps if g == g] or [float("nan")])
            cases.append(record)
        out["generate"] = cases
    return out


def main():
    out, what = sys.argv[1], sys.argv[2]
    if what == "parts":
        make_parts(out)
        print(json.dumps(dict(parts=f"{out}/parts")))
        return
    line = "v" + transformers.__version__.split(".")[0]
    written = []
    for name, encoder, decoder, tie in COMPOSITIONS:
        folder, tokens = compose(out, line, name, encoder, decoder, tie)
        g = goldens(folder, encoder, tokens)
        g.update(
            composition=name, encoder=encoder, decoder=decoder, tie_encoder_decoder=tie, special_tokens=tokens,
            inputs=dict(zip(("input_ids", "attention_mask"), inputs_for(encoder))),
            made_by=dict(transformers=transformers.__version__, torch=torch.__version__.split("+")[0]),
        )
        with open(f"{folder}/goldens.json", "w") as f:
            json.dump(g, f, separators=(",", ":"))
            f.write("\n")
        written.append(name)
    print(json.dumps(dict(line=line, transformers=transformers.__version__, written=written)))


if __name__ == "__main__":
    main()
