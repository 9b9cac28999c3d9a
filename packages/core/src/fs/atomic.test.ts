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
import {
  AtomicWriteError,
  findCompleteFolder,
  parseSideName,
  recoverInterruptedSwap,
  writeFileAtomically,
  writeFolderAtomically,
} from "./index.js";

const scratch = mkdtempSync(join(tmpdir(), "core-atomic-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function fresh(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  return dir;
}

test("writeFileAtomically replaces a file whole and leaves no temporary", async () => {
  const dir = fresh("file");
  const path = join(dir, "config.json");
  await writeFileAtomically(path, "old");
  await writeFileAtomically(path, async (write) => {
    write("ne");
    await Promise.resolve();
    write(new Uint8Array([0x77]));
  });
  assert.equal(readFileSync(path, "utf8"), "new");
  assert.deepEqual(readdirSync(dir), ["config.json"]);
});

test("writeFileAtomically keeps the old file and removes its temporary when writing fails, rethrowing the cause", async () => {
  const dir = fresh("file-fails");
  const path = join(dir, "config.json");
  writeFileSync(path, "old");
  const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
  await assert.rejects(
    writeFileAtomically(path, (write) => {
      write("half");
      throw full;
    }),
    (error: unknown) => error === full,
  );
  assert.equal(readFileSync(path, "utf8"), "old");
  assert.deepEqual(readdirSync(dir), ["config.json"]);
});

test("a folder write that fails leaves the folder as it was, no side folder, and a typed error naming it", async () => {
  const parent = fresh("folder-fails");
  const target = join(parent, "model");
  mkdirSync(target);
  writeFileSync(join(target, "config.json"), "old");
  const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
  await assert.rejects(
    writeFolderAtomically(target, (tmp) => {
      writeFileSync(join(tmp, "config.json"), "half");
      throw full;
    }),
    (error: unknown) =>
      error instanceof AtomicWriteError &&
      error.code === "WRITE_FAILED" &&
      error.target === target &&
      error.cause === full &&
      /disk is full \(ENOSPC\)/.test(error.message),
  );
  assert.equal(readFileSync(join(target, "config.json"), "utf8"), "old");
  assert.deepEqual(readdirSync(parent), ["model"]);
});

test("a folder path that is a file is refused before anything is written", async () => {
  const parent = fresh("not-folder");
  const target = join(parent, "model");
  writeFileSync(target, "a file");
  await assert.rejects(
    writeFolderAtomically(target, () => assert.fail("write must not run")),
    (error: unknown) => error instanceof AtomicWriteError && error.code === "NOT_A_FOLDER",
  );
  assert.deepEqual(readdirSync(parent), ["model"]);
});

test("replacing a folder makes it exactly the new write unless keepOtherEntries carries the rest over", async () => {
  const parent = fresh("replace");
  const target = join(parent, "model");
  await writeFolderAtomically(target, (tmp) => {
    writeFileSync(join(tmp, "config.json"), "A");
    writeFileSync(join(tmp, "tokenizer.json"), "T");
  });
  await writeFolderAtomically(target, (tmp) => writeFileSync(join(tmp, "config.json"), "B"), {
    keepOtherEntries: true,
  });
  assert.deepEqual(readdirSync(target).sort(), ["config.json", "tokenizer.json"]);
  assert.equal(readFileSync(join(target, "config.json"), "utf8"), "B");
  await writeFolderAtomically(target, (tmp) => writeFileSync(join(tmp, "config.json"), "C"));
  assert.deepEqual(readdirSync(target), ["config.json"]);
  assert.equal(readFileSync(join(target, "config.json"), "utf8"), "C");
  assert.deepEqual(readdirSync(parent), ["model"]);
});

test("a write killed between its renames: readers find the old folder aside without moving it, the next write restores it", async () => {
  const parent = fresh("interrupted");
  const target = join(parent, "model");
  await writeFolderAtomically(target, (tmp) => writeFileSync(join(tmp, "config.json"), "A"));
  // What a SIGKILL right after renaming the old folder aside leaves: no target, the complete old folder beside it.
  const aside = join(parent, ".model.old-1-deadbeef");
  renameSync(target, aside);

  assert.deepEqual(findCompleteFolder(target), { path: aside, interrupted: true });
  assert.deepEqual(readdirSync(parent), [".model.old-1-deadbeef"], "finding it moved nothing");

  assert.equal(recoverInterruptedSwap(target), true);
  assert.equal(readFileSync(join(target, "config.json"), "utf8"), "A");
  assert.deepEqual(findCompleteFolder(target), { path: target, interrupted: false });
  assert.equal(recoverInterruptedSwap(target), false, "nothing to undo when the folder is there");

  renameSync(target, aside);
  await writeFolderAtomically(target, (tmp) => writeFileSync(join(tmp, "config.json"), "B"));
  assert.equal(readFileSync(join(target, "config.json"), "utf8"), "B");
  assert.deepEqual(readdirSync(parent), ["model"], "no old or temporary folder is left");
  assert.equal(findCompleteFolder(join(parent, "absent")), undefined);
  assert.equal(existsSync(join(parent, "absent")), false);
});

test("parseSideName reads the side folders' names and nothing else", () => {
  assert.deepEqual(parseSideName(".checkpoint-2.tmp-123-abcd"), { target: "checkpoint-2", kind: "tmp" });
  assert.deepEqual(parseSideName(".my.model.old-9-00ff"), { target: "my.model", kind: "old" });
  assert.deepEqual(parseSideName(".checkpoint-3.tmp-deleted-77"), { target: "checkpoint-3", kind: "tmp" });
  assert.equal(parseSideName("checkpoint-2"), undefined);
  assert.equal(parseSideName(".config.json.123-ab.tmp"), undefined);
});
