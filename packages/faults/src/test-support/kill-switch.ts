/*
 * Deterministic crash points for child processes. Every file-system call that changes the disk
 * (write, rename, mkdir, rm, link, ...) counts as one operation once `armKillSwitch()` ran; with
 * WARMSTART_KILL_AT_OP=N the process SIGKILLs itself at operation N, and a write that is hit is
 * first done halfway, leaving a torn file. Random-time kills find what happens mid-syscall; these
 * find every gap between two operations, which a random timer would almost never hit.
 *
 * WARMSTART_ENOSPC_AT_OP=N simulates a full disk instead: from operation N on, every call that writes
 * data fails as the kernel's would (`ENOSPC`, errno -28), after writing nothing; removing and renaming
 * still work, as on a real full disk, so the code under test can clean up.
 */
// The default exports are the mutable CommonJS objects that syncBuiltinESMExports copies into named imports.
import fs from "node:fs";
import fsp from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { DATA_WRITES } from "./kill-plan.js";

let armed = false;
let count = 0;
const kinds: string[] = [];
const killAt = Number(process.env.WARMSTART_KILL_AT_OP ?? "0");
const diskFullFrom = Number(process.env.WARMSTART_ENOSPC_AT_OP ?? "0");
let diskFull = false;
let writesRefused = 0;

function enospc(kind: string): NodeJS.ErrnoException {
  writesRefused += 1;
  return Object.assign(new Error(`ENOSPC: no space left on device, ${kind}`), {
    code: "ENOSPC",
    errno: -28,
    syscall: kind,
  });
}

function die(): never {
  process.kill(process.pid, "SIGKILL");
  // SIGKILL is delivered before kill() returns on Linux; this only satisfies the type checker.
  throw new Error("unreachable");
}

/** Counts one operation; true when this operation is the one to crash at. */
function hit(kind: string): boolean {
  if (!armed) return false;
  count += 1;
  kinds.push(kind);
  if (diskFullFrom > 0 && count >= diskFullFrom) diskFull = true;
  return count === killAt;
}

/** True when this call writes data and the simulated disk is full. */
function refused(kind: string): boolean {
  return diskFull && DATA_WRITES.has(kind);
}

function half(data: unknown): unknown {
  if (typeof data === "string") return data.slice(0, Math.floor(data.length / 2));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, Math.floor(data.byteLength / 2));
  return data;
}

type AnyFn = (...args: unknown[]) => unknown;

function wrapSync(
  target: Record<string, unknown>,
  name: string,
  torn?: (args: unknown[], original: AnyFn) => void,
): void {
  const original = target[name] as AnyFn;
  target[name] = function (this: unknown, ...args: unknown[]) {
    if (hit(name)) {
      torn?.(args, original);
      die();
    }
    if (refused(name)) throw enospc(name);
    return original.apply(this, args);
  };
}

function wrapAsync(
  target: Record<string, unknown>,
  name: string,
  torn?: (args: unknown[], original: AnyFn) => Promise<void>,
): void {
  const original = target[name] as AnyFn;
  target[name] = async function (this: unknown, ...args: unknown[]) {
    if (hit(name)) {
      await torn?.(args, original.bind(this));
      die();
    }
    if (refused(name)) throw enospc(name);
    return original.apply(this, args);
  };
}

const fsMutable = fs as unknown as Record<string, unknown>;
for (const name of [
  "renameSync",
  "mkdirSync",
  "rmSync",
  "unlinkSync",
  "symlinkSync",
  "copyFileSync",
  "openSync",
  "closeSync",
  "fsyncSync",
  "rmdirSync",
  "linkSync",
]) {
  wrapSync(fsMutable, name);
}
wrapSync(fsMutable, "writeFileSync", (args, original) => original(args[0], half(args[1])));
wrapSync(fsMutable, "appendFileSync", (args, original) => original(args[0], half(args[1])));
wrapSync(fsMutable, "writeSync", (args, original) => {
  const [fd, buffer, offset, length] = args as [number, Uint8Array | string, number | undefined, number | undefined];
  if (typeof buffer === "string") original(fd, half(buffer));
  else original(fd, buffer, offset ?? 0, Math.floor((length ?? buffer.byteLength - (offset ?? 0)) / 2));
});

const fspMutable = fsp as unknown as Record<string, unknown>;
for (const name of ["rename", "mkdir", "rm", "unlink", "symlink", "copyFile", "open", "rmdir", "link"]) {
  wrapAsync(fspMutable, name);
}
wrapAsync(fspMutable, "writeFile", async (args, original) => void (await original(args[0], half(args[1]))));
wrapAsync(fspMutable, "appendFile", async (args, original) => void (await original(args[0], half(args[1]))));
syncBuiltinESMExports();

// FileHandle methods live on a prototype that node:fs/promises does not export; reach it through a handle.
const probe = await (fsp.open as (path: string, flags: string) => Promise<FileHandle>)("/dev/null", "r");
const handlePrototype = Object.getPrototypeOf(probe) as Record<string, unknown>;
await probe.close();
wrapAsync(handlePrototype, "write", async (args, original) => {
  const [buffer] = args as [Uint8Array | string];
  await original(half(buffer));
});
wrapAsync(handlePrototype, "sync");

/** How many writes the simulated full disk refused (0: the disk never filled, so the run proves nothing). */
export function writesRefusedSoFar(): number {
  return writesRefused;
}

/** Starts counting operations (setup before it, e.g. building the model, is never interrupted). */
export function armKillSwitch(): void {
  armed = true;
}

/**
 * The operations counted since arming, as "ops <count> <kind,kind,...>": a dry run prints this so the
 * parent knows which operation numbers exist and which of them are writes of data.
 */
export function operationsSoFar(): string {
  return `${count} ${kinds.join(",")}`;
}
