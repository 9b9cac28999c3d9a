#!/usr/bin/env node
// Install-time build of the native addon. It never fails the install: without a compiler, OpenBLAS headers
// or node-gyp, the package still installs, `native-build.json` records why, and `isAvailable()` reports it so
// @warmstart/tensors falls back to wasm. WARMSTART_NATIVE_SKIP_BUILD=1 skips the build (simulates a bare machine).
import { spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const statusFile = join(root, "native-build.json");

function finish(built, reason, log = "") {
  writeFileSync(
    statusFile,
    `${JSON.stringify({ built, reason, date: new Date().toISOString(), node: process.version, log }, null, 2)}\n`,
  );
  console.log(
    `@warmstart/tensors-native: ${built ? "native addon built" : `native addon not built (${reason}); the wasm backend will be used`}`,
  );
  process.exit(0);
}

const skip = process.env.WARMSTART_NATIVE_SKIP_BUILD;
if (skip !== undefined && skip !== "" && skip !== "0" && skip !== "false") {
  rmSync(join(root, "build"), { recursive: true, force: true });
  finish(false, `build skipped: WARMSTART_NATIVE_SKIP_BUILD=${skip}`);
}
if (process.platform !== "linux" && process.platform !== "darwin")
  finish(false, `no build recipe for ${process.platform}`);

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

const result = spawnSync(command, args, { cwd: root, encoding: "utf8", env: process.env, maxBuffer: 1 << 26 });
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
finish(true, "built");
