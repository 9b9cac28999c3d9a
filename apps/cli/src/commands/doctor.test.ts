// `warmstart doctor` end to end through the built binary: the report's fields, checked against what the libraries
// themselves say about this machine (so the test holds with or without the native addon, OpenBLAS or a GPU).
import assert from "node:assert/strict";
import { test } from "node:test";
import { BACKEND_ORDER, nativeBuildInfo } from "@warmstart/tensors";
import { tokenizerBindingInfo } from "@warmstart/tokenizers";
import { runCli } from "../test-support/run-cli.js";
import type { DoctorReport } from "./doctor.js";

function withoutForcedBackend(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.WARMSTART_BACKEND;
  return env;
}

test("doctor --json: the automatic backend and why each faster one was skipped, the native build, threads, tokenizer, Node", async () => {
  const run = await runCli(["doctor", "--json"], { env: withoutForcedBackend() });
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as DoctorReport;
  assert.equal(report.ok, true);
  assert.deepEqual(report.node, {
    ...report.node,
    version: process.version,
    platform: process.platform,
    arch: process.arch,
  });
  assert.ok(report.node.cores >= 1);

  // Every backend before the chosen one in BACKEND_ORDER is listed with a reason, and none after it.
  const chosenAt = BACKEND_ORDER.indexOf(report.backend.chosen);
  assert.ok(chosenAt >= 0, report.backend.chosen);
  assert.deepEqual(
    report.backend.skipped.map((s) => s.backend),
    BACKEND_ORDER.slice(0, chosenAt),
  );
  for (const { reason } of report.backend.skipped) assert.ok(reason.length > 0);
  assert.equal(report.backend.forcedBy, null);

  // The native section is what @warmstart/tensors-native says about its own build.
  const build = await nativeBuildInfo();
  assert.equal(report.native.available, build.available);
  if (build.available && report.native.available) {
    assert.equal(report.native.blas, build.blas);
    assert.equal(report.native.kernel, build.kernel);
    assert.ok(report.native.threads !== null && report.native.threads >= 1);
    if (build.blas === "bundled") {
      assert.ok(
        report.suggestions.some((s) => s.includes("libopenblas-dev")),
        report.suggestions.join("\n"),
      );
    }
    // tfjs-node(-gpu) and webgpu are the only backends tried before native.
    if (report.backend.skipped.every((s) => s.backend !== "native")) {
      assert.ok(chosenAt <= BACKEND_ORDER.indexOf("native"));
    }
  } else {
    assert.ok(report.backend.skipped.some((s) => s.backend === "native"));
    assert.ok(
      report.suggestions.some((s) => s.includes("build:native")),
      report.suggestions.join("\n"),
    );
  }
  assert.equal(typeof report.wasm.simd, "boolean");
  assert.deepEqual(report.tokenizer, tokenizerBindingInfo());
});

test("doctor names a forced backend and prints a readable report without --json", async () => {
  const run = await runCli(["doctor"], { env: { ...withoutForcedBackend(), WARMSTART_BACKEND: "cpu" } });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^backend: +cpu \(forced by WARMSTART_BACKEND=cpu\)$/m);
  for (const field of ["node", "native", "wasm", "webgpu", "tokenizer"]) {
    assert.match(run.stdout, new RegExp(`^${field}: `, "m"));
  }
  assert.match(run.stdout, new RegExp(`tokenizers ${tokenizerBindingInfo().version.replaceAll(".", "\\.")}`));
});
