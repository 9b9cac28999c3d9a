// Makes apps/docs/demo-model/, the model the docs site's in-browser demo runs, from a `warmstart demo` run:
//
//   pnpm --filter @warmstart/docs import-demo-model --from <demo out dir> [--composition BERTShare] [--out demo-model]
//     [--max-length 64] [--max-input-length 64]
//
// It reads <from>/models/<composition>/ and <from>/results.json, writes model.safetensors in half precision
// (each tensor tied between encoder and decoder once: half the download of both names), copies config.json,
// generation_config.json and the tokenizer files (decoder_tokenizer/ too when there is one), and writes
// provenance.json: the run, the composition's test scores in it, a few test examples for the page, and the
// sha256 of every file. The F16 copy is checked before anything is written: it must load with fromPretrained and
// its greedy outputs are compared with the float32 model's on the run's first test examples.
// --max-length / --max-input-length are the demo's maxTargetLength / maxSourceLength (64 in both budgets);
// results.json does not record them.
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { brotliCompressSync, constants as zlibConstants } from "node:zlib";
import { EncoderDecoderModel } from "@warmstart/composer";
import { WarmstartError } from "@warmstart/core";
import { initBackend, tf, writeSafetensors } from "@warmstart/tensors";
import { generateDemoOutput } from "../src/demo/generation.js";
import { DECODER_TOKENIZER_DIR } from "../src/demo/load-model.js";
import { COMPRESSED_SUFFIX, nativeTokenizers } from "../src/demo/node-reference.js";
import {
  DEMO_METRIC_KEYS,
  parseDemoProvenance,
  type DemoExample,
  type DemoMetricKey,
  type DemoProvenance,
  type DemoScore,
} from "../src/demo/provenance.js";

class DemoImportError extends WarmstartError<"BAD_ARGUMENT" | "MISSING_FILE" | "NO_SUCH_COMPOSITION" | "BAD_RESULTS"> {
  override readonly name = "DemoImportError";
}

const app = resolve(fileURLToPath(new URL("..", import.meta.url)));
const MODEL_FILES = ["config.json", "generation_config.json"];
const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"];
/** Example buttons per direction, and test examples the F16 copy's greedy outputs are compared on. */
const EXAMPLES_PER_DIRECTION = 3;
const AGREEMENT_EXAMPLES = 20;

const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

function positiveInteger(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new DemoImportError("BAD_ARGUMENT", `${flag}: expected a positive integer, got "${value}"`);
  }
  return n;
}

interface RunResults {
  budget: string;
  seed: number;
  checkpoints: DemoProvenance["run"]["checkpoints"];
  data: DemoProvenance["run"]["data"];
  baseline: { scores: Record<DemoMetricKey, DemoScore> };
  compositions: {
    name: string;
    parameters: DemoProvenance["parameters"];
    scores: Record<DemoMetricKey, DemoScore>;
    finalLoss: number | null;
    predictions: string[];
  }[];
  examples?: { direction: "fuse" | "split"; kind: string; source: string; target: string }[];
}

function readResults(path: string): RunResults {
  if (!existsSync(path)) {
    throw new DemoImportError("MISSING_FILE", `${path} is missing: --from must be a warmstart demo --out folder`);
  }
  const json = JSON.parse(readFileSync(path, "utf8")) as Partial<RunResults>;
  for (const key of ["budget", "seed", "checkpoints", "data", "baseline", "compositions", "examples"] as const) {
    if (json[key] === undefined) {
      throw new DemoImportError("BAD_RESULTS", `${path}: no "${key}" (not a warmstart demo results.json?)`);
    }
  }
  return json as RunResults;
}

/** The last optimiser step the trainer logged (training_log.jsonl of the model folder). */
function fineTuneSteps(modelDir: string): number {
  const path = join(modelDir, "training_log.jsonl");
  if (!existsSync(path)) {
    throw new DemoImportError("MISSING_FILE", `${path} is missing (written by the demo's fine-tuning)`);
  }
  let last = 0;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const step = (JSON.parse(line) as { step?: unknown }).step;
    if (typeof step === "number" && step > last) last = step;
  }
  return last;
}

/** Every distinct variable once, under the first name that owns it (namedParameters lists the encoder first). */
function distinctTensors(model: EncoderDecoderModel): Map<string, tf.Variable> {
  const seen = new Set<tf.Variable>();
  const out = new Map<string, tf.Variable>();
  for (const [name, variable] of model.namedParameters()) {
    if (seen.has(variable)) continue;
    seen.add(variable);
    out.set(name, variable);
  }
  return out;
}

function maxAbsDifference(a: EncoderDecoderModel, b: EncoderDecoderModel): number {
  const other = b.namedParameters();
  let worst = 0;
  for (const [name, variable] of a.namedParameters()) {
    const twin = other.get(name);
    if (twin === undefined) throw new Error(`the F16 copy has no ${name}`);
    worst = Math.max(
      worst,
      tf.tidy(() => tf.max(tf.abs(tf.sub(variable, twin))).dataSync()[0] ?? Number.NaN),
    );
  }
  return worst;
}

function pickExamples(results: RunResults): DemoExample[] {
  const picked: DemoExample[] = [];
  for (const direction of ["fuse", "split"] as const) {
    const ofDirection = (results.examples ?? []).filter((e) => e.direction === direction);
    for (const e of ofDirection.slice(0, EXAMPLES_PER_DIRECTION)) {
      picked.push({ direction, kind: e.kind, source: e.source, reference: e.target });
    }
  }
  return picked;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: "string" },
      composition: { type: "string", default: "BERTShare" },
      out: { type: "string" },
      "max-length": { type: "string" },
      "max-input-length": { type: "string" },
    },
  });
  if (values.from === undefined) {
    throw new DemoImportError("BAD_ARGUMENT", "--from <warmstart demo --out folder> is required");
  }
  const from = resolve(values.from);
  const name = values.composition;
  const out = resolve(values.out ?? join(app, "demo-model"));
  const generation = {
    numBeams: 1 as const,
    maxLength: positiveInteger(values["max-length"], 64, "--max-length"),
    maxInputLength: positiveInteger(values["max-input-length"], 64, "--max-input-length"),
  };
  const resultsPath = join(from, "results.json");
  const results = readResults(resultsPath);
  const result = results.compositions.find((c) => c.name === name);
  if (result === undefined) {
    throw new DemoImportError(
      "NO_SUCH_COMPOSITION",
      `${resultsPath} has no composition "${name}"; it has ${results.compositions.map((c) => c.name).join(", ") || "none"}`,
    );
  }
  const modelDir = join(from, "models", name);
  for (const file of [...MODEL_FILES, "model.safetensors", ...TOKENIZER_FILES.slice(0, 1)]) {
    if (!existsSync(join(modelDir, file))) {
      throw new DemoImportError("MISSING_FILE", `${join(modelDir, file)} is missing`);
    }
  }

  await initBackend();
  const staging = mkdtempSync(join(tmpdir(), "demo-model-"));
  try {
    const original = await EncoderDecoderModel.fromPretrained(modelDir);
    original.eval();
    const tensors = distinctTensors(original);
    await writeSafetensors(join(staging, "model.safetensors"), tensors, { format: "pt" }, { floatDtype: "F16" });
    for (const file of MODEL_FILES) copyFileSync(join(modelDir, file), join(staging, file));
    const decoderDir = join(modelDir, DECODER_TOKENIZER_DIR);
    const tokenizerDirs = existsSync(join(decoderDir, "tokenizer.json")) ? ["", DECODER_TOKENIZER_DIR] : [""];
    for (const dir of tokenizerDirs) {
      mkdirSync(join(staging, dir), { recursive: true });
      for (const file of TOKENIZER_FILES) {
        if (existsSync(join(modelDir, dir, file))) copyFileSync(join(modelDir, dir, file), join(staging, dir, file));
      }
    }

    // The copy must load as a checkpoint and compute (nearly) what the float32 model computes.
    const copy = await EncoderDecoderModel.fromPretrained(staging);
    copy.eval();
    const worst = maxAbsDifference(original, copy);
    const tokenizers = await nativeTokenizers(staging);
    const sources = (results.examples ?? []).slice(0, AGREEMENT_EXAMPLES).map((e) => e.source);
    let same = 0;
    for (const source of sources) {
      const a = await generateDemoOutput(original, tokenizers, source, generation);
      const b = await generateDemoOutput(copy, tokenizers, source, generation);
      if (a.ids.join() === b.ids.join()) same++;
    }
    original.dispose();
    copy.dispose();
    console.log(
      `import-demo-model: ${tensors.size} tensors in F16, max |difference| ${worst.toExponential(2)}; ` +
        `greedy outputs equal to float32 on ${same} of ${sources.length} test examples`,
    );

    const files: DemoProvenance["files"] = {};
    const list = (dir: string): string[] =>
      readdirSync(join(staging, dir), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? list(join(dir, entry.name)) : [join(dir, entry.name)],
      );
    for (const file of list("").sort()) {
      const bytes = readFileSync(join(staging, file));
      files[file.split("\\").join("/")] = { bytes: bytes.length, sha256: sha256(bytes) };
    }
    const provenance: DemoProvenance = {
      format: 1,
      composition: name,
      run: {
        budget: results.budget,
        seed: results.seed,
        checkpoints: results.checkpoints,
        data: {
          train: results.data.train,
          validation: results.data.validation,
          test: results.data.test,
          scored: results.data.scored,
        },
        fineTuneSteps: fineTuneSteps(modelDir),
        finalLoss: result.finalLoss,
        resultsSha256: sha256(readFileSync(resultsPath)),
      },
      parameters: result.parameters,
      scores: Object.fromEntries(DEMO_METRIC_KEYS.map((k) => [k, result.scores[k]])) as DemoProvenance["scores"],
      baseline: Object.fromEntries(
        DEMO_METRIC_KEYS.map((k) => [k, results.baseline.scores[k]]),
      ) as DemoProvenance["baseline"],
      generation,
      storage: {
        dtype: "F16",
        tensors: tensors.size,
        maxAbsDifference: worst,
        sameGreedyOutputs: { same, of: sources.length },
      },
      examples: pickExamples(results),
      files,
      imported: {
        at: new Date().toISOString(),
        command: [
          "pnpm --filter @warmstart/docs import-demo-model",
          `--from ${values.from}`,
          `--composition ${name}`,
          `--max-length ${generation.maxLength}`,
          `--max-input-length ${generation.maxInputLength}`,
        ].join(" "),
      },
    };
    parseDemoProvenance(provenance, "the provenance written");
    writeFileSync(join(staging, "provenance.json"), `${JSON.stringify(provenance, null, 2)}\n`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    for (const file of [...Object.keys(files), "provenance.json"]) {
      mkdirSync(join(out, file, ".."), { recursive: true });
      // The weights are committed brotli-compressed (see COMPRESSED_SUFFIX); materializeDemoModel restores them.
      if (file === "model.safetensors") {
        const quality = { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: zlibConstants.BROTLI_MAX_QUALITY } };
        writeFileSync(
          join(out, file + COMPRESSED_SUFFIX),
          brotliCompressSync(readFileSync(join(staging, file)), quality),
        );
      } else {
        copyFileSync(join(staging, file), join(out, file));
      }
    }
    const size = Object.values(files).reduce((sum, f) => sum + f.bytes, 0);
    console.log(
      `import-demo-model: ${name} of ${basename(from)} → ${relative(process.cwd(), out) || "."} ` +
        `(${(size / 1e6).toFixed(2)} MB; SARI ${result.scores.sari.score.toFixed(1)}, exact match ${result.scores.exact_match.score.toFixed(1)})`,
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

await main();
