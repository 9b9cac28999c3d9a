import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { recoverInterruptedSave, saveFolderAtomically } from "./atomic-folder.js";
import { ComposerError } from "./errors.js";

const scratch = mkdtempSync(join(tmpdir(), "composer-atomic-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

test("a writer that fails half-way leaves neither the folder nor a temporary one", async () => {
  const target = join(scratch, "new");
  await assert.rejects(
    saveFolderAtomically(target, async (tmp) => {
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
    saveFolderAtomically(target, async (tmp) => {
      writeFileSync(join(tmp, "config.json"), "half");
      throw new Error("interrupted");
    }),
  );
  assert.equal(readFileSync(join(target, "config.json"), "utf8"), "old");
  await saveFolderAtomically(target, async (tmp) => writeFileSync(join(tmp, "config.json"), "new"));
  assert.equal(readFileSync(join(target, "config.json"), "utf8"), "new");
  assert.equal(readFileSync(join(target, "tokenizer.json"), "utf8"), "kept");
  assert.deepEqual(readdirSync(scratch), ["existing"]);
});

test("replacing a folder swaps it whole, and a crash between the two renames is undone by the next save or load", async () => {
  const target = join(scratch, "swapped");
  await saveFolderAtomically(target, async (tmp) => {
    writeFileSync(join(tmp, "config.json"), "A");
    writeFileSync(join(tmp, "model.safetensors"), "A");
  });
  // What a SIGKILL right after `rename(target, old)` leaves: no target, the complete old folder aside.
  const aside = join(scratch, ".swapped.old-1-deadbeef");
  renameSync(target, aside);
  assert.equal(recoverInterruptedSave(target), true);
  assert.equal(readFileSync(join(target, "model.safetensors"), "utf8"), "A");
  assert.equal(recoverInterruptedSave(target), false, "nothing to undo when the folder is there");
  renameSync(target, aside);
  await saveFolderAtomically(target, async (tmp) => {
    writeFileSync(join(tmp, "config.json"), "B");
    writeFileSync(join(tmp, "model.safetensors"), "B");
  });
  assert.equal(readFileSync(join(target, "config.json"), "utf8"), "B");
  assert.equal(readFileSync(join(target, "model.safetensors"), "utf8"), "B");
  assert.ok(!readdirSync(scratch).some((name) => name.startsWith(".swapped.")), "no old or temporary folder is left");
});
