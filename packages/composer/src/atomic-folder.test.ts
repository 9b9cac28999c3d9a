import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeFolderAtomically } from "./atomic-folder.js";
import { ComposerError } from "./errors.js";

const scratch = mkdtempSync(join(tmpdir(), "composer-atomic-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

test("a writer that fails half-way leaves neither the folder nor a temporary one", async () => {
  const target = join(scratch, "new");
  await assert.rejects(
    writeFolderAtomically(target, async (tmp) => {
      writeFileSync(join(tmp, "config.json"), "{}");
      throw new Error("disk full");
    }),
    (e: unknown) => e instanceof ComposerError && e.code === "SAVE_FAILED" && /disk full/.test(e.message),
  );
  assert.equal(existsSync(target), false);
  assert.deepEqual(readdirSync(scratch), []);
});

test("an existing folder keeps its old files when the writer fails, and gets the new ones when it succeeds", async () => {
  const target = join(scratch, "existing");
  mkdirSync(target);
  writeFileSync(join(target, "config.json"), "old");
  writeFileSync(join(target, "tokenizer.json"), "kept");
  await assert.rejects(
    writeFolderAtomically(target, async (tmp) => {
      writeFileSync(join(tmp, "config.json"), "half");
      throw new Error("interrupted");
    }),
  );
  assert.equal(readFileSync(join(target, "config.json"), "utf8"), "old");
  await writeFolderAtomically(target, async (tmp) => writeFileSync(join(tmp, "config.json"), "new"));
  assert.equal(readFileSync(join(target, "config.json"), "utf8"), "new");
  assert.equal(readFileSync(join(target, "tokenizer.json"), "utf8"), "kept");
  assert.deepEqual(readdirSync(scratch), ["existing"]);
});
