// The wasm backend on 1 against 2 (or more) threads, in the same run: plain 2-D sgemm 512x768x3072 and a
// BERT-base-shaped encoder layer stack (batch 8, seq 128: linear q/k/v/o, per-head attention products,
// GELU FFN, residual + LayerNorm). Each thread count runs in its own process (a process creates the wasm
// module once), alternating ROUNDS times; prints JSON with the load average around each child.
// Run: node --import tsx packages/tensors/bench/wasm_threads.ts   (THREADS=1,2 ROUNDS=2 LAYERS=2 REPS=3)
import { spawnSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { medianMs } from "./timing.js";
import { createRandom, gelu, initBackend, layerNorm, linear, tf } from "../src/index.js";

const LAYERS = Number(process.env.LAYERS ?? 2);
const REPS = Number(process.env.REPS ?? 3);

async function child(): Promise<void> {
  const choice = await initBackend({ backend: "wasm" });
  const random = createRandom(0);
  const [m, k, n] = [512, 768, 3072];
  const a = random.normal([m, k], 1);
  const b = random.normal([k, n], 1);
  const sgemmMs = medianMs(() => tf.matMul(a, b), REPS + 2);

  const [batch, seq, hidden, heads, ffn] = [8, 128, 768, 12, 3072];
  const dense = (inputs: number, outputs: number) => ({
    weight: random.normal([outputs, inputs], 0.02),
    bias: tf.zeros([outputs]),
  });
  const layers = Array.from({ length: LAYERS }, () => ({
    q: dense(hidden, hidden),
    k: dense(hidden, hidden),
    v: dense(hidden, hidden),
    o: dense(hidden, hidden),
    up: dense(hidden, ffn),
    down: dense(ffn, hidden),
    gamma: tf.ones([hidden]),
    beta: tf.zeros([hidden]),
  }));
  const headsOf = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [batch, seq, heads, hidden / heads]), [0, 2, 1, 3]);
  const forward = (input: tf.Tensor) => {
    let h = input;
    for (const layer of layers) {
      const project = (p: { weight: tf.Tensor; bias: tf.Tensor }, x: tf.Tensor) =>
        linear(x, p.weight, p.bias, "out_in");
      const scores = tf.matMul(headsOf(project(layer.q, h)), headsOf(project(layer.k, h)), false, true);
      const context = tf.matMul(
        tf.softmax(tf.mul(scores, 1 / Math.sqrt(hidden / heads))),
        headsOf(project(layer.v, h)),
      );
      const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, seq, hidden]);
      h = layerNorm(tf.add(h, project(layer.o, merged)), layer.gamma, layer.beta, 1e-12);
      h = layerNorm(tf.add(h, project(layer.down, gelu(project(layer.up, h)))), layer.gamma, layer.beta, 1e-12);
    }
    return h;
  };
  const input = random.normal([batch, seq, hidden], 1);
  const encoderMs = medianMs(() => forward(input), REPS);
  console.log(
    JSON.stringify({
      threads: choice.wasmThreads,
      sgemmGflops: Number(((2 * m * k * n) / sgemmMs / 1e6).toFixed(1)),
      encoderLayers: LAYERS,
      encoderTokensPerSecond: Math.round((batch * seq) / (encoderMs / 1000)),
    }),
  );
}

function parent(): void {
  const counts = (process.env.THREADS ?? "1,2").split(",");
  const rounds = Number(process.env.ROUNDS ?? 2);
  const runs: unknown[] = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const threads of counts) {
      const loadBefore = loadavg();
      const result = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child"], {
        encoding: "utf8",
        env: { ...process.env, WARMSTART_WASM_THREADS: threads },
      });
      if (result.status !== 0) throw new Error(`child with ${threads} threads failed: ${result.stderr}`);
      runs.push({ ...JSON.parse(result.stdout), loadBefore, loadAfter: loadavg() });
    }
  }
  console.log(JSON.stringify({ cores: availableParallelism(), runs }, null, 2));
}

if (process.argv.includes("--child")) await child();
else parent();
