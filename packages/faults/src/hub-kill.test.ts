/*
 * Guarantees: a Hub download killed at any moment never leaves a file in the cache that looks whole
 * but is not, and two processes downloading the same model into one cache at once both finish with
 * a correct cache. A loopback test hub behind a slow proxy serves a 96 KiB model, so kills land in
 * the middle of a file.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startTestHub, type TestHub } from "@warmstart/hub/testing";
import { startChild, sleep } from "./test-support/child.js";
import { cacheProblems } from "./test-support/hub-cache.js";
import { inBatches, killPlan } from "./test-support/kill-plan.js";
import { faultSeed, killCount, seeded } from "./test-support/rng.js";
import { startSlowProxy, type SlowProxy } from "./test-support/slow-proxy.js";
import { createTally } from "./test-support/tally.js";

const tally = createTally("hub download kills and concurrent caches");
const MODEL = "faults/tiny";
const served: Record<string, Buffer> = {
  "config.json": Buffer.from(JSON.stringify({ model_type: "bert", hidden_size: 8, padding: "x".repeat(6000) })),
  "tokenizer.json": Buffer.from(JSON.stringify({ version: "1.0", padding: "y".repeat(9000) })),
  "model.safetensors": randomBytes(96 * 1024),
};
const EXPECTED = Object.keys(served);
let root: string;
let hub: TestHub;
let proxy: SlowProxy;
let opsLine: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "faults-hub-"));
  hub = await startTestHub({ repos: [{ id: MODEL, files: served }] });
  proxy = await startSlowProxy(hub.url);
  const dry = startChild("download.ts", [proxy.url, join(root, "dry"), MODEL]);
  opsLine = await dry.waitForLine(/^ops \d+/, 60_000);
});

after(async () => {
  await proxy.close();
  await hub.close();
  await rm(root, { recursive: true, force: true });
});

const repoDir = (cache: string): string => join(cache, "models--faults--tiny");

test("a download killed at any file-system operation leaves no corrupt file, and the next run completes", async () => {
  const plan = killPlan(opsLine, killCount(12), faultSeed(5));
  const problems = await inBatches(plan, 4, async (op, i) => {
    const cache = join(root, `op-${i}`);
    const child = startChild("download.ts", [proxy.url, cache, MODEL], { WARMSTART_KILL_AT_OP: String(op) });
    const { code, signal } = await child.exited;
    // The number of writes depends on how the network chunks the body: a run may finish first.
    if (signal !== "SIGKILL" && code !== 0) return [`operation ${op}: the child failed (${child.output()})`];
    if (signal === "SIGKILL") tally.killsInjected += 1;
    tally.filesFuzzed += 1;
    return cacheProblems(repoDir(cache), served, EXPECTED).map((p) => `kill at operation ${op}: ${p}`);
  });
  tally.corruptFilesFound += problems.flat().filter((p) => !p.includes("the child failed")).length;
  assert.deepEqual(problems.flat(), []);
});

test("a download killed at random moments, again and again into one cache, ends with a correct cache", async () => {
  const cache = join(root, "timed");
  const random = seeded(faultSeed(6));
  const problems: string[] = [];
  for (let i = 0; i < killCount(6); i++) {
    const child = startChild("download.ts", [proxy.url, cache, MODEL]);
    await child.waitForLine(/^ready$/, 60_000);
    const delay = Math.floor(random() * 500);
    await sleep(delay);
    child.kill();
    const { signal } = await child.exited;
    if (signal === "SIGKILL") tally.killsInjected += 1;
    tally.filesFuzzed += 1;
    problems.push(...cacheProblems(repoDir(cache), served, EXPECTED).map((p) => `kill ${delay} ms after ready: ${p}`));
  }
  const last = startChild("download.ts", [proxy.url, cache, MODEL]);
  const folder = (await last.waitForLine(/^folder /, 60_000)).slice("folder ".length);
  for (const file of EXPECTED) assert.ok(readFileSync(join(folder, file)).equals(served[file] as Buffer), file);
  problems.push(...cacheProblems(repoDir(cache), served, EXPECTED));
  tally.corruptFilesFound += problems.length;
  assert.deepEqual(problems, []);
});

test("two processes downloading the same model into one cache at once both end with a correct cache", async () => {
  for (let round = 0; round < 2; round++) {
    const cache = join(root, `shared-${round}`);
    const children = [0, 1].map(() => startChild("download.ts", [proxy.url, cache, MODEL]));
    for (const child of children) {
      const folder = (await child.waitForLine(/^folder /, 60_000)).slice("folder ".length);
      assert.equal((await child.exited).code, 0, child.output());
      for (const file of EXPECTED) assert.ok(readFileSync(join(folder, file)).equals(served[file] as Buffer), file);
    }
    const problems = cacheProblems(repoDir(cache), served, EXPECTED);
    tally.corruptFilesFound += problems.length;
    tally.filesFuzzed += 1;
    assert.deepEqual(problems, []);
  }
});
