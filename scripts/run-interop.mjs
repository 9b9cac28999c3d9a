#!/usr/bin/env node
// `pnpm test:interop`: the live round trip with real Hugging Face transformers (both lines the oracle pins).
// Sets the oracle up (oracle/setup.sh: a Python environment outside the repository, reused once made), then runs
// every *.interop.ts file in one node:test run. Without Python or PyPI it fails saying so: it never skips.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const setup = spawnSync(join(root, "oracle", "setup.sh"), [], {
  cwd: root,
  stdio: ["ignore", "pipe", "inherit"],
  encoding: "utf8",
});
if (setup.status !== 0) {
  console.error(
    "test:interop needs the oracle (real transformers from PyPI) and could not set it up: see the lines above." +
      "\nIt needs python3 with venv (Debian: apt-get install python3-venv) and access to PyPI; see oracle/README.md.",
  );
  process.exit(1);
}
console.log(`oracle ready in ${setup.stdout.trim()}`);

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith(".interop.ts")) out.push(path);
  }
  return out;
}
const files = ["packages", "apps"].flatMap((r) => collect(join(root, r), [])).sort();
if (files.length === 0) {
  console.error("no *.interop.ts files under packages/ or apps/");
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=1", ...files.map((f) => relative(root, f))],
  { cwd: root, stdio: "inherit", env: { ...process.env, WARMSTART_INTEROP: "1" } },
);
process.exit(result.status ?? 1);
