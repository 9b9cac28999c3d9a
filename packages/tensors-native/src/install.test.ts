import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { buildInfoOf, defaultThreads, probeAddon } from "./addon.js";
import { buildVariant, variantSkip } from "./test-support/variant.js";

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A throwaway copy of the package's install inputs, so a failed or skipped build cannot touch the real one. */
function scratchPackage(): string {
  const root = mkdtempSync(join(tmpdir(), "tensors-native-"));
  mkdirSync(join(root, "scripts"));
  mkdirSync(join(root, "native"));
  copyFileSync(join(packageRoot, "scripts", "install.mjs"), join(root, "scripts", "install.mjs"));
  copyFileSync(join(packageRoot, "binding.gyp"), join(root, "binding.gyp"));
  return root;
}

function install(
  root: string,
  env: NodeJS.ProcessEnv,
): { status: number | null; record: { built: boolean; reason: string } } {
  const result = spawnSync(process.execPath, [join(root, "scripts", "install.mjs")], { env, encoding: "utf8" });
  return {
    status: result.status,
    record: JSON.parse(readFileSync(join(root, "native-build.json"), "utf8")) as { built: boolean; reason: string },
  };
}

test("a skipped build still installs, and the loader reports why the backend is unavailable", () => {
  const root = scratchPackage();
  try {
    const { status, record } = install(root, { ...process.env, WARMSTART_NATIVE_SKIP_BUILD: "1" });
    assert.equal(status, 0);
    assert.equal(record.built, false);
    assert.match(record.reason, /WARMSTART_NATIVE_SKIP_BUILD=1/);
    const probe = probeAddon(root);
    assert.ok("reason" in probe);
    assert.match(probe.reason, /not built at install: build skipped: WARMSTART_NATIVE_SKIP_BUILD=1/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a failing build (no node-gyp on PATH) still exits 0 and records the failure", () => {
  const root = scratchPackage();
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: "/nonexistent", WARMSTART_NATIVE_SKIP_BUILD: "" };
    delete env.npm_config_node_gyp;
    const { status, record } = install(root, env);
    assert.equal(status, 0);
    assert.equal(record.built, false);
    assert.match(record.reason, /node-gyp/);
    const probe = probeAddon(root);
    assert.ok("reason" in probe && /not built at install/.test(probe.reason));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test(
  "a build that cannot compile still exits 0 and records built: false",
  { skip: spawnSync("sh", ["-c", "command -v cc"]).status !== 0 ? "no C compiler" : false },
  () => {
    const root = scratchPackage();
    try {
      writeFileSync(join(root, "native", "warmstart_native.c"), "#include <no_such_header_for_this_test.h>\n");
      const { status, record } = install(root, { ...process.env, WARMSTART_NATIVE_SKIP_BUILD: "" });
      assert.equal(status, 0);
      assert.equal(record.built, false);
      assert.doesNotMatch(record.reason, /skipped/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
);

test("thread count follows OPENBLAS_NUM_THREADS, else every core", () => {
  assert.equal(defaultThreads({ OPENBLAS_NUM_THREADS: "3" }), 3);
  assert.ok(defaultThreads({}) >= 1);
  assert.equal(defaultThreads({ OPENBLAS_NUM_THREADS: "zero" }), defaultThreads({}));
});

test("WARMSTART_NATIVE_BLAS naming no build is refused with the accepted values, and the install still exits 0", () => {
  const root = scratchPackage();
  try {
    const { status, record } = install(root, {
      ...process.env,
      WARMSTART_NATIVE_SKIP_BUILD: "",
      WARMSTART_NATIVE_BLAS: "mkl",
    });
    assert.equal(status, 0);
    assert.equal(record.built, false);
    assert.match(record.reason, /WARMSTART_NATIVE_BLAS=mkl: expected openblas, bundled or auto/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("WARMSTART_NATIVE_BLAS=openblas where no OpenBLAS links (here: no working compiler) says so instead of building", () => {
  const root = scratchPackage();
  try {
    const { status, record } = install(root, {
      ...process.env,
      WARMSTART_NATIVE_SKIP_BUILD: "",
      WARMSTART_NATIVE_BLAS: "openblas",
      CC: "false", // every OpenBLAS probe fails to compile, as on a machine without it
    });
    assert.equal(status, 0);
    assert.equal(record.built, false);
    assert.match(record.reason, /WARMSTART_NATIVE_BLAS=openblas but no usable OpenBLAS was found .*libopenblas-dev/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

const openblasSkip =
  variantSkip() ||
  (spawnSync("pkg-config", ["--exists", "openblas"]).status !== 0 ? "no OpenBLAS (pkg-config openblas)" : false);

test(
  "where OpenBLAS is installed, the default install builds against it and says which",
  { skip: openblasSkip },
  () => {
    const variant = buildVariant("auto");
    try {
      assert.equal(variant.record.built, true, variant.record.reason);
      assert.equal(variant.record.blas, "openblas");
      assert.match(
        variant.record.reason,
        /^built with OpenBLAS \d+\.\d+\.\d+ \(\w+ kernels, found by pkg-config openblas\)$/,
      );
      const info = buildInfoOf({ addon: variant.load() });
      assert.ok(info.available);
      assert.equal(info.blas, "openblas");
      assert.match(info.blasVersion ?? "", /^\d+\.\d+/);
    } finally {
      rmSync(variant.root, { recursive: true, force: true });
    }
  },
);
