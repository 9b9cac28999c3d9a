// @warmstart/tokenizers/browser must load in a browser: nothing it imports, here or in its dependencies, may reach
// the N-API binding (`tokenizers`), @warmstart/hub, or a node: module.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|(?:^|\n)\s*import\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g;

/** Every module specifier in `source`: static imports and re-exports (type-only ones too), and dynamic imports. */
function specifiers(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((match) => (match[1] ?? match[2] ?? match[3]) as string);
}

/** Follows relative imports from `entry`; returns the bare specifiers reached, each with a file that imports it. */
async function bareImports(
  entry: string,
  toFile: (from: string, relative: string) => string,
): Promise<Map<string, string>> {
  const seen = new Set<string>();
  const bare = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of specifiers(await readFile(file, "utf8"))) {
      if (specifier.startsWith(".")) queue.push(toFile(file, specifier));
      else if (!bare.has(specifier)) bare.set(specifier, file);
    }
  }
  return bare;
}

const sourceFile = (from: string, relative: string): string => join(dirname(from), relative.replace(/\.js$/, ".ts"));
const builtFile = (from: string, relative: string): string => join(dirname(from), relative);

test("the browser entry imports only @warmstart/core and @huggingface/tokenizers, no node: module", async () => {
  const entry = join(dirname(fileURLToPath(import.meta.url)), "browser.ts");
  const reached = await bareImports(entry, sourceFile);
  assert.deepEqual(
    [...reached.keys()].sort(),
    ["@huggingface/tokenizers", "@warmstart/core"],
    JSON.stringify([...reached]),
  );
});

test("@warmstart/core's root and @huggingface/tokenizers' browser build import no node: module", async () => {
  const core = fileURLToPath(import.meta.resolve("@warmstart/core"));
  const coreImports = [...(await bareImports(core, builtFile)).keys()];
  assert.deepEqual(coreImports, [], `@warmstart/core (${core}) imports ${coreImports.join(", ")}`);
  const library = fileURLToPath(import.meta.resolve("@huggingface/tokenizers"));
  const source = await readFile(library, "utf8");
  assert.deepEqual(specifiers(source), [], `${library} imports other modules`);
  assert.doesNotMatch(source, /(?<![\w.-])(?:require\(|process\.|Buffer\b)/, `${library} uses Node globals`);
});
