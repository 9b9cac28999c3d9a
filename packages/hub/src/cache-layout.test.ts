import assert from "node:assert/strict";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { blobPath, linkIntoSnapshot, readRef, repoFolder, snapshotFolder, writeRef } from "./cache-layout.js";

test("folder names match huggingface_hub's", () => {
  assert.equal(repoFolder("/c", "google-bert/bert-base-uncased"), join("/c", "models--google-bert--bert-base-uncased"));
  assert.equal(repoFolder("/c", "gpt2"), join("/c", "models--gpt2"));
  assert.equal(snapshotFolder("/r", "abc"), join("/r", "snapshots", "abc"));
  assert.equal(blobPath("/r", "abc"), join("/r", "blobs", "abc"));
});

test("refs round-trip, nested revisions included, and a missing ref reads as undefined", async () => {
  const repo = await mkdtemp(join(tmpdir(), "warmstart-hub-layout-"));
  try {
    assert.equal(await readRef(repo, "main"), undefined);
    await writeRef(repo, "main", "a".repeat(40));
    await writeRef(repo, "refs/pr/1", "b".repeat(40));
    assert.equal(await readRef(repo, "main"), "a".repeat(40));
    assert.equal(await readRef(repo, "refs/pr/1"), "b".repeat(40));
    assert.deepEqual(await readdir(join(repo, "refs")), ["main", "refs"]);
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
});

test("relinking an existing pointer replaces the link and leaves the blob intact", async () => {
  const repo = await mkdtemp(join(tmpdir(), "warmstart-hub-layout-"));
  try {
    const blob = blobPath(repo, "deadbeef");
    await mkdir(join(repo, "blobs"), { recursive: true });
    await writeFile(blob, "contents");
    const pointer = join(snapshotFolder(repo, "c".repeat(40)), "sub", "file.txt");
    await linkIntoSnapshot(blob, pointer);
    await linkIntoSnapshot(blob, pointer);
    assert.ok((await lstat(pointer)).isSymbolicLink());
    assert.equal(await readlink(pointer), join("..", "..", "..", "blobs", "deadbeef"));
    assert.equal(await readFile(pointer, "utf8"), "contents");
    assert.equal(await readFile(blob, "utf8"), "contents");
    assert.deepEqual(await readdir(join(snapshotFolder(repo, "c".repeat(40)), "sub")), ["file.txt"]);
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
});
