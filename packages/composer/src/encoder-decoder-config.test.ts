import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { sharedPath, sharedSkipReason } from "@warmstart/test-utils";
import { EncoderDecoderConfig, type HFConfigJSON } from "./encoder-decoder-config.js";
import { ComposerError } from "./errors.js";

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(sharedPath("fixtures/parity", name, "config.json") as string, "utf8")) as Record<
    string,
    unknown
  >;

/** The fixtures' `torch_dtype` (old transformers) as transformers 4.56+ and 5 write it: `dtype`, at every level. */
function withDtype(json: HFConfigJSON): HFConfigJSON {
  const out: HFConfigJSON = { ...json, dtype: "float32" };
  delete out.torch_dtype;
  for (const part of ["encoder", "decoder"]) {
    const sub: HFConfigJSON = { ...(json[part] as HFConfigJSON), dtype: "float32" };
    delete sub.torch_dtype;
    out[part] = sub;
  }
  return out;
}

test(
  "reads and rewrites the fixtures' encoder-decoder config.json unchanged but for dtype",
  { skip: sharedSkipReason("fixtures/parity") },
  () => {
    for (const name of ["bert2bert", "robertashare"]) {
      const json = fixture(name);
      const config = EncoderDecoderConfig.fromJSON(json);
      assert.deepEqual(config.toJSON(), withDtype(json), name);
    }
    const config = EncoderDecoderConfig.fromJSON(fixture("robertashare"));
    assert.equal(config.tieEncoderDecoder, true);
    assert.deepEqual(config.specialTokens(), { decoderStartTokenId: 0, eosTokenId: 2, padTokenId: 1 });
    assert.equal(config.vocabSize, 1000);
  },
);

test(
  "accepts the old encoder_decoder spelling and writes the current one",
  { skip: sharedSkipReason("fixtures/parity") },
  () => {
    const json = { ...fixture("bert2bert"), model_type: "encoder_decoder" };
    const config = EncoderDecoderConfig.fromJSON(json);
    assert.equal(config.toJSON().model_type, "encoder-decoder");
    assert.equal(config.decoderStartTokenId, 101);
  },
);

test(
  "a config without a decoder sub-config names the missing field",
  { skip: sharedSkipReason("fixtures/parity") },
  () => {
    const json = fixture("bert2bert");
    delete json.decoder;
    assert.throws(
      () => EncoderDecoderConfig.fromJSON(json, "some/config.json"),
      (e: unknown) =>
        e instanceof ComposerError &&
        e.code === "MISSING_SUB_CONFIG" &&
        /some\/config\.json.*"decoder"/.test(e.message),
    );
    assert.throws(
      () => EncoderDecoderConfig.fromJSON({ model_type: "bert", hidden_size: 32 }),
      (e: unknown) => e instanceof ComposerError && e.code === "INVALID_CONFIG" && /"encoder-decoder"/.test(e.message),
    );
  },
);

test("sub-configs get the encoder / decoder role flags; special tokens fall back to the decoder's bos/eos/pad", () => {
  const bert = { model_type: "bert", vocab_size: 10, hidden_size: 4, pad_token_id: 0 };
  const roberta = {
    model_type: "roberta",
    vocab_size: 10,
    hidden_size: 4,
    pad_token_id: 1,
    bos_token_id: 0,
    eos_token_id: 2,
  };
  const config = EncoderDecoderConfig.fromSubConfigs(bert, roberta);
  assert.equal(config.encoder.is_decoder, false);
  assert.equal(config.encoder.add_cross_attention, false);
  assert.equal(config.decoder.is_decoder, true);
  assert.equal(config.decoder.add_cross_attention, true);
  assert.deepEqual(config.specialTokens(), { decoderStartTokenId: 0, eosTokenId: 2, padTokenId: 1 });
  assert.equal(Object.hasOwn(bert, "is_decoder"), false, "the caller's object is not modified");
});

test("a missing special token is an error naming the field to set", () => {
  const bert = { model_type: "bert", vocab_size: 10, hidden_size: 4, pad_token_id: 0 };
  const config = EncoderDecoderConfig.fromSubConfigs(bert, bert);
  assert.equal(config.padTokenId, 0);
  assert.throws(
    () => config.specialTokens("generation"),
    (e: unknown) =>
      e instanceof ComposerError &&
      e.code === "MISSING_SPECIAL_TOKEN" &&
      /decoder_start_token_id/.test(e.message) &&
      /config\.decoderStartTokenId/.test(e.message),
  );
  config.decoderStartTokenId = 101;
  assert.throws(
    () => config.specialTokens(),
    (e: unknown) => e instanceof ComposerError && /eos_token_id/.test(e.message),
  );
  config.eosTokenId = 102;
  assert.deepEqual(config.specialTokens(), { decoderStartTokenId: 101, eosTokenId: 102, padTokenId: 0 });
  assert.deepEqual(config.generationConfigJSON(), {
    _from_model_config: true,
    decoder_start_token_id: 101,
    eos_token_id: 102,
    pad_token_id: 0,
  });
});

test("a sub-config written as differences from its class defaults (transformers 4.x) is completed with that class's token ids", () => {
  const roberta = { model_type: "roberta", vocab_size: 99, hidden_size: 32 };
  const json = EncoderDecoderConfig.fromSubConfigs(roberta, { ...roberta, tie_word_embeddings: false }).toJSON();
  for (const part of ["encoder", "decoder"] as const) {
    const sub = json[part] as HFConfigJSON;
    assert.deepEqual(
      [sub.pad_token_id, sub.bos_token_id, sub.eos_token_id],
      [1, 0, 2],
      `${part}: RobertaConfig's defaults, not null`,
    );
    assert.equal(sub.dtype, "float32");
  }
  assert.equal((json.decoder as HFConfigJSON).tie_word_embeddings, false);
  const bert = EncoderDecoderConfig.fromSubConfigs(
    { model_type: "bert", vocab_size: 99 },
    { model_type: "bert", vocab_size: 99, pad_token_id: null },
  ).toJSON();
  assert.equal((bert.encoder as HFConfigJSON).pad_token_id, 0, "BertConfig's default");
  assert.equal((bert.decoder as HFConfigJSON).pad_token_id, null, "an explicit value is kept");
});
