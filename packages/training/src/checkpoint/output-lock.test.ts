import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { withTempDir } from "../test-support/temp-dir.js";
import { acquireOutputLock, OUTPUT_LOCK_FILE } from "./output-lock.js";

test("an output folder is locked once: the second taker is refused with the holder's pid, host and start", async () => {
  await withTempDir("lock-", async (dir) => {
    const lock = await acquireOutputLock(dir);
    const holder = JSON.parse(await readFile(join(dir, OUTPUT_LOCK_FILE), "utf8")) as { pid: number; host: string };
    assert.equal(holder.pid, process.pid);
    assert.equal(holder.host, hostname());
    await assert.rejects(acquireOutputLock(dir), (error: Error & { code?: string }) => {
      assert.equal(error.code, "OUTPUT_LOCKED");
      assert.ok(
        error.message.includes(
          `${dir} is in use by another training run (pid ${process.pid} on ${hostname()}, started `,
        ),
      );
      return true;
    });
    await lock.release();
    const again = await acquireOutputLock(dir);
    await again.release();
  });
});

test("a lock left by a process that is gone is stale and taken over; a torn lock file too", async () => {
  await withTempDir("lock-", async (dir) => {
    // The pid of a process that has exited (spawnSync waits for it).
    const gone = spawnSync(process.execPath, ["-e", ""]).pid as number;
    const path = join(dir, OUTPUT_LOCK_FILE);
    await writeFile(path, JSON.stringify({ pid: gone, host: hostname(), started: "2020-01-01T00:00:00.000Z" }));
    const lock = await acquireOutputLock(dir);
    assert.equal((JSON.parse(await readFile(path, "utf8")) as { pid: number }).pid, process.pid);
    await lock.release();
    await writeFile(path, '{"pid": 12');
    await (await acquireOutputLock(dir)).release();
  });
});

test("a lock held on another host is never taken over: its pid cannot be checked from here", async () => {
  await withTempDir("lock-", async (dir) => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid as number;
    await writeFile(
      join(dir, OUTPUT_LOCK_FILE),
      JSON.stringify({ pid: gone, host: `not-${hostname()}`, started: "2020-01-01T00:00:00.000Z" }),
    );
    await assert.rejects(acquireOutputLock(dir), { code: "OUTPUT_LOCKED" });
  });
});
