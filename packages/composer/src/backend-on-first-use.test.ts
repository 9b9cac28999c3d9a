// The public API needs no initBackend() call, as transformers.js and Python users expect: async entry points pick
// the backend initBackend() would, and synchronous ones say which call to make. The backend is process-global, so
// each case runs in a fresh child process where nothing has started one.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";

const composerModule = fileURLToPath(new URL("./index.ts", import.meta.url));
// The package folder, so that the child's bare imports (@warmstart/tensors, @warmstart/encoders) resolve as ours do.
const packageRoot = fileURLToPath(new URL("..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "composer-first-use-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const TINY_BERT = {
  model_type: "bert",
  vocab_size: 24,
  hidden_size: 8,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 16,
  max_position_embeddings: 16,
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
};

/** Runs `body` in a fresh Node process with the composer's exports as `composer`; returns the JSON it printed last. */
function runChild(body: string): unknown {
  const script = `const composer = await import(${JSON.stringify(composerModule)});\n${body}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The automatic choice is under test: a forced backend would bypass it.
  delete env.WARMSTART_BACKEND;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: packageRoot,
    encoding: "utf8",
    env,
    timeout: 180_000,
  });
  assert.equal(child.status, 0, `child failed:\n${child.stderr}`);
  const lines = child.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] ?? "null");
}

test("fromEncoderDecoderPretrained, savePretrained, then fromPretrained and generate in a fresh process, with no backend call", () => {
  const dir = join(scratch, "bert2bert");
  const saved = runChild(`
    const model = await composer.EncoderDecoderModel.fromEncoderDecoderPretrained(null, null, {
      encoderConfig: ${JSON.stringify(TINY_BERT)},
      decoderConfig: ${JSON.stringify(TINY_BERT)},
      decoderStartTokenId: 2, eosTokenId: 3, padTokenId: 0,
    });
    await model.savePretrained(${JSON.stringify(dir)});
    model.dispose();
    console.log(JSON.stringify({ saved: true }));
  `);
  assert.deepEqual(saved, { saved: true });
  assert.ok(readdirSync(dir).includes("model.safetensors"));

  const loaded = runChild(`
    const { initBackend, tf } = await import("@warmstart/tensors");
    const model = await composer.EncoderDecoderModel.fromPretrained(${JSON.stringify(dir)});
    const active = tf.getBackend();
    const { sequences } = await model.generate(
      { inputIds: [[2, 5, 6, 7, 3]], attentionMask: [[1, 1, 1, 1, 1]] },
      { maxNewTokens: 4, numBeams: 1 },
    );
    // initBackend() now returns its memoised choice: the one the first use made, if it was the automatic one.
    const choice = await initBackend();
    console.log(JSON.stringify({ active, chosen: choice.backend, sequences }));
  `) as { active: string; chosen: string; sequences: number[][] };
  assert.equal(loaded.active, loaded.chosen, "the first use picks what initBackend() picks");
  assert.equal(loaded.sequences.length, 1);
  const [row] = loaded.sequences;
  assert.equal(row?.[0], 2, "generation starts at decoder_start_token_id");
  assert.ok(row !== undefined && row.length >= 2 && row.length <= 5, JSON.stringify(row));
});

test("a synchronous constructor before any backend is a BackendError that names the call to make", () => {
  const result = runChild(`
    const { BertModel } = await import("@warmstart/encoders");
    const errorOf = (build) => {
      try { build(); return null; } catch (error) { return { name: error.name, code: error.code, message: error.message }; }
    };
    const config = composer.EncoderDecoderConfig.fromSubConfigs(${JSON.stringify(TINY_BERT)}, ${JSON.stringify(TINY_BERT)});
    console.log(JSON.stringify({
      composed: errorOf(() => composer.EncoderDecoderModel.fromConfig(config)),
      encoder: errorOf(() => BertModel.fromConfig(${JSON.stringify(TINY_BERT)})),
    }));
  `) as Record<"composed" | "encoder", { name: string; code: string; message: string } | null>;
  for (const [entry, error] of [
    ["EncoderDecoderModel.fromConfig", result.composed],
    ["BertModel.fromConfig", result.encoder],
  ] as const) {
    assert.ok(error !== null, `${entry} did not throw`);
    assert.equal(error.name, "BackendError");
    assert.equal(error.code, "BACKEND_NOT_INITIALISED");
    assert.ok(error.message.includes(entry), error.message);
    assert.match(error.message, /await initBackend\(\)/);
    assert.doesNotMatch(error.message, /has not yet been initialized/);
  }
});
