// A newcomer's first hour, measured (issue 20, acceptance 1): clones the committed HEAD into an empty folder
// with nothing beside it (no ../shared), sets HOME to an empty folder (no npm, pnpm or warmstart caches, no
// ~/.npmrc), and runs the README's two commands exactly as README.md writes them, one after the other, in a
// shell with only PATH passed through. Records each command's exit code and wall time, what the native addon's
// install built, the backend the demo ran on, and the run's provenance.
//
//   node --import tsx benchmarks/fresh-clone.ts [--out benchmarks/results/fresh-clone.json] [--keep]
//
// Not a test: it downloads every dependency and runs the demo and the whole test suite (30-45 minutes on two
// cores). Run it on an idle machine; the load before and after is recorded.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runProvenance } from "@warmstart/test-utils";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const { values } = parseArgs({
  options: {
    out: { type: "string", default: join(repoRoot, "benchmarks", "results", "fresh-clone.json") },
    keep: { type: "boolean", default: false },
  },
});

/** The commands of README.md's "Two commands" block, in order, comments dropped. */
export function readmeCommands(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith("Two commands"));
  const block = section?.match(/```sh\n([\s\S]*?)```/)?.[1];
  if (block === undefined) throw new Error("README.md: no ```sh block under '## Two commands'");
  const commands = block
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  if (commands.length !== 2) throw new Error(`README.md: expected two commands, found ${commands.length}`);
  return commands;
}

interface CommandRun {
  command: string;
  exitCode: number | null;
  seconds: number;
  /** The last lines the command printed (stdout and stderr together), for the record. */
  tail: string[];
  /** The first line that names a backend (the demo says which one it runs on before it starts). */
  backendLine: string | null;
}

function runLiterally(command: string, cwd: string, home: string): Promise<CommandRun> {
  const started = process.hrtime.bigint();
  return new Promise((done, fail) => {
    const child = spawn("bash", ["-c", command], {
      cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let backendLine: string | null = null;
    const keep = (chunk: Buffer) => {
      process.stderr.write(chunk);
      const text = chunk.toString("utf8");
      backendLine ??= text.split("\n").find((line) => /backend/i.test(line)) ?? null;
      output = (output + text).slice(-20_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", fail);
    child.on("close", (exitCode) =>
      done({
        command,
        exitCode,
        seconds: Number((Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)),
        tail: output.trimEnd().split("\n").slice(-15),
        backendLine,
      }),
    );
  });
}

const loadBefore = loadavg();
const date = new Date().toISOString();
const provenance = runProvenance(loadBefore, date, repoRoot);
const commands = readmeCommands(readFileSync(join(repoRoot, "README.md"), "utf8"));
const scratch = mkdtempSync(join(tmpdir(), "warmstart-fresh-"));
const home = join(scratch, "home");
const clone = join(scratch, "clone", "warmstart");
mkdirSync(home, { recursive: true });
try {
  const cloned = await runLiterally(
    `git clone --quiet ${JSON.stringify(repoRoot)} ${JSON.stringify(clone)}`,
    scratch,
    home,
  );
  if (cloned.exitCode !== 0) throw new Error(`git clone failed: ${cloned.tail.join("\n")}`);
  const runs: CommandRun[] = [];
  for (const command of commands) runs.push(await runLiterally(command, clone, home));
  const nativeRecord = join(clone, "packages", "tensors-native", "native-build.json");
  const result = {
    benchmark: "fresh-clone",
    description:
      "README.md's two commands run literally on a fresh clone of the commit, HOME an empty folder, no ../shared, only PATH in the environment",
    provenance,
    sharedBeside: existsSync(join(clone, "..", "shared")),
    runs,
    nativeBuild: existsSync(nativeRecord) ? JSON.parse(readFileSync(nativeRecord, "utf8")) : null,
    demoBackend: runs[0]?.backendLine ?? null,
    loadavgAfter: loadavg(),
  };
  const out = resolve(values.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  for (const run of runs) console.log(`${run.exitCode === 0 ? "ok" : "FAILED"} ${run.seconds} s  ${run.command}`);
  if (runs.some((run) => run.exitCode !== 0)) process.exitCode = 1;
} finally {
  if (!values.keep) rmSync(scratch, { recursive: true, force: true });
}
