// Tying direction, checkpoint layouts and dtypes, as measured with real transformers (weights-hf.interop.ts runs
// the same against Python). tie_encoder_decoder: 4.57 ties with the DECODER's values and stores shared tensors
// under decoder names only; older 4.x stored them under encoder names; 5.24 does not tie and stores both.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BertModel, bertConfigFromHF } from "@warmstart/encoders";
import { initBackend, openCheckpoint, tf, writeSafetensors } from "@warmstart/tensors";
import { assertClose } from "@warmstart/test-utils";
import { describeComposition } from "./describe-composition.js";
import { EncoderDecoderModel } from "./encoder-decoder-model.js";
import { ComposerError } from "./errors.js";

const scratch = mkdtempSync(join(tmpdir(), "composer-layout-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const BERT = {
  model_type: "bert",
  vocab_size: 99,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 37,
  max_position_embeddings: 64,
};
const BATCH = {
  inputIds: [
    [1, 5, 6, 2],
    [1, 9, 2, 0],
  ],
  attentionMask: [
    [1, 1, 1, 1],
    [1, 1, 1, 0],
  ],
  decoderInputIds: [
    [1, 7, 8],
    [1, 3, 0],
  ],
};
const TOKENS = { decoderStartTokenId: 1, eosTokenId: 2, padTokenId: 0 };

/** A stand-alone BERT checkpoint folder (random weights of `seed`, with pooler). */
async function bertFolder(name: string, seed: number): Promise<string> {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  const model = new BertModel(bertConfigFromHF(BERT), { seed, addPoolingLayer: true });
  await writeSafetensors(join(dir, "model.safetensors"), new Map(model.parameters.entries()), { format: "pt" });
  writeFileSync(join(dir, "config.json"), JSON.stringify({ ...BERT, architectures: ["BertModel"] }));
  model.dispose();
  return dir;
}

async function readAll(dir: string): Promise<Map<string, tf.Tensor>> {
  const checkpoint = await openCheckpoint(dir);
  const out = new Map(checkpoint.names().map((n) => [n, checkpoint.tensor(n)] as const));
  checkpoint.close();
  return out;
}

/** A copy of a saved composed folder whose weights are `tensors` (config.json kept). */
async function variant(from: string, name: string, tensors: Map<string, tf.Tensor>): Promise<string> {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), readFileSync(join(from, "config.json")));
  await writeSafetensors(join(dir, "model.safetensors"), tensors, { format: "pt" });
  return dir;
}

function logits(model: EncoderDecoderModel): Float32Array {
  const { logits: out } = model.forward(BATCH);
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}

function same(a: tf.Tensor, b: tf.Tensor): boolean {
  return tf.tidy(() => tf.all(tf.equal(a, b)).dataSync()[0] === 1);
}

await initBackend({ backend: "cpu" });
const a = await bertFolder("a", 1);
const b = await bertFolder("b", 2);

test("warm-started Share of two checkpoints: the shared tensors hold the decoder's values (transformers 4.57), the pooler the encoder's", async () => {
  await initBackend({ backend: "cpu" });
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(a, b, { tieEncoderDecoder: true, ...TOKENS });
  const [ta, tb] = [await readAll(a), await readAll(b)];
  try {
    const word = "embeddings.word_embeddings.weight";
    assert.equal(model.encoder.parameters.get(word), model.decoder.parameters.get(`bert.${word}`), "one tensor");
    assert.ok(same(model.encoder.parameters.get(word), tb.get(word) as tf.Tensor), "encoder == b");
    assert.ok(
      same(
        model.encoder.parameters.get("encoder.layer.1.output.dense.weight"),
        tb.get("encoder.layer.1.output.dense.weight") as tf.Tensor,
      ),
    );
    assert.ok(
      same(model.encoder.parameters.get("pooler.dense.weight"), ta.get("pooler.dense.weight") as tf.Tensor),
      "the pooler is not shared",
    );
    const report = model.warmStartReport();
    assert.deepEqual(
      report,
      await describeComposition(a, b, { tieEncoderDecoder: true }),
      "config-only accounting agrees",
    );
    assert.equal(model.encoderDecoderTied, true);
  } finally {
    model.dispose();
    tf.dispose([...ta.values(), ...tb.values()]);
  }
});

test("random decoder, pretrained encoder, tied: the shared tensors are the decoder's (random), as transformers 4 ties", async () => {
  await initBackend({ backend: "cpu" });
  const report = await describeComposition(a, BERT, { tieEncoderDecoder: true });
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(a, BERT, { tieEncoderDecoder: true, ...TOKENS });
  try {
    assert.deepEqual(model.warmStartReport(), report);
    assert.deepEqual(report.randomWeights.encoder.includes("encoder.embeddings.word_embeddings.weight"), true);
    assert.deepEqual(report.randomWeights.encoder.includes("encoder.pooler.dense.weight"), false);
  } finally {
    model.dispose();
  }
});

test("savePretrained writes each shared tensor under both names; all three layouts load tied with the same logits", async () => {
  await initBackend({ backend: "cpu" });
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(a, b, { tieEncoderDecoder: true, ...TOKENS });
  const saved = join(scratch, "share");
  await model.savePretrained(saved);
  const expected = logits(model);
  const ties = model.warmStartReport().tiedWeights;
  model.dispose();
  const all = await readAll(saved);
  try {
    assert.equal(all.size, 101, "every name of both halves, as transformers 5 stores a Share model");
    for (const { name, sameAs } of ties) {
      assert.ok(same(all.get(name) as tf.Tensor, all.get(sameAs) as tf.Tensor), name);
    }
    const config = JSON.parse(readFileSync(join(saved, "config.json"), "utf8"));
    assert.deepEqual([config.dtype, config.encoder.dtype, config.decoder.dtype], ["float32", "float32", "float32"]);
    assert.equal("torch_dtype" in config || "torch_dtype" in config.encoder || "torch_dtype" in config.decoder, false);
    const decoderNames = new Set(ties.map((t) => t.name));
    const encoderNames = new Set(ties.map((t) => t.sameAs));
    const layouts = {
      "v4 (decoder names)": new Map([...all].filter(([n]) => !encoderNames.has(n))),
      "old v4 (encoder names)": new Map([...all].filter(([n]) => !decoderNames.has(n))),
    };
    assert.equal(layouts["v4 (decoder names)"].size, 64);
    for (const [label, tensors] of Object.entries(layouts)) {
      const warnings: string[] = [];
      const loaded = await EncoderDecoderModel.fromPretrained(
        await variant(saved, label.replace(/\W+/g, "-"), tensors),
        { warn: (m) => warnings.push(m) },
      );
      try {
        assert.equal(loaded.encoderDecoderTied, true, label);
        assert.deepEqual(warnings, []);
        assert.equal(
          loaded.encoder.parameters.get("embeddings.word_embeddings.weight"),
          loaded.decoder.parameters.get("bert.embeddings.word_embeddings.weight"),
        );
        assert.deepEqual(logits(loaded), expected, label);
      } finally {
        loaded.dispose();
      }
    }
    const reloaded = await EncoderDecoderModel.fromPretrained(saved, { warn: () => assert.fail("no warning") });
    assert.deepEqual(logits(reloaded), expected);
    assert.equal(reloaded.encoderDecoderTied, true);
    assert.deepEqual(reloaded.warmStartReport().tiedWeights, ties);
    reloaded.dispose();
  } finally {
    tf.dispose([...all.values()]);
  }
});

test("both names stored with different values (fine-tuned by transformers 5): loaded untied, warned once, saved as both halves", async () => {
  await initBackend({ backend: "cpu" });
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(a, a, { tieEncoderDecoder: true, ...TOKENS });
  const saved = join(scratch, "share-aa");
  await model.savePretrained(saved);
  model.dispose();
  const all = await readAll(saved);
  const tb = await readAll(b);
  const name = "decoder.bert.encoder.layer.0.attention.self.query.weight";
  const changed = new Map(all);
  changed.set(name, tb.get("encoder.layer.0.attention.self.query.weight") as tf.Tensor);
  const dir = await variant(saved, "share-untied", changed);
  const warnings: string[] = [];
  const loaded = await EncoderDecoderModel.fromPretrained(dir, { warn: (m) => warnings.push(m) });
  try {
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, /tie_encoder_decoder.*loaded untied/s);
    assert.equal(loaded.encoderDecoderTied, false);
    assert.equal(loaded.config.tieEncoderDecoder, true, "the config is kept as stored");
    for (const [stored, tensor] of changed) {
      const [part, ...rest] = stored.split(".");
      const params = part === "encoder" ? loaded.encoder.parameters : loaded.decoder.parameters;
      assert.ok(same(params.get(rest.join(".")), tensor), `${stored} as stored`);
    }
    assert.equal(loaded.warmStartReport().tied, 0);
    const out = join(scratch, "share-untied-saved");
    await loaded.savePretrained(out);
    const resaved = await readAll(out);
    assert.equal(resaved.size, 101);
    for (const [stored, tensor] of changed) {
      assert.ok(same(resaved.get(stored) as tf.Tensor, tensor), `${stored} saved`);
    }
    tf.dispose([...resaved.values()]);
  } finally {
    loaded.dispose();
    tf.dispose([...all.values(), ...tb.values()]);
  }
});

test("a shared tensor stored under neither name is MISSING_WEIGHTS", async () => {
  await initBackend({ backend: "cpu" });
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(a, a, { tieEncoderDecoder: true, ...TOKENS });
  const saved = join(scratch, "share-missing-src");
  await model.savePretrained(saved);
  model.dispose();
  const all = await readAll(saved);
  const dropped = new Map(
    [...all].filter(
      ([n]) =>
        !n.endsWith("bert.embeddings.token_type_embeddings.weight") &&
        n !== "encoder.embeddings.token_type_embeddings.weight",
    ),
  );
  const dir = await variant(saved, "share-missing", dropped);
  await assert.rejects(EncoderDecoderModel.fromPretrained(dir), (e: unknown) => {
    assert.ok(e instanceof ComposerError && e.code === "MISSING_WEIGHTS", String(e));
    assert.match(
      e.message,
      /encoder\.embeddings\.token_type_embeddings\.weight \(or decoder\.bert\.embeddings\.token_type_embeddings\.weight\)/,
    );
    return true;
  });
  tf.dispose([...all.values()]);
});

// ---- half precision and shards ----

function toHalfBits(value: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  const x = view.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  const exponent = ((x >>> 23) & 0xff) - 112;
  const mantissa = x & 0x7fffff;
  if (exponent >= 31) return sign | 0x7c00;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    const m = mantissa | 0x800000;
    const shift = 14 - exponent;
    let half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    if (rest > midpoint || (rest === midpoint && (half & 1) === 1)) half += 1;
    return sign | half;
  }
  let half = sign | (exponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half += 1;
  return half;
}

function toBfloat16Bits(value: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  const x = view.getUint32(0);
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** A safetensors file of 16-bit floats, as `model.half()` / `.to(torch.bfloat16)` then save_pretrained writes it. */
function writeHalfFile(path: string, tensors: Map<string, tf.Tensor>, dtype: "F16" | "BF16"): void {
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of [...tensors].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const values = tensor.dataSync();
    const bytes = new Uint8Array(values.length * 2);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setUint16(i * 2, dtype === "F16" ? toHalfBits(v) : toBfloat16Bits(v), true));
    header[name] = { dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    chunks.push(bytes);
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += " ";
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(json.length), true);
  writeFileSync(path, Buffer.concat([length, Buffer.from(json), ...chunks]));
}

test("F16 and BF16 checkpoints load as float32 of the stored values; a sharded checkpoint loads as the single file", async () => {
  await initBackend({ backend: "cpu" });
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(a, b, { ...TOKENS });
  const saved = join(scratch, "b2b");
  await model.savePretrained(saved);
  const expected = logits(model);
  model.dispose();
  const all = await readAll(saved);
  try {
    for (const dtype of ["F16", "BF16"] as const) {
      const dir = join(scratch, `b2b-${dtype}`);
      mkdirSync(dir);
      writeFileSync(join(dir, "config.json"), readFileSync(join(saved, "config.json")));
      writeHalfFile(join(dir, "model.safetensors"), all, dtype);
      const loaded = await EncoderDecoderModel.fromPretrained(dir);
      const stored = await readAll(dir);
      try {
        for (const [name, variable] of loaded.namedParameters()) {
          const value = stored.get(name) as tf.Tensor;
          assert.ok(same(variable, value), `${dtype} ${name}: the stored 16-bit value, exactly`);
        }
        // Rounding the weights to 16 bits moves these tiny random models' logits by well under 0.05.
        assertClose(logits(loaded), expected, dtype === "F16" ? 5e-3 : 5e-2, `${dtype} logits`);
      } finally {
        loaded.dispose();
        tf.dispose([...stored.values()]);
      }
    }
    const sharded = join(scratch, "b2b-sharded");
    mkdirSync(sharded);
    writeFileSync(join(sharded, "config.json"), readFileSync(join(saved, "config.json")));
    const names = [...all.keys()];
    const shards = [names.slice(0, 40), names.slice(40)];
    const weightMap: Record<string, string> = {};
    for (const [i, shard] of shards.entries()) {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      await writeSafetensors(join(sharded, file), new Map(shard.map((n) => [n, all.get(n) as tf.Tensor])), {
        format: "pt",
      });
      for (const n of shard) weightMap[n] = file;
    }
    writeFileSync(
      join(sharded, "model.safetensors.index.json"),
      JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }),
    );
    const loaded = await EncoderDecoderModel.fromPretrained(sharded);
    assert.deepEqual(logits(loaded), expected);
    loaded.dispose();
  } finally {
    tf.dispose([...all.values()]);
  }
});

test("enc_to_dec_proj starts as transformers 5 initialises it: normal(decoder initializer_range) weight, zero bias", async () => {
  await initBackend({ backend: "cpu" });
  const decoder = { ...BERT, hidden_size: 48, initializer_range: 0.3 };
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(a, decoder, { ...TOKENS, seed: 4 });
  try {
    const projection = model.projection;
    assert.ok(projection !== null);
    const weight = Array.from(projection.get("weight").dataSync());
    const mean = weight.reduce((s, v) => s + v, 0) / weight.length;
    const std = Math.sqrt(weight.reduce((s, v) => s + (v - mean) ** 2, 0) / weight.length);
    assert.ok(Math.abs(std - 0.3) < 0.02, `std ${std}`);
    assert.ok(
      projection
        .get("bias")
        .dataSync()
        .every((v) => v === 0),
    );
  } finally {
    model.dispose();
  }
});

test("a decoder with tie_word_embeddings false keeps its own head; saved under both lines' names and reloaded exactly", async () => {
  await initBackend({ backend: "cpu" });
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(a, b, {
    ...TOKENS,
    decoderConfig: { tie_word_embeddings: false },
  });
  const out = join(scratch, "untied-head");
  try {
    const head = model.decoder.parameters.get("cls.predictions.decoder.weight");
    assert.notEqual(head, model.decoder.parameters.get("bert.embeddings.word_embeddings.weight"));
    // BertModel checkpoints have no head matrix: it is random (a BertForPreTraining one's stored copy would fill it).
    assert.ok(model.warmStartReport().randomWeights.decoder.includes("decoder.cls.predictions.decoder.weight"));
    head.assign(tf.randomNormal(head.shape, 0, 0.5, "float32", 9));
    model.decoder.parameters.get("cls.predictions.decoder.bias").assign(tf.randomNormal([99], 0, 0.5, "float32", 10));
    await model.savePretrained(out);
    const stored = await readAll(out);
    assert.ok(same(stored.get("decoder.cls.predictions.decoder.weight") as tf.Tensor, head));
    assert.ok(
      same(
        stored.get("decoder.cls.predictions.bias") as tf.Tensor,
        stored.get("decoder.cls.predictions.decoder.bias") as tf.Tensor,
      ),
      "the bias under 4.x's and 5.x's names",
    );
    assert.equal(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).decoder.tie_word_embeddings, false);
    tf.dispose([...stored.values()]);
    const reloaded = await EncoderDecoderModel.fromPretrained(out);
    assert.deepEqual(logits(reloaded), logits(model));
    reloaded.dispose();
  } finally {
    model.dispose();
  }
});
