/*
 * Guarantee: a full disk never damages what was there before. savePretrained over a saved model, a
 * trainer checkpoint after an earlier one, and a Hub download into a cache holding another model are
 * run in a child whose data writes fail with ENOSPC from a chosen operation on (kill-switch.ts,
 * WARMSTART_ENOSPC_AT_OP), at every data write of a dry run (up to WARMSTART_FAULT_KILLS of them).
 * Each must fail with a typed error saying the disk is full and where, and leave the previous state
 * byte for byte as it was, with no temporary left behind.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";
import { startTestHub, type TestHub } from "@warmstart/hub/testing";
import { startChild } from "./test-support/child.js";
import { cacheProblems } from "./test-support/hub-cache.js";
import { DATA_WRITES, inBatches } from "./test-support/kill-plan.js";
import { killCount } from "./test-support/rng.js";
import { createTally } from "./test-support/tally.js";

const tally = createTally("full disk");
let root: string;
let hub: TestHub;
const first: Record<string, Buffer> = {
  "config.json": Buffer.from(JSON.stringify({ model_type: "bert", hidden_size: 8 })),
  "model.safetensors": randomBytes(24 * 1024),
};
const second: Record<string, Buffer> = {
  "config.json": Buffer.from(JSON.stringify({ model_type: "bert", hidden_size: 16 })),
  "tokenizer.json": Buffer.from(JSON.stringify({ version: "1.0", padding: "z".repeat(5000) })),
  "model.safetensors": randomBytes(48 * 1024),
};

before(async () => {
  root = await mkdtemp(join(tmpdir(), "faults-disk-full-"));
  hub = await startTestHub({
    repos: [
      { id: "faults/first", files: first },
      { id: "faults/second", files: second },
    ],
  });
});

after(async () => {
  await hub.close();
  await rm(root, { recursive: true, force: true });
});

/** Every file under `dir` (links followed) with its bytes, by relative path; hidden names included. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    if (statSync(full).isFile()) out.set(relative(dir, full), readFileSync(full));
  }
  return out;
}

function treeDifferences(actual: Map<string, Buffer>, expected: Map<string, Buffer>, what: string): string[] {
  const problems: string[] = [];
  for (const [path, bytes] of expected) {
    const other = actual.get(path);
    if (other === undefined) problems.push(`${what}: ${path} is gone`);
    else if (!other.equals(bytes)) problems.push(`${what}: ${path} changed`);
  }
  for (const path of actual.keys()) if (!expected.has(path)) problems.push(`${what}: ${path} appeared`);
  return problems;
}

interface Outcome {
  error: { name: string; code: string; message: string } | null;
  refused: number;
}

async function runTarget(
  target: string,
  workDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ outcome: Outcome; opsLine: string }> {
  const child = startChild("disk-full.ts", [target, workDir, hub.url], env);
  const { code } = await child.exited;
  const output = child.output();
  assert.equal(code, 0, `the ${target} child failed:\n${output}`);
  const errorLine = /^error (.*)$/m.exec(output);
  return {
    outcome: {
      error: errorLine === null ? null : (JSON.parse(errorLine[1] as string) as Outcome["error"]),
      refused: Number(/^refused (\d+)$/m.exec(output)?.[1] ?? "0"),
    },
    opsLine: (/^ops .*$/m.exec(output)?.[0] ?? "") as string,
  };
}

/** The operation numbers of the data writes a dry run made, evenly thinned to `limit`. */
function dataWriteOps(opsLine: string, limit: number): number[] {
  const kinds = (/^ops \d+ ?(.*)$/.exec(opsLine)?.[1] ?? "").split(",").filter((k) => k !== "");
  const writes = kinds.flatMap((kind, i) => (DATA_WRITES.has(kind) ? [i + 1] : []));
  if (writes.length <= limit) return writes;
  return Array.from({ length: limit }, (_, i) => writes[Math.floor((i * writes.length) / limit)] as number);
}

/**
 * Runs `target` once with room on the disk (to learn its data writes), then with the disk filling at
 * each of them; `check` compares what is left with the previous state. Returns every problem found.
 */
async function fillAtEveryWrite(
  target: string,
  check: (workDir: string, error: NonNullable<Outcome["error"]>) => string[],
): Promise<string[]> {
  const dry = join(root, `${target}-dry`);
  const { opsLine, outcome } = await runTarget(target, dry);
  assert.equal(outcome.error, null, `the dry ${target} run failed: ${JSON.stringify(outcome.error)}`);
  const ops = dataWriteOps(opsLine, killCount(8));
  assert.ok(ops.length > 0, `the ${target} dry run made no data writes: ${opsLine}`);
  const results = await inBatches(ops, 4, async (op, i) => {
    const workDir = join(root, `${target}-${i}`);
    const { outcome: full } = await runTarget(target, workDir, { WARMSTART_ENOSPC_AT_OP: String(op) });
    if (full.refused === 0 || full.error === null) {
      return [`${target}, disk full from operation ${op}: no write was refused (${JSON.stringify(full)})`];
    }
    tally.killsInjected += 1;
    tally.filesFuzzed += 1;
    const problems = check(workDir, full.error);
    if (!full.error.message.includes("the disk is full (ENOSPC)")) {
      problems.push(
        `${target}, operation ${op}: the error does not say the disk is full: ${full.error.name} ${full.error.code}: ${full.error.message}`,
      );
    }
    return problems.map((p) => `${target}, disk full from operation ${op}: ${p}`);
  });
  const problems = results.flat();
  tally.corruptFilesFound += problems.filter((p) =>
    /changed|gone|appeared|holds other bytes|differs|lacks/.test(p),
  ).length;
  return problems;
}

test("savePretrained on a full disk leaves the previous save byte for byte and says the disk is full", async () => {
  const problems = await fillAtEveryWrite("save", (dir, error) => {
    const expected = tree(join(dir, "previous-state"));
    const found = expected.has("model.safetensors") ? [] : ["the previous save has no model.safetensors"];
    found.push(...treeDifferences(tree(join(dir, "out")), expected, "out"));
    if (error.code !== "SAVE_FAILED") found.push(`error ${error.name} ${error.code}, not SAVE_FAILED`);
    if (!error.message.includes(join(dir, "out"))) {
      found.push(`the error does not name ${join(dir, "out")}: ${error.message}`);
    }
    const stray = readdirSync(dir).filter((name) => name !== "out" && name !== "previous-state");
    if (stray.length > 0) found.push(`left behind: ${stray.join(", ")}`);
    return found;
  });
  assert.deepEqual(problems, []);
});

test("a trainer checkpoint on a full disk leaves checkpoint-1 byte for byte, the log's lines, and says the disk is full", async () => {
  const problems = await fillAtEveryWrite("checkpoint", (dir, error) => {
    const expected = tree(join(dir, "previous-state"));
    const complete = expected.has(join("checkpoint-1", "model.safetensors")) && expected.has("training_log.jsonl");
    const found = complete ? [] : ["the previous run has no checkpoint-1 or log"];
    // The log may have gained step 2's line before the checkpoint write failed (as before a kill: a resume
    // rewrites it to the checkpoint's history); its earlier lines must stay as they were.
    const log = "training_log.jsonl";
    const actual = tree(join(dir, "run"));
    const before = expected.get(log) ?? Buffer.alloc(0);
    const now = actual.get(log) ?? Buffer.alloc(0);
    if (!now.subarray(0, before.length).equals(before)) found.push(`run: the earlier lines of ${log} changed`);
    actual.delete(log);
    expected.delete(log);
    found.push(...treeDifferences(actual, expected, "run"));
    if (error.code !== "CHECKPOINT_WRITE_FAILED" && error.code !== "LOG_WRITE_FAILED") {
      found.push(`error ${error.name} ${error.code}, not CHECKPOINT_WRITE_FAILED or LOG_WRITE_FAILED`);
    }
    if (!error.message.includes(join(dir, "run"))) {
      found.push(`the error does not name ${join(dir, "run")}: ${error.message}`);
    }
    return found;
  });
  assert.deepEqual(problems, []);
});

test("a Hub download on a full disk leaves the cached model byte for byte, no corrupt file, and says the disk is full", async () => {
  const problems = await fillAtEveryWrite("download", (dir, error) => {
    const expected = tree(join(dir, "previous-state", "models--faults--first"));
    const found = expected.has("refs/main") ? [] : ["the previous cache has no refs/main"];
    found.push(
      ...treeDifferences(tree(join(dir, "cache", "models--faults--first")), expected, "models--faults--first"),
    );
    found.push(...cacheProblems(join(dir, "cache", "models--faults--second"), second, Object.keys(second)));
    if (error.name !== "HubError" || error.code !== "CACHE_IO") {
      found.push(`error ${error.name} ${error.code}, not HubError CACHE_IO`);
    }
    if (!error.message.includes(join(dir, "cache"))) {
      found.push(`the error does not name the cache ${join(dir, "cache")}: ${error.message}`);
    }
    return found;
  });
  assert.deepEqual(problems, []);
});
