#!/usr/bin/env node
// Install-time build of the native addon. It never fails the install: without a compiler or node-gyp, the
// package still installs, `native-build.json` records why, and `isAvailable()` reports it so @warmstart/tensors
// falls back to wasm. WARMSTART_NATIVE_SKIP_BUILD=1 skips the build (simulates a bare machine).
//
// Matrix products use OpenBLAS when it is found (pkg-config `openblas` or `cblas`, else cblas.h and -lopenblas
// on the compiler's own search paths, each confirmed by compiling and running a one-element sgemm), and the
// bundled GEMM (native/gemm.c) otherwise. WARMSTART_NATIVE_BLAS=openblas|bundled forces either.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const statusFile = join(root, "native-build.json");
const OPENBLAS_HINT = "Debian/Ubuntu: apt-get install libopenblas-dev; Fedora: dnf install openblas-devel";

/** Writes the install record and prints the one line saying what was built. */
function finish(built, reason, log = "", blas = null) {
  writeFileSync(
    statusFile,
    `${JSON.stringify({ built, reason, ...(blas ?? {}), date: new Date().toISOString(), node: process.version, log }, null, 2)}\n`,
  );
  console.log(`@warmstart/tensors-native: ${built ? reason : `not built (${reason}): the wasm backend will be used`}`);
  process.exit(0);
}

/** Output of a command, or undefined when it cannot run or fails. */
function output(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", ...options });
  return result.error === undefined && result.status === 0 ? result.stdout.trim() : undefined;
}

// A one-element product through cblas plus OpenBLAS's own introspection: it links only against OpenBLAS (not
// another cblas, whose missing openblas_* symbols would make the addon fail to load) and prints its build line.
const PROBE = `#include <cblas.h>
#include <stdio.h>
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);
int main(void) {
  float a = 2.f, b = 3.f, c = 0.f;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, 1, 1, 1.f, &a, 1, &b, 1, 0.f, &c, 1);
  printf("%s\\n%s\\n", openblas_get_config(), openblas_get_corename());
  return c == 6.f ? 0 : 1;
}
`;

/** OpenBLAS's compile and link flags, version and core, or undefined when no usable OpenBLAS is found. */
function findOpenBlas() {
  const compiler = process.env.CC || "cc";
  const candidates = [];
  for (const name of ["openblas", "cblas"]) {
    const cflags = output("pkg-config", ["--cflags", name]);
    const libs = output("pkg-config", ["--libs", name]);
    if (cflags !== undefined && libs !== undefined) candidates.push({ source: `pkg-config ${name}`, cflags, libs });
  }
  candidates.push({ source: "compiler search paths", cflags: "", libs: "-lopenblas" });
  const dir = mkdtempSync(join(tmpdir(), "warmstart-blas-probe-"));
  try {
    writeFileSync(join(dir, "probe.c"), PROBE);
    for (const candidate of candidates) {
      const exe = join(dir, "probe");
      const split = (flags) => flags.split(/\s+/).filter((f) => f !== "");
      const built = output(compiler, [
        ...split(candidate.cflags),
        join(dir, "probe.c"),
        "-o",
        exe,
        ...split(candidate.libs),
      ]);
      if (built === undefined) continue;
      const ran = output(exe, []);
      if (ran === undefined) continue;
      const [config = "", core = ""] = ran.split("\n");
      return { ...candidate, version: /^OpenBLAS (\S+)/.exec(config)?.[1] ?? "unknown version", core };
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const skip = process.env.WARMSTART_NATIVE_SKIP_BUILD;
if (skip !== undefined && skip !== "" && skip !== "0" && skip !== "false") {
  rmSync(join(root, "build"), { recursive: true, force: true });
  finish(false, `build skipped: WARMSTART_NATIVE_SKIP_BUILD=${skip}`);
}
if (process.platform !== "linux" && process.platform !== "darwin")
  finish(false, `no build recipe for ${process.platform}`);

const requested = process.env.WARMSTART_NATIVE_BLAS || "auto";
if (!["auto", "openblas", "bundled"].includes(requested))
  finish(false, `WARMSTART_NATIVE_BLAS=${requested}: expected openblas, bundled or auto`);
const openblas = requested === "bundled" ? undefined : findOpenBlas();
if (requested === "openblas" && openblas === undefined)
  finish(
    false,
    `WARMSTART_NATIVE_BLAS=openblas but no usable OpenBLAS was found (pkg-config openblas or cblas, or cblas.h and -lopenblas on the compiler's paths; ${OPENBLAS_HINT})`,
  );
// binding.gyp reads these when node-gyp configures.
const buildEnv = {
  ...process.env,
  WARMSTART_NATIVE_BLAS_BUILD: openblas === undefined ? "bundled" : "openblas",
  WARMSTART_NATIVE_BLAS_CFLAGS: openblas?.cflags ?? "",
  WARMSTART_NATIVE_BLAS_LIBS: openblas?.libs ?? "",
};

// pnpm and npm put their bundled node-gyp on PATH for lifecycle scripts (npm_config_node_gyp names it too);
// a plain `node scripts/install.mjs` finds it only if one is installed.
const gyp = process.env.npm_config_node_gyp;
const [command, prefix] =
  gyp !== undefined && gyp !== "" ? (gyp.endsWith(".js") ? [process.execPath, [gyp]] : [gyp, []]) : ["node-gyp", []];
const args = [...prefix, "rebuild", "--release"];
// Headers shipped with this Node (Debian's nodejs, official tarballs) spare node-gyp a download, which
// offline machines cannot make.
const nodeDir = dirname(dirname(process.execPath));
if (existsSync(join(nodeDir, "include", "node", "node_api.h"))) args.push(`--nodedir=${nodeDir}`);

const result = spawnSync(command, args, { cwd: root, encoding: "utf8", env: buildEnv, maxBuffer: 1 << 26 });
const log = `${result.stdout ?? ""}${result.stderr ?? ""}`.split("\n").slice(-40).join("\n");
if (result.error !== undefined) finish(false, `could not run node-gyp (${result.error.message})`, log);
if (result.status !== 0) {
  const missing = /cblas\.h: No such file/.test(log)
    ? "OpenBLAS headers missing (Debian/Ubuntu: apt-get install libopenblas-dev)"
    : /not found: (make|cc|gcc|g\+\+)|gyp ERR! stack Error: not found/.test(log)
      ? "no C compiler or make (Debian/Ubuntu: apt-get install build-essential)"
      : `node-gyp exited ${result.status}`;
  finish(false, missing, log);
}

// Load what was built (a missing symbol shows here, not at first use) and ask it what it runs.
let info;
try {
  info = createRequire(import.meta.url)(join(root, "build", "Release", "warmstart_native.node")).buildInfo();
} catch (error) {
  finish(false, `built, but the addon does not load: ${error.message}`, log);
}
if (openblas !== undefined) {
  finish(true, `built with OpenBLAS ${openblas.version} (${info.kernel} kernels, found by ${openblas.source})`, "", {
    blas: "openblas",
    blasVersion: openblas.version,
    kernel: info.kernel,
  });
}
const why =
  requested === "bundled"
    ? "as WARMSTART_NATIVE_BLAS=bundled asks"
    : `OpenBLAS not found; for faster products install it (${OPENBLAS_HINT}) and rebuild`;
finish(true, `built with the bundled GEMM (${info.kernel} kernel, chosen at run time for this CPU): ${why}`, "", {
  blas: "bundled",
  blasVersion: null,
  kernel: info.kernel,
});
