// Build-time content of the site, regenerated on every build so that nothing on it is typed by hand:
// the composition table (describeComposition), the API reference (TypeDoc over each package's TSDoc), the CLI
// reference (the CLI's own --help), the demo's model (committed in demo-model/, copied) and the TensorFlow.js wasm
// binaries.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describePaperCompositions, formatCompositionTable } from "@warmstart/composer";
import { materializeDemoModel, readProvenance } from "../src/demo/node-reference.js";

const app = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const docs = join(app, "docs");
const repo = resolve(app, "../..");
const require = createRequire(import.meta.url);

function step(name: string, run: () => void | Promise<void>): Promise<void> {
  const t0 = Date.now();
  return Promise.resolve(run()).then(() =>
    console.log(`generate: ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`),
  );
}

async function compositionTable(): Promise<void> {
  const rows = await describePaperCompositions();
  writeFileSync(join(docs, "analysis", "_compositions.md"), `${formatCompositionTable(rows)}\n`);
}

/**
 * The committed demo model (demo-model/, made by scripts/import-demo-model.ts from a `warmstart demo` run), copied
 * into the site after checking every file against provenance.json's sha256: a Git LFS pointer or a half-updated
 * folder fails the build instead of the page.
 */
function demoModel(): void {
  const out = materializeDemoModel(join(docs, "public", "demo-model"));
  const provenance = readProvenance(out);
  console.log(
    `generate: demo model ${provenance.composition} (SARI ${provenance.scores.sari.score.toFixed(1)}, ${Object.keys(provenance.files).length + 1} files)`,
  );
}

function wasmBinaries(): void {
  const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
  const out = join(docs, "public", "tfjs-wasm");
  mkdirSync(out, { recursive: true });
  const wasm = readdirSync(dist).filter((f) => f.endsWith(".wasm"));
  if (wasm.length === 0) throw new Error(`no .wasm files in ${dist}`);
  for (const file of wasm) copyFileSync(join(dist, file), join(out, file));
}

/** The CLI's own help, top level and per command, as a page; skipped (with a notice) while the CLI is unbuilt. */
function cliReference(): void {
  const page = join(docs, "reference", "cli.md");
  const bin = join(repo, "apps", "cli", "dist", "bin.js");
  if (!existsSync(bin)) {
    rmSync(page, { force: true });
    console.warn(`generate: ${bin} is missing (build @warmstart/cli first); the CLI reference is left out`);
    return;
  }
  const help = (args: string[]): string => {
    const run = spawnSync(process.execPath, [bin, ...args, "--help"], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    if (run.status !== 0) {
      throw new Error(`warmstart ${[...args, "--help"].join(" ")} exited with ${run.status}: ${run.stderr}`);
    }
    return run.stdout.trimEnd();
  };
  const top = help([]);
  // commander lists sub-commands under "Commands:", two spaces in, name first.
  const commands = (top.split(/\nCommands:\n/)[1] ?? "")
    .split("\n")
    .map((line) => /^ {2}([a-z][\w-]*)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== "help");
  const fence = (text: string): string => `\`\`\`text\n${text}\n\`\`\``;
  const sections = commands.map((name) => `## warmstart ${name}\n\n${fence(help([name]))}\n`);
  mkdirSync(dirname(page), { recursive: true });
  writeFileSync(
    page,
    `# CLI reference\n\nGenerated at build time from \`warmstart --help\` and \`warmstart <command> --help\` (apps/cli).\n\n${fence(top)}\n\n${sections.join("\n")}`,
  );
}

/** One TypeDoc section per package whose index exports anything. */
function apiReference(): void {
  const packages = [
    "tensors",
    "hub",
    "tokenizers",
    "modeling",
    "encoders",
    "decoders",
    "composer",
    "training",
    "evaluation",
  ].filter((name) => {
    const index = join(repo, "packages", name, "src", "index.ts");
    return existsSync(index) && /^export /m.test(readFileSync(index, "utf8").replace(/^export \{\};?$/m, ""));
  });
  const out = join(docs, "api");
  rmSync(out, { recursive: true, force: true });
  const options = {
    $schema: "https://typedoc-plugin-markdown.org/schema.json",
    entryPointStrategy: "packages",
    entryPoints: packages.map((name) => join(repo, "packages", name)),
    // `tf` (tensors' re-export of TensorFlow.js) is documented by TensorFlow.js; externals stay out.
    packageOptions: {
      entryPoints: ["src/index.ts"],
      tsconfig: "tsconfig.build.json",
      readme: "none",
      skipErrorChecking: true,
      excludeExternals: true,
      disableSources: true,
      validation: { notExported: false },
    },
    excludeExternals: true,
    disableSources: true,
    sanitizeComments: true,
    validation: { notExported: false, invalidLink: true, notDocumented: false },
    plugin: ["typedoc-plugin-markdown", "typedoc-vitepress-theme"],
    out,
    docsRoot: docs,
    readme: "none",
    name: "API reference",
    excludePrivate: true,
    excludeInternal: true,
    skipErrorChecking: true,
    hideGenerator: true,
    sidebar: { pretty: true },
    logLevel: "Warn",
  };
  const optionsFile = join(app, ".cache", "typedoc.json");
  mkdirSync(dirname(optionsFile), { recursive: true });
  writeFileSync(optionsFile, JSON.stringify(options, null, 2));
  const typedoc = join(dirname(require.resolve("typedoc/package.json")), "bin", "typedoc");
  const run = spawnSync(process.execPath, [typedoc, "--options", optionsFile], { stdio: "inherit", cwd: app });
  if (run.status !== 0) throw new Error(`typedoc exited with ${run.status}`);
}

await step("composition table", compositionTable);
await step("demo model", demoModel);
await step("wasm binaries", wasmBinaries);
await step("CLI reference", cliReference);
await step("API reference", apiReference);
