// The repository rule, checked over the source of every package and app: an error class a package throws on
// purpose extends WarmstartError, and every code it can carry is SCREAMING_SNAKE_CASE. Codes are read from the
// `...ErrorCode` unions, from the code unions given to `WarmstartError<...>`, and from the first argument of
// every `new SomeError("...")` of those classes, so a new package or a new code is covered without listing it.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { ERROR_CODE } from "./index.js";
import { REPOSITORY_ROOT, sourceFiles } from "./test-support/repository.js";

const ROOT = REPOSITORY_ROOT;

/** Test infrastructure, never thrown to a user of a package: its one error carries no code. */
const NOT_A_PACKAGE_ERROR = new Set(["packages/test-utils/src/oracle.ts:OracleUnavailableError"]);

interface Source {
  file: string;
  text: string;
}

interface Finding {
  /** Error classes that extend Error itself instead of WarmstartError. */
  plainErrors: string[];
  /** Every code found, with where it was found. */
  codes: { code: string; where: string }[];
  /** The error classes found (WarmstartError subclasses, directly or through another one). */
  errorClasses: Set<string>;
}

function repositorySources(): Source[] {
  const files: string[] = [];
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(join(ROOT, group))) {
      const src = join(ROOT, group, name, "src");
      // Tests spell bad codes on purpose (to check they are refused), and fake errors of their own.
      if (statSync(join(ROOT, group, name)).isDirectory() && existsDir(src)) {
        files.push(...sourceFiles(src, (file) => !/\.(test|interop)\.[cm]?tsx?$/.test(file)));
      }
    }
  }
  return files.map((file) => ({ file: relative(ROOT, file), text: readFileSync(file, "utf8") }));
}

function existsDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const literals = (text: string): string[] => [...text.matchAll(/["'`]([^"'`\n]*)["'`]/g)].map((m) => m[1] as string);

/** What the rule looks at in a set of sources (a function, so that the first test can check the scanner itself). */
function scan(sources: readonly Source[]): Finding {
  const parents = new Map<string, { parent: string; where: string }>();
  for (const { file, text } of sources) {
    for (const m of text.matchAll(/\bclass\s+(\w+)\s+extends\s+(\w+)/g)) {
      parents.set(m[1] as string, { parent: m[2] as string, where: `${file}:${m[1] as string}` });
    }
  }
  const isWarmstart = (name: string, seen = new Set<string>()): boolean => {
    if (name === "WarmstartError") return true;
    const entry = parents.get(name);
    if (entry === undefined || seen.has(name)) return false;
    seen.add(name);
    return isWarmstart(entry.parent, seen);
  };
  const errorClasses = new Set([...parents.keys()].filter((name) => name !== "WarmstartError" && isWarmstart(name)));
  const plainErrors = [...parents]
    .filter(([name, { parent }]) => name.endsWith("Error") && parent === "Error" && name !== "WarmstartError")
    .map(([, { where }]) => where)
    .filter((where) => !NOT_A_PACKAGE_ERROR.has(where));

  const codes: Finding["codes"] = [];
  for (const { file, text } of sources) {
    // Doc comments between the members of a union may quote other things: only the members count.
    const bare = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/[^\n]*/gm, "");
    for (const m of bare.matchAll(/\btype\s+(\w*ErrorCode)\s*=([^;]*);/g)) {
      for (const code of literals(m[2] as string)) codes.push({ code, where: `${file}: type ${m[1] as string}` });
    }
    for (const m of bare.matchAll(/\bclass\s+(\w+)\s+extends\s+WarmstartError\s*<([^{]*)>\s*\{/g)) {
      for (const code of literals(m[2] as string)) codes.push({ code, where: `${file}: class ${m[1] as string}` });
    }
    for (const m of text.matchAll(/\bnew\s+(\w+)\(\s*(["'`])([^"'`\n]*)\2/g)) {
      if (!errorClasses.has(m[1] as string)) continue;
      codes.push({ code: m[3] as string, where: `${file}: new ${m[1] as string}` });
    }
  }
  return { plainErrors, codes, errorClasses };
}

test("the scanner finds plain errors and badly cased codes in every place it reads", () => {
  const found = scan([
    {
      file: "packages/toy/src/errors.ts",
      text: [
        'import { WarmstartError } from "@warmstart/core";',
        '/** Not "a-comment" */ export type ToyErrorCode = "GOOD_CODE" | /** "ignored-in-doc" */ "bad-code";',
        "export class ToyError extends WarmstartError<ToyErrorCode> {}",
        "export class SubToyError extends ToyError {}",
        'export class InlineError extends WarmstartError<"FINE" | "notFine"> {}',
        "export class OldError extends Error {}",
        'throw new SubToyError("thrown_lower", "message");',
        'throw new Error("a message, not a code");',
      ].join("\n"),
    },
  ]);
  assert.deepEqual([...found.errorClasses].sort(), ["InlineError", "SubToyError", "ToyError"]);
  assert.deepEqual(found.plainErrors, ["packages/toy/src/errors.ts:OldError"]);
  assert.deepEqual(found.codes.map((c) => c.code).sort(), ["FINE", "GOOD_CODE", "bad-code", "notFine", "thrown_lower"]);
  assert.deepEqual(
    found.codes.filter((c) => !ERROR_CODE.test(c.code)).map((c) => c.code),
    ["bad-code", "notFine", "thrown_lower"],
  );
});

test("every error class of packages/ and apps/ extends WarmstartError, every code is SCREAMING_SNAKE_CASE", () => {
  const found = scan(repositorySources());
  assert.deepEqual(
    found.plainErrors,
    [],
    "error classes that extend Error instead of WarmstartError (@warmstart/core)",
  );
  const bad = found.codes.filter((c) => !ERROR_CODE.test(c.code)).map((c) => `${c.where}: "${c.code}"`);
  assert.deepEqual(bad, [], "codes that are not SCREAMING_SNAKE_CASE");
  // The scan must have read the packages it guards, or it would pass on nothing.
  for (const name of ["GenerationError", "ComposerError", "TokenizerError", "TrainingError", "HubError", "CliError"]) {
    assert.ok(found.errorClasses.has(name), `${name} not found: is the scanner still reading packages/ and apps/?`);
  }
  assert.ok(found.codes.length > 100, `only ${found.codes.length} codes found`);
});
