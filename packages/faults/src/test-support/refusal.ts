import type { Tally } from "./tally.js";

/** Grows by more than this while refusing one hostile input means something was allocated for it. */
const ALLOCATION_LIMIT = 256 * 1024 * 1024;

export interface Refusal {
  code: string;
  message: string;
}

/**
 * Runs `attempt`, which must throw a typed error (one with a string `code`) whose message names every
 * string in `mentions` (the file, the field), without the process growing by more than 256 MiB.
 * Returns a problem description, or undefined when the input was refused properly.
 */
export async function expectRefusal(
  tally: Tally,
  what: string,
  mentions: string[],
  attempt: () => unknown,
): Promise<string | undefined> {
  tally.hostileInputsTried += 1;
  const before = process.memoryUsage();
  let outcome: unknown;
  try {
    await attempt();
    return `${what}: accepted`;
  } catch (error) {
    outcome = error;
  }
  const after = process.memoryUsage();
  const grew = Math.max(after.rss - before.rss, after.arrayBuffers - before.arrayBuffers);
  const error = outcome as { code?: unknown; message?: unknown };
  if (typeof error?.code !== "string") return `${what}: untyped ${String(outcome)}`;
  if (/^ERR_|^E[A-Z]+$/.test(error.code)) return `${what}: a raw Node error ${error.code}: ${String(error.message)}`;
  const message = String(error.message);
  // A name may be quoted as JSON in the message (backslashes doubled).
  const missing = mentions.filter((m) => !message.includes(m) && !message.includes(JSON.stringify(m).slice(1, -1)));
  if (missing.length > 0) return `${what}: ${error.code} "${message}" does not name ${missing.join(", ")}`;
  if (grew > ALLOCATION_LIMIT) return `${what}: refused only after growing by ${Math.round(grew / 2 ** 20)} MiB`;
  return undefined;
}
