// Loading never modifies what it loads (as in transformers): fromPretrained renames, deletes and writes nothing,
// not even to undo a save killed between its two renames (it reads the previous save where it lies aside; the
// next savePretrained puts it back), and a Hub id touches nothing outside the Hub cache.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";
import { repoFilesFromDir, startTestHub } from "@warmstart/hub/testing";
import { initBackend } from "@warmstart/tensors";
import { EncoderDecoderModel } from "./encoder-decoder-model.js";
import { saveTinyBert2Bert, TWO_INPUTS } from "./generation/test-support/oracle-fixtures.js";

const scratch = mkdtempSync(join(tmpdir(), "composer-load-readonly-"));
let saved = "";
after(() => {
  rmSync(scratch, { recursive: true, force: true });
  if (saved !== "") rmSync(saved, { recursive: true, force: true });
});
before(async () => {
  await initBackend({ backend: "cpu" });
  saved = await saveTinyBert2Bert("composer-load-readonly-model-", { seed: 5 });
});

/** Every entry under `root`: its kind, its modification time and, for a file, the SHA-256 of its bytes. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      const key = relative(root, path);
      if (stat.isDirectory()) {
        out.set(key, `dir ${stat.mtimeMs}`);
        visit(path);
      } else {
        const hash = stat.isFile() ? createHash("sha256").update(readFileSync(path)).digest("hex") : "link";
        out.set(key, `${hash} ${stat.size} ${stat.mtimeMs}`);
      }
    }
  };
  visit(root);
  return out;
}

const BATCH = { inputIds: TWO_INPUTS.input_ids, attentionMask: TWO_INPUTS.attention_mask, decoderInputIds: [[2], [2]] };

async function logitsOf(idOrPath: string, options: Parameters<typeof EncoderDecoderModel.fromPretrained>[1] = {}) {
  const model = await EncoderDecoderModel.fromPretrained(idOrPath, options);
  try {
    return Array.from(model.forward(BATCH).logits.dataSync());
  } finally {
    model.dispose();
  }
}

test("a folder left by a save killed between its renames loads from where the previous save lies, and is left byte-identical", async () => {
  const expected = await logitsOf(saved);
  const parent = join(scratch, "interrupted");
  mkdirSync(parent);
  const target = join(parent, "model");
  // What a SIGKILL right after savePretrained moved the old folder aside leaves: no `model`, the complete old one
  // beside it (the same names @warmstart/core/fs's folder swap uses).
  cpSync(saved, join(parent, ".model.old-4242-0badcafe"), { recursive: true });
  const before = snapshot(parent);

  const warnings: string[] = [];
  assert.deepEqual(await logitsOf(target, { warn: (message) => warnings.push(message) }), expected);
  assert.deepEqual(snapshot(parent), before, "loading renamed, removed or wrote nothing");
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(warnings[0] as string, /interrupted/);
  assert.ok(warnings[0]?.includes(".model.old-4242-0badcafe"), warnings[0]);

  // The next save completes the recovery: the folder is back in place, with nothing left aside.
  const model = await EncoderDecoderModel.fromPretrained(target, { warn: () => {} });
  try {
    await model.savePretrained(target);
  } finally {
    model.dispose();
  }
  assert.deepEqual(readdirSync(parent), ["model"]);
  assert.deepEqual(await logitsOf(target), expected);
});

test("an intact folder is left byte-identical by loading it", async () => {
  cpSync(saved, join(scratch, "intact-model"), { recursive: true });
  const before = snapshot(scratch);
  await logitsOf(join(scratch, "intact-model"));
  assert.deepEqual(snapshot(scratch), before);
});

test("a Hub id touches nothing outside the Hub cache, even in the working folder", async () => {
  const hub = await startTestHub({ repos: [{ id: "readonly/bert2bert", files: await repoFilesFromDir(saved) }] });
  const work = join(scratch, "cwd");
  const cacheDir = join(scratch, "hub-cache");
  mkdirSync(work);
  const cwd = process.cwd();
  process.chdir(work);
  try {
    const beforeWork = snapshot(work);
    const beforeScratch = [...snapshot(scratch).keys()].filter((key) => !key.startsWith("hub-cache"));
    assert.deepEqual(
      await logitsOf("readonly/bert2bert", { hub: { hubUrl: hub.url, cacheDir } }),
      await logitsOf(saved),
    );
    assert.deepEqual(snapshot(work), beforeWork, "the working folder is untouched");
    const afterScratch = [...snapshot(scratch).keys()].filter((key) => !key.startsWith("hub-cache"));
    assert.deepEqual(afterScratch, beforeScratch, "nothing appeared outside the cache");
    assert.ok(readdirSync(cacheDir).includes("models--readonly--bert2bert"), "the download went to the cache");
  } finally {
    process.chdir(cwd);
    await hub.close();
  }
});
