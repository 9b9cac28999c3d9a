// Every code block on the site must come from a file that the tests run. The rule, per fenced block in a
// hand-written page (docs/**/*.md):
//   - `mermaid` blocks are diagrams, not code: allowed.
//   - `sh` blocks are allowed only when every line is one of the README's two commands, or `pnpm add` of
//     published workspace packages (checked against packages/*/package.json: exists, not private).
//   - anything else fails: code belongs in examples/*.ts (run by src/examples.test.ts) and is included with
//     VitePress' `<<< @/../examples/<file>.ts#<region>`; each include must name an existing file and region.
// Generated pages (docs/api/ from TypeDoc, docs/reference/cli.md from --help) are skipped: their blocks are
// produced from the code itself at build time.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const app = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const docs = join(app, "docs");
const repo = resolve(app, "../..");
const GENERATED = [join(docs, "api"), join(docs, "reference", "cli.md")];

function pages(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.name.startsWith(".") || entry.name === "public" || GENERATED.some((g) => path === g)) continue;
    if (entry.isDirectory()) pages(path, out);
    else if (entry.name.endsWith(".md")) out.push(path);
  }
  return out;
}

function readmeCommands(): Set<string> {
  const readme = readFileSync(join(repo, "README.md"), "utf8");
  const commands = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
    (m[1] ?? "")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#")),
  );
  return new Set(commands);
}

function publishedPackages(): Set<string> {
  const names = new Set<string>();
  for (const dir of readdirSync(join(repo, "packages"))) {
    const file = join(repo, "packages", dir, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name: string; private?: boolean };
    if (pkg.private !== true) names.add(pkg.name);
  }
  return names;
}

interface Block {
  lang: string;
  body: string;
  line: number;
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i] ?? "");
    if (open === null) continue;
    const fence = open[2] as string;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] ?? "").trim().startsWith(fence); i++) body.push(lines[i] ?? "");
    blocks.push({ lang: open[3] ?? "", body: body.join("\n"), line: start + 1 });
  }
  return blocks;
}

export function violations(file: string, markdown: string, commands: Set<string>, packages: Set<string>): string[] {
  const where = relative(app, file);
  const out: string[] = [];
  for (const block of fencedBlocks(markdown)) {
    if (block.lang === "mermaid") continue;
    if (block.lang === "sh") {
      for (const line of block.body
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "")) {
        const add = /^pnpm add((?: @warmstart\/[\w-]+)+)$/.exec(line);
        const ok =
          commands.has(line) ||
          (add !== null &&
            (add[1] ?? "")
              .trim()
              .split(" ")
              .every((name) => packages.has(name)));
        if (!ok) {
          out.push(
            `${where}:${block.line}: shell line "${line}" is neither a README command nor \`pnpm add\` of published packages`,
          );
        }
      }
      continue;
    }
    out.push(
      `${where}:${block.line}: a \`${block.lang || "plain"}\` code block; include it from examples/ with <<< @/../examples/<file>.ts#<region>`,
    );
  }
  for (const match of markdown.matchAll(/^<<< @\/(\S+?)(?:#([\w-]+))?(?:\s|$)/gm)) {
    const target = join(docs, match[1] as string);
    if (!existsSync(target)) {
      out.push(`${where}: includes ${match[1]}, which does not exist`);
      continue;
    }
    if (!relative(join(app, "examples"), target).match(/^[\w-]+\.ts$/)) {
      out.push(`${where}: includes ${match[1]}, which is not in examples/`);
    }
    const region = match[2];
    if (region === undefined) out.push(`${where}: includes all of ${match[1]}; include a #region`);
    else if (!readFileSync(target, "utf8").includes(`// #region ${region}\n`)) {
      out.push(`${where}: ${match[1]} has no region ${region}`);
    }
  }
  return out;
}

test("every code block on the site is included from a tested example", () => {
  const commands = readmeCommands();
  assert.ok(commands.size >= 2, "the README's commands were not found");
  const packages = publishedPackages();
  const files = pages(docs);
  assert.ok(files.length >= 8, `only ${files.length} pages found under ${docs}`);
  const problems = files.flatMap((file) => violations(file, readFileSync(file, "utf8"), commands, packages));
  assert.deepEqual(problems, []);
});

test("every example file is covered by the examples test", () => {
  const tested = readFileSync(join(app, "src", "examples.test.ts"), "utf8");
  for (const file of readdirSync(join(app, "examples")).filter((f) => f.endsWith(".ts"))) {
    assert.ok(
      tested.includes(`../examples/${file.replace(/\.ts$/, ".js")}`),
      `examples/${file} is not imported by src/examples.test.ts`,
    );
  }
});

test("the rule rejects inline code and accepts includes, diagrams and README commands", () => {
  const commands = new Set(["corepack enable && pnpm install && pnpm test"]);
  const packages = new Set(["@warmstart/composer"]);
  const file = join(docs, "x.md");
  const fence = "```";
  assert.equal(violations(file, `${fence}ts\nconst x = 1;\n${fence}\n`, commands, packages).length, 1);
  assert.equal(violations(file, `${fence}sh\nrm -rf /\n${fence}\n`, commands, packages).length, 1);
  assert.equal(violations(file, `${fence}sh\npnpm add @warmstart/nope\n${fence}\n`, commands, packages).length, 1);
  assert.deepEqual(violations(file, `${fence}sh\npnpm add @warmstart/composer\n${fence}\n`, commands, packages), []);
  assert.deepEqual(violations(file, `${fence}mermaid\nflowchart LR\n${fence}\n`, commands, packages), []);
  assert.deepEqual(violations(file, "<<< @/../examples/quickstart.ts#quickstart\n", commands, packages), []);
  assert.equal(violations(file, "<<< @/../examples/quickstart.ts#nope\n", commands, packages).length, 1);
  assert.equal(violations(file, "<<< @/../examples/quickstart.ts\n", commands, packages).length, 1);
});
