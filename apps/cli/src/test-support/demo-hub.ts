// A loopback Hugging Face Hub serving the repositories `warmstart demo --from-hub` downloads, in their exact file
// layouts, filled with TINY random models of the same architecture and checkpoint format (generated at test time
// into a temporary folder, nothing large committed). The layouts, as the Hub lists them on main:
//
//   google/bert_uncased_L-{2_H-128_A-2, 4_H-256_A-4, 4_H-512_A-8, 8_H-512_A-8} (BERT tiny, mini, small, medium):
//     .gitattributes  README.md  config.json  flax_model.msgpack  pytorch_model.bin  tf_model.h5  vocab.txt
//   config.json is Google's bert_config.json (no "model_type", no "architectures"); vocab.txt is uncased WordPiece
//   with [PAD] [unused0..] [UNK] [CLS] [SEP] [MASK] first; there is no tokenizer.json, tokenizer_config.json or
//   special_tokens_map.json (BertTokenizer's defaults apply: lower-casing on); pytorch_model.bin is the state
//   dict of BertForPreTraining (bert.* with the pooler, cls.predictions.*, cls.seq_relationship.*), uploaded in
//   March 2020, before torch 1.6 made the zip format the default: the fixture writes it in the legacy
//   torch.save format (`serveDemoHub({ bertFormat: "zip" })` for the zip one).
//
//   distilbert/distilgpt2:
//     .gitattributes  64-8bits.tflite  64-fp16.tflite  64.tflite  README.md  config.json
//     coreml/text-generation/float32_model.mlpackage/{Manifest.json, Data/com.apple.CoreML/model.mlmodel,
//       Data/com.apple.CoreML/weights/weight.bin}
//     flax_model.msgpack  generation_config.json  generation_config_for_text_generation.json  merges.txt
//     model.safetensors  pytorch_model.bin  rust_model.ot  tf_model.h5  tokenizer.json  vocab.json
//   config.json has model_type "gpt2"; model.safetensors holds GPT2LMHeadModel's state dict (transformer.*, with
//   the attn.bias causal-mask buffers of transformers 2.x, lm_head.weight left out as the tied copy of wte).
//
// Weight files the demo must not fetch (TensorFlow, Flax, Rust, TFLite, Core ML, and the .bin beside the
// safetensors) are short placeholders that no reader accepts, so fetching one would show in `requests` and
// loading one would fail.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repoFilesFromDir, startTestHub, type TestHub, type TestRepo } from "@warmstart/hub/testing";
import { Tokenizer } from "@warmstart/tokenizers";
import { concat, op, pytorchBin, type DenseTensor } from "@warmstart/test-utils";
import { BERT_MINIATURES, DEFAULT_HUB_GPT2 } from "../demo/hub-checkpoints.js";

/** The files each BERT miniature repository holds. */
export const BERT_MINIATURE_LAYOUT = [
  ".gitattributes",
  "README.md",
  "config.json",
  "flax_model.msgpack",
  "pytorch_model.bin",
  "tf_model.h5",
  "vocab.txt",
] as const;

/** The files distilbert/distilgpt2 holds. */
export const DISTILGPT2_LAYOUT = [
  ".gitattributes",
  "64-8bits.tflite",
  "64-fp16.tflite",
  "64.tflite",
  "README.md",
  "config.json",
  "coreml/text-generation/float32_model.mlpackage/Data/com.apple.CoreML/model.mlmodel",
  "coreml/text-generation/float32_model.mlpackage/Data/com.apple.CoreML/weights/weight.bin",
  "coreml/text-generation/float32_model.mlpackage/Manifest.json",
  "flax_model.msgpack",
  "generation_config.json",
  "generation_config_for_text_generation.json",
  "merges.txt",
  "model.safetensors",
  "pytorch_model.bin",
  "rust_model.ot",
  "tf_model.h5",
  "tokenizer.json",
  "vocab.json",
] as const;

/** What the demo downloads of each: config, tokenizer files and one set of weights. */
export const BERT_SELECTED = ["config.json", "pytorch_model.bin", "vocab.txt"] as const;
export const DISTILGPT2_SELECTED = [
  "config.json",
  "generation_config.json",
  "merges.txt",
  "model.safetensors",
  "tokenizer.json",
  "vocab.json",
] as const;

/** The fixture BERT's size (the real miniatures are 2-8 layers of width 128-512 over 30522 tokens). */
export const FIXTURE_BERT = { layers: 2, hidden: 32, heads: 2, intermediate: 64, positions: 128 } as const;
/** The fixture GPT-2's size (DistilGPT2: 6 layers of width 768 over 50257 tokens, 1024 positions). */
export const FIXTURE_GPT2 = { layers: 2, hidden: 32, heads: 2, positions: 128 } as const;

const BERT_WORDS = [
  "the",
  "of",
  "and",
  "to",
  "a",
  "in",
  "that",
  "is",
  "was",
  "he",
  "for",
  "it",
  "with",
  "as",
  "his",
  "on",
  "be",
  "at",
  "by",
  "i",
  "this",
  "had",
  "not",
  "are",
  "but",
  "from",
  "or",
  "have",
  "an",
  "they",
  "which",
  "one",
  "you",
  "were",
  "her",
  "all",
  "she",
  "there",
  "would",
  "their",
  "we",
  "him",
  "been",
  "has",
  "when",
  "who",
  "will",
  "more",
  "no",
  "if",
  "out",
  "so",
  "said",
  "what",
  "up",
  "its",
  "about",
  "into",
  "than",
  "them",
  "can",
  "only",
  "other",
  "new",
  "some",
  "could",
  "time",
  "these",
  "two",
  "may",
  "then",
  "do",
  "first",
  "any",
  "my",
  "now",
  "such",
  "like",
  "our",
  "over",
  "man",
  "me",
  "even",
  "most",
  "made",
  "after",
  "also",
  "did",
  "many",
  "before",
  "must",
  "through",
  "back",
  "years",
  "where",
  "much",
  "your",
  "way",
  "well",
  "down",
  "should",
  "because",
  "each",
  "just",
  "those",
  "people",
  "how",
  "too",
  "little",
  "state",
  "good",
  "very",
  "make",
  "world",
  "still",
  "hello",
  "however",
  "city",
  "day",
  ".",
  ",",
  "'",
  '"',
  "-",
  ";",
  ":",
  "?",
  "!",
  "(",
  ")",
];
const BERT_SUFFIXES = ["##s", "##ed", "##ing", "##ly", "##er", "##es", "##d", "##n"];

/** vocab.txt as Google's uncased vocabularies begin: [PAD], [unused*], [UNK], [CLS], [SEP], [MASK], then pieces. */
export function fixtureBertVocab(): string[] {
  const unused = Array.from({ length: 4 }, (_, i) => `[unused${i}]`);
  return ["[PAD]", ...unused, "[UNK]", "[CLS]", "[SEP]", "[MASK]", ...BERT_WORDS, ...BERT_SUFFIXES];
}

/** A seeded generator of N(0, std²) float32 values (mulberry32 + Box-Muller): the same fixture on every run. */
function normals(seed: number): (count: number, std?: number) => Float32Array {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return (count, std = 0.02) => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      out[i] = std * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    }
    return out;
  };
}

const filled = (count: number, value: number): Float32Array => new Float32Array(count).fill(value);

/** BertForPreTraining's state dict, as the miniatures' pytorch_model.bin holds it (converted from TF in 2020). */
function bertForPreTrainingTensors(vocabSize: number, seed: number): DenseTensor[] {
  const { layers, hidden: h, intermediate, positions } = FIXTURE_BERT;
  const random = normals(seed);
  const out: DenseTensor[] = [];
  const matrix = (name: string, rows: number, cols: number): void => {
    out.push({ name, shape: [rows, cols], values: random(rows * cols) });
  };
  const vector = (name: string, size: number, value = 0): void => {
    out.push({ name, shape: [size], values: filled(size, value) });
  };
  const layerNorm = (prefix: string): void => {
    vector(`${prefix}.weight`, h, 1);
    vector(`${prefix}.bias`, h);
  };
  matrix("bert.embeddings.word_embeddings.weight", vocabSize, h);
  matrix("bert.embeddings.position_embeddings.weight", positions, h);
  matrix("bert.embeddings.token_type_embeddings.weight", 2, h);
  layerNorm("bert.embeddings.LayerNorm");
  for (let i = 0; i < layers; i++) {
    const layer = `bert.encoder.layer.${i}`;
    for (const part of ["query", "key", "value"]) {
      matrix(`${layer}.attention.self.${part}.weight`, h, h);
      vector(`${layer}.attention.self.${part}.bias`, h);
    }
    matrix(`${layer}.attention.output.dense.weight`, h, h);
    vector(`${layer}.attention.output.dense.bias`, h);
    layerNorm(`${layer}.attention.output.LayerNorm`);
    matrix(`${layer}.intermediate.dense.weight`, intermediate, h);
    vector(`${layer}.intermediate.dense.bias`, intermediate);
    matrix(`${layer}.output.dense.weight`, h, intermediate);
    vector(`${layer}.output.dense.bias`, h);
    layerNorm(`${layer}.output.LayerNorm`);
  }
  matrix("bert.pooler.dense.weight", h, h);
  vector("bert.pooler.dense.bias", h);
  vector("cls.predictions.bias", vocabSize);
  matrix("cls.predictions.transform.dense.weight", h, h);
  vector("cls.predictions.transform.dense.bias", h);
  layerNorm("cls.predictions.transform.LayerNorm");
  // torch.save writes the tied decoder matrix under its own name too.
  const embeddings = out[0] as DenseTensor;
  out.push({ name: "cls.predictions.decoder.weight", shape: embeddings.shape, values: embeddings.values });
  matrix("cls.seq_relationship.weight", 2, h);
  vector("cls.seq_relationship.bias", 2);
  return out;
}

/** torch.save's magic number 0x1950a86a20f9469cfc6c as a pickle LONG1 (10 little-endian bytes). */
const LEGACY_MAGIC = Uint8Array.from([0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);

/**
 * A state dict of float32 tensors in the legacy torch.save format (torch < 1.6, or
 * `_use_new_zipfile_serialization=False`), which checkpoints uploaded before mid-2020 such as the BERT miniatures
 * use: magic number, protocol 1001 and sys_info pickles, the state dict pickle with
 * ('storage', FloatStorage, key, "cpu", numel, None) persistent ids, the sorted storage keys, then each storage as
 * an int64 element count and its bytes. Tensors that share values (the tied decoder) share one storage, as torch
 * writes them.
 */
export function legacyPytorchBin(tensors: readonly DenseTensor[]): Uint8Array {
  const keyOf = new Map<Float32Array, string>();
  for (const { values } of tensors) if (!keyOf.has(values)) keyOf.set(values, String(1000 + keyOf.size));
  const sysInfo = concat(
    op.proto(),
    op.emptyDict(),
    op.mark(),
    ...[op.str("protocol_version"), op.int(1001), op.str("little_endian"), Uint8Array.from([0x88])],
    op.str("type_sizes"),
    op.emptyDict(),
    op.mark(),
    ...[op.str("short"), op.int(2), op.str("int"), op.int(4), op.str("long"), op.int(8)],
    op.setitems(),
    op.setitems(),
    op.stop(),
  );
  const entries = tensors.map(({ name, shape, values }) => {
    const stride = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
    return concat(
      op.str(name),
      op.global("torch._utils", "_rebuild_tensor_v2"),
      op.mark(),
      ...[op.mark(), op.str("storage"), op.global("torch", "FloatStorage"), op.str(keyOf.get(values) as string)],
      ...[op.str("cpu"), op.int(values.length), op.none(), op.tuple(), op.binpersid()],
      ...[op.int(0), op.ints([...shape]), op.ints(stride), op.false()],
      ...[op.global("collections", "OrderedDict"), op.emptyTuple(), op.reduce(), op.tuple(), op.reduce()],
    );
  });
  const stateDict = concat(
    ...[op.proto(), op.global("collections", "OrderedDict"), op.emptyTuple(), op.reduce()],
    ...[op.mark(), ...entries, op.setitems(), op.stop()],
  );
  const sorted = [...keyOf].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
  const appends = Uint8Array.from([0x65]);
  const keyList = concat(
    op.proto(),
    op.emptyList(),
    op.mark(),
    ...sorted.map(([, key]) => op.str(key)),
    appends,
    op.stop(),
  );
  const storages = sorted.map(([values]) => {
    const count = new Uint8Array(8);
    new DataView(count.buffer).setBigInt64(0, BigInt(values.length), true);
    return concat(count, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  });
  return concat(
    ...[concat(op.proto(), LEGACY_MAGIC, op.stop()), concat(op.proto(), op.int(1001), op.stop()), sysInfo],
    ...[stateDict, keyList, ...storages],
  );
}

/** Google's bert_config.json layout (key order included), at the fixture's size. */
function googleBertConfig(vocabSize: number): Record<string, unknown> {
  const { layers, hidden, heads, intermediate, positions } = FIXTURE_BERT;
  return {
    hidden_size: hidden,
    hidden_act: "gelu",
    initializer_range: 0.02,
    vocab_size: vocabSize,
    hidden_dropout_prob: 0.1,
    num_attention_heads: heads,
    type_vocab_size: 2,
    max_position_embeddings: positions,
    num_hidden_layers: layers,
    intermediate_size: intermediate,
    attention_probs_dropout_prob: 0.1,
  };
}

/** GPT-2's byte → printable character table (bytes_to_unicode): the alphabet of byte-level BPE. */
function byteAlphabet(): string[] {
  const printable = (b: number): boolean =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let next = 0;
  for (let b = 0; b < 256; b++) table.push(String.fromCodePoint(printable(b) ? b : 256 + next++));
  return table;
}

/** A byte-level BPE over the 256-byte alphabet plus merges that spell a few words, and <|endoftext|> last. */
function fixtureGpt2Vocab(): { vocab: Record<string, number>; merges: string[] } {
  const vocab: Record<string, number> = {};
  for (const symbol of byteAlphabet()) vocab[symbol] = Object.keys(vocab).length;
  const merges: string[] = [];
  for (const word of BERT_WORDS.filter((w) => /^[a-z]+$/.test(w))) {
    // "Ġ" is the space byte: GPT-2 merges a word with the space before it.
    let piece = "\u0120";
    for (const char of word) {
      const merged = piece + char;
      if (vocab[merged] === undefined) {
        merges.push(`${piece} ${char}`);
        vocab[merged] = Object.keys(vocab).length;
      }
      piece = merged;
    }
  }
  vocab["<|endoftext|>"] = Object.keys(vocab).length;
  return { vocab, merges };
}

/** distilgpt2's config.json layout (model_type "gpt2", the text-generation task parameters), at the fixture's size. */
function distilgpt2Config(vocabSize: number): Record<string, unknown> {
  const { layers, hidden, heads, positions } = FIXTURE_GPT2;
  const eos = vocabSize - 1;
  return {
    _num_labels: 1,
    activation_function: "gelu_new",
    architectures: ["GPT2LMHeadModel"],
    attn_pdrop: 0.1,
    bos_token_id: eos,
    embd_pdrop: 0.1,
    eos_token_id: eos,
    id2label: { "0": "LABEL_0" },
    initializer_range: 0.02,
    label2id: { LABEL_0: 0 },
    layer_norm_epsilon: 1e-5,
    model_type: "gpt2",
    n_ctx: positions,
    n_embd: hidden,
    n_head: heads,
    n_layer: layers,
    n_positions: positions,
    resid_pdrop: 0.1,
    summary_activation: null,
    summary_first_dropout: 0.1,
    summary_proj_to_labels: true,
    summary_type: "cls_index",
    summary_use_proj: true,
    task_specific_params: { "text-generation": { do_sample: true, max_length: 50 } },
    vocab_size: vocabSize,
  };
}

/** GPT2LMHeadModel's state dict (Conv1D weights are [in, out]), with the causal-mask buffers old checkpoints store. */
function gpt2Tensors(vocabSize: number, seed: number): DenseTensor[] {
  const { layers, hidden: e, positions } = FIXTURE_GPT2;
  const random = normals(seed);
  const out: DenseTensor[] = [];
  const put = (name: string, shape: number[], values: Float32Array): void => {
    out.push({ name, shape, values });
  };
  const matrix = (name: string, rows: number, cols: number): void => put(name, [rows, cols], random(rows * cols));
  const vector = (name: string, size: number, value = 0): void => put(name, [size], filled(size, value));
  matrix("transformer.wte.weight", vocabSize, e);
  matrix("transformer.wpe.weight", positions, e);
  const causal = new Float32Array(positions * positions);
  for (let row = 0; row < positions; row++) for (let col = 0; col <= row; col++) causal[row * positions + col] = 1;
  for (let i = 0; i < layers; i++) {
    const block = `transformer.h.${i}`;
    vector(`${block}.ln_1.weight`, e, 1);
    vector(`${block}.ln_1.bias`, e);
    put(`${block}.attn.bias`, [1, 1, positions, positions], causal);
    matrix(`${block}.attn.c_attn.weight`, e, 3 * e);
    vector(`${block}.attn.c_attn.bias`, 3 * e);
    matrix(`${block}.attn.c_proj.weight`, e, e);
    vector(`${block}.attn.c_proj.bias`, e);
    vector(`${block}.ln_2.weight`, e, 1);
    vector(`${block}.ln_2.bias`, e);
    matrix(`${block}.mlp.c_fc.weight`, e, 4 * e);
    vector(`${block}.mlp.c_fc.bias`, 4 * e);
    matrix(`${block}.mlp.c_proj.weight`, 4 * e, e);
    vector(`${block}.mlp.c_proj.bias`, e);
  }
  vector("transformer.ln_f.weight", e, 1);
  vector("transformer.ln_f.bias", e);
  return out;
}

/**
 * A safetensors file of float32 tensors, written here rather than with @warmstart/tensors so that the fixture
 * does not depend on the reader it tests (nor on a TensorFlow.js backend): an 8-byte little-endian header
 * length, the JSON header padded with spaces to a multiple of 8, then the tensors' bytes in header order.
 */
function safetensorsBytes(tensors: readonly DenseTensor[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const { name, shape, values } of tensors) {
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + values.byteLength] };
    offset += values.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const { values } of tensors) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    at += values.byteLength;
  }
  return out;
}

const placeholder = (file: string): string =>
  `placeholder for ${file}: the demo fetches no TensorFlow, Flax, Rust, TFLite or Core ML weights\n`;

const GITATTRIBUTES = ["*.bin", "*.h5", "*.msgpack", "*.safetensors", "*.ot", "*.tflite", "*.mlmodel"]
  .map((pattern) => `${pattern} filter=lfs diff=lfs merge=lfs -text`)
  .join("\n");

async function writeFiles(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [path, contents] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), contents);
  }
}

/** How the fixture writes the BERTs' pytorch_model.bin. */
export type TorchSaveFormat = "legacy" | "zip";

/** One BERT miniature repository (every miniature gets the same tiny model: only the layout matters here). */
async function writeBertRepo(dir: string, id: string, format: TorchSaveFormat): Promise<void> {
  const vocab = fixtureBertVocab();
  await writeFiles(dir, {
    ".gitattributes": `${GITATTRIBUTES}\n`,
    "README.md": `---\nthumbnail: https://huggingface.co/front/thumbnails/google.png\nlicense: apache-2.0\n---\n# ${id} (test fixture)\n`,
    "config.json": `${JSON.stringify(googleBertConfig(vocab.length), null, 2)}\n`,
    "vocab.txt": `${vocab.join("\n")}\n`,
    "pytorch_model.bin": (format === "legacy" ? legacyPytorchBin : pytorchBin)(
      bertForPreTrainingTensors(vocab.length, 11),
    ),
    "tf_model.h5": placeholder("tf_model.h5"),
    "flax_model.msgpack": placeholder("flax_model.msgpack"),
  });
}

async function writeDistilgpt2Repo(dir: string): Promise<void> {
  const { vocab, merges } = fixtureGpt2Vocab();
  const vocabSize = Object.keys(vocab).length;
  // tokenizer.json as the tokenizers library writes a byte-level BPE; only that file of the save is kept, since
  // distilgpt2 has no tokenizer_config.json or special_tokens_map.json.
  const scratch = await mkdtemp(join(tmpdir(), "warmstart-demo-hub-tok-"));
  let tokenizerJson: string;
  try {
    await Tokenizer.fromVocab({ kind: "bpe", vocab, merges }).save(scratch);
    tokenizerJson = await readFile(join(scratch, "tokenizer.json"), "utf8");
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const eos = vocabSize - 1;
  const coreml = "coreml/text-generation/float32_model.mlpackage";
  await writeFiles(dir, {
    ".gitattributes": `${GITATTRIBUTES}\n`,
    "README.md": `---\nlanguage: en\nlicense: apache-2.0\ndatasets:\n- openwebtext\n---\n# DistilGPT2 (test fixture)\n`,
    "config.json": `${JSON.stringify(distilgpt2Config(vocabSize), null, 2)}\n`,
    "generation_config.json": `${JSON.stringify({ _from_model_config: true, bos_token_id: eos, eos_token_id: eos, transformers_version: "4.27.0.dev0" }, null, 2)}\n`,
    "generation_config_for_text_generation.json": `${JSON.stringify({ _from_model_config: true, bos_token_id: eos, do_sample: true, eos_token_id: eos, max_length: 50, transformers_version: "4.27.0.dev0" }, null, 2)}\n`,
    "vocab.json": JSON.stringify(vocab),
    "merges.txt": `#version: 0.2\n${merges.join("\n")}\n`,
    "tokenizer.json": tokenizerJson,
    "pytorch_model.bin": placeholder("pytorch_model.bin (the safetensors twin is preferred)"),
    "tf_model.h5": placeholder("tf_model.h5"),
    "flax_model.msgpack": placeholder("flax_model.msgpack"),
    "rust_model.ot": placeholder("rust_model.ot"),
    "64.tflite": placeholder("64.tflite"),
    "64-8bits.tflite": placeholder("64-8bits.tflite"),
    "64-fp16.tflite": placeholder("64-fp16.tflite"),
    [`${coreml}/Manifest.json`]: "{}\n",
    [`${coreml}/Data/com.apple.CoreML/model.mlmodel`]: placeholder("model.mlmodel"),
    [`${coreml}/Data/com.apple.CoreML/weights/weight.bin`]: placeholder("weight.bin"),
  });
  await writeFile(join(dir, "model.safetensors"), safetensorsBytes(gpt2Tensors(vocabSize, 12), { format: "pt" }));
}

/** Weight-like files go through LFS, as .gitattributes above says (the test hub then serves them by redirect). */
const isLfs = (path: string): boolean => /\.(bin|h5|msgpack|safetensors|ot|tflite|mlmodel)$/.test(path);

export interface DemoHub {
  /** The loopback hub: its URL, every request it received, the commit it reports per repository. */
  hub: TestHub;
  /** The Hub ids served: the four BERT miniatures and distilbert/distilgpt2. */
  bertIds: readonly string[];
  gpt2Id: string;
  /** Where the repositories' files were generated, one folder per id (e.g. `repos/google/bert_uncased_L-4_H-256_A-4`). */
  reposDir: string;
  /** An empty HF_HOME for the downloads; its `hub` folder is the cache. */
  hfHome: string;
  /** The environment a download (or a `warmstart` child process) needs: HF_ENDPOINT, HF_HOME, HF_HUB_OFFLINE=0. */
  env: { HF_ENDPOINT: string; HF_HOME: string; HF_HUB_OFFLINE: string };
  /** Stops the server and removes the generated repositories and the cache. */
  close(): Promise<void>;
}

/**
 * Starts a loopback hub with Google's four uncased BERT miniatures and distilbert/distilgpt2 in their exact
 * layouts (tiny random models inside), plus an empty HF_HOME. Pass `env` to a download or a child process.
 */
export async function serveDemoHub(options: { bertFormat?: TorchSaveFormat } = {}): Promise<DemoHub> {
  const root = await mkdtemp(join(tmpdir(), "warmstart-demo-hub-"));
  try {
    const reposDir = join(root, "repos");
    const bertIds = Object.values(BERT_MINIATURES);
    const repos: TestRepo[] = [];
    for (const id of bertIds) {
      await writeBertRepo(join(reposDir, id), id, options.bertFormat ?? "legacy");
      repos.push({ id, files: await repoFilesFromDir(join(reposDir, id)), lfs: isLfs });
    }
    await writeDistilgpt2Repo(join(reposDir, DEFAULT_HUB_GPT2));
    repos.push({ id: DEFAULT_HUB_GPT2, files: await repoFilesFromDir(join(reposDir, DEFAULT_HUB_GPT2)), lfs: isLfs });
    const hfHome = join(root, "hf-home");
    await mkdir(hfHome);
    const hub = await startTestHub({ repos });
    return {
      hub,
      bertIds,
      gpt2Id: DEFAULT_HUB_GPT2,
      reposDir,
      hfHome,
      env: { HF_ENDPOINT: hub.url, HF_HOME: hfHome, HF_HUB_OFFLINE: "0" },
      async close() {
        try {
          await hub.close();
        } finally {
          await rm(root, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
