// The two ways apps/cli/README.md gives to run `warmstart`: `pnpm warmstart …` from the repository root, and a
// global install with `pnpm link --global` (into a temporary PNPM_HOME here, so the user's global folder is untouched).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";

const cliRoot = fileURLToPath(new URL("..", import.meta.url));
const repositoryRoot = join(cliRoot, "..", "..");
const { version } = JSON.parse(readFileSync(join(cliRoot, "package.json"), "utf8")) as { version: string };
const scratch = mkdtempSync(join(tmpdir(), "warmstart-install-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  // Build output of `pnpm warmstart` (turbo, cached after `pnpm test`'s build) can take minutes on a cold cache.
  return spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: 600_000 });
}

test("pnpm warmstart --version from the repository root prints the CLI's version, and only that, on stdout", () => {
  const result = run("pnpm", ["--silent", "warmstart", "--version"], repositoryRoot);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), version);
});

test("pnpm link --global puts a working warmstart on PATH", () => {
  const home = join(scratch, "pnpm-home");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PNPM_HOME: home,
    PATH: `${home}${delimiter}${process.env.PATH ?? ""}`,
  };
  const link = run("pnpm", ["link", "--global"], cliRoot, env);
  assert.equal(link.status, 0, `${link.stdout}\n${link.stderr}`);
  const which = run("sh", ["-c", "command -v warmstart"], scratch, env);
  assert.equal(which.stdout.trim(), join(home, "warmstart"), "the linked binary is the one found on PATH");
  const versionRun = run("warmstart", ["--version"], scratch, env);
  assert.equal(versionRun.status, 0, versionRun.stderr);
  assert.equal(versionRun.stdout.trim(), version);
  const help = run("warmstart", ["doctor", "--help"], scratch, env);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: warmstart doctor/);
});
